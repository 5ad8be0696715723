"""What 体检 finds: figures it read, relations it checked, inconsistencies and relations left unchecked.

A `Place` names where in the report (line, and an excerpt of the sentence). A `Finding` is an
inconsistency: its rule, the stated and the recomputed number, and a Chinese message. `Unchecked`
lists a relation the text states but that could not be read unambiguously — never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

class ReportUnreadable(Exception):
    """A report that cannot be inspected; str(error) is the Chinese message naming the file (exit 2)."""


# Far beyond any 自评报告 (a long one is ~100,000 characters); a longer text is refused, not read slowly.
MAX_CHARS = 2_000_000

ERROR = "error"
WARNING = "warning"
SEVERITY_ZH = {ERROR: "错误", WARNING: "提示"}

# Rule identifiers and their Chinese names (the rule is named in every message).
RULES = {
    "parts_sum": "分项之和等于总额",
    "part_exceeds": "分项不大于总额",
    "zero_total": "总额为0而分项不为0",
    "share": "占比 = 分项 ÷ 总额",
    "shares_sum": "各分项占比之和为100%",
    "difference": "增减额 = 本数 − 比较数",
    "change_rate": "增减率 = 增减额 ÷ 比较数",
    "rate": "执行率 = 执行数 ÷ 预算数",
    "expression": "算式结果",
    "table_total": "表格合计行等于各分项之和",
    "nature_totals": "按收入性质与按支出性质的合计一致",
    "executed_vs_spending": "全年执行数等于按支出性质分的支出合计",
    "weights_sum": "自评表一级指标分值之和为100",
    "weights_prescribed": "一级指标分值与注明的统一设置一致",
    "indicator_sum": "三级指标分值或得分之和等于合计",
    "score_exceeds": "得分不超过分值",
}


@dataclass(frozen=True)
class Place:
    line: int
    excerpt: str
    column: int = 1  # 1-based, in characters: long one-line copies need it
    where: str = ""  # the document's own place when it has one: 第3段, 表2第4行

    @property
    def label(self) -> str:
        if self.where and not self.where.startswith("第"):
            return self.where  # 表2第4行
        if self.where:
            return self.where if self.column == 1 else f"{self.where}第{self.column}字"
        return f"第{self.line}行" if self.column == 1 else f"第{self.line}行第{self.column}字"

    def __str__(self) -> str:
        return f"{self.label}“{self.excerpt}”"

    def to_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "place": self.label, "excerpt": self.excerpt}


@dataclass(frozen=True)
class Value:
    """One figure read from the report, as printed; money is converted to 万元."""

    value: Decimal
    text: str
    places: int
    unit: str  # 万元, %, 分, 人, … or "" for a bare table cell
    line: int
    offset: int  # in the report text
    label: str = ""

    def to_dict(self) -> dict:
        return {"text": self.text, "value": str(self.value), "unit": self.unit, "line": self.line, "label": self.label}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    message: str
    place: Place
    stated: str
    computed: str

    @property
    def rule_zh(self) -> str:
        return RULES.get(self.rule, self.rule)

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "rule_zh": self.rule_zh,
            "severity": self.severity,
            "severity_zh": SEVERITY_ZH[self.severity],
            "message": self.message,
            "stated": self.stated,
            "computed": self.computed,
            **self.place.to_dict(),
        }


@dataclass(frozen=True)
class Unchecked:
    rule: str
    reason: str
    place: Place

    def to_dict(self) -> dict:
        return {"rule": self.rule, "rule_zh": RULES.get(self.rule, self.rule), "reason": self.reason, **self.place.to_dict()}


@dataclass
class InspectionReport:
    name: str
    figures: list[Value] = field(default_factory=list)
    checked: list[tuple[str, Place]] = field(default_factory=list)  # (rule, place) of each relation recomputed
    findings: list[Finding] = field(default_factory=list)
    unchecked: list[Unchecked] = field(default_factory=list)
    fund_tables: list = field(default_factory=list, repr=False)  # tables.FundTable, for the prefill
    text: str = field(default="", repr=False)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.findings

    def summary(self) -> str:
        return (
            f"{self.name}：读出数字 {len(self.figures)} 个，核算关系 {len(self.checked)} 处，"
            f"错误 {len(self.errors)} 处，提示 {len(self.warnings)} 处，未能核对 {len(self.unchecked)} 处。"
        )

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "figures": len(self.figures),
            "relations_checked": len(self.checked),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "findings": [f.to_dict() for f in self.findings],
            "unchecked": [u.to_dict() for u in self.unchecked],
            "checked": [{"rule": r, "rule_zh": RULES.get(r, r), **p.to_dict()} for r, p in self.checked],
        }
