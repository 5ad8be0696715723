"""Word export in the 党政机关公文 format (GB/T 9704-2012, DOMAIN.md §7), built to survive Word and LibreOffice.

Page: A4, margins 37/35/28/26 mm, a 22-line × 28-character block: `w:docGrid` (line pitch 579 twips,
character pitch 442.2 pt ÷ 28) records the grid for Word's 页面设置, and the layout itself holds in any
renderer because body lines are exactly 28.95 pt (22 × 28.95 pt fills the 225 mm block) and 3号 runs are
condensed by 0.25 pt (28 × 15.75 pt fits the 156 mm line, 29 do not). LibreOffice does not compress
glyphs to a character grid (a 16 pt glyph would take two 15.8 pt cells: 14 a line), so the grid is of
type "lines" and the character pitch comes from the run spacing.

Text: title 2号 方正小标宋简体 centred; body 3号 仿宋_GB2312, first-line indent 2 characters; headings 一、 黑体,
（一） 楷体_GB2312, 1. and （1） 仿宋_GB2312, each kept with the paragraph after it. Page numbers: 4号 半角
宋体 “— 1 —”, odd pages right and even pages left with one character of space, about 7 mm below the
block (even/odd footers). Tables: 仿宋 小4号, bold header row repeated on every page, rows never split,
column widths from their content. The 自评表 attachments sit in a landscape section. Every run gets the
Latin and the East Asian font slot, or Word shows the wrong font.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Iterable, Optional, Sequence

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, Twips

from assistant.export.attachments import Attachment, appendix_names
from assistant.export.numbering import HeadingCounter
from assistant.export.tables import Table, TableNumbers, section_tables
from assistant.interface import Report
from assistant.ledger.facts import Ledger
from assistant.safe_text import clean_for_xml

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONTS = {1: "黑体", 2: "楷体_GB2312", 3: BODY_FONT, 4: BODY_FONT}
ATTACHMENT_LABEL_FONT = "黑体"
PAGE_NUMBER_FONT = "宋体"
TITLE_SIZE = Pt(22)  # 2号
ATTACHMENT_TITLE_SIZE = Pt(18)  # 小2号
BODY_SIZE = Pt(16)  # 3号
PAGE_NUMBER_SIZE = Pt(14)  # 4号
TABLE_SIZE = Pt(12)  # 小4号

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
TOP, BOTTOM, LEFT, RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
LINE_PITCH_TWIPS = 579  # 225 mm block ÷ 22 lines = 28.98 pt, rounded down so 22 lines always fit
LINE_SPACING = Twips(LINE_PITCH_TWIPS)
# Word's charSpace: (character pitch − 3号) × 4096, pitch = 156 mm ÷ 28 = 15.793 pt.
CHAR_SPACE = -849
BODY_CONDENSE_TWENTIETHS = -5  # −0.25 pt a character: 15.75 pt pitch, 28 to a line
FOOTER_DISTANCE = Mm(23)  # number line's top about 7 mm below the 35 mm bottom margin
TABLE_LINE_SPACING = Pt(20)

def clean_text(text: str) -> str:
    """Text Word can store: XML-illegal characters dropped (a pasted note may carry them)."""
    return clean_for_xml(str(text))


def _set_all_font_slots(r_pr, font: str) -> None:
    """Latin, East Asian and complex-script slots alike; python-docx's font.name sets only the Latin ones."""
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), font)


_AFTER_SPACING = {
    qn(f"w:{name}")
    for name in ("w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
                 "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath")
}


def set_run_font(run, font: str, size: Pt, bold: bool = False, condense: int = 0) -> None:
    run.font.name = font
    run.font.size = size
    run.font.bold = bold
    r_pr = run._element.get_or_add_rPr()
    _set_all_font_slots(r_pr, font)
    if condense:
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(condense))
        # CT_RPr is a sequence: w:spacing comes before w:w, w:kern, w:position, w:sz … (Word rejects
        # a document whose run properties are out of order).
        later = next((child for child in r_pr if child.tag in _AFTER_SPACING), None)
        if later is not None:
            later.addprevious(spacing)
        else:
            r_pr.append(spacing)


