"""Model settings and the model error: which OpenAI-compatible model to call, and how.

Kept apart from `assistant.llm.client` so that reading settings (the app's first render, the CLI's option
parsing) does not import LangChain and the OpenAI client; `assistant.llm.client` re-exports both names.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

# Local servers (vLLM, Ollama) accept any key, but the OpenAI client refuses to start without one.
PLACEHOLDER_API_KEY = "EMPTY"

ENV_BASE_URL = "OPENAI_BASE_URL"
ENV_API_KEY = "OPENAI_API_KEY"
ENV_MODEL = "ASSISTANT_MODEL"
ENV_TEMPERATURE = "ASSISTANT_TEMPERATURE"
ENV_TIMEOUT = "ASSISTANT_TIMEOUT"
ENV_MAX_RETRIES = "ASSISTANT_MAX_RETRIES"
ENV_MAX_CONCURRENCY = "ASSISTANT_MAX_CONCURRENCY"
ENV_THINKING_TOKENS = "ASSISTANT_THINKING_TOKENS"
ENV_MAX_OUTPUT_TOKENS = "ASSISTANT_MAX_OUTPUT_TOKENS"

# Model names that think before answering (DeepSeek-R1 / deepseek-reasoner, Qwen3 and QwQ, OpenAI's
# o-series and gpt-5, "thinking" variants): their thinking counts against max_tokens on most
# servers, so a call to one of them gets a thinking allowance on top of the answer's budget.
REASONING_MODEL_PATTERN = r"(?i)(?:reason|r1\b|-r1|qwq|qwen3|think|\bo[1-9]\b|\bo[1-9]-|gpt-5|magistral|glm-4\.5|glm-z1)"
DEFAULT_THINKING_TOKENS = 4096

ErrorKind = Literal[
    "not_configured",
    "config",
    "timeout",
    "unavailable",
    "rate_limited",
    "auth",
    "not_found",
    "bad_request",
    "context_overflow",
    "malformed",
    "empty",
    "truncated",  # the answer was cut at max_tokens (finish_reason "length")
    "incomplete",  # the answer did not end normally (no finish reason, content filter, a cut stream)
]


class ModelError(RuntimeError):
    """A model call that gave no usable text; `str(error)` is a Chinese message for the user."""

    def __init__(self, message: str, kind: ErrorKind = "unavailable", completion: Any = None):
        super().__init__(message)
        self.kind: ErrorKind = kind
        # The rejected answer, when there was one (truncated/incomplete): its token counts still cost.
        self.completion = completion


class ModelSettings(BaseModel):
    """Which model to call and how. The API key never shows in repr, str or model_dump."""

    model_config = ConfigDict(frozen=True)

    base_url: str | None = None  # None: the OpenAI API itself
    api_key: SecretStr = Field(default=SecretStr(PLACEHOLDER_API_KEY), exclude=True, repr=False)
    model: str | None = None
    temperature: float = Field(default=0.2, ge=0, le=2)
    timeout: float = Field(default=120.0, gt=0)  # seconds per request (and between streamed chunks)
    max_retries: int = Field(default=2, ge=0)
    max_concurrency: int = Field(default=4, ge=1)
    # Ask for token usage at the end of a stream (stream_options.include_usage); vLLM, Ollama and
    # OpenAI support it. Turn off for a server that rejects the option.
    stream_usage: bool = True
    # Tokens allowed for a reasoning model's thinking on top of the answer's own budget; None:
    # DEFAULT_THINKING_TOKENS for a model whose name looks like a reasoning model, else 0 (the
    # drafter still raises it when a model turns out to think). ASSISTANT_THINKING_TOKENS.
    thinking_tokens: int | None = Field(default=None, ge=0)
    # A ceiling on max_tokens for any one call (the provider's output limit); None: no ceiling.
    max_output_tokens: int | None = Field(default=None, gt=0)
    # The request field for the output limit: OpenAI itself wants max_completion_tokens; DeepSeek,
    # DashScope, Ollama and older vLLM read max_tokens. "auto": the former only for the OpenAI API.
    max_tokens_field: Literal["auto", "max_tokens", "max_completion_tokens"] = "auto"

    @field_validator("api_key", mode="before")
    @classmethod
    def _placeholder_for_empty_key(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return PLACEHOLDER_API_KEY
        return value

    @field_validator("base_url", "model", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @property
    def configured(self) -> bool:
        """True only when a model name is set; otherwise the template drafter is used."""
        return bool(self.model)

    @property
    def output_limit_field(self) -> str:
        if self.max_tokens_field != "auto":
            return self.max_tokens_field
        return "max_completion_tokens" if self.base_url is None else "max_tokens"

    @property
    def looks_like_reasoning_model(self) -> bool:
        return bool(self.model and re.search(REASONING_MODEL_PATTERN, self.model))

    def thinking_allowance(self) -> int:
        """Tokens to add to max_tokens for thinking (see `thinking_tokens`)."""
        if self.thinking_tokens is not None:
            return self.thinking_tokens
        return DEFAULT_THINKING_TOKENS if self.looks_like_reasoning_model else 0

    @property
    def has_real_key(self) -> bool:
        return self.api_key.get_secret_value() != PLACEHOLDER_API_KEY

    def describe(self) -> str:
        """One line for the interface, e.g. 'qwen2.5:7b（http://127.0.0.1:11434/v1）'."""
        if not self.configured:
            return "未配置模型（使用模板起草）"
        return f"{self.model}（{self.base_url or 'OpenAI 官方接口'}）"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> ModelSettings:
        """Settings from OPENAI_BASE_URL, OPENAI_API_KEY, ASSISTANT_MODEL, ASSISTANT_TEMPERATURE,
        ASSISTANT_TIMEOUT, ASSISTANT_MAX_RETRIES, ASSISTANT_MAX_CONCURRENCY, ASSISTANT_THINKING_TOKENS,
        ASSISTANT_MAX_OUTPUT_TOKENS; keyword overrides win."""
        env = os.environ if environ is None else environ

        def read(name: str) -> str | None:
            value = env.get(name)
            return value.strip() if value and value.strip() else None

        def number(name: str, kind: type) -> Any:
            raw = read(name)
            if raw is None:
                return None
            try:
                return kind(raw)
            except ValueError:
                raise ModelError(f"环境变量 {name} 的值“{raw}”不是有效的数字", kind="config") from None

        values: dict[str, Any] = {
            "base_url": read(ENV_BASE_URL),
            "api_key": read(ENV_API_KEY),
            "model": read(ENV_MODEL),
            "temperature": number(ENV_TEMPERATURE, float),
            "timeout": number(ENV_TIMEOUT, float),
            "max_retries": number(ENV_MAX_RETRIES, int),
            "max_concurrency": number(ENV_MAX_CONCURRENCY, int),
            "thinking_tokens": number(ENV_THINKING_TOKENS, int),
            "max_output_tokens": number(ENV_MAX_OUTPUT_TOKENS, int),
        }
        values = {k: v for k, v in values.items() if v is not None}
        values.update(overrides)
        try:
            return cls(**values)
        except pydantic.ValidationError as exc:
            problems = "；".join(f"{'.'.join(map(str, e['loc']))}：{e['msg']}" for e in exc.errors())
            raise ModelError(f"模型设置无效：{problems}", kind="config") from None
