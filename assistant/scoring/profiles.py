"""Scoring profiles as data: the weights and scoring rules of both self-evaluation tables.

A project profile (`kind: project`) sets the 预算执行率 weight, the tiers of indicators (产出/效益/
满意度, or Sichuan's single 绩效指标 tier) with their weights, the qualitative bands and the grades.
A department profile (`kind: department`) lists tiers (投入/过程/产出/效果) of indicators, each with
the ledger key its value comes from, a weight and a scoring rule. Shipped profiles live in
assistant/data/profiles/; a locality copies one and passes its own file.

Every profile is validated on load; all problems are reported at once as Chinese messages in a
`ProfileError` (weights not adding up, unknown ledger keys, overlapping or gapped bands …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.figures.model import QualitativeBand, label_for_path
from assistant.figures.yaml_io import FiguresError, decode_bytes, parse_yaml_text
from assistant.scoring.keys import is_known_key
from assistant.scoring.model import GradeScale, num, quoted

PROFILE_DIR = Path(__file__).resolve().parent.parent / "data" / "profiles"
DEFAULT_PROJECT_PROFILE = "project_default"
DEFAULT_DEPARTMENT_PROFILE = "department_default"


class ProfileError(Exception):
    """A profile that cannot be used; `messages` are Chinese, one per problem."""

    def __init__(self, messages: list[str], source: str = ""):
        self.source = source
        prefix = f"评分方案{quoted(source)}有误：" if source else "评分方案有误："
        super().__init__(prefix + "；".join(messages))
        self.messages = messages


# --- intervals for banded rules ------------------------------------------------------------------

_INTERVAL = re.compile(r"^\s*([\[(])\s*([^,]+?)\s*,\s*([^,]+?)\s*([\])])\s*$")
_NEG_INF = {"-∞", "−∞", "-inf", "−inf", "-infinity"}
_POS_INF = {"+∞", "∞", "inf", "+inf", "infinity", "+infinity"}


@dataclass(frozen=True)
class Interval:
    """A range of indicator values; `None` bounds are infinite (always open)."""

    low: Optional[Decimal]
    high: Optional[Decimal]
    low_closed: bool
    high_closed: bool
    text: str

    def contains(self, value: Decimal) -> bool:
        if self.low is not None and (value < self.low or (value == self.low and not self.low_closed)):
            return False
        if self.high is not None and (value > self.high or (value == self.high and not self.high_closed)):
            return False
        return True

    def below(self, other: "Interval") -> bool:
        """Every value of self is less than every value of other."""
        if self.high is None or other.low is None:
            return False
        return self.high < other.low or (self.high == other.low and not (self.high_closed and other.low_closed))

    def overlaps(self, other: "Interval") -> bool:
        return not (self.below(other) or other.below(self))

    def describe(self, unit: str) -> str:
        if self.low is not None and self.low == self.high:
            return f"x={num(self.low)}{unit}"
        parts = []
        if self.low is not None:
            parts.append(f"{num(self.low)}{unit}{'≤' if self.low_closed else '<'}")
        parts.append("x")
        if self.high is not None:
            parts.append(f"{'≤' if self.high_closed else '<'}{num(self.high)}{unit}")
        text = "".join(parts)
        # "90%≤x" reads better as "x≥90%".
        if self.high is None and self.low is not None:
            text = f"x{'≥' if self.low_closed else '>'}{num(self.low)}{unit}"
        return text


def parse_interval(text: str) -> Interval:
    """"(10, 20]", "[90, +∞)", "[0, 0]"; full-width brackets and commas are accepted."""
    raw = str(text)
    normalized = raw.translate(str.maketrans("（）［］，", "()[],"))
    match = _INTERVAL.match(normalized)
    if not match:
        raise ValueError(f"区间{quoted(raw)}写法不对，应写成如 \"(10, 20]\"、\"[90, +∞)\" 的形式")
    opening, low_text, high_text, closing = match.groups()
    low = _bound(low_text, raw, upper=False)
    high = _bound(high_text, raw, upper=True)
    low_closed, high_closed = opening == "[", closing == "]"
    if (low is None and low_closed) or (high is None and high_closed):
        raise ValueError(f"区间{quoted(raw)}的无穷端应使用圆括号")
    if low is not None and high is not None:
        if low > high:
            raise ValueError(f"区间{quoted(raw)}的下限大于上限")
        if low == high and not (low_closed and high_closed):
            raise ValueError(f"区间{quoted(raw)}为空")
    return Interval(low, high, low_closed, high_closed, raw)


def _bound(text: str, raw: str, upper: bool) -> Optional[Decimal]:
    t = text.strip().lower().replace("%", "")
    if t in _NEG_INF:
        if upper:
            raise ValueError(f"区间{quoted(raw)}的上限不能是负无穷")
        return None
    if t in _POS_INF:
        if not upper:
            raise ValueError(f"区间{quoted(raw)}的下限不能是正无穷")
        return None
    try:
        return Decimal(t)
    except ArithmeticError:
        raise ValueError(f"区间{quoted(raw)}中的{quoted(text)}不是数字") from None


# --- the profile files ---------------------------------------------------------------------------


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class GradeSpec(_Spec):
    grade: str = Field(title="等级")
    min: Decimal = Field(title="最低分")


class BandSpec(_Spec):
    range: str = Field(title="区间")
    score: Decimal = Field(title="得分")


RuleKind = Literal["at_most", "at_least", "bands", "proportional", "entered"]


class RuleSpec(_Spec):
    kind: RuleKind = Field(title="评分方式")
    threshold: Optional[Decimal] = Field(None, title="达标值")
    per: Decimal = Field(Decimal(1), title="每档百分点")
    deduct: Optional[Decimal] = Field(None, title="每档扣分")
    deduct_share: Optional[Decimal] = Field(None, title="每档扣分（占分值比例）")
    direction: Optional[Literal["≥", "≤"]] = Field(None, title="指标方向")
    target: Optional[Decimal] = Field(None, title="目标值")
    bands: list[BandSpec] = Field(default_factory=list, title="评分区间")
    otherwise: Optional[Decimal] = Field(None, title="其余情形得分")
    absolute: bool = Field(False, title="按绝对值评分")


class DepartmentIndicatorSpec(_Spec):
    id: str = Field(title="指标代码")
    name: str = Field(title="三级指标")
    level2: str = Field("", title="二级指标")
    source: Optional[str] = Field(None, title="台账键")
    weight: Decimal = Field(title="分值")
    rule: RuleSpec = Field(title="评分规则")
    note: Optional[str] = Field(None, title="说明")


class DepartmentTierSpec(_Spec):
    name: str = Field(title="一级指标")
    weight: Optional[Decimal] = Field(None, title="分值")
    indicators: list[DepartmentIndicatorSpec] = Field(title="指标")


class DepartmentProfile(_Spec):
    kind: Literal["department"] = Field(title="方案类型")
    name: str = Field(title="方案名称")
    total: Decimal = Field(Decimal(100), title="满分")
    grades: list[GradeSpec] = Field(title="等级")
    tiers: list[DepartmentTierSpec] = Field(title="一级指标")
    # How the 分值 of indicators that do not apply is made up: "total" rescales the total to the full
    # marks (得分合计 × 满分 ÷ 适用分值合计); "tier" shares it among the same tier's other indicators.
    not_applicable: Literal["total", "tier"] = Field("total", title="不适用指标的分值处理")

    @property
    def grade_scale(self) -> GradeScale:
        return GradeScale(tuple((g.grade, g.min) for g in self.grades))

    def indicators(self) -> list[tuple[DepartmentTierSpec, DepartmentIndicatorSpec]]:
        return [(tier, ind) for tier in self.tiers for ind in tier.indicators]


class ProjectTierSpec(_Spec):
    name: str = Field(title="层级")
    weight: Decimal = Field(title="分值")
    level1: list[str] = Field(title="包含的一级指标")


class ProjectProfile(_Spec):
    kind: Literal["project"] = Field(title="方案类型")
    name: str = Field(title="方案名称")
    total: Decimal = Field(Decimal(100), title="满分")
    execution_weight: Decimal = Field(title="预算执行率分值")
    tiers: list[ProjectTierSpec] = Field(title="指标层级")
    qualitative_bands: dict[QualitativeBand, tuple[Decimal, Decimal]] = Field(title="定性指标档次（占分值百分比）")
    grades: list[GradeSpec] = Field(title="等级")

    @property
    def grade_scale(self) -> GradeScale:
        return GradeScale(tuple((g.grade, g.min) for g in self.grades))

    def tier_for(self, level1: str) -> Optional[ProjectTierSpec]:
        key = level1.strip()
        for tier in self.tiers:
            if key in (name.strip() for name in tier.level1):
                return tier
        return None


Profile = Union[DepartmentProfile, ProjectProfile]

# --- validation ------------------------------------------------------------------------------------

_REASONS = {
    "missing": "必填项缺失",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "string_type": "应为文字",
    "list_type": "应为列表",
    "model_type": "应为一组字段",
    "dict_type": "应为一组字段",
    "tuple_type": "应为两个数字组成的列表，如 [80, 100]",
    "too_short": "应为两个数字，如 [80, 100]",
    "too_long": "应为两个数字，如 [80, 100]",
    "bool_type": "应为“是/否”（true/false）",
    "bool_parsing": "应为“是/否”（true/false）",
    "literal_error": "取值不在可选范围内",
    "enum": "取值不在可选范围内",
    "extra_forbidden": "不是可识别的字段（请检查拼写）",
}


def _describe(exc: ValidationError, root: type[BaseModel]) -> list[str]:
    messages = []
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        label = label_for_path(loc, root=root) or "文件"
        reason = _REASONS.get(err.get("type", ""), err.get("msg", "取值无效"))
        given = err.get("input")
        shown = "" if err.get("type") == "missing" or isinstance(given, (dict, list)) else f"（填写的是：{given!r}）"
        if err.get("type") == "literal_error":
            shown += f"（可选：{err.get('ctx', {}).get('expected', '')}）"
        messages.append(f"字段{quoted(label)}{reason}{shown}。")
    return messages


def _check_grades(grades: list[GradeSpec]) -> list[str]:
    problems = []
    if not grades:
        return ["至少需要一个等级。"]
    names = [g.grade for g in grades]
    if len(set(names)) != len(names):
        problems.append(f"等级名称重复：{'、'.join(names)}。")
    mins = [g.min for g in grades]
    if any(a <= b for a, b in zip(mins, mins[1:])):
        problems.append(f"等级应按最低分从高到低排列且不重复（现为{'、'.join(f'{g.grade}{num(g.min)}' for g in grades)}）。")
    if mins[-1] > 0:
        problems.append(f"最低一档等级{quoted(grades[-1].grade)}的最低分应为0，否则低分没有等级。")
    return problems


def _check_rule(ind: DepartmentIndicatorSpec) -> list[str]:
    rule, w, name = ind.rule, ind.weight, f"指标{quoted(ind.name)}"
    problems: list[str] = []
    if rule.kind in ("at_most", "at_least"):
        if rule.threshold is None:
            problems.append(f"{name}的评分规则缺少达标值（threshold）。")
        if (rule.deduct is None) == (rule.deduct_share is None):
            problems.append(f"{name}的评分规则应填写且只填写一个：每档扣分（deduct）或每档扣分占分值比例（deduct_share）。")
        if rule.per <= 0:
            problems.append(f"{name}的每档百分点（per）应大于0。")
        for value, label in ((rule.deduct, "每档扣分"), (rule.deduct_share, "每档扣分比例")):
            if value is not None and value <= 0:
                problems.append(f"{name}的{label}应大于0。")
    elif rule.kind == "proportional":
        if rule.direction is None:
            problems.append(f"{name}的评分规则缺少指标方向（direction：≥ 或 ≤）。")
        if rule.target is None or rule.target <= 0:
            problems.append(f"{name}的评分规则缺少大于0的目标值（target）。")
    elif rule.kind == "bands":
        problems.extend(_check_bands(ind))
    if rule.kind != "bands" and (rule.bands or rule.otherwise is not None):
        problems.append(f"{name}的评分方式不是 bands，不应填写评分区间。")
    if rule.kind == "entered":
        if ind.source:
            problems.append(f"{name}由评价人填报得分（entered），不应指定台账键。")
    elif not ind.source:
        problems.append(f"{name}缺少台账键（source），无法取得指标值。")
    return problems


def _check_bands(ind: DepartmentIndicatorSpec) -> list[str]:
    rule, w, name = ind.rule, ind.weight, f"指标{quoted(ind.name)}"
    problems: list[str] = []
    if not rule.bands:
        return [f"{name}的评分方式为 bands，但没有评分区间。"]
    intervals: list[Interval] = []
    for band in rule.bands:
        try:
            intervals.append(parse_interval(band.range))
        except ValueError as exc:
            problems.append(f"{name}：{exc}。")
        if not 0 <= band.score <= w:
            problems.append(f"{name}的区间{quoted(band.range)}得分{num(band.score)}分超出0–{num(w)}分。")
    if rule.otherwise is not None and not 0 <= rule.otherwise <= w:
        problems.append(f"{name}的其余情形得分{num(rule.otherwise)}分超出0–{num(w)}分。")
    for i, a in enumerate(intervals):
        for b in intervals[i + 1 :]:
            if a.overlaps(b):
                problems.append(f"{name}的评分区间{quoted(a.text)}与{quoted(b.text)}重叠：同一个值只能落在一个区间。")
    if rule.otherwise is None and len(intervals) == len(rule.bands) and not problems:
        gap = _first_gap(intervals, rule.absolute)
        if gap:
            problems.append(f"{name}的评分区间未覆盖{gap}，请补充区间或填写其余情形得分（otherwise）。")
    return problems


def _first_gap(intervals: list[Interval], absolute: bool) -> Optional[str]:
    """Where non-overlapping intervals leave values unscored (domain: all numbers, or ≥0 with absolute)."""
    ordered = sorted(intervals, key=lambda iv: (iv.low is not None, iv.low or Decimal(0), not iv.low_closed))
    first = ordered[0]
    if absolute:
        zero = Decimal(0)
        if first.low is not None and (first.low > zero or (first.low == zero and not first.low_closed)):
            return f"0至{num(first.low)}之间的值"
    elif first.low is not None:
        return f"小于{num(first.low)}的值"
    for a, b in zip(ordered, ordered[1:]):
        if a.high is None:
            break
        if a.high != b.low or (not a.high_closed and not b.low_closed):
            return f"{quoted(a.text)}与{quoted(b.text)}之间的值"
    last = ordered[-1]
    if last.high is not None:
        return f"大于{num(last.high)}的值"
    return None


def _validate_department(p: DepartmentProfile) -> list[str]:
    problems = _check_grades(p.grades)
    if not p.tiers:
        problems.append("没有任何一级指标。")
    seen: set[str] = set()
    total = Decimal(0)
    for tier in p.tiers:
        if not tier.indicators:
            problems.append(f"一级指标{quoted(tier.name)}下没有指标。")
        tier_sum = sum((ind.weight for ind in tier.indicators), Decimal(0))
        total += tier_sum
        if tier.weight is not None and tier.weight != tier_sum:
            problems.append(f"一级指标{quoted(tier.name)}分值{num(tier.weight)}分，但其下各指标分值合计{num(tier_sum)}分。")
        for ind in tier.indicators:
            for key in (ind.id, ind.name):
                if key in seen:
                    problems.append(f"指标代码或名称{quoted(key)}重复。")
                seen.add(key)
            if ind.weight <= 0:
                problems.append(f"指标{quoted(ind.name)}的分值应大于0。")
            if ind.source and not is_known_key(ind.source):
                problems.append(f"指标{quoted(ind.name)}的台账键{quoted(ind.source)}不存在：计算器不会产生这个键（可用 `python -m assistant compute` 查看台账键）。")
            problems.extend(_check_rule(ind))
    if total != p.total:
        problems.append(f"各指标分值合计{num(total)}分，应为{num(p.total)}分。")
    return problems


def _validate_project(p: ProjectProfile) -> list[str]:
    problems = _check_grades(p.grades)
    total = p.execution_weight + sum((t.weight for t in p.tiers), Decimal(0))
    if total != p.total:
        tiers = " + ".join(f"{t.name}{num(t.weight)}" for t in p.tiers)
        problems.append(f"预算执行率{num(p.execution_weight)} + {tiers} = {num(total)}分，应为{num(p.total)}分。")
    if p.execution_weight < 0 or any(t.weight <= 0 for t in p.tiers):
        problems.append("各层级分值应大于0，预算执行率分值不能为负。")
    names: dict[str, str] = {}
    for tier in p.tiers:
        for level1 in tier.level1:
            if level1 in names:
                problems.append(f"一级指标{quoted(level1)}同时属于层级{quoted(names[level1])}和{quoted(tier.name)}。")
            names[level1] = tier.name
    for band in QualitativeBand:
        if band not in p.qualitative_bands:
            problems.append(f"缺少定性指标档次{quoted(band.value)}的得分范围。")
    for band, (low, high) in p.qualitative_bands.items():
        if not 0 <= low <= high <= 100:
            problems.append(f"定性指标档次{quoted(band.value)}的范围[{num(low)}, {num(high)}]应在0–100（百分比）之间且下限不大于上限。")
    return problems


def validate_profile(data: object, source: str = "") -> Profile:
    """Plain data (from YAML) → a checked profile, or ProfileError listing every problem."""
    if not isinstance(data, dict):
        raise ProfileError(["文件内容应为一组“字段: 值”，以 kind: department 或 kind: project 开头。"], source)
    kind = data.get("kind")
    model: type[BaseModel]
    if kind == "department":
        model = DepartmentProfile
    elif kind == "project":
        model = ProjectProfile
    else:
        raise ProfileError([f"方案类型 kind 应为 department（部门整体）或 project（项目），填写的是：{kind!r}。"], source)
    try:
        profile = model.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(_describe(exc, model), source) from exc
    problems = _validate_department(profile) if isinstance(profile, DepartmentProfile) else _validate_project(profile)
    if problems:
        raise ProfileError(problems, source)
    return profile


def resolve_profile_path(name_or_path: str | Path) -> Path:
    """A file path, or the name of a shipped profile (e.g. "project_sichuan")."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    shipped = PROFILE_DIR / f"{name_or_path}.yaml"
    if shipped.is_file():
        return shipped
    available = "、".join(shipped_profiles())
    raise ProfileError([f"找不到评分方案文件{quoted(name_or_path)}（内置方案：{available}）。"], str(name_or_path))


