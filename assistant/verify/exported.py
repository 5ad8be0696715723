"""The draft the app exported, rebuilt from the workspace: the baseline for an edited .docx.

The workspace keeps the drafted report (drafts.json: the report, the sections adopted from chat),
the figures (figures.yaml) and the report options (settings.json). The .docx the 一键生成 tab offers
for download is a pure function of these, so it is rebuilt here exactly as the tab builds it
(`assistant.export.report_files.export_files` on the report with its adopted sections).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from assistant.ledger.facts import Ledger


class ExportedDraftError(Exception):
    """No exported draft in the workspace; str(error) is the Chinese message (exit code 2)."""


@dataclass(frozen=True)
class ExportedDraft:
    report_name: str
    docx: bytes
    ledger: Ledger
    notes: tuple[str, ...]


def _settings(raw: Optional[dict[str, Any]]):
    from pydantic import ValidationError

    from assistant.ledger.settings import ReportSettings

    values = {k: v for k, v in (raw or {}).items() if v not in (None, "")}
    try:
        return ReportSettings.model_validate(values)
    except ValidationError:
        return ReportSettings()  # the app falls back to the defaults for invalid options too


def exported_draft(name: Optional[str] = None, root=None) -> ExportedDraft:
    """The exported .docx of workspace report `name` (default: the last one used) with its ledger."""
    from assistant.drafting.redraft import apply_adopted
    from assistant.export.report_files import export_files, report_file_stem
    from assistant.figures import load_figures
    from assistant.figures.yaml_io import FiguresError
    from assistant.ledger.calculator import note_texts
    from assistant.scoring import build_scored_ledger
    from assistant.workspace import DRAFTS, FIGURES, SETTINGS, Workspace, report_from_dict

    workspace = Workspace(root)
    chosen = name or workspace.last_used()
    if not chosen or not workspace.exists(chosen):
        known = "、".join(workspace.reports()) or "（无）"
        raise ExportedDraftError(f"工作区中没有报告“{chosen or ''}”（{workspace.root}；现有：{known}）。")
    folder = workspace.folder(chosen)
    drafts = folder.read_json(DRAFTS, {}) or {}
    if not drafts.get("report"):
        raise ExportedDraftError(f"工作区报告“{folder.name}”还没有生成过报告（在“一键生成”中生成后再核对修改稿）。")
    try:
        report = report_from_dict(drafts["report"])
    except (TypeError, KeyError, ValueError) as exc:
        raise ExportedDraftError(f"工作区报告“{folder.name}”的起草结果已损坏（{type(exc).__name__}）。") from None
    figures_path = folder.file(FIGURES)
    try:
        figures = load_figures(figures_path)
    except (FiguresError, OSError) as exc:
        raise ExportedDraftError(f"工作区报告“{folder.name}”的数据文件无法读取：{exc}") from None
    settings = _settings((folder.read_json(SETTINGS, {}) or {}).get("report"))
    effective, _ = apply_adopted(report, drafts.get("adopted") or {})
    ledger = build_scored_ledger(figures, settings)
    files = export_files(effective, ledger, figures)
    stem = report_file_stem(figures.meta.unit_name, figures.meta.year)
    return ExportedDraft(folder.name, files[f"{stem}.docx"], ledger, tuple(note_texts(figures)))
