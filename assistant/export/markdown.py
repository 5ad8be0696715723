"""Markdown export: title, unit and date, preamble, numbered headings, body, appendix list."""

from __future__ import annotations

from typing import Optional

from assistant.export.numbering import HeadingCounter
from assistant.export.tables import markdown_table, section_tables
from assistant.ledger.facts import Ledger
from assistant.interface import Report


def numbered_headings(report: Report) -> list[str]:
    """The official number of each section, in order (一、 （一） 1. （1）)."""
    counter = HeadingCounter()
    return [counter.next(s.level) for s in report.sections]


def report_to_markdown(report: Report, ledger: Optional[Ledger] = None) -> str:
    lines = [f"# {report.title}", "", report.unit_name]
    if report.report_date:
        lines.append(report.report_date)
    lines.append("")
    if report.preamble:
        lines += [report.preamble, ""]
    for number, section in zip(numbered_headings(report), report.sections):
        lines += [f"{'#' * (section.level + 1)} {number}{section.heading}", ""]
        for paragraph in section.text.split("\n"):
            if paragraph.strip():
                lines += [paragraph.strip(), ""]
        if ledger is not None:
            for table in section_tables(section.section_id, ledger):
                lines += markdown_table(table)
    if report.appendix:
        lines.append("附件：")
        lines += [f"{i}. {name}" for i, name in enumerate(report.appendix, start=1)]
        lines.append("")
    return "\n".join(lines)
