"""Evaluation harness: draft each case in evals/cases/ and compare it with the reference report.

    from assistant.evaluation import run_eval
    run = run_eval(case_ids=None, backends=("offline",))
    run.rows          # one dict per case and backend (metrics, seconds, passed)
    run.gate_ok       # False on any unsupported / misattributed / contradicted figure

Metrics are in `metrics` (pure functions), case files in `cases`, the run in `harness`, baselines in
`compare` and the Markdown / HTML / terminal output in `render`.
"""

from assistant.evaluation.cases import Case, CaseError, list_case_ids, load_case
from assistant.evaluation.harness import (
    JUDGE_METRICS,
    METRICS,
    CaseResult,
    EvalRun,
    EvaluationError,
    SectionResult,
    run_eval,
    score_case,
)
from assistant.evaluation.textfigures import MissingComponent

__all__ = [
    "JUDGE_METRICS",
    "METRICS",
    "Case",
    "CaseError",
    "CaseResult",
    "EvalRun",
    "EvaluationError",
    "MissingComponent",
    "SectionResult",
    "list_case_ids",
    "load_case",
    "run_eval",
    "score_case",
]
