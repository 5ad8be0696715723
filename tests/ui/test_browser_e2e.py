"""End to end in a real browser: `streamlit run app.py` as a subprocess, driven by headless
Chromium through Selenium — load the sample case, generate the report, save a screenshot.

Skipped only when Chromium is missing on a developer machine; in CI (CI=true) `.ci/run` installs it
and a missing browser is a failure.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from assistant.offline import REPO_ROOT
from tests.ui.browser_support import ServerError, browser_available, button, chromium, streamlit_server, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.server]

SCREENSHOTS = REPO_ROOT / ".data" / "screenshots"


def _require_browser() -> None:
    if browser_available():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("CI 中必须运行浏览器测试，但没有找到 /usr/bin/chromium 或 /usr/bin/chromedriver（应由 .ci/run 安装）")
    pytest.skip("本机没有安装 chromium / chromium-driver")


@pytest.fixture
def app_server(tmp_path):
    _require_browser()
    try:
        with streamlit_server("app.py", tmp_path) as url:
            yield url, tmp_path
    except ServerError as exc:
        pytest.fail(str(exc))


@pytest.fixture
def browser(tmp_path):
    _require_browser()
    with chromium(tmp_path / "chromium-profile") as driver:
        yield driver


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
    _click(browser, button("载入示例案例"), timeout=90)
    wait_for(browser, _text("已载入示例案例"))
    wait_for(browser, _text("数据已通过格式校验"))
    entry_shot = _screenshot(browser, "e2e-entry.png", tmp_path)

    _click(browser, _tab("一键生成"))
    _click(browser, button("一键生成报告"))
    wait_for(browser, button("下载 Word（.docx）"), timeout=120)
    wait_for(browser, _text("报告已生成"))
    wait_for(browser, _text("衡山县妇女联合会"))  # the downloads are named for the report
    # 排版预览, the last part of the page: the real pages when LibreOffice renders them (.ci/run
    # installs it), else the HTML page with a note saying why
    from assistant.export.render import have_pdfium, soffice

    wait_for(browser, _text("第1页" if soffice() and have_pdfium() else "网页预览"), timeout=120)
    body = browser.find_element("tag name", "body").text
    assert "各章节起草情况" in body
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
