"""BM25 tokens: our segmenter gives exactly jieba's search-mode tokens."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.corpus.tokens import jieba_tokenize, tokenize
from assistant.offline import REPO_ROOT

# Characters of budget reports, digits, Latin letters, punctuation and spaces: what a chunk is made of.
_ALPHABET = (
    "的一是在不了有和人这中大为上个国以要时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种"
    "面而方后多定行学法所民得经十三之进着等部度家力里如水化高自二理起小物现实加量都两体制机当使点从业本"
    "预算决执行率绩效自评报告支出项目基财政府采购资金万元妇联县指标完成情况单位"
    "0123456789abcXYZ.%+-#&_ ，。；：、“”（）\n\t"
)
_WORDS = ("三公经费", "预算执行率", "部门整体支出", "仿宋_GB2312", "39.55%", "2023年度", "因公出国（境）费")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_WORDS), st.text(_ALPHABET, max_size=12)), max_size=12))
def test_tokens_equal_jiebas_search_mode_on_any_text(parts):
    text = "".join(parts)
    assert tokenize(text) == jieba_tokenize(text)


def test_tokens_equal_jiebas_search_mode_on_the_sample_corpus():
    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO_ROOT / "corpus").rglob("*")) if p.is_file()]
    assert texts
    for text in texts:
        assert tokenize(text) == jieba_tokenize(text)
    # Twice: the second pass reads the memo of word expansions.
    assert [tokenize(t) for t in texts] == [jieba_tokenize(t) for t in texts]


def test_domain_words_and_stop_words():
    tokens = tokenize("三公经费执行情况，预算的执行率为39.55%")
    assert "三公经费" in tokens and "三公" in tokens and "经费" in tokens
    assert "的" not in tokens and "，" not in tokens and "39.55%" in tokens

