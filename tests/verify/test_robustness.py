"""Robustness: empty text, a megabyte of text, mixed scripts and odd Unicode."""

from __future__ import annotations


from assistant.verify import SUPPORTED, UNSUPPORTED, Verifier, extract_figures, verify


def test_empty_and_whitespace_text(ledger):
    for text in ("", "   ", "\n\n", "没有数字的一段话。"):
        report = verify(text, ledger)
        assert report.ok and report.findings == ()
        assert report.counts == {"supported": 0, "misattributed": 0, "contradicted": 0, "unsupported": 0}
        assert report.render_text().startswith("数字核对通过")
    assert extract_figures("") == []


def test_empty_ledger_and_notes():
    from assistant.ledger.facts import Ledger

    report = verify("决算总支出155.29万元。", Ledger(), [])
    assert [f.status for f in report.findings] == [UNSUPPORTED]


def test_one_megabyte_of_text_is_handled(ledger, notes):
    paragraph = (
        "2023年决算总收入155.32万元，较预算增加115.54万元，总支出155.29万元，其中：基本支出61.41万元，"
        "占总支出的39.55%；项目支出93.88万元，占总支出的60.45%。培训县乡村三级妇联干部共220余人，"
        "“三八红旗手”12名，《家庭教育促进法十问十答》，第113个“三八”国际妇女节。\n"
    )
    text = paragraph * (1_000_000 // len(paragraph) + 1)
    verifier = Verifier(ledger, notes)
    report = verifier.verify(text)  # speed is measured in benchmarks/bench_verify.py, not here
    assert len(text) > 1_000_000
    assert report.ok
    assert len(report.findings) == 9 * (1_000_000 // len(paragraph) + 1)


def test_mixed_scripts(ledger):
    text = "Total expenditure 总支出155.29万元 (about 1.55 million yuan), see Table 7 and 5G/A4/NYBO2023."
    report = verify(text, ledger)
    by_text = {f.text: f.status for f in report.findings}
    assert by_text["155.29万元"] == SUPPORTED
    # 1.55 and 7 are bare figures with no source: flagged, not silently skipped
    assert by_text["1.55"] == UNSUPPORTED and by_text["7"] == UNSUPPORTED
    assert {m.text for m in report.not_figures} >= {"5G", "A4", "NYBO2023"}


def test_full_width_digits_percent_and_point(ledger):
    report = verify("基本支出占总支出的３９．５５％", ledger)
    assert [(f.text, f.status) for f in report.findings] == [("３９．５５％", SUPPORTED)]


def test_no_break_and_ideographic_spaces(ledger):
    for text in ("总支出155.29\u00a0万元", "总支出155.29\u3000万元", "总支出 155.29 万元"):
        [finding] = verify(text, ledger).findings
        assert finding.status == SUPPORTED, text
        assert finding.figure.unit == "万元"


def test_zero_width_characters_inside_a_figure(ledger):
    text = "总支出1\u200b55.29万元，基本\u200d支出61.4\ufeff1万元"
    report = verify(text, ledger)
    assert [f.status for f in report.findings] == [SUPPORTED, SUPPORTED]
    first = report.findings[0]
    assert text[first.start : first.end] == first.text == "1\u200b55.29万元"
    assert (first.line, first.column) == (1, 4)


def test_zero_width_characters_do_not_hide_an_error(ledger):
    [finding] = verify("总支出15\u200b5.92万元", ledger).findings
    assert finding.status == UNSUPPORTED


def test_windows_line_endings_and_line_numbers(ledger):
    report = verify("第一行\r\n第二行总支出155.92万元\r\n", ledger)
    assert (report.findings[0].line, report.findings[0].column) == (2, 7)


def test_odd_characters_do_not_crash(ledger):
    text = "𠀀𠀁总支出155.29万元\u2028基本支出😀61.41万元\u0000\ufffd"
    report = verify(text, ledger)
    assert [f.text for f in report.findings] == ["155.29万元", "61.41万元"]


def test_notes_may_be_any_iterable(ledger):
    notes = (n for n in ["培训妇联干部共220余人。"])
    assert verify("培训妇联干部共220余人", ledger, notes).ok
