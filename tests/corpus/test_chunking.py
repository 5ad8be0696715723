"""Chunking: outline-aware heading paths, exact offsets, sizes, and cuts that respect numbers."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.corpus.chunking import chunk_text, heading_level
from assistant.offline import REPO_ROOT

SEED = (REPO_ROOT / "corpus" / "reports" / "hengshan-fulian-2023-report.txt").read_text(encoding="utf-8")


def test_every_chunk_is_an_exact_slice_of_the_source():
    chunks = chunk_text(SEED)
    assert len(chunks) > 10
    for number, chunk in enumerate(chunks):
        assert SEED[chunk.start : chunk.end] == chunk.text
        assert chunk.index == number
    # Together the chunks cover all the text (overlaps allowed, gaps only of whitespace).
    covered = set()
    for chunk in chunks:
        covered.update(range(chunk.start, chunk.end))
    assert all(SEED[i].isspace() for i in range(len(SEED)) if i not in covered)


def test_heading_levels_of_the_official_numbering():
    assert heading_level("一、单位基本情况") == 1
    assert heading_level("（一）部门主要职责") == 2
    assert heading_level("(二) 人员") == 2
    assert heading_level("1. 部门预算") == 3
    assert heading_level("1、部门预算") == 3
    assert heading_level("（1）编制情况") == 4
    assert heading_level("(1) 编制情况") == 4
    assert heading_level("## 评分规则") == 2
    assert heading_level("1.5万元的支出") is None
    assert heading_level("2023年决算总收入") is None


def test_seed_heading_paths_follow_the_mixed_numbering():
    chunks = chunk_text(SEED)
    sangong = next(c for c in chunks if "“三公”经费决算数0.09万元" in c.text)
    assert sangong.heading == "2、预算支出及绩效情况 > （1）部门预算情况 > 3、“三公”经费执行情况"
    assert sangong.text.startswith("3、 “三公”经费执行情况")  # the heading travels with its text
    problems = next(c for c in chunks if "预算编制有待更严格执行" in c.text)
    assert problems.heading == "三、存在的主要问题及下一步改进措施 > （一）存在的问题"
    # A numbered paragraph's first sentence names its section.
    care = next(c for c in chunks if "调解成功60对" in c.text)
    assert care.heading.endswith("（二）抓好关爱维权工作，用心服务妇女儿童")
    # Numbered list items ("（3）加强…；…") are not headings.
    assert not any("（3）加强全县" in c.heading for c in chunks)


def test_sizes_and_overlap_in_long_sections():
    chunks = chunk_text(SEED, target=400, max_chars=500)
    assert max(len(c.text) for c in chunks) <= 500
    long_section = [c for c in chunks if c.heading.endswith("（二）抓好关爱维权工作，用心服务妇女儿童")]
    assert len(long_section) >= 4
    assert all(len(c.text) >= 120 for c in long_section)
    overlaps = sum(1 for a, b in zip(long_section, long_section[1:]) if b.start < a.end)
    assert overlaps >= 1


def test_headings_without_text_join_the_next_chunk():
    text = "一、总体情况\n（一）预算\n1. 年初预算\n年初预算安排39.78万元。\n"
    chunks = chunk_text(text)
    assert len(chunks) == 1
    assert chunks[0].text == text.strip()
    assert chunks[0].heading == "一、总体情况 > （一）预算 > 1. 年初预算"


def test_a_long_sentence_is_never_cut_inside_a_number():
    figures = "".join(f"第{i}项支出123456.78万元" for i in range(60))  # no sentence end at all
    chunks = chunk_text("一、明细\n" + figures + "。\n", target=100, max_chars=120)
    assert len(chunks) > 5
    for chunk in chunks:
        assert len(chunk.text) <= 130
        assert not re.match(r"^[\d.]", chunk.text[:1]) or chunk.text.startswith("123456.78")
        assert not re.search(r"\d$", chunk.text) or chunk.text.endswith("123456.78") or chunk.text.endswith("。")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["一、总则", "（二）预算", "3. 三公经费", "（4）采购", "## 附则"]),
            st.text(alphabet="预算执行率为39.55%。，；支出万元0123456789 ", min_size=0, max_size=300),
        ),
        max_size=25,
    )
)
def test_chunks_are_slices_for_any_text(lines):
    text = "\n".join(lines)
    for chunk in chunk_text(text, target=80, max_chars=120):
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.text == chunk.text.strip() and chunk.text
        # A number is never split between chunks: the characters around each cut are not both digits.
        if chunk.end < len(text):
            assert not (text[chunk.end - 1].isdigit() and text[chunk.end].isdigit())
        if chunk.start > 0:
            assert not (text[chunk.start - 1].isdigit() and text[chunk.start].isdigit())
