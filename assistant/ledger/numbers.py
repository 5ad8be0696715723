"""The one place where figures become text.

Values stay unrounded `Decimal` everywhere else; rounding (ROUND_HALF_UP, 2 dp) happens here, at
display time only. Published reports drop trailing zeros on amounts ("3万元", "77.4万元") but print
rates with two decimals ("39.55%", "100.00%"); `format_value` follows that house style.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

TWO_PLACES = Decimal("0.01")
AMOUNT_UNITS = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10000), "亿元": Decimal(100000000)}
PERCENT = "%"


def to_decimal(value) -> Decimal:
    """Exact conversion; floats go through their shortest repr so 0.1 stays 0.1."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, float):
        return Decimal(repr(value))
    try:
        return Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def round2(value: Decimal, places: Decimal = TWO_PLACES) -> Decimal:
    # quantize raises when the result has more digits than the context precision (28 by default),
    # e.g. a large ratio over a tiny denominator: widen the precision to fit the rounded result.
    digits = max(value.adjusted(), 0) + 1 - places.as_tuple().exponent
    with localcontext() as ctx:
        ctx.prec = max(ctx.prec, digits)
        return value.quantize(places, rounding=ROUND_HALF_UP)


def _plain(value: Decimal) -> str:
    # A value that rounds to zero prints unsigned at its full width ("0.00", not "-0.00" or "0").
    if value.is_zero():
        value = abs(value)
    return format(value, "f")


def format_number(value: Decimal, trim: bool, places: Decimal = TWO_PLACES) -> str:
    """Round half up to `places`; with `trim`, drop trailing zeros ("3.00" → "3", "0.50" → "0.5")."""
    text = _plain(round2(value, places))
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def is_amount_unit(unit: str) -> bool:
    return unit in AMOUNT_UNITS


def format_value(value: Decimal, unit: str, *, absolute: bool = False) -> str:
    """Display text for a ledger value: amounts trimmed, rates 2 dp, counts as integers when whole.

    `absolute` prints the magnitude only, for phrases that carry the sign in words (增加/减少).
    """
    if absolute:
        value = abs(value)
    if unit == PERCENT:
        return f"{format_number(value, trim=False)}%"
    if unit == "分":
        return f"{format_number(value, trim=True)}分"
    if is_amount_unit(unit):
        return f"{format_number(value, trim=True)}{unit}"
    return f"{format_number(value, trim=True)}{unit}"


def change_words(value: Decimal) -> tuple[str, str]:
    """The verbs a report uses for a signed change: (amount verb, rate verb)."""
    if value > 0:
        return "增加", "增长"
    if value < 0:
        return "减少", "下降"
    return "持平", "持平"


def convert_amount(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    return value * AMOUNT_UNITS[from_unit] / AMOUNT_UNITS[to_unit]
