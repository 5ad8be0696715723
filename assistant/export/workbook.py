"""The attachments as an Excel workbook (openpyxl): one sheet per attachment, cells as the .docx prints them."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from assistant.export.attachments import Attachment
from assistant.scoring.excel import sheet_title



def attachments_workbook(attachments: Sequence[Attachment]):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from assistant.export.docx_export import display_width

    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="center")
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for i, attachment in enumerate(attachments, start=1):
        ws = wb.create_sheet(sheet_title(f"附件{i}{attachment.name}", used, fallback="附件"))
        ws.append([f"附件{i}"])
        ws.append([attachment.title])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True, size=14)
        widths: dict[int, int] = {}
        for table in attachment.tables:
            ws.append([])
            if table.caption and table.caption != attachment.title:
                ws.append([table.caption])
                ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
            ws.append(list(table.header))
            for col in range(1, len(table.header) + 1):
                cell = ws.cell(row=ws.max_row, column=col)
                cell.font, cell.fill, cell.border, cell.alignment = Font(bold=True), header_fill, border, wrap
            for row in table.rows:
                ws.append(list(row))
                for col in range(1, len(row) + 1):
                    cell = ws.cell(row=ws.max_row, column=col)
                    cell.border, cell.alignment = border, wrap
            for row in (table.header, *table.rows):
                for col, text in enumerate(row, start=1):
                    widths[col] = max(widths.get(col, 8), min(50, display_width(text) + 2))
        if attachment.note:
            ws.append([])
            ws.append([attachment.note])
        for col, width in widths.items():
            ws.column_dimensions[get_column_letter(col)].width = width
    return wb


def write_attachments_excel(attachments: Sequence[Attachment], path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    attachments_workbook(attachments).save(path)
    return path
