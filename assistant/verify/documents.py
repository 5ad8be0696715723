"""Read a report to verify: .docx (paragraphs and tables, in document order), .pdf (text layer), .md, .txt.

    doc = read_document(path)            # or read_document_bytes(name, data)
    doc.text                             # one block per line, what the verifier scans
    doc.blocks                           # each block with its place: 第3段, 表2第4行, 第5行
    doc.place_of_line(7)                 # "表1第2行"

Size, encoding and damaged-file checks are the corpus loaders' (assistant/corpus/loaders.py), so a
hostile upload is refused here exactly as it is refused by the corpus: the bytes go through
`load_bytes` first (zip limits, a child process with a time and memory budget). For .docx the package
is then walked once more, under the same budget, for the places of paragraphs and table rows (the
loader's text has no places). Every failure is a `DocumentError` whose message is
Chinese and names the file.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from assistant.corpus import loaders

PARAGRAPH = "paragraph"
TABLE_ROW = "table_row"
LINE = "line"
SUFFIXES = (".docx", ".pdf", ".md", ".txt")
BODY = "body"
ATTACHMENT = "attachment"
# A paragraph that is only "附件1" (or 附件一：) opens the attachments after the report text: the
# 自评表 and 基础数据表, whose 分值 and 评分标准 come from the scoring profile, not from the ledger.
_ATTACHMENT_LABEL_RE = re.compile(r"^附件[ ]?(?:[0-9]+|[一二三四五六七八九十]+)[ ]?[:：]?$")


class DocumentError(Exception):
    """A report that cannot be read; str(error) is the Chinese message (exit code 2)."""


@dataclass(frozen=True)
class Block:
    kind: str  # PARAGRAPH, TABLE_ROW or LINE
    text: str
    place: str  # 第3段, 表2第4行, 第5行
    line: int  # 1-based line of the block in Document.text
    part: str = BODY  # BODY, or ATTACHMENT from a lone "附件1" paragraph on


@dataclass
class Document:
    name: str
    blocks: list[Block] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(block.text for block in self.blocks)

    @property
    def body_text(self) -> str:
        """The report text without its attachments (the lines keep their numbers)."""
        return "\n".join(block.text for block in self.blocks if block.part == BODY)

    @property
    def attachment_blocks(self) -> list[Block]:
        return [block for block in self.blocks if block.part == ATTACHMENT]

    def place_of_line(self, line: int) -> str:
        if 1 <= line <= len(self.blocks):
            return self.blocks[line - 1].place
        return f"第{line}行"


def read_document(path: str | Path) -> Document:
    """Read a report file from disk (see the module docstring for the formats)."""
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DocumentError(f"{path}：文件不存在。") from None
    except OSError as exc:
        raise DocumentError(f"{path}：无法读取（{exc.strerror or exc}）。") from None
    if not path.is_file():
        raise DocumentError(f"{path}：不是普通文件（可能是目录）。")
    limit = loaders.max_file_bytes()
    if size > limit:  # refused from the size, before reading
        raise DocumentError(f"{path}：文件过大（{size / 1024 / 1024:.1f} MB），超过上限 {limit / 1024 / 1024:.0f} MB。")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{path}：无法读取（{exc.strerror or exc}）。") from None
    return read_document_bytes(name, data, shown=str(path))


def read_document_bytes(name: str, data: bytes, *, shown: str | None = None) -> Document:
    """Read an uploaded report given its file name (for the type) and its bytes."""
    shown = shown or name
    suffix = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    if suffix not in SUFFIXES:
        if suffix in (".doc", ".xls", ".xlsx"):
            try:
                loaders._check_suffix(name)
            except loaders.LoadError as exc:
                raise DocumentError(f"{shown}：{exc}") from None
            raise DocumentError(f"{shown}：核对报告支持 {'、'.join(SUFFIXES)}，不支持 {suffix}。")
        suffix = ".txt"  # a report saved without a known suffix is read as plain text
    if not data.strip():
        return Document(name)  # an empty report has no figures; nothing to refuse
    try:
        loaded = loaders.load_bytes(name, data, suffix=suffix)
    except loaders.LoadError as exc:
        raise DocumentError(f"{shown}：{exc}") from None
    blocks: list[Block] = []
    if suffix == ".docx":
        from assistant.corpus.sandbox import BudgetExceeded, run_with_budget

        try:
            # the same time and memory budget as the loader's own parse of this package
            blocks = run_with_budget(_docx_blocks, data)
        except BudgetExceeded as exc:
            raise DocumentError(f"{shown}：{exc}") from None
        except Exception as exc:  # a part the loader's text pass did not touch is malformed
            raise DocumentError(f"{shown}：Word 文件内容已损坏，无法读取（{type(exc).__name__}）。") from None
    if not blocks and suffix == ".md":
        blocks = _markdown_blocks(loaded.text)
    if not blocks and suffix == ".pdf":
        blocks = _pdf_blocks(loaded.text)
    return Document(name, _mark_attachments(blocks or _line_blocks(loaded.text)))


_PDF_LINE_END = tuple("。！？；：!?;:")
_PDF_PAGE_NUMBER_RE = re.compile(r"^(?:[-—–－]+\s*[0-9]{1,4}\s*[-—–－]+|第\s*[0-9]{1,4}\s*页(?:\s*[，,/]?\s*共\s*[0-9]{1,4}\s*页)?)$")
_PDF_FULL_LINE = 0.8  # a line at least this share of the usual full line is wrapped, not ended


def _pdf_blocks(text: str) -> list[Block]:
    """A PDF's text layer breaks every line at the page width; a sentence runs over the break. Lines
    as long as a full line that do not end a sentence are joined with the next, so a label on one
    line still names the figure on the next ("高标准农田建设项目…\n…预算执行率97.64%"). Short lines
    (table cells, headings, page numbers) stay lines of their own."""
    lines = text.split("\n")
    lengths = sorted(len(line.strip()) for line in lines if line.strip())
    if not lengths:
        return []
    full = lengths[min(len(lengths) - 1, int(len(lengths) * 0.9))]
    blocks: list[Block] = []
    current: list[str] = []
    first = 0

    def flush() -> None:
        if current:
            joined = current[0]
            for part in current[1:]:
                # Latin words and numbers keep a space across the break; Chinese joins directly
                joined += (" " if joined[-1:].isascii() and joined[-1:].isalnum() and part[:1].isascii() and part[:1].isalnum() else "") + part
            blocks.append(Block(PARAGRAPH, joined, f"第{first}行起" if len(current) > 1 else f"第{first}行", len(blocks) + 1))
            current.clear()

    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        if _PDF_PAGE_NUMBER_RE.match(stripped):
            continue  # a page number between the halves of a sentence split by a page break
        if not current:
            first = number
        current.append(stripped)
        if stripped.endswith(_PDF_LINE_END) or len(stripped) < _PDF_FULL_LINE * full:
            flush()
    flush()
    return blocks


_MD_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_SEPARATOR_RE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _markdown_blocks(text: str) -> list[Block]:
    """Markdown as the .docx shows it: headings without their #, a table row as its cells joined by
    " | " (the separator row dropped), so a Markdown export and its .docx compare sentence by sentence.
    Each block keeps its line number in the file as its place."""
    blocks: list[Block] = []
    for number, line in enumerate(text.split("\n"), 1):
        if _MD_SEPARATOR_RE.match(line) and "-" in line:
            continue
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
            cells = [cell.strip() for cell in stripped[1:-1].split("|")]
            blocks.append(Block(TABLE_ROW, " | ".join(cells), f"第{number}行", len(blocks) + 1))
            continue
        blocks.append(Block(PARAGRAPH if stripped else LINE, _MD_HEADING_RE.sub("", line), f"第{number}行", len(blocks) + 1))
    return blocks


def _mark_attachments(blocks: list[Block]) -> list[Block]:
    for index, block in enumerate(blocks):
        if index and block.kind != TABLE_ROW and _ATTACHMENT_LABEL_RE.match(block.text.strip()):
            return blocks[:index] + [
                Block(b.kind, b.text, b.place, b.line, ATTACHMENT) for b in blocks[index:]
            ]
    return blocks


def _line_blocks(text: str) -> list[Block]:
    return [Block(LINE, line, f"第{i}行", i) for i, line in enumerate(text.split("\n"), 1)]


def _docx_blocks(data: bytes) -> list[Block]:
    """Paragraphs and table rows in document order, with their places. The loader has already
    opened this package, so it is a valid .docx within the limits."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    blocks: list[Block] = []
    paragraph_no = table_no = 0
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(child, document).text.strip()
            if not text:
                continue
            paragraph_no += 1
            blocks.append(Block(PARAGRAPH, _one_line(text), f"第{paragraph_no}段", len(blocks) + 1))
        elif tag == "tbl":
            table_no += 1
            for row_no, cells in enumerate(_table_rows(Table(child, document)), 1):
                blocks.append(Block(TABLE_ROW, " | ".join(cells), f"表{table_no}第{row_no}行", len(blocks) + 1))
    return blocks


def _one_line(text: str) -> str:
    # A soft line break inside a paragraph is not a new block: keep one block per line of text.
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def _table_rows(table) -> list[list[str]]:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            # Merged cells repeat in python-docx (the same cell object); keep one copy.
            if previous is not None and cell._tc is previous:
                continue
            previous = cell._tc
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            rows.append(cells)
    return rows
