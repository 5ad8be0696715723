"""`verify` reads .docx (paragraphs and tables in document order, with places), .pdf (text layer),
.md and .txt; damaged, oversized and unsupported files exit 2 with a Chinese message naming the file."""

from __future__ import annotations

import io

import pytest

from assistant.cli import main
from assistant.verify.documents import ATTACHMENT, PARAGRAPH, TABLE_ROW, DocumentError, read_document, read_document_bytes

from tests.pdf_bytes import pdf_from_objects
from tests.verify.conftest import SEED_FIGURES


def _docx(paragraphs_and_tables) -> bytes:
    import docx

    document = docx.Document()
    for item in paragraphs_and_tables:
        if isinstance(item, str):
            document.add_paragraph(item)
        else:
            table = document.add_table(rows=len(item), cols=len(item[0]))
            for r, row in enumerate(item):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


SEED_DOCX = [
    "一、部门决算情况",
    "2023年度决算总支出155.29万元，其中基本支出61.41万元。",
    [["项目", "决算数（万元）"], ["基本支出", "61.41"], ["项目支出", "93.88"]],
    "项目支出93.88万元，占总支出的60.45%。",
]


def test_docx_paragraphs_and_tables_in_document_order(tmp_path):
    path = tmp_path / "report.docx"
    path.write_bytes(_docx(SEED_DOCX))
    doc = read_document(path)
    assert [b.kind for b in doc.blocks] == [PARAGRAPH, PARAGRAPH, TABLE_ROW, TABLE_ROW, TABLE_ROW, PARAGRAPH]
    assert [b.place for b in doc.blocks] == ["第1段", "第2段", "表1第1行", "表1第2行", "表1第3行", "第3段"]
    assert doc.blocks[3].text == "基本支出 | 61.41"
    assert doc.place_of_line(4) == "表1第2行"


def test_verify_cli_on_docx_passes_and_names_the_table_row(tmp_path, capsys):
    path = tmp_path / "report.docx"
    path.write_bytes(_docx(SEED_DOCX))
    assert main(["verify", "--figures", str(SEED_FIGURES), str(path)]) == 0
    capsys.readouterr()
    wrong = [item if not isinstance(item, list) else [row[:1] + [row[1].replace("93.88", "93.38")] for row in item] for item in SEED_DOCX]
    path.write_bytes(_docx(wrong))
    assert main(["verify", "--figures", str(SEED_FIGURES), str(path)]) == 1
    out = capsys.readouterr().out
    assert "（表1第3行）" in out and "93.38" in out


def test_attachments_are_named_not_checked(tmp_path, capsys):
    path = tmp_path / "report.docx"
    path.write_bytes(_docx(SEED_DOCX + ["附件1", "部门整体支出绩效自评表", [["在职人员控制率", "5", "每超过1个百分点扣0.5分"]]]))
    doc = read_document(path)
    assert [b.part for b in doc.blocks][-3:] == [ATTACHMENT] * 3
    assert main(["verify", "--figures", str(SEED_FIGURES), str(path)]) == 0
    assert "未作数字核对" in capsys.readouterr().out


