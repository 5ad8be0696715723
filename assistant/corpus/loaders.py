"""Read one source document into plain text: .txt/.md (UTF-8, GBK/GB18030), .docx, .pdf, .xlsx.

Every failure is a `LoadError` whose message is Chinese and says what to do, so a batch ingest can
report it per file and go on. Limits are checked before anything is parsed: the size limit (env
ASSISTANT_MAX_FILE_MB, default 20 MB) is read from the file's size, never by reading the file; a
.docx/.xlsx must pass `assistant.archive_limits.check_zip_limits` (uncompressed size, entry count,
compression ratio) before it is unpacked; and every parser of a binary format (and of a text file over 1 MB) runs in
a child process with a time and memory budget (`sandbox.run_with_budget`), so that one hostile
file costs at most its budget. pypdf applies its own caps on decompressed stream sizes too.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from assistant.archive_limits import ArchiveLimitError, check_zip_limits
from assistant.corpus.metadata import DocumentMeta, guess_metadata

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".xlsx")
DEFAULT_MAX_MB = 20
# Text this small decodes in milliseconds whatever it holds; larger text is parsed within the budget.
_TEXT_IN_PROCESS_BYTES = 1 << 20
_ZIP_KINDS = {".docx": "Word 文件", ".xlsx": "Excel 文件"}


class LoadError(Exception):
    """A file that cannot be ingested; str(error) is the Chinese message for the user."""


@dataclass(frozen=True)
class LoadedDocument:
    text: str
    meta: DocumentMeta


def max_file_bytes() -> int:
    raw = os.environ.get("ASSISTANT_MAX_FILE_MB", "")
    try:
        megabytes = float(raw) if raw else DEFAULT_MAX_MB
    except ValueError:
        megabytes = DEFAULT_MAX_MB
    return int(megabytes * 1024 * 1024)


def check_name(name: str) -> None:
    """Refuse names that climb out of a folder ("../") or carry control characters."""
    if "\x00" in name or any(ord(ch) < 32 for ch in name):
        raise LoadError("文件名含有控制字符，已拒绝。")
    parts = set(PurePosixPath(name).parts) | set(PureWindowsPath(name).parts)
    if ".." in parts:
        raise LoadError("文件路径含有“..”（上级目录跳转），出于安全考虑已拒绝；请改用不含“..”的路径。")


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_path(
    path: str | os.PathLike, max_bytes: int | None = None, follow_symlinks: bool = True
) -> tuple[LoadedDocument, bytes]:
    """Load a file from disk; returns the document and its raw bytes (for hashing). With
    `follow_symlinks=False` (files found inside a folder) a symbolic link is refused."""
    check_name(os.fspath(path))
    path = Path(path)
    suffix = _check_suffix(path.name)
    limit = max_file_bytes() if max_bytes is None else max_bytes
    data = _read_regular_file(path, limit, follow_symlinks)
    return load_bytes(path.name, data, max_bytes=limit, suffix=suffix), data


def _read_regular_file(path: Path, limit: int, follow_symlinks: bool) -> bytes:
    # O_NONBLOCK: opening a FIFO must not wait for a writer; the fstat below then refuses it.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError as error:
        raise LoadError("文件不存在。") from error
    except PermissionError as error:
        raise LoadError("无法读取文件（没有读取权限）。") from error
    except IsADirectoryError as error:
        raise LoadError("不是普通文件（是文件夹），已跳过。") from error
    except OSError as error:
        if not follow_symlinks and path.is_symlink():
            raise LoadError("是符号链接，出于安全考虑未读取。") from error
        raise LoadError(f"无法打开文件（{error.strerror or type(error).__name__}）。") from error
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise LoadError("不是普通文件（可能是目录、设备或命名管道），已跳过。")
        _check_size(info.st_size, limit)
        try:
            data = handle.read(limit + 1)  # never more than the limit, even if the file grows
        except OSError as error:
            raise LoadError(f"读取文件失败（{error.strerror or type(error).__name__}）。") from error
    _check_size(len(data), limit)
    return data


def load_bytes(name: str, data: bytes, max_bytes: int | None = None, suffix: str | None = None) -> LoadedDocument:
    """Load an uploaded file given its name (for the type and the title guess) and its bytes."""
    from assistant.corpus.sandbox import BudgetExceeded, run_with_budget

    check_name(name)
    suffix = suffix or _check_suffix(name)
    _check_size(len(data), max_file_bytes() if max_bytes is None else max_bytes)
    if not data.strip():
        raise LoadError("文件为空，没有可以入库的内容。")
    if suffix in _ZIP_KINDS:
        try:
            check_zip_limits(data, kind=_ZIP_KINDS[suffix])
        except ArchiveLimitError as error:
            raise LoadError(str(error)) from error
    reader = {".txt": _read_text, ".md": _read_text, ".docx": _read_docx, ".pdf": _read_pdf, ".xlsx": _read_xlsx}[suffix]
    if reader is _read_text and len(data) <= _TEXT_IN_PROCESS_BYTES:
        text, title_hint = reader(data)
    else:
        try:
            text, title_hint = run_with_budget(reader, data)
        except BudgetExceeded as error:
            raise LoadError(str(error)) from error
    text = _normalise(text)
    if not text.strip():
        raise LoadError("文件中没有可提取的文字。")
    meta = guess_metadata(text, file_name=PurePosixPath(name.replace("\\", "/")).name, title_hint=title_hint)
    return LoadedDocument(text=text, meta=meta)


def _check_suffix(name: str) -> str:
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    if suffix == ".doc":
        raise LoadError("不支持旧版 Word（.doc）文件，请用 Word 另存为 .docx 后再导入。")
    if suffix == ".xls":
        raise LoadError("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 后再导入。")
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "（无扩展名）"
        raise LoadError(f"不支持的文件类型 {shown}；支持：{'、'.join(SUPPORTED_SUFFIXES)}。")
    return suffix


def _check_size(size: int, limit: int) -> None:
    if size > limit:
        raise LoadError(
            f"文件过大（{size / 1024 / 1024:.1f} MB），超过上限 {limit / 1024 / 1024:.0f} MB，已拒绝；"
            "可拆分文件，或设置环境变量 ASSISTANT_MAX_FILE_MB 调整上限。"
        )


def _normalise(text: str) -> str:
    # One newline convention so offsets mean the same thing for every format.
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text)


# ---------------------------------------------------------------- plain text

_ENCODINGS = ("utf-8", "gb18030")


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK and GB2312), else the
    charset-normalizer guess; refuses binary data."""
    head = data[:8192]
    if b"\x00" in head and not (data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff")):
        raise LoadError("文件内容不是文本（看起来是二进制文件），已拒绝。")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in _ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        text = str(best)
        if _looks_like_text(text):
            return text
    raise LoadError("无法识别文件的文字编码（不是 UTF-8 或 GBK/GB18030），或文件不是文本；请另存为 UTF-8 后再导入。")


_CJK_OR_ASCII = re.compile("[\x00-\x7e\u3000-\u9fff\uff00-\uffef]")
_LAYOUT = str.maketrans("", "", "\n\r\t")


def _looks_like_text(text: str) -> bool:
    if not text:
        return True
    sample = text[:20000]
    visible = sample.translate(_LAYOUT)
    # str.isprintable is one pass in C; count character by character only when it fails.
    unreadable = 0 if visible.isprintable() else sum(1 for ch in visible if not ch.isprintable())
    readable = len(sample) - unreadable
    cjk_or_ascii = len(_CJK_OR_ASCII.findall(sample))
    return readable / len(sample) > 0.97 and cjk_or_ascii / len(sample) > 0.8


def _read_text(data: bytes) -> tuple[str, str | None]:
    return decode_text(data), None


# ---------------------------------------------------------------- Word

def _read_docx(data: bytes) -> tuple[str, str | None]:
    try:
        return _docx_text(data)
    except (LoadError, MemoryError):
        raise
    except Exception as error:  # a malformed part fails on access, long after the package opened
        raise LoadError(f"Word 文件内容已损坏，无法读取（{type(error).__name__}），请用 Word 打开另存后再导入。") from error


def _docx_text(data: bytes) -> tuple[str, str | None]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise LoadError("Word 文件已损坏或不是真正的 .docx 文件（无法按 ZIP 包打开），请重新保存后再导入。")
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise LoadError(f"Word 文件已损坏，无法读取（{type(error).__name__}），请用 Word 打开另存后再导入。") from error
    except Exception as error:  # lxml and python-docx raise many kinds on malformed parts
        raise LoadError(f"Word 文件无法解析（{type(error).__name__}），请用 Word 打开另存后再导入。") from error

    from docx.table import Table
    from docx.text.paragraph import Paragraph

    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, document)
            text = paragraph.text.strip()
            if not text:
                continue
            level = _heading_level(paragraph)
            # A styled heading without a Chinese number becomes a Markdown heading, which the
            # chunker recognises; a numbered one ("一、…") is recognised as it is.
            lines.append(("#" * level + " " + text) if level and not _has_number_marker(text) else text)
        elif tag == "tbl":
            lines.extend(_table_lines(Table(child, document)))
    title = (document.core_properties.title or "").strip() or None
    return "\n".join(lines), title


