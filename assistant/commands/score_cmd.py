"""CLI: `score` — the 部门整体支出绩效自评表 and every 项目支出绩效自评表 with scores and grades.

    python -m assistant score FIGURES.yaml [--profile FILE] [--overrides FILE] [--set 指标=得分]
                                           [--excel OUT.xlsx] [--json] [--denominator full_year|initial]

`--profile` takes a profile file or a shipped profile name (department_default, project_default,
project_sichuan); give it twice for one department and one project profile. Exit codes: 0 scored,
1 an entered score is unusable, 2 the figures or a profile cannot be read.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from assistant.figures import load_figures

from assistant.figures.yaml_io import FiguresError, decode_bytes, parse_yaml_text
from assistant.ledger.settings import ReportSettings


def _fail(messages: list[str], heading: str) -> int:
    print(heading, file=sys.stderr)
    for message in messages:
        print(f"  - {message}", file=sys.stderr)
    return 2


def _read_overrides(path: str | None, pairs: list[str]) -> dict:
    """Entered department scores from a YAML mapping file and `--set 指标=得分` pairs."""
    overrides: dict = {}
    if path:
        try:
            data = parse_yaml_text(decode_bytes(Path(path).read_bytes()))
        except OSError as exc:
            raise FiguresError([f"无法读取填报得分文件 {path}：{exc.strerror or exc}。"]) from exc
        if data is not None and not isinstance(data, dict):
            raise FiguresError([f"填报得分文件 {path} 应为“指标: 得分”的列表，例如 “满意度: 9”。"])
        overrides.update(data or {})
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise FiguresError([f"--set 的写法应为“指标=得分”，例如 --set 社会效益=9，填写的是：{pair}。"])
        overrides[name.strip()] = value.strip()
    return overrides


def run_score(args) -> int:
    from assistant.scoring import (
        NEEDS_INPUT,
        DepartmentProfile,
        ProfileError,
        add_score_facts,
        base_ledger,
        load_profile,
        score_figures,
        scorecard_markdown,
        write_scorecard_excel,
    )
    from assistant.scoring.render import summary_lines

    try:
        figures = load_figures(args.figures)
    except FiguresError as exc:
        return _fail(exc.messages, f"无法读取数据文件 {args.figures}：")
    try:
        profiles = [load_profile(p) for p in args.profile or ()]
    except ProfileError as exc:
        return _fail(exc.messages, f"评分方案 {exc.source} 无法使用：")
    department = [p for p in profiles if isinstance(p, DepartmentProfile)]
    project = [p for p in profiles if not isinstance(p, DepartmentProfile)]
    if len(department) > 1 or len(project) > 1:
        return _fail(["--profile 最多指定一个部门整体评分方案和一个项目评分方案。"], "评分方案重复：")
    try:
        overrides = _read_overrides(args.overrides, args.set or [])
    except FiguresError as exc:
        return _fail(exc.messages, "填报得分无法读取：")

    settings = ReportSettings(execution_denominator=args.denominator)
    ledger = base_ledger(figures, settings)
    card = score_figures(
        figures,
        settings,
        ledger=ledger,
        department_profile=department[0] if department else None,
        project_profile=project[0] if project else None,
        overrides=overrides,
    )
    add_score_facts(card, ledger)
    score_facts = [f for f in ledger if f.key.startswith(("project.", "department.")) and ".score." in f.key]
    score_missing = [m for m in ledger.missing.values() if ".score." in m.key]

    if args.excel:
        write_scorecard_excel(card, args.excel)
    if args.json:
        payload = {
            "scorecard": card.to_dict(),
            "facts": [f.to_dict() for f in score_facts],
            "missing": [{"key": m.key, "label": m.label, "reason": m.reason} for m in score_missing],
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(scorecard_markdown(card))
        print("## 评分结果")
        for line in summary_lines(card):
            print(f"- {line}")
        if card.errors:
            print("\n## 填报得分有误")
            for message in card.errors:
                print(f"- {message}")
        print("\n## 台账中的得分")
        for fact in score_facts:
            print(f"- {fact.label}：{fact.text}    {fact.key}")
        for missing in score_missing:
            print(f"- {missing.label}：{NEEDS_INPUT}    {missing.key}")
        if args.excel:
            print(f"\n已写出 Excel：{args.excel}")
    return 1 if card.errors else 0



def register(sub) -> None:
    p = sub.add_parser("score", help="自评表评分（部门整体支出、项目支出）")
    p.add_argument("figures", help="数据文件（YAML 或 Excel）")
    p.add_argument("--profile", action="append", metavar="FILE", help="评分方案文件或内置方案名，可指定部门和项目方案各一个")
    p.add_argument("--overrides", metavar="FILE", help="部门整体自评表填报得分（YAML：指标代码或名称: 得分 或 不适用）")
    p.add_argument("--set", action="append", metavar="指标=得分", help="填报一项部门整体指标得分，可重复")
    p.add_argument("--excel", metavar="OUT.xlsx", help="同时写出 Excel 自评表")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.add_argument("--denominator", choices=("full_year", "initial"), default="full_year", help="预算执行率分母：全年预算数或年初预算数")
    p.set_defaults(handler=run_score)
