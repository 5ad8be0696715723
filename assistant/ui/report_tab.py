"""一键生成: draft the whole report with per-section progress, preview it, redraft one section,
download .docx and .md, and show which drafter wrote each section and why any fell back."""

from __future__ import annotations

import datetime as dt
import hashlib
import time

import pandas as pd
import streamlit as st

from assistant.drafting.outline import OutlineError, load_outline
from assistant.drafting.pipeline import draft_report
from assistant.drafting.redraft import ADOPTED_DRAFTER, apply_adopted, redraft_section, replace_section
from assistant.export.markdown import report_to_markdown
from assistant.export.report_files import export_files, report_file_stem
from assistant.interface import Report
from assistant.safe_text import inert_markdown
from assistant.scoring import build_scored_ledger
from assistant.ui import resources, state
from assistant.ui.highlight import counts_line, finding_dicts, highlight_html, render_citations
from assistant.ui.labels import model_failure, outline_name, settings_words, short_reason
from assistant.ui.markup import md
from assistant.workspace import dumps, report_to_dict

S = st.session_state
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Per-section progress: (bar value, words) for each step the pipeline reports as it happens.
STATUS = {
    "queued": (0, "排队中"),
    "running": (25, "起草中…"),
    "verifying": (70, "核验数字…"),
    "redrafting": (45, "未通过核验，重新起草…"),
    "fallback": (85, "改用模板文本…"),
    "done": (100, "完成"),
    "failed": (100, "失败"),
}
FINISHED = ("done", "failed")


def drafter_name(drafter: str) -> str:
    if drafter == "template":
        return "模板（离线）"
    if drafter == "fallback":
        return "模板（模型未成功，已改用）"
    if drafter.startswith("llm:"):
        return f"大模型 {drafter[4:]}"
    if drafter == ADOPTED_DRAFTER:
        return "对话采用"
    if drafter == "outline":
        return "标题"
    return drafter


def backend_choice(key: str):
    """The drafting backend chosen on this tab; the model only when one is configured."""
    model = state.model_settings()
    options = {"offline": "离线模板起草（不需要模型）"}
    if model.configured:
        options["llm"] = md(f"大模型起草：{model.describe()}")  # the URL ends at the URL, not at the next space
    backend = st.radio("起草方式", list(options), format_func=options.get, key=key, horizontal=True)
    if not model.configured:
        st.caption("未配置模型：如需大模型起草，请在“设置”页填写模型地址和名称。")
    return backend, model


def render() -> None:
    st.subheader("一键生成报告")
    figures = state.figures()
    settings, problems = state.report_settings()
    for problem in problems:
        st.warning(problem)
    try:
        outline = load_outline(settings.outline)
    except OutlineError as exc:
        st.error(str(exc))
        return
    backend, model = backend_choice("report_backend")
    if figures is None and not state.has_content():
        st.info("请先填写或导入数据：在“数据录入”中载入示例案例、上传数据文件或逐项填写，然后回到这里生成报告。", icon=":material/info:")
    elif figures is None:
        st.warning("“数据录入”中还有需要修正的填写，修正后才能生成报告。", icon=":material/warning:")
    st.caption(f"提纲：{outline_name(outline.name)}（{len(outline.writable)} 个章节）。每个数字都来自计算台账，并在生成后逐一核对。")
    notice, confirmed = _check_before_drafting(figures, settings)
    if st.button("一键生成报告", type="primary", disabled=figures is None or not confirmed, key="generate_report"):
        _generate(figures, settings, outline, backend, model, notice)
    report = state.report()
    if report is None:
        st.info("还没有生成报告。")
        return
    _show_report(report, figures, settings, backend, model)


def _check_before_drafting(figures, settings) -> tuple[str, bool]:
    """Figures that fail the checks: list the errors and ask before drafting. Returns the first-page
    notice for a report drafted anyway ("" when the figures pass) and whether drafting may start."""
    if figures is None:
        return "", True
    from assistant.ledger.checks import check, errors_of, failed_checks_notice

    findings = check(figures, settings)
    errors = errors_of(findings)
    if not errors:
        return "", True
    st.error(f"数据校验未通过（{len(errors)}项错误），请先在“数据录入”中更正：")
    for finding in errors:
        st.markdown(f"- :red[{finding.message}]")
    confirmed = st.checkbox("仍然生成（报告首页将注明数据未通过校验及各错误项）", key="generate_despite_errors")
    return failed_checks_notice(findings), confirmed


