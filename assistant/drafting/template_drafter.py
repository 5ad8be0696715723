"""The offline default drafter: writes every section from the ledger and the user's notes.

Figures-driven sections render the sentence templates of `prompts/templates/sections.yaml`; notes-
driven sections arrange the user's own words (one goal area a paragraph, 一是/二是/三是 within it when
there are two items or more). It needs no model and no network, and every figure it writes is a ledger
fact's text or the user's own.

Phrasing rules, applied to every section: a block whose entered figures are all zero is one sentence
("本年度未安排“三公”经费预算，也未发生“三公”经费支出"); a section the outline expects but the unit has
nothing for says so ("本单位无政府性基金预算支出"); a sentence over about 120 characters is split at a
clause boundary; a project is named “X项目” or “X”项目, never “X项目”项目; where a figure crosses a line
(超编, 超预算, 执行偏慢, 指标未完成) an evaluation sentence gives the user's reason or 【待补：原因】.
"""

from __future__ import annotations

from typing import Callable

from assistant.drafting.assessments import Assessor
from assistant.drafting.phrasing import (
    Vars,
    close_sentence,
    load_templates,
    ordinal_items,
    project_ref,
    render_keyed_sentence,
    render_section,
    split_long_sentences,
    split_sentences,
)
from assistant.figures.model import Figures
from assistant.interface import OutlineSection, SectionContext, SectionDraft
from assistant.ledger.facts import Ledger


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


def all_zero(ledger: Ledger, prefixes: list[str]) -> bool:
    """Every entered fact under `prefixes` is zero (and at least one was entered)."""
    facts = [f for prefix in prefixes for f in (ledger.with_prefix(prefix) if prefix.endswith(".") else [ledger.get(prefix)]) if f is not None]
    amounts = [f for f in facts if f.unit != "%"]
    return bool(amounts) and all(f.value == 0 for f in amounts)


def insert_after(paragraphs: list[str], ledger: Ledger, anchor: str, sentence: str) -> list[str]:
    """`sentence` right after the first sentence that states the `anchor` fact (its label and its
    text), else at the end of the last paragraph."""
    fact = ledger.get(anchor)
    if fact is not None:
        for i, paragraph in enumerate(paragraphs):
            sentences = split_sentences(paragraph)
            for j, existing in enumerate(sentences):
                if fact.text in existing:
                    sentences.insert(j + 1, sentence)
                    return [*paragraphs[:i], "".join(sentences), *paragraphs[i + 1 :]]
    return [*paragraphs[:-1], paragraphs[-1] + sentence]


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
            paragraphs = writer(context)  # the user's own sentences are kept as written
        else:
            paragraphs = [split_long_sentences(p) for p in self._figures_section(section.template, context)]
        if not any(p.strip() for p in paragraphs):
            empty = (self.templates.get("when_empty") or {}).get(section.template)
            paragraphs = [empty] if empty else []
        return [p for p in paragraphs if p]

    def _figures_section(self, template: str, context: SectionContext) -> list[str]:
        ledger, variables = context.ledger, template_vars(context.figures)
        zero = (self.templates.get("zero_summary") or {}).get(template)
        if zero and all_zero(ledger, list(zero["keys"])):
            paragraphs = [zero["text"]]
        else:
            paragraphs = render_section(template, ledger, variables, self.templates)
            if paragraphs:
                for anchor, sentence in Assessor(context.figures, ledger, context.notes, self.templates).for_template(template):
                    paragraphs = insert_after(paragraphs, ledger, anchor, sentence)
        for after in (self.templates.get("sections_after") or {}).get(template, []):
            paragraphs += render_section(after, ledger, variables, self.templates)
        return paragraphs

    def preamble(self, figures: Figures, ledger) -> str:
        return "".join(render_section("preamble", ledger, template_vars(figures), self.templates))

    # --- notes-driven sections ------------------------------------------------------------------

    def _duties(self, context: SectionContext) -> list[str]:
        duties = context.figures.duties
        if len(duties) < 2:
            return [close_sentence(d) for d in duties]
        markers = self.phrases["list_markers"]
        return [f"{markers[i] if i < len(markers) else ''}{close_sentence(duty)}" for i, duty in enumerate(duties)]

    def _goals(self, context: SectionContext) -> list[str]:
        figures, ledger = context.figures, context.ledger
        variables = template_vars(figures)
        assessor = Assessor(figures, ledger, context.notes, self.templates)
        ordinals = self.phrases["ordinals"]
        paragraphs = [f"{close_sentence(area.title)}{''.join(ordinal_items(area.items, ordinals))}" for area in figures.work_notes]
        indicator_sentences = []
        for j, ind in enumerate(figures.performance_indicators, start=1):
            sentence = render_keyed_sentence(self.templates["indicator_sentence"], f"indicator.{j}", ind.name, ledger, variables)
            if sentence:
                indicator_sentences.append(sentence + "".join(assessor.indicator(ind)))
        project_sentences = []
        for i, project in enumerate(figures.projects, start=1):
            sentence = render_keyed_sentence(self.templates["project_sentence"], f"project.{i}", project_ref(project.name), ledger, variables)
            if not sentence:
                continue
            sentence += "".join(assessor.project(i))
            parts = []
            for j, ind in enumerate(project.indicators, start=1):
                part = render_keyed_sentence(self.templates["project_indicator_sentence"], f"project.{i}.indicator.{j}", ind.name, ledger, variables)
                if part:
                    unmet = assessor.indicator(ind)
                    parts.append(part if not unmet else part[:-1] + "。" + unmet[0][:-1] + "；")
            if parts:
                sentence += "绩效指标方面，" + "".join(parts)[:-1] + "。"
            project_sentences.append(sentence)
        for intro, sentences in (
            (self.phrases["indicators_intro"], indicator_sentences),
            (self.phrases["projects_intro"], project_sentences),
        ):
            if sentences:
                paragraphs.append(split_long_sentences(intro + "".join(sentences)))
        return paragraphs

    def _problems(self, context: SectionContext) -> list[str]:
        return ordinal_items(list(context.figures.problems), self.phrases["ordinals"])

    def _improvements(self, context: SectionContext) -> list[str]:
        items = context.figures.improvements
        ordinals = self.phrases["ordinals"] if len(items) >= 2 else []
        out = []
        for i, item in enumerate(items):
            marker = ordinals[i] if i < len(ordinals) else ""
            out.append(f"{marker}{close_sentence(item.title)}{close_sentence(item.detail) if item.detail else ''}")
        return out

    def _other(self, context: SectionContext) -> list[str]:
        text = context.figures.other_notes
        return [close_sentence(text) if len(text) > 1 else text] if text else []

    def _results_use(self, context: SectionContext) -> list[str]:
        return [self.phrases["results_use"]]
