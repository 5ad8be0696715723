"""The offline template drafter over every case: the CI gate and the seed's budget-section recall."""

from __future__ import annotations

import pytest

from assistant.evaluation import list_case_ids, run_eval


@pytest.fixture(scope="module")
def offline_run():
    return run_eval(backends=("offline",))


def test_every_case_is_evaluated(offline_run):
    assert [r["case"] for r in offline_run.rows] == list_case_ids()
    assert all(not r["error"] for r in offline_run.rows)


def test_gate_no_unsupported_misattributed_or_contradicted_figure(offline_run):
    assert offline_run.gate_messages() == []
    assert offline_run.gate_ok


def test_seed_budget_sections_fully_recalled(offline_run):
    [seed] = [r for r in offline_run.rows if r["case"] == "hengshan-fulian-2023"]
    assert seed["budget_recall"] == 1.0


def test_offline_drafts_are_publishable(offline_run):
    """Issue 15's gate: every required fact stated (recall 1.0 on every section of every case), every
    threshold crossing evaluated, no style issue, the 附件 list = the attachments produced."""
    for result in offline_run.results:
        assert result.required, result.case_id
        for section in result.required:
            assert section["recall"] == 1.0, (result.case_id, section)
        assert result.metrics["required_recall"] == 1.0
        assert result.metrics["unevaluated"] == 0, result.unevaluated
        assert result.metrics["style_issues"] == 0, result.style
        assert result.metrics["appendix_mismatch"] == 0, result.appendix
        assert result.publishable_failures == []
