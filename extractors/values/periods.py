"""Reporting periods as papers print them, turned into dated :class:`Period` records.

The grammar has two layers, so that each form is written once and combines with others:

* **base tokens** (``_BASES``): a date ("31 March 2018"), a month ("Mar 2017", "Jun-18"), a
  quarter ("Q1 Jun 2017", "17/18 Q1", "Q4 2017/18"), a year pair ("2017/18", "2014-16"), a bare
  year ("2018"), a month or date range, and, only with a ``context`` date, a yearless quarter
  ("Quarter 4") or month ("April");
* **modifiers** (``_apply_modifiers``) read the words around a base: "end of" makes a snapshot,
  "academic year" re-reads a year pair, "quarter to" / "year ending" / "12 months to" turn a
  month or date into the window that ends there.

UK conventions: the financial year runs 1 April to 31 March and its quarters are Q1 Apr-Jun,
Q2 Jul-Sep, Q3 Oct-Dec, Q4 Jan-Mar; the academic year runs 1 September to 31 August.
A year pair with no qualifier ("2016/17") is read as a financial year and says so in
``assumptions``: papers use it for both, and only the words around it can tell.

``context`` is the date of the paper (meeting or publication). Labels without a year
("Quarter 4", "end of April") resolve to the latest such period that had started by then.

>>> p = parse_period("Q1 Jun 2017")
>>> (p.kind.value, p.start.isoformat(), p.end.isoformat(), p.key)
('quarter', '2017-04-01', '2017-06-30', 'FY2017-18 Q1')
>>> parse_period("2016-17 academic year").key
'AY2016-17'
>>> parse_period("At the end of September 2018").end.isoformat()
'2018-09-30'
>>> [p.key for _, p in find_periods("% Referrals in 16/17 that are repeat referrals")]
['FY2016-17']
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from collections.abc import Callable
from enum import StrEnum

from ._base import Frozen
from .text import clean, fold_with_map, fold_ws, span_safe


class PeriodKind(StrEnum):
    month = "month"
    quarter = "quarter"
    financial_year = "financial_year"
    academic_year = "academic_year"
    calendar_year = "calendar_year"
    multi_year = "multi_year"  # several whole years, e.g. '2014-16'
    rolling = "rolling"  # a window ending on a date, e.g. '12 months to June 2018'
    snapshot = "snapshot"  # a position on one day, e.g. 'end of June 2017': start == end
    range = "range"  # an explicit date range that is none of the above


class Period(Frozen):
    """A dated period. ``label`` is the text as printed (whitespace folded).

    ``key`` is canonical, so two papers printing 'Q1 Jun 2017' and '17/18 Q1' agree:
    month '2017-03'; quarter 'FY2017-18 Q1'; 'FY2017-18'; 'AY2016-17'; calendar '2018';
    multi-year '2014-2016'; rolling '12M to 2018-06-30'; snapshot '2018-09-30';
    range '2018-04-01..2018-09-30'.
    """

    label: str
    kind: PeriodKind
    start: date
    end: date
    key: str
    assumptions: list[str] = []  # readings chosen by convention, e.g. 'year taken from context'
    warnings: list[str] = []  # printed parts that disagree, e.g. a quarter number vs its month


# --------------------------------------------------------------------------- date arithmetic

def month_end(year: int, month: int) -> date:
    """Last day of a month.

    >>> month_end(2016, 2)
    datetime.date(2016, 2, 29)
    """
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(year: int, month: int, n: int) -> tuple[int, int]:
    """(year, month) shifted by n months.

    >>> add_months(2018, 2, -2)
    (2017, 12)
    """
    i = year * 12 + (month - 1) + n
    return i // 12, i % 12 + 1


def financial_year_of(d: date) -> int:
    """Start year of the financial year holding ``d``.

    >>> financial_year_of(date(2018, 3, 31)), financial_year_of(date(2018, 4, 1))
    (2017, 2018)
    """
    return d.year if d.month >= 4 else d.year - 1


def _fy_label(y: int) -> str:
    return f"{y}-{(y + 1) % 100:02d}"


# Quarter-end month -> quarter number, in each numbering.
_FY_Q_OF_END = {6: 1, 9: 2, 12: 3, 3: 4}
_CAL_Q_OF_END = {3: 1, 6: 2, 9: 3, 12: 4}
# FY quarter number -> first month.
_FY_Q_START = {1: 4, 2: 7, 3: 10, 4: 1}


def classify_range(start: date, end: date) -> tuple[PeriodKind, str]:
    """Name a date range by its shape: a whole month, FY quarter, FY, AY, calendar year ...

    >>> classify_range(date(2017, 4, 1), date(2018, 3, 31))
    (<PeriodKind.financial_year: 'financial_year'>, 'FY2017-18')
    >>> classify_range(date(2018, 4, 1), date(2018, 9, 30))[1]
    '2018-04-01..2018-09-30'
    """
    whole_months = start.day == 1 and end == month_end(end.year, end.month)
    if whole_months:
        n = (end.year - start.year) * 12 + end.month - start.month + 1
        if n == 1:
            return PeriodKind.month, f"{start:%Y-%m}"
        if n == 3 and end.month in _FY_Q_OF_END:
            fy = financial_year_of(start)
            return PeriodKind.quarter, f"FY{_fy_label(fy)} Q{_FY_Q_OF_END[end.month]}"
        if n == 12 and start.month == 4:
            return PeriodKind.financial_year, f"FY{_fy_label(start.year)}"
        if n == 12 and start.month == 9:
            return PeriodKind.academic_year, f"AY{_fy_label(start.year)}"
        if n == 12 and start.month == 1:
            return PeriodKind.calendar_year, f"{start.year}"
        if n % 12 == 0 and start.month == 1:
            return PeriodKind.multi_year, f"{start.year}-{end.year}"
    if start == end:
        return PeriodKind.snapshot, start.isoformat()
    return PeriodKind.range, f"{start.isoformat()}..{end.isoformat()}"


def _make(label: str, start: date, end: date, *, kind: PeriodKind | None = None,
          key: str | None = None, assumptions: list[str] | None = None,
          warnings: list[str] | None = None) -> Period | None:
    if end < start:
        return None
    if kind is None or key is None:
        k, kk = classify_range(start, end)
        kind = kind or k
        key = key or kk
    return Period(label=fold_ws(label), kind=kind, start=start, end=end, key=key,
                  assumptions=assumptions or [], warnings=warnings or [])


def month_period(label: str, year: int, month: int, **kw) -> Period | None:
    return _make(label, date(year, month, 1), month_end(year, month),
                 kind=PeriodKind.month, key=f"{year:04d}-{month:02d}", **kw)


def quarter_ending(label: str, year: int, month: int, **kw) -> Period | None:
    """Three whole months ending with ``month``; a quarter only when it ends Mar/Jun/Sep/Dec."""
    sy, sm = add_months(year, month, -2)
    start, end = date(sy, sm, 1), month_end(year, month)
    if month in _FY_Q_OF_END:
        fy = financial_year_of(start)
        return _make(label, start, end, kind=PeriodKind.quarter,
                     key=f"FY{_fy_label(fy)} Q{_FY_Q_OF_END[month]}", **kw)
    return _make(label, start, end, kind=PeriodKind.rolling, key=f"3M to {end.isoformat()}", **kw)


def fy_quarter(label: str, fy: int, q: int, **kw) -> Period | None:
    sm = _FY_Q_START[q]
    sy = fy + 1 if q == 4 else fy
    ey, em = add_months(sy, sm, 2)
    return _make(label, date(sy, sm, 1), month_end(ey, em), kind=PeriodKind.quarter,
                 key=f"FY{_fy_label(fy)} Q{q}", **kw)


def financial_year(label: str, fy: int, **kw) -> Period | None:
    return _make(label, date(fy, 4, 1), date(fy + 1, 3, 31), kind=PeriodKind.financial_year,
                 key=f"FY{_fy_label(fy)}", **kw)


def academic_year(label: str, ay: int, **kw) -> Period | None:
    return _make(label, date(ay, 9, 1), date(ay + 1, 8, 31), kind=PeriodKind.academic_year,
                 key=f"AY{_fy_label(ay)}", **kw)


def calendar_year(label: str, y: int, **kw) -> Period | None:
    return _make(label, date(y, 1, 1), date(y, 12, 31), kind=PeriodKind.calendar_year,
                 key=f"{y}", **kw)


def rolling(label: str, end: date, months: int, **kw) -> Period | None:
    """``months`` whole months ending with the month of ``end`` (through ``end``)."""
    sy, sm = add_months(end.year, end.month, -(months - 1))
    start = date(sy, sm, 1)
    kind, key = classify_range(start, end)
    if kind in (PeriodKind.range, PeriodKind.multi_year, PeriodKind.month):
        kind, key = PeriodKind.rolling, f"{months}M to {end.isoformat()}"
    return _make(label, start, end, kind=kind, key=key, **kw)


def snapshot(label: str, d: date, **kw) -> Period | None:
    return _make(label, d, d, kind=PeriodKind.snapshot, key=d.isoformat(), **kw)


# --------------------------------------------------------------------------- grammar parts

_MONTH_NUM = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MON_CORE = (r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
             r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")
_MON_FULL = (r"january|february|march|april|may|june|july|august|september|october"
             r"|november|december|sept")
_Y4 = r"(?:19|20)\d\d"
_Q = r"(?:q|qtr\.?|quarter)"
_ORD = r"(?:st|nd|rd|th)"

# Words after a number pair that make it a quantity, not years: '16-17 year olds', '11-25 days'.
_NOT_QTY = (r"(?!\s*(?:-\s*)?(?:years?\b|yrs?\b|year-olds?|yo\b|days?\b|weeks?\b|months?\b"
            r"|hours?\b|hrs?\b|mins?\b|minutes?\b|working\b|miles?\b|%|per\s*cent|pupils\b"
            r"|children\b|cases\b|people\b|percent\b))")


def _mon(name: str, full_only: bool = False) -> str:
    core = _MON_FULL if full_only else _MON_CORE
    return rf"(?<![a-z])(?P<{name}>{core})\.?(?![a-z])"


def _yr(name: str, two_digit: bool = True) -> str:
    alt = rf"{_Y4}|\d\d" if two_digit else _Y4
    return rf"(?P<{name}>{alt})(?!\d)"


def _to_year(s: str) -> int:
    """'17' -> 2017, '98' -> 1998, '2018' -> 2018 (pivot 70 for two-digit years)."""
    y = int(s)
    if len(s) == 2:
        y += 2000 if y < 70 else 1900
    return y


def _month_num(s: str) -> int:
    return _MONTH_NUM[s.lower()[:3]]


def _pair_second(y1: int, s2: str) -> int:
    """Second year of a pair: '2014-16' -> 2016, '2017/2018' -> 2018, '99/00' -> 2000."""
    if len(s2) == 4:
        return int(s2)
    y2 = (y1 // 100) * 100 + int(s2)
    return y2 + 100 if y2 < y1 else y2


# --------------------------------------------------------------------------- base tokens

@dataclass(frozen=True)
class _Base:
    name: str
    regex: re.Pattern[str]
    build: Callable[[re.Match[str], str, date | None], Period | None]
    whole_only: bool = False  # forms too ambiguous for prose: 'Mar 17', a lone 'April'
    priority: int = 0  # tie-break between equally long matches (higher wins)


def _c(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _date_from(m: re.Match[str], d: str, mo: str, y: str) -> date | None:
    try:
        month = _month_num(m.group(mo)) if not m.group(mo).isdigit() else int(m.group(mo))
        return date(_to_year(m.group(y)), month, int(m.group(d)))
    except (ValueError, KeyError):
        return None


def _b_date(m, label, ctx):
    d = _date_from(m, "d", "m", "y")
    return snapshot(label, d) if d else None


def _b_month(m, label, ctx):
    return month_period(label, _to_year(m.group("y")), _month_num(m.group("m")))


def _b_q_month(m, label, ctx):
    """'Q1 Jun 2017': the quarter ending that month; the number must agree with it."""
    q, month, year = int(m.group("q")), _month_num(m.group("m")), _to_year(m.group("y"))
    assumptions: list[str] = []
    warnings: list[str] = []
    if month not in _FY_Q_OF_END:
        warnings.append(f"{m.group('m')} is not a quarter-end month")
    elif q == _FY_Q_OF_END[month]:
        pass
    elif q == _CAL_Q_OF_END[month]:
        assumptions.append("quarter numbered by calendar year, not financial year")
    else:
        warnings.append(f"Q{q} does not agree with {m.group('m')}: "
                        f"a quarter ending {m.group('m')} is Q{_FY_Q_OF_END[month]} of the financial year")
    return quarter_ending(label, year, month, assumptions=assumptions, warnings=warnings)


def _b_q_fy(m, label, ctx):
    y1 = _to_year(m.group("y1"))
    if _pair_second(y1, m.group("y2")) != y1 + 1:
        return None
    return fy_quarter(label, y1, int(m.group("q")))


def _b_q_year(m, label, ctx):
    """'Q1 2018': no financial year given, so read as a calendar quarter (Jan-Mar 2018)."""
    q, y = int(m.group("q")), int(m.group("y"))
    end_month = q * 3
    return quarter_ending(label, y, end_month,
                          assumptions=["quarter of a calendar year (no financial year printed)"])


def _b_year_pair(m, label, ctx):
    y1 = _to_year(m.group("y1"))
    y2 = _pair_second(y1, m.group("y2"))
    if y2 == y1 + 1:
        return financial_year(label, y1, assumptions=[
            "year pair read as a financial year (no 'academic' qualifier printed)"])
    if len(m.group("y1")) == 4 and y1 + 1 < y2 <= y1 + 10:
        return _make(label, date(y1, 1, 1), date(y2, 12, 31), kind=PeriodKind.multi_year,
                     key=f"{y1}-{y2}", assumptions=["multi-year span read as calendar years"])
    return None


def _b_year(m, label, ctx):
    return calendar_year(label, int(m.group("y")),
                         assumptions=["bare year read as a calendar year"])


def _b_month_range(m, label, ctx):
    m1, m2 = _month_num(m.group("m1")), _month_num(m.group("m2"))
    y2 = _to_year(m.group("y2"))
    y1 = _to_year(m.group("y1")) if m.group("y1") else (y2 if m1 <= m2 else y2 - 1)
    try:
        start, end = date(y1, m1, 1), month_end(y2, m2)
    except ValueError:
        return None
    return _make(label, start, end)


def _b_date_range(m, label, ctx):
    end = _date_from(m, "d2", "m2", "y2")
    if end is None:
        return None
    if m.group("y1"):
        start = _date_from(m, "d1", "m1", "y1")
    else:
        try:
            start = date(end.year, _month_num(m.group("m1")), int(m.group("d1")))
        except (ValueError, KeyError):
            return None
        if start > end:  # '1 December to 31 March 2018': the start is in the year before
            try:
                start = start.replace(year=start.year - 1)
            except ValueError:
                return None
    return _make(label, start, end) if start else None


def resolve_quarter(q: int, context: date) -> int:
    """Financial year (start year) of the latest FY quarter ``q`` that had started by ``context``.

    >>> resolve_quarter(4, date(2018, 6, 1)), resolve_quarter(1, date(2017, 9, 12))
    (2017, 2017)
    """
    sm = _FY_Q_START[q]
    start_year = context.year if sm <= context.month else context.year - 1
    return start_year - 1 if q == 4 else start_year


def _b_bare_quarter(m, label, ctx):
    if ctx is None:
        return None
    q = int(m.group("q"))
    return fy_quarter(label, resolve_quarter(q, ctx), q,
                      assumptions=[f"financial year taken from context {ctx.isoformat()}"])


_AGED = _c(r"\bages?d?\s*$")
_PREPOSITION_BEFORE = _c(r"\b(?:in|since|from|during|of|until|till|by|before|after|to|for)"
                         r"\s+(?:the\s+)?(?:month\s+of\s+)?$")


def _b_bare_month(m, label, ctx, *, need_preposition: bool = True):
    if ctx is None:
        return None
    month = _month_num(m.group("m"))
    year = ctx.year if month <= ctx.month else ctx.year - 1
    return month_period(label, year, month,
                        assumptions=[f"year taken from context {ctx.isoformat()}"])


_DAY = r"(?<![\d.,])(?P<{d}>[0-3]?\d)\s*" + _ORD + r"?\s+(?:of\s+)?"
_NUMERIC_DATE = r"(?<![\d/.])(?P<d>[0-3]?\d)[/.](?P<m>[01]?\d)[/.](?P<y>(?:19|20)\d\d|\d\d)(?![\d/.]\d|\d)"
_PAIR_SEP_Y4 = r"\s*(?:[/-]|\bto\b)\s*"

_BASES: list[_Base] = [
    _Base("date", _c(_DAY.format(d="d") + _mon("m") + r"\s*,?\s*" + _yr("y", False)), _b_date, priority=5),
    _Base("date_us", _c(_mon("m") + r"\s+(?P<d>[0-3]?\d)" + _ORD + r"?,?\s+" + _yr("y", False)), _b_date, priority=5),
    _Base("date_numeric", _c(_NUMERIC_DATE), _b_date, priority=5),
    _Base("date_iso", _c(r"(?<![\d-])(?P<y>" + _Y4 + r")-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?!\d)"), _b_date, priority=5),
    _Base("date_range", _c(
        r"(?:\b(?:between|from)\s+)?" + _DAY.format(d="d1") + _mon("m1") + r"(?:\s*,?\s*" + _yr("y1", False) + r")?"
        + r"\s*(?:-|\bto\b|\buntil\b|\btill\b|\band\b)\s*" + _DAY.format(d="d2") + _mon("m2") + r"\s*,?\s*"
        + _yr("y2", False)), _b_date_range, priority=6),
    _Base("month_range", _c(
        _mon("m1") + r"(?:\s*[-'’]?\s*(?P<y1>" + _Y4 + r")(?!\d))?\s*(?:-|\bto\b|\buntil\b)\s*"
        + _mon("m2") + r"\s*[-'’]?\s*" + _yr("y2")), _b_month_range, priority=4),
    _Base("q_month", _c(r"(?<![a-z0-9])" + _Q + r"\s*(?P<q>[1-4])\s*[,(:-]?\s*" + _mon("m")
                        + r"\s*[-'’]?\s*" + _yr("y") + r"\)?"), _b_q_month, priority=4),
    _Base("q_fy", _c(r"(?<![a-z0-9])" + _Q + r"\s*(?P<q>[1-4])\s*(?:,\s*|of\s+)?(?:fy\s*)?"
                     + r"(?P<y1>" + _Y4 + r"|\d\d)\s*[/-]\s*(?P<y2>" + _Y4 + r"|\d\d)(?!\d)"),
          _b_q_fy, priority=4),
    _Base("fy_q", _c(r"(?<![\d/.])(?:fy\s*)?(?P<y1>" + _Y4 + r"|\d\d)\s*[/-]\s*(?P<y2>" + _Y4
                     + r"|\d\d)\s*,?\s*" + _Q + r"\s*(?P<q>[1-4])(?!\d)"), _b_q_fy, priority=4),
    _Base("q_year", _c(r"(?<![a-z0-9])" + _Q + r"\s*(?P<q>[1-4])\s+(?P<y>" + _Y4 + r")(?!\d|\s*[/-]\s*\d)"),
          _b_q_year, priority=3),
    _Base("year_q", _c(r"(?<![\d/.-])(?P<y>" + _Y4 + r")\s+" + _Q + r"\s*(?P<q>[1-4])(?!\d)"),
          _b_q_year, priority=3),
    _Base("month_year", _c(_mon("m") + r"[\s,'’-]*" + _yr("y", False) + r"(?!\s*%)"), _b_month, priority=2),
    _Base("month_yy", _c(_mon("m") + r"\s*[-'’]\s*(?P<y>\d\d)(?![\d%]|\s*%)"), _b_month, priority=2),
    _Base("month_yy_space", _c(_mon("m") + r"\s+(?P<y>\d\d)(?![\d%])"), _b_month, whole_only=True, priority=1),
    # Year pairs: four-digit first year may be spaced ('2017 / 18', '2014 to 2016');
    # two-digit pairs must be tight ('16/17') so that prose like '13 - 14 children' is left alone.
    _Base("year_pair_4", _c(r"(?<![\d/.,£$-])(?:fy\s*)?(?P<y1>" + _Y4 + r")" + _PAIR_SEP_Y4 + r"(?P<y2>"
                            + _Y4 + r"|\d\d)(?![\d%]|[/-]\d|\.\d)" + _NOT_QTY), _b_year_pair, priority=2),
    _Base("year_pair_2", _c(r"(?<![\d/.,£$-])(?:fy\s*)?(?P<y1>\d\d)[/-](?P<y2>\d\d)(?![\d%]|[/-]\d|\.\d)"
                            + _NOT_QTY), _b_year_pair, priority=1),
    _Base("year", _c(r"(?<![\d/.,£$-])(?P<y>" + _Y4 + r")(?![\d%]|[/-]\d|\.\d|,\d)" + _NOT_QTY),
          _b_year, priority=0),
    _Base("bare_quarter", _c(r"(?<![a-z0-9])" + _Q + r"\s*(?P<q>[1-4])(?![\d/.]|\s*[/-]\s*\d)"),
          _b_bare_quarter, priority=0),
    _Base("bare_month", _c(_mon("m", full_only=True)), _b_bare_month, priority=0),
    _Base("bare_month_any", _c(_mon("m")), _b_bare_month, whole_only=True, priority=-1),
]


# --------------------------------------------------------------------------- modifiers

_WORD_NUM = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
             "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18,
             "twenty-four": 24, "thirty-six": 36}
_NUM_WORDS = "|".join(sorted(_WORD_NUM, key=len, reverse=True))

_PRE_ACADEMIC = _c(r"(?:\b(?:academic|school)\s+years?\s*(?:of\s+)?|\bAY\s*)$")
_SUF_ACADEMIC = _c(r"^\s*(?:academic|school)(?:\s+years?)?\b")
_PRE_FINANCIAL = _c(r"\bfinancial\s+years?\s*(?:of\s+)?$")
_SUF_FINANCIAL = _c(r"^\s*financial\s+years?\b")
_PRE_QUARTER_TO = _c(r"\b(?:quarter|three\s+months|3\s+months)\s+(?:to|ending|ended|up\s+to)"
                     r"\s+(?:the\s+end\s+of\s+)?$")
_PRE_YEAR_TO = _c(r"\b(?:financial\s+|academic\s+|calendar\s+)?year\s+(?:to|ending|ended|up\s+to)"
                  r"\s+(?:the\s+end\s+of\s+)?$")
_PRE_N_TO = _c(r"\b(?:rolling\s+|last\s+|previous\s+)?(?P<n>\d{1,2}|" + _NUM_WORDS
               + r")[\s-]*(?P<u>months?|mnths?|years?)\s+(?:to|ending|ended|up\s+to)\s+(?:the\s+end\s+of\s+)?$")
_PRE_END = _c(r"(?:\b(?:as\s+)?at\s+)?(?:\bthe\s+)?\bend\s+of\s+(?:the\s+)?(?:month\s+of\s+)?$")
_PRE_AS_AT = _c(r"\b(?:as\s+at|as\s+of|position\s+at)\s+$")

_WINDOW = 80  # characters looked at before a base for its modifiers


def _end_of_window(p: Period) -> date | None:
    """The day a 'quarter to' / 'year ending' window ends: a date, or a month's last day."""
    if p.kind in (PeriodKind.snapshot, PeriodKind.month):
        return p.end
    return None


