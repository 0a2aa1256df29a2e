"""What a table column holds, from its header text alone.

Role words are read before periods, so 'Jan-16 Target' is a target (for Jan-16), 'Stat. Neighbours 2014'
a benchmark (for 2014) and 'Q4 2017/18 Commentary' commentary; a header that is only a period, or a
period with value words around it ('2016/17 outturn', 'Q1 (Apr-Jun) actual'), is a period column.

>>> [classify_header(t).role for t in ["Indicator", "Apr-24", "Q1 Jun 2017", "Target", "RAG", "Comments"]]
['unknown', 'period', 'period', 'target', 'rag', 'commentary']
>>> c = classify_header("Jan-16 Target"); (c.role, c.period.label)
('target', 'Jan-16')
>>> c = classify_header("Stat. Neighbours 2014"); (c.role, c.name, c.period.label)
('benchmark', 'Stat. Neighbours', '2014')
>>> [classify_header(t).role for t in ["Latest performance (RAG)", "Good to be", "Data period", "Current outturn"]]
['rag', 'polarity', 'data_period', 'derived']
>>> classify_header("2016/17 outturn").role, classify_header("DoT").derived.value
('period', 'direction')
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from extractors.values import Period, find_periods, parse_period
from schemas import DerivedKind

# (role, pattern): first match wins.
_ROLES: list[tuple[str, re.Pattern[str]]] = [
    ("polarity", re.compile(r"good\s+to\s+be|polarity|direction\s+of\s+(?:improvement|good)|higher\s+or\s+lower|"
                            r"\bhigh\s*/\s*low\b|is\s+(?:high|low)\s+good", re.I)),
    ("data_period", re.compile(r"\bdata\s+period\b|\bperiod\s+covered\b|\bfrequency\b|\breporting\s+period\b", re.I)),
    ("target", re.compile(r"\btargets?\b|\bthreshold\b|\bgoal\b|\bambition\b", re.I)),
    ("rag", re.compile(r"\brag\b|\bstatus\b|\brating\b|\br\s*/\s*a\s*/\s*g\b", re.I)),
    ("commentary", re.compile(r"comment|\bnarrative\b|\bnotes?\b|\bexplanation\b|\banalysis\b|\bremarks?\b|"
                              r"\bactions?\b|\bcontext\b|\bexception\b", re.I)),
    ("benchmark", re.compile(r"benchmark|\bcomparators?\b|\bengland\b|\bnational\b|\bsouth\s*east\b|"
                             r"\bregion(?:al)?\b|\bstat(?:istical|s)?\.?\s*(?:n\b|n\.|neighbou?rs?|nbrs?)|\bSNs?\b|"
                             r"\bcipfa\b|\bE\s*&\s*W\b|\bnat(?:ional)?\.?\s+av", re.I)),
]
_DERIVED: list[tuple[DerivedKind, re.Pattern[str]]] = [
    (DerivedKind.baseline, re.compile(r"\bbaseline\b", re.I)),
    (DerivedKind.direction, re.compile(r"\bdot\b|direction\s+of\s+travel|\btrend\b|\bdirection\b", re.I)),
    (DerivedKind.change_year_ago, re.compile(r"change.*(?:year|yr|\bly\b|same\s+(?:month|period|quarter))", re.I)),
    (DerivedKind.change_previous, re.compile(r"%\s*change|\bchange\b|\bvariance\b|\bdifference\b", re.I)),
    (DerivedKind.average_12m,
     re.compile(r"\b12[\s-]*(?:month|mnth|m)\w*\s+av(?:erage|g)|\bav(?:erage|g)\b.*\b12\b", re.I)),
    (DerivedKind.max_12m, re.compile(r"\b12[\s-]*(?:month|mnth|m)\w*\s+max|\bmax\w*\b.*\b12\b", re.I)),
    (DerivedKind.outturn, re.compile(r"\boutturn\b|\byear[\s-]+end\b|\bytd\b|year\s+to\s+date", re.I)),
    (DerivedKind.other, re.compile(r"\baverage\b|\bmax(?:imum)?\b|\bmin(?:imum)?\b|\bmedian\b|\btotal\b", re.I)),
]
# Words that may sit around a period in a period column's header.
_VALUE_WORDS = re.compile(
    r"^(?:outturn|actuals?|results?|performance|value|position|data|figures?|ytd|qtr|quarter|month|year|"
    r"end|as|at|provisional|final|latest|current|period|to|of|the|q[1-4]|\(|\)|-|–|/|rate|%|no\.?)$", re.I)


@dataclass
class Column:
    text: str  # header as printed, sub-headers merged
    # label | ref | period | target | rag | polarity | benchmark | commentary | data_period | derived | unknown
    role: str
    period: Period | None = None
    derived: DerivedKind | None = None
    name: str | None = None  # the header without its period ('Stat. Neighbours' of 'Stat. Neighbours 2014')


def classify_header(text: str, context: date | None = None) -> Column:
    """The role of a column from its header text."""
    t = re.sub(r"\s+", " ", text or "").strip()
    if not t:
        return Column(t, "unknown")
    found = find_periods(t, context=context)
    period = found[0][1] if len(found) == 1 else None
    name = t
    if period is not None:
        (s, e), _ = found[0]
        name = re.sub(r"\s+", " ", (t[:s] + " " + t[e:])).strip(" ()-–/:,") or None
    for role, pattern in _ROLES:
        if pattern.search(t):
            return Column(t, role, period=period, name=name)
    whole = parse_period(t, context=context)
    if whole is not None:
        return Column(t, "period", period=whole)
    if period is not None and name and all(_VALUE_WORDS.match(w) for w in re.findall(r"\w+|[()%/–-]", name)):
        return Column(t, "period", period=period, name=name)
    for kind, pattern in _DERIVED:
        if pattern.search(t):
            return Column(t, "derived", period=period, derived=kind, name=name)
    return Column(t, "unknown", period=period, name=name)
