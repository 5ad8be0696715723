"""Mutation benchmark of the number verifier on the seed case (衡山县妇联 2023).

From evals/cases/hengshan-fulian-2023/reference.md and the seed ledger + notes (figures.yaml through
assistant.ledger.calculator), generate mutants of eight classes — digit change, decimal shift, dropped digit,
money-unit change, swap of two figures, percent change, change-word flip, invented figure — and
count a mutant as detected when the verifier flags a figure at the mutated place. Mutation sites are
the figures the verifier extracts (classification is tested separately in tests/verify). Also: false
positives on the untouched reference, and the time to verify a 20,000-character report.

Targets: 100% on digit, decimal, unit and invented; ≥ 95% on swap and change-word; 0 false
positives; < 50 ms for 20,000 characters.

Real text: for each published excerpt in ../shared/real/ and each of our own texts in their style
(evals/real/own-*.txt), with its figures file evals/real/<name>.yaml: figures checked, numerals told
apart as non-figures, and false positives (a correct figure flagged) — target 0 on every one.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from assistant.figures import load_figures
from assistant.ledger.calculator import note_texts
from assistant.scoring import build_scored_ledger
from assistant.offline import REPO_ROOT
from assistant.verify import Verifier, extract_figures
from assistant.verify.lexicon import lexicon
from assistant.verify.sources import CHANGE_WORD_RE

CASE = REPO_ROOT / "evals" / "cases" / "hengshan-fulian-2023"
REAL_CASES = REPO_ROOT / "evals" / "real"
SEED = 20240610
TARGETS = {
    "digit": 1.0,
    "decimal": 1.0,
    "unit": 1.0,
    "invented": 1.0,
    "swap": 0.95,
    "change_word": 0.95,
}
CLASS_NAMES = {
    "digit": "数字改动",
    "decimal": "小数点移位",
    "dropped": "漏掉一位",
    "unit": "金额单位改动",
    "swap": "两数互换",
    "percent": "百分比改动",
    "change_word": "增减词反转",
    "invented": "凭空添加",
}
TIME_TARGET_MS = 50.0
TIMED_CHARS = 20_000


@dataclass(frozen=True)
class Mutant:
    kind: str
    text: str
    spans: tuple[tuple[int, int], ...]  # mutated places, in the mutant's offsets
    note: str
    # Same quantity as the original, so no verifier could object: "0万元"→"0元", or a dropped
    # digit that happens to round the original correctly ("36.78"→"36.8"). Counted, not scored.
    equivalent: bool = False


def _replace(text: str, start: int, end: int, new: str) -> tuple[str, tuple[int, int]]:
    return text[:start] + new + text[end:], (start, start + len(new))


def _number_part(fig) -> tuple[int, int]:
    """Offsets of the Arabic number inside a figure's text (empty for Chinese numerals)."""
    digits = [i for i, ch in enumerate(fig.text) if ch.isdigit() or ch in ".,"]
    if not digits or not fig.text[digits[0]].isdigit():
        return (0, 0)
    first = digits[0]
    last = first
    while last + 1 < len(fig.text) and (fig.text[last + 1].isdigit() or fig.text[last + 1] in ".,"):
        last += 1
    return fig.start + first, fig.start + last + 1


def digit_mutants(text, figures):
    for fig in figures:
        start, end = _number_part(fig)
        for pos in range(start, end):
            ch = text[pos]
            if not ch.isdigit():
                continue
            for new in {str((int(ch) + 1) % 10), str((int(ch) + 9) % 10)}:
                if pos == start and new == "0" and end - start > 1 and text[pos + 1] != ".":
                    continue  # "12" → "02" is not how a number is written
                mutated, span = _replace(text, pos, pos + 1, new)
                yield Mutant("digit", mutated, ((fig.start, fig.end),), f"{fig.text}: {ch}→{new}")


def decimal_mutants(text, figures):
    for fig in figures:
        start, end = _number_part(fig)
        number = text[start:end]
        if not number or "," in number:
            continue
        whole, _, frac = number.partition(".")
        digits = whole + frac
        point = len(whole)
        shifts = []
        if point > 1:
            shifts.append(digits[: point - 1] + "." + digits[point - 1 :])  # ÷10
        if frac:
            left = digits[: point + 1]
            right = digits[point + 1 :]
            shifts.append(left + ("." + right if right else ""))  # ×10
        else:
            shifts.append(digits + "0")  # ×10 for a whole number
        for new in shifts:
            new = new.lstrip("0") or "0"
            if new.startswith("."):
                new = "0" + new
            if Decimal(new) == Decimal(number):
                continue
            mutated, _ = _replace(text, start, end, new)
            delta = len(new) - len(number)
            yield Mutant("decimal", mutated, ((fig.start, fig.end + delta),), f"{number}→{new}")


