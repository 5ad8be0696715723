"""Ledger facts: the only source of figures for every text the assistant writes.

A `Fact` is one figure with a stable key, its unrounded `Decimal` value, its unit, the Chinese label
and aliases that may stand next to it in a sentence, the formula in words and the input fields it
came from. A `Ledger` is an ordered, read-only collection of facts plus the facts that could not be
computed and why (a zero denominator gives a reason, never inf/NaN).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Iterator

from assistant.ledger.numbers import format_value


@dataclass(frozen=True)
class Fact:
    key: str
    value: Decimal
    unit: str
    label: str
    aliases: tuple[str, ...] = ()
    formula: str = "录入值"
    inputs: tuple[str, ...] = ()
    kind: str = "input"  # "input" (typed by the user) or "derived" (computed)
    signed_change: bool = False  # a 增减 fact: the text carries the sign in words (增加/减少)
    group: str = ""  # the report area it belongs to (预算, 决算, 三公, …), for prompts and the UI

    @property
    def text(self) -> str:
        return format_value(self.value, self.unit, absolute=self.signed_change)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)

    def to_dict(self) -> dict:
        return {
            "key": self.key,
            "value": str(self.value),
            "unit": self.unit,
            "text": self.text,
            "label": self.label,
            "aliases": list(self.aliases),
            "formula": self.formula,
            "inputs": list(self.inputs),
            "kind": self.kind,
            "signed_change": self.signed_change,
            "group": self.group,
        }


@dataclass(frozen=True)
class MissingFact:
    key: str
    label: str
    reason: str
    # Structurally absent (a 三公 budget of 0, "本年无政府采购", no projects): nothing the user could
    # enter would give it a value, so a scored indicator built on it is 不适用 rather than 需补充.
    not_applicable: bool = False


@dataclass
class Ledger:
    facts: dict[str, Fact] = field(default_factory=dict)
    missing: dict[str, MissingFact] = field(default_factory=dict)
    # Input fields whose blank value the calculator derived from their parts (field path → the
    # part fields the user typed); see assistant.ledger.sums.
    derived_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def add(self, fact: Fact) -> Fact:
        if fact.key in self.facts:
            raise KeyError(f"duplicate ledger key {fact.key}")
        self.facts[fact.key] = fact
        return fact

    def add_missing(self, key: str, label: str, reason: str, not_applicable: bool = False) -> None:
        self.missing[key] = MissingFact(key, label, reason, not_applicable)

    def extend(self, facts: Iterable[Fact]) -> None:
        for fact in facts:
            self.add(fact)

    def __contains__(self, key: str) -> bool:
        return key in self.facts

    def __getitem__(self, key: str) -> Fact:
        return self.facts[key]

    def get(self, key: str) -> Fact | None:
        return self.facts.get(key)

    def __iter__(self) -> Iterator[Fact]:
        return iter(self.facts.values())

    def __len__(self) -> int:
        return len(self.facts)

    def with_prefix(self, prefix: str) -> list[Fact]:
        return [f for f in self.facts.values() if f.key.startswith(prefix)]

    def to_list(self) -> list[dict]:
        return [f.to_dict() for f in self.facts.values()]
