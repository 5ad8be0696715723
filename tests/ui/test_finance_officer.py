"""The app as a finance officer meets it (issue 17), in AppTest: a calm start, failures in a warning
box in plain words (no environment-variable names), links that end at the URL, the Excel bad-cell
list, per-section progress words, and the 数字来源表 in the app and as a download."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from assistant.ui.labels import model_failure, outline_name, settings_words
from assistant.ui.markup import md
from tests.ui.test_app import button, field, load_sample, open_section, open_tab, texts
from tests.ui.test_excel_upload import _with_bad_cell

ENV_NAME = re.compile(r"\b(?:OPENAI|ASSISTANT|CHROMA)_[A-Z_]+")


def _all_text(at) -> str:
    parts = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "subheader"):
        parts += texts(getattr(at, kind))
    return "\n".join(parts)


def test_blank_report_opens_calm_with_the_required_fields(new_app):
    at = new_app()
    assert not at.error, texts(at.error)
    notice = next(t for t in texts(at.info) if "请先填写或导入数据" in t)
    assert "单位信息/单位名称" in notice and "单位信息/年度" in notice
    assert "需要修正" not in _all_text(at)
    # Once the user types something, what is still missing is an error.
    at = open_section(at, "meta")
    field(at, "meta.unit_name").input("某某单位")
    at.run()
    assert any("需要修正" in t for t in texts(at.error))


def test_excel_bad_cells_are_listed_in_a_table_that_stays_until_dismissed(new_app):
    at = new_app()
    at.file_uploader(key="figures_upload").set_value(("衡山.xlsx", _with_bad_cell(), "application/octet-stream"))
    at.run()
    assert not at.exception
    assert any("1 个单元格未能导入" in t for t in texts(at.warning))
    table = at.dataframe[0].value
    assert list(table.columns) == ["工作表", "行", "列", "单元格", "填写的内容", "应填写"]
    row = table.iloc[0]
    assert row["工作表"] == "预算与决算" and row["列"] == "决算" and row["填写的内容"] == "八十" and row["应填写"]
    at.run()  # still listed while the user fixes the field
    assert at.dataframe[0].value.iloc[0]["填写的内容"] == "八十"
    button(at, "已处理，不再显示").click()
    at.run()
    assert not any("未能导入的单元格" in e.label for e in at.expander)


def _configure_model(at, base_url: str, model: str = "fake-model"):
    at = open_tab(at, "设置")
    version = at.session_state["form_version"]
    at.text_input(key=f"settings{version}:base_url").input(base_url)
    at.text_input(key=f"settings{version}:model").input(model)
    at.text_input(key="settings_api_key_input").input("x")
    at.run()
    return at


def _generate_with_model(at):
    at = open_tab(at, "一键生成")
    at.radio(key="report_backend").set_value("llm")
    at.run()
    button(at, "一键生成报告").click()
    at.run(timeout=180)
    assert not at.exception, at.exception
    return at


def test_unreachable_model_is_reported_in_a_warning_box_with_what_to_do(new_app, monkeypatch):
    monkeypatch.setenv("ASSISTANT_MAX_RETRIES", "0")
    monkeypatch.setenv("ASSISTANT_TIMEOUT", "3")
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    at = _configure_model(load_sample(new_app()), f"http://127.0.0.1:{port}/v1")
    at = _generate_with_model(at)
    warning = next(t for t in texts(at.warning) if "没有采用模型的稿子" in t)
    assert "连接不上模型服务" in warning and "设置" in warning
    assert not ENV_NAME.search(_all_text(at))
    table = at.dataframe[0].value
    assert set(table["起草方式"]) == {"模板（模型未成功，已改用）"}
    assert all(reason != "—" for reason in table["回退/错误说明"])


def test_rejected_model_drafts_are_marked_as_fallback(new_app, fake_openai):
    # A model that types its own figure (no slot): every draft is rejected by the truth gate.
    fake_openai.script(default=lambda request: "本年度支出共计12345.67万元，执行良好。")
    at = _generate_with_model(_configure_model(load_sample(new_app()), fake_openai.base_url))
    table = at.dataframe[0].value
    fallback = table[table["起草方式"] == "模板（模型未成功，已改用）"]
    assert len(fallback) >= 1
    warning = next(t for t in texts(at.warning) if "没有采用模型的稿子" in t)
    assert "未能通过核验" in warning


def test_chat_without_a_model_names_no_environment_variable(new_app):
    at = open_tab(load_sample(new_app()), "对话起草")
    at.chat_input(key="chat_prompt").set_value("写得简洁一些").run()
    assert not at.exception, at.exception
    shown = _all_text(at)
    assert not ENV_NAME.search(shown), shown
    assert any("模板文本" in t and "设置" in t for t in texts(at.warning))


def test_evidence_table_in_the_app_and_as_a_download(new_app):
    at = open_tab(load_sample(new_app()), "一键生成")
    button(at, "一键生成报告").click()
    at.run(timeout=120)
    assert not at.exception, at.exception
    report = at.session_state["report"]
    total = sum(len(s.findings) for s in report.sections if s.drafter != "outline" and s.text.strip())
    at.session_state["report_view"] = "数字来源表"
    at.run()
    assert not at.exception, at.exception
    shown = at.dataframe[-1].value
    assert len(shown) == total and "台账键" in shown.columns and "所在语句" in shown.columns
    assert any("全部有据可查" in t for t in texts(at.success))
    from assistant.ui.report_tab import _evidence_file
    from assistant.ui import state  # noqa: F401 (the cached file is the one offered for download)

    data = at.session_state["_evidence_cache"][1]
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.max_row - 3 == total
    assert callable(_evidence_file)


def test_progress_words_cover_every_pipeline_step():
    from assistant.ui.report_tab import STATUS

    for step in ("queued", "running", "verifying", "redrafting", "fallback", "done", "failed"):
        assert step in STATUS and re.search(r"[\u4e00-\u9fff]", STATUS[step][1])


def test_links_end_at_the_url_in_chinese_text():
    shown = md("当前：qwen @ http://127.0.0.1:11434/v1；已提供密钥")
    assert shown == "当前：qwen @ [http://127.0.0.1:11434/v1](http://127.0.0.1:11434/v1)；已提供密钥"
    assert md("无法连接 https://example.org/a_b（已重试）。") == "无法连接 [https://example.org/a\\_b](https://example.org/a_b)（已重试）。"
    assert md("见 [文档](http://a.b/c)。") == "见 [文档](http://a.b/c)。"  # an explicit link stays as written
    assert md("地址 http://a.b/c. 完") == "地址 [http://a.b/c](http://a.b/c). 完"


def test_links_render_as_links_that_end_at_the_url(new_app):
    at = _configure_model(new_app(), "http://127.0.0.1:9/v1")
    info = next(t for t in texts(at.info) if t.startswith("当前"))
    assert "[http://127.0.0.1:9/v1](http://127.0.0.1:9/v1)" in info


def test_user_words_for_settings_and_outlines():
    assert settings_words("未配置模型：请设置 ASSISTANT_MODEL（以及 OPENAI_BASE_URL、OPENAI_API_KEY）后再试") == "未配置模型：请在“设置”页填写模型地址和模型名称后再试"
    assert "OPENAI" not in settings_words("模型服务拒绝了 API 密钥：请检查 OPENAI_API_KEY")
    assert "Error" not in settings_words("模型服务不可用：调用 http://x 失败（APIConnectionError: boom）")
    assert model_failure("模型调用失败：模型服务超时：超过 3 秒未响应")[0] == "模型服务在限定时间内没有回答"
    for name in ("seed", "hunan"):
        assert re.search(r"[\u4e00-\u9fff]", outline_name(name)) and name not in outline_name(name)


@pytest.mark.parametrize("tab", ["数据录入", "对话起草", "一键生成", "资料库", "评估", "设置"])
def test_no_emoji_icons_in_any_tab(new_app, tab):
    at = open_tab(load_sample(new_app()), tab)
    emoji = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f]")
    icons = [getattr(e.proto, "icon", "") for kind in ("error", "warning", "info", "success") for e in getattr(at, kind)]
    assert not [i for i in icons if emoji.search(i or "")]
    assert not emoji.search(_all_text(at))


def test_autosaved_time_is_that_of_the_save_just_made(new_app):
    import time

    at = load_sample(new_app())
    first = at.session_state["save_status"][0]
    time.sleep(1.1)
    at = open_section(at, "meta")
    field(at, "meta.unit_name").input("某某单位")
    at.run()
    now = at.session_state["save_status"][0]
    assert now != first
    shown = [t for t in texts(at.sidebar.caption) if t.startswith("已自动保存")]
    assert shown == [f"已自动保存（{now}）"], shown


def test_evaluation_progress_line_is_gone_after_the_results(new_app):
    pytest.importorskip("assistant.evaluation.harness")
    at = open_tab(new_app(), "评估")
    at.multiselect(key="eval_cases").set_value(["hengshan-fulian-2023"])
    at.run()
    button(at, "运行评估").click()
    at.run()
    assert not at.exception, at.exception
    assert not any("正在评估" in t for t in texts(at.caption))
    table = at.dataframe[0].value
    assert "hengshan" not in " ".join(map(str, table.iloc[0].tolist())) and "offline" not in " ".join(map(str, table.iloc[0].tolist()))


def test_model_captions_link_only_the_url(new_app, fake_openai):
    at = _configure_model(load_sample(new_app()), fake_openai.base_url)
    at = open_tab(at, "对话起草")
    caption = next(t for t in texts(at.caption) if t.startswith("模型："))
    assert f"[{fake_openai.base_url}]({fake_openai.base_url})）" in caption
    at = open_tab(at, "一键生成")
    labels = at.radio(key="report_backend").options
    assert any(f"[{fake_openai.base_url}]({fake_openai.base_url})）" in label for label in labels), labels


def test_pipeline_reports_each_step_as_it_happens():
    """verifying, redrafting and fallback reach the progress list before done (what 一键生成 shows)."""
    import asyncio

    from assistant.drafting.pipeline import DraftJob, adraft_report
    from assistant.figures import load_figures
    from assistant.interface import SectionDraft
    from assistant.offline import REPO_ROOT

    class TypesItsOwnFigures:
        name = "llm:liar"

        async def draft(self, section, context):
            text = "本年度支出共计12345.67万元。" if section.id == "budget" else ""
            return SectionDraft(section.id, section.heading, section.level, text, self.name)

    figures = load_figures(REPO_ROOT / "evals" / "cases" / "hengshan-fulian-2023" / "figures.yaml")
    steps: list[tuple[str, str]] = []
    report = asyncio.run(adraft_report(DraftJob(figures, drafter=TypesItsOwnFigures(), progress=lambda sid, step: steps.append((sid, step)))))
    budget = [step for sid, step in steps if sid == "budget"]
    assert budget == ["queued", "running", "verifying", "redrafting", "verifying", "fallback", "done"]
    assert report.section("budget").fallback_reason


def test_model_timeout_is_reported_in_words(new_app, monkeypatch, fake_openai):
    from tests.fake_openai import slow

    monkeypatch.setenv("ASSISTANT_MAX_RETRIES", "0")
    monkeypatch.setenv("ASSISTANT_TIMEOUT", "1")
    fake_openai.script(default=lambda request: slow(3))
    at = _generate_with_model(_configure_model(load_sample(new_app()), fake_openai.base_url))
    warning = next(t for t in texts(at.warning) if "没有采用模型的稿子" in t)
    assert "模型服务在限定时间内没有回答" in warning and "重试" in warning
    assert not ENV_NAME.search(_all_text(at))


def test_no_emoji_in_the_app_sources():
    """Icons come from Streamlit's Material set: an emoji is an empty box without an emoji font."""
    from assistant.offline import REPO_ROOT

    emoji = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f]")
    sources = [REPO_ROOT / "app.py", *sorted((REPO_ROOT / "assistant" / "ui").glob("*.py"))]
    found = [f"{p.name}:{n}" for p in sources for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if emoji.search(line)]
    assert not found, found
