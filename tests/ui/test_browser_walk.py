"""A finance officer's walk through every tab in headless Chromium (issue 17): a blank report opens
calm, every screen is Chinese (no Latin word outside an allowed list, no glyph the installed fonts
lack, no emoji), the generated report offers the 数字来源表 beside the .docx; one screenshot per tab
is saved under .data/screenshots/walk/ (printed) as the test's artefact for a reviewer.
"""

from __future__ import annotations

import re
import subprocess
import time
from functools import lru_cache
from pathlib import Path

import pytest

from assistant.offline import REPO_ROOT
from tests.ui.browser_support import button, wait_for
from tests.ui.test_browser_e2e import _click, _require_browser, _tab, _text, app_server, browser  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.server]

SHOTS = REPO_ROOT / ".data" / "screenshots" / "walk"
TABS = ("数据录入", "对话起草", "一键生成", "资料库", "评估", "设置")
# Latin words a user may see: file types and programs, units, protocol and product/model names.
ALLOWED = {
    w.lower()
    for w in (
        "YAML YML XLSX Excel Word WPS Markdown md docx pdf PDF txt csv json html htm zip"
        " MB KB GB API URL HTTP OpenAI Ollama LM Studio vLLM qwen LibreOffice"
        # names of published text-similarity measures on the 评估 tab
        " ROUGE-L chrF"
    ).split()
}
# Paths and URLs are what the user typed or where their files are: not UI text.
_PATH_OR_URL = re.compile(r"(?:https?|ftp)://\S+|(?:/[\w.\-一-鿿（）]+)+/?|[\w\-./]+\.(?:ya?ml|xlsx|docx|md|pdf|txt|html?|csv|json)\b")
_LATIN = re.compile(r"[A-Za-z][A-Za-z_\-]*")
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f]")

# The visible text of the page without Material icon ligatures (their names are not shown as text).
VISIBLE_TEXT = """
const hidden = [];
for (const e of document.querySelectorAll('span, i')) {
  const family = getComputedStyle(e).fontFamily || '';
  if (family.includes('Material')) { hidden.push([e, e.style.display]); e.style.display = 'none'; }
}
const text = document.body.innerText;
for (const [e, display] of hidden) e.style.display = display;
return text;
"""


@lru_cache(maxsize=1)
def covered() -> list[tuple[int, int]]:
    """Code point ranges the installed fonts can draw (fontconfig's charsets)."""
    out = subprocess.run(["fc-list", "--format", "%{charset}\\n"], capture_output=True, text=True, check=True).stdout
    ranges = []
    for token in out.split():
        low, _, high = token.partition("-")
        try:
            ranges.append((int(low, 16), int(high or low, 16)))
        except ValueError:
            continue
    return sorted(ranges)


def missing_glyphs(text: str) -> list[str]:
    ranges = covered()
    missing = []
    for char in set(text):
        point = ord(char)
        if point < 0x80 or char.isspace() or 0xE000 <= point <= 0xF8FF:
            continue
        if not any(low <= point <= high for low, high in ranges):
            missing.append(char)
    return sorted(missing)


def english_words(text: str) -> list[str]:
    stripped = _PATH_OR_URL.sub(" ", text)
    return sorted({w for w in _LATIN.findall(stripped) if w.lower() not in ALLOWED})


def check_screen(driver, name: str, problems: list[str]) -> str:
    time.sleep(0.5)  # let the last rerun paint
    text = driver.execute_script(VISIBLE_TEXT)
    words = english_words(text)
    if words:
        lines = [line for line in text.splitlines() if any(re.search(rf"\b{re.escape(w)}\b", line) for w in words)]
        problems.append(f"{name}：英文 {words}，见：{lines[:5]}")
    emoji = sorted(set(_EMOJI.findall(text)))
    if emoji:
        problems.append(f"{name}：表情符号 {emoji}")
    tofu = missing_glyphs(text)
    if tofu:
        problems.append(f"{name}：字体缺字 {[hex(ord(c)) for c in tofu]}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return Math.max(1300, ...Array.from(document.querySelectorAll('*')).map(e => e.scrollHeight))")
    driver.set_window_size(1600, min(int(height), 5000))
    driver.save_screenshot(str(SHOTS / f"{name}.png"))
    driver.set_window_size(1600, 1300)
    return text