def _heading_level(paragraph) -> int:
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    match = re.match(r"(?:Heading|标题)\s*(\d)", style)
    if match:
        return int(match.group(1))
    return 1 if style in ("Title", "标题") else 0


def _has_number_marker(text: str) -> bool:
    from assistant.corpus.chunking import heading_level

    return heading_level(text) is not None


def _table_lines(table) -> list[str]:
    lines = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            value = " ".join(cell.text.split())
            # Merged cells repeat in python-docx; keep one copy.
            if not cells or cells[-1] != value:
                cells.append(value)
        if any(cells):
            lines.append(" | ".join(cells))
    return lines


# ---------------------------------------------------------------- PDF

def _read_pdf(data: bytes) -> tuple[str, str | None]:
    try:
        return _pdf_text(data)
    except (LoadError, MemoryError):
        raise
    except Exception as error:  # pypdf surfaces malformed streams as many exception kinds
        raise LoadError(f"PDF 文件无法解析（{type(error).__name__}）。") from error


def _pdf_text(data: bytes) -> tuple[str, str | None]:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise LoadError("PDF 文件已损坏或不是真正的 PDF（缺少 %PDF 文件头）。")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Many "protected" PDFs only restrict printing and open with the empty password.
            try:
                opened = reader.decrypt("")
            except Exception as error:  # pypdf needs the cryptography extra for AES
                raise LoadError("PDF 文件已加密，无法读取；请提供未加密的版本。") from error
            if not opened:
                raise LoadError("PDF 文件已加密（需要密码），无法读取；请提供未加密的版本。")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = None
        if reader.metadata is not None and reader.metadata.title:
            title = str(reader.metadata.title).strip() or None
    except LoadError:
        raise
    except FileNotDecryptedError as error:
        raise LoadError("PDF 文件已加密（需要密码），无法读取；请提供未加密的版本。") from error
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
        raise LoadError(f"PDF 文件已损坏，无法读取（{type(error).__name__}）。") from error
    except Exception as error:  # pypdf surfaces malformed streams as many exception kinds
        raise LoadError(f"PDF 文件无法解析（{type(error).__name__}）。") from error
    text = "\n".join(page.strip("\n") for page in pages)
    if not text.strip():
        raise LoadError("PDF 没有文字层（可能是扫描件或图片），无法提取文字；请先做文字识别（OCR）。")
    return text, title


