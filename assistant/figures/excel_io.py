"""Excel (.xlsx) form of the figures: a template a finance officer fills in, and its importer.

Every data sheet carries its own field keys, so the importer never reads the Chinese labels or the
sheet names: cell A1 (hidden) names the sheet kind, row 1 (hidden) holds each column's key and
column A (hidden) each row's key; the visible header row is marked in column A and data follow it.
Re-wording a title therefore does not break workbooks already filled in.

Numbers are written as Excel numbers from Decimal and read back through the shortest repr of the
stored double, so 39.78 comes back as Decimal("39.78"); the cell's number format restores trailing
zeros (3.00) without rounding anything, and a value a double cannot hold exactly is written as
text. An empty cell means "not entered" (absent); 0 is zero.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import types
import typing
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.compat import safe_string
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from pydantic import BaseModel, ValidationError

from assistant.figures.model import Figures, label_for_path
from assistant.figures.yaml_io import FiguresError, _reason, describe_validation_error, figures_from_data, range_problems, size_problem_paths

MARK_PREFIX = "jixiao:"
HEADER_MARK = "#表头"
KEY_ROW = 1
HEADER_ROW = 2
# Marks a column key whose blank cells take the value of the row above (merged-cell style).
INHERIT = "^"
OWNER_KEY = "@owner"
CATEGORY_KEY = "@category"
EXCEL_TEXT_LIMIT = 32767
# Rows beyond the data that keep drop-down lists, so rows the user adds get them too.
SPARE_ROWS = 300


# ---------------------------------------------------------------------------------------------
# Layout: which part of the model goes to which sheet. Labels all come from the model's titles.


@dataclass(frozen=True)
class CellsSheet:
    """Fixed rows × value columns. Each column is a path prefix ("" = the row path itself); each
    row is a path relative to the first column's model, a sub-model expanding to its fields."""

    name: str
    rows: tuple[str, ...]
    columns: tuple[str, ...] = ("",)
    category: bool = False
    unit: str | None = None


@dataclass(frozen=True)
class ListSheet:
    """One row per list item; several lists may sit side by side. An item's list of texts (e.g.
    the 工作要点 of a 工作领域) takes one row each, the item's other cells repeated or left blank."""

    name: str
    lists: tuple[str, ...]


@dataclass(frozen=True)
class FundsSheet:
    """Rows (project name, fund row) × fund columns, linked to the projects by name."""

    name: str
    projects: str = "projects"
    project_name: str = "name"
    funds: str = "funds"


@dataclass(frozen=True)
class IndicatorsSheet:
    """Indicators of the whole department and of every project, told apart by the owner column."""

    name: str
    projects: str = "projects"
    project_name: str = "name"
    indicators: str = "indicators"
    whole: str = "performance_indicators"
    whole_label: str = "部门整体"
    inherit: tuple[str, ...] = ("level1", "level2")


SheetSpec = CellsSheet | ListSheet | FundsSheet | IndicatorsSheet

LAYOUT: tuple[SheetSpec, ...] = (
    CellsSheet("单位信息", rows=("meta",)),
    ListSheet("部门职责", lists=("duties",)),
    CellsSheet("人员编制", rows=("staffing",), unit="人"),
    CellsSheet("预算与决算", rows=("income", "expenditure"), columns=("budget", "adjusted_budget", "final"), category=True, unit="万元"),
    CellsSheet(
        "三公经费",
        rows=("",),
        columns=("three_public.budget", "three_public.actual", "three_public.last_year_actual", "three_public.last_year_budget"),
        unit="万元",
    ),
    CellsSheet("政府采购", rows=("procurement",), unit="万元"),
    CellsSheet("资产", rows=("assets",), unit="万元"),
    CellsSheet("结转结余", rows=("carryover",), unit="万元"),
    ListSheet("项目", lists=("projects",)),
    FundsSheet("项目资金"),
    IndicatorsSheet("绩效指标"),
    ListSheet("工作记录", lists=("work_notes",)),
    ListSheet("问题与措施", lists=("problems", "improvements")),
    ListSheet("年中追加项目", lists=("final.added_projects",)),
    CellsSheet("其他", rows=("last_year", "final.added_budget", "final.variance_reasons", "other_notes"), unit="万元"),
    ListSheet("其他编制", lists=("staffing.authorized_other", "last_year.staffing.authorized_other")),
    CellsSheet(
        "上年数据",
        rows=("last_year.income", "last_year.expenditure", "last_year.staffing", "last_year.procurement", "last_year.assets"),
        category=True,
        unit="万元；人员编制为人",
    ),
    ListSheet("自评得分", lists=("department_scores",)),
)

KIND_OF_SPEC = {CellsSheet: "cells", ListSheet: "list", FundsSheet: "funds", IndicatorsSheet: "indicators"}

INSTRUCTIONS = (
    "填写说明",
    "1. 本工作簿由“绩效自评报告起草助手”生成。各表填好后，在助手的“数据录入”页点“上传数据文件”，选择本文件即可导入；填写有误的单元格会逐一列出（表名、行、列、填写内容和应填内容），其余数据照常导入，改正后即可起草。",
    "2. 金额单位均为万元；比率按百分数填写（如 39.55 表示 39.55%），也可填 39.55% 或设为百分比格式。",
    "3. 没有的数据请留空：留空表示“未填写”，填 0 表示数值为零，两者含义不同。",
    "4. 请勿修改隐藏的第 1 行和第 A 列（字段标记）；列表类的表（项目、绩效指标、工作记录等）可在末尾续写新行。",
    "5. “项目资金”“绩效指标”表中的项目名称须与“项目”表一致；部门整体的绩效指标在“所属项目”列填“部门整体”。",
    "6. “所属项目”“一级指标”“二级指标”“项目名称”“工作领域”留空时沿用上一行，可以合并单元格。",
    "7. “是/否”栏填“是”或“否”；指标方向填 ≥、≤、= 或 定性。",
)


# ---------------------------------------------------------------------------------------------
# Model introspection


