"""一键生成 with figures that fail the checks: the errors are shown and drafting waits for a yes (issue 14)."""

from __future__ import annotations

import yaml
from streamlit.testing.v1 import AppTest

from assistant.offline import REPO_ROOT

SAMPLE = REPO_ROOT / "evals" / "cases" / "hengshan-fulian-2023" / "figures.yaml"
GENERATE = "一键生成报告"


def _button(at: AppTest, label: str):
    matches = [b for b in at.button if b.label == label]
    assert matches, [b.label for b in at.button]
    return matches[0]


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def _upload_broken(at: AppTest) -> AppTest:
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    data["final"]["expenditure"]["basic"] = 66.41  # 66.41 + 93.88 ≠ 155.29: a sum error
    at.file_uploader(key="figures_upload").set_value(("某单位.yaml", yaml.safe_dump(data, allow_unicode=True).encode(), "text/yaml"))
    return _run(at)


def test_report_tab_lists_check_errors_and_asks_before_drafting(new_app):
    at = _upload_broken(new_app())
    at.session_state["main_tab"] = "一键生成"
    _run(at)
    assert any("数据校验未通过" in str(e.value) for e in at.error)
    assert any("160.29万元" in str(m.value) for m in at.markdown)
    assert _button(at, GENERATE).disabled  # not before the user says yes
    at.checkbox(key="generate_despite_errors").check()
    _run(at)
    assert not _button(at, GENERATE).disabled
    _button(at, GENERATE).click()
    _run(at)
    report = at.session_state["report"]
    assert report.preamble.startswith("【数据校验未通过】") and "160.29万元" in report.preamble


def test_figures_that_pass_draft_without_a_question(new_app):
    at = new_app()
    _button(at, "载入示例案例").click()
    _run(at)
    at.session_state["main_tab"] = "一键生成"
    _run(at)
    assert not [c for c in at.checkbox if c.key == "generate_despite_errors"]
    assert not _button(at, GENERATE).disabled


def test_a_blank_total_shows_its_derived_value_in_the_form(new_app):
    at = new_app()
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    del data["procurement"]["total"]  # parts 2.41 + 0 + 9.18 stay
    at.file_uploader(key="figures_upload").set_value(("某单位.yaml", yaml.safe_dump(data, allow_unicode=True).encode(), "text/yaml"))
    _run(at)
    at.session_state["entry_open:procurement"] = True
    _run(at)
    box = at.text_input(key=f"form{at.session_state['form_version']}:procurement.total")
    assert box.value == "" and box.placeholder == "未填写，按分项之和推算为 11.59"
