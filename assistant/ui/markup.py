"""Text for st.markdown/st.caption/st.error: inert (assistant.safe_text.inert_markdown) and with
every bare URL made an explicit link that ends where the URL ends.

Streamlit's Markdown turns a bare URL into a link up to the next space, so in Chinese text
(“http://127.0.0.1:11434/v1；留空为官方接口”) the rest of the sentence became part of the link. A URL
here is ASCII only and stops before trailing punctuation; it is written as [url](url), whose text is
never linked again.
"""

from __future__ import annotations

import re

from assistant.safe_text import inert_markdown

# ASCII URL characters (no brackets, no quotes, no angle brackets); not inside [..](..) or <..>.
URL = re.compile(r"(?<![(<\[/\w])(?:https?|ftp)://[A-Za-z0-9\-._~:/?#@!$&*+,;=%]+")
_TRAILING = ".,;:!?"


def _link(match: re.Match) -> str:
    url = match.group(0)
    tail = ""
    while url and url[-1] in _TRAILING:
        url, tail = url[:-1], url[-1] + tail
    shown = url.replace("_", "\\_").replace("*", "\\*")
    return f"[{shown}]({url}){tail}"


def link_safe(text: str) -> str:
    """Bare URLs as explicit links that end at the URL (the text is otherwise unchanged)."""
    return URL.sub(_link, text) if text and "://" in text else text


def md(text: str) -> str:
    """Inert Markdown with links that end at the URL — for any text that may hold a user's input."""
    return link_safe(inert_markdown(text)) if text else text