def _unwrap(annotation: Any) -> Any:
    """Strip Optional[...] and Annotated[...] down to the core type."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                annotation = args[0]
                continue
        return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _list_item(annotation: Any) -> Any:
    if typing.get_origin(annotation) is list:
        return _unwrap(typing.get_args(annotation)[0])
    return None


def _annotation_at(steps: tuple) -> Any:
    """The (unwrapped) type at a field path; list indices step into the items; None if unknown."""
    annotation: Any = Figures
    for step in steps:
        if isinstance(step, int):
            annotation = _list_item(annotation)
        elif _is_model(annotation) and step in annotation.model_fields:
            annotation = _unwrap(annotation.model_fields[step].annotation)
        else:
            return None
        if annotation is None:
            return None
    return annotation


def _kind(annotation: Any) -> str:
    """How a cell holds a value of this type."""
    if annotation is None:
        return "unknown"
    if _is_model(annotation):
        return "model"
    if typing.get_origin(annotation) is list:
        return "list"
    if isinstance(annotation, type):
        for base, kind in ((bool, "bool"), (Enum, "enum"), (int, "int"), (Decimal, "decimal"), (dt.date, "date"), (str, "text")):
            if issubclass(annotation, base):
                return kind
    return "unknown"


def _scalar_fields(model: type[BaseModel]) -> list[str]:
    return [name for name, info in model.model_fields.items() if _kind(_unwrap(info.annotation)) not in ("model", "list")]


def _title(steps: tuple) -> str:
    """Chinese title of the last named field on a path."""
    for i in range(len(steps) - 1, -1, -1):
        if isinstance(steps[i], str):
            parent = _annotation_at(tuple(steps[:i]))
            if _is_model(parent) and steps[i] in parent.model_fields:
                return parent.model_fields[steps[i]].title or steps[i]
            return steps[i]
    return ""


def _split(path: str) -> tuple[str, ...]:
    return tuple(p for p in path.split(".") if p) if path else ()


def _cells_rows(spec: CellsSheet) -> list[tuple[str, str, tuple[str, ...]]]:
    """(category title, row title, row path relative to the column) for every row of the sheet."""
    base = _split(spec.columns[0])
    rows = []
    for rel in spec.rows:
        rel_steps = _split(rel)
        annotation = _annotation_at(base + rel_steps)
        if _is_model(annotation):
            category = _title(base + rel_steps) if rel_steps else ""
            for name in _scalar_fields(annotation):
                rows.append((category, _title(base + rel_steps + (name,)), rel_steps + (name,)))
        else:
            rows.append(("", _title(base + rel_steps), rel_steps))
    return rows


class _Column(NamedTuple):
    key: str  # written to the hidden key row
    header: str
    kind: str
    options: tuple[str, ...] = ()  # drop-down choices


def _options(annotation: Any, kind: str) -> tuple[str, ...]:
    if kind == "bool":
        return ("是", "否")
    if kind == "enum":
        return tuple(member.value for member in annotation)
    return ()


def _column(key: str, header: str, steps: tuple) -> _Column:
    annotation = _annotation_at(steps)
    kind = _kind(annotation)
    return _Column(key, header, kind, _options(annotation, kind))


def _list_columns(list_path: str) -> list[_Column]:
    """Columns of one list: the item itself when it is text, else its scalar fields and at most one
    list of texts. Nested models and lists of models live on their own sheets."""
    steps = _split(list_path)
    item = _annotation_at(steps + (0,))
    if not _is_model(item):
        return [_column(f"{list_path}[]", _title(steps), steps + (0,))]
    columns, nested = [], 0
    for name, info in item.model_fields.items():
        inner = _unwrap(info.annotation)
        sub = steps + (0, name)
        if _kind(inner) not in ("model", "list"):
            columns.append(_column(f"{list_path}[].{name}", _title(sub), sub))
        elif _list_item(inner) is not None and not _is_model(_list_item(inner)):
            nested += 1
            columns.append(_column(f"{list_path}[].{name}[]", _title(sub), sub + (0,)))
    if nested > 1:
        raise ValueError(f"{list_path}: at most one nested list of texts per sheet row")
    return columns


def field_paths() -> set[str]:
    """Every field path the workbook holds, items written as `[]` (e.g. projects[].funds.total.initial)."""
    paths: set[str] = set()
    for spec in LAYOUT:
        if isinstance(spec, CellsSheet):
            for column in spec.columns:
                for _, _, rel in _cells_rows(spec):
                    paths.add(".".join(_split(column) + rel))
        elif isinstance(spec, ListSheet):
            for list_path in spec.lists:
                paths.update(c.key for c in _list_columns(list_path))
        elif isinstance(spec, FundsSheet):
            for row, column in _fund_cells(spec):
                paths.add(f"{spec.projects}[].{spec.funds}.{row}.{column}")
        else:
            for name in _indicator_fields(spec):
                paths.add(f"{spec.whole}[].{name}")
                paths.add(f"{spec.projects}[].{spec.indicators}[].{name}")
    return paths


def _fund_model(spec: FundsSheet) -> type[BaseModel]:
    return _annotation_at(_split(spec.projects) + (0, spec.funds))


def _fund_cells(spec: FundsSheet) -> list[tuple[str, str]]:
    funds = _fund_model(spec)
    return [(row, col) for row in funds.model_fields for col in _scalar_fields(_unwrap(funds.model_fields[row].annotation))]


def _indicator_fields(spec: IndicatorsSheet) -> list[str]:
    return _scalar_fields(_annotation_at(_split(spec.whole) + (0,)))


# ---------------------------------------------------------------------------------------------
# Numbers


def _format_places(number_format: str | None) -> int:
    """Decimal places an Excel number format always shows ("#,##0.00" → 2); 0 for General."""
    section = re.sub(r'"[^"]*"|\\.', "", (number_format or "").split(";")[0])
    if "E" in section.upper() or "." not in section:
        return 0
    return len(re.match(r"0*", section.split(".", 1)[1]).group())


def _is_percent(number_format: str | None) -> bool:
    return "%" in re.sub(r'"[^"]*"|\\.', "", number_format or "")


def _decimal_from_number(value: int | float, number_format: str | None) -> Decimal:
    """An Excel number as Decimal: the shortest text of the stored double (39.78, not 39.779999…),
    ×100 when shown as a percentage (rates are stored as percent numbers), trailing zeros the
    format shows appended. Digits are only ever added, never rounded away."""
    number = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    if _is_percent(number_format):
        number = number.scaleb(2)
    places = _format_places(number_format)
    if places and number.is_finite() and number.as_tuple().exponent > -places:
        try:
            number = number.quantize(Decimal(1).scaleb(-places))
        except InvalidOperation:
            pass
    return number


def _read_back(text: str) -> int | float:
    """What openpyxl reads from a number written as `text`."""
    return float(text) if any(ch in text for ch in ".eE") else int(text)


def _decimal_cell(number: Decimal) -> tuple[Any, str]:
    """Cell value and number format for a Decimal: a number when reading it back gives exactly
    the same text, else the exact text (a double keeps about 15 digits)."""
    exponent = number.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    number_format = "#,##0" + ("." + "0" * places if places else "")
    written = safe_string(float(number))
    if written and format(_decimal_from_number(_read_back(written), number_format), "f") == format(number, "f"):
        return number, number_format
    return format(number, "f"), "@"


_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－＋％　", "0123456789.,-+% ")


def _number_from_text(text: str) -> Decimal | None:
    """A number typed as text: full-width digits, thousands separators and a trailing % allowed."""
    cleaned = text.translate(_FULL_WIDTH).replace(",", "").replace(" ", "").strip()
    if cleaned.endswith("%"):
        cleaned = cleaned[:-1]
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


_DATE_TEXT = re.compile(r"(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?")
_COMPARATOR_TEXT = {">=": "≥", "=>": "≥", "<=": "≤", "=<": "≤", "＝": "=", "==": "="}


def _cell_input(value: Any, number_format: str | None, kind: str) -> Any:
    """A cell as input for a field of `kind`, None when empty. Never raises: what cannot be
    converted is passed on as typed, so the validation message shows the user's own entry."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.replace("\r\n", "\n")
        if not value.strip():
            return None
    if kind == "decimal":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return _decimal_from_number(value, number_format)
        if isinstance(value, str):
            number = _number_from_text(value)
            return value if number is None else number
        return str(value) if isinstance(value, (dt.date, dt.time)) else value
    if kind == "int":
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            number = _number_from_text(value)
            if number is not None and number == number.to_integral_value():
                return int(number)
        return value
    if kind == "bool":
        if isinstance(value, str):
            return {"是": True, "否": False}.get(value.strip(), value)
        return value
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, str):
            match = _DATE_TEXT.fullmatch(value.strip())
            if match:
                try:
                    return dt.date(*(int(g) for g in match.groups()))
                except ValueError:
                    return value
        return value
    if kind == "enum":
        text = str(value).strip()
        return _COMPARATOR_TEXT.get(text, text)
    if kind == "text":
        return _as_text(value)
    return value


