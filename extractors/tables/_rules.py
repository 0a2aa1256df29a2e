"""Ruling lines read from a page's vector graphics (no rendering).

camelot 2.0's vector engine keeps stroked lines, stroked rectangles and filled rectangles up to 1.5 pt
thick. Council and statistical PDFs also draw rules as slightly thicker filled bars, as closed paths
that are not recognised as rectangles (curves with four corners), and mark rows and headers with
shaded boxes whose edges are the only visible separation. This module reads all of those, which is
what camelot's raster engine sees after rendering, at a fraction of the cost.
"""
from __future__ import annotations

from playa.miner import LTContainer, LTCurve, LTLine, LTRect

ORTHOGONAL_TOL = 0.6  # points a rule may lean and still count as horizontal/vertical
THIN = 3.0  # a filled bar at most this thick is a rule
MIN_LENGTH = 2.0  # shorter marks are glyph parts or bullets, not rules

Segment = tuple[float, float, float, float]  # x0, y0, x1, y1 in layout coordinates (origin bottom-left)


def _walk(container):
    for obj in container:
        yield obj
        if isinstance(obj, LTContainer) and not isinstance(obj, LTCurve):
            yield from _walk(obj)


def _is_white(obj) -> bool:
    color = getattr(obj, "non_stroking_color", None)
    values = tuple(getattr(color, "values", ()) or ())
    if getattr(color, "pattern", None) is not None or not values:
        return False
    try:
        values = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        return False
    if len(values) == 3:
        return all(v >= 0.95 for v in values)
    if len(values) == 4:
        return all(v <= 0.05 for v in values)
    if len(values) == 1:
        family = str(getattr(getattr(obj, "ncs", None), "name", "")).lower()
        return "gray" in family and values[0] >= 0.95
    return False


def _rect_segments(x0, y0, x1, y1, stroked: bool, filled: bool, white: bool) -> list[Segment]:
    width, height = x1 - x0, y1 - y0
    if filled and not stroked and min(width, height) <= THIN:
        if max(width, height) < MIN_LENGTH:
            return []
        if width >= height:
            y = (y0 + y1) / 2
            return [(x0, y, x1, y)]
        x = (x0 + x1) / 2
        return [(x, y0, x, y1)]
    if stroked or (filled and not white):
        return [(x0, y0, x1, y0), (x0, y1, x1, y1), (x0, y0, x0, y1), (x1, y0, x1, y1)]
    return []


def _axis_rect(pts) -> tuple[float, float, float, float] | None:
    """The box of a closed 4-corner path whose sides are horizontal and vertical, else None."""
    if len(pts) == 5 and abs(pts[0][0] - pts[-1][0]) < 0.01 and abs(pts[0][1] - pts[-1][1]) < 0.01:
        pts = pts[:4]
    if len(pts) != 4:
        return None
    for (ax, ay), (bx, by) in zip(pts, pts[1:] + pts[:1]):
        if abs(ax - bx) > ORTHOGONAL_TOL and abs(ay - by) > ORTHOGONAL_TOL:
            return None
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    return min(xs), min(ys), max(xs), max(ys)


def _color_key(obj):
    color = getattr(obj, "non_stroking_color", None)
    return tuple(getattr(color, "values", ()) or ())


def _drop_nested(boxes: list) -> list:
    """Shading boxes minus those inside a box of the same colour (cell padding drawn as a second fill)."""
    by_key: dict = {}
    for box, key in boxes:
        by_key.setdefault(key, []).append(box)
    kept = []
    for key, group in by_key.items():
        group.sort(key=lambda b: -(b[2] - b[0]) * (b[3] - b[1]))
        for i, (x0, y0, x1, y1) in enumerate(group):
            if not any(b[0] - 0.5 <= x0 and b[1] - 0.5 <= y0 and x1 <= b[2] + 0.5 and y1 <= b[3] + 0.5
                       for b in group[:i]):
                kept.append(((x0, y0, x1, y1), key))
    return kept


