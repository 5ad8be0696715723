"""评估: run the evaluation harness on the reference cases; a table and a bar chart of the metrics."""

from __future__ import annotations

import inspect
from typing import Any

import pandas as pd
import streamlit as st

from assistant.ui import state
from assistant.ui.labels import BACKEND_NAMES, case_name, outline_name, settings_words

S = st.session_state


def _harness() -> tuple[Any, Any, str]:
    try:
        from assistant.evaluation.cases import list_case_ids
        from assistant.evaluation.harness import run_eval
    except ImportError:
        return None, None, "评估功能准备中：评估模块还未安装，其余功能可以正常使用。"
    except Exception as exc:  # a broken module must not take the other tabs down
        return None, None, f"评估功能暂不可用：{exc}"
    return run_eval, list_case_ids, ""


def metric_frames(run: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(table with Chinese headers, chart data: one row per case and backend, one column per rate)."""
    rows = run.display_rows() if hasattr(run, "display_rows") else list(run.rows)
    table = pd.DataFrame(rows)
    try:
        from assistant.evaluation.harness import METRICS

        charted = [(m.key, m.label) for m in METRICS if m.chart]
    except ImportError:
        charted = []
    raw_rows = list(run.rows)
    if charted:
        chart = pd.DataFrame(
            [{label: row.get(key) for key, label in charted} for row in raw_rows],
            index=[f"{case_name(str(row.get('case')))}（{BACKEND_NAMES.get(row.get('backend'), row.get('backend'))}）" for row in raw_rows],
        )
    else:
        numeric = pd.DataFrame(raw_rows).select_dtypes("number")
        chart = numeric.loc[:, (numeric.max() <= 1) & (numeric.min() >= 0)] if not numeric.empty else numeric
    return table, chart.apply(pd.to_numeric, errors="coerce").dropna(axis=1, how="all")


def shown_table(table: pd.DataFrame) -> pd.DataFrame:
    """Case, backend and outline by their Chinese names; an empty cell as “—”."""
    table = table.copy()
    for column, name in (("用例", case_name), ("起草方式", lambda b: BACKEND_NAMES.get(b, b)), ("提纲", outline_name)):
        if column in table:
            table[column] = table[column].map(lambda v, name=name: name(str(v)) if v not in (None, "") else "—")
    return table.astype(object).where(table.notna(), "—")


def render() -> None:
    st.subheader("评估")
    run_eval, list_case_ids, why_not = _harness()
    if run_eval is None:
        st.info(why_not)
        return
    st.caption("按参考报告逐一起草并打分：章节覆盖、数字召回与精确、无来源/张冠李戴/矛盾数字、文字相似度。")
    cases = list_case_ids()
    chosen = st.multiselect("评估用例", cases, default=cases, key="eval_cases", format_func=case_name, placeholder="请选择用例")
    model = state.model_settings()
    backends = ["offline"] + (["llm"] if model.configured else [])
    names = {"offline": "离线模板", "llm": f"大模型（{model.describe()}）"}
    picked = st.multiselect("起草方式", backends, default=["offline"], format_func=names.get, key="eval_backends", placeholder="请选择起草方式")
    if st.button("运行评估", type="primary", disabled=not chosen or not picked, key="eval_run"):
        kwargs: dict[str, Any] = {"case_ids": chosen, "backends": tuple(picked)}
        parameters = inspect.signature(run_eval).parameters
        if "llm" in picked and "model_settings" in parameters:
            kwargs["model_settings"] = model
        if "progress" in parameters:
            line = st.empty()
            kwargs["progress"] = lambda message: line.caption(str(message))
        try:
            with st.spinner("正在评估…"):
                S["eval_result"] = run_eval(**kwargs)
        except Exception as exc:  # e.g. a case file with an error: say which
            st.error(f"评估未能完成：{settings_words(str(exc))}")
            return
        finally:
            if "progress" in parameters:
                line.empty()  # the last progress line must not stay beside the results
    run = S.get("eval_result")
    if run is None:
        return
    table, chart = metric_frames(run)
    table = shown_table(table)
    if getattr(run, "gate_ok", True):
        st.success("核验闸门通过：草稿中没有无来源、张冠李戴或矛盾的数字。")
    else:
        st.error("核验闸门未通过：")
        for message in run.gate_messages() if hasattr(run, "gate_messages") else []:
            st.caption(message)
    st.dataframe(table, hide_index=True, width="stretch")
    if not chart.empty:
        st.markdown("**主要指标（0–1，越高越好）**")
        st.bar_chart(chart, stack=False)
