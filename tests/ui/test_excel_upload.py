"""The app's Excel upload is forgiving (issue 17.5): good values load, each bad cell is listed."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from assistant.figures import load_figures
from assistant.figures.excel_io import excel_bytes
from assistant.offline import REPO_ROOT

SAMPLE = REPO_ROOT / "evals" / "cases" / "hengshan-fulian-2023" / "figures.yaml"


def _with_bad_cell() -> bytes:
    wb = load_workbook(io.BytesIO(excel_bytes(load_figures(SAMPLE))))
    ws = wb["预算与决算"]
    row = next(r[0].row for r in ws.iter_rows(min_col=3, max_col=3) if r[0].value == "支出合计")
    column = next(c.column for c in ws[2] if c.value == "决算")
    ws.cell(row, column).value = "八十"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_excel_upload_with_a_bad_cell_loads_the_rest_and_lists_the_cell(new_app):
    at = new_app()
    at.file_uploader(key="figures_upload").set_value(("衡山.xlsx", _with_bad_cell(), "application/octet-stream"))
    at.run()
    assert not at.exception
    form = at.session_state["form"]
    assert form["meta"]["unit_name"] == "衡山县妇女联合会"
    warnings = [str(w.value) for w in at.warning]
    assert any("1 个单元格未能导入" in w for w in warnings), warnings
    # Each bad cell in the list under the notice: sheet, column, what was typed, what is expected.
    problems = at.dataframe[0].value
    cell = problems.iloc[0]
    assert (cell["工作表"], cell["列"], cell["填写的内容"]) == ("预算与决算", "决算", "八十") and cell["应填写"]
    # The bad field is empty for the user to fill in; its neighbours kept their values.
    seed = load_figures(SAMPLE)
    final = form["final"]["expenditure"]
    assert final["total"] in (None, "")
    assert str(final["basic"]) == str(seed.final.expenditure.basic)


def test_yaml_bomb_upload_is_refused_with_its_line(new_app):
    from tests.fuzz.harness import billion_laughs

    at = new_app()
    at.file_uploader(key="figures_upload").set_value(("炸弹.yaml", billion_laughs(), "text/yaml"))
    at.run(timeout=30)
    assert not at.exception
    errors = [str(e.value) for e in at.error]
    assert any("炸弹.yaml 未能载入" in e and "第1行第4列" in e and "锚点" in e for e in errors), errors
