"""`python -m assistant inspect`: exit codes, terminal and JSON output, Excel summary, .docx/.pdf
input, folders, and the --to-figures / --as-last-year prefill."""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from assistant.cli import main
from assistant.figures import load_figures
from assistant.inspection.synthetic import generate
from tests.inspection.conftest import REAL, real_text

THREE_PUBLIC_PARTS = ("11", "2.85", "10.93")
THREE_PUBLIC_STATED = "24.86"


def _docx(path: Path, paragraphs: list[str], rows: list[list[str]]) -> Path:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.save(path)
    return path


def _fund_rows(total_row: list[str]) -> list[list[str]]:
    return [
        ["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        ["年度资金总额", *total_row],
        ["其中：当年财政拨款", "90", "89.974", "89.974", "/", "100%", "/"],
    ]


def test_consistent_report_exit_0(tmp_path, capsys):
    path = tmp_path / "ok.txt"
    path.write_text(generate(5).text, encoding="utf-8")
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "错误 0 处" in out and "Traceback" not in out


def test_findings_exit_1_with_place_numbers_and_rule(tmp_path, capsys):
    path = tmp_path / "bad.md"
    parts = "、".join(f"{name}{value}万元" for name, value in zip(("公务接待费", "公务用车运行维护费", "因公出国（境）费"), THREE_PUBLIC_PARTS))
    path.write_text(f"# 报告\n\n“三公”经费支出{THREE_PUBLIC_STATED}万元，其中{parts}。\n", encoding="utf-8")
    assert main(["inspect", str(path)]) == 1
    out = capsys.readouterr().out
    total = sum(map(Decimal, THREE_PUBLIC_PARTS))
    assert f"{path}:3:1:" in out and THREE_PUBLIC_STATED in out and str(total) in out and "分项之和等于总额" in out


@pytest.mark.parametrize("content", [b"PK\x03\x04 not really a zip", b"\x00\x01garbage"])
def test_unreadable_docx_exit_2_chinese_no_traceback(tmp_path, capsys, content):
    path = tmp_path / "坏文件.docx"
    path.write_bytes(content)
    assert main(["inspect", str(path)]) == 2
    captured = capsys.readouterr()
    assert "坏文件.docx" in captured.err and "Traceback" not in captured.err + captured.out


def test_missing_file_and_empty_folder_exit_2(tmp_path, capsys):
    assert main(["inspect", str(tmp_path / "none.txt")]) == 2
    (tmp_path / "empty").mkdir()
    assert main(["inspect", str(tmp_path / "empty")]) == 2
    assert "没有可体检的报告" in capsys.readouterr().err


def test_docx_paragraphs_and_tables(tmp_path, capsys):
    path = _docx(tmp_path / "report.docx", ["2023年度部门整体支出绩效自评报告", "一、基本情况"], _fund_rows(["0", "0", "0", "10", "/", "10"]))
    assert main(["inspect", str(path), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    findings = data["reports"][0]["findings"]
    assert {f["rule"] for f in findings} == {"zero_total"}
    assert {f["computed"] for f in findings} == {"90", "89.974"}
    assert {f["place"] for f in findings} == {"表1第2行"}  # the .docx's own place


def test_docx_consistent_table_no_finding(tmp_path):
    path = _docx(tmp_path / "ok.docx", ["自评表"], _fund_rows(["90", "89.974", "89.974", "10", "100%", "10"]))
    assert main(["inspect", str(path)]) == 0


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_pdf_text_layer(tmp_path):
    source = _docx(tmp_path / "pdfsrc.docx", [f"“三公”经费支出{THREE_PUBLIC_STATED}万元，其中公务接待费{THREE_PUBLIC_PARTS[0]}万元，公务用车运行维护费{THREE_PUBLIC_PARTS[1]}万元，因公出国（境）费{THREE_PUBLIC_PARTS[2]}万元。"], [["说明", "无"]])
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=120,
    )
    pdf = tmp_path / "pdfsrc.pdf"
    assert main(["inspect", str(pdf), "--json"]) == 1


def test_folder_batch_summary_and_excel(tmp_path, capsys, real_dir):
    folder = tmp_path / "reports"
    folder.mkdir()
    for seed, kind in ((1, None), (2, "weights"), (3, "zero_total")):
        (folder / f"r{seed}.txt").write_text(generate(seed, kind).text, encoding="utf-8")
    (folder / "broken.docx").write_bytes(b"not a docx")
    out = tmp_path / "汇总.xlsx"
    code = main(["inspect", str(folder), str(real_dir / "zhongjiang-shuili-2022-xiangmu.txt"), "--excel", str(out)])
    assert code == 2  # one report could not be read; the others are still summarised
    text = capsys.readouterr().out
    assert "共 5 份报告" in text and "r2.txt" in text
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["汇总", "问题清单", "未能核对"]
    summary = [row for row in book["汇总"].iter_rows(min_row=2, values_only=True)]
    by_name = {Path(str(row[0])).name: row for row in summary}
    assert by_name["r1.txt"][3] == 0 and by_name["r2.txt"][3] >= 1 and by_name["r3.txt"][3] >= 1
    assert "无法读取" in by_name["broken.docx"][6]
    rules = {row[3] for row in book["问题清单"].iter_rows(min_row=2, values_only=True)}
    assert "自评表一级指标分值之和为100" in rules and "总额为0而分项不为0" in rules


def test_to_figures_with_source_comments(tmp_path, capsys):
    text = real_text("hetang-fulian-2022.txt")
    out = tmp_path / "figures.yaml"
    assert main(["inspect", str(REAL / "hetang-fulian-2022.txt"), "--to-figures", str(out)]) == 0
    figures = load_figures(out)
    written = out.read_text(encoding="utf-8")
    # Each value as printed in the report, and its sentence beside it.
    assert str(figures.final.expenditure.total) in text and f"支出{figures.final.expenditure.total}万元" in text
    assert figures.final.expenditure.basic + figures.final.expenditure.project == figures.final.expenditure.total
    assert figures.staffing.authorized_total == 3 and figures.meta.year == 2022
    line = next(l for l in written.splitlines() if l.strip().startswith("added_budget:"))
    assert "# 来源：第" in line and "调整追加11.78万元" in line


def test_as_last_year_moves_values_to_next_years_fields(tmp_path):
    out = tmp_path / "next.yaml"
    assert main(["inspect", str(REAL / "hetang-fulian-2022.txt"), "--to-figures", str(out), "--as-last-year"]) == 0
    this_year = tmp_path / "this.yaml"
    main(["inspect", str(REAL / "hetang-fulian-2022.txt"), "--to-figures", str(this_year)])
    now, nxt = load_figures(this_year), load_figures(out)
    assert nxt.meta.year == now.meta.year + 1
    assert nxt.last_year.expenditure_total == now.final.expenditure.total
    assert nxt.last_year.expenditure.basic == now.final.expenditure.basic
    assert nxt.final.expenditure.total is None  # next year's own figures are left for the user
    assert "# 未写入：budget.income.total" in out.read_text(encoding="utf-8")


def test_last_year_mapping_targets_exist_in_the_model():
    from assistant.inspection.prefill import LABELS, LAST_YEAR, _field_exists, _last_year_path

    for _, _, path in LABELS:
        assert _field_exists(path), path
        target = _last_year_path(path)
        if target is not None:
            assert _field_exists(target), (path, target)
    assert all(_field_exists(t) for _, t in LAST_YEAR)
