"""Both self-evaluation tables for one figures file: `score_figures` → `Scorecard`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional

from assistant.ledger.facts import Ledger
from assistant.figures.model import Figures
from assistant.scoring.completion import add_completion_fact
from assistant.scoring.department_table import DepartmentTable, OverrideValue, build_department_table
from assistant.scoring.keys import base_ledger
from assistant.scoring.profiles import DepartmentProfile, ProjectProfile, default_department_profile, default_project_profile
from assistant.scoring.project_table import ProjectTable, build_project_tables
from assistant.ledger.settings import DEFAULT_SETTINGS, ReportSettings


@dataclass
class Scorecard:
    projects: list[ProjectTable]
    department: DepartmentTable

    @property
    def errors(self) -> list[str]:
        return [*self.department.errors, *(e for t in self.projects for e in t.errors)]

    @property
    def warnings(self) -> list[str]:
        return [*self.department.warnings, *(w for t in self.projects for w in t.warnings)]

    def to_dict(self) -> dict:
        return {
            "department": self.department.to_dict(),
            "projects": [t.to_dict() for t in self.projects],
            "errors": self.errors,
            "warnings": self.warnings,
        }


def score_figures(
    figures: Figures,
    settings: ReportSettings | None = None,
    *,
    ledger: Optional[Ledger] = None,
    department_profile: Optional[DepartmentProfile] = None,
    project_profile: Optional[ProjectProfile] = None,
    overrides: Mapping[str, OverrideValue] | None = None,
) -> Scorecard:
    """Score both tables. Without `ledger` the calculator's ledger is built; a given ledger gets the
    实际完成率 fact (performance.completion_rate) added if it lacks it, since the department table
    reads it."""
    settings = settings or DEFAULT_SETTINGS
    if ledger is None:
        ledger = base_ledger(figures, settings)
    add_completion_fact(figures, ledger)
    department_profile = department_profile or default_department_profile()
    project_profile = project_profile or default_project_profile()
    return Scorecard(
        build_project_tables(figures, ledger, project_profile, settings),
        build_department_table(figures, ledger, department_profile, overrides, settings),
    )
