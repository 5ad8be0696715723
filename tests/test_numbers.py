"""Display rounding and formatting (assistant/ledger/numbers.py): ROUND_HALF_UP at 2 dp, trimmed amounts, 2-dp rates."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.ledger.numbers import (
    AMOUNT_UNITS,
    change_words,
    convert_amount,
    format_number,
    format_value,
    is_amount_unit,
    round2,
    to_decimal,
)

D = Decimal


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        ("0.125", "0.13"),  # half up, not half even (which gives 0.12)
        ("2.675", "2.68"),  # the float 2.675 is 2.67499999…, so float rounding gives 2.67
        ("0.124999", "0.12"),
        ("1.005", "1.01"),
        ("-0.125", "-0.13"),  # halves of negative values round away from zero, like their magnitudes
        ("-2.675", "-2.68"),
        ("-1.004", "-1.00"),
        ("39.5519", "39.55"),
        ("99.995", "100.00"),
    ],
)
def test_round2_is_half_up_at_two_places(value, rounded):
    assert round2(D(value)) == D(rounded)
    assert str(round2(D(value))) == rounded


def test_float_would_round_2675_down():
    # Why the project never rounds floats: the same digits as a float give the wrong published figure.
    assert round(2.675, 2) == 2.67
    assert format_number(to_decimal(2.675), trim=False) == "2.68"


def test_round2_other_places():
    assert round2(D("0.00005"), D("0.0001")) == D("0.0001")
    assert format_number(D("89.97449"), trim=True, places=D("0.0001")) == "89.9745"


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        ("3", "万元", "3万元"),
        ("3.00", "万元", "3万元"),
        ("77.40", "万元", "77.4万元"),
        ("77.4", "万元", "77.4万元"),
        ("0.5", "万元", "0.5万元"),
        ("0", "万元", "0万元"),
        ("115.54", "万元", "115.54万元"),
        ("12.345", "万元", "12.35万元"),
        ("2.675", "万元", "2.68万元"),
        ("0.004", "万元", "0万元"),
        ("100", "元", "100元"),
        ("100", "%", "100.00%"),
        ("35.9", "%", "35.90%"),
        ("39.551900", "%", "39.55%"),
        ("0", "%", "0.00%"),
        ("115.84", "%", "115.84%"),
        ("90", "分", "90分"),
        ("92.50", "分", "92.5分"),
        ("6", "人", "6人"),
        ("5792", "", "5792"),
    ],
)
def test_format_value_house_style(value, unit, text):
    assert format_value(D(value), unit) == text


def test_format_value_negative_and_absolute():
    assert format_value(D("-20.5"), "万元") == "-20.5万元"
    assert format_value(D("-20.5"), "万元", absolute=True) == "20.5万元"
    assert format_value(D("-0.125"), "%") == "-0.13%"
    assert format_value(D("-0.125"), "%", absolute=True) == "0.13%"


def test_values_rounding_to_zero_print_without_sign_at_full_width():
    assert format_value(D("-0.001"), "%") == "0.00%"
    assert format_value(D("-0.001"), "万元") == "0万元"
    assert format_number(D("-0.00001"), trim=False, places=D("0.0001")) == "0.0000"
    assert format_number(D("-0"), trim=False) == "0.00"


def test_large_values_round_without_overflow():
    # More digits than the 28-digit default context: rounding must not raise.
    assert format_number(D("1e30"), trim=True) == "1" + "0" * 30
    ratio = D("999999999999.99") / D("0.0000001") * 100
    assert format_value(ratio, "%") == "999999999999990000000.00%"


def test_to_decimal_is_exact():
    assert to_decimal(0.1) == D("0.1")
    assert to_decimal(39.78) == D("39.78")
    assert to_decimal("1,234.50") == D("1234.50")
    assert to_decimal(" 7 ") == D("7")
    assert to_decimal(5) == D(5)
    value = D("39.78")
    assert to_decimal(value) is value


def test_to_decimal_rejects_non_numbers():
    with pytest.raises(TypeError):
        to_decimal(True)
    with pytest.raises(ValueError):
        to_decimal("十万")


def test_change_words():
    assert change_words(D("0.01")) == ("增加", "增长")
    assert change_words(D("-0.01")) == ("减少", "下降")
    assert change_words(D("0")) == ("持平", "持平")


def test_convert_amount():
    assert convert_amount(D("1553200"), "元", "万元") == D("155.32")
    assert convert_amount(D("155.32"), "万元", "元") == D("1553200")
    assert convert_amount(D("2"), "亿元", "万元") == D("20000")
    assert convert_amount(D("5"), "千元", "万元") == D("0.5")
    assert set(AMOUNT_UNITS) == {"元", "千元", "万元", "亿元"}
    assert is_amount_unit("万元") and not is_amount_unit("%") and not is_amount_unit("人")


cents = st.decimals(min_value=D("-1000000"), max_value=D("1000000"), places=3, allow_nan=False, allow_infinity=False)


@given(cents)
def test_round2_is_within_half_a_cent_and_symmetric(value):
    rounded = round2(value)
    assert abs(rounded - value) <= D("0.005")
    assert rounded == -round2(-value)
    assert rounded.as_tuple().exponent == -2


@given(cents)
def test_trimmed_text_reads_back_as_the_rounded_value(value):
    assert D(format_number(value, trim=True)) == round2(value)
    text = format_number(value, trim=False)
    assert D(text) == round2(value) and len(text.split(".")[1]) == 2
