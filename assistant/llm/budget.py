"""Token counting and prompt budgeting with tiktoken, offline.

Counts are exact for OpenAI models and a close estimate for other models behind an OpenAI-compatible
server (Qwen, GLM, Llama tokenise Chinese differently), which is what a budget needs. The encodings
load from the cache that `assistant.offline.apply()` seeds, never from the network.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import tiktoken
from langchain_core.messages import BaseMessage, convert_to_messages

from assistant import offline

DEFAULT_ENCODING = "o200k_base"

# OpenAI's chat format wraps each message in a few tokens (role and separators) and primes the
# reply with a few more; counting them keeps a budget for a full prompt honest.
MESSAGE_OVERHEAD = 3
REPLY_PRIMING = 3

# A sentence ends after a run of terminators, with any closing quotes or brackets, or at a newline.
_SENTENCE_END = re.compile(r"[。！？!?；;…]+[”’」』）)\]]*|\n+")


class BudgetExceeded(ValueError):
    """The parts that cannot be dropped are already larger than the budget."""


@lru_cache(maxsize=None)
def get_encoding(name: str = DEFAULT_ENCODING) -> tiktoken.Encoding:
    offline.apply()  # seeds the tiktoken cache so get_encoding never downloads
    return tiktoken.get_encoding(name)


def _text_tokens(text: str, encoding: str) -> int:
    # disallowed_special=() : a document quoting "<|endoftext|>" is text, not an error
    return len(get_encoding(encoding).encode(text, disallowed_special=()))


def message_text(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(
        block if isinstance(block, str) else str(block.get("text", ""))
        for block in content
        if isinstance(block, (str, dict))
    )


def count_tokens(text_or_messages: str | Sequence[Any], encoding: str = DEFAULT_ENCODING) -> int:
    """Tokens in a string, or in a chat prompt (messages as LangChain messages, dicts or tuples)."""
    if isinstance(text_or_messages, str):
        return _text_tokens(text_or_messages, encoding)
    messages = convert_to_messages(text_or_messages)
    total = REPLY_PRIMING if messages else 0
    for message in messages:
        total += MESSAGE_OVERHEAD + _text_tokens(message.type, encoding)
        total += _text_tokens(message_text(message), encoding)
    return total


def split_sentences(text: str) -> list[str]:
    """Cut text after each sentence end, keeping the punctuation; "".join(result) == text."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        sentences.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        sentences.append(text[start:])
    return sentences


def truncate_to_tokens(text: str, max_tokens: int, encoding: str = DEFAULT_ENCODING) -> str:
    """The longest run of whole leading sentences of `text` within `max_tokens` ('' if none fits)."""
    if _text_tokens(text, encoding) <= max_tokens:
        return text
    sentences = split_sentences(text)
    # Binary search on how many leading sentences fit: the prefix's count grows with its length.
    low, high = 0, len(sentences)
    while low < high:
        mid = (low + high + 1) // 2
        if _text_tokens("".join(sentences[:mid]), encoding) <= max_tokens:
            low = mid
        else:
            high = mid - 1
    return "".join(sentences[:low]).rstrip("\n")


def fit_to_budget(
    fixed_parts: Sequence[str],
    optional_chunks: Sequence[str],
    budget_tokens: int,
    *,
    encoding: str = DEFAULT_ENCODING,
    separator: str = "\n\n",
) -> tuple[list[str], int]:
    """Keep as much retrieved context as fits next to the fixed prompt parts.

    `optional_chunks` are ranked best first. The result's chunks are a prefix of them, in order:
    the lowest-ranked are dropped first, and the last kept one may be cut at a sentence boundary
    to use the remaining room. The count is that of the fixed parts plus each kept chunk and its
    separator, counted apart (a close upper estimate of the joined text).
    Raises BudgetExceeded when the fixed parts alone do not fit.
    """
    used = sum(_text_tokens(part, encoding) for part in fixed_parts)
    if used > budget_tokens:
        raise BudgetExceeded(
            f"固定提示内容已占 {used} 个 token，超过预算 {budget_tokens} 个，无法再放入参考资料"
        )
    separator_tokens = _text_tokens(separator, encoding) if separator else 0
    kept: list[str] = []
    for chunk in optional_chunks:
        room = budget_tokens - used - separator_tokens
        cost = _text_tokens(chunk, encoding)
        if cost <= room:
            kept.append(chunk)
            used += cost + separator_tokens
            continue
        if room > 0:
            cut = truncate_to_tokens(chunk, room, encoding)
            if cut:
                kept.append(cut)
                used += _text_tokens(cut, encoding) + separator_tokens
        break  # everything ranked below the first chunk that did not fit is dropped
    return kept, used
