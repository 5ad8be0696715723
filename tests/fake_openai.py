"""A fake OpenAI-compatible HTTP server on 127.0.0.1 for tests, scripted per test.

It speaks just enough of the API for the real `openai`/`langchain-openai` clients:
POST /v1/chat/completions (JSON, or SSE chunks ending in `data: [DONE]` when `stream` is true,
with a usage chunk when `stream_options.include_usage` asks for it), POST /v1/embeddings
(deterministic vectors, float or base64) and GET /v1/models.

A test scripts the replies: `server.script(reply, reply, ...)` queues replies used once each in
order; when the queue is empty the `default` responder answers. A reply is a `Reply`, a string,
or a callable that gets the request JSON and returns one of those. Helpers build the failure modes:
`slow`, `rate_limited`, `server_error`, `malformed`, `lying`, `cut_stream`, `no_finish_reason`,
`length_cut`, `thinking`; `recorded(name)` replays a provider's real response shape from
tests/fixtures/llm/ (OpenAI, DeepSeek, DashScope, vLLM, Ollama) byte for byte. Every request is
recorded in `server.requests` with the reply that was sent. The lying model of issue 11 lives in
tests/adversary.py and answers through this server.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
import threading
import time
from collections import deque
from pathlib import Path
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Union

DEFAULT_MODEL = "fake-model"
FIXTURES = Path(__file__).parent / "fixtures" / "llm"


@dataclass
class Reply:
    """One scripted answer. `raw_body` is sent verbatim (malformed mode) instead of a built body."""

    content: str = ""
    status: int = 200
    delay: float = 0.0  # seconds to wait before answering (slow mode)
    chunk_delay: float = 0.0  # seconds between streamed chunks
    chunks: list[str] | None = None  # explicit stream pieces; default: content cut in 2-char pieces
    headers: dict[str, str] = field(default_factory=dict)
    raw_body: bytes | None = None
    finish_reason: str | None = "stop"  # None: the answer ends without any finish reason
    usage: dict[str, int] | None = None  # override the computed usage
    truthful: str | None = None  # for a lying reply: what an honest model would have said
    reasoning: str = ""  # a reasoning model's thinking, sent in `reasoning_field` beside content
    reasoning_field: str = "reasoning_content"  # DeepSeek/DashScope/old vLLM; "reasoning" for Ollama/new vLLM
    cut_after: int | None = None  # stream: drop the connection after this many content pieces
    lie_class: str | None = None  # for an adversarial reply: which kind of lie it carries


Responder = Callable[[dict], Union[Reply, str]]
ScriptItem = Union[Reply, str, Responder]


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any  # parsed JSON, or None
    reply: Reply | None = None
    received_at: float = 0.0

    @property
    def messages(self) -> list[dict]:
        return (self.body or {}).get("messages", [])

    @property
    def model(self) -> str | None:
        return (self.body or {}).get("model")

    @property
    def temperature(self) -> float | None:
        return (self.body or {}).get("temperature")

    @property
    def stream(self) -> bool:
        return bool((self.body or {}).get("stream"))

    @property
    def max_tokens(self) -> int | None:
        body = self.body or {}
        return body.get("max_tokens", body.get("max_completion_tokens"))

    @property
    def last_user_message(self) -> str:
        for message in reversed(self.messages):
            if message.get("role") == "user":
                return _content_text(message.get("content"))
        return ""


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks
        return "".join(block.get("text", "") for block in content if isinstance(block, dict))
    return ""


def echo_responder(request: dict) -> str:
    """Default answer: repeat the last user message, so a test can see what the model was sent."""
    for message in reversed(request.get("messages", [])):
        if message.get("role") == "user":
            return "回声：" + _content_text(message.get("content"))
    return "回声："


# ---- failure-mode helpers -------------------------------------------------------------------


def slow(seconds: float, content: str = "迟到的回答") -> Reply:
    return Reply(content=content, delay=seconds)


def rate_limited() -> Reply:
    # retry-after-ms keeps the client's retry fast: the SDK ignores a Retry-After of 0 and falls
    # back to its 0.5 s exponential backoff, but honours a positive millisecond hint.
    return Reply(
        status=429,
        content="Rate limit reached",
        headers={"Retry-After": "0", "retry-after-ms": "10"},
    )


def server_error(status: int = 500) -> Reply:
    return Reply(status=status, content="Internal server error", headers={"retry-after-ms": "10"})


def malformed(body: bytes = b'{"id": "chatcmpl-x", "choices": [ this is not json') -> Reply:
    return Reply(raw_body=body)


_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_SLOT = re.compile(r"【[^】]+】")


def falsify(text: str) -> str:
    """Rewrite what a careless model gets wrong: bump each number's last digit, swap slot pairs."""

    def bump(match: re.Match) -> str:
        digits = match.group(0)
        return digits[:-1] + str((int(digits[-1]) + 1) % 10)

    text = _NUMBER.sub(bump, text)
    slots = _SLOT.findall(text)
    if len(slots) >= 2:
        # Exchange the first two distinct slots everywhere (placeholders survive, meaning does not).
        first, second = slots[0], next((s for s in slots[1:] if s != slots[0]), slots[0])
        marker = "\x00"
        text = text.replace(first, marker).replace(second, first).replace(marker, second)
    return text


