"""Required facts per section (`prompts/templates/required_facts.yaml`) and their recall in a draft.

A required fact is a ledger fact the section's template lists that the unit has (present and not zero:
zeros are summarised by the zero-block rules instead). It counts as stated when one sentence of the
section holds both the fact's text (as the ledger prints it; a 增减 by its magnitude) and one of its
names — its label, an alias, or the label without its stage word (决算/年初预算/全年预算). Recall per
section = stated / required; the offline drafter must reach 1.0 on every section of every case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml

from assistant.ledger.facts import Fact, Ledger
from assistant.offline import REPO_ROOT

REQUIRED_FILE = REPO_ROOT / "prompts" / "templates" / "required_facts.yaml"
_STAGES = ("全年预算", "年初预算", "决算", "上年")
_SENTENCE = re.compile(r"[^。！？\n]+[。！？]?")


@lru_cache(maxsize=4)
def load_required(path: Path = REQUIRED_FILE) -> dict[str, tuple[str, ...]]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return {str(name): tuple(str(p) for p in (patterns or ())) for name, patterns in data.items()}


def required_facts(template: str, ledger: Ledger, spec: Optional[dict[str, tuple[str, ...]]] = None) -> list[Fact]:
    patterns = (spec if spec is not None else load_required()).get(template, ())
    out: list[Fact] = []
    for pattern in patterns:
        for fact in ledger:
            # "*" stands for one key segment (a number or an item name), never for several.
            if fnmatchcase(fact.key, pattern) and fact.key.count(".") == pattern.count(".") and fact.value != 0 and fact not in out:
                out.append(fact)
    return out


def fact_names(fact: Fact) -> list[str]:
    names = [n for n in fact.names if n]
    for stage in _STAGES:
        if fact.label.startswith(stage) and len(fact.label) > len(stage) + 1:
            names.append(fact.label[len(stage) :])
    return names


def fact_stated(fact: Fact, text: str) -> bool:
    for sentence in _SENTENCE.findall(text or ""):
        if fact.text in sentence and any(name in sentence for name in fact_names(fact)):
            return True
    return False


@dataclass
class SectionRequired:
    section_id: str
    heading: str
    template: str
    required: list[str] = field(default_factory=list)  # ledger keys
    missing: list[str] = field(default_factory=list)

    @property
    def recall(self) -> Optional[float]:
        return None if not self.required else (len(self.required) - len(self.missing)) / len(self.required)

    def row(self) -> dict[str, Any]:
        return {
            "section_id": self.section_id,
            "heading": self.heading,
            "required": len(self.required),
            "missing": list(self.missing),
            "recall": None if self.recall is None else round(self.recall, 4),
        }


def required_recall(report: Any, ledger: Ledger) -> list[SectionRequired]:
    """Per drafted section of `report` (an assistant.interface.Report), its required facts and the
    ones its text does not state."""
    from assistant.drafting.outline import load_outline

    outline = load_outline(report.outline)
    templates = {s.id: s.template for s in outline.sections}
    results = []
    for section in report.sections:
        template = templates.get(section.section_id, section.section_id)
        facts = required_facts(template, ledger)
        if not facts:
            continue
        result = SectionRequired(section.section_id, section.heading, template, [f.key for f in facts])
        result.missing = [f.key for f in facts if not fact_stated(f, section.text)]
        results.append(result)
    return results


def overall_recall(sections: list[SectionRequired]) -> Optional[float]:
    total = sum(len(s.required) for s in sections)
    if total == 0:
        return None
    return sum(len(s.required) - len(s.missing) for s in sections) / total
