"""“从上年报告导入” on 数据录入: upload last year's report, see the figures 体检 read from it (with the
sentence each came from) and its own inconsistencies, and fill them into the empty fields of the form.

The reading, the mapping to fields and the merge are assistant.inspection (reachable from the CLI:
`inspect REPORT --to-figures OUT.yaml --as-last-year`); this module only shows them.
"""

from __future__ import annotations

import streamlit as st

from assistant.figures.form_data import figures_data_from_raw, raw_from_data
from assistant.figures.model import Figures
from assistant.ui import state

S = st.session_state
UPLOAD_TYPES = ["docx", "pdf", "md", "txt"]
UPLOAD_LIMIT_MB = 10


def _read(uploaded, as_last_year: bool):
    """(prefill, report, error message), kept per upload and option so a rerun does not read again."""
    key = (uploaded.file_id, as_last_year)
    cached = S.get("_last_year_import")
    if cached and cached[0] == key:
        return cached[1]
    from assistant.inspection import inspect_bytes
    from assistant.inspection.prefill import build_prefill
    from assistant.inspection.reading import ReportUnreadable

    raw = uploaded.getvalue()
    if len(raw) > UPLOAD_LIMIT_MB * 1024 * 1024:
        result = (None, None, f"文件 {uploaded.name} 超过 {UPLOAD_LIMIT_MB} MB，未读取。")
    else:
        try:
            report = inspect_bytes(uploaded.name, raw)
            result = (build_prefill(report, as_last_year=as_last_year), report, None)
        except ReportUnreadable as exc:
            result = (None, None, str(exc))
    S["_last_year_import"] = (key, result)
    return result


def _apply(prefill) -> None:
    from assistant.inspection.prefill import figures_data, merge_into

    current = figures_data_from_raw(state.form())
    merged, filled, kept = merge_into(current, figures_data(prefill))
    S["form"] = raw_from_data(Figures, merged)
    state.bump_form_version()
    message = f"已从上年报告填入 {len(filled)} 项。"
    if kept:
        message += f"\n\n{len(kept)} 项已有填写，保留原值未覆盖：" + "、".join(kept)
    S["entry_notice"] = ("success" if not kept else "warning", message)


def render() -> None:
    with st.expander("从上年报告导入", key="last_year_import_open"):
        st.caption("上传上一年度的自评报告（.docx、.pdf、.md 或 .txt）：读出其中的数字及其所在句子，核对后填入表单的空白项，已填写的不会被覆盖。")
        uploaded = st.file_uploader("上年报告", type=UPLOAD_TYPES, key="last_year_report", max_upload_size=UPLOAD_LIMIT_MB)
        as_last_year = st.checkbox("作为上年数导入（报告中的本年数字写入今年数据的“上年”字段）", value=True, key="last_year_as_prior")
        if uploaded is None:
            return
        prefill, report, error = _read(uploaded, as_last_year)
        if error:
            st.error(f"未能读取：{error}")
            return
        st.markdown(f"**体检**：{report.summary()}")
        for finding in report.findings:
            st.warning(f"{finding.place.label}：{finding.message}", icon=":material/warning:")
        rows = prefill.rows()
        if not rows:
            st.info("报告中没有读出可对应到表单字段的数字。")
            return
        st.markdown(f"读出 {len(rows)} 项（{prefill.year} 年度数据）：")
        st.dataframe([{"字段": r[0], "数值": r[1], "来源": r[2]} for r in rows], hide_index=True, use_container_width=True)
        for note in prefill.skipped:
            st.caption(f"未导入：{note}")
        if st.button("填入表单（只填空白项）", key="last_year_apply"):
            _apply(prefill)
            st.rerun()
