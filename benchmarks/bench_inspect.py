"""体检 benchmark: reports per second and planted-error detection per kind, false alarms on consistent
reports.

Reports: the real excerpts in ../shared/real/ (two carry a known inconsistency, the others none),
the project's own reference reports (evals/cases/*/reference.md, consistent), and 240 generated
reports (assistant.inspection.synthetic): a third consistent, the rest with one planted error of
each kind (shares not adding to 100, parts missing their total by a few hundredths, a difference off
by 0.01 with its rate, a truncated share, 自评表 weights not adding to 100, a zero total row). All
are written to files and read back through `inspect_path`, as the CLI does.

A planted error counts as detected when a finding of its kind is reported at its line. Targets:
≥ 20 reports/s (one process; the machine has 2 cores), every kind detected 100%, 0 false alarms.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from pathlib import Path

from assistant.inspection import inspect_path
from assistant.inspection.synthetic import KIND_ZH, KINDS, corpus
from assistant.offline import REPO_ROOT

GENERATED = 240
TARGET_PER_SECOND = 20.0
REAL = (REPO_ROOT / ".." / "shared" / "real").resolve()
KNOWN = {"hengshan-guantang-2023.txt": {"executed_vs_spending"}, "zhongjiang-shuili-2022-xiangmu.txt": {"weights_sum"}}


def main() -> int:
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        samples = corpus(GENERATED)
        planted: dict[Path, object] = {}
        for i, sample in enumerate(samples):
            path = folder / f"gen{i:03d}.txt"
            path.write_text(sample.text, encoding="utf-8")
            planted[path] = sample
        real = sorted(REAL.glob("*.txt")) if REAL.exists() else []
        own = sorted((REPO_ROOT / "evals" / "cases").glob("*/reference.md"))
        files = [*real, *own, *planted]

        started = time.perf_counter()
        reports = {path: inspect_path(path) for path in files}
        elapsed = time.perf_counter() - started

    rate = len(files) / elapsed
    print(f"报告 {len(files)} 份（真实摘录 {len(real)}，本项目参考报告 {len(own)}，生成 {len(planted)}），"
          f"用时 {elapsed:.2f} s，{rate:.0f} 份/秒（目标 ≥ {TARGET_PER_SECOND:.0f}）")
    failed |= rate < TARGET_PER_SECOND

    found, total = Counter(), Counter()
    false_alarms: list[str] = []
    for path, sample in planted.items():
        report = reports[path]
        if sample.kind is None:
            if report.findings:
                false_alarms.append(f"{path.name}: {report.findings[0].message}")
            continue
        total[sample.kind] += 1
        if any(f.rule in sample.rules and f.place.line == sample.line for f in report.findings):
            found[sample.kind] += 1
    print(f"{'错误类型':<24}{'埋入':>6}{'检出':>6}{'检出率':>9}")
    for kind in KINDS:
        share = found[kind] / total[kind] if total[kind] else 0.0
        print(f"{KIND_ZH[kind]:<24}{total[kind]:>6}{found[kind]:>6}{share:>9.0%}")
        failed |= share < 1.0

    for path in real:
        report = reports[path]
        expected = KNOWN.get(path.name, set())
        got = {f.rule for f in report.errors}
        if expected:
            status = "检出" if expected <= got else "漏检"
            failed |= not expected <= got
            print(f"真实摘录 {path.name}：已知不一致 {status}（{'、'.join(sorted(got)) or '无'}）")
        elif report.findings:
            false_alarms.append(f"{path.name}: {report.findings[0].message}")
    for path in own:
        if reports[path].findings:
            false_alarms.append(f"{path.parent.name}: {reports[path].findings[0].message}")
    consistent = sum(1 for s in planted.values() if s.kind is None) + len(own) + len(real) - len(KNOWN)
    checked = sum(len(r.checked) for r in reports.values())
    unchecked = sum(len(r.unchecked) for r in reports.values())
    print(f"一致的报告 {consistent} 份，误报 {len(false_alarms)} 处（目标 0）；共核算关系 {checked} 处，未能核对 {unchecked} 处")
    for line in false_alarms[:10]:
        print(f"  误报：{line}")
    failed |= bool(false_alarms)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