def _as_text(value: Any) -> str:
    """A cell typed as a number or date in a text field (预算编码 12345) keeps what it shows."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (int, dt.date)):
        return str(value) if isinstance(value, int) else value.isoformat()
    return value


# ---------------------------------------------------------------------------------------------
# Export

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_LABEL_FILL = PatternFill("solid", fgColor="F2F2F2")
_KEY_FONT = Font(color="808080", size=8)
_WRAP = Alignment(wrap_text=True, vertical="top")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _get(data: Any, steps: tuple) -> Any:
    for step in steps:
        if isinstance(step, int):
            data = data[step] if isinstance(data, list) and step < len(data) else None
        else:
            data = data.get(step) if isinstance(data, dict) else None
        if data is None:
            return None
    return data


class _SheetWriter:
    """Writes one sheet: keys, header, values, widths and drop-downs."""

    def __init__(self, wb: Workbook, name: str, kind: str):
        self.ws = wb.create_sheet(name)
        self.ws.cell(KEY_ROW, 1, MARK_PREFIX + kind)
        self.ws.cell(HEADER_ROW, 1, HEADER_MARK)
        self.widths: dict[int, int] = {}
        self.validations: dict[tuple[str, ...], DataValidation] = {}
        self.last_row = HEADER_ROW

    def header(self, col: int, key: str, text: str, label: bool = False) -> None:
        key_cell = self.ws.cell(KEY_ROW, col, key or None)
        key_cell.font = _KEY_FONT
        cell = self.ws.cell(HEADER_ROW, col, text)
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _HEADER_ALIGN
        self.widths[col] = max(self.widths.get(col, 0), min(_display_width(text) + 2, 30))
        if label:
            self.widths[col] = max(self.widths[col], 16)

    def label(self, row: int, col: int, text: str) -> None:
        cell = self.ws.cell(row, col, text)
        cell.fill = _LABEL_FILL
        self.widths[col] = max(self.widths.get(col, 0), min(_display_width(text) + 2, 40))
        self.last_row = max(self.last_row, row)

    def value(self, row: int, col: int, value: Any, column: _Column, where: str, dropdown: bool = False) -> None:
        """One value; `dropdown` gives this cell its choices (list sheets give whole columns)."""
        cell = self.ws.cell(row, col)
        self.last_row = max(self.last_row, row)
        if dropdown and column.options:
            self._dropdown(column.options).add(cell.coordinate)
        if value is None:
            cell.number_format = {"int": "0", "date": "yyyy-mm-dd", "text": "@"}.get(column.kind, "General")
            return
        if isinstance(value, Enum):
            value = value.value
        if isinstance(value, bool):
            value = "是" if value else "否"
        if isinstance(value, Decimal):
            cell.value, cell.number_format = _decimal_cell(value)
        elif isinstance(value, dt.date):
            cell.value, cell.number_format = value, "yyyy-mm-dd"
        elif isinstance(value, str):
            if ILLEGAL_CHARACTERS_RE.search(value):
                raise FiguresError([f"字段“{where}”含有 Excel 不能保存的控制字符，请删除后再导出。"])
            if len(value) > EXCEL_TEXT_LIMIT:
                raise FiguresError([f"字段“{where}”超过 Excel 单元格的 {EXCEL_TEXT_LIMIT} 字上限，请拆分后再导出。"])
            cell.value = value
            cell.data_type = "s"  # text starting with "=" stays text, not a formula
            cell.number_format = "@"
            cell.alignment = _WRAP
            longest = max((_display_width(line) for line in value.splitlines()), default=0)
            self.widths[col] = max(self.widths.get(col, 0), min(longest + 2, 60))
        else:
            cell.value = value
        if not isinstance(value, str):
            self.widths[col] = max(self.widths.get(col, 0), 12)

    def _dropdown(self, options: tuple[str, ...]) -> DataValidation:
        if options not in self.validations:
            validation = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
            validation.error, validation.errorTitle = "请从下拉列表中选择：" + "、".join(options), "取值无效"
            validation.showErrorMessage = True
            self.ws.add_data_validation(validation)
            self.validations[options] = validation
        return self.validations[options]

    def dropdown_column(self, col: int, options: tuple[str, ...]) -> None:
        """Drop-down for a list column, down past the data so added rows have it too."""
        letter = get_column_letter(col)
        self._dropdown(options).add(f"{letter}{HEADER_ROW + 1}:{letter}{self.last_row + SPARE_ROWS}")

    def finish(self, freeze: str) -> None:
        ws = self.ws
        ws.row_dimensions[KEY_ROW].hidden = True
        ws.column_dimensions["A"].hidden = True
        for col, width in self.widths.items():
            ws.column_dimensions[get_column_letter(col)].width = max(width, 8)
        ws.freeze_panes = freeze


def _write_cells(wb: Workbook, spec: CellsSheet, data: dict) -> None:
    w = _SheetWriter(wb, spec.name, "cells")
    unit = f"（单位：{spec.unit}）" if spec.unit else ""
    col = 2
    if spec.category:
        w.header(col, "", "类别", label=True)
        col += 1
    w.header(col, "", "项目" + unit, label=True)
    first_value = col + 1
    rows = _cells_rows(spec)
    for offset, prefix in enumerate(spec.columns):
        prefix_steps = _split(prefix)
        w.header(first_value + offset, f"{prefix}.*" if prefix else "*", _title(prefix_steps) or "填写内容")
    for index, (category, title, rel) in enumerate(rows):
        row = HEADER_ROW + 1 + index
        w.ws.cell(row, 1, ".".join(rel)).font = _KEY_FONT
        if spec.category:
            w.label(row, 2, category)
        w.label(row, first_value - 1, title)
        for offset, prefix in enumerate(spec.columns):
            steps = _split(prefix) + rel
            column = _column("", "", steps)
            w.value(row, first_value + offset, _get(data, steps), column, label_for_path(steps), dropdown=True)
    w.finish(f"{get_column_letter(first_value)}{HEADER_ROW + 1}")


def _write_list(wb: Workbook, spec: ListSheet, data: dict) -> None:
    w = _SheetWriter(wb, spec.name, "list")
    col = 2
    for list_path in spec.lists:
        steps = _split(list_path)
        columns = _list_columns(list_path)
        for offset, column in enumerate(columns):
            w.header(col + offset, column.key, column.header)
        row = HEADER_ROW + 1
        for index, item in enumerate(_get(data, steps) or []):
            if not isinstance(item, dict):
                w.value(row, col, item, columns[0], label_for_path(steps + (index,)))
                row += 1
                continue
            nested = next((c for c in columns if c.key.endswith("[]")), None)
            children = (item.get(nested.key.rsplit(".", 1)[1][:-2]) or [None]) if nested else [None]
            for child_index, child in enumerate(children):
                for offset, column in enumerate(columns):
                    name = column.key.rsplit(".", 1)[1]
                    if column is nested:
                        where = label_for_path(steps + (index, name[:-2], child_index))
                        w.value(row, col + offset, child, column, where)
                    else:
                        w.value(row, col + offset, item.get(name), column, label_for_path(steps + (index, name)))
                row += 1
        for offset, column in enumerate(columns):
            if column.options:
                w.dropdown_column(col + offset, column.options)
        col += len(columns)
    w.finish(f"B{HEADER_ROW + 1}")


def _write_funds(wb: Workbook, spec: FundsSheet, data: dict) -> None:
    w = _SheetWriter(wb, spec.name, "funds")
    project_steps = _split(spec.projects)
    funds = _fund_model(spec)
    rows = list(funds.model_fields)
    value_columns = _scalar_fields(_unwrap(funds.model_fields[rows[0]].annotation))
    w.header(2, OWNER_KEY + INHERIT, _title(project_steps + (0, spec.project_name)), label=True)
    w.header(3, CATEGORY_KEY, "资金类别（单位：万元）", label=True)
    for offset, name in enumerate(value_columns):
        steps = project_steps + (0, spec.funds, rows[0], name)
        w.header(4 + offset, f"{spec.funds}.*.{name}", _title(steps))
    row = HEADER_ROW + 1
    for index, project in enumerate(_get(data, project_steps) or []):
        for fund_row in rows:
            w.ws.cell(row, 1, fund_row).font = _KEY_FONT
            w.label(row, 2, project.get(spec.project_name))
            w.label(row, 3, _title(project_steps + (index, spec.funds, fund_row)))
            for offset, name in enumerate(value_columns):
                steps = project_steps + (index, spec.funds, fund_row, name)
                w.value(row, 4 + offset, _get(data, steps), _column("", "", steps), label_for_path(steps))
            row += 1
    w.dropdown_column(3, tuple(_title(project_steps + (0, spec.funds, r)) for r in rows))
    w.finish(f"D{HEADER_ROW + 1}")


def _write_indicators(wb: Workbook, spec: IndicatorsSheet, data: dict) -> None:
    w = _SheetWriter(wb, spec.name, "indicators")
    whole = _split(spec.whole)
    names = _indicator_fields(spec)
    columns = [_column(name + (INHERIT if name in spec.inherit else ""), _title(whole + (0, name)), whole + (0, name)) for name in names]
    w.header(2, OWNER_KEY + INHERIT, f"所属项目（部门整体指标填“{spec.whole_label}”）", label=True)
    for offset, column in enumerate(columns):
        w.header(3 + offset, column.key, column.header)
    owners = [(spec.whole_label, whole)]
    for index, project in enumerate(_get(data, _split(spec.projects)) or []):
        owners.append((project.get(spec.project_name), _split(spec.projects) + (index, spec.indicators)))
    row = HEADER_ROW + 1
    for owner, list_steps in owners:
        for index, item in enumerate(_get(data, list_steps) or []):
            w.label(row, 2, owner)
            for offset, name in enumerate(names):
                steps = list_steps + (index, name)
                w.value(row, 3 + offset, item.get(name), columns[offset], label_for_path(steps))
            row += 1
    for offset, column in enumerate(columns):
        if column.options:
            w.dropdown_column(3 + offset, column.options)
    w.finish(f"C{HEADER_ROW + 1}")


_WRITERS = {CellsSheet: _write_cells, ListSheet: _write_list, FundsSheet: _write_funds, IndicatorsSheet: _write_indicators}


def _check_project_names(data: dict) -> None:
    """Funds and indicators find their project by name, so names must tell projects apart."""
    clashes: set[str] = set()
    for spec in LAYOUT:
        if isinstance(spec, (FundsSheet, IndicatorsSheet)):
            names = [p.get(spec.project_name) for p in _get(data, _split(spec.projects)) or []]
            whole = spec.whole_label if isinstance(spec, IndicatorsSheet) else None
            clashes.update(n for n in names if names.count(n) > 1 or n == whole)
    if clashes:
        raise FiguresError([f"项目名称“{n}”重复或与“部门整体”相同：Excel 中按项目名称对应项目资金和绩效指标，请先区分项目名称。" for n in sorted(clashes)])


def build_workbook(figures: Figures | None) -> Workbook:
    """The workbook for `figures`; with None, an empty template."""
    data: dict = {}
    if figures is not None:
        data = figures.model_dump(mode="python")
        _check_project_names(data)
    wb = Workbook()
    guide = wb.active
    guide.title = INSTRUCTIONS[0]
    for row, line in enumerate(INSTRUCTIONS[1:], start=1):
        guide.cell(row, 1, line)
    guide.column_dimensions["A"].width = 120
    for spec in LAYOUT:
        _WRITERS[type(spec)](wb, spec, data)
    return wb


def excel_bytes(figures: Figures | None) -> bytes:
    """The .xlsx file as bytes (for a download button)."""
    buffer = io.BytesIO()
    build_workbook(figures).save(buffer)
    return buffer.getvalue()


def export_excel(figures: Figures | None, path: str | Path | BinaryIO) -> None:
    """Write the Excel template (filled in with `figures`, or empty for None) to a path or binary file."""
    if hasattr(path, "write"):
        path.write(excel_bytes(figures))
        return
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(excel_bytes(figures))
    tmp.replace(path)


# ---------------------------------------------------------------------------------------------
# Import


class _Where(NamedTuple):
    sheet: str
    row: int
    column: str
    row_label: str = ""
    cell: str = ""  # the coordinate, e.g. D5

    def text(self) -> str:
        row_label = f"（{self.row_label}）" if self.row_label else ""
        return f"“{self.sheet}”表第{self.row}行{row_label}“{self.column}”列"


def _plain(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Sheet:
    """A marked sheet as read: column keys, header texts and data rows (lists of cells). A sheet
    whose hidden marks are damaged gets its keys from the template's layout instead (see
    `_repair`): `row_keys` then names the rows of a fixed-rows sheet by their visible labels."""

    def __init__(self, ws, rows: list | None = None):
        self.name = ws.title
        rows = list(ws.iter_rows()) if rows is None else rows
        self.all_rows = rows
        keys = rows[KEY_ROW - 1] if rows else ()
        self.keys = {cell.column: _plain(cell.value) for cell in keys[1:] if _plain(cell.value)}
        header_index = next((i for i, r in enumerate(rows[:30]) if r and _plain(r[0].value) == HEADER_MARK), HEADER_ROW - 1)
        self.header_index = header_index
        header = rows[header_index] if len(rows) > header_index else ()
        self.headers = {cell.column: _plain(cell.value) for cell in header if _plain(cell.value)}
        self.rows = rows[header_index + 1 :]
        self.row_keys: dict[int, str] | None = None

    def header(self, column: int) -> str:
        return self.headers.get(column) or get_column_letter(column)

    def where(self, row: int, column: int, label: str = "") -> "_Where":
        return _Where(self.name, row, self.header(column), label, f"{get_column_letter(column)}{row}")

    def row_key(self, row: tuple) -> str:
        """The hidden key of a data row (column A), or the one its visible labels give."""
        if self.row_keys is not None:
            return self.row_keys.get(row[0].row, "") if row else ""
        return _plain(row[0].value) if row else ""

    @staticmethod
    def cell(row: tuple, column: int):
        return row[column - 1] if column - 1 < len(row) else None

    def value(self, row: tuple, column: int) -> Any:
        cell = self.cell(row, column)
        return None if cell is None else cell.value


class _Reader:
    """Builds the figures data dict from the marked sheets, remembering the cell of every path."""

    def __init__(self):
        self.data: dict = {}
        self.errors: list[str] = []
        self.where: dict[tuple, _Where] = {}
        self.filled: set[tuple] = set()

    # -- helpers
    def convert(self, sheet: _Sheet, row: tuple, column: int, steps: tuple) -> Any:
        cell = sheet.cell(row, column)
        if cell is None:
            return None
        return _cell_input(cell.value, cell.number_format, _kind(_annotation_at(steps)))

    def put(self, steps: tuple, value: Any, where: _Where) -> None:
        if steps in self.filled:
            self.errors.append(f"{where.text()}重复填写了“{label_for_path(steps)}”。")
            return
        node: Any = self.data
        for step in steps[:-1]:
            if isinstance(node, list) and isinstance(step, int) and step < len(node):
                node = node[step]
            elif isinstance(node, dict) and isinstance(step, str):
                node = node.setdefault(step, {})
            else:
                node = None
                break
        if not isinstance(node, dict):
            self.errors.append(f"{where.text()}的字段标记无效，请使用新生成的模板。")
            return
        node[steps[-1]] = value
        self.filled.add(steps)

    def _project_index(self, spec: FundsSheet | IndicatorsSheet) -> dict[str, int | None]:
        index: dict[str, int | None] = {}
        for i, project in enumerate(_get(self.data, _split(spec.projects)) or []):
            name = _plain(project.get(spec.project_name)) if isinstance(project, dict) else ""
            if name:
                index[name] = None if name in index else i  # None: the name is ambiguous
        return index

    def _owner_error(self, where: _Where, name: str, index: dict) -> str | None:
        if name not in index:
            return f"{where.text()}的项目“{name}”不在“项目”表中，请先在“项目”表中填写该项目（名称须完全一致）。"
        if index[name] is None:
            return f"{where.text()}的项目“{name}”在“项目”表中出现多次，无法确定对应哪一个项目，请区分项目名称。"
        return None

    # -- sheet kinds
    def read_cells(self, sheet: _Sheet) -> None:
        value_columns = {c: k for c, k in sheet.keys.items() if "*" in k}
        label_columns = [c for c in sorted(sheet.headers) if c > 1 and c not in sheet.keys]
        for row in sheet.rows:
            if not row:
                continue
            key = sheet.row_key(row)
            label = "/".join(_plain(sheet.value(row, c)) for c in label_columns if _plain(sheet.value(row, c)))
            if not key:
                if any(not _is_blank(sheet.value(row, c)) for c in value_columns):
                    self.errors.append(
                        f"“{sheet.name}”表第{row[0].row}行不是模板中的行（缺少隐藏的字段标记），其中的数据无法导入；请填到模板已有的行中。"
                    )
                continue
            for column, template in value_columns.items():
                steps = _split(template.replace("*", key))
                where = sheet.where(row[0].row, column, label)
                self.where.setdefault(steps, where)
                value = self.convert(sheet, row, column, steps)
                if value is not None:
                    self.put(steps, value, where)

    def read_list(self, sheet: _Sheet) -> None:
        groups: dict[str, list[tuple[int, str | None, bool]]] = {}
        for column, key in sorted(sheet.keys.items()):
            match = re.fullmatch(r"(.+?)\[\](?:\.([^.\[\]]+)(\[\])?)?", key)
            if match:
                groups.setdefault(match.group(1), []).append((column, match.group(2), bool(match.group(3))))
        for list_path, columns in groups.items():
            self._read_one_list(sheet, _split(list_path), columns)

    def _read_one_list(self, sheet: _Sheet, steps: tuple, columns: list[tuple[int, str | None, bool]]) -> None:
        scalar = next((c for c, name, _ in columns if name is None), None)
        if scalar is not None:
            self._read_text_list(sheet, steps, scalar)
            return
        items: list[dict] = []
        started_by: list[dict] = []  # the cells of the row that opened each item
        fields = [(c, name) for c, name, nested in columns if name and not nested]
        nested = next(((c, name) for c, name, is_nested in columns if is_nested), None)
        for row in sheet.rows:
            if not row:
                continue
            raw = {name: sheet.value(row, c) for c, name in fields}
            child = self.convert(sheet, row, nested[0], steps + (0, nested[1], 0)) if nested else None
            if all(_is_blank(v) for v in raw.values()) and child is None:
                continue
            # With a list of texts per item (工作要点), a row whose other cells are blank or repeat
            # the item above adds one more text to that item.
            same = nested is not None and items and all(_is_blank(v) or _plain(v) == _plain(started_by[-1].get(name)) for name, v in raw.items())
            if not same:
                item: dict = {}
                for column, name in fields:
                    path = steps + (len(items), name)
                    self.where[path] = sheet.where(row[0].row, column)
                    value = self.convert(sheet, row, column, path)
                    if value is not None:
                        item[name] = value
                if nested:
                    item[nested[1]] = []
                items.append(item)
                started_by.append(raw)
            if child is not None:
                children = items[-1][nested[1]]
                self.where[steps + (len(items) - 1, nested[1], len(children))] = sheet.where(row[0].row, nested[0])
                children.append(child)
        if items:
            self.put(steps, items, sheet.where(HEADER_ROW, columns[0][0]))

    def _read_text_list(self, sheet: _Sheet, steps: tuple, column: int) -> None:
        items: list[Any] = []
        for row in sheet.rows:
            if not row:
                continue
            path = steps + (len(items),)
            value = self.convert(sheet, row, column, path)
            if value is not None:
                self.where[path] = sheet.where(row[0].row, column)
                items.append(value)
        if items:
            self.put(steps, items, sheet.where(HEADER_ROW, column))

    def read_funds(self, sheet: _Sheet, spec: FundsSheet) -> None:
        projects = _split(spec.projects)
        index = self._project_index(spec)
        owner_column = next((c for c, k in sheet.keys.items() if k.startswith(OWNER_KEY)), None)
        category_column = next((c for c, k in sheet.keys.items() if k == CATEGORY_KEY), None)
        value_columns = {c: k for c, k in sheet.keys.items() if "*" in k}
        titles = {_title(projects + (0, spec.funds, name)): name for name in _fund_model(spec).model_fields}
        owner = ""
        for row in sheet.rows:
            if not row:
                continue
            r = row[0].row
            name = _plain(sheet.value(row, owner_column)) if owner_column else ""
            owner = name or owner
            if all(_is_blank(sheet.value(row, c)) for c in value_columns):
                continue
            owner_where = sheet.where(r, owner_column or 2)
            if not owner:
                self.errors.append(f"{owner_where.text()}为空：请填写项目名称。")
                continue
            problem = self._owner_error(owner_where, owner, index)
            if problem:
                self.errors.append(problem)
                continue
            key = sheet.row_key(row)
            category = _plain(sheet.value(row, category_column)) if category_column else ""
            # Rows the user added have no hidden key: the visible 资金类别 names the row.
            key = key or titles.get(category, "")
            if not key:
                where = sheet.where(r, category_column or 3)
                self.errors.append(f"{where.text()}无法识别（填写的是：{category!r}），应为：{'、'.join(titles)}。")
                continue
            for column, template in value_columns.items():
                steps = projects + (index[owner],) + _split(template.replace("*", key))
                where = sheet.where(r, column, f"{owner}/{category}" if category else owner)
                self.where.setdefault(steps, where)
                value = self.convert(sheet, row, column, steps)
                if value is not None:
                    self.put(steps, value, where)

    def read_indicators(self, sheet: _Sheet, spec: IndicatorsSheet) -> None:
        projects = _split(spec.projects)
        index = self._project_index(spec)
        owner_column = next((c for c, k in sheet.keys.items() if k.startswith(OWNER_KEY)), None)
        fields = {c: k for c, k in sheet.keys.items() if not k.startswith("@")}
        lists: dict[tuple, list[dict]] = {}
        owner, above = "", {}
        for row in sheet.rows:
            if not row:
                continue
            r = row[0].row
            named = _plain(sheet.value(row, owner_column)) if owner_column else ""
            if all(_is_blank(sheet.value(row, c)) for c in fields):
                owner = named or owner
                continue
            if named and named != owner:
                above = {}  # a new owner starts its own 一级/二级 headings
            owner = named or owner or spec.whole_label
            where = sheet.where(r, owner_column or 2)
            if owner == spec.whole_label:
                list_steps = _split(spec.whole)
            else:
                problem = self._owner_error(where, owner, index)
                if problem:
                    self.errors.append(problem)
                    continue
                list_steps = projects + (index[owner], spec.indicators)
            items = lists.setdefault(list_steps, [])
            item: dict = {}
            for column, key in fields.items():
                name = key.rstrip(INHERIT)
                path = list_steps + (len(items), name)
                self.where[path] = sheet.where(r, column, owner)
                value = self.convert(sheet, row, column, path)
                if value is None and key.endswith(INHERIT):
                    value = above.get(name)
                if value is not None:
                    item[name] = value
                    if key.endswith(INHERIT):
                        above[name] = value
            items.append(item)
        for list_steps, items in lists.items():
            self.put(list_steps, items, sheet.where(HEADER_ROW, owner_column or 2))

    # -- validation
    def ensure_required(self, data: dict, model: type[BaseModel] = Figures) -> None:
        """Open required sub-models (单位信息) so a missing field is reported at its own cell."""
        for name, info in model.model_fields.items():
            inner = _unwrap(info.annotation)
            if _is_model(inner) and info.is_required():
                data.setdefault(name, {})
            if _is_model(inner) and isinstance(data.get(name), dict):
                self.ensure_required(data[name], inner)

    def describe(self, exc: ValidationError) -> list[str]:
        """The validation messages with the field's name replaced by its sheet, row and column."""
        messages = []
        for error, plain in zip(exc.errors(), describe_validation_error(exc)):
            loc = tuple(error.get("loc", ()))
            where = next((self.where[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in self.where), None)
            prefix = f"字段“{label_for_path(loc)}”"
            if where is None or not plain.startswith(prefix):
                messages.append(plain)
                continue
            rest = plain[len(prefix) :]
            if error.get("type") in ("bool_parsing", "bool_type"):
                # In a sheet the choice is the drop-down's 是/否, not YAML's true/false.
                shown = rest.find("（填写的是：")
                rest = "应为“是”或“否”" + (rest[shown:] if shown >= 0 else "。")
            messages.append(where.text() + rest)
        return messages


@dataclass(frozen=True)
class CellProblem:
    """One cell (or sheet) the import could not take, in the user's terms; its field is left empty."""

    sheet: str
    row: int | None
    column: str  # the visible header, or the column letter
    cell: str  # the coordinate, e.g. D5 ("" for a whole sheet or column)
    typed: str  # what the cell holds, as shown
    expected: str  # what the field needs, in Chinese
    message: str  # one Chinese sentence with all of the above

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("sheet", "row", "column", "cell", "typed", "expected", "message")}