def _generate(figures, settings, outline, backend: str, model, notice: str = "") -> None:
    bars = {}
    started = time.monotonic()
    steps: dict[str, str] = {}
    fell_back: set[str] = set()
    total = len(outline.writable)
    overall = st.progress(0, text=f"已完成 0/{total} 个章节")
    status = st.status("正在起草各章节…", expanded=True)
    with status:
        for section in outline.writable:
            bars[section.id] = (st.progress(0, text=f"{section.heading}：排队中"), section.heading)

    def progress(section_id: str, step: str) -> None:
        if section_id not in bars:
            return
        steps[section_id] = step
        if step == "fallback":
            fell_back.add(section_id)
        value, words = STATUS.get(step, (0, step))
        if step == "done" and section_id in fell_back:
            words = "完成（已改用模板文本）"
        bar, heading = bars[section_id]
        bar.progress(value, text=f"{heading}：{words}")
        finished = sum(1 for s in steps.values() if s in FINISHED)
        overall.progress(finished / total if total else 1.0, text=f"已完成 {finished}/{total} 个章节，用时 {time.monotonic() - started:.0f} 秒")

    retriever = resources.corpus_index_or_none() if backend == "llm" else None
    try:
        report = draft_report(
            figures,
            settings=settings,
            outline=outline.name,
            backend=backend,
            model_settings=model if backend == "llm" else None,
            retriever=retriever,
            progress=progress,
        )
    except Exception as exc:  # a broken model configuration must not take the page down
        status.update(label="生成失败", state="error")
        overall.empty()
        what, todo = model_failure(str(exc))
        st.error(md(f"生成失败：{settings_words(str(exc))}\n\n{todo}"), icon=":material/error:")
        return
    if notice:  # drafted from figures that failed the checks: said on the first page
        report.preamble = "\n".join(text for text in (notice, report.preamble) if text)
    elapsed = time.monotonic() - started
    overall.progress(1.0, text=f"已完成 {total}/{total} 个章节，用时 {elapsed:.0f} 秒")
    status.update(label=f"起草完成：{total} 个章节，用时 {elapsed:.0f} 秒", state="complete", expanded=False)
    state.set_report(
        report,
        {
            "backend": backend,
            "model": model.describe() if backend == "llm" else "",
            "outline": outline.name,
            "generated_at": dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
            "figures_digest": state.figures_digest(figures),
        },
    )
    failed = sum(1 for s in report.sections if s.error)
    if failed:
        st.error(f"报告已生成，但有 {failed} 个章节起草失败，见下方说明。", icon=":material/error:")
    else:
        st.success(f"报告已生成（用时 {elapsed:.0f} 秒）。", icon=":material/check_circle:")


def _exports(report: Report, figures, settings) -> dict[str, bytes]:
    """The files the exporter writes for the report, named “{单位}{年度}年度部门整体支出绩效自评报告”
    (.docx, .md, -附件.md, .xlsx); cached while neither the report nor the figures change."""
    key = hashlib.sha1((dumps(report_to_dict(report)) + state.figures_digest(figures) + settings.model_dump_json()).encode()).hexdigest()
    cached = S.get("_export_cache")
    if cached and cached[0] == key:
        return cached[1]
    files = export_files(report, build_scored_ledger(figures, settings), figures)
    S["_export_cache"] = (key, files)
    return files


