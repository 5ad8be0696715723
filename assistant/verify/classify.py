"""Rules that tell a figure (a quantity that must have a source) from numerals that state none.

Every rule is explicit and tested against the seed report (tests/verify/test_classify.py):

* titles — anything inside 《…》 is a title (《关于开展2023年度…的通知》, 《家庭教育促进法十问十答》);
* document numbers — 〔2023〕170号, [2020]10号: a bracketed year then N号;
* dates — 2023年, 2023年度, 2023年12月31日, 12月31日, 5月20日, 3月份, 今年8月份, 31日, 三季度, 9:00,
  2021-2025年; a day name in quotes (“4.15”, “12.4”) when it is a valid month.day; a bare four-digit
  integer 1900–2100 with no unit (温暖2022) is a year;
* ordinals — 第四届, 第113个, 第一;
* list markers — （一）, (1), （10）; 1、 / 1. / 一、 at the start of a line or after a colon; 一是/二是 after
  a sentence boundary;
* named terms — the data list (三八, 六一, 十四五, 二十大, 一法一条例, 一对一, 多对一, 县乡村三级, 两大板块,
  一年来, …), numerals followed by 号 (2号字, 5号楼: a number used as a name), and identifiers where
  digits touch Latin letters (A4, 5G, GB/T 9704-2012, NYBO2023);
* indefinite — the single numeral 一 with a count unit (一个平台, 一批产品, 一堂课, 一起案件) is the
  article-like "a", not a count, unless a word of counting precedes it (共/仅/只/合计/新增 …).

* shapes taken from published reports (tests/verify/test_real_shapes.py), with their word lists in
  assistant/data/verify/not_figures.yaml:
  - captions — the number of a table, figure or attachment (表1, 图2, 附件3, 附表1-2, 表1至表4),
    unless a count unit follows (发表3篇, 代表12人);
  - contacts — phone and fax numbers (0838-7211924, (0731)5222222, 13990260322, 400-123-4567) and
    anything right after 联系电话/邮编/传真 …;
  - codes — runs of digits and letters joined by - / _ (01526405-X/20240326-00056, zsjfzzx/2025-00002,
    510000_0013zp), a unit or project code before a name (411001-衡山县…), a bare integer of 9 or more
    digits, an integer written with a leading zero (00056), YYYYMMDD written together (20240326);
  - document numbers whose 〔〕 were lost in copying: an organ's abbreviation, then the year and the
    serial run together, then 号 (藏党发20207号, 财预2011285号, 林财预202411号);
  - counts of the parts of the text (两个部分, 三个方面, 从以下四个层面);
  - web and e-mail addresses, page numbers on a line of their own (— 1 —, 第3页共10页), service
    numbers before 热线 (12345政务服务热线), note references ([1], 【2】).

Everything else with a number is a figure: "为期2天", "3期", "16支战队", "100周年", "4岁", "1602名"
all state quantities the user must have given (in the ledger or in their notes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import yaml

from assistant.verify.lexicon import DATA_DIR, lexicon
from assistant.verify.model import CAPTION, CONTACT, DATE, DOC_NUMBER, IDENTIFIER, NAMED_TERM, PART_COUNT, TITLE
from assistant.verify.numerals import NUMERAL_CHARS, parse_chinese_int

_CN_CLASS = f"[{NUMERAL_CHARS}]"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    cls: str
    reason: str


_PROTECTED_RE = re.compile(
    r"(?P<title>《[^《》\n]{0,300}》)"
    r"|(?P<docno>[〔\[［【(（][0-9]{4}[〕\]］】)）][ ]?第?[0-9]+[ ]?号)"
    r"|(?P<qdate>[“\"‘'「『](?P<qm>[0-9]{1,2})\.(?P<qd>[0-9]{1,2})[”\"’'」』])"
    r"|(?P<ident>(?<![A-Za-z0-9.])(?:"
    r"[A-Za-z]+(?:/[A-Za-z]+)?-?[0-9][0-9A-Za-z]*(?:[-.:][0-9A-Za-z]+)*"
    r"|[A-Z]{2,}(?:/[A-Z]+)?[ ][0-9]+(?:[-.:][0-9]+)*"
    r"|[0-9]+[A-Za-z]+[0-9A-Za-z]*))"
)

_NUMERAL_OR_DIGIT = NUMERAL_CHARS + "0123456789"


def _named_spans(text: str) -> list[Span]:
    lex = lexicon()
    if lex.named_re is None:
        return []
    spans = []
    for m in lex.named_re.finditer(text):
        term = lex.named_terms[m.group()]
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        # 二十分 is 20 points, not 十分 ("very"); 十四五十 is no plan name.
        if term.term[0] in _NUMERAL_OR_DIGIT and before and before in _NUMERAL_OR_DIGIT:
            continue
        if term.term[-1] in _NUMERAL_OR_DIGIT and after and after in _NUMERAL_OR_DIGIT:
            continue
        if after and after in term.not_before:
            continue
        spans.append(Span(m.start(), m.end(), NAMED_TERM, f"专有名词：{term.category}"))
    return spans


# ---- shapes from published reports ------------------------------------------------------------

_CJK = "\u4e00-\u9fff"
_UNIT_AFTER_RE = re.compile(r"[ ]?(?:[余多近约]|以上|以下|左右)?")


@lru_cache(maxsize=1)
def _shape_res() -> tuple[re.Pattern, re.Pattern, re.Pattern, frozenset[str]]:
    with open(DATA_DIR / "not_figures.yaml", encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    words = lambda key: sorted((str(w) for w in data.get(key) or ()), key=len, reverse=True)  # noqa: E731
    alt = lambda key: "|".join(re.escape(w) for w in words(key))  # noqa: E731
    caption = re.compile(
        rf"(?P<word>{alt('caption_words')})[ ]?(?P<num>[0-9]+(?:[-－.][0-9]+)*)"
        rf"(?:[ ]?(?:[-－~～至到、和及与]|—+)[ ]?(?:{alt('caption_words')})?[ ]?[0-9]+(?:[-－.][0-9]+)*)*"
    )
    firsts = "".join(sorted({re.escape(w[0]) for w in words("contact_words") + words("code_words")}))
    contact = re.compile(
        rf"(?=[{firsts}])(?:(?P<contact>{alt('contact_words')})(?:号码|号)?[ ]?[:：]?[ ]?(?=[(（0-9+])"
        rf"|(?P<code>{alt('code_words')})[ ]?[:：]?[ ]?(?=[0-9A-Za-z]))"
    )
    nouns = alt("part_nouns")
    part = re.compile(rf"(?P<num>[一二两三四五六七八九十]|[1-9])[ ]?[个大]?(?:{nouns})")
    return caption, contact, part, frozenset(str(c) for c in data.get("caption_not_after") or ())


_PHONE_BODY = r"(?:\+?86[-－ ]?)?(?:[(（]0[0-9]{2,3}[)）][ ]?|0[0-9]{2,3}[-－ ])[0-9]{7,8}(?:[-－转][0-9]{1,5})?"
_SHAPES_RE = re.compile(
    # every shape starts with a digit, a Latin letter, "(", "（" or "+": the lookahead lets the
    # engine skip the Chinese text between numbers cheaply
    rf"(?=[0-9A-Za-z(（+])(?:(?P<phone>(?<![0-9A-Za-z.\-]){_PHONE_BODY}(?![0-9]))"
    r"|(?P<mobile>(?<![0-9A-Za-z.])(?:\+?86[-－ ]?)?1[3-9][0-9](?:[-－ ]?[0-9]{4}){2}(?![0-9.]))"
    r"|(?P<hotline>(?<![0-9A-Za-z.])[48]00[-－ ]?[0-9]{3}[-－ ]?[0-9]{4}(?![0-9]))"
    r"|(?P<code>(?<![0-9A-Za-z.])[0-9A-Za-z]+(?:[-/_][0-9A-Za-z]+)+)"
    rf"|(?P<prefix>(?<![0-9.,])[0-9]{{5,}}(?=[-－][{_CJK}]))"
    rf"|(?P<docno>(?<=[{_CJK}])(?P<year>(?:19[5-9]|20[0-9])[0-9])[ ]?[0-9]{{1,4}}[ ]?号)"
    r"|(?P<ymd>(?<![0-9.,])(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])(?![0-9.,]))"
    r"|(?P<long>(?<![0-9.,])[0-9]{9,}(?![0-9.,]))"
    r"|(?P<zero>(?<![0-9.,])0[0-9]+(?![0-9.,年月日号时分秒])))"
)


_CONTACT_NUMBER_RE = re.compile(r"[(（+]?[0-9][0-9()（）\-－ 转]*[0-9]")
_CODE_AFTER_WORD_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z\-/_]*")


def _is_code(token: str) -> bool:
    """A run joined by - / _ is a code when some part is long (5+ digits), starts with 0, or mixes
    letters in; "2021-2025", "30-40" and "0-10" are ranges, "2024-03-26" a date."""
    parts = re.split(r"[-/_]", token)
    if any(len(p) >= 5 and p.isdigit() for p in parts):
        return True
    if any(len(p) >= 2 and p.isdigit() and p[0] == "0" for p in parts):
        return "_" in token or "/" in token or len(parts) >= 3 and not _looks_like_date(parts)
    return "_" in token and any(c.isalpha() for c in token)


def _looks_like_date(parts: list[str]) -> bool:
    return len(parts) == 3 and len(parts[0]) == 4 and all(p.isdigit() for p in parts)


def _unit_follows(text: str, end: int) -> bool:
    """A count, money or percent unit right after a number makes it a quantity."""
    lex = lexicon()
    m = _UNIT_AFTER_RE.match(text, end)
    pos = m.end() if m else end
    unit = lex.unit_re.match(text, pos)
    if unit:
        after = text[unit.end()] if unit.end() < len(text) else ""
        return not (after and after in lex.not_a_unit_before.get(unit.group(), ()))
    return text.startswith(("万", "亿", "千"), pos)


# Web addresses and e-mail addresses (详见http://www.hh.gov.cn/info/11481/1179592.htm); page numbers
# on a line of their own as a PDF's text layer keeps them (— 1 —, - 12 -, 第 3 页 共 10 页, 3/10);
# short service numbers before 热线 (12345政务服务热线, 12348公共法律服务热线); note references [1] 【2】.
_ADDRESS_RE = re.compile(
    # the lookahead lets the engine skip Chinese text cheaply: every alternative starts with one of these
    r"(?=[0-9A-Za-z._%+\-—–－第\[［【 \t])(?:(?P<url>(?:https?://|www\.)[0-9A-Za-z\-._~:/?#@!$&'*+=%]+)"
    r"|(?P<email>[0-9A-Za-z._%+\-]+@[0-9A-Za-z.\-]+\.[A-Za-z]{2,})"
    r"|(?P<page>(?m:^[ \t]*(?:[-—–－]+[ \t]*[0-9]{1,4}[ \t]*[-—–－]+|第[ \t]*[0-9]{1,4}[ \t]*页(?:[ \t]*[，,/]?[ \t]*共[ \t]*[0-9]{1,4}[ \t]*页)?|[0-9]{1,4}[ \t]*/[ \t]*[0-9]{1,4})[ \t]*$))"
    r"|(?P<hotline>(?<![0-9.])[0-9]{3,6}(?=(?:政务服务|便民服务|公共法律服务|服务|投诉|举报)?(?:热线|专线)))"
    r"|(?P<noteref>(?<![0-9A-Za-z])[\[［【][0-9]{1,2}[\]］】](?![0-9])))"
)
_ADDRESS_REASONS = {
    "url": (IDENTIFIER, "网址"),
    "email": (IDENTIFIER, "电子邮箱"),
    "page": (IDENTIFIER, "页码"),
    "hotline": (CONTACT, "服务热线号码"),
    "noteref": (IDENTIFIER, "注释编号"),
}


def _shape_spans(text: str) -> list[Span]:
    caption_re, contact_re, part_re, not_after = _shape_res()
    spans: list[Span] = []
    for m in _ADDRESS_RE.finditer(text):
        cls, reason = _ADDRESS_REASONS[m.lastgroup]
        spans.append(Span(m.start(), m.end(), cls, reason))
    for m in _SHAPES_RE.finditer(text):
        kind = m.lastgroup if m.lastgroup != "year" else "docno"
        start, end = m.span()
        if kind in ("phone", "mobile", "hotline"):
            spans.append(Span(start, end, CONTACT, "电话号码"))
        elif kind == "code":
            if _is_code(m.group()):
                spans.append(Span(start, end, IDENTIFIER, "编号或代码（数字字母以 - / _ 相连）"))
        elif kind == "prefix":
            spans.append(Span(start, end, IDENTIFIER, "单位或项目编码（编码-名称）"))
        elif kind == "docno" or m.group("docno"):
            spans.append(Span(start, end, DOC_NUMBER, "文号（〔〕在复制中丢失）"))
        elif kind == "ymd":
            if not _unit_follows(text, end):
                spans.append(Span(start, end, DATE, "连写的日期（年月日）"))
        elif kind in ("long", "zero"):
            if not _unit_follows(text, end):
                reason = "长串数字（编号）" if kind == "long" else "以0开头的编号"
                spans.append(Span(start, end, IDENTIFIER, reason))
    for m in contact_re.finditer(text):
        if m.group("contact"):
            number = _CONTACT_NUMBER_RE.match(text, m.end())
            # "接听热线电话1200余次" counts calls: a unit after the number makes it a figure
            if number and not _unit_follows(text, number.end()):
                spans.append(Span(number.start(), number.end(), CONTACT, "电话、传真或邮编"))
        else:
            number = _CODE_AFTER_WORD_RE.match(text, m.end())
            if number:
                spans.append(Span(number.start(), number.end(), IDENTIFIER, f"{m.group('code')}"))
    for m in caption_re.finditer(text):
        before = text[m.start() - 1] if m.start() else ""
        if before and before in not_after:
            continue
        if _unit_follows(text, m.end()):
            continue
        spans.append(Span(m.start(), m.end(), CAPTION, f"{m.group('word')}的编号"))
    for m in part_re.finditer(text):
        if m.group("num").isdigit() and m.start() and text[m.start() - 1].isdigit():
            continue
        spans.append(Span(m.start("num"), m.end(), PART_COUNT, "行文结构（几个部分、几个方面）"))
    return spans


def protected_spans(text: str) -> list[Span]:
    """Spans whose numerals are never figures, sorted and non-overlapping (the earlier span wins)."""
    spans: list[Span] = _shape_spans(text)
    for m in _PROTECTED_RE.finditer(text):
        kind = m.lastgroup if m.lastgroup not in ("qm", "qd") else "qdate"
        if m.group("title") is not None:
            if any(c in _NUMERAL_OR_DIGIT for c in m.group()):
                spans.append(Span(m.start(), m.end(), TITLE, "书名号内的标题"))
        elif m.group("docno") is not None:
            spans.append(Span(m.start(), m.end(), DOC_NUMBER, "文号"))
        elif m.group("qdate") is not None:
            if _valid_month_day(int(m.group("qm")), int(m.group("qd"))):
                spans.append(Span(m.start(), m.end(), DATE, "引号内的纪念日（月.日）"))
        elif kind == "ident":
            spans.append(Span(m.start(), m.end(), IDENTIFIER, "字母数字组成的编号或代码"))
    # a named term wins a tie with a shape (两大板块 is a named term before it is a count of parts)
    merged = sorted(_named_spans(text) + spans, key=lambda s: (s.start, -s.end))
    result: list[Span] = []
    for span in merged:
        if result and span.start < result[-1].end:
            continue  # inside a title or an earlier term
        result.append(span)
    return result


def _valid_month_day(month: int, day: int | None = None) -> bool:
    if not 1 <= month <= 12:
        return False
    return day is None or 1 <= day <= 31


# ---- dates ---------------------------------------------------------------------------------

_Y = r"(?:[0-9]{4}|[〇零一二三四五六七八九]{4})"
_M = r"(?:[0-9]{1,2}|十[一二]?|[一二三四五六七八九])"
_D = r"(?:[0-9]{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"
_DAY = rf"{_D}[ ]?[日号]"
_MONTH = rf"{_M}[ ]?月(?:份|上旬|中旬|下旬|初|底|末)?(?:[ ]?{_DAY})?"
DATE_RE = re.compile(
    rf"(?P<iso>[0-9]{{4}}[-/.][0-9]{{1,2}}[-/.][0-9]{{1,2}}(?![0-9]))"
    rf"|(?P<yrange>[0-9]{{4}}[ ]?[-~—–至到][ ]?[0-9]{{4}}[ ]?年度?)"
    rf"|(?P<year>{_Y}[ ]?年(?:度|底|初|末)?(?:[ ]?{_MONTH})?)"
    rf"|(?P<mrange>{_M}[ ]?[-~—–至到][ ]?{_M}[ ]?月份?)"
    rf"|(?P<month>{_MONTH})"
    rf"|(?P<day>{_D}[ ]?日)"
    rf"|(?P<quarter>[一二三四1-4][ ]?季度)"
    rf"|(?P<time>[0-9]{{1,2}}[:：][0-9]{{2}}(?![0-9]))"
)
_MONTH_NUM_RE = re.compile(rf"({_M})[ ]?月")
_DAY_NUM_RE = re.compile(rf"({_D})[ ]?[日号]")


def _numeral_value(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    return parse_chinese_int(text)


def date_end(text: str, start: int) -> int | None:
    """End offset of a valid date that starts at `start`, or None."""
    m = DATE_RE.match(text, start)
    if not m:
        return None
    found = m.group()
    if m.lastgroup in ("iso",):
        parts = re.split(r"[-/.]", found)
        if not _valid_month_day(int(parts[1]), int(parts[2])):
            return None
        return m.end()
    if m.lastgroup == "time":
        hours, minutes = re.split("[:：]", found)
        return m.end() if int(hours) <= 24 and int(minutes) < 60 else None
    for month in _MONTH_NUM_RE.findall(found):
        value = _numeral_value(month)
        if value is None or not _valid_month_day(value):
            return None
    for day in _DAY_NUM_RE.findall(found):
        value = _numeral_value(day)
        if value is None or not 1 <= value <= 31:
            return None
    return m.end()


def is_bare_year(core: str) -> bool:
    """A four-digit integer 1900–2100 with no unit is a year (温暖2022, NYBO 2023赛季)."""
    return len(core) == 4 and core.isdigit() and 1900 <= int(core) <= 2100


# ---- ordinals and list markers ---------------------------------------------------------------

ORDINAL_SUFFIX_RE = re.compile(r"个|届|次|期|批|名|位|条|款|项|章|节|季度|年|轮|站|场|号|部分|阶段|类|组|天|周|篇|集|代|种")


def ordinal_start(text: str, start: int) -> int | None:
    """Start of "第" when the numeral at `start` follows it (第四届, 第 113 个)."""
    pos = start - 1
    if pos >= 0 and text[pos] == " ":
        pos -= 1
    return pos if pos >= 0 and text[pos] == "第" else None


def ordinal_end(text: str, core_end: int) -> int:
    m = ORDINAL_SUFFIX_RE.match(text, core_end)
    return m.end() if m else core_end


_LINE_PREFIX_CHARS = " \t#>*-+"
_SENTENCE_BOUNDARY = set("。；;，,：:！？!?）)”\"」』 \t\n#")


def _at_line_start(text: str, start: int) -> bool:
    pos = start - 1
    while pos >= 0 and text[pos] in _LINE_PREFIX_CHARS:
        pos -= 1
    return pos < 0 or text[pos] == "\n" or text[pos] in "：:"


_MARKER_BOUNDARY = set("。；;！？!?|：:，,）)\n")


def _after_boundary(text: str, start: int) -> bool:
    pos = start - 1
    spaced = False
    while pos >= 0 and text[pos] in " \t":
        pos -= 1
        spaced = True
    if pos < 0:
        return True
    return text[pos] in _MARKER_BOUNDARY or (spaced and not text[pos].isdigit())


def _words_follow(text: str, pos: int) -> bool:
    while pos < len(text) and text[pos] == " ":
        pos += 1
    return pos < len(text) and ("\u4e00" <= text[pos] <= "\u9fff" or text[pos] in "（(“\"《【")


def list_marker_span(text: str, start: int, core_end: int, core: str, chinese: bool) -> tuple[int, int] | None:
    """(start, end) of a list marker around the numeral, or None.

    （一） (1) anywhere; 1、 1. 一、 at a line start or after a colon; 一是 after a sentence boundary.
    """
    short = len(core) <= (3 if chinese else 2) and "." not in core and "," not in core
    if not short:
        return None
    # (1) （一） （10）
    before = start - 1
    if before >= 0 and text[before] == " ":
        before -= 1
    if before >= 0 and text[before] in "（(":
        after = core_end
        if after < len(text) and text[after] == " ":
            after += 1
        if after < len(text) and text[after] in ")）":
            return before, after + 1
    if core_end >= len(text):
        return None
    nxt = text[core_end]
    # 1、 1. 1) 一、
    if nxt == "、" or (nxt in ")）" and not chinese) or (
        nxt == "." and not (core_end + 1 < len(text) and text[core_end + 1].isdigit())
    ):
        if _at_line_start(text, start) or (chinese and nxt == "、"):
            return start, core_end + 1
        # Flattened text (a PDF's lines joined, a table's cells run together): "… 作用。 2、紧紧…",
        # "| 1.项目年度目标", "理由；3.其他资金". After a boundary and before words, it is a marker.
        if _after_boundary(text, start) and _words_follow(text, core_end + 1):
            return start, core_end + 1
    # 一是 二是 (after a boundary, not inside a word such as 统一是)
    if chinese and nxt == "是":
        prev = text[start - 1] if start else "\n"
        if prev in _SENTENCE_BOUNDARY:
            return start, core_end + 1
    return None


# ---- indefinite "一" -----------------------------------------------------------------------

_COUNTING_WORDS_RE = re.compile(r"(?:共|仅|只|合计|总计|累计|新增|增加|减少)[了 ]?$")


def is_indefinite(text: str, start: int, core: str) -> bool:
    """一 + count unit used as "a" (一个平台, 一批产品) unless a counting word precedes it (共一个)."""
    if core != "一":
        return False
    return not _COUNTING_WORDS_RE.search(text, max(0, start - 4), start)
