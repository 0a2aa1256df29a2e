"""Cells that hold no number but say why: 'New', 'n/a', '-', 'TBC', 'Local' ...

A placeholder is never a zero. Each maps to a short, stable reason that travels with the empty
value (``PeriodValue.missing_reason``), so an export can say *why* a figure is absent.

>>> placeholder_reason("New Definition")
'new definition'
>>> placeholder_reason("<p>Benchmarking information is not currently available.</p>")
'not available'
>>> placeholder_reason("30%") is None
True
"""
from __future__ import annotations

import re

from .text import clean, fold_ws

# Stable reason strings: other stages compare against these.
BLANK = "blank"
NEW_INDICATOR = "new indicator"
NEW_DEFINITION = "new definition"
NOT_APPLICABLE = "not applicable"
NO_VALUE = "no value"
TO_BE_CONFIRMED = "to be confirmed"
NO_EXTERNAL_BENCHMARK = "no external benchmark"
NOT_AVAILABLE = "not available"
NOT_YET_AVAILABLE = "not yet available"
NOT_KNOWN = "not known"
SUPPRESSED = "suppressed"
NO_TARGET = "no target"

_AVAILABLE = r"(?:currently\s+|yet\s+|presently\s+)?(?:available|published|reported)"
_BENCH = r"(?:benchmark\w*|comparator|comparative|national|regional)(?:\s+(?:information|data|figures?|results?))?"
_FOR_THIS = r"(?:\s+(?:for|on)\s+this\s+(?:indicator|measure|period|year))?"

# (pattern over the lower-cased, punctuation-trimmed cell, reason). First match wins.
_TABLE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p, re.IGNORECASE), reason)
    for p, reason in [
        (r"", BLANK),
        (r"new\s+definitions?(?:\s+\(.*\))?", NEW_DEFINITION),
        (r"new(?:\s+(?:indicator|measure|metric|pi|kpi))?(?:\s+(?:for|in|from)\s+\S+)?", NEW_INDICATOR),
        (r"n\s*/\s*a|n\.\s*a|na|not\s+applicable|n\s*/\s*app", NOT_APPLICABLE),
        (r"-+(?:\s*-+)*|\.{2,}|—|nil\s+return", NO_VALUE),
        (r"tbc|tba|tbd|tbe|to\s+be\s+(?:confirmed|agreed|determined|set|advised)", TO_BE_CONFIRMED),
        (r"local(?:\s+(?:only|measure|indicator))?", NO_EXTERNAL_BENCHMARK),
        (r"no\s+(?:national\s+|external\s+)?" + _BENCH + r"(?:\s+(?:is|are))?(?:\s+" + _AVAILABLE + r")?" + _FOR_THIS,
         NOT_AVAILABLE),
        (_BENCH + r"\s+(?:is\s+|are\s+)?not\s+" + _AVAILABLE + _FOR_THIS, NOT_AVAILABLE),
        (r"(?:data\s+|figures?\s+|information\s+)?(?:is\s+|are\s+)?not\s+" + _AVAILABLE, NOT_AVAILABLE),
        (r"no\s+data(?:\s+available)?|unavailable|data\s+unavailable", NOT_AVAILABLE),
        (r"awaiting(?:\s+\S+){0,3}|awaited|pending|not\s+yet\s+(?:due|known)|due\s+\S+(?:\s+\S+)?", NOT_YET_AVAILABLE),
        (r"n\s*/\s*k|not\s+known|unknown", NOT_KNOWN),
        (r"suppressed|\*+|x|redacted", SUPPRESSED),
        (r"no\s+target(?:\s+set)?|not\s+targeted|monitor(?:ing)?\s+only|baseline\s+year", NO_TARGET),
    ]
]

_TRIM = " \t.,;:!?()[]{}\"'"


def placeholder_key(text: str | None) -> str:
    """The cell as placeholders are matched: markup off, brackets dropped, whitespace folded,
    ends trimmed ('Benchmarking information is not (currently) available' reads as the
    same sentence with or without its bracketed word)."""
    return fold_ws(re.sub(r"[()\[\]]", " ", clean(text))).strip(_TRIM)


def placeholder_reason(text: str | None) -> str | None:
    """The reason a placeholder cell gives, or None if the cell is not a placeholder.

    >>> [placeholder_reason(t) for t in ["New", "n/a", "-", "\u2013", "TBC", "", "Local"]]
    ... # doctest: +NORMALIZE_WHITESPACE
    ['new indicator', 'not applicable', 'no value', 'no value', 'to be confirmed', 'blank',
     'no external benchmark']
    """
    key = placeholder_key(text)
    if len(key) > 160:  # a paragraph is commentary, not a placeholder
        return None
    for pattern, reason in _TABLE:
        if pattern.fullmatch(key):
            return reason
    return None
