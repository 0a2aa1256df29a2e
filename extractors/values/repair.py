"""OCR damage undone, never silently: every change is a logged :class:`Repair`.

Two levels:

* :func:`repair_value` fixes what one cell shows on its own: a direction-of-travel glyph OCR'd
  in front of a % change ('¥ -20%', '3 -14%', 'T+ 36%', '1t 20%', '& -3%', '= 2%'), letter/digit
  swaps inside a number ('1O5', 'l2'), trailing noise ('85.6!');
* :func:`repair_series` also uses the row: a value whose decimal point was lost ('221%' among
  values near 22%) and a number split at its thousands ('1 357' among values in the 1,000s) are
  repaired only when the repaired value sits among its neighbours and the printed one does not.

Evidence rules (the invariant the tests check):

* a repair is *applied* only with strong evidence, and then it is in ``repairs``;
* with weak evidence nothing is changed: the value stays as printed (or None if the printed
  text is not a number), the idea goes into ``suggestions`` and ``needs_review`` is True with a
  ``review_reason``. '2' among 20s is such a case: a digit may be lost, but which one?

Direction glyphs (from seed 003's key and the values they sit beside): '¥', '3', '‘}', '}'
point down; 'T', 'T+', '1t', 't' point up; '=', '&' mean similar. Arrow characters (↑ ↓ ▲ ▼)
are read as themselves. The glyph is kept in ``direction_glyph`` and its reading in
``direction_hint``; the printed sign of the number, not the glyph, gives the value.

>>> v = repair_value("¥ -20%")
>>> v.value, v.direction_hint.value, v.repairs[0].kind.value
(-20.0, 'down', 'direction_glyph')
>>> repair_value("1O5").value
105.0
>>> [v.value for v in repair_series(["21.3%", "12.2%", "221%", "24.0%"], Unit.percent)]
[21.3, 12.2, 22.1, 24.0]
"""
from __future__ import annotations

import re
from collections import Counter

from schemas import Unit

from .numbers import (
    NUMBER,
    SEVERAL_VALUES,
    UNREADABLE,
    Direction,
    ParsedValue,
    Repair,
    RepairKind,
    parse_value,
)
from .text import clean

# --------------------------------------------------------------------------- glyphs

# Only glyphs seen beside % changes whose sign confirms them, plus real arrows. The separate DoT
# column of 003 ('A', 'v', 'P') is not read: the notes show it cannot be recovered from the OCR.
_DOWN = {"¥", "3", "‘}", "'}", "’}", "}", "↓", "▼", "⬇", "↘"}
_UP = {"T", "t", "1t", "It", "lt", "↑", "▲", "⬆", "^", "↗"}
_SIMILAR = {"=", "&", "↔", "→", "◆", "►", "-=", "≈"}


def glyph_direction(glyph: str) -> Direction | None:
    """Which way a DoT glyph points, as OCR printed it; None if it is not one we know.

    >>> glyph_direction("¥+"), glyph_direction("T+"), glyph_direction("&"), glyph_direction("P")
    (<Direction.down: 'down'>, <Direction.up: 'up'>, <Direction.similar: 'similar'>, None)
    """
    g = glyph.strip()
    if len(g) > 1 and g.endswith("+"):
        g = g[:-1]  # 'T+', '¥+': the '+' is part of the glyph, not a sign
    if g in _DOWN:
        return Direction.down
    if g in _UP:
        return Direction.up
    if g in _SIMILAR:
        return Direction.similar
    return None


# A glyph token (1-3 non-space characters, not itself a number), whitespace, then a % change.
# The glyph is either spaced off ('¥ -20%') or glued to an explicit sign ('¥-20%', 'T+36%').
_GLYPH_CELL = re.compile(
    r"^(?P<glyph>\S{1,3}?)(?:\s+|(?<=\D)(?=[+-]\d))(?P<garble>[“”\"'‘’=~_])?(?P<sign>[+-])?\s*"
    rf"(?P<num>{NUMBER})\s*%\s*$")
