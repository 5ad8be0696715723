"""Chinese-aware tokens for BM25: jieba's search-mode cut, set up once per process and quietly.

jieba builds its prefix dictionary on first use (about a second, cached on disk by jieba itself)
and logs while doing so; `jieba_instance()` does that once, with jieba's logger silenced, and adds
the budget-performance terms the general dictionary lacks so that e.g. "三公经费" stays one token.

`tokenize` gives exactly the tokens of `jieba_tokenize` (jieba's `cut_for_search` with its HMM for
unknown words, then our filter) about twice as fast: jieba spends most of its time building a DAG
dict per block and maximising over generators of tuples, recomputing log frequencies each time.
`Segmenter` does the same dynamic programme in one backward pass over a table of precomputed log
probabilities (the same floating-point operations, so the same ties and the same cut), and
remembers each word's search-mode expansion instead of re-deriving it for every occurrence.
"""

from __future__ import annotations

import functools
import logging
import math
import re
import threading

# Terms of the domain that jieba's general dictionary splits badly; search mode still emits
# their parts ("三公", "经费"), so adding them only helps exact phrase matches.
DOMAIN_WORDS = (
    "三公", "三公经费", "绩效自评", "自评报告", "部门整体支出", "项目支出", "基本支出", "预算执行率",
    "执行率", "政府采购", "决算数", "预算数", "年初预算", "调整后预算", "结转结余", "结转结余率",
    "公用经费", "在职人员控制率", "重点支出安排率", "预算调整率", "预算完成率", "支付进度率",
    "固定资产利用率", "指标完成率", "满意度指标", "产出指标", "效益指标", "绩效指标", "绩效目标",
    "公务接待费", "因公出国（境）费", "公务用车购置及运行维护费", "财预", "公文格式", "仿宋_GB2312",
    "方正小标宋简体", "楷体_GB2312", "妇联", "妇女联合会", "两癌", "一级指标", "二级指标", "三级指标",
)

# Function words and particles that carry no retrieval signal on their own.
STOPWORDS = frozenset(
    "的 了 和 与 及 或 是 在 等 为 对 将 有 其 并 之 以 于 也 而 被 把 这 那 个 中 上 下 从 由 向 "
    "按 各 该 此 其中 以及 进行 对于 关于 通过 我们 一个".split()
)

_TOKEN_OK = re.compile(r"[\w\u3400-\u9fff%.]", re.UNICODE)
_lock = threading.Lock()


@functools.cache
def jieba_instance():
    """The process-wide jieba tokenizer, initialised once with its log output off."""
    import jieba

    with _lock:
        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        for word in DOMAIN_WORDS:
            jieba.add_word(word, freq=20000)
    return jieba.dt


def jieba_tokenize(text: str) -> list[str]:
    """The reference tokens: jieba's own search-mode cut, lower-cased, punctuation and stop words
    removed. `tokenize` must return exactly this (the tests compare them)."""
    return [token for token in map(str.strip, jieba_instance().cut_for_search(text.lower())) if _keep(token)]


def _keep(token: str) -> bool:
    return bool(token) and token not in STOPWORDS and _TOKEN_OK.search(token) is not None


def tokenize(text: str) -> list[str]:
    """Search-mode tokens: lower-cased, punctuation and stop words removed."""
    return segmenter().tokenize(text)


@functools.cache
def segmenter() -> "Segmenter":
    return Segmenter(jieba_instance())


# Bound on the memo tables: the vocabulary of a corpus is bounded, but figures ("123.45") are not.
_MEMO_LIMIT = 200_000


