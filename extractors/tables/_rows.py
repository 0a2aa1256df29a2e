"""Logical rows of a text-based (borderless) table.

A text strategy returns one row per printed line. A logical row whose measure name, benchmark text or
commentary wraps over several printed lines must come back as one row, its lines joined by '\\n'.
The printed lines of one logical row are told from the lines that start a new one by three signals,
none decisive alone:

* vertical gaps: inside a cell, lines follow at the font's leading; between logical rows the gap is
  larger. When a table's gaps fall into a tight group and a clearly looser group, a tight gap joins;
  a loose gap never does. When every gap is alike (a dense single-spaced table) gaps say nothing.
* continuation: a line joins only if every column it has text in already has text in the row being
  built (wrapped text continues; a new row fills the columns of single-line values again), and no
  column would get two single values (two numbers, two percentages, two RAG words). A line that
  fills every column the row's first line filled starts a new row unless each of its cells wraps.
* wrapping: the line above was full (the next word would not have fitted in the column), or the
  line starts in lower case. Required when gaps give no evidence, and for a lone first-column line
  (a section label after a data row is not a continuation).

The header block (the lines above the first line with values) is joined the same way, except that
a ruling line between two header lines keeps them apart (a spanning header over its sub-headers).
"""
from __future__ import annotations

import re
import statistics

from ._grid import GCell, Grid, join_frags, union

ATOMIC = re.compile(
    r"""^(
        [\(\[]?[-+\u2212\u2013]?[$\u00a3\u20ac]?\s?\d[\d,.\s]*\s?(%|p|pp|k|m|bn|x|cl|\u20ac|\u00a3|\$)?[\)\]]?[*\u2020\u2021]*   # numbers
      | [-\u2013\u2014.\u2026*]+                                                                   # dashes
      | n/?a | n/?k | tbc | nil | new
      | red | amber | green | r | a | g
      | [\u2020\u2021\u00a7]+
    )$""", re.I | re.X)
NUMBER = re.compile(r"^[\(\[]?[-+\u2212\u2013]?[$\u00a3\u20ac]?\s?\d[\d,.]*\s?%?[\)\]]?[*\u2020\u2021]*$")
YEAR = re.compile(r"^(19|20)\d\d([/-]\d{2,4})?$")


def atomic(text: str) -> bool:
    t = text.strip()
    return bool(t) and "\n" not in t and bool(ATOMIC.match(t))


