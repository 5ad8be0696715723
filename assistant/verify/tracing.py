"""Trace each figure to a ledger fact or a note figure, and judge its attribution and direction.

For one figure (each end of a range separately):

1. Ledger candidates: facts whose value equals the figure at the precision shown, after unit
   conversion (see `sources.LedgerIndex`). A negative figure needs a negative fact.
2. Ledger attribution: the nearest label/alias mention before the figure inside its clause (back to
   。；！？ or a line break, at most 80 characters) that names a fact of the same unit class; where
   labels overlap the longest wins. If that mention names a candidate, the figure is attributed; if
   it names only other facts, the figure is *misattributed* ("基本支出61.41万元，占总支出的60.45%":
   60.45% is 项目支出占比, the sentence says 基本支出). No such mention: no judgement. A mention does
   not count when it already has its own figure of this unit class before ours, when it is the base
   of "X的Y%", when it is a two-character everyday word (完成, 服务) not right before the figure, or
   when it is a heading shared by several items and the sentence names none of them (全年预算数
   without a project name). A candidate also fits when part of the mention names it and another of
   its names is in the sentence (项目名 … 预算执行率), and, after a change word, when it is the change
   of a named item ("决算总收入增加439.48万元"). After 分别/依次 the k-th figure pairs with the
   k-th item named before it.
3. Notes: note figures with the same value and unit class. Their context words decide attribution
   when the ledger has no label in the clause: if another note figure of the same unit class shares
   clearly more of the words around this figure (≥ 50% and 20 points above the best equal one), the
   figure is *misattributed* to that place (a swap of "31件" and "29件"); if no figure anywhere has
   this value, it is *unsupported* and the message names what the notes say there ("230余人" where
   the notes say 220余人). A value found only in an unrelated note, in a clause whose nearest
   label is a specific ledger label (3+ characters: "编制人数60人" while the notes' 60人 are
   volunteers), is *misattributed* too.
4. Precision without a label: a ledger match that holds only after rounding ("155万元" for 155.29) and
   has no label in its clause is not traceable (*unsupported*, naming the near fact); with a label
   ("决算总支出155万元") it is supported, as is any match at the precision a report prints.
5. Direction: a change word right before the figure (增加/增长/提高/上升 vs 减少/下降/降低/节约) that
   contradicts the sign of the signed-change fact it matches (or of the note figure) is *contradicted*.
6. Nothing found: *unsupported*.
"""

from __future__ import annotations

import bisect
import re
from decimal import Decimal
from typing import Sequence

from assistant.ledger.facts import Ledger
from assistant.ledger.numbers import AMOUNT_UNITS
from assistant.verify.extraction import scan_normalised
from assistant.verify.lexicon import BARE, MONEY, PERCENT, lexicon
from assistant.verify.model import FIGURE, Figure
from assistant.verify.report import (
    CONTRADICTED,
    MISATTRIBUTED,
    NOTES,
    SUPPORTED,
    UNSUPPORTED,
    Finding,
    Source,
    VerificationReport,
)
from assistant.verify.sources import (
    Contexts,
    IndexedFact,
    LabelMention,
    LedgerIndex,
    NoteFigure,
    NoteIndex,
    change_word_before,
    figure_scale,
    quantize,
)
from assistant.verify.textnorm import normalise

NOTE_CONTEXT_MIN = 0.5
_RUN_RE = re.compile(r"(?P<int>[0-9]+)(?P<dec>\.[0-9]+)?(?P<unit>[^0-9.,]*)")
_RUN_MAX_DIGITS = 16
_RUN_MAX_PIECES = 6
NOTE_CONTEXT_MARGIN = 0.2
LENIENT_WORDS = ("分别", "依次", "各为")
_SEVERITY = {UNSUPPORTED: 3, CONTRADICTED: 2, MISATTRIBUTED: 1, SUPPORTED: 0}


def _fact_source(item: IndexedFact) -> Source:
    return item.source


def _note_source(note: NoteFigure) -> Source:
    return Source(NOTES, text=note.figure.text, note_index=note.note_index, note_text=note.excerpt, unit=note.figure.unit)


def _signed_words(value: Decimal) -> str:
    return "增加" if value > 0 else ("减少" if value < 0 else "持平")


class _Outcome:
    __slots__ = ("status", "provenance", "expected", "message")

    def __init__(self, status: str, provenance: Source | None = None, expected: Source | None = None, message: str = ""):
        self.status = status
        self.provenance = provenance
        self.expected = expected
        self.message = message


