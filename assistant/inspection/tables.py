"""Relations stated by tables flattened to text: the 项目资金 (fund) table of a 自评表, the breakdown
by income and by spending nature, and the weights of the 自评表's first-level indicators.

Tables reach us in three shapes: one row per line with “|” between cells (.docx, web copies), one
cell per line (“238.93 |” or cells between blank lines, as copied from web pages), and rows run
together without separators (“年度资金总额:202010100.00%10”). The first two become a stream of cells
read against the header's columns; a run-together row is split only where every split consistent
with its printed rate gives the same value (see `_run_together`), else it stays unchecked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from assistant.inspection import tolerance
from assistant.inspection.checker import Checker
from assistant.inspection.document import Document

HUNDRED = tolerance.HUNDRED
COLUMNS = {
    "年初预算数": "initial", "年初预算": "initial",
    "全年预算数": "full_year", "调整后预算数": "full_year", "调整后预算": "full_year", "全年预算": "full_year",
    "全年执行数": "executed", "预算执行数": "executed", "执行数": "executed",
    "分值": "weight", "权重": "weight",
    "执行率": "rate", "预算执行率": "rate",
    "得分": "score", "自评得分": "score",
    "原因": "reason",
}
COLUMN_ZH = {"initial": "年初预算数", "full_year": "全年预算数", "executed": "全年执行数", "weight": "分值", "rate": "执行率", "score": "得分"}
AMOUNT_COLUMNS = ("initial", "full_year", "executed")
TOTAL_ROWS = ("年度资金总额", "资金总额", "总额")
PART_ROWS = ("当年财政拨款", "本年财政拨款", "财政拨款", "财政资金", "上年结转资金", "上年结转", "财政专户管理资金", "单位资金", "其他资金")
NUMBER_CELL_RE = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?$")
_MD_RULE_RE = re.compile(r"^:?-{3,}:?$")
_PAREN_RE = re.compile(r"[（(][^（()）]*[)）]")


@dataclass
class Cell:
    text: str
    offset: int
    explicit: bool  # written with “|” (empty cells are real); False: one cell per line


@dataclass
class Number:
    value: Decimal
    places: int
    text: str
    offset: int


@dataclass
class FundRow:
    label: str
    offset: int
    values: dict[str, Number] = field(default_factory=dict)
    blank: set[str] = field(default_factory=set)  # columns written empty or “/”
    complete: bool = True


@dataclass
class FundTable:
    columns: list[str]
    offset: int
    rows: list[FundRow] = field(default_factory=list)

    @property
    def total(self) -> FundRow | None:
        return next((r for r in self.rows if r.label in TOTAL_ROWS), None)


def check_tables(doc: Document, ck: Checker) -> None:
    cells = _cells(doc.text)
    tables = _fund_tables(cells)
    ck.report.fund_tables = tables  # read again by the prefill (assistant.inspection.prefill)
    for table in tables:
        _check_fund_table(doc, ck, table)
    run_weights = _run_together(doc, ck)
    _check_nature(doc, ck, tables)
    _check_weights(doc, ck, tables, run_weights)


# ---------------------------------------------------------------- cells


def _cells(text: str) -> list[Cell]:
    out: list[Cell] = []
    offset = 0
    for line in text.split("\n"):
        if "|" in line:
            pieces = line.split("|")
            if pieces and not pieces[-1].strip():
                pieces = pieces[:-1]  # a trailing separator closes the row, it adds no cell
            pos = offset
            for index, piece in enumerate(pieces):
                if index == 0 and len(pieces) > 1 and not piece.strip() and line.lstrip().startswith("|"):
                    pos += len(piece) + 1
                    continue  # a Markdown row opens with “|”: no cell before it
                if not _MD_RULE_RE.match(piece.strip()):  # |---|:---:| under a Markdown header
                    out.append(Cell(piece.strip(), pos + len(piece) - len(piece.lstrip()), True))
                pos += len(piece) + 1
        elif line.strip():
            out.append(Cell(line.strip(), offset + len(line) - len(line.lstrip()), False))
        offset += len(line) + 1
    return out


def _norm(text: str) -> str:
    text = _PAREN_RE.sub("", text)
    text = re.sub(r"^其中[:：]?", "", text.replace(" ", "").replace("\u3000", ""))
    return text.rstrip(":：")


def _number(cell: Cell) -> Number | None:
    text = cell.text.replace(" ", "")
    if not NUMBER_CELL_RE.match(text):
        return None
    digits = text.rstrip("%").replace(",", "")
    places = len(digits.split(".", 1)[1]) if "." in digits else 0
    return Number(Decimal(digits), places, text, cell.offset)


# ---------------------------------------------------------------- fund table


def _fund_tables(cells: list[Cell]) -> list[FundTable]:
    tables: list[FundTable] = []
    i = 0
    while i < len(cells):
        columns = []
        j = i
        while j < len(cells) and COLUMNS.get(_norm(cells[j].text)):
            columns.append(COLUMNS[_norm(cells[j].text)])
            j += 1
        if len(columns) >= 3 and "executed" in columns and len(set(columns)) == len(columns):
            table = FundTable(columns, cells[i].offset)
            j = _fund_rows(cells, j, table)
            if table.rows:
                tables.append(table)
            i = max(j, i + 1)
        else:
            i += 1
    return tables


def _fund_rows(cells: list[Cell], j: int, table: FundTable) -> int:
    while j < len(cells):
        if not cells[j].text:
            j += 1  # the empty cells closing the header or a row
            continue
        label = _norm(cells[j].text)
        if label not in TOTAL_ROWS and label not in PART_ROWS:
            break
        row = FundRow(label, cells[j].offset)
        j += 1
        position = 0
        explicit = cells[j - 1].explicit
        while j < len(cells) and position < len(table.columns):
            cell = cells[j]
            column = table.columns[position]
            number = _number(cell)
            if number is not None:
                row.values[column] = number
            elif cell.text in ("", "/", "—", "-", "－"):
                row.blank.add(column)
            elif column == "reason":
                pass
            else:
                break
            position += 1
            j += 1
        # Cells between blank lines drop empty cells, so a short row cannot be placed by column.
        if not explicit and position < len([c for c in table.columns if c != "reason"]):
            row.complete = False
        table.rows.append(row)
    return j


def _check_fund_table(doc: Document, ck: Checker, table: FundTable) -> None:
    rows = [r for r in table.rows if r.complete]
    for row in table.rows:
        if not row.complete:
            ck.unchecked("table_total", doc.place(row.offset), f"“{row.label}”一行的数字不全，无法对应到列，未核对。")
    for row in rows:
        place = doc.place(row.offset)
        v = row.values
        if {"rate", "executed", "full_year"} <= v.keys():
            if v["full_year"].value != 0:
                ck.compare_printed(
                    "rate", place, v["rate"].value, v["rate"].places, v["executed"].value / v["full_year"].value * HUNDRED,
                    f"“{row.label}”执行率", f"全年执行数{v['executed'].text}÷全年预算数{v['full_year'].text}", "%",
                )
        if {"score", "weight"} <= v.keys():
            ck.checked("score_exceeds", place)
            if v["score"].value > v["weight"].value:
                ck.error("score_exceeds", place, v["score"].text, v["weight"].text, f"“{row.label}”得分{v['score'].text}超过分值{v['weight'].text}。")
    total = next((r for r in rows if r.label in TOTAL_ROWS), None)
    parts = [r for r in rows if r.label in PART_ROWS]
    if total is None or not parts:
        return
    place = doc.place(total.offset)
    for column in AMOUNT_COLUMNS:
        numbers = [r.values[column] for r in parts if column in r.values]
        if not numbers or column not in total.values:
            continue
        stated = total.values[column]
        computed = sum((n.value for n in numbers), Decimal(0))
        listed = "＋".join(n.text for n in numbers)
        name = COLUMN_ZH[column]
        if stated.value == 0 and computed != 0:
            ck.checked("zero_total", place)
            ck.error("zero_total", place, stated.text, tolerance.plain(computed), f"“{total.label}”的{name}为{stated.text}，而其中各项为{listed}＝{tolerance.plain(computed)}。")
            continue
        if tolerance.compare(stated.value, computed, stated.places) == tolerance.CONSISTENT:
            ck.checked("table_total", place)
            continue
        missing = [r.label for r in parts if column not in r.values]
        if missing and computed < stated.value:
            ck.unchecked("table_total", place, f"“{'、'.join(missing)}”的{name}未填，合计无法核对。")
            continue
        ck.checked("table_total", place)
        ck.error("table_total", place, stated.text, tolerance.plain(computed), f"“{total.label}”的{name}写为{stated.text}，其中各项{listed}＝{tolerance.plain(computed)}。")


# ---------------------------------------------------------------- run-together rows

MAX_RUN_DIGITS = 24  # a fund row has at most a few amounts; longer runs are not split (cost grows fast)
_RUN_ROW_RE = re.compile(r"(年度资金总额)[:：]?\s*(\d[\d.]*%)(\d*)")
_COLUMN_WORD_RE = re.compile("|".join(sorted(COLUMNS, key=len, reverse=True)))


def _run_together(doc: Document, ck: Checker) -> list[tuple[int, Decimal]]:
    """Weights read from rows printed without separators: (offset, 分值)."""
    found = []
    for m in _RUN_ROW_RE.finditer(doc.text):
        header = doc.text[max(0, m.start() - 120) : m.start()]
        columns = [COLUMNS[w.group()] for w in _COLUMN_WORD_RE.finditer(header)]
        # keep the last header run ending in the rate/score columns
        if "rate" not in columns or "weight" not in columns:
            continue
        # The header run that ends at this row: from its last first amount column on.
        firsts = [i for i, c in enumerate(columns) if c in AMOUNT_COLUMNS and (i == 0 or columns[i - 1] not in AMOUNT_COLUMNS)]
        columns = columns[firsts[-1] :] if firsts else columns
        if "rate" not in columns:
            continue
        before_rate = columns[: columns.index("rate")]
        if not before_rate or "full_year" not in before_rate or "executed" not in before_rate:
            continue
        digits = m.group(2)[:-1]
        score_text = m.group(3)
        if len(digits) > MAX_RUN_DIGITS:
            ck.unchecked("rate", doc.place(m.start(), m.end()), "连写的数字过长，无法拆分，未核对。")
            continue
        solutions = _splits(digits, before_rate, score_text)
        place = doc.place(m.start(), m.end())
        weights = {s["weight"] for s in solutions if "weight" in s}
        if len(weights) == 1 and all("weight" in s for s in solutions):
            found.append((m.start(), weights.pop()))
            ck.unchecked("rate", place, f"“{m.group(2)}{score_text}”各列数字连写，执行率无法独立核对（分值只有一种读法，已采用）。")
        else:
            ck.unchecked("rate", place, f"“{m.group(2)}{score_text}”各列数字连写，无法唯一拆分，未核对。")
    return found


def _pieces(text: str, count: int) -> list[list[str]]:
    """Ways to cut `text` into `count` well-formed numbers (no leading zeros, at most 2 decimals)."""
    if count == 0:
        return [[]] if not text else []
    out = []
    for k in range(1, len(text) + 1):
        head = text[:k]
        if not re.fullmatch(r"(?:0|[1-9]\d*)(?:\.\d{1,2})?", head):
            continue
        for rest in _pieces(text[k:], count - 1):
            out.append([head, *rest])
    return out


def _splits(digits: str, columns: list[str], score_text: str) -> list[dict]:
    solutions = []
    for cut in range(1, len(digits)):
        rate_text = digits[cut:]
        if not re.fullmatch(r"(?:0|[1-9]\d{0,2})(?:\.\d{1,2})?", rate_text):
            continue
        rate = Decimal(rate_text)
        places = len(rate_text.split(".", 1)[1]) if "." in rate_text else 0
        for pieces in _pieces(digits[:cut], len(columns)):
            row = {c: Decimal(p) for c, p in zip(columns, pieces)}
            # 分值 are whole points, printed without decimals.
            if "weight" in row and (row["weight"] > HUNDRED or "." in pieces[columns.index("weight")]):
                continue
            if score_text and "weight" in row and Decimal(score_text) > row["weight"]:
                continue
            if row["full_year"] == 0 or tolerance.compare(rate, row["executed"] / row["full_year"] * HUNDRED, places) != tolerance.CONSISTENT:
                continue
            solutions.append(row)
    return solutions


# ---------------------------------------------------------------- income / spending nature

_NATURE_RE = re.compile(r"按(收入|支出)性质分[:：]?\s*(\d[\d,]*(?:\.\d+)?)")
_PAIR_RE = re.compile(r"([\u4e00-\u9fa5]{2,20})[:：]\s*(\d[\d,]*(?:\.\d+)?)")
_SPENDING_PARTS = ("基本支出", "项目支出")
_INCOME_PARTS = ("一般公共预算", "政府性基金", "国有资本经营", "非税收入", "财政专户", "其他资金", "事业收入", "经营收入", "上级补助", "其他收入", "上年结转")


def _dec(text: str) -> tuple[Decimal, int]:
    text = text.replace(",", "")
    return Decimal(text), (len(text.split(".", 1)[1]) if "." in text else 0)


def _check_nature(doc: Document, ck: Checker, tables: list[FundTable]) -> None:
    totals = {m.group(1): m for m in _NATURE_RE.finditer(doc.text)}
    if not totals:
        return
    first = min(m.start() for m in totals.values())
    region_end = doc.text.find("年度总体目标", first)
    region_end = region_end if region_end > 0 else min(len(doc.text), first + 600)
    pairs = [p for p in _PAIR_RE.finditer(doc.text, first, region_end) if not p.group(1).startswith("按")]
    for kind, words in (("收入", _INCOME_PARTS), ("支出", _SPENDING_PARTS)):
        if kind not in totals:
            continue
        total, places = _dec(totals[kind].group(2))
        parts = [p for p in pairs if any(w in p.group(1) for w in words)]
        if not parts:
            continue
        computed = sum((_dec(p.group(2))[0] for p in parts), Decimal(0))
        place = doc.place(totals[kind].start())
        listed = "＋".join(p.group(2) for p in parts)
        ck.checked("table_total", place)
        if tolerance.compare(total, computed, places) != tolerance.CONSISTENT:
            ck.error("table_total", place, totals[kind].group(2), tolerance.plain(computed), f"按{kind}性质分合计写为{totals[kind].group(2)}，各项{listed}＝{tolerance.plain(computed)}。")
    if "支出" not in totals:
        return
    spending, _ = _dec(totals["支出"].group(2))
    owner = [t for t in tables if t.offset < totals["支出"].start() and t.total is not None and "executed" in t.total.values]
    if not owner:
        return
    row = owner[-1].total
    executed = row.values["executed"]
    place = doc.place(row.offset)
    ck.checked("executed_vs_spending", place)
    if tolerance.compare(executed.value, spending, executed.places) == tolerance.CONSISTENT:
        return
    extra = ""
    if "full_year" in row.values and row.values["full_year"].value != 0:
        rate = spending / row.values["full_year"].value * HUNDRED
        printed = f"，执行率写为{row.values['rate'].text}" if "rate" in row.values else ""
        extra = f"；按支出计执行率应为{tolerance.shown(rate, 2)}%（{totals['支出'].group(2)}÷{row.values['full_year'].text}）{printed}"
    ck.error(
        "executed_vs_spending", place, executed.text, totals["支出"].group(2),
        f"全年执行数写为{executed.text}，而按支出性质分的支出合计为{totals['支出'].group(2)}{extra}。",
    )


# ---------------------------------------------------------------- 自评表 weights

_HEADING_RE = re.compile(
    r"(产出指标|效益指标|满意度指标|绩效指标|预算执行情况|预算资金执行率|预算执行率|资金执行率)\s*[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]"
)
_PRESCRIBED_RE = re.compile(r"(产出指标|效益指标|满意度指标|预算资金执行率|预算执行率|执行率)\s*(\d+(?:\.\d+)?)\s*分")
_TIERS = ("产出指标", "效益指标", "满意度指标")


def _is_execution(name: str) -> bool:
    return "执行" in name


def _check_weights(doc: Document, ck: Checker, tables: list[FundTable], run_weights: list[tuple[int, Decimal]]) -> None:
    headings = list(_HEADING_RE.finditer(doc.text))
    groups: list[list[re.Match]] = []
    for h in headings:
        name = h.group(1)
        current = groups[-1] if groups else None
        if (
            current is None
            or any(g.group(1) == name for g in current)
            or (_is_execution(name) and any(not _is_execution(g.group(1)) for g in current))
        ):
            groups.append([h])
        else:
            current.append(h)
    fund_weights = [(t.total.offset, t.total.values["weight"].value) for t in tables if t.total and "weight" in t.total.values]
    fund_weights += run_weights
    prescribed = _prescribed(doc)
    previous_end = 0
    for group in groups:
        place = doc.place(group[0].start(), group[-1].end())
        weights = {g.group(1): Decimal(g.group(2)) for g in group}
        execution = next((w for n, w in weights.items() if _is_execution(n)), None)
        source = "表头"
        if execution is None:
            before = [w for off, w in fund_weights if previous_end <= off < group[0].start()]
            if before:
                execution, source = before[-1], "资金情况表分值"
        previous_end = group[-1].end()
        tiers = {n: w for n, w in weights.items() if n in _TIERS}
        parent = weights.get("绩效指标")
        for name, weight in weights.items():
            key = "预算资金执行率" if _is_execution(name) else name
            if key in prescribed and prescribed[key] != weight:
                ck.checked("weights_prescribed", place)
                ck.error(
                    "weights_prescribed", place, f"{name}{tolerance.plain(weight)}分", f"{tolerance.plain(prescribed[key])}分",
                    f"{name}分值为{tolerance.plain(weight)}分，而表注写明统一设置为{tolerance.plain(prescribed[key])}分。",
                )
        if parent is not None and tiers:
            total = sum(tiers.values(), Decimal(0))
            ck.checked("weights_sum", place)
            if total != parent:
                ck.error("weights_sum", place, f"绩效指标{tolerance.plain(parent)}分", f"{tolerance.plain(total)}分", f"绩效指标写为{tolerance.plain(parent)}分，其下一级指标{'＋'.join(tolerance.plain(w) for w in tiers.values())}＝{tolerance.plain(total)}分。")
        top = [parent] if parent is not None else list(tiers.values())
        if not top:
            continue
        if execution is None:
            ck.unchecked("weights_sum", place, "未读到预算执行率的分值，一级指标分值之和未核对。")
            continue
        items = [execution, *top]
        total = sum(items, Decimal(0))
        ck.checked("weights_sum", place)
        if total != HUNDRED:
            names = ["预算执行率"] + (["绩效指标"] if parent is not None else list(tiers))
            listed = "＋".join(f"{n}{tolerance.plain(w)}" for n, w in zip(names, items))
            ck.error("weights_sum", place, f"{tolerance.plain(total)}分", "100分", f"自评表一级指标分值{listed}＝{tolerance.plain(total)}分，应为100分（预算执行率分值取自{source}）。")


def _prescribed(doc: Document) -> dict[str, Decimal]:
    m = re.search(r"(?:统一设置为|统一设定为|分值设置为)[:：]?", doc.text)
    if not m:
        return {}
    window = doc.text[m.end() : m.end() + 120]
    out = {}
    for p in _PRESCRIBED_RE.finditer(window):
        name = "预算资金执行率" if _is_execution(p.group(1)) else p.group(1)
        out[name] = Decimal(p.group(2))
    return out


__all__ = ["check_tables"]
