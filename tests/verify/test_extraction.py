"""Extraction: every numeral with its offsets, value, unit, qualifier and range ends."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.verify import extract_figures
from assistant.verify.model import APPROX, BOUND, RANGE
from assistant.verify.numerals import parse_chinese


def one(text: str):
    figures = extract_figures(text)
    assert len(figures) == 1, figures
    return figures[0]


@pytest.mark.parametrize(
    "text, value, unit",
    [
        ("总支出155.29万元", "155.29", "万元"),
        ("共计1,553,200元", "1553200", "元"),
        ("共计1,553,200.50元", "1553200.50", "元"),
        ("资金3千元", "3", "千元"),
        ("资金0.015529亿元", "0.015529", "亿元"),
        ("占比39.55%", "39.55", "%"),
        ("占比39.55％", "39.55", "%"),
        ("占比百分之八十七", "87", "%"),
        ("占比百分之八十七点五", "87.5", "%"),
        ("占比百分之87", "87", "%"),
        ("提高3个百分点", "3", "百分点"),
        ("三名干部", "3", "名"),
        ("十二个乡镇", "12", "个"),
        ("一百二十户家庭", "120", "户"),
        ("1.2万人参加", "12000", "人"),
        ("20.62万元", "20.62", "万元"),
        ("三万元", "3", "万元"),
        ("开展3期培训", "3", "期"),
        ("组建16支战队", "16", "支"),
        ("4岁女童", "4", "岁"),
        ("成立100周年", "100", "周年"),
        ("为期2天", "2", "天"),
        ("5792例", "5792", "例"),
        ("调解成功60对", "60", "对"),
        ("共接待3人次", "3", "人次"),
        ("持续3个月", "3", "个月"),
        ("开支人数3。", "3", ""),
    ],
)
def test_values_and_units(text, value, unit):
    fig = one(text)
    assert fig.value == Decimal(value)
    assert fig.unit == unit


def test_offsets_point_into_the_original_text():
    text = "决算总支出155.29万元，其中基本支出61.41万元。"
    figures = extract_figures(text)
    assert [(f.start, f.end, f.text) for f in figures] == [(5, 13, "155.29万元"), (20, 27, "61.41万元")]
    for fig in figures:
        assert text[fig.start : fig.end] == fig.text


def test_full_width_digits_keep_original_offsets_and_text():
    fig = one("支出１５５．２９万元")
    assert fig.value == Decimal("155.29")
    assert fig.text == "１５５．２９万元"
    assert (fig.start, fig.end) == (2, 10)


@pytest.mark.parametrize(
    "text, value, unit, qualifier, qualifier_text",
    [
        ("干部共220余人", "220", "人", APPROX, "余"),
        ("两千余人", "2000", "人", APPROX, "余"),
        ("宣传手册千余份", "1000", "份", APPROX, "余"),
        ("筹集助学金近12万元", "12", "万元", APPROX, "近"),
        ("约3万元", "3", "万元", APPROX, "约"),
        ("注册人数超过2000人", "2000", "人", BOUND, "超过"),
        ("2000人以上", "2000", "人", BOUND, "以上"),
        ("二十多人", "20", "人", APPROX, "多"),
        ("50人左右", "50", "人", APPROX, "左右"),
        ("上千名妇女", "1000", "名", BOUND, "上"),
        ("20余万元", "20", "万元", APPROX, "余"),
    ],
)
def test_approximations_and_bounds(text, value, unit, qualifier, qualifier_text):
    fig = one(text)
    assert (fig.value, fig.unit, fig.qualifier, fig.qualifier_text) == (Decimal(value), unit, qualifier, qualifier_text)


def test_qualifier_words_are_part_of_the_span():
    fig = one("目前全县注册人数超过2000人。")
    assert fig.text == "超过2000人"


@pytest.mark.parametrize(
    "text, low, high, unit",
    [
        ("30-40人", "30", "40", "人"),
        ("30～40人", "30", "40", "人"),
        ("30至40人", "30", "40", "人"),
        ("三至五人", "3", "5", "人"),
        ("30%-40%", "30", "40", "%"),
        ("10-20万元", "10", "20", "万元"),
        ("1-2万人", "10000", "20000", "人"),
    ],
)
def test_ranges(text, low, high, unit):
    fig = one(text)
    assert fig.qualifier == RANGE
    assert (fig.low, fig.high, fig.unit) == (Decimal(low), Decimal(high), unit)
    assert fig.value == fig.low
    assert fig.text == text


def test_decimals_shown_and_scale_are_kept():
    fig = one("1.2万人")
    assert (fig.shown, fig.places, fig.scale) == (Decimal("1.2"), 1, Decimal(10000))
    assert one("39.50%").places == 2


def test_negative_number():
    fig = one("变动率为-3.5%")
    assert fig.value == Decimal("-3.5")
    assert fig.text == "-3.5%"


def test_fraction():
    fig = one("占三分之一")
    assert fig.unit == "分之"
    assert fig.value == Decimal(1) / Decimal(3)


def test_hundred_percent_in_words():
    assert one("满意度百分百").value == Decimal(100)


def test_word_after_unit_character_is_not_a_unit():
    # 3支出 is no count of 支; the number stays a (bare) figure
    fig = one("项目3支出")
    assert fig.unit == ""


@pytest.mark.parametrize(
    "text, value",
    [
        ("三", 3),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("一百零五", 105),
        ("一百二十", 120),
        ("两千", 2000),
        ("千", 1000),
        ("一万二千", 12000),
        ("十万", 100000),
        ("一亿二千万", 120000000),
        ("二〇二三", 2023),
        ("八十七点五", Decimal("87.5")),
    ],
)
def test_chinese_numerals(text, value):
    assert parse_chinese(text) == Decimal(value)


@pytest.mark.parametrize("text", ["五一", "一一", "三八", "九九", "万万", "十十"])
def test_words_made_of_numerals_are_not_numbers(text):
    assert parse_chinese(text) is None


def test_run_of_numerals_retries_inside():
    # 统一三个: 一三 is no numeral, 三个 is a figure
    fig = one("统一三个标准")
    assert (fig.text, fig.value) == ("三个", Decimal(3))


def _in_script(text: str, zero: str) -> str:
    """`text` with its ASCII digits written in the script whose zero is `zero`."""
    return "".join(chr(ord(zero) + int(ch)) if ch.isdigit() else ch for ch in text)


@pytest.mark.parametrize("zero", ["\u0660", "\u0966", "\U0001d7ce", "\uff10"], ids=["arabic-indic", "devanagari", "math-bold", "full-width"])
def test_decimal_digits_of_any_script_are_read(zero):
    """A person's text is read with the same notion of a digit as the model gate (figure_tokens)."""
    written = _in_script("155.29", zero)
    fig = one(f"支出{written}万元")
    assert fig.value == Decimal("155.29")
    assert fig.text == f"{written}万元"


def test_circled_and_superscript_numbers_are_not_read_as_amounts():
    # ① is a list marker and ² an exponent in a person's text; neither becomes a figure.
    assert extract_figures("①加强预算管理；②规范资产管理") == []


def test_human_verifier_traces_digits_of_another_script(seed):
    from assistant.verify import verify

    _, ledger, notes = seed
    fact = ledger["final.expenditure.total"]
    written = _in_script(fact.text.replace("万元", ""), "\u0660")
    good = verify(f"本年度{fact.label}为{written}万元。", ledger, notes)
    assert good.ok, good.to_dict()
    wrong = _in_script(str(fact.value + 1), "\u0660")
    bad = verify(f"本年度{fact.label}为{wrong}万元。", ledger, notes)
    assert not bad.ok
