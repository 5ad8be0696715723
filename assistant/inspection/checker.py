"""Collects what the rules find into an `InspectionReport`: checked relations, findings, unchecked ones.

`compare_printed` applies the single rounding rule of `tolerance` and words the finding, so every
rule reports a mismatch the same way: the rule, where, the printed and the recomputed number.
"""

from __future__ import annotations

from decimal import Decimal

from assistant.inspection import tolerance
from assistant.inspection.document import Document
from assistant.inspection.model import ERROR, WARNING, Finding, InspectionReport, Place, Unchecked


class Checker:
    def __init__(self, doc: Document, report: InspectionReport):
        self.doc = doc
        self.report = report
        self._seen: set[tuple[str, int, str]] = set()

    def checked(self, rule: str, place: Place) -> None:
        self.report.checked.append((rule, place))

    def finding(self, rule: str, severity: str, place: Place, stated: str, computed: str, message: str) -> None:
        key = (rule, place.line, stated + "|" + computed)
        if key in self._seen:  # the same table read by two rules is reported once
            return
        self._seen.add(key)
        self.report.findings.append(Finding(rule, severity, message, place, stated, computed))

    def error(self, rule: str, place: Place, stated: str, computed: str, message: str) -> None:
        self.finding(rule, ERROR, place, stated, computed, message)

    def warning(self, rule: str, place: Place, stated: str, computed: str, message: str) -> None:
        self.finding(rule, WARNING, place, stated, computed, message)

    def unchecked(self, rule: str, place: Place, reason: str) -> None:
        self.report.unchecked.append(Unchecked(rule, reason, place))

    def compare_printed(
        self, rule: str, place: Place, stated: Decimal, places: int, computed: Decimal, what: str, how: str, suffix: str = ""
    ) -> str:
        """Compare a printed value with the value recomputed from other printed figures.

        `what` names the printed figure (“基本支出占比”), `how` the computation (“93.88÷155.29”),
        `suffix` the unit shown (“%”, “万元”). Returns the tolerance verdict.
        """
        self.checked(rule, place)
        verdict = tolerance.compare(stated, computed, places)
        printed = f"{tolerance.plain(stated)}{suffix}"
        should = f"{tolerance.shown(computed, places)}{suffix}"
        if verdict == tolerance.TRUNCATED:
            self.warning(
                rule, place, printed, should,
                f"{what}写为{printed}，按{how}计算为{tolerance.plain(computed.normalize()) if computed == computed.to_integral() else _six(computed)}，"
                f"按四舍五入应为{should}（疑为直接截位）。",
            )
        elif verdict == tolerance.INCONSISTENT:
            self.error(rule, place, printed, should, f"{what}写为{printed}，按{how}计算应为{should}。")
        return verdict


def _six(value: Decimal) -> str:
    """A recomputed quotient shown with enough places to see why it rounds as it does."""
    return format(value.quantize(Decimal("0.0001")), "f")