def _show_report(report: Report, figures, settings, backend: str, model) -> None:
    info = S.get("report_info") or {}
    effective, unplaced = apply_adopted(report, state.adopted())
    line = f"生成于 {info.get('generated_at', '—')}，{'大模型 ' + info['model'] if info.get('backend') == 'llm' else '离线模板'}起草。"
    st.markdown(f"#### {report.title}")
    st.caption(line)
    if figures is not None and info.get("figures_digest") and info["figures_digest"] != state.figures_digest(figures):
        st.warning("生成报告后数据已修改：请重新生成（或重新生成有关章节），以免正文与表格数字不一致。")

    attachments = ""
    if figures is not None:
        try:
            files = _exports(effective, figures, settings)
        except Exception as exc:  # e.g. the attachment tables cannot be built from these figures
            st.error(f"导出文件未能生成：{exc}")
            files = {}
        stem = report_file_stem(figures.meta.unit_name, figures.meta.year)
        markdown = files.get(f"{stem}.md", b"").decode("utf-8") or report_to_markdown(effective, build_scored_ledger(figures, settings))
        st.caption(f"下载文件名：{stem}（.docx、.md、-附件.md、.xlsx）")
        columns = st.columns([1, 1, 1, 1, 1.2])
        if f"{stem}.docx" in files:
            columns[0].download_button("下载 Word（.docx）", files[f"{stem}.docx"], file_name=f"{stem}.docx", mime=DOCX_MIME, type="primary", key="download_docx")
        columns[1].download_button("下载 Markdown（.md）", markdown, file_name=f"{stem}.md", mime="text/markdown", key="download_md")
        if f"{stem}-附件.md" in files:
            attachments = files[f"{stem}-附件.md"].decode("utf-8")
            columns[2].download_button("下载附件（.md）", files[f"{stem}-附件.md"], file_name=f"{stem}-附件.md", mime="text/markdown", key="download_attachments")
        if f"{stem}.xlsx" in files:
            columns[3].download_button("下载附件（.xlsx）", files[f"{stem}.xlsx"], file_name=f"{stem}.xlsx", mime=XLSX_MIME, key="download_xlsx")
        evidence = _evidence_file(effective, figures, settings)
        columns[4].download_button(
            "下载数字来源表（.xlsx）",
            evidence,
            file_name=f"{stem}-数字来源表.xlsx",
            mime=XLSX_MIME,
            key="download_evidence",
            icon=":material/fact_check:",
            help="正文中每个数字的章节、所在语句、核对结果和来源（台账项目及公式，或引用的填写文字），供审核使用",
        )
        if f"{stem}.docx" in files:
            _edited_docx_check(files[f"{stem}.docx"], figures, settings)
    else:
        markdown = report_to_markdown(effective)
        st.caption("数据修正后可下载 Word 和 Markdown 文件。")

    _failure_notice(effective)
    _todo_notice(effective)
    _section_table(effective)
    for section_id in unplaced:
        st.caption(f"对话中采用的“{section_id}”一节未纳入：本报告中没有这一节（数据不足被省略）。")
    if effective.omitted:
        st.markdown("**省略的章节**")
        for heading, reason in effective.omitted:
            st.caption(f"{heading}：{reason}")
    _redraft(report, figures, settings, backend, model)

    view = st.segmented_control("预览", ["排版预览", "数字核验", "数字来源表"], default="排版预览", key="report_view")
    with st.container(border=True):
        if view == "数字核验":
            _verification_view(effective, figures, settings)
        elif view == "数字来源表":
            _evidence_view(effective, figures, settings)
        elif figures is not None and files:
            _layout_preview(effective, figures, settings, files)
        else:
            st.markdown(inert_markdown(markdown))  # a note's image or HTML must not be fetched
            if attachments:
                with st.expander("附件"):
                    st.markdown(inert_markdown(attachments))


