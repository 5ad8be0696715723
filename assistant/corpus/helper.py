"""The helper process: embeds and tokenises chunks while this process writes them to Chroma.

Why not a `concurrent.futures` pool: Chroma's Python binding holds the GIL for the whole of a write
(seconds for a batch), and a pool is fed and drained by threads of this process, which then get no
turn: the worker went idle for most of each write. Here the calling thread hands each job to the
helper itself (the helper's own reader thread takes it off the pipe at once, so the send never
waits on a busy helper), and collects results only when it needs them; nothing in this process
has to run in between.

A job is a batch of texts to tokenise and, optionally, to embed with our hashing embedding.
The helper computes vectors before tokens (the writes wait for vectors; tokens are only needed at
the end) and tokenises in slices, so that vectors asked for later do not wait behind a whole
batch of tokens. One helper per process, started on first use (about 2 s: Python, jieba's
dictionary, our tables) and reused; `warm_up()` starts it ahead of time.
"""

from __future__ import annotations

import atexit
import collections
import itertools
import threading
import time
from typing import Any

_SLICE = 500
# Linux lets a pipe hold up to 1 MiB: a batch of texts then crosses it in a few reads.
_PIPE_BYTES = 1 << 20
_F_SETPIPE_SZ = 1031


class HelperError(RuntimeError):
    """The helper process is gone; the caller does the work itself."""


class Helper:
    def __init__(self) -> None:
        import multiprocessing

        # spawn, not fork: this process may hold Chroma's native threads and locks.
        context = multiprocessing.get_context("spawn")
        jobs_in, self._jobs = context.Pipe(duplex=False)
        self._results, results_out = context.Pipe(duplex=False)
        for connection in (jobs_in, self._jobs, self._results, results_out):
            _widen(connection)
        self._process = context.Process(target=serve, args=(jobs_in, results_out), name="corpus-helper", daemon=True)
        self._process.start()
        jobs_in.close()
        results_out.close()
        self._lock = threading.Lock()
        self._received: dict[tuple[int, str], tuple[bool, Any]] = {}
        self._forgotten: set[int] = set()  # jobs whose results nobody will ask for
        self._keys = itertools.count()
        self.broken = False

    def submit(self, texts: list[str], embedding: tuple[int, tuple[int, ...]] | None = None) -> int:
        """Queue a job; returns its key. `embedding` = (dim, ngrams) asks for vectors too."""
        with self._lock:
            key = next(self._keys)
            try:
                self._jobs.send((key, texts, embedding))
            except (OSError, EOFError) as error:
                self.broken = True
                raise HelperError(str(error)) from error
        return key

    def vectors(self, key: int):
        """(vectors, seconds the helper spent) of a job submitted with an embedding."""
        return self._get(key, "vectors")

    def tokens(self, key: int) -> tuple[list[list[str]], float]:
        """(one token list per text, seconds the helper spent) of a job."""
        return self._get(key, "tokens")

    def _get(self, key: int, kind: str):
        with self._lock:
            while (key, kind) not in self._received:
                try:
                    got_key, got_kind, ok, value = self._results.recv()
                except (OSError, EOFError) as error:
                    self.broken = True
                    raise HelperError(str(error)) from error
                if got_key not in self._forgotten:
                    self._received[(got_key, got_kind)] = (ok, value)
            ok, value = self._received.pop((key, kind))
        if not ok:
            raise value
        return value

    def forget(self, key: int) -> None:
        """Drop a job's results, now or when they come (a write that failed leaves some behind)."""
        with self._lock:
            self._forgotten.add(key)
            self._received.pop((key, "vectors"), None)
            self._received.pop((key, "tokens"), None)

    def close(self) -> None:
        try:
            self._jobs.send(None)
        except (OSError, EOFError):
            pass
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()


_lock = threading.Lock()
_helper: Helper | None = None


def helper() -> Helper:
    """The process-wide helper, started (or restarted, if it died) on demand."""
    global _helper
    with _lock:
        if not running():
            _helper = Helper()
            atexit.register(_helper.close)
        return _helper