class Verifier:
    """Ledger and notes indexed once; `verify(text)` many times."""

    def __init__(self, ledger: Ledger, notes: Sequence[str] = ()):
        self.lex = lexicon()
        self.ledger = LedgerIndex(ledger, self.lex)
        self.notes = NoteIndex(notes, self.lex)

    # -- public --------------------------------------------------------------------------------

    def verify(self, text: str) -> VerificationReport:
        normalised = normalise(text or "")
        mentions = scan_normalised(normalised)
        scan = _TextScan(normalised.text, mentions, self.ledger)
        findings = []
        not_figures = []
        for mention in mentions:
            if mention.cls != FIGURE:
                not_figures.append(mention)
                continue
            outcome = self._trace(mention, scan)
            line, column = normalised.line_column(mention.start)
            findings.append(
                Finding(mention, outcome.status, line, column, outcome.provenance, outcome.expected, outcome.message)
            )
        from assistant.todos import todo_markers

        return VerificationReport(tuple(findings), tuple(not_figures), tuple(todo_markers(text)))

    # -- one figure ----------------------------------------------------------------------------

    def _trace(self, fig: Figure, scan: "_TextScan") -> _Outcome:
        ends = [fig.shown] if fig.shown_high is None else [fig.shown, fig.shown_high]
        worst: _Outcome | None = None
        for shown in ends:
            outcome = self._trace_value(fig, shown, scan)
            if worst is None or _SEVERITY[outcome.status] > _SEVERITY[worst.status]:
                worst = outcome
        if worst.status == UNSUPPORTED and self._glued(fig, scan.text):
            pieces = self._run_together(fig)
            if pieces:
                shown = "、".join(pieces)
                return _Outcome(SUPPORTED, message=f"表格单元格连在一起的数字，拆分后为{shown}，每个数都有来源。")
        return worst

    def _glued(self, fig: Figure, text: str) -> bool:
        """Whether a figure may be cells run together: a bare number ("100100", "其中：财政拨款505048"),
        or an amount or rate that touches another number ("100%22否", "%10", "1020万元20万元").
        A count ("151个") is prose, never split."""
        if self.lex.group_of(fig.unit) not in (BARE, MONEY, PERCENT):
            return False
        before = text[fig.scan_start - 1] if fig.scan_start else ""
        after = text[fig.scan_end] if fig.scan_end < len(text) else ""
        if (before and before in "0123456789%") or (after and after in "0123456789"):
            return True
        # A bare number (no unit at all) is a table cell's way of writing; prose names its unit.
        return not fig.unit

    def _run_together(self, fig: Figure) -> list[str] | None:
        """A flattened table row runs its cells together ("202010100.00%10": 20, 20, 10, 100.00%, 10;
        "1010": weight 10, score 10). Split a digit run into 2–6 numbers, each written canonically
        (no leading zero), each with a source — the last one keeps the unit and the decimals. The
        split with the fewest pieces wins; no split, no support."""
        text = fig.text
        m = _RUN_RE.fullmatch(text)
        if not m or fig.is_range or fig.qualifier or fig.scale != 1:
            return None
        digits, decimals, unit_text = m.group("int"), m.group("dec") or "", m.group("unit")
        if len(digits) < 2 or len(digits) > _RUN_MAX_DIGITS:
            return None
        group = self.lex.group_of(fig.unit)

        def known(piece: str, last: bool) -> bool:
            value = Decimal(piece + (decimals if last else ""))
            unit = fig.unit if last else ""
            places = len(decimals) - 1 if last and decimals else 0
            probe = Figure(0, 0, piece, value, unit=unit, shown=value, places=places)
            probe_group = group if last else BARE
            if self.ledger.candidates(probe, value):
                return True
            base = value * figure_scale(probe)
            return bool(self.notes.equal(probe_group, base, value, probe_group == BARE))

        best: list[str] | None = None
        # Cells hold two digits or more on average (20|20|10|100.00%); two single digits side by
        # side are a 分值 beside its full 得分 (22, 55) and must be equal. A 0 cell opens a run
        # (0|100%), never ends one: "100" is not 10|0.
        if len(digits) == 2 and digits[0] != digits[1]:
            return None
        max_pieces = min(_RUN_MAX_PIECES, max(2, (len(digits) + 1) // 2))

        def split(pos: int, acc: list[str]) -> None:
            nonlocal best
            if best is not None and len(acc) >= len(best):
                return
            if pos == len(digits):
                if len(acc) >= 2:
                    best = list(acc)
                return
            if len(acc) >= max_pieces:
                return
            for end in range(pos + 1, len(digits) + 1):
                piece = digits[pos:end]
                if len(piece) > 1 and piece[0] == "0":
                    break  # 0 stands alone; 05 is no cell value
                if piece == "0" and pos > 0:
                    break
                last = end == len(digits)
                if known(piece, last):
                    acc.append(piece + (decimals + unit_text if last else ""))
                    split(end, acc)
                    acc.pop()

        split(0, [])
        return best

    def _trace_value(self, fig: Figure, shown: Decimal, scan: "_TextScan") -> _Outcome:
        group = self.lex.group_of(fig.unit)
        base = abs(shown) * figure_scale(fig)
        direction, word, word_start = change_word_before(scan.text, fig.scan_start)
        candidates = self.ledger.candidates(fig, shown)

        # ledger attribution by labels in the clause
        ledger_state, ledger_facts, named, named_expected = None, [], None, None
        if candidates:
            # the change word itself (节约, 增长 are also aliases) states a direction, not an item
            comparable, lenient = scan.comparable_mentions(fig, group, word_start)
            keys = {c.fact.key for c in candidates}
            if not comparable:
                ledger_state, ledger_facts = "free", candidates
            else:
                pool = comparable if lenient else comparable[:1]  # after 分别: the paired item, or any
                hit = [c for c in candidates if any(c.fact.key in m.keys for m in pool)]
                if not direction:
                    # A change computed from an item carries the item's name (公务接待费决算较预算
                    # 增减); "公务接待费0.4万元" with no change word and no 较/比 states the item itself.
                    hit = [c for c in hit if not c.fact.signed_change or any(_names_comparison(m.name) for m in pool)]
                if not hit:
                    hit = self._qualified(candidates, pool[0], scan.sentence_before(fig))
                if not hit and group == BARE:
                    # A bare table cell after its row label may be any column of that row: the
                    # 得分 of “演出验收合格率” fits the row “演出验收合格率 15 100% 100% 15”.
                    hit = [c for c in candidates if len(pool[0].name) >= 3 and pool[0].name in c.fact.label]
                if not hit and direction:
                    hit = self._change_of(candidates, scan.mentions_before(fig, word_start))
                if hit:
                    ledger_state, ledger_facts = "attributed", hit
                else:
                    ledger_state, named = "misattributed", comparable[0]
                    named_expected = self._closest_fact(named, group, fig.value, exclude=keys)

        if ledger_state == "attributed":
            return self._ledger_outcome(fig, ledger_facts, (direction, word), shown, scan)

        # notes: equal figures and context attribution
        note_equal, note_other = self._note_match(fig, group, base, shown, scan)
        if ledger_state == "misattributed":
            if note_equal is not None and note_equal[1] >= NOTE_CONTEXT_MIN and note_other is None:
                return self._note_outcome(note_equal[0], direction)
            if note_equal is not None and group == BARE and note_equal[0].group == BARE:
                # A bare table cell after a row label may be any column (分值, 指标值, 得分); the
                # ledger holds only some of them, so the user's own bare figure ("分值10") is the
                # better reading. A note figure with a unit ("2件") says nothing about a bare cell.
                return self._note_outcome(note_equal[0], direction)
            belongs = _fact_source(self._best(candidates, shown, fig, scan))
            expected = _fact_source(named_expected) if named_expected else None
            said = f"“{named.name}”" + (f"（应为{expected.text}，即“{expected.label}”）" if expected else "")
            return _Outcome(
                MISATTRIBUTED,
                belongs,
                expected,
                f"该数是账目中“{belongs.label}”的{belongs.text}，但所在语句说的是{said}。",
            )
        # "exact": the text shows the fact at least as precisely as a report prints it (60.45% for
        # 60.4546…%, 1552900元 for 155.29万元); "155万元" for 155.29 only matches after rounding.
        exact = self._exact(ledger_facts, group, base, fig)
        labelled = scan.named_in_clause(fig, exact) if ledger_state == "free" and exact else []
        if labelled:
            # An exact ledger value whose label is in its clause (but not right before it) is the
            # ledger's: the notes' wording may confirm it, never override it.
            exact = labelled
            if note_equal is not None and note_equal[1] >= NOTE_CONTEXT_MIN:
                outcome = self._ledger_outcome(fig, exact, (direction, word), shown, scan)
                return outcome if outcome.status == CONTRADICTED else self._note_outcome(note_equal[0], direction)
            return self._ledger_outcome(fig, exact, (direction, word), shown, scan)
        if note_other is not None:
            other = note_other[0]
            hint = f"工作记录第{other.note_index + 1}条中同样说法处是{other.figure.text}（“…{other.excerpt}…”）"
            if note_equal is None and not candidates:
                return _Outcome(UNSUPPORTED, None, _note_source(other), f"账目和工作记录中都没有这个数；{hint}。")
            if note_equal is not None:
                owner = f"；记录中的{note_equal[0].figure.text}说的是“…{note_equal[0].excerpt}…”"
                belongs = _note_source(note_equal[0])
            else:
                belongs = self._best(candidates, shown, fig, scan).source
                owner = f"；账目中“{belongs.label}”是{belongs.text}"
            return _Outcome(MISATTRIBUTED, belongs, _note_source(other), f"{hint}{owner}。")
        if ledger_state == "free":
            if note_equal is not None and (note_equal[1] >= NOTE_CONTEXT_MIN or not exact):
                # No label in the clause: the user's own words fit better than a fact that merely has
                # the value, and always better than one that matches only after rounding ("近12万元").
                outcome = self._ledger_outcome(fig, ledger_facts, (direction, word), shown, scan)
                if outcome.status == CONTRADICTED:
                    return outcome  # the ledger is the authority on signs
                return self._note_outcome(note_equal[0], direction)
            if exact:
                return self._ledger_outcome(fig, exact, (direction, word), shown, scan)
            # Equal only after rounding, and no label in the clause says which fact it is: not traceable.
            near = self._best(ledger_facts, shown, fig, scan).source
            return _Outcome(
                UNSUPPORTED,
                None,
                near,
                f"只在四舍五入后与账目中“{near.label}”（{near.text}）相同，但所在语句没有点明是哪一项。",
            )
        if note_equal is not None:
            if note_equal[1] < NOTE_CONTEXT_MIN:
                # The value is somewhere in the notes, but this clause names a ledger item
                # ("编制人数60人" where the notes' 60人 are 优秀志愿者): the item decides.
                named = scan.specific_mention(fig, group, word_start)
                if named is not None and not scan.contexts.figures_between(named.end, fig.scan_start):
                    expected = self._closest_fact(named, group, fig.value, exclude=set())
                    elsewhere = _note_source(note_equal[0])
                    return _Outcome(
                        MISATTRIBUTED,
                        elsewhere,
                        _fact_source(expected) if expected else None,
                        f"所在语句说的是“{named.name}”"
                        + (f"（账目中为{expected.source.text}）" if expected else "")
                        + f"；工作记录中的{note_equal[0].figure.text}说的是“…{note_equal[0].excerpt}…”。",
                    )
            return self._note_outcome(note_equal[0], direction)
        return _Outcome(UNSUPPORTED, message=self._unsupported_message(fig, shown))

    # -- helpers -------------------------------------------------------------------------------

    @staticmethod
    def _exact(items: list[IndexedFact], group: str, base: Decimal, fig: Figure) -> list[IndexedFact]:
        """Candidates shown at least as precisely as a report prints them. A bare table cell
        ("1025.20" in a 万元 column) is compared with the fact's own value, not its value in 元."""
        if group == BARE:
            return [i for i in items if abs(i.fact.value) == base or quantize(abs(i.fact.value), 2) == base]
        return [i for i in items if i.display_base == base or i.base == base]

    @staticmethod
    def _qualified(candidates: list[IndexedFact], mention: LabelMention, sentence: str) -> list[IndexedFact]:
        """Candidates named by a part of the mention and qualified elsewhere in the sentence:
        "残疾儿童康复救助项目…预算执行率97.33%" — 执行率 (inside 预算执行率) and the project's name
        both name that project's rate."""
        found = []
        for item in candidates:
            names = [n for n in item.fact.names if n]
            inside = [n for n in names if n != mention.name and n in mention.name]
            if inside and any(n not in mention.name and n in sentence for n in names):
                found.append(item)
        return found

    def _change_of(self, candidates: list[IndexedFact], mentions: list[LabelMention]) -> list[IndexedFact]:
        """After a change word, a signed change computed from a named item fits: "决算总收入增加
        439.48万元" is the change of 决算收入 (its label or formula contains that item's label), and
        "较年初预算增加1358.24万元" is a change against 年初预算 (the formula contains what follows 较)."""
        found = []
        for item in candidates:
            if not item.fact.signed_change:
                continue
            for mention in mentions:
                labels = [self.ledger.facts[k].fact.label for k in mention.keys]
                base = mention.name[1:] if mention.name[:1] in _COMPARED_WITH and len(mention.name) > 2 else ""
                if base:
                    labels.append(base)
                if any(label in item.fact.label or label in item.fact.formula for label in labels):
                    found.append(item)
                    break
        return found

    def _best(self, items: list[IndexedFact], shown: Decimal, fig: Figure, scan: "_TextScan") -> IndexedFact:
        """The candidate closest to the figure as written (3.00 before 2.6 for "3万元"), then the one whose
        label shares most words with the sentence (决算数 vs 预算数 when both are 0), then ledger order."""
        target = abs(shown) * figure_scale(fig)
        exactness = {i.fact.key: (abs(i.base - target) if i.group != BARE else Decimal(0)) for i in items}
        closest = min(exactness.values())
        tied = [i for i in items if exactness[i.fact.key] == closest]
        if len(tied) == 1:
            return tied[0]
        clause_start = scan.contexts.clause_start(fig.scan_start)
        local = scan.text[max(clause_start, scan.contexts.previous_figure_end(fig)) : fig.scan_start]
        clause = scan.text[clause_start : fig.scan_start]
        sentence = scan.sentence_before(fig)
        return min(
            tied,
            key=lambda i: (
                -_label_overlap(i.fact.label, local),
                -_label_overlap(i.fact.label, clause),
                -_label_overlap(i.fact.label, sentence),
                i.order,
            ),
        )

    def _closest_fact(self, mention: LabelMention, group: str, value: Decimal | None, exclude: set[str]) -> IndexedFact | None:
        items = [
            self.ledger.facts[k]
            for k in mention.keys
            if k not in exclude and (group == BARE or self.ledger.facts[k].group == group)
        ]
        if not items:
            return None
        value = abs(value or Decimal(0))
        return min(items, key=lambda i: (abs(abs(i.fact.value) - value), i.order))

    def _ledger_outcome(
        self, fig: Figure, facts: list[IndexedFact], change: tuple[int, str], shown: Decimal, scan: "_TextScan"
    ) -> _Outcome:
        direction, word = change
        if direction:
            consistent = [i for i in facts if not i.fact.signed_change or i.fact.value == 0 or (i.fact.value > 0) == (direction > 0)]
            if not consistent:
                item = self._best(facts, shown, fig, scan)
                source = _fact_source(item)
                return _Outcome(
                    CONTRADICTED,
                    source,
                    source,
                    f"账目中“{item.fact.label}”为{_signed_words(item.fact.value)}{item.source.text}，文中却写“{word}”。",
                )
            facts = consistent
        item = self._best(facts, shown, fig, scan)
        return _Outcome(SUPPORTED, _fact_source(item), message=f"来自账目“{item.fact.label}”（{item.source.text}）。")

    def _note_outcome(self, note: NoteFigure, direction: int) -> _Outcome:
        source = _note_source(note)
        if direction and note.direction and direction != note.direction:
            return _Outcome(
                CONTRADICTED,
                source,
                source,
                f"工作记录第{note.note_index + 1}条写的是“…{note.excerpt}…”，增减方向与文中相反。",
            )
        return _Outcome(SUPPORTED, source, message=f"来自工作记录第{note.note_index + 1}条：“…{note.excerpt}…”。")

    def _note_match(self, fig: Figure, group: str, base: Decimal, shown: Decimal, scan: "_TextScan"):
        """(best equal note figure, sim) and (the better-fitting other note figure, sim) or None."""
        if not self.notes.figures:
            return None, None
        bare = group == BARE
        equal = self.notes.equal(group, base, shown, bare)
        sims = self.notes.similar(group, scan.bigrams(fig))
        note_equal = None
        if equal:
            best = max(equal, key=lambda i: (sims.get(i, 0.0), -i))
            note_equal = (self.notes.figures[best], sims.get(best, 0.0))
        equal_set = set(equal)
        other_best, other_sim = None, 0.0
        for position, sim in sims.items():
            if position in equal_set or sim <= other_sim:
                continue
            candidate = self.notes.figures[position]
            same = abs(candidate.figure.shown or 0) == abs(shown) if bare else candidate.base == base
            if same:
                continue
            other_best, other_sim = candidate, sim
        equal_sim = note_equal[1] if note_equal else 0.0
        if other_best is not None and other_sim >= NOTE_CONTEXT_MIN and other_sim > equal_sim + NOTE_CONTEXT_MARGIN:
            return note_equal, (other_best, other_sim)
        return note_equal, None

    def _unsupported_message(self, fig: Figure, shown: Decimal) -> str:
        """Name a likely slip when the number exists in another money unit (万元 written as 元)."""
        if fig.unit in AMOUNT_UNITS:
            for unit in AMOUNT_UNITS:
                if unit == fig.unit:
                    continue
                probe = Figure(0, 0, "", shown, unit=unit, shown=shown, places=fig.places, scale=fig.scale)
                found = self.ledger.candidates(probe, shown)
                if found:
                    fact = found[0].fact
                    return f"账目和工作记录中都没有这个数；账目中“{fact.label}”为{fact.text}，单位是否写错？"
        return "账目和工作记录中都没有这个数。"


_COMPARISON_WORDS = ("较", "比", "增减", "增长", "减少", "节约", "超支", "差", "变动", "变化")


def _names_comparison(name: str) -> bool:
    return any(word in name for word in _COMPARISON_WORDS)


def _label_overlap(label: str, sentence: str) -> float:
    """Share of the label's character pairs that occur in the sentence."""
    pairs = {label[i : i + 2] for i in range(len(label) - 1)}
    if not pairs:
        return 0.0
    return sum(1 for pair in pairs if pair in sentence) / len(pairs)


SENTENCE_LOOKBACK = 120
SPECIFIC_LABEL_CHARS = 3
_COMPARED_WITH = "较比"  # 较年初预算, 比上年: "compared with"
# What may stand between a label and its figure for the two are adjacent ("货物2.41万元", "服务为9.18万元").
_ADJACENT_RE = re.compile(r"^[\s:：]*(?:为|是|达到?|共计?|计|合计|了)?[\s:：]*$")


class _TextScan:
    """Per-text state: label mentions, clause windows, figure contexts (bigrams computed on demand)."""

    def __init__(self, text: str, mentions: list[Figure], ledger: LedgerIndex):
        self.text = text
        self._group_of = ledger.lex.group_of
        self.qualifiers = ledger.qualifiers
        labels = ledger.mentions(text)
        self.contexts = Contexts(text, mentions)
        self.labels = labels
        self._label_ends = [m.end for m in labels]
        self._grams: dict[int, frozenset[str]] = {}

    def bigrams(self, fig: Figure) -> frozenset[str]:
        grams = self._grams.get(fig.scan_start)
        if grams is None:
            grams = self.contexts.bigrams(fig)
            self._grams[fig.scan_start] = grams
        return grams

    def group_of(self, fig: Figure) -> str:
        return self._group_of(fig.unit)

    def sentence_before(self, fig: Figure) -> str:
        """Text of the sentence up to the figure (back to 。！？ or a line break), for tie-breaks."""
        start = max(0, fig.scan_start - SENTENCE_LOOKBACK)
        chunk = self.text[start : fig.scan_start]
        cut = max(chunk.rfind(c) for c in "。！？!?\n")
        return chunk[cut + 1 :]

    def comparable_mentions(self, fig: Figure, group: str, before: int) -> tuple[list[LabelMention], bool]:
        """Label mentions ending by `before` in the figure's clause that name a fact of its unit class,
        nearest first; and whether 分别/依次 made the choice lenient."""
        window_start = self.contexts.clause_start(fig.scan_start)
        i = bisect.bisect_right(self._label_ends, before) - 1
        found = []
        while i >= 0 and self.labels[i].start >= window_start:
            mention = self.labels[i]
            if group == BARE or group in mention.groups or (group not in (MONEY, PERCENT) and BARE in mention.groups):
                found.append(mention)
            i -= 1
        window = self.text[window_start : fig.scan_start]
        for word in LENIENT_WORDS:
            at = window.rfind(word)
            if at >= 0:
                return self._respectively(fig, group, found, window_start + at), True
        return [m for m in found if not self._used_elsewhere(m, fig, group)], False

    def named_in_clause(self, fig: Figure, items: list[IndexedFact]) -> list[IndexedFact]:
        """The facts among `items` whose names share a word with the figure's clause."""
        start = self.contexts.clause_start(fig.scan_start)
        clause = self.text[start : self.contexts.clause_end(fig.scan_end)]
        # A name in the clause, or a word of the label ("预算1922.76万元" for 年初预算收入, "年初批复
        # 预算8个项目985万元" for 年初预算项目支出): the clause speaks of that item.
        return [i for i in items if any(n and len(n) >= 2 and _label_overlap(n, clause) > 0 for n in i.fact.names)]

    def mentions_before(self, fig: Figure, before: int) -> list[LabelMention]:
        """Every label mention in the figure's clause ending by `before`, nearest first."""
        window_start = self.contexts.clause_start(fig.scan_start)
        i = bisect.bisect_right(self._label_ends, before) - 1
        found = []
        while i >= 0 and self.labels[i].start >= window_start:
            found.append(self.labels[i])
            i -= 1
        return found

    def _used_elsewhere(self, mention: LabelMention, fig: Figure, group: str) -> bool:
        """Whether a label in the clause does not name `fig` after all:

        * it is already followed by its own figure of this unit class ("预算执行率97.33%，…，完成率105.38%");
        * it is the base of "X的Y%" ("完成年度指标值260人的105.38%");
        * it is a two-character everyday word (完成, 服务, 目标) not standing right before the figure;
        * it is a heading shared by several items and the sentence does not say which ("全年预算数"
          with no project name).
        """
        between = self.contexts.figures_between(mention.end, fig.scan_start)
        if any(self.group_of(f) == group for f in between):
            return True
        rest = self.text[mention.end : fig.scan_start]
        for other in reversed(between):
            rest = rest[: other.scan_start - mention.end] + rest[other.scan_end - mention.end :]
        if rest.strip() == "的":
            return True
        if len(mention.name) < SPECIFIC_LABEL_CHARS and not _ADJACENT_RE.match(rest):
            return True
        qualifiers = self.qualifiers.get((mention.name, group))
        if qualifiers is not None:
            sentence = self.sentence_before(fig)
            return not any(q in sentence for q in qualifiers)
        return False

    def specific_mention(self, fig: Figure, group: str, before: int) -> LabelMention | None:
        """The nearest comparable label in the clause when it is specific (3+ characters: 编制人数,
        较预算), not a two-character word that also means other things (服务, 完成, 目标)."""
        found, _ = self.comparable_mentions(fig, group, before)
        if found and len(found[0].name) >= SPECIFIC_LABEL_CHARS:
            return found[0]
        return None

    def _respectively(self, fig: Figure, group: str, found: list[LabelMention], pivot: int) -> list[LabelMention]:
        """A和B分别为X和Y: pair the k-th figure after 分别 with the k-th item named before it.

        Returns [that mention] when the counts agree, else every mention (any may fit).
        """
        named: list[LabelMention] = []
        for mention in reversed(found):  # text order
            if mention.end <= pivot and not any(mention.keys == seen.keys for seen in named):
                named.append(mention)
        clause_end = self.contexts.clause_end(pivot)
        after = [
            f
            for f in self.contexts.figures
            if pivot <= f.scan_start < clause_end and self.group_of(f) == group
        ]
        if len(named) == len(after) and fig in after:
            return [named[after.index(fig)]]
        return found


_CACHE: dict[tuple, Verifier] = {}
_CACHE_SIZE = 8


def _fingerprint(ledger: Ledger, notes: Sequence[str]) -> tuple:
    facts = tuple((f.key, f.value, f.unit, f.names, f.signed_change) for f in ledger)
    return facts, tuple(notes)


def verifier_for(ledger: Ledger, notes: Sequence[str] = ()) -> Verifier:
    """A cached `Verifier` for this ledger and notes (same content → same indexes)."""
    notes = tuple(notes)  # a generator would be used up by the fingerprint
    key = _fingerprint(ledger, notes)
    verifier = _CACHE.get(key)
    if verifier is None:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        verifier = _CACHE[key] = Verifier(ledger, notes)
    return verifier


def verify(text: str, ledger: Ledger, notes: Sequence[str] = ()) -> VerificationReport:
    """Find every figure in `text` and trace it to `ledger` or to the user's `notes`."""
    return verifier_for(ledger, notes).verify(text)
