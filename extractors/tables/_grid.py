"""The grid every strategy's table is turned into before it is compared, cleaned and returned.

A `Grid` is rows x columns of `GCell` (text and a box in the displayed frame, origin top-left). For
tables whose rows come from the text rather than from ruling lines, each printed line is first a row
of its own; `_rows.merge_logical_rows` then joins the printed lines of one logical row.

`assign_text` places a text-based table's characters in its cells. A text line that crosses a
column boundary is split there only where the boundary falls in a real gap (wider than a word
space); a phrase that spans several columns (a spanning header) stays whole, in the first column it
covers, so columns stay aligned and merged cells read as in the printed table.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from playa.miner import LTChar, LTTextLineVertical

from ._layout import Box, PageParse

SPLIT_GAP = 0.45  # a gap at least this many font sizes wide may separate two columns' text


@dataclass
class Frag:
    """A piece of text on one printed line, placed in one cell."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    col: int | None = None  # ruled grids: the grid column the piece lies in (a merged cell spans several)


@dataclass
class GCell:
    text: str = ""
    box: Box | None = None
    frags: list[Frag] = field(default_factory=list)


@dataclass
class Grid:
    page: int
    bbox: Box
    method: str
    cells: list[list[GCell]]
    ruled: bool = False  # rows and columns come from ruling lines
    row_extent: list[tuple[float, float] | None] = field(default_factory=list)  # text top/bottom per row
    confidence: float | None = None
    agreement: dict[str, float] = field(default_factory=dict)
    kind: str = ""  # 'lattice' | 'network' | 'plumber-lines' | 'plumber-text'
    header_rows: int = 0
    continues: bool = False  # continues a table from the previous page (same header row)
    source_bbox: tuple | None = None  # camelot's bbox (layout coordinates) the grid was built from
    source_anchors: list | None = None
    merged: bool = False  # printed lines already joined into logical rows

    @property
    def n_rows(self) -> int:
        return len(self.cells)

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.cells), default=0)

    def texts(self) -> list[list[str]]:
        return [[c.text for c in row] for row in self.cells]

    def filled(self) -> int:
        return sum(1 for row in self.cells for c in row if c.text.strip())


def union(a: Box | None, b: Box | None) -> Box | None:
    if a is None:
        return b
    if b is None:
        return a
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def norm(text: str) -> str:
    """Text compared between strategies: no whitespace, unified dashes."""
    return re.sub(r"\s+", "", (text or "").replace("\u2013", "-").replace("\u2014", "-").replace("\u2212", "-"))


# ------------------------------------------------------------------ text placement


def _chunks(line) -> list[list]:
    """A text line cut at gaps wider than a word space: [text, x0, y0, x1, y1] per piece."""
    size = max(1.0, line.y1 - line.y0)
    split, space = SPLIT_GAP * size, 0.15 * size
    pieces: list[list] = []
    cur = None
    prev_x1 = None
    pending_space = False
    for ch in line:
        if not isinstance(ch, LTChar):
            pending_space = True  # pdfminer's virtual space between words
            continue
        t = ch._text
        if not t.strip():
            pending_space = True
            continue
        x0 = ch.x0
        if cur is None or x0 - prev_x1 >= split:
            cur = [[t], x0, ch.y0, ch.x1, ch.y1]
            pieces.append(cur)
        else:
            if pending_space or x0 - prev_x1 > space:
                cur[0].append(" ")
            cur[0].append(t)
            if ch.x1 > cur[3]:
                cur[3] = ch.x1
            if ch.y0 < cur[2]:
                cur[2] = ch.y0
            if ch.y1 > cur[4]:
                cur[4] = ch.y1
        pending_space = False
        prev_x1 = ch.x1
    if not pieces:
        text = line.get_text().strip()
        return [[text, line.x0, line.y0, line.x1, line.y1]] if text else []
    for p in pieces:
        p[0] = "".join(p[0])
    return pieces


