"""One printed value -> :class:`ParsedValue`: a number with its unit, or a reason it is missing.

:func:`parse_value` is strict: it reads a cell that is *well formed* and nothing else. Damaged
cells ('85.6!', '¥ -20%', '1O5') come back with ``value=None`` and ``missing_reason='unreadable'``;
:mod:`.repair` is where damage is undone, always with a logged :class:`Repair`.

The grammar is composed from named parts (see ``NUMBER``, ``VALUE``): an optional bound or
approximation word, a sign, a currency, the number (with or without thousands separators), a
money multiplier, a unit suffix, and then optionally a note in the same cell.

>>> v = parse_value("1,357")
>>> v.value, v.unit, v.decimals
(1357.0, None, 0)
>>> parse_value("89 %").value, parse_value("89 %").unit.value
(89.0, 'percent')
>>> parse_value("\u22123%").value
-3.0
>>> parse_value("29.1", Unit.rate_per_10000).unit.value
'rate_per_10000'
>>> parse_value("£1.2m").value, parse_value("£1.2m").unit.value
(1200000.0, 'other')
>>> parse_value("New Definition").missing_reason
'new definition'
>>> v = parse_value("0.04%  This result is for the academic year 2016/17 because the data runs one year behind.")
>>> v.value, v.note.period.key
(0.04, 'AY2016-17')
>>> parse_value("85.6!").missing_reason
'unreadable'
"""
from __future__ import annotations

import math
import re
from enum import StrEnum
from typing import Literal

from schemas import Unit, ValueRepair

from ._base import Frozen
from .periods import Period, find_periods
from .placeholders import placeholder_reason
from .text import clean

Strength = Literal["strong", "weak"]


class RepairKind(StrEnum):
    lost_decimal_point = "lost_decimal_point"  # '221%' among 22s -> 22.1
    direction_glyph = "direction_glyph"  # '¥ -20%': an arrow glyph OCR'd in front of a % change
    garbled_sign = "garbled_sign"  # '“56%' read as '-56%'
    trailing_noise = "trailing_noise"  # '85.6!' -> 85.6
    letter_digit = "letter_digit"  # '1O5' -> 105, 'l2' -> 12
    split_number = "split_number"  # '1 357' -> 1357
    lost_digit = "lost_digit"  # '2' among 20s: never applied, only suggested
    outlier = "outlier"  # out of the row's range for another reason: suggested only


class Direction(StrEnum):
    up = "up"
    down = "down"
    similar = "similar"


class Repair(Frozen):
    """One change made to (or, in ``suggestions``, proposed for) a printed value."""

    kind: RepairKind
    from_text: str
    to_text: str
    reason: str
    evidence_strength: Strength

    def as_record(self) -> ValueRepair:
        """The record every stage stores and exports (schemas.ValueRepair)."""
        return ValueRepair(kind=self.kind.value, from_text=self.from_text, to_text=self.to_text,
                           reason=self.reason, evidence_strength=str(self.evidence_strength))


class Note(Frozen):
    """Words printed in the same cell as a value, and the period they name, if any."""

    text: str
    period: Period | None = None


class ParsedValue(Frozen):
    """A printed value, read.

    ``value`` is None exactly when ``missing_reason`` says why (a placeholder such as
    'new indicator', or 'unreadable'). ``repairs`` lists every change made to the printed text
    (all with strong evidence); ``suggestions`` lists changes *not* made because the evidence
    was weak, and then ``needs_review`` is True with a ``review_reason``.
    """

    text: str
    value: float | None = None
    unit: Unit | None = None
    missing_reason: str | None = None
    note: Note | None = None
    decimals: int | None = None  # digits printed after the point: '35.0%' -> 1 (rounding checks)
    percentage_points: bool = False  # '3 percentage points', '2pp'
    approximate: bool = False  # 'c. 300', '~300', 'approx. 300'
    direction_hint: Direction | None = None  # from a DoT glyph next to the value
    direction_glyph: str | None = None  # that glyph as printed
    repairs: list[Repair] = []
    suggestions: list[Repair] = []
    needs_review: bool = False
    review_reason: str | None = None

    @property
    def is_missing(self) -> bool:
        return self.value is None


