"""The optional LLM judge: answer parsing, configuration, and one call through the fake server."""

from __future__ import annotations

import pytest

from assistant.evaluation import EvaluationError, load_case
from assistant.evaluation.judge import judge_messages, make_judge, parse_scores
from assistant.llm.client import ModelSettings


def test_parse_scores():
    answer = '评分如下：{"规范性": 4, "完整性": "5", "准确性": 3, "简洁性": 4, "理由": "结构完整"}'
    assert parse_scores(answer) == {
        "judge_norms": 4.0,
        "judge_completeness": 5.0,
        "judge_accuracy": 3.0,
        "judge_concision": 4.0,
        "judge_comment": "结构完整",
    }


def test_parse_scores_rejects_out_of_range_and_garbage():
    scores = parse_scores('{"规范性": 7, "完整性": 0, "准确性": true, "简洁性": 2.5}')
    assert [scores[k] for k in ("judge_norms", "judge_completeness", "judge_accuracy", "judge_concision")] == [None] * 4
    assert parse_scores("无法评分")["judge_comment"] == "评审回答中没有 JSON 评分"
    assert parse_scores("{不是 JSON}")["judge_norms"] is None


def test_judge_needs_a_model(monkeypatch):
    monkeypatch.delenv("ASSISTANT_MODEL", raising=False)
    with pytest.raises(EvaluationError, match="ASSISTANT_MODEL"):
        make_judge()


def test_judge_prompt_holds_both_reports():
    case = load_case("hengshan-fulian-2023")
    system, user = judge_messages(case, "草稿正文")
    assert "规范性" in system["content"]
    assert not any(f"{{{name}}}" in user["content"] for name in ("unit_name", "year", "reference", "draft"))
    assert case.reference[:50] in user["content"] and "草稿正文" in user["content"]
    assert "衡山县妇女联合会" in user["content"]


def test_judge_calls_the_model(fake_openai):
    fake_openai.script('{"规范性": 5, "完整性": 4, "准确性": 5, "简洁性": 3, "理由": "较好"}')
    judge = make_judge(ModelSettings(base_url=fake_openai.base_url, model="fake-model", max_retries=0))
    scores = judge(load_case("hengshan-fulian-2023"), "草稿")
    assert scores["judge_completeness"] == 4.0 and scores["judge_comment"] == "较好"
    [request] = fake_openai.chat_requests
    assert "待评草稿" in request.last_user_message
