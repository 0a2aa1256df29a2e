"""parse_benchmarks: every benchmark cell in the seeds and the brief, plus properties."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.values import ParsedBenchmarks, classify_comparator, parse_benchmarks
from extractors.values.benchmarks import _parse_benchmarks
from schemas import Comparator, Unit

SN, ENG, REG, CIPFA, OTHER = (Comparator.stat_neighbours, Comparator.england, Comparator.region,
                              Comparator.cipfa_neighbours, Comparator.other)

# (cell, unit_hint, [(comparator, label, value)], period_label)
CELLS = [
    ("Statistical Neighbours (21%) and England (22%), South East (26%).", None,
     [(SN, "Statistical Neighbours", 21), (ENG, "England", 22), (REG, "South East", 26)], None),  # 000 #1
    ("Statistical Neighbours (23%), the South East (22%) and England (19%).", None,
     [(SN, "Statistical Neighbours", 23), (REG, "South East", 22), (ENG, "England", 19)], None),  # 000 #2
    ("<p>Statistical Neighbours and England (2%), South East (3%).</p>", None,
     [(SN, "Statistical Neighbours", 2), (ENG, "England", 2), (REG, "South East", 3)], None),  # 000 #3 (T30)
    ("Statistical Neighbours (79%), South East (80%), England (84%).", None,
     [(SN, "Statistical Neighbours", 79), (REG, "South East", 80), (ENG, "England", 84)], None),
    ("Statistical Neighbours (82%), South East (72%) and England (77%).", None,
     [(SN, "Statistical Neighbours", 82), (REG, "South East", 72), (ENG, "England", 77)], None),
    ("Statistical Neighbours (43%), England (47%).", None,
     [(SN, "Statistical Neighbours", 43), (ENG, "England", 47)], None),  # 000 #17
    ("CIPFA neighbours (44%) - Source: Children Looked After CIPFA report 2016.", None,
     [(CIPFA, "CIPFA neighbours", 44)], "2016"),  # 000 #15
    ("Comparative CIPFA neighbours (9%) - Source: CLA CIPFA report 2016.", None,
     [(CIPFA, "Comparative CIPFA neighbours", 9)], "2016"),  # 000 #16
    ("Statistical Neighbours 23%, South East 22%, England 19%", None,
     [(SN, "Statistical Neighbours", 23), (REG, "South East", 22), (ENG, "England", 19)], None),  # 001
    ("Statistical Neighbours 81%, South East 84%, England 83%", None,
     [(SN, "Statistical Neighbours", 81), (REG, "South East", 84), (ENG, "England", 83)], None),
    ("England (state-funded schools) = 75% South East = 78% (2018 figures)", None,
     [(ENG, "England (state-funded schools)", 75), (REG, "South East", 78)], "2018"),  # 001 KS1
    ("England (state-funded) = 64% South East= 65% (2018 figures)", None,
     [(ENG, "England (state-funded)", 64), (REG, "South East", 65)], "2018"),  # 001 KS2
    ("England = 0.03 South East = 0.02 (2016/17 figures)", Unit.percent,
     [(ENG, "England", 0.03), (REG, "South East", 0.02)], "2016/17"),  # 001 exclusions (T32)
    ("England = 0.20 South East = 0.13 (2016/17 figures)", Unit.percent,
     [(ENG, "England", 0.20), (REG, "South East", 0.13)], "2016/17"),
    ("Stat Neighbour 16.0%", None, [(SN, "Stat Neighbour", 16.0)], None),  # 002 turnover
    ("Stat. N 34.3 South East 38.1 National 42.1", Unit.rate_per_10000,
     [(SN, "Stat. N", 34.3), (REG, "South East", 38.1), (ENG, "National", 42.1)], None),  # 002 rate box
    ("Stat. Neighbours 23.4% South East 28.1% National 23.4%", None,
     [(SN, "Stat. Neighbours", 23.4), (REG, "South East", 28.1), (ENG, "National", 23.4)], None),  # 002
    ("Stat. Neighbour Local England Local SE region Local (Updated Nov-17. using 16-17 data)", None,
     [(SN, "Stat. Neighbour", None), (ENG, "England", None), (REG, "SE region", None)], "16-17"),  # 003
    # variants
    ("SN: 23%; England: 19%; Regional: 22%", None,
     [(SN, "SN", 23), (ENG, "England", 19), (REG, "Regional", 22)], None),
    ("National average 47%, statistical neighbours 43%", None,
     [(ENG, "National average", 47), (SN, "statistical neighbours", 43)], None),
    ("England & South East (5%)", None, [(ENG, "England", 5), (REG, "South East", 5)], None),
    ("Wokingham 45%, Berkshire West 30%", None, [(OTHER, "Wokingham", 45), (OTHER, "Berkshire West", 30)], None),
    ("North West (12.5%), London (10.1%)", None, [(REG, "North West", 12.5), (REG, "London", 10.1)], None),
    ("CIPFA nearest neighbours 44% (2016)", None, [(CIPFA, "CIPFA nearest neighbours", 44)], "2016"),
    ("England 62 (2016/17), SN 69 (2016/17)", Unit.rate_per_10000, [(ENG, "England", 62), (SN, "SN", 69)],
     "2016/17"),
]


@pytest.mark.parametrize("cell, hint, expected, period", CELLS)
def test_benchmark_cells(cell, hint, expected, period):
    b = parse_benchmarks(cell, hint)
    got = [(x.comparator, x.label, x.value) for x in b.benchmarks]
    assert got == [(c, lab, None if v is None else pytest.approx(v)) for c, lab, v in expected]
    assert b.period_label == period
    assert all(x.period_label == period for x in b.benchmarks)
    assert b.rag_rule is None
    assert not b.needs_review, b.review_reason


def test_periods_per_value():
    b = parse_benchmarks("England 62 (2016/17), SN 69 (2015/16)", Unit.rate_per_10000)
    assert [(x.comparator, x.value, x.period_label) for x in b.benchmarks] == [
        (ENG, 62.0, "2016/17"), (SN, 69.0, "2015/16")]
    assert b.period_label is None  # no single period for the cell


def test_value_text_is_as_printed():
    b = parse_benchmarks("Statistical Neighbours (21%) and England (22%), South East (26%).")
    assert [x.value_text for x in b.benchmarks] == ["21%", "22%", "26%"]
    b = parse_benchmarks("England = 0.03 South East = 0.02 (2016/17 figures)", Unit.percent)
    assert [x.value_text for x in b.benchmarks] == ["0.03", "0.02"]  # 0.03 means 0.03%, not 3%


def test_rag_rule_is_not_benchmarks():
    # 000 #12 (T31): 86 / 100 / 77.4 / 14 are a tolerance and a RAG rule, not comparators
    cell = ("Statistical Neighbours (86%), South East (83%), England (83%). Note: There is a 14% tolerance "
            "against the target of 100% to align with Statistical Neighbour performance (86%-100% = Green, "
            "less than 86% = Amber, less than 77.4% = Red).")
    b = parse_benchmarks(cell)
    assert [(x.comparator, x.value) for x in b.benchmarks] == [(SN, 86.0), (REG, 83.0), (ENG, 83.0)]
    assert b.rag_rule is not None
    assert (b.rag_rule.green_from, b.rag_rule.red_below) == (86.0, 77.4)
    assert b.tolerance == 14.0
    assert b.note.startswith("Note: There is a 14% tolerance")
    assert not b.needs_review


def test_rag_rule_without_note_word():
    b = parse_benchmarks("England (80%) (90%-100% = Green, less than 90% = Amber, less than 81% = Red)")
    assert [(x.comparator, x.value) for x in b.benchmarks] == [(ENG, 80.0)]
    assert (b.rag_rule.green_from, b.rag_rule.red_below) == (90.0, 81.0)


@pytest.mark.parametrize("cell", [
    "Benchmarking information is not available.",  # 000
    "Benchmarking information is not currently available.",  # 000
    "Benchmarking information not currently available.",  # 001
    "<p>Benchmarking information is not available.</p>",
    "No benchmarking information is available for this indicator.",
])
def test_not_available(cell):
    b = parse_benchmarks(cell)
    assert b.benchmarks == [] and b.missing_reason == "not available" and b.note


def test_not_available_merged_with_commentary():
    # 000 #6: no benchmark cell; the sentence starts the commentary
    b = parse_benchmarks("<p>Benchmarking information is not available.</p> <p>This indicator relates to the "
                         "requirement for children who are being supported</p>")
    assert b.benchmarks == [] and b.missing_reason == "not available"


@pytest.mark.parametrize("cell", ["", None, "-", "n/a", "Local"])
def test_placeholder_cells(cell):
    b = parse_benchmarks(cell)
    assert b.benchmarks == [] and b.missing_reason is not None


def test_sentences_are_not_benchmarks():
    b = parse_benchmarks("Bucks is 5% below SN (23%)")
    assert [(x.comparator, x.label, x.value) for x in b.benchmarks] == [(SN, "SN", 23.0)]
    assert b.needs_review and "5%" in b.review_reason


COMPARATORS = [
    ("Statistical Neighbours", SN), ("Statistical Neighbour", SN), ("Stat. N", SN), ("Stat N", SN),
    ("Stat Neighbour", SN), ("Stat. Neighbours", SN), ("SN", SN), ("SNs", SN), ("statistical neighbour average", SN),
    ("England", ENG), ("England (state-funded schools)", ENG), ("National", ENG), ("nationally", ENG),
    ("national average", ENG), ("Eng", ENG),
    ("South East", REG), ("the South East", REG), ("SE region", REG), ("SE", REG), ("regional", REG),
    ("regional average", REG), ("North West", REG), ("Yorkshire and the Humber", REG), ("Inner London", REG),
    ("CIPFA neighbours", CIPFA), ("Comparative CIPFA neighbours", CIPFA), ("CIPFA nearest neighbours", CIPFA),
    ("statistical neighbours reported in the 2016 CIPFA report", CIPFA),  # 000 #15 commentary (D14)
    ("Wokingham", OTHER), ("Berkshire West", OTHER), ("Core cities", OTHER), ("", OTHER),
]


@pytest.mark.parametrize("label, comparator", COMPARATORS)
def test_classify_comparator(label, comparator):
    assert classify_comparator(label) == comparator


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_never_raises(text):
    b = _parse_benchmarks(text, None)
    assert isinstance(b, ParsedBenchmarks)


_NAMES = ["Statistical Neighbours", "England", "South East", "National", "SE region", "Stat. N",
          "CIPFA neighbours", "the South East"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_NAMES), st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 1)),
                          st.sampled_from(["{n} ({v}%)", "{n} {v}%", "{n} = {v}%", "{n}: {v}%"])),
                min_size=1, max_size=4),
       st.sampled_from([", ", " and ", "; ", " "]))
def test_generated_cells(pairs, sep):
    cell = sep.join(fmt.format(n=n, v=v) for n, v, fmt in pairs)
    b = parse_benchmarks(cell)
    assert [x.value for x in b.benchmarks] == [v for _, v, _ in pairs]
    assert [x.comparator for x in b.benchmarks] == [classify_comparator(n) for n, _, _ in pairs]


@settings(max_examples=200, deadline=None)
@given(st.floats(50, 99, allow_nan=False).map(lambda x: round(x, 1)),
       st.floats(0.5, 0.95, allow_nan=False), st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 1)))
def test_rule_numbers_never_become_benchmarks(green, factor, sn):
    red = round(green * factor, 1)
    cell = (f"Statistical Neighbours ({sn}%). Note: ({green}%-100% = Green, less than {green}% = Amber, "
            f"less than {red}% = Red).")
    b = parse_benchmarks(cell)
    assert [x.value for x in b.benchmarks] == [sn]
    assert (b.rag_rule.green_from, b.rag_rule.red_below) == (green, red)
