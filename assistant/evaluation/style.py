"""Style checks on a draft: what a finance officer would send back before publishing.

Counted per kind: run-on sentences (over `SENTENCE_LIMIT` characters), an orphan 一是 (a paragraph
with 一是 and no 二是), doubled words (“X项目”项目, 的的, 进行进行), and inconsistent terms (a
variant where the report's term is fixed, from the `terms` table of the templates file). A sentence
the user wrote themselves (found in their notes) is theirs and is not counted for length or doubling.
Headings, table rows and the 附件 list are not prose and are skipped.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Mapping, Optional, Sequence

from assistant.drafting.phrasing import SENTENCE_LIMIT, load_templates, split_sentences

KINDS = ("run_on", "orphan_ordinal", "doubled", "inconsistent_term")
KIND_NAMES = {"run_on": "长句", "orphan_ordinal": "有“一是”无“二是”", "doubled": "重复用词", "inconsistent_term": "用语不一致"}
_DOUBLED = (
    re.compile(r"“[^”]*项目”项目"),
    re.compile(r"([\u4e00-\u9fff]{2,4})\1"),
    re.compile(r"(的|了|和|是|在|对|及|与)\1"),
)
_ORDINAL_MARK = re.compile(r"^(?:[一二三四五六七八九十]+是|（\d+）)")
# Reduplications that are words in their own right.
_ALLOWED_DOUBLES = {"常常", "人人", "年年", "天天", "处处", "层层", "步步", "事事", "家家", "户户", "一一", "家家户户"}


@dataclass(frozen=True)
class StyleIssue:
    kind: str
    section: str
    text: str

    def to_dict(self) -> dict:
        return {"kind": self.kind, "kind_zh": KIND_NAMES[self.kind], "section": self.section, "text": self.text}


def _prose_lines(body: str) -> list[str]:
    lines = []
    for line in body.split("\n"):
        line = line.strip()
        if not line or line.startswith(("|", "#", "附件")) or re.match(r"^\d+\.\s", line):
            continue
        if line.startswith("**") or line.startswith("表") and " " in line[:6]:
            continue  # a table caption
        lines.append(line)
    return lines


def _users(sentence: str, notes: Sequence[str]) -> bool:
    core = _ORDINAL_MARK.sub("", sentence).rstrip("。！？；").strip()
    return bool(core) and any(core in note for note in notes)


def style_issues(sections: Iterable[tuple[str, str]], notes: Sequence[str] = (), terms: Optional[Mapping[str, str]] = None) -> list[StyleIssue]:
    """Issues in (heading, body) pairs, in order."""
    terms = dict(load_templates().get("terms") or {}) if terms is None else dict(terms)
    issues: list[StyleIssue] = []
    for heading, body in sections:
        prose = _prose_lines(body)
        # A list may run over several paragraphs (一是 … in one, 二是 … in the next): per section.
        joined = "".join(prose)
        if "一是" in joined and "二是" not in joined:
            issues.append(StyleIssue("orphan_ordinal", heading, joined[joined.index("一是") :][:40]))
        for paragraph in prose:
            for variant, canonical in terms.items():
                # a variant inside the canonical term (三公经费 in “三公”经费) is not a variant
                count = paragraph.count(variant) - (paragraph.count(canonical) if variant in canonical else 0)
                issues += [StyleIssue("inconsistent_term", heading, f"{variant}（应为{canonical}）")] * max(count, 0)
            for sentence in split_sentences(paragraph):
                if _users(sentence, notes):
                    continue
                if len(sentence) > SENTENCE_LIMIT:
                    issues.append(StyleIssue("run_on", heading, f"{sentence[:30]}…（{len(sentence)}字）"))
                for pattern in _DOUBLED:
                    for match in pattern.finditer(sentence):
                        if match.group(0) not in _ALLOWED_DOUBLES:
                            issues.append(StyleIssue("doubled", heading, match.group(0)))
    return issues


def count_by_kind(issues: Iterable[StyleIssue]) -> dict[str, int]:
    counts = Counter(i.kind for i in issues)
    return {kind: counts.get(kind, 0) for kind in KINDS}
