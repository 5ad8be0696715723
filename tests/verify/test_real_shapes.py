"""Numerals that state no quantity, each rule with fragments from real published text (../shared/real/
INDEX.md) and the counter-examples that must stay figures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.ledger.facts import Fact, Ledger
from assistant.verify import SUPPORTED, extract_mentions, verify
from assistant.verify.model import CAPTION, CONTACT, DATE, DOC_NUMBER, FIGURE, IDENTIFIER, LIST_MARKER, PART_COUNT


def classes(text: str) -> dict[str, str]:
    return {m.text: m.cls for m in extract_mentions(text)}


@pytest.mark.parametrize(
    "text,numeral,cls",
    [
        # table, figure and attachment numbers
        ("表1 预算与决算收支情况", "表1", CAPTION),
        ("详见图2。", "图2", CAPTION),
        ("附件3: 部门整体支出绩效评价基础数据表", "附件3", CAPTION),
        ("见附表3-1至附表3-2", "附表3-1至附表3-2", CAPTION),
        ("本表数据与表1、表2所列一致", "表1、表2", CAPTION),
        ("人大代表12人", "12人", FIGURE),
        ("发表3篇", "3篇", FIGURE),
        # phones and postcodes
        ("意见收集人:罗娟联系电话:0838-7211924附件", "0838-7211924", CONTACT),
        ("项目负责人及电话谢凯13990260322(办公)", "13990260322", CONTACT),
        ("电话（0734）5821234。", "（0734）5821234", CONTACT),
        ("邮编：421300", "421300", CONTACT),
        ("服务热线400-123-4567", "400-123-4567", CONTACT),
        # codes and index numbers
        ("索引号 | 01526405-X/20240326-00056 | 发布机构", "01526405-X/20240326-00056", IDENTIFIER),
        ("- 索引号: zsjfzzx/2025-00002", "zsjfzzx/2025-00002", IDENTIFIER),
        ("报表编号:510000_0013zp |", "510000_0013zp", IDENTIFIER),
        ("51000021R000000019951-工资性支出", "51000021R000000019951", IDENTIFIER),
        ("411001-衡山县贯塘乡人民政府2023年部门决算公开", "411001", IDENTIFIER),
        ("单位编码：438001", "438001", IDENTIFIER),
        ("编号00056", "00056", IDENTIFIER),
        ("发布日期20240326", "20240326", DATE),
        ("30-40人", "30-40人", FIGURE),
        ("0-10%(含),计6分", "0-10%", FIGURE),
        ("发布日期: 2025-04-29", "2025-04-29", DATE),
        # dates written together
        ("对林芝市广东实验小学2023年1月1日2023年12月31日本级财政预算资金", "2023年1月1日", DATE),
        ("对林芝市广东实验小学2023年1月1日2023年12月31日本级财政预算资金", "2023年12月31日", DATE),
        # document numbers whose 〔〕 were lost
        ("实施意见》藏党发20207号、财政部", "20207号", DOC_NUMBER),
        ("暂行办法》财预2011285号以及", "2011285号", DOC_NUMBER),
        ("工作通知》林财预202411号相关要求", "202411号", DOC_NUMBER),
        ("通知》(茂财绩函〔2022〕2 号)要求", "〔2022〕2 号", DOC_NUMBER),
        ("通知》湘财绩2023 5号", "2023 5号", DOC_NUMBER),
        # counts of parts in prose
        ("现将自评情况分为两个部分报告如下", "两个部分", PART_COUNT),
        ("从以下三个方面加强管理", "三个方面", PART_COUNT),
        ("分四个阶段推进", "四个阶段", PART_COUNT),
        ("整改问题3个", "3个", FIGURE),
        # list markers in flattened text
        ("积极发挥作用。 2、紧紧扭住重点项目", "2、", LIST_MARKER),
        ("| 1.项目年度目标完成情况 |", "1.", LIST_MARKER),
        ("应单独说明理由;3.其他资金包括", "3.", LIST_MARKER),
        ("分别为1、2、3个", "3个", FIGURE),
        # addresses, page numbers, hotlines, note references
        ("详见http://www.hh.gov.cn/info/11481/1179592.htm。", "http://www.hh.gov.cn/info/11481/1179592.htm", IDENTIFIER),
        ("邮箱hsfl2023@163.com", "hsfl2023@163.com", IDENTIFIER),
        ("结余0万元\n— 3 —\n二、", "— 3 —", IDENTIFIER),
        ("第 3 页 共 10 页", "第 3 页 共 10 页", IDENTIFIER),
        ("拨打12345政务服务热线", "12345", CONTACT),
        ("开通12348公共法律服务热线", "12348", CONTACT),
        ("见注释[1]。", "[1]", IDENTIFIER),
        ("接听热线电话1200余次", "1200余次", FIGURE),
    ],
)
def test_shape(text, numeral, cls):
    assert classes(text).get(numeral) == cls, classes(text)


def test_phone_and_code_are_not_figures_but_the_amount_beside_them_is():
    found = [(m.text, m.cls) for m in extract_mentions("联系电话:0838-7211924，项目资金20万元")]
    assert found == [("0838-7211924", CONTACT), ("20万元", FIGURE)]


def test_long_amount_with_a_unit_stays_a_figure():
    assert classes("收入合计1552900元")["1552900元"] == FIGURE
    assert classes("共计1234567890元")["1234567890元"] == FIGURE


def _ledger() -> Ledger:
    ledger = Ledger()
    ledger.extend(
        [
            Fact("budget.expenditure.project", Decimal("985"), "万元", "年初预算项目支出", ("项目支出", "年初预算")),
            Fact("final.income.total", Decimal("334.67"), "万元", "决算收入", ("实际到位资金", "到位资金")),
        ]
    )
    return ledger


def test_exact_ledger_value_is_not_overridden_by_a_note_with_similar_words():
    # The notes talk about another project of the same year with similar words and another value.
    notes = ["年初批复预算的结转结余项目50万元。"]
    text = "年初批复预算8个项目985万元（含1个年初结转结余项目50万元），实际到位资金334.67万元。"
    report = verify(text, _ledger(), notes)
    by_text = {f.text: f for f in report.findings}
    assert by_text["985万元"].status == SUPPORTED
    assert by_text["985万元"].provenance.fact_key == "budget.expenditure.project"
    assert by_text["334.67万元"].provenance.fact_key == "final.income.total"


def test_exact_ledger_value_with_its_label_is_kept_when_a_note_has_the_same_words():
    notes = ["年初预算项目支出比上年多，达到958万元。"]
    report = verify("年初预算项目支出985万元。", _ledger(), notes)
    assert report.ok, report.render_text()
    assert report.findings[0].provenance.kind == "ledger"


def test_wrong_value_beside_the_label_is_still_flagged():
    report = verify("年初预算项目支出958万元。", _ledger(), ["另有结转结余项目50万元。"])
    assert not report.ok


def test_run_together_cells_split_only_into_known_values():
    ledger = Ledger()
    ledger.extend(
        [
            Fact("p.full", Decimal("20"), "万元", "项目全年预算数", ("全年预算数",)),
            Fact("p.rate", Decimal("100"), "%", "项目预算执行率", ("执行率",)),
        ]
    )
    notes = ["分值10，得分10。"]
    ok = verify("年度资金总额:202010100.00%10", ledger, notes)
    assert ok.ok, ok.render_text()
    bad = verify("年度资金总额:202011100.00%10", ledger, notes)
    assert not bad.ok
