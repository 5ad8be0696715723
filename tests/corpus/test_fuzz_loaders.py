"""Fuzz every corpus loader (issue 16 point 8, corpus part): generated and hypothesis-made inputs
give a document or a Chinese `LoadError`, never another exception, and never run into the time
budget. Bounded: a fixed number of examples, each parse within its budget (the budget is lowered
here so that a hang fails the test in seconds, not minutes)."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.corpus.chunking import chunk_text
from assistant.corpus.loaders import SUPPORTED_SUFFIXES, LoadError, load_bytes
from tests.corpus import fuzz_inputs


@pytest.fixture(autouse=True)
def short_budget(monkeypatch):
    monkeypatch.setenv("ASSISTANT_LOADER_TIMEOUT_S", "20")


def _check(name: str, data: bytes) -> None:
    try:
        document = load_bytes(name, data)
    except LoadError as error:
        message = str(error)
        assert "超时" not in message, f"hang on {name}: {message}"
        assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
        return
    assert isinstance(document.text, str) and document.text.strip()
    chunk_text(document.text)


_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)


@pytest.mark.parametrize("kind", SUPPORTED_SUFFIXES)
@_SETTINGS
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_damaged_files_of_every_kind(kind: str, seed: int):
    _check(f"样本{kind}", fuzz_inputs.mutant(kind, random.Random(seed)))


@pytest.mark.parametrize("kind", SUPPORTED_SUFFIXES)
@_SETTINGS
@given(data=st.binary(max_size=4096))
def test_arbitrary_bytes(kind: str, data: bytes):
    _check(f"样本{kind}", data)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(text=st.text(max_size=2000), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1"]))
def test_any_text_in_any_encoding(text: str, encoding: str):
    for suffix in (".txt", ".md"):
        _check(f"文本{suffix}", text.encode(encoding, errors="replace"))


def test_the_counting_runner_finds_no_traceback_and_no_hang():
    counts = fuzz_inputs.run_corpus_fuzz(per_kind=12)
    assert counts["tried"] == 12 * len(fuzz_inputs.KINDS)
    assert counts["tracebacks"] == 0 and counts["hangs"] == 0, counts["failures"]
    assert counts["clean_messages"] > 0 and counts["loaded"] > 0
