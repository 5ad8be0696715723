"""Several processes on one embedded store: the races of issue 16, run for real with the CLI.

Two `index --rebuild` and two `index` runs with searches going on at the same time, and four plain
`index` runs at once, must leave a store that opens, answers searches, holds no duplicate chunk,
has every chunk in the BM25 cache, and holds each document whole. A damaged store is recovered by
`index --repair` from the documents' own records, without anyone deleting a folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.offline import REPO_ROOT
from tests.corpus.conftest import POLICY_TEXT, REPORT_TEXT

# Documents per writer: enough chunks (about 1,500) that the writers' work overlaps for seconds.
RACE_FILES = 60

SEARCHER = r"""
import sys, time
from pathlib import Path
from assistant import offline
offline.apply()
from assistant.corpus.index import CorpusIndex
stop = Path(sys.argv[1])
index = None
done = failed = 0
errors = []
while not stop.exists():
    try:
        if index is None:
            index = CorpusIndex.open()
        index.search("预算执行率", k=3)
        index.list_documents()
        done += 1
    except Exception as error:  # counted: a search must never fail because another process writes
        failed += 1
        errors.append(f"{type(error).__name__}: {error}")
    time.sleep(0.05)
print(done, failed)
print("\n".join(errors[:5]), file=sys.stderr)
raise SystemExit(1 if failed else 0)
"""


def _env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CHROMA_HOST", "CHROMA_PORT")}
    env["ASSISTANT_DATA_DIR"] = str(data)
    env["PYTHONPATH"] = str(REPO_ROOT)
    return env


def _folders(tmp_path: Path, n: int, files: int = 2) -> list[Path]:
    """n folders of `files` documents each, every document distinct (its own unit and figures). Big
    folders make the writes of the processes overlap for seconds, as a real batch does."""
    folders = []
    for i in range(n):
        folder = tmp_path / f"set{i}"
        folder.mkdir()
        for j in range(files // 2):
            unit = f"示范县第{i}-{j}局"
            paragraphs = "".join(
                REPORT_TEXT.replace("示范县农业农村局", unit).replace("23.45", f"{i}{j}.{k:02d}") for k in range(12)
            )
            (folder / f"report-{i}-{j}.txt").write_text(paragraphs, encoding="utf-8")
            (folder / f"policy-{i}-{j}.md").write_text(POLICY_TEXT.replace("示例", f"示例{i}-{j}"), encoding="utf-8")
        folders.append(folder)
    return folders


def _cli(args: list[str], data: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "assistant", *args],
        cwd=REPO_ROOT,
        env=_env(data),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait(processes: list[subprocess.Popen], timeout: float = 240) -> list[tuple[int, str, str]]:
    results = []
    for process in processes:
        out, err = process.communicate(timeout=timeout)
        results.append((process.returncode, out, err))
    return results


def _check_usable(data: Path, folders: list[Path]) -> dict[str, int]:
    """Open the store in a fresh process and check it; returns document source → chunk count."""
    code = (
        "import json\n"
        "from assistant import offline; offline.apply()\n"
        "from assistant.corpus.index import CorpusIndex\n"
        "index = CorpusIndex.open()\n"
        "ids = index.collection.get(include=[])['ids']\n"
        "hits = index.search('预算执行率', k=3)\n"
        "print(json.dumps({'ids': ids, 'bm25': sorted(index.bm25.tokens), 'cache': str(index.bm25.path),"
        " 'hits': len(hits), 'docs': {d.source: d.chunks for d in index.list_documents()}}, ensure_ascii=False))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=_env(data), capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    state = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(state["ids"]) == len(set(state["ids"])), "duplicate chunk ids"
    assert state["hits"] > 0
    # The BM25 cache file on disk holds exactly the collection's chunks.
    cache = json.loads(Path(state["cache"]).read_text(encoding="utf-8"))
    assert set(cache["chunks"]) == set(state["ids"]) == set(state["bm25"])
    return state["docs"]


def _expected_chunks(path: Path) -> int:
    from assistant.corpus.chunking import chunk_text
    from assistant.corpus.loaders import load_path

    document, _ = load_path(path)
    return len(chunk_text(document.text))


@pytest.mark.timeout(600)
def test_two_rebuilds_and_two_ingests_with_searches_leave_a_usable_store(tmp_path: Path):
    data = tmp_path / "data"
    folders = _folders(tmp_path, 4, files=RACE_FILES)
    assert _wait([_cli(["index", str(folders[0])], data)])[0][0] == 0
    stop = tmp_path / "stop"
    searchers = [
        subprocess.Popen(
            [sys.executable, "-c", SEARCHER, str(stop)], cwd=REPO_ROOT, env=_env(data),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for _ in range(2)
    ]
    writers = [
        _cli(["index", "--rebuild", str(folders[1])], data),
        _cli(["index", "--rebuild", str(folders[2])], data),
        _cli(["index", str(folders[3])], data),
        _cli(["index", str(folders[0])], data),
    ]
    results = _wait(writers)
    stop.write_text("")
    searched = _wait(searchers)
    for code, out, err in results:
        assert code == 0, out + err
    for code, out, err in searched:
        assert code == 0, f"searches failed while others wrote: {out} {err}"
        assert int(out.split()[0]) > 0
    docs = _check_usable(data, folders)
    # Whatever the order, each document present is whole, and one of the rebuilds' sets is in.
    by_name = {Path(source).name: chunks for source, chunks in docs.items()}
    for folder in folders:
        for path in folder.iterdir():
            if path.name in by_name:
                assert by_name[path.name] == _expected_chunks(path), path.name
    assert {p.name for p in folders[1].iterdir()} <= set(by_name) or {p.name for p in folders[2].iterdir()} <= set(by_name)


@pytest.mark.timeout(600)
def test_four_concurrent_ingests_keep_every_chunk_once(tmp_path: Path):
    data = tmp_path / "data"
    folders = _folders(tmp_path, 4, files=RACE_FILES)
    results = _wait([_cli(["index", str(folder)], data) for folder in folders])
    for code, out, err in results:
        assert code == 0, out + err
    docs = _check_usable(data, folders)
    expected = {path.name: _expected_chunks(path) for folder in folders for path in folder.iterdir()}
    assert {Path(source).name: chunks for source, chunks in docs.items()} == expected


def test_repair_recovers_a_damaged_store_from_the_documents_records(tmp_path: Path):
    data = tmp_path / "data"
    folders = _folders(tmp_path, 1)
    assert _wait([_cli(["index", str(folders[0])], data)])[0][0] == 0
    doc = next(folders[0].glob("policy-*.md"))
    # The user's correction must survive the repair.
    code = (
        "from assistant import offline; offline.apply()\n"
        "from assistant.corpus.index import CorpusIndex\n"
        f"CorpusIndex.open().set_metadata({str(doc)!r}, title='改过的标题', year=2021)\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=_env(data), check=True, timeout=120)
    # Damage: Chroma's database overwritten with garbage.
    sqlite = data / "chroma" / "chroma.sqlite3"
    assert sqlite.exists()
    sqlite.write_bytes(b"\x00garbage" * 4096)
    broken = _wait([_cli(["index", str(folders[0])], data)])[0]
    assert broken[0] != 0 and "Traceback" not in broken[2]
    repaired = _wait([_cli(["index", "--repair"], data)])[0]
    assert repaired[0] == 0, repaired[1] + repaired[2]
    assert "改名保留" in repaired[1] and "Traceback" not in repaired[2]
    assert list(data.glob("chroma.damaged-*")), "the damaged folder is kept, not deleted"
    docs = _check_usable(data, folders)
    assert {Path(s).name for s in docs} == {p.name for p in folders[0].iterdir()}
    listing = _wait([_cli(["index", "--list"], data)])[0]
    assert "改过的标题" in listing[1] and "2021年" in listing[1]
    # A healthy store repairs too (a no-op rebuild), and ingest works again.
    again = _wait([_cli(["index", str(folders[0])], data)])[0]
    assert again[0] == 0 and "未变化" in again[1]


def test_a_rebuild_that_fails_half_way_leaves_the_old_index(tmp_path: Path, docs: Path, monkeypatch):
    from assistant.corpus.index import CorpusIndex

    index = CorpusIndex.open(tmp_path / "chroma")
    assert index.ingest([docs]).ok
    before = {d.source for d in index.list_documents()}

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(index, "_ingest_locked", boom)
    with pytest.raises(KeyboardInterrupt):
        index.rebuild([docs])
    monkeypatch.undo()
    assert {d.source for d in index.list_documents()} == before
    assert index.search("三公经费", k=1)
    reopened = CorpusIndex.open(tmp_path / "chroma")
    assert {d.source for d in reopened.list_documents()} == before
    # Only the active collection is left behind.
    assert [c.name for c in index.client.list_collections()] == [index.collection_name]
