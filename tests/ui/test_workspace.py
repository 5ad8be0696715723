"""The workspace folder per report, atomic writes, reports as JSON, redrafting one section."""

from __future__ import annotations

import json

from assistant.drafting.pipeline import draft_report
from assistant.drafting.redraft import ADOPTED_DRAFTER, apply_adopted, redraft_section, replace_section
from assistant.figures import load_figures
from assistant.offline import REPO_ROOT
from assistant.ui.highlight import highlight_html
from assistant.workspace import Workspace, report_from_dict, report_to_dict, safe_name, workspace_root

SAMPLE = REPO_ROOT / "evals" / "cases" / "hengshan-fulian-2023" / "figures.yaml"


def test_root_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSISTANT_WORKSPACE", str(tmp_path / "ws"))
    assert workspace_root() == tmp_path / "ws"
    monkeypatch.delenv("ASSISTANT_WORKSPACE")
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    assert workspace_root() == tmp_path / "data" / "workspace"


def test_report_names_stay_inside_the_workspace():
    assert safe_name("../../etc/passwd") == "_.._etc_passwd"
    assert safe_name("  ") == "我的报告"
    assert safe_name("衡山县妇联2023") == "衡山县妇联2023"


def test_folders_last_used_and_atomic_json(tmp_path):
    workspace = Workspace(tmp_path)
    folder = workspace.folder("甲单位")
    folder.write_json("notes.json", {"chat": {"a": [{"role": "user", "content": "你好"}]}})
    assert folder.read_json("notes.json")["chat"]["a"][0]["content"] == "你好"
    assert [p.name for p in folder.path.iterdir()] == ["notes.json"]  # no temporary file left behind
    workspace.folder("乙单位")
    workspace.set_last_used("甲单位")
    assert workspace.last_used() == "甲单位" and set(workspace.reports()) == {"甲单位", "乙单位"}


def test_a_damaged_file_is_set_aside_not_lost(tmp_path):
    folder = Workspace(tmp_path).folder("甲")
    (folder.path / "drafts.json").write_text("{broken", encoding="utf-8")
    assert folder.read_json("drafts.json", {}) == {}
    assert (folder.path / "drafts.json.damaged").read_text(encoding="utf-8") == "{broken"


def test_report_round_trips_through_json():
    report = draft_report(load_figures(SAMPLE))
    data = json.loads(json.dumps(report_to_dict(report), ensure_ascii=False))
    again = report_from_dict(data)
    assert [s.text for s in again.sections] == [s.text for s in report.sections]
    assert again.title == report.title and again.omitted == report.omitted


def test_redraft_one_section_and_adopt_a_chat_text():
    figures = load_figures(SAMPLE)
    report = draft_report(figures)
    draft = redraft_section(figures, "three_public")
    assert draft.verified and draft.text == report.section("three_public").text
    replaced = replace_section(report, draft)
    assert [s.section_id for s in replaced.sections] == [s.section_id for s in report.sections]
    adopted, missing = apply_adopted(replaced, {"three_public": {"text": "改写后的正文。", "verified": True}, "nope": {"text": "x"}})
    assert adopted.section("three_public").text == "改写后的正文。"
    assert adopted.section("three_public").drafter == ADOPTED_DRAFTER and missing == ["nope"]
    assert report.section("three_public").text != "改写后的正文。"  # the drafted report is kept


def test_highlight_marks_supported_and_unsupported_figures():
    text = "支出155.29万元，增长99%。"
    findings = [
        {"start": 2, "end": 10, "status": "supported", "provenance": {"source": "ledger", "fact": "final.expenditure.total", "label": "决算支出", "text": "155.29万元"}},
        {"start": 13, "end": 16, "status": "unsupported", "status_zh": "无来源", "message": "台账和工作记录中都没有"},
    ]
    html = highlight_html(text, findings)
    assert '<span class="fig-ok"' in html and 'title="来源：台账“决算支出”155.29万元"' in html
    assert '<span class="fig-bad"' in html and "无来源：台账和工作记录中都没有" in html
    assert highlight_html("<b>1</b>", []) == '<p style="text-indent:2em;line-height:1.9;margin:0 0 .4em 0">&lt;b&gt;1&lt;/b&gt;</p>'
