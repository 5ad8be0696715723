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
        if not self.cell.applicable:
            return NOT_APPLICABLE
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


def figures_overrides(figures: Figures) -> dict[str, OverrideValue]:
    """The department scores stored in the figures file (部门整体自评表填报得分), as overrides."""
    entered: dict[str, OverrideValue] = {}
    for item in figures.department_scores:
        if item.not_applicable:
            entered[item.indicator] = NOT_APPLICABLE
        elif item.score is not None:
            entered[item.indicator] = item.score
    return entered


def _merged_overrides(figures: Figures, overrides: Mapping[str, OverrideValue] | None, profile: DepartmentProfile) -> tuple[dict, list[str]]:
    """Scores from the figures file, then the given overrides (a command line's --overrides) on top;
    both may name an indicator by id or by name, so they are merged by indicator id."""
    stored, errors = parse_overrides(figures_overrides(figures), profile)
    given, more = parse_overrides(overrides, profile)
    return {**stored, **given}, [*errors, *more]


def build_department_table(
    figures: Figures,
    ledger: Ledger,
    profile: DepartmentProfile,
    overrides: Mapping[str, OverrideValue] | None = None,
    settings: ReportSettings | None = None,
) -> DepartmentTable:
    """Score every indicator of `profile` from `ledger`; `overrides` are entered scores (see module doc),
    on top of those stored in the figures (`Figures.department_scores`).

    An indicator whose ledger value is structurally absent (the calculator marks it not applicable:
    a 三公 budget of 0, 本年无政府采购, no project spending) is 不适用 unless a score is entered; how
    its 分值 is made up follows the profile (`not_applicable`: rescale the total, or the tier)."""
    settings = settings or DEFAULT_SETTINGS
    entered, errors = _merged_overrides(figures, overrides, profile)
    warnings: list[str] = []
    pending: list[tuple[DepartmentTierSpec, DepartmentIndicatorSpec, Optional[Decimal], str, ScoreCell]] = []
    for tier, spec in profile.indicators():
        cell = ScoreCell(spec.weight)
        value: Optional[Decimal] = None
        unit = "%"
        if spec.source:
            fact = ledger.get(spec.source)
            absent = ledger.missing.get(spec.source)
            if fact is not None:
                value, unit = fact.value, fact.unit
            elif absent is not None and absent.not_applicable:
                cell.applicable = False
                cell.missing = absent.reason
            else:
                cell.missing = describe_missing(spec.source, figures, ledger, settings)
        else:
            cell.missing = f"请填报得分（0–{num(spec.weight)}分）"
        if spec.id in entered:
            score = entered[spec.id]
            if score is None:
                cell.applicable = False
            else:
                cell.applicable = True  # an entered score makes even a structurally absent line count
                cell.entered = score
        elif not cell.applicable:
            warnings.append(f"指标{quoted(spec.name)}不适用：{cell.missing}。")
        pending.append((tier, spec, value, unit, cell))
    if profile.not_applicable == "tier":
        warnings.extend(_rescale_tiers(profile, pending))
    lines: list[DepartmentLine] = []
    for tier, spec, value, unit, cell in pending:
        if value is not None and cell.weight is not None:
            cell.computed = rule_score(spec.rule, cell.weight, value)
        if cell.entered is not None:
            cell.error = check_entered(cell.entered, Decimal(0), cell.weight, f"指标{quoted(spec.name)}")  # type: ignore[arg-type]
        if cell.error:
            errors.append(cell.error)
        lines.append(DepartmentLine(tier, spec, value, unit, describe_rule(spec, unit), cell))
    named = [(f"指标{quoted(line.name)}", line.cell) for line in lines]
    warnings.extend(override_notes(named))
    result = totals(((f"{quoted(line.name)}", line.cell) for line in lines), profile.total)
    return DepartmentTable(figures.meta.unit_name, figures.meta.year, profile, lines, result, warnings, errors)


def _rescale_tiers(profile: DepartmentProfile, pending: list) -> list[str]:
    """Profile rule "tier": within a tier, the 分值 of indicators that do not apply is shared among the
    tier's other indicators in proportion to their 分值, so the tier keeps its weight. A tier with no
    applicable indicator left is dropped whole and the total is rescaled as usual."""
    notes: list[str] = []
    for tier in profile.tiers:
        cells = [(spec, cell) for t, spec, _, _, cell in pending if t is tier]
        full = sum((spec.weight for spec, _ in cells), Decimal(0))
        kept = sum((spec.weight for spec, cell in cells if cell.applicable), Decimal(0))
        if kept == full or kept == 0:
            continue
        for spec, cell in cells:
            if cell.applicable:
                cell.weight = spec.weight * full / kept
        notes.append(
            f"一级指标{quoted(tier.name)}中不适用指标的分值按比例分配给该一级指标的其他指标"
            f"（各指标分值 × {num(full)} ÷ {num(kept)}）。"
        )
    return notes
