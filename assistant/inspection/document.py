"""A report's text prepared for 体检: its figures (with labels and lines), sentences and clauses.

Numbers are found by the verifier's extractor (`assistant.verify.extraction`), which already tells
figures from dates, document numbers, codes, list markers and phone numbers; this module adds what the
relations need: money converted to 万元, the label written before each figure, and places.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from decimal import Decimal

from assistant.inspection.model import Place, Value
from assistant.verify.extraction import extract_mentions
from assistant.verify.model import FIGURE

MONEY_TO_WAN = {"万元": (Decimal(1), 0), "元": (Decimal("0.0001"), 4), "千元": (Decimal("0.1"), 1), "亿元": (Decimal(10000), -4)}
MONEY = "万元"
PERCENT = "%"

# A sentence ends at 。！？ or a line break; “；” separates clauses of one sentence (其中：A；B。).
SENTENCE_END_RE = re.compile(r"[。！？!?\n]")
# Clause marks; a table cell separator ends a clause too.
CLAUSE_RE = re.compile(r"[，,、：:|（）()]")
_LABEL_STRIP = " \t:：,，、|（）()为是达到共计约合-—"
EXCERPT_CHARS = 60


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    values: tuple[Value, ...]
    closer: str = ""  # what ended it: 。, a line break (\n or ""), or | for a table cell


class Document:
    def __init__(self, text: str, name: str = "", where=None):
        self.text = text
        self.name = name
        self._where = where  # line → the source's own place (第3段, 表2第4行), from a .docx
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.values = self._read_values()
        self._offsets = [v.offset for v in self.values]
        self._by_ending: dict[str, list[Value]] | None = None
        self.sentences = self._sentences()

    # -- places --------------------------------------------------------------------------------

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self._line_starts, offset)

    def line_text(self, line: int) -> str:
        start = self._line_starts[line - 1]
        end = self._line_starts[line] - 1 if line < len(self._line_starts) else len(self.text)
        return self.text[start:end]

    def place(self, start: int, end: int | None = None) -> Place:
        """The line of `start` and the text from start to end (cut to EXCERPT_CHARS), one line."""
        end = start + EXCERPT_CHARS if end is None else end
        excerpt = " ".join(self.text[start:end].split())
        if len(excerpt) > EXCERPT_CHARS:
            excerpt = excerpt[: EXCERPT_CHARS - 1] + "…"
        line = self.line_of(start)
        where = self._where(line) if self._where is not None else ""
        return Place(line, excerpt, start - self._line_starts[line - 1] + 1, where)

    def sentence_place(self, sentence: Sentence) -> Place:
        return self.place(sentence.start, sentence.end)

    # -- figures -------------------------------------------------------------------------------

    def values_labelled(self, label: str) -> list[Value]:
        """Values whose label is `label` or ends with it (an index of label endings, built once)."""
        if self._by_ending is None:
            index: dict[str, list[Value]] = {}
            for v in self.values:
                for cut in range(len(v.label) - 1):
                    index.setdefault(v.label[cut:], []).append(v)
            self._by_ending = index
        return self._by_ending.get(label, [])

    def values_between(self, start: int, end: int) -> list[Value]:
        lo = bisect.bisect_left(self._offsets, start)
        hi = bisect.bisect_left(self._offsets, end)
        return self.values[lo:hi]

    def _read_values(self) -> list[Value]:
        text = self.text
        out: list[Value] = []
        previous_end = 0
        for mention in extract_mentions(text):
            if mention.cls != FIGURE:
                continue  # a date, the 三 of 三公, a list marker: part of the words, not a new label
            if mention.value is None or mention.is_range or mention.qualifier:
                # Ranges, bounds (≥95%) and approximations state no exact quantity to recompute.
                previous_end = mention.end
                continue
            unit = mention.unit
            value = mention.value  # the multiplier applied: 1.2万人 → 12000
            places = max(mention.places - _exponent(mention.scale), 0)
            if unit in MONEY_TO_WAN:
                factor, extra = MONEY_TO_WAN[unit]
                value = value * factor
                places = max(places + extra, 0)
                unit = MONEY
            label = _label(text, previous_end, mention.start)
            out.append(Value(value, mention.text, places, unit, self.line_of(mention.start), mention.start, label))
            previous_end = mention.end
        return out

    def _sentences(self) -> list[Sentence]:
        """Sentences end at 。！？ and line breaks; on a table row (a line with “|”) each cell is a
        sentence of its own, so prose rules never read across columns."""
        out = []
        start = 0
        for m in SENTENCE_END_RE.finditer(self.text + "\n"):
            end = min(m.start(), len(self.text))
            if end > start:
                line = self.text[start:end]
                if "|" in line:
                    cell_start = start
                    for piece in line.split("|"):
                        cell_end = cell_start + len(piece)
                        if piece.strip():
                            out.append(Sentence(cell_start, cell_end, tuple(self.values_between(cell_start, cell_end)), "|"))
                        cell_start = cell_end + 1
                else:
                    out.append(Sentence(start, end, tuple(self.values_between(start, end)), self.text[end : end + 1]))
            start = m.end()
        return out


_SHORT_PAREN_RE = re.compile(r"[（(]([^（）()\d]{1,4})[)）]")


def _exponent(scale: Decimal) -> int:
    return len(str(int(scale))) - 1 if scale >= 1 else 0


def _label(text: str, floor: int, start: int) -> str:
    """The words written right before a figure, back to the previous figure or clause mark."""
    lo = max(floor, start - 24)
    # A short bracketed word belongs to the label: 因公出国（境）费, 财政拨款(补助).
    window = _SHORT_PAREN_RE.sub(lambda m: m.group(1), text[lo:start])
    cut = max((m.end() for m in re.finditer(r"[。；;，,、|\n（）()]", window)), default=0)
    return window[cut:].strip(_LABEL_STRIP)


def same_quantity(a: Value, b: Value) -> bool:
    """Comparable units: both money (万元), both the same count unit, or a bare cell with money."""
    if a.unit == b.unit:
        return True
    return {a.unit, b.unit} <= {MONEY, ""}
