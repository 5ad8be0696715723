"""Our own drafts pass our own `verify` (Markdown and the exported .docx, every evaluation case), and
an edited .docx is re-checked against the exported one sentence by sentence."""

from __future__ import annotations

import io
import json
from functools import lru_cache

import pytest

from assistant.cli import main
from assistant.evaluation.cases import list_case_ids, load_case
from assistant.verify import SUPPORTED, UNSUPPORTED, verify
from assistant.verify.diff import ADDED, CHANGED, REMOVED, check_edits, sentence_changes, sentences
from assistant.verify.documents import read_document_bytes
from assistant.verify.model import CAPTION

CASE_IDS = list_case_ids()


@lru_cache(maxsize=None)
def _exported(case_id: str):
    """(markdown, docx bytes, ledger, notes) of the offline draft of one case."""
    from assistant.drafting import draft_report
    from assistant.export.docx_export import build_document
    from assistant.export.markdown import report_to_markdown
    from assistant.export.report_files import report_attachments
    from assistant.ledger.calculator import note_texts
    from assistant.ledger.settings import ReportSettings
    from assistant.scoring import build_scored_ledger

    case = load_case(case_id)
    report = draft_report(case.figures, settings=ReportSettings(outline=case.outline), outline=case.outline, backend="offline")
    ledger = build_scored_ledger(case.figures)
    attachments = report_attachments(report, ledger, case.figures)
    buffer = io.BytesIO()
    build_document(report, ledger, attachments).save(buffer)
    return report_to_markdown(report, ledger), buffer.getvalue(), ledger, tuple(note_texts(case.figures))


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_own_markdown_draft_passes_verify(case_id):
    markdown, _, ledger, notes = _exported(case_id)
    report = verify(markdown, ledger, notes)
    assert report.ok, report.render_text()
    assert len(report.findings) > 50
    assert [m for m in report.not_figures if m.cls == CAPTION], "table captions 表N are read as captions"


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_own_docx_draft_passes_verify(case_id):
    _, data, ledger, notes = _exported(case_id)
    document = read_document_bytes("draft.docx", data)
    report = verify(document.body_text, ledger, notes)
    assert report.ok, report.render_text()
    assert document.attachment_blocks  # the 自评表 follow the text and are told apart


def test_table_captions_are_never_figures_whatever_their_number():
    markdown, _, ledger, notes = _exported(CASE_IDS[0])
    # Renumber the captions to values no ledger holds: they must stay captions.
    renumbered = markdown.replace("表1 ", "表917 ").replace("表2 ", "表918 ")
    assert verify(renumbered, ledger, notes).ok


def _edit(data: bytes, edits) -> bytes:
    import docx

    document = docx.Document(io.BytesIO(data))
    for paragraph in document.paragraphs:
        for old, new in edits:
            if old in paragraph.text:
                text = paragraph.text.replace(old, new)
                for run in paragraph.runs[1:]:
                    run.text = ""
                paragraph.runs[0].text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _a_sentence_with_a_figure(document, ledger, notes):
    report = verify(document.body_text, ledger, notes)
    for sentence in sentences(document):
        figures = [f for f in report.findings if sentence.start <= f.start < sentence.end and f.figure.unit == "万元"]
        if figures and sentence.text.endswith("。") and sentence.part == "body":
            return sentence, figures[0]
    raise AssertionError("no sentence with an amount")


def test_edited_docx_lists_changed_sentences_and_figures_that_no_longer_trace():
    _, data, ledger, notes = _exported("hengshan-fulian-2023")
    exported = read_document_bytes("exported.docx", data)
    sentence, figure = _a_sentence_with_a_figure(exported, ledger, notes)
    wrong = figure.text.replace(figure.text[0], "9" if figure.text[0] != "9" else "8", 1)
    edited_data = _edit(data, [(figure.text, wrong), ("高度重视", "非常重视")])
    edited = read_document_bytes("edited.docx", edited_data)
    edits = check_edits(exported, edited, ledger, notes)
    assert not edits.ok
    changed = [c for c in edits.changes if c.after is not None and wrong in c.after.text]
    assert changed and changed[0].kind == CHANGED and figure.text in changed[0].before.text
    assert edits.problems and {p.text for p in edits.problems} == {wrong}  # every place it was replaced
    assert edits.problems[0].status == UNSUPPORTED
    # the wording-only change is listed, with its figures supported
    assert all(f.status == SUPPORTED for c in edits.changes if c.after and wrong not in c.after.text for f in c.findings)


def test_unchanged_docx_has_no_changes():
    _, data, ledger, notes = _exported("hengshan-fulian-2023")
    exported = read_document_bytes("exported.docx", data)
    edits = check_edits(exported, read_document_bytes("edited.docx", data), ledger, notes)
    assert edits.changes == () and edits.ok
    assert "没有改动" in edits.summary()


def test_sentence_alignment_added_removed_changed():
    old = read_document_bytes("a.md", "甲项目支出10万元。乙项目完成。丙项目验收合格。\n第二段不变。".encode())
    new = read_document_bytes("b.md", "甲项目支出12万元。丙项目验收合格。新增一句。\n第二段不变。".encode())
    kinds = [(k, b.text if b else None, a.text if a else None) for k, b, a in sentence_changes(sentences(old), sentences(new))]
    assert (CHANGED, "甲项目支出10万元。", "甲项目支出12万元。") in kinds
    assert (REMOVED, "乙项目完成。", None) in kinds
    assert (ADDED, None, "新增一句。") in kinds
    assert len(kinds) == 3


