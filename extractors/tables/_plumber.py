"""pdfplumber's table finder ('lines' and 'text' strategies) on the shared page parse.

pdfplumber's `TableFinder` needs only a page's characters, its ruling edges and its box. Opening the
PDF again with pdfplumber would parse every page a second time with pdfminer (the slow part: about
0.1 s a page); instead `_Page` hands pdfplumber the characters and rules playa already read. The
algorithms (snapping, joining and intersecting edges; clustering words for the text strategy;
reading cell text) are pdfplumber's own.

Coordinates: pdfplumber works top-down in the layout frame (top = frame height - y); results are
mapped to the displayed frame like everything else.
"""
from __future__ import annotations

from pdfplumber.table import TableFinder, TableSettings
from pdfplumber.utils import extract_words

from ._grid import Frag, GCell, Grid, _place, drop_empty, join_frags
from ._layout import Box, PageParse

LINES = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "intersection_tolerance": 3,
         "snap_tolerance": 3}
TEXT = {"vertical_strategy": "text", "horizontal_strategy": "text"}


class _Page:
    """The slice of pdfplumber's Page that TableFinder and Table.extract use."""

    def __init__(self, chars: list[dict], edges: list[dict], bbox: tuple[float, float, float, float]):
        self.chars = chars
        self.edges = edges
        self.bbox = bbox

    def extract_words(self, **kwargs):
        return extract_words(self.chars, **kwargs)

    def crop(self, bbox) -> "_Page":
        x0, top, x1, bottom = bbox

        def inside(o):
            return (o["x0"] + o["x1"]) / 2 >= x0 and (o["x0"] + o["x1"]) / 2 <= x1 and \
                (o["top"] + o["bottom"]) / 2 >= top and (o["top"] + o["bottom"]) / 2 <= bottom
        edges = [e for e in self.edges if e["x1"] >= x0 and e["x0"] <= x1 and e["bottom"] >= top and e["top"] <= bottom]
        return _Page([c for c in self.chars if inside(c)], edges, bbox)


def _chars(parse: PageParse, area=None) -> list[dict]:
    """pdfplumber char dicts (layout frame, top-down), only those inside `area` when given."""
    from playa.miner import LTChar

    height = parse.height
    out = []
    for ch in parse.chars:
        if not isinstance(ch, LTChar):
            continue
        top = height - ch.y1
        bottom = height - ch.y0
        if area is not None:
            xm, ym = (ch.x0 + ch.x1) / 2, (top + bottom) / 2
            if not (area[0] <= xm <= area[2] and area[1] <= ym <= area[3]):
                continue
        out.append({"text": ch._text, "x0": ch.x0, "x1": ch.x1, "top": top, "bottom": bottom, "doctop": top,
                    "upright": bool(getattr(ch, "upright", True)), "size": ch.size,
                    "width": ch.x1 - ch.x0, "height": bottom - top, "fontname": getattr(ch, "fontname", ""),
                    "object_type": "char"})
    return out


def _page(parse: PageParse, with_chars: bool = True) -> _Page:
    """The page for pdfplumber; characters are only converted when asked (finding ruled tables
    needs the rules alone)."""
    key = "plumber" if with_chars else "plumber-edges"
    cached = parse.cache.get(key) or (parse.cache.get("plumber") if not with_chars else None)
    if cached is not None:
        return cached
    height = parse.height
    horizontal, vertical = parse.cache["rules"]
    edges = []
    for x0, y, x1, _ in horizontal:
        t = height - y
        edges.append({"x0": x0, "x1": x1, "top": t, "bottom": t, "width": x1 - x0, "height": 0.0,
                      "orientation": "h", "object_type": "line", "doctop": t})
    for x, y0, _, y1 in vertical:
        t, b = height - y1, height - y0
        edges.append({"x0": x, "x1": x, "top": t, "bottom": b, "width": 0.0, "height": b - t,
                      "orientation": "v", "object_type": "line", "doctop": t})
    page = parse.cache[key] = _Page(_chars(parse) if with_chars else [], edges, (0.0, 0.0, parse.width, height))
    return page


def _to_display(parse: PageParse, box) -> Box:
    x0, top, x1, bottom = box
    return parse.to_display(x0, parse.height - bottom, x1, parse.height - top)


def _grid(parse: PageParse, page: _Page, table, method: str, kind: str, ruled: bool) -> Grid | None:
    rows = []
    extents = []
    for row, texts in zip(table.rows, table.extract()):
        cells = []
        extent = None
        for box, text in zip(row.cells, texts):
            text = "\n".join(line.strip() for line in (text or "").split("\n") if line.strip())
            if box is None:
                cells.append(GCell(text=""))  # inside a merged cell: kept empty so columns stay aligned
                continue
            dbox = _to_display(parse, box)
            frags = [Frag(text, *dbox)] if text else []
            if text:
                extent = (dbox[1], dbox[3]) if extent is None else (min(extent[0], dbox[1]), max(extent[1], dbox[3]))
            cells.append(GCell(text=text, box=dbox, frags=frags))
        rows.append(cells)
        extents.append(extent)
    grid = Grid(page=parse.number, bbox=_to_display(parse, table.bbox), method=method, cells=rows, ruled=ruled,
                row_extent=[None] * len(rows) if ruled else extents, kind=kind, merged=True)
    grid = drop_empty(grid)
    return grid if grid.cells else None


