"""项目支出绩效自评表: execution score, indicator scoring, bands, N/A rescaling, grades, overrides."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.figures.model import Comparator, Indicator, QualitativeBand
from assistant.scoring import NEEDS_INPUT, base_ledger, build_project_table, default_project_profile, score_indicator
from assistant.scoring.model import GradeScale
from assistant.scoring.rules import achievement
from assistant.ledger.settings import ReportSettings

from tests.scoring.helpers import D, full_set, indicator, project_figures

PROFILE = default_project_profile()


def table_for(figures, settings=None):
    settings = settings or ReportSettings()
    return build_project_table(figures, 1, base_ledger(figures, settings), PROFILE, settings)


def ind(**fields) -> Indicator:
    return Indicator.model_validate({"level1": "产出指标", "level2": "数量指标", "name": "指标", **fields})


def test_execution_rate_76_percent_scores_7_6():
    figures = project_figures({"initial": 100, "full_year": 100, "executed": 76}, full_set())
    table = table_for(figures)
    assert table.execution_rate == D(76)
    assert table.execution.used == D("7.6")  # hand-worked: 76% × 10


def test_execution_rate_is_capped_at_100_percent():
    figures = project_figures({"full_year": 50, "executed": 60}, full_set())
    assert table_for(figures).execution.used == D(10)


def test_execution_denominator_follows_settings():
    # 年初预算数 80, 全年预算数 100, 执行 76: 76% on the full year, 95% on the initial budget.
    figures = project_figures({"initial": 80, "full_year": 100, "executed": 76}, full_set())
    assert table_for(figures).execution.used == D(76) / 100 * 10
    initial = table_for(figures, ReportSettings(execution_denominator="initial"))
    assert initial.execution.used == D(76) / D(80) * 10


def test_met_indicator_gets_full_marks():
    cell = score_indicator(ind(comparator="≥", target=100, actual=120, weight=20), D(20), PROFILE)
    assert cell.used == D(20)


def test_higher_is_better_short_of_target_is_proportional():
    cell = score_indicator(ind(comparator="≥", target=95, actual=90, weight=10), D(10), PROFILE)
    assert cell.used == D(90) / D(95) * 10


def test_cost_indicator_over_target():
    # ≤ 450 元, actual 500 元: 450/500 × 10 = 9.
    cell = score_indicator(ind(comparator="≤", target=450, actual=500, weight=10), D(10), PROFILE)
    assert cell.used == D(9)


def test_cost_indicator_with_zero_actual_is_full():
    cell = score_indicator(ind(comparator="≤", target=450, actual=0, weight=10), D(10), PROFILE)
    assert cell.used == D(10)


def test_equal_indicator_full_when_equal_and_proportional_deviation_otherwise():
    assert achievement(Comparator.eq, D(12), D(12)) == 1
    # 12 targeted, 9 reached: deviation 3/12 = 25% is deducted.
    assert achievement(Comparator.eq, D(12), D(9)) == 1 - D(3) / D(12)
    assert achievement(Comparator.eq, D(12), D(15)) == 1 - D(3) / D(12)
    assert achievement(Comparator.eq, D(10), D(30)) == 0
    assert achievement(Comparator.eq, D(0), D(1)) == 0


def test_missing_actual_is_needs_input_not_zero():
    cell = score_indicator(ind(comparator="≥", target=100, weight=10), D(10), PROFILE)
    assert cell.used is None
    assert cell.source == NEEDS_INPUT
    assert "实际完成值" in cell.missing


def test_qualitative_achieved_without_entry_gets_band_top():
    cell = score_indicator(ind(comparator="定性", band="达成", weight=15), D(15), PROFILE)
    assert cell.used == D(15)


def test_qualitative_partial_needs_an_entered_score_within_band():
    cell = score_indicator(ind(comparator="定性", band="部分达成", weight=15), D(15), PROFILE)
    assert cell.used is None
    low, high = D(15) * D("0.6"), D(15) * D("0.8")
    assert f"{low.normalize()}–{high.normalize()}分" in cell.missing
    entered = score_indicator(ind(comparator="定性", band="部分达成", weight=15, score_override=11), D(15), PROFILE)
    assert entered.used == D(11) and entered.error is None


def test_qualitative_entered_score_outside_band_is_a_chinese_error():
    cell = score_indicator(ind(comparator="定性", band="未达成", weight=10, score_override=9), D(10), PROFILE)
    assert cell.used is None
    assert cell.error is not None
    assert "未达成" in cell.error and "0–6分" in cell.error and "9分" in cell.error


def test_override_is_shown_with_the_computed_score():
    figures = project_figures(
        {"full_year": 10, "executed": 10},
        [indicator("产出", target=10, actual=10, weight=50, score_override=45), *full_set()[1:]],
        execution_score_override=9,
    )
    table = table_for(figures)
    line = table.indicators[0]
    assert (line.cell.computed, line.cell.entered, line.cell.used, line.cell.source) == (D(50), D(45), D(45), "填报")
    assert table.execution.computed == D(10) and table.execution.used == D(9)
    assert table.total == D(9) + D(45) + D(30) + D(10)
    assert any("填报得分45分，计算得分50分" in w for w in table.warnings)


def test_entered_score_above_weight_is_rejected():
    figures = project_figures({"full_year": 10, "executed": 10}, full_set(), execution_score_override=12)
    table = table_for(figures)
    assert table.total is None
    assert table.errors and "应在0–10分之间" in table.errors[0]


def test_not_applicable_indicator_is_dropped_and_total_rescaled():
    indicators = [
        indicator("数量", target=10, actual=8, weight=40),
        indicator("成本", target=5, actual=4, weight=10, comparator="≤", applicable=False),
        indicator("效益", "效益指标", target=10, actual=10, weight=30),
        indicator("满意度", "满意度指标", target=90, actual=90, weight=10),
    ]
    table = table_for(project_figures({"full_year": 10, "executed": 9}, indicators))
    raw = D(9) / 10 * 10 + D(8) / 10 * 40 + 30 + 10
    assert table.totals.applicable_weight == 90
    assert table.total == raw * 100 / 90
    assert table.indicators[1].cell.source == "不适用"


def test_indicators_without_weights_share_the_tier_weight():
    indicators = [indicator("甲", target=1, actual=1), indicator("乙", target=1, actual=1), *full_set()[1:]]
    table = table_for(project_figures({"full_year": 1, "executed": 1}, indicators))
    assert [line.cell.weight for line in table.indicators[:2]] == [D(25), D(25)]
    assert table.total == D(100)
    assert any("平均分配" in w for w in table.warnings)


def test_tier_weight_mismatch_is_a_warning():
    table = table_for(project_figures({"full_year": 1, "executed": 1}, full_set((45, 30, 10))))
    assert any("产出指标各三级指标分值合计45分，与评分方案的50分不一致" in w for w in table.warnings)
    assert not table.errors


def test_default_weights_give_100_for_everything_met():
    table = table_for(project_figures({"full_year": 1, "executed": 1}, full_set()))
    assert (table.total, table.grade) == (D(100), "优")
    assert not table.warnings


@pytest.mark.parametrize(
    "total, grade",
    [("100", "优"), ("90.00", "优"), ("89.99", "良"), ("89.995", "优"), ("80", "良"), ("79.99", "中"), ("60", "中"), ("59.99", "差"), ("0", "差")],
)
def test_grade_boundaries(total, grade):
    assert PROFILE.grade_scale.grade(Decimal(total)) == grade


def test_grade_scale_from_profile_data():
    assert PROFILE.grade_scale == GradeScale((("优", D(90)), ("良", D(80)), ("中", D(60)), ("差", D(0))))


def test_project_without_indicators_or_funds_is_incomplete():
    table = table_for(project_figures())
    assert table.total is None and table.grade is None
    assert table.total_text() == NEEDS_INPUT
    assert "全年执行数" in table.execution.missing


def test_qualitative_band_enum_values_are_the_profile_keys():
    assert set(PROFILE.qualitative_bands) == set(QualitativeBand)
