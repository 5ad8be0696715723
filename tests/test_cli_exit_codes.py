"""The CLI's safety net (assistant/cli.py): distinct exit codes, Chinese argparse, never a traceback."""

from pathlib import Path

import pytest

from assistant import cli
from assistant.figures.yaml_io import FiguresError

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "evals" / "cases" / "hengshan-fulian-2023" / "figures.yaml"


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_internal_error_exits_4_with_a_log_file(capsys, data_dir, monkeypatch):
    import assistant.commands.figures_cmd as figures_cmd

    def boom(*_args, **_kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(figures_cmd, "check", boom)
    code, _, err = run(capsys, "check", str(SEED))
    assert code == cli.EXIT_INTERNAL == 4
    assert err.startswith("内部错误") and str(data_dir / "logs") in err
    (log,) = (data_dir / "logs").glob("error-*.log")
    assert str(log) in err and "ZeroDivisionError" in log.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "exc,code,text",
    [
        (FiguresError(["某处有误。"]), 2, "某处有误"),
        (FileNotFoundError(2, "No such file or directory", "/x/缺失.yaml"), 2, "无法读写 缺失.yaml：找不到该文件"),
        (PermissionError(13, "Permission denied", "/x/只读.docx"), 2, "没有读写权限"),
        (RecursionError(), 2, "超出了处理上限"),
        (KeyboardInterrupt(), 130, "已中断"),
    ],
)
def test_unhandled_input_errors_map_to_their_codes(capsys, data_dir, monkeypatch, exc, code, text):
    import assistant.commands.figures_cmd as figures_cmd

    def raise_it(*_args, **_kwargs):
        raise exc

    monkeypatch.setattr(figures_cmd, "check", raise_it)
    got, _, err = run(capsys, "check", str(SEED))
    assert got == code and text in err
    assert "No such file" not in err and "Permission" not in err


def test_argument_errors_are_chinese_and_exit_2(capsys):
    for argv in (["check"], ["check", "x.yaml", "--denominator", "zz"], ["search", "q", "-k", "abc"], ["bogus"]):
        with pytest.raises(SystemExit) as caught:
            cli.main(argv)
        assert caught.value.code == 2
        err = capsys.readouterr().err
        assert "错误" in err and "error" not in err and "required" not in err and "invalid" not in err


def test_check_warns_about_truncation_and_control_characters(capsys, tmp_path):
    path = tmp_path / "cut.yaml"
    path.write_text('meta:\n  unit_name: "测试\\x07单位"\n  year: 2023\nduties:\n- 职责', encoding="utf-8")
    code, out, _ = run(capsys, "check", str(path))
    assert code == 0 and "校验通过" not in out
    assert "可能不完整" in out and "U+0007" in out and "单位信息/单位名称" in out


def _named_hostile():
    from tests.fuzz.harness import special_yaml

    return [(label, raw) for label, raw in special_yaml() if label != "control-in-note"]


@pytest.mark.parametrize("command", ["check", "compute", "draft", "score"])
def test_named_hostile_files_exit_2_in_chinese_for_every_command(capsys, tmp_path, command):
    for label, raw in _named_hostile():
        path = tmp_path / f"{label}.yaml"
        path.write_bytes(raw)
        argv = [command, str(path)] + (["-o", str(tmp_path / "out.docx")] if command == "draft" else [])
        code, out, err = run(capsys, *argv)
        assert code == 2, (label, code, err)
        assert "无法读取" in err and not (tmp_path / "out.docx").exists(), label