def _apply_modifiers(text: str, start: int, end: int, p: Period,
                     ) -> tuple[int, int, Period]:
    """Widen a base match with the words around it and re-read it. Returns the new span."""
    before = text[max(0, start - _WINDOW):start]
    after = text[end:end + _WINDOW]

    def label(s: int, e: int) -> str:
        return fold_ws(text[s:e])

    # 1. 'academic year 2016/17', '2016-17 academic year', 'financial year 2017/18'
    if p.kind == PeriodKind.financial_year:
        m_pre, m_suf = _PRE_ACADEMIC.search(before), _SUF_ACADEMIC.match(after)
        if m_pre or m_suf:
            s = start - (len(m_pre.group(0)) if m_pre else 0)
            e = end + (m_suf.end() if m_suf else 0)
            p = academic_year(label(s, e), p.start.year) or p
            start, end = s, e
            before, after = text[max(0, start - _WINDOW):start], text[end:end + _WINDOW]
        else:
            m_pre, m_suf = _PRE_FINANCIAL.search(before), _SUF_FINANCIAL.match(after)
            if m_pre or m_suf:
                s = start - (len(m_pre.group(0)) if m_pre else 0)
                e = end + (m_suf.end() if m_suf else 0)
                p = financial_year(label(s, e), p.start.year) or p
                start, end = s, e
                before = text[max(0, start - _WINDOW):start]

    # 2. windows that end on a month or a date
    window_end = _end_of_window(p)
    if window_end is not None:
        if (m := _PRE_QUARTER_TO.search(before)):
            s = start - len(m.group(0))
            q = quarter_ending(label(s, end), window_end.year, window_end.month)
            if q is not None:
                p, start = q, s
        elif (m := _PRE_YEAR_TO.search(before)):
            s = start - len(m.group(0))
            y = rolling(label(s, end), window_end, 12)
            if y is not None:
                p, start = y, s
        elif (m := _PRE_N_TO.search(before)):
            n = m.group("n").lower()
            n_val = int(n) if n.isdigit() else _WORD_NUM[n]
            months = n_val * (12 if m.group("u").lower().startswith("y") else 1)
            if 0 < months <= 240:
                s = start - len(m.group(0))
                r = rolling(label(s, end), window_end, months)
                if r is not None:
                    p, start = r, s
        before = text[max(0, start - _WINDOW):start]

    # 3. 'end of June 2017', 'At the end of Quarter 4': the position on the last day
    if (m := _PRE_END.search(before)):
        s = start - len(m.group(0))
        snap = snapshot(label(s, end), p.end, assumptions=list(p.assumptions), warnings=list(p.warnings))
        if snap is not None:
            p, start = snap, s
    elif p.kind == PeriodKind.snapshot and (m := _PRE_AS_AT.search(before)):
        start -= len(m.group(0))
        p = p.model_copy(update={"label": label(start, end)})
    return start, end, p


