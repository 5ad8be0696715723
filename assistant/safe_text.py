"""Text made safe for where it goes: Word's XML and the app's Markdown preview.

- XML 1.0 (hence .docx and .xlsx) cannot hold most control characters (U+0000–U+001F except tab,
  line feed and carriage return), lone surrogates or U+FFFE/U+FFFF; a figures file can carry them
  in double-quoted YAML escapes ("\\x07") or pasted text. `xml_illegal` finds them so `check` can
  warn first, naming the field; `clean_for_xml` drops them where text is written to a document.
- Notes and drafts shown with `st.markdown` must not make the browser fetch anything: a Markdown
  image `![](http://…)`, an autolink or raw HTML (<img>, <iframe>) in a note received from someone
  else would otherwise call its host when the preview renders. `inert_markdown` keeps every
  character the user wrote visible but renders nothing remote.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from pydantic import BaseModel

XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_illegal(text: str) -> list[tuple[int, str]]:
    """(1-based character position, character) of every character XML cannot hold."""
    return [(m.start() + 1, m.group()) for m in XML_ILLEGAL.finditer(text or "")]


def clean_for_xml(text: str) -> str:
    """The text without the characters XML cannot hold (a tab, a line break are kept)."""
    return XML_ILLEGAL.sub("", text) if text else text


def _strings(value: Any, path: tuple) -> Iterator[tuple[tuple, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _strings(getattr(value, name), (*path, name))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _strings(item, (*path, i))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))


def xml_illegal_warnings(figures: BaseModel) -> list[tuple[str, str]]:
    """(field path as dots, Chinese warning) for each text of the figures that Word cannot hold."""
    from assistant.figures.model import label_for_path

    warnings = []
    for path, text in _strings(figures, ()):
        found = xml_illegal(text)
        if not found:
            continue
        where = "、".join(f"第{pos}个字符（U+{ord(ch):04X}）" for pos, ch in found[:5]) + ("等" if len(found) > 5 else "")
        warnings.append(
            (
                ".".join(str(p) for p in path),
                f"字段“{label_for_path(path)}”含有 Word 文档不能保存的控制字符：{where}；导出时将删除这些字符，请在原文件中核对。",
            )
        )
    return warnings


# Markdown constructs that make a browser load something when rendered, or turn text into markup.
_IMAGE = re.compile(r"!\[")
# <br> (line breaks in table cells, assistant/export/tables.py) loads nothing and is kept.
_ANGLE = re.compile(r"<(?!br\s*/?>)", re.IGNORECASE)
_REFERENCE_DEF = re.compile(r"^( {0,3})\[([^\]]+)\]:", re.MULTILINE)


def inert_markdown(text: str) -> str:
    """Markdown whose rendering loads nothing: images shown as their text (`![x](url)` reads
    `!\\[x](url)`), raw HTML and autolinks escaped so `<img>` and `<iframe>` show as typed, and
    link reference definitions escaped. Headings, lists and emphasis still render; ordinary
    links stay clickable text (clicking is the reader's choice, rendering fetches nothing)."""
    if not text:
        return text
    text = _IMAGE.sub(r"!\\[", text)
    text = _ANGLE.sub("&lt;", text)
    return _REFERENCE_DEF.sub(lambda m: f"{m.group(1)}\\[{m.group(2)}]:", text)