def _minimal_pdf(text: str) -> bytes:
    """A one-page PDF with a text layer in Helvetica (ASCII only), written by hand."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return pdf_from_objects(objects)


def test_pdf_text_layer_by_hand(tmp_path, capsys):
    path = tmp_path / "report.pdf"
    path.write_bytes(_minimal_pdf("155.29 61.41 93.88"))
    doc = read_document(path)
    assert "155.29" in doc.text
    assert main(["verify", "--figures", str(SEED_FIGURES), str(path)]) == 0
    path.write_bytes(_minimal_pdf("155.29 61.41 93.89"))
    assert main(["verify", "--figures", str(SEED_FIGURES), str(path)]) == 1


def test_pdf_made_by_libreoffice(tmp_path, capsys):
    from assistant.export.render import docx_to_pdf, soffice

    if soffice() is None:
        pytest.skip("LibreOffice（soffice）未安装，跳过由 .docx 转换的 PDF 测试（手写 PDF 的测试仍会运行）")
    pdf = docx_to_pdf(_docx(SEED_DOCX))
    if pdf is None:
        pytest.skip("LibreOffice 未能转换 PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    assert "155.29" in read_document(path).text
    assert main(["verify", "--figures", str(SEED_FIGURES), str(path)]) == 0


def test_markdown_and_text(tmp_path, capsys):
    md = tmp_path / "report.md"
    md.write_text("## 决算\n决算总支出155.29万元。\n", encoding="utf-8")
    assert main(["verify", "--figures", str(SEED_FIGURES), str(md)]) == 0
    txt = tmp_path / "report.txt"
    txt.write_bytes("决算总支出155.92万元。".encode("gb18030"))
    assert main(["verify", "--figures", str(SEED_FIGURES), str(txt)]) == 1


@pytest.mark.parametrize(
    "name,data,fragment",
    [
        ("broken.docx", b"PK\x03\x04 not really a zip", "Word"),
        ("broken.pdf", b"%PDF-1.4 garbage without objects", "PDF"),
        ("fake.pdf", b"hello", "PDF"),
        ("binary.txt", b"\x00\x01\x02\x03" * 50, "二进制"),
        ("old.doc", b"\xd0\xcf\x11\xe0", ".doc"),
    ],
)
def test_unreadable_reports_exit_2_with_the_file_named(tmp_path, capsys, name, data, fragment):
    path = tmp_path / name
    path.write_bytes(data)
    code = main(["verify", "--figures", str(SEED_FIGURES), str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert name in err and fragment in err


def test_oversized_report_is_refused_before_reading(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ASSISTANT_MAX_FILE_MB", "0.001")
    path = tmp_path / "big.txt"
    path.write_text("决算总支出155.29万元。" * 200, encoding="utf-8")
    with pytest.raises(DocumentError, match="文件过大"):
        read_document(path)
    assert main(["verify", "--figures", str(SEED_FIGURES), str(path)]) == 2


def test_empty_report_has_no_figures():
    assert read_document_bytes("empty.md", b"  \n").blocks == []


def test_our_exported_docx_as_pdf_reads_as_sentences():
    """The .docx we export, turned into a PDF by LibreOffice and read back from its text layer: wrapped
    lines are joined into sentences, page numbers dropped, "69.12 万亩" read as one figure. The text
    layer still moves some quotation marks (“在 4.15”…), so a handful of figures next to them are
    not read as written; everything else traces."""
    from assistant.drafting import draft_report
    from assistant.export.render import docx_to_pdf, soffice
    from assistant.export.report_files import export_files, report_file_stem
    from assistant.evaluation.cases import load_case
    from assistant.ledger.calculator import note_texts
    from assistant.ledger.settings import ReportSettings
    from assistant.scoring import build_scored_ledger
    from assistant.verify import SUPPORTED, verify

    if soffice() is None:
        pytest.skip("LibreOffice（soffice）未安装，跳过导出稿转 PDF 的核对测试")
    case = load_case("xiangyuan-nongye-2023")
    report = draft_report(case.figures, settings=ReportSettings(outline=case.outline), outline=case.outline, backend="offline")
    ledger = build_scored_ledger(case.figures)
    files = export_files(report, ledger, case.figures)
    pdf = docx_to_pdf(files[report_file_stem(case.figures.meta.unit_name, case.figures.meta.year) + ".docx"])
    if pdf is None:
        pytest.skip("LibreOffice 未能转换 PDF")
    document = read_document_bytes("report.pdf", pdf)
    assert document.attachment_blocks
    assert not any(b.text.startswith("—") and b.text.endswith("—") for b in document.blocks)
    result = verify(document.body_text, ledger, note_texts(case.figures))
    supported = sum(1 for f in result.findings if f.status == SUPPORTED)
    assert len(result.findings) > 150
    assert supported / len(result.findings) >= 0.97, result.render_text()
    assert "69.12 万亩" in {f.text for f in result.findings}
