"""CLI: `eval` — draft the evaluation cases, score them against the reference reports, write reports.

    python -m assistant eval [--case ID ...] [--backend offline|llm ...] [--json] [--out DIR]
                             [--compare BASELINE.json] [--write-baseline PATH] [--judge]

Exit codes: 0 all clear; 1 the gate failed (an unsupported, misattributed or contradicted figure, or
a case that could not be drafted); 2 the run could not start (unknown case, no model, missing module).
"""

from __future__ import annotations

import json
import sys


def run_eval_command(args) -> int:
    from assistant import offline
    from assistant.evaluation import EvaluationError, MissingComponent, run_eval
    from assistant.evaluation.compare import compare, load_baseline, save_baseline
    from assistant.evaluation.render import terminal_report, write_reports

    backends = tuple(args.backends or ("offline",))

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        baseline = load_baseline(args.compare) if args.compare else None
        judge = None
        if args.judge:
            from assistant.evaluation.judge import make_judge

            judge = make_judge()
        run = run_eval(args.cases or None, backends, judge=judge, progress=progress)
    except (EvaluationError, MissingComponent) as exc:
        print(f"无法评估：{exc}", file=sys.stderr)
        return 2

    deltas = compare(run, baseline) if baseline is not None else None
    out_dir = args.out or (offline.data_dir() / "eval")
    paths = write_reports(run, out_dir, deltas)
    if args.write_baseline:
        save_baseline(run, args.write_baseline)

    if args.json:
        data = run.to_dict()
        data["reports"] = {kind: str(path) for kind, path in paths.items()}
        if deltas is not None:
            data["deltas"] = [
                {"case": d.case, "backend": d.backend, "metric": d.metric, "before": d.before, "after": d.after, "verdict": d.verdict}
                for d in deltas
            ]
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(terminal_report(run, deltas))
        print()
        print(f"报告已写入：{paths['markdown']}、{paths['html']}")
        if args.write_baseline:
            print(f"基线已写入：{args.write_baseline}")
    return 0 if run.gate_ok else 1


def register(sub) -> None:
    p = sub.add_parser("eval", help="评估起草质量：与参考报告比较数字、结构和文字")
    p.add_argument("--case", dest="cases", action="append", metavar="ID", help="只评估指定用例（可重复；默认 evals/cases/ 下全部）")
    p.add_argument(
        "--backend",
        dest="backends",
        action="append",
        choices=("offline", "llm"),
        help="起草方式（可重复以并排比较；默认 offline）",
    )
    p.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    p.add_argument("--out", metavar="DIR", help="报告输出目录（默认 .data/eval/）")
    p.add_argument("--compare", metavar="BASELINE.json", help="与基线比较并列出各指标的变化")
    p.add_argument("--write-baseline", metavar="PATH", help="把本次结果写为基线文件（如 evals/baseline.json）")
    p.add_argument("--judge", action="store_true", help="同时请已配置的大模型按评分表评审（默认关闭）")
    p.set_defaults(handler=run_eval_command)
