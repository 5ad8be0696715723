"""The sidebar: which report is open, a new report, and when it was last saved."""

from __future__ import annotations

import streamlit as st

from assistant.ui import state
from assistant.workspace import workspace_root

S = st.session_state
_SELECT = "sidebar_report"


def _switch() -> None:
    name = S.get(_SELECT)
    if name and name != S.get("report_name"):
        state.autosave()  # the report being left is saved before the other one is read
        state.open_report(name)


def render():
    """The sidebar; returns the slot for the save status, filled by `save_status` after the save."""
    with st.sidebar:
        st.markdown("### 绩效自评报告起草助手")
        names = state.reports()
        S[_SELECT] = S["report_name"]  # follows the open report (a loaded sample opens a new one)
        st.selectbox("当前报告", names, key=_SELECT, on_change=_switch)
        with st.form("new_report", clear_on_submit=True, border=False):
            name = st.text_input("新建报告", placeholder="例如：某某单位2024年度")
            if st.form_submit_button("新建") and name.strip():
                state.autosave()
                state.open_report(state.unused_name(name))
                st.rerun()
        slot = st.empty()
        save_status(slot)  # the last save until this run's save is done
        st.caption(f"工作区：{workspace_root()}")
    return slot


def save_status(slot) -> None:
    """“已自动保存（time）” of the save that just happened (the app calls this after autosave), so
    the time shown is that of the real save, not of the run before."""
    when, error = S.get("save_status", ("", ""))
    with slot.container():
        if error:
            st.error(error, icon=":material/error:")
        elif when:
            st.caption(f"已自动保存（{when}）")
