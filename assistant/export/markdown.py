"""Markdown export: title, unit and date, preamble, numbered headings, body, numbered tables, appendix list."""

from __future__ import annotations

from typing import Optional, Sequence

from assistant.export.attachments import Attachment, appendix_names
from assistant.export.numbering import HeadingCounter
from assistant.export.tables import TableNumbers, markdown_table, section_tables
from assistant.ledger.facts import Ledger
from assistant.interface import Report


def numbered_headings(report: Report) -> list[str]:
    """The official number of each section, in order (一、 （一） 1. （1）)."""
    counter = HeadingCounter()
    return [counter.next(s.level) for s in report.sections]


def report_to_markdown(report: Report, ledger: Optional[Ledger] = None, attachments: Optional[Sequence[Attachment]] = None) -> str:
    """The report text. With `attachments`, the 附件 list names exactly those (see `attachments_markdown`
    for their content); without, the report's own list is kept."""
    lines = [f"# {report.title}", "", report.unit_name]
    if report.report_date:
        lines.append(report.report_date)
    lines.append("")
    if report.preamble:
        lines += [report.preamble, ""]
    numbers = TableNumbers()
    for number, section in zip(numbered_headings(report), report.sections):
        lines += [f"{'#' * (section.level + 1)} {number}{section.heading}", ""]
        for paragraph in section.text.split("\n"):
            if paragraph.strip():
                lines += [paragraph.strip(), ""]
        if ledger is not None:
            for table in section_tables(section.section_id, ledger):
                lines += markdown_table(table, numbers.caption(table))
    names = report.appendix if attachments is None else appendix_names(attachments)
    if names:
        lines.append("附件：")
        lines += [f"{i}. {name}" for i, name in enumerate(names, start=1)]
        lines.append("")
    return "\n".join(lines)


def attachments_markdown(attachments: Sequence[Attachment]) -> str:
    """Every attachment, in order, headed 附件N and its title."""
    lines: list[str] = []
    for i, attachment in enumerate(attachments, start=1):
        lines += [f"# 附件{i} {attachment.title}", ""]
        for table in attachment.tables:
            caption = table.caption if table.caption != attachment.title else ""
            lines += markdown_table(table, f"**{caption}**" if caption else "")
        if attachment.note:
            lines += [attachment.note, ""]
    return "\n".join(lines)
