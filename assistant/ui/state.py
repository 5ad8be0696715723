"""Session state of the app: the open report (form as typed, drafts, chat, settings) and autosave.

Everything the user enters lives in plain data in `st.session_state` and is written to the report's
workspace folder at the end of every run in which it changed, so a browser refresh or a server
restart brings it back. The API key is the one exception: it stays in the session (or the
environment) and is never part of what is saved.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any, Optional

import streamlit as st
from pydantic import ValidationError

from assistant.figures.model import Figures
from assistant.figures.yaml_io import FiguresError, dump_yaml, parse_yaml_text
from assistant.figures.form_data import FormResult, blank_raw, data_from_raw, raw_from_data, validate_raw
from assistant.interface import Report
from assistant.ledger.settings import ReportSettings
from assistant.workspace import (
    DEFAULT_REPORT,
    DRAFTS,
    FIGURES,
    FORM,
    NOTES,
    SETTINGS,
    Workspace,
    dumps,
    report_from_dict,
    report_to_dict,
    safe_name,
)

S = st.session_state
API_KEY = "model_api_key"  # session-only; see settings_tab
MODEL_FIELDS = ("base_url", "model", "temperature")  # what of the model settings is saved (no key)


def init() -> None:
    """Open the last report of the workspace on a session's first run."""
    if "report_name" in S:
        return
    workspace = Workspace()
    open_report(workspace.last_used() or DEFAULT_REPORT)


def open_report(name: str) -> None:
    workspace = Workspace()
    folder = workspace.folder(name)
    S["report_name"] = folder.name
    S["form"] = _load_form(folder)
    drafts = folder.read_json(DRAFTS, {}) or {}
    try:
        S["report"] = report_from_dict(drafts["report"]) if drafts.get("report") else None
    except (TypeError, KeyError):
        S["report"] = None
    S["report_info"] = drafts.get("info") or {}
    S["adopted"] = drafts.get("adopted") or {}
    S["notes"] = folder.read_json(NOTES, {}) or {}
    S["notes"].setdefault("chat", {})
    saved = folder.read_json(SETTINGS, {}) or {}
    S["settings"] = {"report": saved.get("report") or {}, "model": _model_defaults(saved.get("model") or {})}
    S["_saved"] = {}  # file name → text last written, so unchanged files are not rewritten
    S["form_version"] = S.get("form_version", 0) + 1
    workspace.set_last_used(folder.name)


def _load_form(folder) -> dict:
    """The form as last typed; failing that the last valid figures; failing that an empty form."""
    saved = folder.read_json(FORM)
    if isinstance(saved, dict):
        return raw_from_data(Figures, saved)
    text = folder.read_text(FIGURES)
    if text:
        try:
            return raw_from_data(Figures, parse_yaml_text(text))
        except FiguresError:
            pass
    return blank_raw(Figures)


def _model_defaults(saved: dict) -> dict:
    from assistant.llm.model_settings import ModelError, ModelSettings

    try:
        env = ModelSettings.from_env()
    except ModelError:
        env = ModelSettings()
    values = {"base_url": env.base_url or "", "model": env.model or "", "temperature": env.temperature}
    values.update({k: v for k, v in saved.items() if k in MODEL_FIELDS})
    return values


def reports() -> list[str]:
    names = Workspace().reports()
    current = S.get("report_name")
    return names if current in names or current is None else [current, *names]


def unused_name(base: str) -> str:
    workspace = Workspace()
    name = safe_name(base)
    if not workspace.exists(name):
        return name
    n = 2
    while workspace.exists(f"{name}（{n}）"):
        n += 1
    return f"{name}（{n}）"


# --- the form -------------------------------------------------------------------------------------


def form() -> dict:
    return S["form"]


def form_version() -> int:
    return S["form_version"]


def bump_form_version() -> None:
    """Every form widget starts afresh from the raw tree (after a load, an added or deleted row)."""
    S["form_version"] += 1


def has_content(raw: Optional[dict] = None) -> bool:
    return data_from_raw(Figures, raw if raw is not None else form()) is not None


