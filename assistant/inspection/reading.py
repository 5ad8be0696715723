"""Read a report for 体检 through the verifier's document reader (.docx paragraphs and tables, .pdf
text layer, .md, .txt; size and damaged-file checks of the corpus loaders), and list a folder."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.inspection.model import ReportUnreadable  # re-exported for callers
from assistant.verify.documents import SUFFIXES, Document, DocumentError, read_document


def read_report(path: str | Path) -> Document:
    try:
        return read_document(path)
    except DocumentError as exc:
        raise ReportUnreadable(str(exc)) from None
    except (OSError, ValueError) as exc:  # a reader slipping a low-level error: still the file's fault
        raise ReportUnreadable(f"{path}：无法读取（{exc}）。") from None


def expand(paths: list[str]) -> tuple[list[Path], list[str]]:
    """Files to inspect: each file given, and the reports inside each folder given (sorted,
    recursively). Returns the files and the Chinese messages for paths that are neither."""
    files: list[Path] = []
    problems: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith((".", "~$")))
            if not found:
                problems.append(f"{path}：文件夹中没有可体检的报告（支持 {'、'.join(SUFFIXES)}）。")
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            problems.append(f"{path}：文件不存在。")
    return files, problems


# A PDF's text layer breaks lines where the page did (“…2.85 万\n元，…”). A line that is long, does
# not end a sentence or a heading, and is followed by a line that starts no new item, continues.
_ENDS_SENTENCE = re.compile(r"[。！？!?：:；;|]\s*$")
_STARTS_ITEM = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．](?!\d)|第[一二三四五六七八九十\d]+|附件|[#|])")
WRAPPED_LINE_CHARS = 15


def unwrap_lines(text: str) -> tuple[str, list[int]]:
    """The text with wrapped lines joined, and for each resulting line the original line number."""
    lines = text.split("\n")
    out: list[str] = []
    origin: list[int] = []
    joining = False
    for number, line in enumerate(lines, 1):
        if joining and line.strip() and not _STARTS_ITEM.match(line):
            out[-1] = out[-1].rstrip() + line.strip()
        else:
            out.append(line)
            origin.append(number)
        current = out[-1]
        joining = len(current.strip()) >= WRAPPED_LINE_CHARS and not _ENDS_SENTENCE.search(current)
    return "\n".join(out), origin
