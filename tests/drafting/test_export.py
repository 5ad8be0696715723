"""Export: the .docx follows GB/T 9704 (fonts with the East Asian slot, margins, headings, page numbers),
tables carry the ledger's figures byte for byte, and the Markdown has the numbered headings."""

from __future__ import annotations

import re

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips

from assistant.drafting import draft_report
from assistant.export.markdown import report_to_markdown
from assistant.export.report_files import write_report_files
from assistant.figures import load_figures
from assistant.scoring import build_scored_ledger
from assistant.offline import REPO_ROOT

SEED = REPO_ROOT / "evals" / "cases" / "hengshan-fulian-2023" / "figures.yaml"
HEADING_RE = [re.compile(r"^[一二三四五六七八九十]+、"), re.compile(r"^（[一二三四五六七八九十]+）"), re.compile(r"^\d+\."), re.compile(r"^（\d+）")]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    figures = load_figures(SEED)
    ledger = build_scored_ledger(figures)
    report = draft_report(figures)
    out = tmp_path_factory.mktemp("export")
    write_report_files(report, ledger, figures, docx_path=out / "r.docx", md_path=out / "r.md")
    return figures, ledger, report, Document(str(out / "r.docx")), (out / "r.md").read_text(encoding="utf-8")


def test_every_run_has_east_asian_font(exported):
    *_, doc, _ = exported
    runs = [r for p in doc.paragraphs for r in p.runs]
    runs += [r for t in doc.tables for row in t.rows for cell in row.cells for p in cell.paragraphs for r in p.runs]
    runs += [r for s in doc.sections for p in s.footer.paragraphs for r in p.runs]
    assert len(runs) > 50
    for run in runs:
        fonts = run._element.rPr.find(qn("w:rFonts"))
        assert fonts is not None and fonts.get(qn("w:eastAsia")), run.text
        assert fonts.get(qn("w:eastAsia")) == fonts.get(qn("w:ascii"))


def test_page_setup_and_page_numbers(exported):
    *_, doc, _ = exported
    s = doc.sections[0]
    # Word stores twentieths of a point, so millimetres come back within a rounding step.
    measured = (s.page_width, s.page_height, s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)
    expected = (Mm(210), Mm(297), Mm(37), Mm(35), Mm(28), Mm(26))
    for got, want in zip(measured, expected):
        assert abs(got - want) < Mm(0.05)
    footer_xml = s.footer.paragraphs[0]._element.xml
    assert "PAGE" in footer_xml and "— " in s.footer.paragraphs[0].text


def test_title_and_headings_follow_official_numbering(exported):
    figures, ledger, report, doc, _ = exported
    title = doc.paragraphs[0]
    assert title.text == report.title
    assert title.runs[0].font.size == Pt(22)
    assert title.runs[0]._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "方正小标宋简体"
    texts = [p.text for p in doc.paragraphs]
    for section in report.sections:
        matches = [t for t in texts if t.endswith(section.heading) and HEADING_RE[section.level - 1].match(t)]
        assert matches, section.heading
    heading_fonts = {"一、单位基本情况": "黑体", "（一）部门主要职责": "楷体_GB2312"}
    for p in doc.paragraphs:
        if p.text in heading_fonts:
            assert p.runs[0]._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == heading_fonts[p.text]


def test_body_indent_and_line_spacing(exported):
    *_, report, doc, _ = exported
    body = [p for p in doc.paragraphs if p.text.startswith("2023年年初预算安排收入")][0]
    # two characters of the 28-character line (3号 condensed by 0.25 pt), and Word's own unit too
    assert body.paragraph_format.first_line_indent == Pt(2 * (16 - 0.25))
    assert body.paragraph_format.element.pPr.ind.get(qn("w:firstLineChars")) == "200"
    assert body.paragraph_format.line_spacing == Twips(579)


def test_tables_hold_ledger_figures_byte_for_byte(exported):
    figures, ledger, report, doc, _ = exported
    cells = {cell.text for t in doc.tables for row in t.rows for cell in row.cells}
    for key in ("final.expenditure.total", "final.expenditure.basic", "three_public.actual.total", "procurement.total", "assets.net_assets"):
        assert ledger[key].text in cells
    header = doc.tables[0].rows[0].cells[0].paragraphs[0].runs[0]
    assert header.bold


def test_markdown_headings_and_figures(exported):
    figures, ledger, report, _, md = exported
    assert md.startswith(f"# {report.title}")
    assert "## 一、单位基本情况" in md and "#### 1.部门预算情况" in md
    for key in ("final.income.change_vs_budget", "final.expenditure.basic_share", "assets.fixed_assets_utilization"):
        assert ledger[key].text in md
    assert report_to_markdown(report).count("##") == md.count("##")


def test_each_attachment_is_a_section_of_its_own(exported):
    figures, ledger, report, doc, _ = exported
    # the report body, the 基础数据表 (portrait), the 部门整体支出绩效自评表 and the 项目支出绩效自评表 (landscape)
    orientations = [s.page_width > s.page_height for s in doc.sections]
    assert orientations == [False, False, True, True]
    labels = [p.text for p in doc.paragraphs if re.fullmatch(r"附件\d", p.text)]
    assert labels == ["附件1", "附件2", "附件3"]
    # one page per project: the first starts with the section, each other after a page break
    captions = [p.text for p in doc.paragraphs if p.text.startswith("项目支出绩效自评表（")]
    assert captions == [f"项目支出绩效自评表（{p.name}）" for p in figures.projects]
    breaks = doc.element.body.xml.count('w:type="page"')
    assert breaks == len(figures.projects) - 1
