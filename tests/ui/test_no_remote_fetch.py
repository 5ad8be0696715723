"""Preview and chat render no remote resource (issue 16.6): headless Chromium renders hostile note
text the way the app does, and a listener on 127.0.0.1 must receive no request for it — while
the one unguarded control image on the same page is fetched, so the test can fail."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.ui.browser_support import ServerError, chromium, streamlit_server, wait_for
from tests.ui.test_browser_e2e import _require_browser, _text

pytestmark = [pytest.mark.browser, pytest.mark.server]


class _Listener(BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self):  # noqa: N802
        type(self).seen.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_preview_and_chat_fetch_nothing_remote(tmp_path, monkeypatch):
    _require_browser()
    listener = ThreadingHTTPServer(("127.0.0.1", 0), _Listener)
    _Listener.seen = []
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{listener.server_address[1]}"
    monkeypatch.setenv("PROBE_URL", base)
    try:
        with streamlit_server("tests/ui/remote_probe_app.py", tmp_path) as url, chromium(tmp_path / "profile") as driver:
            driver.get(url)
            wait_for(driver, _text("探针结束"))
            deadline = time.monotonic() + 15
            while "/control.png" not in _Listener.seen and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1.5)  # anything else the page would load has had its chance
            page = driver.find_element("tag name", "body").text
    except ServerError as exc:
        pytest.fail(str(exc))
    finally:
        listener.shutdown()
    assert "/control.png" in _Listener.seen, "对照图片没有被请求：监听或浏览器有问题，测试无效"
    assert [p for p in _Listener.seen if p != "/control.png"] == []
    # What the user wrote stays visible as text.
    assert "md-image.png" in page and "<img" in page and "iframe" in page
