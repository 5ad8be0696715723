"""The report's attachments (附件), built from the ledger: exactly the ones that have content.

The outline names the attachments it wants, in order; each is produced only when the unit has its
data (no 项目支出绩效自评表 for a unit without projects, no 基础数据表 when no figure for it was entered),
and the report's 附件 list is the list of attachments produced — never a name with nothing behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Sequence

from assistant.export.basic_data import BASIC_DATA_NAME, basic_data_note, basic_data_tables
from assistant.export.tables import Table, table_from_rows
from assistant.figures.model import Figures
from assistant.ledger.facts import Ledger

DEPARTMENT_FORM = "部门整体支出绩效自评表"
PROJECT_FORM = "项目支出绩效自评表"


@dataclass(frozen=True)
class Attachment:
    name: str  # as the 附件 list names it
    title: str  # the heading printed on its first page
    tables: tuple[Table, ...]
    landscape: bool = False  # the 自评表 are wide: a landscape section, columns sized to their content
    note: str = ""


def _basic_data(figures: Figures, ledger: Ledger, card) -> Optional[Attachment]:
    tables = basic_data_tables(figures, ledger)
    if not tables:
        return None
    return Attachment(BASIC_DATA_NAME, f"{figures.meta.year}年度{BASIC_DATA_NAME}", tuple(tables), note=basic_data_note())


def _grids(form, first_starts_page: bool) -> list[Table]:
    return [table_from_rows(g.title, g.header, g.rows, starts_page=(i == 0 and first_starts_page)) for i, g in enumerate(form)]


def _department_form(figures: Figures, ledger: Ledger, card) -> Optional[Attachment]:
    from assistant.scoring import department_table_data

    grids = department_table_data(card.department)
    if not grids:
        return None
    title = grids[0].title
    return Attachment(DEPARTMENT_FORM, title, tuple(_grids(grids, True)), landscape=True)


def _project_forms(figures: Figures, ledger: Ledger, card) -> Optional[Attachment]:
    from assistant.scoring import project_table_data

    tables: list[Table] = []
    for k, table in enumerate(card.projects):
        grids = project_table_data(table)
        # Each project's table starts a page of its own; its four grids follow on that page.
        tables += _grids(grids, first_starts_page=True)
        if grids:
            first = tables[-len(grids)]
            tables[-len(grids)] = Table(f"{PROJECT_FORM}（{table.name}）", first.header, first.rows, first.starts_page)
    if not tables:
        return None
    return Attachment(PROJECT_FORM, f"{figures.meta.year}年度{PROJECT_FORM}", tuple(tables), landscape=True)


BUILDERS: dict[str, Callable[[Figures, Ledger, object], Optional[Attachment]]] = {
    BASIC_DATA_NAME: _basic_data,
    DEPARTMENT_FORM: _department_form,
    PROJECT_FORM: _project_forms,
}
DEFAULT_ATTACHMENTS = tuple(BUILDERS)


def build_attachments(figures: Figures, ledger: Ledger, wanted: Sequence[str] = DEFAULT_ATTACHMENTS) -> list[Attachment]:
    """The attachments the outline wants that have content, in the outline's order. A name this
    exporter cannot build is not listed either (the list must match what is attached)."""
    from assistant.scoring import score_figures

    card = score_figures(figures, ledger=ledger)
    produced = []
    for name in dict.fromkeys(wanted):
        builder = BUILDERS.get(name)
        attachment = builder(figures, ledger, card) if builder is not None else None
        if attachment is not None:
            produced.append(attachment)
    return produced


def appendix_names(attachments: Sequence[Attachment]) -> list[str]:
    return [a.name for a in attachments]
