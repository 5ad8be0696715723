"""项目支出绩效自评表 (财预〔2020〕10号 layout, DOMAIN §4) with automatic scores.

One `ProjectTable` per project: the four fund rows, the 预算执行率 line (min(执行率, 100%) × 分值,
the rate taken from the ledger so its denominator follows `ReportSettings.execution_denominator`),
one line per indicator, the total rescaled to 100 when indicators are 不适用, and the grade.

Indicator 分值 come from the figures; a tier whose indicators carry no 分值 shares the profile's tier
weight equally. Per-tier sums that differ from the profile are warnings, not errors: published tables
often do this, and the total is rescaled to the applicable weights anyway.

Qualitative indicators: the user picks the band; 达成 without an entered score gets full marks (the
band's upper bound); 部分达成 / 未达成 need an entered score inside the band, else the line is 需补充;
an entered score outside its band is an error on that line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from assistant.ledger.facts import Ledger
from assistant.figures.model import FUND_COLUMNS, Comparator, Figures, FundRow, Indicator, Project, ProjectFunds, QualitativeBand, field_label
from assistant.ledger.numbers import format_value
from assistant.scoring.model import GradedTable, HUNDRED, NEEDS_INPUT, ScoreCell, Totals, check_entered, num, override_notes, quoted, totals
from assistant.scoring.profiles import ProjectProfile, ProjectTierSpec
from assistant.scoring.rules import achievement
from assistant.ledger.settings import DEFAULT_SETTINGS, ReportSettings

FUND_ROWS = ("total", "fiscal", "carryover", "other")
# The official layout prints the parts as "其中：当年财政拨款".
FUND_ROW_LABELS = {
    "total": field_label(ProjectFunds, "total"),
    "fiscal": f"其中：{field_label(ProjectFunds, 'fiscal')}",
    "carryover": field_label(ProjectFunds, "carryover"),
    "other": field_label(ProjectFunds, "other"),
}
FUND_COLUMN_LABELS = {col: field_label(FundRow, col) for col in FUND_COLUMNS}


@dataclass
class FundLine:
    label: str
    initial: Optional[Decimal]
    full_year: Optional[Decimal]
    executed: Optional[Decimal]


@dataclass
class IndicatorLine:
    index: int  # 1-based position in the project's indicator list
    indicator: Indicator
    tier: Optional[str]  # the profile tier it counts in, None when its 一级指标 is not in the profile
    weight_source: str  # "填报" or "按层级平均分配"
    cell: ScoreCell

    @property
    def name(self) -> str:
        return self.indicator.name

    def target_text(self) -> str:
        ind = self.indicator
        if ind.target_text:
            return ind.target_text
        if ind.target is None:
            return NEEDS_INPUT if ind.applicable and ind.comparator != Comparator.qualitative else ""
        sign = "" if ind.comparator == Comparator.eq else ind.comparator.value
        return f"{sign}{num(ind.target)}{ind.unit or ''}"

    def actual_text(self) -> str:
        ind = self.indicator
        text = ind.actual_text or (f"{num(ind.actual)}{ind.unit or ''}" if ind.actual is not None else "")
        if ind.comparator == Comparator.qualitative and ind.band is not None:
            text = f"{text}（{ind.band.value}）" if text else ind.band.value
        return text or (NEEDS_INPUT if ind.applicable else "")


@dataclass
class ProjectTable(GradedTable):
    index: int  # 1-based, as in the ledger keys project.{i}.…
    project: Project
    profile: ProjectProfile
    funds: list[FundLine]
    execution_rate: Optional[Decimal]
    execution: ScoreCell
    indicators: list[IndicatorLine]
    totals: Totals
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.project.name

    def execution_rate_text(self) -> str:
        return format_value(self.execution_rate, "%") if self.execution_rate is not None else NEEDS_INPUT

    def to_dict(self) -> dict:
        return {
            "index": self.index,
            "name": self.name,
            "department": self.project.department,
            "implementer": self.project.implementer,
            "funds": [
                {"row": f.label, **{col: (None if getattr(f, col) is None else str(getattr(f, col))) for col in FUND_COLUMNS}}
                for f in self.funds
            ],
            "execution_rate": None if self.execution_rate is None else str(self.execution_rate),
            "execution": self.execution.to_dict(),
            "indicators": [
                {
                    "level1": line.indicator.level1,
                    "level2": line.indicator.level2,
                    "name": line.name,
                    "target": line.target_text(),
                    "actual": line.actual_text(),
                    "tier": line.tier,
                    "weight_source": line.weight_source,
                    **line.cell.to_dict(),
                }
                for line in self.indicators
            ],
            **self.summary_dict(),
        }


def _execution_cell(project: Project, index: int, ledger: Ledger, profile: ProjectProfile, settings: ReportSettings) -> tuple[Optional[Decimal], ScoreCell]:
    weight = profile.execution_weight
    cell = ScoreCell(weight, entered=project.execution_score_override)
    key = f"project.{index}.execution_rate"
    fact = ledger.get(key)
    rate = fact.value if fact is not None else None
    if rate is not None:
        cell.computed = min(rate, HUNDRED) / HUNDRED * weight
    elif key in ledger.missing:
        cell.missing = ledger.missing[key].reason
    else:
        denominator = "full_year" if settings.execution_denominator == "full_year" else "initial"
        absent = [FUND_COLUMN_LABELS[c] for c in ("executed", denominator) if f"project.{index}.funds.total.{c}" not in ledger]
        cell.missing = f"未填写年度资金总额的{'、'.join(absent)}"
    cell.error = check_entered(cell.entered, Decimal(0), weight, "预算执行率")
    return rate, cell


def _weights(project: Project, profile: ProjectProfile) -> tuple[dict[int, Decimal], dict[int, str], list[str]]:
    """分值 per indicator (position → weight), where each came from, and per-tier warnings."""
    weights: dict[int, Decimal] = {}
    sources: dict[int, str] = {}
    warnings: list[str] = []
    by_tier: dict[str, list[int]] = {tier.name: [] for tier in profile.tiers}
    for j, ind in enumerate(project.indicators):
        tier = profile.tier_for(ind.level1)
        if tier is not None:
            by_tier[tier.name].append(j)
        elif ind.weight is None:
            continue
        if ind.weight is not None:
            weights[j], sources[j] = ind.weight, "填报"
    for tier in profile.tiers:
        members = by_tier[tier.name]
        if not members:
            if project.indicators:
                warnings.append(f"项目{quoted(project.name)}没有{tier.name}（评分方案中该层级{num(tier.weight)}分）。")
            continue
        unweighted = [j for j in members if j not in weights]
        given = sum((weights[j] for j in members if j in weights), Decimal(0))
        if unweighted:
            remaining = tier.weight - given
            if remaining > 0:
                share = remaining / len(unweighted)
                for j in unweighted:
                    weights[j], sources[j] = share, "按层级平均分配"
                warnings.append(
                    f"项目{quoted(project.name)}{tier.name}中{len(unweighted)}项指标未填写分值，"
                    f"按剩余分值{num(remaining)}分平均分配（每项{num(share)}分）。"
                )
            else:
                warnings.append(
                    f"项目{quoted(project.name)}{tier.name}已填分值合计{num(given)}分，已达层级分值{num(tier.weight)}分，"
                    f"另有{len(unweighted)}项指标未填写分值。"
                )
            continue
        if given != tier.weight:
            warnings.append(
                f"项目{quoted(project.name)}{tier.name}各三级指标分值合计{num(given)}分，与评分方案的{num(tier.weight)}分不一致。"
            )
    for ind in project.indicators:
        if profile.tier_for(ind.level1) is None:
            tiers = "、".join(name for t in profile.tiers for name in t.level1[:1])
            warnings.append(f"项目{quoted(project.name)}指标{quoted(ind.name)}的一级指标{quoted(ind.level1)}不在评分方案的层级中（{tiers}）。")
    return weights, sources, warnings


def _band_range(profile: ProjectProfile, band: QualitativeBand, weight: Decimal) -> tuple[Decimal, Decimal]:
    low, high = profile.qualitative_bands[band]
    return low * weight / HUNDRED, high * weight / HUNDRED


def score_indicator(ind: Indicator, weight: Optional[Decimal], profile: ProjectProfile) -> ScoreCell:
    """One indicator's ScoreCell: computed share of 分值, the entered score and its validity."""
    cell = ScoreCell(weight, entered=ind.score_override, applicable=ind.applicable)
    what = f"指标{quoted(ind.name)}"
    if not ind.applicable:
        return cell
    if weight is None:
        cell.missing = "未填写分值"
        return cell
    if ind.comparator == Comparator.qualitative:
        if ind.band is None:
            cell.missing = "定性指标未选择评价档次（达成/部分达成/未达成）"
            cell.error = check_entered(cell.entered, Decimal(0), weight, what)
            return cell
        low, high = _band_range(profile, ind.band, weight)
        if ind.band == QualitativeBand.achieved:
            cell.computed = high
        else:
            cell.missing = f"评为{ind.band.value}，请在{num(low)}–{num(high)}分之间填报得分"
        if cell.entered is not None and not low <= cell.entered <= high:
            pct_low, pct_high = profile.qualitative_bands[ind.band]
            cell.error = (
                f"定性{what}评为{quoted(ind.band.value)}，得分应在{num(low)}–{num(high)}分之间"
                f"（分值{num(weight)}分的{num(pct_low)}%–{num(pct_high)}%），填报的是{num(cell.entered)}分。"
            )
        return cell
    if ind.target is None or ind.actual is None:
        absent = [label for label, v in (("年度指标值", ind.target), ("实际完成值", ind.actual)) if v is None]
        cell.missing = f"缺少{'、'.join(absent)}"
    else:
        cell.computed = achievement(ind.comparator, ind.target, ind.actual) * weight
    cell.error = check_entered(cell.entered, Decimal(0), weight, what)
    return cell


