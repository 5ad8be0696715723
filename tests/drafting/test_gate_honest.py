"""Honest slot-based drafts pass the truth gate: 0 rejections over many variants of both cases.

Every figure in these texts is a slot (ledger or note); the prose around them uses the everyday words
that contain numerals (进一步, 统一, 一体化, 一是, 两学一做 …), the report year and the year-end date.
Expectations come from the ledger and the notes, never from literal figures.
"""

from __future__ import annotations

import pytest

from tests.drafting.gate_cases import load_case, template_slot_text

FIGURE_SECTIONS = ("staffing", "budget", "final", "three_public", "procurement", "assets")

EVERYDAY = (
    "我单位进一步统一思想，推进预算绩效管理一体化，",
    "一是坚持一把手负总责，落实一岗双责，",
    "二是深入开展两学一做学习教育，严格执行八项规定精神，",
    "三是对照“十四五”规划，统筹推进三农工作，",
    "同时坚持一以贯之、一抓到底，逐一落实整改，",
    "开展“一月一主题”活动，落实“最多跑一次”改革，",
    "学习贯彻党的二十届三中全会精神，巩固“两不愁三保障”成果，",
)


def _assert_passes(case, section_id: str, text: str) -> None:
    result = case.gate(section_id, text)
    assert result.accepted, (case.name, section_id, text, [f.feedback_line() for f in result.findings])
    assert "【" not in result.text and "】" not in result.text
    # Provenance: every slot-written piece is exactly what its source says.
    for p in result.provenance:
        if p.source == "ledger" and p.word is None:
            assert result.text[p.start : p.end] == case.ledger[p.key].text
        elif p.source == "note":
            assert result.text[p.start : p.end] == case.notes.get(p.key).text


def honest_variants():
    """(case name, section id, builder) — builders make the text from the case at run time."""
    variants = []
    for name in ("seed", "nongye"):
        for section_id in FIGURE_SECTIONS:
            variants.append(pytest.param(name, section_id, "template", id=f"{name}-{section_id}-template"))
            variants.append(pytest.param(name, section_id, "labelled", id=f"{name}-{section_id}-labelled"))
            variants.append(pytest.param(name, section_id, "everyday", id=f"{name}-{section_id}-everyday"))
        for section_id in ("goals", "duties", "problems", "improvements", "final"):
            variants.append(pytest.param(name, section_id, "notes", id=f"{name}-{section_id}-notes"))
        variants.append(pytest.param(name, "goals", "notes-ordinals", id=f"{name}-goals-ordinals"))
        variants.append(pytest.param(name, "goals", "indicators", id=f"{name}-goals-indicators"))
        variants.append(pytest.param(name, "staffing", "year", id=f"{name}-staffing-year"))
    return variants


def _labelled(case, section_id: str) -> str:
    """One sentence per fact: its full label, a verb, its slot (direction words as slots)."""
    sentences = []
    for fact in case.facts(section_id):
        if fact.signed_change:
            sentences.append(f"{fact.label.removesuffix('增减率').removesuffix('增减')}【{fact.key}|增长】【{fact.key}】。" if fact.unit == "%" else f"{fact.label.removesuffix('增减')}【{fact.key}|增减】【{fact.key}】。")
        else:
            sentences.append(f"{fact.label}为【{fact.key}】。")
    return "".join(sentences)


def _notes_text(case, section_id: str, ordinals: bool = False) -> str:
    markers = ("一是", "二是", "三是", "四是", "五是", "六是", "七是", "八是", "九是", "十是")
    parts = []
    for n, index in enumerate(case.note_indices(section_id)):
        text = case.notes.slotted(index)
        if ordinals and n < len(markers):
            text = markers[n] + text
        parts.append(text if text.endswith(("。", "；", "！")) else text + "。")
    return "".join(parts)


def _indicators(case) -> str:
    sentences = []
    for fact in case.facts("goals"):
        sentences.append(f"{fact.label}【{fact.key}】。")
    return "".join(sentences) or "本年度各项工作稳步推进。"


@pytest.mark.parametrize("case_name, section_id, kind", honest_variants())
def test_honest_slot_drafts_are_accepted(case_name, section_id, kind, monkeypatch):
    case = load_case(case_name)
    if kind == "template":
        text = template_slot_text(case, section_id, monkeypatch)
    elif kind == "labelled":
        text = _labelled(case, section_id)
    elif kind == "everyday":
        paragraphs = template_slot_text(case, section_id, monkeypatch).split("\n")
        text = "\n".join(EVERYDAY[i % len(EVERYDAY)] + p for i, p in enumerate(paragraphs))
    elif kind == "notes":
        text = _notes_text(case, section_id) or "无其他需要说明的情况。"
    elif kind == "notes-ordinals":
        text = _notes_text(case, section_id, ordinals=True)
    elif kind == "indicators":
        text = _indicators(case)
    elif kind == "year":
        year = case.figures.meta.year
        text = f"截至{year}年12月31日，" + template_slot_text(case, section_id, monkeypatch) + f"{year}年度，我单位进一步加强人员管理。"
    else:  # pragma: no cover
        raise AssertionError(kind)
    assert text.strip()
    _assert_passes(case, section_id, text)


def test_there_are_at_least_fifty_honest_variants():
    assert len(honest_variants()) >= 50


@pytest.mark.parametrize("case_name", ["seed", "nongye"])
def test_every_note_figure_passes_in_its_own_sentence(case_name):
    """Each note's own sentence, with its figures as slots, is accepted in the section that uses it."""
    case = load_case(case_name)
    checked = 0
    for section in case.outline.writable:
        for index in case.note_indices(section.id):
            text = case.notes.slotted(index)
            for sentence in [s for s in text.replace("；", "。").split("。") if "【note." in s]:
                _assert_passes(case, section.id, sentence + "。")
                checked += 1
    assert checked >= (10 if case_name == "seed" else 1)
