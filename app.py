"""绩效自评报告起草助手 — Streamlit entry point: page setup and tab dispatch only.

Run with `make run` (or `streamlit run app.py`); each tab lives in assistant/ui/.
"""

import streamlit as st

from assistant import offline

offline.apply()  # before any library can reach for the network on its default path

import importlib  # noqa: E402

from assistant.ui import chrome, sidebar, state  # noqa: E402

st.set_page_config(page_title="绩效自评报告起草助手", layout="wide")
chrome.apply()  # Streamlit's own English texts in Chinese

# Tab → module with render(); a tab's module is imported when it is first opened, so the first page
# does not wait for the drafting, corpus and model libraries.
TABS = {
    "数据录入": "assistant.ui.entry_tab",
    "对话起草": "assistant.ui.chat_tab",
    "一键生成": "assistant.ui.report_tab",
    "资料库": "assistant.ui.corpus_tab",
    "评估": "assistant.ui.eval_tab",
    "设置": "assistant.ui.settings_tab",
}

state.init()
save_slot = None
try:
    save_slot = sidebar.render()
    # Tracked tabs: only the open one is built, and the choice survives reruns.
    for module, tab in zip(TABS.values(), st.tabs(list(TABS), key="main_tab", on_change="rerun")):
        if tab.open:
            with tab:
                importlib.import_module(module).render()
finally:
    state.autosave()  # also on st.rerun() and on an error in a tab: nothing typed is lost
    if save_slot is not None:
        sidebar.save_status(save_slot)  # the time of the save that just happened
