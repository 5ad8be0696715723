"""Consistency checker: a table of rules over the figures the user entered.

Each rule has an id, a severity and a small function yielding findings; sums of parts are declared as
data (`SUM_RULES`). Every message is Chinese and names the fields and both numbers, so a finance
officer can find the cell to fix. The tolerance for 万元 rounding is `ReportSettings.sum_tolerance`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Iterable, Iterator, Optional

from pydantic import BaseModel

from assistant.figures.model import FUND_COLUMNS, FUND_PARTS, INCOME_PARTS, Comparator, Figures, label_for_path
from assistant.ledger.numbers import format_number, round2
from assistant.ledger.settings import DEFAULT_SETTINGS, ReportSettings

Path = tuple[Any, ...]


@dataclass(frozen=True)
class Finding:
    rule_id: str
    severity: str  # "error" | "warning"
    message: str
    fields: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return {"rule": self.rule_id, "severity": self.severity, "message": self.message, "fields": list(self.fields)}


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title: str
    check: Callable[[Figures, ReportSettings], Iterable[tuple[str, tuple[str, ...]]]]


def get_path(model: Any, path: Path) -> Any:
    value = model
    for step in path:
        if value is None:
            return None
        value = value[step] if isinstance(step, int) else getattr(value, step)
    return value


def dotted(path: Path) -> str:
    return ".".join(str(p) for p in path)


def _label(path: Path) -> str:
    return f"“{label_for_path(path)}”"


def _n(value: Decimal) -> str:
    return format_number(value, trim=True, places=Decimal("0.0001"))


# --- sums of parts, as data --------------------------------------------------------------------------


@dataclass(frozen=True)
class SumRule:
    id: str
    total: Path
    parts: tuple[Path, ...]
    unit: str = "万元"
    # With `require_all`, a total entered with some parts missing is not checked (the missing part
    # may be the difference); otherwise the entered parts must add up to the total.
    require_all: bool = False


def _sum_rules(figures: Figures) -> list[SumRule]:
    rules: list[SumRule] = []
    for block in ("budget", "adjusted_budget", "final"):
        rules.append(SumRule(f"sum.{block}.income", (block, "income", "total"), tuple((block, "income", s) for s in INCOME_PARTS)))
        rules.append(SumRule(f"sum.{block}.expenditure", (block, "expenditure", "total"), ((block, "expenditure", "basic"), (block, "expenditure", "project")), require_all=True))
        rules.append(SumRule(f"sum.{block}.basic", (block, "expenditure", "basic"), ((block, "expenditure", "personnel"), (block, "expenditure", "public")), require_all=True))
    for stage in ("budget", "actual", "last_year_actual", "last_year_budget"):
        base = ("three_public", stage)
        # Vehicle costs may be entered only as purchase + operation; those then stand for the vehicle part.
        split = get_path(figures, (*base, "vehicle")) is None and any(
            get_path(figures, (*base, name)) is not None for name in ("vehicle_purchase", "vehicle_operation")
        )
        vehicle = ((*base, "vehicle_purchase"), (*base, "vehicle_operation")) if split else ((*base, "vehicle"),)
        rules.append(SumRule(f"sum.three_public.{stage}", (*base, "total"), ((*base, "overseas"), *vehicle, (*base, "reception"))))
        rules.append(SumRule(f"sum.three_public.{stage}.vehicle", (*base, "vehicle"), ((*base, "vehicle_purchase"), (*base, "vehicle_operation")), require_all=True))
    rules.append(SumRule("sum.procurement", ("procurement", "total"), (("procurement", "goods"), ("procurement", "works"), ("procurement", "services"))))
    for i, _ in enumerate(figures.projects):
        for col in FUND_COLUMNS:
            rules.append(
                SumRule(
                    f"sum.project.funds.{col}",
                    ("projects", i, "funds", "total", col),
                    tuple(("projects", i, "funds", part, col) for part in FUND_PARTS),
                )
            )
    return rules


def _check_sum(figures: Figures, rule: SumRule, tolerance: Decimal) -> Optional[tuple[str, tuple[str, ...]]]:
    total = get_path(figures, rule.total)
    given = [(p, get_path(figures, p)) for p in rule.parts]
    present = [(p, v) for p, v in given if v is not None]
    if not present:
        return None
    if rule.require_all and len(present) != len(given):
        return None
    fields = tuple(dotted(p) for p in (rule.total, *(p for p, _ in present)))
    parts_sum = sum((v for _, v in present), Decimal(0))
    expression = " + ".join(f"{_label(p)}{_n(v)}" for p, v in present)
    if total is None:
        if len(present) == len(given) or parts_sum == 0:
            return None
        return (f"{_label(rule.total)}未填写，而其分项已填写（{expression} = {_n(parts_sum)}{rule.unit}），请补充合计数。", fields)
    if abs(parts_sum - total) > tolerance:
        return (
            f"{expression} = {_n(parts_sum)}{rule.unit}，与{_label(rule.total)}填写的{_n(total)}{rule.unit}不一致"
            f"（相差{_n(abs(parts_sum - total))}{rule.unit}）。",
            fields,
        )
    return None


def check_sums(figures: Figures, settings: ReportSettings) -> Iterator[tuple[str, tuple[str, ...]]]:
    for rule in _sum_rules(figures):
        problem = _check_sum(figures, rule, settings.sum_tolerance)
        if problem:
            yield problem


# --- other rules -----------------------------------------------------------------------------------


def check_net_assets(figures: Figures, settings: ReportSettings):
    a = figures.assets
    if a is None or None in (a.total_assets, a.total_liabilities, a.net_assets):
        return
    expected = a.total_assets - a.total_liabilities
    if abs(expected - a.net_assets) > settings.sum_tolerance:
        yield (
            f"净资产应等于资产总额减负债总额：{_n(a.total_assets)} − {_n(a.total_liabilities)} = {_n(expected)}万元，"
            f"但“资产/净资产”填写的是{_n(a.net_assets)}万元。",
            ("assets.net_assets", "assets.total_assets", "assets.total_liabilities"),
        )


def check_fixed_assets(figures: Figures, settings: ReportSettings):
    a = figures.assets
    if a is None or a.fixed_assets_in_use is None or a.fixed_assets_original is None:
        return
    if a.fixed_assets_in_use > a.fixed_assets_original + settings.sum_tolerance:
        yield (
            f"在用固定资产{_n(a.fixed_assets_in_use)}万元大于固定资产账面原值{_n(a.fixed_assets_original)}万元。",
            ("assets.fixed_assets_in_use", "assets.fixed_assets_original"),
        )


def _stated_shares(figures: Figures) -> Iterator[tuple[str, Any]]:
    for block in ("budget", "adjusted_budget", "final"):
        yield block, get_path(figures, (block, "expenditure"))


def _printed_places(stated: Decimal) -> Decimal:
    """The precision a share was printed with: 2 dp ("39.55%"), or fewer when printed so ("35.9%", "146%")."""
    return Decimal(1).scaleb(min(max(stated.as_tuple().exponent, -2), 0))


def check_share_sum(figures: Figures, settings: ReportSettings):
    for block, exp in _stated_shares(figures):
        if exp.basic_share_stated is None or exp.project_share_stated is None:
            continue
        total = exp.basic_share_stated + exp.project_share_stated
        # Shares printed with fewer decimals may miss 100% by their own rounding step (12.3% + 87.8%).
        step = max(_printed_places(exp.basic_share_stated), _printed_places(exp.project_share_stated))
        if abs(total - 100) > max(settings.share_tolerance, step):
            yield (
                f"{_label((block, 'expenditure', 'basic_share_stated'))}{_n(exp.basic_share_stated)}% + "
                f"{_label((block, 'expenditure', 'project_share_stated'))}{_n(exp.project_share_stated)}% = {_n(total)}%，"
                f"占比合计应为100%。",
                (f"{block}.expenditure.basic_share_stated", f"{block}.expenditure.project_share_stated"),
            )


def check_share_values(figures: Figures, settings: ReportSettings):
    for block, exp in _stated_shares(figures):
        for part in ("basic", "project"):
            stated = getattr(exp, f"{part}_share_stated")
            amount = getattr(exp, part)
            if stated is None or amount is None or not exp.total:
                continue
            # Compared at the precision it was printed with: for 39.5453…% both "39.55" and "39.5" are
            # right, while "39.6" (39.55 rounded again) is not.
            places = _printed_places(stated)
            computed = round2(amount / exp.total * 100, places)
            if round2(stated, places) != computed:
                yield (
                    f"{_label((block, 'expenditure', part + '_share_stated'))}填写{_n(stated)}%，按"
                    f"{_label((block, 'expenditure', part))}{_n(amount)} ÷ {_label((block, 'expenditure', 'total'))}{_n(exp.total)}"
                    f"计算应为{format_number(computed, trim=False, places=places)}%。",
                    (f"{block}.expenditure.{part}_share_stated", f"{block}.expenditure.{part}", f"{block}.expenditure.total"),
                )


def _decimal_fields(model: BaseModel, path: Path) -> Iterator[tuple[Path, Decimal]]:
    for name in type(model).model_fields:
        value = getattr(model, name)
        here = (*path, name)
        if isinstance(value, Decimal):
            yield here, value
        elif isinstance(value, BaseModel):
            yield from _decimal_fields(value, here)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _decimal_fields(item, (*here, i))


# Balances that are legitimately negative (liabilities above assets); everything else is an amount
# or a count and cannot be.
SIGNED_FIELDS = frozenset({("assets", "net_assets")})


def check_non_negative(figures: Figures, settings: ReportSettings):
    for path, value in _decimal_fields(figures, ()):
        if value < 0 and path not in SIGNED_FIELDS:
            yield (f"{_label(path)}为负数（{_n(value)}），金额和数量不能为负。", (dotted(path),))


def check_year(figures: Figures, settings: ReportSettings):
    year = figures.meta.year
    this_year = dt.date.today().year
    if not 2000 <= year <= this_year:
        yield (f"“单位信息/年度”{year}不合理：应在2000年至{this_year}年之间。", ("meta.year",))
    date = figures.meta.report_date
    if date is not None and date.year <= year:
        yield (f"“单位信息/报告日期”{date.isoformat()}早于或在评价年度{year}年内，自评报告应在年度结束后出具。", ("meta.report_date", "meta.year"))


def _all_indicators(figures: Figures) -> Iterator[tuple[Path, Any]]:
    for j, ind in enumerate(figures.performance_indicators):
        yield ("performance_indicators", j), ind
    for i, project in enumerate(figures.projects):
        for j, ind in enumerate(project.indicators):
            yield ("projects", i, "indicators", j), ind


def check_indicators(figures: Figures, settings: ReportSettings):
    for path, ind in _all_indicators(figures):
        if not ind.applicable:
            continue
        name = f"指标“{ind.name}”"
        if ind.comparator == Comparator.qualitative:
            if not ind.target_text:
                yield (f"{name}为定性指标，缺少年度指标值（文字）。", (dotted((*path, "target_text")),))
            if not ind.actual_text and ind.band is None:
                yield (f"{name}为定性指标，缺少实际完成情况或评价档次。", (dotted((*path, "actual_text")),))
            continue
        if ind.target is None:
            yield (f"{name}缺少年度指标值。", (dotted((*path, "target")),))
        if ind.actual is None:
            yield (f"{name}缺少实际完成值。", (dotted((*path, "actual")),))


def check_staffing(figures: Figures, settings: ReportSettings):
    s = figures.staffing
    if None not in (s.authorized_total, s.authorized_admin, s.authorized_institution):
        if s.authorized_admin + s.authorized_institution != s.authorized_total:
            yield (
                f"行政编制{s.authorized_admin}人 + 事业编制{s.authorized_institution}人 = "
                f"{s.authorized_admin + s.authorized_institution}人，与编制人数{s.authorized_total}人不一致。",
                ("staffing.authorized_total", "staffing.authorized_admin", "staffing.authorized_institution"),
            )
    if s.fiscal_supported is not None and s.actual is not None and s.fiscal_supported > s.actual:
        yield (f"财政补助开支人数{s.fiscal_supported}人多于在职人员{s.actual}人。", ("staffing.fiscal_supported", "staffing.actual"))


def warn_overstaffed(figures: Figures, settings: ReportSettings):
    s = figures.staffing
    if s.actual is not None and s.authorized_total is not None and s.actual > s.authorized_total:
        yield (f"在职人员{s.actual}人超过编制人数{s.authorized_total}人（超编），报告中需说明原因。", ("staffing.actual", "staffing.authorized_total"))


def warn_three_public_over_budget(figures: Figures, settings: ReportSettings):
    tp = figures.three_public
    if tp.actual.total is not None and tp.budget.total is not None and tp.actual.total > tp.budget.total:
        yield (
            f"“三公”经费决算数{_n(tp.actual.total)}万元超过预算数{_n(tp.budget.total)}万元，报告中需说明超支原因。",
            ("three_public.actual.total", "three_public.budget.total"),
        )


def warn_project_overspent(figures: Figures, settings: ReportSettings):
    for i, p in enumerate(figures.projects):
        row = p.funds.total
        if row.executed is not None and row.full_year is not None and row.executed > row.full_year + settings.sum_tolerance:
            yield (
                f"项目“{p.name}”全年执行数{_n(row.executed)}万元超过全年预算数{_n(row.full_year)}万元。",
                (f"projects.{i}.funds.total.executed", f"projects.{i}.funds.total.full_year"),
            )


RULES: tuple[Rule, ...] = (
    Rule("sum", "error", "分项之和等于合计", check_sums),
    Rule("net_assets", "error", "净资产 = 资产总额 − 负债总额", check_net_assets),
    Rule("fixed_assets", "error", "在用固定资产不超过账面原值", check_fixed_assets),
    Rule("share_sum", "error", "占比合计为100%", check_share_sum),
    Rule("share_value", "error", "填报占比与金额一致", check_share_values),
    Rule("non_negative", "error", "金额和数量非负", check_non_negative),
    Rule("year", "error", "年度和报告日期合理", check_year),
    Rule("indicator", "error", "每个指标都有指标值和完成值", check_indicators),
    Rule("staffing", "error", "编制人数一致", check_staffing),
    Rule("overstaffed", "warning", "在职人员不超编", warn_overstaffed),
    Rule("three_public_over", "warning", "“三公”经费不超预算", warn_three_public_over_budget),
    Rule("project_overspent", "warning", "项目执行不超预算", warn_project_overspent),
)


def check(figures: Figures, settings: ReportSettings | None = None) -> list[Finding]:
    settings = settings or DEFAULT_SETTINGS
    findings: list[Finding] = []
    for rule in RULES:
        for message, fields in rule.check(figures, settings):
            findings.append(Finding(rule.id, rule.severity, message, fields))
    return findings


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)
