"""Target cells -> :class:`ParsedTarget`.

Forms in the seeds: a plain '20%'; a target with a tolerance '100% (5% tolerance)'; 'TBC';
and, in seed 003, one target per financial year printed side by side ('92.0% 93.0% 94.0%',
'288 336 TBC', '112 TBC TBC', '515 460 390'). Other common forms are read too: comparison
words ('>= 95%', 'at least 95%', 'no more than 10%', '95% or above'), '±' tolerances, and
direction-only targets ('Increase', 'Maintain', 'In line with statistical neighbours').

The tolerance is in the target's own unit: the seeds print '100% (14% tolerance)' and then
treat 86% as the tolerance target, so 14 is in points, not 14% of 100.

>>> t = parse_target("100% (5% tolerance)")
>>> t.target, t.tolerance, t.unit.value
(100.0, 5.0, 'percent')
>>> parse_target("92.0% 93.0% 94.0%").targets
[92.0, 93.0, 94.0]
>>> parse_target("288 336 TBC").targets
[288.0, 336.0, None]
>>> parse_target("TBC").missing_reason
'to be confirmed'
"""
from __future__ import annotations

import re
from typing import Literal

from schemas import Polarity, Unit

from ._base import Frozen
from .numbers import NUMBER, PERCENT, SIGN, ParsedValue, parse_value
from .placeholders import placeholder_reason
from .text import clean

Comparison = Literal[">=", "<=", ">", "<"]


class ParsedTarget(Frozen):
    """A target cell, read.

    ``target`` is set when one target is printed. When several are printed (one per financial
    year), ``target`` is None, ``missing_reason`` is 'several targets' and ``targets`` holds
    them in printed order (None for a 'TBC'); choosing the year is the caller's job.
    ``targets`` always lists every printed slot, so a single target gives ``[target]``.
    """

    text: str
    target: float | None = None
    tolerance: float | None = None
    unit: Unit | None = None
    missing_reason: str | None = None
    targets: list[float | None] = []
    parts: list[ParsedValue] = []
    comparison: Comparison | None = None  # '>= 95%': the target is a bound, not a point
    direction: Literal["increase", "decrease", "maintain"] | None = None
    needs_review: bool = False
    review_reason: str | None = None

    def effective_target(self, polarity: Polarity | None) -> float | None:
        """The target after tolerance, the line the RAG is judged against.

        >>> parse_target("100% (14% tolerance)").effective_target(Polarity.higher_better)
        86.0
        >>> parse_target("10% (2% tolerance)").effective_target(Polarity.lower_better)
        12.0
        """
        if self.target is None:
            return None
        tol = self.tolerance or 0.0
        if polarity == Polarity.higher_better:
            return self.target - tol
        if polarity == Polarity.lower_better:
            return self.target + tol
        return self.target


# --------------------------------------------------------------------------- grammar parts

_VAL = rf"{SIGN}?\s*£?(?:{NUMBER})\s*(?:{PERCENT})?"
_TOL_WORD = r"tolerance|tol\.?|leeway|margin"
# '100% (5% tolerance)', '100% (tolerance 5%)', '100% with a 5% tolerance', '95% ± 2%', '95% +/- 2%'
_WITH_TOL = re.compile(
    rf"^(?P<t>{_VAL})\s*(?:\(\s*|,\s*|with\s+(?:a\s+)?|incl\.?\s+)?"
    rf"(?:(?P<tol1>{_VAL})\s*(?:{_TOL_WORD})|(?:{_TOL_WORD})\s*(?:of\s+|[:=]\s*)?(?P<tol2>{_VAL})"
    rf"|(?:±|\+/-|\+-)\s*(?P<tol3>{_VAL})(?:\s*(?:{_TOL_WORD}))?)\s*\)?\s*\.?$",
    re.IGNORECASE,
)
_CMP_PREFIX = [
    (re.compile(r"^(?:>=|≥|=>|at\s+least|minimum(?:\s+of)?|min\.?|no\s+less\s+than|not\s+less\s+than)\s*",
                re.I), ">="),
    (re.compile(r"^(?:<=|≤|=<|at\s+most|maximum(?:\s+of)?|max\.?|no\s+more\s+than|not\s+more\s+than|up\s+to)\s*",
                re.I), "<="),
    (re.compile(r"^(?:>|above|over|more\s+than|greater\s+than|higher\s+than)\s*", re.I), ">"),
    (re.compile(r"^(?:<|below|under|less\s+than|fewer\s+than|lower\s+than)\s*", re.I), "<"),
]
_CMP_SUFFIX = [
    (re.compile(r"\s*(?:or|and)\s+(?:above|over|more|higher|better|greater)\s*$", re.I), ">="),
    (re.compile(r"\s*(?:or|and)\s+(?:below|under|less|lower|fewer)\s*$", re.I), "<="),
    (re.compile(r"\s*\+\s*$"), ">="),
]
_DIRECTION = [
    (re.compile(r"^(?:to\s+)?(?:increase|improve|raise|higher|grow)\b.*", re.I), "increase"),
    (re.compile(r"^(?:to\s+)?(?:decrease|reduce|reduction|lower|fall|drop)\b.*", re.I), "decrease"),
    (re.compile(r"^(?:to\s+)?(?:maintain|sustain|keep|stable|no\s+change)\b.*", re.I), "maintain"),
]
_RELATIVE = re.compile(r"^(?:in\s+line\s+with|at\s+or\s+(?:above|below)|better\s+than|above|below|match"
                       r"|equal\s+to)\s+(?:the\s+)?"
                       r"(?:statistical|stat\.?|national|england|regional|south|sn|average|comparator)", re.I)

