"""What counts as a figure in Chinese text: the one module that decides, for model text and human text.

    from assistant.verify.figure_tokens import find_figure_tokens, FigureToken
    tokens = find_figure_tokens(text)        # every figure-bearing span, in text order, non-overlapping
    [(t.start, t.end, t.kind, t.text) for t in tokens]

A *figure token* is anything numeric, whatever its value:

* ``digits`` — digits of every Unicode script: ASCII and full-width, Arabic-Indic (٣٠), circled (⑦),
  superscript (⁵), Roman numerals (Ⅶ, and ASCII VII), mathematical bold (𝟔𝟖) … — every character of
  the ``unicodedata`` categories Nd/No/Nl, with the separators between them (155.29, 1,234); and
  numbers spelled in English (six, twenty-one, percent);
* ``chinese_numeral`` — 一二三…十百千万亿, 两/廿/卅/卌/仨/俩, 〇/零 and the financial capitals
  壹贰叁肆伍陆柒捌玖拾佰仟 (with their traditional forms);
* ``percent_word`` — 百分之…, 百分百, 百分点, 百分比, and a percent sign on its own (%, ％, ‰);
* ``proportion`` — 半数, 过半, 大半, 减半, 翻番, 倍增, 成倍, 倍 …, and N成 / N倍 / N番 with their numeral;
* ``rank`` — 第N (when not a list marker), 首位, 榜首, 前列, 名列, 排名, 位居, 首个, 首家, 唯一 …, and
  scores and grades (满分, 全优, 评价等级为优);
* ``placeholder`` — ×, ＊, □, ○ … anywhere, and X/XX, 某, ？, … in a number position (before a unit,
  or after 为/达/共计 …); any Latin letters right before a unit (lOO%, O.5万元: look-alike digits);
* ``slot_like`` — anything that looks like an unfilled or unknown slot in any bracket style: 【…】
  (and a lone 【 or 】), [155.29], [assets.net_assets], {x}, ｛x｝, 〔key〕, 〖…〗, a bare fact key
  (assets.net_assets), a leftover ``|增减``, and fence markers (<<< >>>);
* ``date`` — 2023年, 2023年12月31日, 5月20日, 3月份, 三季度, 9:00 … (with year/month/day parsed), so a
  caller can decide which dates it allows. Dates are claims too: nothing here allows them.

Named terms and list markers are *not* figures: 一是/二是, （一）, 一、, 第一，(at a sentence start),
其一, and every word of the named-term lexicon (assistant/data/verify/named_terms.yaml: 十四五, 三公,
两癌 …) and of the numeral-word lexicon (numeral_words.yaml: 进一步, 统一, 一体化, 两学一做, 一把手 …).
The lexicon decides, never the value: "两癌" is listed, "两名" is not.

Helpers for other scanners (the human-text extractor may call them): `fold_digits` (same-length copy
with every decimal digit of any script as ASCII), `fold_chinese` (financial capitals to ordinary
numerals, same length), `is_digit_char`, `is_chinese_numeral`, `allowed_spans`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import yaml

from assistant.verify import classify
from assistant.verify.lexicon import DATA_DIR, MONEY_UNITS, lexicon

DIGITS = "digits"
CHINESE = "chinese_numeral"
PERCENT = "percent_word"
PROPORTION = "proportion"
RANK = "rank"
PLACEHOLDER = "placeholder"
SLOT_LIKE = "slot_like"
DATE = "date"

KIND_NAMES = {
    DIGITS: "数字",
    CHINESE: "汉字数字",
    PERCENT: "百分数说法",
    PROPORTION: "比例或倍数说法",
    RANK: "名次、排序或等级说法",
    PLACEHOLDER: "数字位置上的占位符号",
    SLOT_LIKE: "未填充或未知的占位符",
    DATE: "日期",
}
# When spans of several kinds overlap, the merged token takes the first kind in this order.
_PRIORITY = (SLOT_LIKE, PLACEHOLDER, DATE, PERCENT, PROPORTION, RANK, DIGITS, CHINESE)

# Financial capitals and traditional forms → the ordinary numeral (one character each: offsets kept).
_CAPITALS = {
    "壹": "一", "贰": "二", "貳": "二", "叁": "三", "參": "三", "肆": "四", "伍": "五", "陆": "六", "陸": "六",
    "柒": "七", "捌": "八", "玖": "九", "拾": "十", "佰": "百", "仟": "千", "萬": "万", "億": "亿", "兩": "两",
    "廿": "廿", "卅": "卅", "卌": "卌",
}
_PLAIN_CN = "〇零一二两三四五六七八九十百千万亿仨俩"
CHINESE_NUMERAL_CHARS = _PLAIN_CN + "".join(_CAPITALS)
_CN_SET = frozenset(CHINESE_NUMERAL_CHARS)
_DIGIT_CATEGORIES = ("Nd", "No", "Nl")

_SIGNS = "-−－﹣+＋±"
_SEP = ".,．:/"  # between digits: 155.29, 1,234, 9:00 (a full-width comma ends a clause)
_ROMAN_ASCII = re.compile(r"(?<![A-Za-z])(?=[IVXLCDM]{2,}(?![A-Za-z]))M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})(?![A-Za-z])")

_OPEN_CLOSE = {"【": "】", "[": "]", "［": "］", "{": "}", "｛": "｝", "〔": "〕", "〖": "〗", "⟦": "⟧", "〘": "〙", "⦃": "⦄"}
_BRACKET_CHARS = frozenset(_OPEN_CLOSE) | frozenset(_OPEN_CLOSE.values())
_FACT_KEY = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+")
_SLOT_WORD = re.compile(r"[|｜](?:增减|增长)")
_FENCE = re.compile(r"<{2,}|>{2,}|\$\{|%[sd]")

_ALWAYS_PLACEHOLDER = "×✕✖╳⨯＊*□■○●△▲◯◎※"
_X_RUN = re.compile(r"(?<![A-Za-z])[XxＸｘ]+(?![A-Za-z])")
_MAYBE_PLACEHOLDER = re.compile(r"某|[？?]+|…+|\.{3,}")
_NUMBER_INTRO = re.compile(r"(?:为|达|共|计|约|近|超|逾|占|第|是|增长|下降|增加|减少|达到|合计|共计|累计|总计|完成)$")

# Numbers spelled in English (a model drafting in Chinese may slip into them): six, twenty-one, 3rd …
_ENGLISH_NUMBER = re.compile(
    r"(?<![A-Za-z])(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
    r"|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand"
    r"|million|billion|percent|per cent|dozen|half|once|twice|double|triple|first|second|third|fourth|fifth|tenth)"
    r"(?:[- ](?:one|two|three|four|five|six|seven|eight|nine|hundred|thousand|million))*(?![A-Za-z])",
    re.IGNORECASE,
)
_LATIN_RUN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]+(?![A-Za-z0-9])")
_PERCENT_RE = re.compile(r"百分之|百分百|个百分点|百分点|百分比|[%％‰‱]")
_PROPORTION_RE = re.compile(
    r"半数|过半|大半|近半|逾半|超半|减半|对半|翻番|倍增|成倍|倍(?![加感受])"
    rf"|(?<=[{CHINESE_NUMERAL_CHARS}0-9])成(?=[以多左上余，。；、]|$)"
    rf"|(?<=[{CHINESE_NUMERAL_CHARS}])番"
)
_RANK_RE = re.compile(r"首位|榜首|前列|名列|排名|排位|排第|位居|位列|前茅|之首|居首|首个|首家|首批|首届|首次|首创|唯一|领跑|夺冠|冠军|亚军|季军|第[一二三四五六七八九十百千0-9]")
# Scores and grades are figures of the evaluation: 满分, 评价等级为优 (only the ledger's scores may say them).
_SCORE_RE = re.compile(
    r"满分|全优|零分|(?:评价等级|等级|等次|评级|档次)(?:为|是|达到|评定为|被评为)?(?:优秀|优|良好|良|中等|合格|不合格|差)(?![化势先质惠待点美异雅])"
)
_BOUNDARY = set("。；;！!？?：:\n")

_DATE_Y = re.compile(r"([0-9]{4}|[〇零一二三四五六七八九]{4})[ ]?年")
_DATE_M = re.compile(r"([0-9]{1,2}|十[一二]?|[一二三四五六七八九])[ ]?月")
_DATE_D = re.compile(r"([0-9]{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])[ ]?[日号]")


@dataclass(frozen=True)
class FigureToken:
    start: int
    end: int
    text: str
    kind: str
    # For dates: what was parsed (None where the text does not say), and a normalised form
    # (ASCII digits, no spaces) to compare dates written differently.
    year: int | None = None
    month: int | None = None
    day: int | None = None
    norm: str = ""

    @property
    def kind_zh(self) -> str:
        return KIND_NAMES.get(self.kind, self.kind)


# --- characters ----------------------------------------------------------------------------------


def is_digit_char(ch: str) -> bool:
    """A digit of any script (Nd/No/Nl), except the Chinese 〇, which counts as a Chinese numeral."""
    return ch not in _CN_SET and unicodedata.category(ch) in _DIGIT_CATEGORIES


def is_chinese_numeral(ch: str) -> bool:
    return ch in _CN_SET


def fold_digits(text: str) -> str:
    """Same-length copy with every decimal digit of any script (full-width, Arabic-Indic, math bold,
    circled ①, superscript ⁵ …) written as its ASCII digit; other characters unchanged."""
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
            continue
        value = unicodedata.digit(ch, None)
        out.append(str(value) if value is not None and ch not in _CN_SET else ch)
    return "".join(out)


@lru_cache(maxsize=1)
def decimal_digit_table() -> dict[int, str]:
    """str.translate table: every non-ASCII decimal digit (category Nd: full-width, Arabic-Indic ٣,
    Devanagari, mathematical bold 𝟔 …) to its ASCII digit. Only Nd: circled ① and superscript ⁵ (No)
    are list markers and exponents in a person's text (①加强…, m²), not amounts."""
    import sys

    return {
        cp: str(unicodedata.decimal(chr(cp)))
        for cp in range(0x80, sys.maxunicode + 1)
        if unicodedata.category(chr(cp)) == "Nd"
    }


