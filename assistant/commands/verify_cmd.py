"""CLI: `verify --figures FIGURES.yaml REPORT [--against EXPORTED] [--json] [--all]`, or
`verify --workspace NAME EDITED.docx` (the exported draft and the figures from the workspace).

REPORT may be .docx (paragraphs and tables, in document order), .pdf (text layer), .md or .txt.
Without --against every figure of the report is traced to the ledger or the notes; the human output
lists each problem as FILE:LINE:COLUMN (with the paragraph or table row of a .docx) and a Chinese
explanation; --all lists every figure with its source. With --against (the draft we exported, .docx
or .md) it lists the sentences that changed and the status of every figure in them.

Exit codes: 0 every figure (or every figure in a changed sentence) is supported, 1 findings, 2 the
figures file or a report cannot be read.
"""

from __future__ import annotations

import json
import sys


def _load_ledger(path: str):
    """(ledger, notes) or an exit code after printing why the figures file cannot be read."""
    from assistant.figures import load_figures
    from assistant.figures.yaml_io import FiguresError
    from assistant.ledger.calculator import note_texts
    from assistant.scoring import build_scored_ledger

    try:
        figures = load_figures(path)
    except FiguresError as exc:
        print(f"无法读取数据文件 {path}：", file=sys.stderr)
        for message in getattr(exc, "messages", [str(exc)]):
            print(f"  - {message}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"无法读取数据文件 {path}：{exc.strerror or exc}", file=sys.stderr)
        return 2
    return build_scored_ledger(figures), note_texts(figures)


def _read(path: str, what: str):
    from assistant.verify.documents import DocumentError, read_document

    try:
        return read_document(path)
    except DocumentError as exc:
        print(f"无法读取{what}：{exc}", file=sys.stderr)
        return None


def run_verify(args) -> int:
    if args.workspace is not None:
        return _run_workspace(args)
    if not args.figures:
        print("请用 --figures 指定数据文件（或用 --workspace 以工作区中的报告为准）。", file=sys.stderr)
        return 2
    loaded = _load_ledger(args.figures)
    if isinstance(loaded, int):
        return loaded
    ledger, notes = loaded
    document = _read(args.text, "待核对的文本")
    if document is None:
        return 2
    if args.against:
        exported = _read(args.against, "导出稿")
        if exported is None:
            return 2
        return _run_diff(args, exported, document, ledger, notes)

    from assistant.verify import verify

    # The attachments (自评表, 基础数据表) carry the scoring profile's 分值 and 评分标准, which are
    # no ledger figures: the report text is checked, the attachments are named as not checked.
    report = verify(document.body_text, ledger, notes)
    if getattr(args, "excel", None):
        code = _write_evidence(args.excel, report, document, ledger, notes, args.text)
        if code:
            return code
    attachments = document.attachment_blocks
    skipped = (
        f"附件部分（自{attachments[0].place}起，共{len(attachments)}段/行）为自评表等附件，其中的分值和评分标准来自评分方案，未作数字核对；"
        "修改了附件时请用 --against 导出稿 核对改动。"
        if attachments
        else ""
    )
    if args.json:
        data = report.to_dict()
        data["attachments_not_checked"] = skipped
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0 if report.ok else 1

    print(report.summary())
    if skipped:
        print(skipped)
    shown = report.findings if args.all else report.problems
    for finding in shown:
        place = document.place_of_line(finding.line)
        where = f"{args.text}:{finding.line}:{finding.column}"
        if place != f"第{finding.line}行":  # a .docx paragraph or table row, not a plain line
            where += f"（{place}）"
        print(f"{where}: “{finding.text}” {finding.to_dict()['status_zh']}：{finding.message}")
    return 0 if report.ok else 1


def _write_evidence(path: str, report, document, ledger, notes, name: str) -> int:
    """The 数字来源表 of the checked text as .xlsx; 0, or 2 when it cannot be written."""
    from pathlib import Path

    from assistant.verify.evidence import evidence_xlsx, text_evidence

    rows = text_evidence(report, document.body_text, ledger, notes, place_of_line=document.place_of_line)
    try:
        Path(path).write_bytes(evidence_xlsx(rows, title=f"数字来源表：{Path(name).name}"))
    except OSError as exc:
        print(f"无法写入数字来源表 {path}：{exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"已生成数字来源表：{path}（{len(rows)}处数字）", file=sys.stderr)
    return 0


def _run_workspace(args) -> int:
    """The edited .docx against the draft the app exported, rebuilt from the workspace."""
    from assistant.verify.documents import read_document_bytes
    from assistant.verify.exported import ExportedDraftError, exported_draft

    try:
        draft = exported_draft(args.workspace)
    except ExportedDraftError as exc:
        print(f"无法取得导出稿：{exc}", file=sys.stderr)
        return 2
    ledger, notes = draft.ledger, draft.notes
    if args.figures:  # figures given explicitly win over the workspace's
        loaded = _load_ledger(args.figures)
        if isinstance(loaded, int):
            return loaded
        ledger, notes = loaded
    edited = _read(args.text, "修改稿")
    if edited is None:
        return 2
    exported = read_document_bytes(f"{draft.report_name}（导出稿）.docx", draft.docx)
    return _run_diff(args, exported, edited, ledger, notes)


def _run_diff(args, exported, edited, ledger, notes) -> int:
    from assistant.verify.diff import check_edits

    edits = check_edits(exported, edited, ledger, notes)
    if getattr(args, "excel", None):  # the 数字来源表 lists every figure of the edited text, not only the changed ones
        from assistant.verify import verify

        code = _write_evidence(args.excel, verify(edited.body_text, ledger, notes), edited, ledger, notes, args.text)
        if code:
            return code
    if args.json:
        print(json.dumps(edits.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(edits.render_text(verbose=args.all))
    return 0 if edits.ok else 1


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="核对报告中的每个数字：来自账目或工作记录，且没有张冠李戴；或只核对修改稿中改动的语句",
        description=(
            "找出报告中的每个数字，逐一核对其是否来自数据文件的账目或用户的工作记录。"
            "报告可以是 .docx（正文段落和表格）、.pdf（文字层）、.md 或 .txt。"
            "给出 --against 导出稿时，列出修改稿中改动的语句及其中每个数字的核对结果。"
            "退出码：0 全部有据，1 有问题，2 文件无法读取。"
        ),
    )
    parser.add_argument("--figures", metavar="FIGURES.yaml", help="数据文件（YAML 或 Excel）；用 --workspace 时可省略")
    parser.add_argument("text", metavar="REPORT", help="待核对的报告（.docx、.pdf、.md 或 .txt）")
    parser.add_argument(
        "--against", metavar="EXPORTED", help="本工具导出的原稿（.docx 或 .md）；只列出并核对修改稿中改动的语句"
    )
    parser.add_argument(
        "--workspace",
        metavar="REPORT_NAME",
        help="以工作区中该报告在“一键生成”导出的 Word 为原稿，核对修改稿的改动；数据也取自工作区",
    )
    parser.add_argument("--json", action="store_true", help="以 JSON 输出全部核对结果")
    parser.add_argument("--all", action="store_true", help="列出全部数字及其来源，而不只是有问题的")
    parser.add_argument("--excel", metavar="OUT.xlsx", help="另存数字来源表（每个数字的位置、语句、核对结果和来源）为 Excel")
    parser.set_defaults(handler=run_verify)
