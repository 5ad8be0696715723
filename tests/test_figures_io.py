"""Reading and writing figures files (assistant/figures/yaml_io.py): Decimal exactness, encodings, Chinese errors."""

from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.figures.model import Figures, field_label, label_for_path
from assistant.figures.yaml_io import (
    FiguresError,
    decode_bytes,
    dump_yaml,
    figures_from_data,
    figures_from_yaml_text,
    save_yaml,
)
from assistant.figures import load_figures

D = Decimal
ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "evals" / "cases" / "hengshan-fulian-2023" / "figures.yaml"
SMALL = Path(__file__).parent / "data" / "figures_small.yaml"
HEAD = "meta:\n  unit_name: 测试单位\n  year: 2023\n"


def messages_for(text: str) -> list[str]:
    with pytest.raises(FiguresError) as caught:
        figures_from_yaml_text(text)
    assert caught.value.messages and str(caught.value) == "\n".join(caught.value.messages)
    return caught.value.messages


def one_message(text: str) -> str:
    messages = messages_for(text)
    assert len(messages) == 1, messages
    return messages[0]


# --- Decimal exactness --------------------------------------------------------------------------


def test_seed_loads_with_exact_decimals():
    seed = load_figures(SEED)
    assert seed.budget.income.total == D("39.78")
    assert str(seed.budget.income.total) == "39.78"
    assert isinstance(seed.final.expenditure.total, Decimal) and str(seed.final.expenditure.total) == "155.29"
    assert str(seed.three_public.actual.total) == "0.09"
    assert seed.meta.report_date.isoformat() == "2024-06-10"


def test_yaml_floats_never_pass_through_float():
    figures = figures_from_yaml_text(HEAD + "final:\n  income:\n    total: 0.1\n    general_public: 2.675\n    other: 1_000.50\n")
    income = figures.final.income
    assert str(income.total) == "0.1"
    assert str(income.general_public) == "2.675"  # a float would be 2.67499999999999982236431605997495353221893310546875
    assert income.other == D("1000.50")
    assert D(2.675) != D("2.675")  # why it matters


def test_text_numbers_and_integers_become_decimals():
    figures = figures_from_yaml_text(HEAD + "final:\n  income:\n    total: '39.78'\n    other: 3\n")
    assert figures.final.income.total == D("39.78") and figures.final.income.other == D(3)


# --- round trip ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [SEED, SMALL], ids=["seed", "small"])
def test_load_dump_load_round_trip(path):
    first = load_figures(path)
    text = dump_yaml(first)
    second = figures_from_yaml_text(text)
    assert second == first
    assert dump_yaml(second) == text


def test_dump_keeps_decimal_digits_and_chinese():
    text = dump_yaml(load_figures(SEED))
    data = yaml.safe_load(text)
    assert "total: 39.78" in text and "衡山县妇女联合会" in text
    assert "\\u" not in text  # Chinese written as is, not escaped
    assert data["meta"]["report_date"] == "2024-06-10"
    assert "adjusted_budget" not in data  # an empty block with a default is left out


def test_round_trip_keeps_optional_blocks_entered_empty():
    figures = figures_from_yaml_text(HEAD + "procurement: {}\nthree_public:\n  last_year_actual: {}\n")
    assert figures.procurement is not None
    again = figures_from_yaml_text(dump_yaml(figures))
    assert again == figures and again.procurement is not None and again.three_public.last_year_actual is not None


def test_round_trip_keeps_text_that_looks_like_numbers():
    figures = figures_from_yaml_text(HEAD.replace("year: 2023\n", "year: 2023\n  notice_no: '170'\n  budget_code: '001.50'\n"))
    again = figures_from_yaml_text(dump_yaml(figures))
    assert again.meta.notice_no == "170" and again.meta.budget_code == "001.50"


def test_save_yaml_writes_utf8_and_reloads(tmp_path):
    figures = load_figures(SMALL)
    target = tmp_path / "out.yaml"
    save_yaml(figures, target)
    assert load_figures(target) == figures
    assert "示例县示例局" in target.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["out.yaml"]  # no temporary file left behind


money = st.decimals(min_value=D("-99999999.99"), max_value=D("99999999.99"), places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None)
@given(st.lists(money, min_size=4, max_size=4))
def test_round_trip_property_for_amounts(values):
    total, basic, project, stated = values
    figures = Figures.model_validate(
        {"meta": {"unit_name": "测试单位", "year": 2023}, "final": {"expenditure": {"total": total, "basic": basic, "project": project, "basic_share_stated": stated}}}
    )
    again = figures_from_yaml_text(dump_yaml(figures))
    assert again == figures
    # Same digits, not merely the same value: nothing went through a binary float on the way.
    assert [str(v) for v in (again.final.expenditure.total, again.final.expenditure.basic)] == [str(total), str(basic)]


