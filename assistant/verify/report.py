"""The verifier's answer: one `Finding` per figure, a `VerificationReport` with counts and renderings.

Statuses: supported (有据), misattributed (张冠李戴: the value exists but belongs to another item
than the one its sentence names), contradicted (增减方向矛盾: 增加 where the ledger says a decrease),
unsupported (无来源). The report is `ok` only when every figure is supported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from assistant.verify.model import CLASS_NAMES, Figure

SUPPORTED = "supported"
MISATTRIBUTED = "misattributed"
CONTRADICTED = "contradicted"
UNSUPPORTED = "unsupported"
STATUSES = (SUPPORTED, MISATTRIBUTED, CONTRADICTED, UNSUPPORTED)
STATUS_NAMES = {
    SUPPORTED: "有据",
    MISATTRIBUTED: "张冠李戴",
    CONTRADICTED: "增减方向矛盾",
    UNSUPPORTED: "无来源",
}

LEDGER = "ledger"
NOTES = "notes"


@dataclass(frozen=True)
class Source:
    """A ledger fact or a figure in the user's notes."""

    kind: str  # LEDGER or NOTES
    fact_key: str = ""
    label: str = ""
    text: str = ""  # the fact's display text, or the note figure as written
    value: Decimal | None = None
    unit: str = ""
    note_index: int | None = None
    note_text: str = ""  # the note's words around the figure

    def to_dict(self) -> dict:
        data: dict = {"source": self.kind, "text": self.text}
        if self.kind == LEDGER:
            data.update(fact=self.fact_key, label=self.label, value=str(self.value), unit=self.unit)
        else:
            data.update(note_index=self.note_index, note_text=self.note_text)
        return data


@dataclass(frozen=True)
class Finding:
    figure: Figure
    status: str
    line: int
    column: int
    provenance: Source | None = None  # where the value comes from (for a misattributed value: whose it is)
    expected: Source | None = None  # misattributed: what the sentence names; contradicted: the signed fact
    message: str = ""

    @property
    def start(self) -> int:
        return self.figure.start

    @property
    def end(self) -> int:
        return self.figure.end

    @property
    def text(self) -> str:
        return self.figure.text

    @property
    def cls(self) -> str:
        return self.figure.cls

    @property
    def ok(self) -> bool:
        return self.status == SUPPORTED

    def to_dict(self) -> dict:
        data = self.figure.to_dict()
        data.update(
            status=self.status,
            status_zh=STATUS_NAMES[self.status],
            line=self.line,
            column=self.column,
            provenance=self.provenance.to_dict() if self.provenance else None,
            expected=self.expected.to_dict() if self.expected else None,
            message=self.message,
        )
        return data

    def render(self) -> str:
        return f"第{self.line}行第{self.column}列 “{self.text}” {STATUS_NAMES[self.status]}：{self.message}"


@dataclass(frozen=True)
class VerificationReport:
    findings: tuple[Finding, ...]
    not_figures: tuple[Figure, ...] = field(default=())  # dates, ordinals, named terms … (not traced)
    todos: tuple[str, ...] = field(default=())  # 【待补：原因】 markers: gaps for the user, not figure errors

    @property
    def counts(self) -> dict[str, int]:
        counts = {status: 0 for status in STATUSES}
        for finding in self.findings:
            counts[finding.status] += 1
        return counts

    @property
    def ok(self) -> bool:
        return all(f.status == SUPPORTED for f in self.findings)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.status != SUPPORTED]

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "counts": self.counts,
            "findings": [f.to_dict() for f in self.findings],
            "not_figures": [m.to_dict() for m in self.not_figures],
            "todos": list(self.todos),
        }

    def summary(self) -> str:
        counts = self.counts
        total = len(self.findings)
        if self.ok:
            return f"数字核对通过：共{total}处数字，全部有据可查。"
        parts = "，".join(f"{STATUS_NAMES[s]}{counts[s]}处" for s in STATUSES)
        return f"数字核对未通过：共{total}处数字，其中{parts}。"

    def render_text(self, *, verbose: bool = False) -> str:
        """Chinese report: the summary, then each problem (and with `verbose` every figure and non-figure)."""
        lines = [self.summary()]
        if self.todos:
            lines.append(f"待补内容{len(self.todos)}处（不是数字错误，请补充）：" + "、".join(dict.fromkeys(self.todos)))
        shown = self.findings if verbose else self.problems
        for finding in shown:
            lines.append("  " + finding.render())
        if verbose and self.not_figures:
            lines.append("不作为数字核对的内容：")
            for mention in self.not_figures:
                lines.append(f"  “{mention.text}”：{CLASS_NAMES.get(mention.cls, mention.cls)}（{mention.reason}）")
        return "\n".join(lines)
