"""The figures model: everything a 部门整体支出绩效自评报告 states, as the user enters it.

English field names; each field's Chinese label is its pydantic `title`, used by the UI, the Excel
template and every message. Amounts are in 万元 as `Decimal`. Optional parts stay optional: `None`
means "not entered" and is never treated as 0; an entered 0 is a real zero.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt

# Amounts may be negative only where a model says so; the checker reports negatives as errors with
# the field's label rather than pydantic rejecting them, so the user's input is kept and explained.
Amount = Optional[Decimal]


def F(title: str, default: Any = None, **kw) -> Any:
    """A field with its Chinese label as title."""
    if "default_factory" in kw:
        return Field(title=title, **kw)
    return Field(default, title=title, **kw)


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False, str_strip_whitespace=True)


class Meta(Model):
    unit_name: str = F("单位名称", ...)
    year: int = F("年度", ...)
    report_date: Optional[dt.date] = F("报告日期")
    supervisor: Optional[str] = F("主管部门")
    finance_bureau: Optional[str] = F("财政部门")
    notice_no: Optional[str] = F("通知文号")
    notice_title: Optional[str] = F("通知名称")
    budget_code: Optional[str] = F("预算编码")


class StaffKind(Model):
    """A kind of 编制 other than 行政/事业/工勤, named by the user (e.g. 政法专项编制, 机关后勤服务编制)."""

    name: str = F("编制类型", ...)
    count: Optional[NonNegativeInt] = F("编制人数")


class Staffing(Model):
    """编制 by kind (行政, 事业, 工勤 and any others the user names) and the people actually employed;
    编制人数 is checked against (or, left blank, derived from) the kinds."""

    authorized_total: Optional[NonNegativeInt] = F("编制人数")
    authorized_admin: Optional[NonNegativeInt] = F("行政编制")
    authorized_institution: Optional[NonNegativeInt] = F("事业编制")
    authorized_worker: Optional[NonNegativeInt] = F("工勤编制")
    authorized_other: list[StaffKind] = F("其他编制", default_factory=list)
    actual: Optional[NonNegativeInt] = F("在职人员")
    headcount: Optional[NonNegativeInt] = F("实有人数")
    fiscal_supported: Optional[NonNegativeInt] = F("财政补助开支人数")
    retired: Optional[NonNegativeInt] = F("退休人员")


STAFF_KINDS = ("authorized_admin", "authorized_institution", "authorized_worker")


class Income(Model):
    """Income by source (万元); `total` is what the user states, checked against the parts."""

    total: Amount = F("收入合计")
    general_public: Amount = F("一般公共预算财政拨款")
    government_fund: Amount = F("政府性基金预算财政拨款")
    state_capital: Amount = F("国有资本经营预算财政拨款")
    fiscal_special: Amount = F("财政专户管理资金")
    business: Amount = F("事业收入")
    operating: Amount = F("经营收入")
    superior_subsidy: Amount = F("上级补助收入")
    other: Amount = F("其他收入")
    carryover: Amount = F("上年结转结余（不计入本年收入合计）")


INCOME_SOURCES = (
    "general_public",
    "government_fund",
    "state_capital",
    "fiscal_special",
    "business",
    "operating",
    "superior_subsidy",
    "other",
    "carryover",
)
# 收入合计 is the year's own income (本年收入合计); the carry-over from last year is shown beside it,
# not summed into it, as in the published 收入支出决算总表.
INCOME_PARTS = tuple(source for source in INCOME_SOURCES if source != "carryover")


class Expenditure(Model):
    total: Amount = F("支出合计")
    basic: Amount = F("基本支出")
    project: Amount = F("项目支出")
    personnel: Amount = F("人员经费")
    public: Amount = F("公用经费")
    # The same spending by fund type (the Hunan provincial outline has a section for each).
    general_public: Amount = F("一般公共预算支出")
    government_fund: Amount = F("政府性基金预算支出")
    state_capital: Amount = F("国有资本经营预算支出")
    social_insurance: Amount = F("社会保险基金预算支出")
    # Shares as printed in an earlier draft or a form, when the user enters them: checked against the
    # amounts (DOMAIN §6: 84.06% + 19.62%, 18.76% vs 18.75%).
    basic_share_stated: Optional[Decimal] = F("基本支出占比（填报值，%）")
    project_share_stated: Optional[Decimal] = F("项目支出占比（填报值，%）")


EXPENDITURE_KINDS = ("basic", "project", "personnel", "public")
FUND_TYPES = ("general_public", "government_fund", "state_capital", "social_insurance")


class BudgetBlock(Model):
    income: Income = F("收入", default_factory=Income)
    expenditure: Expenditure = F("支出", default_factory=Expenditure)


class FinalAccounts(BudgetBlock):
    added_budget: Amount = F("本年追加预算")
    variance_reasons: Optional[str] = F("决算与预算差异原因")
    added_projects: list[str] = F("年中追加项目", default_factory=list)


class ThreePublic(Model):
    """"三公"经费 (万元). Vehicle costs may be split into purchase and operation."""

    total: Amount = F("合计")
    overseas: Amount = F("因公出国（境）费")
    vehicle: Amount = F("公务用车购置及运行维护费")
    vehicle_purchase: Amount = F("公务用车购置费")
    vehicle_operation: Amount = F("公务用车运行维护费")
    reception: Amount = F("公务接待费")


class ThreePublicBlock(Model):
    budget: ThreePublic = F("预算数", default_factory=ThreePublic)
    actual: ThreePublic = F("决算数", default_factory=ThreePublic)
    last_year_actual: Optional[ThreePublic] = F("上年决算数")
    last_year_budget: Optional[ThreePublic] = F("上年预算数")


class Procurement(Model):
    total: Amount = F("政府采购支出合计")
    goods: Amount = F("货物")
    works: Amount = F("工程")
    services: Amount = F("服务")
    budget: Amount = F("政府采购预算")
    smes: Amount = F("授予中小企业合同金额")
    # Marked by the user: the unit had no government procurement this year, so 政府采购执行率 does
    # not apply (不适用), which is different from figures not yet entered (需补充).
    none_this_year: bool = F("本年无政府采购", False)


class Assets(Model):
    total_assets: Amount = F("资产总额")
    total_liabilities: Amount = F("负债总额")
    net_assets: Amount = F("净资产")
    fixed_assets_original: Amount = F("固定资产账面原值")
    fixed_assets_in_use: Amount = F("在用固定资产")


class Carryover(Model):
    this_year: Amount = F("本年结转结余")
    last_year: Amount = F("上年结转结余")


class LastYear(Model):
    """Last year's figures, for 同比 comparisons (optional). `income_total` / `expenditure_total`
    are the original two fields; the blocks below hold the same figures item by item."""

    income_total: Amount = F("上年决算收入")
    expenditure_total: Amount = F("上年决算支出")
    income: Income = F("上年收入", default_factory=Income)
    expenditure: Expenditure = F("上年支出", default_factory=Expenditure)
    staffing: Optional[Staffing] = F("上年人员编制")
    procurement: Optional[Procurement] = F("上年政府采购")
    assets: Optional[Assets] = F("上年资产")


class Comparator(str, Enum):
    ge = "≥"
    le = "≤"
    eq = "="
    qualitative = "定性"


class QualitativeBand(str, Enum):
    achieved = "达成"
    partial = "部分达成"
    missed = "未达成"


class Indicator(Model):
    level1: str = F("一级指标", ...)
    level2: str = F("二级指标", ...)
    name: str = F("三级指标", ...)
    comparator: Comparator = F("指标方向", Comparator.ge)
    target: Optional[Decimal] = F("年度指标值")
    target_text: Optional[str] = F("年度指标值（文字）")
    actual: Optional[Decimal] = F("实际完成值")
    actual_text: Optional[str] = F("实际完成值（文字）")
    unit: Optional[str] = F("计量单位")
    weight: Optional[Decimal] = F("分值")
    band: Optional[QualitativeBand] = F("定性评价档次")
    score_override: Optional[Decimal] = F("填报得分")
    applicable: bool = F("适用", True)
    deviation_reason: Optional[str] = F("偏差原因分析及改进措施")


class FundRow(Model):
    initial: Amount = F("年初预算数")
    full_year: Amount = F("全年预算数")
    executed: Amount = F("全年执行数")


class ProjectFunds(Model):
    total: FundRow = F("年度资金总额", default_factory=FundRow)
    fiscal: FundRow = F("当年财政拨款", default_factory=FundRow)
    carryover: FundRow = F("上年结转资金", default_factory=FundRow)
    other: FundRow = F("其他资金", default_factory=FundRow)


FUND_PARTS = ("fiscal", "carryover", "other")
FUND_COLUMNS = ("initial", "full_year", "executed")


class Project(Model):
    name: str = F("项目名称", ...)
    department: Optional[str] = F("主管部门")
    implementer: Optional[str] = F("实施单位")
    key_project: bool = F("重点项目", False)
    funds: ProjectFunds = F("项目资金（万元）", default_factory=ProjectFunds)
    goal_expected: Optional[str] = F("年度总体目标（预期）")
    goal_actual: Optional[str] = F("年度总体目标（实际完成）")
    indicators: list[Indicator] = F("绩效指标", default_factory=list)
    execution_score_override: Optional[Decimal] = F("执行率填报得分")


class NoteArea(Model):
    """Work notes for one goal area; items keep the user's own wording and numbers."""

    title: str = F("工作领域", ...)
    items: list[str] = F("工作要点", default_factory=list)