_MAX_TARGET = 200
SEVERAL_TARGETS = "several targets"
RELATIVE_TARGET = "relative to a benchmark"
DIRECTION_ONLY = "direction only"


def parse_target(text: str | None, unit_hint: Unit | None = None) -> ParsedTarget:
    """Read a target cell. Never raises.

    >>> parse_target("20%").target
    20.0
    >>> t = parse_target("100% (14% tolerance)"); (t.target, t.tolerance)
    (100.0, 14.0)
    >>> t = parse_target(">= 95%"); (t.target, t.comparison)
    (95.0, '>=')
    >>> parse_target("Reduce").direction
    'decrease'
    """
    try:
        return _parse_target(text, unit_hint)
    except Exception as exc:  # pragma: no cover - fuzz tests call _parse_target directly
        return ParsedTarget(text=str(text), missing_reason="unreadable", needs_review=True,
                            review_reason=f"internal error: {type(exc).__name__}")


def _unit(*values: ParsedValue, hint: Unit | None) -> Unit | None:
    for v in values:
        if v.unit is not None and v.unit != hint:
            return v.unit
    return hint if hint is not None else next((v.unit for v in values if v.unit), None)


def _parse_target(text: str | None, unit_hint: Unit | None) -> ParsedTarget:
    printed = "" if text is None else str(text)
    s = clean(printed)

    reason = placeholder_reason(s)
    if reason is not None:
        return ParsedTarget(text=printed, missing_reason=reason, targets=[None], unit=unit_hint,
                            parts=[parse_value(s, unit_hint)])
    if len(s) > _MAX_TARGET:  # a paragraph is not a target; also keeps the regexes' work small
        return ParsedTarget(text=printed, missing_reason="unreadable", targets=[None], unit=unit_hint,
                            needs_review=True, review_reason="cell too long to be a target")

    # value with tolerance
    m = _WITH_TOL.match(s)
    if m:
        t = parse_value(m.group("t"), unit_hint)
        tol = parse_value(m.group("tol1") or m.group("tol2") or m.group("tol3"), unit_hint)
        if t.value is not None and tol.value is not None:
            return ParsedTarget(text=printed, target=t.value, tolerance=abs(tol.value),
                                unit=_unit(t, tol, hint=unit_hint), targets=[t.value], parts=[t])

    # comparison words around one value
    comparison: Comparison | None = None
    body = s
    for rx, op in _CMP_PREFIX:
        if (cm := rx.match(body)) and cm.end() < len(body):
            comparison, body = op, body[cm.end():]
            break
    if comparison is None:
        for rx, op in _CMP_SUFFIX:
            if (cm := rx.search(body)) and cm.start() > 0:
                comparison, body = op, body[:cm.start()]
                break

    # several targets side by side: every token a value or a placeholder
    tokens = s.split()
    if len(tokens) > 1:
        parts = [parse_value(t, unit_hint) for t in tokens]
        if all(p.value is not None or (p.missing_reason and p.missing_reason != "unreadable") for p in parts):
            values = [p.value for p in parts]
            review = None
            if (len(tokens) == 2 and re.fullmatch(r"\d{1,3}", tokens[0]) and re.fullmatch(r"\d{3}", tokens[1])):
                review = f"'{s}' may be one number split at its thousands ({tokens[0]}{tokens[1]})"
            return ParsedTarget(text=printed, missing_reason=SEVERAL_TARGETS, targets=values, parts=parts,
                                unit=_unit(*parts, hint=unit_hint), needs_review=review is not None,
                                review_reason=review)

    single = parse_value(body, unit_hint)
    if single.value is not None and single.note is None:
        return ParsedTarget(text=printed, target=single.value, unit=single.unit, targets=[single.value],
                            parts=[single], comparison=comparison)
    if single.value is not None and single.note is not None:
        # '95% (provisional)': keep the number, show the words to a person
        return ParsedTarget(text=printed, target=single.value, unit=single.unit, targets=[single.value],
                            parts=[single], comparison=comparison, needs_review=True,
                            review_reason=f"words beside the target: {single.note.text[:60]!r}")

    if _RELATIVE.match(s):
        return ParsedTarget(text=printed, missing_reason=RELATIVE_TARGET, targets=[None], unit=unit_hint)
    for rx, direction in _DIRECTION:
        if rx.match(s) and not re.search(r"\d", s):
            return ParsedTarget(text=printed, missing_reason=DIRECTION_ONLY, direction=direction,
                                targets=[None], unit=unit_hint)

    return ParsedTarget(text=printed, missing_reason="unreadable", targets=[None], unit=unit_hint,
                        needs_review=True, review_reason="not a target form this parser knows")
