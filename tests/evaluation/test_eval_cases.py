"""The evaluation cases themselves: files present, figures consistent, reference figures sourced."""

from __future__ import annotations

import pytest

from assistant.ledger.checks import check, has_errors
from assistant.evaluation import metrics as m
from assistant.evaluation.cases import CaseError, list_case_ids, load_case
from assistant.evaluation.sections import parse_markdown
from assistant.evaluation.textfigures import stated_figures
from assistant.ledger.calculator import note_texts
from assistant.scoring import build_scored_ledger
from assistant.ledger.settings import ReportSettings

CASE_IDS = list_case_ids()


def test_the_cases_are_there():
    assert {"hengshan-fulian-2023", "xiangyuan-canlian-2023", "xiangyuan-nongye-2023"} <= set(CASE_IDS)


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_case_figures_pass_the_checker(case_id):
    case = load_case(case_id)
    assert case.info.year == case.figures.meta.year
    assert case.info.unit == case.figures.meta.unit_name
    findings = check(case.figures)
    assert not has_errors(findings), [f.message for f in findings]


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_every_reference_figure_is_in_the_ledger_or_the_notes(case_id):
    case = load_case(case_id)
    ledger = build_scored_ledger(case.figures, ReportSettings(outline=case.outline))
    notes = [f for text in note_texts(case.figures) for f in stated_figures(text)]
    sources = m.FigureSources(notes=notes, ledger=ledger)
    figures = [f for s in parse_markdown(case.reference) for f in stated_figures(s.body)]
    assert figures
    assert [f.text for f in figures if not sources.supports(f)] == []


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_the_verifier_accepts_every_reference(case_id):
    from assistant.verify import verify

    case = load_case(case_id)
    ledger = build_scored_ledger(case.figures, ReportSettings(outline=case.outline))
    notes = note_texts(case.figures)
    problems = []
    for section in parse_markdown(case.reference):
        if section.body:
            report = verify(section.body, ledger, notes)
            problems += [(section.heading, f["text"], f["status"]) for f in report.to_dict()["findings"] if f["status"] != "supported"]
    assert problems == []


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_budget_sections_name_reference_headings(case_id):
    from assistant.evaluation.sections import normalise_heading, outline_sections

    case = load_case(case_id)
    headings = [normalise_heading(s.heading) for s in outline_sections(parse_markdown(case.reference))]
    for name in case.info.budget_sections:
        assert normalise_heading(name) in headings, name


def test_case_shapes_differ():
    """The cases cover different shapes of data (the reason each one exists)."""
    canlian = load_case("xiangyuan-canlian-2023").figures
    assert canlian.budget.income.government_fund and canlian.procurement is None
    assert len(canlian.projects) >= 3 and all(p.indicators and p.funds.total.executed for p in canlian.projects)
    nongye = load_case("xiangyuan-nongye-2023")
    assert len(nongye.figures.projects) >= 6 and nongye.figures.last_year is not None
    assert "three_public_over" in {f.rule_id for f in check(nongye.figures)}
    assert load_case("xiangyuan-canlian-2023").outline == "hunan" and nongye.outline == "seed"


def test_bad_case_files(tmp_path):
    root = tmp_path / "cases"
    (root / "a").mkdir(parents=True)
    (root / "a" / "figures.yaml").write_text("meta: {unit_name: 甲, year: 2023}\n", encoding="utf-8")
    with pytest.raises(CaseError, match="缺少 case.yaml"):
        load_case("a", root)
    (root / "a" / "case.yaml").write_text("unit: 甲\n", encoding="utf-8")
    with pytest.raises(CaseError, match="缺少字段：year"):
        load_case("a", root)
    (root / "a" / "case.yaml").write_text("unit: 甲\nyear: 2023\nfoo: 1\n", encoding="utf-8")
    with pytest.raises(CaseError, match="无法识别的字段：foo"):
        load_case("a", root)
    (root / "a" / "case.yaml").write_text("unit: 甲\nyear: 2023\n", encoding="utf-8")
    case = load_case("a", root)
    assert case.outline == "seed" and case.info.budget_sections == ()
    with pytest.raises(CaseError, match="缺少参考报告"):
        case.reference
    with pytest.raises(CaseError, match="找不到评估用例 b"):
        load_case("b", root)
    assert list_case_ids(root) == ["a"]
