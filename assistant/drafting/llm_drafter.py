"""The LLM drafter: one chat completion per section through `assistant.llm.client`, answering in slots.

The model sees the section's facts as named slots and writes `【key】` where a figure goes; the
pipeline fills the slots from the ledger and verifies the result, so a model never types a figure
that reaches the report unchecked. This module also tidies what models add around the body text
(code fences, headings, numbering, Markdown) and normalises near-miss slot spellings.
"""

from __future__ import annotations

import re

from assistant.llm import client as llm
from assistant.drafting.prompting import (
    SECTION_PROMPT,
    Prompt,
    build_prompt,
    has_material,
    phrase,
    prompt_budget_from_env,
)
from assistant.drafting.slots import SLOT_RE
from assistant.ledger.facts import Ledger
from assistant.interface import OutlineSection, SectionContext, SectionDraft

# A slot as models actually write it: spaces inside, a full-width bar, before canonical form.
_LOOSE_SLOT = re.compile(r"【\s*([A-Za-z0-9_.]+)\s*(?:[|｜]\s*(增减|增长)\s*)?】")
_ANY_BRACKET = re.compile(r"【([^【】\n]{1,60})】")
_CODE_FENCE = re.compile(r"^\s*```")
_MARKDOWN_HEADING = re.compile(r"^\s*#{1,6}\s*")
_MARKDOWN_NOISE = re.compile(r"\*\*|__|^\s*(?:[-*•>]\s+)")
# Heading and list numbering the exporter owns: 一、 （一） (一) 1. 1、 （1） (1)
_NUMBERING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d{1,2}\s*[.．、](?!\d)|[（(]\d{1,2}[）)])\s*"
)
_CHATTER = re.compile(r"^(?:好的|以下是|下面是|根据您|根据你|现将).{0,40}[：:]$")
_SENTENCE_END = "。！？；：…”’）)"
_CJK = re.compile(r"[\u4e00-\u9fff]")


def normalise_slots(text: str, ledger: Ledger) -> str:
    """Canonical slots; a unit typed after a slot that already carries it is dropped;
    a bracketed fact label (【决算支出】) becomes that fact's slot."""
    text = _LOOSE_SLOT.sub(lambda m: f"【{m.group(1)}|{m.group(2)}】" if m.group(2) else f"【{m.group(1)}】", text)
    by_label = {}
    for fact in ledger:
        by_label.setdefault(fact.label, []).append(fact.key)

    def relabel(match: re.Match) -> str:
        if SLOT_RE.fullmatch(match.group(0)):
            return match.group(0)
        keys = by_label.get(match.group(1).strip(), [])
        return f"【{keys[0]}】" if len(keys) == 1 else match.group(0)

    text = _ANY_BRACKET.sub(relabel, text)
    pieces: list[str] = []
    last = 0
    for match in SLOT_RE.finditer(text):
        pieces.append(text[last : match.end()])
        last = match.end()
        fact = ledger.get(match.group(1))
        if fact is not None and match.group(2) is None and fact.unit and text.startswith(fact.unit, last):
            last += len(fact.unit)  # "【key】万元" would print the unit twice
    pieces.append(text[last:])
    return "".join(pieces)


def stray_brackets(text: str) -> list[str]:
    """Bracketed text that is not a slot: the model invented a placeholder the ledger cannot fill.
    A to-do marker (【待补：原因】) is a visible gap for the user, not an invented figure."""
    from assistant.todos import is_todo

    return [m.group(0) for m in _ANY_BRACKET.finditer(text) if not SLOT_RE.fullmatch(m.group(0)) and not is_todo(m.group(0))]


def _bare(line: str) -> str:
    return line.strip().rstrip("：:。").strip()


def clean_model_text(text: str, heading: str, ledger: Ledger | None = None) -> str:
    """Body paragraphs joined by "\\n": no fences, headings, numbering or Markdown; slots canonical.

    A heading-like line the model added (a numbered or Markdown line without sentence punctuation)
    is not dropped when it carries content: it becomes the lead sentence of the next paragraph.
    """
    paragraphs: list[str] = []
    pending_lead = ""
    for raw in text.splitlines():
        if _CODE_FENCE.match(raw):
            continue
        line = raw.strip()
        if not line:
            continue
        was_heading = bool(_MARKDOWN_HEADING.match(line))
        line = _MARKDOWN_HEADING.sub("", line)
        line = _MARKDOWN_NOISE.sub("", line).strip()
        numbered = _NUMBERING.match(line)
        if numbered:
            line = line[numbered.end() :].strip()
        if not line or _bare(line) == _bare(heading):
            continue  # the section's own heading, repeated
        if not paragraphs and not pending_lead and _CHATTER.match(line):
            continue  # "以下是本节正文：" and the like
        if (was_heading or numbered) and len(line) <= 30 and line[-1] not in _SENTENCE_END and "【" not in line:
            pending_lead = f"{pending_lead}{line}。"
            continue
        paragraphs.append(f"{pending_lead}{line}")
        pending_lead = ""
    if pending_lead:
        paragraphs.append(pending_lead)
    body = "\n".join(paragraphs)
    return normalise_slots(body, ledger) if ledger is not None else body


def usable(text: str) -> bool:
    """A section body must contain Chinese prose; JSON, code or a bare list of numbers is not one."""
    return bool(_CJK.search(SLOT_RE.sub("", text)))


class LLMDrafter:
    """A `Drafter` that asks an OpenAI-compatible model for each section, in slots."""

    def __init__(self, settings: llm.ModelSettings, *, prompt_budget: int | None = None, prompt: str = SECTION_PROMPT):
        if not settings.configured:
            raise llm.ModelError("未配置模型：请设置 ASSISTANT_MODEL（以及 OPENAI_BASE_URL）后再试", kind="not_configured")
        self.settings = settings
        self.name = f"llm:{settings.model}"
        self.prompt_budget = prompt_budget or prompt_budget_from_env()
        self.prompt = prompt

    def build(self, section: OutlineSection, context: SectionContext) -> Prompt:
        return build_prompt(section, context, template=section.prompt or self.prompt, budget=self.prompt_budget)

    async def draft(self, section: OutlineSection, context: SectionContext) -> SectionDraft:
        if not has_material(section, context):
            # Nothing entered for this section: an empty draft, which the report omits with a reason.
            return SectionDraft(section.id, section.heading, section.level, "", self.name)
        prompt = self.build(section, context)
        completion = await llm.complete(self.settings, prompt.messages)
        if completion.truncated:
            raise llm.ModelError(phrase("truncated"), kind="malformed")
        text = clean_model_text(completion.text, section.heading, context.ledger)
        if not usable(text):
            raise llm.ModelError(phrase("unusable"), kind="malformed")
        return SectionDraft(
            section.id,
            section.heading,
            section.level,
            text,
            self.name,
            citations=list(prompt.passages),
            tokens={"prompt": completion.input_tokens, "completion": completion.output_tokens, **prompt.token_report()},
        )
