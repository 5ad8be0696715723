"""设置: the model endpoint (base URL, model, key), the outline and the other report options.

The API key is kept in the session only (or comes from OPENAI_API_KEY): it is never part of the
saved settings, the workspace, an export or a log.
"""

from __future__ import annotations

import typing
from decimal import Decimal

import streamlit as st

from assistant.drafting.outline import available_outlines
from assistant.ledger.settings import ReportSettings
from assistant.ui import state
from assistant.ui.labels import outline_name
from assistant.ui.markup import md

S = st.session_state
_KEY_WIDGET = "settings_api_key_input"


def _key(name: str) -> str:
    # Versioned with the form: opening another report reseeds these widgets from its settings.
    return f"settings{state.form_version()}:{name}"


def _seed(key: str, value) -> None:
    if key not in S:
        S[key] = value


def option_labels(description: str | None) -> dict[str, str]:
    """'full_year：全年预算数；initial：年初预算数' → {'full_year': '全年预算数', …}."""
    labels = {}
    for part in (description or "").split("；"):
        if "：" in part:
            value, label = part.split("：", 1)
            labels[value.strip()] = label.strip()
    return labels


def _model_section() -> None:
    st.markdown("#### 大模型接口（兼容 OpenAI 协议）")
    st.caption("可接 OpenAI、本地 vLLM / Ollama / LM Studio，或兼容 OpenAI 协议的国内模型服务。模型名称留空时使用离线模板起草。")
    model = S["settings"]["model"]
    left, right = st.columns(2)
    with left:
        key = _key("base_url")
        _seed(key, model.get("base_url") or "")
        model["base_url"] = st.text_input("模型地址", key=key, placeholder="如 http://127.0.0.1:11434/v1（留空为 OpenAI 官方接口）").strip()
        key = _key("model")
        _seed(key, model.get("model") or "")
        model["model"] = st.text_input("模型名称", key=key, placeholder="如 qwen2.5:7b").strip()
    with right:
        # The widget's state is dropped when this tab is closed; the key itself lives on in the session.
        _seed(_KEY_WIDGET, S.get(state.API_KEY, ""))
        S[state.API_KEY] = st.text_input(
            "API 密钥",
            key=_KEY_WIDGET,
            type="password",
            help="只保存在本次会话的内存中，不写入磁盘、日志或导出文件；也可由管理员在启动本程序时提供。",
        ).strip()
        key = _key("temperature")
        _seed(key, float(model.get("temperature") or 0.2))
        model["temperature"] = st.slider("温度（越低越稳定）", 0.0, 2.0, step=0.1, key=key)
    current = state.model_settings()
    st.info(md(f"当前：{current.describe()}" + ("；已提供密钥" if current.configured and current.has_real_key else "")), icon=":material/info:")


def _report_section() -> None:
    st.markdown("#### 报告选项")
    values = S["settings"]["report"]
    defaults = ReportSettings()
    outlines = available_outlines()
    key = _key("outline")
    _seed(key, values.get("outline") or defaults.outline)
    if S[key] not in outlines:
        S[key] = defaults.outline if defaults.outline in outlines else outlines[0]

    def outline_title(name: str) -> str:
        return outline_name(name)  # by its Chinese title, not the file name

    info = ReportSettings.model_fields["outline"]
    values["outline"] = st.selectbox(info.title or "报告提纲", outlines, key=key, format_func=outline_title)

    for name, info in ReportSettings.model_fields.items():
        if name == "outline":
            continue
        key = _key(name)
        default = getattr(defaults, name)
        choices = typing.get_args(info.annotation) if typing.get_origin(info.annotation) is typing.Literal else ()
        if choices:
            labels = option_labels(info.description)
            _seed(key, values.get(name) or default)
            values[name] = st.selectbox(info.title or name, list(choices), key=key, format_func=lambda v, labels=labels: labels.get(v, v))
        else:
            shown = values.get(name)
            _seed(key, str(shown if shown not in (None, "") else default))
            text = st.text_input(info.title or name, key=key, help=info.description)
            values[name] = text.strip()
            if isinstance(default, Decimal):
                try:
                    Decimal(text.strip())
                except ArithmeticError:
                    st.markdown(f":red[应为数字（填写的是：“{text}”），将按默认值 {default} 处理。]")
    _, problems = state.report_settings()
    for problem in problems:
        st.warning(problem)


def render() -> None:
    st.subheader("设置")
    _model_section()
    st.divider()
    _report_section()
