"""The arithmetic a monthly dataset row carries, used as evidence when OCR damaged a cell.

Within a row (seed-discrepancies §5): % change from the previous month = (last - previous) / previous;
% change from the same month last year = (last - first) / first; the 12-month average and max cover the
last twelve columns (Jul-17..Jun-18 of Jun-17..Jun-18); the average of a percentage row is the mean of
the monthly percentages; rounding is half-up.

Printed figures are rounded, so every check is interval arithmetic over the rounding bounds of the
displayed numbers (trap T13: a change may reproduce only from the unrounded values). Counts are exact.

>>> Num(43, 0).interval(), Num(15.0, 1).interval()
((42.5, 43.5), (14.95, 15.05))
>>> change_holds(-20, Num(43, 0), Num(54, 0)), change_holds(-8, Num(1433, 0, exact=True), Num(1554, 0, exact=True))
(True, True)
>>> average_holds(Num(8.6, 1), [Num(x, 1) for x in [10.1, 2.6, 7.3, 8.6, 7.4, 10.9, 10.6, 6.1, 8.1, 2.7, 12.7, 13.8]])
False
>>> half_up(104.5), half_up(73.25, 1)
(105.0, 73.3)
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


def half_up(x: float, nd: int = 0) -> float:
    return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-nd), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Num:
    """A printed number: its value, the decimals it was printed with, and whether it is exact (a count)."""

    value: float
    decimals: int = 0
    exact: bool = False

    def interval(self) -> tuple[float, float]:
        if self.exact:
            return self.value, self.value
        h = 0.5 * 10 ** -self.decimals
        return self.value - h, self.value + h


def _overlap(a: tuple[float, float], b: tuple[float, float], eps: float = 1e-9) -> bool:
    return a[0] <= b[1] + eps and b[0] <= a[1] + eps


def change_range(new: Num, old: Num) -> tuple[float, float] | None:
    """The % changes from ``old`` to ``new`` that their printed values allow; None when old may be 0."""
    n_lo, n_hi = new.interval()
    o_lo, o_hi = old.interval()
    if o_lo <= 0:
        return None
    candidates = [(n - o) / o * 100 for n in (n_lo, n_hi) for o in (o_lo, o_hi)]
    return min(candidates), max(candidates)


def change_holds(printed: float, new: Num, old: Num, decimals: int = 0) -> bool | None:
    """Does a printed % change reproduce from the two values? None when it cannot be judged (zero base)."""
    rng = change_range(new, old)
    if rng is None:
        return None
    return _overlap(Num(printed, decimals).interval(), rng)


def average_holds(printed: Num, window: list[Num]) -> bool | None:
    if not window:
        return None
    lo = sum(v.interval()[0] for v in window) / len(window)
    hi = sum(v.interval()[1] for v in window) / len(window)
    return _overlap(printed.interval(), (lo, hi))


def maximum_holds(printed: Num, window: list[Num]) -> bool | None:
    if not window:
        return None
    lo = max(v.interval()[0] for v in window)
    hi = max(v.interval()[1] for v in window)
    return _overlap(printed.interval(), (lo, hi))


@dataclass
class RowFacts:
    """A row's monthly values (None where unknown) and its printed derived figures (None where unread)."""

    values: list[Num | None]
    change_previous: float | None = None
    change_year_ago: float | None = None
    average: Num | None = None
    maximum: Num | None = None

    def window(self) -> list[Num] | None:
        w = self.values[1:] if len(self.values) == 13 else self.values[-12:]
        return None if any(v is None for v in w) else w  # type: ignore[return-value]

    def checks(self) -> dict[str, bool | None]:
        """Each identity: True holds, False fails, None cannot be judged."""
        out: dict[str, bool | None] = {}
        last = self.values[-1] if self.values else None
        prev = self.values[-2] if len(self.values) >= 2 else None
        first = self.values[0] if len(self.values) == 13 else None
        if self.change_previous is not None and last is not None and prev is not None:
            out["change_previous"] = change_holds(self.change_previous, last, prev)
        if self.change_year_ago is not None and last is not None and first is not None:
            out["change_year_ago"] = change_holds(self.change_year_ago, last, first)
        window = self.window()
        if self.average is not None and window is not None:
            out["average_12m"] = average_holds(self.average, window)
        if self.maximum is not None and window is not None:
            out["max_12m"] = maximum_holds(self.maximum, window)
        return out

    def identities_of(self, index: int) -> set[str]:
        """The identities a value at ``index`` takes part in."""
        n = len(self.values)
        found = set()
        if index in (n - 1, n - 2) and self.change_previous is not None:
            found.add("change_previous")
        if index in (n - 1, 0) and n == 13 and self.change_year_ago is not None:
            found.add("change_year_ago")
        if index >= n - 12:
            if self.average is not None:
                found.add("average_12m")
            if self.maximum is not None:
                found.add("max_12m")
        return found

    def with_value(self, index: int, num: Num | None) -> "RowFacts":
        values = list(self.values)
        values[index] = num
        return RowFacts(values, self.change_previous, self.change_year_ago, self.average, self.maximum)


def recomputed(facts: RowFacts) -> dict[str, float | None]:
    """The derived figures recomputed from the values (unrounded), where the values allow."""
    v = facts.values
    out: dict[str, float | None] = {"change_previous": None, "change_year_ago": None,
                                    "average_12m": None, "max_12m": None}
    if len(v) >= 2 and v[-1] is not None and v[-2] is not None and v[-2].value:
        out["change_previous"] = (v[-1].value - v[-2].value) / v[-2].value * 100
    if len(v) == 13 and v[-1] is not None and v[0] is not None and v[0].value:
        out["change_year_ago"] = (v[-1].value - v[0].value) / v[0].value * 100
    w = facts.window()
    if w:
        out["average_12m"] = sum(x.value for x in w) / len(w)
        out["max_12m"] = max(x.value for x in w)
    return out
