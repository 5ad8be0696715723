"""The bridge to the number verifier: figures stated in a text, and verification counts.

Figures are read with `assistant.verify.extract_figures`, which keeps only numerals classified as
figures (dates, document numbers, ordinals, list markers … are left out), so the evaluation counts
exactly what the verifier would have to trace. A missing verifier is reported in Chinese instead of
an ImportError deep inside a run.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Sequence

from assistant.evaluation.metrics import StatedFigure, status_counts
from assistant.ledger.facts import Ledger


class MissingComponent(RuntimeError):
    """A pipeline stage the evaluation needs is not installed; the message is Chinese."""


def _extractor():
    try:
        from assistant.verify import extract_figures
    except ImportError as exc:
        raise MissingComponent(f"评估需要数字核验模块的 assistant.verify.extract_figures，但无法导入：{exc}") from exc
    return extract_figures


def _verifier():
    try:
        from assistant.verify import verify
    except ImportError as exc:
        raise MissingComponent(f"评估需要数字核验模块的 assistant.verify.verify，但无法导入：{exc}") from exc
    return verify


def stated_figures(text: str) -> list[StatedFigure]:
    """The figures of a text, in order, as the verifier's extractor reads them."""
    if not text.strip():
        return []
    found = _extractor()(text)
    # The printed resolution in the figure's base unit: 2.65万亩 has places 2 and scale 10000, so it
    # states the area to the nearest 100 亩.
    return [StatedFigure(f.value, f.unit or "", f.text, f.scale * Decimal(1).scaleb(-f.places)) for f in found if f.value is not None]


def verification(text: str, ledger: Ledger, notes: Sequence[str]) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Counts by status (supported, unsupported, misattributed, contradicted) and the findings that
    are not supported, as dicts for the report."""
    if not text.strip():
        return status_counts(()), []
    report = _verifier()(text, ledger, list(notes))
    findings = report.to_dict().get("findings", [])
    counts = status_counts(f.get("status", "") for f in findings)
    problems = [f for f in findings if f.get("status") != "supported"]
    return counts, problems
