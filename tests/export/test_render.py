"""The .docx as LibreOffice lays it out: 28 characters a line and 22 lines a page on a body page, no
heading as the last line of a page, the 自评表 on landscape pages, page numbers “— N —” on every page.

Skipped (with the reason) only when LibreOffice's `soffice` is not installed; .ci/run installs it."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from assistant.drafting import draft_report
from assistant.export.docx_export import CHARS_PER_LINE, LINES_PER_PAGE, build_document
from assistant.export.markdown import numbered_headings
from assistant.export.render import docx_to_pdf, have_pdfium, pdf_layout, soffice
from assistant.export.report_files import report_attachments
from assistant.figures import load_figures
from assistant.interface import SectionDraft
from assistant.offline import REPO_ROOT
from assistant.scoring import build_scored_ledger

pytestmark = [
    pytest.mark.skipif(soffice() is None, reason="LibreOffice（soffice）未安装：.ci/run 会安装 libreoffice-writer-nogui"),
    pytest.mark.skipif(not have_pdfium(), reason="pypdfium2 未安装"),
]

CASES = REPO_ROOT / "evals" / "cases"
PAGE_NUMBER = re.compile(r"^—\d+—$")
# Wide characters only: curly quotes and dashes are "ambiguous" width, which a renderer may draw
# half-width from a Latin font.
FULL_WIDTH = re.compile(r"^[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+$")


def _render(report, ledger, attachments):
    import io

    buffer = io.BytesIO()
    build_document(report, ledger, attachments).save(buffer)
    return pdf_layout(docx_to_pdf(buffer.getvalue()))


def _body(page):
    """A page's lines without its page number."""
    lines = list(page.lines)
    assert PAGE_NUMBER.match(lines[-1].text), lines[-1].text
    return lines[:-1]


@pytest.fixture(scope="module")
def nongye():
    figures = load_figures(CASES / "xiangyuan-nongye-2023" / "figures.yaml")
    ledger = build_scored_ledger(figures)
    report = draft_report(figures)
    return figures, ledger, report


@pytest.fixture(scope="module")
def rendered(nongye):
    figures, ledger, report = nongye
    attachments = report_attachments(report, ledger, figures)
    return report, attachments, _render(report, ledger, attachments)


def _prose(figures) -> str:
    """Long text in the user's own words, full-width characters only (half-width digits would fit
    more than 28 to a line, as they should)."""
    words = "".join(figures.duties + [item for area in figures.work_notes for item in area.items])
    return "".join(ch for ch in words if FULL_WIDTH.match(ch))


def test_grid_28_characters_a_line_22_lines_a_page(nongye):
    figures, ledger, report = nongye
    prose = _prose(figures)
    assert prose
    prose *= -(-CHARS_PER_LINE * LINES_PER_PAGE * 3 // len(prose))  # at least three pages of it
    # Paragraphs of about ten lines each, so at least one page holds nothing but body lines.
    paragraphs = [prose[i : i + 280] for i in range(0, len(prose), 280)]
    section = SectionDraft("duties", "部门主要职责", 1, "\n".join(paragraphs), "template")
    text_only = replace(report, sections=[section], preamble="", appendix=[])
    pages = _render(text_only, None, [])
    body_pages = [_body(p) for p in pages[1:-1]]  # the first has the title, the last may be short
    assert body_pages, "需要至少三页正文"
    for lines in body_pages:
        assert len(lines) == LINES_PER_PAGE
        full = [line.text for line in lines if FULL_WIDTH.match(line.text)]
        # Every line is full except a paragraph's last; first lines lose the 2-character indent.
        assert max(len(t) for t in full) == CHARS_PER_LINE, [t for t in full if len(t) > CHARS_PER_LINE]
        assert all(len(t) <= CHARS_PER_LINE for t in full)
        assert sum(1 for t in full if len(t) == CHARS_PER_LINE) >= LINES_PER_PAGE // 2


def test_no_heading_is_the_last_line_of_a_page(rendered):
    report, _, pages = rendered
    headings = [f"{n}{s.heading}".replace(" ", "") for n, s in zip(numbered_headings(report), report.sections)]
    assert len(pages) > 3
    for number, page in enumerate(pages, start=1):
        last = _body(page)[-1].text
        assert not any(last == h or (len(h) > CHARS_PER_LINE and h.endswith(last)) for h in headings), (number, last)


def test_every_page_numbered_and_attachments_landscape(rendered):
    report, attachments, pages = rendered
    assert [int(p.lines[-1].text.strip("—")) for p in pages] == list(range(1, len(pages) + 1))
    landscape = [p for p in pages if p.landscape]
    wide = [a for a in attachments if a.landscape]
    assert wide and len(landscape) >= len(wide)
    # Portrait pages come first (text, then the 基础数据表), the 自评表 pages after them.
    first_landscape = next(i for i, p in enumerate(pages) if p.landscape)
    assert all(p.landscape for p in pages[first_landscape:])
    texts = ["".join(line.text for line in p.lines) for p in landscape]
    assert any("评分标准" in t for t in texts)
