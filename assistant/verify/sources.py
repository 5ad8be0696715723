"""Where a figure may come from: the ledger (facts) and the user's notes, indexed for O(1) look-up.

Ledger facts are indexed by (unit class, display scale, decimals shown, rounded magnitude): a text
figure "155.29万元" looks up (money, 10000, 2, 155.29) and finds every fact whose value, converted to
万元 and rounded half-up to 2 decimals, is 155.29 — so "3万元" matches 3.00 and "1552900元" matches
155.29万元. Rates are percent numbers ("%"); 个百分点 counts as "%". Notes are scanned with the same
extractor; their figures are indexed by (unit class, exact value) and by context bigrams, so that a
text figure can be attributed to the note figure whose surrounding words it shares.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Iterable, Sequence

from assistant.ledger.facts import Fact, Ledger
from assistant.ledger.numbers import AMOUNT_UNITS
from assistant.verify.extraction import scan_normalised
from assistant.verify.lexicon import BARE, MONEY, PERCENT, Lexicon, lexicon
from assistant.verify.model import FIGURE, Figure
from assistant.verify.report import LEDGER, Source
from assistant.verify.textnorm import NormalisedText, normalise

MAX_INDEXED_PLACES = 6
GROUP_SCALES = {
    MONEY: tuple(Decimal(v) for v in sorted(set(AMOUNT_UNITS.values()))),
    PERCENT: (Decimal(1),),
}
COUNT_SCALES = (Decimal(1), Decimal(100), Decimal(1000), Decimal(10**4), Decimal(10**8))
ANY = "*"  # index of every fact by its own displayed value, for bare text figures
_QUANTS = [Decimal(1).scaleb(-p) for p in range(MAX_INDEXED_PLACES + 1)]

# Clause boundaries: a label before one of these does not describe a figure after it.
CLAUSE_BOUNDARY_RE = re.compile(r"[。；;！？!?\n]")
CLAUSE_MAX_CHARS = 80

_WORD_CHAR_RE = re.compile(r"[\u4e00-\u9fffA-Za-z]+")


def quantize(value: Decimal, places: int) -> Decimal:
    quant = _QUANTS[places] if places <= MAX_INDEXED_PLACES else Decimal(1).scaleb(-places)
    try:
        return value.quantize(quant, rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits than the context holds: already exact at this precision
        return value


def figure_scale(fig: Figure) -> Decimal:
    """Value of one displayed unit in base units (元 for money): 10000 for 万元, 10000 for 1.2万人."""
    base = AMOUNT_UNITS.get(fig.unit, Decimal(1))
    return fig.scale * base


def change_word_before(text: str, start: int) -> tuple[int, str, int]:
    """(+1 or −1, the word, where it starts) when a change word stands right before `start`
    (增加115.54万元, 下降3%), else (0, "", start)."""
    m = CHANGE_WORD_RE.search(text, max(0, start - 8), start)
    if not m:
        return 0, "", start
    return (1, m.group("up"), m.start()) if m.group("up") else (-1, m.group("down"), m.start())


CHANGE_WORD_RE = re.compile(
    r"(?:(?P<up>增加|增长|提高|上升|上涨|增幅|多出|超出|超支|增)|(?P<down>减少|下降|降低|减幅|节约|节省|压减|缩减|压缩|下滑|回落|减))"
    r"了?(?:为|达|约|近|到)? ?$"
)


def context_bigrams(text: str, start: int, end: int, left_limit: int, right_limit: int) -> frozenset[str]:
    """Word-character bigrams of the words just before a figure and of the word right after it
    ("16支战队"); what follows a comma belongs to the next clause."""
    grams: set[str] = set()
    after = _WORD_CHAR_RE.match(text, end, right_limit)
    for chunk in (text[left_limit:start], after.group() if after else ""):
        for run in _WORD_CHAR_RE.findall(chunk):
            if len(run) == 1:
                grams.add(run)
            else:
                grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return frozenset(grams)


LEFT_CONTEXT = 12
RIGHT_CONTEXT = 4


class Contexts:
    """Clause windows and figure contexts of one scanned text."""

    def __init__(self, text: str, figures: Sequence[Figure]):
        self.text = text
        self.boundaries = [m.start() for m in CLAUSE_BOUNDARY_RE.finditer(text)]
        self.figures = [f for f in figures if f.cls == FIGURE]
        self._ends = [f.scan_end for f in self.figures]
        self._starts = [f.scan_start for f in self.figures]

    def figures_between(self, start: int, end: int) -> list[Figure]:
        """Figures lying wholly inside [start, end)."""
        i = bisect.bisect_left(self._starts, start)
        found = []
        while i < len(self.figures) and self.figures[i].scan_end <= end:
            found.append(self.figures[i])
            i += 1
        return found

    def clause_start(self, pos: int) -> int:
        i = bisect.bisect_left(self.boundaries, pos) - 1
        start = self.boundaries[i] + 1 if i >= 0 else 0
        return max(start, pos - CLAUSE_MAX_CHARS)

    def clause_end(self, pos: int) -> int:
        i = bisect.bisect_left(self.boundaries, pos)
        return self.boundaries[i] if i < len(self.boundaries) else len(self.text)

    def previous_figure_end(self, fig: Figure) -> int:
        i = bisect.bisect_right(self._ends, fig.scan_start) - 1
        return self._ends[i] if i >= 0 else 0

    def next_figure_start(self, fig: Figure) -> int:
        i = bisect.bisect_right(self._ends, fig.scan_end)
        return self.figures[i].scan_start if i < len(self.figures) else len(self.text)

    def bigrams(self, fig: Figure) -> frozenset[str]:
        left = max(self.clause_start(fig.scan_start), self.previous_figure_end(fig), fig.scan_start - LEFT_CONTEXT)
        right = min(self.clause_end(fig.scan_end), self.next_figure_start(fig), fig.scan_end + RIGHT_CONTEXT)
        return context_bigrams(self.text, fig.scan_start, fig.scan_end, left, max(right, fig.scan_end))


# ---- ledger ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexedFact:
    fact: Fact
    group: str
    base: Decimal  # magnitude in base units (元 for money)
    order: int
    source: Source  # built once: Fact.text formats on every call
    display_base: Decimal  # the value as a report prints it (2 decimals in its own unit), in base units


@dataclass(frozen=True)
class LabelMention:
    start: int
    end: int
    name: str
    keys: frozenset[str]
    groups: frozenset[str]


def _share_pair(a: str, b: str) -> bool:
    pairs = {b[i : i + 2] for i in range(len(b) - 1)}
    return any(a[i : i + 2] in pairs for i in range(len(a) - 1))


class LedgerIndex:
    def __init__(self, ledger: Ledger, lex: Lexicon | None = None):
        self.lex = lex or lexicon()
        self.facts: dict[str, IndexedFact] = {}
        self._by_key: dict[tuple, list[IndexedFact]] = defaultdict(list)
        self._by_group: dict[str, list[IndexedFact]] = defaultdict(list)
        names: dict[str, set[str]] = defaultdict(set)
        for order, fact in enumerate(ledger):
            group, unit_base = self.lex.unit_class(fact.unit)
            base = abs(fact.value) * unit_base
            source = Source(LEDGER, fact_key=fact.key, label=fact.label, text=fact.text, value=fact.value, unit=fact.unit)
            display = quantize(abs(fact.value), 2) * unit_base
            item = IndexedFact(fact, group, base, order, source, display)
            self.facts[fact.key] = item
            self._by_group[group].append(item)
            self._by_group[ANY].append(item)
            for scale in GROUP_SCALES.get(group, COUNT_SCALES):
                scaled = base / scale
                for places in range(MAX_INDEXED_PLACES + 1):
                    self._by_key[(group, scale, places, quantize(scaled, places))].append(item)
            own = abs(fact.value)
            for places in range(MAX_INDEXED_PLACES + 1):
                self._by_key[(ANY, Decimal(1), places, quantize(own, places))].append(item)
            for name in fact.names:
                if name:
                    names[name].add(fact.key)
        self.names = {
            name: (frozenset(keys), frozenset(self.facts[k].group for k in keys)) for name, keys in names.items()
        }
        self.qualifiers = self._qualifiers(names)
        # A lookahead finds a match at every position, so overlapping labels can be compared; the
        # first-character class in front lets the engine skip most positions cheaply.
        self.label_re = None
        if self.names:
            ordered = sorted(self.names, key=len, reverse=True)
            first = "".join(sorted({re.escape(n[0]) for n in ordered}))
            self.label_re = re.compile(f"(?=[{first}])(?=(" + "|".join(re.escape(n) for n in ordered) + "))")

    def _qualifiers(self, names: dict[str, set[str]]) -> dict[tuple[str, str], frozenset[str]]:
        """Names that are a column heading shared by several items, each told apart by a name of its
        own ("全年预算数" of every project, told apart by the project names): (name, group) → those
        distinguishing names. Such a heading identifies no item unless one of them is in the sentence."""
        result = {}
        for name, keys in names.items():
            by_group: dict[str, list[Fact]] = defaultdict(list)
            for key in keys:
                by_group[self.facts[key].group].append(self.facts[key].fact)
            for group, facts in by_group.items():
                if len(facts) < 2:
                    continue
                # a qualifier is a different name (a project's), not a variant of the heading (较年初预算)
                # A change computed from the item (公务用车购置及运行维护费决算较预算增减) carries the
                # item's name but is no other item under the heading: it does not make it shared.
                facts = [f for f in facts if not f.signed_change]
                if len(facts) < 2:
                    continue
                alias_sets = [{a for a in f.aliases if a and not _share_pair(a, name)} for f in facts]
                shared = set.intersection(*alias_sets)
                own = [a - shared for a in alias_sets]
                if all(own):
                    result[(name, group)] = frozenset().union(*own)
        return result

    def _lookup(self, group: str, scale: Decimal, places: int, shown: Decimal) -> list[IndexedFact]:
        if places <= MAX_INDEXED_PLACES and scale in self._scales_for(group):
            return self._by_key.get((group, scale, places, shown), [])
        # unusual scale (3千万元) or precision: compare directly
        return [i for i in self._by_group.get(group, ()) if quantize(self._scaled(i, group) / scale, places) == shown]

    def _scales_for(self, group: str) -> tuple[Decimal, ...]:
        if group == ANY:
            return (Decimal(1),)
        return GROUP_SCALES.get(group, COUNT_SCALES)

    @staticmethod
    def _scaled(item: IndexedFact, group: str) -> Decimal:
        return abs(item.fact.value) if group == ANY else item.base

    def candidates(self, fig: Figure, shown: Decimal) -> list[IndexedFact]:
        """Facts whose value, at the precision shown, equals `shown` (one end of the figure)."""
        group = self.lex.group_of(fig.unit)
        magnitude = abs(shown)
        scale = figure_scale(fig)
        if group == BARE:
            found = self._lookup(ANY, fig.scale, fig.places, magnitude)
        else:
            found = list(self._lookup(group, scale, fig.places, magnitude))
            if group not in (MONEY, PERCENT):
                found += self._lookup(BARE, scale, fig.places, magnitude)  # unitless count facts
        if shown == 0:
            return found  # −0.0001 prints as 0
        negative = shown < 0
        return [i for i in found if (i.fact.value < 0) == negative or (not negative and i.fact.signed_change)]

    def mentions(self, text: str) -> list[LabelMention]:
        """Label mentions in text order; where matches overlap the longest wins ("较上年结转结余":
        上年结转结余, not 较上年 + 结转结余)."""
        if self.label_re is None:
            return []
        found = [(m.start(), m.start() + len(m.group(1)), m.group(1)) for m in self.label_re.finditer(text)]
        if not found:
            return []
        chosen: list[tuple[int, int, str]] = []
        for match in found:  # in start order; at one start the longest label comes first
            if chosen and match[0] < chosen[-1][1]:
                if match[1] - match[0] > chosen[-1][1] - chosen[-1][0]:
                    chosen[-1] = match  # a longer label overlapping the previous one replaces it
                continue
            chosen.append(match)
        out = []
        for start, end, name in chosen:
            keys, groups = self.names[name]
            out.append(LabelMention(start, end, name, keys, groups))
        return out


# ---- notes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteFigure:
    note_index: int
    figure: Figure
    group: str
    base: Decimal  # exact value in base units
    bigrams: frozenset[str]
    direction: int
    note: NormalisedText

    @property
    def excerpt(self) -> str:
        text = self.note.original
        return text[max(0, self.figure.start - 20) : min(len(text), self.figure.end + 10)]


def figure_bases(fig: Figure) -> list[Decimal]:
    """Exact values in base units of a figure's ends (one for a single figure, two for a range)."""
    scale = figure_scale(fig)
    ends = [fig.shown] if fig.shown_high is None else [fig.shown, fig.shown_high]
    return [abs(v) * scale for v in ends if v is not None]


