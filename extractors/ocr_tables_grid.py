"""Find ruled table grids in a (straightened) page image: rules, dark fills, rows, columns and merged cells.

Used by :mod:`extractors.ocr_tables` on scanned pages. Everything is measured on the image, in pixels:

  1. rule ink is what is darker than the page on both sides across the rule (a valley), so grey RAG
     fills, their edges and uneven paper are not ink, but a rule drawn beside a fill is;
  2. rules are long thin runs of ink (a morphological opening with a long line kernel, after
     bridging the small gaps a scan leaves); a run of touching letters is rarely as long, and a
     run that does not meet a crossing rule at both its ends is dropped as text;
  3. dark fills (a navy header row with white text) hide the rules inside them, so the edges of
     each dark rectangle count as rules, and inside one a rule is assumed, never a merged cell;
  4. rules that cross or meet form one table; their positions, clustered, are the row and column
     boundaries, and where a rule is missing between two slots of the grid the slots are one
     merged cell.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

VALLEY_DEPTH = 20  # a rule pixel is this many grey levels darker than the page on both its sides ...
VALLEY_INCH = 0.025  # ... looking this far either side (rules are thinner than this)
RULE_MIN_INCH = 0.4  # a rule is a run of ink at least this long ...
RULE_MAX_THICK_INCH = 0.03  # ... and at most this thick (thicker runs are fills or bold text)
BRIDGE_INCH = 0.015  # gaps in a rule up to this long are bridged (noise, JPEG, faint toner)
JOIN_INCH = 0.04  # a rule's end meets a crossing rule within this distance
CLUSTER_INCH = 0.03  # rule positions closer than this are one boundary
DARK_FILL = 128  # a filled area darker than this hides its rules (and holds light text)
FILL_MIN_INCH = 0.08  # fills narrower or lower than this are strokes, not fills
MIN_CELL_INCH = 0.05  # boundaries closer than this are one (double rules, thick borders)
PRESENT = 0.5  # share of a boundary's length a rule must cover for the boundary to be drawn there


@dataclass
class Segment:
    """A rule: `pos` across it, `a`..`b` along it (pixels); horizontal when `horizontal`."""

    horizontal: bool
    pos: float
    a: float
    b: float
    fill_edge: bool = False

    @property
    def length(self) -> float:
        return self.b - self.a


@dataclass
class GridCell:
    """A cell of the grid: top-left slot (row, col), how many rows and columns it spans, and its box."""

    row: int
    col: int
    rows: int
    cols: int
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels of the straightened image
    dark: bool = False  # on a dark fill: light text, OCR it inverted


@dataclass
class Grid:
    xs: list[float]  # column boundaries, left to right
    ys: list[float]  # row boundaries, top to bottom
    cells: list[GridCell] = field(default_factory=list)

    @property
    def box(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.ys) - 1, len(self.xs) - 1

    def slot(self, x: float, y: float) -> tuple[int, int] | None:
        """(row, col) of the grid slot holding the point, None when it is outside the grid."""
        if not (self.xs[0] <= x < self.xs[-1] and self.ys[0] <= y < self.ys[-1]):
            return None
        col = int(np.searchsorted(self.xs, x, side="right")) - 1
        row = int(np.searchsorted(self.ys, y, side="right")) - 1
        return row, col


def _odd(n: float) -> int:
    n = max(3, int(round(n)))
    return n if n % 2 else n + 1


def find_rule_ink(gray: np.ndarray, dpi: int, horizontal: bool) -> np.ndarray:
    """Pixels darker than the page on both sides across the line direction (uint8 0/1): a valley.

    A rule drawn between white paper and a RAG-filled cell is only a little darker than the fill,
    so it is not found by a darkness threshold, but it is darker than both of its sides; a fill's
    edge is not (one side of it is as dark as itself), nor is the inside of a fill.
    """
    reach = max(3, int(round(VALLEY_INCH * dpi)))
    g = gray.astype(np.int16)
    # Brightest pixel within `reach` on each side (the pixel itself and its direct neighbours excluded,
    # so a rule a few pixels thick is compared with the paper beyond it).
    if horizontal:
        kernel_before = np.zeros((2 * reach + 1, 1), np.uint8)
        kernel_before[:reach - 1] = 1  # rows above (cv2 dilate reflects: this looks at y - reach .. y - 2)
        kernel_after = np.zeros((2 * reach + 1, 1), np.uint8)
        kernel_after[reach + 2:] = 1
    else:
        kernel_before = np.zeros((1, 2 * reach + 1), np.uint8)
        kernel_before[:, :reach - 1] = 1
        kernel_after = np.zeros((1, 2 * reach + 1), np.uint8)
        kernel_after[:, reach + 2:] = 1
    before = cv2.dilate(gray, kernel_before).astype(np.int16)
    after = cv2.dilate(gray, kernel_after).astype(np.int16)
    return ((g + VALLEY_DEPTH < before) & (g + VALLEY_DEPTH < after)).astype(np.uint8)


def find_dark_fills(gray: np.ndarray, dpi: int) -> list[tuple[int, int, int, int]]:
    """Rectangles of dark fill (x0, y0, x1, y1), e.g. a header row printed white on navy.

    A fill is where most of a small window is dark (text in black on white never is), grown back to
    the dark pixels at its edge; light letters inside it are closed over, and only near-rectangles count.
    """
    k = _odd(FILL_MIN_INCH * dpi)
    dark = (gray < DARK_FILL).astype(np.uint8)
    density = cv2.blur(dark * np.uint8(255), (k, k))  # share of dark pixels around each pixel, 0-255
    core = (density >= int(0.7 * 255)).astype(np.uint8)
    if not core.any():
        return []
    grown = cv2.dilate(core, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))) & dark
    small = _odd(0.02 * dpi)
    grown = cv2.morphologyEx(grown, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (small, small)))
    contours, _ = cv2.findContours(grown, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    rects = []
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        if w < 2 * k or h < k:
            continue
        if cv2.contourArea(contour) < 0.85 * w * h:  # not a rectangle: a picture, a logo, a blot
            continue
        # Trim what the growing took along (the first letters under a header fill): a fill's edge
        # rows and columns are mostly dark, a line of text beside it is not.
        box = dark[y:y + h, x:x + w]
        rows = np.nonzero(box.mean(axis=1) >= 0.5)[0]
        cols = np.nonzero(box.mean(axis=0) >= 0.5)[0]
        if len(rows) and len(cols):
            rects.append((x + int(cols[0]), y + int(rows[0]), x + int(cols[-1]) + 1, y + int(rows[-1]) + 1))
    return rects


def _line_mask(gray: np.ndarray, dpi: int, horizontal: bool) -> np.ndarray:
    ink = find_rule_ink(gray, dpi, horizontal)
    span, bridge = max(10, int(RULE_MIN_INCH * dpi)), max(2, int(BRIDGE_INCH * dpi))
    along = (lambda n: (n, 1)) if horizontal else (lambda n: (1, n))
    mask = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, along(bridge)))
    return cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, along(span)))


def _segments(mask: np.ndarray, dpi: int, horizontal: bool) -> list[Segment]:
    """One Segment per connected run of a line mask; too-thick runs (fills, bold blocks) are skipped."""
    count, _labels, stats, _centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    thick = max(3, RULE_MAX_THICK_INCH * dpi)
    segments = []
    for i in range(1, count):
        x, y, w, h, area = stats[i]
        if horizontal:
            if area / max(w, 1) > thick:
                continue
            segments.append(Segment(True, y + h / 2, float(x), float(x + w)))
        else:
            if area / max(h, 1) > thick:
                continue
            segments.append(Segment(False, x + w / 2, float(y), float(y + h)))
    return segments


def _fill_edges(rects: list[tuple[int, int, int, int]]) -> list[Segment]:
    edges = []
    for x0, y0, x1, y1 in rects:
        edges += [
            Segment(True, y0, x0, x1, True), Segment(True, y1, x0, x1, True),
            Segment(False, x0, y0, y1, True), Segment(False, x1, y0, y1, True),
        ]
    return edges


def _meets(end: float, pos: float, others: list[Segment], tol: float) -> bool:
    """Whether a crossing segment passes within tol of the point (end along, pos across)."""
    return any(abs(o.pos - end) <= tol and o.a - tol <= pos <= o.b + tol for o in others)


def _in_fill(x: float, y: float, fills, tol: float) -> bool:
    return any(f[0] - tol <= x <= f[2] + tol and f[1] - tol <= y <= f[3] + tol for f in fills)


def _joined(segments: list[Segment], crossing: list[Segment], fills, tol: float) -> list[Segment]:
    """Segments whose both ends meet a crossing segment or end in a dark fill (whose rules cannot be
    seen): a run of text meets none, or one."""
    def meets(s: Segment, end: float) -> bool:
        x, y = (end, s.pos) if s.horizontal else (s.pos, end)
        return _meets(end, s.pos, crossing, tol) or _in_fill(x, y, fills, tol)

    return [s for s in segments if s.fill_edge or (meets(s, s.a) and meets(s, s.b))]


def find_segments(gray: np.ndarray, dpi: int) -> tuple[list[Segment], list[Segment], list[tuple[int, int, int, int]]]:
    """Horizontal and vertical rules of the page (with dark fills' edges), and the dark fills."""
    fills = find_dark_fills(gray, dpi)
    horizontal = _segments(_line_mask(gray, dpi, True), dpi, True)
    vertical = _segments(_line_mask(gray, dpi, False), dpi, False)
    edges = _fill_edges(fills)
    horizontal += [e for e in edges if e.horizontal]
    vertical += [e for e in edges if not e.horizontal]
    tol = JOIN_INCH * dpi
    vertical = _joined(vertical, horizontal, fills, tol)
    horizontal = _joined(horizontal, vertical, fills, tol)
    vertical = _joined(vertical, horizontal, fills, tol)
    return horizontal, vertical, fills


def _components(horizontal: list[Segment], vertical: list[Segment],
                tol: float) -> list[tuple[list[Segment], list[Segment]]]:
    """Groups of rules that cross or meet each other: one group per table."""
    parent = list(range(len(horizontal) + len(vertical)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    n = len(horizontal)
    for i, h in enumerate(horizontal):
        for j, v in enumerate(vertical):
            if h.a - tol <= v.pos <= h.b + tol and v.a - tol <= h.pos <= v.b + tol:
                parent[find(i)] = find(n + j)
    groups: dict[int, tuple[list[Segment], list[Segment]]] = {}
    for i, h in enumerate(horizontal):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vertical):
        groups.setdefault(find(n + j), ([], []))[1].append(v)
    return list(groups.values())


def _cluster(segments: list[Segment], tol: float) -> list[tuple[float, list[Segment]]]:
    """Positions of parallel rules, clustered; each position with the rules that make it."""
    clusters: list[list[Segment]] = []
    for s in sorted(segments, key=lambda s: s.pos):
        if clusters and s.pos - clusters[-1][-1].pos <= tol:
            clusters[-1].append(s)
        else:
            clusters.append([s])
    out = []
    for group in clusters:
        drawn = [s for s in group if not s.fill_edge] or group  # a rule beats the edge of a fill
        weight = sum(max(s.length, 1.0) for s in drawn)
        out.append((sum(s.pos * max(s.length, 1.0) for s in drawn) / weight, group))
    return out


def _coverage(segments: list[Segment], a: float, b: float) -> float:
    """Share of a..b covered by the segments' spans."""
    if b <= a:
        return 1.0
    spans = sorted((max(s.a, a), min(s.b, b)) for s in segments if s.b > a and s.a < b)
    covered, end = 0.0, a
    for lo, hi in spans:
        lo = max(lo, end)
        if hi > lo:
            covered += hi - lo
            end = hi
    return covered / (b - a)


def _inside(rects, x0: float, y0: float, x1: float, y1: float, tol: float) -> bool:
    return any(r[0] - tol <= x0 and x1 <= r[2] + tol and r[1] - tol <= y0 and y1 <= r[3] + tol for r in rects)


def find_grids(gray: np.ndarray, dpi: int) -> list[Grid]:
    """Ruled tables on a straightened page image, top to bottom, each with its cells (merged ones spanned)."""
    horizontal, vertical, fills = find_segments(gray, dpi)
    tol = JOIN_INCH * dpi
    grids = []
    for hs, vs in _components(horizontal, vertical, tol):
        grid = _grid(hs, vs, fills, dpi)
        if grid is not None:
            grids.append(grid)
    return sorted(grids, key=lambda g: (g.ys[0], g.xs[0]))


def _grid(hs: list[Segment], vs: list[Segment], fills, dpi: int) -> Grid | None:
    tol = CLUSTER_INCH * dpi
    rows = [(pos, group) for pos, group in _cluster(hs, tol)]
    cols = [(pos, group) for pos, group in _cluster(vs, tol)]
    rows = _drop_close(rows, MIN_CELL_INCH * dpi)
    cols = _drop_close(cols, MIN_CELL_INCH * dpi)
    if len(rows) < 2 or len(cols) < 2:
        return None
    ys, xs = [p for p, _ in rows], [p for p, _ in cols]
    if xs[-1] - xs[0] < 0.5 * dpi or ys[-1] - ys[0] < 0.15 * dpi:
        return None
    dark = [f for f in fills if f[0] < xs[-1] and f[2] > xs[0] and f[1] < ys[-1] and f[3] > ys[0]]
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    # A boundary between two slots is drawn when a rule covers most of it, or when it lies in a dark
    # fill (the rule cannot be seen there: assume it).
    join = tol

    def v_drawn(r: int, c: int) -> bool:  # the rule between (r, c-1) and (r, c)
        y0, y1 = ys[r], ys[r + 1]
        if _inside(dark, xs[c], y0, xs[c], y1, join):
            return True
        return _coverage(cols[c][1], y0 + join, y1 - join) >= PRESENT

    def h_drawn(r: int, c: int) -> bool:  # the rule between (r-1, c) and (r, c)
        x0, x1 = xs[c], xs[c + 1]
        if _inside(dark, x0, ys[r], x1, ys[r], join):
            return True
        return _coverage(rows[r][1], x0 + join, x1 - join) >= PRESENT

    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(n_rows):
        for c in range(n_cols):
            if c + 1 < n_cols and not v_drawn(r, c + 1):
                parent[find(r * n_cols + c)] = find(r * n_cols + c + 1)
            if r + 1 < n_rows and not h_drawn(r + 1, c):
                parent[find(r * n_cols + c)] = find((r + 1) * n_cols + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            groups.setdefault(find(r * n_cols + c), []).append((r, c))
    grid = Grid(xs=xs, ys=ys)
    for slots in groups.values():
        r0, r1 = min(r for r, _ in slots), max(r for r, _ in slots)
        c0, c1 = min(c for _, c in slots), max(c for _, c in slots)
        if len(slots) != (r1 - r0 + 1) * (c1 - c0 + 1):
            # Not a rectangle (rules missing around an L of slots): no cell shape fits, keep the slots apart.
            spans = [(r, c, r, c) for r, c in slots]
        else:
            spans = [(r0, c0, r1, c1)]
        for a0, b0, a1, b1 in spans:
            box = (xs[b0], ys[a0], xs[b1 + 1], ys[a1 + 1])
            grid.cells.append(GridCell(a0, b0, a1 - a0 + 1, b1 - b0 + 1, box, dark=_inside(dark, *box, join)))
    grid.cells.sort(key=lambda c: (c.row, c.col))
    if len(grid.cells) < 2:
        return None
    return grid


def _drop_close(clusters: list[tuple[float, list[Segment]]], gap: float) -> list[tuple[float, list[Segment]]]:
    """Merge boundaries closer than `gap` (a double rule, a thick border drawn as two strokes)."""
    out: list[tuple[float, list[Segment]]] = []
    for pos, group in clusters:
        if out and pos - out[-1][0] < gap:
            prev_pos, prev = out[-1]
            out[-1] = ((prev_pos + pos) / 2, prev + group)
        else:
            out.append((pos, group))
    return out
