"""`python -m assistant check|compute` (assistant/commands/figures_cmd.py): exit codes, messages, JSON."""

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "evals" / "cases" / "hengshan-fulian-2023" / "figures.yaml"
SMALL = Path(__file__).parent / "data" / "figures_small.yaml"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture
def broken_seed(tmp_path) -> Path:
    """The seed case with 基本支出 changed, so 基本支出 + 项目支出 ≠ 支出合计."""
    text = SEED.read_text(encoding="utf-8")
    assert text.count("    basic: 61.41\n") == 1
    path = tmp_path / "broken.yaml"
    path.write_text(text.replace("    basic: 61.41\n", "    basic: 71.41\n"), encoding="utf-8")
    return path


# --- check ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [SEED, SMALL], ids=["seed", "small"])
def test_check_passes_on_consistent_cases(capsys, path):
    code, out, _ = run(capsys, "check", str(path))
    assert code == 0
    # A consistent case has no error; reminders (e.g. 公用经费 over its budget) do not fail the check.
    assert "校验通过" in out or "共 0 个错误" in out
    assert "[错误]" not in out


def test_check_broken_seed_exits_1_naming_the_fields(capsys, broken_seed):
    code, out, _ = run(capsys, "check", str(broken_seed))
    assert code == 1
    for piece in ("[错误]", "71.41", "93.88", "165.29万元", "155.29万元", "决算/支出/基本支出", "决算/支出/项目支出", "决算/支出/支出合计", "final.expenditure.basic"):
        assert piece in out
    assert "共 1 个错误，0 个提醒。" in out


def test_check_json_lists_findings(capsys, broken_seed):
    code, out, _ = run(capsys, "check", "--json", str(broken_seed))
    assert code == 1
    result = json.loads(out)
    assert result["ok"] is False and result["readable"] is True
    (finding,) = result["findings"]
    assert finding["rule"] == "sum" and finding["severity"] == "error"
    assert finding["fields"] == ["final.expenditure.total", "final.expenditure.basic", "final.expenditure.project"]
    assert "71.41" in finding["message"]


def test_check_negative_amount_exits_1(capsys, tmp_path):
    path = tmp_path / "negative.yaml"
    path.write_text("meta: {unit_name: 测试单位, year: 2023}\nprocurement: {total: -11.59}\n", encoding="utf-8")
    code, out, _ = run(capsys, "check", str(path))
    assert code == 1
    assert "“政府采购/政府采购支出合计”为负数（-11.59）" in out and "procurement.total" in out


def test_check_warnings_only_exits_0(capsys, tmp_path):
    path = tmp_path / "warn.yaml"
    path.write_text("meta: {unit_name: 测试单位, year: 2023}\nstaffing: {authorized_total: 6, actual: 7}\n", encoding="utf-8")
    code, out, _ = run(capsys, "check", str(path))
    assert code == 0
    assert "[提醒]" in out and "超编" in out and "共 0 个错误，1 个提醒。" in out


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "文件为空"),
        (b"meta: [\n", "不是有效的 YAML 文件"),
        (b"\x00\x01\xff\xfe binary", "文件编码无法识别"),
        ("meta:\n  year: 2023\n".encode("gbk"), "单位信息/单位名称"),
        ("meta: {unit_name: 测试, year: 2023}\nfinal: {income: {total: 十万}}\n".encode("gbk"), "决算/收入/收入合计"),
        (b"meta: {unit_name: t, year: 2023}\nfinal: {income: {total: .inf}}\n", "应为有限数字"),
    ],
    ids=["empty", "not-yaml", "binary", "gbk-missing-field", "gbk-text-in-number", "inf"],
)
def test_check_unreadable_file_exits_2(capsys, tmp_path, content, expected):
    path = tmp_path / "figures.yaml"
    path.write_bytes(content)
    code, out, err = run(capsys, "check", str(path))
    assert code == 2
    assert out == ""
    assert err.startswith(f"无法读取数据文件 {path}：")
    assert expected in err


def test_check_missing_file_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, "check", str(tmp_path / "没有这个文件.yaml"))
    assert code == 2 and "无法读取文件 没有这个文件.yaml" in err


def test_check_json_unreadable(capsys, tmp_path):
    path = tmp_path / "figures.yaml"
    path.write_text("meta:\n  year: 2023\n", encoding="utf-8")
    code, out, _ = run(capsys, "check", "--json", str(path))
    assert code == 2
    result = json.loads(out)
    assert result == {"ok": False, "readable": False, "messages": ["字段“单位信息/单位名称”必填项缺失。"]}


