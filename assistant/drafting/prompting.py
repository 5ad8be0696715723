"""Prompt building for the LLM drafter and the chat: templates are files, every value comes at run time.

A section prompt gives the model the section's writing instructions (`prompts/section_instructions.yaml`),
the ledger facts it may use as named slots `【key】` (label and current value for meaning only), the
user's notes for the section (their figures may be copied verbatim), retrieved passages as style
examples fenced as untrusted data with their digits masked, and on regeneration the verifier's
findings with the rejected draft. Retrieved context is trimmed to a tiktoken budget; the rest is fixed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from assistant.drafting import note_sources
from assistant.drafting.slots import NoteSlots, note_slots_for
from assistant.llm import budget as tokens
from assistant.verify.figure_tokens import find_figure_tokens
from assistant.ledger.facts import Fact, Ledger, MissingFact
from assistant.figures.model import Figures
from assistant.export.numbering import chinese_number
from assistant.interface import OutlineSection, SectionContext
from assistant.ledger.numbers import change_words
from assistant.offline import REPO_ROOT

PROMPTS_DIR = REPO_ROOT / "prompts"
INSTRUCTIONS_FILE = PROMPTS_DIR / "section_instructions.yaml"
SECTION_PROMPT = "section.md"
CHAT_PROMPT = "chat.md"

# Tokens for the whole prompt (system + history + user message). Only retrieved passages are cut to
# fit; instructions, facts and notes are never dropped. Override with ASSISTANT_PROMPT_BUDGET.
DEFAULT_PROMPT_BUDGET = 6000
ENV_PROMPT_BUDGET = "ASSISTANT_PROMPT_BUDGET"

_MARKER = re.compile(r"^<!--\s*(system|user)\s*-->\s*$", re.M)
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
# Figures in a retrieved passage are another unit's: each is replaced by this marker, which the
# truth gate rejects if a model copies it into a draft.
PASSAGE_MARK = "×"
# A passage must not be able to close the fence it sits in.
_FENCE_LIKE = re.compile(r"<{3,}|>{3,}")


class PromptError(ValueError):
    """A prompt template file that cannot be used (missing part, unknown placeholder)."""


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    system: str
    user: str


def prompt_budget_from_env(environ: Mapping[str, str] | None = None) -> int:
    env = os.environ if environ is None else environ
    raw = (env.get(ENV_PROMPT_BUDGET) or "").strip()
    if not raw:
        return DEFAULT_PROMPT_BUDGET
    try:
        value = int(raw)
    except ValueError:
        raise PromptError(f"环境变量 {ENV_PROMPT_BUDGET} 的值“{raw}”不是整数") from None
    if value <= 0:
        raise PromptError(f"环境变量 {ENV_PROMPT_BUDGET} 应为正整数，现为 {value}")
    return value


@lru_cache(maxsize=8)
def load_prompt(name: str = SECTION_PROMPT) -> PromptTemplate:
    """A prompt file under prompts/: a system part and a user part, each after its marker line."""
    path = PROMPTS_DIR / name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PromptError(f"提示词文件 {name} 无法读取：{exc}") from exc
    parts: dict[str, str] = {}
    matches = list(_MARKER.finditer(text))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        parts[match.group(1)] = text[match.end() : end].strip("\n")
    if set(parts) != {"system", "user"}:
        raise PromptError(f"提示词文件 {name} 应含有 system 与 user 两部分（各以独占一行的标记开头）")
    return PromptTemplate(name, parts["system"], parts["user"])


@lru_cache(maxsize=1)
def load_instructions() -> dict:
    try:
        data = yaml.safe_load(INSTRUCTIONS_FILE.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PromptError(f"写作要求文件 {INSTRUCTIONS_FILE.name} 无法读取：{exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(data.get(k), dict) for k in ("modes", "sections", "phrases")):
        raise PromptError(f"写作要求文件 {INSTRUCTIONS_FILE.name} 应含有 modes、sections 与 phrases")
    return data


def phrases() -> dict[str, str]:
    return load_instructions()["phrases"]


def phrase(name: str, **values: Any) -> str:
    return render(phrases()[name], values)


def render(template: str, values: Mapping[str, Any]) -> str:
    """Fill `{name}` placeholders in one pass (values are not re-scanned); unknown names are errors."""

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise PromptError(f"提示词模板中的占位名称 {{{name}}} 没有对应的值")
        return str(values[name])

    return _PLACEHOLDER.sub(fill, template)


def section_instruction(section: OutlineSection) -> str:
    data = load_instructions()
    return str(data["sections"].get(section.id) or data["modes"].get(section.mode) or data["modes"]["notes"])


# --- facts ------------------------------------------------------------------------------------


def section_facts(section: OutlineSection, ledger: Ledger) -> list[Fact]:
    """The ledger facts whose keys match the section's prefixes, in ledger order."""
    return [f for f in ledger if any(f.key.startswith(p) for p in section.facts)]


