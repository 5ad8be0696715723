"""Issue 14: derived totals, item comparisons, ≤ indicators, 不适用 vs 需补充, the wider schema, and
`draft` refusing figures that fail the checks. Expectations are computed from the inputs."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.cli import main
from assistant.figures import load_figures
from assistant.figures.excel_io import excel_bytes, load_excel
from assistant.figures.form_data import raw_from_figures, validate_raw
from assistant.figures.model import Comparator, Figures
from assistant.figures.yaml_io import dump_yaml, figures_from_yaml_text
from assistant.ledger.calculator import build_ledger
from assistant.ledger.checks import check, errors_of, failed_checks_notice
from assistant.ledger.sums import DERIVED_FORMULA, derive_totals
from assistant.scoring import NEEDS_INPUT, NOT_APPLICABLE, build_scored_ledger, score_figures
from assistant.scoring.profiles import default_department_profile
from assistant.scoring.rules import achievement

D = Decimal
ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "evals" / "cases"
NEW_CASE = CASES / "xiangyuan-baishi-2023" / "figures.yaml"
META = {"unit_name": "测试单位", "year": 2023}


def figures(**parts) -> Figures:
    return Figures.model_validate({"meta": META, **parts})


def rule_findings(fig: Figures, rule_id: str):
    return [f for f in check(fig) if f.rule_id == rule_id]


# --- 1. derived totals ------------------------------------------------------------------------------


def test_blank_three_public_total_is_derived_and_marked():
    actual = {"overseas": D("0"), "vehicle": D("1.25"), "reception": D("0.4")}
    fig = figures(three_public={"budget": {"total": 2}, "actual": actual})
    ledger = build_ledger(fig)
    fact = ledger["three_public.actual.total"]
    assert fact.value == sum(actual.values())
    assert fact.kind == "derived" and fact.formula == DERIVED_FORMULA
    assert set(fact.inputs) == {f"three_public.actual.{k}" for k in actual}
    # Rates on the derived total follow.
    assert ledger["three_public.control_rate"].value == sum(actual.values()) / 2 * 100
    assert not errors_of(check(fig))
    assert fig.three_public.actual.total is None  # the user's figures are not changed


def test_compute_json_marks_the_derived_total(tmp_path, capsys):
    path = tmp_path / "f.yaml"
    path.write_text(
        yaml.safe_dump({"meta": META, "procurement": {"goods": "1.2", "works": "0", "services": "3.05", "budget": 5}}, allow_unicode=True),
        encoding="utf-8",
    )
    assert main(["compute", str(path), "--json"]) == 0
    facts = {f["key"]: f for f in __import__("json").loads(capsys.readouterr().out)}
    total = facts["procurement.total"]
    assert total["kind"] == "derived" and total["formula"] == DERIVED_FORMULA
    assert D(total["value"]) == D("1.2") + D("0") + D("3.05")
    assert "procurement.goods" in total["inputs"] and "procurement.execution_rate" in facts


def test_chained_derivation_personnel_and_public_to_basic_to_total():
    exp = {"personnel": D("80.5"), "public": D("12.25"), "project": D("30")}
    ledger = build_ledger(figures(final={"expenditure": exp}))
    basic = ledger["final.expenditure.basic"]
    total = ledger["final.expenditure.total"]
    assert basic.value == exp["personnel"] + exp["public"] and basic.formula == DERIVED_FORMULA
    assert total.value == basic.value + exp["project"] and total.formula == DERIVED_FORMULA
    # Inputs are the fields the user typed, never a derived one.
    assert set(total.inputs) == {"final.expenditure.personnel", "final.expenditure.public", "final.expenditure.project"}
    assert ledger["final.expenditure.basic_share"].value == basic.value / total.value * 100


def test_vehicle_split_derives_vehicle_then_the_three_public_total():
    actual = {"overseas": 0, "vehicle_purchase": D("3"), "vehicle_operation": D("1.5"), "reception": D("0.5")}
    ledger = build_ledger(figures(three_public={"actual": actual}))
    assert ledger["three_public.actual.vehicle"].value == D("4.5")
    assert ledger["three_public.actual.total"].value == D("5")


def test_project_fund_total_row_staffing_and_income_derived():
    fig = figures(
        staffing={"authorized_admin": 5, "authorized_institution": 3, "authorized_worker": 2, "authorized_other": [{"name": "政法专项编制", "count": 1}]},
        final={"income": {s: 0 for s in ("government_fund", "state_capital", "fiscal_special", "business", "operating", "superior_subsidy", "other")} | {"general_public": D("88.8")}},
        projects=[{"name": "甲项目", "funds": {"fiscal": {"initial": 10, "full_year": 12, "executed": 11}, "carryover": {"initial": 0, "full_year": 1, "executed": 1}, "other": {"initial": 0, "full_year": 0, "executed": 0}}}],
    )
    ledger = build_ledger(fig)
    assert ledger["staffing.authorized_total"].value == 11 and ledger["staffing.authorized_total"].formula == DERIVED_FORMULA
    assert ledger["staffing.authorized_other.1"].label == "政法专项编制人数"
    assert ledger["final.income.total"].value == D("88.8")
    assert ledger["project.1.funds.total.executed"].value == 12
    assert ledger["project.1.execution_rate"].value == D(12) / D(13) * 100


def test_parts_partly_blank_give_no_total_and_a_warning_naming_the_blank_part():
    fig = figures(three_public={"actual": {"overseas": 0, "reception": D("0.3")}}, final={"expenditure": {"personnel": 50}})
    ledger = build_ledger(fig)
    assert "three_public.actual.total" not in ledger and "final.expenditure.basic" not in ledger
    found = rule_findings(fig, "partial_parts")
    assert all(f.severity == "warning" for f in found)
    messages = " ".join(f.message for f in found)
    assert "公务用车购置及运行维护费" in messages and "“三公”经费/决算数/合计”未填写" in messages
    assert "公用经费" in messages and "基本支出”未填写" in messages


def test_total_and_parts_both_given_are_still_checked():
    fig = figures(three_public={"actual": {"total": 5, "overseas": 0, "vehicle": 3, "reception": 1}})
    found = rule_findings(fig, "sum")
    assert len(found) == 1 and found[0].severity == "error" and "4万元" in found[0].message


def test_derived_basic_takes_part_in_the_expenditure_sum_check():
    fig = figures(final={"expenditure": {"total": 100, "personnel": 50, "public": 10, "project": 30}})
    found = rule_findings(fig, "sum")
    assert len(found) == 1
    assert "按分项之和推算" in found[0].message and "90万元" in found[0].message


AMOUNTS = st.decimals(min_value=D("0"), max_value=D("99999999.99"), places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None)
@given(goods=AMOUNTS, works=AMOUNTS, services=AMOUNTS)
def test_derived_total_is_the_exact_decimal_sum(goods, works, services):
    fig = figures(procurement={"goods": goods, "works": works, "services": services})
    completed, derived = derive_totals(fig)
    assert completed.procurement.total == goods + works + services
    assert derived["procurement.total"].parts == ("procurement.goods", "procurement.works", "procurement.services")
    assert not rule_findings(fig, "sum")


# --- 2. item comparisons -----------------------------------------------------------------------------


def test_each_three_public_item_against_its_budget_and_last_year():
    budget = {"total": 10, "overseas": 0, "vehicle": 6, "reception": 4}
    actual = {"total": D("9.5"), "overseas": 0, "vehicle": D("4.5"), "reception": 5}
    last = {"total": 9, "overseas": 0, "vehicle": 5, "reception": 4}
    fig = figures(three_public={"budget": budget, "actual": actual, "last_year_actual": last})
    ledger = build_ledger(fig)
    assert ledger["three_public.reception.control_rate"].value == D(5) / D(4) * 100
    assert ledger["three_public.reception.change_vs_budget"].value == 1 and ledger["three_public.reception.change_vs_budget"].signed_change
    assert ledger["three_public.vehicle.change_vs_budget"].value == D("-1.5")
    assert ledger["three_public.reception.yoy_rate"].value == D(25)
    assert "three_public.overseas.control_rate" not in ledger  # nothing budgeted, nothing spent
    assert ledger.missing["three_public.overseas.control_rate"].not_applicable
    # The item over budget is a warning naming it, although the total is within budget.
    found = rule_findings(fig, "three_public_item_over")
    assert len(found) == 1
    assert "公务接待费" in found[0].message and "合计未超预算" in found[0].message and "1万元" in found[0].message
    assert not rule_findings(fig, "three_public_over")


def test_income_sources_and_spending_kinds_against_budget_and_last_year():
    fig = figures(
        budget={"income": {"general_public": 100, "government_fund": 20}, "expenditure": {"basic": 70, "general_public": 100}},
        final={"income": {"general_public": 110, "government_fund": 15}, "expenditure": {"basic": 77, "general_public": 105}},
        last_year={"income": {"general_public": 88}, "expenditure": {"basic": 70, "general_public": 84}},
    )
    ledger = build_ledger(fig)
    assert ledger["final.income.general_public.change_vs_budget"].value == 10
    assert ledger["final.income.general_public.change_rate_vs_budget"].value == 10
    assert ledger["final.income.government_fund.change_vs_budget"].value == -5
    assert ledger["final.income.general_public.yoy_change"].value == 22
    assert ledger["final.income.general_public.yoy_rate"].value == D(22) / D(88) * 100
    assert ledger["final.expenditure.basic.yoy_rate"].value == 10
    assert ledger["final.expenditure.general_public.change_vs_budget"].value == 5
    assert ledger["final.expenditure.general_public.yoy_rate"].value == D(21) / D(84) * 100
    assert "final.income.government_fund.yoy_change" not in ledger  # no last-year figure for it


def test_procurement_and_public_funds_over_budget_warn():
    fig = figures(procurement={"total": 12, "goods": 12, "works": 0, "services": 0, "budget": 10}, budget={"expenditure": {"public": 8}}, final={"expenditure": {"public": 9}})
    messages = " ".join(f.message for f in rule_findings(fig, "over_budget"))
    assert "政府采购支出12万元超过政府采购预算10万元" in messages and "公用经费9万元" in messages


# --- 3. lower-is-better indicators -------------------------------------------------------------------


def indicator(comparator: str, target, actual) -> dict:
    return {"level1": "产出指标", "level2": "成本指标", "name": "单位成本", "comparator": comparator, "target": target, "actual": actual, "unit": "万元"}


@pytest.mark.parametrize("target,actual", [(D("85"), D("82.64")), (D("85"), D("85")), (D("85"), D("90")), (D("1"), D("0.2"))])
def test_cost_indicator_completion_matches_the_scoring(target, actual):
    fig = figures(performance_indicators=[indicator("≤", target, actual)])
    ledger = build_ledger(fig)
    rate = ledger["indicator.1.completion_rate"]
    assert rate.value == target / actual * 100
    assert min(rate.value / 100, D(1)) == achievement(Comparator.le, target, actual)
    assert (rate.value >= 100) == (actual <= target)  # a met cost target never reads below 100%
    assert "越低越好" in rate.formula
    saving = ledger["indicator.1.saving_rate"]
    assert saving.value == (target - actual) / target * 100 and saving.label == "单位成本节约率"


def test_cost_indicator_with_actual_zero_is_met_without_a_rate():
    ledger = build_ledger(figures(performance_indicators=[indicator("≤", 5, 0)]))
    assert "indicator.1.completion_rate" not in ledger
    assert "已完成" in ledger.missing["indicator.1.completion_rate"].reason
    assert ledger["indicator.1.saving_rate"].value == 100


def test_higher_is_better_completion_unchanged():
    ledger = build_ledger(figures(performance_indicators=[indicator("≥", 5000, 5792)]))
    assert ledger["indicator.1.completion_rate"].value == D(5792) / D(5000) * 100
    assert "indicator.1.saving_rate" not in ledger


# --- 4. 不适用 vs 需补充 ---------------------------------------------------------------------------------


def small_unit(**extra) -> Figures:
    """A unit with nothing to enter for several indicators: 三公 budget 0, no procurement, no projects."""
    data = {
        "staffing": {"authorized_total": 5, "actual": 5},
        "budget": {"expenditure": {"total": 50, "basic": 50, "project": 0, "public": 5}},
        "adjusted_budget": {"expenditure": {"total": 50, "basic": 50, "project": 0}},
        "final": {"expenditure": {"total": 48, "basic": 48, "project": 0, "public": 5}},
        "three_public": {"budget": {"total": 0}, "actual": {"total": 0}, "last_year_actual": {"total": 0}},
        "procurement": {"none_this_year": True},
        "assets": {"total_assets": 10, "total_liabilities": 0, "fixed_assets_original": 8, "fixed_assets_in_use": 8},
        "carryover": {"this_year": 1, "last_year": 1},
        "performance_indicators": [indicator("≥", 10, 10)],
        "department_scores": [{"indicator": "social_benefit", "score": 8}, {"indicator": "服务对象满意度", "score": 9}],
    }
    data.update(extra)
    return figures(**data)


def test_structurally_absent_indicators_are_not_applicable_and_the_table_totals():
    table = score_figures(small_unit()).department
    for name in ("“三公”经费控制率", "“三公”经费变动率", "政府采购执行率", "重点支出安排率"):
        line = table.line(name)
        assert not line.cell.applicable and line.cell.used_text() == NOT_APPLICABLE and line.value_text() == NOT_APPLICABLE, name
        assert any(name in w and "不适用" in w for w in table.warnings)
    assert table.complete and table.total is not None
    dropped = sum(table.line(n).spec.weight for n in ("“三公”经费控制率", "“三公”经费变动率", "政府采购执行率", "重点支出安排率"))
    used = sum(line.cell.used for line in table.lines if line.cell.applicable)
    assert table.total == used * table.profile.total / (table.profile.total - dropped)
    # The qualitative scores came from the figures file.
    assert table.line("社会效益").cell.entered == 8 and table.line("satisfaction").cell.entered == 9


def test_no_projects_with_all_spending_basic_is_not_applicable():
    fig = small_unit(final={"expenditure": {"total": 48, "basic": 48, "public": 5}})
    assert not score_figures(fig).department.line("重点支出安排率").cell.applicable
    fig = small_unit(final={"expenditure": {"total": 48, "public": 5}})
    line = score_figures(fig).department.line("重点支出安排率")
    assert line.cell.applicable and line.cell.source == NEEDS_INPUT


def test_data_the_user_can_still_enter_stays_needs_input():
    fig = small_unit(procurement=None, department_scores=[])
    table = score_figures(fig).department
    assert table.line("政府采购执行率").cell.source == NEEDS_INPUT and table.line("政府采购执行率").cell.applicable
    assert table.line("社会效益").cell.source == NEEDS_INPUT
    assert not table.complete


def test_a_three_public_budget_of_zero_with_spending_is_not_hidden_as_not_applicable():
    fig = small_unit(three_public={"budget": {"total": 0}, "actual": {"total": D("0.3")}})
    line = score_figures(fig).department.line("“三公”经费控制率")
    assert line.cell.applicable and line.cell.source == NEEDS_INPUT


def test_tier_rescaling_rule_of_the_profile():
    data = default_department_profile().model_dump(mode="json")
    data["not_applicable"] = "tier"
    profile = type(default_department_profile()).model_validate(data)
    table = score_figures(small_unit(), department_profile=profile).department
    process = next(t for t in profile.tiers if t.name == "过程")
    lines = [line for line in table.lines if line.tier.name == "过程" and line.cell.applicable]
    assert sum(line.cell.weight for line in lines) == process.weight  # the tier keeps its 分值
    assert not table.totals.rescaled  # the whole table keeps 100 without a final rescale
    assert any("按比例分配" in w for w in table.warnings)


def test_entered_overrides_win_over_scores_in_the_figures():
    card = score_figures(small_unit(), overrides={"社会效益": 6})
    assert card.department.line("社会效益").cell.entered == 6
    card = score_figures(small_unit(department_scores=[{"indicator": "社会效益", "not_applicable": True}]))
    assert not card.department.line("社会效益").cell.applicable


def test_marking_no_procurement_with_amounts_is_an_error():
    found = rule_findings(figures(procurement={"none_this_year": True, "total": 5}), "no_procurement")
    assert len(found) == 1 and found[0].severity == "error" and "本年无政府采购" in found[0].message


# --- 5. schema ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if (p / "figures.yaml").exists()))
def test_existing_case_files_load_unchanged_and_round_trip(case):
    path = CASES / case / "figures.yaml"
    fig = load_figures(path)
    assert figures_from_yaml_text(dump_yaml(fig)) == fig
    assert not errors_of(check(fig))


def test_staffing_kinds_are_checked_against_the_total():
    fig = figures(staffing={"authorized_total": 10, "authorized_admin": 4, "authorized_institution": 3, "authorized_worker": 2, "authorized_other": [{"name": "机关后勤服务编制", "count": 2}]})
    found = rule_findings(fig, "sum")
    assert len(found) == 1 and "工勤编制" in found[0].message and "11人" in found[0].message and "10人" in found[0].message


def test_fund_type_spending_is_checked_against_the_total():
    fig = figures(final={"expenditure": {"total": 100, "general_public": 70, "government_fund": 20, "state_capital": 0, "social_insurance": 0}})
    found = rule_findings(fig, "sum")
    assert len(found) == 1 and "政府性基金预算支出" in found[0].message and "90万元" in found[0].message
    ok = figures(final={"expenditure": {"total": 90, "basic": 60, "project": 30, "general_public": 70, "government_fund": 20}})
    assert not rule_findings(ok, "sum")


def test_last_year_totals_given_twice_must_agree():
    found = rule_findings(figures(last_year={"income_total": 10, "income": {"total": 11}}), "last_year_totals")
    assert len(found) == 1 and "上年决算收入" in found[0].message
    ledger = build_ledger(figures(last_year={"expenditure": {"basic": 6, "project": 4}}))
    assert ledger["last_year.expenditure.total"].value == 10  # derived inside the last-year block


def test_last_year_staffing_procurement_and_assets_in_the_ledger():
    fig = load_figures(NEW_CASE)
    ledger = build_scored_ledger(fig)
    ly = fig.last_year
    assert ledger["last_year.staffing.actual"].value == ly.staffing.actual
    assert ledger["staffing.actual.yoy_change"].value == fig.staffing.actual - ly.staffing.actual
    assert ledger["procurement.total.yoy_change"].value == fig.procurement.total - ly.procurement.total
    assert ledger["assets.total_assets.yoy_rate"].value == (fig.assets.total_assets - ly.assets.total_assets) / ly.assets.total_assets * 100
    assert ledger["staffing.authorized_worker"].value == fig.staffing.authorized_worker
    assert ledger["staffing.headcount"].label == "实有人数"


def test_new_case_has_the_shapes_it_claims():
    fig = load_figures(NEW_CASE)
    ledger = build_scored_ledger(fig)
    assert ledger["final.expenditure.basic"].formula == DERIVED_FORMULA
    assert ledger["three_public.actual.total"].formula == DERIVED_FORMULA
    assert ledger["three_public.actual.total"].value <= ledger["three_public.budget.total"].value
    assert [f.rule_id for f in check(fig)] == ["three_public_item_over"]
    assert "department.score.total" in ledger and ledger["department.score.social_benefit"].kind == "input"


def test_new_fields_round_trip_through_yaml_excel_and_the_form():
    fig = Figures.model_validate(
        {
            **load_figures(NEW_CASE).model_dump(mode="json"),
            "staffing": {"authorized_total": 5, "authorized_admin": 2, "authorized_worker": 1, "authorized_other": [{"name": "政法专项编制", "count": 2}], "actual": 5, "headcount": 6},
        }
    )
    fig.last_year.staffing.authorized_other.append(type(fig.staffing.authorized_other[0])(name="机关后勤服务编制", count=1))
    fig.last_year.procurement.none_this_year = True
    assert figures_from_yaml_text(dump_yaml(fig)) == fig
    assert load_excel(io.BytesIO(excel_bytes(fig))) == fig
    result = validate_raw(raw_from_figures(fig))
    assert not result.messages, result.messages
    assert result.figures == fig


# --- 6. draft refuses figures that fail the checks ---------------------------------------------------


BROKEN = {"meta": META, "final": {"expenditure": {"total": 100, "basic": D("34.87"), "project": D("69.15")}}}


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(dump_yaml(Figures.model_validate(data)), encoding="utf-8")
    return path


def test_draft_with_checker_errors_exits_1_and_lists_them(tmp_path, capsys):
    path = _write(tmp_path, BROKEN)
    out = tmp_path / "r.docx"
    assert main(["draft", str(path), "-o", str(out), "--md", str(tmp_path / "r.md")]) == 1
    err = capsys.readouterr().err
    assert "数据校验未通过" in err and "--force" in err and "104.02万元" in err
    assert not out.exists()


def test_forced_draft_says_on_its_first_page_which_checks_failed(tmp_path, capsys):
    from docx import Document

    path = _write(tmp_path, BROKEN)
    out, md = tmp_path / "r.docx", tmp_path / "r.md"
    main(["draft", str(path), "-o", str(out), "--md", str(md), "--force"])
    notice = failed_checks_notice(check(load_figures(path)))
    assert notice and "104.02万元" in notice
    text = md.read_text(encoding="utf-8")
    assert text.index("数据校验未通过") < text.index("## ")  # before the first heading
    first = [p.text for p in Document(str(out)).paragraphs[:6]]
    assert any("数据校验未通过" in p and "104.02万元" in p for p in first)


def test_figures_that_pass_have_no_notice():
    assert failed_checks_notice(check(load_figures(NEW_CASE))) == ""
