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
