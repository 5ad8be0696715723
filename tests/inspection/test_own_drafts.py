"""Our own exported drafts (offline template drafter, every eval case): the .docx with its tables,
the Markdown and the attachments' Markdown get no finding from 体检 — the tool must not cry wolf on
the reports it writes itself — and their stated relations are recomputed."""

from __future__ import annotations

import pytest

from assistant.cli import main
from assistant.figures import load_figures
from assistant.inspection import inspect_path
from assistant.inspection.prefill import build_prefill
from assistant.offline import REPO_ROOT

CASES = sorted(p.parent.name for p in (REPO_ROOT / "evals" / "cases").glob("*/figures.yaml"))


@pytest.mark.parametrize("case", CASES)
def test_own_exports_have_no_finding(case, tmp_path):
    docx, md = tmp_path / "report.docx", tmp_path / "report.md"
    code = main(["draft", str(REPO_ROOT / "evals" / "cases" / case / "figures.yaml"), "--offline", "--no-examples", "-o", str(docx), "--md", str(md)])
    assert code == 0
    files = [docx, md, *tmp_path.glob("*附件.md")]
    checked = 0
    for path in files:
        report = inspect_path(path)
        assert report.findings == [], (path.name, [(f.place.label, f.message) for f in report.findings])
        checked += len(report.checked)
    assert checked >= 10


@pytest.mark.parametrize("case", CASES)
def test_prefill_from_own_export_gives_the_cases_figures(case, tmp_path):
    """Read back from the draft we wrote, every prefilled value is the case's own figure (fields the
    case leaves blank for the ledger to derive are not compared) and the unit and year are right."""
    source = REPO_ROOT / "evals" / "cases" / case / "figures.yaml"
    md = tmp_path / "report.md"
    assert main(["draft", str(source), "--offline", "--no-examples", "-o", str(tmp_path / "r.docx"), "--md", str(md)]) == 0
    figures = load_figures(source)
    prefill = build_prefill(inspect_path(md))
    assert (prefill.unit_name, prefill.year) == (figures.meta.unit_name, figures.meta.year)
    compared = 0
    for path, entry in prefill.entries.items():
        value = figures
        for step in path:
            value = getattr(value, step, None) if value is not None else None
        if value is None:
            continue
        compared += 1
        assert value == entry.value, (".".join(path), entry.value, value, entry.source)
    assert compared >= 8
