"""Fuzzing the figures readers (issue 16.8): generated hostile YAML and Excel files and hypothesis
strategies; every input is accepted or refused with a clean Chinese message, within its budget.
Bounded: a few hundred inputs, each under a SIGALRM budget. Counts at scale: `make bench` (bench_fuzz)."""

from __future__ import annotations

import random

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.harness import (
    Tally,
    check,
    excel_mutants,
    load_yaml_bytes,
    read_excel_bytes,
    special_yaml,
    yaml_mutants,
    zip_bomb,
)


def _assert_clean(tally: Tally) -> None:
    assert not tally.tracebacks, tally.tracebacks[:5]
    assert not tally.leaks, tally.leaks[:5]
    assert not tally.hangs, tally.hangs[:5]


def test_named_hostile_yaml_files_are_refused_cleanly():
    tally = Tally()
    for label, raw in special_yaml():
        one = check(load_yaml_bytes, raw, label, budget=10)
        # A control character in a note is read (check warns, the .docx writer drops it); every
        # other one is refused.
        assert one.accepted == (label == "control-in-note"), label
        tally.add(one)
    _assert_clean(tally)


def test_generated_yaml_mutants():
    tally = Tally()
    for label, raw in yaml_mutants(random.Random(1616), 300):
        tally.add(check(load_yaml_bytes, raw, label, typed=raw.decode("utf-8", "ignore"), budget=10))
    _assert_clean(tally)
    assert tally.clean_messages > 50 and tally.accepted > 10  # the generator reaches both outcomes


_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=30),
    st.decimals(allow_nan=True, allow_infinity=True).map(str), st.dates().map(str),
)
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=20)
_fields = st.sampled_from(["meta", "duties", "staffing", "budget", "final", "three_public", "projects", "work_notes", "problems", "procurement", "last_year", "unit_name", "year"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_fields, _values, max_size=6))
def test_hypothesis_structures_as_yaml(data):
    raw = yaml.safe_dump(data, allow_unicode=True).encode("utf-8")
    _assert_clean(check(load_yaml_bytes, raw, repr(data)[:80], typed=raw.decode("utf-8"), budget=10))


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_hypothesis_any_text(text):
    raw = text.encode("utf-8", errors="surrogatepass")
    _assert_clean(check(load_yaml_bytes, raw, repr(text)[:80], typed=text, budget=10))


def test_generated_excel_mutants():
    tally = Tally()
    for label, raw in excel_mutants(random.Random(1617), 40):
        tally.add(check(read_excel_bytes, raw, label, budget=20))
    _assert_clean(tally)
    assert tally.clean_messages > 5


def test_excel_zip_bomb_is_refused_cleanly():
    tally = check(read_excel_bytes, zip_bomb(), "zip-bomb", budget=10)
    _assert_clean(tally)
    assert tally.clean_messages == 1