def lying(inner: ScriptItem = echo_responder) -> Responder:
    """A responder that answers like `inner` but with numbers and placeholder slots falsified."""

    def respond(request: dict) -> Reply:
        honest = _resolve(inner, request)
        return Reply(
            content=falsify(honest.content),
            truthful=honest.content,
            delay=honest.delay,
        )

    return respond


def cut_stream(content: str, after: int) -> Reply:
    """A stream whose connection drops after `after` pieces: no finish reason, no [DONE]."""
    return Reply(content=content, cut_after=after)


def no_finish_reason(content: str) -> Reply:
    """An answer that ends normally on the wire but says no finish reason (null)."""
    return Reply(content=content, finish_reason=None)


def length_cut(content: str) -> Reply:
    """An answer cut at max_tokens: finish reason "length"."""
    return Reply(content=content, finish_reason="length")


def thinking(content: str, thought: str, *, field: str | None = "reasoning_content", **extra: Any) -> Reply:
    """A reasoning model's answer: the thought in a separate field, or inline in <think> tags
    (field None)."""
    if field is None:
        return Reply(content=f"<think>\n{thought}\n</think>\n\n{content}", **extra)
    return Reply(content=content, reasoning=thought, reasoning_field=field, **extra)


def load_fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def recorded(name: str) -> Reply:
    """A provider's response replayed as recorded: the JSON body, or the SSE events in order."""
    fixture = load_fixture(name)
    if fixture["stream"]:
        body = b"".join(
            b"data: " + (event if isinstance(event, str) else json.dumps(event, ensure_ascii=False)).encode() + b"\n\n"
            for event in fixture["events"]
        )
    else:
        body = json.dumps(fixture["body"], ensure_ascii=False).encode()
    return Reply(raw_body=body, truthful=fixture.get("expect", {}).get("text"))


def _resolve(item: ScriptItem, request: dict) -> Reply:
    if callable(item) and not isinstance(item, Reply):
        item = item(request)
    if isinstance(item, str):
        return Reply(content=item)
    if isinstance(item, Reply):
        return item
    raise TypeError(f"a script item must give a Reply or a str, got {type(item).__name__}")


# ---- embeddings ---------------------------------------------------------------------------


def fake_embedding(text: str, dimensions: int = 8) -> list[float]:
    """Deterministic unit vector from the text's hash: same text, same vector."""
    values: list[float] = []
    counter = 0
    while len(values) < dimensions:
        digest = hashlib.sha256(f"{counter}:{text}".encode()).digest()
        values.extend((b - 127.5) / 127.5 for b in digest)
        counter += 1
    values = values[:dimensions]
    norm = sum(v * v for v in values) ** 0.5 or 1.0
    return [v / norm for v in values]


def _embedding_inputs(raw: Any) -> list[str]:
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list) and raw and all(isinstance(x, int) for x in raw):
        return [json.dumps(raw)]  # one pre-tokenised input
    if isinstance(raw, list):
        return [x if isinstance(x, str) else json.dumps(x) for x in raw]
    return [json.dumps(raw)]


# ---- server -------------------------------------------------------------------------------