@dataclass
class ExcelImport:
    """What a workbook gave: `data` (figures data with every good value; bad cells left out),
    `problems` (each bad cell or unreadable part, nothing dropped silently), `notices` (what was
    repaired, e.g. a sheet matched by its headers) and `figures` when the data validate."""

    data: dict
    problems: list[CellProblem]
    notices: list[str]
    figures: Figures | None

    @property
    def ok(self) -> bool:
        return not self.problems and self.figures is not None

    def messages(self) -> list[str]:
        return [p.message for p in self.problems]


def _typed(value: Any) -> str:
    text = _as_text(value) if value is not None else ""
    text = text if isinstance(text, str) else str(text)
    return text if len(text) <= 40 else text[:30] + f"…（共 {len(text)} 字）"


def _problem(where: "_Where | None", message: str, typed: Any = None, expected: str = "") -> CellProblem:
    if where is None:
        return CellProblem("", None, "", "", _typed(typed), expected, message)
    return CellProblem(where.sheet, where.row, where.column, where.cell, _typed(typed), expected, message)


# --- the workbook as a package ---------------------------------------------------------------------


MAX_SHEETS_BYTES = 16 * 1024 * 1024


class _Workbooks(NamedTuple):
    values: Any  # openpyxl workbook with cached values (data_only)
    formulas: dict[str, dict[str, str]]  # sheet → coordinate → formula, for formulas without a cached value


