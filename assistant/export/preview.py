"""排版预览: the report as it will print.

With LibreOffice (and pypdfium2) the preview is the real thing: the exported .docx converted to PDF and
each page drawn as an image. Without them it is an HTML page in the 公文 format — A4 with the 37/35/28/26
mm margins, 2号 title, 3号 仿宋 body with a 2-character indent on 28.95 pt lines, heading fonts by level,
tables in 小4号 — built from the same report, tables and attachments as the .docx. The HTML loads no
remote resource (fonts fall back to the reader's own).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Optional, Sequence

from assistant.export.attachments import Attachment, appendix_names
from assistant.export.numbering import HeadingCounter
from assistant.export.render import RenderError, docx_to_pdf, have_pdfium, pdf_page_images, soffice
from assistant.export.tables import Table, TableNumbers, section_tables
from assistant.interface import Report
from assistant.ledger.facts import Ledger

FONT_STACKS = {
    "title": "'方正小标宋简体', 'FZXiaoBiaoSong-B05S', 'STZhongsong', 'SimSun', serif",
    "body": "'仿宋_GB2312', '仿宋', 'FangSong', 'STFangsong', serif",
    1: "'黑体', 'SimHei', 'Heiti SC', sans-serif",
    2: "'楷体_GB2312', '楷体', 'KaiTi', 'STKaiti', serif",
}


@dataclass
class Preview:
    """Page images (PNG bytes) when the real render worked, else the HTML preview; `note` says which."""

    images: list[bytes] = field(default_factory=list)
    html: str = ""
    note: str = ""


def render_pages(docx: bytes, scale: float = 1.0) -> tuple[Optional[list[bytes]], str]:
    """(page images, '') or (None, why not)."""
    if soffice() is None:
        return None, "未安装 LibreOffice，显示按公文格式排版的网页预览（与 Word 分页可能略有不同）。"
    if not have_pdfium():
        return None, "未安装 pypdfium2，显示按公文格式排版的网页预览。"
    try:
        pdf = docx_to_pdf(docx)
    except RenderError as exc:
        return None, f"{exc}；显示按公文格式排版的网页预览。"
    images = pdf_page_images(pdf, scale=scale) if pdf else None
    return (images, "") if images else (None, "未能生成页面图像，显示网页预览。")


_CSS = """
.gw-page { width: 210mm; min-height: 297mm; box-sizing: border-box; padding: 37mm 26mm 35mm 28mm;
  margin: 0 auto 12px auto; background: #fff; color: #000; box-shadow: 0 0 4px rgba(0,0,0,.3); }
.gw-page.landscape { width: 297mm; min-height: 210mm; padding: 28mm 35mm 26mm 37mm; }
.gw-page p { margin: 0; font-size: 16pt; line-height: 28.95pt; text-align: justify; font-family: %(body)s; }
.gw-page p.body { text-indent: 2em; }
.gw-page p.h1 { text-indent: 2em; font-family: %(h1)s; }
.gw-page p.h2 { text-indent: 2em; font-family: %(h2)s; }
.gw-page p.h3, .gw-page p.h4 { text-indent: 2em; }
.gw-page p.title { text-align: center; font-size: 22pt; line-height: 36pt; font-family: %(title)s; }
.gw-page p.center { text-align: center; }
.gw-page p.label { font-family: %(h1)s; }
.gw-page p.att-title { text-align: center; font-size: 18pt; line-height: 30pt; font-family: %(title)s; }
.gw-page p.att-more { padding-left: 5em; }
.gw-page p.caption { text-align: center; font-size: 12pt; line-height: 20pt; font-weight: bold; }
.gw-page p.note { font-size: 12pt; line-height: 20pt; }
.gw-page table { border-collapse: collapse; width: 100%%; margin: 0 0 8pt 0; font-family: %(body)s; font-size: 12pt; }
.gw-page th, .gw-page td { border: 1px solid #000; padding: 2pt 4pt; text-align: center; line-height: 18pt; }
.gw-page td:first-child { text-align: left; }
.gw-page th { font-weight: bold; }
.gw-page .todo { background: #fff3b0; }
""" % {"body": FONT_STACKS["body"], "h1": FONT_STACKS[1], "h2": FONT_STACKS[2], "title": FONT_STACKS["title"]}


def _p(text: str, cls: str) -> str:
    from assistant.todos import TODO_RE

    escaped = html.escape(text)
    escaped = TODO_RE.sub(lambda m: f'<span class="todo">{m.group(0)}</span>', escaped)
    return f'<p class="{cls}">{escaped}</p>'


def _table(table: Table, caption: Optional[str]) -> str:
    parts = [_p(caption, "caption")] if caption else []
    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in table.rows)
    parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    return "".join(parts)


def html_preview(report: Report, ledger: Optional[Ledger] = None, attachments: Optional[Sequence[Attachment]] = None) -> str:
    """A self-contained HTML document: the text pages, then one page (set) per attachment."""
    parts = [_p(report.title, "title"), _p(report.unit_name, "center")]
    if report.report_date:
        parts.append(_p(report.report_date, "center"))
    if report.preamble:
        parts.append(_p(report.preamble, "body"))
    counter, numbers = HeadingCounter(), TableNumbers()
    for section in report.sections:
        parts.append(_p(f"{counter.next(section.level)}{section.heading}", f"h{section.level}"))
        parts += [_p(t.strip(), "body") for t in section.text.split("\n") if t.strip()]
        if ledger is not None:
            parts += [_table(t, numbers.caption(t)) for t in section_tables(section.section_id, ledger)]
    names = report.appendix if attachments is None else appendix_names(attachments)
    if len(names) == 1:
        parts.append(_p(f"附件：{names[0]}", "body"))
    elif names:
        parts.append(_p(f"附件：1.{names[0]}", "body"))
        parts += [_p(f"{i}.{n}", "att-more") for i, n in enumerate(names[1:], start=2)]
    pages = [f'<div class="gw-page">{"".join(parts)}</div>']
    for i, attachment in enumerate(attachments or (), start=1):
        inner = [_p(f"附件{i}", "label"), _p(attachment.title, "att-title")]
        inner += [_table(t, t.caption if t.caption and t.caption != attachment.title else None) for t in attachment.tables]
        if attachment.note:
            inner.append(_p(attachment.note, "note"))
        pages.append(f'<div class="gw-page{" landscape" if attachment.landscape else ""}">{"".join(inner)}</div>')
    return f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><style>{_CSS}</style></head><body style="background:#eee;padding:12px">{"".join(pages)}</body></html>'


def build_preview(docx: bytes, report: Report, ledger: Optional[Ledger], attachments: Optional[Sequence[Attachment]], scale: float = 1.0) -> Preview:
    images, note = render_pages(docx, scale)
    if images:
        return Preview(images=images, note="按 Word 文件实际分页（LibreOffice 排版）。")
    return Preview(html=html_preview(report, ledger, attachments), note=note)
