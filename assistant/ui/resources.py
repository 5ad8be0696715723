"""Heavy objects created once per server process (st.cache_resource), whichever session asks first.

The Chroma-backed corpus index and jieba's dictionary take seconds to load; every session shares
them. The model client is deliberately not shared: `assistant.llm.client` opens one HTTP client per call
inside the event loop that uses it (a client kept across `asyncio.run` calls fails with "Event loop
is closed"), so only the settings object travels between calls.
"""

from __future__ import annotations

import os

import streamlit as st

from assistant import offline


@st.cache_resource(show_spinner="正在加载中文分词词典…")
def jieba_ready() -> bool:
    import jieba

    jieba.setLogLevel(60)  # its start-up chatter is not for the user
    jieba.initialize()
    return True


@st.cache_resource(show_spinner="正在打开资料库…")
def _corpus_index(location: str):
    # `location` only keys the cache: a different data folder or Chroma server is a different index.
    from assistant.corpus import ensure_sample_index
    from assistant.corpus.index import CorpusIndex

    jieba_ready()
    return ensure_sample_index(CorpusIndex.open())


def corpus_index():
    """The shared corpus index (sample documents ingested on first use); raises if unavailable."""
    location = f"{offline.data_dir().resolve()}|{os.environ.get('CHROMA_HOST', '')}:{os.environ.get('CHROMA_PORT', '')}"
    return _corpus_index(location)


def reset_corpus_index() -> None:
    """Forget the shared index (after a repair replaced the store), so the next use opens it afresh."""
    from assistant.corpus import default_index

    _corpus_index.clear()
    default_index.cache_clear()


def corpus_index_or_none():
    """The index for retrieval during drafting and chat; drafting goes on without it if it fails."""
    try:
        return corpus_index()
    except Exception:  # retrieval only supplies style examples and citations
        return None