def shipped_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILE_DIR.glob("*.yaml"))


def load_profile(name_or_path: str | Path) -> Profile:
    path = resolve_profile_path(name_or_path)
    try:
        data = parse_yaml_text(decode_bytes(path.read_bytes()))
    except FiguresError as exc:
        raise ProfileError(exc.messages, path.name) from exc
    except OSError as exc:
        raise ProfileError([f"无法读取文件：{exc.strerror or exc}。"], path.name) from exc
    return validate_profile(data, path.name)


_CACHE: dict[str, Profile] = {}


def _shipped(name: str, kind: type) -> Profile:
    if name not in _CACHE:
        _CACHE[name] = load_profile(PROFILE_DIR / f"{name}.yaml")
    profile = _CACHE[name]
    if not isinstance(profile, kind):
        raise ProfileError([f"内置方案应为{'部门整体' if kind is DepartmentProfile else '项目'}评分方案。"], f"{name}.yaml")
    return profile


def default_project_profile() -> ProjectProfile:
    return _shipped(DEFAULT_PROJECT_PROFILE, ProjectProfile)  # type: ignore[return-value]


def default_department_profile() -> DepartmentProfile:
    return _shipped(DEFAULT_DEPARTMENT_PROFILE, DepartmentProfile)  # type: ignore[return-value]
