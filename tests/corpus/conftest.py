"""Fixtures for the corpus tests: small documents in every supported format, and a fresh index."""

from __future__ import annotations

import uuid
import zlib
from pathlib import Path

import pytest

from tests.pdf_bytes import pdf_from_objects

REPORT_TEXT = """2022年度部门整体支出绩效自评报告
示范县农业农村局
一、单位基本情况
（一）部门主要职责
负责全县农业农村工作的统筹规划和组织实施。
二、预算支出及绩效情况
（一）“三公”经费执行情况
2022年“三公”经费预算数1.20万元，决算数0.85万元，控制率为70.83%。
（二）政府采购执行情况
2022年度政府采购支出23.45万元，其中货物10.00万元，服务13.45万元。
三、存在的主要问题及下一步改进措施
预算编制的精细化程度有待提高。
"""

POLICY_TEXT = """# 预算绩效评分办法（示例）

## 一、评分规则

（一）预算执行率得分等于执行率乘以10分，执行率超过100%的按100%计。

（二）总分90分以上为优。
"""


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    """A folder with a report (.txt, UTF-8) and a policy (.md)."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "report-2022.txt").write_text(REPORT_TEXT, encoding="utf-8")
    (folder / "scoring.md").write_text(POLICY_TEXT, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real `chroma run` on a free loopback port, for the session; yields (host, port)."""
    from tests.corpus.chroma_server import ChromaServer

    with ChromaServer(tmp_path_factory.mktemp("chroma-server")) as server:
        yield server.host, server.port


@pytest.fixture(params=["local", pytest.param("server", marks=pytest.mark.server)])
def index(request, tmp_path: Path):
    """A fresh, empty index: embedded (local) and, marked `server`, on a real Chroma server."""
    from assistant.corpus.index import CorpusIndex

    if request.param == "local":
        return CorpusIndex.open(tmp_path / "chroma")
    host, port = request.getfixturevalue("chroma_server")
    # One collection per test keeps the tests independent on the shared server.
    name = "t_" + uuid.uuid4().hex[:12]
    return CorpusIndex.connect(host, port, collection_name=name, bm25_path=tmp_path / "bm25.json")


def make_docx(path: Path, heading: str, paragraphs: list[str], table: list[list[str]] | None = None) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = ""
    document.add_heading(heading, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    document.save(path)
    return path


def make_xlsx(path: Path, rows: list[list[object]], sheet: str = "基础数据") -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    workbook.save(path)
    return path


def make_text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a real text layer (Helvetica, ASCII text), built by hand."""
    content = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    stream = zlib.compress(content.encode("latin-1"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    return pdf_from_objects(objects)
