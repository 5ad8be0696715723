"""A lying model cannot put a figure into the report or the chat answer (issue 11, tests).

The adversary (tests/adversary.py) answers every section with an honest slot draft plus one lie
— 29 kinds, generated from the case's own ledger and notes, placed in every section — and lies
again when asked to regenerate. Through `draft_report`'s pipeline (streamed and not), through the
`draft` CLI and through chat (streamed and not), on the seed case and on a case with projects and
last-year figures:

* no lie's marker (the text it would leave in the report) is in the final text;
* a section whose every model answer lied reads exactly the template text, with a reason;
* honest slot drafts from the same server are all accepted (no rejection over 60+ variants).
"""

from __future__ import annotations

import asyncio
from collections import deque

import pytest

from assistant.drafting.chat import achat
from tests.adversary import (
    EVERYDAY,
    LIE_CLASSES,
    PROJECTS_CASE,
    SEED_CASE,
    Adversary,
    Case,
    InjectingRetriever,
    all_lies,
    draft_with,
    lie_counts,
    model_settings,
    offline_text,
    plan_rounds,
    report_text,
)

CASE_NAMES = (SEED_CASE, PROJECTS_CASE)
PER_SECTION = 36  # 11 sections × 36 ≈ 400 lies per case through the main paths


@pytest.fixture(scope="module", params=CASE_NAMES)
def case(request):
    return Case(request.param)


def _lies(case: Case, per_section: int = PER_SECTION, stagger: int = 0):
    return all_lies(case, per_section, stagger)


def _retriever_for(plan) -> InjectingRetriever | None:
    passages = [lie.passage for queue in plan.values() for lie in queue if lie.passage]
    return InjectingRetriever(passages) if passages else None


def test_the_adversary_has_many_kinds_of_lies_in_every_section(case):
    lies = _lies(case)
    counts = lie_counts(lies)
    assert sum(counts.values()) >= 300
    assert len(counts) >= 12
    assert set(counts) <= set(LIE_CLASSES)
    kinds = {case.section(sid).mode for sid, section_lies in lies.items() if section_lies}
    assert {"figures", "notes"} <= kinds
    for sid, section_lies in lies.items():
        assert len({lie.cls for lie in section_lies}) >= 12, sid
    # Generated from this case's ledger: the other case's figures are not in these lies.
    other = Case(PROJECTS_CASE if case.name == SEED_CASE else SEED_CASE)
    own_texts = {f.text for f in case.ledger}
    foreign_only = {f.text for f in other.ledger if len(f.text) > 5} - own_texts
    assert not any(text in lie.sentence for section_lies in lies.values() for lie in section_lies for text in foreign_only)


def assert_no_lie_reached(report, adversary: Adversary, case: Case):
    whole = report_text(report)
    for section in report.sections:
        if section.drafter == "outline":
            continue
        served = [s for s in adversary.served if s.section_id == section.section_id]
        lies = [s.lie for s in served if s.lie is not None]
        for lie in lies:
            assert lie.marker not in section.text, (lie.cls, lie.sentence, section.text)
            assert lie.marker not in whole, (lie.cls, lie.sentence)
        if served and len(lies) == len(served):
            # Every answer for this section lied: only the template text may stand, with a reason.
            assert section.fallback_reason, (section.section_id, [lie.cls for lie in lies])
            assert section.text == offline_text(case, section.section_id), (section.section_id, [lie.cls for lie in lies])


@pytest.mark.parametrize(
    ("stream", "per_section", "stagger", "part", "parts"),
    [(False, PER_SECTION, 0, 0, 2), (False, PER_SECTION, 0, 1, 2), (True, 12, 11, 0, 1)],
    ids=["json-1", "json-2", "stream"],
)
def test_no_lie_reaches_the_drafted_report(fake_openai, case, stream, per_section, stagger, part, parts):
    lies = _lies(case, per_section, stagger)
    assert len(lie_counts(lies)) == len(lie_counts(_lies(case))), "every lie class is tried on this path"
    served = 0
    for plan in plan_rounds(lies)[part::parts]:  # the main path in two halves (each test within its time limit)
        adversary = Adversary(case, plan)
        report, _ = draft_with(fake_openai, case, adversary, stream=stream, retriever=_retriever_for(plan))
        assert_no_lie_reached(report, adversary, case)
        served += sum(1 for s in adversary.served if s.lie is not None)
    assert served * parts >= (300 if per_section == PER_SECTION else 100)


