"""Chat: draft or revise one section in conversation, streamed provisionally, shown only once verified.

Each turn builds the section prompt (`prompts/chat.md`) with the last few turns of history within
the token budget and streams the model's answer through `assistant.llm.client.stream`. The stream is
*provisional*: `on_provisional(piece)` (alias `on_token`) gets it piece by piece with slots filled as
they complete, for a "生成中，核验后显示" area — never as the answer. When the answer is complete it
goes through the truth gate (`assistant.drafting.gate`, via `pipeline.check_model_draft`); only a text
that passed is returned as `ChatResult.text`. A rejected answer gets one regeneration with the
findings as feedback; if that fails too, or the model cannot be reached, `ChatResult.text` is the
template drafter's text for the section and `fallback_reason` says why. With no model configured the
template text comes back with a message saying so. Nothing here touches the network unless a model is
configured.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.llm import client as llm

from assistant.llm import budget as tokens
from assistant.drafting.llm_drafter import answer_limits, clean_model_text, incomplete_reason, usable
from assistant.drafting.outline import Outline, load_outline
from assistant.drafting.pipeline import check_draft, check_model_draft, rejection_reason, retrieve_examples
from assistant.drafting.prompting import (
    CHAT_PROMPT,
    build_prompt,
    has_material,
    phrase,
    prompt_budget_from_env,
)
from assistant.drafting.slots import SLOT_RE, NoteSlots, note_slots_for, slot_value
from assistant.drafting.template_drafter import TemplateDrafter
from assistant.ledger.facts import Ledger
from assistant.figures.model import Figures
from assistant.interface import OutlineSection, SectionContext, SectionDraft
from assistant.ledger.calculator import note_texts
from assistant.scoring import build_scored_ledger
from assistant.ledger.settings import DEFAULT_SETTINGS, ReportSettings

# History kept for context: at most this many messages, and at most this share of the budget.
MAX_HISTORY_MESSAGES = 6
HISTORY_SHARE = 4  # history gets at most 1/HISTORY_SHARE of the prompt budget
ROLES = ("user", "assistant")
# The longest slot (key plus "|增减") a streamed piece may leave open before it is shown raw.
_MAX_OPEN_SLOT = 80


@dataclass
class ChatResult:
    text: str  # the answer: the section body that passed the gate (or the template text), never provisional
    citations: list[Any] = field(default_factory=list)  # passages offered to the model as examples
    verification: dict | None = None  # the verifier's report on `text` (to_dict)
    drafter: str = "template"  # "llm:<model>" or "template"
    fallback_reason: str = ""  # why the template text was returned instead of the model's
    tokens: dict[str, int] = field(default_factory=dict)
    section_id: str | None = None
    verified: bool = False
    message: str = ""  # a note for the user (未配置模型, no section chosen …)
    attempts: int = 0  # model calls made
    provisional_text: str = ""  # what was streamed (unverified) on the last attempt; not the answer

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["citations"] = [c.to_dict() if hasattr(c, "to_dict") else c for c in self.citations]
        return data


class SlotStreamFiller:
    """Turns streamed pieces with slots into pieces with figures, holding back an unfinished slot."""

    def __init__(self, ledger: Ledger, notes: NoteSlots | None = None):
        self.ledger = ledger
        self.notes = notes
        self._held = ""

    def feed(self, piece: str) -> str:
        text = self._held + piece
        self._held = ""
        out: list[str] = []
        while text:
            start = text.find("【")
            if start < 0:
                out.append(text)
                break
            out.append(text[:start])
            end = text.find("】", start)
            reopened = text.find("【", start + 1)
            if end < 0 and reopened < 0:
                if len(text) - start > _MAX_OPEN_SLOT:
                    out.append(text[start:])  # not a slot after all: show it as written
                else:
                    self._held = text[start:]
                break
            if reopened >= 0 and (end < 0 or reopened < end):
                out.append(text[start:reopened])  # a lone 【 before the real slot: plain text
                text = text[reopened:]
                continue
            out.append(self._filled(text[start : end + 1]))
            text = text[end + 1 :]
        return "".join(out)

    def flush(self) -> str:
        held, self._held = self._held, ""
        return held

    def _filled(self, candidate: str) -> str:
        match = SLOT_RE.fullmatch(candidate)
        if match is None:
            return candidate
        value = slot_value(self.ledger, match.group(1), match.group(2), self.notes)
        return candidate if value is None else value


def trim_history(history: Sequence[Mapping[str, str]], budget_tokens: int, max_messages: int = MAX_HISTORY_MESSAGES) -> list[dict[str, str]]:
    """The most recent user/assistant turns that fit, oldest dropped first; order kept."""
    turns = [
        {"role": str(m.get("role")), "content": str(m.get("content") or "")}
        for m in history
        if m.get("role") in ROLES and str(m.get("content") or "").strip()
    ][-max_messages:] if max_messages > 0 else []
    kept: list[dict[str, str]] = []
    used = 0
    for turn in reversed(turns):
        cost = tokens.count_tokens([turn]) - tokens.REPLY_PRIMING
        if used + cost > budget_tokens:
            break
        kept.append(turn)
        used += cost
    kept.reverse()
    # A conversation sent to a model should not open with an assistant turn cut from its question.
    while kept and kept[0]["role"] != "user":
        kept.pop(0)
    return kept


def resolve_section(outline: Outline, section_id: str | None, message: str) -> OutlineSection | None:
    """The section asked for: by id, else the writable section whose heading the message names."""
    if section_id:
        try:
            section = outline.section(section_id)
        except KeyError:
            raise ValueError(f"提纲“{outline.name}”中没有章节“{section_id}”") from None
        if section.mode == "container":
            raise ValueError(f"“{section.heading}”只是标题，请选择其下的具体章节")
        return section
    named = [s for s in outline.writable if s.heading in message]
    if not named:
        # Headings are often named loosely ("三公经费" for "“三公”经费执行情况"): strip quotes and 情况.
        loose = message.replace("“", "").replace("”", "").replace('"', "")
        named = [
            s
            for s in outline.writable
            if s.heading.replace("“", "").replace("”", "").removesuffix("情况").split("（")[0] in loose
        ]
    return max(named, key=lambda s: len(s.heading)) if named else None


async def _emit(on_token: Any, piece: str) -> None:
    if on_token is None or not piece:
        return
    result = on_token(piece)
    if inspect.isawaitable(result):
        await result


def _add_tokens(total: dict[str, int], more: Mapping[str, int]) -> None:
    for key, value in more.items():
        total[key] = total.get(key, 0) + int(value)


def _verification(draft: SectionDraft, ledger: Ledger, notes: Sequence[str]) -> dict:
    from assistant.drafting.pipeline import verify_text

    return verify_text(draft.text, ledger, notes).to_dict()


async def achat(
    history: Sequence[Mapping[str, str]],
    message: str,
    figures: Figures,
    section_id: str | None = None,
    *,
    outline: str = "seed",
    model_settings: llm.ModelSettings | None = None,
    retriever: Any = None,
    on_token: Any = None,
    current_text: str = "",
    settings: ReportSettings | None = None,
    prompt_budget: int | None = None,
    on_provisional: Any = None,
) -> ChatResult:
    """One chat turn for one section. See the module docstring for the order of events.

    `on_provisional` (or its older name `on_token`) receives the unverified stream; the verified
    answer, or the fallback and its reason, is the returned `ChatResult`."""
    on_token = on_provisional or on_token
    the_outline = load_outline(outline)
    section = resolve_section(the_outline, section_id, message)
    if section is None:
        choices = "、".join(s.heading for s in the_outline.writable)
        return ChatResult(text="", drafter="", message=phrase("no_section", choices=choices))
    ledger = build_scored_ledger(figures, settings or DEFAULT_SETTINGS)
    notes = note_texts(figures)
    base = SectionContext(figures, ledger, notes)

    template = TemplateDrafter()
    template_draft, _ = check_draft(template.draft_sync(section, base), ledger, notes)

    def template_result(reason: str, message_text: str = "", **extra: Any) -> ChatResult:
        return ChatResult(
            text=template_draft.text,
            verification=_verification(template_draft, ledger, notes),
            drafter=template.name,
            fallback_reason=reason,
            section_id=section.id,
            verified=template_draft.verified,
            message=message_text,
            **extra,
        )

    if model_settings is None:
        try:
            model_settings = llm.ModelSettings.from_env()
        except llm.ModelError as exc:
            return template_result(str(exc), phrase("not_configured"))
    if not model_settings.configured:
        return template_result(phrase("not_configured"), phrase("not_configured"))
    if not has_material(section, base):
        return template_result(phrase("no_data"), phrase("no_data"))

    budget = prompt_budget or prompt_budget_from_env()
    kept_history = trim_history(history, budget // HISTORY_SHARE)
    passages = retrieve_examples(retriever, section, message)
    context = dataclasses.replace(base, passages=passages, instruction=message, previous_text=current_text)
    drafter_name = f"llm:{model_settings.model}"
    used: dict[str, int] = {}
    reason = ""
    attempts = 0
    # Complete answers only: max_tokens from the section's template text (plus room to think), and
    # a draft over that length or with a slot left open is refused like a cut one.
    limits = answer_limits(section, base)
    max_tokens = limits.answer_tokens + model_settings.thinking_allowance()
    for attempt in range(2):
        prompt = build_prompt(section, context, template=CHAT_PROMPT, budget=budget, history=kept_history)
        filler = SlotStreamFiller(ledger, note_slots_for(notes))
        streamed: list[str] = []
        attempts += 1
        try:
            if on_token is None:
                completion = await llm.complete(model_settings, prompt.messages, max_tokens=max_tokens)
            else:
                if attempt:
                    await _emit(on_token, phrase("regenerating"))

                async def forward(piece: str) -> None:
                    shown = filler.feed(piece)
                    streamed.append(shown)
                    await _emit(on_token, shown)

                completion = await llm.stream(model_settings, prompt.messages, forward, max_tokens=max_tokens)
                rest = filler.flush()
                streamed.append(rest)
                await _emit(on_token, rest)
        except llm.ModelError as exc:
            reason = f"模型调用失败：{exc}"
            break
        _add_tokens(used, {"prompt": completion.input_tokens, "completion": completion.output_tokens})
        # Context figures describe the latest prompt; call counts add up over attempts.
        used.update({k: v for k, v in prompt.token_report().items() if k != "budget"})
        if completion.truncated:
            reason = f"模型调用失败：{phrase('truncated')}"
            break
        text = clean_model_text(completion.text, section.heading, ledger)
        problem = incomplete_reason(text, limits, ledger)
        if problem:
            reason = f"模型调用失败：{problem}"
            break
        if not usable(text):
            reason = f"模型调用失败：{phrase('unusable')}"
            break
        draft = SectionDraft(section.id, section.heading, section.level, text, drafter_name, citations=list(prompt.passages))
        checked, feedback = check_model_draft(draft, context, section)
        if not feedback:
            return ChatResult(
                text=checked.text,
                citations=list(prompt.passages),
                verification=_verification(checked, ledger, notes),
                drafter=drafter_name,
                tokens=used,
                section_id=section.id,
                verified=checked.verified,
                attempts=attempts,
                provisional_text="".join(streamed),
            )
        reason = rejection_reason(attempt, feedback)
        context = dataclasses.replace(context, feedback=feedback, previous_text=text)
    return template_result(reason, tokens=used, attempts=attempts, provisional_text="".join(streamed) if on_token else "")


def chat(
    history: Sequence[Mapping[str, str]],
    message: str,
    figures: Figures,
    section_id: str | None = None,
    *,
    outline: str = "seed",
    model_settings: llm.ModelSettings | None = None,
    retriever: Any = None,
    on_token: Any = None,
    current_text: str = "",
    settings: ReportSettings | None = None,
    prompt_budget: int | None = None,
    on_provisional: Any = None,
) -> ChatResult:
    """Synchronous `achat` (one event loop per call; the LLM layer makes its HTTP client inside it)."""
    return asyncio.run(
        achat(
            history,
            message,
            figures,
            section_id,
            outline=outline,
            model_settings=model_settings,
            retriever=retriever,
            on_token=on_token,
            current_text=current_text,
            settings=settings,
            prompt_budget=prompt_budget,
            on_provisional=on_provisional,
        )
    )
