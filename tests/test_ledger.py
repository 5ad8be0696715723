"""The calculator (assistant/ledger/calculator.py) on small worked examples, and the Fact/Ledger containers.

Every expected value is worked out here from the inputs with Decimal arithmetic, the way a finance
officer would on paper; the published figures of the seed case are checked as printed in the report.
"""

from decimal import Decimal
from pathlib import Path

import pytest

from assistant.ledger.facts import Fact, Ledger
from assistant.figures.model import Figures
from assistant.figures import load_figures
from assistant.scoring import build_scored_ledger
from assistant.ledger.numbers import round2
from assistant.ledger.settings import ReportSettings

D = Decimal
ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "evals" / "cases" / "hengshan-fulian-2023" / "figures.yaml"
META = {"unit_name": "测试单位", "year": 2023}


def calculator_missing(ledger):
    """Missing facts of the calculator itself; the scoring stage records its own (需补充 totals)."""
    return {k: m for k, m in ledger.missing.items() if ".score." not in k and k != "performance.completion_rate"}


def ledger_for(settings: ReportSettings | None = None, **parts) -> Ledger:
    return build_scored_ledger(Figures.model_validate({"meta": META, **parts}), settings)


def pct(numerator: str, denominator: str) -> Decimal:
    return D(numerator) / D(denominator) * 100


def assert_fact(ledger: Ledger, key: str, value: Decimal, text: str) -> Fact:
    fact = ledger[key]
    assert fact.value == value
    assert fact.text == text
    assert fact.kind == "derived"
    return fact


# --- shares, 增减 and 增减率 ----------------------------------------------------------------------


def test_expenditure_shares():
    ledger = ledger_for(final={"expenditure": {"total": 200, "basic": 50, "project": 150, "personnel": 40, "public": 10}})
    assert_fact(ledger, "final.expenditure.basic_share", pct("50", "200"), "25.00%")
    assert_fact(ledger, "final.expenditure.project_share", pct("150", "200"), "75.00%")
    assert_fact(ledger, "final.expenditure.personnel_share", pct("40", "200"), "20.00%")
    assert_fact(ledger, "final.expenditure.public_share", pct("10", "200"), "5.00%")
    share = ledger["final.expenditure.basic_share"]
    assert share.unit == "%" and not share.signed_change
    assert share.inputs == ("final.expenditure.basic", "final.expenditure.total")
    assert share.formula == "决算基本支出 ÷ 决算支出 × 100%"


def test_shares_with_a_repeating_quotient_round_half_up():
    # 1 / 3 = 33.333…%, 2 / 3 = 66.666…%: stored unrounded, shown at 2 dp.
    ledger = ledger_for(budget={"expenditure": {"total": 3, "basic": 1, "project": 2}})
    basic = ledger["budget.expenditure.basic_share"]
    assert basic.value == D(1) / D(3) * 100 and basic.value != D("33.33")
    assert basic.text == "33.33%"
    assert ledger["budget.expenditure.project_share"].text == "66.67%"


def test_change_vs_budget_increase():
    ledger = ledger_for(budget={"income": {"total": 100}, "expenditure": {"total": 80}}, final={"income": {"total": "120.5"}, "expenditure": {"total": 100}})
    change = assert_fact(ledger, "final.income.change_vs_budget", D("120.5") - D("100"), "20.5万元")
    assert change.signed_change and change.unit == "万元"
    rate = assert_fact(ledger, "final.income.change_rate_vs_budget", (D("120.5") - 100) / 100 * 100, "20.50%")
    assert rate.signed_change
    assert_fact(ledger, "final.expenditure.change_vs_budget", D(100) - D(80), "20万元")
    assert_fact(ledger, "final.expenditure.change_rate_vs_budget", pct("20", "80"), "25.00%")


def test_change_vs_budget_decrease_text_is_the_magnitude():
    ledger = ledger_for(budget={"income": {"total": 100}}, final={"income": {"total": 92}})
    change = assert_fact(ledger, "final.income.change_vs_budget", D(92) - D(100), "8万元")
    assert change.value < 0  # the sign lives in the value; the sentence says 减少
    assert_fact(ledger, "final.income.change_rate_vs_budget", pct("-8", "100"), "8.00%")