def fold_chinese(text: str) -> str:
    """Same-length copy with financial capitals and traditional numerals as ordinary ones (壹→一)."""
    return text.translate(_CAPITAL_TABLE)


_CAPITAL_TABLE = {ord(k): v for k, v in _CAPITALS.items() if k != v}


# --- the lexicon of words that are not figures ------------------------------------------------------


@dataclass(frozen=True)
class _Term:
    term: str
    not_before: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def _word_lexicon() -> tuple[dict[str, _Term], re.Pattern | None]:
    terms: dict[str, _Term] = {}
    for name, term in lexicon().named_terms.items():
        terms[name] = _Term(name, term.not_before)
    with open(DATA_DIR / "numeral_words.yaml", encoding="utf-8") as handle:
        doc = yaml.safe_load(handle) or {}
    for entries in doc.values():
        for entry in entries or ():
            if isinstance(entry, dict):
                term = _Term(str(entry["term"]), tuple(str(c) for c in entry.get("not_before") or ()))
            else:
                term = _Term(str(entry))
            if term.term not in terms or term.not_before:
                terms[term.term] = term
    words = [t for t in terms if any(c in _CN_SET for c in t)]
    if not words:
        return terms, None
    return terms, re.compile("|".join(re.escape(t) for t in sorted(words, key=len, reverse=True)))


