"""The .docx layout in its XML (what Word reads): headings kept with the next paragraph, table header
rows repeated and rows unsplittable, the 28 × 22 grid, GB/T 9704 page numbers on even and odd pages,
the 自评表 in landscape with columns sized to their content; the 附件 list is the attachments produced;
downloads named for the report; the 基础数据表 in .docx, Markdown and Excel from the ledger."""

from __future__ import annotations

import io
import re

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt

from assistant.drafting import draft_report
from assistant.export.attachments import DEPARTMENT_FORM, PROJECT_FORM, build_attachments
from assistant.export.basic_data import BASIC_DATA_NAME
from assistant.export.docx_export import build_document, display_width
from assistant.export.markdown import attachments_markdown, report_to_markdown
from assistant.export.report_files import export_files, report_attachments, report_file_stem
from assistant.figures import load_figures
from assistant.offline import REPO_ROOT
from assistant.scoring import build_scored_ledger

CASES = REPO_ROOT / "evals" / "cases"
HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.|（\d+）)")


def _case(name):
    figures = load_figures(CASES / name / "figures.yaml")
    ledger = build_scored_ledger(figures)
    report = draft_report(figures)
    attachments = report_attachments(report, ledger, figures)
    return figures, ledger, report, attachments, build_document(report, ledger, attachments)


@pytest.fixture(scope="module")
def nongye():
    return _case("xiangyuan-nongye-2023")


def test_headings_keep_with_next(nongye):
    *_, report, _, doc = nongye
    headings = [p for p in doc.paragraphs if HEADING.match(p.text) and any(p.text.endswith(s.heading) for s in report.sections)]
    assert len(headings) == len(report.sections)
    assert all(p.paragraph_format.keep_with_next for p in headings)


def test_table_header_rows_repeat_and_rows_do_not_split(nongye):
    *_, doc = nongye
    assert len(doc.tables) > 5
    for table in doc.tables:
        rows = table._tbl.tr_lst
        assert rows[0].trPr.find(qn("w:tblHeader")) is not None
        assert all(row.trPr.find(qn("w:cantSplit")) is not None for row in rows)
        assert all(row.trPr.find(qn("w:tblHeader")) is None for row in rows[1:])
        assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"


def test_character_grid_28_by_22(nongye):
    *_, doc = nongye
    body = doc.sections[0]
    grid = body._sectPr.find(qn("w:docGrid"))
    text_height = Emu(body.page_height - body.top_margin - body.bottom_margin)
    text_width = Emu(body.page_width - body.left_margin - body.right_margin)
    line_pitch = int(grid.get(qn("w:linePitch")))  # twips
    assert text_height.twips // line_pitch == 22
    # Word's charSpace: (pitch − 16 pt) × 4096; 28 such pitches fill the line
    pitch_pt = 16 + int(grid.get(qn("w:charSpace"))) / 4096
    assert round(text_width.pt / pitch_pt) == 28
    # the runs are condensed so 28 full-width characters fit and 29 do not, in any renderer
    run = next(p for p in doc.paragraphs if p.text.startswith("2023年年初预算")).runs[0]
    condensed = 16 + int(run._element.rPr.find(qn("w:spacing")).get(qn("w:val"))) / 20
    assert 28 * condensed <= text_width.pt < 29 * condensed


def test_page_numbers_gb9704(nongye):
    *_, doc = nongye
    assert doc.settings.odd_and_even_pages_header_footer
    section = doc.sections[0]
    for footer, align, indent in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right_indent"), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left_indent")):
        p = footer.paragraphs[0]
        assert p.alignment == align
        assert getattr(p.paragraph_format, indent) == Pt(14)  # 空一字
        assert "PAGE" in p._element.xml
        assert p.text == "— 1 —"  # the field's placeholder between 一字线
        for run in p.runs:
            assert run.font.size == Pt(14)
            assert run._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "宋体"
    # about 7 mm between the text block and the number line (4号 ≈ 5 mm tall)
    gap = section.bottom_margin - section.footer_distance - Pt(14)
    assert Mm(5) < gap < Mm(9)
    assert all(not s.footer.is_linked_to_previous for s in doc.sections[:1])
    assert all(s.footer.is_linked_to_previous for s in doc.sections[1:])  # numbering runs on


