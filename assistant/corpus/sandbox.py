"""Run one file's parser in a child process with a time and a memory budget.

A hostile .docx/.pdf/.xlsx can make a parser spin or allocate without end inside C code (lxml,
zlib) where no Python timeout reaches. Each such file is therefore parsed in a short-lived child
forked from multiprocessing's fork server (a clean process started once, with the parsers already
imported, so a child costs milliseconds, and never a fork of this process with Chroma's threads).
The child caps its own address space (RLIMIT_AS) at what it had plus the budget; the parent waits
at most the time budget and then kills it. Either way the caller gets a `BudgetExceeded` with a
Chinese message and the batch goes on.

Budgets: ASSISTANT_LOADER_TIMEOUT_S (default 60 s) and ASSISTANT_LOADER_MEMORY_MB (default
1024 MB) per file. Where the fork server is unavailable (not POSIX), the parser runs in-process.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
from typing import Any, Callable

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MEMORY_MB = 1024.0
# The parsers the children use, imported once in the fork server.
_PRELOAD = ["assistant.corpus.loaders", "docx", "pypdf", "openpyxl", "lxml.etree", "assistant.corpus.parser_warmup"]


class BudgetExceeded(Exception):
    """The parser ran out of time or memory, or its process died; str(error) is Chinese."""


def _env_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, "") or default)
    except ValueError:
        return default
    return value if value > 0 else default


def time_budget() -> float:
    return _env_number("ASSISTANT_LOADER_TIMEOUT_S", DEFAULT_TIMEOUT_S)


def memory_budget_mb() -> float:
    return _env_number("ASSISTANT_LOADER_MEMORY_MB", DEFAULT_MEMORY_MB)


_lock = threading.Lock()


@functools.cache
def _context():
    import multiprocessing

    try:
        context = multiprocessing.get_context("forkserver")
    except ValueError:
        return None
    # multiprocessing prepares each child from the parent's main module: not at all when it was
    # run with -m (`python -m assistant`, `python -m pytest`), by re-running it as "__mp_main__"
    # when it is a script (guarded by `if __name__ == "__main__"`, as the streamlit launcher is).
    # Code read from stdin cannot be re-run, so children cannot start: parse in-process then.
    main = sys.modules.get("__main__")
    spec_name = getattr(getattr(main, "__spec__", None), "name", None)
    main_path = getattr(main, "__file__", None)
    if spec_name is None and main_path is not None and not os.path.isfile(main_path):
        return None
    preload = list(_PRELOAD)
    context.set_forkserver_preload(preload)
    return context


def run_with_budget(function: Callable[..., Any], *args: Any, timeout_s: float | None = None, memory_mb: float | None = None) -> Any:
    """`function(*args)` in a child within the budgets; its exceptions are raised here again
    (they must pickle: the loaders raise LoadError with a message)."""
    timeout_s = time_budget() if timeout_s is None else timeout_s
    memory_mb = memory_budget_mb() if memory_mb is None else memory_mb
    context = _context()
    if context is None:
        return function(*args)
    receive, send = context.Pipe(duplex=False)
    with _lock:  # the fork server is shared; starting children is serialised, running them is not
        process = context.Process(target=_child, args=(send, int(memory_mb * 1024 * 1024), function, args), daemon=True)
        process.start()
    send.close()
    try:
        if not receive.poll(timeout_s):
            raise BudgetExceeded(f"解析超时（超过 {timeout_s:.0f} 秒），已停止；文件可能已损坏或被恶意构造。")
        try:
            ok, value = receive.recv()
        except (EOFError, OSError):
            process.join(5)
            if process.exitcode is not None and process.exitcode < 0:
                raise BudgetExceeded(f"解析进程异常终止（信号 {-process.exitcode}），可能超出内存上限 {memory_mb:.0f} MB。")
            raise BudgetExceeded(f"解析进程异常退出（退出码 {process.exitcode}），可能超出内存上限 {memory_mb:.0f} MB。")
    finally:
        receive.close()
        if process.is_alive():
            process.kill()
        process.join(5)
    if ok:
        return value
    raise value


def _child(send, memory_bytes: int, function, args) -> None:
    import logging
    import warnings

    # The parsers' own log lines and warnings (pypdf's "EOF marker not found" …) are English notes
    # for developers; what the user gets is the Chinese LoadError.
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    try:
        import resource

        current = _address_space()
        limit = current + memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass  # no limit available: the time budget still holds
    try:
        result = (True, function(*args))
    except MemoryError:
        result = (False, BudgetExceeded("解析所需内存超过上限，已停止；文件可能过大或被恶意构造。"))
    except BaseException as error:  # handed back to the caller as it was raised
        result = (False, error)
    try:
        send.send(result)
    except Exception as error:  # an exception that does not pickle: say what it was
        send.send((False, BudgetExceeded(f"解析失败（{type(error).__name__}）。")))
    finally:
        send.close()


def _address_space() -> int:
    """This process's virtual size in bytes (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[0])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0
