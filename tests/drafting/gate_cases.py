"""Shared material for the truth-gate tests: the two cases, and honest slot texts built from their
ledgers and notes (never from literal figures: every figure is a slot the ledger or notes fill)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.drafting import phrasing
from assistant.drafting.gate import GateResult, gate_model_text
from assistant.drafting.note_sources import section_note_indices
from assistant.drafting.outline import load_outline
from assistant.drafting.prompting import section_facts
from assistant.drafting.slots import NoteSlots, note_slots_for
from assistant.drafting.template_drafter import TemplateDrafter
from assistant.figures import load_figures
from assistant.interface import SectionContext
from assistant.ledger.calculator import note_texts
from assistant.offline import REPO_ROOT
from assistant.scoring import build_scored_ledger

CASES = {
    "seed": REPO_ROOT / "evals" / "cases" / "hengshan-fulian-2023" / "figures.yaml",
    # projects, indicators, adjusted budget and last-year data
    "nongye": REPO_ROOT / "evals" / "cases" / "xiangyuan-nongye-2023" / "figures.yaml",
}


@dataclass
class Case:
    name: str
    figures: object
    ledger: object
    notes: NoteSlots
    outline: object

    def gate(self, section_id: str, text: str) -> GateResult:
        return gate_model_text(text, self.ledger, self.notes, self.outline.section(section_id), self.figures)

    def context(self) -> SectionContext:
        return SectionContext(self.figures, self.ledger, note_texts(self.figures))

    def facts(self, section_id: str):
        return section_facts(self.outline.section(section_id), self.ledger)

    def note_indices(self, section_id: str) -> list[int]:
        return section_note_indices(self.outline.section(section_id), self.figures, self.notes)


@lru_cache(maxsize=4)
def load_case(name: str) -> Case:
    figures = load_figures(CASES[name])
    return Case(name, figures, build_scored_ledger(figures), note_slots_for(note_texts(figures)), load_outline("seed"))


def template_slot_text(case: Case, section_id: str, monkeypatch) -> str:
    """The template drafter's text for a section with its slots left in: honest slot text that says
    exactly what the offline report says."""

    def as_slot(ledger, key, word, notes=None):
        if ledger.get(key) is None:
            return None
        return f"【{key}|{word}】" if word else f"【{key}】"

    monkeypatch.setattr(phrasing, "slot_value", as_slot)
    section = case.outline.section(section_id)
    text = TemplateDrafter().draft_sync(section, case.context()).text
    # The template's own to-do markers (【待补：…】) ask the user for text; a model would not copy them.
    return re.sub(r"[，；]?[^，。；]*【待补[^】]*】", "", text)
