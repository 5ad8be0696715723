"""The offline default drafter: writes every section from the ledger and the user's notes.

Figures-driven sections render the sentence templates of `prompts/templates/sections.yaml`; notes-
driven sections arrange the user's own words (one goal area a paragraph, 一是/二是/三是 within it).
It needs no model and no network, and every figure it writes is a ledger fact's text.
"""

from __future__ import annotations

from typing import Callable

from assistant.drafting.phrasing import Vars, load_templates, render_keyed_sentence, render_section
from assistant.figures.model import Figures
from assistant.interface import OutlineSection, SectionContext, SectionDraft


def template_vars(figures: Figures) -> Vars:
    meta = figures.meta
    return Vars(
        {
            "year": str(meta.year),
            "unit_name": meta.unit_name,
            "finance_bureau": meta.finance_bureau or "",
            "notice_title": meta.notice_title or "",
            "notice_no": meta.notice_no or "",
            "variance_reasons": figures.final.variance_reasons or "",
        }
    )


def _end(text: str) -> str:
    """Close a user's sentence with 。 unless it already ends with punctuation."""
    text = text.strip()
    return text if not text or text[-1] in "。！？；：”’）" else f"{text}。"


def _ordinal_items(items: list[str], ordinals: list[str]) -> str:
    parts = []
    for i, item in enumerate(items):
        marker = ordinals[i] if i < len(ordinals) else ""
        parts.append(f"{marker}{_end(item)}")
    return "".join(parts)


class TemplateDrafter:
    """Deterministic drafter; `name` is what reports show as the section's drafter."""

    name = "template"

    def __init__(self) -> None:
        self.templates = load_templates()
        self.phrases = self.templates["phrases"]
        self._writers: dict[str, Callable[[SectionContext], list[str]]] = {
            "duties": self._duties,
            "goals": self._goals,
            "problems": self._problems,
            "improvements": self._improvements,
            "other": self._other,
            "results_use": self._results_use,
        }

    async def draft(self, section: OutlineSection, context: SectionContext) -> SectionDraft:
        return self.draft_sync(section, context)

    def draft_sync(self, section: OutlineSection, context: SectionContext) -> SectionDraft:
        paragraphs = self.paragraphs(section, context)
        return SectionDraft(section.id, section.heading, section.level, "\n".join(paragraphs), self.name)

    def paragraphs(self, section: OutlineSection, context: SectionContext) -> list[str]:
        writer = self._writers.get(section.template)
        if writer is not None:
            return writer(context)
        return render_section(section.template, context.ledger, template_vars(context.figures), self.templates)

    def preamble(self, figures: Figures, ledger) -> str:
        return "".join(render_section("preamble", ledger, template_vars(figures), self.templates))

    # --- notes-driven sections ------------------------------------------------------------------

    def _duties(self, context: SectionContext) -> list[str]:
        markers = self.phrases["list_markers"]
        return [f"{markers[i] if i < len(markers) else ''}{_end(duty)}" for i, duty in enumerate(context.figures.duties)]

    def _goals(self, context: SectionContext) -> list[str]:
        figures, ledger = context.figures, context.ledger
        variables = template_vars(figures)
        paragraphs = [f"{_end(area.title)}{_ordinal_items(area.items, self.phrases['ordinals'])}" for area in figures.work_notes]
        indicator_sentences = [
            render_keyed_sentence(self.templates["indicator_sentence"], f"indicator.{j}", ind.name, ledger, variables)
            for j, ind in enumerate(figures.performance_indicators, start=1)
        ]
        project_sentences = [
            render_keyed_sentence(self.templates["project_sentence"], f"project.{i}", p.name, ledger, variables)
            for i, p in enumerate(figures.projects, start=1)
        ]
        for intro, sentences in (
            (self.phrases["indicators_intro"], indicator_sentences),
            (self.phrases["projects_intro"], project_sentences),
        ):
            present = [s for s in sentences if s]
            if present:
                paragraphs.append(intro + "".join(present))
        return paragraphs

    def _problems(self, context: SectionContext) -> list[str]:
        ordinals = self.phrases["ordinals"]
        return [f"{ordinals[i] if i < len(ordinals) else ''}{_end(p)}" for i, p in enumerate(context.figures.problems)]

    def _improvements(self, context: SectionContext) -> list[str]:
        ordinals = self.phrases["ordinals"]
        out = []
        for i, item in enumerate(context.figures.improvements):
            marker = ordinals[i] if i < len(ordinals) else ""
            out.append(f"{marker}{_end(item.title)}{_end(item.detail) if item.detail else ''}")
        return out

    def _other(self, context: SectionContext) -> list[str]:
        text = context.figures.other_notes
        return [_end(text) if len(text) > 1 else text] if text else []

    def _results_use(self, context: SectionContext) -> list[str]:
        return [self.phrases["results_use"]]
