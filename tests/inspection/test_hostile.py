"""Hostile and broken input: 体检 neither crashes nor invents relations, and refuses what is not a
report (too long) with a Chinese message. Shapes that once made a rule slow are kept here, sized so
that a return to quadratic behaviour shows as a hung test rather than passing quietly."""

from __future__ import annotations

import random

import pytest

from assistant.inspection import MAX_CHARS, ReportUnreadable, inspect_bytes, inspect_text

RNG = random.Random(20261201)

SHAPES = {
    "open_brackets": "（" * 20000 + "其中" + "1万元，" * 300 + "）" * 20000,
    "no_punctuation": "".join(f"支出{RNG.randint(1, 999)}.{RNG.randint(10, 99)}万元其中较增加占" for _ in range(2000)),
    "long_digit_run": "全年预算数全年执行数分值执行率得分年度资金总额:" + "1" * 80 + "100.00%10",
    "many_headings": "产出指标(50分)" * 3000,
    "cells_soup": "\n".join(RNG.choice(["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分", "年度资金总额", "其中：当年财政拨款", "12.5", "100%", "/", ""]) for _ in range(20000)),
    "control_chars": "支出\x00100万元，\x07其中基本支出\x1b60万元，项目支出40万元。\ufeff\u200b",
    "only_markers": "其中其中其中占占占较较较增加增加减少=÷×",
}


@pytest.mark.parametrize("name", SHAPES)
def test_hostile_shapes_do_not_crash(name):
    report = inspect_text(SHAPES[name], name)
    for finding in report.findings:
        assert finding.message and finding.place.line >= 1


def test_control_characters_do_not_hide_a_consistent_relation():
    report = inspect_text(SHAPES["control_chars"])
    assert report.findings == []


def test_text_longer_than_the_limit_is_refused():
    with pytest.raises(ReportUnreadable, match="文字过长"):
        inspect_text("一" * (MAX_CHARS + 1), "长.txt")


@pytest.mark.parametrize(
    "name,data",
    [("x.docx", b"PK\x03\x04garbage"), ("x.pdf", b"%PDF-1.4 broken"), ("x.doc", b"\xd0\xcf\x11\xe0"), ("x.txt", b"\xff\xfe\x00")],
)
def test_damaged_uploads_raise_a_chinese_message(name, data):
    try:
        inspect_bytes(name, data)
    except ReportUnreadable as exc:
        assert name in str(exc)
