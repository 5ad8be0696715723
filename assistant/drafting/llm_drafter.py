"""The LLM drafter: one chat completion per section through `assistant.llm.client`, answering in slots.

The model sees the section's facts as named slots and writes `【key】` where a figure goes; the
pipeline fills the slots from the ledger and verifies the result, so a model never types a figure
that reaches the report unchecked. This module also tidies what models add around the body text
(code fences, headings, numbering, Markdown) and normalises near-miss slot spellings.

Only a complete answer becomes a draft. Each call carries `max_tokens` sized from the section's own
template text (LENGTH_RATIO times it, plus room for a reasoning model's thinking); the client
refuses an answer cut at that limit, one without a normal finish reason, and thinking-only answers;
here a draft is refused when a slot is left open or the text (slots counted as the figures they
will print) is longer than LENGTH_RATIO times the template text. A refused answer is asked for once
more; a second refusal raises `DraftRejected` with both Chinese reasons, and the pipeline falls back
to the template text (the truth gate's own regenerate-once applies to complete drafts).
When thinking alone used up the budget, the call is repeated once at once with room for the
thinking that was seen, and later sections get that room from the start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.llm import budget as tokens
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
from assistant.drafting.template_drafter import TemplateDrafter
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


# A draft may be at most this many times as long as the section's template text …
LENGTH_RATIO = 3
# … but never less than this many characters (a section whose template is one short sentence).
MIN_LENGTH_CHARS = 300
# Output tokens for the answer: LENGTH_RATIO times the template's tokens (in slot form, as the
# model writes it) plus this margin; thinking gets its own allowance on top.
ANSWER_TOKEN_MARGIN = 256
# When thinking was seen, later calls allow this many times the most thinking seen so far.
THINKING_HEADROOM = 2


class DraftRejected(llm.ModelError):
    """A model answer that is not a usable draft (cut, open slot, too long, no prose)."""

    def __init__(self, message: str, kind: llm.ErrorKind = "incomplete", completion=None):
        super().__init__(message, kind=kind, completion=completion)


def printed_length(text: str, ledger: Ledger) -> int:
    """Characters the text will have once its slots are filled (unknown brackets count as written)."""
    total = len(text)
    for match in SLOT_RE.finditer(text):
        fact = ledger.get(match.group(1))
        if fact is None:
            continue
        printed = 2 if match.group(2) else len(fact.text)  # 增加/减少, 增长/下降
        total += printed - len(match.group(0))
    return total


def open_slots(text: str) -> list[str]:
    """Slot brackets left open or closed without an opening (a cut answer, a broken slot)."""
    problems: list[str] = []
    for line in text.splitlines():
        depth_at = -1
        for i, char in enumerate(line):
            if char == "【":
                if depth_at >= 0:
                    problems.append(line[depth_at:i])
                depth_at = i
            elif char == "】":
                if depth_at < 0:
                    problems.append(line[max(0, i - 12) : i + 1])
                depth_at = -1
        if depth_at >= 0:
            problems.append(line[depth_at : depth_at + 40])
    return problems


@dataclass(frozen=True)
class SectionLimits:
    """How long one section's answer may be: characters as printed, and output tokens to ask for."""

    max_chars: int
    answer_tokens: int
    template_chars: int


def section_limits(template_text: str, ledger: Ledger) -> SectionLimits:
    template_chars = printed_length(template_text, ledger)
    max_chars = max(LENGTH_RATIO * template_chars, MIN_LENGTH_CHARS)
    # Slot form costs more tokens than the printed figures: budget on the slot form, and never
    # below what max_chars of Chinese could need (about one token per character, at worst).
    answer_tokens = max(LENGTH_RATIO * tokens.count_tokens(template_text), max_chars) + ANSWER_TOKEN_MARGIN
    return SectionLimits(max_chars=max_chars, answer_tokens=answer_tokens, template_chars=template_chars)


def answer_limits(section: OutlineSection, context: SectionContext) -> SectionLimits:
    """The section's limits, from the template drafter's text for it (used by the drafter and chat)."""
    template = TemplateDrafter().draft_sync(section, context).text
    return section_limits(template, context.ledger)


def incomplete_reason(text: str, limits: SectionLimits, ledger: Ledger) -> str:
    """Why a cleaned model draft is not a complete answer ('' when it is): too long, or a slot open."""
    length = printed_length(text, ledger)
    if length > limits.max_chars:
        return f"模型草稿过长：约 {length} 字，超过本节上限 {limits.max_chars} 字（模板文本 {limits.template_chars} 字的 {LENGTH_RATIO} 倍），未采用"
    broken = open_slots(text)
    if broken:
        return f"模型草稿中有未闭合的占位符“{broken[0]}”，回答不完整，未采用"
    return ""


