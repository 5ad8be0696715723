"""The corpus index: documents chunked into Chroma (through langchain-chroma) plus a BM25 mirror.

`CorpusIndex.open()` uses an embedded persistent Chroma under `data_dir()/chroma`, or a Chroma server
when CHROMA_HOST (and CHROMA_PORT) are set; `CorpusIndex.connect()` always uses a server.

Ids are content hashes: a document's id is the hash of its source name, a chunk's id is the
document's content hash plus the chunk number. Re-ingesting an unchanged file does nothing; a changed
file's new chunks are written, then its old ones deleted; new overrides alone only update metadata.
Vectors come from our offline hashing embedding unless an OpenAI-compatible endpoint is configured;
Chroma's default embedding function is never used (every add and query passes our vectors, and the
collection records our embedding function). Chunks are written through `writer.ChunkWriter`.

Several processes may share a store: every write runs under the store's file lock and first
catches up with what other writers did; readers follow the state file beside the store and retry
once when a rebuild switched collections under them (see store_lock.py). `rebuild` fills a
collection aside and switches when it is complete; `repair.repair` recovers a damaged store.
Folders are walked without leaving them (symlinks, FIFOs, hidden entries are reported, not read).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from assistant import offline
from assistant.corpus.bm25 import Bm25Store, index_text
from assistant.corpus.chunking import Chunk, chunk_text
from assistant.corpus.embeddings import LangChainHashingEmbeddings, default_embeddings
from assistant.corpus.loaders import LoadedDocument, LoadError, content_hash, load_bytes, load_path, max_file_bytes
from assistant.corpus.metadata import KINDS
from assistant.corpus.records import DocumentInfo, FileResult, IngestReport, Passage
from assistant.corpus.sources import FolderEntry, Upload, doc_id_for, expand, source_name
from assistant.corpus.retrieval import DEFAULT_FUSION, MODES, Filters, FusionWeights, make_snippet, query_terms
from assistant.corpus.retrieval import reciprocal_rank_fusion
from assistant.corpus.store_lock import StoreBusy, StoreFiles
from assistant.corpus.writer import WRITE_BATCH, ChunkWriter

COLLECTION_NAME = "jixiao_corpus"
EDITABLE_FIELDS = ("title", "kind", "year", "unit")
_ADD_BATCH = 1000  # metadata updates and deletes
# Per-chunk metadata fields (the rest describes the document).
_CHUNK_FIELDS = ("heading", "start", "end", "chunk")


@functools.cache
def _persistent_client(path: str):
    import chromadb
    from chromadb.config import Settings

    Path(path).mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=path, settings=Settings(anonymized_telemetry=False))


@functools.cache
def _http_client(host: str, port: int):
    import chromadb
    from chromadb.config import Settings

    return chromadb.HttpClient(host=host, port=port, settings=Settings(anonymized_telemetry=False))


def default_path() -> Path:
    return offline.data_dir() / "chroma"


def server_from_env(env: dict[str, str] | None = None) -> tuple[str, int] | None:
    env = os.environ if env is None else env
    host = env.get("CHROMA_HOST", "").strip()
    if not host:
        return None
    return host, int(env.get("CHROMA_PORT", "8000") or 8000)


class CorpusIndex:
    def __init__(
        self,
        client,
        collection_name: str = COLLECTION_NAME,
        embeddings=None,
        bm25_path: Path | None = None,
        max_file_bytes: int | None = None,
        fusion: FusionWeights = DEFAULT_FUSION,
        store_base: "Path | StoreFiles | None" = None,
        rebuild_aside: bool = False,
    ) -> None:
        self.client = client
        self.embeddings = embeddings if embeddings is not None else default_embeddings()
        self.max_file_bytes = max_file_bytes
        self.fusion = fusion
        configuration: dict[str, Any] = {"hnsw": {"space": "cosine"}}
        if isinstance(self.embeddings, LangChainHashingEmbeddings):
            # Recorded in the collection so that any client reopening it embeds queries the same way.
            configuration["embedding_function"] = self.embeddings.chroma_function()
        else:
            # Vectors of another model must not share a collection with ours.
            model = getattr(self.embeddings, "model", "external")
            collection_name = f"{collection_name}_{hashlib.sha1(str(model).encode()).hexdigest()[:8]}"
        self._configuration = configuration
        # Rebuild into a collection aside and switch (embedded store: the switch is recorded in the
        # state file beside it), or in place (a server shared by several machines).
        self.rebuild_aside = rebuild_aside
        self.base_collection = collection_name
        self._bm25_base = Path(bm25_path) if bm25_path else None
        # The lock, state and document records live beside the store (see store_lock.py); without
        # any path there is nothing to share with another process.
        if store_base is None and self._bm25_base is not None:
            store_base = self._bm25_base.with_suffix("")
        if isinstance(store_base, StoreFiles):
            self.files: StoreFiles | None = store_base  # shared with a caller that holds its lock
        else:
            self.files = StoreFiles(store_base) if store_base is not None else None
        self._lock = threading.RLock()
        self._carried: dict[str, dict[str, Any]] = {}  # doc_id → metadata kept across a rebuild
        self._replaced: list[tuple[str, Path | None]] = []  # (collection, BM25 cache) a rebuild retired
        self._state_seen: tuple | None = None
        self._generation = 0
        state = self._read_state()
        self._attach(state["collection"] or self.base_collection)
        self.bm25.sync(self.collection, save=False)
        if self.bm25.changed_on_disk() or not self._cache_matches():
            self._save_cache_if_free()

    def _read_state(self) -> dict[str, Any]:
        if self.files is None:
            return {"generation": 0, "collection": None}
        self._state_seen = self.files.signature()
        state = self.files.read_state()
        self._generation = state["generation"]
        return state

    def _attach(self, collection_name: str) -> None:
        """Point this object at `collection_name` (created if missing) and its BM25 cache."""
        from langchain_chroma import Chroma

        self.collection_name = collection_name
        self.store = Chroma(
            collection_name=collection_name,
            embedding_function=self.embeddings,
            client=self.client,
            collection_configuration=self._configuration,
        )
        self.collection = self.store._collection  # metadata updates and id listing need the raw collection
        self.bm25 = Bm25Store(self._bm25_path_for(collection_name))

    def _bm25_path_for(self, collection_name: str) -> Path | None:
        if self._bm25_base is None or collection_name == self.base_collection:
            return self._bm25_base
        suffix = collection_name[len(self.base_collection) :].lstrip("-_") or collection_name
        return self._bm25_base.with_name(f"{self._bm25_base.stem}.{suffix}{self._bm25_base.suffix}")

    def _cache_matches(self) -> bool:
        return self.bm25.path is None or self.bm25.path.exists()

    def _save_cache_if_free(self) -> None:
        """Write the reconciled BM25 cache if no other process is writing (else it does so itself)."""
        if self.files is None:
            self.bm25.save()
            return
        try:
            with self.files.locked(timeout=0):
                if self.files.signature() == self._state_seen:
                    self.bm25.save()
        except StoreBusy:
            pass

    # ------------------------------------------------------------ other processes

    def _catch_up(self) -> None:
        """Follow what other processes did since this object last looked: a switched collection
        (a rebuild), new or removed chunks. Cheap when nothing changed (one stat)."""
        if self.files is None or self.files.signature() == self._state_seen:
            return
        with self._lock:
            before = self._generation
            state = self._read_state()
            name = state["collection"] or self.base_collection
            if name != self.collection_name:
                self._attach(name)
            elif state["generation"] == before and not self.bm25.changed_on_disk():
                return
            self.bm25.sync(self.collection, save=False)

    @contextlib.contextmanager
    def _writing(self):
        """One writer per store: this process's threads by the RLock, other processes by the file
        lock; inside, the view is brought up to date first, and the BM25 cache, the document
        records and the state are written once at the end."""
        with self._lock:
            if self.files is None:
                try:
                    yield
                finally:
                    self.bm25.save()
                    self._drop_replaced()
                return
            with self.files.locked():
                # Another writer may have just finished: look at the state and the store afresh.
                state = self._read_state()
                name = state["collection"] or self.base_collection
                if name != self.collection_name:
                    self._attach(name)
                self.bm25.sync(self.collection, save=False)
                try:
                    yield
                finally:
                    self.bm25.save()
                    self.files.write_documents(self._document_records())
                    self.files.write_state(self._generation + 1, self.collection_name)
                    self._read_state()
                    self._drop_replaced()

    def _document_records(self) -> dict[str, dict[str, Any]]:
        """Per document: its source and the fields the user corrected (what a repair needs)."""
        records: dict[str, dict[str, Any]] = {}
        for meta in self.bm25.meta.values():
            doc_id = meta.get("doc_id", "")
            if not doc_id or doc_id in records:
                continue
            edited = [f for f in (meta.get("edited") or "").split(",") if f]
            records[doc_id] = {
                "source": meta.get("source", ""),
                "content_hash": meta.get("content_hash", ""),
                "edited": {field: meta.get(field) for field in edited if field in EDITABLE_FIELDS},
            }
        return records

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: str | os.PathLike | None = None, client=None, **kwargs) -> "CorpusIndex":
        """The index at `path` (default `data_dir()/chroma`), on `client`, or on the server named by
        CHROMA_HOST/CHROMA_PORT when neither is given and those are set."""
        if client is not None:
            return cls(client, **kwargs)
        if path is None and server_from_env() is not None:
            return cls.connect(**kwargs)
        path = Path(path) if path is not None else default_path()
        kwargs.setdefault("bm25_path", path / "bm25.json")
        kwargs.setdefault("rebuild_aside", True)
        files = kwargs.get("store_base")
        if not isinstance(files, StoreFiles):
            files = kwargs["store_base"] = StoreFiles(Path(files) if files is not None else path.resolve())
        if (path / "chroma.sqlite3").exists():
            return cls(_persistent_client(str(path.resolve())), **kwargs)
        # A new store: Chroma creates its tables on first open, and two processes doing that at once
        # fail ("table collections already exists"); the first creates it, the others then open it.
        with files.locked():
            return cls(_persistent_client(str(path.resolve())), **kwargs)

    @classmethod
    def connect(cls, host: str | None = None, port: int | None = None, **kwargs) -> "CorpusIndex":
        """The index on a Chroma server (default from CHROMA_HOST / CHROMA_PORT, else 127.0.0.1:8000)."""
        env = server_from_env() or ("127.0.0.1", 8000)
        host, port = host or env[0], int(port or env[1])
        kwargs.setdefault("bm25_path", offline.data_dir() / "bm25" / f"{host}_{port}.json")
        return cls(_http_client(host, port), **kwargs)

    # ------------------------------------------------------------ ingest

    def ingest(
        self,
        paths: Iterable[str | os.PathLike | Upload],
        *,
        kind: str | None = None,
        year: int | None = None,
        unit: str | None = None,
    ) -> IngestReport:
        """Add files (and the supported files inside folders); one result per file, never raising
        for a bad file. `kind`/`year`/`unit` override the guesses for every file of the batch.

        The chunks of all the files go through one `ChunkWriter`, so Chroma gets large batches
        whatever the size of the files, and the next file is read and chunked while Chroma writes.
        A changed file's new chunks are written before its old ones are deleted: if the write
        fails, the old version stays searchable."""
        if kind is not None and kind not in KINDS:
            raise ValueError(f"未知的文档类型“{kind}”；可选：{'、'.join(KINDS)}")
        overrides = {key: value for key, value in (("kind", kind), ("year", year), ("unit", unit)) if value is not None}
        with self._writing():
            return self._ingest_locked(paths, overrides)

    def _ingest_locked(self, paths, overrides: dict[str, Any]) -> IngestReport:
        report = IngestReport()
        writer: ChunkWriter | None = None
        planned: list[_Planned] = []
        in_flight: set[str] = set()  # doc ids of `planned`
        try:
            for item in expand(paths):
                loaded = self._load(item)
                if isinstance(loaded, FileResult):
                    report.results.append(loaded)
                    continue
                doc_id = doc_id_for(loaded.source)
                # A file named twice, or a writer that failed: settle what is in flight first.
                if writer is not None and (writer.failed or doc_id in in_flight):
                    self._settle(writer, planned, report)
                    writer, planned = None, []
                    in_flight.clear()
                plan = self._plan(loaded, doc_id, overrides, position=len(report.results))
                if isinstance(plan, FileResult):
                    report.results.append(plan)
                    continue
                if writer is None:
                    writer = self._writer()
                plan.first = writer.added
                planned.append(plan)
                in_flight.add(doc_id)
                report.results.append(plan.result)
                writer.add(plan.ids, plan.documents, plan.metas, plan.index_texts)
                plan.release()
        finally:
            if writer is not None:
                self._settle(writer, planned, report)
        return report

    def _load(self, item) -> "_Loaded | FileResult":
        if isinstance(item, FileResult):
            return item  # a folder entry that was skipped, with its reason
        inside = isinstance(item, FolderEntry)
        path_item = item.path if inside else item
        label = item.name if isinstance(item, Upload) else os.fspath(path_item)
        limit = self.max_file_bytes if self.max_file_bytes is not None else max_file_bytes()
        try:
            if isinstance(item, Upload):
                document, data = load_bytes(item.name, item.data, max_bytes=limit), item.data
                source = "上传/" + item.name
            else:
                document, data = load_path(path_item, max_bytes=limit, follow_symlinks=not inside)
                source = label = source_name(Path(path_item))
            chunks = chunk_text(document.text)
            if not chunks:
                raise LoadError("文件中没有可提取的文字。")
        except LoadError as error:
            return FileResult(label, "error", str(error))
        except Exception as error:  # a loader bug must not sink the batch; say what happened
            return FileResult(label, "error", f"读取失败（{type(error).__name__}：{error}）。")
        return _Loaded(label, source, document, content_hash(data), chunks)

    def _plan(self, loaded: "_Loaded", doc_id: str, overrides: dict[str, Any], position: int) -> "_Planned | FileResult":
        """What to write for a loaded file, or its result when there is nothing to write."""
        document, digest, chunks = loaded.document, loaded.digest, loaded.chunks
        existing = self.bm25.doc_chunks(doc_id)
        # During a rebuild the document's corrections come from the collection being replaced.
        old_meta = self.bm25.meta[existing[0]] if existing else self._carried.get(doc_id, {})
        same_content = bool(existing) and all(self.bm25.meta[cid].get("content_hash") == digest for cid in existing)
        if same_content and not _overrides_differ(old_meta, overrides):
            return FileResult(loaded.label, "unchanged", "内容未变化，跳过。", len(existing), doc_id)
        meta = {
            "doc_id": doc_id,
            "source": loaded.source,
            "file": document.meta.file,
            "title": document.meta.title,
            "kind": document.meta.kind,
            "unit": document.meta.unit,
            "content_hash": digest,
            "chars": len(document.text),
            "edited": "",
        }
        if document.meta.year is not None:
            meta["year"] = document.meta.year
        # Fields the user corrected by hand survive a new version of the file.
        edited = [f for f in (old_meta.get("edited") or "").split(",") if f]
        for field_name in edited:
            if field_name in old_meta:
                meta[field_name] = old_meta[field_name]
        meta.update(overrides)
        meta["edited"] = ",".join(sorted(set(edited) | set(overrides)))
        if same_content:
            return self._update_document(loaded.label, doc_id, existing, meta)
        # Ids carry the content hash, so they are new to Chroma: plain adds, cheaper than upserts
        # (Chroma keeps the stored record when an id it has is added again: the same text).
        ids = [f"{doc_id}-{digest[:12]}-{chunk.index:04d}" for chunk in chunks]
        new_ids, old_ids = set(ids), set(existing)
        status = "updated" if existing else "added"
        verb = "已更新（替换旧版本）" if existing else "已入库"
        return _Planned(
            position=position,
            doc_id=doc_id,
            label=loaded.label,
            ids=ids,
            metas=[
                {**meta, "heading": chunk.heading, "start": chunk.start, "end": chunk.end, "chunk": chunk.index}
                for chunk in chunks
            ],
            documents=[chunk.text for chunk in chunks],
            index_texts=[index_text(chunk.text, chunk.heading) for chunk in chunks],
            stale=[cid for cid in existing if cid not in new_ids],
            reused=new_ids & old_ids,
            result=FileResult(loaded.label, status, f"{verb}，共 {len(chunks)} 个片段。", len(chunks), doc_id),
        )

    def _update_document(self, label: str, doc_id: str, ids: list[str], meta: dict[str, Any]) -> FileResult:
        """Same content with other overrides: only the metadata changes, nothing is re-embedded."""
        metas = [{**{k: v for k, v in self.bm25.meta[cid].items() if k in _CHUNK_FIELDS}, **meta} for cid in ids]
        try:
            self._update_metadatas(ids, metas)
        except Exception as error:  # the store refused (server down, disk full): report, go on
            return FileResult(label, "error", _write_failed(error))
        return FileResult(label, "updated", f"已更新文档信息，共 {len(ids)} 个片段。", len(ids), doc_id)

    def _update_metadatas(self, ids: list[str], metas: list[dict[str, Any]]) -> None:
        for i in range(0, len(ids), _ADD_BATCH):
            self.collection.update(ids=ids[i : i + _ADD_BATCH], metadatas=metas[i : i + _ADD_BATCH])
        for cid, meta in zip(ids, metas):
            self.bm25.meta[cid] = meta

    def _settle(self, writer: ChunkWriter, planned: list["_Planned"], report: IngestReport) -> None:
        """Wait for the writer, then record in BM25 the files written whole and retire their old
        versions; a file not written whole gets an error and its partial chunks are taken out."""
        writer.finish()
        report.stats.merge(writer.stats)
        error = writer.error
        done_ids: list[str] = []
        done_tokens: list[list[str]] = []
        done_metas: list[dict[str, Any]] = []
        stale: list[tuple[_Planned, list[str]]] = []
        partial: list[str] = []
        for plan in planned:
            end = plan.first + len(plan.ids)
            if end <= writer.written:
                done_ids.extend(plan.ids)
                done_tokens.extend(writer.tokens[plan.first : end])
                done_metas.extend(plan.metas)
                if plan.stale:
                    stale.append((plan, plan.stale))
                continue
            report.results[plan.position] = FileResult(plan.label, "error", _write_failed(error))
            if plan.first < writer.written:
                # Chunks of this version that were written; not those an earlier version shares.
                partial.extend(cid for cid in plan.ids[: writer.written - plan.first] if cid not in plan.reused)
        self.bm25.add_tokens(done_ids, done_tokens, done_metas)
        if partial:
            try:
                self._delete_ids(partial)
            except Exception:
                pass  # the store is failing; the next open's sync takes these chunks into BM25
        for plan, ids in stale:
            try:
                self._delete_ids(ids)
            except Exception as failure:  # both versions stay, and say so
                report.results[plan.position] = FileResult(
                    plan.label, "error", f"新版本已写入，但删除旧版本失败（{type(failure).__name__}：{failure}）。"
                )
                continue
            self.bm25.remove(ids)

    def _delete_ids(self, ids: list[str]) -> None:
        for i in range(0, len(ids), _ADD_BATCH):
            self.collection.delete(ids=ids[i : i + _ADD_BATCH])

    def _writer(self) -> ChunkWriter:
        if isinstance(self.embeddings, LangChainHashingEmbeddings):
            # float32 rows straight to Chroma, not LangChain's lists of Python floats.
            return ChunkWriter(self.collection, self.embeddings.embedder.embed, batch=self._write_batch, upsert=False)
        return ChunkWriter(self.collection, self.embeddings.embed_documents, batch=self._write_batch, upsert=False)

    @functools.cached_property
    def _write_batch(self) -> int:
        return max(1, min(WRITE_BATCH, self.client.get_max_batch_size()))

    # ------------------------------------------------------------ documents

    def _doc_chunks(self, doc_id: str) -> list[str]:
        return self.bm25.doc_chunks(doc_id)

    def list_documents(self) -> list[DocumentInfo]:
        self._catch_up()
        return self._documents()

    def _documents(self) -> list[DocumentInfo]:
        docs: dict[str, DocumentInfo] = {}
        for meta in self.bm25.meta.values():
            doc_id = meta.get("doc_id", "")
            if doc_id in docs:
                docs[doc_id].chunks += 1
                continue
            docs[doc_id] = DocumentInfo(
                doc_id=doc_id,
                source=meta.get("source", ""),
                file=meta.get("file", ""),
                title=meta.get("title", ""),
                year=meta.get("year"),
                unit=meta.get("unit", ""),
                kind=meta.get("kind", "other"),
                content_hash=meta.get("content_hash", ""),
                chunks=1,
                chars=int(meta.get("chars", 0)),
                edited=tuple(f for f in (meta.get("edited") or "").split(",") if f),
            )
        return sorted(docs.values(), key=lambda d: d.source)

    def find_document(self, ref: str) -> DocumentInfo | None:
        """A document by id, source, file name or path; None if unknown or ambiguous."""
        self._catch_up()
        return self._find(ref)

    def _find(self, ref: str) -> DocumentInfo | None:
        docs = self._documents()
        as_source = source_name(Path(ref)) if ref and not ref.startswith("上传/") else ref
        for doc in docs:
            if ref in (doc.doc_id, doc.source) or as_source == doc.source:
                return doc
        by_name = [doc for doc in docs if doc.file == ref]
        return by_name[0] if len(by_name) == 1 else None

    def delete(self, ref: str) -> int:
        """Delete a document (by id, source, or unique file name); returns how many chunks went."""
        with self._writing():
            doc = self._find(ref)
            if doc is None:
                return 0
            ids = self._doc_chunks(doc.doc_id)
            if ids:
                self._delete_ids(ids)
                self.bm25.remove(ids)
            return len(ids)

    def set_metadata(self, ref: str, **changes: Any) -> DocumentInfo:
        """Correct a document's title, kind, year or unit; the change is kept across re-ingest."""
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise ValueError(f"不能修改的字段：{'、'.join(sorted(unknown))}")
        if "kind" in changes and changes["kind"] not in KINDS:
            raise ValueError(f"未知的文档类型“{changes['kind']}”；可选：{'、'.join(KINDS)}")
        with self._writing():
            doc = self._find(ref)
            if doc is None:
                raise KeyError(f"索引中没有文档“{ref}”。")
            ids = self._doc_chunks(doc.doc_id)
            edited = sorted(set(doc.edited) | set(changes))
            update = {**changes, "edited": ",".join(edited)}
            if "year" in update and update["year"] is not None:
                update["year"] = int(update["year"])
            metas = []
            for cid in ids:
                meta = {**self.bm25.meta[cid], **update}
                if meta.get("year") is None:
                    meta.pop("year", None)
                metas.append(meta)
            self._update_metadatas(ids, metas)
        return self._find(doc.doc_id)

    def count(self) -> int:
        """Number of chunks in the index."""
        self._catch_up()
        return len(self.bm25)

    def refresh(self) -> None:
        """Pick up chunks another process added to or removed from the same store (a shared server)."""
        with self._lock:
            self._state_seen = None
            self._catch_up()
            self.bm25.sync(self.collection, save=False)

    def is_empty(self) -> bool:
        return self.count() == 0

    def reset(self) -> None:
        """Remove every document (what a rebuild with no files gives)."""
        self.rebuild([])

    def rebuild(
        self,
        paths: Iterable[str | os.PathLike | Upload],
        *,
        kind: str | None = None,
        year: int | None = None,
        unit: str | None = None,
        keep_corrections: bool = True,
    ) -> IngestReport:
        """Build the index anew from `paths`. In an embedded store it is built in a collection aside,
        then switched to: searches, here and in other processes, use the old collection until the
        new one is complete, and a rebuild that fails half-way leaves the old one in place. On a
        server it is done in place. Corrections the user made to a document's title, type, year or
        unit are carried over when the same file comes back."""
        if kind is not None and kind not in KINDS:
            raise ValueError(f"未知的文档类型“{kind}”；可选：{'、'.join(KINDS)}")
        overrides = {key: value for key, value in (("kind", kind), ("year", year), ("unit", unit)) if value is not None}
        with self._writing():
            old_name, old_store = self.collection_name, self.bm25
            if keep_corrections:
                self._carried = {
                    meta.get("doc_id", ""): meta for meta in old_store.meta.values() if meta.get("edited")
                }
            if not self.rebuild_aside:
                # On a Chroma server the name of the active collection would live on this machine
                # only; the server serialises writers itself, so the rebuild is done in place.
                try:
                    self._delete_ids(list(self.bm25.tokens))
                    self.bm25.clear()
                    return self._ingest_locked(paths, overrides)
                finally:
                    self._carried = {}
            new_name = self._aside_name()
            try:
                self.client.delete_collection(new_name)  # left by a rebuild that died half-way
            except Exception:
                pass
            try:
                self._attach(new_name)
                self.bm25.clear()
                report = self._ingest_locked(paths, overrides)
            except BaseException:
                self._drop_collection(new_name)
                self._attach(old_name)
                self.bm25 = old_store
                raise
            finally:
                self._carried = {}
            # The state written on leaving `_writing` names the new collection; then, still under
            # the lock, the old one goes.
            self._replaced.append((old_name, old_store.path))
        return report

    def _aside_name(self) -> str:
        return f"{self.base_collection}-g{self._generation + 1}"

    def _drop_replaced(self) -> None:
        """Drop the collections a rebuild replaced, and any left by a rebuild that died half-way."""
        replaced, self._replaced = self._replaced, []
        for name, bm25_path in replaced:
            if name != self.collection_name:
                self._drop_collection(name, bm25_path)
        if not replaced:
            return
        try:
            names = [getattr(c, "name", c) for c in self.client.list_collections()]
        except Exception:
            return
        for name in names:
            if name != self.collection_name and name.startswith(f"{self.base_collection}-g"):
                self._drop_collection(name, self._bm25_path_for(name))

    def _drop_collection(self, name: str, bm25_path: Path | None = None) -> None:
        try:
            self.client.delete_collection(name)
        except Exception:
            pass  # already gone, or the store refuses: a repair cleans up
        if bm25_path is not None:
            bm25_path.unlink(missing_ok=True)

    # ------------------------------------------------------------ search

    def search(
        self,
        query: str,
        k: int = 5,
        kind: str | None = None,
        year: int | None = None,
        unit: str | None = None,
        mode: str = "hybrid",
    ) -> list[Passage]:
        """The `k` best passages for `query`, filtered by kind/year/unit, best first."""
        if mode not in MODES:
            raise ValueError(f"未知的检索方式“{mode}”；可选：{'、'.join(MODES)}")
        filters = Filters(kind=kind, year=int(year) if year is not None else None, unit=unit or None)
        query = (query or "").strip()
        if not query or k <= 0 or self.is_empty():
            return []
        try:
            return self._search(query, k, filters, mode)
        except Exception:
            # Another process switched collections (a rebuild) while this one read: once more, afresh.
            self.refresh()
            return self._search(query, k, filters, mode)

    def _search(self, query: str, k: int, filters: Filters, mode: str) -> list[Passage]:
        depth = max(k * self.fusion.depth, self.fusion.floor)
        keyword: list[tuple[str, float]] = []
        vector: list[tuple[str, float]] = []
        if mode in ("hybrid", "bm25"):
            keyword = self.bm25.search(query, depth, filters.predicate())
        if mode in ("hybrid", "vector"):
            vector = self._vector_search(query, depth, filters)
        if mode == "bm25":
            ranked = keyword[:k]
        elif mode == "vector":
            ranked = vector[:k]
        else:
            ranked = reciprocal_rank_fusion(
                [([cid for cid, _ in keyword], self.fusion.bm25), ([cid for cid, _ in vector], self.fusion.vector)],
                k=self.fusion.k,
            )[:k]
        return self._passages(ranked, query)

    def _vector_search(self, query: str, depth: int, filters: Filters) -> list[tuple[str, float]]:
        # A unit filter is a substring match, which Chroma's metadata filter cannot express: read
        # deeper and filter here.
        n = min(depth * (4 if filters.unit else 1), max(self.count(), 1))
        results = self.store.similarity_search_with_score(query, k=n, filter=filters.where())
        hits = []
        for document, distance in results:
            if filters.unit and not filters.accept(document.metadata):
                continue
            hits.append((document.id, 1.0 - float(distance)))  # cosine distance → similarity
        return hits[:depth]

    def _passages(self, ranked: list[tuple[str, float]], query: str) -> list[Passage]:
        if not ranked:
            return []
        ids = [cid for cid, _ in ranked]
        got = self.collection.get(ids=ids, include=["documents", "metadatas"])
        by_id = {cid: (doc, meta) for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"])}
        terms = query_terms(query)
        passages = []
        for cid, score in ranked:
            if cid not in by_id:
                continue  # deleted by another process since the ranking was read
            text, meta = by_id[cid]
            passages.append(
                Passage(
                    text=text,
                    source=meta.get("source", ""),
                    title=meta.get("title", ""),
                    heading=meta.get("heading", ""),
                    score=round(float(score), 6),
                    start=int(meta.get("start", 0)),
                    end=int(meta.get("end", 0)),
                    kind=meta.get("kind", "other"),
                    year=meta.get("year"),
                    unit=meta.get("unit", ""),
                    chunk_id=cid,
                    doc_id=meta.get("doc_id", ""),
                    snippet=make_snippet(text, terms),
                )
            )
        return passages


@dataclass
class _Loaded:
    label: str
    source: str
    document: LoadedDocument
    digest: str
    chunks: list[Chunk]


def _write_failed(error: BaseException | None) -> str:
    reason = f"{type(error).__name__}：{error}" if error is not None else "未完成"
    return f"写入索引失败（{reason}）。"


@dataclass
class _Planned:
    """A file on its way into the index: its chunks, where its result goes, what it retires."""

    position: int  # in the report's results
    doc_id: str
    label: str
    ids: list[str]
    metas: list[dict[str, Any]]
    documents: list[str]
    index_texts: list[str]
    stale: list[str]  # chunk ids of the previous version, deleted once the new ones are written
    reused: set[str]  # chunk ids the previous version has too (same content): never rolled back
    result: FileResult
    first: int = 0  # offset of its first chunk among those given to the writer

    def release(self) -> None:
        """The writer holds the texts now; a long ingest need not keep a second copy."""
        self.documents, self.index_texts = [], []


def _overrides_differ(meta: dict[str, Any], overrides: dict[str, Any]) -> bool:
    return any(meta.get(key) != value for key, value in overrides.items())


def sample_corpus_dir() -> Path:
    return offline.REPO_ROOT / "corpus"


def as_json_items(passages: Sequence[Passage]) -> list[dict[str, Any]]:
    """The JSON shape of `python -m assistant search --json`."""
    return [
        {
            "text": p.text,
            "source": p.source,
            "title": p.title,
            "heading": p.heading,
            "score": p.score,
            "start": p.start,
            "end": p.end,
            "kind": p.kind,
            "year": p.year,
            "unit": p.unit,
            "chunk_id": p.chunk_id,
            "snippet": p.snippet,
            "citation": p.citation(),
        }
        for p in passages
    ]
