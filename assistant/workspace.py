"""The workspace: one folder per report, so nothing the user typed or drafted is lost.

Each report folder holds the report's state as *generations*, one whole save each:
  gen/00000042/   figures.yaml  the last figures that validated (the canonical file, CLI-readable)
                  form.json     the form exactly as typed, invalid values included
                  drafts.json   the drafted report, per-section drafts adopted from chat
                  notes.json    chat conversations per section
                  settings.json report options and the model endpoint (never the API key)
  current         a symbolic link to the generation in force (gen/00000042)
  figures.yaml …  links through `current` (current/figures.yaml …), so every path stays the same
A save writes every file of the new generation into a temporary folder (files it does not change
are hard-linked from the one before), renames the folder into place and then replaces `current`
with one atomic rename: a crash or kill -9 at any moment leaves the old or the new state of the
whole report, never form.json new and drafts.json old. Temporary folders and links of a writer
that died are removed when the report is next opened; the previous generation is kept as a
fallback. Folders saved before generations existed (plain files) are read as they are and move to
generations on their first save. The root is ASSISTANT_WORKSPACE, or `data_dir()/workspace`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Optional

from assistant import offline
from assistant.atomic_files import write_text_atomic
from assistant.interface import Report, SectionDraft

ENV_WORKSPACE = "ASSISTANT_WORKSPACE"
DEFAULT_REPORT = "我的报告"
_LAST = ".last_report"
# Anything that could escape the folder or trouble a file system becomes "_".
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')

FIGURES = "figures.yaml"
FORM = "form.json"
DRAFTS = "drafts.json"
NOTES = "notes.json"
SETTINGS = "settings.json"


def workspace_root() -> Path:
    configured = os.environ.get(ENV_WORKSPACE, "").strip()
    return Path(configured) if configured else offline.data_dir() / "workspace"


def safe_name(name: str) -> str:
    """A report name usable as a folder name (Chinese kept)."""
    cleaned = _UNSAFE.sub("_", (name or "").strip()).strip(". ")
    return cleaned[:60] or DEFAULT_REPORT


def _json_default(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        to_dict = getattr(value, "to_dict", None)
        return to_dict() if callable(to_dict) else dataclasses.asdict(value)
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    return str(value)  # Decimal, date, Path …: their text


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, default=_json_default)


GENERATIONS = "gen"
CURRENT = "current"
_GENERATION = re.compile(r"^\d{8}$")
# A temporary entry of a writer still running is never touched; one older than this whose process
# cannot be found is a leftover.
STALE_SECONDS = 60.0
KEEP_GENERATIONS = 2  # the current one and the one before it


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _is_stale(entry: Path) -> bool:
    match = re.search(r"\.(\d+)\.tmp$", entry.name)
    if match and not _pid_alive(int(match.group(1))):
        return True
    try:
        return time.time() - entry.lstat().st_mtime > STALE_SECONDS and not (match and _pid_alive(int(match.group(1))))
    except OSError:
        return False


class ReportFolder:
    """The files of one report, saved and read as whole generations."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.name = self.path.name

    # -- where the current state lives
    def current_generation(self) -> Optional[Path]:
        try:
            target = os.readlink(self.path / CURRENT)
        except OSError:
            return None
        folder = self.path / target
        return folder if folder.parent.name == GENERATIONS and _GENERATION.match(folder.name) and folder.is_dir() else None

    def file(self, name: str) -> Path:
        """Where `name` of the current state is (the plain file of a folder without generations)."""
        current = self.current_generation()
        return (current if current is not None else self.path) / name

    def read_json(self, name: str, default: Any = None) -> Any:
        path = self.file(name)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return default
        except (OSError, ValueError):
            # A damaged file is kept aside (not overwritten) so it can still be recovered by hand.
            try:
                path.replace(path.with_name(path.name + ".damaged"))
            except OSError:
                pass
            return default

    def read_text(self, name: str) -> Optional[str]:
        try:
            return self.file(name).read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):
            return None

    def write_json(self, name: str, data: Any) -> str:
        text = dumps(data)
        self.save({name: text})
        return text

    def write_text(self, name: str, text: str) -> None:
        self.save({name: text})

    # -- one save, one generation
    def save(self, files: dict[str, str]) -> Path:
        """Write `files` (name → text) as a new generation holding them and every other file of
        the current state, then switch to it atomically. Returns the new generation's folder."""
        generations = self.path / GENERATIONS
        generations.mkdir(parents=True, exist_ok=True)
        current = self.current_generation()
        base = current if current is not None else self.path
        temp = Path(tempfile.mkdtemp(prefix=".new.", suffix=f".{os.getpid()}.tmp", dir=generations))
        try:
            for name, text in files.items():
                with open(temp / name, "w", encoding="utf-8") as handle:
                    handle.write(text)
                    handle.flush()
                    os.fsync(handle.fileno())
            for old in _state_files(base):
                if old.name not in files:
                    try:
                        os.link(old, temp / old.name)  # unchanged: shared with the generation before
                    except OSError:
                        shutil.copy2(old, temp / old.name)
            _fsync_dir(temp)
            target = self._place(temp, current)
            _fsync_dir(generations)
            self._switch(target)
        except BaseException:
            shutil.rmtree(temp, ignore_errors=True)
            raise
        self._after_save(target, files)
        return target

    def _place(self, temp: Path, current: Optional[Path]) -> Path:
        """Rename the finished folder to the next free generation number (another writer may take one)."""
        taken = [int(p.name) for p in (self.path / GENERATIONS).iterdir() if _GENERATION.match(p.name)]
        number = max(taken + [int(current.name) if current is not None else 0]) + 1
        for _ in range(100):
            target = self.path / GENERATIONS / f"{number:08d}"
            try:
                os.rename(temp, target)
                return target
            except OSError:
                if not target.exists():
                    raise
                number += 1
        raise OSError("无法为本次保存分配新的版本号")

    def _switch(self, target: Path) -> None:
        """Point `current` at `target` in one rename (a new link replaces the old atomically)."""
        link = self.path / f".{CURRENT}.{os.getpid()}.tmp"
        link.unlink(missing_ok=True)
        os.symlink(f"{GENERATIONS}/{target.name}", link)
        os.replace(link, self.path / CURRENT)
        _fsync_dir(self.path)

    def _after_save(self, target: Path, files: dict[str, str]) -> None:
        """Outside the unit: the top-level names as links through `current`, old generations pruned."""
        for name in STATE_NAMES:
            path = self.path / name
            if path.is_symlink() and os.readlink(path) == f"{CURRENT}/{name}":
                continue
            try:
                link = self.path / f".{name}.{os.getpid()}.tmp"
                link.unlink(missing_ok=True)
                os.symlink(f"{CURRENT}/{name}", link)
                os.replace(link, path)  # a plain file from before generations gives way to the link
            except OSError:
                pass
        self.prune(keep=target)

    def prune(self, keep: Optional[Path] = None) -> None:
        generations = self.path / GENERATIONS
        if not generations.is_dir():
            return
        current = keep or self.current_generation()
        names = sorted(p.name for p in generations.iterdir() if _GENERATION.match(p.name))
        if current is None:
            return
        older = [n for n in names if n < current.name]
        for name in older[: max(len(older) - (KEEP_GENERATIONS - 1), 0)]:
            shutil.rmtree(generations / name, ignore_errors=True)

    def clean_stale(self) -> list[str]:
        """Remove what dead writers left: temporary folders and files, and generations newer than
        CURRENT that were never switched to. Returns the names removed."""
        removed: list[str] = []
        current = self.current_generation()
        for folder in (self.path, self.path / GENERATIONS):
            if not folder.is_dir():
                continue
            for entry in folder.iterdir():
                stale_temp = entry.name.startswith(".") and entry.name.endswith(".tmp") and _is_stale(entry)
                unswitched = (
                    folder.name == GENERATIONS and current is not None and _GENERATION.match(entry.name)
                    and entry.name > current.name and _is_stale_generation(entry)
                )
                if stale_temp or unswitched:
                    if entry.is_dir() and not entry.is_symlink():
                        shutil.rmtree(entry, ignore_errors=True)
                    else:
                        entry.unlink(missing_ok=True)
                    removed.append(entry.name)
        self.prune()
        return removed


