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


def render_group(group: Mapping[str, Any], ledger: Ledger, variables: Vars) -> str | None:
    items = [render_piece(item, ledger, variables) for item in group.get("items", [])]
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
