"""CLI: `verify --figures FIGURES.yaml TEXT_FILE [--json]` — trace every figure of a text.

Exit code 0 when every figure is supported and attributed, 1 otherwise, 2 when the figures file or
the text cannot be read. The human output lists each problem as FILE:LINE:COLUMN with a Chinese
explanation; `--all` lists every figure with its source.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _read_text(path: str) -> str:
    """UTF-8 (with or without BOM); GB18030 for files saved by older Chinese Windows tools."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def run_verify(args) -> int:
    # The figures model and the ledger are heavier imports; load them only for this command.
    from assistant.figures import load_figures
    from assistant.figures.yaml_io import FiguresError
    from assistant.ledger.calculator import note_texts
    from assistant.scoring import build_scored_ledger
    from assistant.verify import verify

    try:
        figures = load_figures(args.figures)
    except FiguresError as exc:
        print(f"无法读取数据文件 {args.figures}：", file=sys.stderr)
        for message in getattr(exc, "messages", [str(exc)]):
            print(f"  - {message}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"无法读取数据文件 {args.figures}：{exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        text = _read_text(args.text)
    except OSError as exc:
        print(f"无法读取待核对的文本 {args.text}：{exc.strerror or exc}", file=sys.stderr)
        return 2
    except UnicodeDecodeError:
        print(f"无法读取待核对的文本 {args.text}：既不是 UTF-8 也不是 GB18030 编码。", file=sys.stderr)
        return 2

    report = verify(text, build_scored_ledger(figures), note_texts(figures))
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return 0 if report.ok else 1

    print(report.summary())
    shown = report.findings if args.all else report.problems
    for finding in shown:
        print(f"{args.text}:{finding.line}:{finding.column}: “{finding.text}” {finding.to_dict()['status_zh']}：{finding.message}")
    return 0 if report.ok else 1


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="核对文本中的每个数字：来自账目或工作记录，且没有张冠李戴",
        description="找出文本中的每个数字，逐一核对其是否来自数据文件的账目或用户的工作记录。",
    )
    parser.add_argument("--figures", required=True, metavar="FIGURES.yaml", help="数据文件（YAML 或 Excel）")
    parser.add_argument("text", metavar="TEXT_FILE", help="待核对的文本（Markdown 或纯文本）")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出全部核对结果")
    parser.add_argument("--all", action="store_true", help="列出全部数字及其来源，而不只是有问题的")
    parser.set_defaults(handler=run_verify)