def _shading_edges(boxes: list) -> list[Segment]:
    """The visible edges of shaded areas: a box's side is drawn only where no box of the same colour
    abuts it (cells shaded one by one read as one band; a gap or a colour change is a boundary)."""
    by_x0: dict = {}
    by_x1: dict = {}
    by_y0: dict = {}
    by_y1: dict = {}
    for box, key in boxes:
        by_x0.setdefault((key, round(box[0])), []).append(box)
        by_x1.setdefault((key, round(box[2])), []).append(box)
        by_y0.setdefault((key, round(box[1])), []).append(box)
        by_y1.setdefault((key, round(box[3])), []).append(box)

    def abutted(index, key, coord, lo, hi, pos, span_lo, span_hi) -> bool:
        length = hi - lo
        for bucket in (round(coord) - 1, round(coord), round(coord) + 1):
            for b in index.get((key, bucket), ()):
                if abs(b[pos] - coord) <= 0.3 and min(hi, b[span_hi]) - max(lo, b[span_lo]) >= 0.9 * length:
                    return True
        return False

    out: list[Segment] = []
    for (x0, y0, x1, y1), key in boxes:
        if not abutted(by_y1, key, y0, x0, x1, 3, 0, 2):  # bottom side: a box whose top is here
            out.append((x0, y0, x1, y0))
        if not abutted(by_y0, key, y1, x0, x1, 1, 0, 2):  # top side
            out.append((x0, y1, x1, y1))
        if not abutted(by_x1, key, x0, y0, y1, 2, 1, 3):  # left side: a box whose right is here
            out.append((x0, y0, x0, y1))
        if not abutted(by_x0, key, x1, y0, y1, 0, 1, 3):  # right side
            out.append((x1, y0, x1, y1))
    return out


def ruled_segments(layout) -> tuple[list[Segment], list[Segment]]:
    """Horizontal and vertical rule segments on the page (layout coordinates), not yet merged."""
    horizontal: list[Segment] = []
    vertical: list[Segment] = []
    shading: list = []

    def add(seg: Segment) -> None:
        x0, y0, x1, y1 = seg
        dx, dy = abs(x1 - x0), abs(y1 - y0)
        if dy <= ORTHOGONAL_TOL and dx >= MIN_LENGTH:
            y = (y0 + y1) / 2
            horizontal.append((min(x0, x1), y, max(x0, x1), y))
        elif dx <= ORTHOGONAL_TOL and dy >= MIN_LENGTH:
            x = (x0 + x1) / 2
            vertical.append((x, min(y0, y1), x, max(y0, y1)))

    def add_box(obj, box, stroked, filled) -> None:
        x0, y0, x1, y1 = box
        if filled and not stroked and min(x1 - x0, y1 - y0) > THIN:
            if not _is_white(obj):
                shading.append((box, _color_key(obj)))
            return
        for seg in _rect_segments(x0, y0, x1, y1, stroked, filled, False):
            add(seg)

    for obj in _walk(layout):
        if not isinstance(obj, LTCurve):
            continue
        stroked = bool(getattr(obj, "stroke", False))
        filled = bool(getattr(obj, "fill", False))
        if isinstance(obj, LTRect):
            add_box(obj, (obj.x0, obj.y0, obj.x1, obj.y1), stroked, filled)
        elif isinstance(obj, LTLine):
            if stroked or not filled:
                (ax, ay), (bx, by) = obj.pts[0], obj.pts[-1]
                add((ax, ay, bx, by))
        else:
            pts = list(getattr(obj, "pts", []) or [])
            box = _axis_rect(pts)
            if box is not None:
                add_box(obj, box, stroked, filled)
            elif stroked and len(pts) >= 2:
                for (ax, ay), (bx, by) in zip(pts, pts[1:]):
                    add((ax, ay, bx, by))
    if len(shading) <= 600:
        for seg in _shading_edges(_drop_nested(shading)):
            add(seg)
    return horizontal, vertical


def page_rules(layout) -> tuple[list[Segment], list[Segment]]:
    """Horizontal and vertical rules with abutting pieces of one rule joined (camelot's coalescing)."""
    from camelot.image_processing import coalesce_collinear_lines

    horizontal, vertical = ruled_segments(layout)
    return coalesce_collinear_lines(horizontal, "horizontal"), coalesce_collinear_lines(vertical, "vertical")