class NoteIndex:
    def __init__(self, notes: Iterable[str], lex: Lexicon | None = None):
        self.lex = lex or lexicon()
        self.notes = list(notes)
        self.figures: list[NoteFigure] = []
        self._by_value: dict[tuple[str, Decimal], list[int]] = defaultdict(list)
        self._by_plain_value: dict[Decimal, list[int]] = defaultdict(list)
        self._by_gram: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._by_gram_any: dict[str, list[int]] = defaultdict(list)
        for index, note in enumerate(self.notes):
            if not note:
                continue
            normalised = normalise(note)
            mentions = scan_normalised(normalised)
            contexts = Contexts(normalised.text, mentions)
            for fig in contexts.figures:
                group = self.lex.group_of(fig.unit)
                grams = contexts.bigrams(fig)
                direction = change_word_before(normalised.text, fig.scan_start)[0]
                for base in figure_bases(fig):
                    position = len(self.figures)
                    self.figures.append(NoteFigure(index, fig, group, base, grams, direction, normalised))
                    self._by_value[(group, base)].append(position)
                    self._by_plain_value[abs(fig.shown or 0)].append(position)
                    for gram in grams:
                        self._by_gram[(group, gram)].append(position)
                        self._by_gram_any[gram].append(position)

    def equal(self, group: str, base: Decimal, shown: Decimal, bare: bool) -> list[int]:
        """Note figures with the same value and unit class (bare figures match on the number alone)."""
        if bare:
            found = set(self._by_plain_value.get(abs(shown), ()))
            found.update(i for i in self._by_value.get((group, base), ()))
            return sorted(found)
        found = list(self._by_value.get((group, base), ()))
        found += [i for i in self._by_plain_value.get(abs(shown), ()) if self.figures[i].group == BARE]
        return found

    def similar(self, group: str, grams: frozenset[str]) -> dict[int, float]:
        """Comparable note figures sharing context words, with the share of `grams` they contain."""
        if not grams:
            return {}
        counts: dict[int, int] = defaultdict(int)
        for gram in grams:
            postings = self._by_gram_any.get(gram, ()) if group == BARE else self._by_gram.get((group, gram), ())
            for position in postings:
                counts[position] += 1
        total = len(grams)
        return {position: count / total for position, count in counts.items()}
