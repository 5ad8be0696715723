"""CLI: `excel template|export|import` — the Excel form of a figures file for finance officers."""

from __future__ import annotations

import sys
from pathlib import Path

from assistant.figures import load_figures

from assistant.atomic_files import write_text_atomic
from assistant.figures.yaml_io import FiguresError, dump_yaml, dump_yaml_data


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
    """Forgiving: every good value is written, every bad cell listed (exit 1) for the user to fix."""
    from assistant.figures.excel_io import read_excel

    try:
        result = read_excel(args.workbook)
    except FiguresError as exc:
        return _fail(exc.messages, f"无法导入 Excel 文件 {args.workbook}：")
    for notice in result.notices:
        print(f"提醒：{notice}", file=sys.stderr)
    if not _has_values(result.data):
        return _fail(result.messages() or ["工作簿中没有填写任何数据。"], f"无法导入 Excel 文件 {args.workbook}：")
    text = dump_yaml(result.figures) if result.figures is not None else dump_yaml_data(result.data)
    if result.problems:
        print(f"Excel 文件 {args.workbook} 中有 {len(result.problems)} 处需要改正（这些单元格未导入，其余数据已全部导入）：", file=sys.stderr)
        for problem in result.problems:
            print(f"  - {problem.message}", file=sys.stderr)
    if not args.output:
        sys.stdout.write(text)
        return 1 if result.problems else 0
    try:
        write_text_atomic(args.output, text)
    except OSError as exc:
        return _fail([f"无法写入文件 {args.output}：{exc.strerror or exc}。"], "无法保存数据文件：")
    print(f"已写入 {args.output}" + ("（有待改正的单元格，见上）" if result.problems else ""))
    return 1 if result.problems else 0


def _has_values(data) -> bool:
    if isinstance(data, dict):
        return any(_has_values(v) for v in data.values())
    if isinstance(data, list):
        return any(_has_values(v) for v in data)
    return data is not None


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
