"""Shared pytest fixtures (others append theirs below)."""

from __future__ import annotations

import pytest

from tests.fake_openai import FakeOpenAI


@pytest.fixture
def fake_openai():
    """A fake OpenAI-compatible server on 127.0.0.1: `.base_url`, `.script(...)`, `.requests`."""
    with FakeOpenAI() as server:
        yield server
