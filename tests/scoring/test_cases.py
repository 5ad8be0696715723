"""End to end: the seed case (no per-project amounts) and a full-data fixture, as tables, ledger facts,
Markdown, Excel, .docx table data and the `score` command."""

from __future__ import annotations

import json
from decimal import Decimal

import openpyxl
import pytest

from assistant.cli import main
from assistant.figures import load_figures
from assistant.ledger.calculator import build_ledger
from assistant.scoring import build_scored_ledger
from assistant.scoring import (
    NEEDS_INPUT,
    project_table_data,
    department_table_data,
    score_builders,
    score_figures,
    scorecard_markdown,
    write_scorecard_excel,
)
from assistant.ledger.settings import ReportSettings

from tests.scoring.helpers import D, FULL_CASE, FULL_CASE_SCORES, SEED_CASE

ENTERED = {"社会效益": D(9), "satisfaction": D("9.5")}


@pytest.fixture(scope="module")
def full():
    return load_figures(FULL_CASE)


@pytest.fixture(scope="module")
def seed():
    return load_figures(SEED_CASE)


def expected_project_1() -> Decimal:
    # From full_case.yaml: executed 45.6 of full-year 60; indicators as listed there.
    execution = min(D("45.6") / D(60), D(1)) * 10
    indicators = [
        D(20),  # 培训人数 1200 ≥ 1000: met
        D(90) / D(95) * 10,  # 培训合格率 90 of 95
        D(10),  # 按时完成率 100 of 100
        D(450) / D(500) * 10,  # 人均培训成本 ≤450, 500 spent
        D(240) / D(300) * 15,  # 带动就业人数 240 of 300
        D(11),  # 长效培训机制: 部分达成, entered 11 within 9–12
        D(10),  # 学员满意度 95 ≥ 90
    ]
    return execution + sum(indicators)


def expected_project_2() -> Decimal:
    raw = D(10) + D(36) / D(40) * 25 + D(25) + D(20) + D(10)  # 生态效益 (10 分) is 不适用
    return raw * 100 / 90


def expected_department() -> Decimal:
    staff = D(5)  # 10 of 10 authorised: 100%
    yoy = (D("4.5") - D("4.4")) / D("4.4") * 100
    three_change = D(5) - yoy * D("0.1") * 5
    key_rate = (D("45.6") + D(20)) / D(90) * 100
    assert 70 <= key_rate < 80
    key = D(3)
    completion = D(209) / D(220) * 100
    budget_completion = D(10) - (100 - completion) / 5 * 2
    adjustment = D(2)  # (220 − 200) / 200 = 10% → (0, 10]
    carryover = D(4)  # 11 / 220 = 5% ≤ 10%
    public_rate = D(31) / D(30) * 100
    public = D(4) - (public_rate - 100) * D("0.1") * 4
    three_control = D(6)  # 4.5 / 5 = 90%
    procurement = D(30) / D(32) * 4
    fixed = D(48) / D(50) * 4
    performance = (D(1) + D(100) / D(125)) / 2 * 30
    entered = D(9) + D("9.5")
    return (staff + three_change + key + budget_completion + adjustment + carryover + public + three_control
            + procurement + fixed + performance + entered)


def test_full_case_project_scores(full):
    card = score_figures(full, overrides=ENTERED)
    p1, p2 = card.projects
    assert p1.execution.used == D("7.6")
    assert p1.total == expected_project_1()
    assert p1.grade == "良"
    assert p2.total == expected_project_2()
    assert p2.grade == "优"
    assert not card.errors


def test_full_case_department_score(full):
    card = score_figures(full, overrides=ENTERED)
    dept = card.department
    assert dept.complete
    assert dept.total == expected_department()
    assert dept.grade == "良"


def test_scores_are_ledger_facts(full):
    ledger = build_scored_ledger(full, ReportSettings(), scoring=score_builders(ReportSettings(), overrides=ENTERED)[0])
    total = ledger["project.1.score.total"]
    assert total.unit == "分" and total.value == expected_project_1()
    assert total.text == "89.07分"
    assert "自评得分" in total.names
    assert ledger["project.1.score.execution"].value == D("7.6")
    assert ledger["department.score.total"].value == expected_department()
    assert ledger["department.score.staff_control_rate"].value == 5
    # 生态效益 is 不适用: no fact, and no fact invents a 0 for it.
    assert "project.2.score.indicator.4" not in ledger
    entered = ledger["project.1.score.indicator.6"]
    assert entered.kind == "input" and entered.value == 11


def test_seed_case_shows_needs_input_without_crashing(seed):
    card = score_figures(seed)
    assert len(card.projects) == 4
    for table in card.projects:
        assert table.total is None and table.grade is None
        assert table.execution.source == NEEDS_INPUT
    dept = card.department
    assert dept.total is None and dept.total_text() == NEEDS_INPUT
    assert dept.line("在职人员控制率").cell.used == D(5)  # 6 of 6
    assert dept.line("“三公”经费控制率").cell.used == D(6)  # 0.09 of 0.5
    assert dept.line("重点支出安排率").cell.source == NEEDS_INPUT
    text = scorecard_markdown(card)
    assert NEEDS_INPUT in text and "总分暂缺" in text
    # Nothing about the projects is known: no line may show a score of 0.
    assert "0分" not in text.split("## 项目支出绩效自评表")[1]