def section_missing(section: OutlineSection, ledger: Ledger) -> list[MissingFact]:
    return [m for m in ledger.missing.values() if any(m.key.startswith(p) for p in section.facts)]


def fact_line(fact: Fact) -> str:
    if fact.signed_change:
        amount_verb, rate_verb = change_words(fact.value)
        return phrase("signed_fact_line", key=fact.key, label=fact.label, value=fact.text, amount_verb=amount_verb, rate_verb=rate_verb)
    return phrase("fact_line", key=fact.key, label=fact.label, value=fact.text)


def facts_block(section: OutlineSection, ledger: Ledger) -> str:
    lines = [fact_line(f) for f in section_facts(section, ledger)]
    lines += [phrase("missing_line", label=m.label, reason=m.reason) for m in section_missing(section, ledger)]
    return "\n".join(lines) if lines else phrase("no_facts")


# --- the user's notes ---------------------------------------------------------------------------

# Where the note fields live (kept importable from here for callers of the old location).
NoteGroups = note_sources.NoteGroups
NOTE_SOURCES = note_sources.NOTE_SOURCES


def section_notes(section: OutlineSection, figures: Figures) -> NoteGroups:
    """The section's notes as written: (group label, items), an item's parts joined by "："."""
    try:
        groups = note_sources.section_parts(section, figures)
    except note_sources.NoteSourceError as exc:
        raise PromptError(str(exc)) from None
    return [(label, ["：".join(parts) for parts in items]) for label, items in groups]


def slotted_note(text: str, notes: NoteSlots) -> str:
    """A note with each of its figures shown as its slot (the model copies the slot, not the figure)."""
    index = notes.index_of(text)
    return notes.slotted(index) if index is not None else mask_figures(text)


def notes_block(groups: NoteGroups | list, notes: NoteSlots | None = None) -> str:
    if not groups:
        return phrase("no_notes")
    lines: list[str] = []
    for label, items in groups:
        parts_items = [item if isinstance(item, list) else [item] for item in items]
        shown_label = slotted_note(label, notes) if notes is not None else label
        lines.append(phrase("note_group", label=shown_label))
        for parts in parts_items:
            shown = "：".join(slotted_note(p, notes) if notes is not None else p for p in parts)
            lines.append(phrase("note_item", text=shown))
    return "\n".join(lines)


def section_notes_block(section: OutlineSection, context: SectionContext) -> str:
    """The section's notes for the prompt, every figure in them replaced by its note slot."""
    try:
        groups = note_sources.section_parts(section, context.figures)
    except note_sources.NoteSourceError as exc:
        raise PromptError(str(exc)) from None
    return notes_block(groups, note_slots_for(context.notes))


def has_material(section: OutlineSection, context: SectionContext) -> bool:
    """False when the section names data or notes and none of them is present: nothing to write."""
    if section.mode == "notes" and not section.facts and not section.notes:
        return True  # a section of stock wording (自评结果应用): the instructions suffice
    return bool(section_facts(section, context.ledger) or section_notes(section, context.figures))


# --- retrieved passages -------------------------------------------------------------------------


def _passage_field(passage: Any, name: str) -> str:
    if isinstance(passage, Mapping):
        return str(passage.get(name) or "")
    if isinstance(passage, str):
        return passage if name == "text" else ""
    return str(getattr(passage, name, "") or "")


def mask_figures(text: str) -> str:
    """Every figure token (any script, number words, dates, slot-like brackets) replaced by “×”, a
    marker the truth gate itself rejects wherever it appears in a draft."""
    tokens = find_figure_tokens(text)
    pieces, last = [], 0
    for token in tokens:
        pieces.append(text[last : token.start])
        pieces.append(PASSAGE_MARK)
        last = token.end
    pieces.append(text[last:])
    return "".join(pieces)


def mask_passage(text: str) -> str:
    """Untrusted text made safe to show: fence-like markers removed, every figure masked."""
    return mask_figures(_FENCE_LIKE.sub("", text)).strip()


