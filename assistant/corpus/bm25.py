"""The keyword side of retrieval: BM25 (rank-bm25) over jieba tokens, mirrored from the vector store.

The store keeps each chunk's tokens and metadata, persisted as JSON next to the Chroma directory (or
under the data dir for a Chroma server), so a new process does not re-tokenise the corpus. On open it
reconciles with the collection by chunk id: chunks the cache lacks are fetched and tokenised, chunks
the collection lost are dropped. The ranking model itself is rebuilt lazily after a change.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
from rank_bm25 import BM25Okapi

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
        self._model: BM25Okapi | None = None
        self._ids: list[str] = []
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._norm = np.zeros(0)

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
            self.tokens[chunk_id] = entry["t"]
            self.meta[chunk_id] = entry["m"]
        self._model = None

    def save(self) -> None:
        if not self.path:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "version": CACHE_VERSION,
            "chunks": {cid: {"t": self.tokens[cid], "m": self.meta[cid]} for cid in self.tokens},
        }
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".bm25-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, self.path)  # atomic: a reader never sees half a file

    def sync(self, collection) -> None:
        """Make the store hold exactly the collection's chunks."""
        self.load()
        ids = set(collection.get(include=[])["ids"])
        stale = [cid for cid in self.tokens if cid not in ids]
        missing = sorted(ids - set(self.tokens))
        for cid in stale:
            self.tokens.pop(cid, None)
            self.meta.pop(cid, None)
        for i in range(0, len(missing), _FETCH_BATCH):
            batch = collection.get(ids=missing[i : i + _FETCH_BATCH], include=["documents", "metadatas"])
            self.add(batch["ids"], batch["documents"], batch["metadatas"])
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
        for cid, tokens, meta in zip(ids, job.result(), metas):
            self.tokens[cid] = tokens
            self.meta[cid] = dict(meta or {})
        self._model = None

    def remove(self, ids: Iterable[str]) -> None:
        for cid in ids:
            self.tokens.pop(cid, None)
            self.meta.pop(cid, None)
        self._model = None

    def __len__(self) -> int:
        return len(self.tokens)

    # ------------------------------------------------------------ search

    def _ranker(self) -> BM25Okapi | None:
        if self._model is None and self.tokens:
            self._ids = list(self.tokens)
            # Empty token lists would give a zero average length; a placeholder keeps BM25 defined.
            model = BM25Okapi([self.tokens[cid] or ["\x00"] for cid in self._ids])
            # Postings (term → documents, term frequencies) so a query touches only the documents
            # that contain its terms; rank-bm25's own get_scores walks every document per term.
            docs: dict[str, list[int]] = {}
            freqs: dict[str, list[int]] = {}
            for number, counts in enumerate(model.doc_freqs):
                for term, count in counts.items():
                    docs.setdefault(term, []).append(number)
                    freqs.setdefault(term, []).append(count)
            self._postings = {
                term: (np.asarray(docs[term], dtype=np.int64), np.asarray(freqs[term], dtype=np.float64)) for term in docs
            }
            lengths = np.asarray(model.doc_len, dtype=np.float64)
            self._norm = model.k1 * (1 - model.b + model.b * lengths / model.avgdl)
            self._model = model
        return self._model

    def _scores(self, terms: list[str]) -> np.ndarray:
        """BM25Okapi scores of every document (the formula of rank-bm25's get_scores)."""
        model = self._model
        scores = np.zeros(len(self._ids), dtype=np.float64)
        for term in terms:
            posting = self._postings.get(term)
            if posting is None:
                continue
            docs, tf = posting
            scores[docs] += model.idf.get(term, 0.0) * tf * (model.k1 + 1) / (tf + self._norm[docs])
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
