"""Hostile files and folders (issue 16 points 2 and 5): each costs at most its budget, is refused
with a Chinese message, and the good files of the same batch are indexed; nothing outside the
folder the user gave is read, and every entry left out is reported with its reason."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from assistant.corpus import sandbox
from assistant.corpus.index import Upload
from assistant.archive_limits import ArchiveLimitError, ZipLimits, check_zip_limits
from assistant.corpus.loaders import LoadError, load_bytes
from tests.corpus import hostile
from tests.corpus.conftest import REPORT_TEXT, make_docx, make_xlsx

_CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> bytes:
    return hostile.zip_bomb_docx(tmp_path_factory.mktemp("bomb"))


def test_the_zip_bomb_is_refused_from_its_directory_and_the_batch_goes_on(index, bomb: bytes, tmp_path: Path, docs: Path):
    assert 4 * 1024 * 1024 < len(bomb) < 6 * 1024 * 1024  # the 4.6 MB bomb, about 1 GB inside
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "bomb.docx").write_bytes(bomb)
    make_docx(folder / "good.docx", "工作总结", ["本年度完成培训12期。"])
    (folder / "report.txt").write_text(REPORT_TEXT, encoding="utf-8")
    report = index.ingest([folder, Upload("上传炸弹.docx", bomb)])
    by_name = {Path(r.file).name: r for r in report.results}
    for name in ("bomb.docx", "上传炸弹.docx"):
        assert by_name[name].status == "error"
        assert "压缩炸弹" in by_name[name].message and "Word" in by_name[name].message
    assert by_name["good.docx"].status == "added" and by_name["report.txt"].status == "added"
    assert "12期" in index.search("培训", k=1)[0].text


def test_zip_limits_count_ratio_and_total():
    xlsx = hostile.many_entries_xlsx(6000)
    with pytest.raises(ArchiveLimitError, match="条目过多"):
        check_zip_limits(xlsx, kind="Excel 文件")
    check_zip_limits(xlsx, ZipLimits(max_entries=10_000))  # within a larger limit
    with pytest.raises(ArchiveLimitError, match="不是 ZIP"):
        check_zip_limits(b"PK\x03\x04 not really", kind="Excel 文件")
    with pytest.raises(LoadError, match="条目过多"):
        load_bytes("表.xlsx", xlsx)


def test_zip_limits_accept_real_office_files(tmp_path: Path):
    check_zip_limits(make_docx(tmp_path / "a.docx", "标题", ["正文"] * 50).read_bytes())
    check_zip_limits(make_xlsx(tmp_path / "a.xlsx", [["项目", 1.5]] * 2000))
    check_zip_limits(tmp_path / "a.xlsx")  # a path works too


def test_zip_limits_come_from_the_environment(monkeypatch, tmp_path: Path):
    data = make_docx(tmp_path / "a.docx", "标题", ["正文"]).read_bytes()
    monkeypatch.setenv("ASSISTANT_ZIP_MAX_ENTRIES", "3")
    with pytest.raises(ArchiveLimitError, match="上限 3 个"):
        check_zip_limits(data)


def test_a_parser_over_its_time_budget_is_stopped_and_the_batch_goes_on(index, tmp_path: Path, monkeypatch, docs: Path):
    monkeypatch.setenv("ASSISTANT_LOADER_TIMEOUT_S", "3")
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "slow.pdf").write_bytes(hostile.slow_pdf())
    (folder / "report.txt").write_text(REPORT_TEXT, encoding="utf-8")
    report = index.ingest([folder])
    by_name = {Path(r.file).name: r for r in report.results}
    assert by_name["slow.pdf"].status == "error" and "超时" in by_name["slow.pdf"].message
    assert by_name["report.txt"].status == "added"


def test_budgets_stop_spinning_hoarding_and_crashing_parsers():
    with pytest.raises(sandbox.BudgetExceeded, match="超时"):
        sandbox.run_with_budget(hostile.spin, None, timeout_s=1)
    with pytest.raises(sandbox.BudgetExceeded, match="内存"):
        sandbox.run_with_budget(hostile.hog, None, memory_mb=256, timeout_s=60)
    with pytest.raises(sandbox.BudgetExceeded, match="退出码 3"):
        sandbox.run_with_budget(hostile.crash, None)
    assert sandbox.run_with_budget(hostile.echo, {"文本": "预算"}) == {"文本": "预算"}
    # A LoadError raised in the child arrives as itself, with its message.
    with pytest.raises(LoadError, match="PDF"):
        load_bytes("坏.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\ntrailer\n<<>>\n%%EOF")


def test_nothing_outside_the_folder_is_read_and_every_skip_is_reported(index, tmp_path: Path):
    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    (folder / "report.txt").write_text(REPORT_TEXT, encoding="utf-8")
    (folder / "sub" / "note.md").write_text("# 说明\n\n预算编制说明。\n", encoding="utf-8")
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "secret.txt").write_text("机密：外部文件的内容不应入库。", encoding="utf-8")
    os.symlink("/etc/passwd", folder / "passwd.txt")
    os.symlink(outside / "secret.txt", folder / "secret.txt")
    os.symlink(outside, folder / "linked-dir")
    os.symlink(folder / "report.txt", folder / "same-report.txt")  # inside: skipped as a duplicate
    os.mkfifo(folder / "pipe.txt")
    (folder / ".hidden.txt").write_text("隐藏文件的内容。", encoding="utf-8")
    (folder / ".git").mkdir()
    (folder / ".git" / "config.txt").write_text("内部配置。", encoding="utf-8")

    report = index.ingest([folder])  # must not hang on the FIFO
    by_name = {Path(r.file).name: r for r in report.results}
    assert by_name["report.txt"].status == "added" and by_name["note.md"].status == "added"
    for name in ("passwd.txt", "secret.txt", "linked-dir"):
        assert by_name[name].status == "skipped" and "文件夹以外" in by_name[name].message, name
    assert by_name["same-report.txt"].status == "skipped" and "重复" in by_name["same-report.txt"].message
    assert by_name["pipe.txt"].status == "skipped" and "命名管道" in by_name["pipe.txt"].message
    assert by_name[".hidden.txt"].status == "skipped" and "隐藏文件" in by_name[".hidden.txt"].message
    assert by_name[".git"].status == "skipped" and "隐藏文件夹" in by_name[".git"].message
    assert "config.txt" not in by_name
    assert report.ok and "跳过 7 个" in report.summary()
    for result in report.results:
        assert _CHINESE.search(result.message)
    sources = {d.source for d in index.list_documents()}
    assert len(sources) == 2
    for query in ("root", "机密 外部文件", "隐藏文件", "内部配置"):
        assert all(p.source in sources for p in index.search(query, k=5, mode="bm25"))
        assert not any("root:" in p.text or "机密" in p.text or "隐藏" in p.text for p in index.search(query, k=5))


def test_a_fifo_named_directly_is_refused_without_waiting(index, tmp_path: Path):
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    result = index.ingest([pipe]).results[0]
    assert result.status == "error" and "不是普通文件" in result.message


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file_is_reported(index, tmp_path: Path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    locked = folder / "locked.txt"
    locked.write_text(REPORT_TEXT, encoding="utf-8")
    locked.chmod(0)
    result = index.ingest([folder]).results[0]
    assert result.status == "error" and "权限" in result.message
