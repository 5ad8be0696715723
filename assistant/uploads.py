"""Documents the user uploaded to the corpus, kept on disk so the index can be rebuilt from them.

The index stores chunks, not files; a copy of each upload under `data_dir()/corpus_uploads` lets
"重新索引" rebuild everything (sample corpus and uploads) from scratch. Uploads are re-ingested as
uploads, so their sources stay "上传/<name>" and citations do not change.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from assistant.atomic_files import write_bytes_atomic
from assistant import offline


def uploads_dir() -> Path:
    return offline.data_dir() / "corpus_uploads"


def _plain_name(name: str) -> str:
    # Only the last part of whatever the browser sent: an upload never writes outside the folder.
    return PurePosixPath(name.replace("\\", "/")).name.lstrip(".") or "未命名"


def save_upload(name: str, data: bytes) -> Path:
    path = uploads_dir() / _plain_name(name)
    write_bytes_atomic(path, data)
    return path


def remove_upload(source: str) -> None:
    """Forget the saved copy of an uploaded document ("上传/<name>" as the index names it)."""
    if source.startswith("上传/"):
        (uploads_dir() / _plain_name(source[len("上传/") :])).unlink(missing_ok=True)


def saved_uploads() -> list[Any]:
    from assistant.corpus.index import Upload

    folder = uploads_dir()
    if not folder.is_dir():
        return []
    return [Upload(p.name, p.read_bytes()) for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")]


def reindex(index) -> Any:
    """Rebuild the index from the sample corpus and every saved upload (built aside, then switched
    to, so searches meanwhile use the old index; corrections made by hand are kept)."""
    from assistant.corpus.index import sample_corpus_dir

    sources: list[Any] = []
    if sample_corpus_dir().is_dir():
        sources.append(sample_corpus_dir())
    sources.extend(saved_uploads())
    return index.rebuild(sources)