# --------------------------------------------------------------------------- search

@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    priority: int
    period: Period


def _candidates(text: str, context: date | None, whole: bool) -> list[_Candidate]:
    out: list[_Candidate] = []
    for base in _BASES:
        if base.whole_only and not whole:
            continue
        for m in base.regex.finditer(text):
            if m.end() == m.start():
                continue
            if base.name == "bare_month" and not whole:
                # a yearless month in prose only after a preposition ('in January', 'end of April'),
                # and capitalised: 'may' is usually a verb
                if not m.group("m")[0].isupper():
                    continue
                if not (_PREPOSITION_BEFORE.search(text[max(0, m.start() - 30):m.start()])
                        or _PRE_END.search(text[max(0, m.start() - 30):m.start()])):
                    continue
            before = text[max(0, m.start() - 8):m.start()]
            if base.name.startswith("year_pair") and _AGED.search(before):
                continue  # 'aged 16-17'
            try:
                p = base.build(m, fold_ws(m.group(0)), context)
            except (ValueError, KeyError, OverflowError):
                p = None
            if p is not None:
                out.append(_Candidate(m.start(), m.end(), base.priority, p))
    return out


def _select(cands: list[_Candidate]) -> list[_Candidate]:
    """Longest matches first, then priority; keep those that overlap nothing already kept."""
    chosen: list[_Candidate] = []
    for c in sorted(cands, key=lambda c: (-(c.end - c.start), -c.priority, c.start)):
        if all(c.end <= k.start or c.start >= k.end for k in chosen):
            chosen.append(c)
    return sorted(chosen, key=lambda c: c.start)


