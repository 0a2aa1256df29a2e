"""camelot's lattice, network and hybrid parsers, all on one shared page parse, vector rules only.

`run_camelot(parse)` returns every candidate table on the page:

* `lattice`: ruled grids from the page's vector rules (camelot lattice, engine="vector", fed by our
  rule reader, which also sees thick bars, four-corner paths and shaded boxes);
* `network`: text-alignment tables (camelot network) before hybrid merges anything into them;
* `hybrid`: camelot hybrid's final tables: a ruled grid where it is complete, otherwise the network
  table with the lattice's column splits added.

Network and hybrid tables get their text placed by `_grid.assign_text` (multi-line aware), ruled
grids keep camelot's cell text. Nothing is rendered: no raster mode runs.
"""
from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass

from camelot.image_processing import find_joints_from_lines
from camelot.parsers import Hybrid, Lattice
from camelot.utils import bboxes_overlap, text_in_bbox_per_axis

from ._columns import add_rivers
from ._grid import Grid, assign_text, drop_empty, from_camelot_lattice
from ._layout import PageParse
from ._rows import ruled_complete
from ._rules import page_rules


class VectorLattice(Lattice):
    """camelot lattice (vector engine) on rules read by `_rules.page_rules`."""

    def __init__(self, rules, **kwargs):
        super().__init__(engine="vector", **kwargs)
        self._rules = rules

    def _generate_table_bbox_vector(self):
        h_lines, v_lines = self._rules
        self.pdf_image = None
        self.threshold = None
        self.vertical_segments = v_lines
        self.horizontal_segments = h_lines
        joints_by_bbox = find_joints_from_lines(h_lines, v_lines)
        self.table_bbox_parses = {bbox: {"joints": joints} for bbox, joints in joints_by_bbox.items()}
        self._compute_table_anchors()


class SharedHybrid(Hybrid):
    complete: set
    """camelot hybrid whose lattice half is `VectorLattice`, keeping what each half found on its own."""

    def __init__(self, rules, **kwargs):
        super().__init__(engine="vector", **kwargs)
        self.lattice_parser = VectorLattice(rules, table_regions=None, table_areas=None,
                                            row_tol=self.network_parser.row_tol)
        self.lattice_alone: dict = {}
        self.network_alone: dict = {}

    def _generate_table_bbox(self, grids=None):
        """Hybrid's merge, with the lattice half already run: `grids` maps lattice bboxes to our
        ruled grids. Grids that are complete (camelot's test or `_rows.ruled_complete`) keep their
        area: network searches only the rest of the page (faster, and it cannot read a ruled table
        and the paragraphs around it as one table)."""
        self.table_bbox_parses = {}
        grids = grids or {}
        lattice = self.lattice_parser.table_bbox_parses
        self.lattice_alone = dict(lattice)
        self.complete = {b for b in lattice if b in grids and (ruled_complete(grids[b]) or self._lattice_grid_is_complete(b))}
        net = self.network_parser
        full_h, full_v = net.horizontal_text, net.vertical_text
        if self.complete:
            boxes = list(self.complete)

            def outside(t):
                xm, ym = (t.x0 + t.x1) / 2, (t.y0 + t.y1) / 2
                return not any(b[0] <= xm <= b[2] and b[1] <= ym <= b[3] for b in boxes)
            net.horizontal_text = [t for t in full_h if outside(t)]
            net.vertical_text = [t for t in full_v if outside(t)]
        try:
            if net.horizontal_text:
                net._generate_table_bbox()
            else:
                net.table_bbox_parses = {}
        finally:
            net.horizontal_text, net.vertical_text = full_h, full_v
        self.network_alone = {b: copy.deepcopy({k: v for k, v in d.items() if k in ("cols_anchors", "cols_boundaries")})
                              for b, d in net.table_bbox_parses.items()}
        lattice_bboxes = sorted(lattice, key=lambda b: (b[0], -b[1]))
        network_bboxes = sorted(net.table_bbox_parses, key=lambda b: (b[0], -b[1]))
        for lattice_bbox in lattice_bboxes:
            if lattice_bbox in self.complete:
                self.table_bbox_parses[lattice_bbox] = self.lattice_parser
                continue
            merged = False
            for idx in range(len(network_bboxes) - 1, -1, -1):
                network_bbox = network_bboxes[idx]
                if not bboxes_overlap(lattice_bbox, network_bbox):
                    continue
                self._merge_bbox_analysis(lattice_bbox, network_bbox)
                del network_bboxes[idx]
                merged = True
            if not merged:
                self.table_bbox_parses[lattice_bbox] = self.lattice_parser
        for network_bbox in network_bboxes:
            self.table_bbox_parses[network_bbox] = self.network_parser


