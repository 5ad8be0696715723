"""Word export in the 党政机关公文 format (GB/T 9704-2012, DOMAIN.md §7).

A4, margins 37/35/28/26 mm; title 2号 方正小标宋简体 centred; body 3号 仿宋_GB2312 with a 2-character
first-line indent and fixed 28 pt lines; headings 一、 黑体, （一） 楷体_GB2312, 1. and （1） 仿宋_GB2312;
page numbers "— N —" in 4号 at the bottom; tables in 仿宋 with a bold header row. Every run gets
both the Latin and the East Asian font slot, or Word shows the wrong font.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Optional, Sequence

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from assistant.export.numbering import HeadingCounter
from assistant.export.tables import Table, section_tables
from assistant.ledger.facts import Ledger
from assistant.interface import Report

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONTS = {1: "黑体", 2: "楷体_GB2312", 3: BODY_FONT, 4: BODY_FONT}
PAGE_NUMBER_FONT = "宋体"
TITLE_SIZE = Pt(22)  # 2号
BODY_SIZE = Pt(16)  # 3号
PAGE_NUMBER_SIZE = Pt(14)  # 4号
TABLE_SIZE = Pt(12)  # 小4号
LINE_SPACING = Pt(28)


def _set_all_font_slots(r_pr, font: str) -> None:
    """Latin, East Asian and complex-script slots alike; python-docx's font.name sets only the Latin ones."""
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), font)


def set_run_font(run, font: str, size: Pt, bold: bool = False) -> None:
    run.font.name = font
    run.font.size = size
    run.font.bold = bold
    _set_all_font_slots(run._element.get_or_add_rPr(), font)


def _paragraph(doc, text: str, font: str, size: Pt, *, bold=False, indent=True, align=None, spacing=LINE_SPACING):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = spacing
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size.pt * 2)
    if align is not None:
        p.alignment = align
    set_run_font(p.add_run(text), font, size, bold)
    return p


def _setup_page(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = BODY_SIZE
    _set_all_font_slots(normal.element.get_or_add_rPr(), BODY_FONT)
    _page_number_footer(section)


def _field_run(paragraph, instruction: str):
    """A PAGE field: begin, instruction, separate, placeholder, end."""
    run = paragraph.add_run()
    set_run_font(run, PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    for tag, text in (("begin", None), ("instr", instruction), ("separate", None), ("text", "1"), ("end", None)):
        if tag == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        elif tag == "text":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), tag)
        run._element.append(el)
    return run


def _page_number_footer(section) -> None:
    footer = section.footer
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_run_font(p.add_run("— "), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    _field_run(p, " PAGE ")
    set_run_font(p.add_run(" —"), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)


def _table(doc, table: Table) -> None:
    _paragraph(doc, table.caption, BODY_FONT, TABLE_SIZE, bold=True, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, spacing=Pt(22))
    t = doc.add_table(rows=1 + len(table.rows), cols=len(table.header))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    # Row by row: python-docx's table.cell(r, c) rescans the whole grid on every call.
    for r, (row, doc_row) in enumerate(zip((table.header, *table.rows), t.rows)):
        for c, (value, cell) in enumerate(zip(row, doc_row.cells)):
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER if (r == 0 or c > 0) else WD_ALIGN_PARAGRAPH.LEFT
            set_run_font(p.add_run(value), BODY_FONT, TABLE_SIZE, bold=(r == 0))


def build_document(report: Report, ledger: Optional[Ledger] = None, attachments: Sequence[Table] = ()):
    doc = Document()
    _setup_page(doc)
    _paragraph(doc, report.title, TITLE_FONT, TITLE_SIZE, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, spacing=Pt(36))
    _paragraph(doc, report.unit_name, BODY_FONT, BODY_SIZE, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    if report.report_date:
        _paragraph(doc, report.report_date, BODY_FONT, BODY_SIZE, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    if report.preamble:
        _paragraph(doc, report.preamble, BODY_FONT, BODY_SIZE)
    counter = HeadingCounter()
    for section in report.sections:
        number = counter.next(section.level)
        _paragraph(doc, f"{number}{section.heading}", HEADING_FONTS[section.level], BODY_SIZE)
        for text in section.text.split("\n"):
            if text.strip():
                _paragraph(doc, text.strip(), BODY_FONT, BODY_SIZE)
        if ledger is not None:
            for table in section_tables(section.section_id, ledger):
                _table(doc, table)
    if report.appendix:
        _paragraph(doc, "附件：" + report.appendix[0] if len(report.appendix) == 1 else "附件：", BODY_FONT, BODY_SIZE)
        if len(report.appendix) > 1:
            for i, name in enumerate(report.appendix, start=1):
                _paragraph(doc, f"{i}. {name}", BODY_FONT, BODY_SIZE)
    for table in attachments:
        if table.starts_page:
            doc.add_section(WD_SECTION.NEW_PAGE)
        _table(doc, table)
    return doc


def export_docx(report: Report, path: str | Path, ledger: Optional[Ledger] = None, attachments: Iterable[Table] = ()) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    build_document(report, ledger, tuple(attachments)).save(path)
    return path
