"""Where documents come from: files on disk (named as the index names them), uploads, and the
walk of a folder the user gave.

The walk reads nothing outside the folder and passes over nothing in silence: hidden files and
folders, symbolic links (to files or folders, pointing out or in), FIFOs, sockets and devices, and
sub-folders that cannot be listed each come back as a `FileResult` ("skipped" or "error") with the
reason; the files it yields are `FolderEntry`s, which the loader opens without following a link.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from assistant import offline
from assistant.corpus.records import FileResult


def source_name(path: Path) -> str:
    """How a file is named in the index: repo-relative inside the repo, else its absolute path."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(offline.REPO_ROOT).as_posix()
    except ValueError:
        return resolved.as_posix()


def doc_id_for(source: str) -> str:
    return hashlib.sha1(source.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Upload:
    """A file given as bytes (an upload in the app), named by the user; indexed as "上传/<name>"."""

    name: str
    data: bytes


@dataclass(frozen=True)
class FolderEntry:
    """A file found inside a folder the user gave: read without following a symbolic link."""

    path: Path


def expand(paths: Iterable[str | os.PathLike | Upload]) -> list["str | Path | Upload | FolderEntry | FileResult"]:
    """Folders become their files (recursively, sorted); files stay as given. Inside a folder
    nothing is read outside it and nothing is passed over in silence: hidden entries, symbolic
    links, FIFOs, devices and sockets, and sub-folders that cannot be listed each come back as a
    "skipped" (or "error") result that says why."""
    items: list = []
    for item in paths:
        if isinstance(item, Upload):
            items.append(item)
            continue
        path = Path(item)
        if path.is_dir() and ".." not in path.parts:
            items.extend(walk(path))
        else:
            items.append(item)  # as given, so a bad name is reported as the user wrote it
    return items


def walk(root: Path) -> list["FolderEntry | FileResult"]:
    out: list = []
    resolved_root = root.resolve()

    def label(path: Path) -> str:
        return source_name(path) if not path.is_symlink() else os.fspath(path)

    def skipped(path: Path, why: str, status: str = "skipped") -> FileResult:
        return FileResult(label(path), status, why)

    def failed(error: OSError) -> None:
        where = Path(error.filename) if error.filename else root
        out.append(skipped(where, f"无法读取文件夹（{error.strerror or type(error).__name__}），其中的文件未导入。", "error"))

    for folder, dirs, files in os.walk(root, onerror=failed, followlinks=False):
        base = Path(folder)
        dirs.sort()
        for name in list(dirs):
            child = base / name
            if name.startswith("."):
                dirs.remove(name)
                out.append(skipped(child, "隐藏文件夹，已跳过。"))
            elif child.is_symlink():
                dirs.remove(name)  # os.walk does not descend into it; say so
                out.append(skipped(child, _link_reason(child, resolved_root, "文件夹")))
        for name in sorted(files):
            child = base / name
            if name.startswith("."):
                out.append(skipped(child, "隐藏文件，已跳过。"))
                continue
            try:
                mode = child.lstat().st_mode
            except OSError as error:
                out.append(skipped(child, f"无法读取（{error.strerror or type(error).__name__}）。", "error"))
                continue
            if stat.S_ISLNK(mode):
                out.append(skipped(child, _link_reason(child, resolved_root, "文件")))
            elif stat.S_ISFIFO(mode):
                out.append(skipped(child, "命名管道（FIFO），不是普通文件，已跳过。"))
            elif stat.S_ISSOCK(mode):
                out.append(skipped(child, "套接字，不是普通文件，已跳过。"))
            elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
                out.append(skipped(child, "设备文件，不是普通文件，已跳过。"))
            elif not stat.S_ISREG(mode):
                out.append(skipped(child, "不是普通文件，已跳过。"))
            else:
                out.append(FolderEntry(child))
    return out


def _link_reason(link: Path, root: Path, what: str) -> str:
    try:
        target = link.resolve(strict=False)
    except (OSError, RuntimeError):
        return "符号链接（无法解析目标），出于安全考虑未读取。"
    if target != root and root not in target.parents:
        return f"符号链接指向所选文件夹以外（{target}），出于安全考虑未读取。"
    return f"符号链接（指向文件夹内的{what}“{target.relative_to(root).as_posix() or '.'}”），为免重复导入已跳过。"
