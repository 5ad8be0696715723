"""The truth gate for text a model wrote: deny by default, provenance by construction.

    from assistant.drafting.gate import gate_model_text
    result = gate_model_text(slot_text, ledger, notes=note_slots, section=section, figures=figures)
    result.accepted, result.text, result.findings, result.provenance, result.feedback()

The model writes no figure at all. Every figure it may use — a ledger fact or a figure of the user's
notes — reaches the text through a slot (`assistant.drafting.slots`) that Python fills, and filling
records the offsets and the source of everything it wrote. Then:

1. **Provenance.** Every figure token in the filled text (`assistant.verify.figure_tokens`: digits of
   any script, Chinese numerals, percent/proportion/rank words, placeholders such as ×, leftover or
   unknown slots in any bracket style, dates) must lie inside text a slot wrote — whatever its value.
   The only figures a model may type are dates: the report's year, its report date (and that date's
   year, the year the report is written), the report year's end (12月31日), or a date of the notes
   used in that note's context.
2. **Slots the section may use.** A ledger slot's key must start with one of the section's fact
   prefixes (outline `facts:`); a note slot must belong to a note the section draws on (`notes:`).
3. **Attribution.** A ledger slot must agree with the fact label nearest before it in its sentence
   (full labels and aliases; a comparison base or denominator — 占决算支出的, 较上年 — is not the
   subject; an ambiguous alias is narrowed by the labels before it), with that label's unit class (no
   amount after 率/占比, no rate after a bare amount word), and with the direction words beside it
   (增加/减少 must match the fact's sign). A comparison with last year (较上年, 同比) needs a last-year
   fact, and a figure after one must be such a fact. A note slot must stand among its own note's
   words: the words just before it must come from the note's sentence (the activity, the place), and
   the noun right after it must be the one the note counts (153个村社区 is not 153个乡镇).

Anything else is a finding; a text with any finding is rejected. The pipeline regenerates once with
`feedback()` and then falls back to the template text with `reason()` shown to the user.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from assistant.drafting.slots import LEDGER, NOTE, NOTE_KEY_RE, SLOT_RE, NoteSlots, Provenance, build_note_slots, fill_slots
from assistant.ledger.facts import Fact, Ledger
from assistant.ledger.numbers import AMOUNT_UNITS, PERCENT
from assistant.verify.figure_tokens import DATE, KIND_NAMES, SLOT_LIKE, FigureToken, find_figure_tokens

# Finding kinds
UNSLOTTED = "unslotted_figure"
UNKNOWN_SLOT = "unknown_slot"
FOREIGN_SLOT = "foreign_slot"
OPEN_SLOT = "open_slot"
MISATTRIBUTED = "misattributed"
NO_LABEL = "no_label"
UNIT_CLASS = "unit_class"
SIGN = "sign"
COMPARISON = "comparison"
NOTE_CONTEXT = "note_context"
WRONG_DATE = "date"
EMPTY = "empty"

FINDING_NAMES = {
    UNSLOTTED: "未经占位符的数字",
    UNKNOWN_SLOT: "未知占位符",
    FOREIGN_SLOT: "本节不能使用的占位符",
    OPEN_SLOT: "未闭合的占位符",
    MISATTRIBUTED: "张冠李戴",
    NO_LABEL: "数字前没有说明项目",
    UNIT_CLASS: "单位类别不符",
    SIGN: "增减方向不符",
    COMPARISON: "比较基数不存在",
    NOTE_CONTEXT: "材料数字挪作他用",
    WRONG_DATE: "日期无来源",
    EMPTY: "没有正文",
}

_SENTENCE_END = "。；;！!？?\n"
_CLAUSE_END = _SENTENCE_END + "，,：:、"
_BASE_BEFORE = "占比较与同"  # a label right after one of these is a denominator or comparison base
_RATE_CUE = re.compile(r"率|占|比重|比例|百分比|增幅|降幅|幅度|增长|下降|提高|降低|变动|持平")
_AMOUNT_RATE_CUE = re.compile(r"率|占比|比重|比例|百分比|增幅|降幅|幅度")
_UP = ("增加", "增长", "提高", "上升", "上涨", "超支", "超出", "多支", "扩大")
_DOWN = ("减少", "下降", "降低", "节约", "节省", "压减", "缩减", "压缩", "少支", "回落")
_FLAT = ("持平",)
_DIRECTION_RE = re.compile("|".join(_UP + _DOWN + _FLAT))
_DIRECTION_WORDS = frozenset(_UP + _DOWN + _FLAT)
# What a change fact's label adds to the thing that changes: 结转结余变动率 → 结转结余.
_COMPARISON_BASE = re.compile(r"较上年|比上年|同比|与上年相比|上年同期|较去年|较年初预算|比年初预算|较预算|比预算|较全年预算|较上年预算")
# Comparisons no ledger fact makes (环比, 较上半年 …): always rejected.
_NO_BASE_CUE = re.compile(r"环比|较上半年|较上季度|比上季度|较前年|比前年|较历史同期")
_CHANGE_FORMULA = re.compile(r"^（?(.+?) − (.+?)）?(?: ÷ .*)?$")
_CHANGE_SUFFIX = re.compile(r"(?:决算)?(?:较年初预算|较预算|较上年|同比)?(?:增减率|增减|变动率|变动)$")
_LAST_YEAR_CUE = re.compile(r"较上年|比上年|同比|上年同期|与上年相比|较去年|比去年|去年同期|上一年度|较上一年")
_COMPARE_CUE = re.compile(r"较|比|同比|相比")
# Characters that carry no meaning of their own right before a figure (共计、累计达到了 …).
_FILLER = set("共计累达到了为已约近超过逾合总有的是等及和与其中至今年全部分别再另还又新增")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Word pairs too common in these reports to show that two sentences speak of the same thing.
_COMMON_BIGRAMS = frozenset("开展 工作 活动 进行 我县 全县 县妇 妇联 组织 积极 推进 加强 我单 单位 以上 全年 今年 共计 累计".split())


@dataclass(frozen=True)
class GateFinding:
    kind: str
    start: int  # offsets in the filled text (-1 when the finding is about the text as a whole)
    end: int
    text: str
    message: str
    key: str = ""

    @property
    def kind_zh(self) -> str:
        return FINDING_NAMES.get(self.kind, self.kind)

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "status": "rejected",
            "status_zh": self.kind_zh,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "message": self.message,
            "key": self.key,
            "gate": True,
        }

    def feedback_line(self) -> str:
        return f"- “{self.text}”（{self.kind_zh}）：{self.message}"


@dataclass
class GateResult:
    text: str  # the filled text (what would be shown)
    accepted: bool
    findings: list[GateFinding] = field(default_factory=list)
    provenance: list[Provenance] = field(default_factory=list)
    slot_text: str = ""  # the model's text as given, with its slots

    def feedback(self) -> str:
        """What the model must fix, one line per finding (empty when accepted)."""
        return "\n".join(f.feedback_line() for f in self.findings)

    def reason(self) -> str:
        """One short Chinese sentence saying why the text was rejected ('' when accepted)."""
        if self.accepted:
            return ""
        kinds = list(dict.fromkeys(f.kind_zh for f in self.findings))
        return f"数字核验未通过：{'、'.join(kinds)}（共{len(self.findings)}处）" if kinds else "数字核验未通过"

    def to_dict(self) -> dict:
        return {
            "accepted": self.accepted,
            "findings": [f.to_dict() for f in self.findings],
            "provenance": [p.to_dict() for p in self.provenance],
        }


# --- what the gate knows about the report ---------------------------------------------------------


@dataclass(frozen=True)
class GateScope:
    """What a section may use: fact prefixes (None: any), note indices (None: any), allowed dates."""

    fact_prefixes: tuple[str, ...] | None = None
    note_indices: frozenset[int] | None = None
    year: int | None = None
    report_date: date | None = None


def scope_for(section: Any = None, figures: Any = None, notes: NoteSlots | None = None) -> GateScope:
    prefixes = tuple(section.facts) if section is not None and getattr(section, "mode", "") != "container" else None
    indices = None
    if section is not None and figures is not None and notes is not None:
        from assistant.drafting.note_sources import section_note_indices

        indices = frozenset(section_note_indices(section, figures, notes))
    meta = getattr(figures, "meta", None)
    return GateScope(
        fact_prefixes=prefixes,
        note_indices=indices,
        year=getattr(meta, "year", None),
        report_date=getattr(meta, "report_date", None),
    )


# --- labels ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    name: str
    keys: frozenset[str]


class _Labels:
    """Every fact name (label and aliases) of the ledger, findable in text."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger
        by_name: dict[str, set[str]] = {}
        for fact in ledger:
            for name in fact.names:
                if name and len(name) >= 2:
                    by_name.setdefault(name, set()).add(fact.key)
        self.by_name = {k: frozenset(v) for k, v in by_name.items()}
        names = sorted(self.by_name, key=len, reverse=True)
        self.pattern = re.compile("|".join(re.escape(n) for n in names)) if names else None

    def mentions(self, text: str, start: int, end: int) -> list[_Mention]:
        """Label mentions in text[start:end]: the longest name at each position; a name inside a
        longer one that overlaps it is dropped (较上年 inside 较上年结转结余 → 上年结转结余 wins)."""
        if self.pattern is None:
            return []
        found = []
        for i in range(start, end):
            m = self.pattern.match(text, i, end)
            if m is not None and m.group() not in _DIRECTION_WORDS:
                found.append(_Mention(m.start(), m.end(), m.group(), self.by_name[m.group()]))
        kept = []
        for m in found:
            if any(o is not m and o.start < m.end and m.start < o.end and (o.end - o.start) > (m.end - m.start) for o in found):
                continue
            kept.append(m)
        return kept