def dropped_mutants(text, figures):
    for fig in figures:
        start, end = _number_part(fig)
        number = text[start:end]
        if sum(c.isdigit() for c in number) < 2:
            continue
        for i, ch in enumerate(number):
            if not ch.isdigit():
                continue
            new = number[:i] + number[i + 1 :]
            if new.startswith(".") or new.endswith(".") or (len(new) > 1 and new[0] == "0" and new[1] != "."):
                continue
            mutated, _ = _replace(text, start, end, new)
            places = len(new.partition(".")[2])
            rounds_right = Decimal(number).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP) == Decimal(new)
            yield Mutant("dropped", mutated, ((fig.start, fig.end - 1),), f"{number}→{new}", rounds_right)


def unit_mutants(text, figures):
    for fig in figures:
        if fig.unit != "万元":
            continue
        unit_at = fig.start + fig.text.rindex("万元")
        for new in ("元", "亿元", "千元"):
            mutated, _ = _replace(text, unit_at, unit_at + 2, new)
            delta = len(new) - 2
            yield Mutant("unit", mutated, ((fig.start, fig.end + delta),), f"{fig.text}: 万元→{new}", fig.value == 0)


def swap_mutants(text, figures, lex):
    lines = [text.count("\n", 0, f.start) for f in figures]
    for i, a in enumerate(figures):
        partners = 0
        for j in range(i + 1, len(figures)):
            b = figures[j]
            if lines[j] != lines[i] or partners >= 3:
                break
            na, nb = _number_part(a), _number_part(b)
            if na == (0, 0) or nb == (0, 0):
                continue
            if lex.group_of(a.unit) != lex.group_of(b.unit):
                continue
            ta, tb = text[na[0] : na[1]], text[nb[0] : nb[1]]
            if Decimal(ta.replace(",", "")) == Decimal(tb.replace(",", "")):
                continue
            partners += 1
            mutated = text[: na[0]] + tb + text[na[1] : nb[0]] + ta + text[nb[1] :]
            delta = len(tb) - len(ta)
            span_a = (a.start, a.end + delta)
            span_b = (b.start + delta, b.end + delta)
            yield Mutant("swap", mutated, (span_a, span_b), f"{a.text}↔{b.text}")


def percent_mutants(text, figures):
    for fig in figures:
        if fig.unit != "%":
            continue
        start, end = _number_part(fig)
        number = Decimal(text[start:end])
        places = Decimal(1).scaleb(-fig.places)
        for delta in (Decimal(-2), Decimal(-1), Decimal(1), Decimal(2), places, -places):
            new_value = number + delta
            if new_value < 0 or new_value == number:
                continue
            new = f"{new_value:.{fig.places}f}"
            mutated, _ = _replace(text, start, end, new)
            yield Mutant("percent", mutated, ((fig.start, fig.end + len(new) - (end - start)),), f"{text[start:end]}→{new}")


_FLIPS = {1: ("减少", "下降", "降低", "节约", "减少了"), -1: ("增加", "增长", "提高", "上升", "增加了")}


def change_word_mutants(text, figures):
    for fig in figures:
        m = CHANGE_WORD_RE.search(text, max(0, fig.start - 8), fig.start)
        if not m:
            continue
        word = m.group("up") or m.group("down")
        direction = 1 if m.group("up") else -1
        word_start = m.start()
        for new in _FLIPS[direction]:
            mutated, _ = _replace(text, word_start, word_start + len(word), new)
            delta = len(new) - len(word)
            yield Mutant("change_word", mutated, ((fig.start + delta, fig.end + delta),), f"{word}→{new} {fig.text}")


_INVENTED = (
    ("，共惠及群众{n}余人", "人"),
    ("，新建服务站点{n}个", "个"),
    ("，累计投入资金{x}万元", "万元"),
    ("，发放慰问金{x}万元", "万元"),
    ("，群众满意率达{p}%", "%"),
    ("，开展宣传活动{n}场", "场"),
    ("，走访困难家庭{n}户", "户"),
)