def test_cli_round_trip(tmp_path, capsys):
    from assistant.figures import load_figures  # noqa: F401  (the case's figures file is used as is)

    _, data, ledger, notes = _exported("hengshan-fulian-2023")
    exported = tmp_path / "exported.docx"
    exported.write_bytes(data)
    figures = load_case("hengshan-fulian-2023").path / "figures.yaml"
    same = tmp_path / "same.docx"
    same.write_bytes(data)
    assert main(["verify", "--figures", str(figures), "--against", str(exported), str(same)]) == 0
    assert "没有改动" in capsys.readouterr().out

    document = read_document_bytes("exported.docx", data)
    _, figure = _a_sentence_with_a_figure(document, ledger, notes)
    wrong = figure.text.replace(figure.text[0], "9" if figure.text[0] != "9" else "8", 1)
    edited = tmp_path / "edited.docx"
    edited.write_bytes(_edit(data, [(figure.text, wrong)]))
    assert main(["verify", "--figures", str(figures), "--against", str(exported), str(edited)]) == 1
    out = capsys.readouterr().out
    assert "【修改】" in out and "修改前" in out and wrong in out and "无来源" in out

    assert main(["verify", "--figures", str(figures), "--against", str(exported), str(edited), "--json"]) == 1
    data_out = json.loads(capsys.readouterr().out)
    assert data_out["ok"] is False and data_out["changes"][0]["kind"] == CHANGED

    assert main(["verify", "--figures", str(figures), "--against", str(tmp_path / "missing.docx"), str(edited)]) == 2
    assert "导出稿" in capsys.readouterr().err


def test_edit_in_an_attachment_checks_only_what_was_written():
    _, data, ledger, notes = _exported("hengshan-fulian-2023")
    exported = read_document_bytes("exported.docx", data)
    import docx

    document = docx.Document(io.BytesIO(data))
    # a person rewords a scoring-rule row of the 自评表 and changes nothing numeric
    table = document.tables[-1]
    cell = table.rows[-1].cells[-1]
    if cell.paragraphs and cell.paragraphs[0].runs:
        cell.paragraphs[0].runs[0].text = cell.paragraphs[0].runs[0].text + "（已复核）"
    else:
        cell.paragraphs[0].add_run("（已复核）")
    buffer = io.BytesIO()
    document.save(buffer)
    edits = check_edits(exported, read_document_bytes("edited.docx", buffer.getvalue()), ledger, notes)
    assert edits.changes and edits.ok, edits.render_text()


def test_markdown_export_as_baseline_for_an_edited_docx():
    """The .md download and the .docx are the same text: against the Markdown, an edited .docx shows
    only what the person changed (the attachments, absent from the .md, are named, not listed)."""
    markdown, data, ledger, notes = _exported("xiangyuan-canlian-2023")
    exported = read_document_bytes("导出稿.md", markdown.encode("utf-8"))
    same = check_edits(exported, read_document_bytes("修改稿.docx", data), ledger, notes)
    assert same.ok and same.attachments_not_compared
    assert len([c for c in same.changes if c.findings]) == 0  # no sentence with a figure differs
    document = read_document_bytes("x.docx", data)
    _, figure = _a_sentence_with_a_figure(document, ledger, notes)
    wrong = figure.text.replace(figure.text[0], "9" if figure.text[0] != "9" else "8", 1)
    edited = check_edits(exported, read_document_bytes("修改稿.docx", _edit(data, [(figure.text, wrong)])), ledger, notes)
    assert edited.problems and {p.text for p in edited.problems} == {wrong}


def test_cli_against_the_draft_kept_in_the_workspace(tmp_path, monkeypatch, capsys):
    """`verify --workspace NAME EDITED.docx`: the baseline is the .docx the app exports, rebuilt from
    the workspace's drafts.json, figures.yaml and settings.json."""
    from assistant.workspace import DRAFTS, FIGURES, SETTINGS, Workspace, dumps, report_to_dict

    monkeypatch.setenv("ASSISTANT_WORKSPACE", str(tmp_path / "ws"))
    from assistant.drafting import draft_report
    from assistant.ledger.settings import ReportSettings

    case = load_case("hengshan-fulian-2023")
    report = draft_report(case.figures, settings=ReportSettings(outline=case.outline), outline=case.outline, backend="offline")
    folder = Workspace().folder("衡山妇联")
    folder.save(
        {
            FIGURES: (case.path / "figures.yaml").read_text(encoding="utf-8"),
            DRAFTS: dumps({"report": report_to_dict(report), "adopted": {}}),
            SETTINGS: dumps({"report": {"outline": case.outline}}),
        }
    )
    from assistant.verify.exported import exported_draft

    draft = exported_draft("衡山妇联")
    document = read_document_bytes("x.docx", draft.docx)
    _, figure = _a_sentence_with_a_figure(document, draft.ledger, draft.notes)
    wrong = figure.text.replace(figure.text[0], "9" if figure.text[0] != "9" else "8", 1)
    same = tmp_path / "same.docx"
    same.write_bytes(draft.docx)
    assert main(["verify", "--workspace", "衡山妇联", str(same)]) == 0
    edited = tmp_path / "edited.docx"
    edited.write_bytes(_edit(draft.docx, [(figure.text, wrong)]))
    assert main(["verify", "--workspace", "衡山妇联", str(edited)]) == 1
    assert wrong in capsys.readouterr().out
    assert main(["verify", "--workspace", "没有这个报告", str(edited)]) == 2
    assert "工作区中没有报告" in capsys.readouterr().err
    empty = Workspace().folder("空报告")
    empty.save({FIGURES: (case.path / "figures.yaml").read_text(encoding="utf-8")})
    assert main(["verify", "--workspace", "空报告", str(edited)]) == 2
    assert "还没有生成过报告" in capsys.readouterr().err
