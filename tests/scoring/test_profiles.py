"""Profiles as data: shipped defaults, and rejection of bad weights, unknown keys, overlapping bands."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
import yaml

from assistant.scoring import ProfileError, default_department_profile, default_project_profile, load_profile, validate_profile
from assistant.scoring.keys import known_ledger_keys
from assistant.scoring.profiles import PROFILE_DIR, parse_interval

D = Decimal


def department_data() -> dict:
    return yaml.safe_load((PROFILE_DIR / "department_default.yaml").read_text(encoding="utf-8"))


def find(data: dict, name: str) -> dict:
    for tier in data["tiers"]:
        for ind in tier["indicators"]:
            if ind["name"] == name:
                return ind
    raise KeyError(name)


def messages(data: dict) -> list[str]:
    with pytest.raises(ProfileError) as info:
        validate_profile(data, "测试方案.yaml")
    return info.value.messages


def test_default_project_weights_10_50_30_10():
    p = default_project_profile()
    assert p.execution_weight == 10
    assert [(t.name, t.weight) for t in p.tiers] == [("产出指标", 50), ("效益指标", 30), ("满意度指标", 10)]
    assert p.execution_weight + sum(t.weight for t in p.tiers) == 100


def test_sichuan_variant_10_plus_90():
    p = load_profile("project_sichuan")
    assert p.execution_weight == 10 and [t.weight for t in p.tiers] == [90]
    assert p.tier_for("效益指标").name == "绩效指标"


def test_default_department_profile_weights_sum_to_100_and_keys_exist():
    p = default_department_profile()
    assert sum(ind.weight for _, ind in p.indicators()) == 100
    keys = known_ledger_keys()
    assert all(ind.source in keys for _, ind in p.indicators() if ind.source)


def test_domain_bands_are_shipped():
    p = default_department_profile()
    by_name = {ind.name: ind for _, ind in p.indicators()}
    adj = by_name["预算调整率"]
    assert adj.weight == 3 and [b.score for b in adj.rule.bands] == [3, 2, 1, D("0.5"), 0]
    key = by_name["重点支出安排率"]
    assert key.weight == 5 and [b.score for b in key.rule.bands] == [5, 4, 3, 2] and key.rule.otherwise == 0
    assert by_name["“三公”经费控制率"].weight == 6


def test_department_weights_not_adding_to_100_rejected():
    data = department_data()
    find(data, "在职人员控制率")["weight"] = 6
    tier = data["tiers"][0]
    tier["weight"] = 16
    found = messages(data)
    assert any("各指标分值合计101分，应为100分" in m for m in found)


def test_tier_weight_differing_from_its_indicators_rejected():
    data = department_data()
    data["tiers"][0]["weight"] = 20
    assert any("一级指标“投入”分值20分，但其下各指标分值合计15分" in m for m in messages(data))


def test_project_weights_not_adding_to_100_rejected():
    data = yaml.safe_load((PROFILE_DIR / "project_default.yaml").read_text(encoding="utf-8"))
    data["tiers"][0]["weight"] = 40
    found = messages(data)
    assert any("= 90分，应为100分" in m for m in found)


def test_unknown_ledger_key_rejected():
    data = department_data()
    find(data, "固定资产利用率")["source"] = "assets.utilisation_rate"
    found = messages(data)
    assert any("台账键“assets.utilisation_rate”不存在" in m for m in found)


def test_overlapping_bands_rejected():
    data = department_data()
    bands = find(data, "重点支出安排率")["rule"]["bands"]
    bands[1]["range"] = "[80, 90]"  # shares 90 with "[90, +∞)"
    found = messages(data)
    assert any("“[90, +∞)”与“[80, 90]”重叠" in m for m in found)


def test_gap_between_bands_rejected_without_otherwise():
    data = department_data()
    rule = find(data, "预算调整率")["rule"]
    rule["bands"] = [b for b in rule["bands"] if b["range"] != "(10, 20]"]
    found = messages(data)
    assert any("未覆盖" in m and "(0, 10]" in m for m in found)


def test_band_score_above_weight_rejected():
    data = department_data()
    find(data, "重点支出安排率")["rule"]["bands"][0]["score"] = 6
    assert any("超出0–5分" in m for m in messages(data))


def test_structure_errors_are_chinese_and_name_the_field():
    data = department_data()
    find(data, "预算完成率")["weight"] = "十分"
    found = messages(data)
    assert any("分值" in m and "应为数字" in m for m in found)


def test_wrong_kind_rejected():
    data = department_data()
    data["kind"] = "school"
    assert "方案类型 kind 应为" in messages(data)[0]


def test_rule_parameters_checked():
    data = department_data()
    find(data, "在职人员控制率")["rule"] = {"kind": "at_most", "threshold": 100}
    assert any("deduct" in m for m in messages(data))


def test_unknown_file_is_a_profile_error():
    with pytest.raises(ProfileError) as info:
        load_profile("no_such_profile")
    assert "找不到评分方案文件" in info.value.messages[0]


def test_locality_profile_file_is_loaded(tmp_path):
    data = department_data()
    data["name"] = "某县方案"
    path = tmp_path / "local.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert load_profile(path).name == "某县方案"


@pytest.mark.parametrize(
    "text, inside, outside",
    [("(10, 20]", ["20", "10.01"], ["10", "20.01"]), ("[90, +∞)", ["90", "1000"], ["89.99"]), ("[0, 0]", ["0"], ["0.01"]), ("（-∞，60）", ["-5", "59.9"], ["60"])],
)
def test_interval_parsing(text, inside, outside):
    iv = parse_interval(text)
    assert all(iv.contains(D(v)) for v in inside)
    assert not any(iv.contains(D(v)) for v in outside)


@pytest.mark.parametrize("text", ["10, 20", "[20, 10]", "[-∞, 0)", "(5, 5)", "[a, 3]"])
def test_bad_intervals(text):
    with pytest.raises(ValueError):
        parse_interval(text)


def test_validation_does_not_mutate_shipped_profile():
    before = copy.deepcopy(default_department_profile().model_dump())
    data = department_data()
    find(data, "在职人员控制率")["weight"] = 50
    messages(data)
    assert default_department_profile().model_dump() == before
