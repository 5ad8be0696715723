"""Consistency checker: a table of rules over the figures the user entered.

Each rule has an id, a severity and a small function yielding findings; sums of parts are declared as
data (`assistant.ledger.sums.sum_rules`). Rules see the figures with blank totals derived from their
parts (so a 基本支出 given only as 人员经费 + 公用经费 still takes part in every check), except the few
that look at what was typed (`on_entered`). Every message is Chinese and names the fields and both numbers, so a finance
officer can find the cell to fix. The tolerance for 万元 rounding is `ReportSettings.sum_tolerance`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Iterable, Iterator, Optional

from pydantic import BaseModel

from assistant.figures.model import Comparator, Figures, label_for_path
from assistant.ledger.numbers import format_number, round2
from assistant.ledger.settings import DEFAULT_SETTINGS, ReportSettings
from assistant.ledger.sums import SumRule, derive_totals, dotted, get_path, partial_parts, sum_rules

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
    on_entered: bool = False  # run on the figures as entered, not on the ones with derived totals


def _label(path: Path) -> str:
    return f"“{label_for_path(path)}”"


def _n(value: Decimal | int) -> str:
    return format_number(Decimal(value), trim=True, places=Decimal("0.0001"))


# --- sums of parts (the relations live in assistant.ledger.sums) -------------------------------------


def _check_sum(figures: Figures, rule: SumRule, tolerance: Decimal, derived: dict) -> Optional[tuple[str, tuple[str, ...]]]:
    total = get_path(figures, rule.total)
    given = [(p, get_path(figures, p)) for p in rule.parts]
    present = [(p, v) for p, v in given if v is not None]
    if total is None or not present:
        return None  # a blank total is derived or reported by check_partial_parts
    if rule.require_all and len(present) != len(given):
        return None
    if dotted(rule.total) in derived and derived[dotted(rule.total)].parts == tuple(dotted(p) for p, _ in given):
        return None  # this very relation produced the total
    fields = tuple(dotted(p) for p in (rule.total, *(p for p, _ in present)))
    parts_sum = sum((v for _, v in present), Decimal(0))
    if abs(parts_sum - total) <= tolerance:
        return None
    expression = " + ".join(_term(p, v, derived) for p, v in present)
    fields = tuple(dict.fromkeys((*fields, *(i for p, _ in present if dotted(p) in derived for i in derived[dotted(p)].inputs))))
    how = "按分项之和推算的" if dotted(rule.total) in derived else "填写的"
    blank = [p for p, v in given if v is None]
    hint = f"；未填写的分项：{'、'.join(_label(p) for p in blank)}" if blank else ""
    return (
        f"{expression} = {_n(parts_sum)}{rule.unit}，与{_label(rule.total)}{how}{_n(total)}{rule.unit}不一致"
        f"（相差{_n(abs(parts_sum - total))}{rule.unit}{hint}）。",
        fields,
    )


def _term(path: Path, value: Any, derived: dict) -> str:
    """One part in a sum message; a part derived from its own parts shows them (购置费3 + 运行维护费2)."""
    text = f"{_label(path)}{_n(value)}"
    derivation = derived.get(dotted(path))
    if derivation is None:
        return text
    inner = " + ".join(f"{_label(_steps(d))}" for d in derivation.parts)
    return f"{text}（按分项之和推算：{inner}）"


def _steps(dotted_path: str) -> Path:
    return tuple(int(s) if s.isdigit() else s for s in dotted_path.split("."))


def check_sums(figures: Figures, settings: ReportSettings) -> Iterator[tuple[str, tuple[str, ...]]]:
    completed, derived = derive_totals(figures)
    for rule in sum_rules(completed):
        problem = _check_sum(completed, rule, settings.sum_tolerance, derived)
        if problem:
            yield problem


def check_partial_parts(figures: Figures, settings: ReportSettings):
    """A blank total whose parts are only partly entered: no total can be derived; name the blank parts."""
    for rule, entered, blank in partial_parts(figures):
        shown = "、".join(f"{_label(p)}{_n(get_path(figures, p))}" for p in entered)
        yield (
            f"{_label(rule.total)}未填写，其分项只填了一部分（已填：{shown}；未填：{'、'.join(_label(p) for p in blank)}），"
            f"无法按分项之和推算合计。请补充未填的分项（没有的填0），或直接填写合计数。",
            tuple(dotted(p) for p in (rule.total, *blank)),
        )


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
    # 编制 kinds against 编制人数 is a sum rule; here what a sum cannot say.
    for base in (("staffing",), ("last_year", "staffing")):
        s = get_path(figures, base)
        if s is None:
            continue
        year = "上年" if base[0] == "last_year" else ""
        if s.fiscal_supported is not None and s.actual is not None and s.fiscal_supported > s.actual:
            yield (
                f"{year}财政补助开支人数{s.fiscal_supported}人多于{year}在职人员{s.actual}人。",
                (dotted((*base, "fiscal_supported")), dotted((*base, "actual"))),
            )
        names = [kind.name for kind in s.authorized_other]
        for name in sorted({n for n in names if names.count(n) > 1}):
            yield (f"{_label((*base, 'authorized_other'))}中编制类型“{name}”重复填写。", (dotted((*base, "authorized_other")),))


def check_last_year_totals(figures: Figures, settings: ReportSettings):
    """上年决算收入/支出 may be given both as the single field and inside the 上年收入/支出 block."""
    ly = figures.last_year
    if ly is None:
        return
    for single, block in (("income_total", "income"), ("expenditure_total", "expenditure")):
        a, b = getattr(ly, single), getattr(ly, block).total
        if a is not None and b is not None and abs(a - b) > settings.sum_tolerance:
            yield (
                f"{_label(('last_year', single))}{_n(a)}万元与{_label(('last_year', block, 'total'))}{_n(b)}万元不一致。",
                (f"last_year.{single}", f"last_year.{block}.total"),
            )


def check_no_procurement(figures: Figures, settings: ReportSettings):
    p = figures.procurement
    if p is None or not p.none_this_year:
        return
    entered = [name for name in ("total", "goods", "works", "services", "smes") if (getattr(p, name) or 0) > 0]
    if entered:
        yield (
            f"已勾选“本年无政府采购”，但{'、'.join(_label(('procurement', n)) for n in entered)}填有金额；请取消勾选或删除这些金额。",
            ("procurement.none_this_year", *(f"procurement.{n}" for n in entered)),
        )


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


THREE_PUBLIC_ITEMS = ("overseas", "vehicle", "vehicle_purchase", "vehicle_operation", "reception")


def warn_three_public_item_over_budget(figures: Figures, settings: ReportSettings):
    """Each 三公 item against its own budget: one item can overrun while the total stays within budget."""
    tp = figures.three_public

    def over(item: str) -> bool:
        actual, budget = getattr(tp.actual, item), getattr(tp.budget, item)
        return actual is not None and budget is not None and actual > budget + settings.sum_tolerance

    for item in THREE_PUBLIC_ITEMS:
        # The vehicle line is named only when neither of its own parts (购置/运行维护) is named.
        if not over(item) or (item == "vehicle" and (over("vehicle_purchase") or over("vehicle_operation"))):
            continue
        actual, budget = getattr(tp.actual, item), getattr(tp.budget, item)
        name = label_for_path(("three_public", "actual", item)).split("/")[-1]
        within = ""
        if tp.actual.total is not None and tp.budget.total is not None and tp.actual.total <= tp.budget.total:
            within = "（“三公”经费合计未超预算，但该项超支）"
        yield (
            f"“三公”经费中{name}决算数{_n(actual)}万元超过预算数{_n(budget)}万元，超支{_n(actual - budget)}万元{within}，报告中需说明原因。",
            (f"three_public.actual.{item}", f"three_public.budget.{item}"),
        )


def warn_other_over_budget(figures: Figures, settings: ReportSettings):
    p = figures.procurement
    if p is not None and p.total is not None and p.budget is not None and p.total > p.budget + settings.sum_tolerance:
        yield (
            f"政府采购支出{_n(p.total)}万元超过政府采购预算{_n(p.budget)}万元，超出{_n(p.total - p.budget)}万元。",
            ("procurement.total", "procurement.budget"),
        )
    actual, budget = figures.final.expenditure.public, figures.budget.expenditure.public
    if actual is not None and budget is not None and actual > budget + settings.sum_tolerance:
        yield (
            f"决算公用经费{_n(actual)}万元超过年初预算公用经费{_n(budget)}万元，超出{_n(actual - budget)}万元。",
            ("final.expenditure.public", "budget.expenditure.public"),
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
    Rule("sum", "error", "分项之和等于合计", check_sums, on_entered=True),
    Rule("partial_parts", "warning", "合计未填时分项应填全", check_partial_parts, on_entered=True),
    Rule("net_assets", "error", "净资产 = 资产总额 − 负债总额", check_net_assets),
    Rule("fixed_assets", "error", "在用固定资产不超过账面原值", check_fixed_assets),
    Rule("share_sum", "error", "占比合计为100%", check_share_sum),
    Rule("share_value", "error", "填报占比与金额一致", check_share_values),
    Rule("non_negative", "error", "金额和数量非负", check_non_negative, on_entered=True),
    Rule("year", "error", "年度和报告日期合理", check_year),
    Rule("indicator", "error", "每个指标都有指标值和完成值", check_indicators),
    Rule("staffing", "error", "人员编制一致", check_staffing),
    Rule("last_year_totals", "error", "上年收支合计一致", check_last_year_totals),
    Rule("no_procurement", "error", "“本年无政府采购”与金额一致", check_no_procurement),
    Rule("overstaffed", "warning", "在职人员不超编", warn_overstaffed),
    Rule("three_public_over", "warning", "“三公”经费不超预算", warn_three_public_over_budget),
    Rule("three_public_item_over", "warning", "“三公”经费各项不超预算", warn_three_public_item_over_budget),
    Rule("over_budget", "warning", "政府采购、公用经费不超预算", warn_other_over_budget),
    Rule("project_overspent", "warning", "项目执行不超预算", warn_project_overspent),
)


def check(figures: Figures, settings: ReportSettings | None = None) -> list[Finding]:
    settings = settings or DEFAULT_SETTINGS
    completed, _ = derive_totals(figures)
    findings: list[Finding] = []
    for rule in RULES:
        for message, fields in rule.check(figures if rule.on_entered else completed, settings):
            findings.append(Finding(rule.id, rule.severity, message, fields))
    return findings


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)


def errors_of(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


def failed_checks_notice(findings: Iterable[Finding]) -> str:
    """The first-page notice of a report drafted (forced) from figures that failed the checks, naming
    each error; empty when there is none."""
    errors = errors_of(findings)
    if not errors:
        return ""
    listed = "；".join(f"{i}. {f.message.rstrip('。')}" for i, f in enumerate(errors, start=1))
    return (
        f"【数据校验未通过】本报告所依据的数据未通过一致性校验，共{len(errors)}项错误：{listed}。"
        "报告按上述数据强制生成，其中相关数字可能有误，请更正数据后重新生成，不得直接报送。"
    )
