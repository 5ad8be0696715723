"""Plain records the corpus API hands out: passages with their citation, documents, ingest reports."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from assistant.corpus.metadata import KIND_LABELS

INGEST_STATUS_LABELS = {
    "added": "已入库",
    "updated": "已更新",
    "unchanged": "未变化，跳过",
    "skipped": "未导入（隐藏文件、符号链接或非普通文件）",
    "error": "失败",
}


@dataclass
class Passage:
    """One retrieved chunk and where it comes from."""

    text: str
    source: str  # the file, as recorded at ingest (repo-relative when inside the repo)
    title: str
    heading: str  # heading path joined by " > "
    score: float
    start: int  # character offsets of `text` in the document's extracted text
    end: int
    kind: str
    year: int | None
    unit: str
    chunk_id: str
    doc_id: str = ""
    snippet: str = ""  # a short window of `text` around the query's terms

    def citation(self) -> str:
        """Chinese citation line: 《title》（source）heading，第start–end字."""
        parts = [f"《{self.title}》" if self.title else "", f"（{self.source}）"]
        if self.heading:
            parts.append(f"「{self.heading}」")
        parts.append(f"第{self.start}–{self.end}字")
        return "".join(parts[:2]) + " " + "，".join(parts[2:])

    def to_dict(self) -> dict:
        data = asdict(self)
        data["citation"] = self.citation()
        return data


@dataclass
class DocumentInfo:
    doc_id: str
    source: str
    file: str
    title: str
    year: int | None
    unit: str
    kind: str
    content_hash: str
    chunks: int
    chars: int
    edited: tuple[str, ...] = ()  # fields the user set by hand

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


@dataclass
class FileResult:
    file: str
    status: str  # added / updated / unchanged / skipped (not a document: hidden, a link, a FIFO …) / error
    message: str  # Chinese, for the user
    chunks: int = 0
    doc_id: str = ""

    @property
    def ok(self) -> bool:
        return self.status != "error"


@dataclass
class WriteStats:
    """Where an ingest's writing time went (seconds)."""

    write_s: float = 0.0  # inside Chroma's calls
    embed_s: float = 0.0
    tokenize_s: float = 0.0

    def merge(self, other: "WriteStats") -> None:
        self.write_s += other.write_s
        self.embed_s += other.embed_s
        self.tokenize_s += other.tokenize_s


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)
    stats: WriteStats = field(default_factory=WriteStats)

    @property
    def ok(self) -> bool:
        return all(result.ok for result in self.results)

    @property
    def errors(self) -> list[FileResult]:
        return [result for result in self.results if not result.ok]

    def count(self, status: str) -> int:
        return sum(1 for result in self.results if result.status == status)

    def summary(self) -> str:
        skipped = f"，跳过 {self.count('skipped')} 个" if self.count("skipped") else ""
        return (
            f"共 {len(self.results)} 个文件：新入库 {self.count('added')} 个，更新 {self.count('updated')} 个，"
            f"未变化 {self.count('unchanged')} 个{skipped}，失败 {self.count('error')} 个。"
        )
