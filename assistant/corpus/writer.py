"""Writing chunks to the index: embed them, store them in Chroma, tokenise them for BM25.

Batches are large because every Chroma call has a fixed cost (its full-text index merges segments
per call): 10k chunks written 250 at a time take about 1.6 times as long as 2,500 at a time. Chunks
are written in the order they are added and writes stop at the first failure, so the chunks written
are always a known prefix of those added, and the caller can tell per file what got in.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Sequence

from assistant.corpus.records import WriteStats
from assistant.corpus.tokens import tokenize

WRITE_BATCH = 2500


class ChunkWriter:
    """Writes chunks in the order they are added, `batch` at a time; use it as a context manager.

    `embed` makes vectors from texts. `error` holds the first failure (an embedding failure counts
    as one); once finished, `tokens[i]` are the BM25 tokens of the i-th chunk written.
    """

    def __init__(
        self, collection, embed: Callable[[list[str]], Any], *, batch: int = WRITE_BATCH, upsert: bool = True
    ) -> None:
        if batch < 1:
            raise ValueError("batch must be positive")
        self.batch = batch
        self.tokens: list[list[str]] = []
        self.added = 0
        self.written = 0
        self.error: BaseException | None = None
        self.stats = WriteStats()
        self._embed = embed
        self._write = collection.upsert if upsert else collection.add
        self._buffer: tuple[list, list, list, list] = ([], [], [], [])
        self._finished = False

    def __enter__(self) -> "ChunkWriter":
        return self

    def __exit__(self, *exc_info) -> None:
        self.finish()

    @property
    def failed(self) -> bool:
        return self.error is not None

    def add(
        self,
        ids: Sequence[str],
        documents: Sequence[str],
        metadatas: Sequence[dict[str, Any]],
        index_texts: Sequence[str],
    ) -> None:
        """Queue chunks: their ids, stored texts, metadata, and the text both retrieval sides index."""
        if not len(ids) == len(documents) == len(metadatas) == len(index_texts):
            raise ValueError("ids, documents, metadatas and index_texts must have the same length")
        for buffer, values in zip(self._buffer, (ids, documents, metadatas, index_texts)):
            buffer.extend(values)
        self.added += len(ids)
        while len(self._buffer[0]) >= self.batch:
            self._write_batch(self.batch)

    def finish(self) -> None:
        """Write everything still buffered; safe to call twice."""
        if self._finished:
            return
        self._finished = True
        if self._buffer[0]:
            self._write_batch(len(self._buffer[0]))

    def _write_batch(self, count: int) -> None:
        ids, documents, metadatas, texts = (buffer[:count] for buffer in self._buffer)
        for buffer in self._buffer:
            del buffer[:count]
        if self.error is not None:
            return  # nothing after a failure is written, so nothing more is computed
        started = time.perf_counter()
        try:
            vectors = self._embed(texts)
        except Exception as error:  # an embedding endpoint that fails: reported like a failed write
            self.error = error
            return
        finally:
            self.stats.embed_s += time.perf_counter() - started
        started = time.perf_counter()
        try:
            # Our vectors go in directly, so Chroma never embeds anything itself.
            self._write(ids=ids, embeddings=vectors, documents=documents, metadatas=metadatas)
        except Exception as error:  # handed to the caller, who reports it per file
            self.error = error
            return
        finally:
            self.stats.write_s += time.perf_counter() - started
        self.written += len(ids)
        started = time.perf_counter()
        self.tokens.extend(tokenize(text) for text in texts)
        self.stats.tokenize_s += time.perf_counter() - started
