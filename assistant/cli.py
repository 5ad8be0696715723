"""Thin command-line layer over the library: `python -m assistant COMMAND …`.

Each stage keeps its commands in its own module exposing `register(subparsers)`; a command's
handler returns the process exit code. Messages for the user are Chinese.

Exit codes, the same for every command (README 退出码):
  0  done, nothing to report
  1  done, with findings (errors in the figures, unsupported figures, bad cells in an import)
  2  the input cannot be read or used (missing file, damaged YAML/Excel, wrong arguments)
  3  done in part or by a fallback (a section fell back to the template, some files skipped)
  4  internal error: a Chinese line on stderr and the traceback in a log file under the data dir
`main` is the one place that turns anything a command did not handle into 2 or 4, so no command
ever shows a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import re
import sys
import traceback
from pathlib import Path

from assistant import offline

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE, EXIT_PARTIAL, EXIT_INTERNAL = 0, 1, 2, 3, 4
EXIT_INTERRUPTED = 130  # Ctrl+C, as shells report it

# One module per pipeline stage; each adds its sub-commands.
COMMAND_MODULES = (
    "assistant.commands.figures_cmd",  # check, compute, setup
    "assistant.commands.draft_cmd",  # draft
    "assistant.commands.verify_cmd",  # verify
    "assistant.commands.corpus_cmd",  # index, search
    "assistant.commands.score_cmd",  # score
    "assistant.commands.excel_cmd",  # excel template|export|import
    "assistant.commands.eval_cmd",  # eval
    "assistant.commands.inspect_cmd",  # inspect (体检)
)

# argparse's own English (usage, errors, headings) in Chinese. argparse looks its `_` up at call
# time, so routing it through this table translates every message without forking argparse.
_ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "the following arguments are required: %s": "缺少必填参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "取值 %(value)r 无效（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid %(type)s value: %(value)r": "取值 %(value)r 无效（应为%(type)s）",
    "expected one argument": "需要一个取值",
    "expected at most one argument": "最多一个取值",
    "expected at least one argument": "至少需要一个取值",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是：%(matches)s",
    "one of the arguments %s is required": "参数 %s 须指定其一",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "unexpected option string: %s": "意外的选项：%s",
    "ignored explicit argument %r": "忽略了多余的取值 %r",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
}
_TYPE_ZH = {"int": "整数", "float": "数字"}


def _argparse_zh(message: str) -> str:
    return _ARGPARSE_ZH.get(message, message)


class _ChineseParser(argparse.ArgumentParser):
    def _get_value(self, action, arg_string):
        try:
            return super()._get_value(action, arg_string)
        except argparse.ArgumentError as exc:
            name = getattr(action.type, "__name__", "")
            if name in _TYPE_ZH:
                raise argparse.ArgumentError(action, f"取值 {arg_string!r} 无效（应为{_TYPE_ZH[name]}）") from None
            raise exc


def build_parser() -> argparse.ArgumentParser:
    argparse._ = _argparse_zh  # type: ignore[attr-defined]
    parser = _ChineseParser(prog="python -m assistant", description="绩效自评报告起草助手")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_ChineseParser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def log_dir() -> Path:
    return offline.data_dir() / "logs"


def write_error_log(argv: list[str] | None, exc: BaseException) -> Path | None:
    """The traceback of an internal error in `data_dir()/logs/`, for the maintainers."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"error-{stamp}-{os.getpid()}.log"
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        path.write_text(f"命令：python -m assistant {' '.join(argv or sys.argv[1:])}\n时间：{stamp}\n\n{text}", encoding="utf-8")
        return path
    except OSError:
        return None


def _unreadable(exc: OSError) -> str:
    name = Path(exc.filename).name if getattr(exc, "filename", None) else "文件"
    reasons = {2: "找不到该文件", 13: "没有读写权限", 21: "这是文件夹，不是文件", 28: "磁盘空间不足", 20: "路径中有一段不是文件夹"}
    reason = reasons.get(exc.errno or 0) or (exc.strerror if exc.strerror and not re.search(r"[A-Za-z]{4,}", exc.strerror) else "系统拒绝了读写")
    return f"无法读写 {name}：{reason}。"


def main(argv: list[str] | None = None) -> int:
    offline.apply()
    for stream in (sys.stdout, sys.stderr):
        # Chinese output must not crash on a terminal with a narrow locale.
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # the safety net: never a traceback on the terminal
        return _report_unhandled(argv, exc)


def _report_unhandled(argv: list[str] | None, exc: Exception) -> int:
    from assistant.figures.yaml_io import FiguresError

    if isinstance(exc, FiguresError):
        print("无法读取输入：", file=sys.stderr)
        for message in exc.messages:
            print(f"  - {message}", file=sys.stderr)
        return EXIT_UNREADABLE
    if isinstance(exc, OSError):
        print(_unreadable(exc), file=sys.stderr)
        return EXIT_UNREADABLE
    if isinstance(exc, UnicodeError):
        print("无法读取输入：文件编码无法识别，请另存为 UTF-8 编码。", file=sys.stderr)
        return EXIT_UNREADABLE
    if isinstance(exc, (RecursionError, MemoryError)):
        print("无法处理输入：文件结构过深或内容过大，超出了处理上限。", file=sys.stderr)
        return EXIT_UNREADABLE
    path = write_error_log(argv, exc)
    where = f"详细信息已写入 {path}" if path else "详细信息未能写入日志"
    print(f"内部错误：程序遇到了未预料的情况，本次操作没有完成。{where}，请把该文件发给维护人员。", file=sys.stderr)
    return EXIT_INTERNAL
