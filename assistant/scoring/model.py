"""Pieces shared by both self-evaluation tables: a scored line, the grade scale and the totals.

A `ScoreCell` holds one line's 分值 together with the computed score, the score the user entered and
the one that is used, so every table can show "计算 vs 填报" side by side. A line whose score cannot be
computed and was not entered is "需补充" — never 0 — and leaves the table's total incomplete.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Optional

from assistant.ledger.numbers import format_number, format_value, round2

NEEDS_INPUT = "需补充"
NOT_APPLICABLE = "不适用"
HUNDRED = Decimal(100)


def quoted(text: object) -> str:
    """“text”, with quotes inside turned to ‘’ as Chinese nesting requires (“‘三公’经费变动率”)."""
    inner = str(text).replace("“", "‘").replace("”", "’")
    return f"“{inner}”"


def num(value: Decimal) -> str:
    """A score or weight as the tables print it: 2 dp, trailing zeros dropped."""
    return format_number(value, trim=True)


@dataclass
class ScoreCell:
    weight: Optional[Decimal]
    computed: Optional[Decimal] = None
    entered: Optional[Decimal] = None
    applicable: bool = True
    missing: Optional[str] = None  # why no score could be computed; shown after 需补充
    error: Optional[str] = None  # an entered score that cannot be used, in Chinese

    @property
    def used(self) -> Optional[Decimal]:
        # An entered score that is out of range is never silently replaced by the computed one.
        if not self.applicable or self.error:
            return None
        return self.entered if self.entered is not None else self.computed

    @property
    def source(self) -> str:
        if not self.applicable:
            return NOT_APPLICABLE
        if self.error:
            return "填报有误"
        if self.entered is not None:
            return "填报"
        if self.computed is not None:
            return "计算"
        return NEEDS_INPUT

    @property
    def differs(self) -> bool:
        return self.entered is not None and self.computed is not None and self.entered != self.computed

    def used_text(self) -> str:
        if not self.applicable:
            return NOT_APPLICABLE
        used = self.used
        return num(used) if used is not None else NEEDS_INPUT

    def computed_text(self) -> str:
        if not self.applicable:
            return NOT_APPLICABLE
        return num(self.computed) if self.computed is not None else "—"

    def entered_text(self) -> str:
        return num(self.entered) if self.entered is not None else "—"

    def weight_text(self) -> str:
        return num(self.weight) if self.weight is not None else NEEDS_INPUT

    def to_dict(self) -> dict:
        def s(v: Optional[Decimal]) -> Optional[str]:
            return None if v is None else str(v)

        return {
            "weight": s(self.weight),
            "computed": s(self.computed),
            "entered": s(self.entered),
            "used": s(self.used),
            "source": self.source,
            "applicable": self.applicable,
            "missing": self.missing,
            "error": self.error,
        }


def override_notes(lines: Iterable[tuple[str, "ScoreCell"]]) -> list[str]:
    """One sentence per line whose entered score differs from the computed one."""
    return [
        f"{name}填报得分{num(cell.entered)}分，计算得分{num(cell.computed)}分，采用填报得分。"  # type: ignore[arg-type]
        for name, cell in lines
        if cell.applicable and not cell.error and cell.differs
    ]


def check_entered(entered: Optional[Decimal], low: Decimal, high: Decimal, what: str) -> Optional[str]:
    """The Chinese error for an entered score outside [low, high], or None."""
    if entered is None or low <= entered <= high:
        return None
    return f"{what}填报得分{num(entered)}分，应在{num(low)}–{num(high)}分之间。"


@dataclass(frozen=True)
class GradeScale:
    """(grade, lowest total) pairs, highest first: 优 90, 良 80, 中 60, 差 0."""

    bands: tuple[tuple[str, Decimal], ...]

    def grade(self, total: Decimal) -> str:
        # Graded on the total as printed (2 dp, half up), so the printed score and its grade agree:
        # 89.996 prints as 90.00 and is 优.
        shown = round2(total)
        for name, lowest in self.bands:
            if shown >= lowest:
                return name
        return self.bands[-1][0]

    def describe(self) -> str:
        parts = []
        for i, (name, lowest) in enumerate(self.bands):
            if i == len(self.bands) - 1:
                parts.append(f"{name}（{num(self.bands[i - 1][1])}分以下）" if i else name)
            else:
                parts.append(f"{name}（{num(lowest)}分及以上）")
        return "、".join(parts)


@dataclass
class Totals:
    """Σ used scores over applicable lines, rescaled to the full marks when lines are dropped."""

    raw: Decimal
    applicable_weight: Decimal
    full_marks: Decimal
    pending: list[str] = field(default_factory=list)  # names of lines still 需补充 or wrongly entered
    dropped: list[str] = field(default_factory=list)  # names of lines marked 不适用
    scored: int = 0  # lines with a usable score

    @property
    def complete(self) -> bool:
        return not self.pending and self.applicable_weight > 0

    @property
    def rescaled(self) -> bool:
        return self.applicable_weight != self.full_marks

    @property
    def total(self) -> Optional[Decimal]:
        if not self.complete:
            return None
        if not self.rescaled:
            return self.raw
        return self.raw * self.full_marks / self.applicable_weight

    def formula(self) -> str:
        if self.rescaled:
            return f"各项得分合计 × {num(self.full_marks)} ÷ 适用分值合计{num(self.applicable_weight)}"
        return "各项得分合计"

    def notes(self) -> list[str]:
        out: list[str] = []
        if self.dropped:
            out.append(f"以下指标不适用，不计分：{'、'.join(self.dropped)}。")
        if self.complete and self.rescaled:
            out.append(
                f"适用指标分值合计{num(self.applicable_weight)}分，总分按“得分合计 × {num(self.full_marks)} ÷ "
                f"{num(self.applicable_weight)}”折算为{num(self.full_marks)}分制。"
            )
        if self.pending:
            scored = f"；已评分的{self.scored}项合计{num(self.raw)}分" if self.scored else ""
            out.append(f"总分暂缺：{len(self.pending)}项{NEEDS_INPUT}（{'、'.join(self.pending)}）{scored}。")
        return out


def totals(lines: Iterable[tuple[str, ScoreCell]], full_marks: Decimal) -> Totals:
    result = Totals(Decimal(0), Decimal(0), full_marks)
    for name, cell in lines:
        if not cell.applicable:
            result.dropped.append(name)
            continue
        if cell.weight is not None:
            result.applicable_weight += cell.weight
        used = cell.used
        if used is not None:
            result.raw += used
            result.scored += 1
        if used is None or cell.weight is None:
            result.pending.append(name)
    return result


class GradedTable:
    """Total and grade of a scored table; the table supplies `totals` and a `profile` with a grade scale."""

    @property
    def total(self) -> Optional[Decimal]:
        return self.totals.total

    @property
    def complete(self) -> bool:
        return self.totals.complete

    @property
    def grade(self) -> Optional[str]:
        total = self.total
        return None if total is None else self.profile.grade_scale.grade(total)

    def total_text(self) -> str:
        total = self.total
        return format_value(total, "分") if total is not None else NEEDS_INPUT

    def grade_text(self) -> str:
        return self.grade or NEEDS_INPUT

    def summary_dict(self) -> dict:
        """Total, grade and the notes behind them, for a table's to_dict()."""
        return {
            "total": None if self.total is None else str(self.total),
            "total_text": self.total_text(),
            "grade": self.grade,
            "complete": self.complete,
            "notes": self.totals.notes(),
            "warnings": list(self.warnings),
            "errors": list(self.errors),
        }
