"""The evaluation run on a small case with drafts constructed in the test (no drafter involved)."""

from __future__ import annotations

import json
import sys

import pytest

from assistant.evaluation import EvaluationError, MissingComponent, run_eval
from assistant.evaluation.compare import compare, load_baseline, regressions, save_baseline
from assistant.evaluation.harness import pipeline_drafter
from assistant.evaluation.render import html_report, markdown_report, svg_bar_chart, terminal_report, write_reports

FIGURES = """\
meta:
  unit_name: 测试单位
  year: 2023
budget:
  income:
    total: 100
    general_public: 100
  expenditure:
    total: 100
    basic: 60
    project: 40
work_notes:
- title: 重点工作
  items:
  - 全年开展培训3期，培训220余人。
"""

CASE = """\
unit: 测试单位
year: 2023
outline: seed
budget_sections: [部门预算情况]
"""

BUDGET = "2023年年初预算安排收入100万元，其中一般公共预算财政拨款100万元；2023年年初预算安排支出100万元，其中：基本支出60万元，占60.00%；项目支出40万元，占40.00%。"

REFERENCE = f"""\
# 2023年度部门整体支出绩效自评报告

测试单位

## 一、单位基本情况

本单位为测试单位。

## 二、预算支出及绩效情况

### （一）部门预算情况

{BUDGET}

### （二）整体绩效目标完成情况

全年开展培训3期，培训220余人。

## 三、其他需要说明的情况

无
"""
# 9 figures: 7 in the budget section (100万元 ×3, 60万元, 60.00%, 40万元, 40.00%), 3期 and 220余人.


@pytest.fixture
def cases_dir(tmp_path):
    case = tmp_path / "cases" / "mini-2023"
    case.mkdir(parents=True)
    (case / "figures.yaml").write_text(FIGURES, encoding="utf-8")
    (case / "case.yaml").write_text(CASE, encoding="utf-8")
    (case / "reference.md").write_text(REFERENCE, encoding="utf-8")
    return tmp_path / "cases"


def approx4(value: float):
    """Rows hold metrics rounded to 4 decimals."""
    return pytest.approx(value, abs=5e-5)


def run_with(cases_dir, draft: str, backends=("offline",)):
    return run_eval(backends=backends, drafter=lambda case, backend: (draft, None), cases_dir=cases_dir)


def test_identical_draft_scores_perfectly(cases_dir):
    run = run_with(cases_dir, REFERENCE)
    [row] = run.rows
    assert row["case"] == "mini-2023" and row["backend"] == "offline" and row["outline"] == "seed"
    for key in ("section_coverage", "figure_recall", "budget_recall", "figure_precision", "rouge_l", "chrf", "length_ratio"):
        assert row[key] == 1.0, key
    assert (row["unsupported"], row["misattributed"], row["contradicted"]) == (0, 0, 0)
    assert row["reference_figures"] == 9 and row["draft_figures"] == 9
    assert row["passed"] and run.gate_ok and run.gate_messages() == []


def test_wrong_figure_fails_the_gate_and_lowers_recall(cases_dir):
    run = run_with(cases_dir, REFERENCE.replace("基本支出60万元", "基本支出61万元"))
    [row] = run.rows
    assert row["figure_recall"] == approx4(8 / 9)
    assert row["budget_recall"] == approx4(6 / 7)
    assert row["figure_precision"] == approx4(8 / 9)
    assert row["unsupported"] + row["misattributed"] + row["contradicted"] == 1
    assert not row["passed"] and not run.gate_ok
    [message] = run.gate_messages()
    assert "61万元" in message and "部门预算情况" in message
    [result] = run.results
    assert result.missing_figures == ["60万元"] and result.unsourced_figures == ["61万元"]


