"""对话起草: talk through one section with the model; replies show their sources and every figure
checked against the ledger; "采用" puts a reply into the report as that section's text."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Optional

import streamlit as st

from assistant.drafting.outline import OutlineError, load_outline
from assistant.safe_text import inert_markdown
from assistant.scoring import build_scored_ledger
from assistant.ui import resources, state
from assistant.ui.highlight import citation_dict, counts_line, finding_dicts, highlight_html, render_citations
from assistant.ui.labels import model_failure, settings_words
from assistant.ui.markup import md
from assistant.ui.report_tab import drafter_name

S = st.session_state


def chat_function() -> tuple[Optional[Callable[..., Any]], str]:
    """The chat entry point of the drafting package, or None and why not."""
    try:
        from assistant.drafting.chat import chat
    except ImportError:
        return None, "对话起草功能准备中：这一部分还未安装，其余功能可以正常使用。"
    except Exception as exc:  # a broken module must not take the other tabs down
        return None, f"对话起草功能暂不可用：{exc}"
    return chat, ""


def _current_text(section_id: str) -> tuple[str, str]:
    chosen = state.adopted().get(section_id)
    if chosen and chosen.get("text"):
        return chosen["text"], "对话采用稿"
    report = state.report()
    if report is not None:
        for section in report.sections:
            if section.section_id == section_id and section.text.strip():
                return section.text, "一键生成稿"
    return "", ""


def _adopt(section_id: str, message: dict) -> None:
    findings = message.get("findings") or []
    state.adopted()[section_id] = {
        "text": message["content"],
        "verified": all(f.get("status") == "supported" for f in findings),
        "findings": findings,
        "citations": message.get("citations") or [],
        "at": dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
    }


def _show_message(section_id: str, index: int, message: dict, ledger) -> None:
    with st.chat_message(message["role"]):
        if message["role"] == "user":
            st.markdown(inert_markdown(message["content"]))
            return
        if message.get("error"):
            what, todo = model_failure(message["error"])
            st.error(md(f"{settings_words(message['error'])}\n\n{todo}"), icon=":material/error:")
            return
        reason = message.get("fallback_reason") or ""
        note = settings_words(message.get("message") or "")
        if reason and message.get("content"):
            # The model's text was not used: said in a box, with the reason and what to do.
            what, todo = model_failure(reason)
            st.warning(md(f"本条回答是模板文本（已核验），不是模型的稿子：{what}。{todo}"), icon=":material/warning:")
        elif note:
            st.caption(md(note))
        if not message.get("content"):
            return
        findings = message.get("findings") or []
        st.markdown(highlight_html(message["content"], findings, ledger), unsafe_allow_html=True)
        origin = drafter_name("fallback" if reason else message.get("drafter") or "")
        st.caption(md(counts_line(findings) + (f"　起草：{origin}" if origin else "")))
        render_citations(message.get("citations") or [])
        adopted = state.adopted().get(section_id, {}).get("text") == message["content"]
        if adopted:
            st.caption(":material/check_circle: 已采用为本节正文")
        elif st.button("采用", key=f"adopt:{section_id}:{index}", help="用这段文字作为本节正文（报告预览和下载中生效）"):
            _adopt(section_id, message)
            st.toast("已采用为本节正文。")
            st.rerun()


def render() -> None:
    st.subheader("对话起草")
    settings, _ = state.report_settings()
    try:
        outline = load_outline(settings.outline)
    except OutlineError as exc:
        st.error(str(exc))
        return
    sections = {s.id: s.heading for s in outline.writable}
    section_id = st.selectbox("选择章节", list(sections), format_func=sections.get, key="chat_section")

    chat, why_not = chat_function()
    model = state.model_settings()
    figures = state.figures()
    notice = ""
    if chat is None:
        notice = why_not
    elif figures is None:
        notice = "“数据录入”中还有需要修正的填写：修正后才能对话起草（回答中的数字要与台账核对）。"
    if notice:
        st.info(notice)
    elif not model.configured:
        st.info("未配置模型：对话只能给出本节的模板稿。请在“设置”页填写模型地址和模型名称（需要时填写密钥）。")
    else:
        st.caption(md(f"模型：{model.describe()}。回答中的数字：绿色为有据（悬停查看来源），红色为未通过核对。"))

    text, where = _current_text(section_id)
    with st.expander(f"本节当前稿（{where}）" if text else "本节当前稿（尚无）"):
        st.markdown(inert_markdown(text.replace("\n", "\n\n")) if text else "还没有这一节的稿子：可以在“一键生成”中生成，或在下方对话后采用。")

    history = state.chat_history(section_id)
    ledger = build_scored_ledger(figures, settings) if figures is not None else None
    for index, message in enumerate(history):
        _show_message(section_id, index, message, ledger)
    if history and st.button("清空本节对话", key=f"clear_chat:{section_id}"):
        history.clear()
        st.rerun()

    prompt = st.chat_input("说明这一节要怎么写，例如：写得更简洁，突出两癌筛查", disabled=bool(notice), key="chat_prompt")
    if prompt and not notice:
        _ask(chat, prompt, history, figures, section_id, model, settings, text)


def _ask(chat, prompt: str, history: list[dict], figures, section_id: str, model, settings, current: str) -> None:
    previous = [{"role": m["role"], "content": m["content"]} for m in history if m.get("content") and not m.get("error")]
    history.append({"role": "user", "content": prompt})
    with st.chat_message("user"):
        st.markdown(inert_markdown(prompt))
    with st.chat_message("assistant"):
        # The stream is provisional: shown greyed under a caption, never as the answer. It is replaced
        # by the text that passed the truth gate, or by the template text and the reason (on rerun).
        caption = st.empty()
        caption.caption("生成中，核验后显示：以下为尚未核验的草稿，不作为回答")
        box = st.empty()
        pieces: list[str] = []

        def on_token(piece: str) -> None:
            pieces.append(piece)
            try:
                shown = "".join(pieces).replace("\n", "\n> ")
                box.markdown(f"> {shown}▌")
            except Exception:  # called off the script thread: the final text is shown anyway
                pass

        with st.spinner("正在起草…"):
            try:
                result = chat(
                    previous,
                    prompt,
                    figures,
                    section_id=section_id,
                    outline=settings.outline,
                    settings=settings,
                    model_settings=model,
                    retriever=resources.corpus_index_or_none() if model.configured else None,
                    on_token=on_token,
                    current_text=current,
                )
            except Exception as exc:  # the question stays in the history; the error is shown with it
                history.append({"role": "assistant", "content": "", "error": f"模型调用失败：{settings_words(str(exc))}"})
                st.rerun()
        caption.empty()
        box.empty()
    history.append(
        {
            "role": "assistant",
            "content": result.text,
            "citations": [citation_dict(c) for c in (result.citations or [])],
            "findings": finding_dicts(result.verification),
            "drafter": getattr(result, "drafter", ""),
            "fallback_reason": getattr(result, "fallback_reason", ""),
            "message": getattr(result, "message", ""),
        }
    )
    st.rerun()
