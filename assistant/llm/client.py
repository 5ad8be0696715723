"""Model settings and chat calls: every provider behind one OpenAI-compatible interface.

OpenAI itself, a local vLLM or Ollama server, LM Studio and the hosted Chinese APIs that speak the
OpenAI protocol are all reached the same way, chosen by `base_url` and `model`. With no model name
set, nothing is configured and the drafter falls back to templates: the default path never touches
the network.

`complete` and `stream` wrap LangChain's `ChatOpenAI` (`ainvoke` / `astream`) and turn every
failure (timeout, exhausted retries, refused key, malformed answer) into one `ModelError` with a
Chinese message the interface can show as is.
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


@dataclass(frozen=True)
class Completion:
    """A model's answer with its token usage (estimated with tiktoken when the server gave none)."""

    text: str
    model: str
    input_tokens: int
    output_tokens: int
    finish_reason: str | None = None  # "length" means the answer was cut at max tokens
    usage_estimated: bool = False

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    @property
    def truncated(self) -> bool:
        return self.finish_reason == "length"


def make_chat_model(settings: ModelSettings, *, http_async_client: Any | None = None) -> ChatOpenAI:
    """A LangChain chat model for these settings (supports invoke/ainvoke/stream/astream).

    `complete`/`stream` pass a fresh `http_async_client` per call. Code that calls `ainvoke` on the
    returned model under more than one event loop (one `asyncio.run` per Streamlit action) should do
    the same: without it, ChatOpenAI shares a cached async HTTP client whose kept-alive connections
    belong to the first loop and fail on the next with "Event loop is closed".
    """
    if not settings.configured:
        raise ModelError("未配置模型：请设置 ASSISTANT_MODEL（以及 OPENAI_BASE_URL）后再试", kind="not_configured")
    return ChatOpenAI(
        model=settings.model,
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


def _completion(message: BaseMessage, settings: ModelSettings, messages: Messages) -> Completion:
    text = tokens.message_text(message)
    if not text.strip():
        raise ModelError("模型返回了空内容", kind="empty")
    usage = (message.usage_metadata if isinstance(message, AIMessage) else None) or {}
    metadata = message.response_metadata or {}
    estimated = not usage
    return Completion(
        text=text,
        model=metadata.get("model_name") or settings.model or "",
        input_tokens=usage["input_tokens"] if usage else tokens.count_tokens(messages),
        output_tokens=usage["output_tokens"] if usage else tokens.count_tokens(text),
        finish_reason=metadata.get("finish_reason"),
        usage_estimated=estimated,
    )


async def _complete_with(model: ChatOpenAI, settings: ModelSettings, messages: Messages) -> Completion:
    prompt = convert_to_messages(messages)  # outside the try: a bad message is the caller's bug
    try:
        message = await model.ainvoke(prompt)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a ModelError, cause chained
        raise _translate(exc, settings) from exc
    return _completion(message, settings, prompt)


async def complete(settings: ModelSettings, messages: Messages) -> Completion:
    """One chat completion. Raises ModelError (Chinese message) on any failure or an empty answer."""
    async with _http_client(settings) as client:
        model = make_chat_model(settings, http_async_client=client)
        return await _complete_with(model, settings, messages)


TokenCallback = Callable[[str], None] | Callable[[str], Awaitable[None]]


async def stream(settings: ModelSettings, messages: Messages, on_token: TokenCallback) -> Completion:
    """Stream a chat completion, calling `on_token(piece)` (sync or async) for each text piece in
    order; returns the whole answer. Raises ModelError like `complete` (pieces already delivered
    stay delivered: the caller decides whether to discard them)."""
    prompt = convert_to_messages(messages)
    final: AIMessageChunk | None = None
    async with _http_client(settings) as client:
        model = make_chat_model(settings, http_async_client=client)
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
                piece = tokens.message_text(chunk)
                if piece:
                    result = on_token(piece)
                    if inspect.isawaitable(result):
                        await result
    if final is None:
        raise ModelError("模型服务返回格式错误：流式回答没有任何内容", kind="malformed")
    return _completion(final, settings, prompt)


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
