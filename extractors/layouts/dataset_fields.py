"""Which printed token is which field of a monthly dataset row, when OCR gives a stream and no columns.

The row's template, left to right (the dataset header; seed 003):

    13 monthly values | [glyph] % change from previous month | [glyph] % change from same month last year
    | DoT | 12-month average | 12-month max | 'Percentage?' flag (P or -) | Stat. Neighbour | England
    | SE region | Target 17-18 | Target 18-19 | Target 19-20 | commentary ...

Any field may be missing and OCR adds stray marks, drops cells and garbles glyphs, so the stream is
matched against the template by scoring every split: how value-like the value block is, how many cells
it lost, whether the tail has the shapes the template expects, and, above all, whether the row's own
arithmetic holds for the split (dataset_identities): a split whose average, max and % changes reproduce
from its values beats one that only looks right. Month labels printed next to values (column dumps)
pin those values to their months.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from extractors.values import glyph_direction, repair_series
from schemas import Unit

from .dataset_identities import Num, RowFacts, average_holds, change_holds, maximum_holds
from .dataset_tokens import (
    Tok,
    has_digit,
    is_change_like,
    is_glyph,
    is_local,
    is_placeholder,
    readings,
    strip_noise,
    value_class,
)

LOST_PENALTY = 2.5


@dataclass
class Change:
    glyph: list[Tok]
    token: Tok | None

    @property
    def glyph_text(self) -> str:
        return " ".join(t.text for t in self.glyph)


@dataclass
class Fields:
    values: list[Tok]
    start: int = 0
    lost: int = 0
    change_previous: Change | None = None
    change_year_ago: Change | None = None
    dot: Tok | None = None
    average: Tok | None = None
    maximum: Tok | None = None
    flag: Tok | None = None
    benchmarks: list[Tok] = field(default_factory=list)
    targets: list[Tok] = field(default_factory=list)
    zone: list[Tok] = field(default_factory=list)  # tokens between the values and the average
    rest: list[Tok] = field(default_factory=list)  # tokens after the last field read
    score: float = 0.0


@lru_cache(maxsize=4096)
def _primary(text: str, unit: Unit | None) -> tuple[float, int] | None:
    found = readings(text, unit, limit=6)
    if not found or found[0].value is None:
        return None
    return found[0].value, found[0].decimals or 0


@lru_cache(maxsize=4096)
def _vclass(text: str) -> tuple[str, float]:
    return value_class(text)


def _num(text: str, unit: Unit | None, exact: bool) -> Num | None:
    p = _primary(strip_noise(text), unit)
    if p is None:
        return None
    return Num(p[0], p[1], exact=exact and p[1] == 0)


def _number_like(text: str, unit: Unit | None) -> bool:
    return has_digit(text) and _primary(strip_noise(text), unit) is not None


def _change_value(tok: Tok | None, unit: Unit | None) -> float | None:
    if tok is None:
        return None
    p = _primary(strip_noise(tok.text), Unit.percent)
    return p[0] if p else None


def parse_stream(stream: list[Tok], months: int, unit: Unit | None, *,
                 anchors: dict[int, int] | None = None, min_values: int = 8) -> Fields | None:
    """The best reading of ``stream`` as one row; None when no block of values is found."""
    anchors = anchors or {}
    exact = unit == Unit.count
    best: Fields | None = None
    for start in range(len(stream)):
        for k in range(months, min_values - 1, -1):
            block = stream[start:start + k]
            if len(block) < k:
                continue
            classes = [_vclass(t.text) for t in block]
            junk = [i for i, (form, _w) in enumerate(classes) if not form]
            if junk and (len(junk) > 2 or 0 in junk or k - 1 in junk or k < months
                         or any(not _junk_cell(block[i].text) for i in junk)):
                continue
            classes = [c if c[0] else ("junk", -1.0) for c in classes]
            forms = [f for f, _w in classes if f in ("pct", "num")]
            major = max(set(forms), key=forms.count) if forms else None
            score = 0.0
            for t, (f, w) in zip(block, classes):
                if f in ("damaged", "placeholder", "junk") or f == major:
                    score += w
                elif f == "pct" and major == "num":
                    if t.text.lstrip().startswith(("-", "+")):
                        score = float("-inf")  # a signed % in a row of counts is a % change, never a value
                        break
                else:
                    score += 1.0
            if score == float("-inf"):
                continue
            score -= 1.0 * sum(classes[i][0] == "placeholder" for i in (0, k - 1))  # a run rarely ends in one
            score -= LOST_PENALTY * (months - k)
            score += _anchor_score(start, k, months, anchors)
            row_unit = unit or (Unit.percent if major == "pct" else None)
            score -= 1.5 * _out_of_scale(tuple(t.text for t in block), row_unit)
            tail = stream[start + k:]
            fields = _parse_tail(tail, block, months, row_unit, exact)
            pm, py = fields.change_previous, fields.change_year_ago
            if pm and py and not pm.glyph and len(py.glyph) == 1 and block[-1].text == py.glyph[0].text:
                score -= 3.0  # '… 17 3 -15% 3 -26%': the last 'value' is the glyph the other change repeats
            fields.start, fields.lost = start, months - k
            fields.score += score
            if best is None or fields.score > best.score + 1e-9:
                best = fields
    return best


def _junk_cell(text: str) -> bool:
    """An unreadable token that may stand in a row of figures for one cell ('rs' for '7')."""
    t = strip_noise(text)
    return 0 < len(t) <= 4 and not is_local(t) and not is_change_like(t) and glyph_direction(t) is None


def _out_of_scale(texts: tuple[str, ...], unit: Unit | None) -> int:
    """Clean values the values library finds out of scale with the rest of the block ('3' among 20s)."""
    return sum(1 for v in _repaired(texts, unit)
               if v.needs_review and not v.repairs and any(s.kind.value in ("lost_digit", "outlier") for s in v.suggestions))


@lru_cache(maxsize=4096)
def _repaired(texts: tuple[str, ...], unit: Unit | None):
    return tuple(repair_series([strip_noise(t) for t in texts], unit))


def _anchor_score(start: int, k: int, months: int, anchors: dict[int, int]) -> float:
    score = 0.0
    for i in range(k):
        m = anchors.get(start + i)
        if m is None:
            continue
        lo, hi = i, i + (months - k)  # where the i-th value may sit when cells were lost before it
        score += 1.0 if lo <= m <= hi else -3.0
    return score


@lru_cache(maxsize=2048)
def _series(texts: tuple[str, ...], unit: Unit | None, exact: bool) -> tuple[Num | None, ...]:
    """The block's values as the values library reads the row (lost decimal points repaired)."""
    out = []
    for v in _repaired(texts, unit):
        lost_point = next((r for r in v.suggestions if r.kind.value == "lost_decimal_point"), None)
        if v.needs_review and lost_point is not None:
            # for the arithmetic, the reading the library suggests ('480%' -> 48.0) is the likelier one
            found = readings(lost_point.to_text, unit, limit=1)
            if found and found[0].value is not None:
                out.append(Num(found[0].value, found[0].decimals or 0))
                continue
        if v.value is None:
            found = readings(strip_noise(v.text), unit, limit=3)
            out.append(Num(found[0].value, found[0].decimals or 0, exact=exact)
                       if found and found[0].value is not None and len(found) == 1 else None)
        else:
            out.append(Num(v.value, v.decimals or 0, exact=exact and not v.decimals))
    return tuple(out)


