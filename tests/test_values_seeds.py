"""The values library run over the five real seed papers (../shared/seeds), cell by cell.

The table splitting here is deliberately naive (tabs, <p> stripped): it only feeds the value
parsers real cells. Expected figures are read off the papers by hand.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from extractors.values import (
    classify_comparator,
    detect_unit,
    find_periods,
    parse_benchmarks,
    parse_period,
    parse_polarity,
    parse_rag,
    parse_target,
    parse_value,
    repair_value,
)
from extractors.values.text import clean
from schemas import Comparator, Polarity, Rag, Unit

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed papers not found at {SEEDS}")

SN, ENG, REG, CIPFA = (Comparator.stat_neighbours, Comparator.england, Comparator.region,
                       Comparator.cipfa_neighbours)
LOW, HIGH = Polarity.lower_better, Polarity.higher_better
RED, AMBER, GREEN = Rag.red, Rag.amber, Rag.green


def seed(n: int) -> str:
    return next(SEEDS.glob(f"{n:03d}_*.txt")).read_text(encoding="utf-8")


def rows(text: str, min_cells: int) -> list[list[str]]:
    out = []
    for line in text.splitlines():
        cells = [clean(c) for c in line.split("\t")]
        while cells and not cells[-1]:
            cells.pop()
        if len(cells) >= min_cells and not set(line) <= set("-\t ") and not cells[0].startswith("Measure"):
            out.append(cells)
    return out


# --------------------------------------------------------------------------- seed 000

# row -> (polarity, target, tolerance, five values, rag, benchmarks, rag rule)
S000 = {
    1: (LOW, 20, None, [30, 30, 35, 27, 36], RED, [(SN, 21), (ENG, 22), (REG, 26)], None),
    2: (LOW, 18, None, [None, 18, 23, 32, 18], GREEN, [(SN, 23), (REG, 22), (ENG, 19)], None),
    3: (LOW, 2, None, [1, 1, 3, 2, 2], GREEN, [(SN, 2), (ENG, 2), (REG, 3)], None),
    4: (HIGH, 78, None, [90, 93, 86, 91, 89], GREEN, [(SN, 79), (REG, 80), (ENG, 84)], None),
    5: (HIGH, 47, None, [64, 65, 60, 67, 60], GREEN, [(SN, 52), (REG, 50), (ENG, 50)], None),
    6: (HIGH, 100, 5, [None, 90, 88, 88, 90], AMBER, [], None),
    7: (HIGH, 100, 5, [95, 95, 95, 96, 94], AMBER, [], None),
    8: (HIGH, 100, 5, [94, 93, 93, 95, 87], AMBER, [], None),
    9: (HIGH, 100, 15, [None, 86, 81, 77, 80], AMBER, [], None),
    10: (HIGH, 100, 5, [96, 88, 95, 95, 94], AMBER, [], None),
    11: (HIGH, 100, 5, [96, 87, 94, 98, 100], GREEN, [], None),
    12: (HIGH, 100, 14, [89, 81, 75, 69, 83], AMBER, [(SN, 86), (REG, 83), (ENG, 83)], (86, 77.4)),
    13: (HIGH, 100, 18, [53, 56, 91, 95, 82], GREEN, [(SN, 82), (REG, 72), (ENG, 77)], None),
    14: (HIGH, 56, None, [38, 36, 57, 51, 47], RED, [(SN, 62), (REG, 63), (ENG, 74)], None),
    15: (HIGH, 24, None, [17, 16, 16, 15, 15], RED, [(CIPFA, 44)], None),
    16: (LOW, 10, None, [11, 10, 12, 13, 14], RED, [(CIPFA, 9)], None),
    17: (LOW, 100, None, [79, 67, 50, 55, 56], RED, [(SN, 43), (ENG, 47)], None),  # 'Low' is the paper's (D3)
}


def seed000_rows() -> list[list[str]]:
    out = []
    for cells in rows(seed(0), 11):
        if re.fullmatch(r"\d+", cells[0]):  # item number in its own cell
            cells = [f"{cells[0]} {cells[1]}", *cells[2:]]
        out.append(cells)
    return out


def test_seed000_has_17_rows():
    assert len(seed000_rows()) == 17


@pytest.mark.parametrize("n", sorted(S000))
def test_seed000_row(n):
    cells = seed000_rows()[n - 1]
    polarity, target, tol, vals, rag, benchmarks, rule = S000[n]
    label = cells[0]
    assert label.split()[0] in (str(n), "³", "⁴")  # item numbers: own cell, fused, or OCR superscripts
    unit = detect_unit(label, cells[4:9])
    assert unit == Unit.percent
    assert parse_polarity(cells[1]) == polarity
    assert parse_period(cells[2]) is None  # 'Month only (not quarterly data)' / 'Financial year'
    t = parse_target(cells[3], unit)
    assert (t.target, t.tolerance) == (target, tol)
    parsed = [parse_value(c, unit) for c in cells[4:9]]
    assert [p.value for p in parsed] == vals
    assert all(p.missing_reason in (None, "new indicator", "new definition") for p in parsed)
    assert parse_rag(cells[9]) == rag
    b = parse_benchmarks(cells[10], unit)
    assert [(x.comparator, x.value) for x in b.benchmarks] == [(c, float(v)) for c, v in benchmarks]
    if not benchmarks:
        assert b.missing_reason == "not available"
    if rule:
        assert (b.rag_rule.green_from, b.rag_rule.red_below) == rule
    else:
        assert b.rag_rule is None
    if n in (15, 16):
        assert b.period_label == "2016"


def test_seed000_headers():
    header = next(line for line in seed(0).splitlines() if line.startswith("Measure"))
    cells = header.split("\t")
    keys = [parse_period(c).key for c in cells[4:9]]
    assert keys == ["2017-03", "FY2017-18 Q1", "FY2017-18 Q2", "FY2017-18 Q3", "FY2017-18 Q4"]
    assert parse_period(cells[11].replace(" CABINET Commentary", "")).key == "FY2017-18 Q4"
    assert parse_rag(cells[9]) is None  # 'Latest performance (RAG)'


def test_seed000_commentary_periods():
    text = seed(0)
    found = {text[s:e] for (s, e), _ in find_periods(text, context=date(2018, 6, 1))}
    assert {"At the end of Quarter 4", "At the end of April", "March 2018", "2016"} <= found


# --------------------------------------------------------------------------- seed 001

# (target, current, rag, benchmarks, period)
S001 = [
    (19, 13.7, GREEN, [(SN, 23), (REG, 22), (ENG, 19)], None),
    (82, 51, RED, [(SN, 81), (REG, 84), (ENG, 83)], None),
    (80, 68, RED, [(SN, 82), (REG, 75), (ENG, 77)], None),
    (28, 30, RED, [(SN, 21), (REG, 26), (ENG, 22)], None),
    (91, 80, RED, [], None),
    (47, 55, RED, [(SN, 24), (REG, 16), (ENG, 14)], None),
    (75, 39, RED, [(SN, 43), (REG, 46), (ENG, 47)], None),
    (60, 57, AMBER, [(SN, 52), (REG, 50), (ENG, 50)], None),
    (79, 79, GREEN, [(ENG, 75), (REG, 78)], "2018"),
    (69, 72, GREEN, [(ENG, 70), (REG, 71)], "2018"),
    (76, 78, GREEN, [(ENG, 76), (REG, 78)], "2018"),
    (64, 66, GREEN, [(ENG, 64), (REG, 65)], "2018"),
    (0.03, 0.04, RED, [(ENG, 0.03), (REG, 0.02)], "2016/17"),
    (0.17, 0.25, RED, [(ENG, 0.20), (REG, 0.13)], "2016/17"),
]


def seed001_rows() -> list[list[str]]:
    out = []
    for cells in rows(seed(1), 5):
        if re.fullmatch(r"\d+", cells[0]):
            cells = [f"{cells[0]} {cells[1]}", *cells[2:]]
        if cells[0].startswith(("▶", "►")) or "Target" in cells:
            continue
        out.append(cells)
    return out


def test_seed001_has_14_rows():
    assert len(seed001_rows()) == 14


@pytest.mark.parametrize("i", range(len(S001)))
def test_seed001_row(i):
    cells = seed001_rows()[i]
    target, current, rag, benchmarks, period = S001[i]
    unit = detect_unit(cells[0], [cells[2]])
    assert unit == Unit.percent
    assert parse_target(cells[1], unit).target == target
    v = parse_value(cells[2], unit)
    assert v.value == current
    if i >= 12:  # exclusions: the value carries a note with its academic year (T10)
        assert v.note.period.key == "AY2016-17"
    assert parse_rag(cells[3]) == rag
    b = parse_benchmarks(cells[4], unit)
    assert [(x.comparator, x.value) for x in b.benchmarks] == [(c, pytest.approx(v)) for c, v in benchmarks]
    assert b.period_label == period
    if not benchmarks:
        assert b.missing_reason == "not available"


def test_seed001_commentary_periods():
    text = seed(1)
    keys = {p.key for _, p in find_periods(text)}
    assert {"2018-09-30", "2018-04-01..2018-09-30", "AY2016-17", "2018-12", "2019-03", "2018"} <= keys


# --------------------------------------------------------------------------- seed 002

def test_seed002_rate_boxes():
    text = seed(2)
    lines = [line.split("\t") for line in text.splitlines()]
    starts = [i for i, cells in enumerate(lines) if cells[0] == "Bucks"]
    assert len(starts) == 2
    expected = [[29.1, 34.3, 38.1, 42.1], [37.3, 37.2, 48.0, 60.0]]
    for start, exp in zip(starts, expected, strict=True):
        names, periods, values = lines[start][:4], lines[start + 1][:4], lines[start + 2][:4]
        assert [classify_comparator(n) for n in names[1:]] == [SN, REG, ENG]
        assert [parse_period(p).key for p in periods] == ["2015-01", "2014", "2014", "2014"]
        assert [parse_value(v, Unit.rate_per_10000).value for v in values] == exp
        assert detect_unit(lines[start - 2][0] if lines[start - 1][0] == "" else lines[start - 1][0], values) \
            == Unit.rate_per_10000


def test_seed002_success_measures_align_on_trailing_columns():
    # rows shifted left by a merged 'n/a' cell still end outturn, target, RAG, Jan-16 target
    expected = [(31.0, 25.0, RED, 23), (76.0, 85.0, RED, 100), (89.0, 93.0, AMBER, 100), (95.0, 85.0, GREEN, 100),
                (66.8, 85.0, RED, 100), (46.0, 46.0, GREEN, 70), (44.0, 70.0, RED, 100)]
    got = []
    for cells in rows(seed(2), 10):
        if not cells[0].startswith("%"):
            continue
        assert detect_unit(cells[0], cells[1:]) == Unit.percent
        outturn, target, rag, later = cells[-4:]
        got.append((parse_value(outturn).value, parse_target(target).target, parse_rag(rag),
                    parse_target(later).target))
        for c in cells[1:]:
            v = parse_value(c, Unit.percent)
            assert v.value is not None or v.missing_reason in ("blank", "not applicable") or parse_rag(c)
    assert got == expected


def test_seed002_headers():
    header = next(line for line in seed(2).splitlines() if line.startswith("Success Measure")).split("\t")
    months = [parse_period(c) for c in header[2:14]]
    assert [p.key for p in months] == [f"2014-{m:02d}" for m in range(4, 13)] + ["2015-01", "2015-02", "2015-03"]
    assert [classify_comparator(c) for c in header[14:17]] == [SN, REG, ENG]
    assert parse_period(header[-1]).key == "2016-01"  # 'Jan-16' target
    assert parse_period("Annex A /Ofsted Baseline/") is None


def test_seed002_sickness_and_turnover():
    text = seed(2)
    for line in text.splitlines():
        cells = [c for c in line.split("\t") if c]
        if len(cells) == 2 and cells[1].endswith("%"):
            assert parse_value(cells[1]).unit == Unit.percent
    b = parse_benchmarks("Stat Neighbour\t16.0%")
    assert [(x.comparator, x.value) for x in b.benchmarks] == [(SN, 16.0)]


# --------------------------------------------------------------------------- seed 003 (OCR)

def test_seed003_month_headers():
    text = seed(3)
    labels = [line.strip() for line in text.splitlines() if re.fullmatch(r"\s*[A-Z][a-z]{2}-\d\d\s*", line)]
    assert labels
    for label in labels:
        p = parse_period(label)
        assert p is not None and p.kind.value == "month" and date(2017, 6, 1) <= p.start <= date(2018, 6, 1)


def test_seed003_every_token_is_read_or_flagged():
    """Every one-token line of the OCR dump: a value, a placeholder, or flagged. Never a silent guess."""
    text = seed(3)
    tokens = [line.strip() for line in text.splitlines() if line.strip() and len(line.split()) <= 2
              and re.search(r"\d", line)]
    assert len(tokens) > 300
    for t in tokens:
        v = repair_value(t)
        assert (v.value is None) == (v.missing_reason is not None)
        assert all(r.evidence_strength == "strong" for r in v.repairs)
        if v.value is None and v.missing_reason in ("unreadable", "several values"):
            assert v.needs_review


@pytest.mark.parametrize("token, value", [
    ("1357", 1357.0), ("-8%", -8.0), ("6%", 6.0), ("22.6%", 22.6), ("-20%", -20.0), ("“56%", None),
    ("69.6%", 69.6), ("34.50", 34.5), ("1000%", 1000.0), ("Local", None), ("-", None),
])
def test_seed003_tokens(token, value):
    assert token in seed(3)
    v = repair_value(token)
    assert v.value == value


def test_seed003_targets_and_benchmarks():
    # the '(Updated Nov-17. using 16-17 data)' benchmark header and 'Local' placeholders
    b = parse_benchmarks("Stat. Neighbour Local England Local SE region Local (Updated Nov-17. using 16-17 data)")
    assert [(x.comparator, x.value, x.value_text) for x in b.benchmarks] == [
        (SN, None, "Local"), (ENG, None, "Local"), (REG, None, "Local")]
    assert b.period_label == "16-17"
    assert "92.0% 93.0% 94.0%" in seed(3) and parse_target("92.0% 93.0% 94.0%").targets == [92.0, 93.0, 94.0]
    assert "288 336 TBC" in seed(3) and parse_target("288 336 TBC").targets == [288.0, 336.0, None]


def test_seed003_polarity_positive_is_not_read():
    assert "Positive" in seed(3)
    assert parse_polarity("Positive") is None


# --------------------------------------------------------------------------- seed 004

def test_seed004_periods():
    text = seed(4)
    found = {(text[s:e], p.key) for (s, e), p in find_periods(text)}
    assert {("quarter to June 2017", "FY2017-18 Q1"), ("17/18 Q1", "FY2017-18 Q1"), ("16/17", "FY2016-17"),
            ("2017/18", "FY2017-18"), ("25 August 2017", "2017-08-25"),
            ("12 <sup>th</sup> September 2017", "2017-09-12")} <= found
    assert any(label.endswith("end of June 2017") for label, _ in found)
    # '% 16-18 year olds' style ranges and the phone number are not periods
    assert not any(label in ("0118", "974", "4086") for label, _ in found)


def test_seed004_yearless_quarters_with_context():
    text = seed(4)
    found = [(text[s:e], p.key) for (s, e), p in find_periods(text, context=date(2017, 9, 12))]
    assert ("Q1", "FY2017-18 Q1") in found
    assert ("quarter 1", "FY2017-18 Q1") in found


# --------------------------------------------------------------------------- all seeds

@pytest.mark.parametrize("n", range(5))
def test_find_periods_on_whole_seed(n):
    text = seed(n)
    found = find_periods(text, context=date(2018, 6, 1))
    assert found
    for (s, e), p in found:
        assert p.start <= p.end and 0 <= s < e <= len(text)
        assert p.start.year >= 2013 and p.end.year <= 2020, (text[s:e], p)