class FakeOpenAI:
    """The server object the `fake_openai` fixture yields."""

    def __init__(self, models: Iterable[str] = (DEFAULT_MODEL,), embedding_dimensions: int = 8):
        self.models = list(models)
        self.embedding_dimensions = embedding_dimensions
        self.default: ScriptItem = echo_responder
        self.requests: list[RecordedRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._queue: deque[ScriptItem] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- scripting --

    def script(self, *replies: ScriptItem, default: ScriptItem | None = None) -> FakeOpenAI:
        """Queue replies for the next chat requests (each used once); optionally set the default."""
        with self._lock:
            self._queue = deque(replies)
            if default is not None:
                self.default = default
        return self

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def _next_item(self) -> ScriptItem:
        with self._lock:
            return self._queue.popleft() if self._queue else self.default

    # -- lifecycle --

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("fake server not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> FakeOpenAI:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True  # a slow handler must not hold up shutdown
        # A short poll interval keeps shutdown (and so each test's teardown) quick.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-openai", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in slow mode
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _sleep(self, seconds: float) -> bool:
        """Sleep unless the server is stopping; True when the sleep ran its course."""
        return not self._stopping.wait(seconds) if seconds > 0 else True


class _Handler(BaseHTTPRequestHandler):
    fake: FakeOpenAI
    server_version = "FakeOpenAI/1.0"
    # Keep-alive like vLLM and Ollama, so tests meet the client's connection reuse (a stream
    # still closes its connection, which is how its body ends).
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
        pass

    # -- plumbing --

    def _record(self, body: Any) -> RecordedRequest:
        record = RecordedRequest(
            method=self.command,
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            received_at=time.monotonic(),
        )
        with self.fake._lock:
            self.fake.requests.append(record)
        return record

    def _read_json(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None):
        self._send(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json", headers)

    # -- routes --

    def do_GET(self):  # noqa: N802 - http.server naming
        self._record(None)
        if self.path.rstrip("/").endswith("/models"):
            data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in self.fake.models]
            self._send_json(200, {"object": "list", "data": data})
        else:
            self._send_json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})

    def do_POST(self):  # noqa: N802
        body = self._read_json()
        record = self._record(body)
        try:
            if self.path.endswith("/chat/completions"):
                self._chat(record, body or {})
            elif self.path.endswith("/embeddings"):
                self._embeddings(body or {})
            else:
                self._send_json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (timeout test): nothing to answer

    def _embeddings(self, body: dict):
        dims = int(body.get("dimensions") or self.fake.embedding_dimensions)
        texts = _embedding_inputs(body.get("input"))
        as_base64 = body.get("encoding_format") == "base64"
        data = []
        for i, text in enumerate(texts):
            vector = fake_embedding(text, dims)
            if as_base64:
                encoded: Any = base64.b64encode(struct.pack(f"<{dims}f", *vector)).decode()
            else:
                encoded = vector
            data.append({"object": "embedding", "index": i, "embedding": encoded})
        tokens = sum(len(t) for t in texts)
        self._send_json(
            200,
            {
                "object": "list",
                "data": data,
                "model": body.get("model", DEFAULT_MODEL),
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            },
        )

    def _chat(self, record: RecordedRequest, body: dict):
        fake = self.fake
        with fake._lock:
            fake.in_flight += 1
            fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
        try:
            reply = _resolve(fake._next_item(), body)
            record.reply = reply
            if not fake._sleep(reply.delay):
                self.close_connection = True
                return
            if reply.raw_body is not None:
                content_type = "text/event-stream" if body.get("stream") else "application/json"
                self._send(reply.status, reply.raw_body, content_type, reply.headers)
            elif reply.status >= 400:
                error = {"message": reply.content, "type": "fake_error", "code": str(reply.status)}
                self._send_json(reply.status, {"error": error}, reply.headers)
            elif body.get("stream"):
                self._stream(body, reply)
            else:
                self._send_json(200, _completion(body, reply), reply.headers)
        finally:
            with fake._lock:
                fake.in_flight -= 1

    def _stream(self, body: dict, reply: Reply):
        model = body.get("model", DEFAULT_MODEL)
        pieces = reply.chunks if reply.chunks is not None else _pieces(reply.content)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.close_connection = True  # no Content-Length: the body ends when the connection closes

        def event(delta: dict, finish: str | None = None, usage: dict | None = None, choices: bool = True):
            chunk: dict[str, Any] = {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}] if choices else [],
            }
            if usage is not None:
                chunk["usage"] = usage
            self.wfile.write(b"data: " + json.dumps(chunk, ensure_ascii=False).encode() + b"\n\n")
            self.wfile.flush()

        event({"role": "assistant", "content": ""})
        for piece in _pieces(reply.reasoning, 6) if reply.reasoning else []:
            event({"content": None, reply.reasoning_field: piece})
        for n, piece in enumerate(pieces):
            if reply.cut_after is not None and n >= reply.cut_after:
                return  # the connection drops mid-answer: no finish reason, no [DONE]
            if not self.fake._sleep(reply.chunk_delay):
                return  # server stopping; close_connection is already set
            event({"content": piece})
        event({}, finish=reply.finish_reason)
        if (body.get("stream_options") or {}).get("include_usage"):
            thought = len(_pieces(reply.reasoning, 6)) if reply.reasoning else 0
            event({}, usage=_usage(body, reply, len(pieces) + thought, thought), choices=False)
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


def _pieces(content: str, size: int = 2) -> list[str]:
    return [content[i : i + size] for i in range(0, len(content), size)]


def _usage(body: dict, reply: Reply, completion_tokens: int, reasoning_tokens: int = 0) -> dict:
    if reply.usage is not None:
        return reply.usage
    # A fake, reproducible count: one "token" per character of the prompt.
    prompt = sum(len(_content_text(m.get("content"))) for m in body.get("messages", []))
    usage: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt + completion_tokens,
    }
    if reasoning_tokens:  # as DeepSeek and DashScope break it down
        usage["completion_tokens_details"] = {"reasoning_tokens": reasoning_tokens}
    return usage


def _message(reply: Reply) -> dict:
    message = {"role": "assistant", "content": reply.content}
    if reply.reasoning:
        message[reply.reasoning_field] = reply.reasoning
    return message


def _completion(body: dict, reply: Reply) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model", DEFAULT_MODEL),
        "choices": [
            {
                "index": 0,
                "message": _message(reply),
                "finish_reason": reply.finish_reason,
            }
        ],
        "usage": _usage(body, reply, len(reply.content) + len(reply.reasoning), len(reply.reasoning)),
    }
