"""Fuzzing every reader at scale (issue 16.8): generated hostile YAML and Excel figures files,
and damaged documents of every kind the corpus loaders read (.txt .md .docx .xlsx .pdf).

Inputs: the named hostile files of issue 16 (billion laughs, 1,000-level nesting, 5,000 digits,
1e±999999999, impossible dates, a 10 MB duties list …), mutants of the seed files (flipped bytes,
cuts, hostile snippets, duplicated and swapped lines, other encodings), mutated workbooks (cell
edits, deleted/inserted rows and columns, damaged marks, renamed and extra sheets, damaged
packages) and a zip bomb. Each input runs under a time budget through the reader the CLI and the
app share. Printed: inputs tried, accepted, clean Chinese refusals, tracebacks (target 0),
messages with English (target 0), hangs (target 0), the slowest input and the peak memory of the
process. The corpus row comes from `tests.corpus.fuzz_inputs.run_corpus_fuzz`: there a message
without Chinese counts as a traceback, and its parsers run in budgeted child processes (their
memory is capped per file, not part of this process's peak). Returns 1 when a target is missed.
"""

from __future__ import annotations

import random
import resource
import time

from assistant.corpus.sandbox import memory_budget_mb, time_budget
from tests.fuzz.harness import (
    Tally,
    check,
    excel_mutants,
    load_yaml_bytes,
    read_excel_bytes,
    special_yaml,
    yaml_mutants,
    zip_bomb,
)

YAML_MUTANTS = 2000
EXCEL_MUTANTS = 100
CORPUS_PER_KIND = 60  # × 5 kinds of document
SEED = 20261201


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def _row(name: str, tally: Tally, seconds: float, timed: bool = True) -> str:
    slowest = f"{tally.slowest * 1000:>10.0f}" if timed else f"{'–':>10}"
    return (
        f"{name:<14}{tally.tried:>7}{tally.accepted:>7}{tally.clean_messages:>9}{len(tally.tracebacks):>9}"
        f"{len(tally.leaks):>8}{len(tally.hangs):>6}{slowest}{seconds:>9.1f}"
    )


def _corpus_tally(per_kind: int) -> tuple[Tally, float]:
    """The corpus loaders' fuzz run as a row of this table."""
    from tests.corpus.fuzz_inputs import run_corpus_fuzz

    counts = run_corpus_fuzz(per_kind)
    failures = list(counts["failures"])
    hangs = [f for f in failures if ": hang: " in f]
    tracebacks = [f for f in failures if ": hang: " not in f]
    # The runner's own counts are the truth; the lists only carry the details to print.
    assert len(hangs) == counts["hangs"] and len(tracebacks) == counts["tracebacks"], counts
    tally = Tally(
        tried=int(counts["tried"]),
        accepted=int(counts["loaded"]),
        clean_messages=int(counts["clean_messages"]),
        tracebacks=tracebacks,
        hangs=hangs,
    )
    return tally, float(counts["seconds"])


def main() -> int:
    rng = random.Random(SEED)
    groups = {}
    started_all = time.perf_counter()

    def run(name, cases, reader, budget, typed=False):
        tally, started = Tally(), time.perf_counter()
        for label, raw in cases:
            text = raw.decode("utf-8", "ignore") if typed else ""
            tally.add(check(reader, raw, label, typed=text, budget=budget))
        groups[name] = (tally, time.perf_counter() - started)

    run("YAML 命名用例", special_yaml(), load_yaml_bytes, 10, typed=True)
    run("YAML 变异", yaml_mutants(rng, YAML_MUTANTS), load_yaml_bytes, 10, typed=True)
    run("Excel 变异", excel_mutants(rng, EXCEL_MUTANTS), read_excel_bytes, 20)
    run("Excel 压缩炸弹", [("zip-bomb", zip_bomb())], read_excel_bytes, 10)
    groups["资料库 5 类文件"] = _corpus_tally(CORPUS_PER_KIND)

    print(f"{'输入':<14}{'尝试':>7}{'接受':>7}{'中文拒绝':>9}{'回溯':>9}{'英文':>8}{'卡死':>6}{'最慢ms':>10}{'用时s':>9}")
    total = Tally()
    for name, (tally, seconds) in groups.items():
        print(_row(name, tally, seconds, timed=not name.startswith("资料库")))
        total.add(tally)
    print(_row("合计", total, time.perf_counter() - started_all))
    print(f"进程内存峰值：{_peak_mb():.0f} MB")
    print(f"资料库文件在子进程中解析，每个文件的内存上限 {memory_budget_mb():.0f} MB、时间上限 {time_budget():.0f} 秒（不计入上面的峰值）")
    for kind, items in (("回溯", total.tracebacks), ("英文消息", total.leaks), ("卡死", total.hangs)):
        for item in items[:10]:
            print(f"  {kind}：{item}")
    ok = total.ok
    print("目标：回溯 0、英文消息 0、卡死 0 —— " + ("达标" if ok else "未达标"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