def _edited_docx_check(exported_docx: bytes, figures, settings) -> None:
    """Upload the .docx edited in Word/WPS: the changed sentences against the exported one, and any
    figure in them that no longer traces (assistant.verify.diff)."""
    from assistant.ledger.calculator import note_texts
    from assistant.verify.diff import KIND_NAMES, check_edited_upload
    from assistant.verify.documents import DocumentError
    from assistant.verify.report import STATUS_NAMES, SUPPORTED

    with st.expander("核对修改稿：上传在 Word/WPS 中修改后的 .docx，查看改动及其中的数字"):
        upload = st.file_uploader("修改后的报告（.docx）", type=["docx"], key="edited_docx")
        if upload is None:
            st.caption("与本页导出的 Word 逐句比较，列出改动的语句，并核对其中每个数字是否仍有来源。")
            return
        try:
            edits = check_edited_upload(exported_docx, upload.name, upload.getvalue(), build_scored_ledger(figures, settings), note_texts(figures))
        except DocumentError as exc:
            st.error(f"无法读取上传的文件：{exc}")
            return
        (st.success if edits.ok else st.error)(edits.summary())
        for change in edits.changes:
            place = (change.after or change.before).place
            lines = [f"**【{KIND_NAMES[change.kind]}】{place}**"]
            if change.before is not None and change.kind != "added":
                lines.append(f"- 修改前：{inert_markdown(change.before.text)}")
            if change.after is not None:
                lines.append(f"- 修改后：{inert_markdown(change.after.text)}")
            for finding in change.findings:
                mark = ":green" if finding.status == SUPPORTED else ":red"
                lines.append(f"  - {mark}[“{inert_markdown(finding.text)}” {STATUS_NAMES[finding.status]}]：{inert_markdown(finding.message)}")
            st.markdown("\n".join(lines))
        if edits.unchanged_problems:
            st.caption(f"未改动的语句中另有{len(edits.unchanged_problems)}处数字无法溯源（导出稿中已有）。")


def _todo_notice(report: Report) -> None:
    """【待补：原因】 markers are the user's to-do: counted and named by section, never a figure error."""
    from assistant.todos import todo_markers

    pending = [(s.heading, len(todo_markers(s.text))) for s in report.sections if todo_markers(s.text)]
    if pending:
        total = sum(n for _, n in pending)
        where = "、".join(f"“{heading}”{n}处" for heading, n in pending)
        st.warning(f"待补内容{total}处：{where}。请在正文“【待补：原因】”处补充原因（可在数据录入的说明或差异原因中填写后重新生成）。")


def _layout_preview(report: Report, figures, settings, files: dict[str, bytes]) -> None:
    """The exported .docx as its pages (LibreOffice), else the HTML preview in 公文 format."""
    import streamlit.components.v1 as components

    from assistant.export.preview import build_preview
    from assistant.export.report_files import report_attachments

    stem = report_file_stem(figures.meta.unit_name, figures.meta.year)
    docx = files.get(f"{stem}.docx", b"")
    key = hashlib.sha1(docx).hexdigest()
    cached = S.get("_preview_cache")
    if cached and cached[0] == key:
        shown = cached[1]
    else:
        ledger = build_scored_ledger(figures, settings)
        with st.spinner("正在排版预览…"):
            shown = build_preview(docx, report, ledger, report_attachments(report, ledger, figures), scale=1.0)
        S["_preview_cache"] = (key, shown)
    st.caption(shown.note)
    if shown.images:
        for number, image in enumerate(shown.images, start=1):
            st.image(image, caption=f"第{number}页", width="stretch")
    else:
        components.html(shown.html, height=1200, scrolling=True)


def _section_table(report: Report) -> None:
    rows = []
    for section in report.sections:
        if section.drafter == "outline":
            continue
        findings = section.findings or []
        bad = sum(1 for f in findings if (f.get("status") if isinstance(f, dict) else "") != "supported")
        if section.error:
            check = "—"
        elif not findings:
            check = "通过（无数字）"
        elif section.verified:
            check = f"通过：{len(findings)} 处数字全部有据"
        else:
            check = f"未通过：{bad} 处数字无据或有误"
        rows.append(
            {
                "章节": section.heading,
                "起草方式": drafter_name("fallback" if section.fallback_reason else section.drafter),
                "数字核验": check,
                "回退/错误说明": short_reason(section.error or section.fallback_reason) or "—",
            }
        )
    st.markdown("**各章节起草情况**")
    # Tall enough for every section, so the table never scrolls on its own.
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=36 * (len(rows) + 1) + 4)