# A garbled minus glued to the number, no glyph: '“56%', '=37%'.
_GARBLED_CELL = re.compile(rf"^(?P<garble>[“”\"'‘’=~_])(?P<num>{NUMBER})\s*%\s*$")
# Letters glued in front of a number: 'S19%'. The letter may be a glyph or a digit: weak.
_GLUED_CELL = re.compile(rf"^(?P<junk>[A-Za-z]{{1,2}})(?P<sign>[+-])?(?P<num>{NUMBER})\s*(?P<pct>%)"
                         r"[!|'\"*^~`’‘:;{}\]\\]*\s*$")
# Trailing noise after a well-formed number: '85.6!', '12.7%|'.
_TRAILING = re.compile(rf"^(?P<body>[(]?[+-]?\s*£?{NUMBER}\s*%?)(?P<noise>[!|'\"*^~`’‘:;{{}}\]\\]+)\s*$")
# Letter/digit confusions inside a number: O/o for 0; l, I, | for 1.
_SWAP_CELL = re.compile(r"^(?P<sign>[+-])?(?P<num>[0-9OoIl|][0-9OoIl|,.]*)\s*(?P<pct>%)?$")
_SWAPS = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"})
_SPLIT = re.compile(r"^(?P<head>\d{1,3})(?P<tail>(?:\s\d{3})+)\s*(?P<pct>%)?$")


def _suggest(v: ParsedValue, reason: str, *suggestions: Repair) -> ParsedValue:
    return v.model_copy(update={
        "needs_review": True,
        "review_reason": reason if not v.review_reason or v.review_reason == reason
        else f"{v.review_reason}; {reason}",
        "suggestions": [*v.suggestions, *suggestions],
    })


def _applied(original: str, fixed_text: str, unit: Unit | None, repair: Repair, **update) -> ParsedValue:
    v = parse_value(fixed_text, unit)
    return v.model_copy(update={"text": original, "repairs": [repair], **update})


def repair_value(text: str | None, unit: Unit | None = None) -> ParsedValue:
    """Read one cell, undoing damage the cell itself shows. Never raises.

    >>> repair_value("85.6!").value, repair_value("85.6!").repairs[0].kind.value
    (85.6, 'trailing_noise')
    >>> v = repair_value("T+ 36%"); (v.value, v.direction_hint.value)
    (36.0, 'up')
    >>> v = repair_value("3 7%"); (v.value, v.needs_review)
    (None, True)
    """
    try:
        return _repair_value(text, unit)
    except Exception as exc:  # pragma: no cover - the fuzz tests call _repair_value directly
        return ParsedValue(text=str(text), missing_reason=UNREADABLE, needs_review=True,
                           review_reason=f"internal error: {type(exc).__name__}")


