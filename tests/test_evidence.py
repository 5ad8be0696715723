"""数字来源表: every figure of a drafted report (and of a person's document) with its sentence, status
and provenance; as .xlsx from the library and from the CLI (`draft --evidence`, `verify --excel`)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from assistant.cli import main
from assistant.drafting import draft_report
from assistant.figures import load_figures
from assistant.ledger.calculator import note_texts
from assistant.offline import REPO_ROOT
from assistant.scoring import build_scored_ledger
from assistant.verify import verify
from assistant.verify.evidence import COLUMNS, EvidenceRow, evidence_xlsx, report_evidence, sentence_around, text_evidence

CASES = sorted(p for p in (REPO_ROOT / "evals" / "cases").iterdir() if (p / "figures.yaml").exists())


def _rows_of(data: bytes) -> list[list[str]]:
    sheet = load_workbook(io.BytesIO(data)).active
    values = [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    header = [label for _, label in COLUMNS]
    assert header in values, "header row missing"
    return values[values.index(header) + 1 :]


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_every_figure_of_every_section_is_listed_with_its_source(case):
    figures = load_figures(case / "figures.yaml")
    ledger = build_scored_ledger(figures)
    notes = note_texts(figures)
    report = draft_report(figures)
    rows = report_evidence(report, ledger, notes)
    expected = sum(len(s.findings) for s in report.sections if s.drafter != "outline" and s.text.strip())
    assert expected > 0 and len(rows) == expected
    for section in report.sections:
        if section.drafter == "outline":
            continue
        mine = [r for r in rows if r.section == section.heading]
        # Same figures, same order as the text.
        assert [r.value for r in mine] == [f["text"] for f in sorted(section.findings, key=lambda f: f["start"])]
        for row in mine:
            assert row.value in row.sentence and row.sentence in section.text
    for row in rows:
        if row.source == "计算台账":
            fact = ledger.get(row.key)
            assert fact is not None and row.label == fact.label and row.formula == fact.formula and row.fact_text == fact.text
        elif row.source == "填写的文字":
            quoted = row.note.split("：“", 1)[1].rstrip("”")
            assert row.value in quoted and any(quoted in note for note in notes)
        else:
            assert not row.ok
    data = evidence_xlsx(rows, title=report.title)
    table = _rows_of(data)
    assert len(table) == len(rows)
    assert [r[3] for r in table] == [r.value for r in rows]


def test_wrong_figure_in_a_persons_text_is_listed_as_a_problem_with_its_place():
    case = CASES[0]
    figures = load_figures(case / "figures.yaml")
    ledger = build_scored_ledger(figures)
    fact = next(f for f in ledger if f.unit == "万元" and f.value > 10)
    wrong = fact.value + 1
    text = f"{fact.label}为{fact.text}。\n另有{fact.label}{wrong}万元。"
    report = verify(text, ledger, note_texts(figures))
    rows = text_evidence(report, text, ledger, note_texts(figures))
    assert len(rows) == len(report.findings) >= 2
    assert rows[0].ok and rows[0].key == fact.key and rows[0].sentence == f"{fact.label}为{fact.text}。"
    bad = [r for r in rows if not r.ok]
    assert bad and bad[0].place == "第2行" and str(wrong) in bad[0].value


def test_cells_are_text_even_when_they_look_like_formulas():
    row = EvidenceRow(section="=1+1", place="", sentence="=HYPERLINK(\"http://127.0.0.1\")", value="=2", status="无来源", ok=False)
    sheet = load_workbook(io.BytesIO(evidence_xlsx([row]))).active
    values = [c.value for c in sheet[4]]
    assert values[0] == "=1+1" and all(c.data_type == "s" for c in sheet[4] if c.value)


def test_sentence_around_stops_at_sentence_ends():
    text = "第一句有1人。第二句有2人；第三句\n第四句"
    assert sentence_around(text, text.index("2"), text.index("2") + 2) == "第二句有2人；"
    assert sentence_around(text, text.index("第四"), text.index("第四") + 1) == "第四句"


def test_cli_draft_evidence_and_verify_excel(tmp_path, capsys):
    figures = CASES[0] / "figures.yaml"
    docx, evidence, checked = tmp_path / "r.docx", tmp_path / "e.xlsx", tmp_path / "v.xlsx"
    assert main(["draft", str(figures), "-o", str(docx), "--evidence", str(evidence)]) == 0
    drafted = _rows_of(evidence.read_bytes())
    assert drafted and all(r[4] == "有据" for r in drafted)
    assert main(["verify", "--figures", str(figures), str(docx), "--excel", str(checked)]) == 0
    rows = _rows_of(checked.read_bytes())
    assert len(rows) >= len(drafted)
    assert all(r[1].startswith(("第", "表")) for r in rows)  # a paragraph or table row of the .docx
    out = capsys.readouterr()
    assert "数字来源表" in out.out + out.err


def test_cli_unwritable_evidence_path_exits_2(tmp_path):
    figures = CASES[0] / "figures.yaml"
    target = tmp_path / "missing-dir" / "e.xlsx"
    code = main(["draft", str(figures), "-o", str(tmp_path / "r.docx"), "--evidence", str(target)])
    assert code == 2 and not Path(target).exists()


def test_model_text_rows_carry_the_gate_slot_provenance():
    """A model-drafted section: the slot that wrote each figure is its source (truth gate records)."""
    import asyncio

    from assistant.drafting.pipeline import DraftJob, adraft_report
    from assistant.interface import SectionDraft

    figures = load_figures(CASES[0] / "figures.yaml")
    ledger = build_scored_ledger(figures)
    key = "budget.income.total"

    class SlotModel:
        name = "llm:slot-model"

        async def draft(self, section, context):
            text = f"年初预算安排收入【{key}】。" if section.id == "budget" else ""
            return SectionDraft(section.id, section.heading, section.level, text, self.name)

    report = asyncio.run(adraft_report(DraftJob(figures, drafter=SlotModel())))
    budget = report.section("budget")
    assert budget.drafter == "llm:slot-model" and budget.provenance and budget.provenance[0]["key"] == key
    rows = [r for r in report_evidence(report, ledger, note_texts(figures)) if r.section == budget.heading]
    assert len(rows) == 1
    row = rows[0]
    assert row.ok and row.key == key and row.value == ledger[key].text and f"【{key}】" in row.message
    assert row.formula == ledger[key].formula and "经数字闸门" in row.drafter


def test_cli_verify_excel_also_with_against(tmp_path):
    figures = CASES[0] / "figures.yaml"
    docx, checked = tmp_path / "r.docx", tmp_path / "v.xlsx"
    assert main(["draft", str(figures), "-o", str(docx)]) == 0
    assert main(["verify", "--figures", str(figures), "--against", str(docx), str(docx), "--excel", str(checked)]) == 0
    assert _rows_of(checked.read_bytes())
