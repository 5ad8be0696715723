"""Generated hostile inputs for the figures readers (YAML and Excel) and the oracle they must meet.

Used by the fuzz tests (a bounded number of cases) and by benchmarks/bench_fuzz.py (more, with
counts). The oracle: a reader returns, or raises FiguresError whose messages are non-empty,
Chinese and free of PyYAML's, pydantic's or openpyxl's English; anything else is a traceback, and
an input that takes longer than its budget is a hang.
"""

from __future__ import annotations

import io
import random
import re
import signal
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from assistant.figures.yaml_io import FiguresError

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "evals" / "cases" / "hengshan-fulian-2023" / "figures.yaml"
SMALL = ROOT / "tests" / "data" / "figures_small.yaml"

# Latin words a Chinese message may carry: names of formats and tools, YAML literals, coordinates.
ALLOWED_LATIN = {"YAML", "UTF", "Excel", "true", "false", "xlsx", "xlsm", "yaml", "WPS", "python", "assistant", "excel", "template", "import", "GBK", "SUM", "meta"}
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{4,}")
_QUOTED = re.compile(r"“[^”]*”|‘[^’]*’")


class Hang(Exception):
    pass


@dataclass
class Tally:
    tried: int = 0
    accepted: int = 0
    clean_messages: int = 0
    tracebacks: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    hangs: list[str] = field(default_factory=list)
    slowest: float = 0.0

    def add(self, other: "Tally") -> None:
        self.tried += other.tried
        self.accepted += other.accepted
        self.clean_messages += other.clean_messages
        self.tracebacks += other.tracebacks
        self.leaks += other.leaks
        self.hangs += other.hangs
        self.slowest = max(self.slowest, other.slowest)

    @property
    def ok(self) -> bool:
        return not (self.tracebacks or self.leaks or self.hangs)


def message_problem(message: str, typed: str = "") -> str | None:
    """Why a message is not a clean Chinese message, or None. Words the input itself contains
    may be quoted back (the user's own text)."""
    if not message or not _CJK.search(message):
        return "没有中文"
    unquoted = _QUOTED.sub("", message)  # what the user typed is shown back in “…”
    for word in _LATIN_WORD.findall(unquoted):
        if word not in ALLOWED_LATIN and word not in typed:
            return f"英文：{word}"
    return None


def _alarm(_signum, _frame):
    raise Hang()


def check(reader: Callable[[Any], Any], case: Any, label: str, typed: str = "", budget: float = 10.0) -> Tally:
    """Run one input through `reader` under the oracle; SIGALRM bounds its time (main thread)."""
    tally = Tally(tried=1)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, budget)
    started = time.perf_counter()
    try:
        reader(case)
        tally.accepted = 1
    except FiguresError as exc:
        bad = [m for m in exc.messages if message_problem(m, typed)]
        if exc.messages and not bad:
            tally.clean_messages = 1
        else:
            tally.leaks.append(f"{label}: {bad[:1] or '没有消息'}")
    except Hang:
        tally.hangs.append(label)
    except Exception as exc:  # the point of the oracle: nothing else may escape
        tally.tracebacks.append(f"{label}: {type(exc).__name__}: {str(exc)[:200]}")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        tally.slowest = time.perf_counter() - started
    return tally


# --- YAML -------------------------------------------------------------------------------------------

HOSTILE_SNIPPETS = (
    "&a [1, 2]", "*a", "!!python/object/apply:os.system ['echo']", "1:30", "0x1F", "0o17", "1e999999999",
    "1e-999999999", "9" * 5000, "2024-13-45", "2024-02-30", ".inf", "-.nan", "'unclosed", '"bad \\q"',
    "[" * 1000, "{a: " * 300, "\t", "\x07", "\x00", "\ufeff", "\u202e", "？：", "- - - -", "? complex", "<<: {a: 1}",
    "%YAML 1.1", "---", "...", "|", ">-", "@x", "`y`", "~", "null", "yes", "on", "八十", "１２．５", "1,234.50",
    "\ud7ff", "𠀀", "é" * 50, "a: b: c", "{", "}", "]", "#", "!", "&", "*", "%",
)


