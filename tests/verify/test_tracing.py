"""Tracing: supported / misattributed / contradicted / unsupported, with provenance."""

from __future__ import annotations

from decimal import Decimal

from assistant.ledger.facts import Fact
from assistant.verify import CONTRADICTED, MISATTRIBUTED, SUPPORTED, UNSUPPORTED, verify


def statuses(text, ledger, notes=()):
    return [(f.text, f.status) for f in verify(text, ledger, notes).findings]


def only(text, ledger, notes=()):
    report = verify(text, ledger, notes)
    assert len(report.findings) == 1, report.render_text(verbose=True)
    return report.findings[0]


# --- supported ------------------------------------------------------------------------------------


def test_ledger_fact_supports_its_figure_with_provenance(ledger):
    finding = only("决算总支出155.29万元。", ledger)
    assert finding.status == SUPPORTED
    assert finding.provenance.fact_key == "final.expenditure.total"
    assert finding.provenance.kind == "ledger"


def test_unit_conversion_between_money_units(ledger):
    for text in ("总支出1552900元。", "总支出1552.9千元。", "总支出0.015529亿元。", "总支出155.29万元。"):
        assert only(text, ledger).status == SUPPORTED, text


def test_precision_shown_rounds_the_fact_half_up(ledger):
    # 39.5454…% shown with 2, 1 and 0 decimals
    for text in ("基本支出占总支出的39.55%", "基本支出占总支出的39.5%", "基本支出占总支出的40%"):
        assert only(text, ledger).status == SUPPORTED, text
    assert only("基本支出占总支出的39.54%", ledger).status != SUPPORTED


def test_whole_amount_matches_trailing_zeros_and_rate_matches_100_percent(ledger):
    assert only("年初预算项目支出3万元", ledger).provenance.fact_key == "budget.expenditure.project"
    assert only("资产使用率100%", ledger).status == SUPPORTED
    assert only("资产使用率100.00%", ledger).status == SUPPORTED


def test_closest_fact_is_named_when_several_round_to_the_figure(ledger):
    # 3万元 is exactly 年初预算项目支出; other facts would only match after rounding
    assert only("项目支出3万元", ledger).provenance.fact_key == "budget.expenditure.project"


def test_note_figure_supports_same_value_and_unit(ledger, notes):
    finding = only("共培训县乡村三级妇联干部220余人。", ledger, notes)
    assert finding.status == SUPPORTED
    assert finding.provenance.kind == "notes"
    assert finding.provenance.note_index == 0
    assert "220余人" in finding.provenance.note_text


def test_note_match_ignores_qualifier_wording_and_person_synonyms(ledger, notes):
    assert only("培训妇联干部220人", ledger, notes).status == SUPPORTED
    assert only("培训妇联干部220名", ledger, notes).status == SUPPORTED


def test_note_figure_needs_the_same_unit(ledger, notes):
    assert only("培训妇联干部220户", ledger, notes).status == UNSUPPORTED


def test_value_matching_several_facts_is_fine_if_one_fits(ledger):
    # 3 is both 年初预算项目支出 (万元) and 财政补助开支人数 (人); the sentence names the latter
    finding = only("财政补助开支人数3。", ledger)
    assert finding.status == SUPPORTED
    assert finding.provenance.fact_key == "staffing.fiscal_supported"


# --- misattributed ---------------------------------------------------------------------------------


def test_swapped_shares_are_misattributed(ledger):
    text = "基本支出61.41万元，占总支出的60.45%；项目支出93.88万元，占总支出的39.55%。"
    report = verify(text, ledger)
    assert statuses(text, ledger) == [
        ("61.41万元", SUPPORTED),
        ("60.45%", MISATTRIBUTED),
        ("93.88万元", SUPPORTED),
        ("39.55%", MISATTRIBUTED),
    ]
    wrong = report.findings[1]
    assert wrong.provenance.fact_key == "final.expenditure.project_share"
    assert wrong.expected.fact_key == "final.expenditure.basic_share"
    assert "基本支出" in wrong.message


def test_correct_shares_with_labels_of_other_units_in_between(ledger):
    # 总支出 (an amount) stands nearer to the rate than 基本支出 but cannot describe a rate
    text = "基本支出61.41万元，占总支出的39.55%；项目支出93.88万元，占总支出的60.45%。"
    assert {s for _, s in statuses(text, ledger)} == {SUPPORTED}


def test_respectively_pairs_items_in_order(ledger):
    good = "基本支出和项目支出分别占总支出的39.55%和60.45%。"
    bad = "项目支出和基本支出分别占总支出的39.55%和60.45%。"
    assert {s for _, s in statuses(good, ledger)} == {SUPPORTED}
    assert [s for _, s in statuses(bad, ledger)] == [MISATTRIBUTED, MISATTRIBUTED]


def test_label_in_an_earlier_clause_does_not_count(ledger):
    # the 。 ends the clause that named 基本支出
    assert only("以上是基本支出。占比60.45%", ledger).status == SUPPORTED


def test_swapped_staffing_counts(ledger):
    assert statuses("行政编制2人，事业编制4人。", ledger) == [("2人", MISATTRIBUTED), ("4人", MISATTRIBUTED)]


def test_swapped_note_figures_are_misattributed_by_context(ledger, notes):
    text = "妇女儿童维权工作站共接待群众来信来访29件，妥善处理来访来信31件。"
    report = verify(text, ledger, notes)
    assert [f.status for f in report.findings] == [MISATTRIBUTED, MISATTRIBUTED]
    assert report.findings[0].expected.text == "31件"


