"""CLI: `draft` — the whole report to .docx (公文 format) and Markdown, offline or with a model."""

from __future__ import annotations

import sys
from pathlib import Path

from assistant.figures import load_figures

from assistant.figures.yaml_io import FiguresError


def run_draft(args) -> int:
    from assistant.drafting import draft_report
    from assistant.drafting.outline import OutlineError
    from assistant.export.report_files import write_report_files
    from assistant.scoring import build_scored_ledger
    from assistant.ledger.settings import ReportSettings

    try:
        figures = load_figures(args.figures)
    except FiguresError as exc:
        print(f"无法读取数据文件 {args.figures}：", file=sys.stderr)
        for message in exc.messages:
            print(f"  - {message}", file=sys.stderr)
        return 2
    backend = "offline"
    model_settings = None
    if args.model and not args.offline:
        from assistant.llm.model_settings import ModelSettings

        model_settings = ModelSettings.from_env().model_copy(update={"model": args.model})
        backend = "llm"
    settings = ReportSettings(outline=args.outline)
    from assistant.ledger.checks import check, errors_of, failed_checks_notice

    # Figures that fail the checks are not drafted silently (exit 1), unless forced; a forced report
    # says so on its first page.
    findings = check(figures, settings)
    errors = errors_of(findings)
    if errors and not getattr(args, "force", False):
        print(f"数据校验未通过（{len(errors)}项错误），未生成报告。请更正后重试，或加 --force 强制生成：", file=sys.stderr)
        for finding in errors:
            print(f"  - {finding.message}（字段 {', '.join(finding.fields)}）", file=sys.stderr)
        return 1
    retriever = None
    if backend == "llm":
        try:
            from assistant.corpus import ensure_sample_index

            retriever = ensure_sample_index()
        except Exception as exc:  # drafting works without style examples
            print(f"提示：资料库不可用（{exc}），不附参考范文。", file=sys.stderr)
    try:
        report = draft_report(figures, settings=settings, outline=args.outline, backend=backend, model_settings=model_settings, retriever=retriever)
    except (OutlineError, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if errors:
        report.preamble = "\n".join(text for text in (failed_checks_notice(findings), report.preamble) if text)
        print(f"注意：数据有{len(errors)}项校验错误，已按 --force 强制生成，报告首页已注明。", file=sys.stderr)
    ledger = build_scored_ledger(figures, settings)
    written = write_report_files(report, ledger, figures, docx_path=args.output, md_path=args.md)
    problems = 0
    for section in report.sections:
        if section.drafter == "outline":
            continue
        statuses = [f.get("status") for f in section.findings]
        ok = sum(1 for s in statuses if s == "supported")
        bad = len(statuses) - ok
        problems += bad + (1 if section.error else 0)
        line = f"{section.heading}：起草方式 {section.drafter}，数字核验 {ok}/{len(statuses)} 通过"
        if section.fallback_reason:
            line += f"；已改用模板文本（{section.fallback_reason.splitlines()[0]}）"
        if section.error:
            line += f"；{section.error}"
        print(line)
    for heading, reason in report.omitted:
        print(f"{heading}：{reason}")
    for path in written:
        print(f"已生成：{path}")
    return 1 if problems else 0


def register(sub) -> None:
    p = sub.add_parser("draft", help="一键生成完整报告（.docx 与 Markdown）")
    p.add_argument("figures", help="数据文件（YAML 或 Excel）")
    p.add_argument("--outline", default="seed", help="提纲：seed（县级样式）或 hunan（省厅样式），或提纲文件路径")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--offline", action="store_true", help="离线模板起草（默认）")
    mode.add_argument("--model", help="使用大模型起草（OpenAI 兼容接口，见 OPENAI_BASE_URL 等设置）")
    p.add_argument("-o", "--output", type=Path, help=".docx 输出路径")
    p.add_argument("--md", type=Path, help="Markdown 输出路径")
    p.add_argument("--force", action="store_true", help="数据校验有错误时仍然生成（报告首页注明未通过的校验项）")
    p.set_defaults(handler=run_draft)
