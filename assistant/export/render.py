"""The .docx as LibreOffice lays it out: PDF (soffice headless), page images and text lines (pypdfium2).

Used by the 排版预览 (real pages, not an approximation) and by the layout test (28 characters a line,
22 lines a page, no heading stranded at the foot of a page). Everything degrades to None when
LibreOffice or pypdfium2 is absent, so callers can fall back to the HTML preview.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

CONVERT_TIMEOUT = 180  # seconds; a first LibreOffice start on a cold machine takes a while


class RenderError(RuntimeError):
    """The conversion ran but failed; the message is Chinese."""


def soffice() -> Optional[str]:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def have_pdfium() -> bool:
    try:
        import pypdfium2  # noqa: F401
    except ImportError:
        return False
    return True


def docx_to_pdf(docx: bytes, timeout: int = CONVERT_TIMEOUT) -> Optional[bytes]:
    """The PDF LibreOffice makes of a .docx; None without LibreOffice. Each call uses its own user
    profile, so conversions running at once (tests, two app sessions) do not lock each other out."""
    binary = soffice()
    if binary is None:
        return None
    with tempfile.TemporaryDirectory(prefix="jixiao-render-") as folder:
        base = Path(folder)
        source = base / "report.docx"
        source.write_bytes(docx)
        profile = (base / "profile").as_uri()
        env = {**os.environ, "HOME": folder}
        try:
            done = subprocess.run(
                [binary, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", "pdf", "--outdir", folder, str(source)],
                capture_output=True,
                timeout=timeout,
                env=env,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired as exc:
            raise RenderError(f"LibreOffice 转换超时（{timeout} 秒）") from exc
        pdf = base / "report.pdf"
        if done.returncode != 0 or not pdf.exists():
            detail = (done.stderr or done.stdout or b"").decode("utf-8", "replace").strip()[:300]
            raise RenderError(f"LibreOffice 转换失败：{detail or done.returncode}")
        return pdf.read_bytes()


def pdf_page_images(pdf: bytes, scale: float = 1.0, limit: int = 60) -> Optional[list[bytes]]:
    """PNG bytes of each page (at most `limit`); None without pypdfium2."""
    if not have_pdfium():
        return None
    import io

    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    images = []
    try:
        for index in range(min(len(document), limit)):
            page = document[index]
            bitmap = page.render(scale=scale)
            buffer = io.BytesIO()
            bitmap.to_pil().save(buffer, format="PNG")
            images.append(buffer.getvalue())
            page.close()
    finally:
        document.close()
    return images


@dataclass(frozen=True)
class PageLine:
    text: str  # the line's characters, spaces dropped
    top: float  # points from the page top, of the line's centre


@dataclass(frozen=True)
class PageLayout:
    width: float
    height: float
    lines: tuple[PageLine, ...]

    @property
    def landscape(self) -> bool:
        return self.width > self.height


def pdf_layout(pdf: bytes, tolerance: float = 6.0) -> Optional[list[PageLayout]]:
    """Each page's text lines, top to bottom (characters grouped by their vertical centre), footer
    included; None without pypdfium2."""
    if not have_pdfium():
        return None
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    pages = []
    try:
        for index in range(len(document)):
            page = document[index]
            width, height = page.get_size()
            textpage = page.get_textpage()
            rows: list[list] = []  # [centre, [(left, char)]]
            for i in range(textpage.count_chars()):
                ch = textpage.get_text_range(i, 1)
                if not ch.strip():
                    continue
                left, bottom, right, top = textpage.get_charbox(i)
                centre = height - (bottom + top) / 2
                for row in rows:
                    if abs(row[0] - centre) < tolerance:
                        row[1].append((left, ch))
                        break
                else:
                    rows.append([centre, [(left, ch)]])
            rows.sort(key=lambda r: r[0])
            lines = tuple(PageLine("".join(ch for _, ch in sorted(chars)), centre) for centre, chars in rows)
            pages.append(PageLayout(width, height, lines))
            textpage.close()
            page.close()
    finally:
        document.close()
    return pages
