"""Thin command-line layer over the library: `python -m assistant COMMAND …`.

Each stage keeps its commands in its own module exposing `register(subparsers)`; a command's
handler returns the process exit code. Messages for the user are Chinese.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from assistant import offline

# One module per pipeline stage; each adds its sub-commands.
COMMAND_MODULES = (
    "assistant.commands.figures_cmd",  # check, compute, setup
    "assistant.commands.draft_cmd",  # draft
    "assistant.commands.verify_cmd",  # verify
    "assistant.commands.corpus_cmd",  # index, search
    "assistant.commands.score_cmd",  # score
    "assistant.commands.excel_cmd",  # excel template|export|import
    "assistant.commands.eval_cmd",  # eval
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant", description="绩效自评报告起草助手")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    offline.apply()
    for stream in (sys.stdout, sys.stderr):
        # Chinese output must not crash on a terminal with a narrow locale.
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.handler(args) or 0)