def _mask(text: str, spans: Sequence[Provenance]) -> str:
    """Text with every slot-written piece blanked (same length): renderings are not label words."""
    chars = list(text)
    for p in spans:
        for i in range(p.start, p.end):
            chars[i] = "\u3000" if p.word is None else chars[i]
    return "".join(chars)


def _unit_class(fact: Fact) -> str:
    if fact.unit in AMOUNT_UNITS:
        return "amount"
    if fact.unit == PERCENT:
        return "rate"
    return "count"


def _is_last_year_fact(fact: Fact) -> bool:
    return "last_year" in fact.key or "yoy" in fact.key or "上年" in fact.label or "同比" in fact.label


def _sign(value: Decimal) -> int:
    return (value > 0) - (value < 0)


def _boundary_before(text: str, pos: int, chars: str) -> int:
    i = pos - 1
    while i >= 0 and text[i] not in chars:
        i -= 1
    return i + 1


def _boundary_after(text: str, pos: int, chars: str) -> int:
    i = pos
    while i < len(text) and text[i] not in chars:
        i += 1
    return i


# --- the gate ---------------------------------------------------------------------------------------


class _Gate:
    def __init__(self, slot_text: str, ledger: Ledger, notes: NoteSlots, scope: GateScope):
        self.slot_text = slot_text
        self.ledger = ledger
        self.notes = notes
        self.scope = scope
        self.findings: list[GateFinding] = []

    def add(self, kind: str, start: int, end: int, text: str, message: str, key: str = "") -> None:
        self.findings.append(GateFinding(kind, start, end, text, message, key))

    def run(self) -> GateResult:
        self._slots_before_filling()
        filled = fill_slots(self.slot_text, self.ledger, self.notes)
        self.text = filled.text
        self.provenance = filled.provenance
        self.masked = _mask(self.text, self.provenance)
        if not _CJK.search(self.masked):
            self.add(EMPTY, -1, -1, self.text[:20], "没有可用的中文正文。")
        self._provenance()
        self._units_after_slots()
        self._ledger_attribution()
        self._note_attribution()
        self._comparisons()
        return GateResult(self.text, not self.findings, self.findings, self.provenance, self.slot_text)

    # 0. slots as the model wrote them ----------------------------------------------------------------

    def _slots_before_filling(self) -> None:
        scope = self.scope
        for m in SLOT_RE.finditer(self.slot_text):
            key, word = m.group(1), m.group(2)
            if NOTE_KEY_RE.fullmatch(key):
                figure = self.notes.get(key)
                if figure is None or word:
                    self.add(UNKNOWN_SLOT, -1, -1, m.group(0), f"未知的材料占位符{m.group(0)}：只能使用提示中列出的【note.…】。", key)
                elif scope.note_indices is not None and figure.note not in scope.note_indices:
                    self.add(FOREIGN_SLOT, -1, -1, m.group(0), f"{m.group(0)}（{figure.text}）不属于本节使用的材料。", key)
                continue
            fact = self.ledger.get(key)
            if fact is None:
                self.add(UNKNOWN_SLOT, -1, -1, m.group(0), f"未知的数字占位符{m.group(0)}：只能使用清单中给出的占位符。", key)
            elif word and not fact.signed_change:
                self.add(SIGN, -1, -1, m.group(0), f"“{fact.label}”不是增减数，不能写成增减方向（{m.group(0)}）。", key)
            elif scope.fact_prefixes is not None and not key.startswith(scope.fact_prefixes):
                self.add(FOREIGN_SLOT, -1, -1, m.group(0), f"“{fact.label}”不属于本节可用的数据，本节不能写。", key)

    # 1. provenance ---------------------------------------------------------------------------------------

    def _covered(self, start: int, end: int) -> bool:
        covered = 0
        for p in self.provenance:
            lo, hi = max(start, p.start), min(end, p.end)
            if lo < hi:
                covered += hi - lo
        return covered >= end - start

    def _shown(self, token: FigureToken) -> tuple[int, int]:
        """The span to show for a rejected token: widened to the number verifier's mention (its unit)."""
        start, end = token.start, token.end
        for mention in self._mentions:
            if mention.start < end and start < mention.end and not self._covered(mention.start, mention.end):
                start, end = min(start, mention.start), max(end, mention.end)
        return start, end

    def _provenance(self) -> None:
        from assistant.verify.extraction import extract_mentions

        self._mentions = extract_mentions(self.text)
        for token in find_figure_tokens(self.text):
            if self._covered(token.start, token.end):
                continue
            if token.kind == DATE:
                self._typed_date(token)
                continue
            if token.kind == SLOT_LIKE and SLOT_RE.fullmatch(token.text):
                continue  # an unknown or foreign slot, reported as such before filling
            if token.kind == SLOT_LIKE and token.text.startswith("【") and "】" not in token.text:
                self.add(OPEN_SLOT, token.start, token.end, self._around(token), "占位符没有闭合（缺“】”），正文不完整。")
                continue
            if token.kind == SLOT_LIKE:
                self.add(UNKNOWN_SLOT, token.start, token.end, token.text, "不是清单中的占位符：只能使用清单中给出的【键名】或材料中的【note.…】，不要自拟或改写占位符。")
                continue
            what = KIND_NAMES.get(token.kind, token.kind)
            start, end = self._shown(token)
            self.add(
                UNSLOTTED,
                start,
                end,
                self.text[start:end],
                f"这是{what}，但不是占位符写入的：数字一律只能用清单中的占位符（【键名】或【note.…】），不得自行书写。",
            )

    def _units_after_slots(self) -> None:
        """A slot prints its figure with its unit; a unit typed after it changes what it says
        (【…万元】元, 【…人】次)."""
        from assistant.verify.lexicon import MONEY_UNITS, lexicon

        lex = lexicon()
        for p in self.provenance:
            if p.word is not None:
                continue
            rest = self.text[p.end : p.end + 4]
            unit = next((u for u in MONEY_UNITS if rest.startswith(u)), None)
            if unit is None and rest[:1] in "%％‰":
                unit = rest[:1]
            if unit is None:
                m = lex.unit_re.match(rest)
                if m is not None:
                    after = rest[m.end() : m.end() + 1]
                    unit = None if after and after in lex.not_a_unit_before.get(m.group(), ()) else m.group()
            if unit:
                self.add(UNIT_CLASS, p.start, p.end + len(unit), self.text[p.start : p.end + len(unit)], f"占位符已带单位（{p.text}），其后又写了“{unit}”：单位不能改写或重复。", p.key)

    def _around(self, token: FigureToken) -> str:
        return self.text[token.start : min(len(self.text), token.end + 12)]

    def _typed_date(self, token: FigureToken) -> None:
        scope = self.scope
        only_year = token.year is not None and token.month is None and token.day is None
        rd = scope.report_date
        if only_year and token.year == scope.year:
            return
        if token.year == scope.year and (token.month, token.day) == (12, 31):
            return  # 截至{year}年12月31日: the end of the report year
        if rd is not None and (token.year, token.month, token.day) == (rd.year, rd.month, rd.day):
            return
        if rd is not None and only_year and token.year == rd.year:
            return
        # A date of the notes may be written as the notes write it, in that note's context.
        for figure in self.notes.figures.values():
            if scope.note_indices is not None and figure.note not in scope.note_indices:
                continue
            if _norm_date(figure.text) == token.norm and self._note_context_ok(figure, token.start, token.end) is None:
                return
        self.add(
            WRONG_DATE,
            token.start,
            token.end,
            token.text,
            f"日期也是需要来源的说法：正文只能写报告年度（{scope.year}年）、报告日期或材料中的日期（用对应的【note.…】）。"
            if scope.year
            else "日期也是需要来源的说法：只能写材料中的日期（用对应的【note.…】）。",
        )

    # 3. attribution of ledger slots -------------------------------------------------------------------------

    def _ledger_attribution(self) -> None:
        labels = _Labels(self.ledger)
        for p in self.provenance:
            if p.source != LEDGER or p.word is not None:
                continue
            fact = self.ledger[p.key]
            self._label_agrees(p, fact, labels)
            self._sign_agrees(p, fact)

    def _label_agrees(self, p: Provenance, fact: Fact, labels: _Labels) -> None:
        text = self.masked
        sentence = _boundary_before(text, p.start, _SENTENCE_END)
        clause = _boundary_before(text, p.start, _CLAUSE_END)
        every = labels.mentions(text, sentence, p.start)
        if not every and sentence > 0 and text[sentence - 1] != "\n":
            # "。增长【…】" continues the sentence before it (a long sentence split in two).
            sentence = _boundary_before(text, sentence - 1, _SENTENCE_END)
            every = labels.mentions(text, sentence, p.start)
        every = [self._in_section(m) for m in every]
        every = [m for m in every if m is not None]
        adjacent = [
            m
            for m in every
            if m.start >= clause and not text[m.end : p.start].strip("\u3000 为是的达") and not (m.start and text[m.start - 1] == "占")
        ]
        if adjacent:
            # 较上年结转结余【…】: a figure right after a label is that label's, base or not.
            mentions = [m for m in every if m.end <= adjacent[-1].end]
            in_clause = [adjacent[-1]]
        else:
            mentions = [m for m in every if not self._is_base(m)]
            in_clause = [m for m in mentions if m.start >= clause]
        if not in_clause:
            partial = self._partial_label(text, clause, p.start)
            if partial is not None:
                in_clause = [partial]
                mentions = [m for m in mentions if m.end <= partial.start] + [partial]
        pool = in_clause or mentions
        if not pool:
            self.add(NO_LABEL, p.start, p.end, p.text, f"{p.text}前没有写明它是哪一项：请在占位符前写出“{fact.label}”。", p.key)
            return
        nearest = max(pool, key=lambda m: (m.end, m.end - m.start))
        candidates = set(nearest.keys)
        window = text[nearest.start : p.start]
        if "占" in text[nearest.end : p.start]:
            # 决算基本支出占决算支出的【…】: the subject's share, whatever the denominator is called.
            candidates = {f.key for f in self.ledger if _unit_class(f) == "rate" and (nearest.name in f.label or nearest.name in f.aliases)}
            nearest = _Mention(nearest.start, nearest.end, nearest.name, frozenset(candidates))
        if fact.key not in candidates and self._change_attributed(fact, mentions, text[clause : p.start], text[sentence : p.start]):
            self._unit_class_agrees(p, fact, nearest, window)
            return
        if fact.key not in candidates:
            others = "、".join(dict.fromkeys(self.ledger[k].label for k in sorted(candidates)))
            self.add(
                MISATTRIBUTED,
                p.start,
                p.end,
                f"{nearest.name}…{p.text}",
                f"“{nearest.name}”后面应是{others}，这里填的却是“{fact.label}”（张冠李戴）。",
                p.key,
            )
            return
        # An ambiguous alias (基本支出, 较年初预算, 同比) is narrowed by the labels before it.
        for earlier in sorted((m for m in mentions if m.end <= nearest.start), key=lambda m: -m.end):
            narrowed = {k for k in candidates if self._qualifies(k, nearest.name, earlier.name)}
            if narrowed and len(candidates) > 1:
                if fact.key not in narrowed:
                    meant = "、".join(self.ledger[k].label for k in sorted(narrowed))
                    self.add(
                        MISATTRIBUTED,
                        p.start,
                        p.end,
                        f"{earlier.name}…{nearest.name}…{p.text}",
                        f"按上下文这里说的是{meant}，填的却是“{fact.label}”（张冠李戴）。",
                        p.key,
                    )
                    return
                candidates = narrowed
        self._unit_class_agrees(p, fact, nearest, window)

    def _in_section(self, m: _Mention) -> _Mention | None:
        """A mention as it can be meant in this section. A comparison name (较年初预算, 同比) also names
        every change whose label contains it. A name only of facts the section cannot use (全年预算数 of
        a project, in 决算情况) is read by the longest part (≥3 characters) that labels of the
        section's facts contain; None when there is none."""
        keys = set(m.keys)
        if m.name[0] in "较比同":
            keys |= {f.key for f in self.ledger if f.signed_change and m.name in f.label}
        prefixes = self.scope.fact_prefixes
        if prefixes is None or any(k.startswith(prefixes) for k in keys):
            return _Mention(m.start, m.end, m.name, frozenset(keys))
        allowed = [f for f in self.ledger if f.key.startswith(prefixes)]
        for length in range(len(m.name) - 1, 2, -1):
            for i in range(0, len(m.name) - length + 1):
                part = m.name[i : i + length]
                found = frozenset(f.key for f in allowed if part in f.label)
                if found:
                    return _Mention(m.start, m.end, m.name, found)
        return m  # names another section's facts: a slot after it is misattributed

    def _change_attributed(self, fact: Fact, mentions: list[_Mention], clause_text: str, sentence_text: str) -> bool:
        """A change read from what its formula compares (全年预算支出 − 年初预算支出): accepted when
        the sentence names the thing that changes and any comparison in the clause names its base.
        "全年预算数【…】，较年初预算增加【预算调整数】" passes; "决算支出较年初预算增加【预算调整数】"
        does not (预算调整数 is not a change of 决算支出)."""
        if not fact.signed_change:
            return False
        parts = _change_parts(fact)
        if parts is None:
            return False
        subject, base = parts
        stem = _CHANGE_SUFFIX.sub("", fact.label)
        named = any(subject == self.ledger[k].label or subject in self.ledger[k].names for m in mentions for k in m.keys)
        if not (named or subject in sentence_text or (len(stem) >= 2 and stem != fact.label and stem in sentence_text)):
            return False
        compared = _COMPARISON_BASE.findall(sentence_text)
        if not compared:
            return bool(_DIRECTION_RE.search(clause_text))
        said = compared[-1]
        if "上年" in said or said in ("同比",) or "去年" in said:
            return "上年" in base
        return said.lstrip("较比") in base

    def _unit_class_agrees(self, p: Provenance, fact: Fact, nearest: _Mention, window: str) -> None:
        cls = _unit_class(fact)
        after_label = window[len(nearest.name) :] if window.startswith(nearest.name) else window
        shown = f"{window.strip()}{p.text}"
        if cls == "amount" and (_AMOUNT_RATE_CUE.search(after_label) or (_AMOUNT_RATE_CUE.search(nearest.name) and not _AMOUNT_RATE_CUE.search(fact.label))):
            self.add(UNIT_CLASS, p.start, p.end, shown, f"“{window.strip()}”说的是比率，填的却是金额“{fact.label}”。", p.key)
        elif cls == "amount" and "占" in after_label:
            self.add(UNIT_CLASS, p.start, p.end, shown, f"“占……”之后应是占比，填的却是金额“{fact.label}”。", p.key)
        elif cls == "rate" and not _RATE_CUE.search(window):
            if any(_unit_class(self.ledger[k]) != "rate" for k in nearest.keys):
                self.add(UNIT_CLASS, p.start, p.end, shown, f"“{nearest.name}”之后直接写比率：请写明“占比”或“……率”，以免把比率当作金额。", p.key)
        elif cls == "count" and _AMOUNT_RATE_CUE.search(after_label) and not _AMOUNT_RATE_CUE.search(fact.label):
            self.add(UNIT_CLASS, p.start, p.end, shown, f"“{window.strip()}”说的是比率，填的却是数量“{fact.label}”。", p.key)

    def _partial_label(self, text: str, clause: int, end: int) -> _Mention | None:
        """A clause that names its figure by part of a label (决算数, 预算数): the longest tail of the
        clause that some fact label contains, standing for every fact whose label contains it."""
        words = text[clause:end]
        cut = max(words.rfind(c) for c in _BASE_BEFORE)
        if cut >= 0:
            return None  # 占总支出的【…】: what follows 占/比/较 is a denominator or a base, not a name
        stripped = words.rstrip("\u3000 ")
        while stripped and stripped[-1] in _FILLER:
            stripped = stripped[:-1]
        for length in range(min(len(stripped), 12), 1, -1):
            tail = stripped[-length:]
            if not all(_CJK.match(c) or c in "“”" for c in tail):
                continue
            keys = frozenset(f.key for f in self.ledger if tail in f.label)
            if keys:
                start = clause + len(stripped) - length
                if start > 0 and text[start - 1] in _BASE_BEFORE:
                    return None  # 占决算支出的: a denominator, not the figure's name
                return _Mention(start, start + length, tail, keys)
        return None

    def _is_base(self, m: _Mention) -> bool:
        """A label right after 占/比/较/与 is a denominator or comparison base, not the subject —
        unless the label itself starts with the comparison word (较年初预算 is a change's name)."""
        if m.name[0] in "较比同占与":
            return False
        return m.start > 0 and self.masked[m.start - 1] in _BASE_BEFORE

    def _qualifies(self, key: str, alias: str, earlier: str) -> bool:
        fact = self.ledger[key]
        if alias in fact.label:
            qualifier = fact.label.split(alias, 1)[0]
            if qualifier and qualifier in earlier:
                return True
        if fact.signed_change:
            stem = _CHANGE_SUFFIX.sub("", fact.label)
            if len(stem) >= 2 and stem != fact.label and stem in earlier:
                return True  # “三公”经费变动率 is a change of “三公”经费
        return earlier != alias and earlier in fact.label

    def _sign_agrees(self, p: Provenance, fact: Fact) -> None:
        clause = _boundary_before(self.text, p.start, _CLAUSE_END)
        before = self.text[clause : p.start]
        words = list(_DIRECTION_RE.finditer(before))
        if not words:
            return
        word = words[-1].group()
        said = 1 if word in _UP else -1 if word in _DOWN else 0
        if not fact.signed_change:
            return  # a plain amount after 增加 is judged by its label (较上年 … needs a change fact)
        if said != _sign(fact.value):
            self.add(
                SIGN,
                p.start,
                p.end,
                f"{word}…{p.text}",
                f"“{fact.label}”实际为“{_verb(fact.value)}”，这里写成了“{word}”：方向请用【{fact.key}|增减】或【{fact.key}|增长】。",
                p.key,
            )

    # 3b. comparisons -------------------------------------------------------------------------------------

    def _comparisons(self) -> None:
        text = self.masked
        for m in _NO_BASE_CUE.finditer(text):
            self.add(COMPARISON, m.start(), m.end(), self.text[m.start() : m.end() + 8], f"台账中没有“{m.group()}”所比较的数据，不能写这种比较。")
        words = {(p.start, p.end) for p in self.provenance if p.word is not None}
        for m in _COMPARISON_BASE.finditer(text):
            if _LAST_YEAR_CUE.match(m.group()):
                continue  # handled below, with the last-year rule
            clause_end = _boundary_after(text, m.end(), _CLAUSE_END)
            has_value = any(p.word is None and m.end() <= p.start < clause_end for p in self.provenance)
            typed = [d for d in _DIRECTION_RE.finditer(text, m.end(), clause_end) if (d.start(), d.end()) not in words]
            if typed and not has_value:
                self.add(COMPARISON, m.start(), clause_end, self.text[m.start() : clause_end], "比较的结果（增减方向和数额）必须用占位符写明（【键名|增减】【键名】），不能只写方向。")
        allowed = [f for f in self.ledger if self.scope.fact_prefixes is None or f.key.startswith(self.scope.fact_prefixes)]
        has_last_year = any(_is_last_year_fact(f) for f in allowed)
        for m in _LAST_YEAR_CUE.finditer(text):
            start = _boundary_before(text, m.start(), _SENTENCE_END)
            end = _boundary_after(text, m.end(), _SENTENCE_END)
            slots = [p for p in self.provenance if p.source == LEDGER and p.word is None and start <= p.start < end and p.start > m.start()]
            if not has_last_year:
                self.add(COMPARISON, m.start(), m.end(), text[m.start() : min(end, m.end() + 10)], "台账中没有上年数据，不能与上年比较（不要写“较上年”“同比”）。")
                continue
            clause_end = _boundary_after(text, m.end(), _SENTENCE_END + "，,")
            first = next(iter(slots), None)
            if first is not None and any(not _LAST_YEAR_CUE.match(c.group()) for c in _COMPARISON_BASE.finditer(text, m.end(), first.start)):
                first = None  # another comparison (较年初预算) governs that figure
            if first is not None and not _is_last_year_fact(self.ledger[first.key]):
                fact = self.ledger[first.key]
                self.add(COMPARISON, m.start(), first.end, self.text[m.start() : first.end], f"“{m.group()}”之后应是与上年比较的数，填的却是“{fact.label}”。", first.key)
            elif first is None and _DIRECTION_RE.search(text, m.end(), clause_end):
                self.add(COMPARISON, m.start(), clause_end, self.text[m.start() : clause_end], "与上年比较的增减必须用占位符写明（【键名|增减】【键名】），不能只写方向。")

    # 3c. attribution of note slots ---------------------------------------------------------------------

    def _note_attribution(self) -> None:
        for p in self.provenance:
            if p.source != NOTE:
                continue
            figure = self.notes.get(p.key)
            problem = self._note_context_ok(figure, p.start, p.end)
            if problem:
                self.add(NOTE_CONTEXT, p.start, p.end, self.text[max(0, p.start - 6) : p.end + 4], problem, p.key)

    def _note_context_ok(self, figure, start: int, end: int) -> str | None:
        """None when the text around [start, end) is the note's own context for the figure, else why not."""
        note_sentence = _note_sentence(figure)
        grams = _bigrams(note_sentence)
        text = self.masked
        clause = _boundary_before(text, start, _CLAUSE_END)
        before = _content(text[clause:start])
        if before:
            last = before[-2:] if len(before) >= 2 else before
            if len(last) == 2 and last not in grams:
                return f"“{figure.text}”在材料中说的是“{_show(figure)}”，这里却写在“{last}”之后：材料中的数字只能用在它原来的事项上。"
        # The sentence around the figure must share the note sentence's words (the date 5月20日 of a
        # publicity day is not the date of a training meeting).
        sentence_start = _boundary_before(text, start, _SENTENCE_END)
        sentence_end = _boundary_after(text, end, _SENTENCE_END)
        around = _bigrams(text[sentence_start:start] + "\u3000" + text[end:sentence_end])
        shared = (around & grams) - _COMMON_BIGRAMS
        cjk = sum(1 for c in text[sentence_start:sentence_end] if _CJK.match(c))
        if len(shared) < (2 if cjk >= 10 else 1):
            return f"“{figure.text}”在材料中说的是“{_show(figure)}”，这里的上下文与材料不符：材料中的数字只能用在它原来的事项上。"
        after_note = _content_after(figure.note_text[figure.end :]).lstrip("的")
        after_text = _content_after(text[end:]).lstrip("的")
        if len(after_note) >= 2 and len(after_text) >= 2:
            if after_text[:2] != after_note[:2] and after_text[:2] not in grams:
                return f"“{figure.text}”在材料中说的是“{_show(figure)}”，这里却接“{after_text[:2]}”：材料中的数字只能用在它原来的事项上。"
        return None