def test_year_on_year_change():
    ledger = ledger_for(final={"income": {"total": 110}, "expenditure": {"total": 90}}, last_year={"income_total": 100, "expenditure_total": 120})
    assert_fact(ledger, "final.income.yoy_change", D(110) - D(100), "10万元")
    assert_fact(ledger, "final.income.yoy_rate", pct("10", "100"), "10.00%")
    assert_fact(ledger, "final.expenditure.yoy_change", D(90) - D(120), "30万元")
    assert_fact(ledger, "final.expenditure.yoy_rate", pct("-30", "120"), "25.00%")


# --- 执行率 with both denominators ---------------------------------------------------------------

FUNDS = {
    "budget": {"expenditure": {"total": 160}},
    "adjusted_budget": {"expenditure": {"total": 200}},
    "final": {"expenditure": {"total": 180}},
}


def test_execution_rate_over_full_year_budget_by_default():
    ledger = ledger_for(**FUNDS)
    rate = assert_fact(ledger, "final.execution_rate", pct("180", "200"), "90.00%")
    assert rate.inputs == ("final.expenditure.total", "adjusted_budget.expenditure.total")


def test_execution_rate_over_initial_budget():
    ledger = ledger_for(ReportSettings(execution_denominator="initial"), **FUNDS)
    rate = assert_fact(ledger, "final.execution_rate", pct("180", "160"), "112.50%")
    assert rate.inputs == ("final.expenditure.total", "budget.expenditure.total")


def test_project_execution_rate_both_denominators():
    project = {"name": "项目甲", "funds": {"total": {"initial": 80, "full_year": 90, "executed": "89.974"}}}
    full = ledger_for(projects=[project])
    assert_fact(full, "project.1.execution_rate", pct("89.974", "90"), "99.97%")  # 99.9711…
    assert full["project.1.execution_rate"].label == "项目甲预算执行率"
    initial = ledger_for(ReportSettings(execution_denominator="initial"), projects=[project])
    assert_fact(initial, "project.1.execution_rate", pct("89.974", "80"), "112.47%")  # 112.4675


def test_project_fund_inputs_become_facts():
    project = {"name": "项目甲", "funds": {"fiscal": {"initial": 0, "executed": "12.5"}}}
    ledger = ledger_for(projects=[project])
    assert ledger["project.1.funds.fiscal.initial"].text == "0万元"
    assert ledger["project.1.funds.fiscal.executed"].label == "项目甲当年财政拨款全年执行数"
    assert "project.1.funds.fiscal.full_year" not in ledger
    assert "project.1.execution_rate" not in ledger and "project.1.execution_rate" not in ledger.missing


# --- control rates -------------------------------------------------------------------------------


def test_staff_control_rate():
    ledger = ledger_for(staffing={"authorized_total": 6, "actual": 5})
    assert_fact(ledger, "staffing.control_rate", pct("5", "6"), "83.33%")
    assert ledger["staffing.actual"].text == "5人"


def test_three_public_control_rate_and_change_vs_budget():
    ledger = ledger_for(three_public={"budget": {"total": "0.5"}, "actual": {"total": "0.09"}})
    assert_fact(ledger, "three_public.control_rate", pct("0.09", "0.5"), "18.00%")
    assert_fact(ledger, "three_public.change_vs_budget", D("0.09") - D("0.5"), "0.41万元")


THREE_PUBLIC_YEARS = {
    "budget": {"total": 12},
    "actual": {"total": 8},
    "last_year_budget": {"total": 10},
    "last_year_actual": {"total": 10},
}


def test_three_public_change_rate_on_final_accounts_by_default():
    ledger = ledger_for(three_public=THREE_PUBLIC_YEARS)
    assert_fact(ledger, "three_public.yoy_rate", pct("-2", "10"), "20.00%")  # (8 − 10) / 10
    assert_fact(ledger, "three_public.yoy_change", D(8) - D(10), "2万元")
    assert ledger["three_public.yoy_rate"].inputs == ("three_public.actual.total", "three_public.last_year_actual.total")