def test_check_gbk_copy_of_seed_passes(capsys, tmp_path):
    path = tmp_path / "figures-gbk.yaml"
    path.write_bytes(SEED.read_text(encoding="utf-8").encode("gbk"))
    code, out, _ = run(capsys, "check", str(path))
    assert code == 0 and "校验通过" in out


# --- compute --------------------------------------------------------------------------------------


def test_compute_json_gives_fact_objects(capsys):
    code, out, _ = run(capsys, "compute", "--json", str(SEED))
    assert code == 0
    facts = json.loads(out)
    assert isinstance(facts, list) and facts
    for fact in facts:
        assert {"key", "value", "unit", "text", "label", "formula"} <= set(fact)
    by_key = {f["key"]: f for f in facts}
    change = by_key["final.income.change_vs_budget"]
    assert change["text"] == "115.54万元" and Decimal(change["value"]) == Decimal("155.32") - Decimal("39.78")
    assert change["formula"] == "决算收入 − 年初预算收入" and change["unit"] == "万元"
    assert by_key["final.expenditure.basic_share"]["text"] == "39.55%"
    assert by_key["final.expenditure.project_share"]["text"] == "60.45%"
    assert by_key["procurement.total"]["text"] == "11.59万元"
    assert by_key["assets.net_assets"]["text"] == "5.16万元"
    assert by_key["assets.fixed_assets_utilization"]["text"] == "100.00%"
    assert by_key["indicator.1.completion_rate"]["text"] == "115.84%"


def test_compute_text_lists_facts_and_missing(capsys, tmp_path):
    path = tmp_path / "zero.yaml"
    path.write_text(
        "meta: {unit_name: 测试单位, year: 2023}\nthree_public: {actual: {total: 1}, last_year_actual: {total: 0}}\n", encoding="utf-8"
    )
    code, out, _ = run(capsys, "compute", str(path))
    assert code == 0
    assert "“三公”经费同比增减：1万元" in out
    assert "“三公”经费变动率：无法计算（“三公”经费上年决算数为0，无法计算“三公”经费变动率）" in out
    assert "inf" not in out.lower()


def test_compute_denominator_option(capsys):
    _, out_full, _ = run(capsys, "compute", "--json", str(SMALL))
    _, out_initial, _ = run(capsys, "compute", "--json", "--denominator", "initial", str(SMALL))
    full = {f["key"]: f for f in json.loads(out_full)}["final.execution_rate"]
    initial = {f["key"]: f for f in json.loads(out_initial)}["final.execution_rate"]
    assert Decimal(full["value"]) == Decimal("230.00") / Decimal("240") * 100
    assert Decimal(initial["value"]) == Decimal("230.00") / Decimal("200") * 100
    assert (full["text"], initial["text"]) == ("95.83%", "115.00%")


def test_compute_three_public_basis_option(capsys, tmp_path):
    path = tmp_path / "figures.yaml"
    path.write_text(
        "meta: {unit_name: 测试单位, year: 2023}\n"
        "three_public:\n  budget: {total: 3}\n  actual: {total: 2.4}\n"
        "  last_year_budget: {total: 4}\n  last_year_actual: {total: 2}\n",
        encoding="utf-8",
    )
    _, out_final, _ = run(capsys, "compute", "--json", str(path))
    _, out_budget, _ = run(capsys, "compute", "--json", "--three-public-basis", "budget", str(path))
    final = {f["key"]: f for f in json.loads(out_final)}["three_public.yoy_rate"]
    budget = {f["key"]: f for f in json.loads(out_budget)}["three_public.yoy_rate"]
    assert Decimal(final["value"]) == (Decimal("2.4") - 2) / 2 * 100
    assert Decimal(budget["value"]) == (Decimal(3) - 4) / 4 * 100


def test_compute_unreadable_exits_2(capsys, tmp_path):
    path = tmp_path / "figures.yaml"
    path.write_text("meta:\n  unit_name: 测试单位\n  year: 2023\nfinal:\n  incme: {}\n", encoding="utf-8")
    code, out, err = run(capsys, "compute", str(path))
    assert code == 2 and out == ""
    assert "决算/incme" in err


# --- the module entry point -------------------------------------------------------------------------


def test_module_entry_point_runs_check(broken_seed):
    python = ROOT / ".venv" / "bin" / "python"
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}  # a narrow terminal encoding must not crash the output
    result = subprocess.run(
        [str(python if python.exists() else sys.executable), "-m", "assistant", "check", str(broken_seed)],
        cwd=ROOT,
        capture_output=True,
        env=env,
        timeout=120,
    )
    out = result.stdout.decode("utf-8")
    assert result.returncode == 1, result.stderr.decode("utf-8", "replace")
    assert "决算/支出/基本支出" in out and "71.41" in out
    assert b"Traceback" not in result.stderr
