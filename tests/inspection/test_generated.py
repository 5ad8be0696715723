"""Generated reports (assistant.inspection.synthetic): each planted error is found at its line by a
rule of its kind, and consistent reports — of every phrasing and table layout — get no finding."""

from __future__ import annotations

from collections import Counter

from assistant.inspection import inspect_text
from assistant.inspection.synthetic import KINDS, corpus, generate


def test_every_planted_kind_found_at_its_line():
    found, total = Counter(), Counter()
    for sample in corpus(120, seed=777):
        if sample.kind is None:
            continue
        report = inspect_text(sample.text)
        total[sample.kind] += 1
        if any(f.rule in sample.rules and f.place.line == sample.line for f in report.findings):
            found[sample.kind] += 1
    assert set(total) == set(KINDS)
    assert found == total


def test_no_finding_on_consistent_generated_reports():
    for seed in range(60):
        sample = generate(10_000 + seed)
        report = inspect_text(sample.text)
        assert report.findings == [], (seed, [f.message for f in report.findings])
        assert len(report.checked) >= 8  # the relations are read, not skipped


def test_only_the_planted_error_is_reported():
    # A planted error must not spill into other relations (a difference off by 0.01 may also show
    # as a wrong rate; that is the same error).
    for sample in corpus(60, seed=4242):
        if sample.kind is None:
            continue
        report = inspect_text(sample.text)
        assert {f.rule for f in report.findings} <= sample.rules, (sample.kind, [f.message for f in report.findings])
