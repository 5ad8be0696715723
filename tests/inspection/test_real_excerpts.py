"""体检 on the published excerpts in ../shared/real/ (INDEX.md lists their internal checks).

The two with a known inconsistency get exactly their finding, with the numbers recomputed here from
the excerpt's own text; every other excerpt gets no finding at all (a finding on a correct report
is a defect), and the relations INDEX.md marks ✓ are recomputed, not skipped.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest

from assistant.inspection import inspect_path, inspect_text
from tests.inspection.conftest import REAL, real_text

KNOWN_INCONSISTENT = {"hengshan-guantang-2023.txt", "zhongjiang-shuili-2022-xiangmu.txt"}


def _all_excerpts():
    return sorted(p.name for p in REAL.glob("*.txt")) if REAL.exists() else []


@pytest.mark.parametrize("name", [n for n in _all_excerpts() if n not in KNOWN_INCONSISTENT])
def test_consistent_excerpts_have_no_finding(name):
    report = inspect_path(REAL / name)
    assert report.findings == [], [f.message for f in report.findings]


def test_hengshan_guantang_execution_against_spending_by_nature():
    text = real_text("hengshan-guantang-2023.txt")
    report = inspect_text(text, "hengshan")
    # The expectation from the excerpt itself: spending by nature is 基本支出 + 项目支出, and the
    # row 年度资金总额 gives 年初 / 全年预算 / 全年执行.
    spending = Decimal(re.search(r"按支出性质分[:：](\d+\.\d+)", text).group(1))
    basic = Decimal(re.search(r"基本支出[:：](\d+\.\d+)", text).group(1))
    project = Decimal(re.search(r"项目支出[:：](\d+\.\d+)", text).group(1))
    assert basic + project == spending
    row = re.search(r"年度资金总额\s+(\d+\.\d+)\s+(\d+\.\d+)\s+(\d+\.\d+)", text)
    full_year, executed = Decimal(row.group(2)), Decimal(row.group(3))
    rate = (spending / full_year * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    assert [f.rule for f in report.findings] == ["executed_vs_spending"]
    finding = report.findings[0]
    assert finding.severity == "error"
    assert finding.stated == row.group(3) and finding.computed == format(spending, "f")
    assert f"{rate}%" in finding.message and "100%" in finding.message
    assert finding.place.line == text[: text.index("年度资金总额")].count("\n") + 1
    assert executed != spending
    # The income and spending breakdowns themselves add up (INDEX ✓) and are recomputed.
    assert sum(1 for rule, _ in report.checked if rule == "table_total") >= 2


def test_zhongjiang_weights_add_to_110():
    text = real_text("zhongjiang-shuili-2022-xiangmu.txt")
    report = inspect_text(text, "zhongjiang")
    headings = {m.group(1): Decimal(m.group(2)) for m in re.finditer(r"(产出指标|效益指标|满意度指标)\((\d+)分\)", text)}
    note = {m.group(1): Decimal(m.group(2)) for m in re.finditer(r"(产出指标|效益指标|满意度指标|预算资金执行率)(\d+)分", text)}
    execution = note["预算资金执行率"]  # the same 10 the run-together fund row gives, in every split
    expected = sum(headings.values()) + execution
    assert expected != 100
    sums = [f for f in report.findings if f.rule == "weights_sum"]
    assert len(sums) == 1 and sums[0].stated == f"{expected}分" and sums[0].computed == "100分"
    prescribed = {f.stated for f in report.findings if f.rule == "weights_prescribed"}
    assert prescribed == {f"{name}{value}分" for name, value in headings.items() if note[name] != value}
    # The run-together row “202010100.00%10” is not read as figures to check.
    assert any("连写" in u.reason for u in report.unchecked)
    assert not any(f.rule in ("rate", "parts_sum", "table_total") for f in report.findings)


def test_relations_index_marks_consistent_are_recomputed():
    checked = {name: {rule for rule, _ in inspect_path(REAL / name).checked} for name in _all_excerpts()}
    assert {"parts_sum"} <= checked["hetang-fulian-2022.txt"]  # 57.28+11.78=69.06
    assert {"parts_sum"} <= checked["wuding-tianxin-2022.txt"]  # 3+7=10
    assert {"rate"} <= checked["changning-yixiao-2023-xiangmu.txt"]  # 16.20/16.20
    assert {"rate", "table_total", "weights_sum"} <= checked["qingshen-fagai-2023-xiangmu.txt"]
    assert {"rate", "table_total", "weights_sum"} <= checked["daying-sifa-2023-xiangmu.txt"]
    assert {"share", "expression"} <= checked["jichushuju-2018-unknown.txt"]  # 136/143, (63.46-32)÷32


def test_hetang_parts_place_and_values():
    text = real_text("hetang-fulian-2022.txt")
    report = inspect_text(text)
    line = text[: text.index("2022年预算收入")].count("\n") + 1
    assert ("parts_sum", line) in {(rule, place.line) for rule, place in report.checked}


def test_ocr_garbled_excerpt_no_crash_no_invented_relation():
    text = real_text("chongqing-kexuecheng-rongmeiti-2021.txt")
    report = inspect_text(text)
    assert report.findings == []
    assert report.checked == []  # “O76%107.6”, “1010”: nothing there states a relation
    # Damaged further (cut mid-number, stray brackets, control characters): still no crash.
    for cut in range(0, len(text), 97):
        damaged = text[:cut] + "（（其中" + text[cut:][::-1][:200] + "=)÷0=5%"
        inspect_text(damaged)


def test_ambiguous_project_count_is_not_an_error():
    # honghe: 8 + 8 ≠ 15 only if the 5 转列 items are counted differently; INDEX calls it ambiguous.
    report = inspect_path(REAL / "honghe-shuju-2024-xiangmu.txt")
    assert report.errors == []
