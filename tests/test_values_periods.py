"""parse_period and find_periods: every period form in the seeds and the brief, plus properties."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.values import Period, PeriodKind, find_periods, parse_period
from extractors.values.periods import add_months, month_end

K = PeriodKind
D = date

# (printed, kind, start, end, key)
PERIODS = [
    # 000 column headers
    ("Mar 2017", K.month, D(2017, 3, 1), D(2017, 3, 31), "2017-03"),
    ("Q1 Jun 2017", K.quarter, D(2017, 4, 1), D(2017, 6, 30), "FY2017-18 Q1"),
    ("Q2 Sep 2017", K.quarter, D(2017, 7, 1), D(2017, 9, 30), "FY2017-18 Q2"),
    ("Q3 Dec 2017", K.quarter, D(2017, 10, 1), D(2017, 12, 31), "FY2017-18 Q3"),
    ("Q4 Mar 2018", K.quarter, D(2018, 1, 1), D(2018, 3, 31), "FY2017-18 Q4"),
    ("Q4 2017/18", K.quarter, D(2018, 1, 1), D(2018, 3, 31), "FY2017-18 Q4"),  # 000 'Q4 2017/18 CABINET'
    # 002 and 003 headers
    ("Apr 2014", K.month, D(2014, 4, 1), D(2014, 4, 30), "2014-04"),
    ("Jan 2015", K.month, D(2015, 1, 1), D(2015, 1, 31), "2015-01"),
    ("Dec 2014", K.month, D(2014, 12, 1), D(2014, 12, 31), "2014-12"),
    ("Jun-18", K.month, D(2018, 6, 1), D(2018, 6, 30), "2018-06"),
    ("Jun-17", K.month, D(2017, 6, 1), D(2017, 6, 30), "2017-06"),
    ("Jan-15", K.month, D(2015, 1, 1), D(2015, 1, 31), "2015-01"),
    ("Jan-16", K.month, D(2016, 1, 1), D(2016, 1, 31), "2016-01"),
    ("Feb-16", K.month, D(2016, 2, 1), D(2016, 2, 29), "2016-02"),  # leap year
    ("2014", K.calendar_year, D(2014, 1, 1), D(2014, 12, 31), "2014"),  # 002 benchmark year
    # 004
    ("17/18 Q1", K.quarter, D(2017, 4, 1), D(2017, 6, 30), "FY2017-18 Q1"),
    ("2017/18 Q1", K.quarter, D(2017, 4, 1), D(2017, 6, 30), "FY2017-18 Q1"),
    ("2017-18 Quarter 1", K.quarter, D(2017, 4, 1), D(2017, 6, 30), "FY2017-18 Q1"),
    ("Quarter 1 2017/18", K.quarter, D(2017, 4, 1), D(2017, 6, 30), "FY2017-18 Q1"),
    ("Q1 of 2017/18", K.quarter, D(2017, 4, 1), D(2017, 6, 30), "FY2017-18 Q1"),
    ("16/17", K.financial_year, D(2016, 4, 1), D(2017, 3, 31), "FY2016-17"),
    ("17/18", K.financial_year, D(2017, 4, 1), D(2018, 3, 31), "FY2017-18"),
    ("2017/18", K.financial_year, D(2017, 4, 1), D(2018, 3, 31), "FY2017-18"),
    ("2017-18", K.financial_year, D(2017, 4, 1), D(2018, 3, 31), "FY2017-18"),
    ("2017\u201318", K.financial_year, D(2017, 4, 1), D(2018, 3, 31), "FY2017-18"),
    ("2017/2018", K.financial_year, D(2017, 4, 1), D(2018, 3, 31), "FY2017-18"),
    ("FY 2017/18", K.financial_year, D(2017, 4, 1), D(2018, 3, 31), "FY2017-18"),
    ("financial year 2017/18", K.financial_year, D(2017, 4, 1), D(2018, 3, 31), "FY2017-18"),
    ("Target 17-18", None, None, None, None),  # a header with a word before: find_periods, not parse
    ("quarter to June 2017", K.quarter, D(2017, 4, 1), D(2017, 6, 30), "FY2017-18 Q1"),
    ("the quarter ending 30 June 2017", K.quarter, D(2017, 4, 1), D(2017, 6, 30), "FY2017-18 Q1"),
    ("end of June 2017", K.snapshot, D(2017, 6, 30), D(2017, 6, 30), "2017-06-30"),
    ("12 <sup>th</sup> September 2017", K.snapshot, D(2017, 9, 12), D(2017, 9, 12), "2017-09-12"),
    ("25 August 2017", K.snapshot, D(2017, 8, 25), D(2017, 8, 25), "2017-08-25"),
    # 001
    ("At the end of September 2018", K.snapshot, D(2018, 9, 30), D(2018, 9, 30), "2018-09-30"),
    ("between 1 April 2018 and 30 September 2018", K.range, D(2018, 4, 1), D(2018, 9, 30),
     "2018-04-01..2018-09-30"),
    ("academic year 2016/17", K.academic_year, D(2016, 9, 1), D(2017, 8, 31), "AY2016-17"),
    ("the academic year 2016/17", K.academic_year, D(2016, 9, 1), D(2017, 8, 31), "AY2016-17"),
    ("2016-17 academic year", K.academic_year, D(2016, 9, 1), D(2017, 8, 31), "AY2016-17"),
    ("AY 2016/17", K.academic_year, D(2016, 9, 1), D(2017, 8, 31), "AY2016-17"),
    ("(2016/17 figures)", K.financial_year, D(2016, 4, 1), D(2017, 3, 31), "FY2016-17"),
    ("(2018 figures)", K.calendar_year, D(2018, 1, 1), D(2018, 12, 31), "2018"),
    ("2018", K.calendar_year, D(2018, 1, 1), D(2018, 12, 31), "2018"),
    ("In 2018", K.calendar_year, D(2018, 1, 1), D(2018, 12, 31), "2018"),
    ("30th July 2018", K.snapshot, D(2018, 7, 30), D(2018, 7, 30), "2018-07-30"),
    ("December 2018", K.month, D(2018, 12, 1), D(2018, 12, 31), "2018-12"),
    ("March 2019", K.month, D(2019, 3, 1), D(2019, 3, 31), "2019-03"),
    # multi-year, rolling, year ending
    ("2014-16", K.multi_year, D(2014, 1, 1), D(2016, 12, 31), "2014-2016"),
    ("2015\u201318", K.multi_year, D(2015, 1, 1), D(2018, 12, 31), "2015-2018"),
    ("2014 to 2016", K.multi_year, D(2014, 1, 1), D(2016, 12, 31), "2014-2016"),
    ("year ending 31 March 2018", K.financial_year, D(2017, 4, 1), D(2018, 3, 31), "FY2017-18"),
    ("year ending March 2018", K.financial_year, D(2017, 4, 1), D(2018, 3, 31), "FY2017-18"),
    ("year ending 31 August 2017", K.academic_year, D(2016, 9, 1), D(2017, 8, 31), "AY2016-17"),
    ("year ending 31 December 2017", K.calendar_year, D(2017, 1, 1), D(2017, 12, 31), "2017"),
    ("year to June 2018", K.rolling, D(2017, 7, 1), D(2018, 6, 30), "12M to 2018-06-30"),
    ("12 months to June 2018", K.rolling, D(2017, 7, 1), D(2018, 6, 30), "12M to 2018-06-30"),
    ("rolling 12 months to 30 September 2018", K.rolling, D(2017, 10, 1), D(2018, 9, 30),
     "12M to 2018-09-30"),
    ("six months to September 2018", K.rolling, D(2018, 4, 1), D(2018, 9, 30), "6M to 2018-09-30"),
    ("3 years to March 2018", K.rolling, D(2015, 4, 1), D(2018, 3, 31), "36M to 2018-03-31"),
    # other common forms
    ("March 2017", K.month, D(2017, 3, 1), D(2017, 3, 31), "2017-03"),
    ("Mar-2017", K.month, D(2017, 3, 1), D(2017, 3, 31), "2017-03"),
    ("Mar'17", K.month, D(2017, 3, 1), D(2017, 3, 31), "2017-03"),
    ("Sept 2017", K.month, D(2017, 9, 1), D(2017, 9, 30), "2017-09"),
    ("Mar 17", K.month, D(2017, 3, 1), D(2017, 3, 31), "2017-03"),  # whole cells only
    ("Apr-Jun 2017", K.quarter, D(2017, 4, 1), D(2017, 6, 30), "FY2017-18 Q1"),
    ("Apr 2014 - Mar 2015", K.financial_year, D(2014, 4, 1), D(2015, 3, 31), "FY2014-15"),
    ("Jan - Mar 2018", K.quarter, D(2018, 1, 1), D(2018, 3, 31), "FY2017-18 Q4"),
    ("Nov 2017 to Feb 2018", K.range, D(2017, 11, 1), D(2018, 2, 28), "2017-11-01..2018-02-28"),
    ("31/03/2018", K.snapshot, D(2018, 3, 31), D(2018, 3, 31), "2018-03-31"),
    ("2018-03-31", K.snapshot, D(2018, 3, 31), D(2018, 3, 31), "2018-03-31"),
    ("as at 31 March 2018", K.snapshot, D(2018, 3, 31), D(2018, 3, 31), "2018-03-31"),
    ("March 31, 2018", K.snapshot, D(2018, 3, 31), D(2018, 3, 31), "2018-03-31"),
    ("end of 2017/18", K.snapshot, D(2018, 3, 31), D(2018, 3, 31), "2018-03-31"),
    ("Q1 2018", K.quarter, D(2018, 1, 1), D(2018, 3, 31), "FY2017-18 Q4"),  # calendar quarter, noted
]


@pytest.mark.parametrize("printed, kind, start, end, key", PERIODS)
def test_parse_period(printed, kind, start, end, key):
    p = parse_period(printed)
    if kind is None:
        assert p is None
        return
    assert p is not None, printed
    assert (p.kind, p.start, p.end, p.key) == (kind, start, end, key)
    assert p.start <= p.end


@pytest.mark.parametrize("printed", [
    "Month only (not quarterly data)", "Financial year", "Current outturn", "Annex A /Ofsted Baseline/ June",
    "Latest performance (RAG)", "12 month average", "12-mnth max value", "% change from previous month",
    "Commentary (Jun-18):", "Jun-17 Jul-17", "30%", "", None, "Quarter 4", "April", "in Q1", "this month",
    "16-17 year olds", "0-17", "11-25 days", "31 February 2018", "Q5 2017", "13/15", "1357",
])
def test_parse_period_none(printed):
    assert parse_period(printed) is None


def test_label_is_as_printed():
    assert parse_period("  Q1   Jun 2017 ").label == "Q1 Jun 2017"
    assert parse_period("<p>Mar 2017</p>").label == "Mar 2017"


def test_quarter_month_check():
    assert parse_period("Q1 Jun 2017").warnings == []
    q = parse_period("Q3 Jun 2017")  # neither FY (Q1) nor calendar (Q2) numbering
    assert q.key == "FY2017-18 Q1" and q.warnings and "Q3" in q.warnings[0]
    q = parse_period("Q2 Jun 2017")  # calendar numbering: same quarter, noted
    assert q.key == "FY2017-18 Q1" and q.assumptions and not q.warnings
    q = parse_period("Q1 May 2017")  # not a quarter-end month
    assert q.warnings and q.start == D(2017, 3, 1)


def test_assumptions_are_recorded():
    assert "financial year" in parse_period("2016/17").assumptions[0]
    assert parse_period("academic year 2016/17").assumptions == []
    assert "calendar" in parse_period("2018").assumptions[0]


# Yearless labels need the paper's date.
CONTEXT = [
    ("Quarter 4", D(2018, 6, 1), K.quarter, "FY2017-18 Q4"),  # 000, a Cabinet paper after Q4 2017/18
    ("Q4", D(2018, 3, 31), K.quarter, "FY2017-18 Q4"),
    ("in Q1", D(2017, 9, 12), K.quarter, "FY2017-18 Q1"),  # 004, 12 September 2017
    ("quarter 1", D(2017, 9, 12), K.quarter, "FY2017-18 Q1"),
    ("Q3", D(2017, 9, 12), K.quarter, "FY2016-17 Q3"),  # Q3 2017/18 had not started by then
    ("At the end of Quarter 4", D(2018, 6, 1), K.snapshot, "2018-03-31"),
    ("At the end of April", D(2018, 6, 1), K.snapshot, "2018-04-30"),  # 000 row 1 commentary
    ("April", D(2018, 6, 1), K.month, "2018-04"),
    ("in January", D(2015, 2, 10), K.month, "2015-01"),  # 002
    ("June", D(2018, 5, 1), K.month, "2017-06"),
    ("Jun", D(2018, 7, 1), K.month, "2018-06"),
]


@pytest.mark.parametrize("printed, context, kind, key", CONTEXT)
def test_parse_period_with_context(printed, context, kind, key):
    p = parse_period(printed, context=context)
    assert (p.kind, p.key) == (kind, key)
    assert any("context" in a for a in p.assumptions)


def test_context_does_not_change_dated_labels():
    assert parse_period("Q1 Jun 2017", context=D(2020, 1, 1)).key == "FY2017-18 Q1"


# --------------------------------------------------------------------------- find_periods

FIND = [
    ("% Referrals in 16/17 that are repeat referrals within 12 months of a previous referral",
     [("16/17", "FY2016-17")]),  # 004 Green #1
    ("(Updated Nov-17. using 16-17 data)", [("Nov-17", "2017-11"), ("16-17", "FY2016-17")]),  # 003
    ("In 17/18 Q1 there are three red indicators, four amber indicators and six green indicators.",
     [("17/18 Q1", "FY2017-18 Q1")]),
    ("The most recent report, providing information for Children's Services covering the quarter to "
     "June 2017, is provided as Appendix A", [("quarter to June 2017", "FY2017-18 Q1")]),
    ("the latest indicators available ... are the Quarterly indicators reported at the end of June 2017.",
     [("at the end of June 2017", "2017-06-30")]),
    ("Of the children who became subject to a child protection plan between 1 April 2018 and 30 September "
     "2018, 13.7% were subject to a second", [("between 1 April 2018 and 30 September 2018",
                                               "2018-04-01..2018-09-30")]),
    ("In the 2016-17 academic year the permanent exclusions rate for primary schools in Buckinghamshire was "
     "0.04%", [("2016-17 academic year", "AY2016-17")]),
    ("There has been an upward trend since April 2014, however", [("April 2014", "2014-04")]),
    ("Since March 2018 we have been conducting monthly reviews", [("March 2018", "2018-03")]),
    ("The action plan will be completed in December 2018.", [("December 2018", "2018-12")]),
    ("In 2018, 79% of Buckinghamshire pupils ... the same as in 2016", [("2018", "2018"), ("2016", "2016")]),
    ("ratified on 30th July 2018.", [("30th July 2018", "2018-07-30")]),
    ("Committee on 12 <sup>th</sup> September 2017", [("12 <sup>th</sup> September 2017", "2017-09-12")]),
    ("Target 17- Target 18- Target 19-", []),  # OCR split header: nothing to find
    ("Q4 2017/18 CABINET Commentary", [("Q4 2017/18", "FY2017-18 Q4")]),
    ("Jan 2015\t2014\t2014\t2014", [("Jan 2015", "2015-01"), ("2014", "2014"), ("2014", "2014"),
                                    ("2014", "2014")]),  # 002 rate box header
]


@pytest.mark.parametrize("text, expected", FIND)
def test_find_periods(text, expected):
    found = find_periods(text)
    assert [(text[s:e], p.key) for (s, e), p in found] == expected


# Numbers that are not periods.
@pytest.mark.parametrize("text", [
    "Number of new referrals rate per 10,000 (0-17 year olds)",
    "children aged 16-17",
    "16-17 year olds",
    "within 11-25 days", "in the coming 4-6 weeks", "within 12 months", "over the last four months",
    "£20m over the next three years", "Telephone No 0118 974 4086", "1357 1491 1259", "this month",
    "Referrals in January have decreased by 26%",  # no context: yearless month not dated
    "it may be", "2017%", "Rate 2015.5",
])
def test_find_periods_none(text):
    assert find_periods(text) == []


def test_find_periods_with_context():
    text = ("At the end of Quarter 4 our performance is 36%. ... At the end of April, performance had improved "
            "to 29%.")
    found = find_periods(text, context=D(2018, 6, 1))
    assert [(text[s:e], p.key) for (s, e), p in found] == [
        ("At the end of Quarter 4", "2018-03-31"), ("At the end of April", "2018-04-30")]


# --------------------------------------------------------------------------- properties

_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_FULL = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
         "November", "December"]


@settings(max_examples=300, deadline=None)
@given(st.integers(1970, 2069), st.integers(1, 12), st.sampled_from(
    ["{mon} {y}", "{full} {y}", "{mon}-{yy}", "{mon}-{y}", "{mon}'{yy}", "{MON} {y}", "{mon} {yy}",
     "{full}, {y}", "{mon}. {y}"]))
def test_month_label_round_trips(year, month, style):
    label = style.format(mon=_MONTHS[month - 1], full=_FULL[month - 1], MON=_MONTHS[month - 1].upper(),
                         y=year, yy=f"{year % 100:02d}")
    p = parse_period(label)
    assert p is not None, label
    assert p.kind == K.month
    assert (p.start, p.end) == (D(year, month, 1), month_end(year, month))
    assert p.key == f"{year}-{month:02d}"


@settings(max_examples=300, deadline=None)
@given(st.integers(1990, 2060), st.integers(1, 4))
def test_quarter_labels_agree(fy, q):
    end_month = {1: 6, 2: 9, 3: 12, 4: 3}[q]
    end_year = fy + 1 if q == 4 else fy
    labels = [f"Q{q} {fy}/{(fy + 1) % 100:02d}", f"{fy % 100:02d}/{(fy + 1) % 100:02d} Q{q}",
              f"Q{q} {_MONTHS[end_month - 1]} {end_year}", f"Quarter {q} {fy}-{(fy + 1) % 100:02d}",
              f"quarter to {_FULL[end_month - 1]} {end_year}"]
    periods = [parse_period(x) for x in labels]
    assert all(p is not None for p in periods), labels
    assert len({(p.start, p.end, p.key) for p in periods}) == 1
    p = periods[0]
    assert p.kind == K.quarter and p.key == f"FY{fy}-{(fy + 1) % 100:02d} Q{q}"
    assert p.end == month_end(end_year, end_month)
    assert add_months(p.start.year, p.start.month, 2) == (p.end.year, p.end.month)


@settings(max_examples=200, deadline=None)
@given(st.dates(D(1990, 1, 1), D(2069, 12, 31)))
def test_date_label_round_trips(d):
    for label in (f"{d.day} {_FULL[d.month - 1]} {d.year}", f"{d:%d/%m/%Y}", d.isoformat(),
                  f"end of {_FULL[d.month - 1]} {d.year}"):
        p = parse_period(label)
        assert p is not None and p.kind == K.snapshot and p.start == p.end
        assert p.end == (month_end(d.year, d.month) if label.startswith("end of") else d)


@settings(max_examples=200, deadline=None)
@given(st.integers(1990, 2068))
def test_year_pairs(y):
    fy = parse_period(f"{y}/{(y + 1) % 100:02d}")
    ay = parse_period(f"academic year {y}/{(y + 1) % 100:02d}")
    assert (fy.start, fy.end) == (D(y, 4, 1), D(y + 1, 3, 31))
    assert (ay.start, ay.end) == (D(y, 9, 1), D(y + 1, 8, 31))


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=200), st.none() | st.dates(D(1990, 1, 1), D(2069, 12, 31)))
def test_find_periods_never_raises_and_is_well_formed(text, context):
    found = find_periods(text, context=context)
    last_end = -1
    for (s, e), p in found:
        assert isinstance(p, Period)
        assert 0 <= s < e <= len(text)
        assert s >= last_end  # spans do not overlap
        last_end = e
        assert p.start <= p.end
        assert p.label
    p = parse_period(text, context=context)
    assert p is None or p.start <= p.end


_PIECES = st.sampled_from(["Q1", "Q4", "Quarter 2", " ", "Jun", "June", "-", "/", "17", "18", "2017", "2018",
                           "end of", "year ending", "academic year", "31", "March", "12 months to", "and",
                           "between", "1", "to", "(", ")", "figures", "Sept", "'", "\u2013", "FY", "2016"])


@settings(max_examples=500, deadline=None)
@given(st.lists(_PIECES, max_size=10).map(" ".join), st.none() | st.dates(D(2000, 1, 1), D(2030, 1, 1)))
def test_period_grammar_fuzz(text, context):
    for (s, e), p in find_periods(text, context=context):
        assert p.start <= p.end and 0 <= s < e <= len(text)
    p = parse_period(text, context=context)
    assert p is None or p.start <= p.end