def test_missing_and_extra_sections(cases_dir):
    draft = REFERENCE.replace("### （二）整体绩效目标完成情况\n\n全年开展培训3期，培训220余人。\n\n", "").replace(
        "## 三、其他需要说明的情况", "## 三、自评结果应用情况\n\n自评结果将用于预算安排。\n\n## 四、其他需要说明的情况"
    )
    run = run_with(cases_dir, draft)
    [row] = run.rows
    assert row["section_coverage"] == approx4(4 / 5)
    assert row["extra_sections"] == 1
    assert row["figure_recall"] == approx4(7 / 9)
    assert row["budget_recall"] == 1.0
    by_status = {}
    for s in run.section_rows:
        by_status.setdefault(s["status"], []).append(s["section"] or s["draft_section"])
    assert by_status["missing"] == ["（二）整体绩效目标完成情况"]
    assert by_status["extra"] == ["三、自评结果应用情况"]


def test_section_rows_compare_subtrees(cases_dir):
    run = run_with(cases_dir, REFERENCE.replace("本单位为测试单位。", "本单位为测试单位"))
    rows = {s["section"]: s for s in run.section_rows}
    parent = rows["二、预算支出及绩效情况"]
    assert parent["reference_figures"] == 9 and parent["matched_figures"] == 9 and parent["rouge_l"] == 1.0
    budget = rows["（一）部门预算情况"]
    assert budget["budget"] is True and budget["reference_figures"] == 7
    assert rows["一、单位基本情况"]["rouge_l"] < 1.0
    assert not rows["一、单位基本情况"]["budget"]


def test_section_present_but_empty(cases_dir):
    run = run_with(cases_dir, REFERENCE.replace(BUDGET, ""))
    [row] = run.rows
    assert row["section_coverage"] == 1.0
    assert row["budget_recall"] == 0.0 and row["figure_recall"] == approx4(2 / 9)
    budget = next(s for s in run.section_rows if s["section"] == "（一）部门预算情况")
    assert budget["status"] == "matched" and budget["rouge_l"] == 0.0 and budget["length_ratio"] == 0.0
    assert row["passed"]


def test_empty_draft(cases_dir):
    run = run_with(cases_dir, "")
    [row] = run.rows
    assert row["section_coverage"] == 0.0 and row["figure_recall"] == 0.0 and row["budget_recall"] == 0.0
    assert row["figure_precision"] is None and row["rouge_l"] == 0.0 and row["length_ratio"] == 0.0
    assert row["passed"]  # nothing stated, nothing wrong: coverage shows the gap


def test_drafter_failure_is_recorded_and_fails_the_gate(cases_dir):
    def broken(case, backend):
        raise RuntimeError("模型服务不可用")

    run = run_eval(drafter=broken, cases_dir=cases_dir)
    [row] = run.rows
    assert not row["passed"] and "模型服务不可用" in row["error"]
    assert not run.gate_ok and "起草失败" in run.gate_messages()[0]
    assert run.baseline()["rows"] == []


def test_backends_side_by_side(cases_dir):
    drafts = {"offline": REFERENCE, "llm": REFERENCE.replace("本单位为测试单位。", "")}
    run = run_eval(backends=("offline", "llm"), drafter=lambda case, backend: (drafts[backend], None), cases_dir=cases_dir)
    assert [(r["case"], r["backend"]) for r in run.rows] == [("mini-2023", "offline"), ("mini-2023", "llm")]
    summary = {r["backend"]: r for r in run.summary_rows()}
    assert summary["offline"]["rouge_l"] == 1.0 and summary["llm"]["rouge_l"] < 1.0
    assert summary["llm"]["unsupported"] == 0 and summary["llm"]["cases"] == 1
    shown = run.display_rows()[0]
    assert shown["用例"] == "mini-2023" and shown["章节覆盖率"] == 1.0 and shown["通过"] == "是"


def test_unknown_case_and_backend(cases_dir):
    with pytest.raises(EvaluationError, match="找不到评估用例"):
        run_eval(["nope"], drafter=lambda c, b: ("", None), cases_dir=cases_dir)
    with pytest.raises(EvaluationError, match="未知的起草方式"):
        run_eval(backends=("gpt",), cases_dir=cases_dir)


