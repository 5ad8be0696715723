"""What changed between the draft we exported and the .docx a person edited, sentence by sentence,
and whether every figure in a changed sentence still traces.

    edits = check_edits(exported_doc, edited_doc, ledger, notes)   # documents from documents.py
    edits.changes          # Change(kind, before, after, findings)
    edits.ok, edits.render_text(), edits.to_dict()

Sentences end at 。！？；; a table row is one sentence. In the attachments (自评表, 基础数据表) only
the figures a person wrote or changed are checked: their 分值 and 评分标准 come from the scoring
profile, not from the ledger. The two sentence sequences are aligned with
difflib's SequenceMatcher; inside a replaced stretch, sentences are paired by similarity (rapidfuzz)
so an edited sentence shows as 修改 (before → after) rather than as a deletion plus an insertion.
The edited document is verified as a whole, so a figure keeps the labels of its sentence and of the
sentences around it; each finding is then reported under the changed sentence that holds it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Sequence

from rapidfuzz import fuzz

from assistant.ledger.facts import Ledger
from assistant.verify.documents import ATTACHMENT, BODY, TABLE_ROW, Document
from assistant.verify.report import STATUS_NAMES, SUPPORTED, Finding, VerificationReport
from assistant.verify.tracing import verify

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"
KIND_NAMES = {ADDED: "新增", REMOVED: "删除", CHANGED: "修改"}
ATTACHMENTS_NOT_COMPARED = "导出稿（Markdown）不含附件，修改稿中的附件未作比较；如需比较附件，请以导出的 Word 文件为准。"
PAIR_MIN_SIMILARITY = 50  # rapidfuzz ratio, 0–100: below it, two sentences are not one edited sentence

_SENTENCE_END_RE = re.compile(r"[^。！？；!?;]*(?:[。！？；!?;]+[”’」』）)]*|$)")
_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class Sentence:
    text: str
    place: str  # the block's place (第3段, 表1第2行)
    start: int  # offset in Document.text
    end: int
    part: str = BODY

    @property
    def key(self) -> str:
        """What is compared: the text without spacing (Word and WPS re-space freely)."""
        return _SPACE_RE.sub("", self.text)


@dataclass(frozen=True)
class Change:
    kind: str  # ADDED, REMOVED or CHANGED
    before: Sentence | None
    after: Sentence | None
    findings: tuple[Finding, ...] = ()  # every figure in `after`

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.status != SUPPORTED]

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "kind_zh": KIND_NAMES[self.kind],
            "place": (self.after or self.before).place,
            "before": self.before.text if self.before else None,
            "after": self.after.text if self.after else None,
            "figures": [f.to_dict() for f in self.findings],
        }


@dataclass(frozen=True)
class EditReport:
    changes: tuple[Change, ...]
    report: VerificationReport  # the whole edited document
    unchanged_problems: tuple[Finding, ...] = field(default=())
    attachments_not_compared: bool = False  # the exported draft had no attachments (a .md export)

    @property
    def problems(self) -> list[Finding]:
        return [p for change in self.changes for p in change.problems]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def figures_checked(self) -> int:
        return sum(len(change.findings) for change in self.changes)

    def summary(self) -> str:
        if not self.changes:
            return "修改稿与导出稿相比没有改动。"
        counts = {kind: sum(1 for c in self.changes if c.kind == kind) for kind in KIND_NAMES}
        parts = "，".join(f"{KIND_NAMES[k]}{n}处" for k, n in counts.items() if n)
        head = f"修改稿共有{len(self.changes)}处改动（{parts}），改动的语句中有{self.figures_checked}处数字"
        if self.ok:
            return head + "，全部有据可查。"
        return head + f"，其中{len(self.problems)}处无法溯源或与账目不符。"

    def render_text(self, *, verbose: bool = False) -> str:
        lines = [self.summary()]
        for change in self.changes:
            place = (change.after or change.before).place
            lines.append(f"【{KIND_NAMES[change.kind]}】{place}")
            if change.before is not None and change.kind != ADDED:
                lines.append(f"  修改前：{change.before.text}")
            if change.after is not None:
                lines.append(f"  修改后：{change.after.text}")
            for finding in change.findings:
                if verbose or finding.status != SUPPORTED:
                    lines.append(f"    “{finding.text}” {STATUS_NAMES[finding.status]}：{finding.message}")
        if self.unchanged_problems:
            lines.append(f"未改动的语句中另有{len(self.unchanged_problems)}处数字无法溯源（导出稿中已有，见完整核对）。")
        if self.attachments_not_compared:
            lines.append(ATTACHMENTS_NOT_COMPARED)
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "summary": self.summary(),
            "changes": [c.to_dict() for c in self.changes],
            "unchanged_problems": [f.to_dict() for f in self.unchanged_problems],
            "attachments_not_compared": self.attachments_not_compared,
        }


def sentences(document: Document) -> list[Sentence]:
    """The document's sentences with their places and offsets in `document.text`."""
    found: list[Sentence] = []
    offset = 0
    for block in document.blocks:
        if block.kind == TABLE_ROW:
            pieces = [(0, len(block.text))]
        else:
            pieces = [m.span() for m in _SENTENCE_END_RE.finditer(block.text) if m.group().strip()]
        for start, end in pieces:
            text = block.text[start:end]
            lead = len(text) - len(text.lstrip())
            text = text.strip()
            if text:
                found.append(Sentence(text, block.place, offset + start + lead, offset + start + lead + len(text), block.part))
        offset += len(block.text) + 1  # the newline that joins blocks in Document.text
    return found


