"""Which strategy's table wins where, and how much the strategies agree.

Every strategy works on one shared parse of the page (`_layout`); nothing is rendered.

Strategies:

* ruled: camelot lattice on the page's vector rules (engine="vector", rules read by `_rules`, which
  also sees thick bars, four-corner paths and shaded cells), and pdfplumber 'lines' (its edge and
  intersection algorithm on the same rules; `_plumber`);
* borderless: camelot network (text alignment; columns completed by white rivers, `_columns`),
  camelot hybrid with engine="vector" (network plus the rules' column splits), and pdfplumber
  'text' on the table's own area (on a whole page it reads paragraphs as columns).

Choice, per page and per table:

1. Ruled grids come first. A grid that is complete (camelot's joint-coverage test, or
   `_rows.ruled_complete`: values in its rows, no row lumping several printed rows of values, no
   merged cell whose text still splits at the column lines) settles its area: its text is taken
   out of network's search, so the text strategies cannot read it plus the paragraphs around it.
2. Elsewhere camelot hybrid's tables stand: an incomplete grid augmented with network's columns,
   or a network table. Where one still covers a complete grid, the grid wins its area and the rows
   left above or below stay a table if they look like one (two rows with two filled cells).
3. Text tables nested in a larger one (network's partial copies): the larger wins if it adds table
   rows; if it only adds prose (titles, notes), the smaller ones win.
4. Text tables get their printed lines joined into logical rows and their header lines merged
   (`_rows`); ruled grids already have one row per ruled row.
5. A complete ruled table that only pdfplumber found (rules that meet within its tolerances but not
   camelot's) is added.

Agreement: the winner is compared with each other strategy's tables on its area, cheapest first
(ruled: pdfplumber 'lines', then camelot network; text: camelot lattice, camelot network with its own
columns, then pdfplumber 'text' on areas up to 800 characters), stopping once one agrees at 0.8 or
more. `_agree.agreement` is the F1 of cells reading the same at aligned rows and columns.
confidence = (own quality + best agreement) / 2: a table two strategies read alike scores above one
that a single strategy finds (quality alone caps it at 0.5).
"""
from __future__ import annotations

from ._agree import agreement, overlap_share
from ._camelot import Candidates, run_camelot
from ._grid import Grid, drop_empty
from ._layout import PageParse
from ._plumber import plumber_lines, plumber_text
from ._rows import merge_logical_rows, ruled_complete


def _hrules(parse: PageParse) -> list[tuple[float, float, float]]:
    horizontal, _ = parse.cache["rules"]
    out = []
    for x0, y, x1, _ in horizontal:
        bx0, top, bx1, _ = parse.to_display(x0, y, x1, y)
        out.append((top, bx0, bx1))
    return out


def _tabular(grid: Grid | None) -> bool:
    """At least two rows with text in two or more columns."""
    if grid is None or not grid.cells:
        return False
    return sum(1 for row in grid.cells if sum(1 for c in row if c.text.strip()) >= 2) >= 2


def _choose(parse: PageParse, cands: Candidates) -> list[Grid]:
    chosen: list[Grid] = []
    complete = [L for L in cands.lattice if any(L is C for C in cands.complete) or ruled_complete(L)]
    used: set[int] = set()
    for grid in _drop_nested(cands.hybrid):
        if grid.ruled:
            if id(grid) not in used:
                chosen.append(grid)
                used.add(id(grid))
            continue
        # A text table over complete ruled grids (plus headings, captions or paragraphs read as
        # rows): each ruled grid wins its area; rows left above or below stay a table if tabular.
        inner = [L for L in complete if overlap_share(L.bbox, grid.bbox) > 0.6]
        if inner:
            for L in inner:
                if id(L) not in used:
                    chosen.append(L)
                    used.add(id(L))
            chosen.extend(_remnants(grid, inner))
            continue
        chosen.append(grid)
    return _drop_nested(chosen)


def _remnants(grid: Grid, inner: list[Grid]) -> list[Grid]:
    """The runs of a text table's rows that fall outside every ruled grid, kept if tabular."""
    runs: list[list[int]] = [[]]
    for i in range(grid.n_rows):
        ext = grid.row_extent[i] if grid.row_extent else None
        mid = (ext[0] + ext[1]) / 2 if ext else None
        if mid is not None and not any(L.bbox[1] - 1 <= mid <= L.bbox[3] + 1 for L in inner):
            runs[-1].append(i)
        elif runs[-1]:
            runs.append([])
    out = []
    for idx in runs:
        if not idx:
            continue
        g = Grid(page=grid.page, bbox=grid.bbox, method=grid.method, cells=[grid.cells[i] for i in idx],
                 ruled=False, row_extent=[grid.row_extent[i] for i in idx], kind=grid.kind, merged=True)
        g = drop_empty(g)
        boxes = [c.box for row in g.cells for c in row if c.box and c.text.strip()]
        if boxes:
            g.bbox = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                      max(b[3] for b in boxes))
        if _tabular(g):
            out.append(g)
    return out


def _area(box) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def _table_row(row) -> bool:
    """Two or more filled cells, one of them (past the first) short like a value: not two columns of prose."""
    filled = [c.text.strip() for c in row if c.text.strip()]
    return len(filled) >= 2 and any(len(t) <= 30 for t in filled[1:])


