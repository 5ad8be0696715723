"""Reading a data editor's edit state back into rows (done before validation, so errors are current)."""

from __future__ import annotations

import pandas as pd

from assistant.ui.form_widgets import _edited_records


def test_edits_deletions_and_additions_are_applied_in_order():
    base = pd.DataFrame([{"措施": "甲", "具体内容": "一"}, {"措施": "乙", "具体内容": "二"}, {"措施": "丙", "具体内容": ""}])
    edits = {
        "edited_rows": {0: {"具体内容": "一（改）"}, "2": {"措施": "丙丙"}},
        "deleted_rows": [1],
        "added_rows": [{"措施": "丁"}, {"0": "戊", "1": "五"}],
    }
    assert _edited_records(base, edits) == [
        {"措施": "甲", "具体内容": "一（改）"},
        {"措施": "丙丙", "具体内容": ""},
        {"措施": "丁", "具体内容": None},
        {"措施": "戊", "具体内容": "五"},
    ]


def test_an_unexpected_state_is_left_to_the_editor():
    base = pd.DataFrame([{"a": "1"}])
    assert _edited_records(base, None) is None
    assert _edited_records(base, {"edited_rows": {"x": {"a": "2"}}}) is None
    assert _edited_records(base, {}) == [{"a": "1"}]