def test_value_from_elsewhere_in_the_notes_is_misattributed(ledger, notes):
    # 8 exists in the notes (8个, 8名) but this place says 12名
    finding = only("“三八红旗手”8名", ledger, notes)
    assert finding.status == MISATTRIBUTED
    assert finding.expected.text == "12名"


def test_note_value_from_an_unrelated_place_under_a_ledger_label(ledger, notes):
    # 220 is in the notes (干部220余人), but this clause is about 行政编制
    finding = only("行政编制220人", ledger, notes)
    assert finding.status == MISATTRIBUTED
    assert finding.expected.fact_key == "staffing.authorized_admin"
    assert finding.provenance.kind == "notes"


def test_generic_two_character_label_does_not_override_the_notes(ledger, notes):
    # 完成 is an alias of the indicator, but also an everyday word; 实际完成 is specific
    ledger.add(Fact("indicator.1.actual", Decimal(5792), "人", "筛查人数实际完成值", ("完成", "实际完成")))
    assert only("已完成任务，共计220余人", ledger, notes).status == SUPPORTED
    assert only("实际完成220余人", ledger, notes).status == MISATTRIBUTED


# --- contradicted ----------------------------------------------------------------------------------


def test_change_word_against_the_sign_is_contradicted(ledger):
    finding = only("决算收入较预算减少115.54万元。", ledger)
    assert finding.status == CONTRADICTED
    assert finding.provenance.fact_key == "final.income.change_vs_budget"
    assert "减少" in finding.message


def test_change_word_with_the_sign_is_supported(ledger):
    assert only("决算收入较预算增加115.54万元。", ledger).status == SUPPORTED
    assert only("决算收入较预算增长了115.54万元。", ledger).status == SUPPORTED
    assert only("“三公”经费较预算节约0.41万元。", ledger).status == SUPPORTED
    assert only("“三公”经费较预算增加0.41万元。", ledger).status == CONTRADICTED


def test_change_words_of_each_direction(ledger):
    for word in ("减少", "下降", "降低", "节约"):
        assert only(f"决算收入较预算{word}115.54万元", ledger).status == CONTRADICTED, word
    for word in ("增加", "增长", "提高", "上升"):
        assert only(f"决算收入较预算{word}115.54万元", ledger).status == SUPPORTED, word


def test_note_direction_is_checked_too(ledger, notes):
    assert only("较上年增加3人", ledger, notes).status == SUPPORTED
    finding = only("较上年减少3人", ledger, notes)
    assert finding.status == CONTRADICTED
    assert finding.provenance.kind == "notes"


# --- unsupported -----------------------------------------------------------------------------------


def test_changed_digit_is_unsupported(ledger):
    assert only("决算总支出155.92万元。", ledger).status == UNSUPPORTED


def test_wrong_money_unit_is_unsupported_with_a_hint(ledger):
    finding = only("决算总支出155.29元。", ledger)
    assert finding.status == UNSUPPORTED
    assert "155.29万元" in finding.message


def test_invented_figure_is_unsupported(ledger, notes):
    assert only("共培训妇联干部350余人。", ledger, notes).status == UNSUPPORTED


def test_rounded_match_without_a_label_is_not_traceable(ledger):
    # 155万元 is 155.29 rounded, but nothing in the sentence says it is 决算支出
    finding = only("全年花了155万元。", ledger)
    assert finding.status == UNSUPPORTED
    assert finding.expected.fact_key == "final.expenditure.total"
    assert only("决算总支出155万元。", ledger).status == SUPPORTED


def test_negative_figure_needs_a_negative_fact(ledger):
    assert only("较预算-0.41万元", ledger).status == SUPPORTED
    assert only("决算总支出-155.29万元", ledger).status == UNSUPPORTED


def test_range_needs_both_ends(ledger, notes):
    assert only("每期培训干部220-220人", ledger, notes).status == SUPPORTED
    assert only("每期培训干部200-220人", ledger, notes).status == UNSUPPORTED


# --- report ----------------------------------------------------------------------------------------


def test_report_counts_ok_dict_and_chinese_rendering(ledger):
    report = verify("决算总支出155.29万元，基本支出61.41万元，占总支出的60.45%，另有资金9.99万元。", ledger)
    assert not report.ok
    assert report.counts == {SUPPORTED: 2, MISATTRIBUTED: 1, CONTRADICTED: 0, UNSUPPORTED: 1}
    data = report.to_dict()
    assert data["ok"] is False and data["counts"] == report.counts
    assert [f["status"] for f in data["findings"]] == [SUPPORTED, SUPPORTED, MISATTRIBUTED, UNSUPPORTED]
    assert data["findings"][2]["provenance"]["fact"] == "final.expenditure.project_share"
    text = report.render_text()
    assert "张冠李戴" in text and "无来源" in text and "第1行" in text
    assert "155.29万元” 有据" not in text  # only problems unless verbose
    assert "有据" in report.render_text(verbose=True)


def test_report_on_clean_text_is_ok(ledger):
    report = verify("2023年决算总收入155.32万元，较预算增加115.54万元。", ledger)
    assert report.ok
    assert report.counts[SUPPORTED] == 2
    assert report.render_text().startswith("数字核对通过")
    assert [m.text for m in report.not_figures] == ["2023年"]


def test_line_and_column_are_one_based(ledger):
    report = verify("第一行没有数字\n  决算总支出155.92万元", ledger)
    finding = report.findings[0]
    assert (finding.line, finding.column) == (2, 8)