def load_data(data: Any, source_name: str) -> str:
    """Put figures data (a dict as read from a file) into the form. Into the open report when that
    is still empty; otherwise into a new report named after the source, so nothing typed is lost.
    Returns the name of the report it went into."""
    if has_content():
        open_report(unused_name(source_name))
    S["form"] = raw_from_data(Figures, data)
    bump_form_version()
    return S["report_name"]


def validation() -> FormResult:
    text = dumps(form())
    cached = S.get("_validation")
    if cached and cached[0] == text:
        return cached[1]
    result = validate_raw(form())
    S["_validation"] = (text, result)
    return result


def figures() -> Optional[Figures]:
    return validation().figures


def figures_digest(figures: Figures) -> str:
    return hashlib.sha1(dump_yaml(figures).encode("utf-8")).hexdigest()[:16]


# --- settings -------------------------------------------------------------------------------------


def report_settings() -> tuple[ReportSettings, list[str]]:
    """The report options as entered; invalid entries are reported and the defaults used for them."""
    raw = {k: v for k, v in S["settings"]["report"].items() if v not in (None, "")}
    try:
        return ReportSettings.model_validate(raw), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = err["loc"][0] if err.get("loc") else ""
            info = ReportSettings.model_fields.get(name)
            problems.append(f"“{info.title if info else name}”取值无效（填写的是：{err.get('input')}），已按默认值处理。")
            raw.pop(name, None)
        try:
            return ReportSettings.model_validate(raw), problems
        except ValidationError:
            return ReportSettings(), problems


def model_settings():
    """ModelSettings from the settings tab, the session's API key, else the environment."""
    from assistant.llm.model_settings import ModelError, ModelSettings

    model = S["settings"]["model"]
    overrides: dict[str, Any] = {"base_url": model.get("base_url") or None, "model": model.get("model") or None}
    if model.get("temperature") not in (None, ""):
        overrides["temperature"] = model["temperature"]
    if S.get(API_KEY):
        overrides["api_key"] = S[API_KEY]
    try:
        return ModelSettings.from_env(**overrides)
    except ModelError:
        return ModelSettings(**{k: v for k, v in overrides.items() if k != "temperature"})


# --- drafts and chat ------------------------------------------------------------------------------


def report() -> Optional[Report]:
    return S.get("report")


def set_report(report: Report, info: dict) -> None:
    S["report"] = report
    S["report_info"] = info


def adopted() -> dict:
    return S["adopted"]


def chat_history(section_id: str) -> list[dict]:
    return S["notes"]["chat"].setdefault(section_id, [])


# --- autosave -------------------------------------------------------------------------------------


def _payloads() -> dict[str, str]:
    current = S.get("report")
    drafts = {
        "report": report_to_dict(current) if current is not None else None,
        "info": S.get("report_info") or {},
        "adopted": S.get("adopted") or {},
    }
    payloads = {
        FORM: dumps(form()),
        DRAFTS: dumps(drafts),
        NOTES: dumps(S["notes"]),
        # Only the named fields of the model settings: the API key is never among them.
        SETTINGS: dumps({"report": S["settings"]["report"], "model": {k: S["settings"]["model"].get(k) for k in MODEL_FIELDS}}),
    }
    valid = figures()
    if valid is not None:
        payloads[FIGURES] = dump_yaml(valid)
    return payloads


def autosave() -> None:
    """Write whatever changed since the last save; the time of the last save is shown in the sidebar."""
    if "report_name" not in S:
        return
    try:
        folder = Workspace().folder(S["report_name"])
        saved = S["_saved"]
        payloads = _payloads()
        changed = {name: text for name, text in payloads.items() if saved.get(name) != text}
        wrote = bool(changed)
        if changed:
            # One save is one generation of the whole report (workspace.ReportFolder.save): a
            # kill mid-save leaves the old or the new state, never half of each.
            folder.save(changed)
            saved.update(changed)
        if wrote or "save_status" not in S:
            S["save_status"] = (dt.datetime.now().strftime("%H:%M:%S"), "")
    except OSError as exc:
        S["save_status"] = ("", f"自动保存失败：{exc.strerror or exc}")
