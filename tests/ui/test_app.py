"""The Streamlit app through AppTest: each tab's main flow, autosave and restore, the key kept off disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from assistant.offline import REPO_ROOT

SAMPLE = REPO_ROOT / "evals" / "cases" / "hengshan-fulian-2023" / "figures.yaml"


def button(at: AppTest, label: str):
    matches = [b for b in at.button if b.label == label]
    assert matches, f"没有按钮“{label}”：{[b.label for b in at.button]}"
    return matches[0]


def open_tab(at: AppTest, name: str) -> AppTest:
    at.session_state["main_tab"] = name
    at.run()
    assert not at.exception, at.exception
    return at


def open_section(at: AppTest, name: str) -> AppTest:
    at.session_state[f"entry_open:{name}"] = True
    at.run()
    assert not at.exception, at.exception
    return at


def field(at: AppTest, path: str):
    return at.text_input(key=f"form{at.session_state['form_version']}:{path}")


def texts(elements) -> list[str]:
    return [str(e.value) for e in elements]


def load_sample(at: AppTest) -> AppTest:
    button(at, "载入示例案例").click()
    at.run()
    assert not at.exception, at.exception
    return at


def report_folder(workspace: Path) -> Path:
    folders = [p for p in workspace.iterdir() if p.is_dir()]
    assert len(folders) == 1, folders
    return folders[0]


def test_load_sample_case_shows_checks_and_ledger(new_app, workspace):
    at = load_sample(new_app())
    assert any("已载入示例案例" in t for t in texts(at.success))
    assert any("数据已通过格式校验" in t for t in texts(at.success))
    assert at.session_state["form"]["meta"]["unit_name"] == "衡山县妇女联合会"
    ledger = at.dataframe[-1].value
    assert list(ledger.columns[:4]) == ["标签", "数值", "公式", "来源字段"]
    total = ledger[ledger["键"] == "final.expenditure.total"].iloc[0]
    assert total["数值"] == "155.29万元" and total["来源字段"] == "决算/支出/支出合计"
    share = ledger[ledger["键"] == "final.expenditure.basic_share"].iloc[0]
    assert "÷" in share["公式"] and "决算/支出/基本支出" in share["来源字段"]
    # Autosaved: the canonical YAML and the form as typed.
    folder = report_folder(workspace)
    assert "衡山县妇女联合会" in (folder / "figures.yaml").read_text(encoding="utf-8")
    assert json.loads((folder / "form.json").read_text(encoding="utf-8"))["meta"]["year"] == "2023"


def test_a_broken_figure_shows_its_error_and_is_kept(new_app, workspace):
    at = open_section(load_sample(new_app()), "final")
    field(at, "final.expenditure.basic").input("6l.41")
    at.run()
    shown = texts(at.markdown)
    assert any("决算/支出/基本支出" in t and "应为数字" in t and "6l.41" in t for t in shown), shown
    assert any("处填写需要修正" in t for t in texts(at.error))
    # What was typed is kept, on screen and on disk, though it does not validate.
    assert field(at, "final.expenditure.basic").value == "6l.41"
    saved = json.loads((report_folder(workspace) / "form.json").read_text(encoding="utf-8"))
    assert saved["final"]["expenditure"]["basic"] == "6l.41"
    # A number that parses but breaks a sum is a consistency error from the checker.
    field(at, "final.expenditure.basic").input("50")
    at.run()
    assert not any("处填写需要修正" in t for t in texts(at.error))
    assert any("不一致" in t and "基本支出" in t for t in texts(at.error)), texts(at.error)
    field(at, "final.expenditure.basic").input("61.41")
    at.run()
    assert any("一致性检查" in t for t in texts(at.success))


def test_required_field_left_empty_is_named(new_app):
    at = open_section(load_sample(new_app()), "meta")
    field(at, "meta.unit_name").input("")
    at.run()
    assert any("单位信息/单位名称" in t and "必填项缺失" in t for t in texts(at.markdown))


def test_values_come_back_after_a_restart(new_app):
    at = open_section(load_sample(new_app()), "meta")
    field(at, "meta.notice_no").input("测试文号〔2024〕1号")
    at.run()
    again = open_section(new_app(), "meta")  # a new session: a browser refresh or a server restart
    assert again.session_state["form"]["meta"]["notice_no"] == "测试文号〔2024〕1号"
    assert field(again, "meta.notice_no").value == "测试文号〔2024〕1号"


def test_invalid_input_also_comes_back_after_a_restart(new_app):
    at = open_section(load_sample(new_app()), "staffing")
    field(at, "staffing.actual").input("六")
    at.run()
    again = open_section(new_app(), "staffing")
    assert field(again, "staffing.actual").value == "六"
    assert any("应为整数" in t for t in texts(again.markdown))


def test_add_and_delete_a_work_note_area(new_app):
    at = open_section(load_sample(new_app()), "work_notes")
    areas = len(at.session_state["form"]["work_notes"])
    button(at, "添加整体绩效目标完成情况（工作记录）").click()
    at.run()
    assert len(at.session_state["form"]["work_notes"]) == areas + 1
    field(at, f"work_notes.{areas}.title").input("新的工作领域")
    at.run()
    assert at.session_state["form"]["work_notes"][areas]["title"] == "新的工作领域"
    first_title = at.session_state["form"]["work_notes"][1]["title"]
    [b for b in at.button if b.label == "删除此项"][0].click()
    at.run()
    notes = at.session_state["form"]["work_notes"]
    assert len(notes) == areas and notes[0]["title"] == first_title and notes[-1]["title"] == "新的工作领域"


def test_upload_yaml_with_an_error_keeps_it_for_fixing(new_app):
    at = new_app()
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    data["budget"]["income"]["total"] = "三十九"
    data["unknown_part"] = 1
    at.file_uploader(key="figures_upload").set_value(("某单位.yaml", yaml.safe_dump(data, allow_unicode=True).encode(), "text/yaml"))
    at.run()
    assert not at.exception
    assert any("无法识别" in t and "unknown_part" in t for t in texts(at.warning))
    assert at.session_state["form"]["budget"]["income"]["total"] == "三十九"
    assert any("年初预算/收入/收入合计" in t for t in texts(at.error))


def test_loading_into_a_report_with_data_opens_a_new_report(new_app, workspace):
    at = load_sample(new_app())
    first = at.session_state["report_name"]
    at = load_sample(at)
    assert at.session_state["report_name"] != first
    assert len([p for p in workspace.iterdir() if p.is_dir()]) == 2


def test_excel_upload_round_trip(new_app):
    excel_io = pytest.importorskip("assistant.figures.excel_io")
    from assistant.figures import load_figures

    at = new_app()
    data = excel_io.excel_bytes(load_figures(SAMPLE))
    at.file_uploader(key="figures_upload").set_value(("衡山.xlsx", data, "application/octet-stream"))
    at.run()
    assert not at.exception
    assert at.session_state["form"]["meta"]["unit_name"] == "衡山县妇女联合会"
    assert any("数据已通过格式校验" in t for t in texts(at.success))
    assert {"下载 YAML 数据", "下载 Excel（含当前数据）", "下载空白 Excel 模板"} <= {b.label for b in at.get("download_button")}


def test_offline_one_click_report_and_downloads(new_app, workspace):
    at = open_tab(load_sample(new_app()), "一键生成")
    button(at, "一键生成报告").click()
    at.run()
    assert not at.exception, at.exception
    assert any("报告已生成" in t for t in texts(at.success))
    labels = {b.label for b in at.get("download_button")}
    assert {"下载 Word（.docx）", "下载 Markdown（.md）"} <= labels
    files = at.session_state["_export_cache"][1]
    drafted = at.session_state["report"]
    stem = f"{drafted.unit_name}{drafted.title}"  # the seed outline's title is "{年度}年度部门整体支出绩效自评报告"
    assert {f"{stem}.docx", f"{stem}.md", f"{stem}.xlsx"} <= set(files)
    assert files[f"{stem}.docx"][:2] == b"PK"
    assert "衡山县妇女联合会" in files[f"{stem}.md"].decode("utf-8")
    table = at.dataframe[0].value
    assert set(table["起草方式"]) == {"模板（离线）"}
    assert all(value.startswith("通过") for value in table["数字核验"])
    # 排版预览: the exported .docx as page images (LibreOffice), else the 公文-format HTML page.
    shown = at.session_state["_preview_cache"][1]
    assert shown.images or "“三公”经费执行情况" in shown.html
    # Redraft one section.
    at.selectbox(key="redraft_section").set_value("three_public")
    button(at, "重新生成本节").click()
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["report"].section("three_public").text
    # The drafts are saved and come back in a new session.
    saved = json.loads((report_folder(workspace) / "drafts.json").read_text(encoding="utf-8"))
    assert saved["report"]["sections"]
    again = open_tab(new_app(), "一键生成")
    assert again.session_state["report"] is not None
    assert {"下载 Word（.docx）", "下载 Markdown（.md）"} <= {b.label for b in again.get("download_button")}


def test_verification_view_highlights_figures_with_their_source(new_app):
    at = open_tab(load_sample(new_app()), "一键生成")
    button(at, "一键生成报告").click()
    at.run()
    at.session_state["report_view"] = "数字核验"
    at.run()
    assert not at.exception, at.exception
    html = "\n".join(texts(at.markdown))
    assert 'class="fig-ok"' in html and 'title="来源：台账' in html
    assert "class=\"fig-bad\"" not in html


def test_report_needs_valid_figures(new_app):
    # A blank report: calm guidance, no error; once something is entered, what is wrong.
    at = open_tab(new_app(), "一键生成")
    assert button(at, "一键生成报告").disabled
    assert any("请先填写或导入数据" in t for t in texts(at.info))
    assert not at.error and not any("需要修正" in t for t in texts(at.warning))
    at = open_section(open_tab(at, "数据录入"), "meta")
    field(at, "meta.unit_name").input("某某单位")
    at.run()
    at = open_tab(at, "一键生成")
    assert button(at, "一键生成报告").disabled
    assert any("需要修正" in t for t in texts(at.warning))


def test_settings_outline_and_options_are_used(new_app, workspace):
    at = open_tab(load_sample(new_app()), "设置")
    version = at.session_state["form_version"]
    at.selectbox(key=f"settings{version}:outline").set_value("hunan")
    at.selectbox(key=f"settings{version}:execution_denominator").set_value("initial")
    at.run()
    assert not at.exception, at.exception
    at = open_tab(at, "一键生成")
    button(at, "一键生成报告").click()
    at.run()
    assert at.session_state["report"].outline == "hunan"
    saved = json.loads((report_folder(workspace) / "settings.json").read_text(encoding="utf-8"))
    assert saved["report"]["outline"] == "hunan" and saved["report"]["execution_denominator"] == "initial"


def test_api_key_is_never_written_to_the_workspace(new_app, workspace):
    secret = "sk-test-DO-NOT-SAVE-9f3a7c"
    at = open_tab(load_sample(new_app()), "设置")
    version = at.session_state["form_version"]
    at.text_input(key=f"settings{version}:base_url").input("http://127.0.0.1:9/v1")
    at.text_input(key=f"settings{version}:model").input("some-model")
    at.text_input(key="settings_api_key_input").input(secret)
    at.run()
    assert any("some-model" in t and "已提供密钥" in t for t in texts(at.info))
    # Draft and chat so that every file of the report is written, then look for the key.
    at = open_tab(at, "一键生成")
    at.radio(key="report_backend").set_value("offline")
    button(at, "一键生成报告").click()
    at.run()
    at = open_tab(at, "数据录入")  # more runs, more autosaves; the settings tab is closed now
    assert at.session_state["model_api_key"] == secret  # still in the session
    files = [p for p in workspace.rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert secret not in path.read_bytes().decode("utf-8", errors="replace"), path
    settings = json.loads((report_folder(workspace) / "settings.json").read_text(encoding="utf-8"))
    assert settings["model"]["model"] == "some-model"


def test_chat_tab_without_a_model(new_app):
    at = open_tab(load_sample(new_app()), "对话起草")
    notices = texts(at.info)
    assert any("未配置模型" in t or "准备中" in t for t in notices), notices


def test_chat_with_the_fake_model_streams_cites_and_adopts(new_app, workspace, fake_openai):
    pytest.importorskip("assistant.drafting.chat")
    reply = "本年度“三公”经费决算数为【three_public.actual.total】，预算执行良好。"
    fake_openai.script(default=lambda request: reply)
    at = open_tab(load_sample(new_app()), "设置")
    version = at.session_state["form_version"]
    at.text_input(key=f"settings{version}:base_url").input(fake_openai.base_url)
    at.text_input(key=f"settings{version}:model").input("fake-model")
    at.text_input(key="settings_api_key_input").input("x")
    at.run()
    at = open_tab(at, "对话起草")
    at.selectbox(key="chat_section").set_value("three_public")
    at.run()
    at.chat_input(key="chat_prompt").set_value("写得简洁一些").run()
    assert not at.exception, at.exception
    history = at.session_state["notes"]["chat"]["three_public"]
    assert [m["role"] for m in history] == ["user", "assistant"]
    answer = history[1]
    assert "0.09万元" in answer["content"] and answer["drafter"] == "llm:fake-model"
    assert answer["findings"] and all(f["status"] == "supported" for f in answer["findings"])
    html = "\n".join(texts(at.markdown))
    assert 'class="fig-ok"' in html and "0.09万元" in html
    assert fake_openai.requests, "the model was not called"
    # Citations from the sample corpus (the chat searched the index).
    assert answer["citations"] and answer["citations"][0].get("source")
    button(at, "采用").click()
    at.run()
    assert at.session_state["adopted"]["three_public"]["text"] == answer["content"]
    at = open_tab(at, "一键生成")
    button(at, "一键生成报告").click()
    at.run()
    table = at.dataframe[0].value
    row = table[table["章节"] == "“三公”经费执行情况"].iloc[0]
    assert row["起草方式"] == "对话采用"
    drafted = at.session_state["report"]
    report_md = at.session_state["_export_cache"][1][f"{drafted.unit_name}{drafted.title}.md"]
    assert answer["content"] in report_md.decode("utf-8")
    saved = json.loads((report_folder(workspace) / "notes.json").read_text(encoding="utf-8"))
    assert saved["chat"]["three_public"][1]["content"] == answer["content"]


def test_corpus_upload_search_and_delete(new_app, monkeypatch):
    at = open_tab(new_app(), "资料库")
    assert not at.exception, at.exception
    before = len(at.dataframe[0].value) if at.dataframe else 0
    text = "测试单位2024年度工作总结\n\n一、湘绣非遗传承\n今年组织湘绣非遗传承培训班三期，参训学员一百二十人。\n".encode("utf-8")
    at.file_uploader(key="corpus_upload").set_value([("湘绣总结.txt", text, "text/plain")])
    at.run()
    button(at, "加入资料库").click()
    at.run()
    assert not at.exception, at.exception
    assert any("新入库 1 个" in t for t in texts(at.success)), texts(at.success) + texts(at.warning)
    docs = at.dataframe[0].value
    assert len(docs) == before + 1 and "上传/湘绣总结.txt" in set(docs["来源"])
    at.text_input(key="corpus_query").input("湘绣非遗传承培训")
    at.run()
    shown = "\n".join(texts(at.markdown))
    assert "上传/湘绣总结.txt" in shown
    # Delete it again (the choice is the document id, shown by title and source).
    from assistant.ui import resources

    target = next(d.doc_id for d in resources.corpus_index().list_documents() if d.source == "上传/湘绣总结.txt")
    at.selectbox(key="corpus_delete_choice").set_value(target)
    button(at, "删除所选文档").click()
    at.run()
    assert any("已删除" in t for t in texts(at.success))
    remaining = set(at.dataframe[0].value["来源"]) if at.dataframe else set()
    assert "上传/湘绣总结.txt" not in remaining
    # Rebuilding the index brings back exactly the sample documents.
    button(at, "重新索引").click()
    at.run()
    assert any("重新索引完成" in t for t in texts(at.success)), texts(at.success) + texts(at.warning)
    assert set(at.dataframe[0].value["来源"]) == remaining


def test_corpus_upload_over_the_size_limit_is_refused(new_app, monkeypatch):
    monkeypatch.setenv("ASSISTANT_MAX_FILE_MB", "0.001")  # about 1 KB
    at = open_tab(new_app(), "资料库")
    at.file_uploader(key="corpus_upload").set_value([("大文件.txt", ("很长的文字。" * 400).encode("utf-8"), "text/plain")])
    at.run()
    button(at, "加入资料库").click()
    at.run()
    assert any("文件过大" in t for t in texts(at.warning)), texts(at.warning)


def test_evaluation_tab_runs_one_case(new_app):
    pytest.importorskip("assistant.evaluation.harness")
    at = open_tab(new_app(), "评估")
    at.multiselect(key="eval_cases").set_value(["hengshan-fulian-2023"])
    at.run()
    button(at, "运行评估").click()
    at.run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert len(table) == 1 and "衡山县妇女联合会 2023年度" in set(table.iloc[:, 0])  # the case by its Chinese name
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart"), "bar chart missing"


def test_sidebar_new_report_and_switch_back(new_app, workspace):
    at = load_sample(new_app())
    first = at.session_state["report_name"]
    at.sidebar.text_input[0].input("另一个单位")
    at.sidebar.button[0].click()
    at.run()
    assert at.session_state["report_name"] == "另一个单位"
    assert not at.session_state["form"]["meta"]["unit_name"]
    at.sidebar.selectbox[0].set_value(first)
    at.run()
    assert at.session_state["form"]["meta"]["unit_name"] == "衡山县妇女联合会"
