"""Consistent text in the style of real reports, full of traps: no finding at all (a finding on a
correct report is a defect). Where a relation is readable, it must be recomputed (not skipped)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.inspection import inspect_path, inspect_text
from assistant.offline import REPO_ROOT

CASES = [
    # (text, rules that must have been recomputed)
    ("2023年度收入总计520.36万元，其中：一般公共预算财政拨款收入480.36万元，占92.31%；其他收入40万元，占7.69%。", {"parts_sum", "share", "shares_sum"}),
    ("与上年相比，支出增加12.5万元，增长5.2%，主要原因是人员增加。", set()),
    ("基本支出415.2万元，其中人员经费380.1万元，公用经费35.1万元。", {"parts_sum"}),
    ("三公经费预算5万元，实际支出3.2万元，较预算减少1.8万元，下降36%。", set()),
    ("培训人数达到1200人，完成年度目标1000人的120%。", set()),
    ("本年收入320万元，其中：财政拨款收入300万元（含上年结转50万元），事业收入20万元。", {"parts_sum"}),
    ("全年支出1,234,567.89元，其中基本支出1,000,000.00元，项目支出234,567.89元。", {"parts_sum"}),
    ("支出300万元，其中甲100万元，占33.33%；乙100万元，占33.33%；丙100万元，占33.33%。", {"parts_sum", "share", "shares_sum"}),
    ("2023年支出90万元，较上年同期的86.5万元增加3.5万元，增长4.05%。", {"difference", "change_rate"}),
    ("总支出155.29万元。\n基本支出61.41万元，占总支出的39.55%。", {"share"}),
    ("2023年决算支出155.29万元，其中基本支出61.41万元，较上年的58.2万元增加3.21万元。", {"difference"}),
    ("编制人数6人，其中行政编制4人，事业编制2人；在职人员6人，其中一般公共预算财政补助开支人数3。", {"parts_sum"}),
    ("政府采购预算300万元，实际政府采购支出286.4万元，其中货物类48.6万元，工程类215.3万元，服务类22.5万元，政府采购执行率95.47%；授予中小企业合同金额251.2万元。", {"parts_sum"}),
    ("全年预算数1850万元，其中当年财政拨款1700万元，上年结转资金150万元；全年执行数1806.4万元，执行率97.64%。", {"parts_sum", "rate"}),
    ("项目全年预算数78万元，全年执行数76.4万元，预算执行率97.95%，适配辅助器具1356件，完成率113.00%。", {"rate"}),
    ("其中：基本支出93.88万元，占60.45%；项目支出61.41万元，占39.55%。", set()),
    ("联系电话：0731-85212345，传真0731-85212346，邮编410000，文号湘财绩〔2024〕3号。", set()),
    ("2023年1月1日至2023年12月31日，共开展培训3期，覆盖率达100%，满意度不低于95%。", set()),
    ("（一）（二）（三）1.2.3. 第一，第二；一是二是三是。", set()),
    ("减少了0.5万元", set()),
    ("2023年支出90万元，其中基本支出50万元，项目支出40万元，较上年的86.5万元增加3.5万元。", {"difference", "parts_sum"}),
    ("基本支出100万元，其中人员经费80万元，占总支出的40%。", set()),
    ("总支出200万元。基本支出100万元，其中人员经费80万元，占总支出的40%。", {"share"}),
    ("执行率100%", set()),
    ("占", set()),
    ("其中", set()),
    ("=(6-0)÷0=", set()),
]


@pytest.mark.parametrize("text,must_check", CASES)
def test_consistent_text_no_finding(text, must_check):
    report = inspect_text(text)
    assert report.findings == [], [f.message for f in report.findings]
    assert must_check <= {rule for rule, _ in report.checked}


def _own_reports() -> list[Path]:
    found = sorted((REPO_ROOT / "evals" / "cases").glob("*/reference.md"))
    seed = REPO_ROOT / ".." / "shared" / "reference" / "hengshan-fulian-2023-report.txt"
    return found + ([seed.resolve()] if seed.exists() else [])


@pytest.mark.parametrize("path", _own_reports(), ids=lambda p: p.parent.name if p.name == "reference.md" else p.name)
def test_reference_reports_no_finding(path):
    report = inspect_path(path)
    assert report.findings == [], [f.message for f in report.findings]
    assert report.checked  # each has readable relations, recomputed
