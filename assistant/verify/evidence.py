"""数字来源表 (evidence table): every figure of a report with its place, sentence, value, status and
where it comes from — the ledger fact (key, label, formula, input fields) or the note it quotes.

Built from what the checks already recorded, never re-derived: for a drafted report the findings each
section carries (the verifier's findings on the final text; for model-drafted text that passed the truth
gate, the gate's slot provenance when the section carries it, else the verifier's second opinion that
the pipeline stores), for a person's document the `VerificationReport` of `assistant.verify.verify`.

    rows = report_evidence(report, ledger, notes)        # a drafted Report
    rows = text_evidence(report, text, ledger, notes, place_of_line=document.place_of_line)
    data = evidence_xlsx(rows, title="…")                 # bytes of an .xlsx (one sheet 数字来源表)
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass
from typing import Any, Callable, Iterable, Optional, Sequence

from assistant.ledger.facts import Ledger

SENTENCE_ENDS = "。！？；;!?\n"
STATUS_NAMES = {"supported": "有据", "misattributed": "张冠李戴", "contradicted": "增减方向矛盾", "unsupported": "无来源", "rejected": "未通过闸门"}
SOURCE_NAMES = {"ledger": "计算台账", "notes": "填写的文字"}
COLUMNS = (
    ("section", "章节"),
    ("place", "位置"),
    ("sentence", "所在语句"),
    ("value", "数字"),
    ("status", "核对结果"),
    ("source", "来源类别"),
    ("label", "台账项目"),
    ("fact_text", "台账数值"),
    ("formula", "公式"),
    ("inputs", "来源字段"),
    ("note", "引用的文字"),
    ("message", "说明"),
    ("key", "台账键"),
    ("drafter", "起草方式"),
)


@dataclass(frozen=True)
class EvidenceRow:
    section: str
    place: str
    sentence: str
    value: str
    status: str  # Chinese (有据, 无来源 …)
    ok: bool
    source: str = ""  # 计算台账 | 填写的文字 | ""
    key: str = ""
    label: str = ""
    fact_text: str = ""
    formula: str = ""
    inputs: str = ""
    note: str = ""
    message: str = ""
    drafter: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    def cells(self) -> list[str]:
        return [getattr(self, name) for name, _ in COLUMNS]


def _get(item: Any, name: str, default: Any = None) -> Any:
    if isinstance(item, dict):
        return item.get(name, default)
    return getattr(item, name, default)


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of `text` holding [start, end): from after the previous 。！？；/line end to the next."""
    if not text:
        return ""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    left = max((text.rfind(mark, 0, start) for mark in SENTENCE_ENDS), default=-1) + 1
    right_marks = [i for i in (text.find(mark, end) for mark in SENTENCE_ENDS) if i >= 0]
    right = min(right_marks) + 1 if right_marks else len(text)
    return text[left:right].strip()


def input_labels(inputs: Iterable[str]) -> str:
    """Chinese labels of a fact's input fields (projects.0.name → 项目/第1项/项目名称)."""
    from assistant.figures.model import label_for_path

    labels = []
    for field in inputs:
        steps = tuple(int(p) if p.isdigit() else p for p in str(field).split("."))
        try:
            labels.append(label_for_path(steps))
        except Exception:  # an input path the model no longer knows: show it as recorded
            labels.append(str(field))
    return "、".join(labels)


def _provenance(source: Any, ledger: Optional[Ledger], notes: Sequence[str]) -> dict:
    """Provenance columns from a verifier Source dict, a gate Provenance record, or nothing."""
    if not source:
        return {}
    kind = _get(source, "source") or _get(source, "kind") or ""
    if kind in ("notes", "note"):
        index = _get(source, "note_index")
        quoted = _get(source, "note_text", "") or ""
        if isinstance(index, int) and 0 <= index < len(notes):
            # The whole sentence of the note, not the verifier's window cut mid-word.
            note = notes[index]
            window = quoted.strip("…") if quoted else ""
            at = note.find(window) if window else -1
            quoted = sentence_around(note, at, at + len(window)) if at >= 0 else (quoted or note)
        where = f"填写的文字第{index + 1}条：" if isinstance(index, int) else ""
        return {"source": SOURCE_NAMES["notes"], "note": f"{where}“{quoted}”" if quoted else where}
    key = _get(source, "fact") or _get(source, "fact_key") or _get(source, "key") or ""
    columns = {"source": SOURCE_NAMES["ledger"], "key": key, "label": _get(source, "label", "") or "", "fact_text": ""}
    fact = ledger.get(key) if ledger is not None and key else None
    if fact is not None:
        columns.update(label=fact.label, fact_text=fact.text, formula=fact.formula, inputs=input_labels(fact.inputs))
    elif _get(source, "text"):
        columns["fact_text"] = str(_get(source, "text"))
    return columns


