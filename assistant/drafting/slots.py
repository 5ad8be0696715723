"""Number slots: the only way a figure enters text a model wrote, and the record of where it came from.

Ledger slots: `【ledger.key】` (the fact's display text), `【ledger.key|增减】` (增加/减少 by the fact's
sign) or `【ledger.key|增长】` (增长/下降). Note slots: `【note.3.2】` is the 2nd figure of the 3rd note
(numbered as `assistant.ledger.calculator.note_texts` lists the user's texts, from 1) and renders
exactly what the user typed there ("220余人", "千余份", "近12万元"). "Figure" in a note is whatever
`assistant.verify.figure_tokens` counts as one, widened to the whole mention the number verifier reads
(with its unit and qualifier). Full-width brackets cannot clash with prompt-template braces and are rare
in report prose.

`fill_slots` replaces every known slot and records, for each piece it writes, its offsets in the filled
text and the fact or note figure it came from (`Provenance`); an unknown key is left visible and listed,
never guessed. The truth gate (`assistant.drafting.gate`) rejects any figure that no slot wrote.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.ledger.facts import Ledger
from assistant.ledger.numbers import change_words

SLOT_RE = re.compile(r"【([A-Za-z0-9_.]+)(?:\|(增减|增长))?】")
NOTE_KEY_RE = re.compile(r"note\.([0-9]+)\.([0-9]+)")
LEDGER = "ledger"
NOTE = "note"


@dataclass(frozen=True)
class NoteFigure:
    """One figure of the user's notes, as typed."""

    key: str  # "note.3.2"
    note: int  # 1-based index of the note in the notes list
    start: int  # offsets in the note's text
    end: int
    text: str  # exactly what the user typed ("220余人")
    note_text: str

    @property
    def slot(self) -> str:
        return f"【{self.key}】"

    def context(self, width: int = 24) -> tuple[str, str]:
        """The note's words just before and after the figure (inside its sentence)."""
        before = self.note_text[max(0, self.start - width) : self.start]
        after = self.note_text[self.end : self.end + width]
        before = re.split(r"[。；;！？!?\n]", before)[-1]
        after = re.split(r"[。；;！？!?\n]", after)[0]
        return before, after


@dataclass
class NoteSlots:
    """Every figure in the user's notes, each with its slot key."""

    notes: tuple[str, ...] = ()
    figures: dict[str, NoteFigure] = field(default_factory=dict)

    def get(self, key: str) -> NoteFigure | None:
        return self.figures.get(key)

    def of_note(self, note: int) -> list[NoteFigure]:
        return [f for f in self.figures.values() if f.note == note]

    def slotted(self, note: int) -> str:
        """The note's text with each figure replaced by its slot, for the prompt."""
        text = self.notes[note - 1]
        pieces, last = [], 0
        for figure in self.of_note(note):
            pieces.append(text[last : figure.start])
            pieces.append(figure.slot)
            last = figure.end
        pieces.append(text[last:])
        return "".join(pieces)

    def index_of(self, text: str) -> int | None:
        """1-based index of a note by its text (first match, surrounding spaces ignored)."""
        wanted = text.strip()
        for i, note in enumerate(self.notes, start=1):
            if note.strip() == wanted:
                return i
        return None


def note_figure_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the figures in one note: each figure token widened to the verifier's mention."""
    from assistant.verify.extraction import extract_mentions
    from assistant.verify.figure_tokens import find_figure_tokens

    tokens = find_figure_tokens(text)
    if not tokens:
        return []
    mentions = extract_mentions(text)
    spans: list[list[int]] = []
    for token in tokens:
        start, end = token.start, token.end
        for mention in mentions:
            if mention.start < end and start < mention.end:
                start, end = min(start, mention.start), max(end, mention.end)
        spans.append([start, end])
    spans.sort()
    merged: list[list[int]] = []
    for span in spans:
        if merged and span[0] <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], span[1])
        else:
            merged.append(span)
    return [(s, e) for s, e in merged]