def _repair_value(text: str | None, unit: Unit | None = None) -> ParsedValue:
    printed = "" if text is None else str(text)
    v = parse_value(printed, unit)
    if v.value is not None or v.missing_reason not in (UNREADABLE, SEVERAL_VALUES):
        return v
    s = clean(printed)

    # 1. a direction glyph in front of a % change
    if (m := _GLYPH_CELL.match(s)) and not re.fullmatch(r"[+-]?\d[\d,.]*%?", m.group("glyph")):
        return _glyph_repair(printed, m, unit) or v
    if (m := _GLYPH_CELL.match(s)) and re.fullmatch(r"\d", m.group("glyph")):
        return _glyph_repair(printed, m, unit) or v

    # 2. a garbled minus glued to the number, with no glyph to confirm it
    if (m := _GARBLED_CELL.match(s)):
        return _suggest(v, f"'{m.group('garble')}' in front of the number may be a minus sign",
                        Repair(kind=RepairKind.garbled_sign, from_text=s, to_text=f"-{m.group('num')}%",
                               reason="a quote or '=' glued to a % change is often an OCR'd minus",
                               evidence_strength="weak"))

    # 3. trailing noise
    if (m := _TRAILING.match(s)):
        fixed = m.group("body").strip()
        return _applied(printed, fixed, unit, Repair(
            kind=RepairKind.trailing_noise, from_text=s, to_text=fixed,
            reason=f"the number is intact; {m.group('noise')!r} after it is a misread glyph",
            evidence_strength="strong"))

    # 4. letter/digit swaps inside a number
    if (m := _SWAP_CELL.match(s)) and re.search(r"\d", m.group("num")) and re.search(r"[OoIl|]", m.group("num")):
        fixed = (m.group("sign") or "") + m.group("num").translate(_SWAPS) + (m.group("pct") or "")
        fv = parse_value(fixed, unit)
        if fv.value is not None:
            return fv.model_copy(update={"text": printed, "repairs": [Repair(
                kind=RepairKind.letter_digit, from_text=s, to_text=fixed,
                reason="O read for 0, or l / I / | read for 1, inside a number",
                evidence_strength="strong")]})

    # 5. letters glued in front: 'S19%' (glyph, or a misread 5?)
    if (m := _GLUED_CELL.match(s)):
        stripped = (m.group("sign") or "") + m.group("num") + (m.group("pct") or "")
        return _suggest(v, f"letters {m.group('junk')!r} glued to the number: a glyph or a misread digit",
                        Repair(kind=RepairKind.direction_glyph, from_text=s, to_text=stripped,
                               reason="dropping the letters leaves a number", evidence_strength="weak"))

    # 6. a number split at its thousands: needs the row to confirm (see repair_series)
    if (m := _SPLIT.match(s)):
        joined = m.group("head") + m.group("tail").replace(" ", "") + (m.group("pct") or "")
        return _suggest(v, "may be one number split at its thousands; the row must confirm",
                        Repair(kind=RepairKind.split_number, from_text=s, to_text=joined,
                               reason="digit groups of 3 after a space", evidence_strength="weak"))
    return v


def _glyph_repair(printed: str, m: re.Match[str], unit: Unit | None) -> ParsedValue | None:
    glyph, garble, sign, num = m.group("glyph"), m.group("garble"), m.group("sign"), m.group("num")
    s = clean(printed)
    direction = glyph_direction(glyph)
    hint = {"direction_hint": direction, "direction_glyph": glyph}
    signed = f"{sign or ''}{num}%"

    if garble:  # '‘} =37%': a down glyph confirms that '=' stands for a minus
        if direction == Direction.down and not sign:
            fixed = f"-{num}%"
            return _applied(printed, fixed, unit, Repair(
                kind=RepairKind.garbled_sign, from_text=s, to_text=fixed,
                reason=f"glyph {glyph!r} points down, so {garble!r} before the number is a minus",
                evidence_strength="strong"), **hint)
        v = parse_value(printed, unit).model_copy(update=hint)
        return _suggest(v, f"{garble!r} before the number may be a minus sign",
                        Repair(kind=RepairKind.garbled_sign, from_text=s, to_text=f"-{num}%",
                               reason="a quote or '=' glued to a % change is often an OCR'd minus",
                               evidence_strength="weak"))

    strip = Repair(kind=RepairKind.direction_glyph, from_text=s, to_text=signed,
                   reason=f"{glyph!r} is a direction-of-travel glyph"
                          + (f" ({direction.value})" if direction else "") + ", not part of the number",
                   evidence_strength="strong")
    if sign or float(num) == 0:
        v = _applied(printed, signed, unit, strip, **hint)
        if (direction == Direction.down and sign == "+") or (direction == Direction.up and sign == "-"):
            return _suggest(v, f"glyph {glyph!r} points {direction.value} but the number is {sign}{num}%")
        return v
    # unsigned number
    if glyph.isdigit():
        # '3 7%': '37%' with a space, or glyph '3' + '7%' (and then a lost minus)? Cannot tell.
        v = parse_value(printed, unit).model_copy(update=hint)
        return _suggest(v, f"{s!r}: a digit glyph before an unsigned number; it may be part of the number",
                        Repair(kind=RepairKind.direction_glyph, from_text=s, to_text=signed,
                               reason=f"{glyph!r} as a glyph", evidence_strength="weak"),
                        Repair(kind=RepairKind.split_number, from_text=s, to_text=f"{glyph}{num}%",
                               reason=f"{glyph!r} as a digit", evidence_strength="weak"))
    if direction in (Direction.up, Direction.similar):
        return _applied(printed, signed, unit, strip, **hint)
    v = _applied(printed, signed, unit, strip, **hint)
    if direction == Direction.down:
        return _suggest(v, f"glyph {glyph!r} points down but the number has no minus sign",
                        Repair(kind=RepairKind.garbled_sign, from_text=signed, to_text=f"-{num}%",
                               reason="the minus may have been lost", evidence_strength="weak"))
    return _suggest(v, f"unknown glyph {glyph!r} before the number")


