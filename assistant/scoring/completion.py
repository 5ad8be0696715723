"""实际完成率 of the department table: how far the 部门整体绩效指标 were achieved, as one ledger fact.

Each applicable quantitative indicator contributes its achievement share (the same arithmetic as a
project indicator: ≥ actual ÷ target, ≤ target ÷ actual, capped at 100%, see assistant.scoring.rules),
and the fact is their mean × 100%. Over-fulfilment of one indicator (5792 ÷ 5000 = 115.84%) counts as
100% so it cannot hide a shortfall elsewhere. Qualitative indicators have no rate and are left out.
"""

from __future__ import annotations

from decimal import Decimal

from assistant.ledger.facts import Fact, Ledger
from assistant.figures.model import Comparator, Figures
from assistant.scoring.keys import COMPLETION_KEY
from assistant.scoring.model import quoted
from assistant.scoring.rules import achievement

LABEL = "实际完成率"


def add_completion_fact(figures: Figures, ledger: Ledger) -> None:
    if COMPLETION_KEY in ledger or COMPLETION_KEY in ledger.missing:
        return
    shares: list[Decimal] = []
    inputs: list[str] = []
    for j, ind in enumerate(figures.performance_indicators):
        if not ind.applicable or ind.comparator == Comparator.qualitative:
            continue
        if ind.target is None or ind.actual is None:
            ledger.add_missing(COMPLETION_KEY, LABEL, f"部门整体绩效指标{quoted(ind.name)}缺少年度指标值或实际完成值")
            return
        shares.append(achievement(ind.comparator, ind.target, ind.actual))
        inputs.extend((f"performance_indicators.{j}.target", f"performance_indicators.{j}.actual"))
    if not shares:
        ledger.add_missing(COMPLETION_KEY, LABEL, "没有可计算完成率的部门整体定量绩效指标")
        return
    value = sum(shares, Decimal(0)) / len(shares) * 100
    ledger.add(
        Fact(
            COMPLETION_KEY,
            value,
            "%",
            LABEL,
            ("绩效指标平均完成率", "指标完成率"),
            f"{len(shares)}项部门整体定量绩效指标完成程度的平均数（单项超额完成按100%计）",
            tuple(inputs),
            "derived",
            False,
            "绩效指标",
        )
    )
