"""A reasoning model's thinking, kept apart from its answer.

Reasoning models think before they answer, and the thinking is full of numbers, guesses and
half-sentences that must never reach a draft. Servers deliver it in one of two ways:

* inside the content, between `<think>` and `</think>` (Qwen3, QwQ, DeepSeek-R1 served by vLLM
  without a reasoning parser, by Ollama's older versions, by llama.cpp); when the chat template
  itself opens the block (DeepSeek-R1's template ends the prompt with `<think>`), the content has
  only the closing tag;
* in a separate field beside the content: `reasoning_content` (DeepSeek's API, DashScope, vLLM
  before 0.11) or `reasoning` (vLLM 0.11+, Ollama, OpenRouter). The client puts either field into
  the message's `additional_kwargs["reasoning_content"]`.

`split_thinking` separates a whole answer; `ThinkFilter` does the same for a stream, piece by
piece, holding back a tag split across pieces.
"""

from __future__ import annotations

import re

OPEN_TAG = "<think>"
CLOSE_TAG = "</think>"
# Other spellings models use for the same block.
_OPEN = re.compile(r"<\s*(?:think|thinking|reasoning)\s*>", re.I)
_CLOSE = re.compile(r"<\s*/\s*(?:think|thinking|reasoning)\s*>", re.I)


def split_thinking(content: str) -> tuple[str, str, bool]:
    """(answer, thinking, closed) for a whole answer.

    Every `<think>…</think>` block is thinking; text before a closing tag that has no opening tag
    is thinking too (the template opened it). An opening tag that is never closed makes the rest of
    the content thinking, and `closed` False: the model was still thinking when it stopped.
    """
    answer: list[str] = []
    thinking: list[str] = []
    closed = True
    rest = content
    first_close = _CLOSE.search(rest)
    first_open = _OPEN.search(rest)
    if first_close and (first_open is None or first_close.start() < first_open.start()):
        thinking.append(rest[: first_close.start()])
        rest = rest[first_close.end() :]
    while True:
        opened = _OPEN.search(rest)
        if opened is None:
            answer.append(rest)
            break
        answer.append(rest[: opened.start()])
        after = rest[opened.end() :]
        shut = _CLOSE.search(after)
        if shut is None:
            thinking.append(after)
            closed = False
            break
        thinking.append(after[: shut.start()])
        rest = after[shut.end() :]
    # A stray closing tag later in the answer is markup, not text.
    text = _CLOSE.sub("", "".join(answer))
    return text.strip(), "".join(thinking).strip(), closed


def _first(*matches: re.Match | None) -> re.Match | None:
    found = [m for m in matches if m is not None]
    return min(found, key=lambda m: m.start()) if found else None


class ThinkFilter:
    """Splits streamed content pieces into (answer, thinking) pieces as they arrive.

    A tag cut across two pieces is held back until it is complete. Text before an orphan closing tag
    cannot be known to be thinking until that tag comes; the stream shows it as answer text, and
    the final `split_thinking` on the whole content (which the client always does) removes it.
    """

    _LONGEST_TAG = 16

    def __init__(self) -> None:
        self._held = ""
        self._thinking = False
        self.orphan_close = False  # the streamed answer pieces included thinking (see above)

    def feed(self, piece: str) -> tuple[str, str]:
        text = self._held + piece
        self._held = ""
        answer: list[str] = []
        thinking: list[str] = []
        while text:
            match = _CLOSE.search(text) if self._thinking else _first(_OPEN.search(text), _CLOSE.search(text))
            if match is not None and not self._thinking and _CLOSE.fullmatch(match.group(0)):
                # An orphan closing tag: what came before was thinking the template had opened.
                answer.append(text[: match.start()])
                self.orphan_close = True
                text = text[match.end() :]
                continue
            if match is None:
                # Keep a possible tag start at the end for the next piece.
                cut = text.rfind("<")
                if cut >= 0 and len(text) - cut < self._LONGEST_TAG and ">" not in text[cut:]:
                    self._held = text[cut:]
                    text = text[:cut]
                (thinking if self._thinking else answer).append(text)
                break
            (thinking if self._thinking else answer).append(text[: match.start()])
            self._thinking = not self._thinking
            text = text[match.end() :]
        return "".join(answer), "".join(thinking)

    def flush(self) -> tuple[str, str]:
        held, self._held = self._held, ""
        return ("", held) if self._thinking else (held, "")
