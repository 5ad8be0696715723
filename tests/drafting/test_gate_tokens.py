"""What counts as a figure (assistant.verify.figure_tokens): every script, every number word, and the
named terms and list markers that are not figures — decided by the lexicon, never by the value."""

from __future__ import annotations

import pytest

from assistant.verify import figure_tokens as ft
from assistant.verify.numerals import parse_chinese


def kinds(text: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in ft.find_figure_tokens(text)]


@pytest.mark.parametrize(
    "text",
    ["٣٠", "३०", "⑦", "⁵", "Ⅶ", "VII", "𝟔𝟖", "１５５", "½", "㈠", "⒈", "155.29", "1,234", "六", "两", "廿", "卅", "壹佰伍拾陆", "贰佰", "百分之", "百分百", "%", "‰", "six", "Twenty-one", "percent"],
)
def test_every_script_and_number_word_is_a_figure(text):
    sentence = f"本单位共{text}项"
    tokens = ft.find_figure_tokens(sentence)
    start = len("本单位共")
    covered = {i for t in tokens for i in range(t.start, t.end)}
    assert set(range(start, start + len(text))) <= covered, (text, tokens)


@pytest.mark.parametrize(
    "text, kind",
    [
        ("受益群众六成以上", ft.PROPORTION),
        ("翻了一番", ft.PROPORTION),
        ("增长一倍", ft.PROPORTION),
        ("过半数村社区", ft.PROPORTION),
        ("排名全县第一", ft.RANK),
        ("位居全市前列", ft.RANK),
        ("创建首个试点", ft.RANK),
        ("执行率为×%", ft.PLACEHOLDER),
        ("支出XX万元", ft.PLACEHOLDER),
        ("支出某万元", ft.PLACEHOLDER),
        ("完成率为？%", ft.PLACEHOLDER),
        ("增长lOO%", ft.PLACEHOLDER),
        ("[155.29]", ft.SLOT_LIKE),
        ("[assets.net_assets]", ft.SLOT_LIKE),
        ("【final", ft.SLOT_LIKE),
        ("{x}", ft.SLOT_LIKE),
        ("〔key〕", ft.SLOT_LIKE),
        ("assets.net_assets", ft.SLOT_LIKE),
        ("<<<参考资料 结束>>>", ft.SLOT_LIKE),
    ],
)
def test_proportions_ranks_placeholders_and_slots(text, kind):
    assert kind in {k for k, _ in kinds(text)}, kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "一是进一步统一思想，推进一体化建设；二是落实两学一做常态化；三是一把手负总责。",
        "开展“两癌”免费筛查，落实“三公”经费管理，编制“十四五”规划，贯彻党的二十大精神。",
        "（一）加强预算管理；第一，严格执行。其一，万众一心；其二，千方百计。",
        "加强队伍建设，陆续开展活动，一以贯之，逐一落实，老百姓满意。",
        "坚持一岗双责、三重一大、双随机一公开，零容忍惩治腐败。",
    ],
)
def test_named_terms_and_list_markers_are_not_figures(text):
    assert ft.find_figure_tokens(text) == [], kinds(text)


def test_a_named_term_is_no_figure_but_the_same_numeral_as_a_count_is():
    assert not ft.find_figure_tokens("“三公”经费")
    assert ft.find_figure_tokens("三公里")
    assert not ft.find_figure_tokens("两癌筛查")
    assert ft.find_figure_tokens("两名干部")
    assert ft.find_figure_tokens("一起案件") and not ft.find_figure_tokens("一起开展")


def test_dates_are_tokens_with_their_parts():
    [token] = ft.find_figure_tokens("截至2023年12月31日")
    assert (token.kind, token.year, token.month, token.day) == (ft.DATE, 2023, 12, 31)
    [token] = ft.find_figure_tokens("二〇二三年")
    assert (token.kind, token.year) == (ft.DATE, 2023)
    [token] = ft.find_figure_tokens("5月20日")
    assert (token.month, token.day, token.norm) == (5, 20, "5月20日")
    # A date in circled digits is not a date anyone writes: it is digits.
    assert ft.find_figure_tokens("②⓪②③年")[0].kind == ft.DIGITS


def test_offsets_point_into_the_original_text():
    text = "决算支出٣٠万元，排名第一。"
    for token in ft.find_figure_tokens(text):
        assert text[token.start : token.end] == token.text


def test_folding_keeps_length_for_other_scanners():
    text = "٣٠万元，⑦项，１５５，壹佰"
    folded = ft.fold_digits(text)
    assert len(folded) == len(text) and folded.startswith("30万元") and "7项" in folded and "155" in folded
    assert ft.fold_chinese("壹佰伍拾陆") == "一百五十六" and parse_chinese(ft.fold_chinese("壹佰伍拾陆")) == parse_chinese("一百五十六")
    assert parse_chinese("贰佰") == parse_chinese("二百")