def yaml_mutants(rng: random.Random, count: int) -> Iterator[tuple[str, bytes]]:
    """(label, file bytes) from the seed files by flips, cuts, duplicated lines and hostile snippets."""
    sources = [SEED.read_bytes(), SMALL.read_bytes()]
    for i in range(count):
        raw = bytearray(rng.choice(sources))
        kind = rng.choice(("flip", "cut", "snippet", "snippet", "duplicate", "swap", "indent", "encode"))
        if kind == "flip":
            for _ in range(rng.randint(1, 3)):
                position = rng.randrange(len(raw))
                raw[position] ^= 1 << rng.randrange(8)
        elif kind == "cut":
            raw = raw[: rng.randrange(len(raw))]
        elif kind == "snippet":
            lines = raw.decode("utf-8").splitlines(keepends=True)
            at = rng.randrange(len(lines))
            line = lines[at]
            snippet = rng.choice(HOSTILE_SNIPPETS)
            if ": " in line and rng.random() < 0.7:
                key = line.split(": ", 1)[0]
                lines[at] = f"{key}: {snippet}\n"
            else:
                lines.insert(at, snippet + "\n")
            raw = bytearray("".join(lines).encode("utf-8", errors="surrogatepass"))
        elif kind == "duplicate":
            lines = raw.split(b"\n")
            at = rng.randrange(len(lines))
            lines.insert(at, lines[rng.randrange(len(lines))])
            raw = bytearray(b"\n".join(lines))
        elif kind == "swap":
            lines = raw.split(b"\n")
            a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[a], lines[b] = lines[b], lines[a]
            raw = bytearray(b"\n".join(lines))
        elif kind == "indent":
            lines = raw.split(b"\n")
            at = rng.randrange(len(lines))
            lines[at] = b" " * rng.randint(1, 3) + lines[at] if rng.random() < 0.5 else lines[at].lstrip()
            raw = bytearray(b"\n".join(lines))
        else:
            text = raw.decode("utf-8")
            raw = bytearray(text.encode(rng.choice(("gb18030", "utf-16", "utf-8-sig")), errors="replace"))
        yield f"yaml#{i}:{kind}", bytes(raw)


def billion_laughs() -> bytes:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(8):
        prev, name = chr(97 + i), chr(98 + i)
        lines.append(f"{name}: &{name} [" + ",".join(f"*{prev}" for _ in range(9)) + "]")
    return ("\n".join(lines) + "\n").encode()


def special_yaml() -> Iterator[tuple[str, bytes]]:
    """The named hostile files of issue 16."""
    head = "meta:\n  unit_name: 测试单位\n  year: 2023\n"
    yield "billion-laughs", billion_laughs()
    yield "nest-1000-flow", ("x: " + "[" * 1000 + "]" * 1000 + "\n").encode()
    yield "nest-1000-block", ("".join("  " * i + f"k{i}:\n" for i in range(1000)) + "  " * 1000 + "v\n").encode()
    yield "digits-5000", (head + "final:\n  income:\n    total: " + "7" * 5000 + "\n").encode()
    yield "exp-huge", (head + "final:\n  income:\n    total: 1e999999999\n").encode()
    yield "exp-tiny", (head + "final:\n  income:\n    total: 1e-999999999\n").encode()
    yield "date-13-45", (head + "  report_date: 2024-13-45\n").encode()
    yield "date-02-30", (head + "  report_date: 2024-02-30\n").encode()
    yield "duties-10mb", (head + "duties:\n" + "- 负责全县妇女儿童工作\n" * 400_000).encode()
    yield "one-long-duty", (head + "duties:\n- " + "职" * 200_000 + "\n").encode()
    yield "control-in-note", (head + 'problems:\n- "预算\\x07执行\\x1b偏慢"\n').encode()
    yield "duplicate-key", (head + "meta:\n  unit_name: 另一单位\n").encode()


def load_yaml_bytes(raw: bytes) -> Any:
    from assistant.figures.yaml_io import decode_bytes, figures_from_yaml_text

    return figures_from_yaml_text(decode_bytes(raw))


# --- Excel ------------------------------------------------------------------------------------------

