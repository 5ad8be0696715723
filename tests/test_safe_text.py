"""assistant/safe_text.py: text Word's XML can hold, Markdown that loads nothing when rendered."""

from assistant.figures import load_figures
from assistant.figures.model import Figures
from assistant.offline import REPO_ROOT
from assistant.safe_text import clean_for_xml, inert_markdown, xml_illegal, xml_illegal_warnings

SEED = REPO_ROOT / "evals" / "cases" / "hengshan-fulian-2023" / "figures.yaml"


def test_xml_illegal_characters_found_and_cleaned():
    text = "甲\x00乙\x07丙\t丁\n戊\ud800己\ufffe"
    assert [pos for pos, _ in xml_illegal(text)] == [2, 4, 10, 12]
    assert clean_for_xml(text) == "甲乙丙\t丁\n戊己"
    assert clean_for_xml("正常文字") == "正常文字"


def test_warnings_name_the_field():
    data = load_figures(SEED).model_dump()
    data["work_notes"][0]["items"][1] = "开展\x0b活动"
    (field, message), = xml_illegal_warnings(Figures.model_validate(data))
    assert field == "work_notes.0.items.1" and "U+000B" in message and "第3个字符" in message
    assert xml_illegal_warnings(load_figures(SEED)) == []


def test_inert_markdown_keeps_the_text_and_renders_nothing_remote():
    text = "![图](http://x/a.png) <img src=http://x/b> <iframe src=x></iframe> <http://x/c>\n[r]: http://x/d\n表<br>格"
    safe = inert_markdown(text)
    assert "![" not in safe and "<img" not in safe and "<iframe" not in safe and "<http" not in safe
    assert "\\[r]:" in safe and "<br>" in safe
    assert inert_markdown("# 标题\n\n- 一项 **加粗** [链接](http://x)") == "# 标题\n\n- 一项 **加粗** [链接](http://x)"
