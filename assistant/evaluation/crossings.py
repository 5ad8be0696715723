"""Threshold crossings a report must evaluate, found from the ledger on their own (not from the drafter).

在职人员 above 编制, 公用经费 / “三公”经费 / a “三公” item above budget, budget execution or a project's
execution below the templates' `execution_rate_min`, an indicator short of its target. Each must have an
evaluation sentence in its section: a sentence naming the matter, followed (in it or the next sentence)
by the effect (超过预算, 超编, 偏慢, 未完成 …) and 原因 — with the user's reason or 【待补：原因】.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Optional

from assistant.figures.model import Figures
from assistant.ledger.facts import Ledger

HUNDRED = Decimal(100)
_SENTENCE = re.compile(r"[^。！？\n]+[。！？]?")
OVER = ("超过预算", "超出预算", "超预算")
SLOW = ("偏慢", "偏低", "滞后")
UNMET = ("未完成", "未达到", "未达标")
_ITEMS = {"overseas": "因公出国（境）费", "vehicle": "公务用车购置及运行维护费", "reception": "公务接待费"}


@dataclass(frozen=True)
class Crossing:
    template: str  # the outline template whose section must evaluate it
    matter: str  # what crossed, in Chinese (for messages)
    names: tuple[str, ...]
    effects: tuple[str, ...]


def _value(ledger: Ledger, key: str) -> Optional[Decimal]:
    fact = ledger.get(key)
    return None if fact is None else fact.value


def crossings(figures: Figures, ledger: Ledger, execution_rate_min: Decimal) -> list[Crossing]:
    from assistant.drafting.assessments import unmet

    out: list[Crossing] = []
    actual, authorized = _value(ledger, "staffing.actual"), _value(ledger, "staffing.authorized_total")
    if actual is not None and authorized is not None and actual > authorized:
        out.append(Crossing("staffing", "在职人员超编", ("在职人员", "编制"), ("超编", "超过编制")))
    public = _value(ledger, "final.public_control_rate")
    if public is not None and public > HUNDRED:
        out.append(Crossing("final", "公用经费超预算", ("公用经费",), OVER))
    rate = _value(ledger, "final.execution_rate")
    if rate is not None and rate < execution_rate_min:
        out.append(Crossing("final", "预算执行率偏低", ("执行",), SLOW))
    budget, spent = _value(ledger, "three_public.budget.total"), _value(ledger, "three_public.actual.total")
    if budget is not None and spent is not None and spent > budget:
        out.append(Crossing("three_public", "“三公”经费超预算", ("“三公”经费",), OVER))
    for item, label in _ITEMS.items():
        b, a = _value(ledger, f"three_public.budget.{item}"), _value(ledger, f"three_public.actual.{item}")
        if b is not None and a is not None and a > b:
            out.append(Crossing("three_public", f"{label}超预算", (label,), OVER))
    for i, project in enumerate(figures.projects, start=1):
        rate = _value(ledger, f"project.{i}.execution_rate")
        if rate is not None and rate < execution_rate_min:
            out.append(Crossing("goals", f"{project.name}执行偏慢", (project.name,), SLOW))
        for indicator in project.indicators:
            if unmet(indicator):
                out.append(Crossing("goals", f"{indicator.name}未完成", (indicator.name,), UNMET))
    for indicator in figures.performance_indicators:
        if unmet(indicator):
            out.append(Crossing("goals", f"{indicator.name}未完成", (indicator.name,), UNMET))
    return out


def evaluated(crossing: Crossing, text: str) -> bool:
    sentences = _SENTENCE.findall(text or "")
    for i, sentence in enumerate(sentences):
        if not any(name in sentence for name in crossing.names):
            continue
        for candidate in sentences[i : i + 2]:
            if any(effect in candidate for effect in crossing.effects) and "原因" in candidate:
                return True
    return False


def unevaluated(report: Any, figures: Figures, ledger: Ledger) -> list[str]:
    """The crossings whose section lacks an evaluation sentence (or is missing), as Chinese messages."""
    from assistant.drafting.outline import load_outline
    from assistant.drafting.phrasing import load_templates

    minimum = Decimal(str((load_templates().get("thresholds") or {}).get("execution_rate_min", 90)))
    outline = load_outline(report.outline)
    by_template: dict[str, str] = {}
    for section in outline.sections:
        by_template.setdefault(section.template, section.id)
    texts = {s.section_id: s.text for s in report.sections}
    missing = []
    for crossing in crossings(figures, ledger, minimum):
        section_id = by_template.get(crossing.template)
        if section_id is None:
            continue  # the outline has no section for it
        if not evaluated(crossing, texts.get(section_id, "")):
            missing.append(f"{crossing.matter}：本节没有评价句（情况及原因）")
    return missing