def merge_logical_rows(grid: Grid, hrules: list[tuple[float, float, float]] | None = None) -> Grid:
    """Join the printed lines of each logical row (text-based grids only; ruled grids are left alone)."""
    if grid.merged or grid.ruled or grid.n_rows < 2 or not grid.row_extent or any(e is None for e in grid.row_extent):
        return grid
    grid.merged = True
    rows = grid.cells
    n_cols = grid.n_cols
    ext = grid.row_extent
    heights = [b - t for t, b in ext if b > t]
    if not heights:
        return grid
    h = statistics.median(heights)
    # Lines of a smaller font (a note under a value) may overlap the next line: count that as no gap.
    gaps = [max(0.0, ext[i + 1][0] - ext[i][1]) for i in range(len(rows) - 1)]
    ordered = sorted(gaps)
    g_min = ordered[len(ordered) // 10]
    loose_at = g_min + 0.6 * h
    bimodal = any(g > loose_at for g in gaps) and any(g <= loose_at for g in gaps)
    right = _column_right_edges(grid)
    header_end = _header_end(rows)
    hrules = hrules or []

    groups: list[list[int]] = [[0]]
    for i in range(1, len(rows)):
        group = groups[-1]
        gap = gaps[i - 1]
        in_header = i < header_end
        if in_header != (group[0] < header_end):
            groups.append([i])
            continue
        if in_header:
            ok = _joins_header(rows, group, i, gap, g_min, h, hrules, ext, grid)
        else:
            ok = _joins_body(rows, group, i, gap, loose_at, bimodal, right, h)
        if ok:
            group.append(i)
        else:
            groups.append([i])
    if all(len(g) == 1 for g in groups):
        grid.header_rows = min(header_end, len(rows)) if header_end < len(rows) else 0
        return grid
    cells: list[list[GCell]] = []
    extents = []
    header_rows = 0
    for g in groups:
        row = []
        for c in range(n_cols):
            frags = [f for i in g for f in rows[i][c].frags]
            box = None
            for i in g:
                box = union(box, rows[i][c].box)
            text = join_frags(frags) if frags else "\n".join(rows[i][c].text for i in g if rows[i][c].text)
            row.append(GCell(text=text, box=box, frags=frags))
        cells.append(row)
        extents.append((ext[g[0]][0], ext[g[-1]][1]))
        if g[0] < header_end:
            header_rows += 1
    grid.cells = cells
    grid.row_extent = extents
    grid.header_rows = header_rows if header_end < len(rows) else 0
    return grid


def _filled(row) -> list[int]:
    return [c for c, cell in enumerate(row) if cell.text.strip()]


def _header_end(rows) -> int:
    """Index of the first row that holds values (two or more numbers that are not all years)."""
    for i, row in enumerate(rows):
        texts = [c.text.strip() for c in row if c.text.strip()]
        numbers = [t for t in texts if NUMBER.match(t)]
        if len(numbers) >= 2 and not all(YEAR.match(t) for t in numbers):
            return i
        if len(numbers) == 1 and len(texts) <= 2 and len(row) <= 2:
            return i
    return 0


def _column_right_edges(grid: Grid) -> list[float]:
    edges = []
    for c in range(grid.n_cols):
        xs = [f.x1 for row in grid.cells for f in row[c].frags]
        edges.append(max(xs) if xs else 0.0)
    return edges


def _last_frag_line(rows, group, c):
    """The last printed line of column c in the group: its fragments (rightmost last)."""
    for i in reversed(group):
        frags = rows[i][c].frags
        if frags:
            bottom = max(f.bottom for f in frags)
            last = [f for f in frags if f.bottom > bottom - 0.5 * max(1.0, f.bottom - f.top)]
            return sorted(last, key=lambda f: f.x0)
    return []


CONNECTORS = (",", "-", "/", "&", "(", " and", " or", " of", " the", " in", " for", " to", " with", " by",
              " on", " at", " from", " a", " an")


def _wrapped(rows, group, i, c, right, h) -> bool:
    """Row i's text in column c continues the group's wrapped text in c: it starts in lower case, or
    the group's last line in c was full (the next word would not have fitted) and is not a single
    value; a capitalised continuation also needs the line above to end mid-phrase."""
    text = rows[i][c].text.strip()
    if text[:1].islower():
        return True
    last = _last_frag_line(rows, group, c)
    if not last or not rows[i][c].frags:
        return False
    prev_text = " ".join(f.text for f in last).strip()
    if prev_text.endswith((".", ":", ";")) or " " not in prev_text or atomic(prev_text):
        return False
    first = min(rows[i][c].frags, key=lambda f: (f.top, f.x0))
    word = first.text.split()[0] if first.text.split() else ""
    # Width of the next line's first word, from its fragment's share of characters.
    width = (first.x1 - first.x0) * len(word) / max(1, len(first.text))
    if last[-1].x1 + 0.3 * h + width <= right[c] - 0.5:
        return False
    return not text[:1].isupper() or prev_text.lower().endswith(CONNECTORS)


def _collides(rows, group, i) -> bool:
    for c in _filled(rows[i]):
        if any(rows[k][c].text.strip() for k in group):
            mine = rows[i][c].text.strip()
            theirs = [rows[k][c].text.strip() for k in group if rows[k][c].text.strip()]
            if atomic(mine) and any(atomic(t) for t in theirs):
                return True
    return False


def _joins_body(rows, group, i, gap, loose_at, bimodal, right, h) -> bool:
    cols = _filled(rows[i])
    if not cols:
        return True
    if bimodal and gap > loose_at:
        return False
    group_cols = {c for k in group for c in _filled(rows[k])}
    if not set(cols) <= group_cols:
        return False
    if _collides(rows, group, i):
        return False
    wrapped = [c for c in cols if _wrapped(rows, group, i, c, right, h)]
    if set(_filled(rows[group[0]])) <= set(cols):
        # The line is as complete as the row's first line: a new row, unless every one of its
        # cells visibly continues wrapped text.
        return len(wrapped) == len(cols)
    if bimodal and not (cols == [0] and len(group_cols) > 1):
        return True
    return bool(wrapped)


def _rule_between(top: float, bottom: float, x0: float, x1: float, hrules) -> bool:
    for y, rx0, rx1 in hrules:
        if top - 0.5 <= y <= bottom + 0.5 and min(x1, rx1) - max(x0, rx0) > 0:
            return True
    return False


def _joins_header(rows, group, i, gap, g_min, h, hrules, ext, grid) -> bool:
    if gap > g_min + 0.6 * h:
        return False
    prev = group[-1]
    x0, x1 = grid.bbox[0], grid.bbox[2]
    if _rule_between(ext[prev][1], ext[i][0], x0, x1, hrules):
        return False
    return not _collides(rows, group, i)


def ruled_complete(grid: Grid) -> bool:
    """A ruled grid that settles its area on its own: at least 2 x 2, with rows that hold values, and
    no ruled row holding two or more printed lines of values side by side (which would mean rules
    between data rows are missing and the grid lumps several rows together)."""
    if grid.n_rows < 2 or grid.n_cols < 2:
        return False
    multi = sum(1 for row in grid.cells if sum(1 for c in row if c.text.strip()) >= 2)
    if multi < 2:
        return False
    # Merged cells whose text still splits into columns at the grid's column lines: rules missing.
    split_rows = 0
    for row in grid.cells:
        for cell in row:
            lines: dict[int, set] = {}
            for f in cell.frags:
                if f.col is not None:
                    lines.setdefault(round((f.top + f.bottom) / 4), set()).add(f.col)
            if any(len(cols) >= 2 for cols in lines.values()):
                split_rows += 1
                break
    if split_rows >= max(2, 0.3 * grid.n_rows):
        return False
    valued_rows = 0
    for row in grid.cells:
        lines: dict[int, int] = {}
        for cell in row:
            seen = set()
            for f in cell.frags:
                if atomic(f.text):
                    key = round((f.top + f.bottom) / 4)  # ~2pt bands
                    if key not in seen:
                        seen.add(key)
                        lines[key] = lines.get(key, 0) + 1
        value_lines = sum(1 for n in lines.values() if n >= 2)
        if value_lines >= 2:
            return False
        valued_rows += bool(value_lines) or sum(1 for c in row if atomic(c.text)) >= 1
    return grid.n_rows >= 3 or valued_rows >= 1