def _parse_tail(tail: list[Tok], block: list[Tok], months: int, unit: Unit | None, exact: bool) -> Fields:
    values = list(_series(tuple(t.text for t in block), unit, exact))
    full = len(block) == months
    best = Fields(values=block, rest=list(tail), score=-1.0 - 0.2 * len(tail))
    # (avg index) candidates; None = no average/max found
    for j in range(len(tail) - 1):
        a, m = tail[j], tail[j + 1]
        if not (_number_like(a.text, unit) and _number_like(m.text, unit)):
            continue
        fields = Fields(values=block, average=a, maximum=m, zone=tail[:j])
        score = 4.0
        avg, mx = _num(a.text, unit, False), _num(m.text, unit, exact)
        pct_row = unit == Unit.percent
        for tok in (a, m):
            has_pct = "%" in tok.text
            if pct_row:
                score += 1.0 if (has_pct or "." in tok.text) else 0.0
            else:
                score += -1.5 if has_pct else 0.5
        if avg and mx:
            score += 0.5 if mx.value >= avg.value - 1e-9 else -2.0
        score += _zone(fields, unit)
        facts = _facts(values, fields, unit, full)
        score += _not_applicable_score(fields, values)
        score += _identity_score(facts, values, full, avg, mx, unit, a)
        score += _after_max(fields, tail[j + 2:], unit)
        fields.score = score
        if fields.score > best.score:
            best = fields
    return best


def _zone(fields: Fields, unit: Unit | None) -> float:
    """Read the tokens between the values and the average: two % changes with their glyphs, a DoT glyph."""
    zone = fields.zone
    change_at = [i for i, t in enumerate(zone) if is_change_like(t.text)]
    score = 0.0
    if len(change_at) > 2:
        score -= 1.5 * (len(change_at) - 2)
        change_at = change_at[:2]
    changes: list[Change] = []
    prev = 0
    for i in change_at:
        changes.append(Change(glyph=[t for t in zone[prev:i] if t.text.strip("|")], token=zone[i]))
        prev = i + 1
    after = [t for t in zone[prev:] if t.text.strip("|")]
    if after and is_glyph(after[-1].text):
        fields.dot = after[-1]
        after = after[:-1]
    if not changes and after:
        # glyphs only: the % changes were lost, their arrows kept ('3+ 3+', '= 4 4')
        pass
    for t in [*after, *(g for c in changes for g in c.glyph)]:
        if is_glyph(t.text):
            continue
        score -= 1.5 if (has_digit(t.text) and len(t.text.strip()) >= 2) else 0.7
    score += 1.5 * len(changes)
    if len(changes) == 2:
        fields.change_previous, fields.change_year_ago = changes
    elif len(changes) == 1:
        fields.change_previous = changes[0]  # may move to year-ago when the arithmetic says so
    return score


