"""Batch 体检: many reports → one summary (per report: figures found, relations checked, errors,
warnings, unchecked), printed as a table and written as an Excel workbook (openpyxl).

`inspect_many` never stops at a bad file: an unreadable report becomes a row with its message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assistant.inspection import inspect_path
from assistant.inspection.model import SEVERITY_ZH, InspectionReport
from assistant.inspection.reading import ReportUnreadable


@dataclass
class BatchResult:
    reports: list[tuple[Path, InspectionReport]] = field(default_factory=list)
    unreadable: list[tuple[Path | None, str]] = field(default_factory=list)

    @property
    def has_findings(self) -> bool:
        return any(r.findings for _, r in self.reports)


def inspect_many(files: list[Path]) -> BatchResult:
    result = BatchResult()
    for path in files:
        try:
            result.reports.append((path, inspect_path(path)))
        except ReportUnreadable as exc:
            result.unreadable.append((path, str(exc)))
    return result


SUMMARY_HEADER = ("报告", "读出数字", "核算关系", "错误", "提示", "未能核对", "结论")


def summary_rows(result: BatchResult) -> list[tuple]:
    rows = []
    for path, report in result.reports:
        verdict = "有错误" if report.errors else ("有提示" if report.warnings else "未发现问题")
        rows.append((str(path), len(report.figures), len(report.checked), len(report.errors), len(report.warnings), len(report.unchecked), verdict))
    for path, message in result.unreadable:
        rows.append((str(path) if path else "", "", "", "", "", "", f"无法读取：{message}"))
    return rows


def summary_text(result: BatchResult) -> str:
    rows = summary_rows(result)
    widths = [max(_width(str(r[i])) for r in [SUMMARY_HEADER, *rows]) for i in range(len(SUMMARY_HEADER))]
    widths[-1] = 0  # the verdict runs to the end of the line
    lines = ["  ".join(_pad(str(c), w) for c, w in zip(row, widths)).rstrip() for row in [SUMMARY_HEADER, *rows]]
    total_errors = sum(len(r.errors) for _, r in result.reports)
    total_warnings = sum(len(r.warnings) for _, r in result.reports)
    lines.append(
        f"共 {len(rows)} 份报告：{sum(1 for _, r in result.reports if r.findings)} 份有问题（错误 {total_errors} 处，提示 {total_warnings} 处），"
        f"{len(result.unreadable)} 份无法读取。"
    )
    return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def write_excel(result: BatchResult, out: str | Path) -> None:
    """汇总 (one row per report), 问题清单 (every finding with its place and numbers), 未能核对."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from assistant.safe_text import clean_for_xml as xml_safe

    book = Workbook()
    sheet = book.active
    sheet.title = "汇总"
    sheet.append(SUMMARY_HEADER)
    for row in summary_rows(result):
        sheet.append([xml_safe(c) if isinstance(c, str) else c for c in row])
    problems = book.create_sheet("问题清单")
    problems.append(("报告", "位置", "级别", "规则", "文中数字", "核算结果", "说明", "原文摘录"))
    for path, report in result.reports:
        for f in report.findings:
            problems.append([xml_safe(x) for x in (str(path), f.place.label, SEVERITY_ZH[f.severity], f.rule_zh, f.stated, f.computed, f.message, f.place.excerpt)])
    unchecked = book.create_sheet("未能核对")
    unchecked.append(("报告", "位置", "关系", "原因", "原文摘录"))
    for path, report in result.reports:
        for u in report.unchecked:
            unchecked.append([xml_safe(x) for x in (str(path), u.place.label, u.to_dict()["rule_zh"], u.reason, u.place.excerpt)])
    for ws, widths in ((sheet, (40, 10, 10, 8, 8, 10, 30)), (problems, (30, 16, 8, 24, 14, 14, 60, 50)), (unchecked, (30, 16, 24, 60, 50))):
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for i, w in enumerate(widths):
            ws.column_dimensions[chr(ord("A") + i)].width = w
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
    out = Path(out)
    tmp = out.with_name(out.name + ".tmp")
    book.save(tmp)
    tmp.replace(out)