def test_three_public_change_rate_on_budgets():
    ledger = ledger_for(ReportSettings(three_public_basis="budget"), three_public=THREE_PUBLIC_YEARS)
    assert_fact(ledger, "three_public.yoy_rate", pct("2", "10"), "20.00%")  # (12 − 10) / 10
    assert_fact(ledger, "three_public.yoy_change", D(12) - D(10), "2万元")
    assert ledger["three_public.yoy_rate"].inputs == ("three_public.budget.total", "three_public.last_year_budget.total")


def test_budget_adjustment_rate():
    ledger = ledger_for(budget={"expenditure": {"total": 40}}, adjusted_budget={"expenditure": {"total": 50}})
    assert_fact(ledger, "adjusted.expenditure.adjustment", D(50) - D(40), "10万元")
    assert_fact(ledger, "adjusted.expenditure.adjustment_rate", pct("10", "40"), "25.00%")


def test_budget_control_rate_from_added_budget():
    ledger = ledger_for(budget={"expenditure": {"total": 40}}, final={"added_budget": 6})
    added = ledger["final.added_budget"]
    assert (added.value, added.text, added.kind) == (D(6), "6万元", "input")
    assert_fact(ledger, "final.budget_control_rate", pct("6", "40"), "15.00%")


def test_public_funds_control_rate():
    ledger = ledger_for(budget={"expenditure": {"public": 5}}, final={"expenditure": {"public": "4.5"}})
    assert_fact(ledger, "final.public_control_rate", pct("4.5", "5"), "90.00%")


# --- carry-over, procurement, assets -------------------------------------------------------------

CARRYOVER = {
    "budget": {"expenditure": {"total": 160}},
    "adjusted_budget": {"expenditure": {"total": 200}},
    "carryover": {"this_year": 6, "last_year": 4},
}


def test_carryover_rate_and_change_rate():
    ledger = ledger_for(**CARRYOVER)
    assert_fact(ledger, "carryover.rate", pct("6", "200"), "3.00%")
    assert_fact(ledger, "carryover.change_rate", pct("2", "4"), "50.00%")  # (6 − 4) / 4
    initial = ledger_for(ReportSettings(execution_denominator="initial"), **CARRYOVER)
    assert_fact(initial, "carryover.rate", pct("6", "160"), "3.75%")


def test_procurement_execution_rate_and_sme_share():
    ledger = ledger_for(procurement={"total": "11.59", "goods": "2.41", "works": 0, "services": "9.18", "budget": 12, "smes": "5.795"})
    assert_fact(ledger, "procurement.execution_rate", pct("11.59", "12"), "96.58%")  # 96.5833…
    assert_fact(ledger, "procurement.smes_share", pct("5.795", "11.59"), "50.00%")
    assert ledger["procurement.works"].text == "0万元"


def test_fixed_asset_utilization_and_net_assets():
    ledger = ledger_for(assets={"total_assets": 20, "total_liabilities": "4.84", "fixed_assets_original": "12.5", "fixed_assets_in_use": 10})
    assert_fact(ledger, "assets.fixed_assets_utilization", pct("10", "12.5"), "80.00%")
    net = assert_fact(ledger, "assets.net_assets", D(20) - D("4.84"), "15.16万元")
    assert net.formula == "资产总额 − 负债总额"


def test_negative_net_assets_keep_their_sign():
    ledger = ledger_for(assets={"total_assets": 3, "total_liabilities": 5})
    net = ledger["assets.net_assets"]
    assert net.value == D(-2) and not net.signed_change
    assert net.text == "-2万元"  # a balance, not a change: no 增加/减少 wording to carry the sign


def test_entered_net_assets_used_when_parts_missing():
    ledger = ledger_for(assets={"net_assets": "5.16"})
    net = ledger["assets.net_assets"]
    assert net.kind == "input" and net.text == "5.16万元"


