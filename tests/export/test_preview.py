"""排版预览: real page images when LibreOffice is there, else a self-contained HTML page in 公文 format."""

from __future__ import annotations

import io
import re

import pytest

from assistant.drafting import draft_report
from assistant.export import preview as preview_mod
from assistant.export.docx_export import build_document
from assistant.export.preview import build_preview, html_preview
from assistant.export.render import have_pdfium, soffice
from assistant.export.report_files import report_attachments
from assistant.figures import load_figures
from assistant.interface import SectionDraft
from assistant.offline import REPO_ROOT
from assistant.scoring import build_scored_ledger
from assistant.todos import TODO_REASON


@pytest.fixture(scope="module")
def drafted():
    figures = load_figures(REPO_ROOT / "evals" / "cases" / "hengshan-fulian-2023" / "figures.yaml")
    ledger = build_scored_ledger(figures)
    report = draft_report(figures)
    attachments = report_attachments(report, ledger, figures)
    buffer = io.BytesIO()
    build_document(report, ledger, attachments).save(buffer)
    return figures, ledger, report, attachments, buffer.getvalue()


def test_html_preview_in_official_sizes_and_self_contained(drafted):
    figures, ledger, report, attachments, _ = drafted
    page = html_preview(report, ledger, attachments)
    for rule in ("width: 210mm", "padding: 37mm 26mm 35mm 28mm", "font-size: 16pt", "line-height: 28.95pt", "text-indent: 2em", "font-size: 22pt"):
        assert rule in page
    assert "仿宋_GB2312" in page and "黑体" in page and "楷体_GB2312" in page
    assert report.title in page and "一、单位基本情况" in page
    assert ledger["final.expenditure.total"].text in page
    assert page.count('class="gw-page') == 1 + len(attachments)
    assert page.count("gw-page landscape") == sum(a.landscape for a in attachments)
    # no remote resource of any kind
    assert not re.search(r"(?:src|href)\s*=|@import|url\(", page, re.I)


def test_html_preview_escapes_and_marks_todos(drafted):
    figures, ledger, report, attachments, _ = drafted
    section = SectionDraft("other", "其他需要说明的情况", 1, f"<script>x</script>超编原因：{TODO_REASON}。", "template")
    page = html_preview(type(report)(report.title, report.unit_name, "", [section]), None, [])
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert f'<span class="todo">{TODO_REASON}</span>' in page


def test_preview_falls_back_to_html_without_libreoffice(drafted, monkeypatch):
    figures, ledger, report, attachments, docx = drafted
    monkeypatch.setattr(preview_mod, "soffice", lambda: None)
    shown = build_preview(docx, report, ledger, attachments)
    assert not shown.images and "LibreOffice" in shown.note and report.title in shown.html


@pytest.mark.skipif(soffice() is None or not have_pdfium(), reason="LibreOffice（soffice）或 pypdfium2 未安装")
def test_preview_shows_the_real_pages(drafted):
    figures, ledger, report, attachments, docx = drafted
    shown = build_preview(docx, report, ledger, attachments, scale=0.5)
    assert not shown.html
    assert len(shown.images) > 3 and all(img.startswith(b"\x89PNG") for img in shown.images)
    from PIL import Image

    first = Image.open(io.BytesIO(shown.images[0]))
    assert first.height > first.width  # an A4 portrait page
    last = Image.open(io.BytesIO(shown.images[-1]))
    assert last.width > last.height  # the 自评表 in landscape
