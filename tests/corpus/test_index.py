"""The index: idempotent ingest, replace, list/delete, metadata edits, filters, modes, persistence."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.corpus.index import CorpusIndex, Upload
from assistant.offline import REPO_ROOT
from tests.corpus.conftest import POLICY_TEXT, REPORT_TEXT

SEED = REPO_ROOT / "corpus" / "reports" / "hengshan-fulian-2023-report.txt"


def test_ingest_is_idempotent_and_a_changed_file_replaces_its_chunks(index, docs: Path):
    first = index.ingest([docs])
    assert [r.status for r in first.results] == ["added", "added"]
    count = index.count()
    ids = set(index.bm25.tokens)

    again = index.ingest([docs])
    assert [r.status for r in again.results] == ["unchanged", "unchanged"]
    assert set(index.bm25.tokens) == ids and index.count() == count

    (docs / "report-2022.txt").write_text(REPORT_TEXT.replace("0.85万元", "0.95万元"), encoding="utf-8")
    changed = index.ingest([docs])
    assert [r.status for r in changed.results] == ["updated", "unchanged"]
    assert index.count() == count
    texts = index.collection.get(include=["documents"])["documents"]
    assert any("0.95万元" in t for t in texts) and not any("0.85万元" in t for t in texts)
    assert len(index.list_documents()) == 2


def test_list_and_delete_documents(index, docs: Path):
    index.ingest([docs])
    docs_listed = index.list_documents()
    report = next(d for d in docs_listed if d.file == "report-2022.txt")
    assert (report.kind, report.year, report.unit) == ("report", 2022, "示范县农业农村局")
    assert report.chunks >= 2 and len(report.content_hash) == 64

    removed = index.delete("report-2022.txt")  # by file name
    assert removed == report.chunks
    assert [d.file for d in index.list_documents()] == ["scoring.md"]
    assert all(p.source.endswith("scoring.md") for p in index.search("三公经费", k=5))
    assert index.delete("no-such-file.txt") == 0
    policy = index.list_documents()[0]
    assert index.delete(policy.doc_id) > 0 and index.is_empty()
    assert index.search("评分", k=3) == []


def test_search_returns_cited_passages(index, docs: Path):
    index.ingest([docs])
    passages = index.search("三公经费执行情况", k=3)
    top = passages[0]
    assert "决算数0.85万元" in top.text
    assert top.heading == "二、预算支出及绩效情况 > （一）“三公”经费执行情况"
    assert top.source.endswith("report-2022.txt") and top.title == "2022年度部门整体支出绩效自评报告"
    source_text = (docs / "report-2022.txt").read_text(encoding="utf-8")
    assert source_text[top.start : top.end] == top.text
    assert (top.kind, top.year, top.unit) == ("report", 2022, "示范县农业农村局")
    assert "三公" in top.snippet
    assert "report-2022.txt" in top.citation() and "第" in top.citation()
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "vector"])
def test_each_mode_finds_the_passage(index, docs: Path, mode: str):
    index.ingest([docs])
    assert "政府采购支出23.45万元" in index.search("政府采购执行情况", k=2, mode=mode)[0].text


def test_filters_on_kind_year_and_unit(index, docs: Path):
    index.ingest([docs])
    for mode in ("hybrid", "bm25", "vector"):
        policies = index.search("预算执行率 三公经费", k=10, kind="policy", mode=mode)
        assert policies and all(p.kind == "policy" for p in policies)
        reports = index.search("预算执行率 三公经费", k=10, year=2022, mode=mode)
        assert reports and all(p.year == 2022 for p in reports)
        by_unit = index.search("预算", k=10, unit="农业农村局", mode=mode)
        assert by_unit and all("农业农村局" in p.unit for p in by_unit)
        assert index.search("预算", k=10, year=1999, mode=mode) == []
    with pytest.raises(ValueError):
        index.search("预算", kind="novel")
    with pytest.raises(ValueError):
        index.search("预算", mode="fuzzy")


def test_metadata_edits_apply_to_search_and_survive_a_changed_file(index, docs: Path):
    index.ingest([docs])
    edited = index.set_metadata("scoring.md", kind="notice", year=2024, unit="示范县财政局")
    assert (edited.kind, edited.year, edited.unit) == ("notice", 2024, "示范县财政局")
    assert set(edited.edited) == {"kind", "year", "unit"}
    hits = index.search("评分", k=5, kind="notice", year=2024)
    assert hits and all(p.source.endswith("scoring.md") for p in hits)

    (docs / "scoring.md").write_text(POLICY_TEXT + "\n（三）总分80分以上为良。\n", encoding="utf-8")
    assert index.ingest([docs / "scoring.md"]).results[0].status == "updated"
    after = index.find_document("scoring.md")
    assert (after.kind, after.year, after.unit) == ("notice", 2024, "示范县财政局")
    with pytest.raises(ValueError):
        index.set_metadata("scoring.md", kind="novel")
    with pytest.raises(KeyError):
        index.set_metadata("missing.md", kind="policy")


def test_ingest_overrides_and_uploads(index):
    report = index.ingest([Upload("上级通知.txt", "关于报送材料的说明\n请按时报送。".encode("gbk"))], kind="notice", year=2023)
    assert report.ok and report.results[0].status == "added"
    doc = index.list_documents()[0]
    assert (doc.source, doc.kind, doc.year) == ("上传/上级通知.txt", "notice", 2023)


def test_reopening_uses_the_persisted_bm25_cache(tmp_path: Path, docs: Path):
    path = tmp_path / "store"
    first = CorpusIndex.open(path)
    first.ingest([docs])
    cache = json.loads((path / "bm25.json").read_text(encoding="utf-8"))
    assert set(cache["chunks"]) == set(first.bm25.tokens)

    # Another process sees the same index; its search works from the cache and Chroma.
    code = (
        "from assistant import offline; offline.apply()\n"
        "from assistant.corpus.index import CorpusIndex\n"
        f"index = CorpusIndex.open({str(path)!r})\n"
        "print(index.count(), index.search('三公经费', k=1)[0].text.replace(chr(10), ' '))\n"
        "col = index.client.get_collection('jixiao_corpus')\n"
        "print(col.query(query_texts=['三公经费'], n_results=1)['documents'][0][0].replace(chr(10), ' '))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr
    count, line = done.stdout.splitlines()[0].split(" ", 1)
    assert int(count) == first.count() and "三公" in line
    # A collection reopened without naming an embedding function embeds queries with ours.
    assert "三公" in done.stdout.splitlines()[1]


def test_a_stale_bm25_cache_is_reconciled(tmp_path: Path, docs: Path):
    path = tmp_path / "store"
    index = CorpusIndex.open(path)
    index.ingest([docs])
    expected = set(index.bm25.tokens)
    (path / "bm25.json").write_text('{"version": 1, "chunks": {"ghost": {"t": ["x"], "m": {}}}}', encoding="utf-8")
    reopened = CorpusIndex(index.client, bm25_path=path / "bm25.json")
    assert set(reopened.bm25.tokens) == expected
    (path / "bm25.json").write_text("not json", encoding="utf-8")
    assert set(CorpusIndex(index.client, bm25_path=path / "bm25.json").bm25.tokens) == expected


def test_seed_report_sangong_passage_comes_first(index):
    index.ingest([SEED])
    top = index.search("三公经费执行情况", k=5)[0]
    assert "“三公”经费决算数0.09万元" in top.text
    assert top.heading.endswith("3、“三公”经费执行情况")
    assert top.source == "corpus/reports/hengshan-fulian-2023-report.txt"
    assert top.unit == "衡山县妇女联合会" and top.year == 2023


def test_bm25_scores_are_lucene_bm25_of_the_chunk_tokens(index, docs: Path):
    """The bm25s model sees every chunk's tokens: its scores equal Lucene BM25 computed here by hand."""
    import math

    from assistant.corpus.bm25 import BM25_PARAMS
    from assistant.corpus.tokens import tokenize

    index.ingest([docs])
    store = index.bm25
    corpus = {cid: store.tokens[cid] for cid in store.tokens}
    n, average = len(corpus), sum(map(len, corpus.values())) / len(corpus)
    k1, b = BM25_PARAMS["k1"], BM25_PARAMS["b"]

    def expected(terms: list[str]) -> dict[str, float]:
        scores = {}
        for cid, tokens in corpus.items():
            score = 0.0
            for term in terms:
                df = sum(1 for other in corpus.values() if term in other)
                tf = tokens.count(term)
                if tf:
                    idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
                    score += idf * tf / (tf + k1 * (1 - b + b * len(tokens) / average))
            if score > 0:
                scores[cid] = score
        return scores

    for query in ("三公经费执行情况", "预算执行率 评分", "政府采购", "乘以10分"):
        got = dict(store.search(query, k=n))
        assert got and got == pytest.approx(expected(tokenize(query)), rel=1e-5)
    # A filter keeps the scores of the chunks it accepts and drops the rest.
    policy = dict(store.search("预算执行率", k=n, accept=lambda meta: meta.get("file") == "scoring.md"))
    assert policy and all(store.meta[cid]["file"] == "scoring.md" for cid in policy)
    wanted = {cid: s for cid, s in expected(tokenize("预算执行率")).items() if store.meta[cid]["file"] == "scoring.md"}
    assert policy == pytest.approx(wanted, rel=1e-5)