@dataclass
class Usage:
    """What the drafter's model calls cost over its life (one report): every call counts, refused ones too."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    rejected: int = 0
    reasons: list[str] = field(default_factory=list)

    def add(self, completion: llm.Completion | None) -> None:
        self.calls += 1
        if completion is not None:
            self.prompt_tokens += completion.input_tokens
            self.completion_tokens += completion.output_tokens
            self.reasoning_tokens += completion.reasoning_tokens


class LLMDrafter:
    """A `Drafter` that asks an OpenAI-compatible model for each section, in slots."""

    def __init__(
        self,
        settings: llm.ModelSettings,
        *,
        prompt_budget: int | None = None,
        prompt: str = SECTION_PROMPT,
        stream: bool = False,
    ):
        if not settings.configured:
            raise llm.ModelError("未配置模型：请设置 ASSISTANT_MODEL（以及 OPENAI_BASE_URL）后再试", kind="not_configured")
        self.settings = settings
        self.name = f"llm:{settings.model}"
        self.prompt_budget = prompt_budget or prompt_budget_from_env()
        self.prompt = prompt
        self.stream = stream  # stream each answer (same checks; some servers answer faster so)
        self.usage = Usage()
        self._thinking_seen = 0  # the most thinking tokens one answer has used so far

    def build(self, section: OutlineSection, context: SectionContext) -> Prompt:
        return build_prompt(section, context, template=section.prompt or self.prompt, budget=self.prompt_budget)

    def limits(self, section: OutlineSection, context: SectionContext) -> SectionLimits:
        return answer_limits(section, context)

    def thinking_allowance(self) -> int:
        return max(self.settings.thinking_allowance(), THINKING_HEADROOM * self._thinking_seen)

    async def _call(self, messages: list, max_tokens: int) -> llm.Completion:
        if self.stream:
            return await llm.stream(self.settings, messages, lambda piece: None, max_tokens=max_tokens)
        return await llm.complete(self.settings, messages, max_tokens=max_tokens)

    async def _complete(self, messages: list, limits: SectionLimits) -> llm.Completion:
        """One answer within the section's budget; once more with room for thinking when thinking
        alone used the budget up. Every call is counted in `usage`."""
        for attempt in range(2):
            max_tokens = limits.answer_tokens + self.thinking_allowance()
            try:
                completion = await self._call(messages, max_tokens)
            except llm.ModelError as exc:
                self.usage.add(exc.completion)
                cut = exc.completion
                if cut is not None and cut.reasoning_tokens:
                    self._thinking_seen = max(self._thinking_seen, cut.reasoning_tokens)
                thinking_ate_budget = (
                    exc.kind in ("truncated", "empty") and cut is not None and cut.reasoning_tokens and cut.answer_tokens < limits.answer_tokens
                )
                if attempt == 0 and thinking_ate_budget:
                    continue
                if exc.kind in ("truncated", "incomplete", "empty"):
                    self.usage.rejected += 1
                    self.usage.reasons.append(str(exc))
                    raise DraftRejected(str(exc), kind=exc.kind, completion=cut) from exc
                raise
            self.usage.add(completion)
            self._thinking_seen = max(self._thinking_seen, completion.reasoning_tokens)
            return completion
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    async def draft(self, section: OutlineSection, context: SectionContext) -> SectionDraft:
        """The section's draft in slots. An incomplete answer (cut, unfinished, empty, open slot,
        too long, no prose) is asked for once more; a second one raises DraftRejected with both
        reasons, and the pipeline falls back to the template text."""
        if not has_material(section, context):
            # Nothing entered for this section: no model call. The template's wording stands — "本单位无
            # 政府性基金预算支出" where the outline expects the section, else empty (the report omits it).
            from assistant.drafting.template_drafter import TemplateDrafter

            return TemplateDrafter().draft_sync(section, context)
        prompt = self.build(section, context)
        limits = self.limits(section, context)
        reasons: list[str] = []
        for attempt in range(2):
            try:
                return await self._draft_once(section, context, prompt, limits)
            except DraftRejected as exc:
                reasons.append(f"第{attempt + 1}次：{exc}")
                last = exc
        raise DraftRejected("；".join(reasons), kind=last.kind, completion=last.completion)

    async def _draft_once(self, section: OutlineSection, context: SectionContext, prompt: Prompt, limits: SectionLimits) -> SectionDraft:
        completion = await self._complete(prompt.messages, limits)
        text = clean_model_text(completion.text, section.heading, context.ledger)
        problem = incomplete_reason(text, limits, context.ledger)
        if problem:
            raise self._reject(problem, completion)
        if not usable(text):
            raise self._reject(phrase("unusable"), completion, kind="malformed")
        return SectionDraft(
            section.id,
            section.heading,
            section.level,
            text,
            self.name,
            citations=list(prompt.passages),
            tokens={
                "prompt": completion.input_tokens,
                "completion": completion.output_tokens,
                "reasoning": completion.reasoning_tokens,
                "max_tokens": completion.max_tokens or 0,
                **prompt.token_report(),
            },
        )

    def _reject(self, message: str, completion: llm.Completion, kind: llm.ErrorKind = "incomplete") -> DraftRejected:
        self.usage.rejected += 1
        self.usage.reasons.append(message)
        return DraftRejected(message, kind=kind, completion=completion)
