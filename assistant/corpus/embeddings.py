"""Text embeddings: our offline hashed character n-gram embedding, and the adapters around it.

`HashingEmbedder` turns text into a fixed-size vector with no model and no network: character 1–3
grams are hashed into `dim` buckets (numpy, vectorised over a whole batch), each n-gram weighted by
sublinear term frequency (1 + ln tf) times a fixed idf-like weight, then L2-normalised. The idf-like
weight of a character comes from its frequency in the dictionary that jieba ships (a common character
such as 的 weighs about a fifth of a rare one); an n-gram weighs the geometric mean of its characters,
scaled by its length. Nothing is fitted on the corpus, so a vector never changes when documents are
added, and the same text gives the same vector in every process.

Around it:
- `HashingEmbeddingFunction`: the chromadb EmbeddingFunction (name / get_config / build_from_config),
  registered with chromadb so a collection created with it reopens in a new process with it.
- `LangChainHashingEmbeddings`: the LangChain `Embeddings` adapter that langchain-chroma calls.
- `openai_embeddings()`: an optional OpenAI-compatible endpoint (env ASSISTANT_EMBED_MODEL and
  ASSISTANT_EMBED_BASE_URL); never the default, never used unless both are set.
"""

from __future__ import annotations

import functools
import math
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings as ChromaEmbeddings
from chromadb.utils.embedding_functions import register_embedding_function
from langchain_core.embeddings import Embeddings

EMBEDDING_NAME = "jixiao_hashing_ngram"
DEFAULT_DIM = 1024
DEFAULT_NGRAMS = (1, 2, 3)
# Bigrams carry most of the meaning of Chinese text; single characters add recall, and trigrams
# (sparse, often crossing word boundaries) get less weight. Tuned on evals/retrieval/queries.yaml.
NGRAM_SCALE = {1: 0.7, 2: 1.0, 3: 0.5}
# Characters that jieba's dictionary does not list (digits, Latin letters, rare characters).
_UNLISTED_WEIGHT = 0.6
_FLOOR_WEIGHT = 0.15
_FREQ_SCALE = 1e7
_BATCH_CHARS = 2_000_000
SIGNED = True

# 64-bit odd multipliers (from splitmix64 / Murmur3 finalisers) for position-dependent mixing.
_MIX = (
    np.uint64(0x9E3779B97F4A7C15),
    np.uint64(0xC2B2AE3D27D4EB4F),
    np.uint64(0x165667B19E3779F9),
)
_FINAL = np.uint64(0xFF51AFD7ED558CCD)
_DOC_MIX = np.uint64(0xD6E8FEB86659FD93)


@functools.cache
def _jieba_char_frequencies() -> dict[str, int]:
    """Single-character entries of jieba's shipped dictionary (read from the file, not from a live
    jieba instance, so words added at run time never change a vector)."""
    import jieba

    text = (Path(jieba.__file__).parent / "dict.txt").read_text(encoding="utf-8")
    return {char: int(count) for char, count in re.findall(r"^(\S) (\d+)", text, re.MULTILINE)}


@functools.cache
def char_weight_table() -> np.ndarray:
    """Weight of every BMP code point; 0 for characters that never form an n-gram (space,
    punctuation), so n-grams that cross them vanish."""
    table = np.zeros(0x10000, dtype=np.float64)
    cjk = np.r_[0x3400:0x4DC0, 0x4E00:0xA000, 0xF900:0xFB00]
    table[cjk] = 1.0
    for lo, hi in ((ord("0"), ord("9")), (ord("a"), ord("z")), (0xFF10, 0xFF19), (0xFF41, 0xFF5A)):
        table[lo : hi + 1] = _UNLISTED_WEIGHT
    # A decimal point and a percent sign belong to the figures they sit in ("39.55%").
    table[[ord("."), ord("%"), 0xFF05]] = _UNLISTED_WEIGHT * 0.5
    top = math.log(_FREQ_SCALE)
    for char, count in _jieba_char_frequencies().items():
        code = ord(char)
        if code < 0x10000 and table[code] > 0:
            idf = math.log(_FREQ_SCALE / (count + 1.0)) / top
            table[code] = min(1.0, max(_FLOOR_WEIGHT, idf))
    return table