# --------------------------------------------------------------------------- grammar parts

SIGN = r"[+-]"
GROUPED = r"\d{1,3}(?:,\d{3})+"  # '1,357', '12,345,678'
PLAIN = r"\d+"
FRACTION = r"\.\d+"
NUMBER = rf"(?:(?:{GROUPED}|{PLAIN})(?:{FRACTION})?|{FRACTION}|\d+\.)"
CURRENCY = r"[£$€]"
MULTIPLIER = r"(?:bn|billion|m|million|k|thousand)\b"
BOUND = r"(?:<=|>=|≤|≥|<|>|less\s+than|fewer\s+than|more\s+than|under|over)"
APPROX = r"(?:~|≈|c\.|ca\.|circa|approx\.?|approximately|around|about)"
PERCENT = r"(?:%|per\s*cent\b|percent\b)"
POINTS = r"(?:percentage\s+points?|%\s*points?|pp\b|ppts?\b|pts?\b)"
RATE = r"(?:per\s+10,?000(?:\s+(?:children|population|pupils|aged\s+[\d-]+))?|/\s*10,?000|per\s+10k)"
DAYS = r"(?:(?:working\s+|calendar\s+)?days?)\b"

VALUE = re.compile(
    rf"""^\(?\s*
    (?:(?P<bound>{BOUND})\s*)?
    (?:(?P<approx>{APPROX})\s*)?
    (?P<sign>{SIGN})?\s*
    (?P<cur>{CURRENCY})?\s*
    (?P<sign2>{SIGN})?
    (?P<num>{NUMBER})
    (?:\s*(?P<mult>{MULTIPLIER}))?
    (?:\s*(?P<suffix>{POINTS}|{PERCENT}|{RATE}|{DAYS}))?
    (?:\s*\))?
    (?P<rest>.*)$""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)
# What may follow a value in the same cell: nothing, closing punctuation, or a note that starts
# with a letter or a bracket after whitespace ('0.04%  This result is ...', '29% (provisional)').
_REST_EMPTY = re.compile(r"^[\s.,;:]*$")
_REST_NOTE = re.compile(r"^[\s.,;:-]*\s(?P<note>[A-Za-z(\[].*)$|^\s*(?P<note2>\(.*)$", re.DOTALL)

_MULT = {"bn": 1e9, "billion": 1e9, "m": 1e6, "million": 1e6, "k": 1e3, "thousand": 1e3}

UNREADABLE = "unreadable"
SEVERAL_VALUES = "several values"
BOUND_ONLY = "only a bound is printed"

_NUMBER_TOKEN = re.compile(rf"^[(]?{SIGN}?{CURRENCY}?{NUMBER}\s*{PERCENT}?[)]?$")


def _unit_from_suffix(suffix: str | None, cur: str | None) -> tuple[Unit | None, bool]:
    if cur:
        return Unit.other, False
    if not suffix:
        return None, False
    s = suffix.lower()
    if re.fullmatch(POINTS, s, re.IGNORECASE):
        return Unit.percent, True
    if re.fullmatch(PERCENT, s, re.IGNORECASE):
        return Unit.percent, False
    if re.fullmatch(RATE, s, re.IGNORECASE):
        return Unit.rate_per_10000, False
    if re.fullmatch(DAYS, s, re.IGNORECASE):
        return Unit.days, False
    return None, False


def _note(text: str) -> Note:
    found = find_periods(text)
    return Note(text=text, period=found[0][1] if found else None)


def _unreadable(text: str, reason: str, missing: str = UNREADABLE, **kw) -> ParsedValue:
    return ParsedValue(text=text, missing_reason=missing, needs_review=True, review_reason=reason, **kw)


def parse_value(text: str | None, unit_hint: Unit | None = None) -> ParsedValue:
    """Read one printed value. Never raises.

    The unit comes from the printed text when it says one ('%', '£', 'days', 'per 10,000'),
    else from ``unit_hint`` (the row's unit). A printed '%' wins over the hint: a % change
    column in a count row is still a percentage.

    >>> parse_value("-8%").value, parse_value("+36%").value, parse_value("(21%)").value
    (-8.0, 36.0, 21.0)
    >>> parse_value("£64,296.00").value, parse_value("£64,296.00").decimals
    (64296.0, 2)
    >>> parse_value("12 working days").unit.value
    'days'
    >>> parse_value("92.0% 93.0% 94.0%").missing_reason
    'several values'
    >>> parse_value("<5").missing_reason
    'only a bound is printed'
    """
    try:
        return _parse_value(text, unit_hint)
    except Exception as exc:  # pragma: no cover - the fuzz tests call _parse_value directly
        return _unreadable(str(text), f"internal error: {type(exc).__name__}")


def _several_values(cell: str) -> bool:
    """'92.0% 93.0% 94.0%', '288 336 TBC': several values or placeholders side by side."""
    tokens = cell.split()
    return len(tokens) > 1 and all(_NUMBER_TOKEN.match(t) or placeholder_reason(t) for t in tokens)


def _parse_value(text: str | None, unit_hint: Unit | None = None) -> ParsedValue:
    printed = "" if text is None else str(text)
    cell = clean(printed)
    reason = placeholder_reason(cell)
    if reason is not None:
        return ParsedValue(text=printed, missing_reason=reason, unit=unit_hint)
    if len(cell) > 2000:
        return _unreadable(printed, "cell too long to be a value")

    m = VALUE.match(cell)
    rest = m.group("rest") if m else ""
    note_match = _REST_NOTE.match(rest) if m and not _REST_EMPTY.match(rest) else None
    if m is None or (not _REST_EMPTY.match(rest) and note_match is None):
        if _several_values(cell):
            return _unreadable(printed, "several values in one cell", SEVERAL_VALUES)
        if m is None:
            return _unreadable(printed, "not a number, placeholder or value with a note")
        return _unreadable(printed, f"unexpected text after the number: {rest.strip()[:40]!r}")
    if m.group("mult") and not m.group("cur"):
        # '20 m' without a currency is too ambiguous to scale (metres? months? million?)
        return _unreadable(printed, "multiplier without a currency")
    if m.group("sign") and m.group("sign2"):
        return _unreadable(printed, "two signs")

    note: Note | None = None
    if note_match is not None:
        note_text = (note_match.group("note") or note_match.group("note2") or "").strip()
        note = _note(note_text) if note_text else None

    digits = m.group("num").replace(",", "")
    decimals = len(digits.split(".", 1)[1]) if "." in digits else 0
    value = float(digits)
    if m.group("mult"):
        value *= _MULT[m.group("mult").lower()]
    if not math.isfinite(value):
        return _unreadable(printed, "number too large")
    if (m.group("sign") or m.group("sign2")) == "-":
        value = -value
    value = value + 0.0  # -0.0 -> 0.0: a printed '-0%' is zero

    unit, points = _unit_from_suffix(m.group("suffix"), m.group("cur"))
    unit = unit or unit_hint

    if m.group("bound"):
        return ParsedValue(text=printed, unit=unit, missing_reason=BOUND_ONLY, note=note,
                           decimals=decimals)
    return ParsedValue(text=printed, value=value, unit=unit, note=note, decimals=decimals,
                       percentage_points=points, approximate=bool(m.group("approx")))


def format_number(value: float, decimals: int = 1, *, percent: bool = False,
                  thousands: bool = True) -> str:
    """Print a number as papers do: thousands separators, fixed decimals, optional '%'.

    >>> format_number(1357, 0), format_number(-13.66, 1, percent=True)
    ('1,357', '-13.7%')
    """
    s = f"{value:,.{decimals}f}" if thousands else f"{value:.{decimals}f}"
    return s + ("%" if percent else "")
