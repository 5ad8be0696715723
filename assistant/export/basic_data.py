"""部门整体支出绩效评价基础数据表: the attachment Hunan counties publish with the report, from the ledger.

Layout as published (e.g. 衡山县贯塘乡 2023, 附件一): 财政供养人员情况（人） — 编制数, 实际在职人数, 控制率;
经费控制情况（万元） — columns 上年决算数 | 本年预算数 | 本年决算数, rows “三公”经费 by item (公务用车 with
its 购置 and 运行维护 parts, 因公出国（境）, 公务接待), 项目支出 with one row per project, 公用经费, 政府采购金额,
部门基本支出预算调整; then 资产 and 结转结余, which these counties add to the same table in later years.
Every cell is a ledger fact's text (no figure is computed here); a row with no fact at all is left out,
and the item names are the ones the report text uses, so text and table speak of one thing by one name.
"""

from __future__ import annotations

from assistant.export.tables import Table
from assistant.figures.model import Figures
from assistant.ledger.facts import Ledger

BASIC_DATA_NAME = "部门整体支出绩效评价基础数据表"
UNITS_IN_HEADER = ("万元", "人")

# (row label, (上年决算, 本年预算, 本年决算) ledger keys; the first present key of a tuple is used).
_Keys = tuple[str, ...]
_SPENDING_ROWS: list[tuple[str, tuple[_Keys, _Keys, _Keys]]] = [
    ("“三公”经费", (("three_public.last_year_actual.total",), ("three_public.budget.total",), ("three_public.actual.total",))),
    ("1.公务用车购置及运行维护费", (("three_public.last_year_actual.vehicle",), ("three_public.budget.vehicle",), ("three_public.actual.vehicle",))),
    ("其中：公务用车购置费", (("three_public.last_year_actual.vehicle_purchase",), ("three_public.budget.vehicle_purchase",), ("three_public.actual.vehicle_purchase",))),
    ("公务用车运行维护费", (("three_public.last_year_actual.vehicle_operation",), ("three_public.budget.vehicle_operation",), ("three_public.actual.vehicle_operation",))),
    ("2.因公出国（境）费", (("three_public.last_year_actual.overseas",), ("three_public.budget.overseas",), ("three_public.actual.overseas",))),
    ("3.公务接待费", (("three_public.last_year_actual.reception",), ("three_public.budget.reception",), ("three_public.actual.reception",))),
    ("项目支出", (("last_year.expenditure.project",), ("budget.expenditure.project",), ("final.expenditure.project",))),
]
_AFTER_PROJECTS: list[tuple[str, tuple[_Keys, _Keys, _Keys]]] = [
    ("公用经费", (("last_year.expenditure.public",), ("budget.expenditure.public",), ("final.expenditure.public",))),
    ("政府采购金额", (("last_year.procurement.total",), ("procurement.budget",), ("procurement.total",))),
    ("部门基本支出预算调整", (("last_year.expenditure.basic_adjustment",), ("adjusted.expenditure.basic_adjustment",), ("final.expenditure.basic_adjustment",))),
    ("资产总额", (("last_year.assets.total_assets",), (), ("assets.total_assets",))),
    ("负债总额", (("last_year.assets.total_liabilities",), (), ("assets.total_liabilities",))),
    ("净资产", (("last_year.assets.net_assets",), (), ("assets.net_assets",))),
    ("固定资产账面原值", (("last_year.assets.fixed_assets_original",), (), ("assets.fixed_assets_original",))),
    ("结转结余", (("carryover.last_year",), (), ("carryover.this_year",))),
]


def _text(ledger: Ledger, keys: _Keys) -> str:
    """The first present fact's text, without the unit the column header already states (万元, 人)."""
    for key in keys:
        fact = ledger.get(key)
        if fact is not None:
            text = fact.text
            return text[: -len(fact.unit)] if fact.unit in UNITS_IN_HEADER and text.endswith(fact.unit) else text
    return ""


def _spending_rows(figures: Figures, ledger: Ledger) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []

    def add(label: str, columns: tuple[_Keys, _Keys, _Keys]) -> None:
        cells = tuple(_text(ledger, keys) for keys in columns)
        if any(cells):
            rows.append((label, *cells))

    for label, columns in _SPENDING_ROWS:
        add(label, columns)
    for i, project in enumerate(figures.projects, start=1):
        base = f"project.{i}.funds.total"
        add(f"（{i}）{project.name}", ((), (f"{base}.initial", f"{base}.full_year"), (f"{base}.executed",)))
    for label, columns in _AFTER_PROJECTS:
        add(label, columns)
    return rows


def basic_data_tables(figures: Figures, ledger: Ledger) -> list[Table]:
    """The attachment's grids; an empty list when the ledger has nothing the table shows."""
    year = figures.meta.year
    tables: list[Table] = []
    staff = [_text(ledger, (k,)) for k in ("staffing.authorized_total", "staffing.actual", "staffing.control_rate")]
    if any(staff):
        tables.append(
            Table("财政供养人员情况（人）", ("编制数", f"{year}年实际在职人数", "控制率"), (tuple(staff),), starts_page=True)
        )
    rows = _spending_rows(figures, ledger)
    if rows:
        header = ("经费控制情况（万元）", f"{year - 1}年决算数", f"{year}年预算数", f"{year}年决算数")
        # As published, the grid's first header cell names it: no caption above it.
        tables.append(Table("", header, tuple(rows), starts_page=not tables))
    return tables


def basic_data_note() -> str:
    return "说明：项目支出填报基本支出以外的所有项目支出情况，公用经费填报基本支出中的一般商品和服务支出。"
