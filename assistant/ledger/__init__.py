"""Stage 2 — ledger: every figure the report may state, computed with Decimal.

`calculator.build_ledger` turns figures into `facts.Fact`s (value, unit, formula, inputs);
`numbers` is the one module that formats a figure for text; `checks` holds the consistency rules;
`settings` the report options (执行率 denominator, "三公" basis, tolerances, outline).
The scoring stage (`assistant.scoring`) takes a ledger and adds its score facts; this package
never imports it.
"""
