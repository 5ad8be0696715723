"""Split a document into retrieval chunks that follow its structure.

Order of cuts: heading sections (一、 （一） 1. 1、 （1） (1), Markdown #, 第X章), then paragraphs,
then sentences (。；！？), then — only for a sentence longer than a chunk — clauses (，、) or a hard
cut that never falls inside a number. Chunks aim at `target` characters (300–500 by default) with a
small overlap of one short sentence between neighbours in the same section. A heading is never the
last thing in a chunk: it always travels with its first sentence, and headings with no text of their
own (a title followed directly by a sub-title) are carried into the next chunk.

Every chunk is a slice of the text: `text == source[start:end]`, and carries its heading path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CN_NUM = "一二三四五六七八九十百零〇"
# (style, canonical level, pattern). Levels order the official numbering 一、 > （一） > 1. > （1）;
# the style tells siblings apart in documents that mix numbering schemes.
_HEADING_PATTERNS = (
    ("chapter", 1, re.compile(rf"^第([{CN_NUM}\d]+)[章编]")),
    ("cn", 1, re.compile(rf"^([{CN_NUM}]+)\s*[、．.]")),
    ("section", 2, re.compile(rf"^第([{CN_NUM}\d]+)节")),
    ("cn_paren", 2, re.compile(rf"^[（(]\s*([{CN_NUM}]+)\s*[）)]")),
    ("arabic", 3, re.compile(r"^(\d{1,2})\s*(?:、|[.．](?!\d))")),
    ("arabic_paren", 4, re.compile(r"^[（(]\s*(\d{1,2})\s*[）)]")),
)
_TOP_STYLES = ("chapter", "cn")
_MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+\S")
# A heading line is short; a longer numbered paragraph is a heading only through its first sentence.
MAX_HEADING_CHARS = 40
SENTENCE_END = "。；！？!?;"
_CLOSERS = "”’」』）)】》\"'"


@dataclass
class Chunk:
    text: str
    start: int
    end: int
    headings: list[str] = field(default_factory=list)
    index: int = 0

    @property
    def heading(self) -> str:
        return " > ".join(self.headings)


@dataclass
class _Unit:
    start: int
    end: int
    is_heading: bool = False


def heading_level(line: str) -> int | None:
    """The outline level of a line that starts with a heading marker, else None."""
    stripped = line.strip()
    markdown = _MARKDOWN_HEADING.match(stripped)
    if markdown:
        return len(markdown.group(1))
    for _style, level, pattern in _HEADING_PATTERNS:
        if pattern.match(stripped):
            return level
    return None


def _cn_number(token: str) -> int:
    if token.isdigit():
        return int(token)
    digits = {ch: i for i, ch in enumerate("零一二三四五六七八九")}
    digits["〇"] = 0
    if "百" in token:
        head, _, rest = token.partition("百")
        return (digits.get(head, 1) if head else 1) * 100 + (_cn_number(rest) if rest else 0)
    if "十" in token:
        head, _, rest = token.partition("十")
        return (digits.get(head, 1) if head else 1) * 10 + (digits.get(rest, 0) if rest else 0)
    return digits.get(token, 0)


def _marker(line: str) -> tuple[str, int, int] | None:
    """(style, canonical level, number) of a numbered heading line, else None."""
    for style, level, pattern in _HEADING_PATTERNS:
        match = pattern.match(line)
        if match:
            return style, level, _cn_number(match.group(1))
    return None


def _heading_text(line: str) -> str | None:
    """The text a heading line contributes to the path: the whole line if it is short and not a
    sentence, or the first sentence of a numbered paragraph if that sentence is short and ends with
    。！？ and more text follows; None for a numbered list item ("（3）加强…；…").
    """
    stripped = line.strip()
    if _MARKDOWN_HEADING.match(stripped):
        return stripped.lstrip("#").strip()
    if len(stripped) <= MAX_HEADING_CHARS and not any(p in stripped for p in SENTENCE_END):
        return stripped
    first = _first_sentence_end(stripped, 0)
    if first is not None and first <= MAX_HEADING_CHARS and first < len(stripped):
        if stripped[:first].rstrip(_CLOSERS)[-1:] in "。！？":
            return stripped[:first].rstrip(_CLOSERS).rstrip("。！？")
    return None


def _first_sentence_end(text: str, start: int) -> int | None:
    for i in range(start, len(text)):
        if text[i] in SENTENCE_END:
            end = i + 1
            while end < len(text) and text[end] in _CLOSERS:
                end += 1
            return end
    return None


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of text[start:end] (the last may lack an end mark)."""
    spans, cursor = [], start
    while cursor < end:
        stop = _first_sentence_end(text[:end], cursor)
        if stop is None:
            stop = end
        spans.append((cursor, stop))
        cursor = stop
    return spans


