"""Total rows and total columns of tables written one row per line with “|” between cells (.docx
tables, web copies): a 合计/总计/总分 row equals the sum of the rows above it, a 合计 column the sum of
the columns beside it.

Published tables nest rows without marking them (基本支出 / 人员经费 / 公用经费 / 项目支出). Before the
sums, a row (or column) that equals the sum of the run of rows right below it is taken as their
parent and the run as its children, so only the top level is added up; rows marked 其中/含 are
children by their label. A table with 小计 rows, with rows of a different width, or with a blank
cell in a column that misses its total, is listed as unchecked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from assistant.inspection import tolerance
from assistant.inspection.checker import Checker
from assistant.inspection.document import Document

TOTAL_LABELS = ("合计", "总计", "总分", "合 计", "总 计", "总额合计")
SUBTOTAL = "小计"
CHILD_PREFIX = re.compile(r"^\s*(?:其中|含|包括)")
NUMBER_RE = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
# Tables whose own fund rows are read by assistant.inspection.tables (年度资金总额, 总额 …) are left to it.
FUND_WORDS = ("年度资金总额", "全年执行数", "预算执行数")


@dataclass
class Row:
    label: str
    cells: list[str]
    line: int
    offset: int


CELL_UNITS = ("万元", "元", "人", "个", "分")  # a unit written in the cell; % cells are never summed


def _num(text: str) -> tuple[Decimal, int] | None:
    text = text.replace(" ", "")
    for unit in CELL_UNITS:
        if text.endswith(unit) and NUMBER_RE.match(text[: -len(unit)]):
            text = text[: -len(unit)]
            break
    if not NUMBER_RE.match(text):
        return None
    digits = text.replace(",", "")
    return Decimal(digits), (len(digits.split(".", 1)[1]) if "." in digits else 0)


def _tables(doc: Document) -> list[list[Row]]:
    """Runs of consecutive lines with at least two “|” separated cells."""
    tables: list[list[Row]] = []
    current: list[Row] = []
    offset = 0
    for number, line in enumerate(doc.text.split("\n"), 1):
        cells = [c.strip() for c in line.split("|")]
        if line.rstrip().endswith("|"):
            cells = cells[:-1]
        if line.lstrip().startswith("|"):
            cells = cells[1:]
        if len(cells) >= 2 and "|" in line:
            if not all(re.fullmatch(r":?-{3,}:?", c) for c in cells):  # |---|---| under a Markdown header
                current.append(Row(cells[0], cells[1:], number, offset))
        elif current:
            tables.append(current)
            current = []
        offset += len(line) + 1
    if current:
        tables.append(current)
    return tables


def check_grids(doc: Document, ck: Checker) -> None:
    for rows in _tables(doc):
        if any(any(w in r.label or any(w in c for c in r.cells) for w in FUND_WORDS) for r in rows):
            continue
        _row_totals(doc, ck, rows)
        _heading_totals(doc, ck, rows)
        _column_totals(doc, ck, rows)


def _is_total(label: str) -> bool:
    return label.replace(" ", "").replace("\u3000", "") in {t.replace(" ", "") for t in TOTAL_LABELS}


def _children(values: list[Decimal | None]) -> set[int]:
    """Indexes of rows that are the children of a row above them (the row equals their sum)."""
    children: set[int] = set()
    for i, parent in enumerate(values):
        if parent is None or i in children:
            continue
        running = Decimal(0)
        for j in range(i + 1, len(values)):
            if values[j] is None:
                break
            running += values[j]
            if running == parent and j > i + 1:
                children.update(range(i + 1, j + 1))
                break
            if running > parent:
                break
    return children


def _fund_extras(ck: Checker, column: str) -> list[Decimal]:
    """The 分值 (or 得分) of the fund tables' total rows: the 预算执行率 part of the 自评表's 总分."""
    out = []
    for table in getattr(ck.report, "fund_tables", []):
        row = table.total
        if row is not None and column in row.values:
            out.append(row.values[column].value)
    return out


def _adds_up(stated: tuple[Decimal, int], column: list, children: set[int], extra: Decimal = Decimal(0)) -> bool:
    computed = extra + sum((v[0] for i, v in enumerate(column) if i not in children and v is not None), Decimal(0))
    return tolerance.compare(stated[0], computed, stated[1]) == tolerance.CONSISTENT


def _row_totals(doc: Document, ck: Checker, rows: list[Row]) -> None:
    totals = [i for i, r in enumerate(rows) if _is_total(r.label)]
    if not totals:
        return
    place_of = lambda r: doc.place(r.offset, r.offset + len(doc.line_text(r.line)))  # noqa: E731
    if any(SUBTOTAL in r.label for r in rows):
        ck.unchecked("table_total", place_of(rows[totals[0]]), "表中有“小计”行，层级无法确定，合计未核对。")
        return
    width = len(rows[totals[0]].cells)
    start = 0
    for t in totals:
        total = rows[t]
        body = [r for r in rows[start:t] if any(_num(c) for c in r.cells)]
        start = t + 1
        if not body:
            continue
        if any(len(r.cells) != width for r in body):
            ck.unchecked("table_total", place_of(total), "表格各行的列数不同（可能有合并单元格），合计未核对。")
            continue
        for col in range(width):
            stated = _num(total.cells[col])
            if stated is None:
                continue
            column = [_num(r.cells[col]) for r in body]
            if all(v is None for v in column):
                continue
            marked = {i for i, r in enumerate(body) if CHILD_PREFIX.match(r.label)}
            values = [None if v is None else v[0] for v in column]
            # Readings of the nesting, most likely first; any reading that adds up is consistent,
            # so an unmarked hierarchy never makes a false alarm.
            readings = [marked | _children(values), marked, set()]
            place = place_of(total)
            # A 自评表's 总分 also counts the 预算执行率 分值/得分 given in its fund table.
            extras = [Decimal(0)]
            if "总分" in total.label and not any("执行" in r.label or any("执行" in c for c in r.cells) for r in body):
                header = (rows[0].cells[col] if col < len(rows[0].cells) else "").replace(" ", "")
                kind = "weight" if ("分值" in header or "权重" in header) else ("score" if "得分" in header else None)
                found = _fund_extras(ck, kind) if kind else []
                extras = found or extras
            if any(_adds_up(stated, column, r, extra) for r in readings for extra in extras):
                ck.checked("table_total", place)
                continue
            # Reported with the reading that comes closest to the printed total.
            sums = [(extras[0] + sum((v[0] for i, v in enumerate(column) if i not in r and v is not None), Decimal(0)), r) for r in readings]
            computed, chosen = min(sums, key=lambda item: abs(item[0] - stated[0]))
            top = [v for i, v in enumerate(column) if i not in chosen]
            flat = sum((v[0] for v in column if v is not None), Decimal(0))
            if "总分" in total.label and flat + max(extras) < stated[0]:
                # Indicators that do not apply are dropped and the 总分 rescaled to 100 (DOMAIN §4).
                ck.unchecked("indicator_sum", place, f"各项分值合计{tolerance.plain(computed)}少于总分{total.cells[col]}，可能按适用指标折算，未核对。")
                continue
            if any(v is None for v in top) and computed < stated[0]:
                ck.unchecked("table_total", place, f"第{col + 2}列有空白单元格，合计未核对。")
                continue
            ck.checked("table_total", place)
            listed = "＋".join(tolerance.plain(v[0]) for v in top if v is not None)
            if extras[0]:
                listed += f"＋资金情况表中预算执行率的{tolerance.plain(extras[0])}"
            ck.error(
                "table_total", place, total.cells[col], tolerance.plain(computed),
                f"表格“{total.label}”行第{col + 2}列写为{total.cells[col]}，上方各行{listed}＝{tolerance.plain(computed)}。",
            )


def _column_totals(doc: Document, ck: Checker, rows: list[Row]) -> None:
    header = rows[0]
    names = [header.label, *header.cells]
    total_cols = [i for i, name in enumerate(names) if i > 0 and _is_total(name)]
    if len(total_cols) != 1:
        return
    t = total_cols[0] - 1  # index into cells
    for row in rows[1:]:
        if len(row.cells) != len(header.cells):
            continue
        stated = _num(row.cells[t])
        others = [_num(c) for i, c in enumerate(row.cells) if i != t]
        if stated is None or not any(others):
            continue
        if any(o is None for o in others):
            continue  # a text or blank cell in the row: the columns it adds up are unclear
        values = [o[0] for o in others]
        readings = [_children(values), set()]
        place = doc.place(row.offset, row.offset + len(doc.line_text(row.line)))
        ck.checked("table_total", place)
        if not any(_adds_up(stated, others, r) for r in readings):
            computed = sum((v for i, v in enumerate(values) if i not in readings[0]), Decimal(0))
            ck.error(
                "table_total", place, row.cells[t], tolerance.plain(computed),
                f"表格“{row.label}”行的{names[t + 1]}写为{row.cells[t]}，其余各列之和为{tolerance.plain(computed)}。",
            )


def _is_heading_total(label: str) -> bool:
    """收入合计, 支出合计, 三公经费合计: a total written above its parts (not a bare 合计 row)."""
    label = label.replace(" ", "")
    return len(label) > 2 and label.endswith(("合计", "总计")) and not _is_total(label)


def _heading_totals(doc: Document, ck: Checker, rows: list[Row]) -> None:
    """A 收入合计 row followed by its parts (其中：…), up to the next such row: the parts add up to it.
    A shortfall beyond a slip means the parts listed are not all of them: unchecked."""
    heads = [i for i, r in enumerate(rows) if _is_heading_total(r.label)]
    for n, h in enumerate(heads):
        total = rows[h]
        end = heads[n + 1] if n + 1 < len(heads) else len(rows)
        body = [r for r in rows[h + 1 : end] if not _is_total(r.label)]
        if not body or not CHILD_PREFIX.match(body[0].label):
            continue  # only a block that says 其中 is a breakdown of the row above
        if any(len(r.cells) != len(total.cells) for r in body):
            continue
        place = doc.place(total.offset, total.offset + len(doc.line_text(total.line)))
        for col in range(len(total.cells)):
            stated = _num(total.cells[col])
            column = [_num(r.cells[col]) for r in body]
            if stated is None or all(v is None for v in column):
                continue
            values = [None if v is None else v[0] for v in column]
            readings = [_children(values), set()]
            if any(_adds_up(stated, column, r) for r in readings):
                ck.checked("table_total", place)
                continue
            computed = sum((v[0] for i, v in enumerate(column) if i not in readings[0] and v is not None), Decimal(0))
            gap = stated[0] - computed
            if gap > 0 and (any(v is None for v in column) or not tolerance.is_slip(gap, stated[0], stated[1])):
                ck.unchecked("table_total", place, f"“{total.label}”下所列各项少于合计，可能未列全，未核对。")
                continue
            ck.checked("table_total", place)
            listed = "＋".join(tolerance.plain(v) for i, v in enumerate(values) if i not in readings[0] and v is not None)
            ck.error(
                "table_total", place, total.cells[col], tolerance.plain(computed),
                f"表格“{total.label}”第{col + 2}列写为{total.cells[col]}，其下各项{listed}＝{tolerance.plain(computed)}。",
            )
