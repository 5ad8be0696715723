"""Model plumbing through the real langchain-openai/openai clients against the fake server."""

from __future__ import annotations

import asyncio
import json
import re
import time

import openai
import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from assistant.llm import client as llm

from assistant.llm import budget as tokens
from tests.fake_openai import (
    Reply,
    fake_embedding,
    falsify,
    lying,
    malformed,
    rate_limited,
    server_error,
    slow,
)
from tests.netguard import NetworkBlocked

SECRET = "sk-test-0123456789abcdef-SECRET"

PROMPT = [
    ("system", "你是绩效自评报告的起草助手。"),
    ("user", "请概述2023年度部门决算支出情况。"),
]


def model_settings(server, **overrides) -> llm.ModelSettings:
    values = {"base_url": server.base_url, "model": "fake-model", "timeout": 5.0, "max_retries": 0}
    values.update(overrides)
    return llm.ModelSettings(**values)


# ---- completion and streaming ----------------------------------------------------------------


def test_complete_returns_text_usage_and_sends_the_prompt(fake_openai):
    answer = "2023年度支出合计 1200.50 万元，其中基本支出 474.82 万元。"
    fake_openai.script(answer)
    result = asyncio.run(llm.complete(model_settings(fake_openai, temperature=0.3), PROMPT))

    assert result.text == answer
    assert result.model == "fake-model"
    assert result.finish_reason == "stop" and not result.truncated
    # The fake counts one token per character; these numbers must be the server's, not an estimate.
    prompt_chars = sum(len(text) for _, text in PROMPT)
    assert (result.input_tokens, result.output_tokens) == (prompt_chars, len(answer))
    assert result.total_tokens == prompt_chars + len(answer)
    assert result.usage_estimated is False

    [request] = fake_openai.chat_requests
    assert request.model == "fake-model"
    assert request.temperature == 0.3
    assert not request.stream
    assert [(m["role"], m["content"]) for m in request.messages] == [
        ("system", PROMPT[0][1]),
        ("user", PROMPT[1][1]),
    ]
    assert request.headers["authorization"] == f"Bearer {llm.PLACEHOLDER_API_KEY}"


def test_complete_sends_the_configured_key(fake_openai):
    fake_openai.script("好的")
    asyncio.run(llm.complete(model_settings(fake_openai, api_key=SECRET), ["你好"]))
    assert fake_openai.requests[0].headers["authorization"] == f"Bearer {SECRET}"


def test_usage_is_estimated_when_the_server_reports_none(fake_openai):
    body = {
        "id": "x",
        "object": "chat.completion",
        "created": 0,
        "model": "fake-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "预算执行率为 98.76%。"},
                "finish_reason": "stop",
            }
        ],
    }
    fake_openai.script(Reply(raw_body=json.dumps(body, ensure_ascii=False).encode()))
    result = asyncio.run(llm.complete(model_settings(fake_openai), PROMPT))
    assert result.usage_estimated is True
    assert result.input_tokens == tokens.count_tokens(PROMPT)
    assert result.output_tokens == tokens.count_tokens("预算执行率为 98.76%。")


def test_stream_delivers_pieces_in_order_and_returns_the_whole(fake_openai):
    pieces = ["本年度", "支出合计", "1200.50", "万元，", "较上年", "增长", "3.2%。"]
    fake_openai.script(Reply(content="".join(pieces), chunks=pieces))
    received: list[str] = []
    result = asyncio.run(llm.stream(model_settings(fake_openai), PROMPT, received.append))

    assert received == pieces
    assert result.text == "".join(pieces)
    assert result.output_tokens == len(pieces)  # from the usage chunk the client asked for
    assert result.usage_estimated is False
    [request] = fake_openai.chat_requests
    assert request.stream
    assert request.body["stream_options"] == {"include_usage": True}


def test_stream_accepts_an_async_callback(fake_openai):
    fake_openai.script(Reply(content="甲乙丙", chunks=["甲", "乙", "丙"]))
    received: list[str] = []

    async def on_token(piece: str) -> None:
        await asyncio.sleep(0)
        received.append(piece)

    result = asyncio.run(llm.stream(model_settings(fake_openai), ["开始"], on_token))
    assert received == ["甲", "乙", "丙"] and result.text == "甲乙丙"


