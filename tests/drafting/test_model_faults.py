"""Model faults end in a correct, complete report with a visible reason (issue 11, point 4).

The whole seed report is drafted by the LLM drafter through the real langchain-openai client
against the fake server; every section answers honestly in slots (tests/adversary.py, no lies)
except the faulty one. Each fault must leave every other section as the model wrote it, and the
faulty section either as the model's complete second answer or as the template text with the
reason, never a cut, open or oversized draft.
"""

from __future__ import annotations

import re

import pytest

from assistant.drafting.llm_drafter import LENGTH_RATIO
from tests.adversary import SEED_CASE, Adversary, Case, draft_with, offline_report, offline_text, section_for
from tests.fake_openai import Reply, cut_stream, length_cut, no_finish_reason, server_error, slow, thinking

TARGETS = ("final", "goals")  # a figures section and a notes section with note slots


@pytest.fixture(scope="module")
def case():
    return Case(SEED_CASE)


def faulty(case: Case, faults: dict[str, list]):
    """Honest answers, except that each listed section gets its fault replies first, in order.
    A fault is a function of the honest text it replaces."""
    honest = Adversary(case)
    queues = {sid: list(items) for sid, items in faults.items()}

    def respond(request: dict) -> Reply:
        section = section_for(request, case)
        queue = queues.get(section.id)
        if queue:
            fault = queue.pop(0)
            return fault(honest(request).content)
        return honest(request)

    return respond


def assert_complete_and_correct(report, case: Case, fallback: set[str]):
    """Every section present; model sections verified, fallback sections the template text."""
    offline = offline_report(case)
    assert [s.section_id for s in report.sections] == [s.section_id for s in offline.sections]
    for section in report.sections:
        if section.drafter == "outline":
            continue
        assert section.text.strip() and not section.error, section.section_id
        if section.section_id in fallback:
            assert section.fallback_reason, section.section_id
            assert section.text == offline_text(case, section.section_id)
        else:
            assert section.drafter.startswith("llm:") and not section.fallback_reason, (section.section_id, section.fallback_reason)
            assert section.verified
        assert "【" not in section.text and "<think>" not in section.text


def _mid_slot(text: str, size: int = 7) -> int:
    """How many streamed pieces end inside the first slot."""
    return (text.index("【") + 3) // size + 1


