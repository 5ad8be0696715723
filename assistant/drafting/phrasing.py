"""Renders the sentence templates of `prompts/templates/sections.yaml` against a ledger.

The template language is data: paragraphs of sentences of pieces (see the YAML header). A sentence is
kept only when its head piece resolves, other pieces drop out silently when their data is absent, so
the drafter never mentions data the user did not enter and never prints a figure the ledger lacks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml

from assistant.ledger.facts import Ledger
from assistant.drafting.slots import SLOT_RE, slot_value
from assistant.offline import REPO_ROOT

TEMPLATES_FILE = REPO_ROOT / "prompts" / "templates" / "sections.yaml"
VAR_RE = re.compile(r"\{(text:)?([a-z_]+)\}")
CLAUSE_END = "；，"


@dataclass(frozen=True)
class Vars:
    """Plain-text variables a template may use: unit meta and the user's own texts."""

    values: Mapping[str, str]

    def get(self, name: str) -> str | None:
        value = self.values.get(name)
        return value if value not in (None, "") else None


@lru_cache(maxsize=4)
def load_templates(path: Path = TEMPLATES_FILE) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def render_piece(piece: str, ledger: Ledger, variables: Vars) -> str | None:
    """Fill one piece; None when any slot or variable it names is absent."""
    missing = False

    def fill_var(match: re.Match) -> str:
        nonlocal missing
        value = variables.get(match.group(2))
        if value is None:
            missing = True
            return ""
        return value.rstrip("。；，")  # the template supplies the punctuation

    def fill_slot(match: re.Match) -> str:
        nonlocal missing
        value = slot_value(ledger, match.group(1), match.group(2))
        if value is None:
            missing = True
            return ""
        return value

    text = VAR_RE.sub(fill_var, piece)
    text = SLOT_RE.sub(fill_slot, text)
    return None if missing else text


def _all_zero_slots(piece: str, ledger: Ledger) -> bool:
    """Every fact the piece names is zero (a 0万元 change or amount not worth a clause of its own)."""
    facts = [ledger.get(m.group(1)) for m in SLOT_RE.finditer(piece)]
    return bool(facts) and all(f is not None and f.value == 0 for f in facts)


def render_group(group: Mapping[str, Any], ledger: Ledger, variables: Vars) -> str | None:
    """A list of items; with `skip_zero`, an item whose facts are all zero is left out."""
    items = [
        render_piece(item, ledger, variables)
        for item in group.get("items", [])
        if not (group.get("skip_zero") and _all_zero_slots(item, ledger))
    ]
    present = [item for item in items if item is not None]
    if not present:
        return None
    return f"{group.get('prefix', '')}{group.get('sep', '，').join(present)}{group.get('suffix', '')}"


def render_sentence(sentence: Mapping[str, Any], ledger: Ledger, variables: Vars) -> str | None:
    parts: list[str] = []
    for position, piece in enumerate(sentence.get("pieces", [])):
        rendered = render_group(piece["group"], ledger, variables) if isinstance(piece, dict) else render_piece(piece, ledger, variables)
        if rendered is None:
            if position == 0:
                return None
            continue
        parts.append(rendered)
    return "".join(parts) + sentence.get("end", "。")


def render_paragraph(sentences: list[Mapping[str, Any]], ledger: Ledger, variables: Vars) -> str:
    out: list[str] = []
    previous_missing = False
    for sentence in sentences:
        if sentence.get("only_if_previous_missing") and not previous_missing:
            continue
        rendered = render_sentence(sentence, ledger, variables)
        previous_missing = rendered is None
        if rendered is not None:
            out.append(rendered)
    text = "".join(out)
    if text and text[-1] in CLAUSE_END:
        text = text[:-1] + "。"  # the sentence that would have closed the paragraph was absent
    return text


def render_section(name: str, ledger: Ledger, variables: Vars, templates: Mapping[str, Any] | None = None) -> list[str]:
    """Paragraphs of a figures-driven section; an empty list when the user entered none of its data."""
    templates = templates if templates is not None else load_templates()
    paragraphs = templates.get(name) or []
    rendered = [render_paragraph(p, ledger, variables) for p in paragraphs]
    return [p for p in rendered if p]


def render_keyed_sentence(template: Mapping[str, Any], key: str, name: str, ledger: Ledger, variables: Vars) -> str | None:
    """A sentence template written for any indicator or project: {key} and {name} are substituted first."""
    pieces = [p.replace("{key}", key).replace("{name}", name) for p in template["pieces"]]
    return render_sentence({"pieces": pieces, "end": template.get("end", "。")}, ledger, variables)


# --- phrasing rules (applied to every paragraph the template drafter writes) ------------------------

SENTENCE_LIMIT = 120  # characters: a longer sentence is split at a clause boundary
_SENTENCE_END = "。！？"
_CLOSERS = "”’）"
# A clause that cannot stand as a sentence of its own (it leans on the one before it).
_LEANING = ("占", "较", "增长", "下降", "分别", "同比", "比上年", "其中", "均")
# Clause openings that start a new statement: the preferred places to split at a comma.
_FRESH = ("差异产生", "主要原因", "超出预算", "与上年相比", "全年", "基本支出", "项目支出", "总支出", "年末", "固定资产", "政府采购")