def _column_of(x0: float, x1: float, cols: list[tuple[float, float]]) -> int:
    """The column a piece of text belongs to: its own column, or the first of the columns it spans."""
    width = max(x1 - x0, 0.01)
    overlaps = [max(0.0, min(x1, r) - max(x0, l)) for l, r in cols]
    best = max(range(len(cols)), key=lambda i: overlaps[i])
    if overlaps[best] <= 0:
        centre = (x0 + x1) / 2
        return min(range(len(cols)), key=lambda i: min(abs(centre - cols[i][0]), abs(centre - cols[i][1])))
    if overlaps[best] >= 0.6 * width:
        return best
    spanned = [i for i, o in enumerate(overlaps) if o >= 0.15 * width]
    return spanned[0] if spanned else best


def _place(parse: PageParse, cols, rows, textlines, owner=None) -> dict[tuple[int, int], list[Frag]]:
    """Fragments per cell. cols: (left, right); rows: (top y, bottom y), top row first (layout
    coordinates). `owner` maps a cell inside a merged area to the area's first cell."""
    n_rows = len(rows)
    frags: dict[tuple[int, int], list[Frag]] = {}
    neg_tops = [-r[0] for r in rows]
    boundaries = sorted({c for col in cols for c in col})
    for line in textlines:
        y_mid = (line.y0 + line.y1) / 2
        r = bisect.bisect_left(neg_tops, -y_mid) - 1
        r = min(max(r, 0), n_rows - 1)
        if not (rows[r][1] - 1 <= y_mid <= rows[r][0] + 1):
            r = min(range(n_rows), key=lambda i: min(abs(y_mid - rows[i][0]), abs(y_mid - rows[i][1])))
        if isinstance(line, LTTextLineVertical):
            text = line.get_text().strip()
            pieces = [[text, line.x0, line.y0, line.x1, line.y1]] if text else []
        else:
            pieces = _chunks(line)
        # Join pieces again where no column boundary falls in the gap between them.
        merged: list[list] = []
        for text, x0, y0, x1, y1 in pieces:
            if merged and not any(merged[-1][3] - 1 <= b <= x0 + 1 for b in boundaries):
                m = merged[-1]
                m[0] = m[0] + " " + text
                m[3], m[2], m[4] = x1, min(m[2], y0), max(m[4], y1)
            else:
                merged.append([text, x0, y0, x1, y1])
        for text, x0, y0, x1, y1 in merged:
            col = None
            if owner is not None:
                xm = (x0 + x1) / 2
                col = min(range(len(cols)), key=lambda i: 0 if cols[i][0] <= xm <= cols[i][1]
                          else min(abs(xm - cols[i][0]), abs(xm - cols[i][1])))
                key = owner.get((r, col), (r, col))
            else:
                key = (r, _column_of(x0, x1, cols))
            dx0, dtop, dx1, dbottom = parse.to_display(x0, y0, x1, y1)
            frags.setdefault(key, []).append(Frag(text, dx0, dtop, dx1, dbottom, col))
    return frags


def assign_text(parse: PageParse, bbox, cols, rows, textlines, method: str, kind: str) -> Grid:
    """A text-based table from camelot's column and row bounds (layout coordinates) and its text lines."""
    cols = [(min(a, b), max(a, b)) for a, b in cols]
    rows = [(max(a, b), min(a, b)) for a, b in rows]  # (top y, bottom y), top row first
    frags = _place(parse, cols, rows, [t for t in textlines if t.get_text().strip()])
    cells: list[list[GCell]] = []
    extents: list[tuple[float, float] | None] = []
    for r, (ytop, ybottom) in enumerate(rows):
        row = []
        extent = None
        for c, (xl, xr) in enumerate(cols):
            fs = frags.get((r, c), [])
            box = parse.to_display(xl, ybottom, xr, ytop)
            for f in fs:
                # Pad vertically: other readers (pdfium, OCR) box a glyph from the font's full ascent/descent.
                pad = 0.25 * (f.bottom - f.top)
                box = union(box, (f.x0, f.top - pad, f.x1, f.bottom + pad))
                extent = (f.top, f.bottom) if extent is None else (min(extent[0], f.top), max(extent[1], f.bottom))
            row.append(GCell(text=join_frags(fs), box=box, frags=fs))
        cells.append(row)
        extents.append(extent)
    x0, y0, x1, y1 = bbox
    return Grid(page=parse.number, bbox=parse.to_display(x0, y0, x1, y1), method=method, cells=cells,
                ruled=False, row_extent=extents, kind=kind)


