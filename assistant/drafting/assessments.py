"""Evaluation sentences: what a reviewer expects next to a figure that crosses a line.

在职人员 above 编制, 公用经费 or “三公”经费 (or one of its items) above budget, budget execution below the
set rate, a project behind schedule, an indicator short of its target: the drafter says so in 公文 register
and gives the user's reason — from the notes, the variance field or the indicator's 偏差原因 — or, when
the user gave none, a visible 【待补：原因】 marker for the user to fill. It never makes a reason up, and
it prints no figure of its own: the threshold comes from the templates file, the figures it compares
are ledger facts, and the sentences name the facts without restating a number the section already gives.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Mapping, Optional, Sequence

from assistant.drafting.phrasing import deviation_reason, project_ref, reason_before, reason_from
from assistant.figures.model import Comparator, Figures, Indicator, QualitativeBand
from assistant.ledger.facts import Ledger
from assistant.todos import TODO_REASON

HUNDRED = Decimal(100)
_THREE_ITEMS = ("overseas", "vehicle", "reception")


class Assessor:
    def __init__(self, figures: Figures, ledger: Ledger, notes: Sequence[str], templates: Mapping[str, Any]):
        self.figures, self.ledger, self.notes = figures, ledger, list(notes)
        self.phrases = templates["assessments"]
        self.keywords = self.phrases.get("keywords", {})
        self.effects = self.phrases.get("effects", {})
        self.min_rate = Decimal(str(templates.get("thresholds", {}).get("execution_rate_min", 90)))
        self.item_labels = {
            "overseas": "因公出国（境）费",
            "vehicle": "公务用车购置及运行维护费",
            "reception": "公务接待费",
        }

    # --- helpers -----------------------------------------------------------------------------------

    def _value(self, key: str) -> Optional[Decimal]:
        fact = self.ledger.get(key)
        return None if fact is None else fact.value

    def reason(self, keywords: Sequence[str], own: Sequence[Optional[str]] = (), effects: Sequence[str] = ()) -> str:
        """The user's reason: their own field first (偏差原因 …), then a note that names the matter."""
        for text in own:
            found = deviation_reason(text)
            if found:
                return found
        found = reason_from(self.notes, list(keywords), self.phrases["reason_cues"], self.phrases["reason_tails"])
        if not found and effects:
            found = reason_before(self.notes, list(keywords), list(effects))
        return found or TODO_REASON

    def _say(self, phrase: str, **values: str) -> str:
        text = self.phrases[phrase]
        for key, value in values.items():
            text = text.replace("{" + key + "}", value)
        return text

    # --- per section ---------------------------------------------------------------------------------

    def for_template(self, template: str) -> list[tuple[str, str]]:
        """(anchor ledger key, sentence) pairs: each sentence goes right after the one stating its anchor."""
        writer = {
            "staffing": self.staffing,
            "final": self.final,
            "three_public": self.three_public,
        }.get(template)
        return writer() if writer else []

    def staffing(self) -> list[tuple[str, str]]:
        actual, authorized = self._value("staffing.actual"), self._value("staffing.authorized_total")
        if actual is None or authorized is None or actual <= authorized:
            return []
        return [("staffing.control_rate", self._say("over_staffing", reason=self.reason(self.keywords.get("over_staffing", ()), effects=self.effects.get("over_staffing", ()))))]

    def final(self) -> list[tuple[str, str]]:
        out = []
        public = self._value("final.public_control_rate")
        if public is not None and public > HUNDRED:
            out.append(("final.public_control_rate", self._say("public_over_budget", reason=self.reason(self.keywords.get("public_over_budget", ()), effects=self.effects.get("over_budget", ())))))
        rate = self._value("final.execution_rate")
        if rate is not None and rate < self.min_rate:
            out.append(("final.execution_rate", self._say("execution_low", reason=self.reason(self.keywords.get("execution_low", ()), effects=self.effects.get("execution_low", ())))))
        return out

    def three_public(self) -> list[tuple[str, str]]:
        budget, actual = self._value("three_public.budget.total"), self._value("three_public.actual.total")
        over_items = []
        anchor = "three_public.change_vs_budget" if "three_public.change_vs_budget" in self.ledger else "three_public.actual.total"
        for item in _THREE_ITEMS:
            b, a = self._value(f"three_public.budget.{item}"), self._value(f"three_public.actual.{item}")
            if b is not None and a is not None and a > b:
                over_items.append(self.item_labels[item])
                if f"three_public.{item}.change_vs_budget" in self.ledger:
                    anchor = f"three_public.{item}.change_vs_budget"  # after the item-by-item comparison
        keywords = [*self.keywords.get("three_public_over_budget", ()), *over_items]
        if budget is not None and actual is not None and actual > budget:
            items = self._say("three_public_items_over", items="、".join(over_items)) if over_items else ""
            return [(anchor, self._say("three_public_over_budget", items=items, reason=self.reason(keywords, effects=self.effects.get("over_budget", ()))))]
        if over_items:
            return [(anchor, self._say("three_public_item_over_budget", items="、".join(over_items), reason=self.reason(keywords, effects=self.effects.get("over_budget", ()))))]
        if budget is not None and actual is not None and budget > 0:
            return [(anchor, self.phrases["three_public_within_budget"])]
        return []

    def project(self, index: int) -> list[str]:
        project = self.figures.projects[index - 1]
        rate = self._value(f"project.{index}.execution_rate")
        if rate is None or rate >= self.min_rate:
            return []
        own = [project.goal_actual, *(ind.deviation_reason for ind in project.indicators if "执行" in (ind.deviation_reason or ""))]
        keywords = [project.name, project_ref(project.name)]
        reason = reason_from([t for t in own if t], [], self.phrases["reason_cues"], self.phrases["reason_tails"]) or self.reason(keywords, effects=self.effects.get("execution_low", ()))
        return [self._say("project_execution_low", reason=reason)]

    def indicator(self, indicator: Indicator) -> list[str]:
        if not unmet(indicator):
            return []
        reason = self.reason([indicator.name], own=[indicator.deviation_reason])
        return [self._say("indicator_unmet", name=indicator.name, reason=reason)]


def unmet(indicator: Indicator) -> bool:
    """Whether an indicator falls short of its target, by its direction (≥ higher is better, ≤ lower)."""
    if not indicator.applicable:
        return False
    if indicator.comparator == Comparator.qualitative:
        return indicator.band in (QualitativeBand.partial, QualitativeBand.missed)
    if indicator.target is None or indicator.actual is None:
        return False
    if indicator.comparator == Comparator.ge:
        return indicator.actual < indicator.target
    if indicator.comparator == Comparator.le:
        return indicator.actual > indicator.target
    return indicator.actual != indicator.target
