"""The consistency checker (assistant/ledger/checks.py): every rule, the error kinds of DOMAIN.md §6, properties."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.ledger.checks import RULES, Finding, check, has_errors
from assistant.figures.model import Figures
from assistant.figures import load_figures
from assistant.scoring import build_scored_ledger
from assistant.ledger.numbers import round2
from assistant.ledger.settings import ReportSettings

D = Decimal
ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "evals" / "cases" / "hengshan-fulian-2023" / "figures.yaml"
META = {"unit_name": "测试单位", "year": 2023}


def figures(**parts) -> Figures:
    return Figures.model_validate({"meta": META, **parts})


def findings_of(rule_id: str, **parts) -> list[Finding]:
    return [f for f in check(figures(**parts)) if f.rule_id == rule_id]


def only(rule_id: str, **parts) -> Finding:
    found = findings_of(rule_id, **parts)
    assert len(found) == 1, found
    return found[0]


def assert_mentions(message: str, *pieces: str) -> None:
    for piece in pieces:
        assert piece in message, f"{piece!r} not in {message!r}"


# --- the seed case passes -----------------------------------------------------------------------


def test_seed_case_has_no_findings():
    assert check(load_figures(SEED)) == []


def test_every_rule_has_an_id_severity_and_title():
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    assert {rule.severity for rule in RULES} == {"error", "warning"}
    assert all(rule.title for rule in RULES)


# --- DOMAIN.md §6: errors seen in published documents ---------------------------------------------


def test_stated_shares_adding_to_more_than_100():
    finding = only("share_sum", final={"expenditure": {"basic_share_stated": "84.06", "project_share_stated": "19.62"}})
    assert finding.severity == "error"
    assert_mentions(finding.message, "84.06%", "19.62%", "103.68%", "基本支出占比", "项目支出占比", "决算")
    assert finding.fields == ("final.expenditure.basic_share_stated", "final.expenditure.project_share_stated")


def test_stated_share_that_disagrees_with_the_amounts():
    # 15.94 ÷ 100 = 15.94%, not the printed 19.62%.
    exp = {"total": 100, "basic": "84.06", "project": "15.94", "basic_share_stated": "84.06", "project_share_stated": "19.62"}
    finding = only("share_value", final={"expenditure": exp})
    assert_mentions(finding.message, "19.62%", "15.94%", "项目支出占比", "项目支出", "支出合计")
    assert "final.expenditure.project_share_stated" in finding.fields


def test_three_public_parts_do_not_add_up():
    actual = {"total": "24.86", "overseas": 11, "vehicle": "2.85", "reception": "10.93"}
    finding = only("sum", three_public={"actual": actual})
    assert_mentions(finding.message, "11", "2.85", "10.93", "24.78万元", "24.86万元", "因公出国（境）费", "公务用车购置及运行维护费", "公务接待费", "合计")
    assert finding.fields == ("three_public.actual.total", "three_public.actual.overseas", "three_public.actual.vehicle", "three_public.actual.reception")


def test_basic_expenditure_differs_from_personnel_plus_public():
    exp = {"basic": "911000.39", "personnel": "881000", "public": "300.39"}
    finding = only("sum", final={"expenditure": exp})
    assert_mentions(finding.message, "911000.39", "881300.39", "基本支出", "人员经费", "公用经费")
    assert finding.fields[0] == "final.expenditure.basic"


def test_stated_percentage_one_hundredth_off():
    exp = {"total": 100, "basic": "18.75", "project": "81.25", "basic_share_stated": "18.76"}
    finding = only("share_value", final={"expenditure": exp})
    assert_mentions(finding.message, "18.76%", "18.75%", "基本支出占比（填报值，%）", "基本支出", "支出合计")


def test_shares_printed_with_fewer_decimals_are_compared_at_that_precision():
    # 61.41 ÷ 155.29 = 39.5453…%: "39.55" (2 dp), "39.5" (1 dp) and "40" (0 dp) are right as printed.
    exp = {"total": "155.29", "basic": "61.41", "project": "93.88"}
    assert check(figures(final={"expenditure": {**exp, "basic_share_stated": "39.5", "project_share_stated": "60.5"}})) == []
    assert check(figures(final={"expenditure": {**exp, "basic_share_stated": "40", "project_share_stated": "60"}})) == []
    # Rounding the already rounded 39.55 again gives 39.6: wrong, shares round from the unrounded quotient.
    finding = only("share_value", final={"expenditure": {**exp, "basic_share_stated": "39.6"}})
    assert_mentions(finding.message, "填写39.6%", "计算应为39.5%")
    assert_mentions(only("share_value", final={"expenditure": {**exp, "basic_share_stated": "39.50"}}).message, "计算应为39.55%")


def test_share_sum_allows_the_rounding_step_of_the_printed_shares():
    # 12.25% and 87.75% printed with 1 dp are 12.3% and 87.8%: 100.1% by rounding alone.
    assert findings_of("share_sum", final={"expenditure": {"basic_share_stated": "12.3", "project_share_stated": "87.8"}}) == []
    assert findings_of("share_sum", final={"expenditure": {"basic_share_stated": "12.3", "project_share_stated": "87.9"}})
    assert findings_of("share_sum", final={"expenditure": {"basic_share_stated": "12.30", "project_share_stated": "87.80"}})


def test_project_fund_total_row_zero_while_fiscal_row_filled():
    funds = {"total": {"initial": 0, "full_year": 0, "executed": 0}, "fiscal": {"initial": 90, "full_year": "89.974", "executed": "89.974"}}
    found = findings_of("sum", projects=[{"name": "妇女儿童事业发展", "funds": funds}])
    assert len(found) == 3
    by_column = {f.fields[0]: f.message for f in found}
    initial = by_column["projects.0.funds.total.initial"]
    assert_mentions(initial, "90", "0万元", "年度资金总额", "当年财政拨款", "年初预算数")
    executed = by_column["projects.0.funds.total.executed"]
    assert_mentions(executed, "89.974", "0万元", "年度资金总额", "当年财政拨款", "全年执行数")
    assert_mentions(by_column["projects.0.funds.total.full_year"], "89.974", "全年预算数")


def test_broken_seed_copy_is_caught():
    seed = load_figures(SEED)
    broken = seed.model_copy(deep=True)
    broken.final.expenditure.basic = D("71.41")  # 71.41 + 93.88 ≠ 155.29
    found = [f for f in check(broken) if f.severity == "error"]
    assert len(found) == 1
    assert_mentions(found[0].message, "71.41", "93.88", "155.29", "基本支出", "项目支出", "支出合计")
    assert found[0].fields == ("final.expenditure.total", "final.expenditure.basic", "final.expenditure.project")


# --- each rule ----------------------------------------------------------------------------------


def test_sum_within_tolerance_passes_and_beyond_fails():
    within = {"total": "10.01", "overseas": 0, "vehicle": 4, "reception": 6}
    assert findings_of("sum", three_public={"budget": within}) == []
    beyond = {"total": "10.02", "overseas": 0, "vehicle": 4, "reception": 6}
    assert_mentions(only("sum", three_public={"budget": beyond}).message, "10万元", "10.02万元", "相差0.02万元")


def test_sum_tolerance_comes_from_settings():
    parts = {"three_public": {"budget": {"total": "10.05", "overseas": 0, "vehicle": 4, "reception": 6}}}
    assert has_errors(check(figures(**parts)))
    assert not has_errors(check(figures(**parts), ReportSettings(sum_tolerance=D("0.05"))))


def test_income_sources_add_to_total():
    income = {"total": 100, "general_public": 60, "government_fund": 20, "other": 10}
    finding = only("sum", budget={"income": income})
    assert_mentions(finding.message, "90万元", "100万元", "一般公共预算财政拨款", "政府性基金预算财政拨款", "其他收入", "收入合计", "年初预算")


def test_carryover_is_shown_beside_the_income_total_not_summed_into_it():
    income = {"total": 100, "general_public": 100, "carryover": 12}
    assert findings_of("sum", final={"income": income}) == []


def test_total_missing_while_parts_partly_entered_warns_which_parts_are_blank():
    assert findings_of("sum", final={"income": {"general_public": 60, "other": 5}}) == []
    finding = only("partial_parts", final={"income": {"general_public": 60, "other": 5}})
    assert finding.severity == "warning"
    assert_mentions(finding.message, "收入合计", "未填写", "一般公共预算财政拨款”60", "其他收入”5", "事业收入", "上级补助收入")
    assert "final.income.total" in finding.fields and "final.income.business" in finding.fields


def test_total_missing_with_every_part_entered_is_not_an_error():
    assert findings_of("sum", three_public={"actual": {"overseas": 0, "vehicle": 1, "reception": 2}}) == []


def test_expenditure_parts_checked_only_when_both_entered():
    assert findings_of("sum", final={"expenditure": {"total": 100, "basic": 40}}) == []
    finding = only("sum", adjusted_budget={"expenditure": {"total": 100, "basic": 40, "project": 50}})
    assert_mentions(finding.message, "40", "50", "90万元", "100万元", "全年预算（调整后）")


def test_vehicle_split_parts():
    bad = {"total": 5, "overseas": 0, "reception": 0, "vehicle": 5, "vehicle_purchase": 3, "vehicle_operation": 1}
    assert_mentions(only("sum", three_public={"actual": bad}).message, "公务用车购置费", "公务用车运行维护费", "4万元", "5万元")
    good = {"total": 4, "overseas": 0, "reception": 0, "vehicle": 4, "vehicle_purchase": 3, "vehicle_operation": 1}
    assert findings_of("sum", three_public={"actual": good}) == []


def test_vehicle_split_stands_for_the_vehicle_part_in_the_total():
    # Vehicle costs entered only as purchase + operation still count towards the 三公 total.
    actual = {"total": 10, "overseas": 0, "vehicle_purchase": 3, "vehicle_operation": 2, "reception": 5}
    assert findings_of("sum", three_public={"actual": actual}) == []
    actual["total"] = 11
    assert_mentions(only("sum", three_public={"actual": actual}).message, "公务用车购置费", "10万元", "11万元")


def test_last_year_three_public_and_procurement_sums():
    assert_mentions(only("sum", three_public={"last_year_budget": {"total": 3, "overseas": 1, "vehicle": 1, "reception": 2}}).message, "上年预算数", "4万元")
    assert_mentions(only("sum", procurement={"total": "11.59", "goods": "2.41", "works": 0, "services": "9.28"}).message, "货物", "服务", "11.69万元", "11.59万元")


def test_net_assets():
    finding = only("net_assets", assets={"total_assets": 10, "total_liabilities": 3, "net_assets": 6})
    assert_mentions(finding.message, "10", "3", "7万元", "6万元", "净资产", "资产总额", "负债总额")
    assert findings_of("net_assets", assets={"total_assets": 10, "total_liabilities": 3, "net_assets": 7}) == []


def test_negative_net_assets_are_allowed():
    assert check(figures(assets={"total_assets": 3, "total_liabilities": 5, "net_assets": -2})) == []


def test_fixed_assets_in_use_above_original():
    finding = only("fixed_assets", assets={"fixed_assets_original": "12.78", "fixed_assets_in_use": "13.5"})
    assert_mentions(finding.message, "13.5万元", "12.78万元", "在用固定资产", "固定资产账面原值")


def test_negative_amounts():
    finding = only("non_negative", final={"expenditure": {"public": "-3.2"}})
    assert_mentions(finding.message, "“决算/支出/公用经费”", "-3.2", "负数")
    assert finding.fields == ("final.expenditure.public",)
    project = only("non_negative", projects=[{"name": "项目甲", "funds": {"other": {"executed": -1}}}])
    assert_mentions(project.message, "其他资金", "全年执行数", "-1")


def test_year_out_of_range():
    assert_mentions(only("year", meta={"unit_name": "测试单位", "year": 1999}).message, "1999", "年度")
    next_year = dt.date.today().year + 1
    assert_mentions(only("year", meta={"unit_name": "测试单位", "year": next_year}).message, str(next_year))


def test_report_date_inside_the_evaluated_year():
    finding = only("year", meta={"unit_name": "测试单位", "year": 2023, "report_date": "2023-12-20"})
    assert_mentions(finding.message, "2023-12-20", "报告日期", "2023")
    assert findings_of("year", meta={"unit_name": "测试单位", "year": 2023, "report_date": "2024-06-10"}) == []


def test_quantitative_indicator_missing_values():
    indicator = {"level1": "产出指标", "level2": "数量指标", "name": "培训人数"}
    found = findings_of("indicator", performance_indicators=[indicator])
    assert [f.fields for f in found] == [("performance_indicators.0.target",), ("performance_indicators.0.actual",)]
    assert_mentions(found[0].message, "培训人数", "年度指标值")
    assert_mentions(found[1].message, "培训人数", "实际完成值")


def test_qualitative_indicator_missing_texts():
    indicator = {"level1": "效益指标", "level2": "社会效益", "name": "群众认可度", "comparator": "定性"}
    found = findings_of("indicator", projects=[{"name": "项目甲", "indicators": [indicator]}])
    assert [f.fields for f in found] == [("projects.0.indicators.0.target_text",), ("projects.0.indicators.0.actual_text",)]
    indicator.update(target_text="提高", band="达成")
    assert findings_of("indicator", projects=[{"name": "项目甲", "indicators": [indicator]}]) == []


def test_indicator_not_applicable_is_skipped():
    indicator = {"level1": "产出指标", "level2": "数量指标", "name": "培训人数", "applicable": False}
    assert findings_of("indicator", performance_indicators=[indicator]) == []


def test_staffing_parts():
    finding = only("sum", staffing={"authorized_total": 6, "authorized_admin": 4, "authorized_institution": 3})
    assert_mentions(finding.message, "行政编制”4", "事业编制”3", "7人", "编制人数”填写的6人", "未填写的分项：“人员编制/工勤编制”")
    finding = only("staffing", staffing={"actual": 3, "fiscal_supported": 4})
    assert_mentions(finding.message, "财政补助开支人数4人", "在职人员3人")


def test_warnings_do_not_count_as_errors():
    found = check(
        figures(
            staffing={"authorized_total": 6, "actual": 7},
            three_public={"budget": {"total": "0.5"}, "actual": {"total": "0.6"}},
            projects=[{"name": "项目甲", "funds": {"total": {"full_year": 10, "executed": "10.5"}}}],
        )
    )
    assert {f.rule_id for f in found} == {"overstaffed", "three_public_over", "project_overspent"}
    assert all(f.severity == "warning" for f in found) and not has_errors(found)
    messages = {f.rule_id: f.message for f in found}
    assert_mentions(messages["overstaffed"], "7人", "6人", "超编")
    assert_mentions(messages["three_public_over"], "0.6万元", "0.5万元")
    assert_mentions(messages["project_overspent"], "项目甲", "10.5万元", "10万元")


def test_finding_to_dict():
    finding = only("net_assets", assets={"total_assets": 10, "total_liabilities": 3, "net_assets": 6})
    data = finding.to_dict()
    assert data["rule"] == "net_assets" and data["severity"] == "error"
    assert data["fields"] == ["assets.net_assets", "assets.total_assets", "assets.total_liabilities"]


# --- properties -----------------------------------------------------------------------------------

amounts = st.decimals(min_value=D("0"), max_value=D("99999999.99"), places=2, allow_nan=False, allow_infinity=False)
perturbations = st.decimals(min_value=D("0.02"), max_value=D("1000"), places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(amounts, min_size=3, max_size=3), perturbations, st.booleans())
def test_parts_sum_to_total_property(parts, delta, upwards):
    overseas, vehicle, reception = parts
    total = overseas + vehicle + reception
    block = {"overseas": overseas, "vehicle": vehicle, "reception": reception}
    assert findings_of("sum", three_public={"actual": {**block, "total": total}}) == []
    wrong = total + delta if upwards or delta > total else total - delta
    found = findings_of("sum", three_public={"actual": {**block, "total": wrong}})
    assert len(found) == 1 and found[0].fields[0] == "three_public.actual.total"


@settings(max_examples=60, deadline=None)
@given(amounts, amounts)
def test_computed_shares_add_to_100_within_a_hundredth(basic, project):
    total = basic + project
    if total == 0:
        return
    exp = {"total": total, "basic": basic, "project": project}
    ledger = build_scored_ledger(figures(final={"expenditure": exp}))
    basic_share = round2(ledger["final.expenditure.basic_share"].value)
    project_share = round2(ledger["final.expenditure.project_share"].value)
    assert abs(basic_share + project_share - 100) <= D("0.01")
    # Stating the shares as the ledger rounds them never trips the share rules.
    stated = {**exp, "basic_share_stated": basic_share, "project_share_stated": project_share}
    assert check(figures(final={"expenditure": stated})) == []