def _first_line_chars(p, chars: int, size: Pt) -> None:
    """First-line indent in characters (Word: firstLineChars) and in length for other renderers."""
    pitch = size.pt + (BODY_CONDENSE_TWENTIETHS / 20 if size == BODY_SIZE else 0)
    p.paragraph_format.first_line_indent = Pt(pitch * chars)
    ind = p._element.get_or_add_pPr().get_or_add_ind()
    ind.set(qn("w:firstLineChars"), str(chars * 100))


def _paragraph(
    container,
    text: str,
    font: str,
    size: Pt,
    *,
    bold=False,
    indent=True,
    align=None,
    spacing=LINE_SPACING,
    keep_with_next=False,
):
    p = container.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = spacing
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.widow_control = True
    if keep_with_next:
        fmt.keep_with_next = True
    if indent:
        _first_line_chars(p, 2, size)
    p.alignment = align if align is not None else WD_ALIGN_PARAGRAPH.JUSTIFY
    condense = BODY_CONDENSE_TWENTIETHS if size == BODY_SIZE else 0
    set_run_font(p.add_run(clean_text(text)), font, size, bold, condense)
    return p


def _doc_grid(section) -> None:
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))


def _portrait(section) -> None:
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = TOP, BOTTOM
    section.left_margin, section.right_margin = LEFT, RIGHT
    section.footer_distance = FOOTER_DISTANCE
    _doc_grid(section)


def _landscape(section) -> None:
    """The page turned: the binding edge (left in portrait) becomes the top."""
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = PAGE_HEIGHT, PAGE_WIDTH
    section.top_margin, section.bottom_margin = LEFT, RIGHT
    section.left_margin, section.right_margin = TOP, BOTTOM
    section.footer_distance = Mm(15)


def _setup_document(doc) -> None:
    section = doc.sections[0]
    _portrait(section)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = BODY_SIZE
    _set_all_font_slots(normal.element.get_or_add_rPr(), BODY_FONT)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number_footers(section)


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


def _page_number(footer, align) -> None:
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    # 单页码居右空一字，双页码居左空一字 (one 4号 character of space on the outer side).
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        fmt.right_indent = PAGE_NUMBER_SIZE
    else:
        fmt.left_indent = PAGE_NUMBER_SIZE
    set_run_font(p.add_run("— "), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    _field_run(p, " PAGE ")
    set_run_font(p.add_run(" —"), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)


def _page_number_footers(section) -> None:
    _page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)  # odd pages (Word's default footer)
    _page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)


# --- tables ---------------------------------------------------------------------------------------