def test_stream_without_usage_option_estimates_usage(fake_openai):
    fake_openai.script(Reply(content="结转结余为零。"))
    settings = model_settings(fake_openai, stream_usage=False)
    result = asyncio.run(llm.stream(settings, ["问"], lambda piece: None))
    assert "stream_options" not in fake_openai.requests[0].body
    assert result.usage_estimated is True
    assert result.output_tokens == tokens.count_tokens("结转结余为零。")


def test_calls_work_across_event_loops(fake_openai):
    """One asyncio.run per call (as the CLI and Streamlit do) against a keep-alive server."""
    settings = model_settings(fake_openai)
    for i in range(3):
        assert asyncio.run(llm.complete(settings, [f"第{i}次"])).text == f"回声：第{i}次"
    assert len(fake_openai.chat_requests) == 3


def test_complete_many_keeps_order_and_caps_concurrency(fake_openai):
    def answer_slowly(request):
        return Reply(content="答：" + request["messages"][-1]["content"], delay=0.15)

    fake_openai.script(default=answer_slowly)
    questions = [f"第{i}节" for i in range(6)]
    settings = model_settings(fake_openai, max_concurrency=2)
    results = asyncio.run(llm.complete_many(settings, [[q] for q in questions]))

    assert [r.text for r in results] == [f"答：{q}" for q in questions]
    assert fake_openai.max_in_flight == 2


def test_complete_many_can_return_failures_in_place(fake_openai):
    def responder(request):
        question = request["messages"][-1]["content"]
        return Reply(status=400, content="bad") if "坏" in question else "好：" + question

    fake_openai.script(default=responder)
    results = asyncio.run(
        llm.complete_many(model_settings(fake_openai), [["一"], ["坏"], ["三"]], return_exceptions=True)
    )
    assert results[0].text == "好：一" and results[2].text == "好：三"
    assert isinstance(results[1], llm.ModelError) and results[1].kind == "bad_request"

    with pytest.raises(llm.ModelError) as caught:
        asyncio.run(llm.complete_many(model_settings(fake_openai), [["一"], ["坏"]]))
    assert caught.value.kind == "bad_request"
    assert isinstance(caught.value.__cause__, openai.BadRequestError)


# ---- failures --------------------------------------------------------------------------------


def test_slow_server_times_out_with_a_model_error(fake_openai):
    fake_openai.script(slow(2.0))
    started = time.monotonic()
    with pytest.raises(llm.ModelError) as caught:
        asyncio.run(llm.complete(model_settings(fake_openai, timeout=0.5), PROMPT))
    assert time.monotonic() - started < 1.9  # gave up before the 2 s server answered
    assert caught.value.kind == "timeout"
    assert "超时" in str(caught.value)


def test_stalled_stream_times_out_with_a_model_error(fake_openai):
    fake_openai.script(Reply(content="甲乙", chunks=["甲", "乙"], chunk_delay=2.0))
    received: list[str] = []
    started = time.monotonic()
    with pytest.raises(llm.ModelError) as caught:
        asyncio.run(llm.stream(model_settings(fake_openai, timeout=0.5), PROMPT, received.append))
    assert time.monotonic() - started < 1.9  # gave up before the 2 s server answered
    assert caught.value.kind == "timeout"
    assert received == []


def test_timeout_is_retried_before_giving_up(fake_openai):
    fake_openai.script(slow(2.0), "第二次成功")
    result = asyncio.run(llm.complete(model_settings(fake_openai, timeout=0.5, max_retries=1), PROMPT))
    assert result.text == "第二次成功"
    assert len(fake_openai.chat_requests) == 2


@pytest.mark.parametrize("failure", [rate_limited, server_error], ids=["429", "500"])
def test_transient_failure_then_success_is_retried(fake_openai, failure):
    fake_openai.script(failure(), "重试后成功")
    result = asyncio.run(llm.complete(model_settings(fake_openai, max_retries=1), PROMPT))
    assert result.text == "重试后成功"
    assert len(fake_openai.chat_requests) == 2


