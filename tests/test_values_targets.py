"""parse_target: every target form in the seeds and common variants, plus properties."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.values import ParsedTarget, format_number, parse_target
from extractors.values.targets import _parse_target
from schemas import Polarity, Unit

P = Unit.percent

# (printed, target, tolerance, unit)
SINGLE = [
    ("20%", 20.0, None, P),  # 000 row 1
    ("<p>2%</p>", 2.0, None, P),  # 000 row 3
    ("100% (5% tolerance)", 100.0, 5.0, P),  # 000 rows 6-11
    ("100% (14% tolerance)", 100.0, 14.0, P),  # 000 row 12
    ("100% (15% tolerance)", 100.0, 15.0, P),
    ("100% (18% tolerance)", 100.0, 18.0, P),
    ("100%", 100.0, None, P),  # 000 row 17
    ("19%", 19.0, None, P),  # 001
    ("0.03%", 0.03, None, P),  # 001 exclusions
    ("0.17%", 0.17, None, P),
    ("25.0%", 25.0, None, P),  # 002 current target
    ("50", 50.0, None, None),  # 003 LAC6 annual target
    ("100% (tolerance 5%)", 100.0, 5.0, P),
    ("100% with a 5% tolerance", 100.0, 5.0, P),
    ("95% ± 2%", 95.0, 2.0, P),
    ("95% +/- 2%", 95.0, 2.0, P),
    ("100%, 5% tolerance", 100.0, 5.0, P),
]


@pytest.mark.parametrize("printed, target, tolerance, unit", SINGLE)
def test_single_targets(printed, target, tolerance, unit):
    t = parse_target(printed)
    assert (t.target, t.tolerance, t.unit) == (target, tolerance, unit)
    assert t.targets == [target]
    assert t.missing_reason is None and not t.needs_review


def test_unit_hint():
    assert parse_target("50", Unit.count).unit == Unit.count
    assert parse_target("87.1", P).unit == P


@pytest.mark.parametrize("printed, targets, unit", [
    ("92.0% 93.0% 94.0%", [92.0, 93.0, 94.0], P),  # 003 NI LA7, Target 17-18 / 18-19 / 19-20
    ("288 336 TBC", [288.0, 336.0, None], None),  # 003 EH1c
    ("112 TBC TBC", [112.0, None, None], None),  # 003 LAC9 (val)
    ("190 TBC TBC", [190.0, None, None], None),  # 003 LAC16
    ("515 460 390", [515.0, 460.0, 390.0], None),  # 003 LAC1
    ("17.1% 7.1%", [17.1, 7.1], P),
    ("- - -", None, None),  # a placeholder, not three targets
])
def test_several_targets(printed, targets, unit):
    t = parse_target(printed)
    if targets is None:
        assert t.missing_reason == "no value"
        return
    assert t.target is None and t.missing_reason == "several targets"
    assert t.targets == targets
    assert t.unit == unit
    assert len(t.parts) == len(targets)


def test_split_thousands_flagged():
    t = parse_target("1 357")
    assert t.targets == [1.0, 357.0] and t.needs_review and "1357" in t.review_reason


@pytest.mark.parametrize("printed, reason", [
    ("TBC", "to be confirmed"), ("", "blank"), ("-", "no value"), ("n/a", "not applicable"),
    ("No target", "no target"), ("Monitor only", "no target"),
])
def test_missing_targets(printed, reason):
    t = parse_target(printed)
    assert t.target is None and t.missing_reason == reason and t.targets == [None]


@pytest.mark.parametrize("printed, target, comparison", [
    (">= 95%", 95.0, ">="), ("≥95%", 95.0, ">="), ("at least 95%", 95.0, ">="), ("95% or above", 95.0, ">="),
    ("95% or more", 95.0, ">="), ("minimum 95%", 95.0, ">="), ("<= 10%", 10.0, "<="),
    ("no more than 10%", 10.0, "<="), ("10% or less", 10.0, "<="), ("< 10%", 10.0, "<"),
    ("below 10%", 10.0, "<"), ("above 80%", 80.0, ">"), ("60+", 60.0, ">="),
])
def test_comparisons(printed, target, comparison):
    t = parse_target(printed)
    assert (t.target, t.comparison) == (target, comparison)


@pytest.mark.parametrize("printed, direction", [
    ("Increase", "increase"), ("Improve", "increase"), ("Reduce", "decrease"), ("To reduce", "decrease"),
    ("Maintain", "maintain"), ("Maintain or improve", "maintain"),
])
def test_direction_only(printed, direction):
    t = parse_target(printed)
    assert t.target is None and t.direction == direction and t.missing_reason == "direction only"


def test_relative_target():
    t = parse_target("In line with statistical neighbours")
    assert t.target is None and t.missing_reason == "relative to a benchmark"


@pytest.mark.parametrize("printed", ["Annex A /Ofsted Baseline/ June", "see note", "Target 17-"])
def test_unreadable_targets(printed):
    t = parse_target(printed)
    assert t.target is None and t.missing_reason == "unreadable" and t.needs_review


def test_words_beside_target_flagged():
    t = parse_target("95% (provisional)")
    assert t.target == 95.0 and t.needs_review


@pytest.mark.parametrize("printed, polarity, effective", [
    ("100% (5% tolerance)", Polarity.higher_better, 95.0),  # 000: 'the tolerance target of 95%'
    ("100% (14% tolerance)", Polarity.higher_better, 86.0),
    ("100% (15% tolerance)", Polarity.higher_better, 85.0),
    ("100% (18% tolerance)", Polarity.higher_better, 82.0),
    ("20%", Polarity.lower_better, 20.0),
    ("10% (2% tolerance)", Polarity.lower_better, 12.0),
    ("10% (2% tolerance)", Polarity.contextual, 10.0),
    ("TBC", Polarity.higher_better, None),
])
def test_effective_target(printed, polarity, effective):
    assert parse_target(printed).effective_target(polarity) == effective


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_never_raises(text):
    t = _parse_target(text, None)
    assert isinstance(t, ParsedTarget)
    assert (t.target is None) == (t.missing_reason is not None)


@settings(max_examples=300, deadline=None)
@given(st.floats(0, 1000, allow_nan=False), st.floats(0, 100, allow_nan=False), st.integers(0, 2))
def test_tolerance_round_trip(target, tol, decimals):
    t_text, tol_text = format_number(target, decimals, percent=True), format_number(tol, decimals, percent=True)
    printed = f"{t_text} ({tol_text} tolerance)"
    t = parse_target(printed)
    assert t.target == float(f"{target:.{decimals}f}")
    assert t.tolerance == float(f"{tol:.{decimals}f}")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.floats(0, 10_000, allow_nan=False).map(lambda x: round(x, 1)), st.just(None)),
                min_size=2, max_size=4), st.booleans())
def test_several_targets_round_trip(values, percent):
    printed = " ".join("TBC" if v is None else format_number(v, 1, percent=percent, thousands=False)
                       for v in values)
    t = parse_target(printed)
    if all(v is None for v in values):
        # 'TBC TBC' is several placeholders: no numbers either way
        assert t.target is None
        return
    assert t.targets == values