def test_a_lie_then_an_honest_answer_keeps_the_honest_answer(fake_openai, case):
    lies = _lies(case, per_section=1)
    plan = {sid: deque(v) for sid, v in lies.items()}
    adversary = Adversary(case, plan)
    report, _ = draft_with(fake_openai, case, adversary, retriever=_retriever_for(plan))
    assert_no_lie_reached(report, adversary, case)
    for section in report.sections:
        if section.drafter == "outline":
            continue
        # Regenerated after the lie, the honest answer passed.
        assert section.drafter.startswith("llm:") and not section.fallback_reason, (section.section_id, section.fallback_reason)


def test_no_lie_reaches_the_report_through_the_draft_cli(fake_openai, case, tmp_path, monkeypatch, capsys):
    from assistant.cli import main

    lies = _lies(case, per_section=6, stagger=6)  # every class somewhere, in rounds of two, through the real command line
    assert len(lie_counts(lies)) == len(lie_counts(_lies(case)))
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "x")
    monkeypatch.setenv("ASSISTANT_MAX_RETRIES", "0")
    for n, plan in enumerate(plan_rounds(lies)):
        adversary = Adversary(case, plan)
        fake_openai.script(default=adversary)
        md = tmp_path / f"report-{n}.md"
        code = main(["draft", str(case.path), "--model", "fake-model", "--no-examples", "-o", str(tmp_path / f"r{n}.docx"), "--md", str(md)])
        out = capsys.readouterr().out
        text = md.read_text(encoding="utf-8")
        for record in adversary.served:
            if record.lie is not None:
                assert record.lie.marker not in text, (record.lie.cls, record.lie.sentence)
        assert code == 3  # sections fell back to the template text
        for section_id in {r.section_id for r in adversary.served}:
            heading = case.section(section_id).heading
            line = next(line for line in out.splitlines() if line.startswith(heading + "："))
            assert "已改用模板文本" in line and "原因" in line, line


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_no_lie_reaches_a_chat_answer(fake_openai, case, stream):
    lies = _lies(case, per_section=8, stagger=7)
    assert len(lie_counts(lies)) == len(lie_counts(_lies(case))), "every lie class is tried in chat"
    settings = model_settings(fake_openai)
    for sid, section_lies in lies.items():
        for start in range(0, len(section_lies), 2):
            pair = deque(section_lies[start : start + 2])
            adversary = Adversary(case, {sid: pair})
            fake_openai.script(default=adversary)
            shown: list[str] = []
            result = asyncio.run(
                achat(
                    [],
                    "请起草本节",
                    case.figures,
                    sid,
                    outline=case.outline_name,
                    model_settings=settings,
                    retriever=_retriever_for({sid: pair}),
                    on_token=shown.append if stream else None,
                )
            )
            for record in adversary.served:
                assert record.lie.marker not in result.text, (record.lie.cls, record.lie.sentence)
            assert result.fallback_reason, [r.lie.cls for r in adversary.served]
            assert result.text == offline_text(case, sid)


def test_honest_drafts_are_all_accepted(fake_openai, case):
    variants = 0
    for variant in range(len(EVERYDAY)):
        adversary = Adversary(case, honest_variant=variant)
        report, drafter = draft_with(fake_openai, case, adversary)
        for section in report.sections:
            if section.drafter == "outline":
                continue
            assert section.drafter.startswith("llm:") and not section.fallback_reason, (variant, section.section_id, section.fallback_reason)
            assert section.verified
            variants += 1
        assert drafter.usage.rejected == 0
    assert variants >= 50


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_honest_chat_answers_are_accepted(fake_openai, case, stream):
    settings = model_settings(fake_openai)
    for n, section in enumerate(case.sections):
        fake_openai.script(default=Adversary(case, honest_variant=n))
        result = asyncio.run(
            achat([], "请起草本节", case.figures, section.id, outline=case.outline_name, model_settings=settings, on_token=(lambda piece: None) if stream else None)
        )
        assert result.drafter.startswith("llm:") and not result.fallback_reason, (section.id, result.fallback_reason)
