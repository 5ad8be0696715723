"""CLI: `draft` — the whole report to .docx (公文 format) and Markdown, offline or with a model.

Prints one line per section: the drafter, the gate's result on the model's draft (or the template's
figure check), and, for a section that fell back to the template text, why. Exit status: 0 when every
section passed (or the offline drafter was chosen), 3 when any section fell back to the template text
or failed, 1 when a figure in the final text is not verified, 2 for unreadable input or options.
"""

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
    if backend == "llm" and not getattr(args, "no_examples", False):
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
    try:
        written = write_report_files(report, ledger, figures, docx_path=args.output, md_path=args.md, xlsx_path=getattr(args, "xlsx", None))
    except OSError as exc:
        print(f"无法写入报告文件：{exc.filename or ''} {exc.strerror or exc}", file=sys.stderr)
        return 2
    unverified = 0
    fell_back = 0
    for section in report.sections:
        if section.drafter == "outline":
            continue
        line, bad, fallback = section_line(section)
        unverified += bad
        fell_back += fallback
        print(line)
    for heading, reason in report.omitted:
        print(f"{heading}：{reason}")
    for path in written:
        print(f"已生成：{path}")
    if getattr(args, "evidence", None):
        from assistant.ledger.calculator import note_texts
        from assistant.verify.evidence import evidence_xlsx, report_evidence

        rows = report_evidence(report, ledger, note_texts(figures))
        try:
            args.evidence.write_bytes(evidence_xlsx(rows, title=f"数字来源表：{report.title}"))
        except OSError as exc:
            print(f"无法写入数字来源表 {args.evidence}：{exc.strerror or exc}", file=sys.stderr)
            return 2
        print(f"已生成：{args.evidence}（数字来源表，{len(rows)}处数字）")
    if backend == "llm":
        written_by_model = sum(1 for s in report.sections if s.drafter.startswith("llm:") and not s.fallback_reason and not s.error)
        total = sum(1 for s in report.sections if s.drafter != "outline")
        print(f"模型起草并通过核验 {written_by_model}/{total} 节；改用模板文本 {fell_back} 节")
    if unverified:
        return 1
    return 3 if fell_back else 0


def section_line(section) -> tuple[str, int, int]:
    """(printed lines, unverified figures, 1 if the section fell back or failed) for one section."""
    statuses = [f.get("status") for f in section.findings]
    ok = sum(1 for s in statuses if s == "supported")
    bad = len(statuses) - ok
    drafter = "模板（离线）" if section.drafter == "template" and not section.fallback_reason else section.drafter
    if section.error:
        return f"{section.heading}：起草方式 {drafter}；起草失败：{section.error}", bad, 1
    if section.fallback_reason:
        reasons = [r.strip() for r in section.fallback_reason.splitlines() if r.strip()]
        text = f"{section.heading}：模型草稿未通过，已改用模板文本（模板数字核验 {ok}/{len(statuses)} 通过）；原因：{reasons[0]}"
        text += "".join(f"\n    {r}" for r in reasons[1:8])
        if len(reasons) > 8:
            text += f"\n    ……另有 {len(reasons) - 8} 条"
        return text, bad, 1
    gate = "通过" if section.verified and not bad else "未通过"
    what = "核验" if section.drafter == "template" else "闸门"
    return f"{section.heading}：起草方式 {drafter}；{what}{gate}（数字 {ok}/{len(statuses)} 有来源）", bad, 0


def register(sub) -> None:
    p = sub.add_parser("draft", help="一键生成完整报告（.docx 与 Markdown）")
    p.add_argument("figures", help="数据文件（YAML 或 Excel）")
    p.add_argument("--outline", default="seed", help="提纲：seed（县级样式）或 hunan（省厅样式），或提纲文件路径")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--offline", action="store_true", help="离线模板起草（默认）")
    mode.add_argument("--model", help="使用大模型起草（OpenAI 兼容接口，见 OPENAI_BASE_URL 等设置）")
    p.add_argument("-o", "--output", type=Path, help=".docx 输出路径")
    p.add_argument("--md", type=Path, help="Markdown 输出路径")
    p.add_argument("--xlsx", type=Path, metavar="OUT.xlsx", help="附件（基础数据表、自评表）另存为 Excel")
    p.add_argument("--evidence", type=Path, metavar="OUT.xlsx", help="另存数字来源表（正文每个数字的章节、语句、核对结果和来源）为 Excel")
    p.add_argument("--no-examples", action="store_true", help="大模型起草时不检索、不附参考范文")
    p.add_argument("--force", action="store_true", help="数据校验有错误时仍然生成（报告首页注明未通过的校验项）")
    p.set_defaults(handler=run_draft)
