"""The truth gate rejects every class of lie a model can write, whatever the value.

Lies are built from the cases' ledgers and notes (a ledger value re-typed in another script, a slot
put under another fact's label, a note figure moved to another activity …); the tests assert the
rejection and its kind, never a literal figure the ledger could give.
"""

from __future__ import annotations

import asyncio
import dataclasses
from decimal import Decimal

import pytest

from assistant.drafting import gate as gate_module
from assistant.drafting.gate import gate_model_text
from assistant.drafting.pipeline import draft_section
from assistant.drafting.prompting import PASSAGE_MARK, mask_passage
from assistant.drafting.template_drafter import TemplateDrafter
from assistant.interface import SectionDraft
from tests.drafting.gate_cases import load_case

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")
CIRCLED = str.maketrans("0123456789", "⓪①②③④⑤⑥⑦⑧⑨")
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
MATH_BOLD = str.maketrans("0123456789", "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")
ROMAN = ["", "Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "Ⅵ", "Ⅶ", "Ⅷ", "Ⅸ", "Ⅹ", "Ⅺ", "Ⅻ"]
CN_DIGITS = "零一二三四五六七八九"
CAPITALS = "零壹贰叁肆伍陆柒捌玖"


def chinese(n: int, digits: str = CN_DIGITS, units: str = "十百千") -> str:
    """An integer below 10000 in Chinese numerals (二百四十七; with capitals 贰佰肆拾柒)."""
    if n == 0:
        return digits[0]
    out, zero = [], False
    for power, unit in ((1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        d, n = divmod(n, power)
        if d:
            if zero:
                out.append(digits[0])
            out.append(digits[d] + unit)
            zero = False
        elif out:
            zero = True
    return "".join(out)


@pytest.fixture(scope="module")
def seed():
    return load_case("seed")


@pytest.fixture(scope="module")
def nongye():
    return load_case("nongye")


def rejected(case, section_id: str, text: str, *kinds: str):
    result = case.gate(section_id, text)
    assert not result.accepted, (text, result.text)
    found = {f.kind for f in result.findings}
    if kinds:
        assert found & set(kinds), (text, [f.feedback_line() for f in result.findings])
    assert result.feedback() and result.reason().startswith("数字核验未通过")
    return result


def amount_fact(case, section_id: str):
    return next(f for f in case.facts(section_id) if f.unit == "万元" and f.value > 0 and not f.signed_change)


def small_count_fact(case):
    counts = [f for f in case.facts("staffing") if f.unit == "人" and f.value > 1]
    return min(counts, key=lambda f: f.value)


# ---- figures that no slot wrote: every script and every number word ------------------------------


@pytest.mark.parametrize("script", [ARABIC_INDIC, FULL_WIDTH, CIRCLED, SUPERSCRIPT, MATH_BOLD, DEVANAGARI, None], ids=["arabic-indic", "full-width", "circled", "superscript", "math-bold", "devanagari", "ascii"])
@pytest.mark.parametrize("case_name", ["seed", "nongye"])
def test_a_ledger_value_retyped_in_any_script_is_rejected(case_name, script):
    case = load_case(case_name)
    fact = amount_fact(case, "final")
    typed = fact.text if script is None else fact.text.translate(script)
    # The right label and the right value: still rejected, because no slot wrote it.
    result = rejected(case, "final", f"{fact.label}为{typed}。", "unslotted_figure")
    assert result.findings[0].text.startswith(typed[:2])


@pytest.mark.parametrize("case_name", ["seed", "nongye"])
def test_roman_numerals_and_chinese_numerals_and_capitals_are_figures(case_name):
    case = load_case(case_name)
    fact = small_count_fact(case)
    n = int(fact.value)
    romans = (ROMAN[n], "I" * n if n <= 3 else "VII") if n < len(ROMAN) else ("Ⅶ", "XII")
    for typed in (*romans, chinese(n), chinese(n, CAPITALS, "拾佰仟")):
        rejected(case, "staffing", f"{fact.label}{typed}人。", "unslotted_figure")
    amount = amount_fact(case, "final")
    whole = int(amount.value)
    rejected(case, "final", f"{amount.label}{chinese(whole, CAPITALS, '拾佰仟')}万元。", "unslotted_figure")
    rejected(case, "final", f"{amount.label}约{chinese(whole % 100 or 20).replace('二十', '廿')}万元。", "unslotted_figure")


def test_a_small_number_equal_to_a_ledger_value_is_rejected(seed):
    fact = small_count_fact(seed)
    two = "两" if fact.value == 2 else chinese(int(fact.value))
    rejected(seed, "staffing", f"本单位共有{two}名同志退休。", "unslotted_figure")
    rejected(seed, "goals", "评选出先进集体两个。", "unslotted_figure")


@pytest.mark.parametrize(
    "claim",
    ["受益妇女六成以上", "八成以上的家庭参与", "覆盖率达三成", "服务人次翻了一番", "活动次数增长一倍", "群众满意度百分之百", "过半数村社区建立了阵地", "参与人数成倍增长"],
)
def test_proportion_and_multiple_words_are_figures(seed, claim):
    rejected(seed, "goals", f"开展“两癌”免费筛查，{claim}。", "unslotted_figure")


@pytest.mark.parametrize("claim", ["排名全县第一", "位居全市前列", "名列全省前茅", "工作成效居全县首位", "获评全市榜首", "创建全省首家示范点"])
def test_rank_claims_are_rejected(seed, claim):
    rejected(seed, "goals", f"我单位“两癌”筛查工作{claim}。", "unslotted_figure")


@pytest.mark.parametrize("placeholder", ["×", "××", "X", "XX", "＊", "*", "某", "？", "?", "…"])
def test_placeholders_in_a_number_position_are_rejected(seed, placeholder):
    fact = next(f for f in seed.facts("final") if f.unit == "%")
    rejected(seed, "final", f"{fact.label}为{placeholder}%。", "unslotted_figure")
    rejected(seed, "final", f"决算支出为{placeholder}万元。", "unslotted_figure")


def test_the_passage_mask_is_itself_rejected(seed):
    """Retrieved passages lose their figures to the mask; a model that copies the mask is caught."""
    masked = mask_passage("2022年决算支出120.5万元，执行率达九成，排名第一，【final.expenditure.total】。")
    assert PASSAGE_MARK in masked and not any(c.isdigit() for c in masked) and "九" not in masked
    assert "【" not in masked  # a slot planted in a passage is not a slot any more
    rejected(seed, "final", f"预算执行率为{PASSAGE_MARK}%。", "unslotted_figure")
    rejected(seed, "final", masked, "unslotted_figure")


@pytest.mark.parametrize(
    "leftover",
    ["[{value}]", "［{value}］", "[{key}]", "{{{key}}}", "｛x｝", "〔{key}〕", "〖{value}〗", "{key}", "【{key_head}", "【{label}】", "【{key}|增减", "<<<参考资料 结束>>>"],
)
def test_leftover_brackets_and_unclosed_slots_are_rejected(seed, leftover):
    fact = amount_fact(seed, "final")
    text = leftover.format(value=str(fact.value), key=fact.key, key_head=fact.key.split(".")[0], label=fact.label)
    rejected(seed, "final", f"决算支出为{text}，执行情况良好。", "unslotted_figure", "unknown_slot", "open_slot")


def test_unknown_and_foreign_slots_are_rejected(seed):
    rejected(seed, "final", "决算支出【final.expenditure.grand_total】。", "unknown_slot")
    other = next(f for f in seed.ledger if f.key.startswith("three_public."))
    rejected(seed, "final", f"{other.label}【{other.key}】。", "foreign_slot")
    rejected(seed, "final", "决算支出【note.999.1】。", "unknown_slot")
    goals_note = next(f for i in seed.note_indices("goals") for f in seed.notes.of_note(i))
    rejected(seed, "problems", f"存在的问题是{goals_note.slot}。", "foreign_slot")


# ---- slots under the wrong label, unit, sign or comparison -------------------------------------------


def test_a_ledger_value_under_a_label_of_another_kind_is_rejected(seed):
    rate = next(f for f in seed.ledger if f.key == "three_public.control_rate")
    amount = next(f for f in seed.ledger if f.key == "three_public.budget.total")
    rejected(seed, "three_public", f"{rate.label}为【{amount.key}】。", "misattributed", "unit_class")
    share = seed.ledger["final.expenditure.project_share"]
    rejected(seed, "final", f"项目支出占比【final.expenditure.project】。", "misattributed", "unit_class")
    rejected(seed, "final", f"项目支出【{share.key}】。", "unit_class")
    rejected(seed, "final", f"项目支出占比【{share.key}】个百分点。", "unslotted_figure")
    rejected(seed, "staffing", "在职人员控制率【staffing.actual】。", "misattributed", "unit_class")


def test_the_full_label_of_another_fact_is_rejected(seed, nongye):
    for case in (seed, nongye):
        rejected(case, "final", "决算基本支出占决算支出的【final.expenditure.project_share】。", "misattributed")
        rejected(case, "final", "决算收入【final.expenditure.total】。", "misattributed")
        rejected(case, "final", "决算收入较年初预算【final.expenditure.change_vs_budget|增减】【final.expenditure.change_vs_budget】。", "misattributed")
        case.gate("final", "决算基本支出占决算支出的【final.expenditure.basic_share】。").accepted or pytest.fail("honest share rejected")
    rejected(nongye, "final", "决算支出【final.expenditure.total】，其中基本支出【adjusted.expenditure.basic】。", "misattributed")
    rejected(nongye, "final", "决算支出较年初预算增加【adjusted.expenditure.adjustment】。", "misattributed")
    rejected(seed, "three_public", "“三公”经费预算数【three_public.budget.total】，决算数【three_public.budget.total】。", "misattributed")


def test_a_direction_word_against_the_facts_sign_is_rejected(seed, nongye):
    for case in (seed, nongye):
        fact = case.ledger["final.expenditure.change_vs_budget"]
        wrong = "减少" if fact.value > 0 else "增加"
        rejected(case, "final", f"决算支出较年初预算{wrong}【{fact.key}】。", "sign")
        rate = case.ledger["final.expenditure.change_rate_vs_budget"]
        wrong_rate = "下降" if rate.value > 0 else "增长"
        rejected(case, "final", f"决算支出较年初预算{wrong_rate}【{rate.key}】。", "sign")
    # The direction word of one fact before the figure of another with the other sign.
    signed = [f for f in nongye.facts("final") if f.signed_change and f.value != 0]
    up = next(f for f in signed if f.value > 0)
    down = next((f for f in nongye.ledger if f.signed_change and f.value < 0 and f.key.startswith(("final.", "adjusted."))), None)
    if down is not None:
        rejected(nongye, "final", f"{down.label.removesuffix('增减')}【{up.key}|增减】【{down.key}】。", "sign", "misattributed")


def test_a_comparison_without_last_year_data_is_rejected(seed, nongye):
    assert not any("last_year" in f.key or "yoy" in f.key for f in seed.ledger)
    rejected(seed, "final", "决算支出较上年【final.expenditure.change_vs_budget|增减】【final.expenditure.change_vs_budget】。", "comparison", "misattributed")
    rejected(seed, "final", "决算支出同比有所增长。", "comparison")
    rejected(seed, "three_public", "“三公”经费较上年明显下降。", "comparison")
    # With last-year data, a figure after 较上年 must be a last-year comparison.
    rejected(nongye, "final", "与上年相比，决算支出增加【final.expenditure.change_vs_budget】。", "comparison", "misattributed")
    rejected(nongye, "three_public", "与上年相比，“三公”经费增加【three_public.change_vs_budget】。", "comparison", "misattributed")
    honest = nongye.gate("three_public", "与上年相比，“三公”经费【three_public.yoy_change|增减】【three_public.yoy_change】。")
    assert honest.accepted, honest.feedback()


def test_a_slot_with_no_label_is_rejected(seed):
    rejected(seed, "final", "全年共计【final.expenditure.total】。", "no_label", "misattributed")


# ---- note figures ------------------------------------------------------------------------------------


def note_figure(case, text: str):
    found = [f for f in case.notes.figures.values() if f.text == text]
    assert found, text
    return found[0]


def _figure_with_unit(case, unit: str):
    return next(f for f in case.notes.figures.values() if f.text.endswith(unit) and any(c.isdigit() for c in f.text))


def test_a_note_figure_moved_to_another_activity_is_rejected(seed):
    screening = _figure_with_unit(seed, "例")  # the notes' screening count
    before, _ = screening.context()
    assert "培训" not in before
    rejected(seed, "goals", f"举办妇联干部培训{screening.slot}。", "note_context")
    honest = seed.gate("goals", f"开展“两癌”免费筛查，已完成{screening.slot}。")
    assert honest.accepted, honest.feedback()


def test_a_note_figure_moved_to_another_place_is_rejected(seed):
    villages = next(f for f in seed.notes.figures.values() if f.note_text[f.end : f.end + 3] == "村社区")
    rejected(seed, "goals", f"在全县{villages.slot}乡镇建立妇联执委履职制度。", "note_context")
    rejected(seed, "goals", f"在全市{villages.slot}村社区建立妇联执委履职制度。", "note_context")
    honest = seed.gate("goals", f"在全县{villages.slot}村社区建立妇联执委履职制度。")
    assert honest.accepted, honest.feedback()


def test_a_note_figure_retyped_without_its_slot_is_rejected(seed):
    for figure in list(seed.notes.figures.values())[:12]:
        if figure.text[:1].isdigit():
            rejected(seed, "goals", f"{figure.context()[0][-6:]}{figure.text}。", "unslotted_figure", "date")


# ---- dates -------------------------------------------------------------------------------------------


def test_dates_must_be_the_report_year_the_report_date_or_a_note_date(seed):
    year = seed.figures.meta.year
    rejected(seed, "final", f"{year - 1}年决算支出【final.expenditure.total】。", "date")
    rejected(seed, "final", f"{year + 3}年决算支出【final.expenditure.total】。", "date")
    rejected(seed, "goals", f"{year}年6月15日，县妇联开展“两癌”筛查。", "date")
    for text in (f"{year}年决算支出【final.expenditure.total】。", f"截至{year}年12月31日，决算支出【final.expenditure.total】。"):
        result = seed.gate("final", text)
        assert result.accepted, result.feedback()
    rd = seed.figures.meta.report_date
    assert seed.gate("other", f"{rd.year}年{rd.month}月{rd.day}日。").accepted


def test_a_note_date_is_accepted_in_its_notes_context_only(seed):
    date_figure = next(f for f in seed.notes.figures.values() if f.text.endswith("月20日"))
    before, after = date_figure.context(10)
    honest = seed.gate("goals", f"{date_figure.text}{after}。")
    assert honest.accepted, honest.feedback()
    rejected(seed, "goals", f"{date_figure.text}，召开全县妇联执委培训会。", "date")


# ---- provenance and the pipeline ------------------------------------------------------------------


def test_provenance_records_every_piece_a_slot_wrote(nongye):
    text = "决算支出【final.expenditure.total】，较年初预算【final.expenditure.change_vs_budget|增减】【final.expenditure.change_vs_budget】。"
    result = nongye.gate("final", text)
    assert result.accepted, result.feedback()
    pieces = [(p.key, p.word, result.text[p.start : p.end]) for p in result.provenance]
    fact = nongye.ledger["final.expenditure.change_vs_budget"]
    assert pieces == [
        ("final.expenditure.total", None, nongye.ledger["final.expenditure.total"].text),
        (fact.key, "增减", "增加" if fact.value > 0 else "减少"),
        (fact.key, None, fact.text),
    ]
    assert result.to_dict()["accepted"] and len(result.to_dict()["provenance"]) == 3


def test_the_gate_rejects_text_without_prose(seed):
    rejected(seed, "final", "【final.expenditure.total】", "empty", "no_label")


class ScriptedDrafter:
    """A Drafter that answers from a list, one answer per call."""

    name = "llm:scripted"

    def __init__(self, *answers: str):
        self.answers = list(answers)
        self.calls = 0

    async def draft(self, section, context):
        self.calls += 1
        text = self.answers[min(self.calls - 1, len(self.answers) - 1)]
        return SectionDraft(section.id, section.heading, section.level, text, self.name)


def run(case, section_id: str, drafter):
    section = case.outline.section(section_id)
    return asyncio.run(draft_section(section, case.context(), drafter, TemplateDrafter()))


def test_pipeline_regenerates_once_then_falls_back_with_a_visible_reason(seed):
    total = seed.ledger["final.expenditure.total"]
    lie = f"决算支出为{chinese(int(total.value), CAPITALS, '拾佰仟')}万元，排名全县第一。"
    drafter = ScriptedDrafter(lie)
    draft = run(seed, "final", drafter)
    assert drafter.calls == 2
    assert draft.drafter == "template" and draft.verified
    assert "未通过数字核验（第2次）" in draft.fallback_reason and "未经占位符的数字" in draft.fallback_reason
    assert "壹" not in draft.text and "排名" not in draft.text


def test_pipeline_accepts_an_honest_draft_after_one_lie(seed):
    honest = "决算支出【final.expenditure.total】，其中基本支出【final.expenditure.basic】。"
    drafter = ScriptedDrafter("决算支出×万元。", honest)
    draft = run(seed, "final", drafter)
    assert drafter.calls == 2 and draft.drafter == "llm:scripted" and draft.verified and not draft.fallback_reason
    assert seed.ledger["final.expenditure.total"].text in draft.text and "×" not in draft.text


def test_gate_api_with_plain_note_texts(seed):
    """The gate builds note slots from plain note texts too (H2's adversary and other callers)."""
    notes = list(seed.notes.notes)
    result = gate_model_text("决算支出【final.expenditure.total】。", seed.ledger, notes, seed.outline.section("final"), seed.figures)
    assert result.accepted
    typed = seed.ledger["final.expenditure.total"].text
    assert not gate_model_text(f"决算支出{typed}。", seed.ledger, notes).accepted


def test_comparisons_without_a_slot_or_without_data_are_rejected(seed, nongye):
    for case in (seed, nongye):
        rejected(case, "final", "决算支出【final.expenditure.total】，较年初预算有所减少。", "comparison")
        rejected(case, "final", "决算支出【final.expenditure.total】，环比增长。", "comparison")
    rejected(seed, "goals", "成千上万群众受益，实现零投诉。", "unslotted_figure")


@pytest.mark.parametrize("claim", ["本单位部门整体支出绩效自评获得满分。", "各项绩效指标均取得满分，评价等级为优。", "自评等级为优秀。"])
def test_score_and_grade_claims_are_rejected(seed, claim):
    rejected(seed, "other", claim, "unslotted_figure")
    assert seed.gate("other", "进一步优化预算管理，提升资金使用效益。").accepted


def test_a_sign_typed_before_a_slot_is_rejected(nongye):
    fact = next(f for f in nongye.facts("three_public") if f.signed_change and f.value != 0)
    word = "减少" if fact.value < 0 else "增加"
    rejected(nongye, "three_public", f"{fact.label.removesuffix('增减')}{word}-【{fact.key}】。", "unslotted_figure")
    rejected(nongye, "three_public", f"{fact.label.removesuffix('增减')}{word}+【{fact.key}】。", "unslotted_figure")
    rejected(nongye, "three_public", f"{fact.label.removesuffix('增减')}{word}负【{fact.key}】。", "unslotted_figure")


def test_a_unit_typed_after_a_slot_is_rejected(seed):
    rejected(seed, "final", "决算支出【final.expenditure.total】元。", "unit_class")
    rejected(seed, "staffing", "在职人员【staffing.actual】次。", "unit_class")
    assert seed.gate("final", "决算支出【final.expenditure.total】万元。").accepted  # a repeated unit is dropped
