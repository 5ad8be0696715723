"""部门整体支出绩效自评表: DOMAIN §5 bands, 需补充 for missing inputs, overrides."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.figures.model import Figures
from assistant.scoring import NEEDS_INPUT, build_department_table, default_department_profile, rule_score, score_figures
from assistant.scoring.completion import add_completion_fact
from assistant.scoring.keys import base_ledger

from tests.scoring.helpers import D

PROFILE = default_department_profile()
SPECS = {ind.name: ind for _, ind in PROFILE.indicators()}


def score(name: str, value: str) -> Decimal:
    spec = SPECS[name]
    return rule_score(spec.rule, spec.weight, D(value))


@pytest.mark.parametrize(
    "value, expected",
    [("100", "5"), ("95", "5"), ("102", "4"), ("110", "0"), ("120", "0")],  # −0.5 per point over 100%
)
def test_staff_control_rate(value, expected):
    assert score("在职人员控制率", value) == D(expected)


@pytest.mark.parametrize("value, expected", [("-12", "5"), ("0", "5"), ("3", "3.5"), ("10", "0"), ("25", "0")])
def test_three_public_change_rate_minus_10_percent_of_weight_per_point(value, expected):
    assert score("“三公”经费变动率", value) == D(expected)


@pytest.mark.parametrize("value, expected", [("100", "10"), ("130", "10"), ("95", "8"), ("90", "6"), ("97.5", "9"), ("70", "0")])
def test_budget_completion_rate_minus_2_per_5_percent_short(value, expected):
    assert score("预算完成率", value) == D(expected)


@pytest.mark.parametrize(
    "value, expected", [("0", "3"), ("0.01", "2"), ("10", "2"), ("-10", "2"), ("15", "1"), ("20", "1"), ("25", "0.5"), ("30", "0.5"), ("30.01", "0"), ("-45", "0")]
)
def test_budget_adjustment_rate_bands(value, expected):
    assert score("预算调整率", value) == D(expected)


@pytest.mark.parametrize("value, expected", [("90", "6"), ("100", "6"), ("103", "3"), ("106", "0"), ("150", "0")])
def test_three_public_control_rate(value, expected):
    assert score("“三公”经费控制率", value) == D(expected)


@pytest.mark.parametrize(
    "value, expected", [("100", "5"), ("90", "5"), ("89.99", "4"), ("80", "4"), ("75", "3"), ("60", "2"), ("59.99", "0"), ("0", "0")]
)
def test_key_spending_rate_bands(value, expected):
    assert score("重点支出安排率", value) == D(expected)


def test_proportional_rules():
    assert score("固定资产利用率", "96") == D("0.96") * 4
    assert score("固定资产利用率", "120") == D(4)
    assert score("实际完成率", "90") == D("0.9") * 30


def minimal_figures(**extra) -> Figures:
    return Figures.model_validate({"meta": {"unit_name": "测试单位", "year": 2023}, **extra})


def test_missing_inputs_are_needs_input_and_total_incomplete():
    figures = minimal_figures(staffing={"authorized_total": 8, "actual": 8})
    table = score_figures(figures).department
    staff = table.line("staff_control_rate")
    assert staff.cell.used == D(5)
    procurement = table.line("政府采购执行率")
    assert procurement.cell.used is None and procurement.cell.source == NEEDS_INPUT
    assert procurement.value_text() == NEEDS_INPUT
    assert "政府采购" in procurement.cell.missing
    assert table.total is None and table.grade is None and not table.complete
    assert any("总分暂缺" in n for n in table.totals.notes())


def test_overrides_fill_qualitative_lines_and_not_applicable_rescales():
    figures = minimal_figures(staffing={"authorized_total": 8, "actual": 8})
    ledger = base_ledger(figures)
    add_completion_fact(figures, ledger)
    names = [ind.name for _, ind in PROFILE.indicators()]
    overrides = {name: "不适用" for name in names if name not in ("在职人员控制率", "社会效益", "服务对象满意度")}
    overrides.update({"social_benefit": "9", "服务对象满意度": D("9.5")})
    table = build_department_table(figures, ledger, PROFILE, overrides)
    applicable = SPECS["在职人员控制率"].weight + SPECS["社会效益"].weight + SPECS["服务对象满意度"].weight
    assert table.totals.applicable_weight == applicable
    assert table.total == (D(5) + D(9) + D("9.5")) * 100 / applicable
    assert table.line("社会效益").cell.source == "填报"


def test_override_different_from_computed_keeps_both():
    figures = minimal_figures(staffing={"authorized_total": 8, "actual": 8})
    table = score_figures(figures, overrides={"在职人员控制率": 4}).department
    cell = table.line("在职人员控制率").cell
    assert (cell.computed, cell.entered, cell.used) == (D(5), D(4), D(4))
    assert any("填报得分4分，计算得分5分" in w for w in table.warnings)


def test_unknown_override_key_and_bad_values_are_errors():
    figures = minimal_figures()
    table = score_figures(figures, overrides={"满意": 9, "社会效益": "很好", "服务对象满意度": 12}).department
    text = "\n".join(table.errors)
    assert "指标“满意”不在评分方案" in text
    assert "应为数字或“不适用”" in text
    assert "应在0–10分之间" in text


def test_completion_rate_from_performance_indicators():
    figures = minimal_figures(
        performance_indicators=[
            {"level1": "产出指标", "level2": "数量指标", "name": "甲", "comparator": "≥", "target": 5000, "actual": 5792},
            {"level1": "产出指标", "level2": "成本指标", "name": "乙", "comparator": "≤", "target": 100, "actual": 125},
            {"level1": "效益指标", "level2": "社会效益", "name": "丙", "comparator": "定性", "target_text": "好"},
        ]
    )
    ledger = base_ledger(figures)
    add_completion_fact(figures, ledger)
    # 甲 over-fulfilled counts 1, 乙 100/125; the qualitative 丙 has no rate.
    assert ledger["performance.completion_rate"].value == (1 + D(100) / D(125)) / 2 * 100
