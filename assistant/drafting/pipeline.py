"""Section pipeline and whole report: draft → truth gate → (regenerate once) → template fallback.

Text a model wrote goes through the truth gate (`assistant.drafting.gate`): the model writes no figure,
every figure comes through a slot Python fills, and anything numeric no slot produced — or a slot used
under the wrong label, unit, sign, comparison or note context — is rejected, whatever its value. A
rejected draft gets one regeneration with the gate's findings as feedback; if that fails too (or the
model fails), the section falls back to the template text and `SectionDraft.fallback_reason` says why.
The template drafter's own text is checked by the number verifier (`check_draft`). Sections are drafted
concurrently under a limit; a failure in one never loses the others.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any, Callable, Optional, Sequence

from assistant.drafting.outline import Outline, load_outline
from assistant.drafting.slots import fill_slots
from assistant.drafting.template_drafter import TemplateDrafter
from assistant.ledger.facts import Ledger
from assistant.figures.model import Figures
from assistant.interface import Drafter, OutlineSection, ProgressCallback, Report, SectionContext, SectionDraft
from assistant.ledger.calculator import note_texts
from assistant.scoring import build_scored_ledger
from assistant.ledger.settings import DEFAULT_SETTINGS, ReportSettings

OMITTED_NO_DATA = "未录入本节所需数据，已省略"


def verify_text(text: str, ledger: Ledger, notes: Sequence[str]):
    from assistant.verify import verify

    return verify(text, ledger, notes)


def draft_feedback(slot_text: str, checked: SectionDraft, ledger: Ledger) -> str:
    """What the model must fix: unknown slots, invented placeholders, and each rejected figure with
    the verifier's explanation (which item the value really belongs to). Empty when the draft is clean."""
    from assistant.drafting.llm_drafter import stray_brackets
    from assistant.drafting.prompting import phrase

    lines = [phrase("unknown_slot", key=key) for key in fill_slots(slot_text, ledger).unknown]
    lines += [phrase("stray_brackets", text=s) for s in stray_brackets(checked.text)]
    lines += finding_lines(checked.findings)
    return "\n".join(lines)


def finding_lines(findings: Sequence[dict]) -> list[str]:
    """One feedback line per figure the number verifier did not support, with its explanation."""
    from assistant.drafting.prompting import phrase

    return [
        phrase(
            "finding_line",
            text=finding.get("text", ""),
            status=finding.get("status_zh") or finding.get("status"),
            message=finding.get("message") or "",
        )
        for finding in findings
        if finding.get("status") != "supported"
    ]


def check_draft(draft: SectionDraft, ledger: Ledger, notes: Sequence[str]) -> tuple[SectionDraft, str]:
    """Fill the draft's slots and verify it; returns the checked draft and feedback ('' when clean).

    A draft is verified only when every figure is supported and attributed, every slot is known and no
    invented placeholder (【支出总数】) is left in the text."""
    filled = fill_slots(draft.text, ledger)
    report = verify_text(filled.text, ledger, notes)
    checked = dataclasses.replace(draft, text=filled.text, findings=report.to_dict().get("findings", []))
    feedback = draft_feedback(draft.text, checked, ledger)
    checked.verified = bool(report.ok and not feedback)
    return checked, feedback


def check_model_draft(draft: SectionDraft, context: SectionContext, section: OutlineSection | None = None) -> tuple[SectionDraft, str]:
    """Gate a model's draft (slot text) for `section`; returns the checked draft and feedback ('' when
    it passed). The draft is verified only when the gate accepts it and the number verifier, as a
    second opinion on the filled text, finds nothing wrong either."""
    from assistant.drafting.gate import gate_model_text
    from assistant.drafting.slots import note_slots_for

    result = gate_model_text(draft.text, context.ledger, note_slots_for(context.notes), section, context.figures)
    findings = [f.to_dict() for f in result.findings]
    lines = [f.feedback_line() for f in result.findings]
    if result.accepted:
        report = verify_text(result.text, context.ledger, context.notes)
        verifier = report.to_dict().get("findings", [])
        findings = verifier
        lines += finding_lines(verifier)
    feedback = "\n".join(lines)
    checked = dataclasses.replace(draft, text=result.text, findings=findings, verified=not feedback, provenance=[p.to_dict() for p in result.provenance])
    return checked, feedback


def rejection_reason(attempt: int, feedback: str) -> str:
    return f"模型草稿未通过数字核验（第{attempt + 1}次）：\n{feedback}"


def uses_templates(drafter: Drafter) -> bool:
    """The offline drafter: its text needs no regeneration or fallback, and no style examples."""
    return isinstance(drafter, TemplateDrafter)


async def draft_section(
    section: OutlineSection,
    context: SectionContext,
    drafter: Drafter,
    fallback: TemplateDrafter,
    status: Optional[Callable[[str], None]] = None,
) -> SectionDraft:
    # `status` hears each step as it happens (verifying, redrafting, fallback) for the app's progress list.
    step = status or (lambda _status: None)
    if uses_templates(drafter):
        step("verifying")
        checked, _ = check_draft(fallback.draft_sync(section, context), context.ledger, context.notes)
        return checked
    reason = ""
    feedback_context = context
    for attempt in range(2):
        try:
            draft = await drafter.draft(section, feedback_context)
        except Exception as exc:  # a model failure must not lose the section: fall back below
            reason = f"模型调用失败：{exc}"
            break
        if not draft.text.strip():
            return dataclasses.replace(draft, verified=True)  # nothing entered for the section: omitted
        step("verifying")
        checked, feedback = check_model_draft(draft, context, section)
        if not feedback:
            return checked
        reason = rejection_reason(attempt, feedback)
        if attempt == 0:
            step("redrafting")
        feedback_context = dataclasses.replace(context, feedback=feedback, previous_text=draft.text)
    # The template text is written only when it is needed: a model draft that passes never pays for it.
    step("fallback")
    checked, _ = check_draft(fallback.draft_sync(section, context), context.ledger, context.notes)
    return dataclasses.replace(checked, fallback_reason=reason or "模型草稿未通过核验")


