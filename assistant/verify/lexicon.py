"""Word lists of the verifier, loaded once from assistant/data/verify/*.yaml.

`units.yaml` holds the count units (量词) with their synonym groups and the characters after which a
unit character starts a word instead; `named_terms.yaml` holds the named terms whose numerals state
no quantity (三八, 十四五, 一法一条例 …). Money and percent units are closed sets and live here in code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.ledger.numbers import AMOUNT_UNITS

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "verify"

MONEY_UNITS = tuple(sorted(AMOUNT_UNITS, key=len, reverse=True))  # 千元/万元/亿元 before 元
PERCENT_UNITS = {"%": "%", "个百分点": "百分点", "百分点": "百分点"}
MULTIPLIERS = {"万": Decimal(10**4), "亿": Decimal(10**8), "千": Decimal(1000), "百": Decimal(100)}

MONEY = "money"
PERCENT = "%"
BARE = ""


@dataclass(frozen=True)
class NamedTerm:
    term: str
    category: str
    not_before: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lexicon:
    count_units: tuple[str, ...]
    unit_group: dict[str, str]  # unit → the group it counts with (名 → 人)
    not_a_unit_before: dict[str, frozenset[str]]
    named_terms: dict[str, NamedTerm]
    unit_re: re.Pattern  # every unit, longest first, anchored with .match
    named_re: re.Pattern | None

    def unit_class(self, unit: str) -> tuple[str, Decimal]:
        """(group, value of one unit in the group's base): 万元 → (money, 10000), 万亩 → (亩, 10000)."""
        if unit in AMOUNT_UNITS:
            return MONEY, AMOUNT_UNITS[unit]
        per = unit.split("/", 1)[0]
        if per != unit and per in AMOUNT_UNITS:
            # A rate in money (万元/公里): the text prints "82.64万元/公里", read as 82.64万元.
            return MONEY, AMOUNT_UNITS[per]
        if len(unit) > 1 and unit[0] in MULTIPLIERS and unit[1:] in self.unit_group:
            return self.unit_group[unit[1:]], MULTIPLIERS[unit[0]]
        return self.group_of(unit), Decimal(1)

    def group_of(self, unit: str) -> str:
        """Unit class used for matching: money, percent, bare, or the count group."""
        if unit in AMOUNT_UNITS:
            return MONEY
        if unit in ("%", "％", "百分点"):
            return PERCENT
        if not unit:
            return BARE
        return self.unit_group.get(unit, unit)


def _load_yaml(name: str):
    with open(DATA_DIR / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    units_doc = _load_yaml("units.yaml")
    count_units = tuple(dict.fromkeys(str(u) for u in units_doc["count_units"]))
    unit_group = {u: u for u in count_units}
    for group, members in (units_doc.get("synonyms") or {}).items():
        for member in members:
            unit_group[str(member)] = str(group)
    not_before = {str(k): frozenset(str(c) for c in v) for k, v in (units_doc.get("not_a_unit_before") or {}).items()}

    terms: dict[str, NamedTerm] = {}
    for category, entries in _load_yaml("named_terms.yaml").items():
        for entry in entries:
            if isinstance(entry, dict):
                term = NamedTerm(str(entry["term"]), str(category), tuple(str(c) for c in entry.get("not_before") or ()))
            else:
                term = NamedTerm(str(entry), str(category))
            terms[term.term] = term

    all_units = list(MONEY_UNITS) + list(PERCENT_UNITS) + list(count_units)
    unit_re = re.compile("|".join(re.escape(u) for u in sorted(set(all_units), key=len, reverse=True)))
    named_re = None
    if terms:
        named_re = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)))
    return Lexicon(count_units, unit_group, not_before, terms, unit_re, named_re)
