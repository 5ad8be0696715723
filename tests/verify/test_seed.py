"""The seed case: the published report passes against its own figures; planted errors fail by name."""

from __future__ import annotations

import pytest

from assistant.verify import MISATTRIBUTED, SUPPORTED, UNSUPPORTED, verify

from tests.verify.conftest import SEED_ORIGINAL, SEED_REFERENCE


def test_seed_reference_passes(seed):
    text, ledger, notes = seed
    report = verify(text, ledger, notes)
    assert report.ok, report.render_text()
    assert report.counts[SUPPORTED] == len(report.findings) == 82


def test_budget_figures_come_from_the_ledger_and_narrative_from_the_notes(seed):
    text, ledger, notes = seed
    by_text = {f.text: f for f in verify(text, ledger, notes).findings}
    assert by_text["155.29万元"].provenance.fact_key == "final.expenditure.total"
    assert by_text["39.55%"].provenance.fact_key == "final.expenditure.basic_share"
    assert by_text["115.54万元"].provenance.fact_key == "final.income.change_vs_budget"
    assert by_text["220余人"].provenance.kind == "notes"
    assert by_text["近12万元"].provenance.kind == "notes"


def test_changed_total_fails_and_names_the_place(seed):
    text, ledger, notes = seed
    report = verify(text.replace("155.29", "155.92"), ledger, notes)
    assert not report.ok
    [problem] = report.problems
    assert (problem.text, problem.status) == ("155.92万元", UNSUPPORTED)
    line = text.splitlines()[problem.line - 1]
    assert line[problem.column - 1 :].startswith("155.29万元")
    assert f"第{problem.line}行第{problem.column}列" in report.render_text()


def test_swapped_shares_fail_as_misattributed(seed):
    text, ledger, notes = seed
    swapped = text.replace("39.55%", "\0").replace("60.45%", "39.55%").replace("\0", "60.45%")
    report = verify(swapped, ledger, notes)
    assert [(p.text, p.status) for p in report.problems] == [("60.45%", MISATTRIBUTED), ("39.55%", MISATTRIBUTED)]
    assert "基本支出" in report.problems[0].message


def test_invented_narrative_number_fails(seed):
    text, ledger, notes = seed
    report = verify(text.replace("共220余人", "共230余人"), ledger, notes)
    assert [(p.text, p.status) for p in report.problems] == [("230余人", UNSUPPORTED)]
    assert "220余人" in report.problems[0].message  # points at what the notes say


def test_reference_markdown_keeps_the_original_wording():
    if not SEED_ORIGINAL.exists():
        pytest.skip("shared reference not present")
    original = SEED_ORIGINAL.read_text(encoding="utf-8").split("\n")
    markdown = SEED_REFERENCE.read_text(encoding="utf-8").split("\n")
    assert len(markdown) == len(original)
    headings = 0
    for md, orig in zip(markdown, original):
        if md.startswith("#"):
            headings += 1
            marks, _, rest = md.partition(" ")
            assert set(marks) == {"#"} and len(marks) <= 4
            assert rest == orig.strip()
        else:
            assert md == orig
    assert headings == 19
    assert markdown[0] == "# 2023年度部门整体支出绩效自评报告"
