"""Chinese numerals to `Decimal`: 三 → 3, 一百二十 → 120, 两千 → 2000, 一万二千 → 12000, 八十七点五 → 87.5.

Financial capitals and traditional forms (壹贰叁…拾佰仟, 萬, 億, 兩) read as the ordinary numerals.
Only well-formed numerals parse; a run such as 一一 or 五一 (two plain digits side by side) is not a
number but a word, and `parse_chinese` returns None for it. Digit-by-digit writing (二〇二三) is
accepted only when it contains 〇/零 or is four digits long, which is how years are written.
"""

from __future__ import annotations

from decimal import Decimal

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
BIG_UNITS = {"万": 10**4, "亿": 10**8}
NUMERAL_CHARS = "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(BIG_UNITS)
POINT = "点"


def _digit_by_digit(text: str) -> int | None:
    if not all(c in DIGITS for c in text):
        return None
    if len(text) < 2 or not (len(text) == 4 or any(c in "零〇" for c in text)):
        return None
    return int("".join(str(DIGITS[c]) for c in text))


def parse_chinese_int(text: str) -> int | None:
    """Integer value of a Chinese numeral, or None when `text` is not a well-formed numeral."""
    if not text:
        return None
    plain = _digit_by_digit(text)
    if plain is not None:
        return plain
    total = 0  # everything above the current 万/亿 section
    section = 0  # the current section below 万
    digit: int | None = None
    last_small = 10**5  # small units must fall within a section: 千 > 百 > 十
    last_big = 10**12
    after_zero = False
    for ch in text:
        if ch in DIGITS:
            value = DIGITS[ch]
            if value == 0:
                if digit is not None:
                    return None
                after_zero = True
                continue
            if digit is not None:
                return None  # two digits side by side: 五一, 一一
            digit = value
        elif ch in SMALL_UNITS:
            unit = SMALL_UNITS[ch]
            if unit >= last_small:
                return None
            if digit is None and (section or after_zero or total):
                # 一百十 is unusual but 一万十 / 千十 are not numerals; only a leading 十 may stand alone
                if unit != 10:
                    return None
            section += (digit if digit is not None else 1) * unit
            digit = None
            last_small = unit
            after_zero = False
        elif ch in BIG_UNITS:
            unit = BIG_UNITS[ch]
            if unit >= last_big:
                return None  # 万万, 万亿: not written in these reports
            if digit is not None:
                section += digit
            if section == 0 and total == 0:
                section = 1  # 万 alone, as in 万余人
            if unit == 10**8:
                total = (total + section) * unit
            else:
                total += section * unit
            section = 0
            digit = None
            last_small = 10**5
            last_big = unit
            after_zero = False
        else:
            return None
    if digit is not None:
        section += digit
    return total + section


_CAPITALS = str.maketrans(
    {"壹": "一", "贰": "二", "貳": "二", "叁": "三", "參": "三", "肆": "四", "伍": "五", "陆": "六", "陸": "六", "柒": "七",
     "捌": "八", "玖": "九", "拾": "十", "佰": "百", "仟": "千", "萬": "万", "億": "亿", "兩": "两", "點": "点"}
)


def parse_chinese(text: str) -> Decimal | None:
    """A Chinese numeral with an optional decimal part after 点 (八十七点五 → 87.5); 壹佰 reads as 一百."""
    text = text.translate(_CAPITALS)
    integer_part, _, fraction = text.partition(POINT)
    value = parse_chinese_int(integer_part)
    if value is None:
        return None
    if not fraction:
        return Decimal(value)
    if not all(c in DIGITS for c in fraction):
        return None
    return Decimal(f"{value}.{''.join(str(DIGITS[c]) for c in fraction)}")


def decimals_shown(text: str) -> int:
    """Number of decimals written in a numeral (Arabic "20.62" → 2, Chinese "八十七点五" → 1)."""
    for sep in (".", POINT):
        if sep in text:
            return len(text.split(sep, 1)[1])
    return 0
