"""The unit of a measure row, from its label and the values printed on it.

The label decides when it is explicit; the values decide when it is not. Order matters and is
deliberate:

1. 'rate per 10,000' / 'per 10,000' in the label -> ``rate_per_10000`` (a bare 'rate' is not:
   'Permanent exclusion rate' and 'Turnover rate' print percentages);
2. a percentage label ('% ...', 'Percentage of', 'Proportion of', '(%)') -> ``percent``;
3. most printed values carry '%' -> ``percent``;
4. 'average ... days', 'days between' -> ``days`` (but 'Number of assessments completed in
   45 working days' is a count: the days there are a threshold, not the quantity);
5. 'score', 'Attainment 8', 'Progress 8', 'SDQ' -> ``score``; 'ratio' -> ``ratio``;
   '£', 'cost', 'spend', 'budget' -> ``other``;
6. 'Number of', 'Count of', 'Total' -> ``count``;
7. otherwise whole-number values -> ``count``, else ``other``.

>>> detect_unit("1 % repeat referrals", ["30%", "36%"]).value
'percent'
>>> detect_unit("Rate per 10,000 subject to a Child Protection Plan", ["29.1"]).value
'rate_per_10000'
>>> detect_unit("Permanent exclusion rate - primary", ["0.04%"]).value
'percent'
>>> detect_unit("Number of Single Assessments completed in 45 working days", ["170"]).value
'count'
>>> detect_unit("Average days between entering care and moving in with the adoptive family", []).value
'days'
"""
from __future__ import annotations

import re

from schemas import Unit

from .numbers import parse_value
from .text import clean

_LEAD_NOISE = re.compile(r"^[\s\d.)\-–:]*[\u00b9\u00b2\u00b3\u2070-\u2079]*\s*")  # '1 ', '³ ', '12) '

_RATE = re.compile(r"per\s*10,?000|/\s*10,?000|per\s+10k\b|rate\s+of\s+.*\bper\s+10", re.I)
# A '%' standing as its own word ('% of', '1 % repeat', 'Key Stage 1 - % of', '(%)'), or the words.
_PERCENT = re.compile(r"(?:^|[\s(])%(?=[\s)]|$)|\bpercentage\b|\bproportion\b|\bper\s*cent\b|\bpercent\b", re.I)
_DAYS = re.compile(r"\b(?:average|mean|median)\b.*\bdays\b|^(?:number\s+of\s+)?days\b|\bdays\s+(?:between|from|to)\b"
                   r"|\(days\)|\bin\s+days\b", re.I)
_SCORE = re.compile(r"\bscore\b|\battainment\s*8\b|\bprogress\s*8\b|\bsdq\b|\bpoints?\s+score\b", re.I)
_RATIO = re.compile(r"\bratio\b", re.I)
_MONEY = re.compile(r"£|\bcost\b|\bspend\b|\bbudget\b|\bexpenditure\b", re.I)
_COUNT = re.compile(r"^(?:number|no\.|count|total)\b|\bnumber\s+of\b|\bcount\s+of\b", re.I)


_MAX_LABEL = 500  # a measure name; longer text is commentary and would only slow the regexes
_MAX_VALUES = 60


def _strip_label(label: str) -> str:
    return _LEAD_NOISE.sub("", clean(label))


def detect_unit(label: str | None, value_texts: list[str] | None = None) -> Unit:
    """The unit of a measure row. Never raises; ``Unit.other`` when nothing tells.

    >>> detect_unit("Key Stage 1 - % of pupils reaching the expected standard in reading", []).value
    'percent'
    >>> detect_unit("Sickness Rate", ["3.1%", "5.8%"]).value
    'percent'
    >>> detect_unit("", ["£1.2m"]).value
    'other'
    """
    try:
        return _detect_unit(label, value_texts or [])
    except Exception:  # pragma: no cover
        return Unit.other


def _detect_unit(label: str | None, value_texts: list[str]) -> Unit:
    lab = _strip_label(label or "")[:_MAX_LABEL]
    parsed = [parse_value(t) for t in value_texts[:_MAX_VALUES]]
    numbers = [p for p in parsed if p.value is not None]
    printed_units = [p.unit for p in numbers if p.unit is not None]

    if _RATE.search(lab):
        return Unit.rate_per_10000
    if _PERCENT.search(lab):
        return Unit.percent
    if numbers and sum(u == Unit.percent for u in printed_units) * 2 > len(numbers):
        return Unit.percent
    if _DAYS.search(lab):
        return Unit.days
    if _SCORE.search(lab):
        return Unit.score
    if _RATIO.search(lab):
        return Unit.ratio
    if _MONEY.search(lab):
        return Unit.other
    if numbers and sum(u == Unit.other for u in printed_units) * 2 > len(numbers):
        return Unit.other  # money
    if numbers and sum(u == Unit.days for u in printed_units) * 2 > len(numbers):
        return Unit.days
    if numbers and sum(u == Unit.rate_per_10000 for u in printed_units) * 2 > len(numbers):
        return Unit.rate_per_10000
    if _COUNT.search(lab):
        return Unit.count
    if numbers and all(p.value == int(p.value) and not p.decimals for p in numbers):
        return Unit.count
    return Unit.other
