"""Evaluation metrics: pure functions comparing a draft with a reference report.

Structure: section coverage (reference headings found among the draft's, numbering and punctuation
ignored, fuzzy-matched one to one). Figures: recall (reference figures the draft states with the same
value and unit, counted as a multiset) and precision (draft figures found in the reference, the
ledger at the draft's printed precision, or the user's own notes). Text: character ROUGE-L F1 (LCS
over characters), chrF (character n-grams, sacrebleu, word_order=0) and the length ratio.

Figures are `Decimal` (they are money); text scores are plain floats in [0, 1].
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Mapping, Optional, Sequence

from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq

from assistant.ledger.facts import Ledger
from assistant.ledger.numbers import AMOUNT_UNITS
from assistant.evaluation.sections import normalise_heading, plain_text

# Two headings match when their normalised texts are at least this similar (rapidfuzz ratio, 0–100).
HEADING_MATCH_THRESHOLD = 80.0
CANONICAL_AMOUNT_UNIT = "万元"
_UNIT_ALIASES = {"％": "%", "个百分点": "百分点"}


# --- figures -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatedFigure:
    """A figure as a text states it: value in its base unit (2.65万亩 → 26500 亩, as the verifier's
    extractor reads it), that unit, the characters it was read from, and the printed resolution in
    the same unit (0.01万亩 → 100 亩; None: taken from the value's own decimals)."""

    value: Decimal
    unit: str
    text: str = ""
    quantum: Optional[Decimal] = None

    @property
    def resolution(self) -> Decimal:
        if self.quantum is not None:
            return self.quantum
        exponent = self.value.as_tuple().exponent
        return Decimal(1).scaleb(min(0, exponent) if isinstance(exponent, int) else 0)


_MULTIPLIERS = {"万": Decimal(10000), "亿": Decimal(100000000)}


def canonical(value: Decimal, unit: str) -> tuple[Decimal, str, Decimal]:
    """(value, unit, factor) in the unit figures are compared in: amounts in 万元 (1500元 and 0.15万元
    are the same figure), other units without a 万/亿 multiplier (2.65万亩 is 26500 亩).

    Decimal("3") == Decimal("3.00") and both hash alike, so printed trailing zeros do not matter."""
    unit = _UNIT_ALIASES.get((unit or "").strip(), (unit or "").strip())
    if unit in AMOUNT_UNITS:
        factor = AMOUNT_UNITS[unit] / AMOUNT_UNITS[CANONICAL_AMOUNT_UNIT]
        return value * factor, CANONICAL_AMOUNT_UNIT, factor
    if len(unit) > 1 and unit[0] in _MULTIPLIERS:
        factor = _MULTIPLIERS[unit[0]]
        return value * factor, unit[1:], factor
    return value, unit, Decimal(1)


def figure_key(figure: StatedFigure) -> tuple[Decimal, str]:
    value, unit, _ = canonical(figure.value, figure.unit)
    return value, unit


@dataclass
class FigureRecall:
    matched: int
    total: int
    missing: list[StatedFigure] = field(default_factory=list)

    @property
    def recall(self) -> Optional[float]:
        """None when the reference states no figure (nothing to recall)."""
        return None if self.total == 0 else self.matched / self.total


def figure_recall(reference: Sequence[StatedFigure], draft: Sequence[StatedFigure]) -> FigureRecall:
    """Reference figures the draft states with the same value and unit, as a multiset: a figure the
    reference states three times (0万元 for 出国, 公车, 工程) needs three mentions in the draft."""
    available = Counter(figure_key(f) for f in draft)
    matched = 0
    missing: list[StatedFigure] = []
    for fig in reference:
        key = figure_key(fig)
        if available[key] > 0:
            available[key] -= 1
            matched += 1
        else:
            missing.append(fig)
    return FigureRecall(matched, len(reference), missing)


class FigureSources:
    """Where a draft figure may legitimately come from: the reference, the user's notes, the ledger.

    A ledger fact counts at the precision the draft prints (a fact of 39.5519…% supports 39.55% and
    39.6%); a signed change (增减) counts by its magnitude, which is how the text states it. A bare
    number without a unit ("财政补助开支人数3") is found by its value under any unit.
    """

    def __init__(
        self,
        reference: Iterable[StatedFigure] = (),
        notes: Iterable[StatedFigure] = (),
        ledger: Optional[Ledger] = None,
    ):
        self.exact = {figure_key(f) for f in (*reference, *notes)}
        self.exact_values = {value for value, _ in self.exact}
        self.facts: dict[str, list[Decimal]] = {}
        for fact in ledger or ():
            value = abs(fact.value) if fact.signed_change else fact.value
            key_value, unit, _ = canonical(value, fact.unit)
            self.facts.setdefault(unit, []).append(key_value)

    def supports(self, figure: StatedFigure) -> bool:
        value, unit, factor = canonical(figure.value, figure.unit)
        if (value, unit) in self.exact or (not unit and value in self.exact_values):
            return True
        quantum = figure.resolution * factor
        candidates = self.facts.get(unit, ()) if unit else (v for values in self.facts.values() for v in values)
        for fact_value in candidates:
            if (fact_value / quantum).quantize(Decimal(1), rounding=ROUND_HALF_UP) * quantum == value:
                return True
        return False


@dataclass
class FigurePrecision:
    supported: int
    total: int
    unsourced: list[StatedFigure] = field(default_factory=list)

    @property
    def precision(self) -> Optional[float]:
        """None when the draft states no figure."""
        return None if self.total == 0 else self.supported / self.total


def figure_precision(draft: Sequence[StatedFigure], sources: FigureSources) -> FigurePrecision:
    supported = 0
    unsourced: list[StatedFigure] = []
    for fig in draft:
        if sources.supports(fig):
            supported += 1
        else:
            unsourced.append(fig)
    return FigurePrecision(supported, len(draft), unsourced)


# The verifier's finding statuses; all but "supported" fail the evaluation gate.
GATE_STATUSES = ("unsupported", "misattributed", "contradicted")
STATUSES = ("supported", *GATE_STATUSES)


def status_counts(statuses: Iterable[str]) -> dict[str, int]:
    counts = Counter(statuses)
    return {status: counts.get(status, 0) for status in STATUSES}


def add_counts(*counts: Mapping[str, int]) -> dict[str, int]:
    total: Counter = Counter()
    for c in counts:
        total.update(c)
    return {status: total.get(status, 0) for status in STATUSES}


def gate_failures(counts: Mapping[str, int]) -> int:
    return sum(counts.get(status, 0) for status in GATE_STATUSES)


# --- structure -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeadingMatch:
    reference_index: int
    draft_index: Optional[int]  # None: no draft section matches
    score: float  # rapidfuzz ratio of the normalised headings, 0–100


@dataclass
class SectionCoverage:
    matches: list[HeadingMatch]
    extra_draft: list[int]  # draft sections no reference heading matched

    @property
    def matched(self) -> int:
        return sum(1 for m in self.matches if m.draft_index is not None)

    @property
    def total(self) -> int:
        return len(self.matches)

    @property
    def coverage(self) -> Optional[float]:
        return None if not self.matches else self.matched / self.total

    def draft_for(self, reference_index: int) -> Optional[int]:
        for m in self.matches:
            if m.reference_index == reference_index:
                return m.draft_index
        return None


def heading_similarity(a: str, b: str) -> float:
    na, nb = normalise_heading(a), normalise_heading(b)
    if not na or not nb:
        return 100.0 if na == nb else 0.0
    return float(fuzz.ratio(na, nb))


def match_headings(reference: Sequence[str], draft: Sequence[str], threshold: float = HEADING_MATCH_THRESHOLD) -> SectionCoverage:
    """One-to-one matching of reference headings to draft headings, best pairs first; ties go to
    the pair closest in document order, so two sections both called 改进措施 pair up in order."""
    candidates: list[tuple[float, int, int, int]] = []
    for i, ref in enumerate(reference):
        for j, dra in enumerate(draft):
            score = heading_similarity(ref, dra)
            if score >= threshold:
                candidates.append((-score, abs(i - j), i, j))
    candidates.sort()
    ref_to_draft: dict[int, tuple[int, float]] = {}
    used: set[int] = set()
    for neg_score, _, i, j in candidates:
        if i in ref_to_draft or j in used:
            continue
        ref_to_draft[i] = (j, -neg_score)
        used.add(j)
    matches = [
        HeadingMatch(i, ref_to_draft[i][0], ref_to_draft[i][1]) if i in ref_to_draft else HeadingMatch(i, None, 0.0)
        for i in range(len(reference))
    ]
    extra = [j for j in range(len(draft)) if j not in used]
    return SectionCoverage(matches, extra)


# --- text ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RougeL:
    precision: float
    recall: float
    f1: float


def rouge_l_chars(candidate: str, reference: str) -> RougeL:
    """Character-level ROUGE-L of a candidate against a reference, on their plain text (whitespace
    and Markdown marks removed). Two empty texts are identical (1.0); one empty text scores 0."""
    cand, ref = plain_text(candidate), plain_text(reference)
    if not cand and not ref:
        return RougeL(1.0, 1.0, 1.0)
    if not cand or not ref:
        return RougeL(0.0, 0.0, 0.0)
    lcs = LCSseq.similarity(cand, ref)
    precision, recall = lcs / len(cand), lcs / len(ref)
    f1 = 0.0 if lcs == 0 else 2 * precision * recall / (precision + recall)
    return RougeL(precision, recall, f1)


_CHRF = None


def _chrf_metric():
    """sacrebleu's chrF with character n-grams only (word_order=0: Chinese has no spaces between
    words, so word n-grams would be whole clauses). Built once; it holds no state between calls."""
    global _CHRF
    if _CHRF is None:
        from sacrebleu.metrics import CHRF

        _CHRF = CHRF(char_order=6, word_order=0, beta=2)
    return _CHRF


def chrf(candidate: str, reference: str) -> float:
    """chrF in [0, 1] on the plain texts. Two empty texts are identical (1.0)."""
    cand, ref = plain_text(candidate), plain_text(reference)
    if not cand and not ref:
        return 1.0
    if not cand or not ref:
        return 0.0
    return _chrf_metric().sentence_score(cand, [ref]).score / 100.0


def length_ratio(candidate: str, reference: str) -> Optional[float]:
    """Characters of the candidate per character of the reference (plain text); None for an empty
    reference."""
    ref = len(plain_text(reference))
    if ref == 0:
        return None
    return len(plain_text(candidate)) / ref


def mean(values: Iterable[Optional[float]]) -> Optional[float]:
    present = [v for v in values if v is not None]
    return None if not present else sum(present) / len(present)
