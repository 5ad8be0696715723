"""How ingest writes: files share large batches, a failed write keeps the old version, new overrides
alone re-embed nothing, and a file named twice in one call is written once."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.corpus.index import CorpusIndex, Upload
from tests.corpus.conftest import REPORT_TEXT


@pytest.fixture
def local(tmp_path: Path) -> CorpusIndex:
    return CorpusIndex.open(tmp_path / "chroma")


def _count_adds(monkeypatch, index: CorpusIndex) -> list[int]:
    sizes: list[int] = []
    original = index.collection.add

    def add(**kwargs):
        sizes.append(len(kwargs["ids"]))
        return original(**kwargs)

    monkeypatch.setattr(index.collection, "add", add)
    return sizes


def test_the_files_of_one_ingest_share_one_write(monkeypatch, local, tmp_path: Path):
    folder = tmp_path / "many"
    folder.mkdir()
    for number in range(6):
        text = REPORT_TEXT.replace("示范县农业农村局", f"示范县第{number}局").replace("1.20万元", f"{number}.20万元")
        (folder / f"report-{number}.txt").write_text(text, encoding="utf-8")
    sizes = _count_adds(monkeypatch, local)
    report = local.ingest([folder])
    assert [r.status for r in report.results] == ["added"] * 6
    assert sizes == [local.count()] and local.count() == sum(r.chunks for r in report.results)
    assert local.search("第3局 三公经费", k=1)[0].unit == "示范县第3局"


def test_a_failed_write_keeps_the_old_version_searchable(monkeypatch, local, docs: Path):
    local.ingest([docs])
    before = set(local.bm25.tokens)

    def refuse(**kwargs):
        raise OSError("磁盘已满")

    (docs / "report-2022.txt").write_text(REPORT_TEXT.replace("0.85万元", "0.95万元"), encoding="utf-8")
    monkeypatch.setattr(local.collection, "add", refuse)
    result = local.ingest([docs / "report-2022.txt"]).results[0]
    assert result.status == "error" and "写入索引失败" in result.message and "磁盘已满" in result.message
    assert set(local.bm25.tokens) == before
    assert "0.85万元" in local.search("三公经费决算数", k=1)[0].text

    monkeypatch.undo()
    assert local.ingest([docs / "report-2022.txt"]).results[0].status == "updated"
    texts = local.collection.get(include=["documents"])["documents"]
    assert any("0.95万元" in t for t in texts) and not any("0.85万元" in t for t in texts)
    assert set(local.collection.get(include=[])["ids"]) == set(local.bm25.tokens)


def test_new_overrides_alone_update_metadata_and_embed_nothing(monkeypatch, local, docs: Path):
    local.ingest([docs])
    sizes = _count_adds(monkeypatch, local)
    result = local.ingest([docs / "scoring.md"], kind="notice", year=2024).results[0]
    assert result.status == "updated" and sizes == []
    doc = local.find_document("scoring.md")
    assert (doc.kind, doc.year) == ("notice", 2024) and set(doc.edited) == {"kind", "year"}
    stored = local.collection.get(where={"doc_id": doc.doc_id}, include=["metadatas"])["metadatas"]
    assert stored and all(m["kind"] == "notice" and m["year"] == 2024 for m in stored)
    assert all(p.source.endswith("scoring.md") for p in local.search("评分", k=5, kind="notice"))


def test_a_file_named_twice_in_one_ingest_is_written_once(local, docs: Path):
    report = local.ingest([docs, docs / "report-2022.txt"])
    assert [r.status for r in report.results] == ["added", "added", "unchanged"]
    assert local.count() == report.results[0].chunks + report.results[1].chunks

    twice = local.ingest([Upload("说明.txt", "第一版：预算执行率为90%。".encode()), Upload("说明.txt", "第二版：预算执行率为95%。".encode())])
    assert [r.status for r in twice.results] == ["added", "updated"]
    texts = [p.text for p in local.search("预算执行率", k=10) if p.source == "上传/说明.txt"]
    assert texts == ["第二版：预算执行率为95%。"]


def test_the_bm25_cache_is_saved_once_and_reloads(monkeypatch, local, docs: Path, tmp_path: Path):
    saves = []
    original = local.bm25.save
    monkeypatch.setattr(local.bm25, "save", lambda: saves.append(1) or original())
    local.ingest([docs])
    assert saves == [1]
    reopened = CorpusIndex(local.client, bm25_path=tmp_path / "chroma" / "bm25.json")
    assert reopened.bm25.tokens == local.bm25.tokens and reopened.bm25.meta == local.bm25.meta
    assert reopened.bm25.doc_chunks(local.list_documents()[0].doc_id) == local.bm25.doc_chunks(local.list_documents()[0].doc_id)
