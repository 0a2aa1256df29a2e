"""Column boundaries from whitespace: x ranges that (almost) no printed line of the table crosses.

camelot network finds columns from the alignment of pdfminer text lines. When pdfminer joins a
row's cells into one text line (narrow gutters, as in council portfolio reports), network sees no
column at all. Cutting every text line at gaps wider than a word space and looking for vertical
white "rivers" that at most a few lines cross (a title or a section heading spanning the table may
cross) recovers those columns. Rivers only add boundaries inside network's columns; they never
remove one.
"""
from __future__ import annotations

from ._grid import _chunks

MAX_CROSSING = 0.12  # share of printed lines that may cross a river (titles, spanning headings)
MIN_WIDTH = 4.0  # points


def _row_spans(lines) -> dict[int, list[tuple[float, float]]]:
    rows: dict[int, list[tuple[float, float]]] = {}
    for line in lines:
        key = round((line.y0 + line.y1) / 4)  # lines within ~2pt share a printed row
        for _, x0, _, x1, _ in _chunks(line):
            rows.setdefault(key, []).append((x0, x1))
    return rows


def rivers(rows: dict[int, list[tuple[float, float]]], x_min: float, x_max: float) -> list[float]:
    """x positions (layout coordinates) of white rivers inside [x_min, x_max], left to right."""
    n = len(rows)
    if n < 3:
        return []
    allowed = int(MAX_CROSSING * n)
    # Sweep: number of printed rows covering each elementary interval.
    events = []
    for spans in rows.values():
        for x0, x1 in _merge(sorted(spans)):
            events.append((x0, 1))
            events.append((x1, -1))
    events.sort()
    out: list[float] = []
    depth, start, prev_x = 0, None, x_min
    for x, delta in events:
        if x > prev_x:
            if depth <= allowed:
                if start is None:
                    start = prev_x
            elif start is not None:
                if prev_x - start >= MIN_WIDTH and start > x_min + 1:
                    out.append((start + prev_x) / 2)
                start = None
            prev_x = x
        depth += delta
    return [x for x in out if _both_sides(rows, x)]


def _merge(spans):
    out = []
    for x0, x1 in spans:
        if out and x0 <= out[-1][1]:
            out[-1][1] = max(out[-1][1], x1)
        else:
            out.append([x0, x1])
    return out


def _both_sides(rows, x: float) -> bool:
    """Enough rows have text on each side of x (else it is a margin, not a gutter)."""
    left = sum(1 for spans in rows.values() if any(x1 <= x for _, x1 in spans))
    right = sum(1 for spans in rows.values() if any(x0 >= x for x0, _ in spans))
    need = max(2, 0.2 * len(rows))
    return left >= need and right >= need


def add_rivers(anchors: list[float], lines) -> list[float]:
    """Network's column anchors plus white rivers falling inside its columns; a river is kept only
    if the columns on both its sides hold text in several printed rows."""
    if len(anchors) < 2:
        return anchors
    rows = _row_spans(lines)
    found = [x for x in rivers(rows, anchors[0], anchors[-1]) if all(abs(x - a) > MIN_WIDTH for a in anchors)]
    if not found:
        return list(anchors)
    # Lines cut into several pieces are the table's rows proper (not wrapped text or headings).
    need = max(2, 0.15 * sum(1 for spans in rows.values() if len(spans) >= 2))
    fixed = set(anchors)
    out = sorted(set(anchors) | set(found))
    changed = True
    while changed:
        changed = False
        for i in range(len(out) - 1):
            left, right = out[i], out[i + 1]
            filled = sum(1 for spans in rows.values() if any(left <= (a + b) / 2 < right for a, b in spans))
            if filled >= need:
                continue
            # A thin column: drop the river bounding it (never one of network's own anchors).
            for x in (right, left):
                if x not in fixed:
                    out.remove(x)
                    changed = True
                    break
            if changed:
                break
    return out
