"""Imported only by the parsing fork server (sandbox.py): parse one tiny .docx, .xlsx and .pdf at
import, so that the caches python-docx, openpyxl and pypdf fill on first use (style and enum
lookups, lxml class tables) are filled once there and inherited by every child, instead of being
filled again, for a third of a second, in each child. Importing it anywhere else only costs that
warm-up; nothing else happens at import.
"""

from __future__ import annotations

import io


def _tiny_docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("预热", level=1)
    document.add_paragraph("预算执行率")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "项目"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _tiny_xlsx() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["项目", 1.5])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def warm_up() -> None:
    from assistant.corpus import loaders

    for reader, data in ((loaders._read_docx, _tiny_docx()), (loaders._read_xlsx, _tiny_xlsx())):
        try:
            reader(data)
        except Exception:  # a warm-up that fails only means colder children
            pass
    try:
        loaders._read_pdf(b"%PDF-1.4\n%%EOF\n")
    except Exception:
        pass


warm_up()
