"""Markdown reports as sections, and the text normalisation the metrics compare on.

Both a reference report (`evals/cases/<id>/reference.md`) and a draft exported by
`assistant.export.markdown.report_to_markdown` are Markdown with `#` headings whose text carries the
official numbering (一、（一）1.（1）). Headings are compared with that numbering, punctuation and
spaces taken away, because a reference may number 1、 where the exporter writes 1. and the real seed
report even mixes (1) and （二）. Texts are compared with whitespace and Markdown marks taken away.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Heading numbering at the start of a heading: 一、 十二、 （一） (一) （1） (1) 1、 1. 1． 1) 第一部分 第二章.
_CN_DIGITS = "零〇一二三四五六七八九十百"
_NUMBERING = re.compile(
    rf"""^\s*(?:
        第[{_CN_DIGITS}\d]+(?:部分|章|节|条)\s*[、，,.．:：]?   # 第一部分
      | [（(]\s*[{_CN_DIGITS}\d]+\s*[)）]\s*[、，,.．]?      # （一） (1) （二）、
      | [{_CN_DIGITS}]+\s*[、，,.．]                        # 一、
      | \d+(?:\s*[.．]\s*\d+)*\s*[、，,.．)）]              # 1、 1. 1.2. 1)
      | [①-⑳]                                              # ①
    )\s*""",
    re.VERBOSE,
)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
# Markdown marks that carry no wording: emphasis, code, quote, table pipes and rules, list bullets.
_LIST_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.MULTILINE)
_RULE_LINE = re.compile(r"^\s*(?:[-*_]\s*){3,}$|^\s*\|?[\s:|-]+\|[\s:|-]*$", re.MULTILINE)
_MARKS = re.compile(r"[#*`>|~_]")
_SPACE = re.compile(r"\s+")

# The exporter writes the appendix list after the last section, opened by this line.
APPENDIX_MARK = "附件："


@dataclass(frozen=True)
class MdSection:
    """One heading and the body under it (up to the next heading). Level 0 is text before the first
    heading; `is_title` marks the document title (the one heading above all others)."""

    heading: str
    level: int
    body: str
    is_title: bool = False
    is_appendix: bool = False

    @property
    def key(self) -> str:
        return normalise_heading(self.heading)

    @property
    def counts_as_section(self) -> bool:
        """Whether section coverage counts it: real headings only, not the title or the appendix."""
        return self.level > 0 and not self.is_title and not self.is_appendix


def strip_numbering(heading: str) -> str:
    """Remove leading official numbering, repeatedly ("（一）1、部门预算情况" → "部门预算情况")."""
    text = heading.strip()
    while True:
        stripped = _NUMBERING.sub("", text, count=1)
        if stripped == text or not stripped:
            return stripped.strip() if stripped else text
        text = stripped


def _keep_char(ch: str) -> bool:
    category = unicodedata.category(ch)
    return not (category.startswith("P") or category.startswith("Z") or category.startswith("S") or category.startswith("C"))


def normalise_heading(heading: str) -> str:
    """Heading without numbering, punctuation, symbols or spaces: “三公”经费执行情况 → 三公经费执行情况."""
    text = unicodedata.normalize("NFKC", strip_numbering(heading))
    return "".join(ch for ch in text if _keep_char(ch))


def plain_text(markdown: str) -> str:
    """The wording of a Markdown text for character metrics: no whitespace, no Markdown marks."""
    text = _RULE_LINE.sub("", markdown)
    text = _LIST_BULLET.sub("", text)
    text = _MARKS.sub("", text)
    return _SPACE.sub("", text)


def parse_markdown(markdown: str) -> list[MdSection]:
    """Split a report into sections at its `#` headings.

    The first heading is the title when every later heading is deeper. Text before the first
    heading, or between the title and the first section (unit, date, preamble), is kept as a level 0
    section. The appendix list ("附件：…") after the last section becomes its own section.
    """
    raw: list[tuple[str, int, list[str]]] = [("", 0, [])]
    for line in markdown.splitlines():
        match = _HEADING.match(line)
        if match:
            raw.append((match.group(2).strip(), len(match.group(1)), []))
        elif line.strip().startswith(APPENDIX_MARK) and len(raw) > 1:
            raw.append((APPENDIX_MARK.rstrip("："), 0, [line.strip()[len(APPENDIX_MARK):]]))
        else:
            raw[-1][2].append(line)
    heading_levels = [level for _, level, _ in raw[1:] if level > 0]
    title_index = None
    if len(heading_levels) >= 1 and all(level > heading_levels[0] for level in heading_levels[1:]):
        title_index = next(i for i, (_, level, _) in enumerate(raw) if i > 0 and level > 0)
    sections: list[MdSection] = []
    for i, (heading, level, lines) in enumerate(raw):
        body = "\n".join(lines).strip()
        if i == title_index:
            sections.append(MdSection(heading, level, "", is_title=True))
            if body:
                sections.append(MdSection("", 0, body))
            continue
        if i == 0 and not body:
            continue
        is_appendix = level == 0 and i > 0
        sections.append(MdSection(heading, level, body, is_appendix=is_appendix))
    return sections


def outline_sections(sections: list[MdSection]) -> list[MdSection]:
    """The sections that section coverage counts."""
    return [s for s in sections if s.counts_as_section]


def subtree_ends(sections: list[MdSection]) -> list[int]:
    """For each section, the index just past its last descendant (the next section at the same or a
    shallower level), so sections[i:ends[i]] is section i with everything under it."""
    ends = []
    for i, section in enumerate(sections):
        end = i + 1
        while end < len(sections) and sections[end].level > section.level:
            end += 1
        ends.append(end)
    return ends


def subtree_text(sections: list[MdSection], index: int, end: int) -> str:
    """A section's body followed by the headings and bodies of its descendants (not its own
    heading, which section matching has already compared)."""
    parts = [sections[index].body] if sections[index].body else []
    parts.append(document_text(sections[index + 1 : end]))
    return "\n".join(p for p in parts if p)


def document_text(sections: list[MdSection]) -> str:
    """All headings and bodies, for whole-document text metrics."""
    parts: list[str] = []
    for section in sections:
        if section.heading:
            parts.append(section.heading)
        if section.body:
            parts.append(section.body)
    return "\n".join(parts)
