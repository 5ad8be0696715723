"""BM25 tokens: jieba's search-mode cut, lower-cased, with punctuation and stop words removed."""

from __future__ import annotations

import jieba
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.corpus.tokens import STOPWORDS, tokenize

_ALPHABET = (
    "的一是在不了有和人这中大为上个国以要时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种"
    "预算决执行率绩效自评报告支出项目基财政府采购资金万元妇联县指标完成情况单位"
    "0123456789abcXYZ.%+-#&_ ，。；：、“”（）\n\t"
)
_WORDS = ("三公经费", "预算执行率", "部门整体支出", "仿宋_GB2312", "39.55%", "2023年度", "因公出国（境）费")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_WORDS), st.text(_ALPHABET, max_size=12)), max_size=12))
def test_tokens_are_jiebas_search_mode_words_without_noise(parts):
    text = "".join(parts)
    tokens = tokenize(text)
    assert all(token and token == token.strip() and token == token.lower() for token in tokens)
    assert not STOPWORDS & set(tokens)
    assert not any(token in "，。；：、“”（）" for token in tokens)
    # Every token is one of jieba's own search-mode words for the text (no home-made segmentation).
    assert set(tokens) <= {word.strip() for word in jieba.cut_for_search(text.lower())}


def test_domain_words_and_stop_words():
    tokens = tokenize("三公经费执行情况，预算的执行率为39.55%")
    assert "三公经费" in tokens and "三公" in tokens and "经费" in tokens
    assert "的" not in tokens and "，" not in tokens and "39.55%" in tokens
    assert tokenize("ABC预算") == tokenize("abc预算")