def _is_stale_generation(entry: Path) -> bool:
    # A generation renamed into place whose switch never came: left by a writer that died between
    # the two renames. A live writer switches within moments, so only an old one is removed.
    try:
        return time.time() - entry.stat().st_mtime > STALE_SECONDS
    except OSError:
        return False


STATE_NAMES = (FIGURES, FORM, DRAFTS, NOTES, SETTINGS)


def _state_files(folder: Path) -> list[Path]:
    return [folder / n for n in STATE_NAMES if (folder / n).is_file() and not (folder / n).is_symlink()]


_CLEANED: set[Path] = set()


class Workspace:
    def __init__(self, root: Path | str | None = None):
        self.root = Path(root) if root is not None else workspace_root()

    def reports(self) -> list[str]:
        """Report names, most recently changed first."""
        if not self.root.is_dir():
            return []
        folders = [p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".")]

        def changed(folder: Path) -> float:
            times = [f.stat().st_mtime for f in folder.iterdir() if f.is_file()]
            return max(times, default=folder.stat().st_mtime)

        return [p.name for p in sorted(folders, key=changed, reverse=True)]

    def folder(self, name: str) -> ReportFolder:
        path = self.root / safe_name(name)
        path.mkdir(parents=True, exist_ok=True)
        folder = ReportFolder(path)
        if path not in _CLEANED:
            _CLEANED.add(path)  # once per process: what a killed writer left behind
            folder.clean_stale()
        return folder

    def exists(self, name: str) -> bool:
        return (self.root / safe_name(name)).is_dir()

    def last_used(self) -> Optional[str]:
        try:
            name = (self.root / _LAST).read_text(encoding="utf-8").strip()
        except OSError:
            name = ""
        if name and self.exists(name):
            return safe_name(name)
        reports = self.reports()
        return reports[0] if reports else None

    def set_last_used(self, name: str) -> None:
        write_text_atomic(self.root / _LAST, safe_name(name))


# --- reports as JSON ------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    return json.loads(dumps(value))


def report_to_dict(report: Report) -> dict:
    data = dataclasses.asdict(dataclasses.replace(report, sections=[]))
    data["sections"] = [section_to_dict(s) for s in report.sections]
    data["omitted"] = [list(item) for item in report.omitted]
    return _plain(data)


def section_to_dict(section: SectionDraft) -> dict:
    data = {f.name: getattr(section, f.name) for f in dataclasses.fields(section)}
    return _plain(data)


def section_from_dict(data: dict) -> SectionDraft:
    names = {f.name for f in dataclasses.fields(SectionDraft)}
    return SectionDraft(**{k: v for k, v in data.items() if k in names})


def report_from_dict(data: dict) -> Report:
    names = {f.name for f in dataclasses.fields(Report)}
    values = {k: v for k, v in data.items() if k in names}
    values["sections"] = [section_from_dict(s) for s in data.get("sections", [])]
    values["omitted"] = [tuple(item) for item in data.get("omitted", [])]
    return Report(**values)
