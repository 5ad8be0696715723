"""Page chrome in Chinese: Streamlit's own English texts (file uploader, skip link, running
indicator) replaced by CSS, since Streamlit has no setting for their language.

Each replaced text is set to font-size 0 and a Chinese `::after` takes its place; the widgets keep
working as before (the uploader's button still opens the file dialog, the drop zone still takes drops).
"""

from __future__ import annotations

import streamlit as st

CSS = """
<style>
/* File uploader: "Drag and drop file here", "Limit 10MB per file • YAML, XLSX", "Browse files"/"Upload". */
[data-testid="stFileUploaderDropzoneInstructions"] span,
[data-testid="stFileUploaderDropzoneInstructions"] small { font-size: 0 !important; }
[data-testid="stFileUploaderDropzoneInstructions"] > div > span::after {
  content: "将文件拖放到这里，或点击按钮选择"; font-size: .875rem; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { font-size: 0 !important; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {
  content: "选择文件"; font-size: .875rem; }
/* After a file is chosen: the upload button beside its name. */
[data-testid="stFileUploader"] section + div button [data-testid="stMarkdownContainer"] p { font-size: 0 !important; }
/* Keyboard users' skip link. */
[data-testid="stSkipToContent"] { font-size: 0 !important; }
[data-testid="stSkipToContent"]::after { content: "跳到正文"; font-size: 1rem; }
/* The "Running…" / "Stop" indicator at the top right: the spinning icon stays, the words go. */
[data-testid="stStatusWidget"] label, [data-testid="stStatusWidget"] button p { font-size: 0 !important; }
[data-testid="stStatusWidget"] label::after { content: "处理中…"; font-size: .875rem; }
</style>
"""


def apply() -> None:
    st.html(CSS)