def split_sentences(text: str) -> list[str]:
    """Sentences with their end marks (a closing quote or bracket after 。 stays with its sentence)."""
    out: list[str] = []
    start = 0
    i = 0
    while i < len(text):
        if text[i] in _SENTENCE_END:
            end = i + 1
            while end < len(text) and text[end] in _CLOSERS:
                end += 1
            out.append(text[start:end])
            start = i = end
            continue
        i += 1
    if start < len(text):
        out.append(text[start:])
    return [s for s in out if s]


def _depth_ok(text: str, position: int) -> bool:
    """Outside quotes and brackets: never split “…，…” or （…，…）."""
    before = text[:position]
    return before.count("“") == before.count("”") and before.count("（") == before.count("）")


def _split_point(sentence: str, limit: int) -> int | None:
    minimum = 12
    body = sentence.rstrip(_SENTENCE_END + _CLOSERS)
    for marks, preferred in (("；", None), ("，", _FRESH), ("，", None)):
        candidates = [
            i
            for i, ch in enumerate(body)
            if ch in marks
            and minimum <= i <= limit
            and len(body) - i > minimum
            and _depth_ok(body, i)
            and not body[i + 1 :].startswith(_LEANING)
            and (preferred is None or body[i + 1 :].startswith(preferred))
        ]
        if candidates:
            return max(candidates)
    return None


def split_long_sentence(sentence: str, limit: int = SENTENCE_LIMIT) -> list[str]:
    """A sentence over `limit` characters as two or more, cut at the last clause boundary (；
    first, then ， before a fresh statement, then any ，) that keeps the first part within the
    limit; a sentence with no such boundary is left whole."""
    if len(sentence) <= limit:
        return [sentence]
    point = _split_point(sentence, limit)
    if point is None:
        return [sentence]
    return [sentence[:point] + "。", *split_long_sentence(sentence[point + 1 :], limit)]


def split_long_sentences(paragraph: str, limit: int = SENTENCE_LIMIT) -> str:
    return "".join(part for sentence in split_sentences(paragraph) for part in split_long_sentence(sentence, limit))


def project_ref(name: str) -> str:
    """How a sentence names a project: “X项目” when the name already says 项目, else “X”项目."""
    name = name.strip().strip("“”\"")
    return f"“{name}”" if name.endswith("项目") else f"“{name}”项目"


def close_sentence(text: str) -> str:
    """Close a user's sentence with 。 unless it already ends with punctuation."""
    text = text.strip()
    return text if not text or text[-1] in "。！？；：”’）" else f"{text}。"


def ordinal_items(items: list[str], ordinals: list[str]) -> list[str]:
    """Items marked 一是、二是 … — only when there are two or more (a lone 一是 has no 二是)."""
    if len(items) < 2:
        return [close_sentence(item) for item in items]
    return [f"{ordinals[i] if i < len(ordinals) else ''}{close_sentence(item)}" for i, item in enumerate(items)]


def reason_from(texts: list[str], keywords: list[str], cues: list[str], tails: list[str]) -> str | None:
    """The reason a user gave for something, in the user's words: the first clause of `texts` that
    names one of `keywords` and introduces a cause with one of `cues` (主要原因是, 由于 …); the words
    after the cue, without a closing 所致/导致. None when no text gives one — the caller writes a
    to-do marker then, never a reason of its own."""
    ordered = sorted(cues, key=len, reverse=True)
    for text in texts:
        for clause in re.split(r"[。；！？\n]", text or ""):
            if keywords and not any(k in clause for k in keywords):
                continue
            for cue in ordered:
                at = clause.find(cue)
                if at < 0:
                    continue
                reason = clause[at + len(cue) :].strip("，,：: ")
                for tail in tails:
                    if reason.endswith(tail):
                        reason = reason[: -len(tail)].rstrip("，, ")
                if len(reason) >= 4:
                    return reason
    return None


def deviation_reason(text: str | None) -> str | None:
    """The cause part of a 偏差原因分析及改进措施 entry: the words before its 下一步/改进 clause."""
    if not text or not text.strip():
        return None
    reason = re.split(r"[；;。]\s*(?=下一步|今后|改进|整改)", text.strip(), maxsplit=1)[0]
    return reason.rstrip("。；;，, ") or None


def reason_before(texts: list[str], keywords: list[str], effects: list[str]) -> str | None:
    """The cause a user wrote before its effect in one sentence: "上级检查调研期间接待任务增加，公务接待费
    决算数超过预算数" — the clauses before the one that names the matter (a keyword) and its effect
    (超过预算 …), when none of them states the effect itself."""
    for text in texts:
        for sentence in re.split(r"[。；！？\n]", text or ""):
            clauses = [c for c in re.split(r"[，,]", sentence)]
            for k, clause in enumerate(clauses[1:], start=1):
                if any(w in clause for w in keywords) and any(e in clause for e in effects):
                    before = "，".join(c.strip() for c in clauses[:k]).strip()
                    for lead in ("由于", "因为", "因"):  # "主要原因是因…" would say the cause twice
                        if before.startswith(lead):
                            before = before[len(lead) :]
                            break
                    if len(before) >= 4 and not any(e in before for e in effects):
                        return before
    return None
