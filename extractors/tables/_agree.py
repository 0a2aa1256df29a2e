"""Agreement between two strategies' versions of a table.

Both grids are reduced to their cell texts with whitespace removed (so a multi-line cell and the same
words on one line agree). Rows are aligned monotonically by how many cell texts they share, then
columns by how many aligned rows agree in them (the same alignment idea as the benchmark scorer's).
Agreement is the F1 of cells that read the same at aligned positions: 1.0 when both strategies
return the same grid, near 0 when they only share the area.
"""
from __future__ import annotations

from collections import Counter

from ._grid import Grid, norm


def overlap_share(inner, outer) -> float:
    """Share of `inner`'s area (x0, top, x1, bottom) that lies inside `outer`."""
    ix0, itop = max(inner[0], outer[0]), max(inner[1], outer[1])
    ix1, ibottom = min(inner[2], outer[2]), min(inner[3], outer[3])
    if ix1 <= ix0 or ibottom <= itop:
        return 0.0
    area = (inner[2] - inner[0]) * (inner[3] - inner[1])
    return (ix1 - ix0) * (ibottom - itop) / area if area > 0 else 0.0


def _align(n: int, m: int, score) -> dict[int, int]:
    if not n or not m:
        return {}
    S = [[0.0] * (m + 1) for _ in range(n + 1)]
    B = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            best, arg = S[i - 1][j], 1
            if S[i][j - 1] > best:
                best, arg = S[i][j - 1], 2
            s = score(i - 1, j - 1)
            if s > 0 and S[i - 1][j - 1] + s > best:
                best, arg = S[i - 1][j - 1] + s, 3
            S[i][j], B[i][j] = best, arg
    out, i, j = {}, n, m
    while i > 0 and j > 0:
        if B[i][j] == 3:
            out[i - 1] = j - 1
            i, j = i - 1, j - 1
        elif B[i][j] == 1:
            i -= 1
        else:
            j -= 1
    return out


def _rows_within(grid: Grid, area) -> list[list[str]]:
    top, bottom = area[1] - 2, area[3] + 2
    rows = []
    for row in grid.cells:
        boxes = [c.box for c in row if c.text.strip() and c.box]
        if not boxes:
            continue
        mid = (min(b[1] for b in boxes) + max(b[3] for b in boxes)) / 2
        if top <= mid <= bottom:
            rows.append([norm(c.text) for c in row])
    return rows


def agreement(a: Grid, b: Grid) -> float:
    """F1 (0-1) of a's non-empty cells found at aligned positions in b, over a's area."""
    A = [[norm(c.text) for c in row] for row in a.cells]
    B = _rows_within(b, a.bbox)
    if not A or not B:
        return 0.0
    ca = [Counter(x for x in r if x) for r in A]
    cb = [Counter(x for x in r if x) for r in B]
    rmap = _align(len(A), len(B), lambda i, j: sum((ca[i] & cb[j]).values()))
    pairs = list(rmap.items())
    na, nb = max(len(r) for r in A), max(len(r) for r in B)

    def col_score(x, y):
        return sum(1.0 for i, j in pairs
                   if x < len(A[i]) and y < len(B[j]) and A[i][x] and A[i][x] == B[j][y])
    cmap = _align(na, nb, col_score)
    tp = sum(1 for i, j in pairs for x, y in cmap.items()
             if x < len(A[i]) and y < len(B[j]) and A[i][x] and A[i][x] == B[j][y])
    n_a = sum(1 for r in A for x in r if x)
    n_b = sum(1 for r in B for x in r if x)
    if not tp:
        return 0.0
    p, r = tp / n_b, tp / n_a
    return 2 * p * r / (p + r)
