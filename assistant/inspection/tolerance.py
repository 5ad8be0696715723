"""The one rounding rule of 体检: how a printed figure is compared with the value recomputed from others.

Published reports print amounts and percentages rounded half up (ROUND_HALF_UP) to the places they
show, usually 2. A printed value is consistent with a recomputed one when it differs by no more than
half a unit of its own last printed place (77.4 vs 77.43 ✓, 18.76 vs 18.754 ✗). Every relation is
recomputed from the figures as printed, with Decimal, and rounded only for the comparison.

A printed value that equals the recomputed one cut off (ROUND_DOWN) at its places, where rounding
half up gives something else, is a warning, not an error: "按四舍五入应为…" (18.75 printed, 18.756).

Sums of listed parts that fall short of their stated total by more than the tolerance: when the gap
is at most `SLIP_ABSOLUTE` (0.10, i.e. 1000 元 when in 万元) or at most `PARTIAL_LIST_SHARE` of
the total, it reads as an arithmetic slip (24.78 vs 24.86) and is an error;
a larger gap means the list after “其中” names only some parts, so the relation is listed as
unchecked instead of being guessed. Parts adding to more than their total are always an error.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
PARTIAL_LIST_SHARE = Decimal("0.01")
SLIP_ABSOLUTE = Decimal("0.10")

CONSISTENT = "consistent"
TRUNCATED = "truncated"
INCONSISTENT = "inconsistent"


def unit_of(places: int) -> Decimal:
    """One unit of the last printed place: 2 → 0.01, 0 → 1."""
    return Decimal(1).scaleb(-max(places, 0))


def half_unit(places: int) -> Decimal:
    return unit_of(places) / 2


def rounded(value: Decimal, places: int) -> Decimal:
    """`value` rounded half up to `places` decimals (how the reports print)."""
    return value.quantize(unit_of(places), rounding=ROUND_HALF_UP)


def truncated(value: Decimal, places: int) -> Decimal:
    return value.quantize(unit_of(places), rounding=ROUND_DOWN)


def is_slip(gap: Decimal, total: Decimal, places: int) -> bool:
    """A shortfall of the parts small enough to be a slip rather than an incomplete list."""
    del places  # the slip is judged on the amount, whatever the places printed
    return gap <= SLIP_ABSOLUTE or gap <= abs(total) * PARTIAL_LIST_SHARE


def compare(stated: Decimal, computed: Decimal, places: int) -> str:
    """CONSISTENT, TRUNCATED (a warning) or INCONSISTENT (an error) for a printed value."""
    if abs(stated - computed) <= half_unit(places):
        return CONSISTENT
    if stated == truncated(computed, places) and stated != rounded(computed, places):
        return TRUNCATED
    return INCONSISTENT


def shown(value: Decimal, places: int) -> str:
    """A recomputed value as it would be printed (2 → '18.76'); exact sums keep their own places."""
    return format(rounded(value, places), "f")


def plain(value: Decimal) -> str:
    """A printed or exactly summed value without exponent or trailing noise."""
    text = format(value, "f")
    return text
