"""Scoring arithmetic, in Decimal: department rules (DOMAIN §5) and project indicators (DOMAIN §4).

Project indicators score a share of their 分值:
- ≥ (higher is better): min(实际 ÷ 目标, 1); a target of 0 is met by any value.
- ≤ (lower is better, e.g. cost): 实际 ≤ 目标 → 1 (so an actual of 0 scores full), else 目标 ÷ 实际.
- = (a value to hit exactly): 1 when equal, else max(0, 1 − |实际 − 目标| ÷ |目标|), i.e. the
  proportional deviation is deducted; with a target of 0 any other value scores 0.
"""

from __future__ import annotations

from decimal import Decimal

from assistant.figures.model import Comparator
from assistant.scoring.model import num
from assistant.scoring.profiles import DepartmentIndicatorSpec, RuleSpec, parse_interval

ZERO = Decimal(0)
ONE = Decimal(1)


def achievement(comparator: Comparator, target: Decimal, actual: Decimal) -> Decimal:
    """The share (0–1) of a quantitative indicator's 分值 it earns."""
    if comparator == Comparator.ge:
        if target <= 0:
            return ONE
        return max(ZERO, min(actual / target, ONE))
    if comparator == Comparator.le:
        if actual <= target:
            return ONE
        return max(ZERO, target / actual) if actual > 0 else ZERO
    if comparator == Comparator.eq:
        if actual == target:
            return ONE
        if target == 0:
            return ZERO
        return max(ZERO, ONE - abs(actual - target) / abs(target))
    raise ValueError("定性指标没有定量完成比例")


INDICATOR_FORMULAS = {
    Comparator.ge: "min(实际完成值 ÷ 年度指标值, 1) × 分值",
    Comparator.le: "min(年度指标值 ÷ 实际完成值, 1) × 分值",
    Comparator.eq: "max(0, 1 − |实际完成值 − 年度指标值| ÷ 年度指标值) × 分值",
    Comparator.qualitative: "定性指标评为达成，按档次上限（分值的100%）计分",
}


def _deduction_per_step(rule: RuleSpec, weight: Decimal) -> Decimal:
    return rule.deduct if rule.deduct is not None else rule.deduct_share * weight  # type: ignore[operator]


def rule_score(rule: RuleSpec, weight: Decimal, value: Decimal) -> Decimal:
    """Score of a department indicator whose (validated) rule is computed from a value."""
    if rule.absolute:
        value = abs(value)
    if rule.kind == "at_most":
        over = value - rule.threshold  # type: ignore[operator]
        if over <= 0:
            return weight
        return max(ZERO, weight - over / rule.per * _deduction_per_step(rule, weight))
    if rule.kind == "at_least":
        short = rule.threshold - value  # type: ignore[operator]
        if short <= 0:
            return weight
        return max(ZERO, weight - short / rule.per * _deduction_per_step(rule, weight))
    if rule.kind == "proportional":
        comparator = Comparator.ge if rule.direction == "≥" else Comparator.le
        return achievement(comparator, rule.target, value) * weight  # type: ignore[arg-type]
    if rule.kind == "bands":
        for band in rule.bands:
            if parse_interval(band.range).contains(value):
                return band.score
        # Validation guarantees `otherwise` whenever the bands leave a gap.
        return rule.otherwise if rule.otherwise is not None else ZERO
    raise ValueError(f"评分方式 {rule.kind} 不按指标值计算")


def describe_rule(ind: DepartmentIndicatorSpec, unit: str = "%") -> str:
    """The 评分标准 text printed in the department table."""
    rule, w = ind.rule, ind.weight
    if rule.kind in ("at_most", "at_least"):
        step = f"每{'超过' if rule.kind == 'at_most' else '低'}{num(rule.per)}个百分点"
        if rule.deduct is not None:
            deduct = f"扣{num(rule.deduct)}分"
        else:
            deduct = f"扣分值的{num(rule.deduct_share * 100)}%（{num(rule.deduct_share * w)}分）"  # type: ignore[operator]
        sign = "≤" if rule.kind == "at_most" else "≥"
        prorate = f"（不足{num(rule.per)}个百分点按比例扣分）" if rule.per != 1 else ""
        return f"{sign}{num(rule.threshold)}{unit}得满分，{step}{deduct}{prorate}，扣完为止"  # type: ignore[arg-type]
    if rule.kind == "proportional":
        if rule.direction == "≥":
            return f"得分 = min(实际值 ÷ {num(rule.target)}{unit}, 1) × 分值"  # type: ignore[arg-type]
        return f"≤{num(rule.target)}{unit}得满分，超过时得分 = {num(rule.target)}{unit} ÷ 实际值 × 分值"  # type: ignore[arg-type]
    if rule.kind == "bands":
        value = "|x|" if rule.absolute else "x"
        parts = [f"{parse_interval(b.range).describe(unit).replace('x', value)}得{num(b.score)}分" for b in rule.bands]
        if rule.otherwise is not None:
            parts.append(f"其余得{num(rule.otherwise)}分")
        return "；".join(parts)
    return f"由评价人根据实际情况填报（0–{num(w)}分）"