def sentence_changes(old: Sequence[Sentence], new: Sequence[Sentence]) -> list[tuple[str, Sentence | None, Sentence | None]]:
    """(kind, before, after) for every sentence that differs, in the order of the edited text."""
    matcher = difflib.SequenceMatcher(None, [s.key for s in old], [s.key for s in new], autojunk=False)
    changes: list[tuple[str, Sentence | None, Sentence | None]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "delete":
            changes.extend((REMOVED, s, None) for s in old[i1:i2])
        elif tag == "insert":
            changes.extend((ADDED, None, s) for s in new[j1:j2])
        else:
            changes.extend(_pair(old[i1:i2], new[j1:j2]))
    return changes


def _pair(old: Sequence[Sentence], new: Sequence[Sentence]) -> list[tuple[str, Sentence | None, Sentence | None]]:
    """Pair the sentences of a replaced stretch in order, each new one with the most similar old one
    not yet used and not before the last pairing (edits keep their order)."""
    result: list[tuple[str, Sentence | None, Sentence | None]] = []
    next_old = 0
    for after in new:
        best, best_score = None, PAIR_MIN_SIMILARITY
        for index in range(next_old, len(old)):
            score = fuzz.ratio(old[index].key, after.key)
            if score >= best_score:
                best, best_score = index, score
        if best is None:
            result.append((ADDED, None, after))
            continue
        result.extend((REMOVED, s, None) for s in old[next_old:best])
        result.append((CHANGED, old[best], after))
        next_old = best + 1
    result.extend((REMOVED, s, None) for s in old[next_old:])
    return result


def check_edits(exported: Document, edited: Document, ledger: Ledger, notes: Sequence[str] = ()) -> EditReport:
    """The changed sentences of `edited` against `exported`, each with the status of its figures."""
    report = verify(edited.text, ledger, notes)
    new_sentences = sentences(edited)
    # A Markdown export carries no attachments (they are a file of their own): the edited .docx's
    # attachments have nothing to be compared with, so they are named, not listed as added.
    not_compared = not exported.attachment_blocks and bool(edited.attachment_blocks)
    if not_compared:
        new_sentences = [s for s in new_sentences if s.part != ATTACHMENT]
    changes = sentence_changes(sentences(exported), new_sentences)
    in_changed: set[int] = set()
    built: list[Change] = []
    for kind, before, after in changes:
        findings: tuple[Finding, ...] = ()
        if after is not None:
            findings = tuple(f for f in report.findings if after.start <= f.start < after.end)
            if after.part == ATTACHMENT and before is not None:
                # In a 自评表 row the 分值 and 评分标准 are the profile's, not the ledger's: check the
                # figures the person wrote or changed, not those the row kept.
                kept = before.key
                findings = tuple(f for f in findings if _SPACE_RE.sub("", f.text) not in kept)
            in_changed.update(id(f) for f in findings)
        built.append(Change(kind, before, after, findings))
    attachment_from = next((b.line for b in edited.blocks if b.part == ATTACHMENT), None)
    unchanged = tuple(
        f for f in report.problems if id(f) not in in_changed and (attachment_from is None or f.line < attachment_from)
    )
    return EditReport(tuple(built), report, unchanged, not_compared)


def check_edited_upload(
    exported_docx: bytes, edited_name: str, edited_data: bytes, ledger: Ledger, notes: Sequence[str] = ()
) -> EditReport:
    """The app's entry: the .docx we exported (bytes) against an uploaded edited file.
    Raises `DocumentError` (Chinese message) when the upload cannot be read."""
    from assistant.verify.documents import read_document_bytes

    exported = read_document_bytes("导出稿.docx", exported_docx)
    edited = read_document_bytes(edited_name, edited_data)
    return check_edits(exported, edited, ledger, notes)