def invented_mutants(text, sourced: set[tuple[str, Decimal]], lex, rng, count=200):
    ends = [i for i, ch in enumerate(text) if ch == "。"]
    produced = 0
    while produced < count:
        template, unit = rng.choice(_INVENTED)
        n = rng.randint(3, 480)
        x = Decimal(rng.randint(10, 9999)) / 100
        p = Decimal(rng.randint(5000, 9999)) / 100
        value = {"人": n, "个": n, "场": n, "户": n, "万元": x, "%": p}[unit]
        # A value the user did give (in the ledger or the notes) is no invention.
        if (lex.group_of(unit), Decimal(value)) in sourced:
            continue
        clause = template.format(n=n, x=x, p=p)
        at = rng.choice(ends)
        mutated = text[:at] + clause + text[at:]
        figure_start = at + clause.index(next(c for c in clause if c.isdigit()))
        yield Mutant("invented", mutated, ((figure_start, at + len(clause)),), clause.lstrip("，"))
        produced += 1


def _sourced_values(ledger, notes, lex) -> set[tuple[str, Decimal]]:
    values = set()
    for fact in ledger:
        values.add((lex.group_of(fact.unit), abs(fact.value)))
        values.add((lex.group_of(fact.unit), abs(fact.value).quantize(Decimal("0.01"))))
    for note in notes:
        for fig in extract_figures(note):
            if fig.value is not None:
                values.add((lex.group_of(fig.unit), abs(fig.value)))
    return values


def _detected(report, mutant: Mutant) -> tuple[bool, int]:
    """(flagged at a mutated place, problems elsewhere)."""
    at_place, elsewhere = False, 0
    for finding in report.problems:
        if any(finding.start < end and start < finding.end for start, end in mutant.spans):
            at_place = True
        else:
            elsewhere += 1
    return at_place, elsewhere


def _timed_text(reference: str) -> str:
    lines = []
    size = 0
    while size < TIMED_CHARS:
        for line in reference.splitlines(keepends=True):
            lines.append(line)
            size += len(line)
            if size >= TIMED_CHARS:
                break
    return "".join(lines)[:TIMED_CHARS]


def _real_dir():
    """../shared/real beside the repository (or $ASSISTANT_REAL_DIR); None when absent."""
    import os
    from pathlib import Path

    configured = os.environ.get("ASSISTANT_REAL_DIR", "").strip()
    if configured:
        return Path(configured) if Path(configured).is_dir() else None
    for parent in REPO_ROOT.parents:
        if (parent / "shared" / "real" / "INDEX.md").is_file():
            return parent / "shared" / "real"
    return None


def _real_texts() -> list[tuple[str, str, str]]:
    """(name, kind, text) of every real excerpt with a figures file, then our own real-style texts."""
    found = []
    folder = _real_dir()
    if folder is not None:
        for path in sorted(folder.glob("*.txt")):
            if (REAL_CASES / f"{path.stem}.yaml").is_file():
                first, _, rest = path.read_text(encoding="utf-8").partition("\n")
                found.append((path.stem, "真实节选", rest if first.startswith("# source:") else first + "\n" + rest))
    for path in sorted(REAL_CASES.glob("own-*.txt")):
        found.append((path.stem, "自编仿真", path.read_text(encoding="utf-8")))
    return found


def real_text_table() -> bool:
    """Print figures checked and false positives per real text; True when there are none."""
    rows = _real_texts()
    if not rows:
        print("真实报告节选：目录 ../shared/real/ 不存在，未测。")
        return True
    print("| 文本 | 类别 | 字数 | 核对数字 | 判为非数字 | 误报 | 用时 (ms) |")
    print("|---|---|---|---|---|---|---|")
    total_figures = total_fp = 0
    for name, kind, text in rows:
        figures_model = load_figures(REAL_CASES / f"{name}.yaml")
        verifier = Verifier(build_scored_ledger(figures_model), note_texts(figures_model))
        t0 = time.perf_counter()
        report = verifier.verify(text)
        elapsed = (time.perf_counter() - t0) * 1000
        fp = len(report.problems)  # every figure of these texts is correct: any flag is a false alarm
        total_figures += len(report.findings)
        total_fp += fp
        print(f"| {name} | {kind} | {len(text)} | {len(report.findings)} | {len(report.not_figures)} | {fp} | {elapsed:.1f} |")
    print(f"| 合计（{len(rows)} 篇） | | | {total_figures} | | {total_fp} | |")
    print(f"真实文本误报：{total_fp}（目标 0，{'达标' if total_fp == 0 else '未达标'}）")
    return total_fp == 0


