"""`make bench`: run every benchmarks/bench_*.py module's main() and print its table.

Speed is measured here, not in timed tests. Pass module names to run a subset:
`python -m benchmarks verify drafting`.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path

from assistant import offline


def main(argv: list[str]) -> int:
    offline.apply()
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    wanted = [f"bench_{a.removeprefix('bench_')}" for a in argv]
    failed = []
    for name in names:
        if wanted and name not in wanted:
            continue
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        try:
            result = importlib.import_module(f"benchmarks.{name}").main()
        except Exception as exc:  # report and go on with the other benchmarks
            print(f"{name} 失败：{exc!r}")
            failed.append(name)
            continue
        if result:  # a benchmark returns non-zero when it misses a target
            failed.append(name)
        print(f"({name}: {time.perf_counter() - started:.1f} s)")
    if failed:
        print(f"\n未达标或失败：{', '.join(failed)}")
    return 1 if failed else 0


raise SystemExit(main(sys.argv[1:]))