def _distinct(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each distinct key in ascending order: the position of one occurrence, and the count.

    What np.unique(return_index=True, return_counts=True) gives, except that the occurrence is any
    one rather than the first: np.unique then needs a stable merge sort, more than twice as slow as
    the default sort. Equal keys here are the same n-gram in the same document (barring a 64-bit
    hash collision), so every occurrence carries the same hash and weight: the vectors are the same."""
    order = np.argsort(keys)
    ordered = keys[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    counts = np.diff(np.append(starts, len(ordered)))
    return order[starts], counts


class HashingEmbedder:
    """Deterministic hashed character n-gram TF-IDF embedding (see the module docstring)."""

    def __init__(self, dim: int = DEFAULT_DIM, ngrams: tuple[int, ...] = DEFAULT_NGRAMS) -> None:
        if dim < 16:
            raise ValueError("dim must be at least 16")
        if not ngrams or min(ngrams) < 1 or max(ngrams) > len(_MIX):
            raise ValueError(f"ngrams must be within 1..{len(_MIX)}")
        self.dim = int(dim)
        self.ngrams = tuple(sorted(set(int(n) for n in ngrams)))

    def embed(self, texts: list[str]) -> np.ndarray:
        """Vectors for `texts`, shape (len(texts), dim), float32, each of norm 1 (or 0 if empty)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        start = 0
        while start < len(texts):
            # Batches bound the temporary arrays (a few hundred bytes per character).
            stop, size = start, 0
            while stop < len(texts) and (stop == start or size + len(texts[stop]) <= _BATCH_CHARS):
                size += len(texts[stop]) + 1
                stop += 1
            out[start:stop] = self._embed_batch(texts[start:stop])
            start = stop
        return out

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        n_docs = len(texts)
        # One code-point array for the batch, texts separated by a zero (weight 0) code point.
        joined = "\x00".join(text.lower() for text in texts) + "\x00"
        codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        codes[codes >= 0x10000] = 0  # astral characters carry no weight
        weights = char_weight_table()[codes]
        lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=n_docs)
        doc_of = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        codes_u = codes.astype(np.uint64)

        grams, docs, gram_weights = [], [], []
        total = len(codes)
        for n in self.ngrams:
            if total < n:
                continue
            span = total - n + 1
            mixed = np.zeros(span, dtype=np.uint64)
            weight = np.ones(span, dtype=np.float64)
            for j in range(n):
                mixed ^= (codes_u[j : j + span] + np.uint64(j + 1)) * _MIX[j]
                weight *= weights[j : j + span]
            valid = weight > 0
            if not valid.any():
                continue
            mixed = mixed[valid] ^ np.uint64(n)
            mixed ^= mixed >> np.uint64(33)
            mixed *= _FINAL
            mixed ^= mixed >> np.uint64(29)
            grams.append(mixed)
            docs.append(doc_of[:span][valid])
            gram_weights.append(NGRAM_SCALE.get(n, 1.0) * weight[valid] ** (1.0 / n))
        matrix = np.zeros(n_docs * self.dim, dtype=np.float64)
        if grams:
            gram = np.concatenate(grams)
            doc = np.concatenate(docs)
            weight = np.concatenate(gram_weights)
            # Distinct (document, n-gram) pairs and how often each occurs: the term frequency.
            # One 64-bit key per pair (the n-gram hash mixed with the document number) sorts fast.
            pair = gram ^ (doc.astype(np.uint64) * _DOC_MIX)
            first, tf = _distinct(pair)
            gram, doc, weight = gram[first], doc[first], weight[first]
            value = (1.0 + np.log(tf)) * weight
            if SIGNED:
                # A hash bit independent of the bucket picks the sign, so colliding n-grams cancel
                # out on average instead of adding false similarity.
                value *= np.where((gram >> np.uint64(62)) & np.uint64(1), -1.0, 1.0)
            bucket = (gram % np.uint64(self.dim)).astype(np.int64)
            matrix = np.bincount(doc * self.dim + bucket, weights=value, minlength=n_docs * self.dim)
        matrix = matrix.reshape(n_docs, self.dim)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        np.divide(matrix, norms, out=matrix, where=norms > 0)
        return matrix.astype(np.float32)

    def config(self) -> dict[str, Any]:
        return {"dim": self.dim, "ngrams": list(self.ngrams), "weights": "jieba-0.42-char-idf"}

    @property
    def key(self) -> tuple[int, tuple[int, ...]]:
        """(dim, ngrams): enough to build the same embedder in another process."""
        return self.dim, self.ngrams