def _drafter_name(section: Any) -> str:
    drafter = _get(section, "drafter", "") or ""
    if _get(section, "fallback_reason", ""):
        return "模板（模型未成功，已改用）"
    if drafter == "template":
        return "模板（离线）"
    if drafter.startswith("llm:"):
        return f"大模型 {drafter[4:]}（经数字闸门）"
    if drafter == "adopted":
        return "对话采用"
    return drafter


def paragraph_place(text: str, start: Any) -> str:
    """第N段 of a section's text (paragraphs are its lines)."""
    return f"第{text.count(chr(10), 0, start) + 1}段" if isinstance(start, int) else ""


def _finding_row(finding: dict, text: str, section: str, place: str, drafter: str, ledger, notes) -> EvidenceRow:
    start, end = finding.get("start"), finding.get("end")
    place = place or paragraph_place(text, start)
    sentence = sentence_around(text, start, end) if isinstance(start, int) and isinstance(end, int) else ""
    status = finding.get("status") or ""
    columns = _provenance(finding.get("provenance"), ledger, notes)
    message = finding.get("message") or ""
    expected = finding.get("expected")
    if status != "supported" and expected:
        shown = _provenance(expected, ledger, notes)
        what = shown.get("label") or shown.get("note") or ""
        if what and what not in message:
            message = f"{message}（语句所指：{what}）" if message else f"语句所指：{what}"
    return EvidenceRow(
        section=section,
        place=place,
        sentence=sentence,
        value=str(finding.get("text") or ""),
        status=finding.get("status_zh") or STATUS_NAMES.get(status, status),
        ok=status == "supported",
        message=message,
        drafter=drafter,
        **columns,
    )


def _gate_rows(section: Any, records: Sequence[Any], ledger, notes) -> list[EvidenceRow]:
    """Rows from the truth gate's slot provenance (what Python wrote into model text, and from where)."""
    text = _get(section, "text", "") or ""
    rows = []
    for record in records:
        if _get(record, "word"):  # a direction word (增加/减少) filled by a slot, not a figure
            continue
        start, end = _get(record, "start"), _get(record, "end")
        source = _get(record, "source")
        key = _get(record, "key", "")
        if source in ("note", "notes"):
            provenance: dict = {"source": "notes", "note_text": ""}
            columns = _provenance(provenance, ledger, notes)
            columns["key"] = key
        else:
            columns = _provenance({"source": "ledger", "fact": key}, ledger, notes)
        rows.append(
            EvidenceRow(
                section=_get(section, "heading", ""),
                place=paragraph_place(text, start),
                sentence=sentence_around(text, start, end) if isinstance(start, int) else "",
                value=str(_get(record, "text", "")),
                status=STATUS_NAMES["supported"],
                ok=True,
                drafter=_drafter_name(section),
                **columns,
            )
        )
    return rows


def section_evidence(section: Any, ledger: Optional[Ledger], notes: Sequence[str] = ()) -> list[EvidenceRow]:
    """Every figure of one drafted section, in text order."""
    text = _get(section, "text", "") or ""
    heading = _get(section, "heading", "") or ""
    if not text.strip():
        return []
    findings = [f.to_dict() if hasattr(f, "to_dict") else dict(f) for f in (_get(section, "findings") or [])]
    verifier = [f for f in findings if not f.get("gate")]
    gate_records = [r for r in (_get(section, "provenance") or []) if not _get(r, "word")]
    if gate_records and not verifier:
        return _gate_rows(section, gate_records, ledger, notes)
    drafter = _drafter_name(section)
    ordered = sorted(findings, key=lambda f: f.get("start") if isinstance(f.get("start"), int) else 0)
    rows = [_finding_row(f, text, heading, "", drafter, ledger, notes) for f in ordered]
    if not gate_records:
        return rows
    # Model text: the slot that wrote each figure is its provenance (by construction); the verifier's
    # finding on the same span gives the status. A slot's figure the verifier did not list is added.
    used: set[int] = set()
    merged = []
    for finding, row in zip(ordered, rows):
        index = _overlapping(gate_records, finding.get("start"), finding.get("end"))
        if index is None:
            merged.append(row)
            continue
        used.add(index)
        merged.append(_with_slot(row, gate_records[index], ledger, notes))
    extra = [r for i, r in enumerate(gate_records) if i not in used]
    if extra:
        merged += _gate_rows(section, extra, ledger, notes)
        merged.sort(key=lambda r: text.find(r.sentence) if r.sentence else 0)
    return merged