# --- encodings ------------------------------------------------------------------------------------


def test_gbk_file_loads_like_the_utf8_one(tmp_path):
    gbk = tmp_path / "figures-gbk.yaml"
    gbk.write_bytes(SEED.read_text(encoding="utf-8").encode("gbk"))
    assert load_figures(gbk) == load_figures(SEED)


def test_utf8_with_bom_loads(tmp_path):
    bom = tmp_path / "figures-bom.yaml"
    bom.write_bytes(b"\xef\xbb\xbf" + SMALL.read_bytes())
    assert load_figures(bom) == load_figures(SMALL)


def test_gbk_file_with_an_error_gives_a_chinese_message(tmp_path):
    gbk = tmp_path / "figures-gbk.yaml"
    gbk.write_bytes((HEAD + "final:\n  income:\n    total: 十五万\n").encode("gbk"))
    with pytest.raises(FiguresError) as caught:
        load_figures(gbk)
    assert caught.value.messages == ["字段“决算/收入/收入合计”应为数字（填写的是：“十五万”）。"]


def test_decode_bytes():
    assert decode_bytes("单位".encode("utf-8")) == "单位"
    assert decode_bytes("单位".encode("gbk")) == "单位"
    with pytest.raises(FiguresError) as caught:
        decode_bytes(b"\xff\xfe\x00\xd8\xff")
    assert "编码" in caught.value.messages[0]


# --- malformed files ------------------------------------------------------------------------------


def test_missing_required_field():
    message = one_message("meta:\n  year: 2023\n")
    assert message == "字段“单位信息/单位名称”必填项缺失。"


def test_missing_meta_block():
    assert one_message("duties: []\n") == "字段“单位信息”必填项缺失。"


def test_text_in_a_number_field():
    message = one_message(HEAD + "three_public:\n  actual:\n    reception: 约九百元\n")
    assert message == "字段““三公”经费/决算数/公务接待费”应为数字（填写的是：“约九百元”）。"


def test_non_integer_head_count_is_shown_as_typed():
    message = one_message(HEAD + "staffing:\n  actual: 3.5\n")
    assert message == "字段“人员编制/在职人员”应为整数（填写的是：3.5）。"


def test_negative_head_count_is_rejected_on_load():
    assert one_message(HEAD + "staffing:\n  retired: -1\n") == "字段“人员编制/退休人员”不能为负数（填写的是：-1）。"


def test_negative_amount_loads_and_is_left_to_the_checker():
    # The user's input is kept and explained by the checker (see test_checks), not refused on load.
    figures = figures_from_yaml_text(HEAD + "final:\n  expenditure:\n    public: -3.2\n")
    assert figures.final.expenditure.public == D("-3.2")


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ("final: 5\n", "字段“决算”应为一组字段（填写的是：5）。"),
        ("duties: 负责妇女工作\n", "字段“部门主要职责”应为列表（填写的是：“负责妇女工作”）。"),
        ("final:\n  income:\n    total: [1, 2]\n", "字段“决算/收入/收入合计”应为数字。"),
        ("projects:\n- name: 项目甲\n  key_project: 也许\n", "字段“项目/第1项/重点项目”应为 true 或 false（表示是/否）（填写的是：“也许”）。"),
        ("performance_indicators:\n- {level1: 产出指标, level2: 数量指标, name: 场次, comparator: 大于}\n", "字段“部门整体绩效指标/第1项/指标方向”取值不在可选范围内（填写的是：“大于”）。"),
        ("meta:\n  unit_name: 测试单位\n  year: 二〇二三\n", "字段“单位信息/年度”应为整数（填写的是：“二〇二三”）。"),
    ],
    ids=["block-is-number", "list-is-text", "number-is-list", "bool", "enum", "year-text"],
)
def test_wrong_type(snippet, message):
    text = snippet if snippet.startswith("meta:") else HEAD + snippet
    assert one_message(text) == message


def test_bad_date():
    message = one_message("meta:\n  unit_name: 测试单位\n  year: 2023\n  report_date: 2024年6月\n")
    assert message.startswith("字段“单位信息/报告日期”应为日期（如 2024-06-10）")


def test_unknown_field_is_named():
    message = one_message(HEAD + "final:\n  incme:\n    total: 1\n")
    assert message == "字段“决算/incme”不是可识别的字段（请检查拼写）。"


