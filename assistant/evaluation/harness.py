"""The evaluation run: draft every case with every backend, score it against its reference.

`run_eval(case_ids, backends)` returns an `EvalRun` whose `.rows` (one dict per case and backend)
the CLI prints and the app's 评估 tab shows; `.section_rows` has the per-section detail. The gate
(`EvalRun.gate_ok`) fails on any unsupported, misattributed or contradicted figure, or a case that
could not be drafted. Drafting goes through `assistant.drafting.draft_report` and the Markdown
exporter unless a `drafter` callable is passed (tests pass drafts they construct).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence

from assistant.evaluation import metrics as m
from assistant.evaluation.cases import Case, CaseError, load_cases
from assistant.evaluation.sections import (
    APPENDIX_MARK,
    MdSection,
    document_text,
    normalise_heading,
    outline_sections,
    parse_markdown,
    subtree_ends,
    subtree_text,
)
from assistant.evaluation.textfigures import MissingComponent, stated_figures, verification
from assistant.ledger.calculator import note_texts
from assistant.scoring import build_scored_ledger
from assistant.ledger.settings import ReportSettings

BACKENDS = ("offline", "llm")


class EvaluationError(RuntimeError):
    """The run cannot start (unknown backend, no model configured, …); the message is Chinese."""


@dataclass(frozen=True)
class Metric:
    key: str
    label: str  # Chinese, for tables and charts
    kind: str  # "rate" (0–1, higher is better) | "count" (lower is better) | "ratio" (closer to 1 is better)
    chart: bool = False


METRICS: tuple[Metric, ...] = (
    Metric("section_coverage", "章节覆盖率", "rate", chart=True),
    Metric("figure_recall", "数字召回率", "rate", chart=True),
    Metric("budget_recall", "预算章节数字召回率", "rate", chart=True),
    Metric("figure_precision", "数字精确率", "rate", chart=True),
    Metric("unsupported", "无来源数字", "count"),
    Metric("misattributed", "张冠李戴数字", "count"),
    Metric("contradicted", "与台账矛盾数字", "count"),
    Metric("rouge_l", "字符ROUGE-L", "rate", chart=True),
    Metric("chrf", "chrF", "rate", chart=True),
    Metric("length_ratio", "篇幅比", "ratio"),
    Metric("failed_sections", "起草失败章节", "count"),
    Metric("fallback_sections", "回退模板章节", "count"),
    Metric("required_recall", "必备数字召回率", "rate", chart=True),
    Metric("unevaluated", "缺评价句", "count"),
    Metric("style_issues", "文风问题", "count"),
    Metric("appendix_mismatch", "附件不符", "count"),
    Metric("todo_markers", "待补原因", "count"),
)
JUDGE_METRICS: tuple[Metric, ...] = (
    Metric("judge_norms", "规范性（评审）", "score"),
    Metric("judge_completeness", "完整性（评审）", "score"),
    Metric("judge_accuracy", "准确性（评审）", "score"),
    Metric("judge_concision", "简洁性（评审）", "score"),
)
METRIC_BY_KEY = {metric.key: metric for metric in (*METRICS, *JUDGE_METRICS)}
GATE_KEYS = m.GATE_STATUSES

# drafter(case, backend) → the draft as Markdown, plus the Report when there is one.
DraftFn = Callable[[Case, str], tuple[str, Any]]
# judge(case, draft_markdown) → {metric key: score}
JudgeFn = Callable[[Case, str], dict[str, Optional[float]]]
ProgressFn = Callable[[str], None]


@dataclass
class SectionResult:
    case_id: str
    backend: str
    heading: str  # reference heading as written ('' for a draft section the reference lacks)
    draft_heading: str  # '' when the draft has no such section
    level: int
    status: str  # "matched" | "missing" | "extra"
    match_score: float = 0.0
    budget: bool = False
    reference_figures: int = 0
    matched_figures: int = 0
    recall: Optional[float] = None
    rouge_l: Optional[float] = None
    chrf: Optional[float] = None
    length_ratio: Optional[float] = None
    counts: dict[str, int] = field(default_factory=lambda: m.status_counts(()))

    def row(self) -> dict[str, Any]:
        return {
            "case": self.case_id,
            "backend": self.backend,
            "section": self.heading,
            "draft_section": self.draft_heading,
            "level": self.level,
            "status": self.status,
            "match_score": round(self.match_score, 1),
            "budget": self.budget,
            "reference_figures": self.reference_figures,
            "matched_figures": self.matched_figures,
            "recall": _round(self.recall),
            "rouge_l": _round(self.rouge_l),
            "chrf": _round(self.chrf),
            "length_ratio": _round(self.length_ratio),
            **{key: self.counts.get(key, 0) for key in GATE_KEYS},
        }


@dataclass
class CaseResult:
    case_id: str
    backend: str
    outline: str
    metrics: dict[str, Any] = field(default_factory=dict)
    sections: list[SectionResult] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)  # verifier findings not supported, with section
    missing_figures: list[str] = field(default_factory=list)  # reference figures the draft lacks
    unsourced_figures: list[str] = field(default_factory=list)  # draft figures with no source
    section_errors: list[str] = field(default_factory=list)
    required: list[dict[str, Any]] = field(default_factory=list)  # per section: required facts, missing keys, recall
    unevaluated: list[str] = field(default_factory=list)  # threshold crossings without an evaluation sentence
    style: list[dict[str, Any]] = field(default_factory=list)  # style issues (run-on, orphan 一是, doubled, terms)
    appendix: list[str] = field(default_factory=list)  # 附件 listed but not produced, or produced but not listed
    error: str = ""  # the case could not be drafted at all
    draft_markdown: str = ""
    seconds: float = 0.0

    @property
    def gate_failures(self) -> int:
        return sum(int(self.metrics.get(key) or 0) for key in GATE_KEYS)

    @property
    def publishable_failures(self) -> list[str]:
        """The offline drafter's promise beyond figures: every required fact stated, every threshold
        crossing evaluated, no style issue, the 附件 list = the attachments produced."""
        if self.backend != "offline":
            return []
        out = [f"〔{r['heading']}〕缺必备数字：{'、'.join(r['missing'])}" for r in self.required if r["missing"]]
        out += self.unevaluated
        out += [f"〔{i['section'] or '正文开头'}〕{i['kind_zh']}：{i['text']}" for i in self.style]
        out += self.appendix
        return out

    @property
    def passed(self) -> bool:
        return not self.error and self.gate_failures == 0 and not self.publishable_failures

    def row(self) -> dict[str, Any]:
        row: dict[str, Any] = {"case": self.case_id, "backend": self.backend, "outline": self.outline}
        for key, value in self.metrics.items():
            row[key] = _round(value) if isinstance(value, float) else value
        row["seconds"] = round(self.seconds, 2)
        row["passed"] = self.passed
        row["error"] = self.error
        return row


@dataclass
class EvalRun:
    results: list[CaseResult]
    backends: tuple[str, ...]
    judged: bool = False

    @property
    def rows(self) -> list[dict[str, Any]]:
        """One row per case and backend: case, backend, outline, each metric, seconds, passed, error."""
        return [r.row() for r in self.results]

    @property
    def section_rows(self) -> list[dict[str, Any]]:
        return [s.row() for r in self.results for s in r.sections]

    @property
    def metric_keys(self) -> list[str]:
        keys = [metric.key for metric in METRICS]
        if self.judged:
            keys += [metric.key for metric in JUDGE_METRICS]
        return keys

    def summary_rows(self) -> list[dict[str, Any]]:
        """Per backend, the mean of each rate over the cases and the sum of each count."""
        rows = []
        for backend in self.backends:
            results = [r for r in self.results if r.backend == backend and not r.error]
            row: dict[str, Any] = {"backend": backend, "cases": len(results)}
            for key in self.metric_keys:
                values = [r.metrics.get(key) for r in results]
                if METRIC_BY_KEY[key].kind == "count":
                    row[key] = sum(int(v or 0) for v in values)
                else:
                    row[key] = _round(m.mean(values))
            rows.append(row)
        return rows

    @property
    def gate_ok(self) -> bool:
        return all(r.passed for r in self.results)

    def gate_messages(self) -> list[str]:
        messages = []
        for r in self.results:
            if r.error:
                messages.append(f"{r.case_id}（{r.backend}）：起草失败：{r.error}")
                continue
            for p in r.problems:
                messages.append(
                    f"{r.case_id}（{r.backend}）〔{p.get('section', '')}〕“{p.get('text', '')}”："
                    f"{p.get('status_zh') or p.get('status')}"
                )
            messages += [f"{r.case_id}（{r.backend}）{m}" for m in r.publishable_failures]
        return messages

    def display_rows(self) -> list[dict[str, Any]]:
        """`rows` with Chinese column names, for the app."""
        out = []
        for row in self.rows:
            shown = {"用例": row["case"], "起草方式": row["backend"], "提纲": row["outline"]}
            for key in self.metric_keys:
                shown[METRIC_BY_KEY[key].label] = row.get(key)
            shown["用时（秒）"] = row["seconds"]
            shown["通过"] = "是" if row["passed"] else "否"
            out.append(shown)
        return out

    def baseline(self) -> dict[str, Any]:
        """What `evals/baseline.json` stores: the metrics only (no timings), so it changes only when
        the drafts do."""
        return {
            "version": 1,
            "metrics": self.metric_keys,
            "rows": [
                {"case": r.case_id, "backend": r.backend, **{k: _round(r.metrics.get(k)) if isinstance(r.metrics.get(k), float) else r.metrics.get(k) for k in self.metric_keys}}
                for r in self.results
                if not r.error
            ],
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "backends": list(self.backends),
            "gate_ok": self.gate_ok,
            "gate_messages": self.gate_messages(),
            "rows": self.rows,
            "summary": self.summary_rows(),
            "sections": self.section_rows,
            "details": [
                {
                    "case": r.case_id,
                    "backend": r.backend,
                    "problems": r.problems,
                    "missing_figures": r.missing_figures,
                    "unsourced_figures": r.unsourced_figures,
                    "section_errors": r.section_errors,
                    "required": r.required,
                    "unevaluated": r.unevaluated,
                    "style": r.style,
                    "appendix": r.appendix,
                }
                for r in self.results
            ],
        }


def _round(value: Any, places: int = 4) -> Any:
    return round(value, places) if isinstance(value, float) else value


# --- drafting --------------------------------------------------------------------------------------


def _case_settings(case: Case) -> ReportSettings:
    return ReportSettings(outline=case.outline)


def pipeline_drafter(model_settings: Any = None) -> DraftFn:
    """The real drafter: `assistant.drafting.draft_report` then the Markdown exporter."""
    try:
        from assistant.drafting import draft_report
        from assistant.export.markdown import report_to_markdown
    except ImportError as exc:
        raise MissingComponent(f"评估需要起草模块 assistant.drafting 和导出模块 assistant.export.markdown，但无法导入：{exc}") from exc

    def draft(case: Case, backend: str) -> tuple[str, Any]:
        from assistant.export.report_files import report_attachments

        report = draft_report(
            case.figures,
            settings=_case_settings(case),
            outline=case.outline,
            backend=backend,
            model_settings=model_settings if backend == "llm" else None,
        )
        # The 附件 list as the exporter writes it: the attachments actually produced.
        attachments = report_attachments(report, build_scored_ledger(case.figures, _case_settings(case)), case.figures)
        return report_to_markdown(report, None, attachments), report

    return draft


def _check_backends(backends: Sequence[str], model_settings: Any) -> Any:
    unknown = [b for b in backends if b not in BACKENDS]
    if unknown:
        raise EvaluationError(f"未知的起草方式：{'、'.join(unknown)}（可选 {'、'.join(BACKENDS)}）")
    if "llm" in backends and model_settings is None:
        from assistant.llm.client import ModelError, ModelSettings

        try:
            model_settings = ModelSettings.from_env()
        except ModelError as exc:
            raise EvaluationError(str(exc)) from exc
        if not model_settings.configured:
            raise EvaluationError("评估 llm 起草方式需要先配置大模型：请设置 ASSISTANT_MODEL（以及 OPENAI_BASE_URL、OPENAI_API_KEY）。")
    return model_settings


# --- scoring ---------------------------------------------------------------------------------------


def _is_budget_section(heading: str, budget_headings: Iterable[str]) -> bool:
    key = normalise_heading(heading)
    for name in budget_headings:
        wanted = normalise_heading(name)
        if wanted and (key == wanted or wanted in key):
            return True
    return False


def _report_sections(report: Any) -> tuple[list[str], int]:
    """Section errors and the number of sections that fell back to the template text."""
    if report is None:
        return [], 0
    errors = [f"{s.heading}：{s.error}" for s in report.sections if s.error]
    fallbacks = sum(1 for s in report.sections if s.fallback_reason)
    return errors, fallbacks


def score_case(case: Case, backend: str, draft_markdown: str, report: Any = None) -> CaseResult:
    """Every metric for one draft of one case."""
    figures = case.figures
    ledger = build_scored_ledger(figures, _case_settings(case))
    notes = note_texts(figures)
    ref_all = parse_markdown(case.reference)
    draft_all = parse_markdown(draft_markdown)
    ref_outline, draft_outline = outline_sections(ref_all), outline_sections(draft_all)
    coverage = m.match_headings([s.heading for s in ref_outline], [s.heading for s in draft_outline])

    ref_figs = [stated_figures(s.body) for s in ref_outline]
    draft_figs = [stated_figures(s.body) for s in draft_outline]
    result = CaseResult(case.id, backend, case.outline, draft_markdown=draft_markdown)

    # Verification of every draft section, including the front matter and the appendix.
    totals = m.status_counts(())
    outline_counts: dict[int, dict[str, int]] = {}
    outline_index = {id(section): j for j, section in enumerate(draft_outline)}
    for section in draft_all:
        if section.is_title or not section.body:
            continue
        counts, problems = verification(section.body, ledger, notes)
        totals = m.add_counts(totals, counts)
        if id(section) in outline_index:
            outline_counts[outline_index[id(section)]] = counts
        label = section.heading or "正文开头"
        result.problems.extend({**p, "section": label} for p in problems)
    result.sections = _section_results(case, backend, ref_outline, draft_outline, coverage, ref_figs, draft_figs, outline_counts)

    # Whole-document figures: the reference's against the draft's, and the draft's against sources.
    ref_doc_figs = [f for s in ref_all if not s.is_title for f in stated_figures(s.body)]
    draft_doc_figs = [f for s in draft_all if not s.is_title for f in stated_figures(s.body)]
    recall = m.figure_recall(ref_doc_figs, draft_doc_figs)
    note_figs = [f for text in notes for f in stated_figures(text)]
    precision = m.figure_precision(draft_doc_figs, m.FigureSources(ref_doc_figs, note_figs, ledger))
    result.missing_figures = [f.text for f in recall.missing]
    result.unsourced_figures = [f.text for f in precision.unsourced]

    budget = [s for s in result.sections if s.budget]
    budget_total = sum(s.reference_figures for s in budget)
    budget_recall = None if budget_total == 0 else sum(s.matched_figures for s in budget) / budget_total

    ref_text, draft_text = document_text(ref_all), document_text(draft_all)
    errors, fallbacks = _report_sections(report)
    result.section_errors = errors
    publishable = _publishable(case, report, ledger, notes, draft_all, draft_markdown, result)
    result.metrics = {
        "section_coverage": coverage.coverage,
        "figure_recall": recall.recall,
        "budget_recall": budget_recall,
        "figure_precision": precision.precision,
        **{key: totals[key] for key in GATE_KEYS},
        "rouge_l": m.rouge_l_chars(draft_text, ref_text).f1,
        "chrf": m.chrf(draft_text, ref_text),
        "length_ratio": m.length_ratio(draft_text, ref_text),
        "failed_sections": len(errors),
        "fallback_sections": fallbacks,
        "reference_figures": recall.total,
        "draft_figures": precision.total,
        "extra_sections": len(coverage.extra_draft),
        **publishable,
    }
    return result


def _listed_appendix(markdown: str) -> list[str]:
    """The names of the 附件 list the exporter writes after the last section."""
    lines = markdown.split("\n")
    if APPENDIX_MARK not in lines:
        return []
    names = []
    for line in lines[lines.index(APPENDIX_MARK) + 1 :]:
        match = re.match(r"^\d+\.\s*(.+)$", line.strip())
        if not match:
            break
        names.append(match.group(1).strip())
    return names


def _publishable(case: Case, report: Any, ledger, notes, draft_all: list[MdSection], markdown: str, result: "CaseResult") -> dict[str, Any]:
    """Required-facts recall, unevaluated threshold crossings, style issues, 附件 list vs attachments,
    to-do markers. Without the Report (a draft passed in as text) the report-based ones are None."""
    from assistant.evaluation.required import overall_recall, required_recall
    from assistant.evaluation.style import style_issues
    from assistant.todos import todo_markers

    issues = style_issues([(s.heading, s.body) for s in draft_all if not s.is_title], notes)
    result.style = [i.to_dict() for i in issues]
    metrics: dict[str, Any] = {
        "required_recall": None,
        "unevaluated": None,
        "style_issues": len(issues),
        "appendix_mismatch": None,
        "todo_markers": len(todo_markers(markdown)),
    }
    if report is None:
        return metrics
    from assistant.evaluation.crossings import unevaluated
    from assistant.export.report_files import report_attachments

    sections = required_recall(report, ledger)
    result.required = [s.row() for s in sections]
    result.unevaluated = unevaluated(report, case.figures, ledger)
    produced = [a.name for a in report_attachments(report, ledger, case.figures)]
    listed = _listed_appendix(markdown)
    result.appendix = [f"附件清单列出“{n}”，但未附该附件" for n in listed if n not in produced]
    result.appendix += [f"已附“{n}”，但附件清单未列出" for n in produced if n not in listed]
    metrics.update(
        required_recall=overall_recall(sections),
        unevaluated=len(result.unevaluated),
        appendix_mismatch=len(result.appendix),
    )
    return metrics


def _section_results(
    case: Case,
    backend: str,
    ref_outline: list[MdSection],
    draft_outline: list[MdSection],
    coverage: m.SectionCoverage,
    ref_figs: list[list[m.StatedFigure]],
    draft_figs: list[list[m.StatedFigure]],
    draft_counts: dict[int, dict[str, int]],
) -> list[SectionResult]:
    """Per reference section: its figures and text *with everything under it* against the matched
    draft section's (a reference may put 改进措施 items under sub-headings where the draft writes
    paragraphs). A budget section is flagged only when none of its descendants is one (the seed
    reference has 部门预算情况 both as a container and as its first child), so the budget recall,
    summed over flagged sections, counts each figure once."""
    ref_ends, draft_ends = subtree_ends(ref_outline), subtree_ends(draft_outline)

    def figures_under(figs: list[list[m.StatedFigure]], i: int, end: int) -> list[m.StatedFigure]:
        return [f for k in range(i, end) for f in figs[k]]

    budget_flags = [_is_budget_section(s.heading, case.info.budget_sections) for s in ref_outline]
    innermost_budget = [flag and not any(budget_flags[i + 1 : ref_ends[i]]) for i, flag in enumerate(budget_flags)]
    empty = m.status_counts(())
    results: list[SectionResult] = []
    for match in coverage.matches:
        i, j = match.reference_index, match.draft_index
        ref = ref_outline[i]
        ref_text = subtree_text(ref_outline, i, ref_ends[i])
        draft_text = subtree_text(draft_outline, j, draft_ends[j]) if j is not None else ""
        recall = m.figure_recall(
            figures_under(ref_figs, i, ref_ends[i]),
            figures_under(draft_figs, j, draft_ends[j]) if j is not None else [],
        )
        has_text = bool(ref_text or draft_text)
        results.append(
            SectionResult(
                case.id,
                backend,
                ref.heading,
                draft_outline[j].heading if j is not None else "",
                ref.level,
                "matched" if j is not None else "missing",
                match.score,
                innermost_budget[i],
                recall.total,
                recall.matched,
                recall.recall,
                m.rouge_l_chars(draft_text, ref_text).f1 if has_text else None,
                m.chrf(draft_text, ref_text) if has_text else None,
                m.length_ratio(draft_text, ref_text),
                draft_counts.get(j, empty) if j is not None else empty,
            )
        )
    for j in coverage.extra_draft:
        draft = draft_outline[j]
        results.append(SectionResult(case.id, backend, "", draft.heading, draft.level, "extra", counts=draft_counts.get(j, empty)))
    return results


# --- the run ---------------------------------------------------------------------------------------


def evaluate_case(case: Case, backend: str, drafter: DraftFn, judge: Optional[JudgeFn] = None) -> CaseResult:
    started = time.perf_counter()
    try:
        markdown, report = drafter(case, backend)
    except MissingComponent:
        raise
    except Exception as exc:  # one case failing to draft must not hide the others' scores
        result = CaseResult(case.id, backend, case.outline, error=f"{type(exc).__name__}: {exc}")
        result.seconds = time.perf_counter() - started
        return result
    seconds = time.perf_counter() - started
    result = score_case(case, backend, markdown, report)
    result.seconds = seconds
    if judge is not None:
        result.metrics.update(judge(case, markdown))
    return result


def run_eval(
    case_ids: Optional[Sequence[str]] = None,
    backends: Sequence[str] = ("offline",),
    *,
    drafter: Optional[DraftFn] = None,
    judge: Optional[JudgeFn] = None,
    model_settings: Any = None,
    cases_dir: Optional[Path] = None,
    progress: Optional[ProgressFn] = None,
) -> EvalRun:
    """Draft and score every case (all under evals/cases/ by default) with every backend.

    Raises `EvaluationError` or `MissingComponent` (Chinese messages) when the run cannot start;
    a case whose drafting fails is recorded with its error and fails the gate.
    """
    backends = tuple(dict.fromkeys(backends)) or ("offline",)
    if drafter is None:
        model_settings = _check_backends(backends, model_settings)
        drafter = pipeline_drafter(model_settings)
    try:
        cases = load_cases(list(case_ids) if case_ids else None, cases_dir)
    except CaseError as exc:
        raise EvaluationError(str(exc)) from exc
    results: list[CaseResult] = []
    for case in cases:
        for backend in backends:
            if progress is not None:
                progress(f"正在评估 {case.id}（{backend}）…")
            results.append(evaluate_case(case, backend, drafter, judge))
    return EvalRun(results, backends, judged=judge is not None)
