"""Shared pytest fixtures (others append theirs below)."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from tests.fake_openai import FakeOpenAI

# CI runs the property and fuzz tests on a fixed sequence of examples (a run that passes passes again),
# with no example database written into the checkout; a developer's run keeps exploring new examples.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def fake_openai():
    """A fake OpenAI-compatible server on 127.0.0.1: `.base_url`, `.script(...)`, `.requests`."""
    with FakeOpenAI() as server:
        yield server
