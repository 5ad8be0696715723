"""Our embedding: deterministic, normalised, registered with chromadb; Chroma's default never runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.corpus.embeddings import (
    EMBEDDING_NAME,
    HashingEmbedder,
    HashingEmbeddingFunction,
    LangChainHashingEmbeddings,
    default_embeddings,
    openai_embeddings,
)


def test_vectors_are_deterministic_normalised_and_similar_for_related_text():
    embedder = HashingEmbedder(dim=512)
    texts = ["三公经费执行情况", "“三公”经费决算数0.09万元", "公文页边距上37毫米", ""]
    vectors = embedder.embed(texts)
    assert vectors.shape == (4, 512) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[:3], axis=1), 1.0, atol=1e-5)
    assert np.linalg.norm(vectors[3]) == 0.0
    assert np.array_equal(vectors, HashingEmbedder(dim=512).embed(texts))
    # Batching does not change a vector.
    assert np.allclose(embedder.embed([texts[1]])[0], vectors[1])
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_chroma_function_round_trips_its_config():
    from chromadb.utils.embedding_functions import config_to_embedding_function, known_embedding_functions

    function = HashingEmbeddingFunction(dim=256, ngrams=(1, 2))
    assert known_embedding_functions[EMBEDDING_NAME] is HashingEmbeddingFunction
    rebuilt = config_to_embedding_function({"name": function.name(), "config": function.get_config()})
    assert rebuilt.get_config() == function.get_config()
    assert np.allclose(rebuilt(["预算执行率"])[0], function(["预算执行率"])[0])
    assert not function.is_legacy()
    with pytest.raises(ValueError):
        function.validate_config_update(function.get_config(), {**function.get_config(), "dim": 512})


def test_langchain_adapter_matches_the_chroma_function():
    adapter = LangChainHashingEmbeddings(dim=128)
    query = adapter.embed_query("政府采购")
    documents = adapter.embed_documents(["政府采购"])
    assert len(query) == 128 and np.allclose(query, documents[0])
    assert np.allclose(adapter.chroma_function()(["政府采购"])[0], query)


def test_offline_default_unless_an_endpoint_is_configured(monkeypatch):
    monkeypatch.delenv("ASSISTANT_EMBED_MODEL", raising=False)
    monkeypatch.delenv("ASSISTANT_EMBED_BASE_URL", raising=False)
    assert isinstance(default_embeddings(), LangChainHashingEmbeddings)
    assert openai_embeddings({"ASSISTANT_EMBED_MODEL": "m"}) is None
    remote = openai_embeddings({"ASSISTANT_EMBED_MODEL": "bge-m3", "ASSISTANT_EMBED_BASE_URL": "http://127.0.0.1:9/v1"})
    assert remote.model == "bge-m3" and remote.check_embedding_ctx_length is False


def test_chroma_default_embedding_function_is_never_reached(monkeypatch, index, docs: Path):
    from chromadb.api import types as chroma_types
    from chromadb.utils.embedding_functions import onnx_mini_lm_l6_v2

    def refuse(*args, **kwargs):
        raise AssertionError("Chroma's default embedding function was called")

    monkeypatch.setattr(chroma_types.DefaultEmbeddingFunction, "__call__", refuse)
    monkeypatch.setattr(onnx_mini_lm_l6_v2.ONNXMiniLM_L6_V2, "__init__", refuse)
    monkeypatch.setattr(onnx_mini_lm_l6_v2.ONNXMiniLM_L6_V2, "__call__", refuse)

    assert index.ingest([docs]).ok
    for mode in ("hybrid", "vector"):
        assert index.search("三公经费", k=2, mode=mode)
    index.set_metadata("scoring.md", kind="policy")
    assert index.delete("scoring.md") > 0
    # The collection records our function, so even a caller that passes only text gets ours.
    result = index.collection.query(query_texts=["三公经费"], n_results=1)
    assert "三公" in result["documents"][0][0]


def test_an_openai_compatible_endpoint_gets_its_own_collection(monkeypatch, fake_openai, tmp_path: Path, docs: Path):
    from assistant.corpus.index import COLLECTION_NAME, CorpusIndex

    monkeypatch.setenv("ASSISTANT_EMBED_MODEL", "bge-m3")
    monkeypatch.setenv("ASSISTANT_EMBED_BASE_URL", fake_openai.base_url)
    index = CorpusIndex.open(tmp_path / "chroma")
    assert not isinstance(index.embeddings, LangChainHashingEmbeddings)
    assert index.collection_name.startswith(COLLECTION_NAME + "_")
    assert index.ingest([docs]).ok
    assert any(r.path.endswith("/embeddings") for r in fake_openai.requests)
    assert "0.85万元" in index.search("三公经费执行情况", k=1)[0].text
    assert len(index.search("三公经费", k=2, mode="vector")) == 2
