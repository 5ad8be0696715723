"""One writer at a time per corpus store, across processes, and the small records beside the store.

An embedded Chroma store is not safe for several writers: two processes writing at once left it
unusable ("Failed to apply logs to the hnsw segment writer"), and BM25 caches written from stale
copies lost each other's chunks. Every write (ingest, delete, metadata edit, rebuild, repair)
therefore runs under an OS file lock (`filelock`) taken next to the store. Readers take no lock:
they compare the store's state file with what they last saw and catch up when it changed.

Beside the store, named after it (`<store>.lock`, `<store>.state.json`, `<store>.documents.json`):
- the state: a generation number bumped by every write, and the name of the active collection
  (a rebuild fills a new collection aside, then switches this name);
- the document records: for every document, where it came from and the fields the user corrected,
  which is what `index --repair` re-ingests from when the store itself is damaged.
Both are written aside and swapped in with os.replace. For many writers, use a Chroma server.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from assistant.atomic_files import write_text_atomic

DEFAULT_TIMEOUT_S = 600.0


class StoreBusy(RuntimeError):
    """Another process holds the store's write lock for longer than the timeout; Chinese message."""


def lock_timeout() -> float:
    try:
        return float(os.environ.get("ASSISTANT_INDEX_LOCK_TIMEOUT_S", "") or DEFAULT_TIMEOUT_S)
    except ValueError:
        return DEFAULT_TIMEOUT_S


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON next to `path`, flush it to disk, then swap it in: readers see old or new, never half."""
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class StoreFiles:
    """The lock, state and document records of the store whose path (without suffix) is `base`."""

    def __init__(self, base: Path) -> None:
        self.base = Path(base)
        self.lock_path = self.base.with_name(self.base.name + ".lock")
        self.state_path = self.base.with_name(self.base.name + ".state.json")
        self.documents_path = self.base.with_name(self.base.name + ".documents.json")
        self._lock = None

    @contextmanager
    def locked(self, timeout: float | None = None) -> Iterator[None]:
        """Hold the store's write lock (re-entrant within this object); StoreBusy after `timeout`."""
        import filelock

        if self._lock is None:
            self.lock_path.parent.mkdir(parents=True, exist_ok=True)
            # Not thread-local: the caller serialises its own threads; the file lock is for processes.
            self._lock = filelock.FileLock(self.lock_path, thread_local=False)
        timeout = lock_timeout() if timeout is None else timeout
        try:
            self._lock.acquire(timeout=timeout)
        except filelock.Timeout as error:
            raise StoreBusy(
                f"检索库正被另一个程序写入（已等待 {timeout:.0f} 秒，锁文件 {self.lock_path}）；请稍后再试。"
                "多人同时写入时请使用 Chroma 服务器模式（CHROMA_HOST）。"
            ) from error
        try:
            yield
        finally:
            self._lock.release()

    # ------------------------------------------------------------ state

    def signature(self) -> tuple | None:
        try:
            stat = self.state_path.stat()
        except OSError:
            return None
        return stat.st_ino, stat.st_size, stat.st_mtime_ns

    def read_state(self) -> dict[str, Any]:
        data = read_json(self.state_path)
        if not isinstance(data, dict):
            return {"generation": 0, "collection": None}
        generation = data.get("generation")
        collection = data.get("collection")
        return {
            "generation": generation if isinstance(generation, int) else 0,
            "collection": collection if isinstance(collection, str) and collection else None,
        }

    def write_state(self, generation: int, collection: str) -> None:
        write_json_atomic(self.state_path, {"generation": generation, "collection": collection})

    # ------------------------------------------------------------ document records

    def read_documents(self) -> dict[str, dict[str, Any]]:
        data = read_json(self.documents_path)
        documents = data.get("documents") if isinstance(data, dict) else None
        return {k: v for k, v in documents.items() if isinstance(v, dict)} if isinstance(documents, dict) else {}

    def write_documents(self, documents: dict[str, dict[str, Any]]) -> None:
        write_json_atomic(self.documents_path, {"version": 1, "documents": documents})