def main() -> int:
    figures_model = load_figures(CASE / "figures.yaml")
    ledger = build_scored_ledger(figures_model)
    notes = note_texts(figures_model)
    reference = (CASE / "reference.md").read_text(encoding="utf-8")
    lex = lexicon()
    started = time.perf_counter()
    verifier = Verifier(ledger, notes)
    index_ms = (time.perf_counter() - started) * 1000

    baseline = verifier.verify(reference)
    false_positives = len(baseline.problems)
    figures = [f for f in extract_figures(reference)]

    rng = random.Random(SEED)
    generators = [
        digit_mutants(reference, figures),
        decimal_mutants(reference, figures),
        dropped_mutants(reference, figures),
        unit_mutants(reference, figures),
        swap_mutants(reference, figures, lex),
        percent_mutants(reference, figures),
        change_word_mutants(reference, figures),
        invented_mutants(reference, _sourced_values(ledger, notes, lex), lex, rng),
    ]
    # per class: mutants scored, detected, problems reported elsewhere, equivalent mutants (not scored)
    totals: dict[str, list[int]] = {kind: [0, 0, 0, 0] for kind in CLASS_NAMES}
    missed: dict[str, list[str]] = {kind: [] for kind in CLASS_NAMES}
    for generator in generators:
        for mutant in generator:
            row = totals[mutant.kind]
            if mutant.equivalent:
                row[3] += 1
                continue
            report = verifier.verify(mutant.text)
            found, noise = _detected(report, mutant)
            row[0] += 1
            row[1] += found
            row[2] += noise
            if not found:
                missed[mutant.kind].append(mutant.note)

    print(f"种子报告 {len(reference)} 字，{len(figures)} 处数字；账目 {len(ledger)} 项，工作记录 {len(notes)} 条；建索引 {index_ms:.1f} ms")
    print()
    print("| 变异类别 | 变异数 | 检出数 | 检出率 | 目标 | 达标 | 其他位置报错 | 等价变异（不计） |")
    print("|---|---|---|---|---|---|---|---|")
    ok = True
    grand = 0
    for kind, (count, found, noise, equivalent) in totals.items():
        grand += count
        rate = found / count if count else 0.0
        target = TARGETS.get(kind)
        met = target is None or rate >= target
        ok &= met
        target_text = f"≥ {target:.0%}" if target else "—"
        print(
            f"| {CLASS_NAMES[kind]} | {count} | {found} | {rate:.1%} | {target_text} | {'是' if met else '否'} | {noise} | {equivalent} |"
        )
    print(f"| 合计 | {grand} | {sum(r[1] for r in totals.values())} | | | | | {sum(r[3] for r in totals.values())} |")
    print()
    fp_ok = false_positives == 0
    ok &= fp_ok
    print(f"原文误报：{false_positives}（目标 0，{'达标' if fp_ok else '未达标'}）")
    for kind, notes_missed in missed.items():
        if notes_missed:
            shown = "；".join(notes_missed[:8])
            print(f"  未检出（{CLASS_NAMES[kind]}，前 8 个）：{shown}")

    timed = _timed_text(reference)
    verifier.verify(timed)  # warm-up
    runs = []
    for _ in range(30):
        t0 = time.perf_counter()
        verifier.verify(timed)
        runs.append((time.perf_counter() - t0) * 1000)
    extract_runs = []
    for _ in range(30):
        t0 = time.perf_counter()
        extract_figures(timed)
        extract_runs.append((time.perf_counter() - t0) * 1000)
    median = statistics.median(runs)
    time_ok = median < TIME_TARGET_MS
    ok &= time_ok
    big = timed * 50
    t0 = time.perf_counter()
    verifier.verify(big)
    big_s = time.perf_counter() - t0
    print()
    print("| 测量 | 中位数 (ms) | 最大 (ms) | 目标 (ms) | 达标 |")
    print("|---|---|---|---|---|")
    print(f"| 核对 {len(timed):,} 字（已建索引） | {median:.1f} | {max(runs):.1f} | < {TIME_TARGET_MS:.0f} | {'是' if time_ok else '否'} |")
    print(f"| 其中仅抽取数字（同一文本） | {statistics.median(extract_runs):.1f} | {max(extract_runs):.1f} | — | — |")
    print(f"| 核对 {len(big):,} 字（1 MB 级） | {big_s * 1000:.0f} | — | — | — |")
    print()
    ok &= real_text_table()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
