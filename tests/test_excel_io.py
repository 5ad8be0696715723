"""Excel template export/import: lossless round trips, cell-level Chinese errors, the CLI."""

from __future__ import annotations

import datetime as dt
import io
import typing
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pydantic import BaseModel

from assistant.figures import excel_io
from assistant.cli import main
from assistant.figures.excel_io import excel_bytes, export_excel, field_paths, load_excel
from assistant.figures.model import Figures
from assistant.figures import load_figures
from assistant.figures.yaml_io import FiguresError, dump_yaml

SEED = Path(__file__).resolve().parents[1] / "evals" / "cases" / "hengshan-fulian-2023" / "figures.yaml"
D = Decimal


def rich_figures() -> Figures:
    """Every part of the model filled in, with values that are easy to lose on the way."""
    return Figures.model_validate(
        {
            "meta": {
                "unit_name": "某县残疾人联合会",
                "year": 2023,
                "report_date": dt.date(2024, 5, 31),
                "supervisor": "某县人民政府",
                "finance_bureau": "某县财政局",
                "notice_no": "某财绩〔2024〕12号",
                "notice_title": "关于开展2023年度部门整体支出绩效自评的通知",
                "budget_code": "0012",  # leading zeros: text, not a number
            },
            "duties": ["贯彻执行残疾人事业的方针政策。", "=不是公式", "承办上级交办的其他事项。"],
            "staffing": {"authorized_total": 10, "authorized_admin": 6, "authorized_institution": 4, "actual": 9, "fiscal_supported": 0, "retired": 3},
            "budget": {
                "income": {"total": D("1234567.89"), "general_public": D("1234567.89"), "carryover": D("0")},
                "expenditure": {"total": D("1234567.89"), "basic": D("1000000.00"), "project": D("234567.89"), "personnel": D("800000.5"), "public": D("199999.50")},
            },
            "adjusted_budget": {"income": {"total": D("39.78"), "other": D("0.005")}, "expenditure": {"total": D("39.78")}},
            "final": {
                "income": {"total": D("155.32"), "government_fund": D("-1.25")},
                "expenditure": {"total": D("155.29"), "basic": D("61.41"), "project": D("93.88"), "basic_share_stated": D("39.55"), "project_share_stated": D("60.45")},
                "variance_reasons": "年中追加项目。\n第二行说明。",
                "added_projects": ["残疾人康复项目", "助残日活动"],
            },
            "last_year": {"income_total": D("120.00"), "expenditure_total": D("118.6")},
            "three_public": {
                "budget": {"total": D("0.5"), "overseas": D("0"), "vehicle": D("0"), "reception": D("0.5")},
                "actual": {"total": D("0.09"), "overseas": D("0"), "vehicle": D("0"), "reception": D("0.09")},
                "last_year_actual": {"total": D("1.2"), "vehicle": D("1.0"), "vehicle_purchase": D("0.6"), "vehicle_operation": D("0.4"), "reception": D("0.2")},
                "last_year_budget": {"total": D("1.5")},
            },
            "procurement": {"total": D("11.59"), "goods": D("2.41"), "works": D("0"), "services": D("9.18"), "budget": D("12"), "smes": D("11.59")},
            "assets": {"total_assets": D("5.16"), "total_liabilities": D("0"), "net_assets": D("5.16"), "fixed_assets_original": D("12.78"), "fixed_assets_in_use": D("12.78")},
            "carryover": {"this_year": D("0.03"), "last_year": D("0")},
            "projects": [
                {
                    "name": "残疾人康复项目",
                    "department": "某县残疾人联合会",
                    "implementer": "康复中心",
                    "key_project": True,
                    "funds": {
                        "total": {"initial": D("50"), "full_year": D("60.00"), "executed": D("58.123")},
                        "fiscal": {"initial": D("50"), "full_year": D("55"), "executed": D("53.123")},
                        "carryover": {"full_year": D("5"), "executed": D("5")},
                        "other": {"initial": D("0")},
                    },
                    "goal_expected": "为200名残疾人提供康复服务。",
                    "goal_actual": "完成215人。",
                    "indicators": [
                        {"level1": "产出指标", "level2": "数量指标", "name": "康复服务人数", "comparator": "≥", "target": D("200"), "actual": D("215"), "unit": "人", "weight": D("10"), "applicable": True},
                        {"level1": "产出指标", "level2": "时效指标", "name": "完成时间", "comparator": "≤", "target_text": "2023年12月", "actual_text": "2023年11月", "weight": D("5")},
                        {
                            "level1": "效益指标",
                            "level2": "社会效益指标",
                            "name": "残疾人生活质量",
                            "comparator": "定性",
                            "target_text": "明显改善",
                            "actual_text": "有所改善",
                            "band": "部分达成",
                            "weight": D("10"),
                            "score_override": D("7.5"),
                            "deviation_reason": "部分乡镇服务覆盖不足；下一步扩大覆盖。",
                        },
                    ],
                    "execution_score_override": D("9.69"),
                },
                {"name": "助残日活动", "key_project": False, "indicators": [{"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "满意度", "comparator": "=", "target": D("100"), "applicable": False}]},
            ],
            "performance_indicators": [
                {"level1": "产出指标", "level2": "数量指标", "name": "培训人次", "target": D("0.005"), "actual": D("0"), "unit": "万人次"},
                {"level1": "效益指标", "level2": "满意度", "name": "群众满意度", "comparator": "定性", "band": "达成"},
            ],
            "work_notes": [
                {"title": "康复服务", "items": ["完成康复服务215人。", "发放辅具38件，价值1.2万元。"]},
                {"title": "尚无记录的领域", "items": []},
                {"title": "维权工作", "items": ["受理来信来访12件。"]},
            ],
            "problems": ["预算编制不够精细。", "绩效目标设置不够量化。", "资金拨付进度偏慢。"],
            "improvements": [{"title": "加强预算编制", "detail": "细化项目测算。"}, {"title": "完善指标体系"}],
            "other_notes": "无",
        }
    )


def roundtrip(figures: Figures | None) -> Figures:
    return load_excel(io.BytesIO(excel_bytes(figures)))


def workbook_with(figures: Figures | None, edit) -> io.BytesIO:
    """Export, let `edit(wb)` change cells as a user would in Excel, return the saved file."""
    wb = load_workbook(io.BytesIO(excel_bytes(figures)))
    edit(wb)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def find_row(ws, text: str, column: int) -> int:
    for row in ws.iter_rows(min_col=column, max_col=column):
        if row[0].value == text:
            return row[0].row
    raise AssertionError(f"{text} not in column {column} of {ws.title}")


def find_column(ws, header: str) -> int:
    for cell in ws[2]:
        if cell.value == header:
            return cell.column
    raise AssertionError(f"{header} not a header of {ws.title}")


def errors_of(source) -> list[str]:
    with pytest.raises(FiguresError) as info:
        load_excel(source)
    return info.value.messages


# --- round trips -------------------------------------------------------------------------------


def test_seed_case_round_trips_losslessly(tmp_path):
    figures = load_figures(SEED)
    path = tmp_path / "seed.xlsx"
    export_excel(figures, path)
    assert dump_yaml(load_excel(path)) == dump_yaml(figures)
    assert dump_yaml(load_figures(path)) == dump_yaml(figures)  # load_figures dispatches .xlsx


def test_rich_figures_round_trip_losslessly():
    figures = rich_figures()
    back = roundtrip(figures)
    assert dump_yaml(back) == dump_yaml(figures)
    assert back == figures
    # The values that tend to get lost, checked one by one as well.
    assert back.adjusted_budget.income.total == D("39.78") and str(back.adjusted_budget.income.total) == "39.78"
    assert str(back.adjusted_budget.income.other) == "0.005"
    assert str(back.budget.income.total) == "1234567.89"
    assert str(back.budget.expenditure.basic) == "1000000.00"
    assert back.budget.income.carryover == D("0") and back.budget.income.government_fund is None
    assert back.meta.budget_code == "0012"
    assert back.duties[1] == "=不是公式"
    assert back.work_notes[1].items == []
    assert back.improvements[1].detail is None
    assert back.projects[1].indicators[0].applicable is False
    assert back.three_public.last_year_budget.total == D("1.5") and back.three_public.last_year_budget.overseas is None


def test_blank_template_yaml_round_trip_keeps_optional_blocks_absent():
    figures = Figures.model_validate({"meta": {"unit_name": "某单位", "year": 2024}})
    back = roundtrip(figures)
    assert back == figures
    assert back.procurement is None and back.three_public.last_year_actual is None and back.last_year is None


def test_workbook_covers_every_field_of_the_model():
    def leaves(model: type[BaseModel], prefix: str) -> set[str]:
        found = set()
        for name, info in model.model_fields.items():
            annotation = excel_io._unwrap(info.annotation)
            path = f"{prefix}{name}"
            if typing.get_origin(annotation) is list:
                item = excel_io._unwrap(typing.get_args(annotation)[0])
                found |= leaves(item, path + "[].") if excel_io._is_model(item) else {path + "[]"}
            elif excel_io._is_model(annotation):
                found |= leaves(annotation, path + ".")
            else:
                found.add(path)
        return found

    assert field_paths() == leaves(Figures, "")


DECIMALS = st.decimals(min_value=D("-99999999.99"), max_value=D("9999999999.99"), places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(income=DECIMALS, reception=DECIMALS, executed=DECIMALS, target=DECIMALS, rate=DECIMALS)
def test_two_place_decimals_round_trip_exactly(income, reception, executed, target, rate):
    figures = Figures.model_validate(
        {
            "meta": {"unit_name": "某单位", "year": 2023},
            "final": {"income": {"total": income}, "expenditure": {"basic_share_stated": rate}},
            "three_public": {"actual": {"reception": reception}},
            "projects": [{"name": "甲项目", "funds": {"total": {"executed": executed}}, "indicators": [{"level1": "产出", "level2": "数量", "name": "人数", "target": target}]}],
        }
    )
    back = roundtrip(figures)
    assert dump_yaml(back) == dump_yaml(figures)
    assert str(back.final.income.total) == str(income)


# --- the template a finance officer sees ------------------------------------------------------------


def test_template_has_chinese_sheets_headers_and_hidden_keys():
    wb = load_workbook(io.BytesIO(excel_bytes(None)))
    names = wb.sheetnames
    for name in ("单位信息", "部门职责", "人员编制", "预算与决算", "三公经费", "政府采购", "资产", "结转结余", "项目", "项目资金", "绩效指标", "工作记录", "问题与措施", "其他"):
        assert name in names
    budget = wb["预算与决算"]
    assert [c.value for c in budget[2]][3:] == ["年初预算", "全年预算（调整后）", "决算"]
    assert find_row(budget, "支出合计", 3) > find_row(budget, "收入合计", 3)
    assert budget.row_dimensions[1].hidden and budget.column_dimensions["A"].hidden
    three = wb["三公经费"]
    assert [c.value for c in three[2]][2:] == ["预算数", "决算数", "上年决算数", "上年预算数"]
    assert find_row(three, "因公出国（境）费", 2)
    assert find_column(wb["绩效指标"], "三级指标") and find_column(wb["工作记录"], "工作要点")
    assert wb["单位信息"].cell(find_row(wb["单位信息"], "单位名称", 2), 3).value is None


def test_numbers_are_excel_numbers_with_their_decimal_places():
    wb = load_workbook(io.BytesIO(excel_bytes(rich_figures())))
    ws = wb["预算与决算"]
    row, col = find_row(ws, "收入合计", 3), find_column(ws, "年初预算")
    cell = ws.cell(row, col)
    assert cell.data_type == "n" and cell.value == pytest.approx(1234567.89) and cell.number_format == "#,##0.00"
    assert wb["单位信息"].cell(find_row(wb["单位信息"], "预算编码", 2), 3).data_type == "s"


def test_too_precise_decimal_is_written_as_exact_text():
    precise = D("123456789012.3456789")  # 19 digits: more than a double holds
    figures = Figures.model_validate({"meta": {"unit_name": "某单位", "year": 2023}, "final": {"income": {"total": precise}}})
    assert str(roundtrip(figures).final.income.total) == str(precise)


def test_blank_template_names_the_required_cells():
    messages = errors_of(io.BytesIO(excel_bytes(None)))
    assert any("“单位信息”表第" in m and "（单位名称）" in m and "必填项缺失" in m for m in messages)
    assert any("（年度）" in m for m in messages)


# --- reading what a user typed ------------------------------------------------------------------


def set_budget_cell(figures, item: str, column: str, value, number_format: str | None = None):
    def edit(wb):
        ws = wb["预算与决算"]
        cell = ws.cell(find_row(ws, item, 3), find_column(ws, column))
        cell.value = value
        if number_format:
            cell.number_format = number_format

    return workbook_with(figures, edit)


def test_non_number_in_amount_cell_names_sheet_row_and_column():
    source = set_budget_cell(load_figures(SEED), "支出合计", "决算", "十五万")
    row = find_row(load_workbook(io.BytesIO(source.getvalue()))["预算与决算"], "支出合计", 3)
    (message,) = errors_of(source)
    assert message.startswith(f"“预算与决算”表第{row}行（支出/支出合计）“决算”列应为数字（填写的是：")
    assert "十五万" in message


def test_typed_float_zero_and_empty_are_read_as_entered():
    figures = load_figures(SEED)
    assert roundtrip(figures).final.expenditure.public is None
    back = load_excel(set_budget_cell(figures, "公用经费", "决算", 0))
    assert back.final.expenditure.public == D("0")
    back = load_excel(set_budget_cell(figures, "公用经费", "决算", 39.78))
    assert str(back.final.expenditure.public) == "39.78"
    back = load_excel(set_budget_cell(figures, "公用经费", "决算", None))
    assert back.final.expenditure.public is None


def test_number_text_percent_format_and_trailing_zeros():
    figures = load_figures(SEED)
    assert str(load_excel(set_budget_cell(figures, "公用经费", "决算", "1,234.50")).final.expenditure.public) == "1234.50"
    assert str(load_excel(set_budget_cell(figures, "公用经费", "决算", "１２．５")).final.expenditure.public) == "12.5"
    share = "基本支出占比（填报值，%）"
    assert str(load_excel(set_budget_cell(figures, share, "决算", 0.3955, "0.00%")).final.expenditure.basic_share_stated) == "39.55"
    assert str(load_excel(set_budget_cell(figures, share, "决算", "39.55%")).final.expenditure.basic_share_stated) == "39.55"
    assert str(load_excel(set_budget_cell(figures, "公用经费", "决算", 3, "0.00")).final.expenditure.public) == "3.00"
    # The format adds zeros but never rounds a value away.
    assert str(load_excel(set_budget_cell(figures, "公用经费", "决算", 3.456, "0.00")).final.expenditure.public) == "3.456"


def test_negative_staff_count_and_bad_choice_are_reported_at_their_cells():
    def edit(wb):
        ws = wb["人员编制"]
        ws.cell(find_row(ws, "在职人员", 2), 3).value = -1
        ws = wb["绩效指标"]
        ws.cell(3, find_column(ws, "适用")).value = "也许"
        ws.cell(3, find_column(ws, "指标方向")).value = ">="  # typed with ASCII: accepted as ≥

    messages = errors_of(workbook_with(load_figures(SEED), edit))
    assert any(m.startswith("“人员编制”表第") and "（在职人员）“填写内容”列不能为负数" in m for m in messages)
    assert any(m.startswith("“绩效指标”表第3行（部门整体）“适用”列应为“是”或“否”（填写的是：") and "也许" in m for m in messages)
    assert len(messages) == 2


def test_dates_and_numbers_typed_in_other_forms():
    def edit(wb):
        ws = wb["单位信息"]
        ws.cell(find_row(ws, "报告日期", 2), 3).value = "2024年6月1日"
        ws.cell(find_row(ws, "预算编码", 2), 3).value = 501001
        ws.cell(find_row(ws, "年度", 2), 3).value = "2023"

    back = load_excel(workbook_with(load_figures(SEED), edit))
    assert back.meta.report_date == dt.date(2024, 6, 1) and back.meta.budget_code == "501001" and back.meta.year == 2023


def test_rows_added_by_the_user_with_merged_cell_style_blanks():
    figures = load_figures(SEED)

    def edit(wb):
        ws = wb["项目资金"]
        row = ws.max_row + 1
        # A new row has no hidden key: the visible 资金类别 says which row it is; the blank project
        # name continues the project above.
        ws.cell(row, 3, "当年财政拨款")
        ws.cell(row, 4, 2.5)
        ws = wb["绩效指标"]
        names = [find_column(ws, h) for h in ("所属项目（部门整体指标填“部门整体”）", "一级指标", "二级指标", "三级指标", "年度指标值")]
        ws.append([None, "出手吧姐姐", "产出指标", "数量指标", "救助人数"])
        ws.append([None, None, None, None, "募集金额"])
        ws.cell(ws.max_row, names[4], 20.62)
        ws = wb["工作记录"]
        ws.append([None, None, "再补一条要点。"])
        ws.append([None, "新领域", "新要点。"])

    back = load_excel(workbook_with(figures, edit))
    last = back.projects[-1]
    assert last.funds.fiscal.initial == D("2.5")
    assert [i.name for i in last.indicators] == ["救助人数", "募集金额"]
    assert last.indicators[1].level1 == "产出指标" and last.indicators[1].level2 == "数量指标" and str(last.indicators[1].target) == "20.62"
    assert back.work_notes[-2].items[-1] == "再补一条要点。"
    assert back.work_notes[-1].title == "新领域" and back.work_notes[-1].items == ["新要点。"]
    assert len(back.performance_indicators) == 1


def test_unknown_project_and_unknown_fund_row_are_explained():
    def edit(wb):
        ws = wb["项目资金"]
        ws.append([None, "不存在的项目", "年度资金总额", 1])
        ws.append([None, "出手吧姐姐", "奇怪的资金", 1])

    messages = errors_of(workbook_with(load_figures(SEED), edit))
    assert any("不存在的项目" in m and "不在“项目”表中" in m for m in messages)
    assert any("“资金类别（单位：万元）”列无法识别（填写的是：'奇怪的资金'）" in m for m in messages)


def test_value_in_a_row_that_is_not_in_the_template():
    def edit(wb):
        ws = wb["预算与决算"]
        ws.append([None, "支出", "自己加的行", 5])

    (message,) = errors_of(workbook_with(load_figures(SEED), edit))
    assert "“预算与决算”表第" in message and "不是模板中的行" in message


def test_labels_can_be_reworded_without_breaking_import():
    figures = rich_figures()

    def edit(wb):
        for ws in wb.worksheets[1:]:
            for cell in ws[2][1:]:
                if cell.value:
                    cell.value = f"改名{cell.column}"
            for row in ws.iter_rows(min_row=3, min_col=2, max_col=3):
                for cell in row:
                    if ws.cell(1, cell.column).value is None and cell.value:
                        cell.value = "改过的标签"
        wb["预算与决算"].title = "收支"

    assert dump_yaml(load_excel(workbook_with(figures, edit))) == dump_yaml(figures)


def test_not_an_excel_file_and_corrupt_file(tmp_path):
    text = tmp_path / "figures.xlsx"
    text.write_text("meta: {}", encoding="utf-8")
    (message,) = errors_of(text)
    assert "不是 Excel 工作簿" in message
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(excel_bytes(None)[:3000])
    (message,) = errors_of(broken)
    assert "已损坏" in message or "不是 Excel 工作簿" in message
    old = tmp_path / "old.xlsx"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    (message,) = errors_of(old)
    assert ".xls" in message
    (message,) = errors_of(tmp_path / "missing.xlsx")
    assert message.startswith("找不到文件")


def test_other_workbook_is_not_mistaken_for_a_template():
    from openpyxl import Workbook

    out = io.BytesIO()
    wb = Workbook()
    wb.active["A1"] = "随便一个表"
    wb.save(out)
    out.seek(0)
    (message,) = errors_of(out)
    assert "不是本助手的数据模板" in message


def test_duplicate_project_names_cannot_be_exported():
    figures = Figures.model_validate({"meta": {"unit_name": "某单位", "year": 2023}, "projects": [{"name": "甲"}, {"name": "甲"}]})
    with pytest.raises(FiguresError) as info:
        excel_bytes(figures)
    assert "项目名称“甲”重复" in info.value.messages[0]


# --- CLI ---------------------------------------------------------------------------------------


def test_cli_template_export_and_import(tmp_path, capsys):
    blank = tmp_path / "blank.xlsx"
    assert main(["excel", "template", "-o", str(blank)]) == 0
    assert "单位信息" in load_workbook(blank).sheetnames
    out = tmp_path / "seed.xlsx"
    assert main(["excel", "export", str(SEED), "-o", str(out)]) == 0
    back = tmp_path / "back.yaml"
    assert main(["excel", "import", str(out), "-o", str(back)]) == 0
    assert back.read_text(encoding="utf-8") == dump_yaml(load_figures(SEED))
    capsys.readouterr()
    assert main(["excel", "import", str(out)]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["meta"]["unit_name"] == "衡山县妇女联合会"


def test_cli_bad_input_exits_2_with_chinese_messages(tmp_path, capsys):
    assert main(["excel", "import", str(tmp_path / "blank.xlsx"), "-o", str(tmp_path / "x.yaml")]) == 2
    assert "找不到文件" in capsys.readouterr().err
    blank = tmp_path / "blank.xlsx"
    main(["excel", "template", "-o", str(blank)])
    capsys.readouterr()
    assert main(["excel", "import", str(blank), "-o", str(tmp_path / "x.yaml")]) == 2
    err = capsys.readouterr().err
    assert "必填项缺失" in err and not (tmp_path / "x.yaml").exists()
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("meta: [\n", encoding="utf-8")
    assert main(["excel", "export", str(bad_yaml), "-o", str(tmp_path / "o.xlsx")]) == 2
    assert "YAML" in capsys.readouterr().err
    assert main(["excel", "export", str(SEED), "-o", str(tmp_path / "o.xls")]) == 2
    assert ".xlsx" in capsys.readouterr().err


# --- forgiving import, nothing lost silently (issues 16.4, 17.5) ----------------------------------

from assistant.figures.excel_io import read_excel  # noqa: E402


def _without(figures: Figures, *paths: tuple) -> str:
    data = figures.model_dump(mode="python")
    for path in paths:
        node = data
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = None
    return dump_yaml(Figures.model_validate(data))


def test_bad_cells_are_listed_and_every_good_value_kept():
    figures = load_figures(SEED)

    def edit(wb):
        ws = wb["预算与决算"]
        ws.cell(find_row(ws, "支出合计", 3), find_column(ws, "决算")).value = "八十"
        staff = wb["人员编制"]
        staff.cell(find_row(staff, "编制人数", 2), 3).value = "十二人"

    source = workbook_with(figures, edit)
    result = read_excel(source)
    assert len(result.problems) == 2, result.messages()
    by_sheet = {p.sheet: p for p in result.problems}
    money = by_sheet["预算与决算"]
    ws = load_workbook(io.BytesIO(source.getvalue()))["预算与决算"]
    row = find_row(ws, "支出合计", 3)
    assert (money.row, money.column, money.typed, money.expected) == (row, "决算", "八十", "应为数字")
    assert money.cell == f"{chr(64 + find_column(ws, '决算'))}{row}"
    assert "八十" in money.message and f"第{row}行" in money.message
    assert by_sheet["人员编制"].typed == "十二人" and by_sheet["人员编制"].expected == "应为整数"
    # Everything else came through; the two fields are empty, nothing guessed.
    assert result.figures is not None
    assert dump_yaml(result.figures) == _without(figures, ("final", "expenditure", "total"), ("staffing", "authorized_total"))
    # The strict reader used by check/draft names the same cells.
    assert sorted(errors_of(io.BytesIO(source.getvalue()))) == sorted(result.messages())


def test_a_bad_cell_in_a_list_sheet_keeps_the_item():
    figures = rich_figures()

    def edit(wb):
        ws = wb["绩效指标"]
        ws.cell(3, find_column(ws, "年度指标值")).value = "很多"

    result = read_excel(workbook_with(figures, edit))
    (problem,) = result.problems
    assert problem.sheet == "绩效指标" and problem.row == 3 and problem.typed == "很多"
    assert result.figures is not None
    assert len(result.figures.performance_indicators) == len(figures.performance_indicators)


def test_formula_without_a_cached_value_is_an_error_naming_the_cell():
    figures = load_figures(SEED)
    coordinate = {}

    def edit(wb):
        ws = wb["预算与决算"]
        cell = ws.cell(find_row(ws, "支出合计", 3), find_column(ws, "决算"))
        cell.value = "=SUM(E5:E6)"  # openpyxl, like many tools, stores no result
        coordinate["cell"] = cell.coordinate

    result = read_excel(workbook_with(figures, edit))
    (problem,) = result.problems
    assert problem.cell == coordinate["cell"] and problem.sheet == "预算与决算"
    assert "公式" in problem.message and "没有保存计算结果" in problem.message and "支出合计" in problem.message
    with pytest.raises(FiguresError):
        load_excel(workbook_with(figures, edit))


def _same_import(figures: Figures, edit) -> list[str]:
    result = read_excel(workbook_with(figures, edit))
    assert result.problems == [], result.messages()
    assert dump_yaml(result.figures) == dump_yaml(figures)
    return result.notices


def test_sheet_with_a_damaged_marker_is_matched_by_its_headers():
    figures = rich_figures()

    def clear_a1(wb):
        wb["预算与决算"]["A1"] = None

    (notice,) = _same_import(figures, clear_a1)
    assert "预算与决算" in notice and "核对" in notice


def test_sheet_with_its_key_row_wiped_is_matched_by_its_headers():
    figures = rich_figures()

    def wipe(wb):
        for name in ("项目", "绩效指标", "工作记录", "三公经费"):
            for cell in wb[name][1]:
                cell.value = None

    notices = _same_import(figures, wipe)
    assert len(notices) == 4


def test_sheet_without_its_hidden_column_is_matched_by_headers_and_row_labels():
    figures = rich_figures()

    def drop_column_a(wb):
        for name in ("预算与决算", "单位信息", "项目"):
            wb[name].delete_cols(1)

    assert len(_same_import(figures, drop_column_a)) == 3


def test_renamed_sheet_with_a_damaged_marker_is_matched_by_its_headers():
    figures = rich_figures()

    def edit(wb):
        ws = wb["项目资金"]
        ws["A1"] = "被改坏了"
        ws.title = "资金"

    _same_import(figures, edit)


def test_damaged_sheet_that_matches_nothing_is_refused_with_a_message_not_dropped():
    figures = rich_figures()

    def edit(wb):
        ws = wb["项目"]
        for cell in ws[1]:
            cell.value = None
        for cell in ws[2]:
            cell.value = "乱码" if cell.value else None
        ws.title = "项目表（旧）"

    result = read_excel(workbook_with(figures, edit))
    assert any("项目表（旧）" in m and "没有导入" in m for m in result.messages()), result.messages()
    with pytest.raises(FiguresError):
        load_excel(workbook_with(figures, edit))


def test_extra_sheet_or_column_with_data_is_reported():
    figures = load_figures(SEED)

    def edit(wb):
        wb.create_sheet("我的备注")["B3"] = "今年的预算说明"
        ws = wb["部门职责"]
        ws.cell(2, 5).value = "备注"
        ws.cell(3, 5).value = "重要"

    messages = read_excel(workbook_with(figures, edit)).messages()
    assert any("我的备注" in m for m in messages) and any("“备注”列" in m for m in messages), messages
    # An empty extra sheet holds nothing to lose and is passed over.
    assert read_excel(workbook_with(figures, lambda wb: wb.create_sheet("空表"))).problems == []


def test_zip_bomb_is_refused_before_inflating(tmp_path):
    import zipfile

    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        with package.open("xl/worksheets/sheet1.xml", "w") as entry:
            chunk = b"<row>" + b" " * (1024 * 1024) + b"</row>"
            for _ in range(100):
                entry.write(chunk)
    assert bomb.stat().st_size < 1024 * 1024
    (message,) = errors_of(bomb)
    assert "已拒绝打开" in message


def test_cli_import_lists_bad_cells_exits_1_and_writes_the_good_values(tmp_path, capsys):
    figures = load_figures(SEED)

    def edit(wb):
        ws = wb["预算与决算"]
        ws.cell(find_row(ws, "支出合计", 3), find_column(ws, "决算")).value = "八十"

    book = tmp_path / "filled.xlsx"
    book.write_bytes(workbook_with(figures, edit).getvalue())
    out = tmp_path / "figures.yaml"
    assert main(["excel", "import", str(book), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "1 处需要改正" in err and "八十" in err and "“决算”列" in err
    assert out.read_text(encoding="utf-8") == _without(figures, ("final", "expenditure", "total"))


def test_formula_with_its_cached_result_imports_the_result():
    """A workbook saved by Excel stores each formula's result beside it: that value is read."""
    import re
    import zipfile

    figures = load_figures(SEED)
    raw = excel_bytes(figures)
    ws = load_workbook(io.BytesIO(raw))["预算与决算"]
    row, column = find_row(ws, "支出合计", 3), find_column(ws, "决算")
    coordinate = ws.cell(row, column).coordinate
    index = load_workbook(io.BytesIO(raw)).sheetnames.index("预算与决算") + 1
    source, out = zipfile.ZipFile(io.BytesIO(raw)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == f"xl/worksheets/sheet{index}.xml":
                data, n = re.subn(rf'(<c r="{coordinate}"[^>]*>)(<v>)'.encode(), rb"\1<f>SUM(E5:E6)</f>\2", data)
                assert n == 1
            target.writestr(info, data)
    result = read_excel(out.getvalue())
    assert result.problems == [] and result.figures.final.expenditure.total == figures.final.expenditure.total
