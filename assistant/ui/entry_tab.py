"""数据录入: load the sample or a file, edit every part of the figures, see checks and the ledger live."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
import yaml

from assistant.ledger.checks import Finding, check
from assistant.figures.yaml_io import FiguresError, decode_bytes, dump_yaml, parse_yaml_text, size_problems
from assistant.figures.form_data import FormResult, figures_data_from_raw, unknown_fields
from assistant.scoring import build_scored_ledger
from assistant.offline import REPO_ROOT
from assistant.ui import form_widgets, state
from assistant.ui.highlight import source_fields_text

S = st.session_state
SAMPLE_CASE = REPO_ROOT / "evals" / "cases" / "hengshan-fulian-2023" / "figures.yaml"
UPLOAD_TYPES = ["yaml", "yml", "xlsx"]
UPLOAD_LIMIT_MB = 10


def section_key(name: str) -> str:
    """Session key of a figures part's expander (True when open)."""
    return f"entry_open:{name}"


def _load_sample() -> None:
    try:
        data = parse_yaml_text(decode_bytes(SAMPLE_CASE.read_bytes()))
    except (OSError, FiguresError) as exc:
        st.error(f"示例案例无法读取：{exc}")
        return
    meta = data.get("meta") or {}
    name = state.load_data(data, f"示例-{meta.get('unit_name', '')}{meta.get('year', '')}")
    S["entry_notice"] = ("success", f"已载入示例案例（衡山县妇女联合会 2023 年度），保存在报告“{name}”。")


def _handle_upload(uploaded) -> None:
    if uploaded is None or S.get("_uploaded_id") == uploaded.file_id:
        return
    S["_uploaded_id"] = uploaded.file_id  # a rerun must not load the same upload again
    raw = uploaded.getvalue()
    if len(raw) > UPLOAD_LIMIT_MB * 1024 * 1024:
        S["entry_notice"] = ("error", f"文件 {uploaded.name} 超过 {UPLOAD_LIMIT_MB} MB，未载入。")
        return
    suffix = Path(uploaded.name).suffix.lower()
    stem = Path(uploaded.name).stem
    cell_problems: list[str] = []  # bad cells of an Excel import: listed, their fields left empty
    cells: list[dict] = []
    S.pop("excel_problems", None)  # a new upload replaces the list of the last one
    try:
        if suffix == ".xlsx":
            from assistant.figures.excel_io import read_excel

            imported = read_excel(raw)
            data = imported.figures.model_dump(mode="python") if imported.figures is not None else imported.data
            cell_problems = imported.notices + imported.messages()
            cells = [p.to_dict() for p in imported.problems]
        elif suffix in (".yaml", ".yml"):
            data = parse_yaml_text(decode_bytes(raw))
            too_big = size_problems(data)
            if too_big:
                raise FiguresError(too_big)
        else:
            S["entry_notice"] = ("error", f"不支持的文件类型 {suffix or '（无扩展名）'}：请上传 .yaml 或 .xlsx 文件。")
            return
    except FiguresError as exc:
        S["entry_notice"] = ("error", f"文件 {uploaded.name} 未能载入：\n\n" + "\n\n".join(f"- {m}" for m in exc.messages))
        return
    except Exception as exc:  # never a traceback in the app: say so, keep the details in the log
        from assistant.cli import write_error_log

        log = write_error_log(["(app) upload", uploaded.name], exc)
        S["entry_notice"] = ("error", f"文件 {uploaded.name} 未能载入：程序遇到了未预料的情况。详细信息已写入 {log}。")
        return
    if not isinstance(data, dict):
        S["entry_notice"] = ("error", f"文件 {uploaded.name} 的内容应为一组“字段: 值”，例如以 meta: 开头。")
        return
    from assistant.figures.model import Figures

    dropped = unknown_fields(Figures, data)
    name = state.load_data(data, stem)
    message = f"已载入 {uploaded.name}，保存在报告“{name}”。有误的字段会在下方标出，改正后即可起草。"
    if dropped:
        message += "\n\n以下字段无法识别，未载入：" + "、".join(".".join(map(str, p)) for p in dropped)
    if cells:
        # Kept until dismissed or the next upload: the user fixes the fields with the list in view.
        S["excel_problems"] = {"file": uploaded.name, "cells": cells}
        message += f"\n\n有 {len(cells)} 个单元格未能导入（对应的字段留空，请在下方表单中填写），其余数据已全部载入，见下方“未能导入的单元格”。"
    notices = [m for m in cell_problems if m not in {c["message"] for c in cells}]
    if notices:
        message += "\n\n" + "\n".join(f"- {m}" for m in notices)
    S["entry_notice"] = ("warning" if dropped or cell_problems else "success", message)


