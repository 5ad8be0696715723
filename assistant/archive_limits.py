"""Limits for ZIP-based office files (.docx, .xlsx) before any reader unpacks them.

A 4.6 MB "zip bomb" can declare gigabytes of XML; python-docx and openpyxl would inflate all of
it. `check_zip_limits` reads only the central directory and refuses an archive whose entry count,
total uncompressed size, largest entry or compression ratio (of an entry over 1 MB) is beyond
`ZipLimits`, in milliseconds whatever the archive would expand to. The sizes checked are the ones
the directory declares; Python's `zipfile` (which python-docx and openpyxl read through) never
returns more than an entry's declared size and fails on the CRC when the data disagrees, so a
lying directory cannot get past the check either.

Two profiles: `DOCUMENT_LIMITS` for documents added to the corpus (reports and policies can be
large; the defaults can be overridden from the environment with `ZipLimits.from_env`, see
README's configuration table) and `XLSX_LIMITS` for the figures Excel template, which is small
by construction. Every message is Chinese and for the user: it names the file and the reason,
never an exception class, an environment variable or a part inside the package.

Shared by the corpus loaders and the figures Excel importer; it imports nothing of the project.
"""

from __future__ import annotations

import io
import math
import os
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO, Mapping

_MB = 1024 * 1024

# Overrides of the document limits: variable → (field, factor to bytes or 1).
_ENV_FIELDS = {
    "ASSISTANT_ZIP_MAX_MB": ("max_total_bytes", _MB),
    "ASSISTANT_ZIP_MAX_ENTRIES": ("max_entries", 1),
    "ASSISTANT_ZIP_MAX_RATIO": ("max_ratio", 1),
    "ASSISTANT_ZIP_MAX_PART_MB": ("max_entry_bytes", _MB),
}


class ArchiveLimitError(ValueError):
    """An archive over a limit or not readable as ZIP; str(error) and `message` are the Chinese
    message for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ZipLimits:
    max_total_bytes: int = 200 * _MB  # uncompressed, all entries together
    max_entries: int = 5_000
    max_entry_bytes: int | None = None  # uncompressed, one entry; None: only the total applies
    # Office XML compresses 5–30×; 200× on a large entry is a bomb, not a document.
    max_ratio: float = 200.0
    # An entry smaller than this may compress as well as it likes (a sheet of blank cells
    # compresses a thousand to one); only large entries are held to the ratio.
    ratio_floor_bytes: int = _MB

    @classmethod
    def from_env(cls, base: "ZipLimits | None" = None, environ: Mapping[str, str] | None = None) -> "ZipLimits":
        """`base` (default: the document limits) with the fields the environment sets; a value that
        is not a positive number is ignored."""
        limits = base if base is not None else DOCUMENT_LIMITS
        environ = os.environ if environ is None else environ
        changes: dict[str, float | int] = {}
        for variable, (name, factor) in _ENV_FIELDS.items():
            value = _positive_number(environ.get(variable, ""))
            if value is not None:
                changes[name] = value if name == "max_ratio" else int(value * factor)
        return replace(limits, **changes) if changes else limits


DOCUMENT_LIMITS = ZipLimits()
XLSX_LIMITS = ZipLimits(max_total_bytes=50 * _MB, max_entries=2_000, max_entry_bytes=30 * _MB)


def _positive_number(raw: str) -> float | None:
    try:
        value = float(raw)
    except ValueError:  # unset ("") or not a number
        return None
    return value if math.isfinite(value) and value > 0 else None


def _mb(size: float) -> str:
    megabytes = size / _MB
    return f"{megabytes:.0f} MB" if megabytes >= 10 or megabytes == int(megabytes) else f"{megabytes:.1f} MB"


def _subject(name: str) -> str:
    """The file as the sentence's subject: a file name ending in Latin letters gets a space before
    the Chinese that follows ("表.xlsx 解压后…"), a description does not ("Word 文件解压后…")."""
    return f"{name} " if name and name[-1].isascii() else name


def check_zip_limits(
    source: bytes | bytearray | memoryview | BinaryIO | zipfile.ZipFile | str | os.PathLike,
    limits: ZipLimits | None = None,
    kind: str = "文件",
) -> None:
    """Raise ArchiveLimitError unless `source` (bytes, a binary stream, an open ZipFile or a path)
    is a ZIP archive within `limits` (default: the document limits with the environment's
    overrides). `kind` names the file in the message: "Word 文件", "Excel 文件" or its file name."""
    limits = limits if limits is not None else ZipLimits.from_env()
    subject = _subject(kind)
    if isinstance(source, zipfile.ZipFile):
        entries = source.infolist()
    else:
        if isinstance(source, (bytes, bytearray, memoryview)):
            handle: BinaryIO | Path = io.BytesIO(bytes(source))
        elif isinstance(source, (str, os.PathLike)):
            handle = Path(source)
        else:
            handle = source
        try:
            with zipfile.ZipFile(handle) as archive:
                entries = archive.infolist()
        except (FileNotFoundError, PermissionError, IsADirectoryError) as error:
            raise ArchiveLimitError(f"{subject}无法读取（文件不存在或没有读取权限）。") from error
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
            raise ArchiveLimitError(
                f"{subject}已损坏或不是 ZIP 格式，无法打开：请用原来的软件打开并另存一份后再试。"
            ) from error
    if len(entries) > limits.max_entries:
        raise ArchiveLimitError(
            f"{subject}内部条目过多（{len(entries)} 个，上限 {limits.max_entries} 个），"
            "不像正常的办公文档，可能是恶意构造的压缩包，已拒绝打开。"
        )
    total = 0
    for entry in entries:
        total += entry.file_size
        if total > limits.max_total_bytes:
            raise ArchiveLimitError(
                f"{subject}解压后超过 {_mb(limits.max_total_bytes)} 的上限，可能是压缩炸弹，已拒绝打开；"
                "如确为正常文件，请精简内容或拆分后再导入。"
            )
        if limits.max_entry_bytes is not None and entry.file_size > limits.max_entry_bytes:
            raise ArchiveLimitError(
                f"{subject}中有一部分内容解压后有 {_mb(entry.file_size)}，超过单项上限 {_mb(limits.max_entry_bytes)}，"
                "不像正常的办公文档，可能是压缩炸弹，已拒绝打开。"
            )
        if entry.file_size > limits.ratio_floor_bytes:
            ratio = entry.file_size / max(entry.compress_size, 1)
            if ratio > limits.max_ratio:
                raise ArchiveLimitError(
                    f"{subject}中有一部分内容的压缩比异常（约 {ratio:.0f} 倍，正常的办公文档不超过 {limits.max_ratio:g} 倍），"
                    "可能是压缩炸弹，已拒绝打开。"
                )
