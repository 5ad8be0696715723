"""The 资料库 tab's 修复 button runs the same repair as `index --repair` and reports it."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from assistant.offline import REPO_ROOT


@pytest.fixture
def app(tmp_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("ASSISTANT_WORKSPACE", str(tmp_path / "workspace"))
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    for name in ("ASSISTANT_MODEL", "OPENAI_BASE_URL", "OPENAI_API_KEY", "CHROMA_HOST"):
        monkeypatch.delenv(name, raising=False)
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    at.session_state["main_tab"] = "资料库"
    at.run()
    assert not at.exception, at.exception
    return at


def test_repair_button_rebuilds_from_the_records_and_says_so(app: AppTest, tmp_path):
    from assistant.ui import resources

    before = {d.source for d in resources.corpus_index().list_documents()}
    assert before  # the sample corpus
    # On a store that opens, 修复 rebuilds every recorded document (dropping duplicates or strays).
    [button] = [b for b in app.button if b.label == "修复"]
    button.click()
    app.run()
    assert not app.exception, app.exception
    notices = " ".join(m.value for m in list(app.success) + list(app.warning))
    assert "已按文档记录重建索引" in notices and "失败 0 个" in notices
    index = resources.corpus_index()
    assert {d.source for d in index.list_documents()} == before
    assert index.search("三公经费执行情况", k=1)