@dataclasses.dataclass
class DraftJob:
    figures: Figures
    settings: ReportSettings = dataclasses.field(default_factory=lambda: DEFAULT_SETTINGS)
    outline: str = "seed"
    drafter: Optional[Drafter] = None
    retriever: Any = None
    progress: Optional[ProgressCallback] = None
    concurrency: int = 4


def _report_title(outline: Outline, figures: Figures) -> str:
    return outline.title.format(year=figures.meta.year, unit_name=figures.meta.unit_name)


def retrieve_examples(retriever: Any, section: OutlineSection, request: str = "", k: int = 3) -> list:
    """Passages to imitate for a section (its outline query, plus a chat request when there is one)."""
    query = " ".join(part for part in (section.query, request) if part)
    if retriever is None or not query:
        return []
    try:
        return list(retriever.search(query, k=k))
    except Exception:  # retrieval only supplies style examples; drafting goes on without them
        return []


async def adraft_report(job: DraftJob) -> Report:
    figures, settings = job.figures, job.settings
    outline = load_outline(job.outline)
    ledger = build_scored_ledger(figures, settings)
    notes = note_texts(figures)
    fallback = TemplateDrafter()
    drafter = job.drafter or fallback
    semaphore = asyncio.Semaphore(max(1, job.concurrency))

    def report_progress(section_id: str, status: str) -> None:
        if job.progress is not None:
            job.progress(section_id, status)

    async def run(section: OutlineSection) -> SectionDraft:
        async with semaphore:
            report_progress(section.id, "running")
            passages = [] if uses_templates(drafter) else retrieve_examples(job.retriever, section)
            context = SectionContext(figures, ledger, notes, passages)
            try:
                result = await draft_section(section, context, drafter, fallback, lambda step: report_progress(section.id, step))
                result.citations = passages
            except Exception as exc:  # keep the other sections; show this one's error
                report_progress(section.id, "failed")
                return SectionDraft(section.id, section.heading, section.level, "", getattr(drafter, "name", "?"), error=f"起草失败：{exc}")
            report_progress(section.id, "done")
            return result

    for section in outline.writable:
        report_progress(section.id, "queued")
    drafted = await asyncio.gather(*(run(s) for s in outline.writable))
    by_id = {d.section_id: d for d in drafted}

    sections: list[SectionDraft] = []
    omitted: list[tuple[str, str]] = []
    for section in outline.sections:
        if section.mode == "container":
            sections.append(SectionDraft(section.id, section.heading, section.level, "", "outline", verified=True))
            continue
        draft = by_id[section.id]
        if not draft.text.strip() and not draft.error:
            omitted.append((section.heading, OMITTED_NO_DATA))
            continue
        sections.append(draft)
    sections = _drop_empty_containers(sections)
    preamble = fallback.preamble(figures, ledger)
    return Report(
        title=_report_title(outline, figures),
        unit_name=figures.meta.unit_name,
        report_date=_date_text(figures),
        sections=sections,
        preamble=preamble,
        appendix=list(outline.appendix),
        outline=outline.name,
        omitted=omitted,
    )


def _drop_empty_containers(sections: list[SectionDraft]) -> list[SectionDraft]:
    """A container heading with nothing under it (all children omitted) is left out too."""
    kept: list[SectionDraft] = []
    for i, s in enumerate(sections):
        if s.drafter == "outline":
            following = sections[i + 1] if i + 1 < len(sections) else None
            if following is None or following.level <= s.level:
                continue
        kept.append(s)
    return kept if len(kept) == len(sections) else _drop_empty_containers(kept)


def _date_text(figures: Figures) -> str:
    d = figures.meta.report_date
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def draft_report(
    figures: Figures,
    *,
    settings: ReportSettings | None = None,
    outline: str = "seed",
    backend: str = "offline",
    model_settings: Any = None,
    retriever: Any = None,
    progress: Optional[ProgressCallback] = None,
    concurrency: int | None = None,
) -> Report:
    """Synchronous entry point: the whole report with the offline or the LLM drafter."""
    drafter = make_drafter(backend, model_settings)
    limit = concurrency or getattr(model_settings, "max_concurrency", None) or 4
    job = DraftJob(figures, settings or DEFAULT_SETTINGS, outline, drafter, retriever, progress, limit)
    return asyncio.run(adraft_report(job))


def make_drafter(backend: str, model_settings: Any = None) -> Drafter:
    """The one switch between providers: 'offline' (template) or 'llm' (OpenAI-compatible)."""
    if backend == "offline":
        return TemplateDrafter()
    if backend == "llm":
        from assistant.drafting.llm_drafter import LLMDrafter
        from assistant.llm.client import ModelSettings

        settings = model_settings or ModelSettings.from_env()
        if not settings.configured:
            raise ValueError("未配置大模型：请设置 ASSISTANT_MODEL（以及 OPENAI_BASE_URL、OPENAI_API_KEY），或使用离线模式。")
        return LLMDrafter(settings)
    raise ValueError(f"未知的起草方式：{backend}（可选 offline 或 llm）")