def build_project_table(
    figures: Figures,
    index: int,
    ledger: Ledger,
    profile: ProjectProfile,
    settings: ReportSettings | None = None,
) -> ProjectTable:
    """The table of figures.projects[index − 1], scored from `ledger` (a calculator ledger)."""
    settings = settings or DEFAULT_SETTINGS
    project = figures.projects[index - 1]
    funds = [
        FundLine(FUND_ROW_LABELS[row], *(getattr(getattr(project.funds, row), col) for col in FUND_COLUMNS))
        for row in FUND_ROWS
    ]
    rate, execution = _execution_cell(project, index, ledger, profile, settings)
    weights, sources, warnings = _weights(project, profile)
    lines = []
    for j, ind in enumerate(project.indicators):
        tier: Optional[ProjectTierSpec] = profile.tier_for(ind.level1)
        cell = score_indicator(ind, weights.get(j), profile)
        lines.append(IndicatorLine(j + 1, ind, tier.name if tier else None, sources.get(j, "未填写"), cell))
    scored = [("预算执行率", execution)] + [(f"指标{quoted(line.name)}", line.cell) for line in lines]
    if not project.indicators:
        # Without indicators the table is not a self-evaluation yet: keep the total open.
        scored.append(("绩效指标", ScoreCell(None, missing="未填写绩效指标")))
    result = totals(scored, profile.total)
    warnings.extend(override_notes([(f"项目{quoted(project.name)}{name}", cell) for name, cell in scored]))
    errors = [cell.error for _, cell in scored if cell.error]
    for line in lines:
        if not line.indicator.applicable and line.indicator.score_override is not None:
            warnings.append(f"指标{quoted(line.name)}标为不适用，其填报得分不计入总分。")
    return ProjectTable(index, project, profile, funds, rate, execution, lines, result, warnings, errors)


def build_project_tables(
    figures: Figures, ledger: Ledger, profile: ProjectProfile, settings: ReportSettings | None = None
) -> list[ProjectTable]:
    return [build_project_table(figures, i, ledger, profile, settings) for i in range(1, len(figures.projects) + 1)]