def test_stream_is_retried_after_a_rate_limit(fake_openai):
    fake_openai.script(rate_limited(), Reply(content="流式重试", chunks=["流式", "重试"]))
    received: list[str] = []
    result = asyncio.run(llm.stream(model_settings(fake_openai, max_retries=1), PROMPT, received.append))
    assert received == ["流式", "重试"] and result.text == "流式重试"
    assert len(fake_openai.chat_requests) == 2


@pytest.mark.parametrize(
    ("failure", "kind", "words"),
    [(rate_limited, "rate_limited", "繁忙"), (server_error, "unavailable", "不可用")],
    ids=["429", "500"],
)
def test_exhausted_retries_raise_a_model_error(fake_openai, failure, kind, words):
    fake_openai.script(failure(), failure(), "太迟了")
    with pytest.raises(llm.ModelError) as caught:
        asyncio.run(llm.complete(model_settings(fake_openai, max_retries=1), PROMPT))
    assert caught.value.kind == kind
    assert words in str(caught.value) and "已重试 1 次" in str(caught.value)
    assert len(fake_openai.chat_requests) == 2


@pytest.mark.parametrize(
    "body",
    [
        b'{"id": "chatcmpl-x", "choices": [ this is not json',
        b"<html><body>502 Bad Gateway</body></html>",
        b'{"unexpected": true}',
    ],
    ids=["truncated-json", "html", "wrong-shape"],
)
def test_malformed_body_raises_a_model_error(fake_openai, body):
    fake_openai.script(malformed(body))
    with pytest.raises(llm.ModelError) as caught:
        asyncio.run(llm.complete(model_settings(fake_openai), PROMPT))
    assert caught.value.kind == "malformed"
    assert "格式错误" in str(caught.value)


def test_malformed_stream_raises_a_model_error(fake_openai):
    fake_openai.script(malformed(b"data: {not json\n\n"))
    with pytest.raises(llm.ModelError) as caught:
        asyncio.run(llm.stream(model_settings(fake_openai), PROMPT, lambda piece: None))
    assert caught.value.kind == "malformed"


def test_empty_answer_raises_a_model_error(fake_openai):
    fake_openai.script(Reply(content="   "))
    with pytest.raises(llm.ModelError) as caught:
        asyncio.run(llm.complete(model_settings(fake_openai), PROMPT))
    assert caught.value.kind == "empty"


@pytest.mark.parametrize(
    ("status", "kind"),
    [(401, "auth"), (404, "not_found"), (400, "bad_request")],
)
def test_client_errors_are_not_retried(fake_openai, status, kind):
    fake_openai.script(Reply(status=status, content="拒绝"), "不该用到")
    with pytest.raises(llm.ModelError) as caught:
        asyncio.run(llm.complete(model_settings(fake_openai, max_retries=2), PROMPT))
    assert caught.value.kind == kind
    assert len(fake_openai.chat_requests) == 1


def test_context_overflow_is_named(fake_openai):
    message = "This model's maximum context length is 4096 tokens. However, you requested 9000 tokens."
    fake_openai.script(Reply(status=400, content=message))
    with pytest.raises(llm.ModelError) as caught:
        asyncio.run(llm.complete(model_settings(fake_openai), PROMPT))
    assert caught.value.kind == "context_overflow"


def test_unreachable_local_server_is_unavailable():
    # Port 9 on loopback: nothing listens, the connection is refused at once.
    settings = llm.ModelSettings(base_url="http://127.0.0.1:9/v1", model="m", timeout=1, max_retries=0)
    with pytest.raises(llm.ModelError) as caught:
        asyncio.run(llm.complete(settings, PROMPT))
    assert caught.value.kind == "unavailable"
    assert "无法连接" in str(caught.value)


def test_non_loopback_endpoint_is_refused_by_the_network_guard():
    settings = llm.ModelSettings(base_url="http://10.255.255.1:8000/v1", model="m", timeout=1, max_retries=0)
    with pytest.raises(llm.ModelError) as caught:
        asyncio.run(llm.complete(settings, PROMPT))
    assert caught.value.kind == "unavailable"
    # The guard refused the connection; the SDK surfaces it inside an exception group.
    assert caught.value.__cause__ is not None
    assert _contains(caught.value.__cause__, NetworkBlocked)