_NUMERAL_OR_DIGIT = set(CHINESE_NUMERAL_CHARS) | set("0123456789")
_LIST_CN = "一二三四五六七八九十"
_LIST_MARKER_RES = (
    # 一是 / 二是 … after a sentence boundary or at the start
    re.compile(rf"(?:(?<=^)|(?<=[。；;：:，,！？\n“”\s]))[{_LIST_CN}]{{1,3}}是"),
    # 其一 / 其二
    re.compile(rf"其[{_LIST_CN}](?![{_LIST_CN}])"),
    # （一） (1) （10）
    re.compile(rf"[（(][ ]?(?:[{_LIST_CN}]{{1,3}}|[0-9]{{1,2}})[ ]?[）)]"),
    # 一、 at a line start or after a boundary
    re.compile(rf"(?:(?<=^)|(?<=[。；;：:\n]))[ ]*[{_LIST_CN}]{{1,3}}、"),
    # 第一， 第二、 at a sentence start (a list, not a rank)
    re.compile(rf"(?:(?<=^)|(?<=[。；;：:\n]))[ ]*第[{_LIST_CN}]{{1,3}}(?=[，,、])"),
)


def allowed_spans(text: str) -> list[tuple[int, int, str]]:
    """Spans whose numeral characters state no quantity: (start, end, why), sorted, non-overlapping."""
    terms, pattern = _word_lexicon()
    spans: list[tuple[int, int, str]] = []
    for regex in _LIST_MARKER_RES:
        spans.extend((m.start(), m.end(), "序号") for m in regex.finditer(text))
    if pattern is not None:
        for m in pattern.finditer(text):
            term = terms[m.group()]
            before = text[m.start() - 1] if m.start() else ""
            after = text[m.end()] if m.end() < len(text) else ""
            if term.term[0] in _NUMERAL_OR_DIGIT and before and (before in _NUMERAL_OR_DIGIT or is_digit_char(before)):
                continue  # 二十分 is 20 points, not 十分
            if term.term[-1] in _NUMERAL_OR_DIGIT and after and (after in _NUMERAL_OR_DIGIT or is_digit_char(after)):
                continue  # 十四五十 is no plan name
            if after and after in term.not_before:
                continue
            spans.append((m.start(), m.end(), "专有名词或常用词"))
    spans.sort(key=lambda s: (s[0], -s[1]))
    merged: list[tuple[int, int, str]] = []
    for span in spans:
        if merged and span[0] < merged[-1][1]:
            continue
        merged.append(span)
    return merged


