"""Chinese-aware tokens for BM25: jieba's own search-mode cut, set up once per process and quietly.

jieba builds its prefix dictionary on first use (about a second, cached on disk by jieba itself)
and logs while doing so; `jieba_instance()` does that once, with jieba's logger silenced, and adds
the budget-performance terms the general dictionary lacks so that e.g. "三公经费" stays one token.
"""

from __future__ import annotations

import functools
import logging
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


def tokenize(text: str) -> list[str]:
    """jieba's search-mode cut (with its HMM for unknown words), lower-cased, punctuation and
    stop words removed."""
    return [token for token in map(str.strip, jieba_instance().cut_for_search(text.lower())) if _keep(token)]


def _keep(token: str) -> bool:
    return bool(token) and token not in STOPWORDS and _TOKEN_OK.search(token) is not None