class Segmenter:
    """jieba's accurate-mode cut with HMM plus search-mode expansion, equal to `jieba_tokenize`.

    Built from a jieba tokenizer's dictionary once; words added to jieba afterwards are not seen,
    which keeps tokens the same in every process (worker processes never see run-time additions).
    """

    def __init__(self, tokenizer) -> None:
        import jieba

        self._han = jieba.re_han_default
        self._skip = jieba.re_skip_default
        self._hmm_cut = jieba.finalseg.cut
        log_total = math.log(tokenizer.total)
        # Every prefix of a word is in jieba's dictionary (count 0 for a bare prefix): a prefix
        # maps to None, a word to log(count) - log(total), computed as jieba computes it.
        self._table = {word: (math.log(count) - log_total if count else None) for word, count in tokenizer.FREQ.items()}
        self._unknown = math.log(1) - log_total  # jieba's score of a character it does not know
        self._expansions: dict[str, tuple[str, ...]] = {}
        self._hmm_words: dict[str, tuple[str, ...]] = {}

    def tokenize(self, text: str) -> list[str]:
        tokens: list[str] = []
        extend = tokens.extend
        expansions = self._expansions
        if len(expansions) > _MEMO_LIMIT:
            expansions.clear()

        def emit(word: str) -> None:
            expanded = expansions.get(word)
            if expanded is None:
                expanded = expansions[word] = self._expand(word)
            extend(expanded)

        han, skip = self._han, self._skip
        for block in han.split(text.lower()):
            if not block:
                continue
            if han.match(block):
                self._cut_block(block, emit)
            else:
                for part in skip.split(block):
                    if skip.match(part):
                        emit(part)
                    else:
                        for char in part:
                            emit(char)
        return tokens

    def _cut_block(self, block: str, emit) -> None:
        """jieba's get_DAG + calc + __cut_DAG for one block of word characters."""
        table = self._table
        get = table.get
        missing = table  # a sentinel no value can be
        n = len(block)
        score = [0.0] * (n + 1)
        stop = [0] * (n + 1)
        # route[k] = the best (score, end) over the words starting at k; jieba takes max() of
        # (score, end) tuples, so on equal scores the longer word wins: hence ">=" in end order.
        for k in range(n - 1, -1, -1):
            best = -math.inf
            end = 0
            i = k + 1
            value = get(block[k], missing)
            while value is not missing:
                if value is not None:
                    candidate = value + score[i]
                    if candidate >= best:
                        best, end = candidate, i
                if i >= n:
                    break
                i += 1
                value = get(block[k:i], missing)
            if not end:
                best, end = self._unknown + score[k + 1], k + 1
            score[k] = best
            stop[k] = end
        # Runs of single characters go to jieba's HMM when they are not a dictionary word.
        x, run = 0, -1
        while x < n:
            y = stop[x]
            if y - x == 1:
                if run < 0:
                    run = x
            else:
                if run >= 0:
                    self._emit_run(block[run:x], emit)
                    run = -1
                emit(block[x:y])
            x = y
        if run >= 0:
            self._emit_run(block[run:n], emit)

    def _emit_run(self, run: str, emit) -> None:
        if len(run) == 1:
            emit(run)
        elif self._is_word(run):
            for char in run:
                emit(char)
        else:
            words = self._hmm_words.get(run)
            if words is None:
                if len(self._hmm_words) > _MEMO_LIMIT:
                    self._hmm_words.clear()
                words = self._hmm_words[run] = tuple(self._hmm_cut(run))
            for word in words:
                emit(word)

    def _is_word(self, text: str) -> bool:
        """A dictionary word with a positive count (jieba's `FREQ.get(text)` being truthy)."""
        return self._table.get(text) is not None

    def _expand(self, word: str) -> tuple[str, ...]:
        """jieba's cut_for_search for one word (its dictionary 2- and 3-grams, then the word), filtered."""
        is_word = self._is_word
        n = len(word)
        parts = []
        if n > 2:
            parts.extend(word[i : i + 2] for i in range(n - 1) if is_word(word[i : i + 2]))
        if n > 3:
            parts.extend(word[i : i + 3] for i in range(n - 2) if is_word(word[i : i + 3]))
        parts.append(word)
        return tuple(token for token in map(str.strip, parts) if _keep(token))


# Large batches are tokenised in the helper process (helper.py), so that this process can go on
# (fetching the next batch from Chroma, say); small batches are not worth it.
PARALLEL_MIN_TEXTS = 2000


class TokenizeJob:
    """Tokens of many texts, computed in the background when the batch is large.

    `TokenizeJob(texts)` starts the work; `.result()` returns one token list per text, in order.
    """

    def __init__(self, texts: list[str], parallel: bool | None = None) -> None:
        import os

        from assistant.corpus.helper import HelperError, helper

        self._texts = texts
        if parallel is None:
            parallel = len(texts) >= PARALLEL_MIN_TEXTS and (os.cpu_count() or 1) >= 2
        self._helper = None
        if parallel:
            try:
                self._helper = helper()
                self._key = self._helper.submit(texts)
            except HelperError:
                self._helper = None  # tokenised here instead

    def result(self) -> list[list[str]]:
        from assistant.corpus.helper import HelperError

        if self._helper is not None:
            try:
                return self._helper.tokens(self._key)[0]
            except HelperError:
                pass  # the helper died: tokenise here
        return [tokenize(text) for text in self._texts]
