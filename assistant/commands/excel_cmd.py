"""CLI: `excel template|export|import` — the Excel form of a figures file for finance officers."""

from __future__ import annotations

import sys
from pathlib import Path

from assistant.figures import load_figures

from assistant.figures.yaml_io import FiguresError, dump_yaml, save_yaml


def _fail(messages: list[str], heading: str) -> int:
    print(heading, file=sys.stderr)
    for message in messages:
        print(f"  - {message}", file=sys.stderr)
    return 2


def _write_excel(figures, output: str) -> int:
    from assistant.figures.excel_io import export_excel

    if Path(output).suffix.lower() != ".xlsx":
        return _fail([f"输出文件名应以 .xlsx 结尾（现为：{output}）。"], "无法导出 Excel：")
    try:
        export_excel(figures, output)
    except FiguresError as exc:
        return _fail(exc.messages, "无法导出 Excel：")
    except OSError as exc:
        return _fail([f"无法写入文件 {output}：{exc.strerror or exc}。"], "无法导出 Excel：")
    print(f"已写入 {output}")
    return 0


def run_template(args) -> int:
    return _write_excel(None, args.output)


def run_export(args) -> int:
    try:
        figures = load_figures(args.figures)
    except FiguresError as exc:
        return _fail(exc.messages, f"无法读取数据文件 {args.figures}：")
    return _write_excel(figures, args.output)


def run_import(args) -> int:
    from assistant.figures.excel_io import load_excel

    try:
        figures = load_excel(args.workbook)
    except FiguresError as exc:
        return _fail(exc.messages, f"无法导入 Excel 文件 {args.workbook}：")
    if not args.output:
        sys.stdout.write(dump_yaml(figures))
        return 0
    try:
        save_yaml(figures, args.output)
    except OSError as exc:
        return _fail([f"无法写入文件 {args.output}：{exc.strerror or exc}。"], "无法保存数据文件：")
    print(f"已写入 {args.output}")
    return 0


def register(sub) -> None:
    parser = sub.add_parser("excel", help="Excel 模板：生成、导出、导入")
    excel = parser.add_subparsers(dest="excel_command", required=True, metavar="操作")
    p = excel.add_parser("template", help="生成空白 Excel 模板")
    p.add_argument("-o", "--output", required=True, help="输出的 .xlsx 文件")
    p.set_defaults(handler=run_template)
    p = excel.add_parser("export", help="把数据文件导出为 Excel")
    p.add_argument("figures", help="数据文件（YAML 或 Excel）")
    p.add_argument("-o", "--output", required=True, help="输出的 .xlsx 文件")
    p.set_defaults(handler=run_export)
    p = excel.add_parser("import", help="把填好的 Excel 转为 YAML 数据文件")
    p.add_argument("workbook", help="填好的 .xlsx 文件")
    p.add_argument("-o", "--output", help="输出的 YAML 文件（省略则输出到屏幕）")
    p.set_defaults(handler=run_import)
