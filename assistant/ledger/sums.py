"""Parts → total relations of the figures model, as data, and totals derived from their parts.

One list (`sum_rules`) says which fields add up to which total; the checker checks it and the
calculator uses it to fill a total the user left blank. A blank total is derived only when every
part is entered (a blank part is "not entered", never 0); the derived value is exact `Decimal`
arithmetic and is recorded with the part fields it came from, so the ledger can mark it 分项之和.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from assistant.figures.model import (
    FUND_COLUMNS,
    FUND_PARTS,
    FUND_TYPES,
    INCOME_PARTS,
    STAFF_KINDS,
    Figures,
)

Path = tuple[Any, ...]
DERIVED_FORMULA = "分项之和"

# Blocks holding an income and an expenditure model, as field paths.
MONEY_BLOCKS: tuple[Path, ...] = (("budget",), ("adjusted_budget",), ("final",), ("last_year",))
THREE_PUBLIC_STAGES = ("budget", "actual", "last_year_actual", "last_year_budget")


@dataclass(frozen=True)
class SumRule:
    id: str
    total: Path
    parts: tuple[Path, ...]
    unit: str = "万元"
    # With `require_all`, a total entered with some parts missing is not checked (the missing part
    # may be the difference); otherwise the entered parts must add up to the total.
    require_all: bool = False
    # Whether a blank total with only some parts entered is reported (the parent relation reports
    # it instead for the vehicle split).
    warn_partial: bool = True


def get_path(model: Any, path: Path) -> Any:
    value = model
    for step in path:
        if value is None:
            return None
        if isinstance(step, int):
            value = value[step] if isinstance(value, list) and step < len(value) else None
        else:
            value = getattr(value, step, None)
    return value


def dotted(path: Path) -> str:
    return ".".join(str(p) for p in path)


def _staff_rule(rule_id: str, base: Path, staffing: Any) -> SumRule:
    others = tuple((*base, "authorized_other", i, "count") for i, _ in enumerate(staffing.authorized_other))
    parts = tuple((*base, kind) for kind in STAFF_KINDS) + others
    return SumRule(rule_id, (*base, "authorized_total"), parts, unit="人")


def sum_rules(figures: Figures) -> list[SumRule]:
    """Every parts → total relation for these figures (lists such as projects vary per file)."""
    rules: list[SumRule] = []
    for base in MONEY_BLOCKS:
        block = base[0]
        if get_path(figures, base) is None:
            continue
        inc, exp = (*base, "income"), (*base, "expenditure")
        rules.append(SumRule(f"sum.{block}.income", (*inc, "total"), tuple((*inc, s) for s in INCOME_PARTS)))
        # 基本支出 first: a derived 基本支出 then counts towards 支出合计.
        rules.append(SumRule(f"sum.{block}.basic", (*exp, "basic"), ((*exp, "personnel"), (*exp, "public")), require_all=True))
        rules.append(SumRule(f"sum.{block}.expenditure", (*exp, "total"), ((*exp, "basic"), (*exp, "project")), require_all=True))
        rules.append(SumRule(f"sum.{block}.fund_types", (*exp, "total"), tuple((*exp, t) for t in FUND_TYPES)))
    for stage in THREE_PUBLIC_STAGES:
        base = ("three_public", stage)
        if get_path(figures, base) is None:
            continue
        # Vehicle costs may be entered only as purchase + operation; those then stand for the vehicle part.
        split = get_path(figures, (*base, "vehicle")) is None and any(
            get_path(figures, (*base, name)) is not None for name in ("vehicle_purchase", "vehicle_operation")
        )
        rules.append(
            SumRule(f"sum.three_public.{stage}.vehicle", (*base, "vehicle"), ((*base, "vehicle_purchase"), (*base, "vehicle_operation")), require_all=True, warn_partial=False)
        )
        vehicle = ((*base, "vehicle_purchase"), (*base, "vehicle_operation")) if split else ((*base, "vehicle"),)
        rules.append(SumRule(f"sum.three_public.{stage}", (*base, "total"), ((*base, "overseas"), *vehicle, (*base, "reception"))))
    for base in (("procurement",), ("last_year", "procurement")):
        if get_path(figures, base) is not None:
            name = "sum." + ".".join(base)
            rules.append(SumRule(name, (*base, "total"), tuple((*base, p) for p in ("goods", "works", "services"))))
    rules.append(_staff_rule("sum.staffing", ("staffing",), figures.staffing))
    if figures.last_year is not None and figures.last_year.staffing is not None:
        rules.append(_staff_rule("sum.last_year.staffing", ("last_year", "staffing"), figures.last_year.staffing))
    for i, _ in enumerate(figures.projects):
        for col in FUND_COLUMNS:
            rules.append(
                SumRule(
                    f"sum.project.funds.{col}",
                    ("projects", i, "funds", "total", col),
                    tuple(("projects", i, "funds", part, col) for part in FUND_PARTS),
                )
            )
    return rules


@dataclass(frozen=True)
class Derivation:
    total: str  # dotted field path of the total
    parts: tuple[str, ...]  # the part fields it was summed from
    inputs: tuple[str, ...]  # the fields the user typed (parts that were derived themselves, expanded)
    value: Decimal


def _set_path(model: Any, path: Path, value: Any) -> None:
    target = get_path(model, path[:-1])
    setattr(target, path[-1], value)


def derive_totals(figures: Figures) -> tuple[Figures, dict[str, Derivation]]:
    """A copy of `figures` with every blank total whose parts are all entered filled in, and what was
    derived (dotted total path → Derivation). The figures passed in are not changed."""
    completed = figures.model_copy(deep=True)
    derived: dict[str, Derivation] = {}
    # Relations chain (人员经费 + 公用经费 → 基本支出 → 支出合计; 购置 + 运行 → 公务用车 → 三公合计):
    # repeat until nothing new can be derived. Each pass fills at least one field or stops.
    for _ in range(8):
        changed = False
        for rule in sum_rules(completed):
            if get_path(completed, rule.total) is not None:
                continue
            values = [get_path(completed, p) for p in rule.parts]
            if not values or any(v is None for v in values):
                continue
            total = sum((Decimal(v) for v in values), Decimal(0))
            value: Any = int(total) if rule.unit == "人" else total
            _set_path(completed, rule.total, value)
            parts = tuple(dotted(p) for p in rule.parts)
            inputs: list[str] = []
            for part in parts:
                for name in (derived[part].inputs if part in derived else (part,)):
                    if name not in inputs:
                        inputs.append(name)
            derived[dotted(rule.total)] = Derivation(dotted(rule.total), parts, tuple(inputs), Decimal(value))
            changed = True
        if not changed:
            break
    return completed, derived


def partial_parts(figures: Figures) -> list[tuple[SumRule, list[Path], list[Path]]]:
    """Blank totals that cannot be derived because only some of their parts are entered:
    (rule, entered parts, blank parts), on the completed figures, once per total."""
    completed, _ = derive_totals(figures)
    found: list[tuple[SumRule, list[Path], list[Path]]] = []
    seen: set[Path] = set()
    for rule in sum_rules(completed):
        if not rule.warn_partial or rule.total in seen or get_path(completed, rule.total) is not None:
            continue
        entered = [p for p in rule.parts if get_path(completed, p) is not None]
        blank = [p for p in rule.parts if get_path(completed, p) is None]
        if entered and blank:
            found.append((rule, entered, blank))
            seen.add(rule.total)
    return found

