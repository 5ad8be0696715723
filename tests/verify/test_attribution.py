"""Attribution rules beyond the nearest label: project headings, X的Y%, changes of named items.

Ledgers here are shaped like the calculator's (assistant/ledger/calculator.py): projects repeat the same column
headings (全年预算数, 执行率) told apart by the project name.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.ledger.facts import Fact, Ledger
from assistant.verify import MISATTRIBUTED, SUPPORTED, verify

D = Decimal


@pytest.fixture
def projects() -> Ledger:
    ledger = Ledger()
    ledger.extend(
        [
            Fact("adjusted.expenditure.total", D("623.8"), "万元", "全年预算支出", ("全年预算总支出",)),
            Fact("budget.expenditure.total", D("486.35"), "万元", "年初预算支出", ("年初预算总支出",)),
            Fact(
                "adjusted.expenditure.adjustment", D("137.45"), "万元", "预算调整数", ("预算调整",),
                formula="全年预算支出 − 年初预算支出", signed_change=True,
            ),
            Fact("final.execution_rate", D("96.42"), "%", "预算执行率", ("执行率",)),
            Fact("final.income.total", D("5064.66"), "万元", "决算收入", ("决算总收入",)),
            Fact(
                "final.income.yoy_change", D("439.48"), "万元", "决算收入同比增减", ("同比", "较上年"),
                formula="决算收入 − 上年决算收入", signed_change=True,
            ),
            Fact("carryover.this_year", D("145.73"), "万元", "本年结转结余", ("结转结余",)),
            Fact("carryover.last_year", D("150"), "万元", "上年结转结余", ("上年结转",)),
            Fact("indicator.1.target", D("2.6"), "万亩", "新建高标准农田面积年度指标值", ("新建高标准农田面积", "指标值")),
            Fact("indicator.1.actual", D("2.65"), "万亩", "新建高标准农田面积实际完成值", ("新建高标准农田面积", "完成")),
            Fact("indicator.1.rate", D("2.65") / D("2.6") * 100, "%", "新建高标准农田面积完成率", ("完成率", "新建高标准农田面积")),
            Fact("indicator.2.target", D("100"), "%", "项目验收合格率年度指标值", ("项目验收合格率", "指标值")),
            Fact("indicator.2.actual", D("100"), "%", "项目验收合格率实际完成值", ("项目验收合格率", "完成")),
        ]
    )
    for name, full_year, executed in (("残疾儿童康复救助项目", "168", "163.52"), ("阳光家园托养服务项目", "105.88", "91.4")):
        ledger.extend(
            [
                Fact(f"p.{name}.full_year", D(full_year), "万元", f"{name}全年预算数", ("全年预算数", name)),
                Fact(f"p.{name}.executed", D(executed), "万元", f"{name}全年执行数", ("全年执行数", name)),
                Fact(f"p.{name}.rate", D(executed) / D(full_year) * 100, "%", f"{name}预算执行率", ("执行率", name)),
            ]
        )
    return ledger


def statuses(text, ledger):
    return [(f.text, f.status) for f in verify(text, ledger).findings]


def test_project_rate_under_the_department_heading(projects):
    # 预算执行率 is the department's label; 执行率 inside it plus the project name name the project's rate
    text = "残疾儿童康复救助项目全年预算数168万元，全年执行数163.52万元，预算执行率97.33%。"
    assert {s for _, s in statuses(text, projects)} == {SUPPORTED}
    # the other project's rate in this sentence is wrong
    wrong = "残疾儿童康复救助项目全年预算数168万元，全年执行数163.52万元，预算执行率86.32%。"
    assert statuses(wrong, projects)[-1] == ("86.32%", MISATTRIBUTED)


def test_shared_heading_without_a_project_name_names_no_item(projects):
    # 全年预算数 heads every project's column; with no project in the sentence it says nothing
    assert statuses("全年预算数调整为623.8万元。", projects) == [("623.8万元", SUPPORTED)]
    # with the project named it does: 623.8 is not that project's
    assert statuses("残疾儿童康复救助项目全年预算数623.8万元。", projects) == [("623.8万元", MISATTRIBUTED)]


def test_base_of_x_de_y_percent_is_not_the_subject(projects):
    text = "新建高标准农田2.65万亩，完成年度指标值2.6万亩的101.92%。"
    assert {s for _, s in statuses(text, projects)} == {SUPPORTED}


def test_label_with_its_own_figure_is_used_up(projects):
    # 预算执行率 already has 96.42%; the 101.92% after it is not an execution rate
    text = "预算执行率96.42%，新建高标准农田2.65万亩，达到101.92%。"
    assert {s for _, s in statuses(text, projects)} == {SUPPORTED}
    # right after the label it is
    assert statuses("预算执行率101.92%。", projects) == [("101.92%", MISATTRIBUTED)]


def test_two_character_word_counts_only_right_before_the_figure(projects):
    # 完成 is also an everyday verb; 100% right after it is 完成 (合格率实际完成值)
    assert statuses("项目验收合格率完成100%。", projects) == [("100%", SUPPORTED)]
    assert statuses("已完成新建任务，面积达到101.92%。", projects) == [("101.92%", SUPPORTED)]


def test_change_of_a_named_item(projects):
    assert statuses("与上年相比，决算总收入增加439.48万元。", projects) == [("439.48万元", SUPPORTED)]
    assert statuses("全年预算支出623.8万元，较年初预算增加137.45万元。", projects) == [
        ("623.8万元", SUPPORTED),
        ("137.45万元", SUPPORTED),
    ]


def test_overlapping_labels_longest_wins(projects):
    # 较上年 + 结转结余 would name the wrong items; 上年结转结余 is the longest label
    assert statuses("年末结转结余145.73万元，较上年结转结余150万元有所下降。", projects) == [
        ("145.73万元", SUPPORTED),
        ("150万元", SUPPORTED),
    ]


def test_units_with_a_multiplier(projects):
    assert statuses("新建高标准农田面积2.65万亩", projects) == [("2.65万亩", SUPPORTED)]
    assert statuses("新建高标准农田面积26500亩", projects) == [("26500亩", SUPPORTED)]
    assert statuses("新建高标准农田面积2.56万亩", projects)[0][1] != SUPPORTED
