"""Both tables as plain string grids (`TableData`) and as Markdown.

`TableData` is what an exporter draws: a title, a header row, body rows and notes, all strings already
formatted through assistant.ledger.numbers. `official=True` gives the printed form's columns (one 得分
column); `official=False` adds 计算得分 / 填报得分 / 采用 so an override is visible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Union

from assistant.ledger.numbers import format_value
from assistant.scoring.department_table import DepartmentTable
from assistant.scoring.model import NEEDS_INPUT, ScoreCell, num, quoted
from assistant.scoring.project_table import FUND_COLUMN_LABELS, ProjectTable
from assistant.scoring.scorecard import Scorecard


@dataclass
class TableData:
    title: str
    header: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"title": self.title, "header": self.header, "rows": self.rows, "notes": self.notes}


def _amount(value) -> str:
    return num(value) if value is not None else ""


def _cell_columns(cell: ScoreCell, official: bool) -> list[str]:
    if official:
        return [cell.used_text()]
    return [cell.computed_text(), cell.entered_text(), cell.used_text(), _status(cell)]


def _status(cell: ScoreCell) -> str:
    if cell.error:
        return f"填报有误：{cell.error}"
    if cell.source == NEEDS_INPUT and cell.missing:
        return f"{NEEDS_INPUT}：{cell.missing}"
    return cell.source


def _slot(text: str, official: bool) -> list[str]:
    """The score columns of a row that has one figure only (a subtotal, the total): in 得分."""
    return [text] if official else ["", "", text, ""]


def _score_header(official: bool) -> list[str]:
    return ["得分"] if official else ["计算得分", "填报得分", "得分", "采用"]


def project_table_data(table: ProjectTable, official: bool = True) -> list[TableData]:
    """项目支出绩效自评表 as four grids: 基本信息, 项目资金, 年度总体目标, 绩效指标 (with 总分 and 等级)."""
    p = table.project
    info = TableData("项目支出绩效自评表", ["项目名称", "主管部门", "实施单位"], [[p.name, p.department or "", p.implementer or ""]])
    funds_header = ["项目资金（万元）", *FUND_COLUMN_LABELS.values(), "分值", "执行率", *_score_header(official)]
    funds_rows = []
    for k, line in enumerate(table.funds):
        row = [line.label, _amount(line.initial), _amount(line.full_year), _amount(line.executed)]
        if k == 0:
            row += [num(table.profile.execution_weight), table.execution_rate_text(), *_cell_columns(table.execution, official)]
        else:
            row += ["—", "—", *(["—"] * len(_score_header(official)))]
        funds_rows.append(row)
    funds = TableData("项目资金", funds_header, funds_rows)
    goals = TableData("年度总体目标", ["预期目标", "实际完成情况"], [[p.goal_expected or "", p.goal_actual or ""]])
    header = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", *_score_header(official), "偏差原因分析及改进措施"]
    rows = []
    for line in table.indicators:
        ind = line.indicator
        weight = line.cell.weight_text() if ind.applicable else (num(line.cell.weight) if line.cell.weight is not None else "")
        rows.append(
            [ind.level1, ind.level2, ind.name, line.target_text(), line.actual_text(), weight,
             *_cell_columns(line.cell, official), ind.deviation_reason or ""]
        )
    if not table.indicators:
        rows.append(["", "", NEEDS_INPUT, "", "", "", *_slot(NEEDS_INPUT, official), "未填写绩效指标"])
    rows.append(["总分", "", "", "", "", num(table.profile.total), *_slot(table.total_text(), official), f"自评等级：{table.grade_text()}"])
    notes = [*table.totals.notes(), *table.warnings, *table.errors]
    indicators = TableData("绩效指标", header, rows, notes)
    return [info, funds, goals, indicators]


def department_table_data(table: DepartmentTable, official: bool = True) -> list[TableData]:
    """部门整体支出绩效自评表 as one grid, one row per indicator, tier subtotals and the total."""
    header = ["一级指标", "二级指标", "三级指标", "指标值", "分值", "评分标准", *_score_header(official)]
    rows = []
    for tier in table.profile.tiers:
        tier_lines = [line for line in table.lines if line.tier is tier]
        for line in tier_lines:
            rows.append(
                [tier.name, line.spec.level2, line.name, line.value_text(), line.cell.weight_text(), line.standard,
                 *_cell_columns(line.cell, official)]
            )
        subtotal = table.tier_subtotal(tier)
        weight = sum((line.spec.weight for line in tier_lines), Decimal(0))
        shown = num(subtotal) if subtotal is not None else NEEDS_INPUT
        rows.append([f"{tier.name}小计", "", "", "", num(weight), "", *_slot(shown, official)])
    rows.append(["总分", "", "", "", num(table.profile.total), f"自评等级：{table.grade_text()}", *_slot(table.total_text(), official)])
    title = f"{table.unit_name}{table.year}年度部门整体支出绩效自评表"
    notes = [f"评分方案：{table.profile.name}；等级：{table.profile.grade_scale.describe()}。", *table.totals.notes(), *table.warnings, *table.errors]
    return [TableData(title, header, rows, notes)]


def table_data(table: Union[ProjectTable, DepartmentTable], official: bool = True) -> list[TableData]:
    if isinstance(table, ProjectTable):
        return project_table_data(table, official)
    return department_table_data(table, official)


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def grid_markdown(data: TableData) -> str:
    lines = [
        "| " + " | ".join(_md_escape(h) for h in data.header) + " |",
        "|" + "|".join(" --- " for _ in data.header) + "|",
    ]
    lines += ["| " + " | ".join(_md_escape(c) for c in row) + " |" for row in data.rows]
    return "\n".join(lines)


def _notes_markdown(notes: list[str]) -> str:
    return "\n".join(f"- {n}" for n in notes)


def project_markdown(table: ProjectTable) -> str:
    info, funds, goals, indicators = project_table_data(table, official=False)
    parts = [
        f"### 项目支出绩效自评表：{table.name}",
        f"项目名称：{table.name}　主管部门：{table.project.department or NEEDS_INPUT}　实施单位：{table.project.implementer or NEEDS_INPUT}",
        grid_markdown(funds),
        grid_markdown(goals),
        grid_markdown(indicators),
        f"**总分：{table.total_text()}　自评等级：{table.grade_text()}**",
    ]
    if indicators.notes:
        parts.append(_notes_markdown(indicators.notes))
    return "\n\n".join(parts)


def department_markdown(table: DepartmentTable) -> str:
    (data,) = department_table_data(table, official=False)
    parts = [f"### {data.title}", grid_markdown(data), f"**总分：{table.total_text()}　自评等级：{table.grade_text()}**"]
    if data.notes:
        parts.append(_notes_markdown(data.notes))
    return "\n\n".join(parts)


def scorecard_markdown(card: Scorecard) -> str:
    parts = ["## 部门整体支出绩效自评表", department_markdown(card.department), "## 项目支出绩效自评表"]
    if card.projects:
        parts += [project_markdown(t) for t in card.projects]
    else:
        parts.append("（未填写项目。）")
    return "\n\n".join(parts) + "\n"


def summary_lines(card: Scorecard) -> list[str]:
    """One line per table: its total and grade, or what is missing."""
    out = [f"部门整体支出绩效自评：{card.department.total_text()}，等级{card.department.grade_text()}"]
    for t in card.projects:
        rate = f"（预算执行率{format_value(t.execution_rate, '%')}）" if t.execution_rate is not None else ""
        out.append(f"项目{quoted(t.name)}{rate}：{t.total_text()}，等级{t.grade_text()}")
    return out
