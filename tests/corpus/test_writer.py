"""The chunk writer: batches in order, the same vectors and tokens with or without the helper process,
a failure stops the writes at a known prefix, and a dead helper only means doing the work here."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.corpus import writer as writer_module
from assistant.corpus.embeddings import HashingEmbedder
from assistant.corpus.helper import Helper, HelperError
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


def _write(collection, parallel: bool, batch: int = 7) -> ChunkWriter:
    embedder = HashingEmbedder(dim=256)
    writer = ChunkWriter(collection, embedder.embed, hashing=embedder.key, batch=batch, parallel=parallel)
    ids = [f"c{i}" for i in range(len(TEXTS))]
    with writer:
        # Added in uneven pieces, as files of different sizes are.
        for start, stop in ((0, 3), (3, 4), (4, 19), (19, len(TEXTS))):
            writer.add(ids[start:stop], TEXTS[start:stop], [{"n": i} for i in range(start, stop)], TEXTS[start:stop])
    return writer


@pytest.mark.parametrize("parallel", [False, True])
def test_batches_in_order_with_the_same_vectors_and_tokens(parallel):
    collection = Recorder()
    writer = _write(collection, parallel)
    assert writer.error is None and writer.written == writer.added == len(TEXTS)
    assert [len(call[0]) for call in collection.calls] == [7, 7, 7, 4]
    ids = [cid for call in collection.calls for cid in call[0]]
    assert ids == [f"c{i}" for i in range(len(TEXTS))]
    assert [m["n"] for call in collection.calls for m in call[3]] == list(range(len(TEXTS)))
    vectors = np.concatenate([call[1] for call in collection.calls])
    assert np.array_equal(vectors, HashingEmbedder(dim=256).embed(TEXTS))
    assert writer.tokens == [tokenize(text) for text in TEXTS]
    if parallel:
        # The first batch is embedded here, the others by the helper; all tokens come from it.
        assert writer.stats.helper_embed_s > 0 and writer.stats.embed_s > 0
        assert writer.stats.helper_tokenize_s > 0 and writer.stats.tokenize_s == 0


@pytest.mark.parametrize("parallel", [False, True])
def test_a_failed_write_stops_the_writes_at_a_prefix(parallel):
    collection = Recorder(fail_at=2)
    writer = _write(collection, parallel)
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
    with ChunkWriter(collection, embed, batch=10, parallel=False) as writer:
        writer.add([f"c{i}" for i in range(25)], TEXTS[:25], [{}] * 25, TEXTS[:25])
    assert isinstance(writer.error, ConnectionError) and writer.written == 10
    assert calls == [10, 10] and len(collection.calls) == 1


def test_a_dead_helper_means_the_work_is_done_here(monkeypatch):
    dead = Helper()
    dead._process.kill()
    dead._process.join()
    with pytest.raises(HelperError):
        dead.submit(["预算"])
    monkeypatch.setattr(writer_module, "helper", lambda: dead)
    collection = Recorder()
    writer = _write(collection, parallel=True)
    assert writer.error is None and writer.written == len(TEXTS)
    assert np.array_equal(np.concatenate([c[1] for c in collection.calls]), HashingEmbedder(dim=256).embed(TEXTS))
    assert writer.tokens == [tokenize(text) for text in TEXTS]
    assert writer.stats.helper_embed_s == 0 and writer.stats.helper_tokenize_s == 0


def test_mismatched_lengths_are_refused():
    writer = ChunkWriter(Recorder(), HashingEmbedder(dim=64).embed, parallel=False)
    with pytest.raises(ValueError):
        writer.add(["a", "b"], ["x"], [{}], ["x"])
