"""Fixtures for the app tests: a fresh workspace and data folder, no model from the developer's shell."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from assistant.offline import REPO_ROOT

APP = str(REPO_ROOT / "app.py")


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    root = tmp_path / "workspace"
    monkeypatch.setenv("ASSISTANT_WORKSPACE", str(root))
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    for name in ("ASSISTANT_MODEL", "OPENAI_BASE_URL", "OPENAI_API_KEY", "CHROMA_HOST"):
        monkeypatch.delenv(name, raising=False)
    return root


@pytest.fixture
def new_app(workspace):
    """Starts the app like a fresh browser session (same workspace each time)."""

    def start() -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
        assert not at.exception, at.exception
        return at

    return start
