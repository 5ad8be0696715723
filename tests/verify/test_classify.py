"""Classification: a figure (must be sourced) or a numeral that states no quantity.

The cases are the seed report's own (shared/reference/hengshan-fulian-2023-report.txt); each
decision is listed here explicitly.
"""

from __future__ import annotations

import pytest

from assistant.verify import extract_figures
from assistant.verify.model import (
    DATE,
    DOC_NUMBER,
    FIGURE,
    IDENTIFIER,
    INDEFINITE,
    LIST_MARKER,
    NAMED_TERM,
    ORDINAL,
    TITLE,
)

from tests.verify.conftest import SEED_ORIGINAL, SEED_REFERENCE


def classes(text: str) -> list[tuple[str, str]]:
    return [(m.text, m.cls) for m in extract_figures(text, include_non_figures=True)]


def cls_of(text: str, fragment: str) -> str:
    found = [m for m in extract_figures(text, include_non_figures=True) if m.text == fragment]
    assert found, (fragment, classes(text))
    return found[0].cls


@pytest.mark.parametrize(
    "text, fragment, expected",
    [
        # dates
        ("2023年决算总收入", "2023年", DATE),
        ("2023年度政府采购", "2023年度", DATE),
        ("截止2023年12月31日，", "2023年12月31日", DATE),
        ("截至12月31日，", "12月31日", DATE),
        ("5月20日，在县民政局", "5月20日", DATE),
        ("在“4.15”全民国家安全教育日", "“4.15”", DATE),
        ("以“12.4”宪法日为契机", "“12.4”", DATE),
        ("3月份，发放", "3月份", DATE),
        ("今年8月份，县妇联", "8月份", DATE),
        ("截至三季度，", "三季度", DATE),
        ("十二月，开展", "十二月", DATE),
        ("“出手吧姐姐 温暖2022”公益项目", "2022", DATE),
        ("2021-2025年规划", "2021-2025年", DATE),
        ("上午9:00开会", "9:00", DATE),
        ("2024年6月10日", "2024年6月10日", DATE),
        # document numbers and titles
        ("（山财绩〔2023〕170号）文件精神", "〔2023〕170号", DOC_NUMBER),
        ("财预[2020]10号", "[2020]10号", DOC_NUMBER),
        ("印发《关于开展2023年度衡山县财政预算整体支出绩效评价工作的通知》", "《关于开展2023年度衡山县财政预算整体支出绩效评价工作的通知》", TITLE),
        ("发放《家庭教育促进法十问十答》", "《家庭教育促进法十问十答》", TITLE),
        # ordinals and list markers
        ("湖南省第四届巾帼创业创新大赛", "第四届", ORDINAL),
        ("纪念第113个“三八”国际妇女节", "第113个", ORDINAL),
        ("。一是强化理论学习", "一是", LIST_MARKER),
        ("（一）坚持思想引领", "（一）", LIST_MARKER),
        ("(1) 部门主要职责", "(1)", LIST_MARKER),
        ("（10）承担县妇儿工委办的日常工作", "（10）", LIST_MARKER),
        ("1、 单位基本情况", "1、", LIST_MARKER),
        ("## 1、 单位基本情况", "1、", LIST_MARKER),
        ("    1、部门预算情况", "1、", LIST_MARKER),
        ("附件：1、部门整体支出绩效评价基础数据表", "1、", LIST_MARKER),
        ("三、存在的主要问题", "三、", LIST_MARKER),
        ("1. 完善绩效运行监控机制", "1.", LIST_MARKER),
        # named terms
        ("“三八红旗手”12名", "三八", NAMED_TERM),
        ("“十四五妇女儿童发展规划编制”", "十四五", NAMED_TERM),
        ("学习贯彻党的二十大精神", "二十大", NAMED_TERM),
        ("家庭教育“一法一条例”", "一法一条例", NAMED_TERM),
        ("进行“一对一”或“多对一”的安全监管", "一对一", NAMED_TERM),
        ("进行“一对一”或“多对一”的安全监管", "多对一", NAMED_TERM),
        ("培训对象包含县乡村三级妇联干部", "县乡村三级", NAMED_TERM),
        ("内容涵盖主题教育和妇联业务知识专题辅导两大板块", "两大板块", NAMED_TERM),
        ("一年来，婚调委共接待", "一年来", NAMED_TERM),
        ("“六一”国际儿童节", "六一", NAMED_TERM),
        ("继续开展“两癌”免费筛查工作", "两癌", NAMED_TERM),
        ("为落实好中央一号文件精神", "中央一号文件", NAMED_TERM),
        ("12个乡镇党政一把手的配偶", "一把手", NAMED_TERM),
        ("为我县“缺三亲”的孩子们", "缺三亲", NAMED_TERM),
        ("“三公”经费执行情况", "三公", NAMED_TERM),
        ("标题用2号方正小标宋简体", "2号", NAMED_TERM),
        ("这件事十分重要", "十分", NAMED_TERM),
        # identifiers
        ("A4纸", "A4", IDENTIFIER),
        ("按GB/T 9704-2012排版", "GB/T 9704-2012", IDENTIFIER),
        ("NYBO2023青少年篮球公开赛", "NYBO2023", IDENTIFIER),
        ("5G网络", "5G", IDENTIFIER),
        # indefinite 一
        ("送上了一堂生动的法治教育课", "一堂", INDEFINITE),
        ("打造一批优势文旅产品", "一批", INDEFINITE),
        ("与市妇联一起在永和乡", "一起", INDEFINITE),
        # figures: quantities the user must have given
        ("举办了为期2天的培训班", "2天", FIGURE),
        ("开展3期孕妈妈公益知识讲座", "3期", FIGURE),
        ("组建16支战队", "16支", FIGURE),
        ("岳北农工会成立100周年纪念活动", "100周年", FIGURE),
        ("共同参与萱洲镇猥亵4岁女童案件", "4岁", FIGURE),
        ("获赠“湘女关爱保”的1602名对象中", "1602名", FIGURE),
        ("共开展活动40余次", "40余次", FIGURE),
        ("目前全县注册人数超过2000人", "超过2000人", FIGURE),
        ("省级文明家庭各1个", "1个", FIGURE),
        ("发放普法宣传手册千余份", "千余份", FIGURE),
        ("一般公共预算财政补助开支人数3。", "3", FIGURE),
        ("共一个试点", "一个", FIGURE),
        ("两次培训", "两次", FIGURE),
    ],
)
def test_seed_cases(text, fragment, expected):
    assert cls_of(text, fragment) == expected