def running() -> bool:
    """Whether this process has a live helper (then even small jobs are worth handing over)."""
    current = _helper
    return current is not None and not current.broken and current._process.is_alive()


def warm_up(embedding: tuple[int, tuple[int, ...]] | None = None) -> None:
    """Start the helper and load its tables now rather than during the first large write."""
    from assistant.corpus.tokens import segmenter

    segmenter()
    process = helper()
    key = process.submit(["预热"], embedding)
    if embedding is not None:
        process.vectors(key)
    process.tokens(key)


def _widen(connection) -> None:
    try:
        import fcntl

        fcntl.fcntl(connection.fileno(), _F_SETPIPE_SZ, _PIPE_BYTES)
    except (ImportError, OSError, ValueError):
        pass  # not Linux, or a lower limit: the default pipe size works, a little slower


# ---------------------------------------------------------------- in the helper process


def serve(jobs_in, results_out) -> None:
    """The helper's main loop: a reader thread fills the queues, this thread computes, a sender
    thread writes results (the caller reads them only when it needs them)."""
    from assistant.corpus.embeddings import hashing_embedder
    from assistant.corpus.tokens import tokenize

    ready = threading.Condition()
    to_embed: collections.deque = collections.deque()  # (key, texts, (dim, ngrams))
    to_tokenize: collections.deque = collections.deque()  # _TokenJob
    open_jobs = [True]
    sender = _Sender(results_out)

    def read() -> None:
        while True:
            try:
                job = jobs_in.recv()
            except (OSError, EOFError):
                job = None
            with ready:
                if job is None:
                    open_jobs[0] = False
                else:
                    key, texts, embedding = job
                    if embedding is not None:
                        to_embed.append((key, texts, embedding))
                    to_tokenize.append(_TokenJob(key, texts))
                ready.notify()
            if job is None:
                return

    threading.Thread(target=read, daemon=True).start()
    while True:
        with ready:
            while not to_embed and not to_tokenize and open_jobs[0]:
                ready.wait()
            if to_embed:
                embed_job, token_job = to_embed.popleft(), None
            elif to_tokenize:
                embed_job, token_job = None, to_tokenize[0]
            else:
                break
        if embed_job is not None:
            key, texts, (dim, ngrams) = embed_job
            started = time.perf_counter()
            try:
                vectors = hashing_embedder(dim, tuple(ngrams)).embed(texts)
                sender.post((key, "vectors", True, (vectors, time.perf_counter() - started)))
            except Exception as error:  # sent back, raised in the caller
                sender.post((key, "vectors", False, error))
            continue
        # One slice at a time: vectors asked for meanwhile go first.
        started = time.perf_counter()
        try:
            done = token_job.step(tokenize)
        except Exception as error:
            done = True
            sender.post((token_job.key, "tokens", False, error))
        else:
            token_job.seconds += time.perf_counter() - started
            if done:
                sender.post((token_job.key, "tokens", True, (token_job.tokens, token_job.seconds)))
        if done:
            with ready:
                to_tokenize.popleft()
    sender.close()


class _TokenJob:
    def __init__(self, key: int, texts: list[str]) -> None:
        self.key, self.texts = key, texts
        self.tokens: list[list[str]] = []
        self.seconds = 0.0

    def step(self, tokenize) -> bool:
        """Tokenise the next slice; True when all are done."""
        start = len(self.tokens)
        self.tokens.extend(tokenize(text) for text in self.texts[start : start + _SLICE])
        return len(self.tokens) >= len(self.texts)


class _Sender:
    """Writes results from a thread of its own: the pipe fills until the caller reads."""

    def __init__(self, connection) -> None:
        self._connection = connection
        self._outbox: collections.deque = collections.deque()
        self._wake = threading.Condition()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def post(self, message) -> None:
        with self._wake:
            self._outbox.append(message)
            self._wake.notify()

    def close(self) -> None:
        self.post(None)
        self._thread.join()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._outbox:
                    self._wake.wait()
                message = self._outbox.popleft()
            if message is None:
                return
            try:
                self._connection.send(message)
            except (OSError, EOFError):
                return
