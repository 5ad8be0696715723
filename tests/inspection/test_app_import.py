"""“从上年报告导入” on 数据录入 (AppTest): upload last year's report, see what was read and where it
came from, fill the empty fields of the form without overwriting what was typed."""

from __future__ import annotations

from decimal import Decimal

from assistant.inspection.prefill import merge_into
from tests.inspection.conftest import REAL
from tests.ui.conftest import new_app, workspace  # noqa: F401  (fixtures)

REPORT = "hetang-fulian-2022.txt"


def test_merge_fills_only_blank_fields():
    current = {"meta": {"unit_name": "某单位", "year": 2023}, "final": {"expenditure": {"total": "10"}}}
    incoming = {"meta": {"unit_name": "别的单位", "year": 2023}, "final": {"expenditure": {"total": Decimal("9"), "basic": Decimal("5")}}}
    merged, filled, kept = merge_into(current, incoming)
    assert merged["meta"]["unit_name"] == "某单位" and merged["final"]["expenditure"]["total"] == "10"
    assert merged["final"]["expenditure"]["basic"] == Decimal("5")
    assert filled == ["final.expenditure.basic"] and set(kept) == {"meta.unit_name", "final.expenditure.total"}


def test_upload_last_years_report_shows_and_applies(new_app):  # noqa: F811
    at = new_app()
    data = (REAL / REPORT).read_bytes()
    at.file_uploader(key="last_year_report").set_value((REPORT, data, "text/plain"))
    at.run()
    assert not at.exception, at.exception
    shown = " ".join(str(m.value) for m in at.markdown)
    assert "体检" in shown and "读出" in shown
    at.button(key="last_year_apply").click()
    at.run()
    assert not at.exception, at.exception
    form = at.session_state["form"]
    # Last year's spending as written in the report ("2022年支出76.36万元") is next year's 上年决算支出.
    text = (REAL / REPORT).read_text(encoding="utf-8")
    total = form["last_year"]["expenditure_total"]
    assert f"支出{total}万元" in text
    assert str(form["meta"]["year"]) == "2023"
    assert any("已从上年报告填入" in str(s.value) for s in [*at.success, *at.warning])


def test_unreadable_upload_is_a_chinese_message(new_app):  # noqa: F811
    at = new_app()
    at.file_uploader(key="last_year_report").set_value(("坏.docx", b"not a docx", "application/octet-stream"))
    at.run()
    assert not at.exception
    assert any("未能读取" in str(e.value) for e in at.error)
