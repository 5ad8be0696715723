"""`python -m assistant verify --figures FIGURES.yaml TEXT_FILE [--json]`: exit codes and output."""

from __future__ import annotations

import json

from assistant.cli import main

from tests.verify.conftest import SEED_FIGURES, SEED_REFERENCE


def run(capsys, *args):
    code = main(["verify", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_seed_reference_passes(capsys):
    code, out, _ = run(capsys, "--figures", SEED_FIGURES, SEED_REFERENCE)
    assert code == 0
    assert "数字核对通过" in out


def test_changed_figure_fails_with_line_and_column(tmp_path, capsys):
    text = SEED_REFERENCE.read_text(encoding="utf-8").replace("155.29", "155.92")
    path = tmp_path / "draft.md"
    path.write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "--figures", SEED_FIGURES, path)
    assert code == 1
    line_no = next(i for i, line in enumerate(text.splitlines(), 1) if "155.92" in line)
    column = text.splitlines()[line_no - 1].index("155.92") + 1
    assert f"{path}:{line_no}:{column}: “155.92万元” 无来源" in out


def test_json_output(tmp_path, capsys):
    path = tmp_path / "draft.md"
    path.write_text("基本支出61.41万元，占总支出的60.45%。", encoding="utf-8")
    code, out, _ = run(capsys, "--figures", SEED_FIGURES, path, "--json")
    assert code == 1
    data = json.loads(out)
    assert data["ok"] is False
    assert data["counts"]["misattributed"] == 1
    assert data["findings"][1]["provenance"]["fact"] == "final.expenditure.project_share"


def test_all_lists_every_figure(tmp_path, capsys):
    path = tmp_path / "draft.md"
    path.write_text("总支出155.29万元。", encoding="utf-8")
    code, out, _ = run(capsys, "--figures", SEED_FIGURES, path, "--all")
    assert code == 0
    assert "“155.29万元” 有据" in out


def test_gb18030_text_is_read(tmp_path, capsys):
    path = tmp_path / "draft.txt"
    path.write_bytes("总支出155.29万元。".encode("gb18030"))
    code, _, _ = run(capsys, "--figures", SEED_FIGURES, path)
    assert code == 0


def test_unreadable_inputs_exit_2(tmp_path, capsys):
    text = tmp_path / "draft.md"
    text.write_text("总支出155.29万元。", encoding="utf-8")
    code, _, err = run(capsys, "--figures", tmp_path / "missing.yaml", text)
    assert code == 2 and "无法读取数据文件" in err
    code, _, err = run(capsys, "--figures", SEED_FIGURES, tmp_path / "missing.md")
    assert code == 2 and "无法读取待核对的文本" in err
    bad = tmp_path / "bad.yaml"
    bad.write_text("staffing: [unclosed", encoding="utf-8")
    code, _, err = run(capsys, "--figures", bad, text)
    assert code == 2
