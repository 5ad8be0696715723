"""The publishability metrics can fail: a draft without a required fact, with a run-on sentence, an
orphan 一是, a doubled word, a variant term, an unevaluated overrun or a wrong 附件 list is caught."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from assistant.drafting import draft_report
from assistant.evaluation.crossings import unevaluated
from assistant.evaluation.harness import _listed_appendix
from assistant.evaluation.required import fact_stated, load_required, overall_recall, required_facts, required_recall
from assistant.evaluation.style import count_by_kind, style_issues
from assistant.export.markdown import report_to_markdown
from assistant.export.report_files import report_attachments
from assistant.figures import load_figures
from assistant.offline import REPO_ROOT
from assistant.scoring import build_scored_ledger

NONGYE = REPO_ROOT / "evals" / "cases" / "xiangyuan-nongye-2023" / "figures.yaml"


@pytest.fixture(scope="module")
def drafted():
    figures = load_figures(NONGYE)
    ledger = build_scored_ledger(figures)
    return figures, ledger, draft_report(figures)


def _replace_text(report, section_id, text):
    sections = [dataclasses.replace(s, text=text) if s.section_id == section_id else s for s in report.sections]
    return dataclasses.replace(report, sections=sections)


def test_required_facts_are_data_and_cover_the_issue_list():
    spec = load_required()
    final = spec["final"]
    for key in ("final.income.change_vs_budget", "final.income.change_rate_vs_budget", "final.expenditure.yoy_change",
                "final.expenditure.yoy_rate", "final.expenditure.government_fund"):
        assert key in final
    assert "three_public.reception.change_vs_budget" in spec["three_public"]
    assert {"staffing.authorized_total", "staffing.actual", "staffing.control_rate"} <= set(spec["staffing"])
    assert "project.*.indicator.*.completion_rate" in spec["goals"]


def test_a_missing_required_fact_lowers_recall(drafted):
    figures, ledger, report = drafted
    assert overall_recall(required_recall(report, ledger)) == 1.0
    change = ledger["final.expenditure.change_vs_budget"]
    text = report.section("final").text
    assert fact_stated(change, text)
    cut = _replace_text(report, "final", text.replace(change.text, "若干"))
    [final] = [s for s in required_recall(cut, ledger) if s.section_id == "final"]
    assert "final.expenditure.change_vs_budget" in final.missing and final.recall < 1.0
    # the figure alone, away from its name, does not count
    assert not fact_stated(change, f"其他事项{change.text}。")


def test_zero_facts_are_not_required(drafted):
    figures, ledger, report = drafted
    keys = [f.key for f in required_facts("three_public", ledger)]
    assert "three_public.budget.overseas" not in keys  # 0万元
    assert "three_public.budget.vehicle" in keys


def test_each_style_issue_is_counted():
    text = (
        "一是加强管理。\n"
        + "本年度“高标准农田建设项目”项目完成验收的的工作。\n"
        + "其中一般公共财政拨款较多。\n"
        + "，".join(["支出较上年有所增加"] * 16) + "。\n"
    )
    counts = count_by_kind(style_issues([("（一）测试", text)]))
    assert counts == {"run_on": 1, "orphan_ordinal": 1, "doubled": 2, "inconsistent_term": 1}
    # the user's own sentence is theirs: not counted for length
    long_note = "，".join(["支出较上年有所增加"] * 16)
    assert count_by_kind(style_issues([("x", long_note + "。")], notes=[long_note]))["run_on"] == 0
    # an 一是 whose 二是 is in the next paragraph is a list, not an orphan
    assert count_by_kind(style_issues([("x", "一是甲。\n二是乙。")]))["orphan_ordinal"] == 0
    assert count_by_kind(style_issues([("x", "“三公”经费控制率。")]))["inconsistent_term"] == 0


def test_an_unevaluated_overrun_is_found(drafted):
    figures, ledger, report = drafted
    assert unevaluated(report, figures, ledger) == []
    text = report.section("three_public").text
    bare = "。".join(s for s in text.split("。") if "原因" not in s)
    missing = unevaluated(_replace_text(report, "three_public", bare), figures, ledger)
    assert any("“三公”经费超预算" in m for m in missing)


def test_appendix_list_matches_attachments(drafted):
    figures, ledger, report = drafted
    attachments = report_attachments(report, ledger, figures)
    assert _listed_appendix(report_to_markdown(report, None, attachments)) == [a.name for a in attachments]
    no_projects = figures.model_copy(update={"projects": []})
    other = draft_report(no_projects)
    produced = report_attachments(other, build_scored_ledger(no_projects), no_projects)
    assert "项目支出绩效自评表" not in _listed_appendix(report_to_markdown(other, None, produced))
    # the outline's own list (nothing produced yet) still names it: the exporter's list is the one to trust
    assert "项目支出绩效自评表" in _listed_appendix(report_to_markdown(other))