# --- scanning ----------------------------------------------------------------------------------------


def _unit_follows(text: str, pos: int) -> bool:
    """A unit (money, percent, count) or a magnitude starts at `pos` (after 余/多 or a space)."""
    while pos < len(text) and text[pos] in " 余多几":
        pos += 1
    if pos >= len(text):
        return False
    if text[pos] in "万亿千百%％‰":
        return True
    if any(text.startswith(u, pos) for u in MONEY_UNITS):
        return True
    lex = lexicon()
    m = lex.unit_re.match(text, pos)
    if m is None:
        return False
    after = text[m.end()] if m.end() < len(text) else ""
    return not (after and after in lex.not_a_unit_before.get(m.group(), ()))


def _number_position(text: str, start: int, end: int) -> bool:
    if _unit_follows(text, end):
        return True
    nxt = text[end] if end < len(text) else ""
    return bool(_NUMBER_INTRO.search(text, max(0, start - 4), start)) and (not nxt or not ("\u4e00" <= nxt <= "\u9fff"))


def _brackets(text: str, out: list[FigureToken]) -> None:
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in _OPEN_CLOSE:
            close = _OPEN_CLOSE[ch]
            j = text.find(close, i + 1, min(n, i + 62))
            nested = text.find(ch, i + 1, j if j >= 0 else min(n, i + 62))
            end = j + 1 if j >= 0 and nested < 0 else i + 1
            out.append(FigureToken(i, end, text[i:end], SLOT_LIKE))
            i = end
            continue
        if ch in _BRACKET_CHARS:
            out.append(FigureToken(i, i + 1, ch, SLOT_LIKE))
        i += 1
    for regex in (_FACT_KEY, _SLOT_WORD, _FENCE):
        out.extend(FigureToken(m.start(), m.end(), m.group(), SLOT_LIKE) for m in regex.finditer(text))


