"""LLM-mode drafting: concurrent vs sequential wall time for a 10-section report (target ratio ≤ 0.25).

The fake OpenAI-compatible server (tests/fake_openai.py) answers every section after 1 s with
slot-based text built from the section's own prompt, so each section costs one call and passes
verification. The same report is drafted with 10 sections in flight and then one at a time, in
this process; the ratio of the two wall times is the measure.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import yaml

from assistant.drafting import draft_report
from assistant.drafting.outline import OUTLINES_DIR
from assistant.figures import load_figures
from assistant.llm.client import ModelSettings
from assistant.offline import REPO_ROOT
from tests.drafting.test_llm_drafter import slot_writer
from tests.fake_openai import FakeOpenAI, Reply

SEED = REPO_ROOT / "evals" / "cases" / "hengshan-fulian-2023" / "figures.yaml"
SECTIONS = 10
LATENCY_S = 1.0
CONCURRENCY = 10
TARGET_RATIO = 0.25


def ten_section_outline(directory: Path) -> Path:
    """The seed outline cut to its first ten writable sections (containers kept where still needed)."""
    data = yaml.safe_load((OUTLINES_DIR / "seed.yaml").read_text(encoding="utf-8"))
    sections, writable = [], 0
    for section in data["sections"]:
        if section.get("mode") != "container":
            if writable == SECTIONS:
                continue
            writable += 1
        sections.append(section)
    if writable < SECTIONS:
        raise RuntimeError(f"种子提纲只有 {writable} 个可写章节，不足 {SECTIONS} 个")
    data["name"] = "bench-ten-sections"
    data["sections"] = sections
    path = directory / "bench-ten-sections.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _run(fake: FakeOpenAI, figures, outline: Path, concurrency: int, latency: float) -> tuple[float, int, int]:
    """Wall time, model calls and verified model-written sections for one whole report."""
    fake.script(default=lambda request: Reply(content=slot_writer(request), delay=latency))
    before = len(fake.chat_requests)
    settings = ModelSettings(base_url=fake.base_url, model="fake-model", api_key="x", timeout=30, max_retries=0)
    started = time.perf_counter()
    report = draft_report(figures, outline=str(outline), backend="llm", model_settings=settings, concurrency=concurrency)
    elapsed = time.perf_counter() - started
    verified = sum(1 for s in report.sections if s.drafter.startswith("llm:") and s.verified and not s.fallback_reason)
    return elapsed, len(fake.chat_requests) - before, verified


def main() -> int:
    figures = load_figures(SEED)
    with tempfile.TemporaryDirectory() as tmp, FakeOpenAI() as fake:
        outline = ten_section_outline(Path(tmp))
        _run(fake, figures, outline, CONCURRENCY, 0.0)  # warm-up: imports, tokeniser, caches
        concurrent = _run(fake, figures, outline, CONCURRENCY, LATENCY_S)
        sequential = _run(fake, figures, outline, 1, LATENCY_S)
    ratio = concurrent[0] / sequential[0]
    all_verified = concurrent[2] == sequential[2] == SECTIONS
    met = ratio <= TARGET_RATIO and all_verified
    print(f"每次模型调用延迟 {LATENCY_S:g} s，{SECTIONS} 个章节（假 OpenAI 服务，真实客户端）")
    print("| 方式 | 并发数 | 墙钟时间 (s) | 模型调用次数 | 核验通过的章节 |")
    print("|---|---|---|---|---|")
    print(f"| 并发起草 | {CONCURRENCY} | {concurrent[0]:.2f} | {concurrent[1]} | {concurrent[2]}/{SECTIONS} |")
    print(f"| 顺序起草（基线） | 1 | {sequential[0]:.2f} | {sequential[1]} | {sequential[2]}/{SECTIONS} |")
    print()
    print("| 测量 | 比值 | 目标 | 达标 |")
    print("|---|---|---|---|")
    print(f"| 并发 ÷ 顺序 墙钟时间 | {ratio:.3f} | ≤ {TARGET_RATIO} | {'是' if met else '否'} |")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
