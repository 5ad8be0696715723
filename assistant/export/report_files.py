"""Writes a drafted report to its files: .docx and Markdown, with figure tables and 附件 tables."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from assistant.export.docx_export import export_docx
from assistant.export.markdown import report_to_markdown
from assistant.export.tables import Table
from assistant.facts import Ledger
from assistant.figures import Figures
from assistant.interface import Report


def attachment_tables(figures: Figures, ledger: Ledger) -> list[Table]:
    """The self-evaluation tables (附件), when the scoring stage is available."""
    try:
        from assistant.scoring import attachment_tables as scoring_tables
    except ImportError:
        return []
    return list(scoring_tables(figures, ledger))


def write_report_files(
    report: Report,
    ledger: Ledger,
    figures: Figures,
    docx_path: Optional[Path] = None,
    md_path: Optional[Path] = None,
) -> list[Path]:
    attachments = attachment_tables(figures, ledger)
    written = []
    if docx_path:
        written.append(export_docx(report, docx_path, ledger, attachments))
    if md_path:
        md_path = Path(md_path)
        md_path.parent.mkdir(parents=True, exist_ok=True)
        md_path.write_text(report_to_markdown(report, ledger, attachments), encoding="utf-8")
        written.append(md_path)
    return written
