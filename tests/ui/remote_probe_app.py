"""A page for the no-remote-fetch browser test: hostile note text rendered the way the app renders
previews and chat (inert_markdown for st.markdown, highlight_html with unsafe HTML), plus one
unguarded control image that must be fetched, proving the listener and the browser work."""

import os

import streamlit as st

from assistant.safe_text import inert_markdown
from assistant.ui.highlight import highlight_html

base = os.environ["PROBE_URL"]
HOSTILE = f"""工作要点：全年开展宣讲 12 场。![追踪]({base}/md-image.png)

![引用式][logo]

[logo]: {base}/ref-image.png

<img src="{base}/html-img.png"> <iframe src="{base}/iframe"></iframe>
<video src="{base}/video.mp4" autoplay></video><audio src="{base}/audio.mp3" autoplay></audio>
<link rel="stylesheet" href="{base}/style.css"><object data="{base}/object"></object>
<svg><image href="{base}/svg-image.png" /></svg>
<div style="background:url({base}/css-bg.png)">背景</div>
<{base}/autolink> [普通链接]({base}/link) $\\includegraphics{{{base}/tex.png}}$
"""

st.markdown("#### 排版预览")
st.markdown(inert_markdown(HOSTILE))
st.markdown("#### 对话")
with st.chat_message("user"):
    st.markdown(inert_markdown(HOSTILE))
with st.chat_message("assistant"):
    st.markdown(highlight_html(HOSTILE, []), unsafe_allow_html=True)
st.markdown("#### 对照")
st.markdown(f"![对照]({base}/control.png)")
st.markdown("探针结束")
