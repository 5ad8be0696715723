"""Template drafter, outlines, slots and the report pipeline (offline)."""

from __future__ import annotations

import asyncio
import re
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.drafting import draft_report
from assistant.drafting.outline import OutlineError, load_outline, load_outline_file
from assistant.drafting.pipeline import DraftJob, adraft_report
from assistant.drafting.slots import fill_slots
from assistant.export.numbering import HeadingCounter, chinese_number
from assistant.figures import load_figures
from assistant.interface import SectionDraft
from assistant.scoring import build_scored_ledger
from assistant.offline import REPO_ROOT

SEED_DIR = REPO_ROOT / "evals" / "cases" / "hengshan-fulian-2023"
SEED_TXT = REPO_ROOT.parent / "shared" / "reference" / "hengshan-fulian-2023-report.txt"
FIGURE_RE = re.compile(r"(\d+(?:\.\d+)?)(万元|%)")


@pytest.fixture(scope="module")
def seed():
    return load_figures(SEED_DIR / "figures.yaml")


@pytest.fixture(scope="module")
def seed_report(seed):
    return draft_report(seed)


def _values(text: str) -> set[tuple[Decimal, str]]:
    return {(Decimal(v).normalize(), unit) for v, unit in FIGURE_RE.findall(text)}


def _seed_budget_text() -> str:
    """The seed's budget sections, from 部门预算情况 to the end of 资产管理情况."""
    text = (SEED_DIR / "reference.md").read_text(encoding="utf-8") if (SEED_DIR / "reference.md").exists() else SEED_TXT.read_text(encoding="utf-8")
    start = text.index("2023年年初预算安排收入")
    end = text.index("资金使用及绩效情况")
    return text[start:end]


def test_template_reproduces_every_seed_budget_figure(seed_report):
    expected = _values(_seed_budget_text())
    assert len(expected) >= 15  # the seed's budget sections are dense with figures
    drafted = "\n".join(
        s.text for s in seed_report.sections if s.section_id in {"budget", "final", "three_public", "procurement", "assets"}
    )
    assert expected <= _values(drafted), expected - _values(drafted)


def test_seed_sentences_in_official_register(seed_report, seed):
    ledger = build_scored_ledger(seed)
    budget = seed_report.section("budget").text
    assert budget.startswith(f"{seed.meta.year}年年初预算安排收入{ledger['budget.income.total'].text}")
    final = seed_report.section("final").text
    change = ledger["final.income.change_vs_budget"]
    assert f"较预算增加{change.text}" in final
    assert f"占总支出的{ledger['final.expenditure.basic_share'].text}" in final
    assert seed.final.variance_reasons in final


def test_notes_sections_keep_user_words_with_ordinals(seed_report, seed):
    goals = seed_report.section("goals").text
    first_area = seed.work_notes[0]
    assert f"{first_area.title}。一是{first_area.items[0][:10]}" in goals
    assert "二是" in goals and "三是" in goals
    for area in seed.work_notes:
        for item in area.items:
            assert item.strip() in goals


def test_absent_data_is_not_mentioned_and_zero_is_written(seed):
    figures = seed.model_copy(deep=True)
    figures.procurement = None
    figures.three_public.budget.vehicle = None
    report = draft_report(figures)
    ids = [s.section_id for s in report.sections]
    assert "procurement" not in ids
    assert ("政府采购执行情况", "未录入本节所需数据，已省略") in report.omitted
    three = report.section("three_public").text
    budget_sentence = three.split("。")[0]
    assert "公务用车" not in budget_sentence  # absent: not mentioned
    assert "因公出国（境）费0万元" in budget_sentence  # entered zero: written as 0万元


def test_hunan_outline_numbering_and_omissions(seed):
    report = draft_report(seed, outline="hunan")
    counter = HeadingCounter()
    numbers = [counter.next(s.level) for s in report.sections]
    assert numbers[0] == "一、" and numbers[1] == "（一）"
    # Sections the outline expects are never dropped for want of data: they say the unit has none.
    assert report.omitted == []
    assert report.section("fund_budget").text == "本单位无政府性基金预算支出。"
    assert report.section("state_capital").text == "本单位无国有资本经营预算支出。"


def test_heading_counter_restarts_deeper_levels():
    c = HeadingCounter()
    seq = [c.next(level) for level in (1, 2, 3, 3, 4, 2, 3, 1, 2)]
    assert seq == ["一、", "（一）", "1.", "2.", "（1）", "（二）", "1.", "二、", "（一）"]
    assert [chinese_number(n) for n in (1, 10, 11, 20, 23)] == ["一", "十", "十一", "二十", "二十三"]


def test_outline_validation(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("sections:\n  - {id: a, heading: 甲, level: 1}\n  - {id: b, heading: 乙, level: 3}\n", encoding="utf-8")
    with pytest.raises(OutlineError, match="层级"):
        load_outline_file(bad)
    dup = tmp_path / "dup.yaml"
    dup.write_text("sections:\n  - {id: a, heading: 甲, level: 1}\n  - {id: a, heading: 乙, level: 1}\n", encoding="utf-8")
    with pytest.raises(OutlineError, match="重复"):
        load_outline_file(dup)
    with pytest.raises(OutlineError, match="没有名为"):
        load_outline("no-such-outline")


def test_fill_slots_reports_unknown_keys(seed):
    ledger = build_scored_ledger(seed)
    result = fill_slots("决算总支出【final.expenditure.total】，较预算【final.income.change_vs_budget|增减】；【no.such.key】", ledger)
    assert ledger["final.expenditure.total"].text in result.text
    assert "增加" in result.text
    assert result.unknown == ["no.such.key"]
    assert "【no.such.key】" in result.text


class _Exploding:
    name = "boom"

    async def draft(self, section, context):
        if section.id == "three_public":
            raise RuntimeError("模型服务不可用")
        text = "年初预算安排收入【budget.income.total】。" if section.id == "budget" else ""
        return SectionDraft(section.id, section.heading, section.level, text, self.name)


def test_failure_in_one_section_keeps_the_others(seed):
    progress = []
    job = DraftJob(seed, drafter=_Exploding(), progress=lambda sid, status: progress.append((sid, status)))
    report = asyncio.run(adraft_report(job))
    three = report.section("three_public")
    assert three.drafter == "template" and "模型调用失败" in three.fallback_reason
    assert three.text  # fell back to the template text
    assert ("three_public", "done") in progress
    budget = report.section("budget")
    assert budget.drafter == "boom" and budget.verified and not budget.fallback_reason
    assert budget.text == f"年初预算安排收入{build_scored_ledger(seed)['budget.income.total'].text}。"


def test_template_report_passes_verifier(seed_report):
    for section in seed_report.sections:
        if section.drafter == "outline":
            continue
        bad = [f for f in section.findings if f.get("status") != "supported"]
        assert section.verified, (section.section_id, bad)
