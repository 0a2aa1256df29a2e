"""Hostile inputs: every parser returns quickly (no regex blow-up) and never raises.

These inputs once took minutes (adjacent ``\\s*`` groups over long runs of spaces or digits);
each call must now finish well inside a second.
"""
from __future__ import annotations

import time

import pytest

from extractors.values.benchmarks import _parse_benchmarks
from extractors.values.numbers import _parse_value
from extractors.values.periods import find_periods, parse_period
from extractors.values.rag import parse_polarity, parse_rag, parse_rag_rule
from extractors.values.repair import _repair_series, _repair_value
from extractors.values.targets import _parse_target
from extractors.values.units import _detect_unit

HOSTILE = {
    "digits": "1" * 3000, "a1": "a1 " * 1000, "percents": "12% " * 800, "equals": "1 = " * 700,
    "dashes": "2017-" * 600, "quarters": "Q1 " * 1000, "brackets": "(" * 2000 + "1" + ")" * 2000,
    "months": "Jan " * 800, "end-of": "end of " * 400 + "June 2017", "digit-space": "1 " * 1500,
    "names": "Statistical Neighbours " * 150 + "(2%)", "rules": "86%-100% = Green, " * 150,
    "commas": "1," * 1500, "dots": "1." * 1500, "tolerances": "100% (5% tolerance) " * 100,
    "dates": "1 April 2018 and " * 200, "words": "the end of the year to " * 100, "pairs": "17/18 " * 500,
    "pounds": "£1" * 1000, "glyphs": "¥ -" * 1000 + "20%", "space-run": "1" + " " * 5000 + "x",
    "tab-run": "Q1" + "\t" * 3000 + "2017", "padded": " " * 3000 + "(2%)" + " " * 3000,
    "rate-of": "rate of " * 300, "html": "<p>" * 500 + "30%" + "</p>" * 500,
}

CALLS = {
    "parse_value": _parse_value,
    "parse_target": lambda t: _parse_target(t, None),
    "parse_benchmarks": lambda t: _parse_benchmarks(t, None),
    "parse_period": parse_period,
    "find_periods": find_periods,
    "parse_rag": parse_rag,
    "parse_polarity": parse_polarity,
    "parse_rag_rule": parse_rag_rule,
    "repair_value": _repair_value,
    "detect_unit": lambda t: _detect_unit(t, [t[:50], t[-50:]]),
    "repair_series": lambda t: _repair_series(t.split()[:60], None, None),
}


@pytest.mark.parametrize("call", sorted(CALLS))
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_is_fast(name, call):
    started = time.perf_counter()
    CALLS[call](HOSTILE[name])
    # A hang guard, not a speed goal: catastrophic regex backtracking took 45-120 s on these inputs.
    assert time.perf_counter() - started < 10.0