# ---------------------------------------------------------------- Excel

def _read_xlsx(data: bytes) -> tuple[str, str | None]:
    try:
        return _xlsx_text(data)
    except (LoadError, MemoryError):
        raise
    except Exception as error:  # a malformed sheet fails while its rows are read
        raise LoadError(f"Excel 文件内容已损坏，无法读取（{type(error).__name__}），请用 Excel 打开另存后再导入。") from error


def _xlsx_text(data: bytes) -> tuple[str, str | None]:
    import openpyxl

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise LoadError("Excel 文件已损坏或不是真正的 .xlsx 文件（无法按 ZIP 包打开）。")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on malformed workbooks
        raise LoadError(f"Excel 文件已损坏，无法读取（{type(error).__name__}）。") from error
    lines: list[str] = []
    try:
        for sheet in workbook.worksheets:
            rows = []
            for row in sheet.iter_rows(values_only=True):
                cells = [_cell_text(value) for value in row]
                while cells and not cells[-1]:
                    cells.pop()
                if any(cells):
                    rows.append(" | ".join(cells))
            if rows:
                # The sheet name is a Markdown heading so that chunks cite their sheet.
                lines.append(f"## 工作表：{sheet.title}")
                lines.extend(rows)
    finally:
        workbook.close()
    properties = workbook.properties
    title = (properties.title or "").strip() if properties is not None else ""
    return "\n".join(lines), title or None


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # Show what the cell shows for whole numbers; otherwise the shortest exact repr.
        return str(int(value)) if value.is_integer() else repr(value)
    return " ".join(str(value).split())
