"""Self-evaluation scoring tables: 项目支出绩效自评表 and 部门整体支出绩效自评表.

Profiles (weights and scoring rules) are YAML data in assistant/data/profiles/; tables are scored from
the calculator's ledger; scores become ledger facts through a ledger builder.

    from assistant.scoring import score_figures, scorecard_markdown, score_builders
    card = score_figures(figures, settings)              # Scorecard(projects=[...], department=...)
    card.department.total, card.department.grade          # Decimal | None, "优"/"良"/"中"/"差" | None
    build_scored_ledger(figures, settings)                # calculator + score facts, shipped profiles
    build_scored_ledger(figures, settings, scoring=ScoringBuilder(overrides=...))   # with entered scores

The calculator (`assistant.ledger.calculator.build_ledger`) knows nothing of scoring: this stage takes
its ledger and adds the score facts.
"""

from __future__ import annotations

from typing import Callable, Mapping, Optional

from assistant.figures.model import Figures
from assistant.ledger.calculator import build_ledger
from assistant.ledger.facts import Ledger
from assistant.ledger.settings import DEFAULT_SETTINGS, ReportSettings

from assistant.scoring.department_table import DepartmentLine, DepartmentTable, build_department_table, parse_overrides
from assistant.scoring.facts import ScoringBuilder, add_score_facts, score_facts
from assistant.scoring.keys import base_ledger, known_ledger_keys
from assistant.scoring.model import NEEDS_INPUT, NOT_APPLICABLE, GradeScale, ScoreCell, Totals
from assistant.scoring.profiles import (
    DepartmentProfile,
    ProfileError,
    ProjectProfile,
    default_department_profile,
    default_project_profile,
    load_profile,
    shipped_profiles,
    validate_profile,
)
from assistant.scoring.project_table import IndicatorLine, ProjectTable, build_project_table, build_project_tables, score_indicator
from assistant.scoring.render import (
    TableData,
    department_markdown,
    department_table_data,
    project_markdown,
    project_table_data,
    scorecard_markdown,
    table_data,
)
from assistant.scoring.rules import achievement, rule_score
from assistant.scoring.scorecard import Scorecard, score_figures


def scorecard_workbook(card: Scorecard):
    """Both tables as an openpyxl Workbook (openpyxl is imported only when a workbook is made)."""
    from assistant.scoring.excel import scorecard_workbook as build

    return build(card)


def write_scorecard_excel(card: Scorecard, path):
    """Write both tables to an .xlsx file; returns its Path."""
    from assistant.scoring.excel import write_scorecard_excel as write

    return write(card, path)


def add_scores(
    figures: Figures,
    ledger: Ledger,
    settings: ReportSettings | None = None,
    scoring: Optional[Callable[[Figures, Ledger, ReportSettings], None]] = score_facts,
) -> Ledger:
    """The scoring stage: add the 自评表 score facts to a calculator ledger (in place; returned)."""
    if scoring is not None:
        scoring(figures, ledger, settings or DEFAULT_SETTINGS)
    return ledger


def build_scored_ledger(
    figures: Figures,
    settings: ReportSettings | None = None,
    scoring: Optional[Callable[[Figures, Ledger, ReportSettings], None]] = score_facts,
) -> Ledger:
    """The report's ledger: the calculator's facts, then the score facts (shipped profiles by
    default; a configured ScoringBuilder for a locality's profile or entered scores; None for none)."""
    settings = settings or DEFAULT_SETTINGS
    return add_scores(figures, build_ledger(figures, settings), settings, scoring)


def score_builders(
    settings: ReportSettings | None = None,
    *,
    department_profile: Optional[DepartmentProfile] = None,
    project_profile: Optional[ProjectProfile] = None,
    overrides: Mapping[str, object] | None = None,
) -> tuple[ScoringBuilder, ...]:
    """Ledger builders `(figures, ledger, settings) -> None` adding the scoring facts.

    The builders read the settings they are called with (the 执行率 denominator is already in the
    ledger's rates); `settings` is accepted so callers can pass the report's settings uniformly.
    """
    return (ScoringBuilder(department_profile, project_profile, overrides),)  # type: ignore[arg-type]


__all__ = [
    "NEEDS_INPUT",
    "NOT_APPLICABLE",
    "DepartmentLine",
    "DepartmentProfile",
    "DepartmentTable",
    "GradeScale",
    "IndicatorLine",
    "ProfileError",
    "ProjectProfile",
    "ProjectTable",
    "ScoreCell",
    "Scorecard",
    "ScoringBuilder",
    "TableData",
    "Totals",
    "achievement",
    "add_score_facts",
    "add_scores",
    "base_ledger",
    "build_department_table",
    "build_project_table",
    "build_project_tables",
    "build_scored_ledger",
    "default_department_profile",
    "default_project_profile",
    "department_markdown",
    "department_table_data",
    "known_ledger_keys",
    "load_profile",
    "parse_overrides",
    "project_markdown",
    "project_table_data",
    "rule_score",
    "score_builders",
    "score_facts",
    "score_figures",
    "score_indicator",
    "scorecard_markdown",
    "scorecard_workbook",
    "shipped_profiles",
    "table_data",
    "validate_profile",
    "write_scorecard_excel",
]
