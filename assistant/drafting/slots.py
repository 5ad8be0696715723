"""Number slots: the only way a figure enters drafted text.

A slot is `【ledger.key】` (the fact's display text), `【ledger.key|增减】` (增加/减少 by the fact's sign)
or `【ledger.key|增长】` (增长/下降). Full-width brackets cannot clash with prompt-template braces and
are rare in report prose. Python fills slots from the ledger; an unknown key is reported, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.ledger.facts import Ledger
from assistant.ledger.numbers import change_words

SLOT_RE = re.compile(r"【([A-Za-z0-9_.]+)(?:\|(增减|增长))?】")


@dataclass
class FillResult:
    text: str
    used: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def slot_value(ledger: Ledger, key: str, word: str | None) -> str | None:
    fact = ledger.get(key)
    if fact is None:
        return None
    if word is None:
        return fact.text
    amount_verb, rate_verb = change_words(fact.value)
    return amount_verb if word == "增减" else rate_verb


def fill_slots(text: str, ledger: Ledger) -> FillResult:
    """Replace every slot by its ledger text; unknown keys stay visible and are listed."""
    result = FillResult(text="")
    pieces: list[str] = []
    last = 0
    for match in SLOT_RE.finditer(text):
        pieces.append(text[last : match.start()])
        key, word = match.group(1), match.group(2)
        value = slot_value(ledger, key, word)
        if value is None:
            result.unknown.append(key)
            pieces.append(match.group(0))
        else:
            result.used.append(key)
            pieces.append(value)
        last = match.end()
    pieces.append(text[last:])
    result.text = "".join(pieces)
    return result


def slot_keys(text: str) -> list[str]:
    return [m.group(1) for m in SLOT_RE.finditer(text)]