def test_seed_case_ledger_records_missing_totals(seed):
    ledger = build_scored_ledger(seed, ReportSettings())
    assert "department.score.total" not in ledger
    assert "department.score.total" in ledger.missing
    assert "需补充" in ledger.missing["department.score.total"].reason
    assert "project.1.score.total" in ledger.missing
    assert ledger["department.score.staff_control_rate"].value == 5


def test_builder_runs_once_even_if_wired_twice(seed):
    # base_ledger switches scoring builders off, so the CLI never duplicates facts.
    from assistant.scoring import base_ledger

    ledger = base_ledger(seed)
    assert not [k for k in ledger.facts if ".score." in k]


def test_markdown_has_both_tables_with_totals_and_grades(full):
    text = scorecard_markdown(score_figures(full, overrides=ENTERED))
    assert "部门整体支出绩效自评表" in text and "项目支出绩效自评表：乡村妇女技能培训" in text
    assert "总分：89.07分　自评等级：良" in text
    assert "总分：97.22分　自评等级：优" in text
    assert "| 年度资金总额 | 50 | 60 | 45.6 | 10 | 76.00% |" in text


def test_docx_table_data_is_official_layout(full):
    card = score_figures(full, overrides=ENTERED)
    info, funds, goals, indicators = project_table_data(card.projects[0])
    assert funds.header == ["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    assert [row[0] for row in funds.rows] == ["年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金"]
    assert indicators.header == ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
    assert indicators.rows[-1][0] == "总分" and indicators.rows[-1][6] == "89.07分"
    assert all(len(r) == len(indicators.header) for r in indicators.rows)
    assert all(isinstance(c, str) for r in indicators.rows for c in r)
    (dept,) = department_table_data(card.department)
    assert all(len(r) == len(dept.header) for r in dept.rows)
    assert dept.rows[-1][0] == "总分" and dept.rows[-1][-1] == "87.62分"


def test_excel_workbook(full, tmp_path):
    card = score_figures(full, overrides=ENTERED)
    path = write_scorecard_excel(card, tmp_path / "自评表.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["部门整体支出绩效自评表", "项目1-乡村妇女技能培训", "项目2-家庭教育讲座"]
    cells = [c for row in wb["项目1-乡村妇女技能培训"].iter_rows(values_only=True) for c in row if c]
    assert "89.07分" in cells and "自评等级：良" in cells


def test_cli_full_case(capsys, tmp_path):
    excel = tmp_path / "out.xlsx"
    code = main(["score", str(FULL_CASE), "--overrides", str(FULL_CASE_SCORES), "--excel", str(excel)])
    out = capsys.readouterr().out
    assert code == 0
    assert "部门整体支出绩效自评：87.62分，等级良" in out
    assert "项目“乡村妇女技能培训”（预算执行率76.00%）：89.07分，等级良" in out
    assert "project.1.score.total" in out and excel.exists()


def test_cli_seed_case_shows_needs_input(capsys):
    assert main(["score", str(SEED_CASE)]) == 0
    out = capsys.readouterr().out
    assert "部门整体支出绩效自评：需补充" in out
    assert "需补充：未填写年度资金总额的全年执行数、全年预算数" in out


def test_cli_json_and_sichuan_profile(capsys):
    args = ["score", str(FULL_CASE), "--profile", "project_sichuan", "--set", "社会效益=9", "--set", "服务对象满意度=9.5", "--json"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["scorecard"]["department"]["grade"] == "良"
    assert data["scorecard"]["projects"][0]["total"] == str(expected_project_1())
    keys = {f["key"] for f in data["facts"]}
    assert {"project.1.score.total", "department.score.total"} <= keys


def test_cli_bad_inputs_exit_codes(capsys, tmp_path):
    bad_profile = tmp_path / "bad.yaml"
    bad_profile.write_text("kind: project\nname: 坏方案\nexecution_weight: 20\ntiers: [{name: 产出指标, weight: 50, level1: [产出指标]}]\n"
                           "qualitative_bands: {达成: [80, 100], 部分达成: [60, 80], 未达成: [0, 60]}\ngrades: [{grade: 优, min: 0}]\n", encoding="utf-8")
    assert main(["score", str(FULL_CASE), "--profile", str(bad_profile)]) == 2
    assert "应为100分" in capsys.readouterr().err
    assert main(["score", str(tmp_path / "none.yaml")]) == 2
    assert "无法读取" in capsys.readouterr().err
    assert main(["score", str(FULL_CASE), "--set", "服务对象满意度=11"]) == 1


def test_default_ledger_has_scores_and_base_ledger_has_none(full):
    """build_ledger scores with the shipped profiles; base_ledger is the calculator alone."""
    from assistant.scoring import base_ledger

    ledger = build_scored_ledger(full)
    assert ledger["project.1.score.total"].value == expected_project_1()
    assert "department.score.total" in ledger.missing  # 社会效益/满意度 not entered
    assert not [k for k in base_ledger(full).facts if ".score." in k]
    assert not [k for k in build_ledger(full).facts if ".score." in k]
    assert main(["score", str(FULL_CASE)]) == 0