def _change_parts(fact: Fact) -> tuple[str, str] | None:
    """(what changes, what it is compared with) from a change fact's formula, or None."""
    m = _CHANGE_FORMULA.match(fact.formula.strip())
    return (m.group(1).strip("（）"), m.group(2).strip("（）")) if m else None


def _verb(value: Decimal) -> str:
    return "增加" if value > 0 else "减少" if value < 0 else "持平"


def _norm_date(text: str) -> str:
    from assistant.verify.figure_tokens import fold_digits

    return fold_digits(text).replace(" ", "").strip("“”\"")


def _note_sentence(figure) -> str:
    text = figure.note_text
    start = _boundary_before(text, figure.start, "。；;！!？?\n")
    end = _boundary_after(text, figure.end, "。；;！!？?\n")
    return text[start : figure.start] + "\u3000" + text[figure.end : end]


def _bigrams(text: str) -> set[str]:
    chars = [c if _CJK.match(c) else " " for c in text]
    joined = "".join(chars)
    return {joined[i : i + 2] for i in range(len(joined) - 1) if " " not in joined[i : i + 2]}


def _content(before: str) -> str:
    """The CJK characters of a clause before a figure, without the filler words right before it."""
    chars = [c for c in before if _CJK.match(c)]
    while chars and chars[-1] in _FILLER:
        chars.pop()
    return "".join(chars)


