"""The relations of 体检 one by one, on short texts in the style of real reports (DOMAIN §6 errors
among them). Expected numbers are recomputed in the test from the amounts it writes."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from assistant.inspection import inspect_text, tolerance

C = Decimal("0.01")


def pct(a: str, b: str) -> Decimal:
    return (Decimal(a) / Decimal(b) * 100).quantize(C, rounding=ROUND_HALF_UP)


def rules(report):
    return [f.rule for f in report.findings]


# ---------------------------------------------------------------- the one tolerance


def test_tolerance_half_unit_of_last_printed_place():
    assert tolerance.compare(Decimal("77.4"), Decimal("77.43"), 1) == tolerance.CONSISTENT
    assert tolerance.compare(Decimal("18.76"), Decimal("18.754"), 2) == tolerance.INCONSISTENT
    # ROUND_HALF_UP at the boundary: 18.755 prints as 18.76.
    assert tolerance.rounded(Decimal("18.755"), 2) == Decimal("18.76")
    assert tolerance.compare(Decimal("18.76"), Decimal("18.755"), 2) == tolerance.CONSISTENT
    # Cut off instead of rounded: a warning, not an error.
    assert tolerance.compare(Decimal("18.75"), Decimal("18.7569"), 2) == tolerance.TRUNCATED


# ---------------------------------------------------------------- DOMAIN §6


def test_shares_that_add_to_103_68():
    basic, project, total = "130.30", "24.71", "155.01"
    good = pct(basic, total)
    wrong = Decimal("19.62")
    text = f"2023年支出{total}万元，其中基本支出{basic}万元，占总支出的{good}%；项目支出{project}万元，占总支出的{wrong}%。"
    report = inspect_text(text)
    assert set(rules(report)) == {"share", "shares_sum"}
    share = next(f for f in report.findings if f.rule == "share")
    assert share.stated == f"{wrong}%" and share.computed == f"{pct(project, total)}%"
    total_share = next(f for f in report.findings if f.rule == "shares_sum")
    assert total_share.stated == f"{good + wrong}%"


def test_three_public_parts_miss_their_total():
    parts = ["11", "2.85", "10.93"]
    stated = "24.86"
    text = f"“三公”经费支出{stated}万元，其中公务接待费{parts[0]}万元，公务用车运行维护费{parts[1]}万元，因公出国（境）费{parts[2]}万元。"
    report = inspect_text(text)
    assert rules(report) == ["parts_sum"]
    f = report.findings[0]
    assert f.stated == f"{stated}万元" and f.computed == f"{sum(map(Decimal, parts))}万元"
    assert f.place.line == 1 and "三公" in f.place.excerpt


def test_percentage_printed_18_76_where_figures_give_18_75():
    part, whole = "30.00", "160.00"
    assert pct(part, whole) == Decimal("18.75")
    report = inspect_text(f"公用经费{part}万元，占总支出{whole}万元的18.76%。")
    assert rules(report) == ["share"]
    assert report.findings[0].computed == "18.75%"


def test_zero_total_row_beside_nonzero_fiscal_row():
    text = "\n".join([
        "项目资金（万元） | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分",
        "年度资金总额 | 0 | 0 | 0 | 10 | / | 10",
        "其中：当年财政拨款 | 90 | 89.974 | 89.974 | / | 100% | /",
        "上年结转资金 | | | | / | / | /",
    ])
    report = inspect_text(text)
    zero = [f for f in report.findings if f.rule == "zero_total"]
    assert {f.computed for f in zero} == {"90", "89.974"}
    assert all(f.place.line == 2 for f in zero)


def test_truncated_share_is_a_warning_with_the_rounded_value():
    part, whole = "35.17", "187.50"
    exact = Decimal(part) / Decimal(whole) * 100
    cut = exact.quantize(C, rounding="ROUND_DOWN")
    assert cut != pct(part, whole)
    report = inspect_text(f"支出{whole}万元，其中项目支出{part}万元，占{cut}%。")
    assert [(f.rule, f.severity) for f in report.findings] == [("share", "warning")]
    assert f"按四舍五入应为{pct(part, whole)}%" in report.findings[0].message


# ---------------------------------------------------------------- differences and rates


def test_difference_off_by_a_cent_and_rate_from_the_wrong_difference():
    now, base = Decimal("155.32"), Decimal("39.78")
    wrong = now - base + C
    rate_from_wrong = (wrong / base * 100).quantize(C, rounding=ROUND_HALF_UP)
    true_rate = ((now - base) / base * 100).quantize(C, rounding=ROUND_HALF_UP)
    assert rate_from_wrong != true_rate
    report = inspect_text(f"决算支出{now}万元，较年初预算{base}万元增加{wrong}万元，增长{rate_from_wrong}%。")
    assert rules(report) == ["difference", "change_rate"]
    assert report.findings[0].computed == f"{now - base}万元"
    assert "写错的增减额" in report.findings[1].message and report.findings[1].computed == f"{true_rate}%"


def test_difference_direction_word_wrong():
    report = inspect_text("全年支出80.00万元，比年初预算100.00万元增加20.00万元。")
    assert rules(report) == ["difference"]


def test_consistent_difference_rate_and_execution():
    now, base = Decimal("155.32"), Decimal("39.78")
    rate = ((now - base) / base * 100).quantize(C, rounding=ROUND_HALF_UP)
    text = (
        f"决算支出{now}万元，较年初预算{base}万元增加{now - base}万元，增长{rate}%。\n"
        f"全年预算数{base}万元，全年执行数{base}万元，预算执行率100%。\n"
        f"在职人员控制率=(6-0)÷6=100.00%。"
    )
    report = inspect_text(text)
    assert report.findings == []
    assert {"difference", "change_rate", "rate", "expression"} <= {r for r, _ in report.checked}


def test_change_without_base_is_unchecked_not_guessed():
    report = inspect_text("2023年“三公”经费支出3.5万元，较上年减少1.2万元，下降25.53%。")
    assert report.findings == []
    assert [u.rule for u in report.unchecked] == ["difference"]


def test_rate_with_two_candidate_denominators_is_unchecked():
    report = inspect_text("年初预算50万元，调整后预算60万元，执行数55万元，执行率91.67%。")
    assert report.findings == []
    assert [u.rule for u in report.unchecked] == ["rate"]


# ---------------------------------------------------------------- parts that are not a full list


def test_partial_list_after_qizhong_is_unchecked():
    report = inspect_text("2023年支出500.00万元，其中人员经费200.00万元，培训费10.00万元。")
    assert report.findings == []
    assert [u.rule for u in report.unchecked] == ["parts_sum"]


def test_nested_qizhong_is_unchecked():
    text = "收入合计100万元，其中财政拨款80万元，其中基本支出50万元，其他收入20万元。"
    report = inspect_text(text)
    assert report.findings == []
    assert "parts_sum" in [u.rule for u in report.unchecked]


def test_bracketed_sub_parts_are_a_relation_of_their_own():
    text = "支出合计100.00万元，其中基本支出60.00万元（其中人员经费45.00万元、公用经费15.00万元），项目支出40.00万元。"
    report = inspect_text(text)
    assert report.findings == []
    assert [r for r, _ in report.checked].count("parts_sum") == 2


def test_parts_exceeding_total():
    report = inspect_text("三公经费2.00万元，其中公务接待费1.50万元，公务用车运行维护费0.80万元。")
    assert rules(report) == ["parts_sum"]


@pytest.mark.parametrize(
    "text",
    [
        "意见收集人联系电话0838-7211924，邮编421300。",
        "依据藏党发20207号、财预2011285号文件，2023年1月1日2023年12月31日实施。",
        "满意度≥95%，覆盖率100%，共两个部分、三个方面。",
        "（1）贯彻执行党的方针。（2）制定发展规划。1、强化管理。2、推动改革。",
        "单位共10个。其中：行政单位3个，事业单位7个。",
    ],
)
def test_no_finding_on_non_relations(text):
    assert inspect_text(text).findings == []


def test_weights_not_adding_to_100_in_a_pipe_table():
    text = "\n".join([
        "预算执行情况(10分) | 年初预算 | 调整后预算数 | 预算执行数 | 预算执行率 | 权重 | 得分",
        "总额 | 5.00 | 5.00 | 5.00 | 100.00% | 10 | 10",
        "绩效指标(80分) | 一级指标 | 二级指标",
    ])
    report = inspect_text(text)
    assert rules(report) == ["weights_sum"]
    assert report.findings[0].stated == "90分"


def test_score_above_weight():
    text = "年度资金总额 | 20 | 20 | 20 | 10 | 100% | 12\n"
    text = "项目资金 | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分\n" + text
    assert rules(inspect_text(text)) == ["score_exceeds"]


# ---------------------------------------------------------------- tables with “|” (.docx, Markdown)


def test_table_total_row_misses_its_parts():
    parts = ("11", "2.85", "10.93")
    stated = "24.86"
    rows = "\n".join(f"{name} | {v} | {v}" for name, v in zip(("公务接待费", "公务用车运行维护费", "因公出国（境）费"), parts))
    text = f"项目 | 预算数 | 决算数\n{rows}\n合计 | {stated} | {sum(map(Decimal, parts))}"
    report = inspect_text(text)
    assert [(f.rule, f.stated, f.computed) for f in report.findings] == [("table_total", stated, str(sum(map(Decimal, parts))))]
    assert report.findings[0].place.line == 5


def test_table_with_unmarked_hierarchy_is_consistent():
    text = "| 项目 | 决算数 |\n|---|---|\n| 基本支出 | 100万元 |\n| 人员经费 | 80万元 |\n| 公用经费 | 20万元 |\n| 项目支出 | 50万元 |\n| 合计 | 150万元 |"
    report = inspect_text(text)
    assert report.findings == [] and [r for r, _ in report.checked] == ["table_total"]


def test_table_total_column():
    text = "科目 | 合计 | 基本支出 | 项目支出\n一般公共服务 | 100 | 60 | 40\n教育 | 50 | 30 | 21"
    report = inspect_text(text)
    assert [(f.rule, f.place.line, f.computed) for f in report.findings] == [("table_total", 3, "51")]


def test_indicator_table_total_counts_the_execution_weight_of_the_fund_table():
    text = "\n".join([
        "| 项目资金（万元） | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 |",
        "|---|---|---|---|---|---|---|",
        "| 年度资金总额 | 120 | 168 | 163.52 | 10 | 97.33% | 9.73 |",
        "| 其中：当年财政拨款 | 120 | 150 | 146.8 | — | — | — |",
        "| 上年结转资金 | 0 | 18 | 16.72 | — | — | — |",
        "",
        "| 一级指标 | 三级指标 | 分值 | 得分 |",
        "|---|---|---|---|",
        "| 产出指标 | 数量 | 50 | 50 |",
        "| 效益指标 | 社会效益 | 30 | 30 |",
        "| 满意度指标 | 满意度 | 10 | 10 |",
        "| 总分 | | 100 | 99.73 |",
    ])
    report = inspect_text(text)
    assert report.findings == []
    wrong = text.replace("| 效益指标 | 社会效益 | 30 | 30 |", "| 效益指标 | 社会效益 | 40 | 30 |")
    assert [f.rule for f in inspect_text(wrong).findings] == ["table_total"]


def test_from_to_difference():
    before, after = Decimal("5.2"), Decimal("3.1")
    rate = ((before - after) / before * 100).quantize(C, rounding=ROUND_HALF_UP)
    ok = f"与上年相比，三公经费由{before}万元减少到{after}万元，减少{before - after}万元，下降{rate}%。"
    report = inspect_text(ok)
    assert report.findings == [] and {"difference", "change_rate"} <= {r for r, _ in report.checked}
    wrong = inspect_text(ok.replace(f"减少{before - after}万元", f"减少{before - after + C * 10}万元"))
    assert [f.rule for f in wrong.findings][:1] == ["difference"]
    assert f"{before}−{after}" in wrong.findings[0].message


def test_respectively_shares_pair_in_order():
    basic, project = Decimal("61.41"), Decimal("93.88")
    total = basic + project
    pb, pp = pct(str(basic), str(total)), pct(str(project), str(total))
    ok = f"总支出{total}万元，其中基本支出和项目支出分别为{basic}万元和{project}万元，分别占{pb}%和{pp}%。"
    report = inspect_text(ok)
    assert report.findings == [] and [r for r, _ in report.checked].count("share") == 2
    wrong = inspect_text(ok.replace(f"和{pp}%", f"和{pp + 1}%"))
    assert [f.rule for f in wrong.findings] == ["share", "shares_sum"]
    assert wrong.findings[0].computed == f"{pp}%" and "93.88" in wrong.findings[0].message


def test_change_of_a_share_is_not_a_share():
    for text in ("总支出155.29万元，其中基本支出61.41万元，占比较上年提高2个百分点。", "基本支出61.41万元，占比较上年提高2%。"):
        assert inspect_text(text).findings == []


def test_heading_total_rows_of_a_docx_style_table():
    income = (Decimal("1620.4"), Decimal("240"))
    spending = (Decimal("1191.78"), Decimal("1160.4"))
    table = "\n".join([
        "项目 | 决算数",
        f"收入合计 | {sum(income)}万元",
        f"其中：一般公共预算财政拨款 | {income[0]}万元",
        f"政府性基金预算财政拨款 | {income[1]}万元",
        f"支出合计 | {sum(spending)}万元",
        f"其中：基本支出 | {spending[0]}万元",
        f"项目支出 | {spending[1]}万元",
    ])
    report = inspect_text(table)
    assert report.findings == [] and [r for r, _ in report.checked].count("table_total") == 2
    slipped = inspect_text(table.replace(f"项目支出 | {spending[1]}万元", f"项目支出 | {spending[1] + C * 5}万元"))
    assert [(f.rule, f.place.line, f.computed) for f in slipped.findings] == [("table_total", 5, str(sum(spending) + C * 5))]
