"""Real published excerpts (../shared/real/) and our own texts in their style (evals/real/own-*.txt):
with each one's figures file (evals/real/<name>.yaml) every figure is supported — 0 false positives —
and the figures and non-figures named in evals/real/expectations.yaml are read as such. Planted
errors in the same texts are still found, so the check is not blind."""

from __future__ import annotations

import pytest
import yaml

from assistant.verify import SUPPORTED, extract_mentions, verify

from tests.verify.conftest import REAL_CASES_DIR, excerpt_text, real_case, real_dir, require_real_dir

# BaseLoader: every entry stays the text as written ("874.20", not the float 874.2)
EXPECTATIONS = yaml.load((REAL_CASES_DIR / "expectations.yaml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
REAL_NAMES = sorted(EXPECTATIONS)
OWN_NAMES = sorted(p.stem for p in REAL_CASES_DIR.glob("own-*.txt"))


def _excerpt(name: str) -> str:
    return excerpt_text(require_real_dir() / f"{name}.txt")


def _false_positives(report) -> list[str]:
    return [f.render() for f in report.findings if f.status != SUPPORTED]


def test_every_excerpt_has_a_figures_file_and_expectations():
    folder = require_real_dir()
    excerpts = sorted(p.stem for p in folder.glob("*.txt"))
    assert len(excerpts) >= 12
    assert excerpts == REAL_NAMES
    for name in excerpts:
        assert (REAL_CASES_DIR / f"{name}.yaml").is_file(), name


@pytest.mark.parametrize("name", REAL_NAMES)
def test_real_excerpt_has_no_false_positive(name):
    text = _excerpt(name)
    ledger, notes = real_case(name)
    report = verify(text, ledger, notes)
    assert _false_positives(report) == []
    by_text = {}
    for finding in report.findings:
        by_text.setdefault(finding.text, finding)
    expected = EXPECTATIONS[name]
    for figure in expected["checked"]:
        assert figure in by_text, f"{figure} not read as a figure"
        assert by_text[figure].status == SUPPORTED
    mentions = {m.text: m.cls for m in extract_mentions(text)}
    for numeral, cls in (expected.get("not_figures") or {}).items():
        assert mentions.get(str(numeral)) == cls, (numeral, mentions.get(str(numeral)))


@pytest.mark.parametrize("name", OWN_NAMES)
def test_own_real_style_text_has_no_false_positive(name):
    text = (REAL_CASES_DIR / f"{name}.txt").read_text(encoding="utf-8")
    ledger, notes = real_case(name)
    report = verify(text, ledger, notes)
    assert _false_positives(report) == []
    assert len(report.findings) >= 10  # the texts are dense with figures: none may vanish


def _figure_texts(text: str) -> list[str]:
    return [m.text for m in extract_mentions(text) if m.is_figure]


@pytest.mark.parametrize(
    "name,old,new",
    [
        ("hetang-fulian-2022", "调整追加11.78万元", "调整追加11.87万元"),
        ("hengshan-guantang-2023", "其他资金:585.62", "其他资金:558.62"),
        ("honghe-shuju-2024-xiangmu", "调整预算后项目预算861.46万元", "调整预算后项目预算816.46万元"),
        ("zhongjiang-shuili-2022-xiangmu", "202010100.00%10", "202011100.00%10"),
        ("changning-yixiao-2023-xiangmu", "拨付使用16.20万元", "拨付使用16.02万元"),
        ("maoming-fagai-2021", "实有编制数 63 人", "实有编制数 68 人"),
    ],
)
def test_planted_error_in_real_text_is_found(name, old, new):
    text = _excerpt(name)
    assert old in text
    ledger, notes = real_case(name)
    report = verify(text.replace(old, new, 1), ledger, notes)
    assert report.problems, f"planted {new} not found"
    assert all(new.find(p.text) >= 0 or p.text in new for p in report.problems)


def test_broken_line_decimal_is_one_figure():
    text = _excerpt("jichushuju-2018-unknown")
    ledger, notes = real_case("jichushuju-2018-unknown")
    rate = [f for f in verify(text, ledger, notes).findings if f.text.startswith("95.") and "\n" in f.text]
    assert len(rate) == 1 and str(rate[0].figure.value) == "95.10"
    assert rate[0].status == SUPPORTED and rate[0].provenance.kind == "ledger"


def test_real_dir_is_found_beside_the_repository():
    if real_dir() is None:
        pytest.skip("真实报告节选目录不存在")
    assert (real_dir() / "INDEX.md").is_file()
