"""Hybrid retrieval: fuse the BM25 and vector rankings by reciprocal rank fusion, filter, cite.

Reciprocal rank fusion scores a chunk Σ wᵢ / (k + rankᵢ) over the rankings it appears in; it needs no
score calibration between BM25 and cosine similarity, and a chunk that both sides rank well wins.
The weights and k were tuned on evals/retrieval/queries.yaml (see benchmarks/bench_retrieval.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

MODES = ("hybrid", "bm25", "vector")
KIND_VALUES = ("report", "policy", "notice", "other")


@dataclass(frozen=True)
class FusionWeights:
    """Weighted RRF settings. On the labelled set BM25 is the stronger side at rank 1 (MRR 0.93 vs
    0.87) while the vector side rescues what BM25 misses (recall@5 1.00 vs 0.98). A small k makes
    the first ranks count and a vector weight below one lets BM25's top hit stand unless the vector
    side agrees; the sweep printed by benchmarks/bench_retrieval.py shows hybrid ≥ both sides for
    k = 1 with vector weights 0.3–0.5, and the middle of that range is the default. The classic
    k = 60 with equal weights loses about 0.01 MRR to BM25 alone here."""

    bm25: float = 1.0
    vector: float = 0.4
    k: int = 1
    # How deep each side is read before fusing, as a multiple of the requested k (at least `floor`).
    depth: int = 4
    floor: int = 20


DEFAULT_FUSION = FusionWeights()


def reciprocal_rank_fusion(
    rankings: list[tuple[list[str], float]], k: int = 60
) -> list[tuple[str, float]]:
    """Fuse ranked id lists, each with a weight; best first, ties broken by first appearance."""
    scores: dict[str, float] = {}
    for ids, weight in rankings:
        for rank, chunk_id in enumerate(ids, start=1):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    year: int | None = None
    unit: str | None = None

    def __post_init__(self) -> None:
        if self.kind is not None and self.kind not in KIND_VALUES:
            raise ValueError(f"未知的文档类型“{self.kind}”；可选：{'、'.join(KIND_VALUES)}")

    @property
    def empty(self) -> bool:
        return self.kind is None and self.year is None and not self.unit

    def where(self) -> dict[str, Any] | None:
        """The Chroma metadata filter for kind and year. The unit is matched as a substring, which
        Chroma's metadata filter cannot express, so the vector side applies `accept` afterwards."""
        clauses: list[dict[str, Any]] = []
        if self.kind is not None:
            clauses.append({"kind": self.kind})
        if self.year is not None:
            clauses.append({"year": int(self.year)})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def accept(self, meta: dict[str, Any]) -> bool:
        if self.kind is not None and meta.get("kind") != self.kind:
            return False
        if self.year is not None and meta.get("year") != int(self.year):
            return False
        if self.unit and self.unit not in (meta.get("unit") or ""):
            return False
        return True

    def predicate(self) -> Callable[[dict[str, Any]], bool] | None:
        return None if self.empty else self.accept


_TERM_SPLIT = re.compile(r"[\s，。；、：:,.!?！？“”\"'（）()]+")


def make_snippet(text: str, query_terms: list[str], width: int = 120) -> str:
    """A window of `text` of about `width` characters covering the most query terms."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    terms = [t for t in query_terms if len(t) >= 2] or [t for t in query_terms if t]
    if not terms:
        return flat[:width] + "…"
    hits = sorted(m.start() for t in set(terms) for m in re.finditer(re.escape(t), flat))
    if not hits:
        return flat[:width] + "…"
    best_start, best_count = hits[0], 0
    for i, start in enumerate(hits):
        count = sum(1 for h in hits[i:] if h < start + width)
        if count > best_count:
            best_start, best_count = start, count
    begin = max(0, min(best_start - width // 5, len(flat) - width))
    end = begin + width
    return ("…" if begin > 0 else "") + flat[begin:end] + ("…" if end < len(flat) else "")


def query_terms(query: str) -> list[str]:
    """Terms to highlight in snippets: jieba tokens plus the query's own phrases."""
    from assistant.corpus.tokens import tokenize

    phrases = [p for p in _TERM_SPLIT.split(query) if p]
    return phrases + tokenize(query)