def _placeholders(text: str, out: list[FigureToken]) -> None:
    for i, ch in enumerate(text):
        if ch in _ALWAYS_PLACEHOLDER:
            out.append(FigureToken(i, i + 1, ch, PLACEHOLDER))
    for m in _X_RUN.finditer(text):
        if len(m.group()) >= 2 or _number_position(text, m.start(), m.end()):
            out.append(FigureToken(m.start(), m.end(), m.group(), PLACEHOLDER))
    for m in _MAYBE_PLACEHOLDER.finditer(text):
        if _number_position(text, m.start(), m.end()) or (m.group() == "某" and m.start() and text[m.start() - 1] == "第"):
            out.append(FigureToken(m.start(), m.end(), m.group(), PLACEHOLDER))


def _latin_numbers(text: str, out: list[FigureToken]) -> None:
    """English number words anywhere, and any Latin letters standing where a number goes
    (lOO%, O.5万元, six人): a letter run right before a unit is a disguised figure."""
    folded = unicodedata.normalize("NFKC", text) if not text.isascii() else text
    if len(folded) != len(text):
        folded = "".join(unicodedata.normalize("NFKC", c) if len(unicodedata.normalize("NFKC", c)) == 1 else c for c in text)
    for m in _ENGLISH_NUMBER.finditer(folded):
        out.append(FigureToken(m.start(), m.end(), text[m.start() : m.end()], DIGITS))
    for m in re.finditer(r"负(?=[零〇一二两三四五六七八九十百千万亿])", text):
        out.append(FigureToken(m.start(), m.end(), m.group(), CHINESE))
    for m in _LATIN_RUN.finditer(folded):
        if _unit_follows(folded, m.end()):
            out.append(FigureToken(m.start(), m.end(), text[m.start() : m.end()], PLACEHOLDER))


def _digit_runs(text: str, out: list[FigureToken]) -> None:
    i, n = 0, len(text)
    while i < n:
        if not is_digit_char(text[i]):
            i += 1
            continue
        j = i + 1
        while j < n and (is_digit_char(text[j]) or (text[j] in _SEP and j + 1 < n and is_digit_char(text[j + 1]))):
            j += 1
        # A sign typed before a number is part of it (减少-0.41万元 says the opposite of 减少0.41万元).
        start = i - 1 if i and (text[i - 1] in _SIGNS or text[i - 1] in "负正") else i
        out.append(FigureToken(start, j, text[start:j], DIGITS))
        i = j
    out.extend(FigureToken(m.start(), m.end(), m.group(), DIGITS) for m in _ROMAN_ASCII.finditer(text) if m.group())


def _chinese_runs(text: str, allowed: list[tuple[int, int, str]], out: list[FigureToken]) -> None:
    covered = bytearray(len(text))
    for start, end, _ in allowed:
        covered[start:end] = b"\x01" * (end - start)
    i, n = 0, len(text)
    while i < n:
        if text[i] not in _CN_SET or covered[i]:
            i += 1
            continue
        j = i + 1
        while j < n and text[j] in _CN_SET and not covered[j]:
            j += 1
        out.append(FigureToken(i, j, text[i:j], CHINESE))
        i = j


def _simple(regex: re.Pattern, kind: str, text: str, allowed: list[tuple[int, int, str]], out: list[FigureToken]) -> None:
    for m in regex.finditer(text):
        if any(s <= m.start() and m.end() <= e for s, e, _ in allowed):
            continue
        out.append(FigureToken(m.start(), m.end(), m.group(), kind))


def _date_value(regex: re.Pattern, text: str) -> int | None:
    m = regex.search(text)
    if not m:
        return None
    raw = m.group(1)
    if raw.isdigit():
        return int(raw)
    if regex is _DATE_Y:
        return int("".join(str("〇一二三四五六七八九".index(c) if c != "零" else 0) for c in raw))
    return classify._numeral_value(raw)


