"""OCR-garbled and flattened text: `verify` never crashes, keeps its offsets true, and invents no
match — with nothing to trace to, nothing is supported; run-together cells split only into values
that exist."""

from __future__ import annotations

import random

import pytest

from assistant.ledger.facts import Ledger
from assistant.verify import SUPPORTED, extract_mentions, verify

from tests.verify.conftest import excerpt_text, real_case, require_real_dir

GARBLED = ["chongqing-kexuecheng-rongmeiti-2021", "jichushuju-2018-unknown", "zhongjiang-shuili-2022-xiangmu"]


@pytest.mark.parametrize("name", GARBLED)
def test_garbled_excerpt_with_no_sources_supports_nothing(name):
    text = excerpt_text(require_real_dir() / f"{name}.txt")
    report = verify(text, Ledger(), [])
    assert report.findings  # the figures are still found …
    assert not [f for f in report.findings if f.status == SUPPORTED]  # … and none is matched to nothing


def test_run_together_cells_are_not_split_into_another_units_values():
    """chongqing's weight+score cells (22, 1010) split only when 2 and 10 are sources: with the
    figures of another unit (荷塘区妇联: no 2 or 10 — though 1 and 0 are, 1010 is not 1|0|1|0) they
    stay unsupported."""
    text = excerpt_text(require_real_dir() / "chongqing-kexuecheng-rongmeiti-2021.txt")
    ledger, notes = real_case("hetang-fulian-2022")
    cells = [f for f in verify(text, ledger, notes).findings if f.text in ("22", "1010")]
    assert len(cells) >= 10
    assert all(f.status != SUPPORTED for f in cells)
    own_ledger, own_notes = real_case("chongqing-kexuecheng-rongmeiti-2021")
    assert all(f.status == SUPPORTED for f in verify(text, own_ledger, own_notes).findings if f.text in ("22", "55", "1010"))


def _noise(rng: random.Random, length: int) -> str:
    alphabet = "0123456789０１２３.．,，%％-－~～、。；:：|()（）〔〕[]《》第年月日号万元亿人个次表图附件电话编码OIl \n\u200b\u3000"
    cjk = "预算执行率决算收入支出项目合计其中基本公用经费三公得分分值权重指标"
    return "".join(rng.choice(alphabet if rng.random() < 0.6 else cjk) for _ in range(length))


def test_random_noise_never_crashes_and_offsets_hold():
    rng = random.Random(20241201)
    ledger, notes = real_case("zhongjiang-shuili-2022-xiangmu")
    for _ in range(300):
        text = _noise(rng, rng.randint(1, 400))
        for mention in extract_mentions(text):
            assert text[mention.start : mention.end] == mention.text
        report = verify(text, ledger, notes)
        for finding in report.findings:
            assert text[finding.start : finding.end] == finding.text


def test_long_digit_runs_are_bounded():
    ledger, notes = real_case("zhongjiang-shuili-2022-xiangmu")
    text = "年度资金总额:" + "2010" * 5000 + "%"
    report = verify(text, ledger, notes)  # one identifier-length run: no exponential splitting
    assert report is not None
