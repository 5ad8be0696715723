"""Baselines: the stored metrics of an earlier run (evals/baseline.json) and the deltas against it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from assistant.evaluation.harness import METRIC_BY_KEY, EvalRun, EvaluationError

# Changes smaller than this are rounding noise in a 4-decimal baseline.
EPSILON = 1e-4


@dataclass(frozen=True)
class Delta:
    case: str
    backend: str
    metric: str
    before: Optional[float]
    after: Optional[float]

    @property
    def change(self) -> Optional[float]:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def verdict(self) -> str:
        """better | worse | same | new (no baseline value) | gone (no current value)."""
        if self.before is None and self.after is None:
            return "same"
        if self.before is None:
            return "new"
        if self.after is None:
            return "gone"
        if abs(self.after - self.before) < EPSILON:
            return "same"
        kind = METRIC_BY_KEY[self.metric].kind if self.metric in METRIC_BY_KEY else "rate"
        if kind == "count":
            better = self.after < self.before
        elif kind == "ratio":
            better = abs(self.after - 1) < abs(self.before - 1)
        else:
            better = self.after > self.before
        return "better" if better else "worse"


VERDICT_ZH = {"better": "变好", "worse": "变差", "same": "持平", "new": "新增", "gone": "缺失"}


def load_baseline(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvaluationError(f"找不到基线文件 {path}") from None
    except json.JSONDecodeError as exc:
        raise EvaluationError(f"基线文件 {path} 不是有效的 JSON：{exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
        raise EvaluationError(f"基线文件 {path} 格式不对：应含 rows 列表")
    return data


def save_baseline(run: EvalRun, path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(run.baseline(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _number(value: Any) -> Optional[float]:
    return None if value is None or isinstance(value, bool) else float(value)


def compare(run: EvalRun, baseline: dict[str, Any]) -> list[Delta]:
    """One delta per case, backend and metric of the current run (cases the baseline lacks show as
    new; baseline rows the run did not cover are left out: a run of one case is not a regression
    of the others)."""
    stored = {(row.get("case"), row.get("backend")): row for row in baseline.get("rows", [])}
    deltas: list[Delta] = []
    for row in run.rows:
        before = stored.get((row["case"], row["backend"]), {})
        for key in run.metric_keys:
            deltas.append(Delta(row["case"], row["backend"], key, _number(before.get(key)), _number(row.get(key))))
    return deltas


def regressions(deltas: list[Delta]) -> list[Delta]:
    return [d for d in deltas if d.verdict == "worse"]
