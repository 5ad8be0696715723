"""Each evaluation metric on small hand-computed examples."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.evaluation import metrics as m
from assistant.evaluation.metrics import StatedFigure as F
from assistant.evaluation.textfigures import stated_figures
from assistant.ledger.facts import Fact, Ledger

D = Decimal


# --- character ROUGE-L ---------------------------------------------------------------------------


def test_rouge_l_hand_computed_chinese():
    # LCS(部门预算执行, 部门执行率) = 部门执行 (4): P = 4/6, R = 4/5, F1 = 2PR/(P+R) = 8/11.
    score = m.rouge_l_chars("部门预算执行", "部门执行率")
    assert score.precision == pytest.approx(4 / 6)
    assert score.recall == pytest.approx(4 / 5)
    assert score.f1 == pytest.approx(8 / 11)


def test_rouge_l_ignores_whitespace_and_markdown_marks():
    assert m.rouge_l_chars("## 部门 预算\n\n**情况**", "部门预算情况").f1 == 1.0


def test_rouge_l_empty_texts():
    assert m.rouge_l_chars("", "").f1 == 1.0
    assert m.rouge_l_chars("", "部门").f1 == 0.0
    assert m.rouge_l_chars("部门", "").f1 == 0.0
    assert m.rouge_l_chars("甲乙", "丙丁").f1 == 0.0


# --- chrF ----------------------------------------------------------------------------------------


def test_chrf_hand_computed_chinese():
    # Character n-grams, orders 1–6, beta 2; orders with n-grams on both sides: 1–4.
    # Precision 1 at each; recall 4/6, 3/5, 2/4, 1/3 → mean 0.525; F2 = 5·1·0.525 / (4·1 + 0.525).
    assert m.chrf("部门预算", "部门预算情况") == pytest.approx(5 * 0.525 / 4.525)


def test_chrf_identical_disjoint_empty():
    assert m.chrf("部门预算执行情况", "部门预算执行情况") == pytest.approx(1.0)
    assert m.chrf("甲乙丙", "丁戊己") == 0.0
    assert m.chrf("", "") == 1.0
    assert m.chrf("", "部门") == 0.0


def test_chrf_rewards_more_overlap_and_ignores_markdown():
    ref = "二〇二三年度政府采购支出情况良好"
    assert m.chrf("政府采购支出情况", ref) > m.chrf("政府采购", ref) > 0
    assert m.chrf("## 政府 采购", "政府采购") == pytest.approx(1.0)


# --- length ratio --------------------------------------------------------------------------------


def test_length_ratio():
    assert m.length_ratio("部门预算", "部门预算情况说明") == 0.5
    assert m.length_ratio("# 部门 预算", "部门预算") == 1.0
    assert m.length_ratio("部门", "") is None
    assert m.length_ratio("", "部门") == 0.0


# --- section coverage ----------------------------------------------------------------------------


def test_coverage_ignores_numbering_styles_and_punctuation():
    reference = ["1、 单位基本情况", "(1) 部门主要职责", "3、 “三公”经费执行情况"]
    draft = ["一、单位基本情况", "（一）部门主要职责", "3.“三公”经费执行情况"]
    coverage = m.match_headings(reference, draft)
    assert coverage.coverage == 1.0
    assert [mt.draft_index for mt in coverage.matches] == [0, 1, 2]
    assert coverage.extra_draft == []


def test_coverage_with_missing_and_extra_sections():
    reference = ["一、单位基本情况", "（一）部门主要职责", "（二）人员编制情况"]
    draft = ["一、单位基本情况", "（一）部门主要职责", "（二）机构设置及人员情况", "（三）其他"]
    coverage = m.match_headings(reference, draft)
    # 人员编制情况 vs 机构设置及人员情况: LCS 人员情况 (4), ratio 2·4/(6+9) = 53 < 80.
    assert (coverage.matched, coverage.total) == (2, 3)
    assert coverage.coverage == pytest.approx(2 / 3)
    assert coverage.draft_for(2) is None
    assert coverage.extra_draft == [2, 3]


def test_fuzzy_match_threshold():
    # 部门预算情况 vs 部门预算及执行情况: LCS 6, ratio 2·6/(6+9) = 80: just matches.
    assert m.heading_similarity("（1）部门预算情况", "（一）部门预算及执行情况") == pytest.approx(80.0)
    assert m.match_headings(["部门预算情况"], ["部门预算及执行情况"]).coverage == 1.0
    assert m.match_headings(["部门预算情况"], ["部门预算及执行情况"], threshold=81).coverage == 0.0


def test_duplicate_headings_pair_in_order_and_one_to_one():
    coverage = m.match_headings(["改进措施", "改进措施"], ["改进措施", "其他", "改进措施"])
    assert [mt.draft_index for mt in coverage.matches] == [0, 2]
    coverage = m.match_headings(["改进措施", "改进措施"], ["改进措施"])
    assert coverage.matched == 1


def test_coverage_of_empty_outlines():
    assert m.match_headings([], ["一、甲"]).coverage is None
    assert m.match_headings(["一、甲"], []).coverage == 0.0


# --- figures -------------------------------------------------------------------------------------


def test_figure_recall_is_a_multiset_match():
    reference = [F(D("0"), "万元"), F(D("0"), "万元"), F(D("5"), "万元")]
    draft = [F(D("0.00"), "万元"), F(D("5"), "万元"), F(D("7"), "万元")]
    recall = m.figure_recall(reference, draft)
    assert (recall.matched, recall.total) == (2, 3)
    assert recall.recall == pytest.approx(2 / 3)
    assert recall.missing == [F(D("0"), "万元")]


def test_figure_recall_same_value_and_unit():
    assert m.figure_recall([F(D("0.15"), "万元")], [F(D("1500"), "元")]).recall == 1.0
    assert m.figure_recall([F(D("3"), "万元")], [F(D("3.00"), "万元")]).recall == 1.0
    assert m.figure_recall([F(D("3"), "")], [F(D("3"), "人")]).recall == 0.0
    assert m.figure_recall([F(D("26500"), "亩")], [F(D("2.65"), "万亩")]).recall == 1.0
    assert m.figure_recall([], [F(D("1"), "人")]).recall is None


def _ledger() -> Ledger:
    ledger = Ledger()
    ledger.add(Fact("final.expenditure.basic_share", D("39.55194796831733"), "%", "决算基本支出占比"))
    ledger.add(Fact("three_public.change_vs_budget", D("-0.41"), "万元", "“三公”经费决算较预算增减", signed_change=True))
    ledger.add(Fact("indicator.1.target", D("2.6"), "万亩", "新建高标准农田面积年度指标值"))
    return ledger


def test_precision_against_ledger_at_printed_precision():
    sources = m.FigureSources(ledger=_ledger())
    assert sources.supports(F(D("39.55"), "%"))
    assert sources.supports(F(D("39.6"), "%"))
    assert not sources.supports(F(D("39.56"), "%"))
    assert sources.supports(F(D("0.41"), "万元"))  # a 减少 states the magnitude
    assert sources.supports(F(D("4100"), "元"))
    assert sources.supports(F(D("26000"), "亩", quantum=D("1000")))  # 2.6万亩 as the extractor reads it
    assert not sources.supports(F(D("2.6"), "亩"))


def test_precision_counts_reference_and_notes_and_lists_the_rest():
    sources = m.FigureSources(reference=[F(D("220"), "人")], notes=[F(D("12.32"), "万元")], ledger=_ledger())
    draft = [F(D("220"), "人"), F(D("12.32"), "万元"), F(D("39.55"), "%"), F(D("8"), "个")]
    precision = m.figure_precision(draft, sources)
    assert (precision.supported, precision.total) == (3, 4)
    assert precision.precision == 0.75
    assert precision.unsourced == [F(D("8"), "个")]
    assert m.figure_precision([], sources).precision is None


def test_stated_figures_skip_dates_ordinals_and_list_markers():
    text = "（1）2023年12月31日，第一批一是开展活动，决算总收入155.32万元，占39.55%，新建高标准农田2.65万亩。"
    figures = stated_figures(text)
    assert [(f.value, f.unit) for f in figures] == [(D("155.32"), "万元"), (D("39.55"), "%"), (D("26500.00"), "亩")]
    assert figures[2].resolution == D("100")  # printed to 0.01万亩
    assert stated_figures("") == []


def test_stated_figures_feed_recall_on_chinese_text():
    reference = stated_figures("基本支出61.41万元，占总支出的39.55%；项目支出93.88万元。")
    draft = stated_figures("基本支出61.41万元，项目支出93.88万元，占60.45%。")
    recall = m.figure_recall(reference, draft)
    assert (recall.matched, recall.total) == (2, 3)
    assert [f.text for f in recall.missing] == ["39.55%"]


# --- verification counts -------------------------------------------------------------------------


def test_status_counts_and_gate():
    counts = m.status_counts(["supported", "supported", "unsupported", "contradicted"])
    assert counts == {"supported": 2, "unsupported": 1, "misattributed": 0, "contradicted": 1}
    assert m.gate_failures(counts) == 2
    total = m.add_counts(counts, m.status_counts(["misattributed"]))
    assert total["misattributed"] == 1 and m.gate_failures(total) == 3
    assert m.gate_failures(m.status_counts([])) == 0


def test_mean_skips_missing_values():
    assert m.mean([1.0, None, 0.5]) == 0.75
    assert m.mean([None]) is None


def test_a_bare_number_is_sourced_by_value_under_any_unit():
    sources = m.FigureSources(notes=[F(D("220"), "人")], ledger=_ledger())
    assert sources.supports(F(D("220"), ""))
    assert sources.supports(F(D("39.55"), ""))
    assert not sources.supports(F(D("7"), ""))
    # Recall stays strict: a reference "3" is not the draft's "3人".
    assert m.figure_recall([F(D("3"), "")], [F(D("3"), "人")]).recall == 0.0
