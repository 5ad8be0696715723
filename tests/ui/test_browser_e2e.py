"""End to end in a real browser: `streamlit run app.py` as a subprocess, driven by headless
Chromium through Selenium — load the sample case, generate the report, save a screenshot.

Skipped only when Chromium is missing on a developer machine; in CI (CI=true) `.ci/run` installs it
and a missing browser is a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from assistant.offline import REPO_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.server]

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = REPO_ROOT / ".data" / "screenshots"


def _require_browser() -> None:
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("CI 中必须运行浏览器测试，但没有找到 /usr/bin/chromium 或 /usr/bin/chromedriver（应由 .ci/run 安装）")
    pytest.skip("本机没有安装 chromium / chromium-driver")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit 已退出（{process.returncode}）：\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"streamlit 在 {timeout} 秒内没有就绪：\n{log.read_text(errors='replace')}")


@pytest.fixture
def app_server(tmp_path):
    _require_browser()
    port = _free_port()
    env = dict(os.environ)
    env.update(
        ASSISTANT_WORKSPACE=str(tmp_path / "workspace"),
        ASSISTANT_DATA_DIR=str(tmp_path / "data"),
        STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
    )
    for name in ("ASSISTANT_MODEL", "OPENAI_BASE_URL", "OPENAI_API_KEY"):
        env.pop(name, None)  # the offline path, whatever the developer's shell holds
    log = tmp_path / "streamlit.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true"],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, log)
        yield url, tmp_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def browser(tmp_path):
    _require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--window-size=1600,1300",
        "--lang=zh-CN",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _button(text: str) -> tuple[str, str]:
    from selenium.webdriver.common.by import By

    return By.XPATH, f"//button[.//p[normalize-space()='{text}']]"


def _tab(text: str) -> tuple[str, str]:
    from selenium.webdriver.common.by import By

    return By.XPATH, f"//*[@role='tab'][.//p[normalize-space()='{text}']]"


def _text(text: str) -> tuple[str, str]:
    from selenium.webdriver.common.by import By

    return By.XPATH, f"//*[contains(normalize-space(.), '{text}') and not(*[contains(normalize-space(.), '{text}')])]"


def _click(driver, locator, timeout: float = 60) -> None:
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    element = WebDriverWait(driver, timeout).until(ec.element_to_be_clickable(locator))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def _wait_for(driver, locator, timeout: float = 90):
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(ec.visibility_of_element_located(locator))


def _screenshot(driver, name: str, tmp_path: Path) -> Path:
    try:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / name
    except OSError:
        path = tmp_path / name
    # The whole page, not just the window: the report preview is long.
    # Streamlit scrolls inside its own container, so the tallest scrollable element gives the height.
    height = driver.execute_script(
        "return Math.max(1300, ...Array.from(document.querySelectorAll('*')).map(e => e.scrollHeight))"
    )
    driver.set_window_size(1600, min(int(height), 6000))
    driver.save_screenshot(str(path))
    driver.set_window_size(1600, 1300)
    return path


def test_load_sample_and_generate_report_in_browser(app_server, browser):
    url, tmp_path = app_server
    try:
        _flow(browser, url, tmp_path)
    except Exception:
        # What the page showed when it went wrong, for the failure report.
        shot = _screenshot(browser, "e2e-failure.png", tmp_path)
        print(f"screenshot: {shot}\n" + browser.find_element("tag name", "body").text)
        raise


def _flow(browser, url: str, tmp_path: Path) -> None:
    browser.get(url)
    _click(browser, _button("载入示例案例"), timeout=90)
    _wait_for(browser, _text("已载入示例案例"))
    _wait_for(browser, _text("数据已通过格式校验"))
    entry_shot = _screenshot(browser, "e2e-entry.png", tmp_path)

    _click(browser, _tab("一键生成"))
    _click(browser, _button("一键生成报告"))
    _wait_for(browser, _button("下载 Word（.docx）"), timeout=120)
    _wait_for(browser, _text("报告已生成"))
    _wait_for(browser, _text("衡山县妇女联合会"))
    body = browser.find_element("tag name", "body").text
    assert "各章节起草情况" in body
    assert "三公" in body  # a section heading of the preview
    report_shot = _screenshot(browser, "e2e-report.png", tmp_path)
    assert entry_shot.stat().st_size > 10_000 and report_shot.stat().st_size > 10_000

    # The server autosaved the drafted report into the workspace.
    deadline = time.monotonic() + 20
    drafts = None
    while time.monotonic() < deadline:
        found = list((tmp_path / "workspace").glob("*/drafts.json"))
        if found and '"sections"' in found[0].read_text(encoding="utf-8"):
            drafts = found[0]
            break
        time.sleep(0.5)
    assert drafts is not None, "drafts.json with the report was not written"