def _contains(error: BaseException, kind: type[BaseException]) -> bool:
    if isinstance(error, kind):
        return True
    nested = list(error.exceptions) if isinstance(error, BaseExceptionGroup) else []
    nested += [e for e in (error.__cause__, error.__context__) if e is not None]
    return any(_contains(e, kind) for e in nested)


# ---- the lying responder ---------------------------------------------------------------------


def test_lying_responder_rewrites_numbers_and_slots_and_is_recorded(fake_openai):
    honest = "支出合计【决算.支出合计】万元，其中【决算.基本支出】万元，占比 39.55%，较上年增长 12 个百分点。"
    fake_openai.script(lying(lambda request: honest))
    result = asyncio.run(llm.complete(model_settings(fake_openai), PROMPT))

    [request] = fake_openai.chat_requests
    assert request.reply.truthful == honest
    assert request.reply.content == result.text != honest
    assert re.findall(r"\d+(?:\.\d+)?", result.text) == ["39.56", "13"]
    assert result.text.index("【决算.基本支出】") < result.text.index("【决算.支出合计】")


def test_falsify_changes_every_number():
    text = "执行率 98.76%，人数 15 人，2023年"
    lie = falsify(text)
    assert re.findall(r"\d+(?:\.\d+)?", lie) == ["98.77", "16", "2024"]


# ---- other endpoints of the fake -------------------------------------------------------------


def test_fake_serves_models_and_deterministic_embeddings(fake_openai):
    client = openai.OpenAI(base_url=fake_openai.base_url, api_key="EMPTY", max_retries=0)
    try:
        assert [m.id for m in client.models.list()] == ["fake-model"]
        first = client.embeddings.create(model="fake-embed", input=["部门决算", "三公经费"])
        again = client.embeddings.create(model="fake-embed", input="部门决算", encoding_format="float")
    finally:
        client.close()
    vectors = [d.embedding for d in first.data]
    assert len(vectors) == 2 and all(len(v) == 8 for v in vectors)
    assert vectors[0] != vectors[1]
    assert again.data[0].embedding == pytest.approx(vectors[0], abs=1e-6)
    assert again.data[0].embedding == pytest.approx(fake_embedding("部门决算"), abs=1e-6)


# ---- settings --------------------------------------------------------------------------------


def test_settings_from_env():
    env = {
        "OPENAI_BASE_URL": "http://127.0.0.1:11434/v1",
        "OPENAI_API_KEY": SECRET,
        "ASSISTANT_MODEL": "qwen2.5:7b",
        "ASSISTANT_TEMPERATURE": "0.5",
        "ASSISTANT_TIMEOUT": "30",
        "ASSISTANT_MAX_RETRIES": "1",
        "ASSISTANT_MAX_CONCURRENCY": "3",
    }
    settings = llm.ModelSettings.from_env(env)
    assert settings.configured
    assert (settings.base_url, settings.model) == ("http://127.0.0.1:11434/v1", "qwen2.5:7b")
    assert (settings.temperature, settings.timeout) == (0.5, 30.0)
    assert (settings.max_retries, settings.max_concurrency) == (1, 3)
    assert settings.api_key.get_secret_value() == SECRET and settings.has_real_key
    assert "qwen2.5:7b" in settings.describe()

    assert llm.ModelSettings.from_env(env, model="other").model == "other"


def test_settings_default_offline_and_placeholder_key():
    env = {"OPENAI_BASE_URL": "http://127.0.0.1:8000/v1", "ASSISTANT_MODEL": "  "}
    settings = llm.ModelSettings.from_env(env)
    assert not settings.configured
    assert settings.describe() == "未配置模型（使用模板起草）"
    assert settings.api_key.get_secret_value() == "EMPTY" and not settings.has_real_key
    assert settings.temperature == 0.2

    with pytest.raises(llm.ModelError) as caught:
        llm.make_chat_model(settings)
    assert caught.value.kind == "not_configured"
    with pytest.raises(llm.ModelError):
        asyncio.run(llm.complete(settings, PROMPT))


