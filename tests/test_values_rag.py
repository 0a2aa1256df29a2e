"""parse_rag, parse_polarity, parse_rag_rule and detect_unit."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.values import detect_unit, parse_polarity, parse_rag, parse_rag_rule, rag_bands
from schemas import Polarity, Rag, Unit

RAGS = [
    ("Red", Rag.red), ("RED", Rag.red), ("red", Rag.red), ("R", Rag.red), ("<p>Red</p>", Rag.red),
    ("Amber", Rag.amber), ("AMBER", Rag.amber), ("A", Rag.amber), ("a", Rag.amber),
    ("Green", Rag.green), ("GREEN", Rag.green), ("G", Rag.green), ("(G)", Rag.green),
    # OCR damage
    ("Gree n", Rag.green), ("G r e e n", Rag.green), ("Arnber", Rag.amber), ("Amher", Rag.amber),
    ("6reen", Rag.green), ("Gr33n", Rag.green), ("Gren", Rag.green), ("AMB ER", Rag.amber),
    # decorations
    ("RAG: Red", Rag.red), ("Rating: Amber", Rag.amber), ("Green - on track", Rag.green),
    ("Green (achieved target)", Rag.green), ("Red.", Rag.red), ("  amber  ", Rag.amber),
    # glyphs
    ("🔴", Rag.red), ("🟠", Rag.amber), ("🟢", Rag.green),
]


@pytest.mark.parametrize("text, rag", RAGS)
def test_parse_rag(text, rag):
    assert parse_rag(text) == rag


@pytest.mark.parametrize("text", [
    "", None, "n/a", "-", "Latest performance (RAG)", "Current RAG", "RAG", "Red or Amber",
    "Amber/Green", "Red, Amber", "B", "Blue", "read", "Rod", "Good", "Positive", "Low",
    "All areas of lower than expected performance (Red or Amber)", "x" * 200, "30%",
])
def test_parse_rag_none(text):
    assert parse_rag(text) is None


POLARITIES = [
    ("Low", Polarity.lower_better), ("High", Polarity.higher_better),  # 000 'Good to be'
    ("<p>Low</p>", Polarity.lower_better),
    ("Good to be Low", Polarity.lower_better), ("Good to be: High", Polarity.higher_better),
    ("(good to be low)", Polarity.lower_better),  # 000 commentary
    ("Higher is better", Polarity.higher_better), ("Lower is better", Polarity.lower_better),
    ("High is good", Polarity.higher_better), ("a low value is good", Polarity.lower_better),  # LGI wording
    ("a high value is good", Polarity.higher_better), ("Bigger is better", Polarity.higher_better),
    ("Smaller is better", Polarity.lower_better), ("Aim to reduce", Polarity.lower_better),
    ("Aim to increase", Polarity.higher_better), ("Polarity: Low", Polarity.lower_better),
    ("Contextual", Polarity.contextual), ("Neutral", Polarity.contextual), ("No polarity", Polarity.contextual),
]


@pytest.mark.parametrize("text, polarity", POLARITIES)
def test_parse_polarity(text, polarity):
    assert parse_polarity(text) == polarity


@pytest.mark.parametrize("text", ["Positive", "Negative", "-", "", None, "↑", "Month only (not quarterly data)",
                                  "Red", "30%", "Financial year"])
def test_parse_polarity_none(text):
    # 'Positive' (003 M1) is ambiguous: it sits next to a count with no good direction
    assert parse_polarity(text) is None


def test_rag_rule_from_seed_000():
    text = ("Note: There is a 14% tolerance against the target of 100% to align with Statistical Neighbour "
            "performance (86%-100% = Green, less than 86% = Amber, less than 77.4% = Red).")
    rule = parse_rag_rule(text)
    assert rule is not None
    assert (rule.green_from, rule.red_below) == (86.0, 77.4)
    assert rule.text == "86%-100% = Green, less than 86% = Amber, less than 77.4% = Red"


@pytest.mark.parametrize("text, green_from, red_below", [
    ("86%-100% = Green, less than 86% = Amber, less than 77.4% = Red", 86, 77.4),
    ("Green: 95% or more; Amber: 85% to 95%; Red: below 85%", 95, 85),
    ("Green = at least 90%, Amber = 80-90%, Red = under 80%", 90, 80),
    ("90 - 100 = Green, 80 - 89.9 = Amber, < 80 = Red", 90, 80),
])
def test_rag_rule_forms(text, green_from, red_below):
    rule = parse_rag_rule(text)
    assert (rule.green_from, rule.red_below) == (green_from, red_below)


@pytest.mark.parametrize("text", ["0-20% = Green, more than 25% = Red",  # lower is better: not expressible
                                  "Green", "Statistical Neighbours (86%)", "", None, "86% = Green"])
def test_rag_rule_none(text):
    assert parse_rag_rule(text) is None


def test_rag_bands_lower_better_kept():
    assert rag_bands("0-20% = Green, more than 25% = Red") == {"green": (0.0, 20.0), "red": (25.0, float("inf"))}


UNITS = [
    # labels from the seeds
    ("1 % repeat referrals", ["30%", "36%"], Unit.percent),
    ("<p>³ % of children subject to a Child Protection Plan lasting 2 years or more</p>", ["1%"], Unit.percent),
    ("% assessments completed in 45 working days", ["89%"], Unit.percent),
    ("Key Stage 1 - % of pupils reaching the expected standard in reading", ["79%"], Unit.percent),
    ("Permanent exclusion rate - primary", ["0.04%"], Unit.percent),
    ("Rate per 10,000 subject to a Child Protection Plan", ["29.1"], Unit.rate_per_10000),
    ("Number of new referrals of Children in Need (CiN) rate per 10,000 (0-17 year olds)", ["62"],
     Unit.rate_per_10000),
    ("Rate of Section 47 (S47) enquiries started per 10,000 children aged 0-17", ["21"], Unit.rate_per_10000),
    ("Looked after Children rate per 10,000", ["105"], Unit.rate_per_10000),
    ("Number of contacts received (includes contacts that become referrals)", ["1357"], Unit.count),
    ("Number of Single-Assessments (SA) completed:in 45 working days", ["170"], Unit.count),
    ("Number of Initial Child Protection Conferences (ICPCs) resulting in a Child Protection Plan (CPP)",
     ["34.50"], Unit.count),
    ("Percentage of all contacts that become new referrals of Children In Need (CiN)", ["22.6%"], Unit.percent),
    ("Percentage of adoptions (E11, E12)", [], Unit.percent),
    ("Sickness Rate", ["3.1%", "3.6%"], Unit.percent),
    ("Turnover rate", ["11.6%"], Unit.percent),
    ("Average days between entering care and moving in with the adoptive family", ["486"], Unit.days),
    ("A1: average days from court authority to place to match", [], Unit.days),
    ("Average SDQ score of CLA", ["14.2"], Unit.score),
    ("Average Attainment 8 score", [], Unit.score),
    ("Cost of agency staff", ["£1.2m"], Unit.other),
    ("Ratio of staff to children", [], Unit.ratio),
    # no label: the values decide
    ("", ["30%", "31%"], Unit.percent),
    ("LAC1", ["526", "515"], Unit.count),
    ("", ["29.1", "34.3"], Unit.other),
    ("", ["£1.2m"], Unit.other),
    ("", ["12 days"], Unit.days),
    ("", [], Unit.other),
]


@pytest.mark.parametrize("label, values, unit", UNITS)
def test_detect_unit(label, values, unit):
    assert detect_unit(label, values) == unit


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60), st.lists(st.text(max_size=12), max_size=5))
def test_never_raise(label, values):
    from extractors.values.units import _detect_unit
    assert isinstance(_detect_unit(label, values), Unit)
    parse_rag(label)
    parse_polarity(label)
    parse_rag_rule(label)