def test_llm_backend_needs_a_configured_model(cases_dir, monkeypatch):
    monkeypatch.delenv("ASSISTANT_MODEL", raising=False)
    with pytest.raises(EvaluationError, match="ASSISTANT_MODEL"):
        run_eval(backends=("llm",), cases_dir=cases_dir)


def test_missing_drafter_module_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "assistant.drafting", None)
    with pytest.raises(MissingComponent, match="assistant.drafting"):
        pipeline_drafter()


def test_baseline_round_trip_and_deltas(cases_dir, tmp_path):
    good = run_with(cases_dir, REFERENCE)
    path = tmp_path / "baseline.json"
    save_baseline(good, path)
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored["rows"][0]["figure_recall"] == 1.0 and "seconds" not in stored["rows"][0]
    assert all(d.verdict == "same" for d in compare(good, load_baseline(path)))

    worse = run_with(cases_dir, REFERENCE.replace("基本支出60万元", "基本支出61万元"))
    deltas = {d.metric: d for d in compare(worse, load_baseline(path))}
    assert deltas["figure_recall"].verdict == "worse"
    assert deltas["figure_recall"].change == pytest.approx(8 / 9 - 1, abs=1e-4)
    assert deltas["unsupported"].verdict == "worse"  # counts: more is worse
    assert deltas["section_coverage"].verdict == "same"
    assert {d.metric for d in regressions(list(deltas.values()))} >= {"figure_recall", "figure_precision"}
    assert "变差" in terminal_report(worse, list(deltas.values()))


def test_bad_baseline_file(tmp_path):
    path = tmp_path / "b.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(EvaluationError, match="不是有效的 JSON"):
        load_baseline(path)
    with pytest.raises(EvaluationError, match="找不到基线文件"):
        load_baseline(tmp_path / "none.json")


def test_reports_are_written(cases_dir, tmp_path):
    run = run_with(cases_dir, REFERENCE.replace("基本支出60万元", "基本支出61万元"))
    paths = write_reports(run, tmp_path / "out", compare(run, {"rows": []}))
    md = paths["markdown"].read_text(encoding="utf-8")
    assert "| mini-2023 | offline |" in md and "核验门槛：未通过" in md and "61万元" in md
    page = paths["html"].read_text(encoding="utf-8")
    assert page.count("<svg") == 2 and "<script" not in page and "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert data["gate_ok"] is False and data["rows"][0]["case"] == "mini-2023"
    assert (tmp_path / "out" / "drafts" / "mini-2023.offline.md").exists()
    assert "数字召回率" in markdown_report(run) and "<table>" in html_report(run)


def test_svg_bar_heights_are_proportional():
    svg = svg_bar_chart("图", ["召回率"], ["offline", "llm"], {("召回率", "offline"): 0.5, ("召回率", "llm"): None})
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'height="100.0" fill="#2f6db5"' in svg  # half of the 200-pixel plot
    assert "<title>召回率 · offline：0.5000</title>" in svg and ">—</text>" in svg


def test_llm_backend_side_by_side_through_the_fake_server(cases_dir, fake_openai):
    """The real pipeline with both backends; the fake model answers with plain prose (no figures)."""
    from assistant.llm.client import ModelSettings

    fake_openai.script(default="本单位严格执行预算，各项工作有序推进。")
    settings = ModelSettings(base_url=fake_openai.base_url, model="fake-model", max_retries=0)
    run = run_eval(backends=("offline", "llm"), model_settings=settings, cases_dir=cases_dir)
    rows = {r["backend"]: r for r in run.rows}
    assert set(rows) == {"offline", "llm"} and run.gate_ok
    assert fake_openai.chat_requests
    assert rows["llm"]["figure_recall"] < rows["offline"]["figure_recall"]