@dataclass
class Candidates:
    parse: PageParse
    lattice: list[Grid]  # ruled grids, one per lattice bbox
    hybrid: list[Grid]  # hybrid's final tables
    complete: list[Grid] = None  # the ruled grids camelot hybrid judges complete
    _network_parser: object = None
    _network_alone: dict | None = None
    _network_grids: list[Grid] | None = None

    def network(self, area=None) -> list[Grid]:
        """camelot network's own tables (before hybrid merged rules into them), built on demand;
        with `area` (a display box) only those overlapping it."""
        if self._network_grids is None:
            self._network_grids = []
            hybrid_by_bbox = {g.source_bbox: g for g in self.hybrid if not g.ruled and g.source_bbox}
            for bbox, data in (self._network_alone or {}).items():
                same = hybrid_by_bbox.get(bbox)
                if same is not None and same.source_anchors == data.get("cols_anchors"):
                    self._network_grids.append(same)
                    continue
                self._network_grids.append(_LazyGrid(self, bbox, data.get("cols_anchors") or []))
        out = []
        for item in self._network_grids:
            if area is not None:
                x0, y0, x1, y1 = item.source_bbox
                box = self.parse.to_display(x0, y0, x1, y1)
                if min(box[2], area[2]) <= max(box[0], area[0]) or min(box[3], area[3]) <= max(box[1], area[1]):
                    continue
            grid = item.build() if isinstance(item, _LazyGrid) else item
            if grid is not None and grid.cells:
                out.append(grid)
        return out


class _LazyGrid:
    def __init__(self, cands: Candidates, bbox, anchors):
        self.cands, self.source_bbox, self.anchors = cands, bbox, anchors
        self.grid: Grid | None = None
        self.built = False

    def build(self) -> Grid | None:
        if not self.built:
            self.built = True
            self.grid = _network_grid(self.cands.parse, self.cands._network_parser, self.source_bbox, self.anchors,
                                      "camelot-network")
        return self.grid


