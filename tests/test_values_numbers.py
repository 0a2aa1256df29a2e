"""parse_value: every value form in the five seeds and the brief, plus property tests."""
from __future__ import annotations

import math

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from extractors.values import ParsedValue, format_number, parse_value, placeholder_reason
from extractors.values.numbers import SEVERAL_VALUES, UNREADABLE, _parse_value
from schemas import Unit

P, R, C, D, MONEY = Unit.percent, Unit.rate_per_10000, Unit.count, Unit.days, Unit.other

# (printed, unit_hint, value, unit, decimals) -- every value form in the seeds, cited.
VALUES = [
    ("30%", None, 30.0, P, 0),  # 000 row 1
    ("36%", None, 36.0, P, 0),
    ("<p>1%</p>", None, 1.0, P, 0),  # 000 row 3, HTML-wrapped cells
    ("13.7%", None, 13.7, P, 1),  # 001
    ("35.0%", None, 35.0, P, 1),  # 002 success measures
    ("100.0%", None, 100.0, P, 1),  # 003
    ("89 %", None, 89.0, P, 0),  # 000 commentary: a space before %
    ("0.04%", None, 0.04, P, 2),  # 001 exclusions: tiny percentages
    ("0.03%", None, 0.03, P, 2),
    ("0.03", P, 0.03, P, 2),  # 001 benchmark with no % sign: the row's unit (T32)
    ("87.1", P, 87.1, P, 1),  # 003 CP4 benchmark, % lost
    ("29.1", R, 29.1, R, 1),  # 002 rate boxes
    ("37.3", R, 37.3, R, 1),
    ("62", R, 62.0, R, 0),  # 003 M2-NI
    ("1357", C, 1357.0, C, 0),  # 003 M1
    ("1,357", None, 1357.0, None, 0),
    ("12,345,678", None, 12345678.0, None, 0),
    ("1040", C, 1040.0, C, 0),
    ("34.50", C, 34.5, C, 2),  # 003 CP4 (val): a count printed with 2 decimals (T25)
    ("50.00", C, 50.0, C, 2),
    ("-8%", None, -8.0, P, 0),  # 003 % change
    ("6%", None, 6.0, P, 0),
    ("+36%", None, 36.0, P, 0),
    ("\u22123%", None, -3.0, P, 0),  # unicode minus
    ("\u20133%", None, -3.0, P, 0),  # en dash used as a minus
    ("- 8%", None, -8.0, P, 0),
    ("-0%", None, 0.0, P, 0),
    ("(21%)", None, 21.0, P, 0),  # 000 benchmark brackets
    ("(48%)", None, 48.0, P, 0),  # 003 commentary
    ("£1.2m", None, 1_200_000.0, MONEY, 1),
    ("£20m", None, 20_000_000.0, MONEY, 0),  # 004 financial implications
    ("£64,296.00", None, 64296.0, MONEY, 2),
    ("£350k", None, 350_000.0, MONEY, 0),
    ("12 days", None, 12.0, D, 0),
    ("486 days", C, 486.0, D, 0),  # the printed unit wins over the hint
    ("15 working days", None, 15.0, D, 0),
    ("29.1 per 10,000", None, 29.1, R, 1),
    ("42.1/10,000", None, 42.1, R, 1),
    (".5", None, 0.5, None, 1),
    ("85.", None, 85.0, None, 0),  # a full stop after a number
    ("30%.", None, 30.0, P, 0),
    ("  30 %  ", None, 30.0, P, 0),
    ("30 per cent", None, 30.0, P, 0),
    ("2018", None, 2018.0, None, 0),  # a year is a number to parse_value; periods are elsewhere
]


@pytest.mark.parametrize("printed, hint, value, unit, decimals", VALUES)
def test_values(printed, hint, value, unit, decimals):
    v = parse_value(printed, hint)
    assert v.value == pytest.approx(value)
    assert v.unit == unit
    assert v.decimals == decimals
    assert v.missing_reason is None
    assert v.text == printed  # the text as printed, untouched
    assert not v.repairs


@pytest.mark.parametrize("printed, points", [("3 percentage points", True), ("2 percentage point", True),
                                             ("2pp", True), ("1.7 ppts", True), ("5% points", True),
                                             ("5%", False)])
def test_percentage_points(printed, points):
    v = parse_value(printed)
    assert v.unit == P and v.percentage_points is points


@pytest.mark.parametrize("printed", ["c. 300", "~300", "approx. 300", "around 300", "circa 300"])
def test_approximate(printed):
    v = parse_value(printed)
    assert v.value == 300.0 and v.approximate


@pytest.mark.parametrize("printed", ["<5", "< 5", ">100", "less than 5", "fewer than 10"])
def test_bounds_are_not_values(printed):
    v = parse_value(printed)
    assert v.value is None and v.missing_reason == "only a bound is printed"


