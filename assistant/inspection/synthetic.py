"""Generated 自评报告 texts for the 体检 tests and benchmark: consistent ones, and ones with one planted
error of a kind seen in published reports (DOMAIN §6, issue 13):

  shares_sum     two shares that do not add to 100% (84.06% + 19.62%)
  parts_total    parts that miss their stated total by a few hundredths (in a sentence or a 合计 row)
  difference     a difference off by 0.01, its rate computed from the wrong difference
  truncated      a share cut off instead of rounded (18.75% for 18.756…)
  weights        自评表 first-level weights that do not add to 100
  zero_total     a 年度资金总额 row of zeros beside a non-zero 当年财政拨款 row

Every figure is computed here with Decimal from random amounts; the phrasing, the table layout
(“|” rows, one cell per line, cells between blank lines) and the noise (dates, document numbers,
phone numbers, list markers, targets such as ≥95%) vary with the seed. `Synthetic.line` is the line
of the planted error and `rules` the rules that may report it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

KINDS = ("shares_sum", "parts_total", "difference", "truncated", "weights", "zero_total")
KIND_ZH = {
    "shares_sum": "占比之和不为100%",
    "parts_total": "分项与总额差几分",
    "difference": "增减额差0.01（增减率随之算错）",
    "truncated": "占比截位而非四舍五入",
    "weights": "自评表分值之和不为100",
    "zero_total": "合计行为0而分项不为0",
}
RULES_FOR = {
    "shares_sum": {"share", "shares_sum"},
    "parts_total": {"parts_sum", "part_exceeds", "table_total"},
    "difference": {"difference", "change_rate"},
    "truncated": {"share"},
    "weights": {"weights_sum"},
    "zero_total": {"zero_total", "table_total"},
}
C = Decimal("0.01")
UNITS = ("县妇女联合会", "县科学技术协会", "乡人民政府", "县档案馆", "县司法局", "县水利局", "县统计局", "区文化馆")
PLACES = ("衡山", "昌宁", "荷塘", "青神", "大英", "中江", "武定", "茂名")


@dataclass(frozen=True)
class Synthetic:
    text: str
    kind: str | None  # None: consistent
    line: int  # line of the planted error (0 for consistent reports)

    @property
    def rules(self) -> set[str]:
        return RULES_FOR.get(self.kind or "", set())


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    return (part / whole * 100).quantize(C, rounding=ROUND_HALF_UP)


def _f(value: Decimal) -> str:
    return format(value, "f")


def generate(seed: int, kind: str | None = None) -> Synthetic:
    rng = random.Random(seed)
    lines: list[str] = []
    mark: list[int] = []

    def add(text: str, planted: bool = False) -> None:
        for piece in text.split("\n"):
            lines.append(piece)
        if planted:
            mark.append(len(lines) - text.count("\n"))

    year = rng.randint(2019, 2025)
    unit = rng.choice(PLACES) + rng.choice(UNITS)
    add(f"{unit}{year}年度部门整体支出绩效自评报告")
    add(f"根据《关于开展{year}年度部门整体支出绩效自评工作的通知》（{rng.choice(PLACES)}财绩〔{year + 1}〕{rng.randint(2, 180)}号）要求，现将自评情况报告如下：")
    add("一、部门基本情况")
    retired = rng.randint(0, 9)
    serving = rng.randint(3, 80)
    authorized = serving + rng.randint(-2, 6)
    add(f"（一）人员情况。本部门共有编制人数{authorized}人，实有人数{serving + retired}人。其中：在职人员{serving}人，退休{retired}人。")

    # Budget and spending.
    initial = _money(rng, 30, 3000)
    added = _money(rng, 0, 800)
    full_year = initial + added
    while True:
        basic = _money(rng, 10, 1500)
        project = _money(rng, 0, 1500)
        spent = basic + project
        if Decimal(0) < spent <= full_year:
            if kind != "truncated":
                break
            exact = basic / spent * 100
            if exact.quantize(C, rounding=ROUND_DOWN) != exact.quantize(C, rounding=ROUND_HALF_UP):
                break
        else:
            full_year = spent + _money(rng, 0, 50)
            initial = full_year - added if full_year - added > 0 else full_year
            added = full_year - initial
    add("二、一般公共预算支出情况")
    income_form = rng.choice((
        "{y}年预算收入{t}万元，其中年初预算{a}万元，调整追加{b}万元。",
        "{y}年度全年预算数为{t}万元，其中：年初预算{a}万元，年中追加预算{b}万元。",
    ))
    add(income_form.format(y=year, t=_f(full_year), a=_f(initial), b=_f(added)))

    share_basic = _pct(basic, spent)
    share_project = _pct(project, spent)
    planted_share = kind in ("shares_sum", "truncated")
    if kind == "truncated":
        share_basic = (basic / spent * 100).quantize(C, rounding=ROUND_DOWN)
    if kind == "shares_sum":
        share_project = share_project + Decimal(rng.randint(50, 600)) / 100
    spend_form = rng.choice((
        "{y}年支出{e}万元，其中基本支出{b}万元，占总支出的{pb}%；项目支出{p}万元，占总支出的{pp}%。",
        "本年度支出合计{e}万元。其中：基本支出{b}万元，占比{pb}%，项目支出{p}万元，占比{pp}%。",
        "全年总支出{e}万元，其中基本支出{b}万元、占{pb}%，项目支出{p}万元、占{pp}%。",
    ))
    add(spend_form.format(y=year, e=_f(spent), b=_f(basic), p=_f(project), pb=_f(share_basic), pp=_f(share_project)), planted=planted_share)

    # 三公 parts.
    reception, vehicle, overseas = _money(rng, 0, 20), _money(rng, 0, 30), _money(rng, 0, 10)
    three = reception + vehicle + overseas
    if kind == "parts_total":
        slip = Decimal(rng.choice((-1, 1)) * rng.randint(1, 9)) / 100
        if three + slip < 0:
            slip = -slip
        three = three + slip
    three_form = rng.choice((
        "“三公”经费支出{s}万元，其中公务接待费{r}万元，公务用车运行维护费{v}万元，因公出国（境）费{o}万元。",
        "（二）“三公”经费。全年“三公”经费支出{s}万元，其中：公务接待费{r}万元、公务用车运行维护费{v}万元、因公出国（境）费{o}万元。",
    ))
    if rng.random() < 0.5:
        add(three_form.format(s=_f(three), r=_f(reception), v=_f(vehicle), o=_f(overseas)), planted=kind == "parts_total")
    else:
        # The same figures as a table (budget and actual), as a .docx or Markdown table reads.
        budget = [reception + _money(rng, 0, 5), vehicle + _money(rng, 0, 5), overseas + _money(rng, 0, 5)]
        add("（二）“三公”经费支出情况见下表（单位：万元）。")
        markdown = rng.random() < 0.5
        rows = [("项目", "预算数", "决算数")]
        rows += [(name, _f(b), _f(a)) for name, b, a in zip(("公务接待费", "公务用车运行维护费", "因公出国（境）费"), budget, (reception, vehicle, overseas))]
        for i, row in enumerate(rows):
            add(("| " + " | ".join(row) + " |") if markdown else " | ".join(row))
            if markdown and i == 0:
                add("|---|---|---|")
        total_row = ("合计", _f(sum(budget, Decimal(0))), _f(three))
        add(("| " + " | ".join(total_row) + " |") if markdown else " | ".join(total_row), planted=kind == "parts_total")

    # Change against the initial budget.
    change = spent - initial
    word, rate_word = ("增加", "增长") if change >= 0 else ("减少", "下降")
    shown_change = abs(change)
    if kind == "difference":
        shown_change = shown_change + (C if rng.random() < 0.5 or shown_change < C * 2 else -C)
    rate = (shown_change / initial * 100).quantize(C, rounding=ROUND_HALF_UP)
    diff_form = rng.choice((
        "决算支出{e}万元，较年初预算{a}万元{w}{d}万元，{rw}{r}%。",
        "全年支出{e}万元，比年初预算{a}万元{w}{d}万元，{rw}{r}%，主要原因是年中追加了项目经费。",
    ))
    add(diff_form.format(e=_f(spent), a=_f(initial), w=word, d=_f(shown_change), rw=rate_word, r=_f(rate)), planted=kind == "difference")

    execution = _pct(spent, full_year)
    add(rng.choice((
        "（三）预算执行情况。全年预算数{t}万元，全年执行数{e}万元，预算执行率{x}%。",
        "全年预算数为{t}万元，实际支出{e}万元，预算执行率为{x}%。",
    )).format(t=_f(full_year), e=_f(spent), x=_f(execution)))
    add(f"（四）其他情况。满意度目标值≥95%，联系电话0{rng.randint(730, 879)}-{rng.randint(1000000, 9999999)}，报告日期{year + 1}年3月{rng.randint(1, 28)}日。")

    # 自评表: fund table and weights.
    add("附件：部门整体支出绩效自评表")
    fiscal_rows = (full_year, full_year, spent)
    fiscal_initial = initial
    rows = [
        ("年度资金总额", (fiscal_initial, full_year, spent)),
        ("其中：当年财政拨款", (fiscal_initial, full_year, spent)),
        ("上年结转资金", (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))),
        ("其他资金", (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))),
    ]
    del fiscal_rows
    if kind == "zero_total":
        rows[0] = ("年度资金总额", (Decimal("0.00"), Decimal("0.00"), Decimal("0.00")))
    weights = {"预算执行率": 10, "产出指标": 50, "效益指标": 30, "满意度指标": 10}
    if rng.random() < 0.5:
        weights = {"预算执行率": 10, "产出指标": 40, "效益指标": 40, "满意度指标": 10}
    if kind == "weights":
        name = rng.choice(("产出指标", "效益指标", "满意度指标"))
        weights[name] += rng.choice((-10, -5, 5, 10, 20))
    score = (min(execution, Decimal(100)) / 100 * weights["预算执行率"]).quantize(C, rounding=ROUND_HALF_UP)
    header = ["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    layout = rng.choice(("pipes", "cells", "blank"))
    start_line = len(lines) + 1

    def table_row(label: str, cells: list[str]) -> None:
        if layout == "pipes":
            add(" | ".join([label, *cells]))
        elif layout == "cells":
            for cell in (label, *cells):
                add(f"{cell} |")
        else:
            for cell in (label, *cells):
                add(cell)
                add("")

    table_row(header[0], header[1:])
    total_line = len(lines) + 1
    for index, (label, values) in enumerate(rows):
        cells = [_f(v) for v in values]
        if index == 0:
            rate_text = f"{_f(_pct(values[2], values[1]))}%" if values[1] else "0.00%"
            cells += [str(weights["预算执行率"]), rate_text, _f(score)]
        else:
            rate_text = f"{_f(_pct(values[2], values[1]))}%" if values[1] else "0.00%"
            cells += ["/", rate_text, "/"] if layout != "blank" else ["-", rate_text, "-"]
        table_row(label, cells)
    if kind == "zero_total":
        mark.append(total_line)
    del start_line
    weights_line = len(lines) + 1
    heading = rng.choice(("pipes", "inline"))
    names = ["产出指标", "效益指标", "满意度指标"]
    if heading == "pipes":
        for name in names:
            add(f"{name}({weights[name]}分) | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分")
    else:
        add("；".join(f"{name}（{weights[name]}分）" for name in names) + "。")
    if kind == "weights":
        mark.append(weights_line)
    add("总分 | 100 | " + _f((score + sum(Decimal(weights[n]) for n in names)).quantize(C)))
    add(f"{unit}")
    add(f"{year + 1}年4月{rng.randint(1, 28)}日")
    return Synthetic("\n".join(lines) + "\n", kind, mark[0] if mark else 0)


def corpus(count: int, seed: int = 20261201) -> list[Synthetic]:
    """`count` reports: a third consistent, the rest cycling through the planted kinds."""
    out = []
    for i in range(count):
        kind = None if i % 3 == 0 else KINDS[(i // 3 * 2 + i % 3 - 1) % len(KINDS)]
        out.append(generate(seed + i, kind))
    return out
