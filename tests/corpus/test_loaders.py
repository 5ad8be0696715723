"""Loaders: every supported format, encodings, and the metadata guesses."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.corpus.loaders import LoadError, decode_text, load_bytes, load_path
from assistant.corpus.metadata import guess_metadata
from tests.corpus.conftest import REPORT_TEXT, make_docx, make_text_pdf, make_xlsx


def test_utf8_text_keeps_content_and_guesses_metadata(tmp_path: Path):
    path = tmp_path / "report.txt"
    path.write_text(REPORT_TEXT, encoding="utf-8")
    document, data = load_path(path)
    assert document.text == REPORT_TEXT
    assert data == path.read_bytes()
    meta = document.meta
    assert (meta.file, meta.title, meta.year, meta.unit, meta.kind) == (
        "report.txt",
        "2022年度部门整体支出绩效自评报告",
        2022,
        "示范县农业农村局",
        "report",
    )


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_chinese_encodings_are_detected(tmp_path: Path, encoding: str):
    path = tmp_path / f"report-{encoding}.txt"
    path.write_bytes(REPORT_TEXT.encode(encoding))
    document, _ = load_path(path)
    assert document.text == REPORT_TEXT


def test_crlf_is_normalised_so_offsets_agree_across_formats():
    document = load_bytes("a.txt", "第一行\r\n第二行\r\n".encode("utf-8"))
    assert document.text == "第一行\n第二行\n"


def test_docx_paragraphs_tables_and_heading_styles(tmp_path: Path):
    path = make_docx(
        tmp_path / "notice.docx",
        "关于开展绩效自评工作的通知",
        ["各单位：", "请于2024年6月30日前报送自评报告。"],
        table=[["单位", "预算数"], ["县妇联", "39.78"]],
    )
    document, _ = load_path(path)
    lines = document.text.splitlines()
    assert lines[0] == "# 关于开展绩效自评工作的通知"  # a styled heading becomes a Markdown heading
    assert "请于2024年6月30日前报送自评报告。" in lines
    assert "单位 | 预算数" in lines and "县妇联 | 39.78" in lines
    assert document.meta.kind == "notice"
    assert document.meta.title == "关于开展绩效自评工作的通知"


def test_xlsx_sheets_become_tables(tmp_path: Path):
    path = make_xlsx(tmp_path / "data.xlsx", [["项目", "预算数", "执行数"], ["三公经费", 0.5, 0.09], ["合计", 12, None]])
    document, _ = load_path(path)
    assert document.text.splitlines() == ["## 工作表：基础数据", "项目 | 预算数 | 执行数", "三公经费 | 0.5 | 0.09", "合计 | 12"]


def test_pdf_text_layer(tmp_path: Path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(make_text_pdf(["Budget report 2023", "Sangong funds 0.09"]))
    document, _ = load_path(path)
    assert "Budget report 2023" in document.text and "Sangong funds 0.09" in document.text
    assert document.meta.year is None or document.meta.year == 2023


def test_binary_data_is_refused():
    with pytest.raises(LoadError, match="二进制"):
        decode_text(bytes(range(256)) * 4)


def test_kind_guesses_from_titles():
    assert guess_metadata("# 项目支出绩效评分规则\n正文", "a.md").kind == "policy"
    assert guess_metadata("关于报送2023年度绩效自评报告的通知\n各单位：", "b.txt").kind == "notice"
    assert guess_metadata("2023年度部门整体支出绩效自评报告\n某县财政局", "c.txt").kind == "report"
    assert guess_metadata("会议纪要\n今天开会。", "d.txt").kind == "other"


def test_year_falls_back_to_the_file_name():
    meta = guess_metadata("部门整体支出绩效自评报告\n正文没有年份。", "xx-2021-report.txt")
    assert meta.year == 2021
