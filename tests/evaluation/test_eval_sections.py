"""Heading normalisation, plain text and Markdown sectioning for the evaluation metrics."""

from __future__ import annotations

import pytest

from assistant.evaluation.sections import (
    document_text,
    normalise_heading,
    outline_sections,
    parse_markdown,
    plain_text,
    strip_numbering,
    subtree_ends,
    subtree_text,
)


@pytest.mark.parametrize(
    "heading, expected",
    [
        ("一、单位基本情况", "单位基本情况"),
        ("十二、其他需要说明的情况", "其他需要说明的情况"),
        ("（一）部门主要职责", "部门主要职责"),
        ("(1) 部门主要职责", "部门主要职责"),
        ("（1） 部门预算情况", "部门预算情况"),
        ("1、 部门预算情况", "部门预算情况"),
        ("1.部门预算情况", "部门预算情况"),
        ("1．部门预算情况", "部门预算情况"),
        ("（二）、资金使用及绩效情况", "资金使用及绩效情况"),
        ("（1）1、部门预算情况", "部门预算情况"),
        ("第一部分 部门基本情况", "部门基本情况"),
        ("2023年度预算执行情况", "2023年度预算执行情况"),  # a year is wording, not numbering
        ("部门预算情况", "部门预算情况"),
    ],
)
def test_strip_numbering(heading, expected):
    assert strip_numbering(heading) == expected


def test_normalise_heading_drops_punctuation_quotes_and_spaces():
    assert normalise_heading("3、 “三公”经费执行情况") == "三公经费执行情况"
    assert normalise_heading("2、 部门决算情况（含年终预算追加情况）") == "部门决算情况含年终预算追加情况"
    # A heading that is nothing but a number keeps it rather than becoming empty.
    assert normalise_heading("一、") == "一"


def test_plain_text_removes_whitespace_and_markdown_marks():
    markdown = "## 一、单位 基本情况\n\n- **重点** 工作\n| 列 | 值 |\n|---|---|\n> 引用\n"
    assert plain_text(markdown) == "一、单位基本情况重点工作列值引用"
    assert plain_text("部门预算\n\n\t情况　") == "部门预算情况"


REPORT = """# 2023年度部门整体支出绩效自评报告

测试单位
2024年6月10日

现将自评有关情况报告如下：

## 一、单位基本情况

### （一）部门主要职责

负责妇女儿童工作。

## 二、其他需要说明的情况

无

附件：
1. 部门整体支出绩效自评表
"""


def test_parse_markdown_title_front_matter_sections_and_appendix():
    sections = parse_markdown(REPORT)
    assert [(s.heading, s.level, s.is_title, s.is_appendix) for s in sections] == [
        ("2023年度部门整体支出绩效自评报告", 1, True, False),
        ("", 0, False, False),
        ("一、单位基本情况", 2, False, False),
        ("（一）部门主要职责", 3, False, False),
        ("二、其他需要说明的情况", 2, False, False),
        ("附件", 0, False, True),
    ]
    assert sections[1].body.startswith("测试单位")
    assert sections[4].body == "无"
    assert sections[5].body == "1. 部门整体支出绩效自评表"
    assert [s.heading for s in outline_sections(sections)] == ["一、单位基本情况", "（一）部门主要职责", "二、其他需要说明的情况"]


def test_no_title_when_first_heading_is_not_above_the_rest():
    sections = parse_markdown("## 一、甲\n\n正文\n\n## 二、乙\n\n正文二\n")
    assert not any(s.is_title for s in sections)
    assert [s.heading for s in outline_sections(sections)] == ["一、甲", "二、乙"]


def test_empty_text_has_no_sections():
    assert parse_markdown("") == []
    assert parse_markdown("\n\n") == []


def test_subtrees_cover_descendants_only():
    sections = outline_sections(parse_markdown("## 甲\n\nA\n\n### 甲一\n\nB\n\n#### 甲一1\n\nC\n\n### 甲二\n\nD\n\n## 乙\n\nE\n"))
    ends = subtree_ends(sections)
    assert ends == [4, 3, 3, 4, 5]
    assert subtree_text(sections, 0, ends[0]) == "A\n甲一\nB\n甲一1\nC\n甲二\nD"
    assert subtree_text(sections, 4, ends[4]) == "E"
    assert document_text(sections[3:]) == "甲二\nD\n乙\nE"