def test_figures_inside_named_terms_are_not_extracted_twice():
    # 三八 is named; the 8 and 12 after the quotes are figures
    assert classes("“三八红旗集体”8个、“三八红旗手”12名") == [
        ("三八", NAMED_TERM),
        ("8个", FIGURE),
        ("三八", NAMED_TERM),
        ("12名", FIGURE),
    ]


def test_named_term_needs_numeral_boundaries():
    # 二十分 is 20 points, not the word 十分; 三公里 is 3 km, not 三公
    assert classes("得了二十分") == [("二十分", FIGURE)]
    assert classes("全长三公里") == [("三公里", FIGURE)]


def test_word_with_numeral_but_no_unit_is_ignored():
    # 统一, 一线, 进一步, 五星村, 百姓: no unit after the numeral, nothing to verify
    assert classes("统一部署，奋斗在一线，进一步走进五星村百姓家") == []


def test_nybo_and_plain_latin_words_yield_nothing():
    assert classes("NYBO青少年篮球公开赛") == []


def test_list_marker_only_at_line_start_or_after_colon():
    # mid-sentence 3、5、7 are figures listed, not markers
    assert [c for _, c in classes("分别为3、5、7人")] == [FIGURE, FIGURE, FIGURE]


def test_seed_report_figure_inventory():
    """Every figure of the seed report, in order: the corpus the rules were written against."""
    figures = [m.text for m in extract_figures(SEED_REFERENCE.read_text(encoding="utf-8"))]
    assert len(figures) == 82
    assert figures[:5] == ["6人", "4人", "2人", "6人", "3"]
    assert figures[-4:] == ["2场", "97.8%", "30余场", "40余场"]
    for expected in ("220余人", "153个", "100周年", "4岁", "80余起", "60对", "千余份", "1602名", "近12万元", "超过2000人"):
        assert expected in figures


def test_reference_markdown_has_the_same_numerals_as_the_original():
    if not SEED_ORIGINAL.exists():
        pytest.skip("shared reference not present")
    original = [(m.text, m.cls) for m in extract_figures(SEED_ORIGINAL.read_text(encoding="utf-8"), include_non_figures=True)]
    markdown = [(m.text, m.cls) for m in extract_figures(SEED_REFERENCE.read_text(encoding="utf-8"), include_non_figures=True)]
    assert markdown == original
