"""Property tests: a figure rendered from the ledger by assistant.ledger.numbers is always supported."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.ledger.facts import Fact, Ledger
from assistant.ledger.numbers import change_words, format_value
from assistant.verify import SUPPORTED, extract_figures, verify

LABELS = ("决算支出", "基本支出", "项目支出占比", "编制人数", "政府采购支出")
UNITS = ("万元", "元", "千元", "亿元", "%", "人", "个", "户")

values = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=4, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=values, unit=st.sampled_from(UNITS), label=st.sampled_from(LABELS), signed=st.booleans())
def test_rendered_fact_is_supported(value, unit, label, signed):
    ledger = Ledger()
    fact = ledger.add(Fact("x", value, unit, label, signed_change=signed))
    if signed:
        text = f"{label}较上年{change_words(value)[0]}{fact.text}。"
    else:
        text = f"{label}为{fact.text}。"
    report = verify(text, ledger)
    assert [f.status for f in report.findings] == [SUPPORTED], (text, report.render_text())
    assert report.findings[0].provenance.fact_key == "x"


@settings(max_examples=200, deadline=None)
@given(value=values, unit=st.sampled_from(UNITS))
def test_format_value_round_trips_through_extraction(value, unit):
    text = format_value(value, unit)
    [fig] = extract_figures(f"合计{text}。")
    assert fig.text == text
    assert fig.unit == unit
    assert fig.value == Decimal(text[: -len(unit)])


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789.,%万元人个一二三十百千余近约第年月日号、（）《》“”。，；\n -")), max_size=60))
def test_extraction_never_crashes_and_spans_are_ordered(text):
    mentions = extract_figures(text, include_non_figures=True)
    last = 0
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.text
        assert m.start >= last
        last = m.end