def _content_after(after: str) -> str:
    """The counted noun right after a figure: the CJK characters up to the next punctuation."""
    out = []
    for c in after[:8]:
        if not _CJK.match(c):
            break
        out.append(c)
    return "".join(out)


def _show(figure) -> str:
    before, after = figure.context(12)
    return f"{before}{figure.text}{after}"


def gate_model_text(
    text: str,
    ledger: Ledger,
    notes: NoteSlots | Sequence[str] | None = None,
    section: Any = None,
    figures: Any = None,
    *,
    scope: GateScope | None = None,
) -> GateResult:
    """Fill the slots of a model's `text` and accept it only if every figure came from a slot.

    `notes`: the note slots (`build_note_slots(note_texts(figures))`) or the note texts; built from
    `figures` when omitted. `section`: the outline section (limits fact prefixes and notes);
    `figures`: the report's figures (report year and date, which notes the section uses). `scope`
    overrides what is derived from `section`/`figures`. Returns a `GateResult`; `accepted` is True
    only when there is no finding at all.
    """
    if notes is None:
        from assistant.ledger.calculator import note_texts

        notes = build_note_slots(note_texts(figures)) if figures is not None else NoteSlots()
    elif not isinstance(notes, NoteSlots):
        notes = build_note_slots(notes)
    if scope is None:
        scope = scope_for(section, figures, notes)
    return _Gate(text, ledger, notes, scope).run()