CELL_VALUES: tuple[Any, ...] = (
    "八十", "十二人", "1:30", "0x1F", "=SUM(A1:A3)", "=1/0", "#DIV/0!", "", " ", None, 0, -1, 1e308, -1e-308, 3.14159,
    True, "是", "否", "也许", "2024-02-30", "2024年13月1日", "≥", "大约", "x" * 40000, "1e999999999",
    "１２．５", "1,234.50", "50%", "=HYPERLINK(\"http://127.0.0.1/\")", 10**30,
)


def _seed_workbook_bytes() -> bytes:
    from assistant.figures import load_figures
    from assistant.figures.excel_io import excel_bytes

    return excel_bytes(load_figures(SEED))


def excel_mutants(rng: random.Random, count: int) -> Iterator[tuple[str, bytes]]:
    """(label, .xlsx bytes): random cell edits, deleted rows/columns, damaged marks, renamed and
    extra sheets, flipped or cut package bytes."""
    from openpyxl import load_workbook

    base = _seed_workbook_bytes()
    for i in range(count):
        kind = rng.choice(("cells", "cells", "structure", "marks", "package"))
        if kind == "package":
            raw = bytearray(base)
            if rng.random() < 0.5:
                raw = raw[: rng.randrange(len(raw))]
            else:
                for _ in range(rng.randint(1, 20)):
                    raw[rng.randrange(len(raw))] = rng.randrange(256)
            yield f"xlsx#{i}:package", bytes(raw)
            continue
        wb = load_workbook(io.BytesIO(base))
        sheets = wb.worksheets[1:]
        for _ in range(rng.randint(1, 6)):
            ws = rng.choice(sheets)
            if kind == "cells":
                cell = ws.cell(rng.randint(2, max(3, ws.max_row + 2)), rng.randint(1, max(2, ws.max_column + 1)))
                cell.value = rng.choice(CELL_VALUES)
            elif kind == "structure":
                action = rng.choice(("delete_row", "delete_col", "insert_row", "insert_col", "rename", "extra"))
                if action == "delete_row":
                    ws.delete_rows(rng.randint(1, max(1, ws.max_row)))
                elif action == "delete_col":
                    ws.delete_cols(rng.randint(1, max(1, ws.max_column)))
                elif action == "insert_row":
                    ws.insert_rows(rng.randint(1, max(1, ws.max_row)))
                elif action == "insert_col":
                    ws.insert_cols(rng.randint(1, max(1, ws.max_column)))
                elif action == "rename":
                    ws.title = f"表{rng.randint(1, 999)}"
                else:
                    wb.create_sheet(f"附加{rng.randint(1, 999)}")["B2"] = rng.choice(("备注", 12, "八十"))
            else:
                target = rng.choice(("A1", "row1", "colA", "header"))
                if target == "A1":
                    ws["A1"] = rng.choice((None, "jixiao:bogus", "jixiao:cells", "乱码"))
                elif target == "row1":
                    for cell in ws[1]:
                        cell.value = rng.choice((None, "乱码", cell.value))
                elif target == "colA":
                    for row in ws.iter_rows(min_col=1, max_col=1):
                        row[0].value = rng.choice((None, "乱码", row[0].value))
                else:
                    for cell in ws[2]:
                        cell.value = rng.choice((None, "改名", cell.value))
        out = io.BytesIO()
        wb.save(out)
        yield f"xlsx#{i}:{kind}", out.getvalue()


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        with package.open("xl/worksheets/sheet1.xml", "w") as entry:
            block = b"<row>" + b"0" * (1024 * 1024) + b"</row>"
            for _ in range(64):
                entry.write(block)
    return out.getvalue()


def read_excel_bytes(raw: bytes) -> Any:
    """Both readers: the forgiving one must list problems cleanly, the strict one raise cleanly."""
    from assistant.figures.excel_io import read_excel

    result = read_excel(raw)
    bad = [m for m in result.messages() + result.notices if message_problem(m)]
    if bad:
        raise FiguresError(bad)  # reported by the oracle as a leak
    if result.problems:
        raise FiguresError(result.messages())
    return result