# --------------------------------------------------------------------------- rows

def _band(others: list[float]) -> tuple[float, float]:
    """The range a neighbour of ``others`` may plausibly fall in: their range, widened by half
    its width (or a quarter of their size when they are all alike)."""
    lo, hi = min(others), max(others)
    width = max(hi - lo, 0.25 * max(abs(lo), abs(hi)), 1e-9)
    return lo - 0.5 * width, hi + 0.5 * width


def _row_decimals(values: list[ParsedValue]) -> int | None:
    """The decimals most of the row prints, if at least three quarters agree."""
    decs = [v.decimals for v in values if v.decimals is not None]
    if len(decs) < 3:
        return None
    dec, n = Counter(decs).most_common(1)[0]
    return dec if n * 4 >= len(decs) * 3 else None


def _current_text(v: ParsedValue) -> str:
    return v.repairs[-1].to_text if v.repairs else clean(v.text)


def repair_series(texts: list[str | None], unit: Unit | None = None, *,
                  share: bool | None = None) -> list[ParsedValue]:
    """Read a row of values (one measure, successive periods), repairing with the row's help.

    ``share`` says a percentage is a share of a whole, so above 100 is impossible; it
    defaults to True for ``Unit.percent``. Pass ``share=False`` for % *change* columns,
    which legitimately print '850%'.

    >>> [v.value for v in repair_series(["100.0%", "75.0%", "1000%", "50.0%"], Unit.percent)]
    [100.0, 75.0, 100.0, 50.0]
    >>> [v.value for v in repair_series(["1491", "1 357", "1259"], Unit.count)]
    [1491.0, 1357.0, 1259.0]
    >>> v = repair_series(["21", "24", "2", "26", "23"], Unit.count)[2]
    >>> (v.value, v.needs_review)
    (2.0, True)
    """
    try:
        return _repair_series(list(texts or []), unit, share)
    except Exception as exc:  # pragma: no cover - the fuzz tests call _repair_series directly
        return [ParsedValue(text=str(t), missing_reason=UNREADABLE, needs_review=True,
                            review_reason=f"internal error: {type(exc).__name__}") for t in texts or []]


def _repair_series(texts: list[str | None], unit: Unit | None, share: bool | None) -> list[ParsedValue]:
    if share is None:
        share = unit == Unit.percent
    values = [repair_value(t, unit) for t in texts]
    readable = [v for v in values if v.value is not None and not v.repairs and not v.needs_review]
    # The row's decimals: strictly (three quarters agree) to judge a value by its decimals, and
    # loosely (the commonest non-zero count) to place a point in a value over 100%.
    possible = [v for v in readable if not (share and not 0 <= v.value <= 100)]
    row_dec = _row_decimals(possible)
    nonzero = Counter(v.decimals for v in possible if v.decimals)
    point_dec = row_dec or (nonzero.most_common(1)[0][0] if nonzero else None)
    # Neighbours are the values nothing is wrong with: readable, possible, printed like the row.
    trusted = [i for i, v in enumerate(values)
               if v in possible and (row_dec is None or v.decimals == row_dec)]

    out: list[ParsedValue] = []
    for i, v in enumerate(values):
        others = [values[j].value for j in trusted if j != i]
        out.append(_check_in_row(v, others, row_dec, point_dec, unit, share))
    return out