def _read_source(source: str | Path | bytes | BinaryIO) -> tuple[bytes, str]:
    from assistant.archive_limits import XLSX_LIMITS

    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            if path.is_dir():
                raise FiguresError([f"无法读取文件 {path.name}：这是文件夹，不是 Excel 工作簿。"])
            with path.open("rb") as handle:
                raw = handle.read(XLSX_LIMITS.max_total_bytes + 1)
        except FileNotFoundError as exc:
            raise FiguresError([f"找不到文件 {path}。"]) from exc
        except OSError as exc:
            raise FiguresError([f"无法读取文件 {path.name}：{exc.strerror or exc}。"]) from exc
        name = path.name
    else:
        raw = source if isinstance(source, bytes) else source.read()
        name = getattr(source, "name", "上传的文件")
    if len(raw) > XLSX_LIMITS.max_total_bytes:
        raise FiguresError([f"{name} 过大（超过 {XLSX_LIMITS.max_total_bytes // (1024 * 1024)} MB）：数据模板不应有这么大，请检查是否选错了文件。"])
    return raw, name


def _uncached_formulas(raw: bytes, values) -> dict[str, dict[str, str]]:
    """Formula cells whose result the file does not store (a file written by a program, or never
    saved in Excel): openpyxl reads them as empty, which would silently lose the figure."""
    with zipfile.ZipFile(io.BytesIO(raw)) as package:
        has_formulas = any(
            info.filename.startswith("xl/worksheets/") and b"<f" in package.read(info.filename)
            for info in package.infolist()
            if info.filename.endswith(".xml")
        )
    if not has_formulas:
        return {}
    formulas_wb = load_workbook(io.BytesIO(raw), data_only=False)
    found: dict[str, dict[str, str]] = {}
    for ws in formulas_wb.worksheets:
        if ws.title not in values.sheetnames:
            continue
        cached = values[ws.title]
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" and cached[cell.coordinate].value is None:
                    text = cell.value if isinstance(cell.value, str) else getattr(cell.value, "text", "") or "公式"
                    found.setdefault(ws.title, {})[cell.coordinate] = str(text)
    return found


