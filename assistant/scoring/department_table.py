"""部门整体支出绩效自评表 (DOMAIN §5): indicators from a department profile, scored from the ledger.

Each indicator takes its value from one ledger key and its score from the profile's rule. A value the
ledger cannot provide is shown as 需补充 with the fields to fill in (never as 0), and the total stays
open. Scores can be entered by the user through `overrides` (indicator id or name → score, or
"不适用" to drop the indicator and rescale the total); the table keeps both the computed and the
entered score and says which one it uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Mapping, Optional, Union

from assistant.ledger.facts import Ledger
from assistant.figures.model import Figures
from assistant.ledger.numbers import format_value
from assistant.scoring.keys import describe_missing
from assistant.scoring.model import GradedTable, NEEDS_INPUT, NOT_APPLICABLE, ScoreCell, Totals, check_entered, num, override_notes, quoted, totals
from assistant.scoring.profiles import DepartmentIndicatorSpec, DepartmentProfile, DepartmentTierSpec
from assistant.scoring.rules import describe_rule, rule_score
from assistant.ledger.settings import DEFAULT_SETTINGS, ReportSettings

NA_WORDS = frozenset({NOT_APPLICABLE, "n/a", "na", "none"})
OverrideValue = Union[Decimal, int, str, None]


@dataclass
class DepartmentLine:
    tier: DepartmentTierSpec
    spec: DepartmentIndicatorSpec
    value: Optional[Decimal]  # the ledger value the score is computed from
    unit: str
    standard: str  # 评分标准 in words
    cell: ScoreCell

    @property
    def name(self) -> str:
        return self.spec.name

    def value_text(self) -> str:
        if self.spec.rule.kind == "entered":
            return "定性评价"
        return format_value(self.value, self.unit) if self.value is not None else NEEDS_INPUT


@dataclass
class DepartmentTable(GradedTable):
    unit_name: str
    year: int
    profile: DepartmentProfile
    lines: list[DepartmentLine]
    totals: Totals
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def tier_subtotal(self, tier: DepartmentTierSpec) -> Optional[Decimal]:
        """Σ used scores of a tier, None while one of its applicable lines is pending."""
        cells = [line.cell for line in self.lines if line.tier is tier and line.cell.applicable]
        if any(c.used is None for c in cells):
            return None
        return sum((c.used for c in cells), Decimal(0))  # type: ignore[misc]

    def line(self, id_or_name: str) -> DepartmentLine:
        for line in self.lines:
            if id_or_name in (line.spec.id, line.spec.name):
                return line
        raise KeyError(id_or_name)

    def to_dict(self) -> dict:
        return {
            "unit_name": self.unit_name,
            "year": self.year,
            "profile": self.profile.name,
            "lines": [
                {
                    "tier": line.tier.name,
                    "level2": line.spec.level2,
                    "id": line.spec.id,
                    "name": line.name,
                    "source": line.spec.source,
                    "value": None if line.value is None else str(line.value),
                    "value_text": line.value_text(),
                    "standard": line.standard,
                    **line.cell.to_dict(),
                }
                for line in self.lines
            ],
            "tiers": [
                {"name": t.name, "subtotal": None if (s := self.tier_subtotal(t)) is None else str(s)} for t in self.profile.tiers
            ],
            **self.summary_dict(),
        }


def parse_overrides(
    overrides: Mapping[str, OverrideValue] | None, profile: DepartmentProfile
) -> tuple[dict[str, Optional[Decimal]], list[str]]:
    """Entered department scores by indicator id: a Decimal, or None for 不适用; plus Chinese errors."""
    parsed: dict[str, Optional[Decimal]] = {}
    errors: list[str] = []
    by_key = {}
    for _, spec in profile.indicators():
        by_key[spec.id] = spec
        by_key[spec.name] = spec
    for key, raw in (overrides or {}).items():
        spec = by_key.get(str(key).strip())
        if spec is None:
            names = "、".join(s.name for _, s in profile.indicators())
            errors.append(f"填报得分中的指标{quoted(key)}不在评分方案{quoted(profile.name)}中（可填：{names}）。")
            continue
        if raw is None or (isinstance(raw, str) and raw.strip().lower() in NA_WORDS):
            parsed[spec.id] = None
            continue
        try:
            parsed[spec.id] = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
        except InvalidOperation:
            errors.append(f"指标{quoted(spec.name)}的填报得分{quoted(raw)}应为数字或“不适用”。")
    return parsed, errors


def build_department_table(
    figures: Figures,
    ledger: Ledger,
    profile: DepartmentProfile,
    overrides: Mapping[str, OverrideValue] | None = None,
    settings: ReportSettings | None = None,
) -> DepartmentTable:
    """Score every indicator of `profile` from `ledger`; `overrides` are entered scores (see module doc)."""
    settings = settings or DEFAULT_SETTINGS
    entered, errors = parse_overrides(overrides, profile)
    lines: list[DepartmentLine] = []
    warnings: list[str] = []
    for tier, spec in profile.indicators():
        cell = ScoreCell(spec.weight)
        value: Optional[Decimal] = None
        unit = "%"
        if spec.source:
            fact = ledger.get(spec.source)
            if fact is not None:
                value, unit = fact.value, fact.unit
                cell.computed = rule_score(spec.rule, spec.weight, value)
            else:
                cell.missing = describe_missing(spec.source, figures, ledger, settings)
        else:
            cell.missing = f"请填报得分（0–{num(spec.weight)}分）"
        if spec.id in entered:
            score = entered[spec.id]
            if score is None:
                cell.applicable = False
            else:
                cell.entered = score
                cell.error = check_entered(score, Decimal(0), spec.weight, f"指标{quoted(spec.name)}")
        if cell.error:
            errors.append(cell.error)
        lines.append(DepartmentLine(tier, spec, value, unit, describe_rule(spec, unit), cell))
    named = [(f"指标{quoted(line.name)}", line.cell) for line in lines]
    warnings.extend(override_notes(named))
    result = totals(((f"{quoted(line.name)}", line.cell) for line in lines), profile.total)
    return DepartmentTable(figures.meta.unit_name, figures.meta.year, profile, lines, result, warnings, errors)