class DepartmentScore(Model):
    """A score the evaluator enters in the 部门整体支出绩效自评表 (社会效益, 满意度 …), or 不适用."""

    indicator: str = F("指标（名称或代码）", ...)
    score: Optional[Decimal] = F("填报得分")
    not_applicable: bool = F("不适用", False)
    reason: Optional[str] = F("评分说明")


class Improvement(Model):
    title: str = F("措施", ...)
    detail: Optional[str] = F("具体内容")


class Figures(Model):
    meta: Meta = F("单位信息", ...)
    duties: list[str] = F("部门主要职责", default_factory=list)
    staffing: Staffing = F("人员编制", default_factory=Staffing)
    budget: BudgetBlock = F("年初预算", default_factory=BudgetBlock)
    adjusted_budget: BudgetBlock = F("全年预算（调整后）", default_factory=BudgetBlock)
    final: FinalAccounts = F("决算", default_factory=FinalAccounts)
    last_year: Optional[LastYear] = F("上年决算")
    three_public: ThreePublicBlock = F("“三公”经费", default_factory=ThreePublicBlock)
    procurement: Optional[Procurement] = F("政府采购")
    assets: Optional[Assets] = F("资产")
    carryover: Optional[Carryover] = F("结转结余")
    projects: list[Project] = F("项目", default_factory=list)
    performance_indicators: list[Indicator] = F("部门整体绩效指标", default_factory=list)
    department_scores: list[DepartmentScore] = F("部门整体自评表填报得分", default_factory=list)
    work_notes: list[NoteArea] = F("整体绩效目标完成情况（工作记录）", default_factory=list)
    problems: list[str] = F("存在的问题", default_factory=list)
    improvements: list[Improvement] = F("改进措施", default_factory=list)
    other_notes: Optional[str] = F("其他需要说明的情况")


def field_label(model: type[BaseModel] | BaseModel, name: str) -> str:
    cls = model if isinstance(model, type) else type(model)
    info = cls.model_fields.get(name)
    return (info.title if info and info.title else name)


def label_for_path(path: tuple[Any, ...] | list[Any], root: type[BaseModel] = Figures) -> str:
    """Chinese label for a field path such as ('final', 'expenditure', 'basic') → 决算/支出/基本支出."""
    parts: list[str] = []
    model: Any = root
    for step in path:
        if isinstance(step, int):
            parts.append(f"第{step + 1}项")
            continue
        info = getattr(model, "model_fields", {}).get(step) if model is not None else None
        if info is None:
            parts.append(str(step))
            model = None
            continue
        parts.append(info.title or str(step))
        model = _inner_model(info.annotation)
    return "/".join(parts)


def _inner_model(annotation: Any) -> Any:
    """Unwrap Optional[...] / list[...] to the BaseModel class inside, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None

