"""CLI: `check` (consistency findings) and `compute` (the ledger) for a figures file, and `setup`."""

from __future__ import annotations

import json
import sys

from assistant.ledger.checks import check, has_errors
from assistant.figures import load_figures
from assistant.figures.yaml_io import FiguresError
from assistant.ledger.settings import ReportSettings

SEVERITY_ZH = {"error": "错误", "warning": "提醒"}


def _load(path: str):
    try:
        return load_figures(path), None
    except FiguresError as exc:
        return None, exc.messages


def _file_notices(path: str, figures) -> list[tuple[str, str]]:
    """Warnings about the file itself: a YAML file that looks cut off, texts Word cannot hold."""
    from assistant.figures.yaml_io import decode_bytes, read_limited, text_warnings
    from assistant.safe_text import xml_illegal_warnings

    notices = xml_illegal_warnings(figures)
    if not str(path).lower().endswith((".xlsx", ".xlsm")):
        try:
            notices = [("", w) for w in text_warnings(decode_bytes(read_limited(path)))] + notices
        except FiguresError:
            pass  # it was read a moment ago; nothing more to say about its end
    return notices


def _settings(args) -> ReportSettings:
    return ReportSettings(execution_denominator=args.denominator, three_public_basis=args.three_public_basis)


def run_check(args) -> int:
    figures, errors = _load(args.figures)
    if errors:
        if args.json:
            print(json.dumps({"ok": False, "readable": False, "messages": errors}, ensure_ascii=False, indent=2))
        else:
            print(f"无法读取数据文件 {args.figures}：", file=sys.stderr)
            for message in errors:
                print(f"  - {message}", file=sys.stderr)
        return 2
    findings = check(figures, _settings(args))
    notices = _file_notices(args.figures, figures)
    if args.json:
        payload = {"ok": not has_errors(findings), "readable": True, "findings": [f.to_dict() for f in findings]}
        payload["file_warnings"] = [{"field": field, "message": message} for field, message in notices]
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        if not findings and not notices:
            print("校验通过：未发现数据不一致。")
        for _, message in notices:
            print(f"[{SEVERITY_ZH['warning']}] {message}")
        for f in findings:
            print(f"[{SEVERITY_ZH[f.severity]}] {f.message}  （规则 {f.rule_id}；字段 {', '.join(f.fields)}）")
        errors_n = sum(1 for f in findings if f.severity == "error")
        if findings or notices:
            print(f"共 {errors_n} 个错误，{len(findings) + len(notices) - errors_n} 个提醒。")
    return 1 if has_errors(findings) else 0


def run_compute(args) -> int:
    from assistant.scoring import build_scored_ledger

    figures, errors = _load(args.figures)
    if errors:
        print(f"无法读取数据文件 {args.figures}：", file=sys.stderr)
        for message in errors:
            print(f"  - {message}", file=sys.stderr)
        return 2
    ledger = build_scored_ledger(figures, _settings(args))
    if args.json:
        print(json.dumps(ledger.to_list(), ensure_ascii=False, indent=2))
    else:
        for fact in ledger:
            print(f"{fact.label}：{fact.text}    〔{fact.formula}〕  {fact.key}")
        for missing in ledger.missing.values():
            print(f"{missing.label}：无法计算（{missing.reason}）")
    return 0


def run_setup(args) -> int:
    """Seed offline caches and build the sample index if it is missing (used by `make run`)."""
    from assistant import offline

    offline.apply()
    print(f"tiktoken 缓存已就绪：{offline.data_dir() / 'tiktoken'}")
    from assistant.corpus import ensure_sample_index

    index = ensure_sample_index()
    print(f"资料库索引已就绪：{len(index.list_documents())} 份文档。")
    return 0


def _add_common(p) -> None:
    p.add_argument("figures", help="数据文件（YAML 或 Excel）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.add_argument("--denominator", choices=("full_year", "initial"), default="full_year", help="预算执行率分母：全年预算数或年初预算数")
    p.add_argument("--three-public-basis", choices=("final", "budget"), default="final", help="“三公”经费变动率口径：按决算数或预算数同比")


def register(sub) -> None:
    p = sub.add_parser("check", help="校验数据一致性")
    _add_common(p)
    p.set_defaults(handler=run_check)
    p = sub.add_parser("compute", help="计算全部数据（台账）")
    _add_common(p)
    p.set_defaults(handler=run_compute)
    p = sub.add_parser("setup", help="准备离线缓存和示例资料库索引")
    p.set_defaults(handler=run_setup)
