"""Figures in a text, highlighted as HTML: verified ones green with their source on hover (the
HTML title attribute), the rest red with what is wrong. Citations of retrieved passages too."""

from __future__ import annotations

import html
from typing import Any, Iterable, Optional

from assistant.ledger.facts import Ledger
from assistant.figures.model import label_for_path

OK_STYLE = "background:#e6f4ea;color:#0b5a25;border-bottom:2px solid #34a853;padding:0 2px;border-radius:2px"
BAD_STYLE = "background:#fde7e7;color:#b3261e;border-bottom:2px solid #d93025;padding:0 2px;border-radius:2px;font-weight:600"
STATUS_ZH = {"supported": "有据", "misattributed": "张冠李戴", "contradicted": "增减方向矛盾", "unsupported": "无来源"}


def _get(item: Any, name: str, default: Any = None) -> Any:
    if isinstance(item, dict):
        return item.get(name, default)
    return getattr(item, name, default)


def finding_dicts(verification: Any) -> list[dict]:
    """Verifier findings as dicts, from a VerificationReport, its to_dict(), or a list."""
    if verification is None:
        return []
    if hasattr(verification, "to_dict"):
        verification = verification.to_dict()
    if isinstance(verification, dict):
        verification = verification.get("findings", [])
    return [f.to_dict() if hasattr(f, "to_dict") else dict(f) for f in verification or []]


def source_fields_text(inputs: Iterable[str]) -> str:
    """Chinese labels of a fact's input fields (projects.0.name → 项目/第1项/项目名称)."""
    labels = []
    for field in inputs:
        steps = tuple(int(p) if p.isdigit() else p for p in str(field).split("."))
        labels.append(label_for_path(steps))
    return "、".join(labels)


def describe_source(source: Any, ledger: Optional[Ledger] = None) -> str:
    """One line naming where a figure comes from: the ledger fact with its formula, or the note."""
    if not source:
        return ""
    if isinstance(source, str):
        return source
    if _get(source, "source") == "notes" or _get(source, "kind") == "notes":
        index = _get(source, "note_index")
        where = f"工作记录第{index + 1}条" if isinstance(index, int) else "用户填写的文字"
        return f"来源：{where}“…{_get(source, 'note_text', '')}…”"
    key = _get(source, "fact") or _get(source, "fact_key") or ""
    label = _get(source, "label", "")
    text = _get(source, "text", "")
    line = f"来源：台账“{label}”{text}"
    fact = ledger.get(key) if ledger is not None and key else None
    if fact is not None:
        line += f"；公式：{fact.formula}"
        fields = source_fields_text(fact.inputs)
        if fields:
            line += f"；字段：{fields}"
    return line


def finding_title(finding: dict, ledger: Optional[Ledger] = None) -> str:
    status = finding.get("status", "")
    if status == "supported":
        return describe_source(finding.get("provenance"), ledger) or "有据"
    parts = [f"{finding.get('status_zh') or STATUS_ZH.get(status, status)}"]
    if finding.get("message"):
        parts.append(str(finding["message"]))
    provenance = describe_source(finding.get("provenance"), ledger)
    if provenance:
        parts.append(provenance)
    return "：".join(parts[:2]) + ("；" + parts[2] if len(parts) > 2 else "")


def highlight_html(text: str, findings: Iterable[dict], ledger: Optional[Ledger] = None) -> str:
    """The text as HTML (paragraphs kept), each found figure wrapped in a span with a title."""
    spans = sorted(
        (f for f in findings if isinstance(f.get("start"), int) and isinstance(f.get("end"), int)),
        key=lambda f: f["start"],
    )
    out: list[str] = []
    cursor = 0
    for finding in spans:
        start, end = finding["start"], finding["end"]
        if start < cursor or end > len(text) or start >= end:
            continue  # overlapping or out of range: leave the text plain rather than garble it
        out.append(html.escape(text[cursor:start]))
        ok = finding.get("status") == "supported"
        title = html.escape(finding_title(finding, ledger), quote=True)
        mark = "" if ok else "！"  # a glyph every CJK font has (no emoji: no tofu)
        out.append(
            f'<span class="{"fig-ok" if ok else "fig-bad"}" style="{OK_STYLE if ok else BAD_STYLE}" '
            f'title="{title}">{html.escape(text[start:end])}{mark}</span>'
        )
        cursor = end
    out.append(html.escape(text[cursor:]))
    body = "".join(out)
    paragraphs = [p for p in body.split("\n") if p.strip()]
    return "".join(f'<p style="text-indent:2em;line-height:1.9;margin:0 0 .4em 0">{p}</p>' for p in paragraphs)


def counts_line(findings: list[dict]) -> str:
    total = len(findings)
    bad = sum(1 for f in findings if f.get("status") != "supported")
    if not total:
        return "文中没有需要核对的数字。"
    if not bad:
        return f"数字核对：共 {total} 处，全部有据（鼠标悬停可查看来源）。"
    return f"数字核对：共 {total} 处，其中 {bad} 处未通过（红色标出，悬停查看原因）。"


def citation_parts(passage: Any) -> dict:
    """File, title, heading, snippet and score of a retrieved passage (object or saved dict)."""
    text = _get(passage, "text", "") or ""
    snippet = _get(passage, "snippet", "") or text[:160]
    return {
        "file": _get(passage, "source", ""),
        "title": _get(passage, "title", ""),
        "heading": _get(passage, "heading", ""),
        "snippet": snippet,
        "score": _get(passage, "score", None),
        "text": text,
        "start": _get(passage, "start", None),
        "end": _get(passage, "end", None),
    }


def citation_dict(passage: Any) -> dict:
    """A passage as plain data for saving with the conversation."""
    if hasattr(passage, "to_dict"):
        return passage.to_dict()
    return dict(passage) if isinstance(passage, dict) else citation_parts(passage)


def render_citations(passages: list, *, title: str = "参考资料") -> None:
    import streamlit as st

    from assistant.ui.markup import md

    if not passages:
        return
    with st.expander(f"{title}（{len(passages)} 条）"):
        for i, passage in enumerate(passages, start=1):
            parts = citation_parts(passage)
            name = f"《{parts['title']}》" if parts["title"] else ""
            heading = f" ›「{parts['heading']}」" if parts["heading"] else ""
            place = f"（第{parts['start']}–{parts['end']}字）" if parts["start"] is not None else ""
            st.markdown(f"**[{i}] {name}** `{parts['file']}`{heading}{place}")
            st.caption(md(parts["snippet"]))