def test_several_problems_give_several_messages():
    messages = messages_for("meta:\n  year: 2023\nstaffing:\n  actual: 五\nfinal:\n  income:\n    total: abc\n")
    assert len(messages) == 3
    assert any("单位名称" in m for m in messages) and any("在职人员" in m for m in messages) and any("收入合计" in m for m in messages)


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan"])
def test_special_yaml_floats_are_rejected_with_the_field(value):
    message = one_message(HEAD + f"final:\n  income:\n    total: {value}\n")
    assert message.startswith("字段“决算/收入/收入合计”应为有限数字")


def test_nan_text_is_rejected():
    assert one_message(HEAD + "final:\n  income:\n    total: NaN\n").startswith("字段“决算/收入/收入合计”应为有限数字")


def test_absurdly_large_number_is_rejected():
    message = one_message(HEAD + "final:\n  income:\n    total: 1.0e+999999\n")
    assert message.startswith("字段“决算/收入/收入合计”数值过大")
    big_indicator = HEAD + "performance_indicators:\n- {level1: 产出指标, level2: 数量指标, name: 场次, target: '1e20'}\n"
    assert "部门整体绩效指标/第1项/年度指标值" in one_message(big_indicator)


@pytest.mark.parametrize("text", ["", "   \n", "# 只有注释\n", "~\n"], ids=["empty", "blank", "comment", "null"])
def test_empty_file(text):
    assert one_message(text) == "文件为空：没有任何数据。"


@pytest.mark.parametrize("text", ["- a\n- b\n", "只是一段文字\n", "42\n"], ids=["list", "text", "number"])
def test_not_a_mapping(text):
    assert one_message(text).startswith("文件内容应为一组“字段: 值”")


def test_not_yaml_names_the_line():
    message = one_message("meta:\n  unit_name: 测试单位\n  year: [2023\n")
    assert message.startswith("不是有效的 YAML 文件：第")
    message = one_message("meta: {unit_name: 测试单位\nyear: 2023\n  bad: indent\n")
    assert message.startswith("不是有效的 YAML 文件")


@pytest.mark.parametrize(
    "raw",
    [bytes(range(256)), b"\x00\x01\x02\x03garbage\xff\xfe", b"PK\x03\x04\x14\x00\x06\x00" + bytes(64)],
    ids=["all-bytes", "control", "zip-header"],
)
def test_binary_garbage(tmp_path, raw):
    path = tmp_path / "garbage.yaml"
    path.write_bytes(raw)
    with pytest.raises(FiguresError) as caught:
        load_figures(path)
    message = caught.value.messages[0]
    assert message.startswith(("文件编码无法识别", "不是有效的 YAML 文件"))


def test_missing_file(tmp_path):
    with pytest.raises(FiguresError) as caught:
        load_figures(tmp_path / "不存在.yaml")
    assert caught.value.messages[0].startswith("无法读取文件 不存在.yaml")


def test_directory_instead_of_file(tmp_path):
    with pytest.raises(FiguresError) as caught:
        load_figures(tmp_path)
    assert caught.value.messages[0].startswith(f"无法读取文件 {tmp_path.name}")


def test_figures_from_data_rejects_none_and_lists():
    with pytest.raises(FiguresError):
        figures_from_data(None)
    with pytest.raises(FiguresError):
        figures_from_data([1, 2])


def test_the_file_is_never_modified(tmp_path):
    path = tmp_path / "bad.yaml"
    raw = (HEAD + "final:\n  income:\n    total: abc\n").encode("gbk")
    path.write_bytes(raw)
    with pytest.raises(FiguresError):
        load_figures(path)
    assert path.read_bytes() == raw


# --- labels ---------------------------------------------------------------------------------------


def test_labels_for_paths():
    assert label_for_path(("final", "expenditure", "basic")) == "决算/支出/基本支出"
    assert label_for_path(("projects", 0, "funds", "total", "executed")) == "项目/第1项/项目资金（万元）/年度资金总额/全年执行数"
    assert label_for_path(("three_public", "last_year_actual", "total")) == "“三公”经费/上年决算数/合计"
    assert label_for_path(("final", "nonsense", "deeper")) == "决算/nonsense/deeper"
    assert field_label(Figures, "procurement") == "政府采购"


# --- bounded, strict reading (issue 16) ----------------------------------------------------------

LAUGHS = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n"
    for i in range(8)
)