def test_settings_reject_bad_values_in_chinese():
    with pytest.raises(llm.ModelError) as caught:
        llm.ModelSettings.from_env({"ASSISTANT_MODEL": "m", "ASSISTANT_TIMEOUT": "快"})
    assert caught.value.kind == "config" and "ASSISTANT_TIMEOUT" in str(caught.value)
    with pytest.raises(llm.ModelError) as caught:
        llm.ModelSettings.from_env({"ASSISTANT_MODEL": "m", "ASSISTANT_TEMPERATURE": "5"})
    assert caught.value.kind == "config" and "temperature" in str(caught.value)


def test_api_key_never_leaks():
    settings = llm.ModelSettings(base_url="http://127.0.0.1:8000/v1", model="m", api_key=SECRET)
    chat_model = llm.make_chat_model(settings)
    shown = [
        repr(settings),
        str(settings),
        str(settings.model_dump()),
        settings.model_dump_json(),
        settings.describe(),
        repr(chat_model),
        str(chat_model),
    ]
    for text in shown:
        assert SECRET not in text
    assert "api_key" not in settings.model_dump()


def test_make_chat_model_carries_the_settings():
    settings = llm.ModelSettings(
        base_url="http://127.0.0.1:8000/v1", model="m", temperature=0.7, timeout=12, max_retries=4
    )
    chat_model = llm.make_chat_model(settings)
    assert chat_model.model_name == "m"
    assert chat_model.openai_api_base == "http://127.0.0.1:8000/v1"
    assert (chat_model.temperature, chat_model.request_timeout, chat_model.max_retries) == (0.7, 12, 4)
    assert chat_model.use_responses_api is False


# ---- tokens ----------------------------------------------------------------------------------

SECTION = (
    "2023年度，本单位一般公共预算财政拨款支出合计 1200.50 万元。"
    "其中基本支出 474.82 万元，占 39.55%；项目支出 725.68 万元，占 60.45%。"
    "“三公”经费支出 3.20 万元，较上年减少 0.80 万元！"
    "下一步将加强预算执行监控？"
)


def test_count_tokens_on_chinese_text_and_messages():
    count = tokens.count_tokens(SECTION)
    assert 0 < count < len(SECTION)  # o200k merges common Chinese words and numbers
    assert tokens.count_tokens(SECTION, encoding="cl100k_base") > 0
    assert tokens.count_tokens("") == 0
    assert tokens.count_tokens("<|endoftext|>") > 0  # quoted special tokens are just text

    messages = [("system", "起草助手"), ("user", SECTION)]
    assert tokens.count_tokens(messages) > tokens.count_tokens("起草助手") + count
    dict_messages = [{"role": "system", "content": "起草助手"}, {"role": "user", "content": SECTION}]
    assert tokens.count_tokens(dict_messages) == tokens.count_tokens(messages)


def test_split_sentences_keeps_text_and_punctuation():
    sentences = tokens.split_sentences(SECTION)
    assert "".join(sentences) == SECTION
    assert len(sentences) == 5  # 。；。！？ each end one
    assert sentences[1].endswith("；") and sentences[3].endswith("！") and sentences[4].endswith("？")
    assert tokens.split_sentences("第一行\n第二行") == ["第一行\n", "第二行"]


def test_fit_to_budget_drops_lowest_ranked_then_cuts_at_a_sentence():
    fixed = ["你是起草助手。", "请写部门决算部分。"]
    chunks = ["甲" * 40 + "。", SECTION, "最不相关的资料。" * 20]
    fixed_cost = sum(tokens.count_tokens(p) for p in fixed)
    sep = tokens.count_tokens("\n\n")
    first = tokens.count_tokens(chunks[0])
    two_sentences = "".join(tokens.split_sentences(SECTION)[:2])
    budget = fixed_cost + first + sep + tokens.count_tokens(two_sentences) + sep + 2

    kept, used = tokens.fit_to_budget(fixed, chunks, budget)
    assert kept == [chunks[0], two_sentences]
    assert used == fixed_cost + first + tokens.count_tokens(two_sentences) + 2 * sep
    assert used <= budget

    everything, used_all = tokens.fit_to_budget(fixed, chunks, 10_000)
    assert everything == chunks and used_all < 10_000

    nothing, used_none = tokens.fit_to_budget(fixed, chunks, fixed_cost)
    assert (nothing, used_none) == ([], fixed_cost)