def _check_in_row(v: ParsedValue, others: list[float], row_dec: int | None, point_dec: int | None,
                  unit: Unit | None, share: bool) -> ParsedValue:
    s = _current_text(v)
    band = _band(others) if len(others) >= 2 else None

    def inside(x: float) -> bool:
        return band is not None and band[0] <= x <= band[1] and not (share and not 0 <= x <= 100)

    # split number: '1 357' -> 1357, when the row is in the thousands and the parts are not
    split = next((r for r in v.suggestions if r.kind == RepairKind.split_number and v.value is None), None)
    if split is not None and _SPLIT.match(s):
        joined = parse_value(split.to_text, unit)
        parts = [float(p) for p in s.rstrip("%").split()]
        if joined.value is not None and inside(joined.value) and not any(inside(p) for p in parts):
            return joined.model_copy(update={"text": v.text, "repairs": [split.model_copy(update={
                "evidence_strength": "strong",
                "reason": f"{split.reason}; the joined value lies among the row's values "
                          f"({min(others):g}-{max(others):g}) and the parts do not"})]})
        return v

    if v.value is None:
        return v
    x = v.value

    # lost decimal point: fewer decimals than the row prints, and out of place where it is
    impossible = share and x > 100
    # over 100% with no decimals to go by: one decimal place is the commonest print
    dec = (point_dec or 1) if impossible else row_dec
    if (dec and v.decimals == 0 and unit != Unit.count and (impossible or (band and not inside(x)))):
        digits = re.search(NUMBER, s)
        if digits:
            d = digits.group(0).replace(",", "")
            if len(d) > dec:
                cand_text = s.replace(digits.group(0), f"{d[:-dec]}.{d[-dec:]}", 1)
                cand = parse_value(cand_text, unit)
                repair = Repair(kind=RepairKind.lost_decimal_point, from_text=s, to_text=cand_text,
                                reason=f"the row prints {dec} decimal place(s) and {x:g} is "
                                       + ("over 100%" if impossible else "out of line with its neighbours"),
                                evidence_strength="strong")
                if cand.value is not None and inside(cand.value):
                    return cand.model_copy(update={
                        "text": v.text, "repairs": [*v.repairs, repair],
                        "direction_hint": v.direction_hint, "direction_glyph": v.direction_glyph})
                why = (f"{x:g} looks like a lost decimal point, but the row has too few values to confirm "
                       f"{cand_text}" if band is None else
                       f"{x:g} looks like a lost decimal point, but {cand_text} is not among the row's values either")
                return _suggest(v, why,
                                repair.model_copy(update={"evidence_strength": "weak"}))
    if impossible:
        return _suggest(v, f"{x:g}% is over 100% for a share")
    if share and x < 0:
        return _suggest(v, f"{x:g}% is negative for a share (is this a % change column? pass share=False)")

    # lost or extra digits: far outside the row by a factor of five or more
    if others and x > 0 and all(o >= 0 for o in others):
        lo, hi = min(others), max(others)
        if lo > 0 and x < lo / 5:
            return _suggest(v, f"{x:g} is far below the row's other values ({lo:g}-{hi:g}); a digit may be lost",
                            Repair(kind=RepairKind.lost_digit, from_text=s, to_text=s,
                                   reason="value out of scale with its row", evidence_strength="weak"))
        if hi > 0 and x > hi * 5:
            return _suggest(v, f"{x:g} is far above the row's other values ({lo:g}-{hi:g})",
                            Repair(kind=RepairKind.outlier, from_text=s, to_text=s,
                                   reason="value out of scale with its row", evidence_strength="weak"))

    # fewer decimals than the row, yet in range: '1%' in a row of '38.5%' (digits may be lost)
    if row_dec and v.decimals is not None and v.decimals < row_dec and not v.repairs and len(others) >= 3:
        return _suggest(v, f"printed with {v.decimals} decimal place(s) where the row prints {row_dec}")
    return v