def test_billion_laughs_is_refused_at_its_first_anchor():
    assert len(LAUGHS.encode()) < 1024
    message = one_message(LAUGHS)
    assert message.startswith("第1行第4列定义了 YAML 锚点“&a”"), message


def test_alias_is_refused_with_its_line():
    text = HEAD + "duties:\n- 职责一\n- *x\n"
    assert one_message(text).startswith("第6行第3列使用了 YAML 别名“*x”")


def test_billion_laughs_cli_within_time_and_memory_budget(tmp_path):
    """The CLI refuses the bomb in a process capped at 600 MB of address space and 60 s of CPU."""
    import resource
    import subprocess
    import sys

    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(LAUGHS, encoding="utf-8")

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (1200 * 1024 * 1024,) * 2)
        resource.setrlimit(resource.RLIMIT_CPU, (60, 60))

    done = subprocess.run(
        [sys.executable, "-m", "assistant", "check", str(bomb)],
        capture_output=True, text=True, timeout=120, preexec_fn=cap, cwd=ROOT,
    )
    assert done.returncode == 2, done.stderr
    assert "锚点" in done.stderr and "Traceback" not in done.stderr


def test_deep_nesting_is_refused_not_a_recursion_error():
    for text in ("x: " + "[" * 1000 + "]" * 1000 + "\n", "x: " + "{a: " * 1000 + "1" + "}" * 1000 + "\n"):
        assert "嵌套层次超过" in one_message(text)
    block = "".join("  " * i + f"k{i}:\n" for i in range(1000)) + "  " * 1000 + "v\n"
    assert "嵌套层次超过" in one_message(block)


def test_duplicate_key_is_refused_with_both_lines():
    text = HEAD + "final:\n  income:\n    total: 10\n  income:\n    total: 20\n"
    assert one_message(text) == "第7行第3列重复填写了字段“income”（第5行已填写过）：请删去其中一处。"
    assert "重复填写了字段“meta”" in one_message(HEAD + "meta:\n  unit_name: 另一单位\n  year: 2024\n")


@pytest.mark.parametrize("typed", ["1:30", "0x1F", "0o17", "0b101", "+.5e", "1.2.3"])
def test_yaml_1_1_number_forms_are_not_numbers(typed):
    # A number field holds a decimal number written as one: 1:30 is not 90, 0x1F is not 31.
    message = one_message(HEAD + f"final:\n  income:\n    total: {typed}\n")
    assert message.startswith("字段“决算/收入/收入合计”应为数字") or message.startswith("字段“决算/收入/收入合计”"), message
    assert typed in message


def test_yaml_1_1_forms_stay_text_in_text_fields():
    figures = figures_from_yaml_text(HEAD.replace("year: 2023", "year: 2023\n  notice_no: 1:30\n  budget_code: 0x1F"))
    assert figures.meta.notice_no == "1:30" and figures.meta.budget_code == "0x1F"
    figures = figures_from_yaml_text(HEAD + "problems:\n- on\n- yes\n")
    assert figures.problems == ["on", "yes"]


@pytest.mark.parametrize("typed", ["2024-13-45", "2024-02-30", "2023-02-29"])
def test_impossible_dates_name_the_field(typed):
    message = one_message(HEAD + f"  report_date: {typed}\n")
    assert message == f"字段“单位信息/报告日期”不是存在的日期（请核对月份和日期，如 2 月没有 30 日）（填写的是：“{typed}”）。"


def test_real_dates_still_read():
    assert str(figures_from_yaml_text(HEAD + "  report_date: 2024-02-29\n").meta.report_date) == "2024-02-29"


def test_huge_integer_is_refused_at_its_line():
    message = one_message(HEAD + "final:\n  income:\n    total: " + "9" * 5000 + "\n")
    assert message.startswith("第6行第12列的数字“") and "有 5000 位" in message


@pytest.mark.parametrize("typed,reason", [("1e999999999", "数值过大"), ("1e-999999999", "小数位数过多"), ("-1E+400", "数值过大")])
def test_extreme_exponents_name_the_field(typed, reason):
    message = one_message(HEAD + f"final:\n  income:\n    total: {typed}\n")
    assert message.startswith(f"字段“决算/收入/收入合计”{reason}"), message


def test_control_character_in_the_file_names_its_line_and_column():
    message = one_message(HEAD + "duties:\n- 职\x07责\n")
    assert message == "不是有效的 YAML 文件：第5行第4列含有不允许的控制字符（U+0007），请删除。"


