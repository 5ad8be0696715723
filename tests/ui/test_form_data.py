"""The form's raw tree: built from the model, round-trips the figures, keeps bad input, names errors."""

from __future__ import annotations

import copy
from decimal import Decimal

from assistant.figures.model import Figures, Indicator, ProjectFunds, ThreePublic, ThreePublicBlock
from assistant.figures import load_figures
from assistant.figures.yaml_io import parse_yaml_text
from assistant.figures.form_data import (
    LIST_MODEL,
    LIST_STR,
    MODEL,
    SCALAR,
    blank_raw,
    field_specs,
    grid_row_model,
    is_flat,
    raw_from_data,
    raw_from_figures,
    unknown_fields,
    validate_raw,
)
from assistant.offline import REPO_ROOT

SAMPLE = REPO_ROOT / "evals" / "cases" / "hengshan-fulian-2023" / "figures.yaml"


def test_specs_follow_the_model_annotations():
    kinds = {spec.name: spec.kind for spec in field_specs(Figures)}
    assert kinds["meta"] == MODEL and kinds["duties"] == LIST_STR
    assert kinds["projects"] == LIST_MODEL and kinds["other_notes"] == SCALAR
    indicator = {spec.name: spec for spec in field_specs(Indicator)}
    assert indicator["comparator"].choices == ("≥", "≤", "=", "定性") and indicator["comparator"].default == "≥"
    assert indicator["target"].is_number and indicator["name"].required and indicator["applicable"].default is True
    assert is_flat(Indicator) and not is_flat(Figures)
    assert grid_row_model(ThreePublicBlock) is ThreePublic
    assert grid_row_model(ProjectFunds) is not None and grid_row_model(Figures) is None


def test_sample_round_trips_through_the_raw_tree():
    figures = load_figures(SAMPLE)
    assert validate_raw(raw_from_figures(figures)).figures == figures
    from_file = raw_from_data(Figures, parse_yaml_text(SAMPLE.read_text(encoding="utf-8")))
    assert validate_raw(from_file).figures == figures


def test_blank_means_not_entered_and_zero_is_zero():
    raw = raw_from_figures(load_figures(SAMPLE))
    raw["procurement"] = blank_raw(type(load_figures(SAMPLE).procurement))
    raw["three_public"]["actual"]["overseas"] = "0"
    figures = validate_raw(raw).figures
    assert figures.procurement is None
    assert figures.three_public.actual.overseas == Decimal("0")


def test_errors_are_mapped_to_their_fields_and_input_is_untouched():
    raw = raw_from_figures(load_figures(SAMPLE))
    raw["final"]["expenditure"]["basic"] = "6l.41"
    raw["staffing"]["actual"] = "-1"
    raw["projects"][0]["name"] = ""
    before = copy.deepcopy(raw)
    result = validate_raw(raw)
    assert result.figures is None and raw == before
    assert "应为数字" in result.field_errors["final.expenditure.basic"][0]
    assert "不能为负数" in result.field_errors["staffing.actual"][0]
    assert "项目/第1项/项目名称" in result.field_errors["projects.0.name"][0]
    assert len(result.errors_under("final")) == 1 and len(result.messages) == 3


def test_full_width_digits_typed_with_a_chinese_input_method_are_read():
    raw = raw_from_figures(load_figures(SAMPLE))
    raw["performance_indicators"][0]["target"] = "１２．５"
    assert validate_raw(raw).figures.performance_indicators[0].target == Decimal("12.5")


def test_an_empty_form_names_the_required_fields():
    result = validate_raw(blank_raw(Figures))
    assert set(result.field_errors) == {"meta.unit_name", "meta.year"}


def test_rows_left_empty_are_dropped_but_a_started_row_is_checked():
    raw = raw_from_figures(load_figures(SAMPLE))
    raw["performance_indicators"].append(blank_raw(Indicator))
    assert len(validate_raw(raw).figures.performance_indicators) == 1
    raw["performance_indicators"][-1]["target"] = "10"
    result = validate_raw(raw)
    assert {"performance_indicators.1.level1", "performance_indicators.1.level2", "performance_indicators.1.name"} <= set(result.field_errors)


def test_unknown_fields_are_listed():
    data = {"meta": {"unit_name": "甲", "year": 2024, "colour": "red"}, "extra": 1, "projects": [{"name": "p", "x": 2}]}
    assert set(unknown_fields(Figures, data)) == {("meta", "colour"), ("extra",), ("projects", 0, "x")}