def _open_tab(driver, name: str) -> None:
    _click(driver, _tab(name))
    wait_for(driver, _tab(name))
    time.sleep(1.5)


def test_every_tab_is_chinese_calm_and_shot(app_server, browser):  # noqa: F811
    url, _ = app_server
    problems: list[str] = []
    browser.get(url)
    wait_for(browser, button("载入示例案例"), timeout=90)

    # A new, blank report: guidance and the required fields, no red error box.
    wait_for(browser, _text("请先填写或导入数据"))
    text = check_screen(browser, "00-空白报告-数据录入", problems)
    assert "单位名称" in text and "年度" in text
    assert not browser.find_elements("css selector", '[data-testid="stAlertContentError"]'), "空白报告不应显示错误"
    assert "需要修正" not in text
    _open_tab(browser, "一键生成")
    wait_for(browser, _text("请先填写或导入数据"))
    assert not browser.find_elements("css selector", '[data-testid="stAlertContentError"]')
    check_screen(browser, "01-空白报告-一键生成", problems)

    _open_tab(browser, "数据录入")
    _click(browser, button("载入示例案例"))
    wait_for(browser, _text("数据已通过格式校验"))
    for number, name in enumerate(TABS, start=2):
        _open_tab(browser, name)
        if name == "一键生成":
            _click(browser, button("一键生成报告"))
            wait_for(browser, button("下载 Word（.docx）"), timeout=120)
            wait_for(browser, button("下载数字来源表（.xlsx）"))
            body = browser.find_element("tag name", "body").text
            assert "用时" in body and "正在起草" not in body
            check_screen(browser, f"{number:02d}-{name}", problems)
            _click(browser, (By_XPATH(), "//*[@data-testid='stButtonGroup']//button[.//p[normalize-space()='数字来源表']]"))
            wait_for(browser, _text("全部有据可查"))
            check_screen(browser, f"{number:02d}-{name}-数字来源表", problems)
            continue
        if name in ACTIONS:
            ACTIONS[name](browser)
        check_screen(browser, f"{number:02d}-{name}", problems)
    print(f"\nscreenshots: {SHOTS}")
    assert not problems, "\n".join(problems)


def _type(driver, css: str, text: str) -> None:
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    element = WebDriverWait(driver, 90).until(ec.element_to_be_clickable(("css selector", css)))
    element.click()
    element.send_keys(text + Keys.ENTER)


def _chat(driver) -> None:
    # Without a model: the answer is the template text, said in a warning box (not a grey caption).
    _type(driver, '[data-testid="stChatInputTextArea"]', "写得简洁一些")
    wait_for(driver, _text("本条回答是模板文本"), timeout=120)
    wait_for(driver, _text("起草：模板"))  # the caption under the answer: the text above it is painted


def _corpus(driver) -> None:
    wait_for(driver, _text("已入库文档"), timeout=180)
    _type(driver, 'input[aria-label="检索内容"]', "三公经费")
    wait_for(driver, _text("相关度"), timeout=120)


def _evaluation(driver) -> None:
    _click(driver, button("运行评估"))
    wait_for(driver, _text("核验闸门"), timeout=300)
    body = driver.find_element("tag name", "body").text
    assert "正在评估" not in body  # no stale progress line beside the results
    wait_for(driver, (By_XPATH(), "//*[contains(@class, 'vega-embed')]//*[self::canvas or local-name()='svg']"), timeout=60)
    time.sleep(1)  # the bars are drawn after the canvas appears


ACTIONS = {"对话起草": _chat, "资料库": _corpus, "评估": _evaluation}


def By_XPATH() -> str:  # noqa: N802 (selenium's constant, imported lazily like the other helpers)
    from selenium.webdriver.common.by import By

    return By.XPATH


def test_word_and_glyph_checks_can_fail():
    assert english_words("上传 Drag and drop file here（YAML、XLSX）") == ["Drag", "and", "drop", "file", "here"]
    assert english_words("工作区：/tmp/x/workspace，地址 http://127.0.0.1:11434/v1，文件 示例.yaml") == []
    assert missing_glyphs("中文\U0001f4c4") == ["\U0001f4c4"] or not covered()
    assert _EMOJI.findall("完成✅") == ["✅"]
