"""The chunk writer: batches in order with the same vectors and tokens as computed directly, and a
failure (write or embedding) stops the writes at a known prefix."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.corpus.embeddings import HashingEmbedder
from assistant.corpus.tokens import tokenize
from assistant.corpus.writer import ChunkWriter

TEXTS = [f"{year}年度“三公”经费预算数{n}.5万元，决算数{n}.1万元，预算执行率为9{n}.2%。" for year in range(2019, 2024) for n in range(5)]


class Recorder:
    """A stand-in collection that records each add, and can refuse the n-th."""

    def __init__(self, fail_at: int | None = None) -> None:
        self.calls: list[tuple[list[str], np.ndarray, list[str], list[dict]]] = []
        self.fail_at = fail_at

    def add(self, ids, embeddings, documents, metadatas) -> None:
        if self.fail_at is not None and len(self.calls) == self.fail_at:
            raise RuntimeError("磁盘已满")
        self.calls.append((list(ids), np.asarray(embeddings, dtype=np.float32), list(documents), list(metadatas)))

    upsert = add


def _write(collection, batch: int = 7) -> ChunkWriter:
    embedder = HashingEmbedder(dim=256)
    writer = ChunkWriter(collection, embedder.embed, batch=batch)
    ids = [f"c{i}" for i in range(len(TEXTS))]
    with writer:
        # Added in uneven pieces, as files of different sizes are.
        for start, stop in ((0, 3), (3, 4), (4, 19), (19, len(TEXTS))):
            writer.add(ids[start:stop], TEXTS[start:stop], [{"n": i} for i in range(start, stop)], TEXTS[start:stop])
    return writer


def test_batches_in_order_with_the_same_vectors_and_tokens():
    collection = Recorder()
    writer = _write(collection)
    assert writer.error is None and writer.written == writer.added == len(TEXTS)
    assert [len(call[0]) for call in collection.calls] == [7, 7, 7, 4]
    ids = [cid for call in collection.calls for cid in call[0]]
    assert ids == [f"c{i}" for i in range(len(TEXTS))]
    assert [m["n"] for call in collection.calls for m in call[3]] == list(range(len(TEXTS)))
    vectors = np.concatenate([call[1] for call in collection.calls])
    assert np.array_equal(vectors, HashingEmbedder(dim=256).embed(TEXTS))
    assert writer.tokens == [tokenize(text) for text in TEXTS]
    assert writer.stats.embed_s > 0 and writer.stats.tokenize_s > 0


def test_a_failed_write_stops_the_writes_at_a_prefix():
    collection = Recorder(fail_at=2)
    writer = _write(collection)
    assert isinstance(writer.error, RuntimeError) and writer.failed
    assert writer.written == 14 and len(collection.calls) == 2
    assert writer.tokens == [tokenize(text) for text in TEXTS[:14]]


def test_an_embedding_failure_is_reported_like_a_failed_write():
    calls = []

    def embed(texts):
        calls.append(len(texts))
        if len(calls) == 2:
            raise ConnectionError("embedding endpoint down")
        return HashingEmbedder(dim=64).embed(texts)

    collection = Recorder()
    with ChunkWriter(collection, embed, batch=10) as writer:
        writer.add([f"c{i}" for i in range(25)], TEXTS[:25], [{}] * 25, TEXTS[:25])
    assert isinstance(writer.error, ConnectionError) and writer.written == 10
    assert calls == [10, 10] and len(collection.calls) == 1


def test_mismatched_lengths_are_refused():
    writer = ChunkWriter(Recorder(), HashingEmbedder(dim=64).embed)
    with pytest.raises(ValueError):
        writer.add(["a", "b"], ["x"], [{}], ["x"])