def _toolbar() -> None:
    left, middle, right = st.columns([1.2, 2.2, 2])
    with left:
        if st.button("载入示例案例", type="primary", help="衡山县妇女联合会 2023 年度（真实报告整理）"):
            _load_sample()
            st.rerun()
    with middle:
        uploaded = st.file_uploader(
            "上传数据文件（YAML 或 Excel 模板）", type=UPLOAD_TYPES, key="figures_upload", max_upload_size=UPLOAD_LIMIT_MB
        )
        if uploaded is not None and S.get("_uploaded_id") != uploaded.file_id:
            _handle_upload(uploaded)
            st.rerun()
    with right:
        _downloads()
    from assistant.ui import last_year_import  # 从上年报告导入 (the reading is assistant.inspection)

    last_year_import.render()
    notice = S.pop("entry_notice", None)
    if notice:
        getattr(st, notice[0])(notice[1], icon=NOTICE_ICONS[notice[0]])
    _excel_problems()


NOTICE_ICONS = {"success": ":material/check_circle:", "warning": ":material/warning:", "error": ":material/error:", "info": ":material/info:"}
PROBLEM_COLUMNS = {"sheet": "工作表", "row": "行", "column": "列", "cell": "单元格", "typed": "填写的内容", "expected": "应填写"}


def _excel_problems() -> None:
    """Each cell an Excel import could not take: sheet, row, column, what was typed, what is expected."""
    problems = S.get("excel_problems")
    if not problems:
        return
    import pandas as pd

    cells = problems["cells"]
    with st.expander(f"未能导入的单元格（{problems['file']}，共 {len(cells)} 处；对应字段已留空，请在表单中填写）", expanded=True, icon=":material/table_chart:"):
        rows = [{label: ("" if cell.get(key) in (None, "") else str(cell[key])) for key, label in PROBLEM_COLUMNS.items()} for cell in cells]
        st.dataframe(pd.DataFrame(rows, columns=list(PROBLEM_COLUMNS.values())), hide_index=True, width="stretch")
        if st.button("已处理，不再显示", key="dismiss_excel_problems", icon=":material/done:"):
            S.pop("excel_problems", None)
            st.rerun()


def _downloads() -> None:
    figures = state.figures()
    name = state.S["report_name"]
    if figures is not None:
        st.download_button("下载 YAML 数据", dump_yaml(figures), file_name=f"{name}.yaml", mime="text/yaml")
    else:
        # Invalid input is still downloadable, as typed, so it can be fixed elsewhere.
        text = yaml.safe_dump(figures_data_from_raw(state.form()), allow_unicode=True, sort_keys=False)
        st.download_button("下载 YAML（含待修正内容）", text, file_name=f"{name}.yaml", mime="text/yaml")
    try:
        filled = _excel(dump_yaml(figures)) if figures is not None else None
    except FiguresError as exc:
        filled = None
        st.caption("；".join(exc.messages))
    if filled is not None:
        st.download_button("下载 Excel（含当前数据）", filled, file_name=f"{name}.xlsx", mime=_XLSX)
    # Built when clicked (on Streamlit's download thread): the first page does not wait for openpyxl.
    st.download_button("下载空白 Excel 模板", lambda: _excel(""), file_name="绩效自评数据模板.xlsx", mime=_XLSX)


_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@st.cache_data(show_spinner=False, max_entries=8)
def _excel(yaml_text: str) -> bytes:
    from assistant.figures.excel_io import excel_bytes
    from assistant.figures.yaml_io import figures_from_yaml_text

    return excel_bytes(figures_from_yaml_text(yaml_text) if yaml_text else None)


