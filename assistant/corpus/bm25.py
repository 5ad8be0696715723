"""The keyword side of retrieval: BM25 from `bm25s` over jieba tokens, mirrored from the vector store.

The store keeps each chunk's tokens and metadata, persisted as JSON next to the Chroma directory (or
under the data dir for a Chroma server), so a new process does not re-tokenise the corpus. The file
is written aside and swapped in (assistant.atomic_files), so a reader never sees half of it; a process that
finds it changed on disk (another process wrote) reloads it before answering. On open the store
reconciles with the collection by chunk id: chunks the cache lacks are fetched and tokenised, chunks
the collection lost are dropped. The bm25s model is rebuilt lazily after a change (a few hundred
milliseconds at 10k chunks).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from assistant.atomic_files import write_text_atomic
from assistant.corpus.tokens import tokenize

CACHE_VERSION = 1
_FETCH_BATCH = 2000
# bm25s's Lucene variant (idf log(1 + (N - df + .5) / (df + .5)), never negative) with Anserini's
# default k1 0.9 and b 0.4: chunks vary a lot in length, and the weaker length normalisation ranks
# better on evals/retrieval/queries.yaml than rank-bm25's k1 1.5, b 0.75 (BM25 MRR@10 0.965 vs 0.932;
# benchmarks/bench_retrieval.py prints both sides).
BM25_PARAMS = {"method": "lucene", "k1": 0.9, "b": 0.4}


def index_text(text: str, heading: str) -> str:
    """What both retrieval sides index for a chunk: its heading path, then its text."""
    return f"{heading}\n{text}" if heading else text


class Bm25Store:
    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path else None
        self.tokens: dict[str, list[str]] = {}
        self.meta: dict[str, dict[str, Any]] = {}
        self._model = None
        self._ids: list[str] = []
        self._by_doc: dict[str, set[str]] = {}  # doc_id → its chunk ids, so ingest needs no full scan
        self._seen: tuple | None = None  # (inode, size, mtime) of the cache file last read or written

    # ------------------------------------------------------------ persistence

    def _signature(self) -> tuple | None:
        try:
            stat = self.path.stat() if self.path else None
        except OSError:
            return None
        return None if stat is None else (stat.st_ino, stat.st_size, stat.st_mtime_ns)

    def changed_on_disk(self) -> bool:
        """Whether another process replaced the cache file since this one last read or wrote it."""
        return self.path is not None and self._signature() != self._seen

    def clear(self) -> None:
        self.tokens, self.meta, self._by_doc = {}, {}, {}
        self._model = None

    def load(self) -> bool:
        """Read the cache file in place of what is held; False when there is none or it is unusable."""
        if not self.path or not self.path.exists():
            return False
        signature = self._signature()
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False  # a damaged cache is rebuilt from the collection
        if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
            return False
        self.clear()
        try:
            for chunk_id, entry in data.get("chunks", {}).items():
                self._put(chunk_id, list(entry["t"]), dict(entry["m"]))
        except (KeyError, TypeError, AttributeError):
            self.clear()
            return False
        self._seen = signature
        return True

    def save(self) -> None:
        if not self.path:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "version": CACHE_VERSION,
            "chunks": {cid: {"t": self.tokens[cid], "m": self.meta[cid]} for cid in self.tokens},
        }
        # json.dumps, not json.dump: dump streams through the pure-Python encoder, ten times slower.
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        write_text_atomic(self.path, text)  # a reader never sees half a file
        self._seen = self._signature()

    def sync(self, collection, save: bool = True) -> None:
        """Make the store hold exactly the collection's chunks (reading the cache file first)."""
        self.load()
        ids = set(collection.get(include=[])["ids"])
        stale = [cid for cid in self.tokens if cid not in ids]
        missing = sorted(ids - set(self.tokens))
        self.remove(stale)
        for i in range(0, len(missing), _FETCH_BATCH):
            batch = collection.get(ids=missing[i : i + _FETCH_BATCH], include=["documents", "metadatas"])
            self.add(batch["ids"], batch["documents"], batch["metadatas"])
        if (stale or missing) and save:
            self.save()

    # ------------------------------------------------------------ changes

    def add(self, ids: list[str], texts: list[str], metas: list[dict[str, Any]]) -> None:
        """Add chunks from their stored text (tokenised here)."""
        tokens = [tokenize(index_text(text or "", (meta or {}).get("heading", ""))) for text, meta in zip(texts, metas)]
        self.add_tokens(ids, tokens, metas)

    def add_tokens(self, ids: list[str], tokens: list[list[str]], metas: list[dict[str, Any]]) -> None:
        """Add chunks whose tokens are already known (the ingest tokenises as it writes)."""
        for cid, chunk_tokens, meta in zip(ids, tokens, metas):
            self._put(cid, chunk_tokens, dict(meta or {}))
        self._model = None

    def remove(self, ids: Iterable[str]) -> None:
        for cid in ids:
            self.tokens.pop(cid, None)
            meta = self.meta.pop(cid, None)
            if meta is not None:
                chunks = self._by_doc.get(meta.get("doc_id", ""))
                if chunks is not None:
                    chunks.discard(cid)
                    if not chunks:
                        del self._by_doc[meta.get("doc_id", "")]
        self._model = None

    def doc_chunks(self, doc_id: str) -> list[str]:
        """The ids of a document's chunks, sorted."""
        return sorted(self._by_doc.get(doc_id, ()))

    def _put(self, cid: str, tokens: list[str], meta: dict[str, Any]) -> None:
        old = self.meta.get(cid)
        if old is not None and old.get("doc_id", "") != meta.get("doc_id", ""):
            self.remove([cid])
        self.tokens[cid] = tokens
        self.meta[cid] = meta
        self._by_doc.setdefault(meta.get("doc_id", ""), set()).add(cid)

    def __len__(self) -> int:
        return len(self.tokens)

    # ------------------------------------------------------------ search

    def _ranker(self):
        if self._model is None and self.tokens:
            import bm25s

            self._ids = list(self.tokens)
            model = bm25s.BM25(**BM25_PARAMS)
            # An empty token list would give a zero average length; a placeholder keeps BM25 defined.
            model.index([self.tokens[cid] or ["\x00"] for cid in self._ids], show_progress=False)
            self._model = model
        return self._model

    def search(
        self, query: str, k: int, accept: Callable[[dict[str, Any]], bool] | None = None
    ) -> list[tuple[str, float]]:
        """Top `k` (chunk id, BM25 score) with a positive score, among chunks `accept` allows."""
        model = self._ranker()
        terms = tokenize(query)
        if model is None or not terms or k <= 0:
            return []
        mask = None
        if accept is not None:
            mask = np.fromiter((accept(self.meta[cid]) for cid in self._ids), dtype=np.float32, count=len(self._ids))
        documents, scores = model.retrieve(
            [terms], k=min(k, len(self._ids)), weight_mask=mask, show_progress=False, n_threads=0
        )
        return [(self._ids[int(i)], float(s)) for i, s in zip(documents[0], scores[0]) if s > 0]
