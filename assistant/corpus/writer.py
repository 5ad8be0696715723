"""Writing chunks to the index: embed them, store them in Chroma, tokenise them for BM25.

Where the time goes when 10k chunks (about 4.3 M characters) are written on this project's two-core
machine: Chroma's own work (its SQLite log and metadata rows, the FTS5 full-text index it keeps on
every document, the HNSW graph) about 12–16 s, depending on the metadata; tokenising for BM25
about 5 s; embedding about 2 s. Chroma's Python binding holds the GIL for the whole of a write, so
no thread of this process gets anything done meanwhile: the rest goes to the helper process
(helper.py). While Chroma writes batch k, the helper embeds batch k + 1 and tokenises, and the
writes are about all that is left on the critical path. The first batch is embedded here, so that
Chroma starts at once even while the helper is still starting.

Batches are large because every Chroma call has a fixed cost (its full-text index merges segments
per call): 10k chunks written 250 at a time take about 1.6 times as long as 2,500 at a time.
Writes smaller than one batch are done here, start to end, unless the helper is running anyway:
it is not worth starting for them.
"""

from __future__ import annotations

import os
import time
from collections import deque
from typing import Any, Callable, Sequence

from assistant.corpus.helper import Helper, HelperError, helper
from assistant.corpus.helper import running as helper_running
from assistant.corpus.records import WriteStats
from assistant.corpus.tokens import tokenize

WRITE_BATCH = 2500


class _Batch:
    def __init__(self, ids, documents, metadatas, texts) -> None:
        self.ids, self.documents, self.metadatas, self.texts = ids, documents, metadatas, texts
        self.helper: Helper | None = None  # the helper that has this batch's job, if any
        self.key = 0
        self.helper_embeds = False


class ChunkWriter:
    """Writes chunks in the order they are added, `batch` at a time; use it as a context manager.

    `embed` makes vectors from texts; `hashing`, when given as (dim, ngrams), says that `embed` is our
    hashing embedding with that configuration, which the helper process can then compute as well.
    Writes stop at the first failure, so the chunks written are always the first `written` of those
    added; `error` holds the failure (an embedding failure counts as one) and, once finished,
    `tokens[i]` are the BM25 tokens of the i-th chunk written.
    """

    def __init__(
        self,
        collection,
        embed: Callable[[list[str]], Any],
        *,
        hashing: tuple[int, tuple[int, ...]] | None = None,
        batch: int = WRITE_BATCH,
        upsert: bool = True,
        parallel: bool | None = None,
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
        self._hashing = hashing
        self._write = collection.upsert if upsert else collection.add
        self._parallel = parallel
        self._buffer: tuple[list, list, list, list] = ([], [], [], [])
        self._pending: deque[_Batch] = deque()  # handed out, not yet written
        self._written: list[_Batch] = []  # written; their tokens are collected at the end
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
            self._dispatch(self.batch)

    def finish(self) -> None:
        """Write everything still buffered or in flight, then collect the tokens; safe to call twice."""
        if self._finished:
            return
        self._finished = True
        if self._buffer[0]:
            self._dispatch(len(self._buffer[0]))
        while self._pending:
            self._write_oldest()
        for batch in self._written:
            self.tokens.extend(self._tokens(batch))
        self._written = []

    def _dispatch(self, count: int) -> None:
        batch = _Batch(*(buffer[:count] for buffer in self._buffer))
        for buffer in self._buffer:
            del buffer[:count]
        if self.error is not None:
            return  # nothing after a failure is written, so nothing more is computed
        if self._parallel is None:
            # Decided once: the helper when there is a core for it, for writes of at least a batch
            # or whenever it is running anyway.
            self._parallel = (count >= self.batch or helper_running()) and (os.cpu_count() or 1) >= 2
        if self._parallel:
            # The first batch is embedded here (see the module docstring).
            batch.helper_embeds = self._hashing is not None and bool(self._pending or self._written)
            try:
                batch.helper = helper()
                batch.key = batch.helper.submit(batch.texts, self._hashing if batch.helper_embeds else None)
            except HelperError:
                batch.helper, batch.helper_embeds = None, False  # done here instead
        self._pending.append(batch)
        # Keep one batch in the helper's hands while this process writes the one before it.
        while len(self._pending) > (1 if self._parallel else 0):
            self._write_oldest()

    def _write_oldest(self) -> None:
        batch = self._pending.popleft()
        if self.error is not None:
            _abandon(batch)
            return
        try:
            vectors = self._vectors(batch)
        except Exception as error:  # an embedding endpoint that fails: reported like a failed write
            self.error = error
            _abandon(batch)
            return
        started = time.perf_counter()
        try:
            # Our vectors go in directly, so Chroma never embeds anything itself.
            self._write(ids=batch.ids, embeddings=vectors, documents=batch.documents, metadatas=batch.metadatas)
        except Exception as error:  # handed to the caller, who reports it per file
            self.error = error
            _abandon(batch)
            return
        finally:
            self.stats.write_s += time.perf_counter() - started
            self.stats.writes_done_at = time.perf_counter()
        self.written += len(batch.ids)
        self._written.append(batch)

    def _vectors(self, batch: _Batch):
        started = time.perf_counter()
        if batch.helper_embeds:
            try:
                vectors, seconds = batch.helper.vectors(batch.key)
            except HelperError:
                pass  # the helper died: embed here
            else:
                self.stats.wait_s += time.perf_counter() - started
                self.stats.helper_embed_s += seconds
                return vectors
        vectors = self._embed(batch.texts)
        self.stats.embed_s += time.perf_counter() - started
        return vectors

    def _tokens(self, batch: _Batch) -> list[list[str]]:
        started = time.perf_counter()
        if batch.helper is not None:
            try:
                tokens, seconds = batch.helper.tokens(batch.key)
            except HelperError:
                pass  # the helper died: tokenise here
            else:
                self.stats.wait_s += time.perf_counter() - started
                self.stats.helper_tokenize_s += seconds
                return tokens
        tokens = [tokenize(text) for text in batch.texts]
        self.stats.tokenize_s += time.perf_counter() - started
        return tokens


def _abandon(batch: _Batch) -> None:
    """A batch that will not be written: its results in the helper are not wanted."""
    if batch.helper is not None:
        batch.helper.forget(batch.key)
