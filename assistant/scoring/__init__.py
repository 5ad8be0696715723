"""Self-evaluation scoring tables: 项目支出绩效自评表 and 部门整体支出绩效自评表.

Profiles (weights and scoring rules) are YAML data in assistant/data/profiles/; tables are scored from
the calculator's ledger; scores become ledger facts through a ledger builder.

    from assistant.scoring import score_figures, scorecard_markdown, score_builders
    card = score_figures(figures, settings)              # Scorecard(projects=[...], department=...)
    card.department.total, card.department.grade          # Decimal | None, "优"/"良"/"中"/"差" | None
    build_ledger(figures, settings)                       # score facts with the shipped profiles
    build_ledger(figures, settings, scoring=ScoringBuilder(overrides=...))   # with entered scores
"""

from __future__ import annotations

from typing import Mapping, Optional

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
from assistant.settings import ReportSettings


def scorecard_workbook(card: Scorecard):
    """Both tables as an openpyxl Workbook (openpyxl is imported only when a workbook is made)."""
    from assistant.scoring.excel import scorecard_workbook as build

    return build(card)


def write_scorecard_excel(card: Scorecard, path):
    """Write both tables to an .xlsx file; returns its Path."""
    from assistant.scoring.excel import write_scorecard_excel as write

    return write(card, path)


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
    "base_ledger",
    "build_department_table",
    "build_project_table",
    "build_project_tables",
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