# --- indicators and key spending -----------------------------------------------------------------


def test_indicator_completion_rate():
    indicator = {"level1": "产出指标", "level2": "数量指标", "name": "培训人数", "target": 200, "actual": 230, "unit": "人"}
    ledger = ledger_for(performance_indicators=[indicator])
    assert_fact(ledger, "indicator.1.completion_rate", pct("230", "200"), "115.00%")
    assert ledger["indicator.1.target"].text == "200人"


def test_qualitative_indicator_has_no_rate():
    indicator = {"level1": "效益指标", "level2": "社会效益", "name": "群众认可度", "comparator": "定性", "target_text": "提高", "actual_text": "明显提高"}
    ledger = ledger_for(performance_indicators=[indicator])
    assert not ledger.with_prefix("indicator.1.")
    assert "indicator.1.completion_rate" not in ledger.missing


def test_project_indicator_completion_rate():
    indicator = {"level1": "产出指标", "level2": "数量指标", "name": "课程场次", "target": 40, "actual": 30, "unit": "场"}
    ledger = ledger_for(projects=[{"name": "家庭教育", "indicators": [indicator]}])
    assert_fact(ledger, "project.1.indicator.1.completion_rate", pct("30", "40"), "75.00%")


def test_key_spending_rate():
    projects = [
        {"name": "重点甲", "key_project": True, "funds": {"total": {"executed": 30}}},
        {"name": "一般乙", "funds": {"total": {"executed": 10}}},
        {"name": "重点丙", "key_project": True, "funds": {"total": {"executed": 20}}},
    ]
    ledger = ledger_for(final={"expenditure": {"project": 60}}, projects=projects)
    assert_fact(ledger, "projects.key_spending", D(30) + D(20), "50万元")
    assert_fact(ledger, "projects.key_spending_rate", pct("50", "60"), "83.33%")


def test_key_spending_needs_every_key_project_executed():
    projects = [
        {"name": "重点甲", "key_project": True, "funds": {"total": {"executed": 30}}},
        {"name": "重点丙", "key_project": True},
    ]
    ledger = ledger_for(final={"expenditure": {"project": 60}}, projects=projects)
    assert "projects.key_spending" not in ledger and "projects.key_spending_rate" not in ledger


# --- zero denominators, absent inputs, entered zeros ----------------------------------------------

ZERO_DENOMINATORS = [
    ("staffing.control_rate", {"staffing": {"authorized_total": 0, "actual": 2}}, ReportSettings()),
    ("final.expenditure.basic_share", {"final": {"expenditure": {"total": 0, "basic": 0}}}, ReportSettings()),
    ("final.income.change_rate_vs_budget", {"budget": {"income": {"total": 0}}, "final": {"income": {"total": 5}}}, ReportSettings()),
    ("final.execution_rate", {"adjusted_budget": {"expenditure": {"total": 0}}, "final": {"expenditure": {"total": 5}}}, ReportSettings()),
    ("final.execution_rate", {"budget": {"expenditure": {"total": 0}}, "final": {"expenditure": {"total": 5}}}, ReportSettings(execution_denominator="initial")),
    ("final.expenditure.yoy_rate", {"final": {"expenditure": {"total": 5}}, "last_year": {"expenditure_total": 0}}, ReportSettings()),
    ("three_public.control_rate", {"three_public": {"budget": {"total": 0}, "actual": {"total": 0}}}, ReportSettings()),
    ("three_public.yoy_rate", {"three_public": {"actual": {"total": 1}, "last_year_actual": {"total": 0}}}, ReportSettings()),
    ("three_public.yoy_rate", {"three_public": {"budget": {"total": 1}, "last_year_budget": {"total": 0}}}, ReportSettings(three_public_basis="budget")),
    ("adjusted.expenditure.adjustment_rate", {"budget": {"expenditure": {"total": 0}}, "adjusted_budget": {"expenditure": {"total": 3}}}, ReportSettings()),
    ("final.public_control_rate", {"budget": {"expenditure": {"public": 0}}, "final": {"expenditure": {"public": 1}}}, ReportSettings()),
    ("final.budget_control_rate", {"budget": {"expenditure": {"total": 0}}, "final": {"added_budget": 2}}, ReportSettings()),
    ("carryover.rate", {"adjusted_budget": {"expenditure": {"total": 0}}, "carryover": {"this_year": 1}}, ReportSettings()),
    ("carryover.change_rate", {"carryover": {"this_year": 1, "last_year": 0}}, ReportSettings()),
    ("procurement.execution_rate", {"procurement": {"total": 1, "budget": 0}}, ReportSettings()),
    ("assets.fixed_assets_utilization", {"assets": {"fixed_assets_original": 0, "fixed_assets_in_use": 0}}, ReportSettings()),
    ("indicator.1.completion_rate", {"performance_indicators": [{"level1": "产出指标", "level2": "数量指标", "name": "场次", "target": 0, "actual": 3}]}, ReportSettings()),
    ("project.1.execution_rate", {"projects": [{"name": "项目甲", "funds": {"total": {"full_year": 0, "executed": 0}}}]}, ReportSettings()),
    (
        "projects.key_spending_rate",
        {"final": {"expenditure": {"project": 0}}, "projects": [{"name": "重点甲", "key_project": True, "funds": {"total": {"executed": 0}}}]},
        ReportSettings(),
    ),
]


