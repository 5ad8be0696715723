"""The keyword side of retrieval: BM25 (rank-bm25's BM25Okapi) over jieba tokens, mirrored from the vector store.

The store keeps each chunk's tokens and metadata, persisted as JSON next to the Chroma directory (or
under the data dir for a Chroma server), so a new process does not re-tokenise the corpus. On open it
reconciles with the collection by chunk id: chunks the cache lacks are fetched and tokenised, chunks
the collection lost are dropped. The ranking model itself is rebuilt lazily after a change.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from assistant.corpus.tokens import TokenizeJob, tokenize

CACHE_VERSION = 1
_FETCH_BATCH = 2000


def index_text(text: str, heading: str) -> str:
    """What both retrieval sides index for a chunk: its heading path, then its text."""
    return f"{heading}\n{text}" if heading else text


class Bm25Store:
    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path else None
        self.tokens: dict[str, list[str]] = {}
        self.meta: dict[str, dict[str, Any]] = {}
        self._model: _Model | None = None
        self._ids: list[str] = []
        self._by_doc: dict[str, set[str]] = {}  # doc_id → its chunk ids, so ingest needs no full scan

    # ------------------------------------------------------------ persistence

    def load(self) -> None:
        if not self.path or not self.path.exists():
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return  # a damaged cache is rebuilt from the collection
        if data.get("version") != CACHE_VERSION:
            return
        for chunk_id, entry in data.get("chunks", {}).items():
            self._put(chunk_id, entry["t"], entry["m"])
        self._model = None

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
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".bm25-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, self.path)  # atomic: a reader never sees half a file

    def sync(self, collection) -> None:
        """Make the store hold exactly the collection's chunks."""
        self.load()
        ids = set(collection.get(include=[])["ids"])
        stale = [cid for cid in self.tokens if cid not in ids]
        missing = sorted(ids - set(self.tokens))
        self.remove(stale)
        # Tokenise one batch (in the helper process, when large) while the next is fetched.
        previous = None
        for i in range(0, len(missing), _FETCH_BATCH):
            batch = collection.get(ids=missing[i : i + _FETCH_BATCH], include=["documents", "metadatas"])
            job = self.start_tokenizing(batch["documents"], batch["metadatas"])
            if previous is not None:
                self.add(*previous)
            previous = (batch["ids"], batch["documents"], batch["metadatas"], job)
        if previous is not None:
            self.add(*previous)
        if stale or missing:
            self._model = None
            self.save()

    # ------------------------------------------------------------ changes

    def start_tokenizing(self, texts: list[str], metas: list[dict[str, Any]]) -> TokenizeJob:
        """Begin tokenising chunks (in worker processes for a large batch); pass the job to `add`."""
        return TokenizeJob([index_text(text or "", (meta or {}).get("heading", "")) for text, meta in zip(texts, metas)])

    def add(
        self,
        ids: list[str],
        texts: list[str],
        metas: list[dict[str, Any]],
        job: TokenizeJob | None = None,
    ) -> None:
        job = job if job is not None else self.start_tokenizing(texts, metas)
        self.add_tokens(ids, job.result(), metas)

    def add_tokens(self, ids: list[str], tokens: list[list[str]], metas: list[dict[str, Any]]) -> None:
        """Add chunks whose tokens are already known (the ingest tokenises while Chroma writes)."""
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

    def _ranker(self) -> "_Model | None":
        if self._model is None and self.tokens:
            self._ids = list(self.tokens)
            # Empty token lists would give a zero average length; a placeholder keeps BM25 defined.
            self._model = _Model.build([self.tokens[cid] or ["\x00"] for cid in self._ids])
        return self._model

    def _scores(self, terms: list[str]) -> np.ndarray:
        """BM25Okapi scores of every document (the formula of rank-bm25's get_scores)."""
        model = self._model
        scores = np.zeros(len(self._ids), dtype=np.float64)
        for term in terms:
            number = model.vocabulary.get(term)
            if number is None:
                continue
            posting = slice(model.starts[number], model.starts[number + 1])
            docs, tf = model.docs[posting], model.tf[posting]
            scores[docs] += model.idf[number] * tf * (model.k1 + 1) / (tf + model.norm[docs])
        return scores

    def search(
        self, query: str, k: int, accept: Callable[[dict[str, Any]], bool] | None = None
    ) -> list[tuple[str, float]]:
        """Top `k` (chunk id, BM25 score) with a positive score, among chunks `accept` allows."""
        model = self._ranker()
        terms = tokenize(query)
        if model is None or not terms:
            return []
        scores = self._scores(terms)
        if accept is not None:
            allowed = np.fromiter((accept(self.meta[cid]) for cid in self._ids), dtype=bool, count=len(self._ids))
            scores = np.where(allowed, scores, 0.0)
        top = np.argsort(-scores, kind="stable")[:k]
        return [(self._ids[i], float(scores[i])) for i in top if scores[i] > 0]


@dataclass
class _Model:
    """rank-bm25's BM25Okapi (k1 1.5, b 0.75, epsilon 0.25: its idf, floor and length norm),
    stored as postings: each term's documents and term frequencies, so that a query touches only
    the documents that contain its terms (rank-bm25's own get_scores walks every document per
    term), and built with numpy in a single pass over the tokens (rank-bm25's constructor plus
    a second pass for the postings took three times as long). The tests check the scores against
    rank-bm25's."""

    vocabulary: dict[str, int]  # term → number, in order of first appearance (rank-bm25's order)
    starts: np.ndarray  # term n's postings are docs[starts[n]:starts[n + 1]]
    docs: np.ndarray
    tf: np.ndarray
    idf: np.ndarray
    norm: np.ndarray  # k1 * (1 - b + b * length / average length), per document
    k1: float = 1.5

    @classmethod
    def build(cls, corpus: list[list[str]], k1: float = 1.5, b: float = 0.75, epsilon: float = 0.25) -> "_Model":
        vocabulary: dict[str, int] = {}
        numbers = [vocabulary.setdefault(term, len(vocabulary)) for tokens in corpus for term in tokens]
        lengths = np.fromiter(map(len, corpus), dtype=np.int64, count=len(corpus))
        n_docs, n_terms = len(corpus), len(vocabulary)
        # One key per (term, document) occurrence; sorted distinct keys are the postings in term order.
        keys = np.asarray(numbers, dtype=np.int64) * n_docs + np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        keys.sort()
        distinct = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        tf = np.diff(np.append(distinct, len(keys))).astype(np.float64)
        keys = keys[distinct]
        terms, docs = np.divmod(keys, n_docs)
        starts = np.searchsorted(terms, np.arange(n_terms + 1))
        # rank-bm25's _calc_idf, term by term in its order, so the floor for common terms is the same float.
        idf = [math.log(n_docs - df + 0.5) - math.log(df + 0.5) for df in np.diff(starts).tolist()]
        total = 0.0
        for value in idf:
            total += value
        floor = epsilon * (total / n_terms)
        idf_array = np.asarray([floor if value < 0 else value for value in idf], dtype=np.float64)
        average_length = int(lengths.sum()) / n_docs
        norm = k1 * (1 - b + b * lengths.astype(np.float64) / average_length)
        return cls(vocabulary, starts, docs, tf, idf_array, norm, k1)
