"""Limits for ZIP packages (.xlsx, .docx) before any reader unpacks them.

A 4.6 MB "zip bomb" can declare gigabytes of XML; openpyxl and python-docx would inflate all of
it. `check_zip` reads only the central directory and refuses a package whose entry count, total
uncompressed size, largest entry or compression ratio is beyond what an office file of this kind
needs. Python's zipfile never inflates an entry past the size its header declares (it stops and
fails the CRC), so checking the declared sizes bounds what a reader can be made to inflate.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import BinaryIO


class ArchiveError(ValueError):
    """A package refused by its limits; `message` is Chinese and names the reason."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ZipLimits:
    max_entries: int = 2_000
    max_total_bytes: int = 50 * 1024 * 1024
    max_entry_bytes: int = 30 * 1024 * 1024
    # Office XML compresses 5–30×; 200× on an entry of more than 1 MB is a bomb, not a sheet.
    max_ratio: float = 200.0
    ratio_floor_bytes: int = 1024 * 1024


XLSX_LIMITS = ZipLimits()


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def check_zip(source: bytes | BinaryIO | zipfile.ZipFile, name: str = "文件", limits: ZipLimits = XLSX_LIMITS) -> None:
    """Raise ArchiveError (Chinese) when the package is beyond `limits`; read nothing but the
    directory. A file that is not a ZIP at all is left for the caller's own message."""
    if isinstance(source, zipfile.ZipFile):
        infos = source.infolist()
    else:
        stream = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source
        try:
            with zipfile.ZipFile(stream) as package:
                infos = package.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return
    if len(infos) > limits.max_entries:
        raise ArchiveError(f"{name} 内含 {len(infos)} 个部件，超过上限 {limits.max_entries} 个：不像正常的办公文档，已拒绝打开。")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > limits.max_entry_bytes:
            raise ArchiveError(f"{name} 中有一个部件解压后有 {_mb(info.file_size)}，超过上限 {_mb(limits.max_entry_bytes)}：不像正常的办公文档，已拒绝打开。")
        if info.file_size > limits.ratio_floor_bytes and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise ArchiveError(f"{name} 中有一个部件压缩比异常（{info.file_size // max(info.compress_size, 1)} 倍），可能是“压缩炸弹”：已拒绝打开。")
    if total > limits.max_total_bytes:
        raise ArchiveError(f"{name} 解压后共 {_mb(total)}，超过上限 {_mb(limits.max_total_bytes)}：数据模板不应有这么多内容，已拒绝打开。")
