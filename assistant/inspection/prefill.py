"""Prefill a figures file from a report: the figures 体检 could read, each with the sentence it came
from as a YAML comment; with `as_last_year`, this year's values moved to next year's 上年 fields.

Two tables hold every mapping, so a new field is one line: `LABELS` (the words written before a
figure → the model field) and `LAST_YEAR` (a field of this year → the field of next year's file that
holds it as 上年). A target the model does not have (yet) is skipped and said so in the file's header.
A label that names two different values keeps the first and lists the other in the comment; nothing
is written for a figure whose label matches no entry.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from assistant.figures.model import Figures, _inner_model
from assistant.inspection import tolerance
from assistant.inspection.document import MONEY
from assistant.inspection.model import InspectionReport

Path_ = tuple[str, ...]
AMOUNT, COUNT = "amount", "count"

# (label ends with one of these words, kind of figure, field). The longest matching word wins.
LABELS: list[tuple[tuple[str, ...], str, Path_]] = [
    (("按收入性质分",), AMOUNT, ("final", "income", "total")),
    (("按支出性质分",), AMOUNT, ("final", "expenditure", "total")),
    (("一般公共预算", "一般公共预算拨款", "一般公共预算财政拨款"), AMOUNT, ("final", "income", "general_public")),
    (("政府性基金拨款", "政府性基金", "政府性基金预算财政拨款"), AMOUNT, ("final", "income", "government_fund")),
    (("纳入专户管理的非税收入拨款", "财政专户管理资金"), AMOUNT, ("final", "income", "fiscal_special")),
    (("事业收入",), AMOUNT, ("final", "income", "business")),
    (("其他资金", "其他收入", "其他资金来源"), AMOUNT, ("final", "income", "other")),
    (("基本支出",), AMOUNT, ("final", "expenditure", "basic")),
    (("项目支出",), AMOUNT, ("final", "expenditure", "project")),
    (("人员经费",), AMOUNT, ("final", "expenditure", "personnel")),
    (("公用经费",), AMOUNT, ("final", "expenditure", "public")),
    (("调整追加", "追加预算", "本年追加预算", "追加"), AMOUNT, ("final", "added_budget")),
    (("年初预算", "年初预算数"), AMOUNT, ("budget", "income", "total")),
    (("预算收入", "调整后预算", "全年预算数"), AMOUNT, ("adjusted_budget", "income", "total")),
    (("收入合计", "总收入", "决算收入", "收入总额", "年收入", "收入"), AMOUNT, ("final", "income", "total")),
    (("支出合计", "总支出", "决算支出", "支出总额", "年支出", "支出"), AMOUNT, ("final", "expenditure", "total")),
    (("“三公”经费预算数", "三公经费预算数", "“三公”经费预算"), AMOUNT, ("three_public", "budget", "total")),
    (("三公经费", "“三公”经费", "三公经费支出", "“三公”经费决算数", "三公经费决算数", "“三公”经费支出"), AMOUNT, ("three_public", "actual", "total")),
    (("公务接待费", "公务接待"), AMOUNT, ("three_public", "actual", "reception")),
    (("公务用车购置及运行维护费", "公务用车购置和维护经费"), AMOUNT, ("three_public", "actual", "vehicle")),
    (("公务用车运行维护费", "公车运行维护"), AMOUNT, ("three_public", "actual", "vehicle_operation")),
    (("公务用车购置费", "公车购置"), AMOUNT, ("three_public", "actual", "vehicle_purchase")),
    (("因公出国（境）费", "因公出国境费", "出国经费", "因公出国费"), AMOUNT, ("three_public", "actual", "overseas")),
    (("政府采购金额", "政府采购支出"), AMOUNT, ("procurement", "total")),
    (("结余结转", "结转结余"), AMOUNT, ("carryover", "this_year")),
    (("编制人数", "编制数", "核定编制", "落实编制数"), COUNT, ("staffing", "authorized_total")),
    (("在职人员", "在职人数", "实际在职人数", "实际在职人员"), COUNT, ("staffing", "actual")),
    (("实有人数",), COUNT, ("staffing", "headcount")),
    (("退休", "退休人员"), COUNT, ("staffing", "retired")),
]

# This year's field prefix → next year's 上年 field prefix (longest prefix wins).
LAST_YEAR: list[tuple[Path_, Path_]] = [
    (("final", "income", "total"), ("last_year", "income_total")),
    (("final", "expenditure", "total"), ("last_year", "expenditure_total")),
    (("final", "income"), ("last_year", "income")),
    (("final", "expenditure"), ("last_year", "expenditure")),
    (("staffing",), ("last_year", "staffing")),
    (("procurement",), ("last_year", "procurement")),
    (("assets",), ("last_year", "assets")),
    (("three_public", "actual"), ("three_public", "last_year_actual")),
    (("three_public", "budget"), ("three_public", "last_year_budget")),
    (("carryover", "this_year"), ("carryover", "last_year")),
]

# The 年度资金总额 row of a 部门整体支出绩效自评表.
DEPARTMENT_FUND_COLUMNS = {
    "initial": ("budget", "expenditure", "total"),
    "full_year": ("adjusted_budget", "expenditure", "total"),
    "executed": ("final", "expenditure", "total"),
}
FUND_ROWS = {"年度资金总额": "total", "资金总额": "total", "总额": "total", "当年财政拨款": "fiscal", "本年财政拨款": "fiscal",
             "财政拨款": "fiscal", "财政资金": "fiscal", "上年结转资金": "carryover", "上年结转": "carryover", "其他资金": "other"}
_TITLE_RE = re.compile(r"((?:19|20)\d\d)\s*年度?\s*([\u4e00-\u9fa5（）()]{2,40}?)(?:部门（单位）|部门\(单位\)|部门)?整体支出\s*绩效")
_TITLE_RE2 = re.compile(r"([\u4e00-\u9fa5（）()]{2,40}?)\s*((?:19|20)\d\d)\s*年度?\s*(?:部门)?(?:整体|项目)支出\s*绩效")


@dataclass
class Entry:
    value: Any
    source: str  # 第N行“…”
    others: list[str] = field(default_factory=list)


@dataclass
class Prefill:
    entries: dict[Path_, Entry]
    skipped: list[str]
    year: int
    unit_name: str
    as_last_year: bool
    project: dict | None = None  # a 项目支出 自评表's fund table, as one project entry

    def rows(self) -> list[tuple[str, str, str]]:
        """(field label, value, source) for showing what was read."""
        from assistant.figures.model import label_for_path

        return [(label_for_path(list(p)), _scalar_text(e.value), e.source) for p, e in self.entries.items()]


def _field_exists(path: Path_) -> bool:
    model: Any = Figures
    for step in path:
        info = getattr(model, "model_fields", {}).get(step)
        if info is None:
            return False
        model = _inner_model(info.annotation)
    return True


def _match(label: str, kind: str) -> Path_ | None:
    label = re.sub(r"^(?:(?:19|20)\d\d年度?|本年度?|全年|其中)[:：\s]*", "", label.strip()).strip(" :：")
    # The longest word the label ends with wins: 政府采购支出 before 支出.
    best: tuple[int, Path_] | None = None
    for words, want, path in LABELS:
        if want != kind:
            continue
        for word in words:
            if label.endswith(word) and (best is None or len(word) > best[0]):
                best = (len(word), path)
    return best[1] if best else None


def build_prefill(report: InspectionReport, *, as_last_year: bool = False) -> Prefill:
    text = report.text
    entries: dict[Path_, Entry] = {}
    lines = text.split("\n")

    def source(line: int, offset: int | None = None) -> str:
        if offset is None:
            sentence = lines[line - 1]
        else:  # the sentence around the figure
            start = max(text.rfind(c, 0, offset) for c in "。！？\n") + 1
            ends = [e for e in (text.find(c, offset) for c in "。！？\n") if e >= 0]
            sentence = text[start : min(ends) + 1 if ends else len(text)]
        shown = " ".join(sentence.split())
        return f"第{line}行“{shown[:70]}{'…' if len(shown) > 70 else ''}”"

    def put(path: Path_, value: Any, where: str) -> None:
        if path in entries:
            if entries[path].value != value:
                entries[path].others.append(f"{_scalar_text(value)}（{where}）")
            return
        entries[path] = Entry(value, where)

    money_document = "万元" in text
    for v in report.figures:
        if v.unit == MONEY or (v.unit == "" and money_document and text[v.offset - 1 : v.offset] in (":", "：")):
            kind = AMOUNT  # “一般公共预算:1325.68” in a table whose header says 万元
        elif v.unit == "人":
            kind = COUNT
        else:
            continue
        path = _match(v.label, kind)
        if path is None:
            continue
        path = _in_context(path, _context(text, v.offset), _context(text, v.offset, paragraph=True), v.label)
        if path is None:
            continue
        if kind == COUNT:
            if v.value != v.value.to_integral() or v.value < 0:
                continue
            put(path, int(v.value), source(v.line, v.offset))
        else:
            put(path, v.value, source(v.line, v.offset))
    project = None
    department = [t for t in report.fund_tables if _department_table(text, t.offset)]
    if department:
        # A 部门整体 自评表: its 年度资金总额 row is the department's budget and spending.
        total = department[0].total
        if total is not None and total.complete:
            for column, path in DEPARTMENT_FUND_COLUMNS.items():
                if column in total.values:
                    put(path, total.values[column].value, source(_line_of(text, total.offset)))
    elif "部门整体" not in text[:3000]:
        project = _project_funds(report, source)
    year, unit_name = _meta(text)
    skipped: list[str] = []
    if as_last_year:
        moved: dict[Path_, Entry] = {}
        for path, entry in entries.items():
            target = _last_year_path(path)
            if target is None:
                skipped.append(f"{'.'.join(path)}（本年的预算数等不作为下年的上年数）")
                continue
            if not _field_exists(target):
                skipped.append(f"{'.'.join(path)} → {'.'.join(target)}（数据模型中还没有该字段）")
                continue
            moved[target] = entry
        entries = moved
        project = None  # a project's funds are this year's only
        year += 1
    else:
        for path in list(entries):
            if not _field_exists(path):
                skipped.append(f"{'.'.join(path)}（数据模型中还没有该字段）")
                del entries[path]
    return Prefill(entries, skipped, year, unit_name, as_last_year, project)


def _context(text: str, offset: int, paragraph: bool = False) -> str:
    """The sentence (or paragraph) up to a figure: what it is a figure of (年初预算…, 决算…, …项目…)."""
    start = max(text.rfind(c, 0, offset) for c in ("\n" if paragraph else "。！？\n；;")) + 1
    return text[start:offset]


# The block a money figure belongs to, from the words before it in its sentence (the nearest wins).
_BLOCK_WORDS = (("年初预算", "budget"), ("预算安排", "budget"), ("预算数", "budget"), ("调整后预算", "adjusted_budget"),
                ("全年预算", "adjusted_budget"), ("决算", "final"), ("实际支出", "final"), ("执行数", "final"))


def _in_context(path: Path_, context: str, paragraph: str, label: str) -> Path_ | None:
    """Move a field to the block its paragraph names last before it (年初预算…, 决算…); None for a
    project's figure or last year's, as its sentence says."""
    if "项目" in context and not label.endswith("项目支出"):
        return None  # a project's own budget or spending, not the department's
    if any(w in context for w in ("上年", "去年", "上一年")) and "较上年" not in context:
        return None  # last year's figure, written beside this year's
    found = [(paragraph.rfind(word), block) for word, block in _BLOCK_WORDS if word in paragraph]
    if not found:
        return path
    block = max(found)[1]
    if path[0] in ("final", "budget", "adjusted_budget") and path[1] in ("income", "expenditure"):
        return (block, *path[1:])
    if path[:2] == ("three_public", "actual") and block == "budget":
        return ("three_public", "budget", *path[2:])
    return path


def _department_table(text: str, offset: int) -> bool:
    """A fund table under a 部门整体支出绩效自评表 heading (not a project's 自评表)."""
    before = text[max(0, offset - 400) : offset]
    return before.rfind("部门整体") > max(before.rfind("项目支出绩效"), before.rfind("项目名称"))


def _last_year_path(path: Path_) -> Path_ | None:
    best = None
    for prefix, target in LAST_YEAR:
        if path[: len(prefix)] == prefix and (best is None or len(prefix) > len(best[0])):
            best = (prefix, target)
    if best is None:
        return None
    return best[1] + path[len(best[0]) :]


def _project_funds(report: InspectionReport, source) -> dict | None:
    """The first fund table of a 项目支出 自评表, as a project entry (funds by row and column)."""
    if not report.fund_tables or "项目" not in report.text[:3000]:
        return None
    table = report.fund_tables[0]
    funds: dict[str, dict] = {}
    for row in table.rows:
        key = FUND_ROWS.get(row.label)
        if key is None or key in funds or not row.complete:
            continue
        cells = {c: row.values[c].value for c in ("initial", "full_year", "executed") if c in row.values}
        if cells:
            funds[key] = cells
    if not funds:
        return None
    m = re.search(r"项目名称\s*[|:：]?\s*(?:\d{6,}[A-Z0-9]*-)?([^\n|]{2,40})", report.text)
    name = m.group(1).strip() if m else "（待填写：项目名称）"
    return {"name": name, "funds": funds, "source": f"第{_line_of(report.text, table.offset)}行起的项目资金表"}


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


_GENERIC_NAMES = re.compile(r"^(?:部门|单位|本部门|本单位|[（(]?单位[)）]?|部门[（(]单位[)）])$")


_NAME_CELL_RE = re.compile(r"(?:预算部门、单位名称|预算单位名称|单位名称|实施单位)[\s|:：]*([\u4e00-\u9fa5]{4,30})")


_UNIT_LINE_RE = re.compile(r"^[\u4e00-\u9fa5（）()]{3,30}(?:局|会|府|院|中心|所|馆|站|校|学|室|处|办|委|联|队|厅|部|社|协会|小学|中学|政府)$")


def _meta(text: str) -> tuple[int, str]:
    head = text[:4000]
    lines = [l.strip() for l in head.split("\n") if l.strip()][:12]
    for i, line in enumerate(lines):
        if "绩效" in line and "报告" in line and "关于" not in line and "通知" not in line:
            year = re.search(r"((?:19|20)\d\d)\s*年", line)
            for regex, year_group, name_group in ((_TITLE_RE, 1, 2), (_TITLE_RE2, 2, 1)):
                m = regex.search(line)
                if m:
                    name = re.sub(r"(?:部门[（(]单位[)）]|部门)$", "", m.group(name_group).strip())
                    if name and not _GENERIC_NAMES.match(name) and not name.startswith("附件"):
                        return int(m.group(year_group)), name
            following = [l for l in lines[i + 1 : i + 3] if _UNIT_LINE_RE.match(l)]
            if year and following:
                return int(year.group(1)), following[0]  # 2023年度…自评报告 / 湘源县农业农村局
    cell = _NAME_CELL_RE.search(head)
    if cell:
        year = re.search(r"((?:19|20)\d\d)\s*年度", head)
        return (int(year.group(1)) if year else dt.date.today().year - 1), cell.group(1)
    for regex, year_group, name_group in ((_TITLE_RE, 1, 2), (_TITLE_RE2, 2, 1)):
        for m in regex.finditer(head):
            name = re.sub(r"(?:部门[（(]单位[)）]|部门)$", "", m.group(name_group).strip())
            if name and not _GENERIC_NAMES.match(name) and not name.startswith("附件"):
                return int(m.group(year_group)), name
    m = re.search(r"((?:19|20)\d\d)\s*年度", head)
    return (int(m.group(1)) if m else dt.date.today().year - 1), ""


# ---------------------------------------------------------------- YAML with comments


def _scalar_text(value: Any) -> str:
    if isinstance(value, Decimal):
        return tolerance.plain(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a double-quoted YAML string
    return str(value)


def _comment(entry: Entry) -> str:
    note = f"来源：{entry.source}"
    if entry.others:
        note += "；报告中另有：" + "、".join(entry.others)
    return note.replace("\n", " ")


def to_yaml(prefill: Prefill, report_name: str = "") -> str:
    """The figures file text; read back through the figures reader before it is returned."""
    from assistant.figures.yaml_io import figures_from_yaml_text

    header = [
        f"# 由 {report_name or '报告'} 自动读取（python -m assistant inspect --to-figures），金额单位：万元。",
        "# 每个数字后的注释是它所在的句子；请逐项核对后再使用，未读到的字段请手工补充。",
    ]
    if prefill.as_last_year:
        header.append(f"# 已按“上年数”写入 {prefill.year} 年度数据文件：本年的数字放入上年字段。")
    for note in prefill.skipped:
        header.append(f"# 未写入：{note}")
    tree: dict = {}
    for path, entry in prefill.entries.items():
        node = tree
        for step in path[:-1]:
            node = node.setdefault(step, {})
        node[path[-1]] = entry
    name = prefill.unit_name or "（待填写：单位名称）"
    lines = header + ["meta:", f"  unit_name: {_scalar_text(name)}" + ("" if prefill.unit_name else "  # 未能从报告读出，请填写"),
                      f"  year: {prefill.year}"]
    _emit(tree, Figures, 0, lines, skip={"meta"})
    project = prefill.project
    if project:
        lines.append(f"projects:  # 来源：{project['source']}")
        lines.append(f"- name: {_scalar_text(project['name'])}")
        lines.append("  funds:")
        for row, cells in project["funds"].items():
            lines.append(f"    {row}:")
            for column, value in cells.items():
                lines.append(f"      {column}: {_scalar_text(value)}")
    text = "\n".join(lines) + "\n"
    figures_from_yaml_text(text)  # raises FiguresError with the field named if anything is off
    return text


def _emit(tree: dict, model: Any, depth: int, lines: list[str], skip: set[str] = frozenset()) -> None:
    fields = getattr(model, "model_fields", {})
    order = [name for name in fields if name in tree] + [name for name in tree if name not in fields]
    pad = "  " * depth
    for name in order:
        if name in skip:
            continue
        item = tree[name]
        if isinstance(item, Entry):
            lines.append(f"{pad}{name}: {_scalar_text(item.value)}  # {_comment(item)}")
        else:
            info = fields.get(name)
            lines.append(f"{pad}{name}:")
            _emit(item, _inner_model(info.annotation) if info else None, depth + 1, lines)


def figures_data(prefill: Prefill) -> dict:
    """The prefill as plain figures data (for the app's form)."""
    data: dict = {"meta": {"unit_name": prefill.unit_name or "（待填写：单位名称）", "year": prefill.year}}
    for path, entry in prefill.entries.items():
        node = data
        for step in path[:-1]:
            node = node.setdefault(step, {})
        node[path[-1]] = entry.value
    project = prefill.project
    if project:
        data["projects"] = [{"name": project["name"], "funds": project["funds"]}]
    return data


def merge_into(current: dict, incoming: dict, path: tuple = ()) -> tuple[dict, list[str], list[str]]:
    """`incoming` figures data merged into `current` without overwriting anything entered: a value
    goes in only where `current` is blank. Returns (merged, fields filled, fields kept as entered)."""
    merged = dict(current or {})
    filled: list[str] = []
    kept: list[str] = []
    for key, value in incoming.items():
        here = (*path, key)
        existing = merged.get(key)
        if isinstance(value, dict):
            inner, f, k = merge_into(existing if isinstance(existing, dict) else {}, value, here)
            merged[key] = inner
            filled += f
            kept += k
        elif isinstance(value, list):
            if not existing:
                merged[key] = value
                filled.append(".".join(map(str, here)))
            else:
                kept.append(".".join(map(str, here)))
        elif existing in (None, "") or (isinstance(existing, str) and not existing.strip()):
            merged[key] = value
            filled.append(".".join(map(str, here)))
        elif str(existing) != str(value):
            kept.append(".".join(map(str, here)))
    return merged, filled, kept


__all__ = ["merge_into", "LABELS", "LAST_YEAR", "Prefill", "build_prefill", "figures_data", "to_yaml"]