def _overlapping(records: Sequence[Any], start: Any, end: Any) -> Optional[int]:
    if not isinstance(start, int) or not isinstance(end, int):
        return None
    for index, record in enumerate(records):
        low, high = _get(record, "start"), _get(record, "end")
        if isinstance(low, int) and isinstance(high, int) and low < end and start < high:
            return index
    return None


def _with_slot(row: EvidenceRow, record: Any, ledger, notes) -> EvidenceRow:
    """The row with the provenance of the slot that wrote its figure."""
    from dataclasses import replace

    key = _get(record, "key", "")
    if _get(record, "source") in ("note", "notes"):
        return replace(row, message=f"{row.message}（由材料占位符【{key}】填入）".lstrip())
    columns = _provenance({"source": "ledger", "fact": key}, ledger, notes)
    return replace(row, **columns, message=f"由台账占位符【{key}】填入；{row.message}" if row.message else f"由台账占位符【{key}】填入")


def report_evidence(report: Any, ledger: Optional[Ledger], notes: Sequence[str] = ()) -> list[EvidenceRow]:
    """Every figure of every section of a drafted report (outline headings carry none)."""
    rows: list[EvidenceRow] = []
    for section in _get(report, "sections") or []:
        if _get(section, "drafter") == "outline":
            continue
        rows.extend(section_evidence(section, ledger, notes))
    return rows


def text_evidence(
    verification: Any,
    text: str,
    ledger: Optional[Ledger],
    notes: Sequence[str] = (),
    *,
    place_of_line: Optional[Callable[[int], str]] = None,
    section: str = "",
) -> list[EvidenceRow]:
    """Every figure of a person's text from its VerificationReport (assistant.verify.verify)."""
    rows = []
    for finding in verification.findings:
        data = finding.to_dict()
        line = data.get("line")
        place = place_of_line(line) if place_of_line and isinstance(line, int) else (f"第{line}行" if line else "")
        rows.append(_finding_row(data, text, section, place, "", ledger, notes))
    return rows


def evidence_summary(rows: Sequence[EvidenceRow]) -> str:
    bad = sum(1 for r in rows if not r.ok)
    if not rows:
        return "正文中没有需要核对的数字。"
    if not bad:
        return f"共{len(rows)}处数字，全部有据可查。"
    return f"共{len(rows)}处数字，其中{bad}处未通过核对。"


def evidence_xlsx(rows: Sequence[EvidenceRow], *, title: str = "数字来源表") -> bytes:
    """The table as an .xlsx: a title line, the summary, a header row (frozen, filterable), one row
    per figure; every cell is text (a sentence starting with “=” is never a formula)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from assistant.safe_text import clean_for_xml as xml_safe

    book = Workbook()
    sheet = book.active
    sheet.title = "数字来源表"
    sheet.append([xml_safe(title)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([evidence_summary(rows)])
    sheet.append([label for _, label in COLUMNS])
    header = 3
    for cell in sheet[header]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7F0")
    bad_fill = PatternFill("solid", fgColor="FDE7E7")
    for row in rows:
        sheet.append([xml_safe(value) for value in row.cells()])
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"  # text, whatever it starts with
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if not row.ok:
                cell.fill = bad_fill
    widths = {"section": 18, "place": 14, "sentence": 60, "value": 14, "status": 10, "source": 10, "key": 28, "label": 22, "fact_text": 14, "formula": 36, "inputs": 30, "note": 40, "message": 40, "drafter": 16}
    for index, (name, _) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(name, 14)
    sheet.freeze_panes = sheet.cell(row=header + 1, column=1)
    sheet.auto_filter.ref = f"A{header}:{get_column_letter(len(COLUMNS))}{max(header, sheet.max_row)}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
