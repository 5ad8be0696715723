"""Generated hostile inputs for every corpus loader, and a counting runner.

`mutants(kind, rng)` yields bytes for .txt/.md/.docx/.xlsx/.pdf: valid files damaged in the ways
real files are (bytes flipped, truncated, parts inside the ZIP rewritten with broken XML, huge or
nested elements, wrong encodings, control characters) and plain noise. `run_corpus_fuzz(n)` feeds
them to `load_bytes` and counts the outcomes; the tests assert there is no traceback and no hang,
and a benchmark can print the counts (inputs tried, clean messages, tracebacks, hangs, peak memory).
"""

from __future__ import annotations

import io
import random
import resource
import time
import traceback
import zipfile
from typing import Iterator

KINDS = (".txt", ".md", ".docx", ".xlsx", ".pdf")

_TEXT = "2023年度部门整体支出绩效自评报告\n一、基本情况\n“三公”经费预算数1.20万元，决算数0.85万元，执行率70.83%。\n"


def _docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("一、部门基本情况", level=1)
    document.add_paragraph("预算执行率为98.5%。")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "项目"
    table.cell(1, 1).text = "1.20"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _xlsx() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "基础数据"
    for row in (["项目", "预算数", "决算数"], ["三公经费", 1.2, 0.85], ["合计", "=B2", None]):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _pdf() -> bytes:
    from tests.corpus.conftest import make_text_pdf

    return make_text_pdf(["Budget execution 98.5%", "Three public 0.85"])


_SEEDS: dict[str, bytes] = {}


def seed(kind: str) -> bytes:
    if kind not in _SEEDS:
        _SEEDS[kind] = {".docx": _docx, ".xlsx": _xlsx, ".pdf": _pdf}.get(kind, lambda: _TEXT.encode("utf-8"))()
    return _SEEDS[kind]


_BAD_XML = (
    b"",
    b"<",
    b"<?xml version='1.0'?><a>" + b"<b>" * 3000 + b"</a>",
    b"<!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>]><x>&b;</x>",
    b"\xff\xfe\x00<\x00w",
    b"<w:document xmlns:w='http://schemas.openxmlformats.org/wordprocessingml/2006/main'><w:body><w:p><w:r><w:t>"
    + "预算".encode() * 50_000 + b"</w:t></w:r></w:p></w:body></w:document>",
    b"<worksheet xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'><sheetData><row r='1048577'>"
    b"<c r='XFE1' t='s'><v>999999</v></c></row></sheetData></worksheet>",
)


def _flip(data: bytes, rng: random.Random, count: int) -> bytes:
    out = bytearray(data)
    for _ in range(count):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def _rezip(data: bytes, rng: random.Random) -> bytes:
    """The same archive with one part rewritten: broken XML, a flipped byte, or emptied."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    victim = rng.choice(names)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            body = source.read(name)
            if name == victim:
                choice = rng.randrange(3)
                body = rng.choice(_BAD_XML) if choice == 0 else (_flip(body, rng, rng.randint(1, 8)) if choice == 1 else b"")
            target.writestr(name, body)
    return out.getvalue()


def _text_variant(rng: random.Random) -> bytes:
    alphabet = _TEXT + "\x00\x01\x07\x1b\ufeff\u202e\ud7ff\U0001f600 \t\r"
    text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400)))
    encoding = rng.choice(("utf-8", "gb18030", "utf-16", "utf-16-le", "big5", "latin-1"))
    try:
        return text.encode(encoding, errors="replace")
    except (UnicodeError, LookupError):
        return text.encode("utf-8", errors="replace")


def mutant(kind: str, rng: random.Random) -> bytes:
    """One hostile input for a loader of `kind`."""
    original = seed(kind)
    choice = rng.randrange(5)
    if choice == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 2048)))  # noise
    if choice == 1:
        return original[: rng.randrange(len(original) + 1)]  # truncated
    if choice == 2:
        return _flip(original, rng, rng.randint(1, 20))
    if kind in (".docx", ".xlsx"):
        return _rezip(original, rng)
    if kind == ".pdf":
        cut = rng.randrange(len(original))
        return original[:cut] + rng.choice((b"<<" * 500, b"[" * 2000, b"999999999 0 R", b"stream\n")) + original[cut:]
    return _text_variant(rng)


def mutants(kind: str, rng: random.Random) -> Iterator[bytes]:
    while True:
        yield mutant(kind, rng)


def run_corpus_fuzz(per_kind: int = 50, seed_value: int = 16) -> dict[str, float]:
    """Feed `per_kind` inputs to each loader; count clean messages, tracebacks (any exception other
    than LoadError, or a non-Chinese message) and hangs (over the time budget)."""
    from assistant.corpus.chunking import chunk_text
    from assistant.corpus.loaders import LoadError, load_bytes

    rng = random.Random(seed_value)
    counts = {"tried": 0, "loaded": 0, "clean_messages": 0, "tracebacks": 0, "hangs": 0}
    failures: list[str] = []
    started = time.perf_counter()
    for kind in KINDS:
        for _ in range(per_kind):
            data = mutant(kind, rng)
            counts["tried"] += 1
            try:
                document = load_bytes(f"fuzz{kind}", data)
                chunk_text(document.text)
                counts["loaded"] += 1
            except LoadError as error:
                if "超时" in str(error):
                    counts["hangs"] += 1
                    failures.append(f"{kind}: hang: {error}")
                elif any("\u4e00" <= ch <= "\u9fff" for ch in str(error)):
                    counts["clean_messages"] += 1
                else:
                    counts["tracebacks"] += 1
                    failures.append(f"{kind}: message not Chinese: {error}")
            except Exception:  # what the fuzz is for: any of these is a bug
                counts["tracebacks"] += 1
                failures.append(f"{kind}: {traceback.format_exc(limit=3)}")
    counts["seconds"] = round(time.perf_counter() - started, 1)
    # This process only: the parsers run in children of the fork server, each capped by its budget.
    counts["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    counts["failures"] = failures  # type: ignore[assignment]
    return counts
