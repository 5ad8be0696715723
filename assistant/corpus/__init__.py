"""Corpus and retrieval: prior reports and policies, chunked into Chroma, searched by hybrid
BM25 + vector retrieval with citations.

Light to import: the index (chromadb, langchain-chroma) loads on first use of `CorpusIndex`,
`Passage` or `ensure_sample_index()`.
"""

from __future__ import annotations

import functools
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.corpus.index import CorpusIndex
    from assistant.corpus.records import DocumentInfo, IngestReport, Passage

__all__ = ["CorpusIndex", "Passage", "IngestReport", "DocumentInfo", "ensure_sample_index", "default_index"]

_lock = threading.Lock()


@functools.cache
def default_index() -> "CorpusIndex":
    """The process-wide index at the default location (or on the server named by CHROMA_HOST)."""
    from assistant.corpus.index import CorpusIndex

    return CorpusIndex.open()


def ensure_sample_index(index: "CorpusIndex | None" = None) -> "CorpusIndex":
    """The default index, with the sample corpus (corpus/) ingested when the index is empty."""
    from assistant.corpus.index import sample_corpus_dir

    with _lock:
        index = index if index is not None else default_index()
        if index.is_empty() and sample_corpus_dir().is_dir():
            index.ingest([sample_corpus_dir()])
    return index


def __getattr__(name: str):
    if name == "CorpusIndex":
        from assistant.corpus.index import CorpusIndex

        return CorpusIndex
    if name in ("Passage", "IngestReport", "DocumentInfo"):
        from assistant.corpus import records

        return getattr(records, name)
    raise AttributeError(f"module 'assistant.corpus' has no attribute {name!r}")