def find_periods(text: str, *, context: date | None = None) -> list[tuple[tuple[int, int], Period]]:
    """Every period mentioned in ``text``, as ((start, end), Period), spans into ``text`` as given.

    Yearless mentions ('in Q1', 'At the end of April') are found only with a ``context`` date.

    >>> [(s, p.kind.value) for s, p in find_periods("(Updated Nov-17. using 16-17 data)")]
    [((9, 15), 'month'), ((23, 28), 'financial_year')]
    >>> find_periods("Number of new referrals (0-17 year olds) aged 16-17")
    []
    >>> [p.key for _, p in find_periods("At the end of Quarter 4", context=date(2018, 6, 1))]
    ['2018-03-31']
    """
    if not text:
        return []
    try:
        original = str(text)
        folded, positions = fold_with_map(span_safe(original))
        out = []
        for c in _select(_candidates(folded, context, whole=False)):
            s, e, p = _apply_modifiers(folded, c.start, c.end, c.period)
            s0, e0 = positions[s], positions[e - 1] + 1
            out.append(((s0, e0), p.model_copy(update={"label": clean(original[s0:e0]) or p.label})))
        return out
    except RecursionError:  # pragma: no cover - pathological input only
        return []


_LEAD = re.compile(r"^(?:(?:in|for|during|from|since|by|on|over|as\s+at|as\s+of|at|position\s+at|the)\s+)+",
                   re.IGNORECASE)
