"""Hostile files for the corpus tests, built here (nothing is shipped): a zip-bomb .docx, an
archive with too many entries, a PDF whose text extraction runs for minutes; and module-level
functions a budgeted child can run (a child resolves its function by module name)."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

from tests.corpus.conftest import make_docx
from tests.pdf_bytes import pdf_from_objects

_PARAGRAPH = "<w:p><w:r><w:t>预算执行率</w:t></w:r></w:p>".encode("utf-8")


def zip_bomb_docx(tmp_path: Path, gigabytes: float = 1.0) -> bytes:
    """A real .docx whose word/document.xml is replaced by `gigabytes` of paragraphs (about
    4.6 MB compressed per GB at deflate level 1): the shape of the issue's 4.6 MB zip bomb."""
    good = make_docx(tmp_path / "template.docx", "标题", ["正文"])
    out = io.BytesIO()
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bomb:
        for info in source.infolist():
            if info.filename == "word/document.xml":
                block = _PARAGRAPH * ((1 << 22) // len(_PARAGRAPH))
                # Opened by name, the entry takes the archive's compression (deflate, level 1).
                with bomb.open(info.filename, "w", force_zip64=True) as handle:
                    handle.write(b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
                    for _ in range(int(gigabytes * 1024 / 4)):
                        handle.write(block)
                    handle.write(b"</w:body></w:document>")
            else:
                bomb.writestr(info, source.read(info.filename))
    return out.getvalue()


def many_entries_xlsx(entries: int = 6000) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for i in range(entries):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", "")
    return out.getvalue()


def slow_pdf(pages: int = 40_000) -> bytes:
    """Many pages sharing one content stream full of text operators: a valid PDF (small on disk)
    whose text extraction takes minutes."""
    operators = " ".join(f"({i}) Tj" for i in range(300))
    content = f"BT /F1 12 Tf 72 720 Td {operators} ET".encode("latin-1")
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled below
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    first_page = len(objects) + 1
    kids = " ".join(f"{first_page + i} 0 R" for i in range(pages))
    objects[1] = f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode()
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
    objects.extend([page] * pages)
    return pdf_from_objects(objects)


def spin(_: object) -> None:
    while True:
        time.sleep(0)


def hog(_: object) -> None:
    hoard = []
    while True:
        hoard.append(bytearray(1 << 24))


def crash(_: object) -> None:
    import os

    os._exit(3)


def echo(value: object) -> object:
    return value
