"""Limits for ZIP-based office files (.docx, .xlsx): checked from the ZIP directory before any part
is unpacked, so a zip bomb is refused in milliseconds whatever it would expand to.

`check_zip_limits(data)` reads only the central directory and refuses an archive with too many
entries, too much uncompressed content in total, or an entry that expands too much relative to its
compressed size. The sizes it checks are the ones the directory declares; Python's `zipfile` (which
python-docx and openpyxl read through) never returns more than an entry's declared size and fails
on the CRC when the data disagrees, so a lying directory cannot get past the check either.

Shared by the corpus loaders and the figures Excel importer; it imports nothing of the project.
Defaults, overridable by environment: ASSISTANT_ZIP_MAX_MB (uncompressed total, 200),
ASSISTANT_ZIP_MAX_ENTRIES (5,000), ASSISTANT_ZIP_MAX_RATIO (200).
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

# An entry smaller than this may compress as well as it likes (a sheet of blank cells compresses
# a thousand to one); only large entries are held to the ratio.
_RATIO_FLOOR_BYTES = 1 << 20


class ArchiveLimitError(ValueError):
    """A ZIP archive over a limit or unreadable as ZIP; str(error) is the Chinese message."""


@dataclass(frozen=True)
class ZipLimits:
    max_uncompressed: int = 200 * 1024 * 1024
    max_entries: int = 5_000
    max_ratio: float = 200.0

    @classmethod
    def from_env(cls) -> "ZipLimits":
        default = cls()
        return cls(
            max_uncompressed=int(_env_number("ASSISTANT_ZIP_MAX_MB", default.max_uncompressed / 1024 / 1024) * 1024 * 1024),
            max_entries=int(_env_number("ASSISTANT_ZIP_MAX_ENTRIES", default.max_entries)),
            max_ratio=_env_number("ASSISTANT_ZIP_MAX_RATIO", default.max_ratio),
        )


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        return default
    return value if value > 0 else default


def check_zip_limits(source: bytes | str | os.PathLike, limits: ZipLimits | None = None, kind: str = "文件") -> None:
    """Raise ArchiveLimitError unless `source` (bytes or a path) is a ZIP archive within `limits`.
    `kind` names the file in the message ("Word 文件", "Excel 文件")."""
    limits = limits if limits is not None else ZipLimits.from_env()
    handle = io.BytesIO(source) if isinstance(source, (bytes, bytearray, memoryview)) else Path(source)
    try:
        with zipfile.ZipFile(handle) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise ArchiveLimitError(f"{kind}已损坏或不是 ZIP 格式（{type(error).__name__}），无法打开。") from error
    if len(entries) > limits.max_entries:
        raise ArchiveLimitError(
            f"{kind}内部条目过多（{len(entries)} 个，上限 {limits.max_entries} 个），疑似恶意构造的压缩包，已拒绝。"
        )
    total = 0
    for entry in entries:
        total += entry.file_size
        if total > limits.max_uncompressed:
            raise ArchiveLimitError(
                f"{kind}解压后过大（超过 {limits.max_uncompressed / 1024 / 1024:.0f} MB），"
                "疑似“压缩炸弹”，已拒绝；如确为正常文件，可设置环境变量 ASSISTANT_ZIP_MAX_MB 调整上限。"
            )
        if entry.file_size > _RATIO_FLOOR_BYTES:
            ratio = entry.file_size / max(entry.compress_size, 1)
            if ratio > limits.max_ratio:
                raise ArchiveLimitError(
                    f"{kind}中的“{entry.filename}”压缩比异常（{ratio:.0f} 倍，上限 {limits.max_ratio:.0f} 倍），"
                    "疑似“压缩炸弹”，已拒绝。"
                )