_TRAIL = re.compile(r"(?:\s+(?:figures|data|results|outturn|position|only|onwards))+$", re.IGNORECASE)
_PUNCT = " \t.,;:()[]{}<>*\"'"


def parse_period(text: str | None, *, context: date | None = None) -> Period | None:
    """The period a whole cell or label names, or None if it names none (or more than one).

    >>> parse_period("Mar 2017").key, parse_period("Jun-18").key
    ('2017-03', '2018-06')
    >>> parse_period("17/18 Q1").key == parse_period("Q1 Jun 2017").key == "FY2017-18 Q1"
    True
    >>> parse_period("year ending 31 March 2018").kind.value
    'financial_year'
    >>> parse_period("Quarter 4") is None
    True
    >>> parse_period("Quarter 4", context=date(2018, 6, 1)).key
    'FY2017-18 Q4'
    >>> parse_period("Month only (not quarterly data)") is None
    True
    """
    try:
        s = clean(text)
        prev = None
        while s != prev:  # peel brackets, punctuation, leading prepositions, trailing 'figures'
            prev = s
            s = s.strip(_PUNCT)
            s = _LEAD.sub("", s)
            s = _TRAIL.sub("", s)
        if not s or len(s) > 200:
            return None
        cands = _candidates(s, context, whole=True)
        best: Period | None = None
        for c in _select(cands):
            start, end, p = _apply_modifiers(s, c.start, c.end, c.period)
            if not s[:start].strip(_PUNCT) and not s[end:].strip(_PUNCT):
                best = p
        if best is None:
            return None
        return best.model_copy(update={"label": fold_ws(clean(text))})
    except RecursionError:  # pragma: no cover
        return None