def reference_items(passages: Sequence[Any]) -> list[str]:
    items = []
    for n, passage in enumerate(passages, start=1):
        title, heading = _passage_field(passage, "title"), _passage_field(passage, "heading")
        source = "".join([f"《{title}》" if title else "", heading])
        # Numbered in words: a digit in the prompt would be one more figure for the model to copy.
        items.append(phrase("reference_item", n=chinese_number(n), source=mask_passage(source), text=mask_passage(_passage_field(passage, "text"))))
    return items


def references_block(items: Sequence[str]) -> str:
    return phrase("references", passages="\n\n".join(items)) if items else ""


# --- assembling -----------------------------------------------------------------------------------


@dataclass
class Prompt:
    """The messages to send and what went into them."""

    messages: list[dict[str, str]]
    passages: list[Any] = field(default_factory=list)  # the passages kept (best first)
    passages_offered: int = 0
    context_tokens: int = 0  # tokens of the references block as sent
    prompt_tokens: int = 0  # tiktoken estimate of the whole prompt
    budget: int = DEFAULT_PROMPT_BUDGET
    slot_keys: tuple[str, ...] = ()  # ledger slots offered
    note_keys: tuple[str, ...] = ()  # note slots offered

    def token_report(self) -> dict[str, int]:
        return {
            "prompt_estimate": self.prompt_tokens,
            "context_kept": len(self.passages),
            "context_offered": self.passages_offered,
            "context_tokens": self.context_tokens,
            "budget": self.budget,
        }

    @property
    def user_text(self) -> str:
        return self.messages[-1]["content"]


def _request_blocks(context: SectionContext) -> tuple[str, str]:
    """(revision, request): the rejected draft with findings, or the current draft; the user's ask."""
    if context.feedback:
        revision = phrase("revision", previous=context.previous_text.strip() or phrase("no_notes"), feedback=context.feedback.strip())
    elif context.previous_text.strip():
        revision = phrase("current_text", current=context.previous_text.strip())
    else:
        revision = ""
    request = phrase("request", instruction=context.instruction.strip()) if context.instruction.strip() else ""
    return revision, request


def build_prompt(
    section: OutlineSection,
    context: SectionContext,
    *,
    template: str = SECTION_PROMPT,
    budget: int = DEFAULT_PROMPT_BUDGET,
    history: Sequence[Mapping[str, str]] = (),
) -> Prompt:
    """System message, then `history` (chat turns, already trimmed), then the section's user message."""
    tpl = load_prompt(template)
    revision, request = _request_blocks(context)
    values = {
        "unit_name": context.figures.meta.unit_name,
        "year": context.figures.meta.year,
        "heading": section.heading,
        "instructions": section_instruction(section),
        "facts": facts_block(section, context.ledger),
        "notes": section_notes_block(section, context),
        "revision": revision,
        "request": request,
    }
    items = reference_items(context.passages)
    bare_user = render(tpl.user, {**values, "references": ""})
    wrapper = references_block([""]) if items else ""
    fixed = [tpl.system, bare_user, wrapper, *(m["content"] for m in history)]
    # Leave room for the chat format's per-message wrapping, which fit_to_budget does not count.
    overhead = tokens.count_tokens([{"role": "system", "content": ""}, {"role": "user", "content": ""}, *history]) - sum(
        tokens.count_tokens(m["content"]) for m in history
    )
    try:
        kept, _ = tokens.fit_to_budget(fixed, items, max(0, budget - overhead))
    except tokens.BudgetExceeded:
        kept = []  # instructions, facts and notes are never dropped; the style examples are
    references = references_block(kept)
    user = render(tpl.user, {**values, "references": references})
    messages = [{"role": "system", "content": tpl.system}]
    messages += [{"role": m["role"], "content": m["content"]} for m in history]
    messages.append({"role": "user", "content": user})
    return Prompt(
        messages=messages,
        passages=list(context.passages[: len(kept)]),
        passages_offered=len(items),
        context_tokens=tokens.count_tokens(references) if references else 0,
        prompt_tokens=tokens.count_tokens(messages),
        budget=budget,
        slot_keys=tuple(f.key for f in section_facts(section, context.ledger)),
        note_keys=section_note_keys(section, context),
    )


def section_note_keys(section: OutlineSection, context: SectionContext) -> tuple[str, ...]:
    notes = note_slots_for(context.notes)
    indices = note_sources.section_note_indices(section, context.figures, notes)
    return tuple(f.key for i in indices for f in notes.of_note(i))


def prompt_files() -> list[Path]:
    """Every prompt data file this module reads (for checks that they hold no literal figures)."""
    return [PROMPTS_DIR / SECTION_PROMPT, PROMPTS_DIR / CHAT_PROMPT, INSTRUCTIONS_FILE]