def test_flipped_byte_in_utf8_is_reported_at_its_position(tmp_path):
    raw = SEED.read_bytes()
    position = raw.index("妇".encode())  # a byte inside a Chinese character
    damaged = bytearray(raw)
    damaged[position + 1] ^= 0x40
    path = tmp_path / "damaged.yaml"
    path.write_bytes(bytes(damaged))
    with pytest.raises(FiguresError) as caught:
        load_figures(path)
    line = raw[:position].count(b"\n") + 1
    (message,) = caught.value.messages
    assert message.startswith(f"第{line}行第") and f"（第{position + 1}个字节）" in message and "UTF-8" in message


def test_utf8_cut_inside_a_character_says_truncated(tmp_path):
    raw = SEED.read_bytes()
    cut = raw.rindex("。".encode()) + 1
    path = tmp_path / "cut.yaml"
    path.write_bytes(raw[:cut])
    with pytest.raises(FiguresError) as caught:
        load_figures(path)
    assert "可能被截断" in caught.value.messages[0]


def test_truncated_file_gets_a_warning():
    from assistant.figures.yaml_io import text_warnings

    text = SEED.read_text(encoding="utf-8")
    assert text_warnings(text) == []
    cut = text[: len(text) // 2].rstrip("\n")
    (warning,) = text_warnings(cut)
    assert "可能不完整" in warning and f"第{cut.count(chr(10)) + 1}行" in warning


def test_file_over_the_byte_limit_is_refused_before_reading(tmp_path):
    from assistant.figures.yaml_io import MAX_FILE_BYTES

    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:
        handle.write((HEAD + "duties:\n").encode())
        handle.write(b"- x\n" * (MAX_FILE_BYTES // 4 + 10))
    with pytest.raises(FiguresError) as caught:
        load_figures(path)
    assert "过大" in caught.value.messages[0]


def test_long_text_and_long_lists_are_refused_by_field():
    from assistant.figures.yaml_io import MAX_LIST_ITEMS, MAX_TEXT_CHARS

    message = one_message(HEAD + "duties:\n- " + "职" * (MAX_TEXT_CHARS + 1) + "\n")
    assert message.startswith("字段“部门主要职责/第1项”的文字过长")
    message = one_message(HEAD + "problems:\n" + "- 问题\n" * (MAX_LIST_ITEMS + 1))
    assert message.startswith("字段“存在的问题”的条目过多")


@pytest.mark.parametrize(
    "text",
    [
        "meta: !!python/object:os.system {}\n",
        "meta:\n  unit_name: 'unclosed\n",
        "meta:\n\tunit_name: x\n",
        "meta: {a: 1\n",
        "meta:\n  unit_name: x\n y: 2\n",
        "---\na: 1\n---\nb: 2\n",
        "meta:\n  unit_name: \"\\q\"\n",
        "? [a, b]\n: 1\n",
        "meta: @x\n",
        "%YAML 1.1\n%YAML 1.1\n---\na: 1\n",
        "meta:\n  year: 2023\n  - x\n",
    ],
)
def test_yaml_problems_are_always_chinese(text):
    import re

    for message in messages_for(text):
        assert not re.search(r"[A-Za-z]{4,}", message.replace("YAML", "").replace("UTF-8", "")), message


def test_pydantic_english_never_leaks():
    import re

    text = HEAD + "projects:\n- name: x\n  key_project: 也许\n  indicators:\n  - {level1: a, level2: b, name: c, comparator: 大约}\n"
    for message in messages_for(text):
        assert not re.search(r"[A-Za-z]{4,}", message.replace("true", "").replace("false", "")), message


def test_utf16_file_as_notepad_saves_it_loads(tmp_path):
    path = tmp_path / "utf16.yaml"
    path.write_bytes(SEED.read_text(encoding="utf-8").encode("utf-16"))
    assert load_figures(path) == load_figures(SEED)


def test_a_file_of_very_many_tiny_values_is_refused_early():
    from assistant.figures.yaml_io import MAX_NODES

    message = one_message(HEAD + "duties: [" + ",".join(["1"] * (MAX_NODES + 10)) + "]\n")
    assert "数据项超过" in message and message.startswith("第")


@pytest.mark.parametrize("key", ["0E0", "1e3", "yes", "null", "0x1F"])
def test_a_field_name_is_shown_as_typed(key):
    """A key that looks like a number, a bool or null is a field name as typed, never Decimal('0') or None."""
    messages = messages_for(HEAD + f"three_public:\n  {key}: 1\n")
    assert any(f"/{key}”" in m for m in messages), messages
    assert not any("Decimal" in m or "None" in m or "True" in m for m in messages), messages