def _is_number_char(ch: str) -> bool:
    return ch.isdigit() or ch in ".．%％,"


def _safe_cut(text: str, start: int, limit: int) -> int:
    """A cut point in (start, limit] that never falls inside a number, preferring a clause end."""
    for i in range(limit - 1, start + (limit - start) // 2, -1):
        if text[i] in "，、,：:":
            return i + 1
    cut = limit
    while cut > start + 1 and _is_number_char(text[cut - 1]) and _is_number_char(text[cut]):
        cut -= 1
    if cut <= start + 1:  # a number longer than a chunk: cut after it instead
        cut = limit
        while cut < len(text) and _is_number_char(text[cut - 1]) and _is_number_char(text[cut]):
            cut += 1
    return cut


def _split_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    pieces = []
    while end - start > max_chars:
        cut = _safe_cut(text, start, start + max_chars)
        pieces.append((start, cut))
        start = cut
    if end > start:
        pieces.append((start, end))
    return pieces


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def chunk_text(text: str, target: int = 400, max_chars: int = 500, overlap: int = 80) -> list[Chunk]:
    """Chunks of `text` following its outline; see the module docstring."""
    sections = _sections(text)
    chunks: list[Chunk] = []
    pending: list[_Unit] = []  # headings with no body yet: they open the next chunk
    for path, units in sections:
        body = [u for u in units if not u.is_heading]
        if not body:
            pending.extend(units)
            continue
        units = pending + units
        pending = []
        chunks.extend(_pack(text, units, path, target, max_chars, overlap))
    if pending:  # a document that ends on headings alone still gets them indexed
        start, end = _trim(text, pending[0].start, pending[-1].end)
        if end > start:
            chunks.append(Chunk(text[start:end], start, end, list(sections[-1][0]) if sections else []))
    for number, chunk in enumerate(chunks):
        chunk.index = number
    return chunks


@dataclass
class _Heading:
    style: str  # "markdown" or a numbering style
    level: int
    number: int
    title: str


class _Outline:
    """The heading path as a document is read.

    Markdown headings nest by their level. Numbered headings nest by what the numbers say, so that
    documents mixing schemes (the seed report uses 1、 (1) （二） side by side) still get sensible
    paths: 一、/第X章 always start a new top-level section; a "1" (一, 1, （1）…) opens a list below
    the current heading; a later number continues the nearest list of the same style, or else
    follows the nearest heading numbered one less; failing all that it nests by canonical level.
    """

    def __init__(self) -> None:
        self.stack: list[_Heading] = []

    def path(self) -> list[str]:
        return [h.title for h in self.stack]

    def push(self, heading: _Heading) -> None:
        stack = self.stack
        if heading.style == "markdown":
            while stack and (stack[-1].style != "markdown" or stack[-1].level >= heading.level):
                stack.pop()
            stack.append(heading)
            return
        # Numbered headings live below the deepest Markdown heading.
        floor = max((i + 1 for i, h in enumerate(stack) if h.style == "markdown"), default=0)
        if heading.style in _TOP_STYLES:
            del stack[floor:]
            stack.append(heading)
            return
        if heading.number == 1:
            stack.append(heading)
            return
        for i in range(len(stack) - 1, floor - 1, -1):
            if stack[i].style == heading.style:
                del stack[i:]
                stack.append(heading)
                return
        for i in range(len(stack) - 1, floor - 1, -1):
            if stack[i].number == heading.number - 1:
                del stack[i:]
                stack.append(heading)
                return
        while len(stack) > floor and stack[-1].level >= heading.level:
            stack.pop()
        stack.append(heading)


def _sections(text: str) -> list[tuple[list[str], list[_Unit]]]:
    """(heading path, units) per section; units are heading lines and paragraphs."""
    sections: list[tuple[list[str], list[_Unit]]] = []
    outline = _Outline()
    current: list[_Unit] = []
    current_path: list[str] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        line_start, offset = offset, offset + len(line)
        start, end = _trim(text, line_start, offset)
        if end <= start:
            continue
        content = text[start:end]
        heading = _parse_heading(content)
        if heading is not None:
            if current:
                sections.append((current_path, current))
            outline.push(heading)
            current_path = outline.path()
            current = []
            if _heading_text(content) == content or _MARKDOWN_HEADING.match(content):
                current.append(_Unit(start, end, is_heading=True))
                continue
            # A numbered paragraph: its first sentence is the heading, glued to what follows.
            first_end = start + (_first_sentence_end(content, 0) or len(content))
            current.append(_Unit(start, first_end, is_heading=True))
            start, end = _trim(text, first_end, end)
            if end <= start:
                continue
        current.append(_Unit(start, end))
    if current:
        sections.append((current_path, current))
    return sections


def _parse_heading(line: str) -> _Heading | None:
    markdown = _MARKDOWN_HEADING.match(line)
    if markdown:
        return _Heading("markdown", len(markdown.group(1)), 0, line.lstrip("#").strip())
    marker = _marker(line)
    if marker is None:
        return None
    title = _heading_text(line)
    if title is None:
        return None
    style, level, number = marker
    # "2、 预算支出…" and "2、预算支出…" are the same heading.
    title = re.sub(r"(?<=[、）)])\s+", "", title)
    return _Heading(style, level, number, re.sub(r"\s+", " ", title))


def _pack(text: str, units: list[_Unit], path: list[str], target: int, max_chars: int, overlap: int) -> list[Chunk]:
    # Paragraphs longer than a chunk fall apart into sentences, sentences into clauses.
    pieces: list[_Unit] = []
    for unit in units:
        if unit.is_heading or unit.end - unit.start <= max_chars:
            pieces.append(unit)
            continue
        for s_start, s_end in _sentences(text, unit.start, unit.end):
            for p_start, p_end in _split_long(text, s_start, s_end, max_chars):
                p_start, p_end = _trim(text, p_start, p_end)
                if p_end > p_start:
                    pieces.append(_Unit(p_start, p_end))

    chunks: list[Chunk] = []
    group: list[_Unit] = []

    def size(items: list[_Unit]) -> int:
        return items[-1].end - items[0].start if items else 0

    def flush() -> None:
        start, end = _trim(text, group[0].start, group[-1].end)
        chunks.append(Chunk(text[start:end], start, end, list(path)))

    for piece in pieces:
        only_headings = all(u.is_heading for u in group)
        if group and not only_headings and (piece.end - group[0].start > max_chars or size(group) >= target):
            flush()
            tail = group[-1]
            # Overlap: repeat the previous chunk's last sentence when it is short and not a heading.
            carry = [tail] if (not tail.is_heading and tail.end - tail.start <= overlap and len(group) > 1) else []
            group = carry + [piece] if not carry or piece.end - carry[0].start <= max_chars else [piece]
            continue
        group.append(piece)
    if group:
        flush()
    return chunks