@pytest.mark.parametrize(("key", "parts", "settings"), ZERO_DENOMINATORS, ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(ZERO_DENOMINATORS)])
def test_zero_denominator_gives_no_fact_and_a_reason(key, parts, settings):
    ledger = ledger_for(settings, **parts)
    assert key not in ledger
    missing = ledger.missing[key]
    assert "为0" in missing.reason and missing.label in missing.reason
    for fact in ledger:
        assert fact.value.is_finite()
        assert "inf" not in fact.text.lower() and "nan" not in fact.text.lower()


def test_zero_denominator_reason_names_the_denominator():
    ledger = ledger_for(three_public={"actual": {"total": 1}, "last_year_actual": {"total": 0}})
    assert ledger.missing["three_public.yoy_rate"].reason == "“三公”经费上年决算数为0，无法计算“三公”经费变动率"
    assert ledger["three_public.yoy_change"].value == D(1)  # the difference itself still exists


def test_absent_inputs_give_no_fact_and_no_missing_entry():
    ledger = ledger_for(final={"expenditure": {"total": 100, "basic": 40}}, three_public={"actual": {"total": 1}})
    assert "final.expenditure.project" not in ledger
    assert "final.expenditure.project_share" not in ledger
    assert "final.execution_rate" not in ledger
    assert "three_public.control_rate" not in ledger and "three_public.yoy_rate" not in ledger
    assert not ledger.with_prefix("procurement.") and not ledger.with_prefix("assets.")
    assert not calculator_missing(ledger)


def test_entered_zero_is_a_zero_fact():
    ledger = ledger_for(three_public={"budget": {"total": "0.5", "overseas": 0, "vehicle": 0, "reception": "0.5"}})
    overseas = ledger["three_public.budget.overseas"]
    assert overseas.value == 0 and overseas.text == "0万元" and overseas.kind == "input"
    assert ledger["three_public.budget.vehicle"].text == "0万元"
    assert "three_public.budget.vehicle_purchase" not in ledger


def test_input_facts_keep_the_entered_decimal():
    ledger = ledger_for(budget={"income": {"total": "39.78"}})
    fact = ledger["budget.income.total"]
    assert fact.value == D("39.78") and str(fact.value) == "39.78"
    assert fact.inputs == ("budget.income.total",) and fact.formula == "录入值"