def join_frags(frags: list[Frag]) -> str:
    """Fragments of one cell in reading order: pieces on a printed line joined by spaces, lines by '\\n'."""
    if not frags:
        return ""
    ordered = sorted(frags, key=lambda f: (f.top, f.x0))
    lines: list[list[Frag]] = []
    for f in ordered:
        if lines:
            last = lines[-1]
            height = min(f.bottom - f.top, last[0].bottom - last[0].top) or 1.0
            if abs(f.top - last[0].top) < 0.5 * height:
                last.append(f)
                continue
        lines.append([f])
    return "\n".join(" ".join(p.text for p in sorted(line, key=lambda f: f.x0)) for line in lines)


# ------------------------------------------------------------------ camelot ruled tables


def from_camelot_lattice(parse: PageParse, table, textlines, method: str) -> Grid:
    """A ruled grid from camelot lattice's structure (cells with their rule edges). Text is placed by
    `_place`: a merged cell's text goes in the merged area's first cell (the others stay empty, so
    columns stay aligned), and each cell's box is its whole merged area, so it holds the text."""
    cells = table.cells
    n_rows = len(cells)
    n_cols = len(cells[0]) if cells else 0
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            if (r, c) in owner:
                continue
            # The merged area that starts here: extend right while no rule separates, then down.
            c1 = c
            while c1 + 1 < n_cols and (r, c1 + 1) not in owner and not cells[r][c1].right and not cells[r][c1 + 1].left:
                c1 += 1
            r1 = r
            while r1 + 1 < n_rows and all((r1 + 1, k) not in owner and not cells[r1][k].bottom and not cells[r1 + 1][k].top
                                          for k in range(c, c1 + 1)):
                r1 += 1
            for rr in range(r, r1 + 1):
                for cc in range(c, c1 + 1):
                    owner[(rr, cc)] = (r, c)
            spans[(r, c)] = (r1, c1)
    cols = [(min(a, b), max(a, b)) for a, b in table.cols]
    rows = [(max(a, b), min(a, b)) for a, b in table.rows]
    frags = _place(parse, cols, rows, [t for t in textlines if t.get_text().strip()], owner)
    out: list[list[GCell]] = []
    for r in range(n_rows):
        row = []
        for c in range(n_cols):
            cell = cells[r][c]
            if owner.get((r, c)) == (r, c):
                r1, c1 = spans[(r, c)]
                last = cells[r1][c1]
                box = parse.to_display(cell.x1, last.y1, last.x2, cell.y2)
                fs = frags.get((r, c), [])
                row.append(GCell(text=join_frags(fs), box=box, frags=fs))
            else:
                row.append(GCell(text="", box=parse.to_display(cell.x1, cell.y1, cell.x2, cell.y2)))
        out.append(row)
    x0, y0, x1, y1 = table._bbox
    return Grid(page=parse.number, bbox=parse.to_display(x0, y0, x1, y1), method=method, cells=out,
                ruled=True, row_extent=[None] * n_rows, kind="lattice")


# ------------------------------------------------------------------ tidying


def drop_empty(grid: Grid) -> Grid:
    """Remove rows and columns with no text at all."""
    keep_rows = [i for i, row in enumerate(grid.cells) if any(c.text.strip() for c in row)]
    if not keep_rows:
        grid.cells = []
        return grid
    n_cols = grid.n_cols
    keep_cols = [j for j in range(n_cols) if any(j < len(grid.cells[i]) and grid.cells[i][j].text.strip()
                                                  for i in keep_rows)]
    grid.cells = [[grid.cells[i][j] if j < len(grid.cells[i]) else GCell() for j in keep_cols] for i in keep_rows]
    if grid.row_extent:
        grid.row_extent = [grid.row_extent[i] for i in keep_rows]
    return grid
