"""`index --repair` and the 资料库 tab's 修复 button: recover a damaged store without the user
deleting folders.

The documents' own records say what the store held: the document records written beside the store
at every write (source and the fields the user corrected, see store_lock.py), the BM25 caches (each
chunk's source and metadata) and the saved uploads. A repair takes the store's write lock, checks
whether the embedded Chroma store still opens and answers; if it does not, the damaged folder is
moved aside (kept, renamed `<store>.damaged-<time>`, never deleted) and a fresh one is created. It
then rebuilds the index from the recorded sources (a rebuild aside, then a switch) and puts the
user's corrections back. A source that is gone from disk is named in the report: its text cannot
be recovered.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant import offline
from assistant.corpus.records import IngestReport
from assistant.corpus.store_lock import StoreFiles, read_json

UPLOAD_PREFIX = "上传/"


@dataclass
class RepairReport:
    moved_aside: Path | None = None  # the damaged folder, kept under a new name
    damage: str = ""  # what was wrong with the store, in Chinese ("" when it opened and answered)
    ingest: IngestReport = field(default_factory=IngestReport)
    lost: list[str] = field(default_factory=list)  # recorded sources no longer on disk
    corrections: int = 0  # documents whose hand corrections were put back

    @property
    def ok(self) -> bool:
        return self.ingest.ok and not self.lost

    def lines(self) -> list[str]:
        out = []
        if self.moved_aside is not None:
            out.append(f"检索库已损坏（{self.damage}），原文件夹已改名保留为 {self.moved_aside}，已新建检索库。")
        elif self.damage:
            out.append(f"检索库有问题（{self.damage}），已重建。")
        else:
            out.append("检索库可以打开，已按文档记录重建索引（去除重复与缺失）。")
        for result in self.ingest.results:
            mark = "–" if result.status == "skipped" else ("✓" if result.ok else "✗")
            out.append(f"{mark} {result.file}：{result.message}")
        for source in self.lost:
            out.append(f"✗ {source}：源文件已不存在，无法恢复，请重新导入。")
        if self.corrections:
            out.append(f"已恢复 {self.corrections} 个文档的人工修改（标题、类型、年度、单位）。")
        out.append(self.ingest.summary())
        return out


def recorded_documents(files: StoreFiles, store_dir: Path | None) -> dict[str, dict[str, Any]]:
    """doc_id → {"source", "edited"} from the document records, else from the BM25 caches."""
    records: dict[str, dict[str, Any]] = {}
    caches = sorted(store_dir.glob("bm25*.json")) if store_dir is not None and store_dir.is_dir() else []
    if files.base.with_suffix(".json").exists():
        caches.append(files.base.with_suffix(".json"))  # a server's cache sits beside the records
    for cache in caches:
        data = read_json(cache)
        chunks = data.get("chunks") if isinstance(data, dict) else None
        if not isinstance(chunks, dict):
            continue
        for entry in chunks.values():
            meta = entry.get("m") if isinstance(entry, dict) else None
            if not isinstance(meta, dict) or not meta.get("doc_id") or not meta.get("source"):
                continue
            edited = [f for f in str(meta.get("edited") or "").split(",") if f]
            records.setdefault(
                str(meta["doc_id"]),
                {"source": str(meta["source"]), "edited": {f: meta.get(f) for f in edited if f in meta}},
            )
    records.update(files.read_documents())  # the records written at every write win
    return records


def _sources(records: dict[str, dict[str, Any]]) -> tuple[list[Any], list[str]]:
    from assistant.corpus.index import Upload
    from assistant.uploads import saved_uploads, uploads_dir

    items: list[Any] = []
    lost: list[str] = []
    uploads = {upload.name: upload for upload in saved_uploads()}
    for record in sorted(records.values(), key=lambda r: r.get("source", "")):
        source = str(record.get("source", ""))
        if source.startswith(UPLOAD_PREFIX):
            name = source[len(UPLOAD_PREFIX) :]
            upload = uploads.pop(name, None)
            if upload is None and (uploads_dir() / name).is_file():
                upload = Upload(name, (uploads_dir() / name).read_bytes())
            (items.append(upload) if upload is not None else lost.append(source))
            continue
        path = Path(source)
        path = path if path.is_absolute() else offline.REPO_ROOT / path
        (items.append(path) if path.is_file() else lost.append(source))
    items.extend(uploads.values())  # saved uploads the records missed
    return items, lost


def _health(index) -> str:
    """"" when the store answers a listing, a read and a vector query; else what failed."""
    try:
        ids = index.collection.get(include=[])["ids"]
        if len(ids) != len(set(ids)):
            return "存在重复的片段编号"
        if ids:
            index.collection.get(ids=ids[:1], include=["documents", "metadatas"])
            index.store.similarity_search("预算", k=1)
        if set(ids) != set(index.bm25.tokens):
            return "关键词索引与向量库不一致"
    except Exception as error:
        return f"{type(error).__name__}：{error}"
    return ""


def _forget_client(path: Path) -> None:
    """Drop this process's cached client of `path`, so that the next open reads the disk afresh."""
    from assistant.corpus import index as index_module

    index_module._persistent_client.cache_clear()
    try:
        from chromadb.api.shared_system_client import SharedSystemClient

        SharedSystemClient.clear_system_cache()
    except Exception:
        pass


def repair(path: str | os.PathLike | None = None) -> RepairReport:
    """Repair the embedded store at `path` (default data_dir()/chroma), or the server's index when
    CHROMA_HOST is set and no path is given."""
    from assistant.corpus.index import CorpusIndex, default_path, server_from_env

    report = RepairReport()
    if path is None and server_from_env() is not None:
        index = CorpusIndex.connect()
        files = index.files
        with files.locked():
            records = recorded_documents(files, None)
            report.damage = _health(index)
            return _rebuild(index, records, report)

    store_dir = Path(path) if path is not None else default_path()
    files = StoreFiles(store_dir)
    with files.locked():
        records = recorded_documents(files, store_dir)
        index = None
        try:
            index = CorpusIndex.open(store_dir, store_base=files)
            report.damage = _health(index)
        except Exception as error:  # the store does not even open
            report.damage = f"{type(error).__name__}：{error}"
        if index is None or (report.damage and _opens_badly(report.damage)):
            index = None
            _forget_client(store_dir)
            if store_dir.exists():
                aside = store_dir.with_name(f"{store_dir.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
                store_dir.rename(aside)
                report.moved_aside = aside
            files.state_path.unlink(missing_ok=True)  # the old collection names mean nothing now
            index = CorpusIndex.open(store_dir, store_base=files)
        return _rebuild(index, records, report)


def _opens_badly(damage: str) -> bool:
    # Duplicates and a stale keyword index are mended by the rebuild; anything else is Chroma failing.
    return damage not in ("存在重复的片段编号", "关键词索引与向量库不一致")


def _rebuild(index, records: dict[str, dict[str, Any]], report: RepairReport) -> RepairReport:
    items, report.lost = _sources(records)
    report.ingest = index.rebuild(items, keep_corrections=True)
    for doc_id, record in records.items():
        edited = {k: v for k, v in (record.get("edited") or {}).items() if k in ("title", "kind", "year", "unit")}
        if not edited or index.find_document(doc_id) is None:
            continue
        try:
            index.set_metadata(doc_id, **edited)
            report.corrections += 1
        except (KeyError, ValueError):
            continue  # a recorded value the index no longer accepts: the document stays as guessed
    return report