def test_self_evaluation_forms_landscape_with_content_widths(nongye):
    figures, ledger, report, attachments, doc = nongye
    wide = [s for s in doc.sections if s.page_width > s.page_height]
    assert len(wide) == 2
    form = next(t for t in doc.tables if [c.text for c in t.rows[0].cells][:6] == ["一级指标", "二级指标", "三级指标", "指标值", "分值", "评分标准"])
    widths = [int(c.get(qn("w:w"))) for c in form._tbl.tblGrid.findall(qn("w:gridCol"))]
    text_width = Emu(wide[0].page_width - wide[0].left_margin - wide[0].right_margin)
    assert abs(sum(widths) - text_width.twips) <= 1
    standard, score = widths[5], widths[4]
    assert standard == max(widths) and standard > 3 * score
    assert standard >= Pt(12 * 12).twips  # a 评分标准 line holds a dozen characters or more


def test_appendix_lists_exactly_the_attachments_produced(nongye):
    figures, ledger, report, attachments, doc = nongye
    names = [a.name for a in attachments]
    assert names == [BASIC_DATA_NAME, DEPARTMENT_FORM, PROJECT_FORM]
    texts = [p.text for p in doc.paragraphs]
    start = texts.index(f"附件：1.{names[0]}")
    assert texts[start + 1 : start + len(names)] == [f"{i}.{n}" for i, n in enumerate(names[1:], start=2)]
    md = report_to_markdown(report, ledger, attachments)
    assert md.rstrip().endswith("\n".join(f"{i}. {n}" for i, n in enumerate(names, start=1)))


def test_no_project_form_for_a_unit_without_projects():
    figures = load_figures(CASES / "xiangyuan-nongye-2023" / "figures.yaml").model_copy(update={"projects": []})
    ledger = build_scored_ledger(figures)
    report = draft_report(figures)
    attachments = report_attachments(report, ledger, figures)
    assert PROJECT_FORM not in [a.name for a in attachments]
    md = report_to_markdown(report, ledger, attachments)
    assert PROJECT_FORM not in md
    texts = [p.text for p in build_document(report, ledger, attachments).paragraphs]
    assert not any(PROJECT_FORM in t for t in texts)


def test_basic_data_table_from_the_ledger(nongye):
    figures, ledger, report, attachments, doc = nongye
    [basic] = [a for a in attachments if a.name == BASIC_DATA_NAME]
    staff, spending = basic.tables
    assert staff.header[0] == "编制数"
    assert staff.rows[0] == tuple(ledger[k].text.removesuffix("人") for k in ("staffing.authorized_total", "staffing.actual", "staffing.control_rate"))
    rows = {row[0]: row[1:] for row in spending.rows}
    year = figures.meta.year
    assert spending.header[1:] == (f"{year - 1}年决算数", f"{year}年预算数", f"{year}年决算数")
    bare = lambda key: ledger[key].text.removesuffix("万元") if key in ledger else ""  # noqa: E731
    assert rows["“三公”经费"] == (bare("three_public.last_year_actual.total"), bare("three_public.budget.total"), bare("three_public.actual.total"))
    assert rows["3.公务接待费"][2] == bare("three_public.actual.reception")
    assert rows["项目支出"][1:] == (bare("budget.expenditure.project"), bare("final.expenditure.project"))
    for i, project in enumerate(figures.projects, start=1):
        assert rows[f"（{i}）{project.name}"][2] == bare(f"project.{i}.funds.total.executed")
    assert rows["公用经费"][2] == bare("final.expenditure.public")
    # the same grids in the .docx, the Markdown and the workbook
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    assert set(rows["公用经费"]) - {""} <= cells
    md = attachments_markdown(attachments)
    assert f"# 附件1 {year}年度{BASIC_DATA_NAME}" in md and "| 公用经费 |" in md


def test_downloads_named_for_the_report(nongye):
    figures, ledger, report, attachments, doc = nongye
    files = export_files(report, ledger, figures)
    stem = f"{figures.meta.unit_name}{figures.meta.year}年度部门整体支出绩效自评报告"
    assert report_file_stem(figures.meta.unit_name, figures.meta.year) == stem
    assert set(files) == {f"{stem}.docx", f"{stem}.md", f"{stem}-附件.md", f"{stem}.xlsx"}
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(files[f"{stem}.xlsx"]))
    assert len(wb.sheetnames) == len(attachments)
    values = {str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None}
    assert ledger["final.expenditure.public"].text.removesuffix("万元") in values
    assert Document(io.BytesIO(files[f"{stem}.docx"])).paragraphs[0].text == report.title


def test_file_stem_drops_characters_no_file_system_takes():
    assert report_file_stem('某县/农业:局*?"', 2024) == "某县农业局2024年度部门整体支出绩效自评报告"


def test_display_width_counts_full_width_double():
    assert display_width("评分标准") == 8 and display_width("100%") == 4
