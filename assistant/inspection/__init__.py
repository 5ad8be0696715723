"""体检: check a report's own arithmetic without a figures file.

`inspect_text(text, name)` reads the figures of a report (with labels and places), rebuilds the
relations its sentences and tables state — totals and parts, shares, differences and change rates,
execution rates, worked formulas, fund-table totals, 自评表 weights — recomputes each with Decimal
under the one rounding rule of `tolerance`, and returns an `InspectionReport`: every inconsistency
with its place, both numbers and the rule, and the relations it could not read (never guessed).
"""

from __future__ import annotations

from assistant.inspection.model import MAX_CHARS, InspectionReport, ReportUnreadable


def inspect_text(text: str, name: str = "", where=None) -> InspectionReport:
    """Inspect a report's text; `where(line)` may give the source's own place of a line.
    Raises ReportUnreadable for a text longer than MAX_CHARS."""
    from assistant.inspection.checker import Checker
    from assistant.inspection.document import Document
    from assistant.inspection.grid import check_grids
    from assistant.inspection.prose import check_prose
    from assistant.inspection.tables import check_tables

    if len(text) > MAX_CHARS:
        raise ReportUnreadable(f"{name or '报告'}：文字过长（{len(text)} 字，上限 {MAX_CHARS} 字），不是一份自评报告的篇幅，未体检。")
    doc = Document(text, name, where)
    report = InspectionReport(name=name, figures=list(doc.values), text=text)
    checker = Checker(doc, report)
    check_prose(doc, checker)
    check_tables(doc, checker)
    check_grids(doc, checker)
    report.findings.sort(key=lambda f: f.place.line)
    return report


def inspect_path(path) -> InspectionReport:
    """Read a report file (.docx, .pdf, .md, .txt) and inspect it; raises ReportUnreadable."""
    from pathlib import Path

    from assistant.inspection.reading import read_report, unwrap_lines

    document = read_report(path)
    if Path(path).suffix.lower() == ".pdf":
        text, origin = unwrap_lines(document.text)
        return inspect_text(text, document.name, lambda line: document.place_of_line(origin[line - 1]))
    return inspect_text(document.text, document.name, document.place_of_line)


def inspect_bytes(name: str, data: bytes) -> InspectionReport:
    """Inspect an uploaded report given its file name (for the type) and bytes; raises
    ReportUnreadable with a Chinese message."""
    from pathlib import PurePosixPath

    from assistant.inspection.reading import ReportUnreadable, unwrap_lines
    from assistant.verify.documents import DocumentError, read_document_bytes

    try:
        document = read_document_bytes(name, data)
    except DocumentError as exc:
        raise ReportUnreadable(str(exc)) from None
    if PurePosixPath(name.replace("\\", "/")).suffix.lower() == ".pdf":
        text, origin = unwrap_lines(document.text)
        return inspect_text(text, name, lambda line: document.place_of_line(origin[line - 1]))
    return inspect_text(document.text, name, document.place_of_line)


__all__ = ["InspectionReport", "ReportUnreadable", "inspect_bytes", "inspect_path", "inspect_text"]