def _findings_by_section(findings: list[Finding]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        top = finding.fields[0].split(".")[0] if finding.fields else ""
        grouped.setdefault(top, []).append(finding)
    return grouped


def _show_finding(finding: Finding) -> None:
    if finding.severity == "error":
        st.error(finding.message, icon=":material/error:")
    else:
        st.warning(finding.message, icon=":material/warning:")


def required_fields(result) -> list[str]:
    """Chinese names of the fields a blank form still needs (单位信息/单位名称 …)."""
    from assistant.figures.model import label_for_path

    names = []
    for path in result.field_errors:
        steps = tuple(int(p) if p.isdigit() else p for p in path.split("."))
        names.append(label_for_path(steps))
    return list(dict.fromkeys(names))


def calm_start(result) -> None:
    needed = required_fields(result)
    lines = ["请先填写或导入数据：点“载入示例案例”看一份填好的例子，上传 YAML 或 Excel 数据文件，或在下方表单中逐项填写。"]
    if needed:
        lines.append("开始起草前必须填写：\n" + "\n".join(f"- {name}" for name in needed))
    st.info("\n\n".join(lines), icon=":material/info:")


def render() -> None:
    st.subheader("数据录入")
    _toolbar()
    form_widgets.sync_from_widgets()
    result = state.validation()
    settings, _ = state.report_settings()
    figures = result.figures
    findings = check(figures, settings) if figures is not None else []
    by_section = _findings_by_section(findings)

    blank = figures is None and not state.has_content()
    if blank:
        # A new report opens calm: what to do first, and the required fields as a list — not errors.
        calm_start(result)
        result = FormResult(None)
    elif figures is None:
        st.error(f"有 {len(result.messages)} 处填写需要修正（已在对应字段下标红）；修正前不能计算和起草。", icon=":material/error:")
    else:
        errors = sum(f.severity == "error" for f in findings)
        warnings = len(findings) - errors
        if findings:
            st.warning(f"数据已通过格式校验；一致性检查发现 {errors} 个错误、{warnings} 个提醒，见各部分和右侧检查结果。")
        else:
            st.success("数据已通过格式校验和一致性检查。")
    st.caption("金额单位：万元。带 * 的为必填项；留空表示未填写（不会当作 0）。所有修改自动保存。")

    form_col, check_col = st.columns([5, 2], gap="medium")
    with form_col:
        flagged = []
        for spec in form_widgets.section_specs():
            errors = form_widgets.error_count(result, spec.name) + sum(f.severity == "error" for f in by_section.get(spec.name, []))
            warnings = sum(f.severity == "warning" for f in by_section.get(spec.name, []))
            if errors or warnings:
                counts = "、".join(p for p in (f"{errors} 个错误" if errors else "", f"{warnings} 个提醒" if warnings else "") if p)
                flagged.append(f"{spec.title}（{counts}）")
        if flagged:
            st.markdown(":red[需要查看：" + "；".join(flagged) + "]")
        for spec in form_widgets.section_specs():
            # The label stays fixed: a keyed expander whose label changes would close.
            part = st.expander(spec.title, key=section_key(spec.name), on_change="rerun")
            with part:
                for finding in by_section.get(spec.name, []):
                    _show_finding(finding)
                if part.open:
                    form_widgets.render_section(spec, result)
    with check_col:
        _check_panel(result, findings)
    if form_widgets.apply_pending():
        st.rerun()
    _ledger_panel(figures, settings)


def _check_panel(result, findings: list[Finding]) -> None:
    st.markdown("#### 检查结果")
    with st.container(height=520):
        if result.messages:
            st.markdown("**填写错误**")
            for message in result.messages:
                st.error(message, icon=":material/error:")
        titles = {spec.name: spec.title for spec in form_widgets.section_specs()}
        for top, group in _findings_by_section(findings).items():
            st.markdown(f"**{titles.get(top, '其他')}**")
            for finding in group:
                _show_finding(finding)
        if result.figures is None and not result.messages:
            st.caption("尚未填写数据：填写或导入后，这里列出填写错误和一致性检查结果。")
        elif not result.messages and not findings:
            st.success("没有发现问题。")


def _ledger_panel(figures, settings) -> None:
    st.markdown("#### 计算台账")
    if figures is None:
        st.info("数据修正后，这里列出报告可用的每个数字及其公式和来源字段。")
        return
    ledger = build_scored_ledger(figures, settings)
    rows = [
        {
            "标签": fact.label,
            "数值": fact.text,
            "公式": fact.formula,
            "来源字段": source_fields_text(fact.inputs),
            "类型": "录入" if fact.kind == "input" else "计算",
            "分组": fact.group,
            "键": fact.key,
        }
        for fact in ledger
    ]
    groups = sorted({row["分组"] for row in rows if row["分组"]})
    chosen = st.multiselect("按分组筛选", groups, key="ledger_groups", placeholder="全部分组")
    shown = [row for row in rows if not chosen or row["分组"] in chosen]
    import pandas as pd  # only once there is a ledger to show

    st.dataframe(pd.DataFrame(shown, columns=["标签", "数值", "公式", "来源字段", "类型", "分组", "键"]), hide_index=True, width="stretch")
    if ledger.missing:
        st.markdown("**无法计算的数字**")
        for missing in ledger.missing.values():
            st.caption(f"{missing.label}：{missing.reason}")
