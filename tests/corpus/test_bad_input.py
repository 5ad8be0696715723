"""Bad files: each gets a clear Chinese message, the rest of the batch still goes in, the index works."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from assistant.corpus.index import Upload
from tests.corpus.conftest import make_docx


def _encrypted_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _scanned_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def bad_batch(tmp_path: Path, docs: Path) -> tuple[list[object], dict[str, str]]:
    """A batch mixing good and bad files; and, per bad file, a word its message must contain."""
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "corrupt.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\ntrailer\n<<>>\n%%EOF")
    (bad / "fake.pdf").write_bytes(b"this is not a pdf at all")
    (bad / "encrypted.pdf").write_bytes(_encrypted_pdf())
    (bad / "scanned.pdf").write_bytes(_scanned_pdf())
    (bad / "corrupt.docx").write_bytes(b"PK\x03\x04" + os.urandom(2000))
    good_docx = make_docx(tmp_path / "ok.docx", "示例单位工作总结", ["本年度完成培训12期。"])
    (bad / "truncated.docx").write_bytes(good_docx.read_bytes()[:1500])
    (bad / "empty.txt").write_bytes(b"")
    (bad / "blank.md").write_text("  \n\n  ", encoding="utf-8")
    (bad / "garbage.txt").write_bytes(bytes((i * 37 + 11) % 256 for i in range(5000)))
    (bad / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0 old word")
    (bad / "program.exe").write_bytes(b"MZ\x90\x00")
    huge = bad / "huge.txt"
    with huge.open("wb") as handle:  # sparse: 50 MB on paper, nothing on disk
        handle.truncate(50 * 1024 * 1024)
    expected = {
        "corrupt.pdf": "PDF",
        "fake.pdf": "PDF",
        "encrypted.pdf": "加密",
        "scanned.pdf": "文字层",
        "corrupt.docx": "Word",
        "truncated.docx": "Word",
        "empty.txt": "为空",
        "blank.md": "为空",
        "garbage.txt": "二进制",
        "old.doc": ".docx",
        "program.exe": "不支持",
        "huge.txt": "过大",
        "traversal": "..",
        "upload": "..",
        "missing.txt": "不存在",
    }
    batch: list[object] = [docs / "report-2022.txt"]
    batch += sorted(bad.iterdir())
    batch += [str(docs / ".." / "docs" / "scoring.md"), Upload("../../etc/passwd.txt", b"root:x:0:0"), tmp_path / "missing.txt"]
    batch += [good_docx, docs / "scoring.md"]
    return batch, expected


def test_each_bad_file_gets_its_message_and_the_batch_goes_on(index, bad_batch):
    batch, expected = bad_batch
    report = index.ingest(batch)
    assert len(report.results) == len(batch)
    by_name = {}
    for item, result in zip(batch, report.results):
        name = "upload" if isinstance(item, Upload) else ("traversal" if ".." in str(item) else Path(item).name)
        by_name[name] = result
    for name, word in expected.items():
        result = by_name[name]
        assert result.status == "error", name
        assert word in result.message, (name, result.message)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in result.message)  # Chinese for the user
    for name in ("report-2022.txt", "ok.docx", "scoring.md"):
        assert by_name[name].status == "added", by_name[name].message
    assert not report.ok and len(report.errors) == len(expected)
    assert "失败 15 个" in report.summary()
    # The index still works and holds only the good files.
    assert {d.file for d in index.list_documents()} == {"report-2022.txt", "ok.docx", "scoring.md"}
    assert "0.85万元" in index.search("三公经费", k=1)[0].text
    assert "培训12期" in index.search("培训", k=1)[0].text


def test_size_limit_is_configurable(index, tmp_path: Path, monkeypatch):
    path = tmp_path / "medium.txt"
    path.write_text("预算执行情况良好。\n" * 2000, encoding="utf-8")  # about 50 KB
    monkeypatch.setenv("ASSISTANT_MAX_FILE_MB", "0.01")
    refused = index.ingest([path]).results[0]
    assert refused.status == "error" and "过大" in refused.message and "ASSISTANT_MAX_FILE_MB" in refused.message
    monkeypatch.setenv("ASSISTANT_MAX_FILE_MB", "1")
    assert index.ingest([path]).results[0].status == "added"


def test_a_folder_with_dotdot_is_refused_not_walked(index, docs: Path):
    result = index.ingest([str(docs / ".." / "docs")]).results[0]
    assert result.status == "error" and ".." in result.message
    assert index.is_empty()
