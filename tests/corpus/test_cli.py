"""`python -m assistant index` and `search` on a temporary data dir."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant import cli
from assistant.offline import REPO_ROOT


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch):
    import assistant.corpus as corpus

    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CHROMA_HOST", raising=False)
    corpus.default_index.cache_clear()
    yield tmp_path / "data"
    corpus.default_index.cache_clear()


def test_index_then_search_the_sample_corpus(data_dir: Path, capsys):
    assert cli.main(["index"]) == 0
    out = capsys.readouterr().out
    assert "corpus/reports/hengshan-fulian-2023-report.txt：已入库" in out and "失败 0 个" in out
    assert (data_dir / "chroma" / "bm25.json").exists()

    assert cli.main(["search", "三公经费执行情况"]) == 0
    out = capsys.readouterr().out
    first = out.split("【2】")[0]
    assert first.startswith("【1】《2023年度部门整体支出绩效自评报告》（corpus/reports/hengshan-fulian-2023-report.txt）")
    assert "3、“三公”经费执行情况" in first and "0.09万元" in first

    assert cli.main(["search", "三公经费控制率", "-k", "2", "--kind", "policy", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert len(items) == 2 and all(item["kind"] == "policy" for item in items)
    assert {"text", "source", "heading", "score", "start", "end"} <= set(items[0])

    assert cli.main(["index"]) == 0
    assert "未变化 5 个" in capsys.readouterr().out


def test_list_delete_rebuild_and_errors(data_dir: Path, tmp_path: Path, capsys):
    doc = tmp_path / "note.md"
    doc.write_text("# 会议纪要\n\n讨论预算执行率。\n", encoding="utf-8")
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf")
    # Some files refused, the others indexed: a partial result (exit 3).
    assert cli.main(["index", str(doc), str(bad), "--kind", "other", "--year", "2024"]) == 3
    out = capsys.readouterr().out
    assert "✗" in out and "PDF" in out and "✓" in out

    assert cli.main(["index", "--list"]) == 0
    listing = capsys.readouterr().out
    assert "会议纪要" in listing and "2024年" in listing and "其他" in listing

    assert cli.main(["index", "--delete", "note.md"]) == 0
    assert "已删除" in capsys.readouterr().out
    assert cli.main(["index", "--delete", "note.md"]) == 1
    assert cli.main(["search", "预算"]) == 1
    assert "检索库为空" in capsys.readouterr().out

    assert cli.main(["index", str(doc), "--rebuild"]) == 0
    assert "已重建" in capsys.readouterr().out
    assert cli.main(["search", "预算执行率", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["source"].endswith("note.md")


def test_ensure_sample_index_fills_an_empty_index_once(data_dir: Path):
    from assistant.corpus import ensure_sample_index

    index = ensure_sample_index()
    sources = {d.source for d in index.list_documents()}
    assert "corpus/reports/hengshan-fulian-2023-report.txt" in sources
    assert len(sources) == len([p for p in (REPO_ROOT / "corpus").rglob("*") if p.is_file()])
    count = index.count()
    assert ensure_sample_index() is index and index.count() == count


def test_index_exit_codes_follow_the_documented_scheme(data_dir: Path, tmp_path: Path, capsys):
    """0 all read (a skipped link is not a failure), 3 partial, 2 nothing readable."""
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "note.md").write_text("# 会议纪要\n\n讨论预算执行率。\n", encoding="utf-8")
    (folder / "link.md").symlink_to(folder / "note.md")
    assert cli.main(["index", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "–" in out and "跳过 1 个" in out and "失败 0 个" in out

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "bad.pdf").write_bytes(b"not a pdf")
    (bad / "empty.txt").write_bytes(b"")
    (bad / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    assert cli.main(["index", str(bad)]) == 2
    out = capsys.readouterr().out
    assert "失败 3 个" in out and "新入库 0 个" in out
    assert cli.main(["index", str(tmp_path / "missing.md")]) == 2
    capsys.readouterr()

    # Already indexed and unchanged counts as read: a refused file beside it is partial.
    assert cli.main(["index", str(folder), str(bad / "bad.pdf")]) == 3
    out = capsys.readouterr().out
    assert "未变化 1 个" in out and "失败 1 个" in out


def test_a_repair_that_cannot_bring_back_every_document_is_partial(data_dir: Path, tmp_path: Path, capsys):
    keep = tmp_path / "keep.md"
    keep.write_text("# 工作总结\n\n本年度完成培训12期。\n", encoding="utf-8")
    gone = tmp_path / "gone.md"
    gone.write_text("# 会议纪要\n\n讨论预算执行率。\n", encoding="utf-8")
    assert cli.main(["index", str(keep), str(gone)]) == 0
    assert cli.main(["index", "--repair"]) == 0
    gone.unlink()
    capsys.readouterr()
    assert cli.main(["index", "--repair"]) == 3
    out = capsys.readouterr().out
    assert "gone.md" in out and "无法恢复" in out
