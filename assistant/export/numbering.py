"""Official heading numbers by level: 一、 （一） 1. （1） (GB/T 9704 practice for these reports)."""

from __future__ import annotations

DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (headings never need more)."""
    if n <= 0 or n >= 100:
        raise ValueError(f"heading number out of range: {n}")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return DIGITS[ones]
    prefix = "" if tens == 1 else DIGITS[tens]
    return f"{prefix}十{DIGITS[ones] if ones else ''}"


def heading_label(level: int, n: int) -> str:
    if level == 1:
        return f"{chinese_number(n)}、"
    if level == 2:
        return f"（{chinese_number(n)}）"
    if level == 3:
        return f"{n}."
    return f"（{n}）"


class HeadingCounter:
    """Numbers headings in document order; a deeper level restarts when a shallower one advances."""

    def __init__(self) -> None:
        self.counts = [0, 0, 0, 0]

    def next(self, level: int) -> str:
        index = level - 1
        self.counts[index] += 1
        for deeper in range(index + 1, len(self.counts)):
            self.counts[deeper] = 0
        return heading_label(level, self.counts[index])