def test_fit_to_budget_cuts_the_top_chunk_when_it_alone_is_too_big():
    kept, used = tokens.fit_to_budget([], [SECTION], tokens.count_tokens(SECTION) - 1)
    assert len(kept) == 1 and SECTION.startswith(kept[0]) and kept[0] != SECTION
    assert kept[0].endswith(("。", "！", "；"))


def test_fit_to_budget_refuses_when_fixed_parts_overflow():
    with pytest.raises(tokens.BudgetExceeded, match="超过预算"):
        tokens.fit_to_budget([SECTION], ["资料"], 5)


SENTENCES = tokens.split_sentences(SECTION) + ["补充资料一。", "第二段\n第三段。"]


@hypothesis_settings(max_examples=60, deadline=None)
@given(
    # chunks of one or two sentences each, in rank order
    chunks=st.lists(st.sampled_from(SENTENCES), max_size=6).map(
        lambda parts: ["".join(parts[i : i + 2]) for i in range(0, len(parts), 2)]
    ),
    budget=st.integers(min_value=5, max_value=200),
)
def test_fit_to_budget_stays_within_budget_and_keeps_a_ranked_prefix(chunks, budget):
    fixed = ["固定提示。"]
    kept, used = tokens.fit_to_budget(fixed, chunks, budget)
    assert used <= budget
    assert len(kept) <= len(chunks)
    for i, chunk in enumerate(kept):
        if i < len(kept) - 1:
            assert chunk == chunks[i]
        else:
            assert chunks[i].startswith(chunk) and chunk


def test_an_error_in_the_token_callback_is_not_disguised(fake_openai):
    fake_openai.script(Reply(content="甲乙", chunks=["甲", "乙"]))

    def on_token(piece: str) -> None:
        raise KeyError("界面出错")

    with pytest.raises(KeyError):
        asyncio.run(llm.stream(model_settings(fake_openai), PROMPT, on_token))


# ---- complete answers only, and real providers' response shapes --------------------------------

from assistant.llm.thinking import ThinkFilter, split_thinking  # noqa: E402
from tests.fake_openai import (  # noqa: E402
    FIXTURES,
    cut_stream,
    length_cut,
    load_fixture,
    no_finish_reason,
    recorded,
    thinking,
)

FIXTURE_NAMES = sorted(p.name for p in FIXTURES.glob("*.json"))
_DIGITS = re.compile(r"\d+(?:\.\d+)?")


def _run_fixture(fake, name):
    fixture = load_fixture(name)
    fake.script(recorded(name))
    settings = model_settings(fake, model=fixture.get("body", {}).get("model") or "fake-model")
    pieces: list[str] = []
    thoughts: list[str] = []
    if fixture["stream"]:
        result = asyncio.run(llm.stream(settings, PROMPT, pieces.append, max_tokens=900, on_reasoning=thoughts.append))
    else:
        result = asyncio.run(llm.complete(settings, PROMPT, max_tokens=900))
    return fixture, result, pieces, thoughts


def test_fixtures_cover_every_named_provider_streamed_and_not():
    shapes = {(load_fixture(n)["provider"].split(" ")[0], load_fixture(n)["stream"]) for n in FIXTURE_NAMES}
    for provider in ("OpenAI", "DeepSeek", "Qwen", "vLLM", "Ollama"):
        assert (provider, True) in shapes and (provider, False) in shapes, provider
    for name in FIXTURE_NAMES:
        assert load_fixture(name)["source"].startswith("http"), name