def _open_workbook(source: str | Path | bytes | BinaryIO) -> _Workbooks:
    from assistant.archive_limits import XLSX_LIMITS, ArchiveLimitError, check_zip_limits

    raw, name = _read_source(source)
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise FiguresError([f"{name} 是旧版 Excel（.xls）或加密的工作簿：请在 Excel 或 WPS 中另存为 .xlsx（不设密码）后再导入。"])
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise FiguresError([f"{name} 不是 Excel 工作簿（.xlsx）：请选择由本助手生成并填写好的 Excel 文件。"])
    try:
        check_zip_limits(raw, XLSX_LIMITS, kind=name)
    except ArchiveLimitError as exc:
        raise FiguresError([exc.message]) from None
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as package:
            sheets_size = sum(i.file_size for i in package.infolist() if i.filename.startswith("xl/worksheets/"))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise FiguresError([f"{name} 已损坏或不是有效的 Excel 工作簿，无法打开：请在 Excel 中打开并重新保存为 .xlsx 后再试。"]) from None
    if sheets_size > MAX_SHEETS_BYTES:
        # Parsing sheet XML is what costs time and memory; a filled-in template holds well under 1 MB.
        raise FiguresError([f"{name} 的工作表内容过多（解压后 {sheets_size // (1024 * 1024)} MB，上限 {MAX_SHEETS_BYTES // (1024 * 1024)} MB）：数据模板不应有这么多行，请检查是否选错了文件。"])
    try:
        values = load_workbook(io.BytesIO(raw), data_only=True)
        formulas = _uncached_formulas(raw, values)
    except Exception as exc:  # openpyxl raises many kinds of errors on a damaged package
        raise FiguresError([f"{name} 已损坏或不是有效的 Excel 工作簿，无法打开：请在 Excel 中打开并重新保存为 .xlsx 后再试。"]) from exc
    return _Workbooks(values, formulas)


