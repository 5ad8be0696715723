"""CLI: `inspect REPORT… [--json] [--excel OUT.xlsx] [--to-figures OUT.yaml [--as-last-year]]` — 体检.

Checks a report's own arithmetic with no figures file: totals and parts, shares, differences and
change rates, execution rates, worked formulas, fund-table totals, 自评表 weights (see
assistant/inspection). A folder is inspected report by report into one summary.

Exit codes: 0 no inconsistency found; 1 inconsistencies (errors or 按四舍五入 warnings) found;
2 an input could not be read (missing, damaged, unsupported) or the output could not be written.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _print_report(path: Path, report, show_unchecked: bool) -> None:
    print(report.summary())
    for f in report.findings:
        print(f"{path}:{f.place.line}:{f.place.column}: {f.to_dict()['severity_zh']}【{f.rule_zh}】{f.message}")
        print(f"    位置：{f.place.label}  原文：{f.place.excerpt}")
    if show_unchecked:
        for u in report.unchecked:
            print(f"{path}:{u.place.line}:{u.place.column}: 未能核对【{u.to_dict()['rule_zh']}】{u.reason}")
    elif report.unchecked:
        print(f"  另有 {len(report.unchecked)} 处关系未能核对（加 --unchecked 查看）。")


def run_inspect(args) -> int:
    from assistant.inspection.batch import inspect_many, summary_text, write_excel
    from assistant.inspection.reading import expand

    files, problems = expand(args.reports)
    if args.to_figures and len(files) != 1:
        print("--to-figures 只能用于一份报告。", file=sys.stderr)
        return 2
    result = inspect_many(files)
    result.unreadable[:0] = [(None, message) for message in problems]

    if args.json:
        payload = {
            "reports": [{"file": str(p), **r.to_dict()} for p, r in result.reports],
            "unreadable": [{"file": str(p) if p else None, "message": m} for p, m in result.unreadable],
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        for path, report in result.reports:
            _print_report(path, report, args.unchecked)
        for _, message in result.unreadable:
            print(f"无法读取：{message}", file=sys.stderr)
        if len(result.reports) + len(result.unreadable) > 1:
            print()
            print(summary_text(result))

    if args.excel:
        try:
            write_excel(result, args.excel)
        except OSError as exc:
            print(f"无法写入 Excel 文件 {args.excel}：{exc.strerror or exc}", file=sys.stderr)
            return 2
        if not args.json:
            print(f"汇总表已写入 {args.excel}。")

    if args.to_figures and result.reports:
        from assistant.figures.yaml_io import FiguresError
        from assistant.inspection.prefill import build_prefill, to_yaml

        path, report = result.reports[0]
        prefill = build_prefill(report, as_last_year=args.as_last_year)
        try:
            text = to_yaml(prefill, path.name)
            out = Path(args.to_figures)
            tmp = out.with_name(out.name + ".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(out)
        except FiguresError as exc:
            print("读出的数字无法组成有效的数据文件：" + "；".join(exc.messages), file=sys.stderr)
            return 2
        except OSError as exc:
            print(f"无法写入数据文件 {args.to_figures}：{exc.strerror or exc}", file=sys.stderr)
            return 2
        if not args.json:
            kind = "（已作为下一年度的上年数）" if args.as_last_year else ""
            print(f"已读出 {len(prefill.entries)} 项数字写入 {args.to_figures}{kind}，每项注明来源句子，请核对后使用。")

    if result.unreadable:
        return 2
    return 1 if result.has_findings else 0


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "inspect",
        help="体检：不需数据文件，核算报告自身的数字关系（合计、占比、增减、执行率、分值）",
        description=(
            "读取报告（.docx/.pdf/.md/.txt，或一个文件夹），找出其中的数字及其名称，重建文中和表中写明的"
            "数字关系并用十进制重新计算，列出每处不一致（位置、两个数字和规则）。"
            "退出码：0 未发现问题，1 发现不一致，2 无法读取。"
        ),
    )
    parser.add_argument("reports", nargs="+", metavar="REPORT", help="报告文件或文件夹")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出全部结果")
    parser.add_argument("--excel", metavar="OUT.xlsx", help="把汇总、问题清单和未能核对的关系写入 Excel")
    parser.add_argument("--unchecked", action="store_true", help="列出每处未能核对的关系")
    parser.add_argument("--to-figures", metavar="OUT.yaml", help="把读出的数字写成数据文件（每项注明来源句子）")
    parser.add_argument("--as-last-year", action="store_true", help="与 --to-figures 同用：把本年数字写入下一年度的“上年”字段")
    parser.set_defaults(handler=run_inspect)
