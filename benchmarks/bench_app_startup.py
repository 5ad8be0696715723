"""App start-up: time from a healthy `streamlit run` server to the first render of the 数据录入 tab in
headless Chromium (target < 3 s), against a one-button Streamlit page served and measured the same
way in the same run (the baseline: what Streamlit and the browser cost by themselves)."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from tests.ui.browser_support import browser_available, button, chromium, streamlit_server, wait_for

TARGET_S = 3.0
RUNS = 3
BASELINE_SCRIPT = 'import streamlit as st\nst.button("基线按钮")\n'


def _first_render(script: str | Path, button_text: str, workdir: Path) -> float:
    """Open a fresh server and browser; seconds from page request to the button being visible."""
    with streamlit_server(script, workdir) as url, chromium(workdir / "profile") as driver:
        started = time.perf_counter()
        driver.get(url)
        wait_for(driver, button(button_text), timeout=60)
        return time.perf_counter() - started


def main() -> int:
    if not browser_available():
        print("未安装 /usr/bin/chromium 与 chromedriver：跳过（CI 中由 .ci/run 安装）。")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        baseline_script = root / "baseline_app.py"
        baseline_script.write_text(BASELINE_SCRIPT, encoding="utf-8")
        app, baseline = [], []
        for i in range(RUNS):
            baseline.append(_first_render(baseline_script, "基线按钮", root / f"b{i}"))
            app.append(_first_render("app.py", "载入示例案例", root / f"a{i}"))
    app_s, base_s = statistics.median(app), statistics.median(baseline)
    print("| 页面 | 首次渲染中位数 (s) | 最大 (s) | 与基线之比 |")
    print("|---|---|---|---|")
    print(f"| 基线：单按钮 Streamlit 页面 | {base_s:.2f} | {max(baseline):.2f} | 1.00 |")
    print(f"| 本应用：数据录入页 | {app_s:.2f} | {max(app):.2f} | {app_s / base_s:.2f} |")
    met = app_s < TARGET_S
    print(f"目标：服务就绪后首次渲染 < {TARGET_S:.0f} s → {app_s:.2f} s（{'达标' if met else '未达标'}）")
    return 0 if met else 1
