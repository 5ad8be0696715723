"""Redrafting one section of a drafted report, with the same checks as the whole-report pipeline.

Used when the user asks for one section again (after changing a figure, or to try the model again)
without redrafting the others; the section goes through `draft_section`, so it is verified and
falls back to the template text exactly as in `draft_report`.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from assistant.drafting.outline import load_outline
from assistant.drafting.pipeline import OMITTED_NO_DATA, draft_section, make_drafter, retrieve_examples, uses_templates
from assistant.drafting.template_drafter import TemplateDrafter
from assistant.figures.model import Figures
from assistant.interface import Report, SectionContext, SectionDraft
from assistant.ledger.calculator import note_texts
from assistant.scoring import build_scored_ledger
from assistant.ledger.settings import DEFAULT_SETTINGS, ReportSettings


def redraft_section(
    figures: Figures,
    section_id: str,
    *,
    settings: ReportSettings | None = None,
    outline: str = "seed",
    backend: str = "offline",
    model_settings: Any = None,
    retriever: Any = None,
) -> SectionDraft:
    """A fresh, verified draft of one section (template fallback and reason as in the pipeline)."""
    settings = settings or DEFAULT_SETTINGS
    section = load_outline(outline).section(section_id)
    ledger = build_scored_ledger(figures, settings)
    fallback = TemplateDrafter()
    drafter = make_drafter(backend, model_settings)
    passages = [] if uses_templates(drafter) else retrieve_examples(retriever, section)
    context = SectionContext(figures, ledger, note_texts(figures), passages)
    try:
        draft = asyncio.run(draft_section(section, context, drafter, fallback))
    except Exception as exc:  # shown on the section, as the pipeline does
        return SectionDraft(section.id, section.heading, section.level, "", getattr(drafter, "name", "?"), error=f"起草失败：{exc}")
    draft.citations = passages
    return draft


def replace_section(report: Report, draft: SectionDraft) -> Report:
    """The report with `draft` in place of the section of the same id. A section that now has no
    text is moved to the omitted list, with the pipeline's reason."""
    sections: list[SectionDraft] = []
    omitted = list(report.omitted)
    for section in report.sections:
        if section.section_id != draft.section_id:
            sections.append(section)
        elif draft.text.strip() or draft.error:
            sections.append(draft)
        else:
            omitted.append((section.heading, OMITTED_NO_DATA))
    return dataclasses.replace(report, sections=sections, omitted=omitted)


ADOPTED_DRAFTER = "chat"


def apply_adopted(report: Report, adopted: dict[str, dict]) -> tuple[Report, list[str]]:
    """The report with the texts the user adopted from chat in place of the drafted ones, and the
    ids of adopted sections the report does not contain (omitted for lack of data)."""
    placed: set[str] = set()
    sections: list[SectionDraft] = []
    for section in report.sections:
        choice = adopted.get(section.section_id)
        if choice and choice.get("text", "").strip():
            section = dataclasses.replace(
                section,
                text=choice["text"],
                drafter=ADOPTED_DRAFTER,
                verified=bool(choice.get("verified")),
                findings=list(choice.get("findings") or []),
                citations=list(choice.get("citations") or []),
                provenance=list(choice.get("provenance") or []),  # the drafted text's slot records do not describe this text
                fallback_reason="",
                error="",
            )
            placed.add(section.section_id)
        sections.append(section)
    missing = [section_id for section_id in adopted if section_id not in placed]
    return dataclasses.replace(report, sections=sections), missing
