"""Page chrome in Chinese: Streamlit's own English texts (file uploader, skip link, running
indicator, input hints, select placeholders) replaced in the page, since Streamlit has no setting
for their language.

A small script in a zero-height component frame (same origin as the page) watches the page with a
MutationObserver and rewrites those texts where they appear — in the DOM itself, so what a screen
reader reads and what the browser test sees is what the user sees. Text the user typed or uploaded is
never touched: only whole text nodes equal to one of Streamlit's own strings are rewritten.
"""

from __future__ import annotations

import json

import streamlit as st

# Streamlit's English, exactly as it renders it → the Chinese shown instead.
EXACT = {
    "Upload": "选择文件",
    "Browse files": "选择文件",
    "Drag and drop file here": "将文件拖放到这里",
    "Drag and drop files here": "将文件拖放到这里",
    "Skip to main content": "跳到正文",
    "Running...": "处理中…",
    "Stop": "停止",
    "Rerun": "重新运行",
    "Choose an option": "请选择",
    "Choose options": "请选择",
    "No options to select.": "没有可选项",
    "No results": "没有匹配项",
    "Press Enter to apply": "按回车键确认",
    "Press Enter to submit form": "按回车键提交",
    "Press ⌘+Enter to apply": "按 ⌘+回车键确认",
    "Press Ctrl+Enter to apply": "按 Ctrl+回车键确认",
    "Clear all": "全部清除",
}
# "200MB per file • YAML, XLSX" / "Limit 200MB per file • …" → 单个文件不超过 200 MB（YAML、XLSX）.
LIMIT_PATTERN = r"^(?:Limit\s+)?(\d+(?:\.\d+)?)\s*([KMG]B) per file(?:\s*•\s*(.+))?$"

SCRIPT = """
<script>
(function () {
  const doc = window.parent.document;
  if (doc.__zhChrome) return;  // one observer per page, however often the app reruns
  doc.__zhChrome = true;
  const exact = __EXACT__;
  const limit = new RegExp(__LIMIT__);
  function rewrite(node) {
    const text = (node.nodeValue || "").trim();
    if (!text) return;
    if (Object.prototype.hasOwnProperty.call(exact, text)) { node.nodeValue = exact[text]; return; }
    const m = text.match(limit);
    if (m) node.nodeValue = "单个文件不超过 " + m[1] + " " + m[2] + (m[3] ? "（" + m[3].split(/,\\s*/).join("、") + "）" : "");
  }
  function walk(root) {
    const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) rewrite(node);
    if (root.querySelectorAll) {
      for (const el of root.querySelectorAll("input[placeholder]")) {
        const p = el.getAttribute("placeholder");
        if (Object.prototype.hasOwnProperty.call(exact, p)) el.setAttribute("placeholder", exact[p]);
      }
    }
  }
  walk(doc.body);
  new MutationObserver(function (records) {
    for (const r of records) {
      if (r.type === "characterData") rewrite(r.target);
      for (const n of r.addedNodes || []) n.nodeType === 3 ? rewrite(n) : walk(n);
    }
  }).observe(doc.body, {subtree: true, childList: true, characterData: true});
})();
</script>
"""

# The component frame takes no room on the page.
CSS = """
<style>
.element-container:has(> iframe[height="0"]), div[data-testid="stElementContainer"]:has(iframe[height="0"]) { display: none; }
</style>
"""


def apply() -> None:
    import streamlit.components.v1 as components

    st.html(CSS)
    components.html(SCRIPT.replace("__EXACT__", json.dumps(EXACT, ensure_ascii=False)).replace("__LIMIT__", json.dumps(LIMIT_PATTERN)), height=0)
