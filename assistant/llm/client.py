"""Model settings and chat calls: every provider behind one OpenAI-compatible interface.

OpenAI itself, a local vLLM or Ollama server, LM Studio and the hosted Chinese APIs that speak the
OpenAI protocol are all reached the same way, chosen by `base_url` and `model`. With no model name
set, nothing is configured and the drafter falls back to templates: the default path never touches
the network.

`complete` and `stream` wrap LangChain's `ChatOpenAI` (`ainvoke` / `astream`) and turn every
failure (timeout, exhausted retries, refused key, malformed answer) into one `ModelError` with a
Chinese message the interface can show as is.

Only complete answers come back: a call may carry `max_tokens`, and an answer cut at that limit
(finish reason "length"), one that ends without a finish reason (a cut stream, a server that
closed early) or with any other abnormal reason (content filter) raises `ModelError` (kinds
"truncated" / "incomplete", the rejected answer attached). A reasoning model's thinking —
`<think>…</think>` in the content, or a separate `reasoning_content`/`reasoning` field, which
`ChatOpenAI` itself drops — is taken out of the answer, kept apart and counted.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import openai
import pydantic
from langchain_core.exceptions import ContextOverflowError
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, convert_to_messages
from langchain_openai import ChatOpenAI

from assistant.llm import budget as tokens
from assistant.llm.thinking import ThinkFilter, split_thinking
from assistant.llm.model_settings import (  # noqa: F401 - re-exported: the settings live in a light module
    ENV_API_KEY,
    ENV_BASE_URL,
    ENV_MAX_CONCURRENCY,
    ENV_MAX_RETRIES,
    ENV_MODEL,
    ENV_TEMPERATURE,
    ENV_TIMEOUT,
    PLACEHOLDER_API_KEY,
    ErrorKind,
    ModelError,
    ModelSettings,
)

# A message as LangChain accepts it: a BaseMessage, {"role": ..., "content": ...}, (role, text)
# or a bare string (a user message).
MessageLike = BaseMessage | Mapping[str, Any] | tuple[str, str] | str
Messages = Sequence[MessageLike]


# Finish reasons of an answer that ended by itself: OpenAI and every compatible server say "stop";
# TGI and some llama.cpp builds say "eos", Anthropic-style gateways "end_turn".
NORMAL_FINISH = frozenset({"stop", "eos", "end_turn", "stop_sequence"})

# Where servers put a reasoning model's thinking beside the content (see assistant.llm.thinking).
_REASONING_FIELDS = ("reasoning_content", "reasoning")


@dataclass(frozen=True)
class Completion:
    """A model's answer with its token usage (estimated with tiktoken when the server gave none).

    `text` is the answer alone; the model's thinking, wherever the server put it, is in `reasoning`
    and never in `text`. `output_tokens` includes the thinking tokens (providers bill them as output);
    `reasoning_tokens` is their share (the server's count, else a tiktoken estimate)."""

    text: str
    model: str
    input_tokens: int
    output_tokens: int
    finish_reason: str | None = None  # "length": cut at max tokens; None: no normal end was seen
    usage_estimated: bool = False
    reasoning: str = ""
    reasoning_tokens: int = 0
    thinking_closed: bool = True  # False: the content opened <think> and never closed it
    max_tokens: int | None = None  # the output limit the call asked for

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    @property
    def truncated(self) -> bool:
        return self.finish_reason == "length"

    @property
    def finished_normally(self) -> bool:
        return self.finish_reason in NORMAL_FINISH and self.thinking_closed

    @property
    def answer_tokens(self) -> int:
        return max(0, self.output_tokens - self.reasoning_tokens)


class _CompatibleChatOpenAI(ChatOpenAI):
    """`ChatOpenAI` that keeps the fields OpenAI-compatible servers add and sends the output limit
    under the name the server reads.

    ChatOpenAI targets OpenAI's own API: it drops `reasoning_content`/`reasoning` (so a reasoning
    model's thinking would vanish uncounted, or — for servers that put it in the content — stay in
    the answer), and it renames `max_tokens` to `max_completion_tokens`, which DeepSeek, DashScope
    and Ollama ignore.
    """

    output_limit_field: str = "max_completion_tokens"

    def _get_request_payload(self, input_: Any, *, stop: list[str] | None = None, **kwargs: Any) -> dict:
        payload = super()._get_request_payload(input_, stop=stop, **kwargs)
        limit = payload.pop("max_completion_tokens", None)
        limit = payload.pop("max_tokens", limit)
        if limit is not None:
            payload[self.output_limit_field] = limit
        return payload

    def _create_chat_result(self, response: Any, generation_info: dict | None = None) -> Any:
        result = super()._create_chat_result(response, generation_info)
        data = response if isinstance(response, dict) else response.model_dump(warnings=False)
        for generation, choice in zip(result.generations, data.get("choices") or []):
            thinking = _reasoning_field(choice.get("message") or {})
            if thinking:
                generation.message.additional_kwargs["reasoning_content"] = thinking
        return result

    def _convert_chunk_to_generation_chunk(self, chunk: dict, default_chunk_class: type, base_generation_info: dict | None) -> Any:
        generation = super()._convert_chunk_to_generation_chunk(chunk, default_chunk_class, base_generation_info)
        choices = chunk.get("choices") or []
        if generation is not None and choices:
            thinking = _reasoning_field(choices[0].get("delta") or {})
            if thinking:
                generation.message.additional_kwargs["reasoning_content"] = thinking
        return generation


def _reasoning_field(message: Mapping[str, Any]) -> str:
    for name in _REASONING_FIELDS:
        value = message.get(name)
        if isinstance(value, str) and value:
            return value
    return ""


def make_chat_model(settings: ModelSettings, *, http_async_client: Any | None = None, max_tokens: int | None = None) -> ChatOpenAI:
    """A LangChain chat model for these settings (supports invoke/ainvoke/stream/astream).

    `complete`/`stream` pass a fresh `http_async_client` per call. Code that calls `ainvoke` on the
    returned model under more than one event loop (one `asyncio.run` per Streamlit action) should do
    the same: without it, ChatOpenAI shares a cached async HTTP client whose kept-alive connections
    belong to the first loop and fail on the next with "Event loop is closed".
    """
    if not settings.configured:
        raise ModelError("未配置模型：请设置 ASSISTANT_MODEL（以及 OPENAI_BASE_URL）后再试", kind="not_configured")
    return _CompatibleChatOpenAI(
        model=settings.model,
        max_tokens=max_tokens,
        output_limit_field=settings.output_limit_field,
        base_url=settings.base_url,
        api_key=settings.api_key,
        temperature=settings.temperature,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
        stream_usage=settings.stream_usage,
        stream_chunk_timeout=settings.timeout,
        # OpenAI-compatible servers implement chat/completions, not the Responses API; pin it so
        # neither a model name nor LC_OUTPUT_VERSION in the environment reroutes the calls.
        use_responses_api=False,
        http_async_client=http_async_client,
    )


@asynccontextmanager
async def _http_client(settings: ModelSettings):
    # One client per call, created and closed inside the running event loop (see make_chat_model).
    client = openai.DefaultAsyncHttpxClient(timeout=settings.timeout)
    try:
        yield client
    finally:
        await client.aclose()


# JSON that does not parse (ValueError) or parses into the wrong shape (the rest, raised while
# LangChain reads the missing fields).
_MALFORMED = (
    openai.APIResponseValidationError,
    pydantic.ValidationError,
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
)


def _translate(exc: BaseException, settings: ModelSettings) -> ModelError:
    """The Chinese ModelError for an exception raised by a model call."""
    where = settings.base_url or "OpenAI 官方接口"
    retried = f"（已重试 {settings.max_retries} 次）" if settings.max_retries else ""
    if isinstance(exc, ModelError):
        return exc
    if isinstance(exc, (openai.APITimeoutError, asyncio.TimeoutError, TimeoutError)):
        return ModelError(f"模型服务超时：{where} 超过 {settings.timeout:g} 秒未响应{retried}", kind="timeout")
    if isinstance(exc, openai.APIConnectionError):
        return ModelError(f"模型服务不可用：无法连接 {where}{retried}", kind="unavailable")
    if isinstance(exc, openai.RateLimitError):
        return ModelError(f"模型服务繁忙（HTTP 429 请求过多）{retried}，请稍后再试", kind="rate_limited")
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return ModelError("模型服务拒绝了 API 密钥：请检查 OPENAI_API_KEY", kind="auth")
    if isinstance(exc, openai.NotFoundError):
        return ModelError(f"模型服务上找不到模型“{settings.model}”：请检查 ASSISTANT_MODEL", kind="not_found")
    if isinstance(exc, ContextOverflowError) or (
        isinstance(exc, openai.BadRequestError) and "context length" in str(exc).lower()
    ):
        return ModelError("提示内容超出了模型的上下文长度：请减少参考资料后重试", kind="context_overflow")
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        if status >= 500:
            return ModelError(f"模型服务不可用（HTTP {status}）{retried}", kind="unavailable")
        return ModelError(f"模型服务拒绝了请求（HTTP {status}）：{exc.message}", kind="bad_request")
    if isinstance(exc, _MALFORMED):
        return ModelError("模型服务返回格式错误：无法解析模型的回答", kind="malformed")
    # Anything else (an SDK error without a status, a transport failure the SDK did not wrap):
    # the call gave nothing usable; name the cause so the user can report it.
    return ModelError(f"模型服务不可用：调用 {where} 失败（{type(exc).__name__}: {exc}）", kind="unavailable")


def _completion(message: BaseMessage, settings: ModelSettings, messages: Messages, max_tokens: int | None = None) -> Completion:
    content = tokens.message_text(message)
    text, inline_thinking, closed = split_thinking(content)
    field_thinking = str((message.additional_kwargs or {}).get("reasoning_content") or "")
    reasoning = "\n".join(part for part in (field_thinking.strip(), inline_thinking) if part)
    usage = (message.usage_metadata if isinstance(message, AIMessage) else None) or {}
    metadata = message.response_metadata or {}
    estimated = not usage
    reasoning_tokens = (usage.get("output_token_details") or {}).get("reasoning") if usage else None
    output_tokens = usage["output_tokens"] if usage else tokens.count_tokens(content) + (tokens.count_tokens(field_thinking) if field_thinking else 0)
    if not reasoning_tokens and reasoning:
        # The server did not break its count down: estimate, within what it says it produced.
        reasoning_tokens = min(tokens.count_tokens(reasoning), output_tokens)
    completion = Completion(
        text=text,
        model=metadata.get("model_name") or settings.model or "",
        input_tokens=usage["input_tokens"] if usage else tokens.count_tokens(messages),
        output_tokens=output_tokens,
        finish_reason=metadata.get("finish_reason"),
        usage_estimated=estimated,
        reasoning=reasoning,
        reasoning_tokens=int(reasoning_tokens or 0),
        thinking_closed=closed,
        max_tokens=max_tokens,
    )
    _require_complete(completion)
    return completion


def _require_complete(completion: Completion) -> None:
    """Raise ModelError unless the answer ended normally and has text (see the module docstring)."""
    thought = f"（其中思考过程约 {completion.reasoning_tokens} 个 token）" if completion.reasoning_tokens else ""
    if completion.truncated or not completion.thinking_closed:
        limit = f"（上限 {completion.max_tokens} 个 token）" if completion.max_tokens else ""
        if not completion.text:
            message = f"模型的回答被截断：输出达到最大长度{limit}时仍在思考，没有写出正文{thought}"
        else:
            message = f"模型的回答被截断（达到最大输出长度{limit}{thought}），正文不完整，无法使用"
        raise ModelError(message, kind="truncated", completion=completion)
    if not completion.text:
        if completion.reasoning:
            raise ModelError(f"模型只给出了思考过程，没有正文{thought}", kind="empty", completion=completion)
        raise ModelError("模型返回了空内容", kind="empty", completion=completion)
    if completion.finish_reason is None:
        raise ModelError(
            "模型的回答没有正常结束（服务未给出结束原因，回答可能在中途断开），无法确认完整，未采用",
            kind="incomplete",
            completion=completion,
        )
    if completion.finish_reason not in NORMAL_FINISH:
        why = {"content_filter": "被服务的内容过滤中止", "tool_calls": "转为调用工具"}.get(completion.finish_reason, f"结束原因为“{completion.finish_reason}”")
        raise ModelError(f"模型的回答没有正常结束（{why}），未采用", kind="incomplete", completion=completion)


async def _complete_with(model: ChatOpenAI, settings: ModelSettings, messages: Messages, max_tokens: int | None = None) -> Completion:
    prompt = convert_to_messages(messages)  # outside the try: a bad message is the caller's bug
    try:
        message = await model.ainvoke(prompt)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a ModelError, cause chained
        raise _translate(exc, settings) from exc
    return _completion(message, settings, prompt, max_tokens)


async def complete(settings: ModelSettings, messages: Messages, *, max_tokens: int | None = None) -> Completion:
    """One chat completion, limited to `max_tokens` output tokens (thinking included, where the
    server counts it) when given. Raises ModelError (Chinese message) on any failure, an empty
    answer, or an answer that did not end normally."""
    async with _http_client(settings) as client:
        model = make_chat_model(settings, http_async_client=client, max_tokens=_capped(settings, max_tokens))
        return await _complete_with(model, settings, messages, _capped(settings, max_tokens))


def _capped(settings: ModelSettings, max_tokens: int | None) -> int | None:
    if max_tokens is None or settings.max_output_tokens is None:
        return max_tokens
    return min(max_tokens, settings.max_output_tokens)


TokenCallback = Callable[[str], None] | Callable[[str], Awaitable[None]]


async def stream(
    settings: ModelSettings,
    messages: Messages,
    on_token: TokenCallback,
    *,
    max_tokens: int | None = None,
    on_reasoning: TokenCallback | None = None,
) -> Completion:
    """Stream a chat completion, calling `on_token(piece)` (sync or async) for each answer piece in
    order (thinking goes to `on_reasoning`, never to `on_token`); returns the whole answer. Raises
    ModelError like `complete` — after the stream ends, so pieces already delivered stay delivered
    and the caller must treat them as provisional until this returns."""
    prompt = convert_to_messages(messages)
    final: AIMessageChunk | None = None
    limit = _capped(settings, max_tokens)
    thinking = ThinkFilter()

    async def deliver(callback: TokenCallback | None, piece: str) -> None:
        if callback is None or not piece:
            return
        result = callback(piece)
        if inspect.isawaitable(result):
            await result

    async with _http_client(settings) as client:
        model = make_chat_model(settings, http_async_client=client, max_tokens=limit)
        async with aclosing(model.astream(prompt)) as chunks:
            while True:
                # Only the model call is translated: an error in the caller's on_token is theirs.
                try:
                    chunk = await anext(chunks)
                except StopAsyncIteration:
                    break
                except Exception as exc:  # noqa: BLE001 - every failure becomes a ModelError
                    raise _translate(exc, settings) from exc
                final = chunk if final is None else final + chunk
                answer, thought = thinking.feed(tokens.message_text(chunk))
                thought += str((chunk.additional_kwargs or {}).get("reasoning_content") or "")
                await deliver(on_reasoning, thought)
                await deliver(on_token, answer)
        answer, thought = thinking.flush()
        await deliver(on_reasoning, thought)
        await deliver(on_token, answer)
    if final is None:
        raise ModelError("模型服务返回格式错误：流式回答没有任何内容", kind="malformed")
    return _completion(final, settings, prompt, limit)


async def complete_many(
    settings: ModelSettings,
    conversations: Sequence[Messages],
    *,
    return_exceptions: bool = False,
) -> list[Completion | ModelError]:
    """Complete several prompts concurrently, at most `settings.max_concurrency` at a time.

    Results keep the order of `conversations`. With return_exceptions=True a failed prompt yields
    its ModelError in place (so one bad section does not sink the others); otherwise the first
    failure is raised and the calls still running are cancelled.
    """
    # The semaphore and the HTTP client are made here, inside the running loop that uses them.
    gate = asyncio.Semaphore(settings.max_concurrency)
    async with _http_client(settings) as client:
        model = make_chat_model(settings, http_async_client=client)

        async def one(messages: Messages) -> Completion:
            async with gate:
                return await _complete_with(model, settings, messages)

        if return_exceptions:
            results = await asyncio.gather(*(one(m) for m in conversations), return_exceptions=True)
            for result in results:
                if isinstance(result, BaseException) and not isinstance(result, ModelError):
                    raise result  # a bug, not a model failure
            return list(results)
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(one(m)) for m in conversations]
        except BaseExceptionGroup as failures:
            raise _first_leaf(failures)  # keeps its own __cause__, the SDK error
        return [task.result() for task in tasks]


def _first_leaf(group: BaseExceptionGroup) -> BaseException:
    first = group.exceptions[0]
    return _first_leaf(first) if isinstance(first, BaseExceptionGroup) else first