# (printed, reason) -- every placeholder in the seeds and the brief.
PLACEHOLDERS = [
    ("New", "new indicator"),  # 000 row 2
    ("<p>New</p>", "new indicator"),
    ("New indicator", "new indicator"),
    ("New Definition", "new definition"),  # 000 rows 6 and 9
    ("n/a", "not applicable"),  # 002 merged cell; 003 LAC14 % change (T23)
    ("N/A", "not applicable"),
    ("n.a.", "not applicable"),
    ("Not applicable", "not applicable"),  # 004 financial table
    ("-", "no value"),  # 003
    ("\u2013", "no value"),
    ("\u2014", "no value"),
    ("- -", "no value"),
    ("TBC", "to be confirmed"),  # 003 targets
    ("tbc", "to be confirmed"),
    ("To be confirmed", "to be confirmed"),
    ("", "blank"),
    ("   ", "blank"),
    (None, "blank"),
    ("Local", "no external benchmark"),  # 003 benchmark columns
    ("Benchmarking information is not available.", "not available"),  # 000
    ("Benchmarking information is not currently available.", "not available"),  # 000
    ("Benchmarking information not currently available.", "not available"),  # 001
    ("Benchmarking information is not (currently) available", "not available"),  # the brief
    ("<p>Benchmarking information is not available.</p>", "not available"),
    ("No benchmarking information is available for this indicator.", "not available"),  # 001 commentary
    ("Not available", "not available"),
    ("Data not available", "not available"),
    ("Awaiting data", "not yet available"),
    ("x", "suppressed"),
    ("No target", "no target"),
]


@pytest.mark.parametrize("printed, reason", PLACEHOLDERS)
def test_placeholders(printed, reason):
    v = parse_value(printed)
    assert v.value is None
    assert v.missing_reason == reason
    assert not v.needs_review
    assert placeholder_reason(printed) == reason


@pytest.mark.parametrize("printed", ["30%", "Benchmarking information is available", "Newcastle", "Locality",
                                     "0", "Red"])
def test_not_placeholders(printed):
    assert placeholder_reason(printed) is None


def test_placeholder_keeps_unit_hint():
    assert parse_value("New", P).unit == P


def test_value_with_note_and_period():
    # 001 exclusions: a value and a sentence in one cell (T10)
    v = parse_value("0.04%  This result is for the academic year 2016/17 because the data runs one year behind.")
    assert v.value == 0.04 and v.unit == P
    assert v.note is not None
    assert v.note.text.startswith("This result is for the academic year 2016/17")
    assert v.note.period is not None
    assert v.note.period.key == "AY2016-17"
    assert v.note.period.start.isoformat() == "2016-09-01"


def test_value_with_bracketed_note():
    v = parse_value("29% (provisional)")
    assert v.value == 29.0 and v.note.text == "(provisional)" and v.note.period is None


def test_value_with_note_naming_a_month():
    v = parse_value("29% at the end of April 2018")
    assert v.value == 29.0 and v.note.period.key == "2018-04-30"


# Damaged or non-value cells: never a value from parse_value (repair.py is where damage is undone).
UNREADABLES = [
    "85.6!",  # 003 CP4 benchmark: only via repair
    "¥ -20%",  # 003 DoT glyphs
    "‘} -52%",
    "T+ 36%",
    "1t 20%",
    "& -3%",
    "= 2%",
    "1O5",
    "l2",
    "w58",  # 003 EH2
    "gso%",
    "-w00%",
    "“56%",
    "S19%{",
    "Jan 2015",
    "Red",
    "1,35",  # bad thousands grouping
    "20 m",  # a multiplier needs a currency
    "+-5",
    "Annex A /Ofsted Baseline/ June",
]


@pytest.mark.parametrize("printed", UNREADABLES)
def test_unreadable(printed):
    v = parse_value(printed)
    assert v.value is None
    assert v.missing_reason in (UNREADABLE, SEVERAL_VALUES)
    assert v.needs_review and v.review_reason
    assert not v.repairs


@pytest.mark.parametrize("printed", ["92.0% 93.0% 94.0%", "288 336 TBC", "3 -14%", "1 357", "2 7"])
def test_several_values(printed):
    v = parse_value(printed)
    assert v.value is None and v.missing_reason == SEVERAL_VALUES


def test_printed_percent_wins_over_hint():
    assert parse_value("-8%", C).unit == P  # a % change column in a count row


# --------------------------------------------------------------------------- properties

@settings(max_examples=400, deadline=None)
@given(st.text())
@example("(((((((((((((((((((((((((((((((((((((((")
@example("9" * 400)
@example("£" + "9" * 400 + "bn")
@example("0.04%  " + "x " * 500)
def test_never_raises(text):
    v = _parse_value(text)  # the unguarded function: a bug here fails the test
    assert isinstance(v, ParsedValue)
    assert (v.value is None) == (v.missing_reason is not None)
    if v.value is not None:
        assert math.isfinite(v.value)


_ALPHABET = st.sampled_from(list("0123456789%.,-+£ ()/nNaATBCewlO|!¥&=") + ["\u2212", "per 10,000", "days", "m"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_ALPHABET, max_size=12).map("".join))
def test_never_raises_on_numberish_text(text):
    v = _parse_value(text, P)
    assert (v.value is None) == (v.missing_reason is not None)


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.integers(0, 4),
       st.booleans(), st.booleans())
def test_round_trip(x, decimals, percent, thousands):
    printed = format_number(x, decimals, percent=percent, thousands=thousands)
    v = parse_value(printed)
    expected = float(f"{x:.{decimals}f}") + 0.0
    assert v.value == expected
    assert v.decimals == decimals
    assert v.unit == (P if percent else None)


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.integers(0, 3))
def test_round_trip_unicode_minus_and_space_before_percent(x, decimals):
    assume(x < 0)
    printed = format_number(x, decimals).replace("-", "\u2212") + " %"
    assert parse_value(printed).value == float(f"{x:.{decimals}f}")


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0, max_value=1e9, allow_nan=False), st.integers(0, 2))
def test_round_trip_money(x, decimals):
    printed = "£" + format_number(x, decimals)
    v = parse_value(printed)
    assert v.value == float(f"{x:.{decimals}f}") and v.unit == MONEY
