"""Scores as ledger facts, so report text such as "自评得分95.5分" is checked like any other figure.

Keys (unit "分"): project.{i}.score.execution, project.{i}.score.indicator.{j}, project.{i}.score.total,
department.score.{indicator id}, department.score.tier.{k}, department.score.total. A line still
需补充 adds no fact; an incomplete total goes to `ledger.missing` with the reason. Grades are words,
not figures: they live on the table objects (`ProjectTable.grade`, `DepartmentTable.grade`).

`ScoringBuilder` has the ledger builder signature `(figures, ledger, settings) -> None`.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Optional

from assistant.ledger.facts import Fact, Ledger
from assistant.figures.model import Figures
from assistant.scoring.department_table import OverrideValue
from assistant.scoring.model import NEEDS_INPUT, ScoreCell, Totals, num, quoted
from assistant.scoring.profiles import DepartmentProfile, ProjectProfile
from assistant.scoring.rules import INDICATOR_FORMULAS
from assistant.scoring.scorecard import Scorecard, score_figures
from assistant.ledger.settings import ReportSettings

GROUP = "自评得分"
TOTAL_ALIASES = ("自评得分", "得分", "总分", "综合得分", "评分", "自评总分")


def _score_fact(ledger: Ledger, key: str, cell: ScoreCell, label: str, aliases: Iterable[str], formula: str, inputs: Iterable[str]) -> None:
    used = cell.used
    if used is None:
        return
    if cell.entered is not None:
        computed = f"，计算得分{num(cell.computed)}分" if cell.computed is not None else ""
        ledger.add(Fact(key, used, "分", label, tuple(aliases), f"填报得分{computed}", tuple(inputs), "input", False, GROUP))
    else:
        ledger.add(Fact(key, used, "分", label, tuple(aliases), formula, tuple(inputs), "derived", False, GROUP))


def _total_fact(ledger: Ledger, key: str, result: Totals, label: str, aliases: Iterable[str]) -> None:
    total = result.total
    if total is None:
        reason = "；".join(result.notes()) or f"评分项目{NEEDS_INPUT}"
        ledger.add_missing(key, label, reason)
        return
    ledger.add(Fact(key, total, "分", label, tuple(aliases), result.formula(), (), "derived", False, GROUP))


def add_score_facts(card: Scorecard, ledger: Ledger) -> None:
    for table in card.projects:
        base, name, i = f"project.{table.index}", table.name, table.index
        rate_key = f"{base}.execution_rate"
        rate_inputs = ledger[rate_key].inputs if rate_key in ledger else ()
        execution_inputs = (*rate_inputs, f"projects.{i - 1}.execution_score_override")
        _score_fact(
            ledger, f"{base}.score.execution", table.execution, f"{name}预算执行率得分", ("执行率得分", "预算执行率得分", "得分"),
            f"min(预算执行率, 100%) × 分值{num(table.profile.execution_weight)}", execution_inputs,
        )
        for line in table.indicators:
            field = f"projects.{i - 1}.indicators.{line.index - 1}"
            _score_fact(
                ledger, f"{base}.score.indicator.{line.index}", line.cell, f"{name}{quoted(line.name)}得分", (f"{line.name}得分", "得分"),
                INDICATOR_FORMULAS[line.indicator.comparator], (f"{field}.target", f"{field}.actual", f"{field}.score_override"),
            )
        _total_fact(ledger, f"{base}.score.total", table.totals, f"{name}自评得分", (*TOTAL_ALIASES, name))
    dept = card.department
    for line in dept.lines:
        source_inputs = ledger[line.spec.source].inputs if line.spec.source and line.spec.source in ledger else ()
        _score_fact(
            ledger, f"department.score.{line.spec.id}", line.cell, f"{line.name}得分", ("得分",), line.standard, source_inputs
        )
    for k, tier in enumerate(dept.profile.tiers, start=1):
        subtotal = dept.tier_subtotal(tier)
        if subtotal is not None:
            ledger.add(Fact(f"department.score.tier.{k}", subtotal, "分", f"{tier.name}指标得分", (f"{tier.name}得分", "得分"), f"{tier.name}各指标得分合计", (), "derived", False, GROUP))
    _total_fact(ledger, "department.score.total", dept.totals, "部门整体支出绩效自评得分", TOTAL_ALIASES)


class ScoringBuilder:
    """A ledger builder: adds 实际完成率 and every score fact, with the given profiles and entered scores."""

    def __init__(
        self,
        department_profile: Optional[DepartmentProfile] = None,
        project_profile: Optional[ProjectProfile] = None,
        overrides: Mapping[str, OverrideValue] | None = None,
    ):
        self.department_profile = department_profile
        self.project_profile = project_profile
        self.overrides = dict(overrides or {})

    def __call__(self, figures: Figures, ledger: Ledger, settings: ReportSettings) -> None:
        card = score_figures(
            figures,
            settings,
            ledger=ledger,
            department_profile=self.department_profile,
            project_profile=self.project_profile,
            overrides=self.overrides,
        )
        add_score_facts(card, ledger)


def score_facts(figures: Figures, ledger: Ledger, settings: ReportSettings) -> None:
    """Ledger builder with the shipped default profiles and no entered department scores."""
    ScoringBuilder()(figures, ledger, settings)
