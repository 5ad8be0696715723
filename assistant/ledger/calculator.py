"""Calculator: figures → ledger. Every figure a report may print is a `Fact` built here.

Inputs become facts as entered; derived facts (增减, 占比, 执行率, 完成率, 控制率, 净资产 …) follow the
formulas of DOMAIN.md §3 with unrounded `Decimal` arithmetic. A derived fact whose inputs are absent
is simply not produced; one whose denominator is zero is recorded in `ledger.missing` with a reason.
Fact builders are listed in `FACT_BUILDERS`, one function per report area, run in order.

A total the user left blank while entering every part (三公 items, procurement parts, 人员经费 +
公用经费 …, see assistant.ledger.sums) is derived first; its fact is marked derived with the formula
"分项之和" and the part fields as inputs, and every rate built on it follows. A rate that cannot exist
because its base is structurally absent (a 三公 budget of 0, "本年无政府采购", no project spending) is
recorded as missing *and not applicable*, so the scoring stage shows 不适用 instead of 需补充.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Callable, Iterable, Optional

from assistant.ledger.facts import Fact, Ledger
from assistant.figures.model import (
    FUND_COLUMNS,
    FUND_PARTS,
    FUND_TYPES,
    INCOME_SOURCES,
    BudgetBlock,
    Comparator,
    Expenditure,
    Figures,
    Indicator,
    Staffing,
    field_label,
)
from assistant.figures.model import Assets, Income, Procurement, ProjectFunds, FundRow, ThreePublic
from assistant.ledger.settings import DEFAULT_SETTINGS, ReportSettings
from assistant.ledger.sums import DERIVED_FORMULA, derive_totals

HUNDRED = Decimal(100)
WAN = "万元"


class _Builder:
    """Adds facts to a ledger; derived facts are computed from facts already present."""

    def __init__(self, ledger: Ledger, group: str):
        self.ledger = ledger
        self.group = group

    def input(self, key: str, value, unit: str, label: str, aliases: Iterable[str], field: str) -> Optional[Fact]:
        if value is None:
            return None
        parts = self.ledger.derived_fields.get(field)
        if parts is not None:  # left blank by the user, summed from its parts
            return self.ledger.add(
                Fact(key, Decimal(value), unit, label, tuple(aliases), DERIVED_FORMULA, parts, "derived", False, self.group)
            )
        return self.ledger.add(
            Fact(key, Decimal(value), unit, label, tuple(aliases), "录入值", (field,), "input", False, self.group)
        )

    def derived(
        self,
        key: str,
        value: Decimal,
        unit: str,
        label: str,
        aliases: Iterable[str],
        formula: str,
        inputs: Iterable[str],
        signed_change: bool = False,
    ) -> Fact:
        return self.ledger.add(
            Fact(key, value, unit, label, tuple(aliases), formula, tuple(inputs), "derived", signed_change, self.group)
        )

    def _inputs_of(self, *keys: str) -> tuple[str, ...]:
        fields: list[str] = []
        for key in keys:
            for name in self.ledger[key].inputs:
                if name not in fields:
                    fields.append(name)
        return tuple(fields)

    def ratio(
        self, key: str, num: str, den: str, label: str, aliases: Iterable[str] = (), zero_not_applicable: bool = False
    ) -> Optional[Fact]:
        """num / den × 100%, when both facts exist; a zero denominator is recorded as missing (and,
        with `zero_not_applicable` and a zero numerator too, as not applicable: nothing was budgeted
        and nothing spent)."""
        if num not in self.ledger or den not in self.ledger:
            return None
        n, d = self.ledger[num], self.ledger[den]
        if d.value == 0:
            if zero_not_applicable and n.value == 0:
                self.ledger.add_missing(key, label, f"{d.label}和{n.label}均为0，{label}不适用", not_applicable=True)
            else:
                self.ledger.add_missing(key, label, f"{d.label}为0，无法计算{label}")
            return None
        return self.derived(
            key, n.value / d.value * HUNDRED, "%", label, aliases, f"{n.label} ÷ {d.label} × 100%", self._inputs_of(num, den)
        )

    def difference(self, key: str, a: str, b: str, label: str, aliases: Iterable[str] = ()) -> Optional[Fact]:
        """a − b, a signed change (增加/减少 in words)."""
        if a not in self.ledger or b not in self.ledger:
            return None
        fa, fb = self.ledger[a], self.ledger[b]
        return self.derived(
            key, fa.value - fb.value, fa.unit, label, aliases, f"{fa.label} − {fb.label}", self._inputs_of(a, b), True
        )

    def change_rate(self, key: str, now: str, before: str, label: str, aliases: Iterable[str] = ()) -> Optional[Fact]:
        """(now − before) / before × 100%, signed; both zero → nothing to compare (not applicable)."""
        if now not in self.ledger or before not in self.ledger:
            return None
        fn, fb = self.ledger[now], self.ledger[before]
        if fb.value == 0:
            if fn.value == 0:
                self.ledger.add_missing(key, label, f"{fb.label}和{fn.label}均为0，{label}不适用", not_applicable=True)
            else:
                self.ledger.add_missing(key, label, f"{fb.label}为0，无法计算{label}")
            return None
        return self.derived(
            key,
            (fn.value - fb.value) / fb.value * HUNDRED,
            "%",
            label,
            aliases,
            f"（{fn.label} − {fb.label}）÷ {fb.label} × 100%",
            self._inputs_of(now, before),
            True,
        )

    def total(self, key: str, parts: list[str], label: str, aliases: Iterable[str] = ()) -> Optional[Fact]:
        present = [p for p in parts if p in self.ledger]
        if not present:
            return None
        value = sum((self.ledger[p].value for p in present), Decimal(0))
        formula = " + ".join(self.ledger[p].label for p in present)
        return self.derived(key, value, self.ledger[present[0]].unit, label, aliases, formula, self._inputs_of(*present))

    def vs_budget(self, key: str, now: str, before: str, label: str) -> None:
        """`key.change_vs_budget` and `key.change_rate_vs_budget` (决算 against 年初预算)."""
        self.difference(f"{key}.change_vs_budget", now, before, f"{label}较年初预算增减", ("较预算", "较年初预算"))
        self.change_rate(f"{key}.change_rate_vs_budget", now, before, f"{label}较年初预算增减率", ("较预算", "增长", "下降"))

    def vs_last_year(self, key: str, now: str, before: str, label: str) -> None:
        """`key.yoy_change` and `key.yoy_rate` (this year against last year)."""
        self.difference(f"{key}.yoy_change", now, before, f"{label}同比增减", ("同比", "较上年"))
        self.change_rate(f"{key}.yoy_rate", now, before, f"{label}同比增减率", ("同比", "较上年"))


# --- one builder per report area -------------------------------------------------------------------

_STAFF = {
    "authorized_total": ("编制人数", ("编制数", "编制")),
    "authorized_admin": ("行政编制人数", ("行政编制", "行政")),
    "authorized_institution": ("事业编制人数", ("事业编制", "事业")),
    "authorized_worker": ("工勤编制人数", ("工勤编制", "工勤")),
    "actual": ("在职人员数", ("在职人员", "在职人数", "在职")),
    "headcount": ("实有人数", ("实有人员", "实有")),
    "fiscal_supported": ("财政补助开支人数", ("财政补助开支",)),
    "retired": ("退休人员数", ("退休人员", "退休")),
}


def _kind_label(name: str) -> str:
    return f"{name if name.endswith('编制') else name + '编制'}人数"


def _staff_block(b: _Builder, prefix: str, year: str, staffing: Staffing, field: str) -> None:
    for name, (label, aliases) in _STAFF.items():
        b.input(f"{prefix}.{name}", getattr(staffing, name), "人", f"{year}{label}", aliases if not year else (label,), f"{field}.{name}")
    for i, kind in enumerate(staffing.authorized_other, start=1):
        label = _kind_label(kind.name)
        b.input(f"{prefix}.authorized_other.{i}", kind.count, "人", f"{year}{label}", (label, kind.name), f"{field}.authorized_other.{i - 1}.count")


def _staffing(figures: Figures, ledger: Ledger, settings: ReportSettings) -> None:
    b = _Builder(ledger, "人员编制")
    _staff_block(b, "staffing", "", figures.staffing, "staffing")
    b.ratio("staffing.control_rate", "staffing.actual", "staffing.authorized_total", "在职人员控制率", ("人员控制率",))
    last = figures.last_year.staffing if figures.last_year else None
    if last is not None:
        _staff_block(b, "last_year.staffing", "上年", last, "last_year.staffing")
        for name in ("authorized_total", "actual", "headcount"):
            label = _STAFF[name][0]
            b.difference(f"staffing.{name}.yoy_change", f"staffing.{name}", f"last_year.staffing.{name}", f"{label}较上年增减", ("较上年", "同比"))


def _income(b: _Builder, prefix: str, stage: str, income: Income, field: str) -> None:
    b.input(f"{prefix}.income.total", income.total, WAN, f"{stage}收入", (f"{stage}总收入", f"{stage}收入合计", "总收入", "收入合计"), f"{field}.income.total")
    for source in INCOME_SOURCES:
        label = field_label(Income, source)
        b.input(f"{prefix}.income.{source}", getattr(income, source), WAN, f"{stage}{label}", (label,), f"{field}.income.{source}")


_EXPENDITURE_PARTS = {
    "basic": ("基本支出", ()),
    "project": ("项目支出", ()),
    "personnel": ("人员经费", ()),
    "public": ("公用经费", ()),
    **{fund: (field_label(Expenditure, fund), ()) for fund in FUND_TYPES},
}


def _block(b: _Builder, prefix: str, stage: str, block: BudgetBlock, field: str) -> None:
    _income(b, prefix, stage, block.income, field)
    exp = block.expenditure
    b.input(f"{prefix}.expenditure.total", exp.total, WAN, f"{stage}支出", (f"{stage}总支出", f"{stage}支出合计", "总支出", "支出合计"), f"{field}.expenditure.total")
    for name, (label, extra) in _EXPENDITURE_PARTS.items():
        b.input(f"{prefix}.expenditure.{name}", getattr(exp, name), WAN, f"{stage}{label}", (label, *extra), f"{field}.expenditure.{name}")
    for name, (label, _) in _EXPENDITURE_PARTS.items():
        b.ratio(f"{prefix}.expenditure.{name}_share", f"{prefix}.expenditure.{name}", f"{prefix}.expenditure.total", f"{stage}{label}占比", (f"{label}占比", label))


def _budget(figures: Figures, ledger: Ledger, settings: ReportSettings) -> None:
    _block(_Builder(ledger, "年初预算"), "budget", "年初预算", figures.budget, "budget")
    adjusted = _Builder(ledger, "全年预算")
    _block(adjusted, "adjusted", "全年预算", figures.adjusted_budget, "adjusted_budget")
    adjusted.difference("adjusted.expenditure.adjustment", "adjusted.expenditure.total", "budget.expenditure.total", "预算调整数", ("预算调整",))
    adjusted.ratio("adjusted.expenditure.adjustment_rate", "adjusted.expenditure.adjustment", "budget.expenditure.total", "预算调整率", ())


def _final(figures: Figures, ledger: Ledger, settings: ReportSettings) -> None:
    b = _Builder(ledger, "决算")
    _block(b, "final", "决算", figures.final, "final")
    for kind, word in (("income", "收入"), ("expenditure", "支出")):
        base = f"budget.{kind}.total"
        b.difference(f"final.{kind}.change_vs_budget", f"final.{kind}.total", base, f"决算{word}较年初预算增减", (f"较预算", f"较年初预算", f"决算{word}较预算"))
        b.change_rate(f"final.{kind}.change_rate_vs_budget", f"final.{kind}.total", base, f"决算{word}较年初预算增减率", (f"较预算", "增长", "下降"))
    b.input("final.added_budget", figures.final.added_budget, WAN, "本年追加预算", ("追加预算", "年中追加"), "final.added_budget")
    b.ratio("final.budget_control_rate", "final.added_budget", "budget.expenditure.total", "预算控制率", ())
    denominator = "adjusted.expenditure.total" if settings.execution_denominator == "full_year" else "budget.expenditure.total"
    b.ratio("final.execution_rate", "final.expenditure.total", denominator, "预算执行率", ("执行率", "预算完成率"))
    if figures.last_year:
        _last_year_block(b, figures)
        for kind, word in (("income", "收入"), ("expenditure", "支出")):
            b.difference(f"final.{kind}.yoy_change", f"final.{kind}.total", f"last_year.{kind}.total", f"决算{word}同比增减", ("同比", "较上年"))
            b.change_rate(f"final.{kind}.yoy_rate", f"final.{kind}.total", f"last_year.{kind}.total", f"决算{word}同比增减率", ("同比", "较上年"))
    # Each income source and each kind of spending against its budget and last year's figure.
    for kind, names in (("income", INCOME_SOURCES), ("expenditure", tuple(_EXPENDITURE_PARTS))):
        for name in names:
            key = f"final.{kind}.{name}"
            if key not in ledger:
                continue
            label = ledger[key].label
            b.vs_budget(key, key, f"budget.{kind}.{name}", label)
            b.vs_last_year(key, key, f"last_year.{kind}.{name}", label)
    b.ratio("final.public_control_rate", "final.expenditure.public", "budget.expenditure.public", "公用经费控制率", ())


_THREE = {
    "total": ("“三公”经费", ("三公经费", "“三公”经费", "三公")),
    "overseas": ("因公出国（境）费", ("因公出国（境）费", "因公出国(境)费", "因公出国费", "出国")),
    "vehicle": ("公务用车购置及运行维护费", ("公务用车购置及运行维护费", "公务用车", "公车")),
    "vehicle_purchase": ("公务用车购置费", ("公务用车购置费", "购置费")),
    "vehicle_operation": ("公务用车运行维护费", ("公务用车运行维护费", "运行维护费")),
    "reception": ("公务接待费", ("公务接待费", "接待费")),
}


def _last_year_block(b: _Builder, figures: Figures) -> None:
    """上年决算: the two original totals, or the same inside the 上年收入/上年支出 blocks, item by item."""
    ly = figures.last_year
    for kind, word, single in (("income", "收入", ly.income_total), ("expenditure", "支出", ly.expenditure_total)):
        if single is not None:
            b.input(f"last_year.{kind}.total", single, WAN, f"上年决算{word}", (f"上年{word}",), f"last_year.{kind}_total")
        else:
            b.input(f"last_year.{kind}.total", getattr(ly, kind).total, WAN, f"上年决算{word}", (f"上年{word}",), f"last_year.{kind}.total")
    for source in INCOME_SOURCES:
        label = field_label(Income, source)
        b.input(f"last_year.income.{source}", getattr(ly.income, source), WAN, f"上年决算{label}", (f"上年{label}",), f"last_year.income.{source}")
    for name, (label, _) in _EXPENDITURE_PARTS.items():
        b.input(f"last_year.expenditure.{name}", getattr(ly.expenditure, name), WAN, f"上年决算{label}", (f"上年{label}",), f"last_year.expenditure.{name}")


def _three_block(b: _Builder, prefix: str, stage: str, block: Optional[ThreePublic], field: str) -> None:
    if block is None:
        return
    for name, (label, aliases) in _THREE.items():
        full = f"{label}{stage}" if name == "total" else f"“三公”经费{stage}{label}"
        b.input(f"{prefix}.{name}", getattr(block, name), WAN, full, (f"{label}{stage}", *aliases), f"{field}.{name}")


def _three_public(figures: Figures, ledger: Ledger, settings: ReportSettings) -> None:
    b = _Builder(ledger, "三公经费")
    tp = figures.three_public
    _three_block(b, "three_public.budget", "预算数", tp.budget, "three_public.budget")
    _three_block(b, "three_public.actual", "决算数", tp.actual, "three_public.actual")
    _three_block(b, "three_public.last_year_actual", "上年决算数", tp.last_year_actual, "three_public.last_year_actual")
    _three_block(b, "three_public.last_year_budget", "上年预算数", tp.last_year_budget, "three_public.last_year_budget")
    b.ratio("three_public.control_rate", "three_public.actual.total", "three_public.budget.total", "“三公”经费控制率", ("三公经费控制率", "控制率"), zero_not_applicable=True)
    b.difference("three_public.change_vs_budget", "three_public.actual.total", "three_public.budget.total", "“三公”经费决算较预算增减", ("较预算", "节约"))
    if settings.three_public_basis == "final":
        now, before = "three_public.actual.total", "three_public.last_year_actual.total"
    else:
        now, before = "three_public.budget.total", "three_public.last_year_budget.total"
    b.difference("three_public.yoy_change", now, before, "“三公”经费同比增减", ("同比", "较上年"))
    b.change_rate("three_public.yoy_rate", now, before, "“三公”经费变动率", ("三公经费变动率", "同比", "较上年"))
    # Each item against its own budget and last year: one item can overrun while the total does not.
    stage_now, stage_before = now.rsplit(".", 1)[0], before.rsplit(".", 1)[0]
    for item, (label, aliases) in _THREE.items():
        if item == "total":
            continue
        actual, budget = f"three_public.actual.{item}", f"three_public.budget.{item}"
        b.ratio(f"three_public.{item}.control_rate", actual, budget, f"{label}控制率", (f"{label}", "控制率"), zero_not_applicable=True)
        b.difference(f"three_public.{item}.change_vs_budget", actual, budget, f"{label}决算较预算增减", (label, "较预算", "节约", "超支"))
        b.difference(f"three_public.{item}.yoy_change", f"{stage_now}.{item}", f"{stage_before}.{item}", f"{label}同比增减", (label, "同比", "较上年"))
        b.change_rate(f"three_public.{item}.yoy_rate", f"{stage_now}.{item}", f"{stage_before}.{item}", f"{label}同比增减率", (label, "同比", "较上年"))


_PROCUREMENT = {
    "total": ("政府采购支出", ("政府采购支出", "政府采购")),
    "goods": ("政府采购货物", ("货物",)),
    "works": ("政府采购工程", ("工程",)),
    "services": ("政府采购服务", ("服务",)),
    "budget": ("政府采购预算", ("采购预算",)),
    "smes": ("授予中小企业合同金额", ("中小企业",)),
}


def _procurement_block(b: _Builder, prefix: str, year: str, p: Procurement) -> None:
    for name, (label, aliases) in _PROCUREMENT.items():
        b.input(f"{prefix}.{name}", getattr(p, name), WAN, f"{year}{label}", aliases if not year else (label,), f"{prefix}.{name}")


def _procurement(figures: Figures, ledger: Ledger, settings: ReportSettings) -> None:
    b = _Builder(ledger, "政府采购")
    last = figures.last_year.procurement if figures.last_year else None
    if last is not None:
        _procurement_block(b, "last_year.procurement", "上年", last)
    if figures.procurement is None:
        return
    _procurement_block(b, "procurement", "", figures.procurement)
    if figures.procurement.none_this_year:
        ledger.add_missing("procurement.execution_rate", "政府采购执行率", "本年无政府采购，政府采购执行率不适用", not_applicable=True)
    else:
        b.ratio("procurement.execution_rate", "procurement.total", "procurement.budget", "政府采购执行率", ("采购执行率",), zero_not_applicable=True)
    b.ratio("procurement.smes_share", "procurement.smes", "procurement.total", "授予中小企业合同金额占比", ("中小企业",))
    b.vs_last_year("procurement.total", "procurement.total", "last_year.procurement.total", "政府采购支出")


_ASSETS = {
    "total_assets": ("资产总额", ("资产总计", "总资产")),
    "total_liabilities": ("负债总额", ("负债总计", "负债")),
    "fixed_assets_original": ("固定资产账面原值", ("固定资产原值", "固定资产总额", "账面原值")),
    "fixed_assets_in_use": ("在用固定资产", ("在用资产",)),
}


def _asset_block(b: _Builder, ledger: Ledger, prefix: str, year: str, a: Assets) -> None:
    for name in ("total_assets", "total_liabilities"):
        label, aliases = _ASSETS[name]
        b.input(f"{prefix}.{name}", getattr(a, name), WAN, f"{year}{label}", aliases if not year else (label,), f"{prefix}.{name}")
    net = b.difference(f"{prefix}.net_assets", f"{prefix}.total_assets", f"{prefix}.total_liabilities", f"{year}净资产", ("净资产总额",) if not year else ("净资产",))
    if net is not None:
        # 净资产 is a balance, not a change: its text keeps its sign.
        ledger.facts[net.key] = Fact(net.key, net.value, net.unit, net.label, net.aliases, net.formula, net.inputs, "derived", False, net.group)
    elif a.net_assets is not None:
        b.input(f"{prefix}.net_assets", a.net_assets, WAN, f"{year}净资产", ("净资产总额",) if not year else ("净资产",), f"{prefix}.net_assets")
    for name in ("fixed_assets_original", "fixed_assets_in_use"):
        label, aliases = _ASSETS[name]
        b.input(f"{prefix}.{name}", getattr(a, name), WAN, f"{year}{label}", aliases if not year else (label,), f"{prefix}.{name}")


def _assets(figures: Figures, ledger: Ledger, settings: ReportSettings) -> None:
    b = _Builder(ledger, "资产")
    last = figures.last_year.assets if figures.last_year else None
    if last is not None:
        _asset_block(b, ledger, "last_year.assets", "上年", last)
    if figures.assets is None:
        return
    _asset_block(b, ledger, "assets", "", figures.assets)
    b.ratio(
        "assets.fixed_assets_utilization", "assets.fixed_assets_in_use", "assets.fixed_assets_original", "固定资产利用率",
        ("资产使用率", "固定资产使用率", "资产利用率"), zero_not_applicable=True,
    )
    for name in ("total_assets", "net_assets", "fixed_assets_original"):
        if f"assets.{name}" in ledger:
            b.vs_last_year(f"assets.{name}", f"assets.{name}", f"last_year.assets.{name}", ledger[f"assets.{name}"].label)


def _carryover(figures: Figures, ledger: Ledger, settings: ReportSettings) -> None:
    if figures.carryover is None:
        return
    b = _Builder(ledger, "结转结余")
    b.input("carryover.this_year", figures.carryover.this_year, WAN, "本年结转结余", ("结转结余",), "carryover.this_year")
    b.input("carryover.last_year", figures.carryover.last_year, WAN, "上年结转结余", ("上年结转",), "carryover.last_year")
    denominator = "adjusted.expenditure.total" if settings.execution_denominator == "full_year" else "budget.expenditure.total"
    b.ratio("carryover.rate", "carryover.this_year", denominator, "结转结余率", ())
    b.change_rate("carryover.change_rate", "carryover.this_year", "carryover.last_year", "结转结余变动率", ())


_FUND_ROW_LABELS = {part: field_label(ProjectFunds, part) for part in ("total", *FUND_PARTS)}
_FUND_COLUMN_LABELS = {col: field_label(FundRow, col) for col in FUND_COLUMNS}


def _indicator_facts(b: _Builder, prefix: str, field: str, owner: str, indicator: Indicator) -> None:
    unit = indicator.unit or ""
    name = indicator.name
    b.input(f"{prefix}.target", indicator.target, unit, f"{name}年度指标值", (name, "指标值", "目标"), f"{field}.target")
    b.input(f"{prefix}.actual", indicator.actual, unit, f"{name}实际完成值", (name, "完成", "实际完成"), f"{field}.actual")
    if indicator.comparator == Comparator.le:
        _lower_is_better(b, prefix, name)
    elif indicator.comparator != Comparator.qualitative:
        b.ratio(f"{prefix}.completion_rate", f"{prefix}.actual", f"{prefix}.target", f"{name}完成率", ("完成率", name))


def _lower_is_better(b: _Builder, prefix: str, name: str) -> None:
    """A ≤ indicator (cost, time): 完成率 = 目标 ÷ 实际, as the scoring reads it (assistant.scoring.rules),
    so a met target reads ≥ 100% and never as "not met"; plus 节约率 = (目标 − 实际) ÷ 目标."""
    target, actual = f"{prefix}.target", f"{prefix}.actual"
    if target not in b.ledger or actual not in b.ledger:
        return
    t, a = b.ledger[target], b.ledger[actual]
    label = f"{name}完成率"
    inputs = b._inputs_of(target, actual)
    if a.value == 0:
        b.ledger.add_missing(f"{prefix}.completion_rate", label, f"{name}实际完成值为0，未超过年度指标值（越低越好），指标已完成，不计算完成率")
    else:
        b.derived(
            f"{prefix}.completion_rate", t.value / a.value * HUNDRED, "%", label, ("完成率", name),
            f"{t.label} ÷ {a.label} × 100%（越低越好的指标，不低于100%即为完成）", inputs,
        )
    if t.value == 0:
        b.ledger.add_missing(f"{prefix}.saving_rate", f"{name}节约率", f"{t.label}为0，无法计算节约率")
        return
    b.derived(
        f"{prefix}.saving_rate", (t.value - a.value) / t.value * HUNDRED, "%", f"{name}节约率", ("节约率", "节约", name),
        f"（{t.label} − {a.label}）÷ {t.label} × 100%", inputs,
    )


def _projects(figures: Figures, ledger: Ledger, settings: ReportSettings) -> None:
    for i, project in enumerate(figures.projects, start=1):
        b = _Builder(ledger, f"项目：{project.name}")
        base = f"project.{i}"
        for row, row_label in _FUND_ROW_LABELS.items():
            for col, col_label in _FUND_COLUMN_LABELS.items():
                value = getattr(getattr(project.funds, row), col)
                label = f"{project.name}{col_label}" if row == "total" else f"{project.name}{row_label}{col_label}"
                b.input(f"{base}.funds.{row}.{col}", value, WAN, label, (col_label, project.name), f"projects.{i - 1}.funds.{row}.{col}")
        denominator = "full_year" if settings.execution_denominator == "full_year" else "initial"
        b.ratio(f"{base}.execution_rate", f"{base}.funds.total.executed", f"{base}.funds.total.{denominator}", f"{project.name}预算执行率", ("执行率", project.name))
        for j, indicator in enumerate(project.indicators, start=1):
            _indicator_facts(b, f"{base}.indicator.{j}", f"projects.{i - 1}.indicators.{j - 1}", project.name, indicator)
    _key_spending(figures, ledger)


def _key_spending(figures: Figures, ledger: Ledger) -> None:
    """重点支出安排率: executed spending of key projects over total project spending."""
    project_spending = ledger.get("final.expenditure.project")
    basic, total = ledger.get("final.expenditure.basic"), ledger.get("final.expenditure.total")
    # No project listed, and 项目支出 entered as 0 (or 基本支出 equal to 支出合计): nothing to arrange,
    # 不适用; otherwise a blank stays 需补充, since the user can still enter the projects.
    no_project_spending = (project_spending is not None and project_spending.value == 0) or (
        project_spending is None and basic is not None and total is not None and basic.value == total.value
    )
    if not figures.projects and no_project_spending:
        ledger.add_missing("projects.key_spending_rate", "重点支出安排率", "本年无项目支出，重点支出安排率不适用", not_applicable=True)
        return
    keys = [f"project.{i}.funds.total.executed" for i, p in enumerate(figures.projects, start=1) if p.key_project]
    if not keys or any(k not in ledger for k in keys):
        return
    b = _Builder(ledger, "项目")
    b.total("projects.key_spending", keys, "重点项目支出", ("重点项目",))
    b.ratio("projects.key_spending_rate", "projects.key_spending", "final.expenditure.project", "重点支出安排率", (), zero_not_applicable=True)


def _performance(figures: Figures, ledger: Ledger, settings: ReportSettings) -> None:
    b = _Builder(ledger, "绩效指标")
    for j, indicator in enumerate(figures.performance_indicators, start=1):
        _indicator_facts(b, f"indicator.{j}", f"performance_indicators.{j - 1}", "", indicator)


Builder = Callable[[Figures, Ledger, ReportSettings], None]

FACT_BUILDERS: tuple[Builder, ...] = (
    _staffing,
    _budget,
    _final,
    _three_public,
    _procurement,
    _assets,
    _carryover,
    _projects,
    _performance,
)


def build_ledger(figures: Figures, settings: ReportSettings | None = None) -> Ledger:
    """Compute every fact the inputs allow (the calculator alone; the scoring stage,
    `assistant.scoring.build_scored_ledger`, adds the 自评表 score facts on top)."""
    settings = settings or DEFAULT_SETTINGS
    completed, derivations = derive_totals(figures)
    ledger = Ledger()
    ledger.derived_fields.update({path: d.inputs for path, d in derivations.items()})
    for builder in FACT_BUILDERS:
        builder(completed, ledger, settings)
    return ledger


def note_texts(figures: Figures) -> list[str]:
    """Every free text the user typed; figures in these are the user's own and count as sourced."""
    texts: list[str] = []
    texts.extend(figures.duties)
    for area in figures.work_notes:
        texts.append(area.title)
        texts.extend(area.items)
    texts.extend(figures.problems)
    for item in figures.improvements:
        texts.append(item.title)
        if item.detail:
            texts.append(item.detail)
    for text in (figures.other_notes, figures.final.variance_reasons):
        if text:
            texts.append(text)
    texts.extend(figures.final.added_projects)
    for project in figures.projects:
        for text in (project.goal_expected, project.goal_actual):
            if text:
                texts.append(text)
        for indicator in project.indicators:
            for text in (indicator.target_text, indicator.actual_text, indicator.deviation_reason):
                if text:
                    texts.append(text)
    return texts
