"""Figure tables for the export, built from ledger facts only (so their text is the ledger's, byte for byte).

Each table belongs to a section (by outline section id) and is drawn right after that section's text;
a row whose facts are all absent is left out, and a table with no rows is not drawn. Captions carry no
number here: the exporters number the tables actually drawn (`TableNumbers`), so an omitted table
never leaves a gap (表2 → 表4).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from assistant.ledger.facts import Ledger


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    starts_page: bool = False  # an attachment (附件) begins on a new page; its other grids follow it


# (caption, column headers, [(row label, [ledger key per column])]); "" for a cell with no fact.
_SPECS: dict[str, list[tuple[str, tuple[str, ...], list[tuple[str, list[str]]]]]] = {
    "budget": [
        (
            "预算与决算收支情况",
            ("项目", "年初预算数", "全年预算数", "决算数"),
            [
                ("收入合计", ["budget.income.total", "adjusted.income.total", "final.income.total"]),
                ("其中：一般公共预算财政拨款", ["budget.income.general_public", "adjusted.income.general_public", "final.income.general_public"]),
                ("政府性基金预算财政拨款", ["budget.income.government_fund", "adjusted.income.government_fund", "final.income.government_fund"]),
                ("支出合计", ["budget.expenditure.total", "adjusted.expenditure.total", "final.expenditure.total"]),
                ("其中：基本支出", ["budget.expenditure.basic", "adjusted.expenditure.basic", "final.expenditure.basic"]),
                ("项目支出", ["budget.expenditure.project", "adjusted.expenditure.project", "final.expenditure.project"]),
            ],
        )
    ],
    "three_public": [
        (
            "“三公”经费情况",
            ("项目", "预算数", "决算数", "上年决算数"),
            [
                ("合计", ["three_public.budget.total", "three_public.actual.total", "three_public.last_year_actual.total"]),
                ("因公出国（境）费", ["three_public.budget.overseas", "three_public.actual.overseas", "three_public.last_year_actual.overseas"]),
                ("公务用车购置及运行维护费", ["three_public.budget.vehicle", "three_public.actual.vehicle", "three_public.last_year_actual.vehicle"]),
                ("公务接待费", ["three_public.budget.reception", "three_public.actual.reception", "three_public.last_year_actual.reception"]),
            ],
        )
    ],
    "procurement": [
        (
            "政府采购情况",
            ("项目", "金额"),
            [
                ("政府采购支出合计", ["procurement.total"]),
                ("货物", ["procurement.goods"]),
                ("工程", ["procurement.works"]),
                ("服务", ["procurement.services"]),
            ],
        )
    ],
    "assets": [
        (
            "资产情况",
            ("项目", "金额"),
            [
                ("资产总额", ["assets.total_assets"]),
                ("负债总额", ["assets.total_liabilities"]),
                ("净资产", ["assets.net_assets"]),
                ("固定资产账面原值", ["assets.fixed_assets_original"]),
                ("在用固定资产", ["assets.fixed_assets_in_use"]),
            ],
        )
    ],
}
# The Hunan outline puts procurement and assets under one 预算管理 section.
_SPECS["management"] = _SPECS["procurement"] + _SPECS["assets"]


def _cell(ledger: Ledger, key: str) -> str:
    fact = ledger.get(key)
    return fact.text if fact is not None else ""


def section_tables(section_id: str, ledger: Ledger) -> list[Table]:
    tables = []
    for caption, header, rows in _SPECS.get(section_id, []):
        built = []
        for label, keys in rows:
            cells = [_cell(ledger, k) for k in keys]
            if any(cells):
                built.append((label, *cells))
        if built:
            # drop columns that are empty in every row (e.g. no 全年预算 entered)
            keep = [0] + [c for c in range(1, len(header)) if any(row[c] for row in built)]
            tables.append(
                Table(caption, tuple(header[c] for c in keep), tuple(tuple(row[c] for c in keep) for row in built))
            )
    return tables


class TableNumbers:
    """Continuous numbering of the body's tables in the order they are drawn: 表1, 表2, …"""

    def __init__(self) -> None:
        self.count = 0

    def caption(self, table: Table) -> str:
        self.count += 1
        return f"表{self.count} {table.caption}"


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", "<br>")


def markdown_table(table: Table, caption: str | None = None) -> list[str]:
    """A table as Markdown lines; `caption` overrides the table's own (e.g. with its number)."""
    shown = table.caption if caption is None else caption
    lines = [shown, ""] if shown else []
    lines += ["| " + " | ".join(_md_cell(h) for h in table.header) + " |", "|" + "---|" * len(table.header)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in table.rows]
    return lines + [""]


def table_from_rows(caption: str, header: Sequence[str], rows: Sequence[Sequence[str]], starts_page: bool = False) -> Table:
    return Table(caption, tuple(header), tuple(tuple(r) for r in rows), starts_page)
