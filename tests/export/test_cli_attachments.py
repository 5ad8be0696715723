"""`draft --xlsx`: the attachments the report lists, as one Excel workbook (a sheet per attachment)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from assistant.cli import main
from assistant.export.report_files import report_attachments
from assistant.figures import load_figures
from assistant.scoring import build_scored_ledger

CASES = sorted((Path(__file__).resolve().parents[2] / "evals" / "cases").iterdir())


def test_draft_writes_the_attachments_workbook(tmp_path):
    from assistant.drafting import draft_report

    case = next(c for c in CASES if (c / "figures.yaml").is_file())
    out = tmp_path / "附件.xlsx"
    assert main(["draft", str(case / "figures.yaml"), "-o", str(tmp_path / "r.docx"), "--xlsx", str(out)]) == 0
    figures = load_figures(case / "figures.yaml")
    expected = report_attachments(draft_report(figures), build_scored_ledger(figures), figures)
    titles = load_workbook(out).sheetnames
    assert len(titles) == len(expected) > 0
    for i, (title, attachment) in enumerate(zip(titles, expected), start=1):
        assert title.startswith(f"附件{i}") and attachment.name[:4] in title


def test_unwritable_output_exits_2(tmp_path):
    case = next(c for c in CASES if (c / "figures.yaml").is_file())
    blocker = tmp_path / "一个文件"
    blocker.write_text("", encoding="utf-8")
    target = blocker / "r.docx"  # a folder that cannot exist: its name is taken by a file
    assert main(["draft", str(case / "figures.yaml"), "-o", str(target)]) == 2
    assert not target.exists()