def plumber_lines(parse: PageParse, areas: list[Box] | None = None) -> list[Grid]:
    """pdfplumber 'lines' tables on the page (ruled grids); with `areas` (display boxes), only from
    the rules in and around those areas (pdfplumber's edge joining is quadratic in the rules)."""
    page = _page(parse, with_chars=False)
    if areas is not None:
        boxes = [_from_display(parse, a) for a in areas]
        edges = [e for e in page.edges if any(e["x1"] >= b[0] - 5 and e["x0"] <= b[2] + 5 and e["bottom"] >= b[1] - 5
                                               and e["top"] <= b[3] + 5 for b in boxes)]
        page = _Page([], edges, page.bbox)
    if not page.edges:
        return []
    finder = TableFinder(page, TableSettings.resolve(LINES))
    out = []
    for table in finder.tables:
        grid = _ruled_grid(parse, table)
        if grid is not None:
            out.append(grid)
    return out


def _ruled_grid(parse: PageParse, table) -> Grid | None:
    """pdfplumber's cells (its reading of the rules) with the text placed by `_grid._place`, like
    camelot's grids: pdfplumber's own per-cell text extraction costs ~1 ms a cell on big tables."""
    from camelot.utils import text_in_bbox_per_axis

    cells = table.cells
    if not cells:
        return None
    xs = sorted({round(v, 1) for c in cells for v in (c[0], c[2])})
    ys = sorted({round(v, 1) for c in cells for v in (c[1], c[3])})
    xi = {v: i for i, v in enumerate(xs)}
    yi = {v: i for i, v in enumerate(ys)}
    height = parse.height
    cols = [(xs[i], xs[i + 1]) for i in range(len(xs) - 1)]
    rows = [(height - ys[i], height - ys[i + 1]) for i in range(len(ys) - 1)]  # (top y, bottom y)
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    for x0, top, x1, bottom in cells:
        c0, c1 = xi[round(x0, 1)], xi[round(x1, 1)] - 1
        r0, r1 = yi[round(top, 1)], yi[round(bottom, 1)] - 1
        if c1 < c0 or r1 < r0:
            continue
        spans[(r0, c0)] = (r1, c1)
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                owner[(r, c)] = (r0, c0)
    x0, top, x1, bottom = table.bbox
    lbox = (x0, height - bottom, x1, height - top)
    t_bbox = text_in_bbox_per_axis(lbox, parse.horizontal_text, parse.vertical_text)
    lines = [t for t in t_bbox["horizontal"] + t_bbox["vertical"] if t.get_text().strip()]
    frags = _place(parse, cols, rows, lines, owner)
    out = []
    for r in range(len(rows)):
        row = []
        for c in range(len(cols)):
            if owner.get((r, c)) == (r, c):
                r1, c1 = spans[(r, c)]
                box = parse.to_display(cols[c][0], rows[r1][1], cols[c1][1], rows[r][0])
                fs = frags.get((r, c), [])
                row.append(GCell(text=join_frags(fs), box=box, frags=fs))
            else:
                row.append(GCell(text="", box=parse.to_display(cols[c][0], rows[r][1], cols[c][1], rows[r][0])))
        out.append(row)
    grid = Grid(page=parse.number, bbox=_to_display(parse, table.bbox), method="pdfplumber-lines", cells=out,
                ruled=True, row_extent=[None] * len(out), kind="plumber-lines", merged=True)
    grid = drop_empty(grid)
    return grid if grid.cells else None


def plumber_text(parse: PageParse, area: Box) -> list[Grid]:
    """pdfplumber 'text' tables inside a display-frame area (the area of a text table found by
    another strategy: on a whole page the text strategy reads paragraphs as columns)."""
    page = _page(parse)
    # Display box back to the layout frame (top-down).
    x0, top, x1, bottom = _from_display(parse, area)
    crop = page.crop((x0 - 1, top - 1, x1 + 1, bottom + 1))
    if len(crop.chars) < 4:
        return []
    finder = TableFinder(crop, TableSettings.resolve(TEXT))
    out = []
    for table in finder.tables:
        grid = _grid(parse, crop, table, "pdfplumber-text", "plumber-text", False)
        if grid is not None:
            out.append(grid)
    return out


def _from_display(parse: PageParse, box: Box) -> Box:
    """A displayed-frame box in the layout frame, top-down (inverse of `_to_display`)."""
    if parse._to_display is None:
        return box
    # Turned page: map the corners back through the inverse transform.
    from ._layout import _invert

    a, b, c, d, e, f = _invert(parse._to_display)
    x0, top, x1, bottom = box
    pts = []
    for x, t in ((x0, top), (x1, top), (x0, bottom), (x1, bottom)):
        y = parse.display_height - t
        pts.append((a * x + c * y + e, b * x + d * y + f))
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    return (min(xs), parse.height - max(ys), max(xs), parse.height - min(ys))