def display_width(text: str) -> int:
    """Width in half-character units: CJK and full-width characters count 2, others 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def column_widths(table: Table, total: int, minimum: int = 4, cap: int = 40) -> list[int]:
    """Column widths (in the unit of `total`) proportional to their content: the longest cell of each
    column, capped so one long text wraps instead of starving the others, floored so a column is
    never one character wide (a 评分标准 column gets the room its criteria need)."""
    demand = []
    for c in range(len(table.header)):
        cells = [table.header[c], *(row[c] for row in table.rows if c < len(row))]
        longest = max((display_width(x) for x in cells), default=0)
        demand.append(min(max(longest, minimum), cap))
    scale = total / sum(demand)
    widths = [int(d * scale) for d in demand]
    widths[-1] += total - sum(widths)
    return widths


def _row_props(row, header: bool) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    cant_split = OxmlElement("w:cantSplit")
    tr_pr.append(cant_split)
    if header:
        repeat = OxmlElement("w:tblHeader")
        tr_pr.append(repeat)


def _fixed_layout(t, widths: Sequence[int]) -> None:
    """Fixed layout (python-docx writes w:tblLayout in its schema place) and the widths in twips."""
    t.autofit = False
    tbl_pr = t._tbl.tblPr
    width = tbl_pr.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        tbl_pr.append(width)
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(sum(widths)))
    for grid_col, w in zip(t._tbl.tblGrid.findall(qn("w:gridCol")), widths):
        grid_col.set(qn("w:w"), str(w))


def _table(container, table: Table, caption: Optional[str], text_width: Emu) -> None:
    if caption:
        _paragraph(container, caption, BODY_FONT, TABLE_SIZE, bold=True, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER,
                   spacing=TABLE_LINE_SPACING, keep_with_next=True)
    t = container.add_table(rows=1 + len(table.rows), cols=len(table.header))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = column_widths(table, int(Emu(text_width).twips))
    _fixed_layout(t, widths)
    # Row by row: python-docx's table.cell(r, c) rescans the whole grid on every call.
    for r, (row, doc_row) in enumerate(zip((table.header, *table.rows), t.rows)):
        _row_props(doc_row, header=(r == 0))
        for c, (value, cell) in enumerate(zip(row, doc_row.cells)):
            cell.width = Twips(widths[c])
            p = cell.paragraphs[0]
            p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            p.paragraph_format.line_spacing = TABLE_LINE_SPACING
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER if (r == 0 or c > 0) else WD_ALIGN_PARAGRAPH.LEFT
            set_run_font(p.add_run(clean_text(value)), BODY_FONT, TABLE_SIZE, bold=(r == 0))


def _text_width(section) -> Emu:
    return Emu(section.page_width - section.left_margin - section.right_margin)


# --- the document ---------------------------------------------------------------------------------


def _appendix_list(doc, names: Sequence[str]) -> None:
    if not names:
        return
    if len(names) == 1:
        _paragraph(doc, f"附件：{names[0]}", BODY_FONT, BODY_SIZE)
        return
    _paragraph(doc, f"附件：1.{names[0]}", BODY_FONT, BODY_SIZE, keep_with_next=True)
    for i, name in enumerate(names[1:], start=2):
        p = _paragraph(doc, f"{i}.{name}", BODY_FONT, BODY_SIZE, indent=False)
        # Continuation lines align under the first name (附件： is three characters after the indent).
        p.paragraph_format.left_indent = Pt(15.75 * 5)


def _attachment(doc, number: int, attachment: Attachment) -> None:
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    if attachment.landscape:
        _landscape(section)
    else:
        _portrait(section)
    width = _text_width(section)
    _paragraph(doc, f"附件{number}", ATTACHMENT_LABEL_FONT, BODY_SIZE, indent=False, align=WD_ALIGN_PARAGRAPH.LEFT, keep_with_next=True)
    _paragraph(doc, attachment.title, TITLE_FONT, ATTACHMENT_TITLE_SIZE, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER,
               spacing=Pt(30), keep_with_next=True)
    for k, table in enumerate(attachment.tables):
        if k > 0 and table.starts_page:
            run = doc.add_paragraph().add_run()
            set_run_font(run, BODY_FONT, TABLE_SIZE)
            run.add_break(WD_BREAK.PAGE)
        caption = table.caption if table.caption and table.caption != attachment.title else None
        _table(doc, table, caption, width)
    if attachment.note:
        _paragraph(doc, attachment.note, BODY_FONT, TABLE_SIZE, indent=False, spacing=TABLE_LINE_SPACING)


def build_document(report: Report, ledger: Optional[Ledger] = None, attachments: Optional[Sequence[Attachment]] = None):
    """The report as a python-docx Document. With `attachments` (None: the report's own 附件 list,
    nothing attached), the 附件 list names exactly the attachments drawn after the text."""
    doc = Document()
    _setup_document(doc)
    width = _text_width(doc.sections[0])
    _paragraph(doc, report.title, TITLE_FONT, TITLE_SIZE, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, spacing=Pt(36))
    _paragraph(doc, report.unit_name, BODY_FONT, BODY_SIZE, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    if report.report_date:
        _paragraph(doc, report.report_date, BODY_FONT, BODY_SIZE, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    if report.preamble:
        _paragraph(doc, report.preamble, BODY_FONT, BODY_SIZE)
    counter = HeadingCounter()
    numbers = TableNumbers()
    for section in report.sections:
        number = counter.next(section.level)
        _paragraph(doc, f"{number}{section.heading}", HEADING_FONTS[section.level], BODY_SIZE, keep_with_next=True)
        for text in section.text.split("\n"):
            if text.strip():
                _paragraph(doc, text.strip(), BODY_FONT, BODY_SIZE)
        if ledger is not None:
            for table in section_tables(section.section_id, ledger):
                _table(doc, table, numbers.caption(table), width)
    names = report.appendix if attachments is None else appendix_names(attachments)
    _appendix_list(doc, names)
    for i, attachment in enumerate(attachments or (), start=1):
        _attachment(doc, i, attachment)
    return doc


def export_docx(report: Report, path: str | Path, ledger: Optional[Ledger] = None, attachments: Optional[Iterable[Attachment]] = None) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    build_document(report, ledger, None if attachments is None else tuple(attachments)).save(path)
    return path
