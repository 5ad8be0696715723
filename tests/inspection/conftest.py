"""Shared helpers for the 体检 tests: the real excerpts are read from ../shared/real/, never copied."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.offline import REPO_ROOT

REAL = (REPO_ROOT / ".." / "shared" / "real").resolve()


def real_text(name: str) -> str:
    path = REAL / name
    if not path.exists():
        pytest.skip(f"real excerpt {name} not available")
    return path.read_text(encoding="utf-8")


@pytest.fixture
def real_dir() -> Path:
    if not REAL.exists():
        pytest.skip("../shared/real not available")
    return REAL