def _redraft(report: Report, figures, settings, backend: str, model) -> None:
    choices = {s.section_id: s.heading for s in report.sections if s.drafter != "outline"}
    if not choices:
        return
    left, right = st.columns([3, 1])
    chosen = left.selectbox("重新生成单个章节", list(choices), format_func=choices.get, key="redraft_section")
    right.markdown("&nbsp;")
    if right.button("重新生成本节", disabled=figures is None, key="redraft_button"):
        with st.spinner(f"正在重新起草“{choices[chosen]}”…"):
            retriever = resources.corpus_index_or_none() if backend == "llm" else None
            try:
                draft = redraft_section(
                    figures,
                    chosen,
                    settings=settings,
                    outline=report.outline,
                    backend=backend,
                    model_settings=model if backend == "llm" else None,
                    retriever=retriever,
                )
            except Exception as exc:  # keep the report as it was
                st.error(md(f"重新生成失败：{settings_words(str(exc))}"), icon=":material/error:")
                return
        state.adopted().pop(chosen, None)  # the user asked for a fresh draft of this section
        state.set_report(replace_section(report, draft), S.get("report_info") or {})
        st.rerun()


def _verification_view(report: Report, figures, settings) -> None:
    ledger = build_scored_ledger(figures, settings) if figures is not None else None
    for section in report.sections:
        st.markdown(f"{'#' * min(section.level + 3, 6)} {section.heading}")
        if not section.text.strip():
            continue
        findings = finding_dicts(section.findings)
        st.caption(counts_line(findings))
        st.markdown(highlight_html(section.text, findings, ledger), unsafe_allow_html=True)
        render_citations(list(section.citations or []), title="本节参考资料")


def _failure_notice(report: Report) -> None:
    """Sections a model did not write (unreachable, timeout, rejected drafts): a warning box naming
    them, the reason in plain words, and what to do — never only a grey caption."""
    failed = [s for s in report.sections if s.fallback_reason or s.error]
    if not failed:
        return
    reasons: dict[tuple[str, str], list[str]] = {}
    for section in failed:
        reasons.setdefault(model_failure(section.error or section.fallback_reason), []).append(section.heading)
    lines = [f"有 {len(failed)} 个章节没有采用模型的稿子，已换上模板文本（其中的数字全部来自计算台账）："]
    for (what, todo), headings in reasons.items():
        lines.append(f"- **{what}**：{'、'.join(f'“{h}”' for h in headings)}。{todo}")
    st.warning(md("\n".join(lines)), icon=":material/warning:")


def _evidence_rows(report: Report, figures, settings):
    from assistant.ledger.calculator import note_texts
    from assistant.verify.evidence import report_evidence

    return report_evidence(report, build_scored_ledger(figures, settings), note_texts(figures))


def _evidence_file(report: Report, figures, settings) -> bytes:
    """The 数字来源表 as .xlsx, cached with the report and figures it describes."""
    from assistant.verify.evidence import evidence_xlsx

    key = hashlib.sha1((dumps(report_to_dict(report)) + state.figures_digest(figures) + settings.model_dump_json()).encode()).hexdigest()
    cached = S.get("_evidence_cache")
    if cached and cached[0] == key:
        return cached[1]
    data = evidence_xlsx(_evidence_rows(report, figures, settings), title=f"数字来源表：{report.title}")
    S["_evidence_cache"] = (key, data)
    return data


def _evidence_view(report: Report, figures, settings) -> None:
    """Every figure of the report with its sentence, status and source, as the downloadable table shows it."""
    if figures is None:
        st.caption("数据修正后显示数字来源表。")
        return
    from assistant.verify.evidence import COLUMNS, evidence_summary

    rows = _evidence_rows(report, figures, settings)
    bad = [r for r in rows if not r.ok]
    (st.success if not bad else st.error)(evidence_summary(rows))
    only_bad = st.toggle("只看未通过的数字", key="evidence_only_bad", disabled=not bad)
    shown = bad if only_bad else rows
    table = pd.DataFrame([r.cells() for r in shown], columns=[label for _, label in COLUMNS])
    st.dataframe(table.replace("", "—"), hide_index=True, width="stretch", height=min(36 * (len(shown) + 1) + 4, 640))