def _continuation_below(bbox, anchors, lines, page_lines) -> list:
    """Text lines just under a text table that carry on one of its columns at the same leading
    (a commentary cell running on below where camelot's table area stopped)."""
    taken = set(map(id, lines))
    below = sorted((t for t in page_lines if id(t) not in taken and t.get_text().strip() and t.y1 <= bbox[1] + 1
                    and bbox[0] - 2 <= (t.x0 + t.x1) / 2 <= bbox[2] + 2), key=lambda t: -t.y1)
    if not below:
        return []
    cols = [(anchors[i], anchors[i + 1]) for i in range(len(anchors) - 1)]
    cols[-1] = (cols[-1][0], cols[-1][1] + 0.15 * (cols[-1][1] - cols[-1][0]))
    bottom_lines = sorted(lines, key=lambda t: t.y0)[:3]
    bottom = min(t.y0 for t in lines)
    height = sorted(t.y1 - t.y0 for t in bottom_lines)[len(bottom_lines) // 2]
    out = []
    for t in below:
        if bottom - t.y1 > 0.6 * height:
            break
        if not any(left - 2 <= t.x0 and t.x1 <= right + 2 for left, right in cols):
            break
        out.append(t)
        bottom = min(bottom, t.y0)
    return out


def _network_grid(parse: PageParse, parser, bbox, anchors, method) -> Grid | None:
    source_anchors = anchors
    source_bbox = bbox
    t_bbox = text_in_bbox_per_axis(bbox, parser.horizontal_text, parser.vertical_text)
    lines = [t for t in t_bbox["horizontal"] + t_bbox["vertical"] if t.get_text().strip()]
    if not lines or len(anchors) < 2:
        return None
    extra = _continuation_below(bbox, anchors, lines, parser.horizontal_text)
    if extra:
        lines = lines + extra
        bbox = (bbox[0], min(t.y0 for t in extra), bbox[2], bbox[3])
    rows_grouped = parser._group_rows(sorted(lines, key=lambda t: (-t.y0, t.x0)), row_tol=parser.row_tol)
    y_max = max(t.y1 for t in lines)
    y_min = min(t.y0 for t in lines)
    rows = parser._join_rows(rows_grouped, y_max, y_min)
    anchors = add_rivers(list(anchors), [t for t in lines if t in t_bbox["horizontal"]])
    cols = [(anchors[i], anchors[i + 1]) for i in range(len(anchors) - 1)]
    grid = assign_text(parse, bbox, cols, rows, lines, method, "network")
    grid.source_bbox, grid.source_anchors = source_bbox, list(source_anchors)
    return drop_empty(grid)


def run_camelot(parse: PageParse, *, settle_ruled: bool = True) -> Candidates:
    """camelot's candidates on one page: hybrid's tables and the lattice grids now, network's own
    tables on demand (`Candidates.network`). `settle_ruled=False`: network also reads the text inside
    complete ruled grids (borderless-only extraction)."""
    rules = parse.cache.get("rules")
    if rules is None:
        rules = parse.cache["rules"] = page_rules(parse.layout)
    hybrid = SharedHybrid(rules)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hybrid.prepare_page_parse("", parse.layout, (parse.width, parse.height), parse.number, parse.images,
                                  parse.horizontal_text, parse.vertical_text, parse.rotation, layout_kwargs={})
        if hybrid._document_has_no_text():
            return Candidates(parse, [], [], [])
        lat = hybrid.lattice_parser
        lat._generate_table_bbox()
        lattice_grids: dict = {}
        for idx, bbox in enumerate(sorted(lat.table_bbox_parses, key=lambda b: -b[3])):
            cols, rows, v_s, h_s = lat._generate_columns_and_rows(bbox, None)
            table = lat._initialize_new_table(idx, bbox, cols, rows)
            table = table.set_edges(v_s, h_s, joint_tol=lat.joint_tol)
            table = table.set_border()
            lines = lat.t_bbox["horizontal"] + lat.t_bbox["vertical"]
            grid = from_camelot_lattice(parse, table, lines, "camelot-lattice-vector")
            n_cells = sum(len(r) for r in grid.cells)
            if not n_cells or grid.filled() < 0.1 * n_cells:  # near-empty grid: borders, form rules
                continue
            grid = drop_empty(grid)
            if grid.cells:
                lattice_grids[bbox] = grid
                grid.source_bbox = bbox
        hybrid._generate_table_bbox(lattice_grids if settle_ruled else {})
        out_hybrid: list[Grid] = []
        net = hybrid.network_parser
        for bbox in hybrid.table_bboxes():
            parser = hybrid.table_bbox_parses[bbox]
            if parser is lat:
                if bbox in lattice_grids:
                    out_hybrid.append(lattice_grids[bbox])
                continue
            anchors = net.table_bbox_parses.get(bbox, {}).get("cols_anchors")
            if not anchors:
                continue
            grid = _network_grid(parse, net, bbox, anchors, "camelot-hybrid-vector")
            if grid is not None and grid.cells:
                out_hybrid.append(grid)
    return Candidates(parse, list(lattice_grids.values()), out_hybrid,
                      [g for b, g in lattice_grids.items() if b in hybrid.complete], net, hybrid.network_alone)
