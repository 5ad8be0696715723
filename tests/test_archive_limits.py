"""The one ZIP limits module (assistant/archive_limits.py) that the corpus loaders and the figures
Excel importer share: each limit refuses what is beyond it and passes what is within it, the
environment moves the document limits, and every message is Chinese for the user — no exception
class, no environment variable, no part name inside the package."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from assistant.archive_limits import (
    DOCUMENT_LIMITS,
    XLSX_LIMITS,
    ArchiveLimitError,
    ZipLimits,
    check_zip_limits,
)

_MB = 1024 * 1024
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, body in entries.items():
            archive.writestr(name, body)
    return out.getvalue()


def _refusal(source, limits=None, kind="文件") -> str:
    with pytest.raises(ArchiveLimitError) as caught:
        check_zip_limits(source, limits, kind=kind)
    message = str(caught.value)
    assert caught.value.message == message
    _assert_for_the_user(message)
    return message


def _assert_for_the_user(message: str) -> None:
    assert _CHINESE.search(message), message
    for internal in ("ASSISTANT_", "Error", "Exception", "BadZip", "xl/", "word/", ".xml", "Traceback"):
        assert internal not in message, message


def _bomb(megabytes: int, name: str = "word/document.xml") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open(name, "w", force_zip64=True) as entry:
            block = b"0" * _MB
            for _ in range(megabytes):
                entry.write(block)
    return out.getvalue()


def test_each_limit_refuses_beyond_it_and_passes_within_it():
    small = _zip({"a.xml": b"<a/>" * 100, "b.xml": b"<b/>"})
    check_zip_limits(small, ZipLimits(max_entries=2))
    assert "条目过多" in _refusal(small, ZipLimits(max_entries=1), kind="Word 文件")

    body = bytes(range(256)) * (3 * _MB // 256)  # 3 MB that barely compresses: no ratio alarm
    stored = _zip({"sheet.xml": body}, zipfile.ZIP_STORED)
    check_zip_limits(stored, ZipLimits(max_total_bytes=4 * _MB, max_entry_bytes=4 * _MB))
    total = _refusal(stored, ZipLimits(max_total_bytes=2 * _MB), kind="Word 文件")
    assert total.startswith("Word 文件解压后超过 2 MB 的上限") and "压缩炸弹" in total and "已拒绝" in total
    part = _refusal(stored, ZipLimits(max_entry_bytes=2 * _MB), kind="表.xlsx")
    assert part.startswith("表.xlsx 中有一部分内容解压后有 3 MB，超过单项上限 2 MB") and "已拒绝打开" in part

    bomb = _bomb(20)
    assert len(bomb) < _MB
    ratio = _refusal(bomb, kind="Word 文件")
    assert "压缩比异常" in ratio and "压缩炸弹" in ratio
    check_zip_limits(bomb, ZipLimits(max_ratio=1_000_000))  # a looser ratio lets it through
    # A small entry may compress as well as it likes: blank cells are not a bomb.
    check_zip_limits(_zip({"blank.xml": b" " * (_MB // 2)}))


def test_the_two_profiles():
    assert XLSX_LIMITS.max_total_bytes < DOCUMENT_LIMITS.max_total_bytes
    assert XLSX_LIMITS.max_entries < DOCUMENT_LIMITS.max_entries
    assert XLSX_LIMITS.max_entry_bytes is not None and DOCUMENT_LIMITS.max_entry_bytes is None
    # 60 MB stored in one part: within the document limits, beyond the template's.
    big = _zip({"part.xml": bytes(range(256)) * (60 * _MB // 256)}, zipfile.ZIP_STORED)
    check_zip_limits(big, DOCUMENT_LIMITS)
    assert "已拒绝打开" in _refusal(big, XLSX_LIMITS, kind="模板.xlsx")


def test_sources_of_every_shape(tmp_path):
    data = _zip({"a.xml": b"<a/>"})
    path = tmp_path / "a.docx"
    path.write_bytes(data)
    for source in (data, bytearray(data), memoryview(data), io.BytesIO(data), path, str(path)):
        check_zip_limits(source)
    with zipfile.ZipFile(io.BytesIO(data)) as opened:
        check_zip_limits(opened)
    assert "不是 ZIP" in _refusal(b"PK\x03\x04 cut short", kind="Excel 文件")
    assert "无法读取" in _refusal(tmp_path / "missing.docx")


def test_the_environment_moves_the_document_limits_and_is_never_named(monkeypatch):
    stored = _zip({"a.xml": bytes(range(256)) * (3 * _MB // 256), "b.xml": b"", "c.xml": b""}, zipfile.ZIP_STORED)
    monkeypatch.setenv("ASSISTANT_ZIP_MAX_MB", "2")
    assert "超过 2 MB 的上限" in _refusal(stored)
    monkeypatch.setenv("ASSISTANT_ZIP_MAX_MB", "0.5")
    assert "超过 0.5 MB 的上限" in _refusal(stored)
    monkeypatch.setenv("ASSISTANT_ZIP_MAX_MB", "10")
    monkeypatch.setenv("ASSISTANT_ZIP_MAX_PART_MB", "1")
    assert "单项上限 1 MB" in _refusal(stored)
    monkeypatch.delenv("ASSISTANT_ZIP_MAX_PART_MB")
    monkeypatch.setenv("ASSISTANT_ZIP_MAX_ENTRIES", "2")
    assert "上限 2 个" in _refusal(stored)
    check_zip_limits(stored, ZipLimits(max_entries=3))  # limits given explicitly are not moved
    monkeypatch.setenv("ASSISTANT_ZIP_MAX_ENTRIES", "3")
    check_zip_limits(stored)
    monkeypatch.setenv("ASSISTANT_ZIP_MAX_RATIO", "2")
    check_zip_limits(stored)  # a stored entry has ratio 1
    monkeypatch.setenv("ASSISTANT_ZIP_MAX_RATIO", "0.5")
    assert "不超过 0.5 倍" in _refusal(stored)
    # Values that are not a positive number leave the default in place.
    for bad in ("", "abc", "-5", "0", "nan", "inf"):
        assert ZipLimits.from_env(environ={"ASSISTANT_ZIP_MAX_MB": bad}) == DOCUMENT_LIMITS
    moved = ZipLimits.from_env(XLSX_LIMITS, environ={"ASSISTANT_ZIP_MAX_ENTRIES": "7"})
    assert moved.max_entries == 7 and moved.max_total_bytes == XLSX_LIMITS.max_total_bytes


def test_the_corpus_loader_and_the_excel_importer_give_the_same_kind_of_message(tmp_path):
    from assistant.corpus.loaders import LoadError, load_bytes
    from assistant.figures.excel_io import read_excel
    from assistant.figures.yaml_io import FiguresError

    bomb = _bomb(120, "xl/worksheets/sheet1.xml")
    with pytest.raises(LoadError) as caught:
        load_bytes("报表.xlsx", bomb)
    _assert_for_the_user(str(caught.value))
    assert str(caught.value).startswith("Excel 文件") and "压缩炸弹" in str(caught.value)

    path = tmp_path / "炸弹.xlsx"
    path.write_bytes(bomb)
    with pytest.raises(FiguresError) as refused:
        read_excel(path)
    messages = refused.value.messages
    assert len(messages) == 1 and messages[0].startswith("炸弹.xlsx ") and "压缩炸弹" in messages[0], messages
    _assert_for_the_user(messages[0])