FAULTS = {
    "cut-mid-slot": (lambda text: cut_stream(text, after=_mid_slot(text)), True, "没有正常结束"),
    "no-finish-reason": (lambda text: no_finish_reason(text), False, "没有正常结束"),
    "length-cut": (lambda text: length_cut(text[: text.index("【") + 4]), False, "截断"),
    "empty": (lambda text: Reply(content=""), False, "空内容"),
    "30k-characters": (lambda text: Reply(content="\n\n".join([text] * (30000 // len(text) + 1))), False, "过长"),
}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", list(FAULTS))
def test_a_fault_twice_falls_back_with_its_reason(fake_openai, case, name, target):
    fault, stream, words = FAULTS[name]
    report, drafter = draft_with(fake_openai, case, faulty(case, {target: [fault, fault]}), stream=stream)
    assert_complete_and_correct(report, case, fallback={target})
    reason = report.section(target).fallback_reason
    assert words in reason, reason
    assert drafter.usage.calls >= len([s for s in report.sections if s.drafter != "outline"]) + 1


@pytest.mark.parametrize("name", list(FAULTS))
def test_a_fault_once_then_a_complete_answer_is_used(fake_openai, case, name):
    fault, stream, _ = FAULTS[name]
    report, _ = draft_with(fake_openai, case, faulty(case, {"final": [fault]}), stream=stream)
    assert_complete_and_correct(report, case, fallback=set())


def test_the_30k_answer_is_refused_for_length_not_cut(fake_openai, case):
    fault, _, _ = FAULTS["30k-characters"]
    report, drafter = draft_with(fake_openai, case, faulty(case, {"final": [fault, fault]}))
    reason = report.section("final").fallback_reason
    template_chars = len(offline_text(case, "final"))
    limit = int(re.search(r"上限 (\d+) 字", reason).group(1))
    assert limit <= max(LENGTH_RATIO * template_chars * 2, 300)  # slots printed: near the template's own length
    assert any("过长" in r for r in drafter.usage.reasons)


def test_every_call_asks_for_a_bounded_answer(fake_openai, case):
    report, _ = draft_with(fake_openai, case, Adversary(case))
    assert_complete_and_correct(report, case, fallback=set())
    for request in fake_openai.chat_requests:
        section = section_for(request.body, case)
        limit = request.max_tokens
        assert isinstance(limit, int) and limit > 0, section.id
        # Enough for an answer three times the template's length, far below a runaway answer.
        assert limit < 30000


def test_slow_beyond_the_timeout_falls_back_and_within_it_is_used(fake_openai, case):
    slow_fault = lambda text: slow(1.5, text)  # noqa: E731
    report, _ = draft_with(fake_openai, case, faulty(case, {"final": [slow_fault, slow_fault]}), timeout=0.5)
    assert_complete_and_correct(report, case, fallback={"final"})
    assert "超时" in report.section("final").fallback_reason

    a_little_slow = lambda text: slow(0.2, text)  # noqa: E731
    report, _ = draft_with(fake_openai, case, faulty(case, {"final": [a_little_slow]}), timeout=5)
    assert_complete_and_correct(report, case, fallback=set())


def test_500_then_success_is_retried_by_the_client(fake_openai, case):
    report, drafter = draft_with(fake_openai, case, faulty(case, {"final": [lambda text: server_error()]}), max_retries=1)
    assert_complete_and_correct(report, case, fallback=set())
    finals = [r for r in fake_openai.chat_requests if section_for(r.body, case).id == "final"]
    assert len(finals) == 2 and finals[0].reply.status == 500


def test_500_every_time_falls_back_with_the_status(fake_openai, case):
    report, _ = draft_with(fake_openai, case, faulty(case, {"final": [lambda text: server_error()] * 4}), max_retries=1)
    assert_complete_and_correct(report, case, fallback={"final"})
    assert "500" in report.section("final").fallback_reason


@pytest.mark.parametrize("field", ["reasoning_content", "reasoning", None], ids=["reasoning_content", "reasoning", "think-tags"])
@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_thinking_never_reaches_the_report(fake_openai, case, field, stream):
    def think(text: str) -> Reply:
        ledger_numbers = "、".join(f.text for f in list(case.ledger)[:12])
        return thinking(text, f"先核对台账：{ledger_numbers}；排名全县第一？不能写。", field=field)

    responder = faulty(case, {s.id: [think] * 2 for s in case.sections})
    report, drafter = draft_with(fake_openai, case, responder, stream=stream)
    assert_complete_and_correct(report, case, fallback=set())
    assert drafter.usage.reasoning_tokens > 0
    assert all(s.tokens.get("reasoning", 0) > 0 for s in report.sections if s.drafter.startswith("llm:"))


def test_thinking_that_eats_the_budget_is_asked_again_with_room(fake_openai, case):
    """A reasoning model cut while still thinking: asked again at once with room for the thinking."""

    def cut_while_thinking(text: str) -> Reply:
        return Reply(content="<think>" + "核对数字，" * 400, finish_reason="length")

    def then_answer(text: str) -> Reply:
        return thinking(text, "核对数字。" * 50)

    report, drafter = draft_with(fake_openai, case, faulty(case, {"final": [cut_while_thinking, then_answer]}))
    assert_complete_and_correct(report, case, fallback=set())
    finals = [r for r in fake_openai.chat_requests if section_for(r.body, case).id == "final"]
    assert len(finals) == 2
    assert finals[1].max_tokens > finals[0].max_tokens  # room for the thinking that was seen


# ---- chat and the draft command line -------------------------------------------------------------


@pytest.mark.parametrize("field", ["reasoning_content", None], ids=["reasoning_content", "think-tags"])
def test_chat_never_shows_thinking_even_provisionally(fake_openai, case, field):
    import asyncio

    from assistant.drafting.chat import achat
    from tests.adversary import model_settings

    ledger_numbers = [f.text for f in list(case.ledger)[:8]]
    honest = Adversary(case)
    fake_openai.script(default=lambda request: thinking(honest(request).content, "核对：" + "、".join(ledger_numbers), field=field))
    shown: list[str] = []
    result = asyncio.run(achat([], "请起草本节", case.figures, "final", model_settings=model_settings(fake_openai), on_token=shown.append))
    assert result.drafter.startswith("llm:") and not result.fallback_reason, result.fallback_reason
    provisional = "".join(shown)
    assert "核对" not in provisional and "<think>" not in provisional
    assert "核对" not in result.text


def test_chat_with_a_cut_stream_answers_with_the_template_and_the_reason(fake_openai, case):
    import asyncio

    from assistant.drafting.chat import achat
    from tests.adversary import model_settings

    honest = Adversary(case)
    fake_openai.script(default=lambda request: cut_stream(honest(request).content, after=_mid_slot(honest(request).content)))
    result = asyncio.run(achat([], "请起草本节", case.figures, "final", model_settings=model_settings(fake_openai), on_token=lambda piece: None))
    assert result.fallback_reason and "没有正常结束" in result.fallback_reason
    assert result.text == offline_text(case, "final")


def _cli(fake, case, tmp_path, monkeypatch, *extra):
    from assistant.cli import main

    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "x")
    monkeypatch.setenv("ASSISTANT_MAX_RETRIES", "0")
    return main(["draft", str(case.path), *extra, "-o", str(tmp_path / "r.docx"), "--md", str(tmp_path / "r.md")])


def test_draft_cli_exit_0_when_every_model_section_passes(fake_openai, case, tmp_path, monkeypatch, capsys):
    fake_openai.script(default=Adversary(case))
    assert _cli(fake_openai, case, tmp_path, monkeypatch, "--model", "fake-model", "--no-examples") == 0
    out = capsys.readouterr().out
    for section in case.sections:
        line = next(l for l in out.splitlines() if l.startswith(section.heading + "："))
        assert "起草方式 llm:fake-model" in line and "闸门通过" in line, line
    assert "改用模板文本 0 节" in out


def test_draft_cli_exit_0_offline(fake_openai, case, tmp_path, monkeypatch, capsys):
    assert _cli(fake_openai, case, tmp_path, monkeypatch, "--offline") == 0
    out = capsys.readouterr().out
    assert "起草方式 模板（离线）" in out and not fake_openai.chat_requests


def test_draft_cli_exit_3_names_the_fallback_and_its_reason(fake_openai, case, tmp_path, monkeypatch, capsys):
    fault = lambda text: length_cut(text[: text.index("【") + 4])  # noqa: E731
    fake_openai.script(default=faulty(case, {"final": [fault] * 4}))
    assert _cli(fake_openai, case, tmp_path, monkeypatch, "--model", "fake-model", "--no-examples") == 3
    out = capsys.readouterr().out
    heading = case.section("final").heading
    line = next(l for l in out.splitlines() if l.startswith(heading + "："))
    assert "已改用模板文本" in line and "截断" in out
    assert "改用模板文本 1 节" in out
    assert offline_text(case, "final") in (tmp_path / "r.md").read_text(encoding="utf-8")


# ---- max_tokens: the answer's budget plus room for thinking -----------------------------------------


def test_max_tokens_is_the_sections_answer_budget_plus_thinking_room(fake_openai, case):
    from assistant.llm.model_settings import DEFAULT_THINKING_TOKENS

    for model, room in (("fake-model", 0), ("deepseek-reasoner", DEFAULT_THINKING_TOKENS)):
        before = len(fake_openai.chat_requests)
        report, drafter = draft_with(fake_openai, case, Adversary(case), model=model)
        assert_complete_and_correct(report, case, fallback=set())
        for request in fake_openai.chat_requests[before:]:
            section = section_for(request.body, case)
            assert request.max_tokens == drafter.limits(section, case.context).answer_tokens + room, (model, section.id)


def test_thinking_seen_in_one_answer_gives_later_calls_room(fake_openai, case):
    thought = "逐项核对台账数字。" * 300  # the fake counts one token per character of it
    honest = Adversary(case)
    first = {"done": False}

    def respond(request):
        text = honest(request).content
        if not first["done"]:
            first["done"] = True
            return thinking(text, thought)
        return Reply(content=text)

    report, drafter = draft_with(fake_openai, case, respond, concurrency=1)
    assert_complete_and_correct(report, case, fallback=set())
    requests = fake_openai.chat_requests
    later = requests[1:]
    assert requests[0].max_tokens == drafter.limits(section_for(requests[0].body, case), case.context).answer_tokens
    for request in later:
        budget = drafter.limits(section_for(request.body, case), case.context).answer_tokens
        assert request.max_tokens == budget + 2 * len(thought)


def test_chat_refuses_a_30k_answer_and_asks_for_a_bounded_one(fake_openai, case):
    import asyncio

    from assistant.drafting.chat import achat
    from tests.adversary import model_settings

    honest = Adversary(case)
    fake_openai.script(default=lambda request: Reply(content="\n\n".join([honest(request).content] * 60)))
    result = asyncio.run(achat([], "请起草本节", case.figures, "final", model_settings=model_settings(fake_openai)))
    assert "过长" in result.fallback_reason and result.text == offline_text(case, "final")
    assert all(isinstance(r.max_tokens, int) and r.max_tokens < 30000 for r in fake_openai.chat_requests)