# --- sheets whose hidden marks are damaged: matched by their visible headers ----------------------

_REFERENCE: dict[str, Any] = {}


class _Reference(NamedTuple):
    kind: str
    spec: SheetSpec
    keys: dict[int, str]  # column → key (label columns have none)
    headers: dict[str, int]  # visible header → column
    row_labels: dict[tuple[str, str], str]  # (category, row title) → row key, for fixed-rows sheets
    title_keys: dict[str, str]  # row title → row key, when the title alone tells the row


def _references() -> dict[str, _Reference]:
    """Each sheet of a blank template as the importer expects it, built once."""
    if not _REFERENCE:
        wb = build_workbook(None)
        for spec in LAYOUT:
            ws = wb[spec.name]
            sheet = _Sheet(ws)
            labels: dict[tuple[str, str], str] = {}
            titles: dict[str, list[str]] = {}
            if isinstance(spec, CellsSheet):
                label_columns = [c for c in sorted(sheet.headers) if c > 1 and c not in sheet.keys]
                for row in sheet.rows:
                    key = _plain(row[0].value)
                    texts = [_plain(sheet.value(row, c)) for c in label_columns]
                    category, title = (texts[0], texts[-1]) if len(texts) > 1 else ("", texts[-1] if texts else "")
                    labels[(category, title)] = key
                    titles.setdefault(title, []).append(key)
            _REFERENCE[spec.name] = _Reference(
                KIND_OF_SPEC[type(spec)],
                spec,
                dict(sheet.keys),
                {text: column for column, text in sheet.headers.items() if column > 1},
                labels,
                {title: keys[0] for title, keys in titles.items() if len(keys) == 1},
            )
    return _REFERENCE


def _header_match(rows: list, reference: _Reference) -> tuple[int, int]:
    """(row index, number of matching headers) of the row among the first ten that best matches."""
    best = (-1, 0)
    for index, row in enumerate(rows[:10]):
        hits = sum(1 for cell in row if _plain(cell.value) in reference.headers)
        if hits > best[1]:
            best = (index, hits)
    return best


def _repair(ws, sheet: _Sheet | None, reference: _Reference, rows: list) -> tuple[_Sheet, list[str], list[CellProblem]]:
    """The sheet with keys taken from the template wherever its own are missing: columns by their
    visible header, fixed rows by their visible labels. Columns that hold data but match nothing
    are reported, never skipped in silence."""
    notices: list[str] = []
    problems: list[CellProblem] = []
    if sheet is None:
        header_index, _ = _header_match(rows, reference)
        sheet = _Sheet(ws, rows)
        sheet.keys = {}
        sheet.header_index = header_index
        sheet.headers = {cell.column: _plain(cell.value) for cell in rows[header_index] if _plain(cell.value)}
        sheet.rows = rows[header_index + 1 :]
    intact = bool(sheet.keys)
    repaired = []
    label_columns = []
    ref_labels = {c for c in reference.headers.values() if c not in reference.keys}
    for column, text in sheet.headers.items():
        if column in sheet.keys:
            continue
        ref_column = reference.headers.get(text)
        if text == HEADER_MARK:
            continue  # the hidden key column itself
        if intact and column in ref_labels:
            label_columns.append(column)  # 类别, 项目: the row's visible name
        elif ref_column is not None and ref_column in reference.keys and reference.keys[ref_column] not in sheet.keys.values():
            sheet.keys[column] = reference.keys[ref_column]
            repaired.append(text)
        elif ref_column is not None:
            label_columns.append(column)
        elif any(not _is_blank(sheet.value(row, column)) for row in sheet.rows):
            problems.append(
                _problem(
                    sheet.where(sheet.header_index + 1, column),
                    f"“{sheet.name}”表的“{text}”列（{get_column_letter(column)}列）不是模板中的列，其中的数据没有导入：请把数据移到模板已有的列中。",
                    expected="模板中的列",
                )
            )
    if reference.row_labels:
        # A fixed-rows sheet: rows without their hidden key are named by 类别 and 项目.
        labels = sorted(label_columns)
        row_keys: dict[int, str] = {}
        category = ""
        lost_keys = False
        for row in sheet.rows:
            if not row:
                continue
            key = _plain(row[0].value)
            if key and key in reference.row_labels.values():
                row_keys[row[0].row] = key
                continue
            lost_keys = True
            texts = [_plain(sheet.value(row, c)) for c in labels]
            category = (texts[0] if len(texts) > 1 and texts[0] else category) if texts else category
            title = texts[-1] if texts else ""
            found = reference.row_labels.get((category, title)) or reference.title_keys.get(title)
            if found:
                row_keys[row[0].row] = found
        sheet.row_keys = row_keys
        if lost_keys:
            repaired.append("行标记")
    if repaired:
        notices.append(f"“{sheet.name}”表的隐藏字段标记不完整，已按可见的表头和行名识别并导入，请核对这张表的数据。")
    return sheet, notices, problems


def _reference_for(kind: str, title: str, keys: set[str], references: dict[str, _Reference], taken: set[str]) -> _Reference | None:
    """The template sheet a marked sheet is: by its title, else the one of its kind whose keys it shares."""
    same_kind = [r for name, r in references.items() if r.kind == kind and name not in taken]
    by_title = next((r for r in same_kind if r.spec.name == title), None)
    if by_title is not None:
        return by_title
    scored = sorted(((len(keys & set(r.keys.values())), r.spec.name) for r in same_kind), reverse=True)
    if scored and scored[0][0] > 0:
        return references[scored[0][1]]
    return None


