"""Find every numeral in Chinese text, with offsets, value, unit and qualifier, and classify it.

Recognised: Arabic numbers (thousands separators, decimals, full-width digits), Chinese numerals
(三名, 一百二十户, 两千余人), mixed (1.2万人), percentages (%, ％, 百分之…, 个百分点), money units
(元/千元/万元/亿元), count units from assistant/data/verify/units.yaml, approximations and bounds
(220余人, 近12万元, 超过2000人, 2000人以上, 千余份), ranges (30-40人, 三至五人) and fractions (三分之一).

`extract_figures(text)` returns the figures (the mentions that must be traced to a source);
`extract_mentions(text)` returns every numeral, the non-figures classified by the rules of
`assistant.verify.classify` (dates, document numbers, ordinals, list markers, named terms, titles …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from assistant.verify import classify
from assistant.verify.lexicon import MONEY_UNITS, MULTIPLIERS, PERCENT_UNITS, lexicon
from assistant.verify.model import (
    APPROX,
    BOUND,
    DATE,
    FIGURE,
    INDEFINITE,
    LIST_MARKER,
    NAMED_TERM,
    ORDINAL,
    RANGE,
    Figure,
)
from assistant.verify.numerals import NUMERAL_CHARS, decimals_shown, parse_chinese
from assistant.verify.textnorm import NormalisedText, normalise

_AR = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?(?![0-9])|[0-9]+(?:\.[0-9]+)?"
_CN = rf"[{NUMERAL_CHARS}]+(?:点[零〇一二三四五六七八九]+)?"
CORE_RE = re.compile(rf"(?P<pct>百分之|百分百)|(?P<ar>{_AR})|(?P<cn>{_CN})")
_AR_RE = re.compile(_AR)
_CN_RE = re.compile(_CN)
_RANGE_SEP_RE = re.compile(r" ?[-~—–至到] ?")
_BOUND_SUFFIX_RE = re.compile(r"以上|以下|以内|左右")
_PREFIX_RE = re.compile(
    r"(?P<bound>超过|逾|多于|高于|不少于|不低于|至少|不下于|不足|不到|少于|低于|不超过|最多|至多)了?$"
    r"|(?P<approx>大约|大概|将近|接近|近乎|(?<![节制简预契公婚])约|(?<![附亲临靠贴])近)$"
)
_CN_PREFIX_RE = re.compile(r"(?P<bound>上)$|(?P<approx>数|几)$")
_MID_QUALIFIERS = "余多来几"
# A hyphen right before a number is a minus sign unless it joins two things (9704-2012, 30%-40%).
_NOT_BEFORE_MINUS = set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ%)）]】-") | set(NUMERAL_CHARS)
_MONEY = set(MONEY_UNITS)
_BROKEN_DECIMAL_RE = re.compile(r"\.[ \t]*\n\s*([0-9]+)(?=%|[万亿千]?元)")


@dataclass
class _Suffix:
    end: int
    unit: str = ""
    multiplier: str = ""
    middle: str = ""  # 余/多/来/几 between number and unit


class _Scanner:
    def __init__(self, normalised: NormalisedText):
        self.nt = normalised
        self.t = normalised.text
        self.lex = lexicon()
        self.spans = classify.protected_spans(self.t)
        self.out: list[Figure] = []

    # -- building figures ----------------------------------------------------------------------

    def _emit(self, start: int, end: int, cls: str, reason: str = "", **fields) -> None:
        ostart, oend = self.nt.original_span(start, end)
        self.out.append(
            Figure(
                start=ostart,
                end=oend,
                text=self.nt.original[ostart:oend],
                cls=cls,
                reason=reason,
                scan_start=start,
                scan_end=end,
                **fields,
            )
        )

    # -- pieces --------------------------------------------------------------------------------

    def _unit_at(self, pos: int) -> tuple[str, int] | None:
        m = self.lex.unit_re.match(self.t, pos)
        if not m:
            return None
        unit = m.group()
        nxt = self.t[m.end()] if m.end() < len(self.t) else ""
        if nxt and nxt in self.lex.not_a_unit_before.get(unit, ()):
            return None
        return unit, m.end()

    def _suffix(self, pos: int, chinese: bool) -> _Suffix:
        t = self.t
        at = pos + 1 if t.startswith(" ", pos) else pos
        found = self._unit_at(at)
        if found:
            return _Suffix(found[1], unit=found[0])
        suffix = _Suffix(pos)
        q = pos
        if not chinese and at < len(t) and t[at] in MULTIPLIERS and at > pos:
            # "69.12 万亩": a text layer's space between the number and its 万/亿 (only when a unit
            # or 余/多 follows the multiplier, so "5 万" at a line end stays a bare 5)
            nxt = at + 1
            if self._unit_at(nxt) or (nxt < len(t) and t[nxt] in _MID_QUALIFIERS):
                q = at
        if not chinese and q < len(t) and t[q] in MULTIPLIERS:
            suffix.multiplier = t[q]
            q += 1
        if q < len(t) and t[q] in _MID_QUALIFIERS:
            found = self._unit_at(q + 1)
            if found or t[q] in "余多":
                suffix.middle = t[q]
                q += 1
        found = self._unit_at(q)
        if found:
            suffix.unit, q = found
        suffix.end = q
        return suffix

    def _core_value(self, text: str, chinese: bool) -> Decimal | None:
        if chinese:
            return parse_chinese(text)
        return Decimal(text.replace(",", ""))

    def _prefix(self, start: int, core: str, chinese: bool) -> tuple[int, str | None, str]:
        """Qualifier words before the number: (new start, qualifier, qualifier text)."""
        m = _PREFIX_RE.search(self.t, max(0, start - 4), start)
        if m:
            kind = BOUND if m.group("bound") else APPROX
            return m.start(), kind, m.group().rstrip("了")
        if chinese and core[:1] in "十百千万":
            m = _CN_PREFIX_RE.search(self.t, max(0, start - 1), start)
            if m:
                return m.start(), (BOUND if m.group("bound") else APPROX), m.group()
        return start, None, ""

    def _negative(self, start: int) -> bool:
        t = self.t
        return start >= 1 and t[start - 1] == "-" and (start == 1 or t[start - 2] not in _NOT_BEFORE_MINUS)

    # -- one numeral ---------------------------------------------------------------------------

    def read(self, m: re.Match) -> int:
        """Classify the numeral matched at m, emit what it is, return where scanning continues."""
        t = self.t
        start = m.start()
        if m.group("pct"):
            return self._read_percent_words(m)
        chinese = m.group("cn") is not None
        core = m.group()
        core_end = m.end()
        if chinese:
            if core[-1] in "万亿千" and t.startswith("元", core_end):
                core, core_end = core[:-1], core_end - 1  # 三万元: 3 万元, not 30000 元
            if not core:
                return m.end()
            if parse_chinese(core) is None:
                return start + 1  # 一三个: not a numeral here, but 三个 may be

        else:
            broken = _BROKEN_DECIMAL_RE.match(t, core_end)
            if broken and "." not in core:
                # A text layer that broke a line inside a decimal ("95.\n\n10%"): one number.
                core, core_end = f"{core}.{broken.group(1)}", broken.end()

        ordinal = classify.ordinal_start(t, start)
        if ordinal is not None:
            end = classify.ordinal_end(t, core_end)
            self._emit(ordinal, end, ORDINAL, "序数（第…）", value=self._core_value(core, chinese))
            return end
        date_end = classify.date_end(t, start)
        if date_end is not None:
            self._emit(start, date_end, DATE, "日期")
            return date_end
        marker = classify.list_marker_span(t, start, core_end, core, chinese)
        if marker is not None:
            self._emit(marker[0], marker[1], LIST_MARKER, "序号")
            return marker[1]
        if t.startswith("分之", core_end):
            fraction = self._read_fraction(start, core, chinese, core_end)
            if fraction is not None:
                return fraction

        suffix = self._suffix(core_end, chinese)
        low_core, high_core = core, None
        end = suffix.end
        sep = _RANGE_SEP_RE.match(t, end)
        if sep:
            second = (_CN_RE if chinese else _AR_RE).match(t, sep.end())
            if second and not (chinese and parse_chinese(second.group()) is None):
                suffix2 = self._suffix(second.end(), chinese)
                same_unit = not suffix.unit or not suffix2.unit or suffix.unit == suffix2.unit
                if same_unit and (suffix.unit or suffix2.unit or sep.group().strip() in "至到~"):
                    high_core = second.group()
                    if not suffix.unit:
                        suffix.unit = suffix2.unit
                        suffix.multiplier = suffix.multiplier or suffix2.multiplier
                        suffix.middle = suffix.middle or suffix2.middle
                    end = suffix2.end

        unit = suffix.unit
        if not unit:
            nxt = t[end] if end < len(t) else ""
            if nxt == "号":
                self._emit(start, end + 1, NAMED_TERM, "编号（N号）")
                return end + 1
            if chinese:
                return end  # a Chinese numeral with no unit is a word (一起, 三级), not a figure
            if high_core is None and not suffix.multiplier and not suffix.middle and classify.is_bare_year(core):
                self._emit(start, end, DATE, "年份（1900–2100 的四位整数）")
                return end

        qualifier, qualifier_text = None, ""
        if suffix.middle in ("余", "多", "来", "几"):
            qualifier, qualifier_text = APPROX, suffix.middle
        bound = _BOUND_SUFFIX_RE.match(t, end)
        if bound:
            qualifier = APPROX if bound.group() == "左右" else BOUND
            qualifier_text = bound.group()
            end = bound.end()
        fig_start = start
        negative = not chinese and self._negative(start)
        if negative:
            fig_start = start - 1
        else:
            new_start, prefix_kind, prefix_text = self._prefix(start, core, chinese)
            if prefix_kind:
                fig_start = new_start
                qualifier = prefix_kind if qualifier is None or prefix_kind == BOUND else qualifier
                qualifier_text = prefix_text + qualifier_text
        if high_core is not None:
            qualifier, qualifier_text = RANGE, qualifier_text

        shown = self._core_value(low_core, chinese)
        if negative:
            shown = -shown
        scale = MULTIPLIERS[suffix.multiplier] if suffix.multiplier else Decimal(1)
        places = decimals_shown(low_core)
        fields = dict(
            unit=PERCENT_UNITS.get(unit, unit),
            qualifier=qualifier,
            qualifier_text=qualifier_text,
            shown=shown,
            places=places,
            scale=scale,
            value=shown * scale,
        )
        if high_core is not None:
            shown_high = self._core_value(high_core, chinese)
            fields.update(
                shown_high=shown_high,
                low=shown * scale,
                high=shown_high * scale,
                places=max(places, decimals_shown(high_core)),
            )
        if unit and unit not in _MONEY and unit not in PERCENT_UNITS and classify.is_indefinite(t, start, core):
            self._emit(fig_start, end, INDEFINITE, "“一”加量词表示泛指", **fields)
            return end
        self._emit(fig_start, end, FIGURE, **fields)
        return end

    def _read_percent_words(self, m: re.Match) -> int:
        t = self.t
        if m.group() == "百分百":
            self._emit(m.start(), m.end(), FIGURE, unit="%", shown=Decimal(100), value=Decimal(100))
            return m.end()
        number = CORE_RE.match(t, m.end())
        if not number or number.group("pct"):
            return m.end()
        chinese = number.group("cn") is not None
        value = self._core_value(number.group(), chinese)
        if value is None:
            return m.end()
        start, qualifier, qualifier_text = self._prefix(m.start(), number.group(), False)
        places = decimals_shown(number.group())
        self._emit(
            start,
            number.end(),
            FIGURE,
            unit="%",
            shown=value,
            value=value,
            places=places,
            qualifier=qualifier,
            qualifier_text=qualifier_text,
        )
        return number.end()

    def _read_fraction(self, start: int, core: str, chinese: bool, core_end: int) -> int | None:
        numerator = CORE_RE.match(self.t, core_end + 2)
        if not numerator or numerator.group("pct"):
            return None
        den = self._core_value(core, chinese)
        num = self._core_value(numerator.group(), numerator.group("cn") is not None)
        if not den or num is None:
            return None
        value = num / den
        self._emit(start, numerator.end(), FIGURE, unit="分之", shown=value, value=value, places=0)
        return numerator.end()

    # -- whole text ----------------------------------------------------------------------------

    def scan(self) -> list[Figure]:
        t = self.t
        spans = self.spans
        span_index = 0
        pos = 0
        search = CORE_RE.search
        while True:
            m = search(t, pos)
            if m is None:
                break
            start = m.start()
            while span_index < len(spans) and spans[span_index].end <= start:
                span_index += 1
            if span_index < len(spans) and spans[span_index].start <= start:
                span = spans[span_index]
                self._emit(span.start, span.end, span.cls, span.reason)
                pos = span.end
                span_index += 1
                continue
            pos = max(self.read(m), start + 1)
        return self.out


def extract_mentions(text: str) -> list[Figure]:
    """Every numeral in `text`, figures and non-figures, in text order."""
    if not text:
        return []
    return _Scanner(normalise(text)).scan()


def extract_figures(text: str, *, include_non_figures: bool = False) -> list[Figure]:
    """The figures of `text` (quantities that must have a source), in text order.

    With `include_non_figures`, also the numerals classified as dates, document numbers, ordinals,
    list markers, named terms, titles, identifiers and the indefinite 一 (see `Figure.cls`).
    """
    mentions = extract_mentions(text)
    if include_non_figures:
        return mentions
    return [m for m in mentions if m.cls == FIGURE]


def scan_normalised(normalised: NormalisedText) -> list[Figure]:
    """Mentions of an already normalised text (the tracer reuses the scanning copy)."""
    if not normalised.text:
        return []
    return _Scanner(normalised).scan()