@pytest.mark.parametrize("name", [n for n in FIXTURE_NAMES if "error" not in load_fixture(n)["expect"]])
def test_recorded_provider_shapes_replay_through_the_real_client(fake_openai, name):
    fixture, result, pieces, thoughts = _run_fixture(fake_openai, name)
    expect = fixture["expect"]
    assert result.text == expect["text"]
    assert result.finish_reason == expect["finish_reason"] and result.finished_normally
    assert (result.input_tokens, result.output_tokens) == (expect["input_tokens"], expect["output_tokens"])
    assert result.usage_estimated is False
    assert result.reasoning.strip() == expect["reasoning"].strip()
    if "reasoning_tokens" in expect:
        assert result.reasoning_tokens == expect["reasoning_tokens"]  # the server's own count
    elif expect["reasoning"]:
        assert result.reasoning_tokens == tokens.count_tokens(result.reasoning)  # estimated
    # The thinking's figures never reach the answer, streamed or whole.
    if expect["reasoning"]:
        assert not set(_DIGITS.findall(expect["reasoning"])) & set(_DIGITS.findall(result.text))
        assert "<think>" not in result.text and "</think>" not in result.text
    if fixture["stream"]:
        assert "".join(pieces) == expect["text"].strip() or "".join(pieces).strip() == expect["text"]
        assert "".join(thoughts).strip() == expect["reasoning"].strip()
    [request] = fake_openai.chat_requests
    assert request.body["max_tokens"] == 900 and "max_completion_tokens" not in request.body


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_recorded_shapes_parse_in_the_plain_openai_sdk(fake_openai, name):
    fixture = load_fixture(name)
    fake_openai.script(recorded(name))
    client = openai.OpenAI(base_url=fake_openai.base_url, api_key="EMPTY", max_retries=0)
    try:
        if fixture["stream"]:
            chunks = list(client.chat.completions.create(model="m", messages=[{"role": "user", "content": "问"}], stream=True))
            text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
            finish = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
        else:
            response = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "问"}])
            text, finish = response.choices[0].message.content, [response.choices[0].finish_reason]
    finally:
        client.close()
    assert text and finish


def test_recorded_length_cut_is_rejected_as_truncated(fake_openai):
    with pytest.raises(llm.ModelError) as caught:
        _run_fixture(fake_openai, "ollama-length-stream.json")
    assert caught.value.kind == "truncated" and "截断" in str(caught.value)
    assert caught.value.completion is not None and caught.value.completion.finish_reason == "length"


def test_max_tokens_goes_under_the_name_the_server_reads(fake_openai):
    fake_openai.script("好", "好", "好")
    asyncio.run(llm.complete(model_settings(fake_openai), PROMPT, max_tokens=321))
    asyncio.run(llm.complete(model_settings(fake_openai, max_tokens_field="max_completion_tokens"), PROMPT, max_tokens=321))
    asyncio.run(llm.complete(model_settings(fake_openai, max_output_tokens=100), PROMPT, max_tokens=321))
    first, second, third = fake_openai.chat_requests
    assert first.body.get("max_tokens") == 321 and "max_completion_tokens" not in first.body
    assert second.body.get("max_completion_tokens") == 321 and "max_tokens" not in second.body
    assert third.max_tokens == 100  # the provider's ceiling wins
    assert llm.ModelSettings(model="gpt-4o").output_limit_field == "max_completion_tokens"


@pytest.mark.parametrize("streamed", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        (lambda: length_cut("决算支出【final.expe"), "truncated"),
        (lambda: no_finish_reason("决算支出【final.expenditure.total】。"), "incomplete"),
        (lambda: Reply(content="决算支出【final.expenditure.total】。", finish_reason="content_filter"), "incomplete"),
        (lambda: Reply(content="<think>决算支出是155.29万元，先想一想", finish_reason="stop"), "truncated"),
        (lambda: thinking("", "想了很久：155.29、39.78……"), "empty"),
    ],
    ids=["length", "no-finish-reason", "content-filter", "unclosed-think", "thinking-only"],
)
def test_an_answer_that_did_not_end_normally_is_refused(fake_openai, reply, kind, streamed):
    fake_openai.script(reply())
    settings = model_settings(fake_openai)
    with pytest.raises(llm.ModelError) as caught:
        if streamed:
            asyncio.run(llm.stream(settings, PROMPT, lambda piece: None))
        else:
            asyncio.run(llm.complete(settings, PROMPT))
    assert caught.value.kind == kind
    assert re.search(r"[\u4e00-\u9fff]", str(caught.value))


