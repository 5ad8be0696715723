"""一键生成 → 核对修改稿: upload the .docx edited in Word/WPS and see the changed sentences and any
figure in them that no longer traces (AppTest, the app as a browser session runs it)."""

from __future__ import annotations

import io

from tests.ui.conftest import new_app, workspace  # noqa: F401  (fixtures)
from tests.ui.test_app import button, load_sample, open_tab, texts


def _edited(docx_bytes: bytes, old: str, new: str) -> bytes:
    import docx

    document = docx.Document(io.BytesIO(docx_bytes))
    for paragraph in document.paragraphs:
        if old in paragraph.text:
            text = paragraph.text.replace(old, new)
            for run in paragraph.runs[1:]:
                run.text = ""
            paragraph.runs[0].text = text
            break
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_upload_edited_docx_shows_changes_and_untraced_figures(new_app):  # noqa: F811
    at = open_tab(load_sample(new_app()), "一键生成")
    button(at, "一键生成报告").click()
    at.run()
    assert not at.exception, at.exception
    exported = at.session_state["_export_cache"][1]
    [docx_name] = [name for name in exported if name.endswith(".docx")]
    data = exported[docx_name]
    from assistant.verify.documents import read_document_bytes

    body = read_document_bytes(docx_name, data).body_text
    assert "155.29万元" in body
    at.file_uploader(key="edited_docx").set_value(("修改稿.docx", _edited(data, "155.29万元", "155.92万元"), "application/octet-stream"))
    at.run()
    assert not at.exception, at.exception
    shown = "\n".join(texts(at.markdown))
    assert "【修改】" in shown and "155.92万元" in shown and "无来源" in shown
    assert any("无法溯源" in t for t in texts(at.error))

    at.file_uploader(key="edited_docx").set_value(("修改稿.docx", data, "application/octet-stream"))
    at.run()
    assert any("没有改动" in t for t in texts(at.success))

    at.file_uploader(key="edited_docx").set_value(("坏文件.docx", b"PK\x03\x04broken", "application/octet-stream"))
    at.run()
    assert not at.exception, at.exception
    assert any("无法读取上传的文件" in t for t in texts(at.error))
