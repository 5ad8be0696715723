"""Guess a document's title, year, issuing unit and kind from its text and file name.

The guesses are a starting point: `CorpusIndex.set_metadata` lets the user correct them, and a
corrected field survives re-ingesting a changed file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = ("report", "policy", "notice", "other")
KIND_LABELS = {"report": "报告", "policy": "政策制度", "notice": "通知", "other": "其他"}

_YEAR = re.compile(r"(20\d{2}|19\d{2})\s*年")
_FILE_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_UNIT_SUFFIX = re.compile(
    r"(联合会|委员会|办公室|管理局|局|厅|部|委|办|院|中心|学校|医院|政府|站|所|馆|队|社|团|协会|总工会|妇联|人大|政协)$"
)
_UNIT_LABEL = re.compile(r"^(?:单位名称|部门名称|填报单位|编制单位|评价单位|单位)\s*[:：]\s*(\S.{0,30}?)\s*$")
_DATE_LINE = re.compile(r"^\s*\d{4}\s*年\s*\d{1,2}\s*月(\s*\d{1,2}\s*日)?\s*$")

# Checked in order on the title: a notice is named so, a rule-book by its genre words, a report by 报告.
_TITLE_RULES = (
    ("notice", re.compile(r"通知》?$|^关于.*的通知")),
    ("policy", re.compile(r"办法|规定|规则|细则|制度|标准|指引|指南|意见|方案|条例|规范|指标体系|格式|口径|要点|GB/?T|财预")),
    ("report", re.compile(r"报告|自评表|自评情况|总结")),
)
# Weaker signals in the opening lines, used only when the title says nothing.
_HEAD_RULES = (
    ("report", re.compile(r"现将.{0,20}报告如下|自评报告\s*$", re.MULTILINE)),
    ("notice", re.compile(r"现将.{0,20}通知如下|特此通知")),
    ("policy", re.compile(r"第一条|为了?规范|本办法|本规定|本标准")),
)


@dataclass
class DocumentMeta:
    file: str
    title: str
    year: int | None
    unit: str
    kind: str


def _clean_line(line: str) -> str:
    return line.strip().lstrip("#").strip().strip("*").strip()


def guess_title(lines: list[str], file_name: str, title_hint: str | None = None) -> str:
    if title_hint:
        return title_hint[:80]
    for line in lines[:10]:
        text = _clean_line(line)
        if text and not _DATE_LINE.match(text):
            return text[:80]
    stem = file_name.rsplit(".", 1)[0]
    return stem or file_name


def guess_year(title: str, head: str, file_name: str) -> int | None:
    for source in (title, head):
        match = _YEAR.search(source)
        if match:
            return int(match.group(1))
    match = _FILE_YEAR.search(file_name)
    return int(match.group(1)) if match else None


def guess_unit(lines: list[str], title: str) -> str:
    for line in lines[:15]:
        text = _clean_line(line)
        labelled = _UNIT_LABEL.match(text)
        if labelled:
            return labelled.group(1)
    for line in lines[:6]:
        text = _clean_line(line)
        if text == title or not text or len(text) > 30 or re.search(r"[，。；：:、]", text):
            continue
        if _UNIT_SUFFIX.search(text):
            return text
    # "衡山县妇女联合会2023年度…报告" style titles carry the unit in front of the year.
    match = re.match(r"^(.{2,30}?(?:联合会|委员会|局|厅|院|中心|办公室|政府))\s*\d{4}\s*年", title)
    return match.group(1) if match else ""


def guess_kind(title: str, head: str) -> str:
    for kind, pattern in _TITLE_RULES:
        if pattern.search(title):
            return kind
    for kind, pattern in _HEAD_RULES:
        if pattern.search(head):
            return kind
    return "other"


def guess_metadata(text: str, file_name: str, title_hint: str | None = None) -> DocumentMeta:
    lines = [line for line in text.splitlines() if line.strip()]
    title = guess_title(lines, file_name, title_hint)
    head = "\n".join(lines[:8])
    return DocumentMeta(
        file=file_name,
        title=title,
        year=guess_year(title, head, file_name),
        unit=guess_unit(lines, title),
        kind=guess_kind(title, head),
    )