def test_a_stream_cut_mid_slot_is_incomplete(fake_openai):
    fake_openai.script(cut_stream("本年度决算支出【final.expenditure.total】，较年初预算增加。", after=5))
    received: list[str] = []
    with pytest.raises(llm.ModelError) as caught:
        asyncio.run(llm.stream(model_settings(fake_openai), PROMPT, received.append))
    assert caught.value.kind == "incomplete"
    assert "".join(received).startswith("本年度决算支出")  # delivered pieces were provisional only


@pytest.mark.parametrize("field", ["reasoning_content", "reasoning", None], ids=["reasoning_content", "reasoning", "inline"])
@pytest.mark.parametrize("streamed", [False, True], ids=["json", "stream"])
def test_thinking_is_kept_out_of_the_answer_and_counted(fake_openai, field, streamed):
    answer = "决算支出【final.expenditure.total】。"
    thought = "决算支出155.29万元，预算39.78万元，增长290%。"
    fake_openai.script(thinking(answer, thought, field=field))
    pieces: list[str] = []
    settings = model_settings(fake_openai)
    if streamed:
        result = asyncio.run(llm.stream(settings, PROMPT, pieces.append))
        assert "".join(pieces).strip() == answer
    else:
        result = asyncio.run(llm.complete(settings, PROMPT))
    assert result.text == answer
    assert result.reasoning == thought
    [request] = fake_openai.chat_requests
    if field is None:  # inline: no breakdown from the server, a tiktoken estimate within its count
        assert result.reasoning_tokens == min(tokens.count_tokens(thought), result.output_tokens) > 0
    else:  # the server's own breakdown
        reported = -(-len(thought) // 6) if streamed else len(thought)  # the fake's count: pieces or characters
        assert result.reasoning_tokens == reported
    assert 0 < result.reasoning_tokens <= result.output_tokens
    assert result.answer_tokens == result.output_tokens - result.reasoning_tokens


def test_split_thinking_shapes():
    assert split_thinking("<think>a 1</think>\n\n正文") == ("正文", "a 1", True)
    # The template opened the block (DeepSeek-R1): only the closing tag is in the content.
    assert split_thinking("想 155.29\n</think>\n\n正文") == ("正文", "想 155.29", True)
    assert split_thinking("正文<think>还在想 3") == ("正文", "还在想 3", False)
    assert split_thinking("甲<think>x</think>乙<THINK>y</THINK>丙") == ("甲乙丙", "xy", True)
    assert split_thinking("没有思考") == ("没有思考", "", True)


@given(st.lists(st.integers(min_value=1, max_value=7), min_size=1, max_size=40))
def test_think_filter_matches_split_thinking_for_any_chunking(cuts):
    content = "<think>\n先算 155.29 与 39.78\n</think>\n\n决算支出【final.expenditure.total】。<think>再想 2</think>完。"
    pieces, at = [], 0
    for cut in cuts:
        pieces.append(content[at : at + cut])
        at += cut
    pieces.append(content[at:])
    flt = ThinkFilter()
    answer, thought = "", ""
    for piece in pieces:
        a, t = flt.feed(piece)
        answer, thought = answer + a, thought + t
    a, t = flt.flush()
    answer, thought = answer + a, thought + t
    text, expected_thought, _ = split_thinking(content)
    assert answer.strip() == text
    assert "155.29" not in answer and "2" not in answer.replace("【final.expenditure.total】", "")
    assert thought.replace("\n", "").replace(" ", "") == expected_thought.replace("\n", "").replace(" ", "")


def test_reasoning_model_names_get_a_thinking_allowance():
    assert llm.ModelSettings(model="deepseek-reasoner").thinking_allowance() > 0
    assert llm.ModelSettings(model="qwen3:8b").thinking_allowance() > 0
    assert llm.ModelSettings(model="qwen2.5:7b").thinking_allowance() == 0
    assert llm.ModelSettings(model="qwen2.5:7b", thinking_tokens=512).thinking_allowance() == 512
    env = {"ASSISTANT_MODEL": "m", "ASSISTANT_THINKING_TOKENS": "2048", "ASSISTANT_MAX_OUTPUT_TOKENS": "8192"}
    settings = llm.ModelSettings.from_env(env)
    assert (settings.thinking_tokens, settings.max_output_tokens) == (2048, 8192)
