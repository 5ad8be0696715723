"""Both self-evaluation tables as an Excel workbook (openpyxl): one sheet for the department table,
one per project. Cells hold the display strings of `TableData`, so the workbook prints exactly what
the Markdown and the .docx show."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from assistant.scoring.render import TableData, department_table_data, project_table_data
from assistant.scoring.scorecard import Scorecard

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="center")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_title(text: str, used: set[str], fallback: str = "表") -> str:
    """A sheet title Excel accepts (no []:*?/\\, at most 31 characters), unique among `used`."""
    base = _BAD_SHEET_CHARS.sub("", text)[:28] or fallback
    title, n = base, 2
    while title in used:
        title, n = f"{base[:26]}-{n}", n + 1
    used.add(title)
    return title


def _write_blocks(ws, heading: str, blocks: list[TableData]) -> None:
    ws.append([heading])
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True, size=14)
    widths: dict[int, int] = {}
    for block in blocks:
        ws.append([])
        ws.append([block.title])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
        ws.append(block.header)
        for col in range(1, len(block.header) + 1):
            cell = ws.cell(row=ws.max_row, column=col)
            cell.font, cell.fill, cell.border, cell.alignment = Font(bold=True), _HEADER_FILL, _BORDER, _WRAP
        for row in block.rows:
            ws.append(row)
            for col in range(1, len(row) + 1):
                cell = ws.cell(row=ws.max_row, column=col)
                cell.border, cell.alignment = _BORDER, _WRAP
        for row in [block.header, *block.rows]:
            for col, text in enumerate(row, start=1):
                widths[col] = max(widths.get(col, 8), min(40, len(str(text)) * 2 + 2))
        for note in block.notes:
            ws.append([note])
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width


def scorecard_workbook(card: Scorecard) -> Workbook:
    wb = Workbook()
    used: set[str] = set()
    ws = wb.active
    ws.title = sheet_title("部门整体支出绩效自评表", used)
    dept_blocks = department_table_data(card.department, official=False)
    _write_blocks(ws, dept_blocks[0].title, dept_blocks)
    for table in card.projects:
        ws = wb.create_sheet(sheet_title(f"项目{table.index}-{table.name}", used))
        _write_blocks(ws, f"项目支出绩效自评表：{table.name}", project_table_data(table, official=False))
    return wb


def write_scorecard_excel(card: Scorecard, path: str | Path) -> Path:
    path = Path(path)
    scorecard_workbook(card).save(path)
    return path
