"""绩效自评报告起草助手 — Streamlit entry point: page setup and tab dispatch only.

Run with `make run` (or `streamlit run app.py`); each tab lives in assistant/ui/.
"""

import streamlit as st

from assistant import offline

offline.apply()  # before any library can reach for the network on its default path

from assistant.ui import chat_tab, corpus_tab, entry_tab, eval_tab, report_tab, settings_tab, sidebar, state  # noqa: E402

st.set_page_config(page_title="绩效自评报告起草助手", page_icon="📝", layout="wide")

TABS = {
    "数据录入": entry_tab.render,
    "对话起草": chat_tab.render,
    "一键生成": report_tab.render,
    "资料库": corpus_tab.render,
    "评估": eval_tab.render,
    "设置": settings_tab.render,
}

state.init()
try:
    sidebar.render()
    # Tracked tabs: only the open one is built, and the choice survives reruns.
    for render, tab in zip(TABS.values(), st.tabs(list(TABS), key="main_tab", on_change="rerun")):
        if tab.open:
            with tab:
                render()
finally:
    state.autosave()  # also on st.rerun() and on an error in a tab: nothing typed is lost