def _sheets(workbooks: _Workbooks) -> tuple[list[tuple[str, _Sheet]], list[str], list[CellProblem]]:
    """Every sheet the template knows, by its hidden mark or, when that is damaged, by its title
    or visible headers; a sheet holding data that matches nothing is reported."""
    references = _references()
    specs = {KIND_OF_SPEC[type(s)]: s for s in LAYOUT}
    found: list[tuple[str, _Sheet]] = []
    taken: set[str] = set()
    notices: list[str] = []
    problems: list[CellProblem] = []
    pending = []
    for ws in workbooks.values.worksheets:
        rows = list(ws.iter_rows())
        mark = _plain(rows[0][0].value) if rows and rows[0] else ""
        kind = mark[len(MARK_PREFIX) :] if mark.startswith(MARK_PREFIX) else ""
        sheet = _Sheet(ws, rows) if kind in specs else None
        reference = _reference_for(kind, ws.title, set(sheet.keys.values()), references, taken) if sheet else None
        if reference is None:
            pending.append((ws, rows))
            continue
        sheet, more_notices, more = _repair(ws, sheet if sheet.keys else None, reference, rows)
        found.append((kind, sheet))
        taken.add(reference.spec.name)
        notices += more_notices
        problems += more
    for ws, rows in pending:
        if ws.title == INSTRUCTIONS[0] or not any(not _is_blank(c.value) for row in rows for c in row):
            continue
        candidates = []
        for name, reference in references.items():
            if name in taken:
                continue
            _, hits = _header_match(rows, reference)
            title_match = ws.title.strip() == name
            if title_match or hits >= max(2, (len(reference.headers) + 1) // 2):
                candidates.append((title_match, hits, name))
        if not candidates:
            problems.append(
                CellProblem(ws.title, None, "", "", "", "模板中的工作表",
                            f"工作表“{ws.title}”不是本助手模板中的表（没有字段标记，表头也对不上），其中的数据没有导入：请把数据填到模板对应的表中。")
            )
            continue
        _, hits, name = max(candidates)
        reference = references[name]
        if hits == 0:
            problems.append(
                CellProblem(ws.title, None, "", "", "", "模板的表头",
                            f"“{ws.title}”表的隐藏字段标记已损坏，表头也与模板不符，无法确定各列的含义，其中的数据没有导入：请用新模板重新填写这张表。")
            )
            continue
        sheet, more_notices, more = _repair(ws, None, reference, rows)
        found.append((reference.kind, sheet))
        taken.add(name)
        notices += more_notices or [f"“{ws.title}”表的隐藏字段标记已损坏，已按可见的表头识别并导入，请核对这张表的数据。"]
        problems += more
    return found, notices, problems


def _formula_problems(workbooks: _Workbooks, reader: _Reader) -> list[CellProblem]:
    by_cell = {(w.sheet, w.cell): (path, w) for path, w in reader.where.items() if w.cell}
    problems = []
    for sheet_name, cells in workbooks.formulas.items():
        for coordinate, formula in cells.items():
            path, where = by_cell.get((sheet_name, coordinate), (None, None))
            field = f"（{label_for_path(path)}）" if path else ""
            row = int(re.sub(r"[A-Z]+", "", coordinate))
            column = where.column if where else re.sub(r"\d+", "", coordinate)
            problems.append(
                CellProblem(
                    sheet_name, row, column, coordinate, formula[:40], "数值",
                    f"“{sheet_name}”表 {coordinate} 单元格{field}是公式“{formula[:40]}”，但文件中没有保存计算结果，无法得到数值："
                    "请在 Excel 或 WPS 中打开、保存后再导入，或直接填写数值。",
                )
            )
    return problems


def _drop(data: dict, loc: tuple) -> bool:
    """Remove the value at `loc` (the field stays empty for the user to fill); False if absent."""
    node: Any = data
    for step in loc[:-1]:
        if isinstance(node, dict) and step in node:
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            node = node[step]
        else:
            return False
    last = loc[-1] if loc else None
    if isinstance(node, dict) and last in node:
        del node[last]
        return True
    if isinstance(node, list) and isinstance(last, int) and last < len(node) and not isinstance(node[last], (dict, list)):
        node[last] = None  # keeps the positions of the items after it; removed below
        return True
    return False


def _without_holes(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_holes(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_holes(v) for v in value if v is not None]
    return value


def _cell_of(reader: _Reader, loc: tuple) -> "_Where | None":
    return next((reader.where[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in reader.where), None)


def read_excel(source: str | Path | bytes | BinaryIO) -> ExcelImport:
    """Read a filled-in template forgivingly: every good value is kept, every cell that cannot be
    taken is listed (sheet, row, column, what was typed, what is expected) and its field left
    empty; nothing is guessed. Raises FiguresError only when the file is not a readable template
    at all (not an .xlsx, damaged, over its limits, no sheet of the template)."""
    workbooks = _open_workbook(source)
    sheets, notices, problems = _sheets(workbooks)
    if not sheets:
        raise FiguresError(["这个 Excel 文件不是本助手的数据模板（没有可识别的工作表）：请先在“数据录入”页点“下载空白 Excel 模板”，填好后再导入。"])
    specs = {KIND_OF_SPEC[type(s)]: s for s in LAYOUT}
    reader = _Reader()
    # Project funds and indicators refer to the projects, so the plain sheets are read first.
    for kind, sheet in sorted(sheets, key=lambda m: m[0] in ("funds", "indicators")):
        if kind == "cells":
            reader.read_cells(sheet)
        elif kind == "list":
            reader.read_list(sheet)
        elif kind == "funds":
            reader.read_funds(sheet, specs[kind])
        else:
            reader.read_indicators(sheet, specs[kind])
    problems += _formula_problems(workbooks, reader)
    problems += [CellProblem("", None, "", "", "", "", message) for message in reader.errors]
    data = reader.data
    reader.ensure_required(data)
    for loc, message in size_problem_paths(data):
        where = _cell_of(reader, loc)
        problems.append(_problem(where, (where.text() if where else "") + message, expected="较短的文字"))
        if loc:
            _drop(data, loc)
    figures = None
    for _ in range(5):  # each round leaves the bad cells empty; a few rounds settle any data
        data = _without_holes(data)
        try:
            figures = Figures.model_validate(data)
        except ValidationError as exc:
            dropped = False
            for error, message in zip(exc.errors(), reader.describe(exc)):
                loc = tuple(error.get("loc", ()))
                where = _cell_of(reader, loc)
                reason = _reason(error)
                if error.get("type") == "missing" or not _drop(data, loc):
                    if where is not None and (where.sheet, where.cell) in {(p.sheet, p.cell) for p in problems}:
                        continue  # a required cell already listed with what was typed in it
                    problems.append(_problem(where, message, expected=reason))
                    continue
                dropped = True
                problems.append(_problem(where, message, error.get("input"), reason))
            if not dropped:
                break
            continue
        ranged = range_problems(figures)
        if not ranged:
            break
        for loc, message in ranged:
            where = _cell_of(reader, loc)
            problems.append(_problem(where, (where.text() + message.split("”", 1)[1]) if where else message, _get(data, loc), "合理范围内的数字"))
            _drop(data, loc)
        figures = None
    return ExcelImport(_without_holes(data), _unique(problems), notices, figures)


def _unique(problems: list[CellProblem]) -> list[CellProblem]:
    seen, kept = set(), []
    for problem in problems:
        if problem.message not in seen:
            seen.add(problem.message)
            kept.append(problem)
    return kept


def load_excel(source: str | Path | bytes | BinaryIO) -> Figures:
    """Read a filled-in template (path, bytes or binary file) strictly: any cell that cannot be
    taken raises FiguresError with every such cell named, in Chinese. For an import that keeps the
    good values and lists the bad cells, use `read_excel`."""
    result = read_excel(source)
    if result.problems or result.figures is None:
        raise FiguresError(result.messages() or ["数据不完整，无法导入。"])
    return result.figures
