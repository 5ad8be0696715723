"""Writes a drafted report to its files: .docx (text and attachments), Markdown (text, and the
attachments in a file of their own) and Excel (the attachments), named for the report."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Optional, Sequence

from assistant.export.attachments import Attachment, build_attachments
from assistant.export.docx_export import export_docx
from assistant.export.markdown import attachments_markdown, report_to_markdown
from assistant.figures.model import Figures
from assistant.interface import Report
from assistant.ledger.facts import Ledger

REPORT_NAME = "{unit}{year}年度部门整体支出绩效自评报告"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def report_file_stem(unit_name: str, year: int) -> str:
    """“{单位}{年度}年度部门整体支出绩效自评报告”, with characters no file system accepts removed."""
    stem = REPORT_NAME.format(unit=_UNSAFE.sub("", unit_name or "").strip(), year=year)
    return stem.strip(". ") or "部门整体支出绩效自评报告"


def report_attachments(report: Report, ledger: Ledger, figures: Figures) -> list[Attachment]:
    """The attachments the report's outline lists that have content (the 附件 list is these)."""
    return build_attachments(figures, ledger, report.appendix)


def attachments_path(md_path: Path) -> Path:
    return md_path.with_name(f"{md_path.stem}-附件{md_path.suffix}")


def write_report_files(
    report: Report,
    ledger: Ledger,
    figures: Figures,
    docx_path: Optional[Path] = None,
    md_path: Optional[Path] = None,
    xlsx_path: Optional[Path] = None,
    attachments: Optional[Sequence[Attachment]] = None,
) -> list[Path]:
    attachments = report_attachments(report, ledger, figures) if attachments is None else list(attachments)
    written = []
    if docx_path:
        written.append(export_docx(report, docx_path, ledger, attachments))
    if md_path:
        md_path = Path(md_path)
        md_path.parent.mkdir(parents=True, exist_ok=True)
        md_path.write_text(report_to_markdown(report, ledger, attachments), encoding="utf-8")
        written.append(md_path)
        if attachments:
            # The attachments are not report text: their weights and scoring rules are the profile's,
            # so they go to their own file and the report file verifies on its own.
            attachment_path = attachments_path(md_path)
            attachment_path.write_text(attachments_markdown(attachments), encoding="utf-8")
            written.append(attachment_path)
    if xlsx_path and attachments:
        from assistant.export.workbook import write_attachments_excel

        written.append(write_attachments_excel(attachments, xlsx_path))
    return written


def export_files(report: Report, ledger: Ledger, figures: Figures) -> dict[str, bytes]:
    """Every download of the report by its file name: {stem}.docx, {stem}.md, {stem}-附件.md, {stem}.xlsx."""
    stem = report_file_stem(figures.meta.unit_name, figures.meta.year)
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        written = write_report_files(
            report, ledger, figures, docx_path=base / f"{stem}.docx", md_path=base / f"{stem}.md", xlsx_path=base / f"{stem}.xlsx"
        )
        return {path.name: path.read_bytes() for path in written}
