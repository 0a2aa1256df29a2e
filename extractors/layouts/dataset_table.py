"""Monthly dataset tables (born-digital PDFs, or grids rebuilt from OCR words) into raw rows.

Works from `ExtractedTable` rows as any table extractor gives them:

* the header row is the one with six or more month labels ('Jun-17' ... 'Jun-18'); every other column is
  named by its header text, read with the spaces an extractor may insert taken out ('% c hange from
  previous month'): % change from the previous month / from the same month last year, DoT, 12-month
  average and max, 'Percentage?', Stat. Neighbour / England / SE region, 'Target 17-18' (or a bare
  '18-19'), commentary, outcome, indicator; the code is the first column when its cells read as codes;
* an extractor may split one printed row into one row per text line (a wrapped name above and below
  the figures): a row with figures in the month columns anchors the indicator, and every row without
  figures joins the anchor nearest to it on the page;
* a table on a later page without a header row reuses the last header with the same number of cells.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from schemas import ExtractedRow, ExtractedTable

from .dataset_codes import CodeBook
from .dataset_fields import Change, Fields
from .dataset_tokens import Tok, has_digit, is_month

ROLES = [
    ("change_previous", re.compile(r"change.*previous|previous\s*month|prev\.?month", re.I)),
    ("change_year_ago", re.compile(r"same\s*month|prev\.?\s*yr|last\s*year|year\s*ago", re.I)),
    ("dot", re.compile(r"^dot$|directionoftravel", re.I)),
    ("average", re.compile(r"average|avg", re.I)),
    ("maximum", re.compile(r"max", re.I)),
    ("flag", re.compile(r"^perc|percentage\?", re.I)),
    ("stat_neighbours", re.compile(r"stat|neighbo", re.I)),
    ("england", re.compile(r"england|national", re.I)),
    ("region", re.compile(r"region|southeast|^se$", re.I)),
    ("commentary", re.compile(r"comment", re.I)),
    ("outcome", re.compile(r"outcome", re.I)),
    ("indicator", re.compile(r"indicator|measure", re.I)),
    ("ref", re.compile(r"^(?:ref|code|no\.?)$", re.I)),
]
TARGET = re.compile(r"(?:target)?(\d\d)-(\d\d)$", re.I)
MIN_MONTHS = 6


@dataclass
class Header:
    months: dict[int, str]  # column -> 'Jun-17'
    roles: dict[str, int]
    targets: dict[int, str]  # column -> '17-18'
    width: int


@dataclass
class TableRow:
    """What dataset.build reads from a raw row (the same attributes as dataset_text.RawRow)."""

    page: int
    method: str
    code: object
    code_line: int | None
    label: str
    label_lines: tuple[int, int] | None
    stream: list[Tok]
    fields: Fields
    positions: list[int]
    target_cells: list[tuple[str, Tok]]
    anchors: dict[int, int] = field(default_factory=dict)
    outcome: str | None = None
    commentary: str | None = None
    commentary_lines: tuple[int, int] | None = None
    commentary_prov: object = None
    polarity_text: str | None = None
    label_bbox: object = None
    code_printed: str | None = None


@dataclass
class TableLayout:
    rows: list[TableRow]
    context: object


def _despace(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def read_header(row: ExtractedRow) -> Header | None:
    months: dict[int, str] = {}
    roles: dict[str, int] = {}
    targets: dict[int, str] = {}
    for i, cell in enumerate(row.cells):
        folded = _fold(cell.text)
        flat = _despace(cell.text)
        if not flat:
            continue
        month = _header_month(folded) or _header_month(flat)
        if month:
            months[i] = month
            continue
        m = TARGET.search(flat)
        if m and ("target" in flat.lower() or flat == m.group(0)):
            targets[i] = f"{m.group(1)}-{m.group(2)}"
            continue
        for role, rx in ROLES:
            if role not in roles and rx.search(flat):
                roles[role] = i
                break
    derived = sum(r in roles for r in ("change_previous", "change_year_ago", "average", "maximum"))
    if len(months) < MIN_MONTHS or derived < 2:
        return None
    _fill_months(months, roles, targets, row)
    return Header(months=months, roles=roles, targets=targets, width=len(row.cells))


_MONTH_IN = re.compile(r"(?:^|[^A-Za-z])?[A-Za-z]?(?P<m>(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
                       r"[-\s'’]?\d\d)\W{0,2}$", re.I)


def _header_month(text: str) -> str | None:
    """A month label in a header cell, allowing a stray OCR mark around it ('jJun-17', 'Jul-17_')."""
    t = text.strip(" _.,;:|")
    if is_month(t):
        return t
    m = _MONTH_IN.search(t)
    return m.group("m") if m and len(t) - len(m.group("m")) <= 2 and is_month(m.group("m")) else None


def _fill_months(months: dict[int, str], roles: dict[str, int], targets: dict[int, str], row: ExtractedRow) -> None:
    """Month columns whose label the OCR lost, read by position: a column right before the first month or
    after the last one, with no other role, is the month before or after."""
    from .dataset import _month_key, recover_months  # noqa: PLC0415

    taken = set(roles.values()) | set(targets)
    for _ in range(3):
        cols = sorted(months)
        first, last = cols[0], cols[-1]
        for col, step in ((first - 1, -1), (last + 1, 1)):
            if col < 0 or col >= len(row.cells) or col in taken or col in months:
                continue
            key = _month_key(months[col - step])
            if key is None:
                continue
            seq = recover_months([key], n=2) if step == -1 else None
            months[col] = seq[0] if seq else _next_month(key)


def _next_month(key: str) -> str:
    from .dataset import recover_months  # noqa: PLC0415
    mon, yy = key.split("-")
    names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    i = names.index(mon) + 1
    return f"{names[i % 12]}-{(int(yy) + i // 12) % 100:02d}"


def _filled_months(row: ExtractedRow, header: Header) -> int:
    return sum(1 for c in header.months if c < len(row.cells) and has_digit(row.cells[c].text))


def _top(row: ExtractedRow) -> float | None:
    tops = [c.bbox.top for c in row.cells if c.bbox is not None and c.text.strip()]
    return min(tops) if tops else None


def read_tables(tables: list[ExtractedTable]) -> TableLayout | None:
    from .dataset import Context, recover_months  # noqa: PLC0415

    header: Header | None = None
    groups: list[tuple[ExtractedTable, Header, list[list[ExtractedRow]]]] = []
    for table in tables:
        rows = list(table.rows)
        found = None
        start = 0
        for i, row in enumerate(rows[:4]):
            h = read_header(row)
            if h is not None:
                found, start = h, i + 1
                break
        if found is None and header is not None and rows and len(rows[0].cells) == header.width:
            found = header
        if found is None:
            continue
        header = found
        body = rows[start:]
        anchors = [i for i, r in enumerate(body) if _filled_months(r, header) >= MIN_MONTHS]
        if not anchors:
            continue
        members: dict[int, list[ExtractedRow]] = {a: [] for a in anchors}
        for i, r in enumerate(body):
            if i in members:
                members[i].append(r)
                continue
            if not any(c.text.strip() for c in r.cells):
                continue
            members[_nearest(body, anchors, i)].append(r)
        groups.append((table, header, [sorted(members[a], key=lambda r: _top(r) or 0) for a in anchors]))
    if not groups:
        return None
    first_header = groups[0][1]
    months = recover_months(list(first_header.months.values()))
    if months is None:
        return None
    book = CodeBook.learn([_fold(g[0].cells[h.roles.get("ref", 0)].text) for t, h, gs in groups for g in gs
                           if g and h.roles.get("ref", 0) < len(g[0].cells)])
    targets = [first_header.targets[c] for c in sorted(first_header.targets)]
    raws = []
    for table, h, gs in groups:
        for group in gs:
            raw = _raw_row(table, h, group, months, book)
            if raw is not None:
                raws.append(raw)
    ctx = Context(months=months, target_periods=targets, benchmark_period=None, book=book)
    return TableLayout(rows=raws, context=ctx)


def _nearest(body: list[ExtractedRow], anchors: list[int], i: int) -> int:
    top = _top(body[i])
    if top is None:
        return min(anchors, key=lambda a: abs(a - i))
    def dist(a: int) -> float:
        t = _top(body[a])
        return abs(t - top) if t is not None else abs(a - i) * 10.0
    return min(anchors, key=dist)


def _tok(table: ExtractedTable, row: ExtractedRow, col: int | None, text: str | None = None) -> Tok | None:
    if col is None or col >= len(row.cells):
        return None
    cell = row.cells[col]
    t = _fold(cell.text if text is None else text)
    if not t:
        return None
    return Tok(t, line=cell.lines.start if cell.lines else None, bbox=cell.bbox, page=row.page)


def _joined(table: ExtractedTable, group: list[ExtractedRow], col: int | None) -> tuple[str, list]:
    if col is None:
        return "", []
    parts, cells = [], []
    for r in group:
        if col < len(r.cells) and r.cells[col].text.strip():
            parts.append(r.cells[col].text)
            cells.append(r.cells[col])
    return _fold(" ".join(parts)), cells


def _split_change(tok: Tok | None) -> Change | None:
    if tok is None:
        return None
    parts = tok.text.split()
    if len(parts) == 1:
        return Change(glyph=[], token=tok)
    glyph = [Tok(p, line=tok.line, bbox=tok.bbox, page=tok.page) for p in parts[:-1]]
    return Change(glyph=glyph, token=Tok(parts[-1], line=tok.line, bbox=tok.bbox, page=tok.page))


def _raw_row(table: ExtractedTable, h: Header, group: list[ExtractedRow], months: list[str], book: CodeBook):
    from schemas import BBox, Provenance  # noqa: PLC0415


    anchor = max(group, key=lambda r: _filled_months(r, h))
    def cell(role: str) -> Tok | None:
        col = h.roles.get(role)
        tok = _tok(table, anchor, col)
        if tok is None:  # a figure the extractor put on a neighbouring text line
            for r in group:
                tok = tok or _tok(table, r, col)
        return tok

    values, positions = [], []
    for col, label in sorted(h.months.items()):
        key = _month_key(label)
        tok = _tok(table, anchor, col)
        if tok is None or key not in months:
            continue
        values.append(tok)
        positions.append(months.index(key))
    ref_col = h.roles.get("ref", 0 if 0 not in h.months else None)
    ref_text, _ = _joined(table, group, ref_col)
    code = book.read(ref_text, code_cell=True) if ref_text else None
    label_col = h.roles.get("indicator")
    label, label_cells = _joined(table, group, label_col)
    if code is None and ref_col is not None and ref_col == label_col:
        label = ref_text
    fields = Fields(values=values)
    fields.change_previous = _split_change(cell("change_previous"))
    fields.change_year_ago = _split_change(cell("change_year_ago"))
    fields.dot = cell("dot")
    fields.average, fields.maximum, fields.flag = cell("average"), cell("maximum"), cell("flag")
    fields.benchmarks = [t for t in (cell("stat_neighbours"), cell("england"), cell("region"))]
    fields.benchmarks = [t if t is not None else Tok("-", page=anchor.page) for t in fields.benchmarks] \
        if any(t is not None for t in fields.benchmarks) else []
    target_cells = []
    for col, period in sorted(h.targets.items()):
        tok = _tok(table, anchor, col) or next((t for t in (_tok(table, r, col) for r in group) if t), None)
        if tok is not None:
            target_cells.append((period, tok))
    commentary, com_cells = _joined(table, group, h.roles.get("commentary"))
    outcome, _ = _joined(table, group, h.roles.get("outcome"))
    doc_id = table.document_id
    com_prov = Provenance(document_id=doc_id, page=anchor.page, bbox=BBox.union([c.bbox for c in com_cells]),
                          raw_text=commentary, method=table.method) if commentary else None
    return TableRow(
        page=anchor.page, method=table.method, code=code, code_line=None, label=label,
        label_lines=None, stream=[], fields=fields, positions=positions, target_cells=target_cells,
        outcome=outcome or None, commentary=commentary or None, commentary_prov=com_prov,
        label_bbox=BBox.union([c.bbox for c in label_cells]),
        code_printed=ref_text if code is None and ref_text else None,
    )


def _month_key(label: str) -> str | None:
    from .dataset import _month_key as key  # noqa: PLC0415
    return key(label)