# --- the seed case -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_ledger() -> Ledger:
    return build_scored_ledger(load_figures(SEED))


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("final.income.change_vs_budget", "115.54万元"),  # 155.32 − 39.78
        ("final.expenditure.basic_share", "39.55%"),  # 61.41 / 155.29
        ("final.expenditure.project_share", "60.45%"),  # 93.88 / 155.29
        ("procurement.total", "11.59万元"),  # 2.41 + 0 + 9.18, as printed
        ("assets.net_assets", "5.16万元"),  # 5.16 − 0
        ("assets.fixed_assets_utilization", "100.00%"),  # 12.78 / 12.78
        ("indicator.1.completion_rate", "115.84%"),  # 5792 / 5000
        ("three_public.budget.total", "0.5万元"),
        ("three_public.actual.total", "0.09万元"),
        ("budget.expenditure.project", "3万元"),
        ("staffing.control_rate", "100.00%"),  # 6 / 6
    ],
)
def test_seed_case_published_figures(seed_ledger, key, text):
    assert seed_ledger[key].text == text


def test_seed_case_values_are_unrounded(seed_ledger):
    assert seed_ledger["final.income.change_vs_budget"].value == D("155.32") - D("39.78")
    assert seed_ledger["final.expenditure.basic_share"].value == D("61.41") / D("155.29") * 100
    assert seed_ledger["indicator.1.completion_rate"].value == D("5792") / D("5000") * 100
    procurement_parts = sum(seed_ledger[f"procurement.{p}"].value for p in ("goods", "works", "services"))
    assert procurement_parts == seed_ledger["procurement.total"].value
    # Only items with nothing budgeted and nothing spent (出国费, 公车费 0 / 0) have no rate, as 不适用.
    missing = calculator_missing(seed_ledger)
    assert set(missing) == {"three_public.overseas.control_rate", "three_public.vehicle.control_rate"}
    assert all(m.not_applicable and "不适用" in m.reason for m in missing.values())


def test_seed_shares_add_to_100_after_rounding(seed_ledger):
    basic = round2(seed_ledger["final.expenditure.basic_share"].value)
    project = round2(seed_ledger["final.expenditure.project_share"].value)
    assert basic + project == D("100.00")


# --- Fact and Ledger ----------------------------------------------------------------------------


def test_fact_text_names_and_dict():
    fact = Fact("x.change", D("-3.456"), "万元", "收入增减", ("较上年",), "本年 − 上年", ("a", "b"), "derived", True, "决算")
    assert fact.text == "3.46万元"
    assert fact.names == ("收入增减", "较上年")
    data = fact.to_dict()
    assert data["value"] == "-3.456" and data["text"] == "3.46万元"
    assert data["aliases"] == ["较上年"] and data["inputs"] == ["a", "b"] and data["signed_change"] is True


def test_ledger_container():
    ledger = Ledger()
    first = ledger.add(Fact("a.one", D(1), "万元", "一"))
    ledger.extend([Fact("a.two", D(2), "万元", "二"), Fact("b.one", D(3), "%", "三")])
    assert ledger["a.one"] is first and ledger.get("zzz") is None
    assert len(ledger) == 3 and "b.one" in ledger
    assert [f.key for f in ledger] == ["a.one", "a.two", "b.one"]
    assert [f.key for f in ledger.with_prefix("a.")] == ["a.one", "a.two"]
    assert [d["text"] for d in ledger.to_list()] == ["1万元", "2万元", "3.00%"]
    with pytest.raises(KeyError):
        ledger.add(Fact("a.one", D(9), "万元", "重复"))
    ledger.add_missing("c.rate", "比率", "分母为0")
    assert ledger.missing["c.rate"].reason == "分母为0" and "c.rate" not in ledger


def test_scoring_builder_runs_after_the_calculator():
    def add_score(figures, ledger, settings):
        share = ledger["final.expenditure.basic_share"]
        ledger.add(Fact("score.basic", share.value / 10, "分", "得分", formula="占比 ÷ 10", kind="derived"))

    figures = Figures.model_validate({"meta": META, "final": {"expenditure": {"total": 100, "basic": 40}}})
    ledger = build_scored_ledger(figures, scoring=add_score)
    assert ledger["score.basic"].text == "4分"
