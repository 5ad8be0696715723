"""The workspace: one folder per report, so nothing the user typed or drafted is lost.

Each report folder holds
  figures.yaml   the last figures that validated (the canonical file, readable by the CLI)
  form.json      the form exactly as typed, invalid values included
  drafts.json    the drafted report, per-section drafts adopted from chat
  notes.json     chat conversations per section
  settings.json  report options and the model endpoint (never the API key)
Every write goes to a temporary file in the same folder and is renamed over the old one, so a crash
mid-write leaves the previous version intact. The root is ASSISTANT_WORKSPACE, or
`data_dir()/workspace`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Optional

from assistant import offline
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


def atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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


class ReportFolder:
    """The files of one report."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.name = self.path.name

    def file(self, name: str) -> Path:
        return self.path / name

    def read_json(self, name: str, default: Any = None) -> Any:
        path = self.file(name)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return default
        except (OSError, ValueError):
            # A damaged file is kept aside (not overwritten) so it can still be recovered by hand.
            path.replace(path.with_name(path.name + ".damaged"))
            return default

    def write_json(self, name: str, data: Any) -> str:
        text = dumps(data)
        atomic_write_text(self.file(name), text)
        return text

    def read_text(self, name: str) -> Optional[str]:
        try:
            return self.file(name).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def write_text(self, name: str, text: str) -> None:
        atomic_write_text(self.file(name), text)


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
        return ReportFolder(path)

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
        atomic_write_text(self.root / _LAST, safe_name(name))


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