def build_note_slots(notes: Sequence[str]) -> NoteSlots:
    """Note slots for a list of note texts (normally `note_texts(figures)`)."""
    texts = tuple(str(n) for n in notes)
    figures: dict[str, NoteFigure] = {}
    for i, text in enumerate(texts, start=1):
        for j, (start, end) in enumerate(note_figure_spans(text), start=1):
            key = f"note.{i}.{j}"
            figures[key] = NoteFigure(key, i, start, end, text[start:end], text)
    return NoteSlots(texts, figures)


@lru_cache(maxsize=16)
def _cached_note_slots(notes: tuple[str, ...]) -> NoteSlots:
    return build_note_slots(notes)


def note_slots_for(notes: Sequence[str] | NoteSlots) -> NoteSlots:
    """Note slots for the notes of a report (cached: prompt, stream filler and gate share them)."""
    if isinstance(notes, NoteSlots):
        return notes
    return _cached_note_slots(tuple(str(n) for n in notes))


@dataclass(frozen=True)
class Provenance:
    """One piece of filled text and where it came from."""

    start: int  # offsets in the filled text
    end: int
    key: str  # fact key or note key
    source: str  # LEDGER | NOTE
    word: str | None  # "增减"/"增长" for a direction word, None for the figure itself
    text: str  # what was written

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "key": self.key, "source": self.source, "word": self.word, "text": self.text}


@dataclass
class FillResult:
    text: str
    used: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    provenance: list[Provenance] = field(default_factory=list)


def slot_value(ledger: Ledger, key: str, word: str | None, notes: NoteSlots | None = None) -> str | None:
    if NOTE_KEY_RE.fullmatch(key):
        figure = notes.get(key) if notes is not None else None
        return figure.text if figure is not None and word is None else None
    fact = ledger.get(key)
    if fact is None:
        return None
    if word is None:
        return fact.text
    amount_verb, rate_verb = change_words(fact.value)
    return amount_verb if word == "增减" else rate_verb


def _unit_tail(rendered: str) -> str:
    """The unit at the end of a rendered figure ("万元" of "12.32万元", "人" of "220余人")."""
    m = re.search(r"[0-9][余多来几]?([^\W\d_]+)$", rendered)
    return m.group(1) if m else ""


def _repeated_unit(text: str, pos: int, unit: str) -> bool:
    """The model typed the slot's unit again at `pos`: dropped when it ends there (a money unit always),
    so "【key】万元" does not print 万元 twice but "【key】人员" keeps its word."""
    if not unit or not text.startswith(unit, pos):
        return False
    after = text[pos + len(unit) : pos + len(unit) + 1]
    return unit.endswith("元") or not after or not re.match(r"[^\W\d_]", after)


def fill_slots(text: str, ledger: Ledger, notes: NoteSlots | None = None) -> FillResult:
    """Replace every known slot by its text, recording provenance; unknown keys stay visible and are
    listed. A unit typed again right after a slot that already carries it is dropped ("【key】万元")."""
    result = FillResult(text="")
    pieces: list[str] = []
    length = 0
    last = 0
    for match in SLOT_RE.finditer(text):
        if match.start() < last:
            continue
        before = text[last : match.start()]
        pieces.append(before)
        length += len(before)
        key, word = match.group(1), match.group(2)
        value = slot_value(ledger, key, word, notes)
        last = match.end()
        if value is None:
            result.unknown.append(key)
            pieces.append(match.group(0))
            length += len(match.group(0))
            continue
        result.used.append(key)
        source = NOTE if NOTE_KEY_RE.fullmatch(key) else LEDGER
        result.provenance.append(Provenance(length, length + len(value), key, source, word, value))
        pieces.append(value)
        length += len(value)
        tail = _unit_tail(value) if word is None else ""
        if _repeated_unit(text, last, tail):
            last += len(tail)
    pieces.append(text[last:])
    result.text = "".join(pieces)
    return result


def slot_keys(text: str) -> list[str]:
    return [m.group(1) for m in SLOT_RE.finditer(text)]
