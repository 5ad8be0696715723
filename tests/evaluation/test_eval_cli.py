"""`python -m assistant eval`: exit codes, JSON output, reports, baseline comparison."""

from __future__ import annotations

import json

from assistant.cli import main

SEED = "hengshan-fulian-2023"


def test_eval_json_writes_reports_and_passes_the_gate(tmp_path, capsys):
    code = main(["eval", "--case", SEED, "--out", str(tmp_path), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["gate_ok"] is True
    [row] = data["rows"]
    assert row["case"] == SEED and row["backend"] == "offline" and row["budget_recall"] == 1.0
    for kind in ("markdown", "html", "json"):
        assert (tmp_path / data["reports"][kind].split("/")[-1]).exists()
    assert "<svg" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_eval_table_compare_and_write_baseline(tmp_path, capsys):
    baseline = tmp_path / "baseline.json"
    assert main(["eval", "--case", SEED, "--out", str(tmp_path), "--write-baseline", str(baseline)]) == 0
    out = capsys.readouterr().out
    assert "数字召回率" in out and "核验门槛：通过" in out and "基线已写入" in out
    assert main(["eval", "--case", SEED, "--out", str(tmp_path), "--compare", str(baseline)]) == 0
    assert "与基线比较：全部" in capsys.readouterr().out


def test_eval_usage_errors_exit_2(tmp_path, capsys, monkeypatch):
    assert main(["eval", "--case", "no-such-case", "--out", str(tmp_path)]) == 2
    assert "找不到评估用例" in capsys.readouterr().err
    monkeypatch.delenv("ASSISTANT_MODEL", raising=False)
    assert main(["eval", "--case", SEED, "--backend", "llm", "--out", str(tmp_path)]) == 2
    assert "ASSISTANT_MODEL" in capsys.readouterr().err
    assert main(["eval", "--case", SEED, "--compare", str(tmp_path / "none.json"), "--out", str(tmp_path)]) == 2
