"""Our own exported drafts (offline template drafter, every eval case): the .docx with its tables,
the Markdown and the attachments' Markdown get no finding from 体检 — the tool must not cry wolf on
the reports it writes itself — and their stated relations are recomputed."""

from __future__ import annotations

import pytest

from assistant.cli import main
from assistant.inspection import inspect_path
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