def _dates(text: str, out: list[FigureToken], allowed: list[tuple[int, int, str]] = ()) -> None:
    folded = fold_digits(text)
    starts = set("0123456789") | set(_PLAIN_CN)
    pos, n = 0, len(folded)
    while pos < n:
        ch = folded[pos]
        # Only ASCII/full-width digits write dates; a date in circled or Arabic-Indic digits is digits.
        if ch not in starts or (ch.isdigit() and not (text[pos].isascii() or "０" <= text[pos] <= "９")):
            pos += 1
            continue
        if pos and (folded[pos - 1].isdigit() or folded[pos - 1] in _PLAIN_CN):
            pos += 1
            continue
        end = classify.date_end(folded, pos)
        if end is None:
            pos += 1
            continue
        if any(s <= pos and end <= e for s, e, _ in allowed):
            pos = end  # inside a named term ("一月一主题" names an activity, it dates nothing)
            continue
        piece = folded[pos:end]
        out.append(
            FigureToken(
                pos,
                end,
                text[pos:end],
                DATE,
                year=_date_value(_DATE_Y, piece),
                month=_date_value(_DATE_M, piece),
                day=_date_value(_DATE_D, piece),
                norm=piece.replace(" ", ""),
            )
        )
        pos = end


def _merge(tokens: list[FigureToken], text: str) -> list[FigureToken]:
    """Overlapping spans become one token; its kind is the strongest; a date keeps its parse only
    when it alone makes up the merged span."""
    if not tokens:
        return []
    rank = {k: i for i, k in enumerate(_PRIORITY)}
    tokens = sorted(tokens, key=lambda t: (t.start, -t.end))
    merged: list[list[FigureToken]] = [[tokens[0]]]
    end = tokens[0].end
    for token in tokens[1:]:
        if token.start <= end:  # touching spans too: 六成, ٣٠万 read as one figure
            merged[-1].append(token)
            end = max(end, token.end)
        else:
            merged.append([token])
            end = token.end
    result = []
    for group in merged:
        start = min(t.start for t in group)
        stop = max(t.end for t in group)
        best = min(group, key=lambda t: rank[t.kind])
        if best.kind == DATE and (best.start, best.end) == (start, stop):
            result.append(best)
        elif best.kind == DATE:
            result.append(FigureToken(start, stop, text[start:stop], DIGITS if any(t.kind == DIGITS for t in group) else CHINESE))
        else:
            result.append(FigureToken(start, stop, text[start:stop], best.kind))
    return result


def _union(a: list[tuple[int, int, str]], b: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    spans = sorted(set(a) | set(b), key=lambda s: (s[0], -s[1]))
    merged: list[tuple[int, int, str]] = []
    for span in spans:
        if merged and span[0] < merged[-1][1]:
            continue
        merged.append(span)
    return merged


def find_figure_tokens(text: str) -> list[FigureToken]:
    """Every figure-bearing span of `text` (see the module docstring), sorted and non-overlapping."""
    if not text:
        return []
    plain = fold_chinese(text)
    # Lexicon words are matched as written (队伍, 陆续) and list markers also on the folded copy (贰是).
    allowed = _union(allowed_spans(text), allowed_spans(plain))
    out: list[FigureToken] = []
    _brackets(text, out)
    _placeholders(text, out)
    _digit_runs(text, out)
    _latin_numbers(text, out)
    _chinese_runs(plain, allowed, out)
    _simple(_PERCENT_RE, PERCENT, plain, allowed, out)
    _simple(_PROPORTION_RE, PROPORTION, plain, allowed, out)
    _simple(_RANK_RE, RANK, plain, allowed, out)
    _simple(_SCORE_RE, RANK, plain, allowed, out)  # 第一， at a sentence start is a list marker (allowed)
    _dates(plain, out, allowed)
    tokens = _merge(out, text)
    return [FigureToken(t.start, t.end, text[t.start : t.end], t.kind, t.year, t.month, t.day, t.norm) for t in tokens]


def has_figure(text: str) -> bool:
    return bool(find_figure_tokens(text))
