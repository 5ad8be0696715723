"""The pipeline stages, each as one small interface (after STORM's knowledge_storm/interface.py).

figures → ledger (assistant.ledger.calculator.build_ledger) → retrieval (Retriever) → drafting (Drafter) →
verification (assistant.verify.verify) → export (Exporter). The template drafter and the LLM drafter
are interchangeable `Drafter`s; the report builder neither knows nor cares which one it holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Protocol, Sequence

from assistant.ledger.facts import Ledger
from assistant.figures.model import Figures


@dataclass(frozen=True)
class OutlineSection:
    """One section of an outline (loaded from a YAML data file)."""

    id: str
    heading: str  # without numbering: the exporter numbers 一、（一）1.（1）
    level: int  # 1..4
    mode: str = "figures"  # "figures" (driven by ledger facts) | "notes" (driven by the user's notes) | "container"
    facts: tuple[str, ...] = ()  # ledger key prefixes the section may use
    notes: tuple[str, ...] = ()  # which note fields it uses (duties, work_notes, problems, improvements, other_notes, …)
    template: str = ""  # template-drafter writer name
    prompt: str = ""  # prompt template file under prompts/
    query: str = ""  # retrieval query for style examples


@dataclass
class SectionContext:
    figures: Figures
    ledger: Ledger
    notes: Sequence[str]
    passages: Sequence[Any] = ()  # assistant.corpus Passage objects (text, source, heading, …)
    instruction: str = ""  # the user's request in chat ("写得更简洁" …)
    previous_text: str = ""  # the current draft of the section, when revising
    feedback: str = ""  # the verifier's findings on a rejected draft, for one regeneration


@dataclass
class SectionDraft:
    section_id: str
    heading: str
    level: int
    text: str  # body paragraphs separated by "\n"; figures already filled from the ledger
    drafter: str  # "template" | "llm:<model>"
    verified: bool = False
    findings: list[Any] = field(default_factory=list)  # verifier findings (dicts)
    fallback_reason: str = ""  # why the template text replaced a model draft
    citations: list[Any] = field(default_factory=list)  # Passage objects used as examples
    tokens: dict[str, int] = field(default_factory=dict)
    error: str = ""
    # Truth gate: what each slot wrote into model text (start, end, key, source, word, text) — the
    # provenance by construction that the 数字来源表 shows for model-drafted sections.
    provenance: list[Any] = field(default_factory=list)


@dataclass
class Report:
    title: str
    unit_name: str
    report_date: str
    sections: list[SectionDraft]
    preamble: str = ""
    appendix: list[str] = field(default_factory=list)
    omitted: list[tuple[str, str]] = field(default_factory=list)  # (heading, reason) of sections left out
    outline: str = "seed"

    def section(self, section_id: str) -> SectionDraft:
        for s in self.sections:
            if s.section_id == section_id:
                return s
        raise KeyError(section_id)


ProgressCallback = Callable[[str, str], None]  # (section_id, status): queued|running|verifying|redrafting|fallback|done|failed


class Retriever(Protocol):
    def search(self, query: str, k: int = 5, **filters: Any) -> list[Any]: ...


class Drafter(Protocol):
    name: str

    async def draft(self, section: OutlineSection, context: SectionContext) -> SectionDraft: ...


class Exporter(Protocol):
    def export(self, report: Report, path: str) -> None: ...
