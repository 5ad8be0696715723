"""Writes a drafted report to its files: .docx and Markdown, with figure tables and 附件 tables."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from assistant.export.docx_export import export_docx
from assistant.export.markdown import report_to_markdown
from assistant.export.tables import Table, markdown_table, table_from_rows
from assistant.ledger.facts import Ledger
from assistant.figures.model import Figures
from assistant.interface import Report


def attachment_tables(figures: Figures, ledger: Ledger) -> list[Table]:
    """The self-evaluation tables (附件): 部门整体支出绩效自评表, then one 项目支出绩效自评表 per project."""
    from assistant.scoring import department_table_data, project_table_data, score_figures

    card = score_figures(figures, ledger=ledger)
    forms = [department_table_data(card.department), *(project_table_data(table) for table in card.projects)]
    return [
        table_from_rows(grid.title, grid.header, grid.rows, starts_page=(i == 0))
        for form in forms
        for i, grid in enumerate(form)
    ]


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
        md_path.write_text(report_to_markdown(report, ledger), encoding="utf-8")
        written.append(md_path)
        if attachments:
            # The 自评表 are attachments, not report text: their weights and scoring rules are the
            # profile's, so they go to their own file and the report file verifies on its own.
            attachment_path = attachments_path(md_path)
            attachment_path.write_text(attachments_markdown(attachments), encoding="utf-8")
            written.append(attachment_path)
    return written


def attachments_path(md_path: Path) -> Path:
    return md_path.with_name(f"{md_path.stem}-附件{md_path.suffix}")


def attachments_markdown(attachments: list[Table]) -> str:
    lines = ["# 附件：绩效自评表", ""]
    for table in attachments:
        lines += markdown_table(table)
    return "\n".join(lines)