@functools.cache
def hashing_embedder(dim: int = DEFAULT_DIM, ngrams: tuple[int, ...] = DEFAULT_NGRAMS) -> HashingEmbedder:
    """A shared embedder per configuration."""
    return HashingEmbedder(dim=dim, ngrams=ngrams)


@register_embedding_function
class HashingEmbeddingFunction(EmbeddingFunction[Documents]):
    """chromadb embedding function over `HashingEmbedder`; persisted by name and config."""

    def __init__(self, dim: int = DEFAULT_DIM, ngrams: tuple[int, ...] | list[int] = DEFAULT_NGRAMS) -> None:
        self._embedder = HashingEmbedder(dim=dim, ngrams=tuple(ngrams))

    def __call__(self, input: Documents) -> ChromaEmbeddings:  # noqa: A002 - chromadb's protocol name
        return list(self._embedder.embed(list(input)))

    @staticmethod
    def name() -> str:
        return EMBEDDING_NAME

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine", "ip", "l2"]

    def get_config(self) -> dict[str, Any]:
        return self._embedder.config()

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "HashingEmbeddingFunction":
        return HashingEmbeddingFunction(
            dim=int(config.get("dim", DEFAULT_DIM)), ngrams=tuple(config.get("ngrams", DEFAULT_NGRAMS))
        )

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        HashingEmbedder(dim=int(config.get("dim", DEFAULT_DIM)), ngrams=tuple(config.get("ngrams", DEFAULT_NGRAMS)))

    def validate_config_update(self, old_config: dict[str, Any], new_config: dict[str, Any]) -> None:
        if {k: old_config.get(k) for k in ("dim", "ngrams")} != {k: new_config.get(k) for k in ("dim", "ngrams")}:
            raise ValueError("the dimension and n-grams of a collection's embedding cannot change")

    @property
    def embedder(self) -> HashingEmbedder:
        return self._embedder


class LangChainHashingEmbeddings(Embeddings):
    """LangChain `Embeddings` over the same embedder, for `langchain_chroma.Chroma`."""

    def __init__(self, dim: int = DEFAULT_DIM, ngrams: tuple[int, ...] = DEFAULT_NGRAMS) -> None:
        self.embedder = HashingEmbedder(dim=dim, ngrams=ngrams)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed([text])[0].tolist()

    def chroma_function(self) -> HashingEmbeddingFunction:
        """The chromadb twin of this adapter, recorded in the collection's configuration."""
        return HashingEmbeddingFunction(dim=self.embedder.dim, ngrams=self.embedder.ngrams)


def openai_embeddings(env: dict[str, str] | None = None) -> Embeddings | None:
    """An OpenAI-compatible embeddings client when ASSISTANT_EMBED_MODEL and ASSISTANT_EMBED_BASE_URL
    are both set; otherwise None (the offline default applies)."""
    env = os.environ if env is None else env
    model, base_url = env.get("ASSISTANT_EMBED_MODEL"), env.get("ASSISTANT_EMBED_BASE_URL")
    if not model or not base_url:
        return None
    from langchain_openai import OpenAIEmbeddings

    return OpenAIEmbeddings(
        model=model,
        base_url=base_url,
        api_key=env.get("ASSISTANT_EMBED_API_KEY") or env.get("OPENAI_API_KEY") or "not-needed",
        # Endpoints other than OpenAI's do not accept tiktoken token ids; send the text.
        check_embedding_ctx_length=False,
    )


def default_embeddings() -> Embeddings:
    """The embeddings an index uses unless told otherwise: the endpoint from env, else ours."""
    return openai_embeddings() or LangChainHashingEmbeddings()