def _facts(values: list[Num | None], fields: Fields, unit: Unit | None, full: bool) -> RowFacts:
    return RowFacts(
        values=values if full else [],
        change_previous=_change_value(fields.change_previous.token if fields.change_previous else None, unit),
        change_year_ago=_change_value(fields.change_year_ago.token if fields.change_year_ago else None, unit),
    )


def _not_applicable_score(fields: Fields, values: list[Num | None]) -> float:
    """'n/a' is printed for a change from zero (trap T23): the base month must then be 0."""
    score = 0.0
    prev = values[-2] if len(values) >= 2 else None
    first = values[0] if values else None
    for change, base in ((fields.change_previous, prev), (fields.change_year_ago, first)):
        text = change.token.text.strip().lower() if change and change.token else ""
        if text in ("n/a", "na") and base is not None:
            score += 2.0 if base.value == 0 else -3.0
    return score


def _identity_score(facts: RowFacts, values: list[Num | None], full: bool, avg: Num | None, mx: Num | None,
                    unit: Unit | None, avg_tok: Tok) -> float:
    score = 0.0
    last = values[-1] if values else None
    prev = values[-2] if len(values) >= 2 else None
    first = values[0] if values else None
    window = values[-12:] if len(values) >= 12 else []
    # % changes: the last two printed values are the last two months, the first is the year-ago month
    # when no cell was lost before it (a year-ago change that holds is evidence that it was not).
    for key, printed, new, old in (("pm", facts.change_previous, last, prev), ("py", facts.change_year_ago, last, first)):
        if printed is None or new is None or old is None:
            continue
        held = change_holds(printed, new, old)
        if held is None:
            continue
        if held:
            score += 3.0
        elif change_holds(-printed, new, old):
            score += 2.0  # the sign was lost
        elif full or key == "pm":
            score -= 1.5  # (with cells lost, the first value printed may not be the year-ago month)
    if full and all(v is not None for v in window) and len(window) == 12:
        if avg is not None:
            ok = average_holds(avg, window)
            if not ok and unit == Unit.percent:
                ok = any(average_holds(Num(r.value, r.decimals or 0), window)
                         for r in readings(strip_noise(avg_tok.text), unit)[1:] if r.value is not None) \
                    or average_holds(Num(avg.value / 10, 1), window)
            score += 4.0 if ok else -2.0
        if mx is not None:
            ok = maximum_holds(mx, window) or (unit == Unit.percent and maximum_holds(Num(mx.value / 10, 1), window))
            score += 4.0 if ok else -2.0
    elif mx is not None:
        present = [v for v in values if v is not None]
        if present and mx.value + 0.5 < max(v.value for v in present[-12:]):
            score -= 2.0
    return score


def _after_max(fields: Fields, rest: list[Tok], unit: Unit | None) -> float:
    """Flag, up to three benchmarks, up to three targets."""
    best_score, best = -0.0, (None, [], [], rest)
    flags = [0]
    if rest and strip_noise(rest[0].text) in ("P", "p", "-", "?", "—"):
        flags.append(1)
    for f in flags:
        r = rest[f:]
        for nb in range(0, min(3, len(r)) + 1):
            bench = r[:nb]
            if not all(_bench_like(t.text, unit) for t in bench):
                break
            for nt in range(0, min(3, len(r) - nb) + 1):
                targets = r[nb:nb + nt]
                if not all(_target_like(t.text, unit) for t in targets):
                    break
                if nt and nb < 3:
                    break
                score = 0.0
                if f:
                    score += 1.0 if strip_noise(rest[0].text) in ("P", "p", "-") else 0.5
                score += sum(1.2 if is_local(t.text) else 0.4 if is_placeholder(t.text) else 1.0 for t in bench)
                score += 0.6 * nt
                left = r[nb + nt:]
                if left and (_target_like(left[0].text, unit) or _bench_like(left[0].text, unit)):
                    score -= 1.0
                if score > best_score:
                    best_score, best = score, (rest[0] if f else None, bench, targets, left)
    fields.flag, fields.benchmarks, fields.targets, fields.rest = best
    return best_score


def _bench_like(text: str, unit: Unit | None) -> bool:
    t = text.strip()
    return is_local(t) or t in ("-", "—", "n/a", "N/A") or _number_like(t, unit)


def _target_like(text: str, unit: Unit | None) -> bool:
    t = text.strip()
    return t.upper() == "TBC" or t in ("-", "—", "n/a") or _number_like(t, unit)


__all__ = ["Change", "Fields", "parse_stream", "is_placeholder"]