def _drop_nested(grids: list[Grid]) -> list[Grid]:
    """Resolve text tables lying mostly (60 %+) inside a larger text table (network's partial copies,
    or one area read both as separate tables and as one). The larger wins if, outside the smaller
    ones, it adds table rows; if it only adds prose (titles, notes, paragraphs, a second column of
    running text), the smaller win."""
    order = sorted(grids, key=lambda g: -_area(g.bbox))
    dropped: set[int] = set()
    for big in order:
        if big.ruled or id(big) in dropped:
            continue
        inner = [g for g in order if g is not big and not g.ruled and id(g) not in dropped
                 and overlap_share(g.bbox, big.bbox) >= 0.6]
        if not inner:
            continue
        tabular = prose = 0
        for i, row in enumerate(big.cells):
            ext = big.row_extent[i] if big.row_extent else None
            if ext is None:
                continue
            mid = (ext[0] + ext[1]) / 2
            if any(g.bbox[1] - 1 <= mid <= g.bbox[3] + 1 for g in inner):
                continue
            if _table_row(row):
                tabular += 1
            else:
                prose += 1
        if tabular <= max(1, 0.2 * (tabular + prose)) and prose >= 2:
            dropped.add(id(big))
        else:
            dropped.update(id(g) for g in inner)
    return [g for g in grids if id(g) not in dropped]


def _quality(grid: Grid) -> float:
    """How table-like the grid is on its own (0-1): filled share, several columns, several rows."""
    if not grid.cells:
        return 0.0
    n = grid.n_rows * grid.n_cols
    fill = grid.filled() / n if n else 0.0
    shape = min(1.0, (grid.n_rows - 1) / 3) * min(1.0, (grid.n_cols - 1) / 2)
    return round(0.5 * shape + 0.5 * min(1.0, fill / 0.6), 3)


PLUMBER_TEXT_MAX_CHARS = 800  # pdfplumber's text strategy is slow on big areas: cross-check small ones only
AGREED = 0.8  # an agreement this good needs no further (costlier) cross-check
WHOLE_PAGE_RULES = 150  # pdfplumber 'lines' runs on the whole page up to this many rules


def _alternatives(grid: Grid, cands: Candidates, plumber: list[Grid], hrules):
    """(name, tables) of other strategies on the grid's area, each found a different way; cheapest first."""
    def network():
        out = [g for g in cands.network(grid.bbox) if g is not grid and g.source_anchors != grid.source_anchors]
        for g in out:
            merge_logical_rows(g, hrules)
        return out

    if grid.ruled:
        if grid.kind != "plumber-lines":
            yield "pdfplumber-lines", plumber
        else:
            yield "camelot-lattice-vector", cands.lattice
        yield "camelot-network", network()
        return
    yield "camelot-lattice-vector", cands.lattice
    yield "camelot-network", network()
    n_chars = sum(len(c.text) for row in grid.cells for c in row)
    if n_chars <= PLUMBER_TEXT_MAX_CHARS:
        yield "pdfplumber-text", plumber_text(cands.parse, grid.bbox)


def _score(grid: Grid, cands: Candidates, plumber: list[Grid], hrules) -> None:
    """confidence = mean of the grid's own quality and its best agreement with another strategy."""
    best = 0.0
    for name, others in _alternatives(grid, cands, plumber, hrules):
        score = 0.0
        for other in others:
            if other is grid or overlap_share(grid.bbox, other.bbox) < 0.3:
                continue
            score = max(score, agreement(grid, other))
        grid.agreement[name] = round(score, 3)
        best = max(best, score)
        if best >= AGREED:
            break
    grid.confidence = round(0.5 * _quality(grid) + 0.5 * best, 3)


def page_grids(parse: PageParse, *, mode: str = "auto") -> list[Grid]:
    cands = run_camelot(parse, settle_ruled=mode != "borderless")
    hrules = _hrules(parse)
    # pdfplumber 'lines' cross-checks the ruled grids; on the whole page only when it has few rules.
    n_rules = sum(len(r) for r in parse.cache["rules"])
    if n_rules <= WHOLE_PAGE_RULES or mode == "ruled":
        plumber = plumber_lines(parse) if n_rules else []
    else:
        plumber = plumber_lines(parse, [g.bbox for g in cands.lattice]) if cands.lattice else []
    for g in cands.hybrid:
        merge_logical_rows(g, hrules)
    if mode == "ruled":
        grids = list(cands.lattice)
        grids += [P for P in plumber if not any(overlap_share(P.bbox, g.bbox) > 0.5 for g in grids)]
    elif mode == "borderless":
        grids = cands.network()
        for g in grids:
            merge_logical_rows(g, hrules)
    else:
        grids = _choose(parse, cands)
        # A ruled table only pdfplumber found (its rules met where camelot's joint test did not).
        grids += [P for P in plumber if ruled_complete(P)
                  and not any(overlap_share(P.bbox, g.bbox) > 0.3 or overlap_share(g.bbox, P.bbox) > 0.3
                              for g in grids)]
    for g in grids:
        _score(g, cands, plumber, hrules)
    grids = [g for g in grids if g.cells]
    grids.sort(key=lambda g: (round(g.bbox[1]), g.bbox[0]))
    return grids
