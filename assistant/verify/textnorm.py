"""Scanning copy of a text: decimal digits of any script to ASCII, odd spaces to spaces, invisible characters out.

The verifier scans the normalised copy and reports offsets in the original, so `NormalisedText`
keeps the map back. Most texts contain no invisible characters; then the map is the identity and
costs nothing.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from assistant.verify.figure_tokens import decimal_digit_table

_ONE_TO_ONE = {ord("０") + i: ord("0") + i for i in range(10)}
_ONE_TO_ONE.update({ord("Ａ") + i: ord("A") + i for i in range(26)})
_ONE_TO_ONE.update({ord("ａ") + i: ord("a") + i for i in range(26)})
_ONE_TO_ONE.update(
    {
        ord("％"): "%",
        ord("．"): ".",  # full-width full stop: a decimal point between full-width digits
        ord("－"): "-",
        ord("−"): "-",  # minus sign
        ord("～"): "~",
        ord("\u00a0"): " ",  # no-break space
        ord("\u3000"): " ",  # ideographic space
        ord("\u2002"): " ",
        ord("\u2003"): " ",
        ord("\u2007"): " ",
        ord("\u2009"): " ",
        ord("\u202f"): " ",
        ord("\u2028"): "\n",
        ord("\u2029"): "\n",
        ord("\r"): "\n",
    }
)
# Zero-width and direction marks, soft hyphen, variation selectors, BOM: they show nothing, so a
# figure with one inside ("1\u200b55.29") reads as the figure a person sees.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u00ad\ufeff\u202a-\u202e\u2066-\u2069\ufe00-\ufe0f]")


@dataclass
class NormalisedText:
    original: str
    text: str
    _to_original: list[int] | None = None  # None: same offsets
    _line_starts: list[int] | None = field(default=None, repr=False)

    def original_offset(self, index: int) -> int:
        """Original offset of normalised index `index` (index == len(text) maps to the end)."""
        if self._to_original is None:
            return index
        return self._to_original[index]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        if self._to_original is None:
            return start, end
        if end <= start:
            pos = self._to_original[start]
            return pos, pos
        return self._to_original[start], self._to_original[end - 1] + 1

    def line_column(self, original_offset: int) -> tuple[int, int]:
        """1-based line and column (in characters) of an original offset."""
        if self._line_starts is None:
            starts = [0]
            starts.extend(m.end() for m in re.finditer("\r\n|\r|\n|\u2028|\u2029", self.original))
            self._line_starts = starts
        line = bisect.bisect_right(self._line_starts, original_offset) - 1
        return line + 1, original_offset - self._line_starts[line] + 1


def normalise(original: str) -> NormalisedText:
    translated = original.translate(_ONE_TO_ONE)
    if not translated.isascii():
        # Decimal digits of every script read as the figure a person sees (٣٠ is 30); which
        # characters are digits is decided in one place, figure_tokens, for model and human text.
        translated = translated.translate(decimal_digit_table())
    if not _INVISIBLE.search(translated):
        return NormalisedText(original, translated)
    kept: list[str] = []
    to_original: list[int] = []
    for index, ch in enumerate(translated):
        if _INVISIBLE.match(ch):
            continue
        kept.append(ch)
        to_original.append(index)
    to_original.append(len(original))
    return NormalisedText(original, "".join(kept), to_original)
