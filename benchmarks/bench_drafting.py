"""Offline full draft + .docx for the seed case, in process after imports (target < 1 s).

The LLM-mode concurrency benchmark (fake server, 1 s latency per call) lives in bench_llm_drafting.py.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from assistant.drafting import draft_report
from assistant.export.report_files import write_report_files
from assistant.figures import load_figures
from assistant.scoring import build_scored_ledger
from assistant.offline import REPO_ROOT

SEED = REPO_ROOT / "evals" / "cases" / "hengshan-fulian-2023" / "figures.yaml"
TARGET_S = 1.0


def _once(out: Path) -> float:
    started = time.perf_counter()
    figures = load_figures(SEED)
    report = draft_report(figures)
    write_report_files(report, build_scored_ledger(figures), figures, docx_path=out / "r.docx", md_path=out / "r.md")
    return time.perf_counter() - started


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        _once(out)  # warm-up: imports, template and outline caches
        times = [_once(out) for _ in range(5)]
    median = statistics.median(times)
    print("| 测量 | 中位数 (s) | 最大 (s) | 目标 (s) | 达标 |")
    print("|---|---|---|---|---|")
    print(f"| 离线整篇起草 + .docx + .md（种子案例） | {median:.3f} | {max(times):.3f} | < {TARGET_S} | {'是' if median < TARGET_S else '否'} |")
    return 0 if median < TARGET_S else 1
