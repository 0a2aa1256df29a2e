"""Monthly dashboard (seed 002; fixture 901): a grid of measures by month, with the small tables around it.

What it reads, all from the tables `extract_tables` found:

* **the monthly grid**: a header row (or two: a second header row under the first, its measure cell
  empty) with a measure column and at least three month columns. Every other column is given its role
  by its header text, so the column order and the set of columns may change from paper to paper:

  ==========================================  ==========================================================
  header (row 1 + row 2)                      becomes
  ==========================================  ==========================================================
  'Success Measure', 'Measure', 'Indicator'   ``row_label`` (and ``row_ref`` from 'Ref' / a leading number)
  'Apr 2014', 'Apr-23' ... (a month)          one ``PeriodValue`` per printed cell
  '... Baseline ...' ('June outturn')         ``DerivedFigure`` baseline
  'Current outturn', 'Outturn', 'YTD'         ``DerivedFigure`` outturn
  'Current target', 'Target'                  ``target`` (of the latest value)
  'Jan-16' over 'Target', 'Target 2015/16'    ``PeriodTarget`` for that period
  'Current RAG', 'RAG', 'Status'              ``rag``
  'Stat. Neighbours', 'South East', 'National'  ``Benchmark``, its period from row 2 ('2014')
  'Commentary', 'Comments'                    ``commentary``
  ==========================================  ==========================================================

  Rows are read whether the table extractor gives one row per printed line or one per measure: a row
  holding only a measure name is the wrapped tail of the row above when it sits tight under it
  (line spacing, from the page's words; without boxes: when it starts in lower case), else a section
  heading. A cell whose box spans several month columns (a merged 'n/a') gives each month it covers.
  Rows whose cells were **shifted left** by a merged cell the extractor compacted (seed 002's
  pathway-plan rows, seed-discrepancies §7.5) are aligned on their trailing columns: the RAG word
  must sit in the RAG column, so the cells after the merged placeholder move right until it does, and
  the placeholder covers the columns they left (and `LayoutResult.notes` says so, per row).

  Header cells are read from the page's words inside each header cell's box when there are any (a table
  finder may hand a spanning header's words to a neighbouring cell), and every header row under the first
  is joined to it per column, so wrapped headers ('Stat.' / 'Neighbours' / '2014') read the same whether
  they come as one row or one per printed line. A month column standing apart from the run of months,
  after the target / RAG / outturn columns, is a target date ('Jan-16') even without 'Target' under it.
  Not handled: text-only input (no boxes) whose *second header row* was compacted to the left, as in seed
  002's text; PDFs carry boxes, so their header rows sit where they were printed.

* **comparison boxes** (002's 'Rate per 10,000 ...'): a title, a row of names (the council, then
  comparators), a row of periods, a row of values -> one row: the council's value for its own period,
  and each comparator as a ``Benchmark`` with its own period ('Jan 2015' vs '2014', trap T12).

* **two-column period tables** (002's 'Sickness Rate | Dec 2014', 'Turnover rate | Jan-15'): one row
  per line, labelled '<title> - <line>', the value for the header's period; lines naming a comparator
  ('Stat Neighbour 16.0%') are benchmarks of the other lines.

Boxes and small tables are read only in a paper that has a monthly grid: on their own they are too
common a shape to claim a paper by. Row refs are 'r1', 'r2' ... in printed order (tables by page and
position) unless the grid prints a reference.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.layouts import LayoutResult
from extractors.layouts.scorecard import split_item_number
from extractors.tables import fold
from extractors.values import (
    classify_comparator,
    detect_unit,
    find_periods,
    parse_period,
    parse_polarity,
    parse_rag,
    parse_target,
    parse_value,
    placeholder_reason,
)
from extractors.values.periods import Period, PeriodKind
from schemas import (
    BBox,
    Benchmark,
    Cell,
    Comparator,
    DerivedFigure,
    DerivedKind,
    ExtractedRow,
    ExtractedTable,
    MeasureRow,
    Page,
    PaperFacts,
    PeriodTarget,
    PeriodValue,
    Provenance,
    SourceDocument,
    Unit,
    Word,
)

LAYOUT = "monthly_dashboard"
MIN_MONTHS = 3  # a grid needs this many month columns (a quarterly scorecard has one month at most)

_MEASURE = re.compile(r"^(?:success\s+|performance\s+|key\s+)?(?:measures?|indicators?|kpis?)\b", re.I)
_MEASURE_ANYWHERE = re.compile(r"\b(?:measures?|indicators?|kpis?)\b", re.I)
_REF = re.compile(r"^(?:ref(?:erence)?\.?|no\.?|code|pi\s+ref|#)$", re.I)
_BASELINE = re.compile(r"\bbaseline\b", re.I)
_TARGET = re.compile(r"\btargets?\b", re.I)
_RAG = re.compile(r"\brag\b|\bstatus\b|\brating\b", re.I)
_OUTTURN = re.compile(r"\boutturn\b|\bytd\b|\byear\s+to\s+date\b|\bactual\b", re.I)
_COMMENT = re.compile(r"\bcomment(?:ary|s)?\b", re.I)
_POLARITY = re.compile(r"\bpolarity\b|good\s+to\s+be", re.I)
_WORD_TARGET = re.compile(r"\s*\btargets?\b\s*", re.I)


# --------------------------------------------------------------------------------------- the grid


@dataclass
class Column:
    index: int
    role: str | None  # measure ref value baseline outturn target period_target rag benchmark commentary polarity
    header: str  # row-1 text, folded
    header2: str = ""  # the text of the header rows under it, folded
    name: str = ""  # a benchmark column's comparator name without its period ('Stat. Neighbours')
    period: Period | None = None
    comparator: Comparator | None = None
    x0: float | None = None
    x1: float | None = None

    @property
    def label(self) -> str:
        return fold(f"{self.header} {self.header2}")


@dataclass
class Grid:
    columns: list[Column]
    header_rows: int

    def first(self, role: str) -> Column | None:
        return next((c for c in self.columns if c.role == role), None)

    def all(self, role: str) -> list[Column]:
        return [c for c in self.columns if c.role == role]

    @property
    def measure(self) -> Column:
        return self.first("measure")  # type: ignore[return-value]


def _is_month(period: Period | None) -> bool:
    return period is not None and period.kind == PeriodKind.month


def _comparator_name(text: str) -> Comparator | None:
    """A header or line that is just a comparator's name ('Stat. N', 'South East', 'National')."""
    if not text or len(text.split()) > 4 or re.search(r"\d", text):
        return None
    comparator = classify_comparator(text)
    return None if comparator == Comparator.other else comparator


def _without_periods(text: str) -> tuple[str, Period | None]:
    """'Stat. Neighbours 2014' -> ('Stat. Neighbours', <2014>)."""
    found = find_periods(text)
    if not found:
        return text, None
    name = text
    for (start, end), _ in reversed(found):
        name = name[:start] + " " + name[end:]
    return fold(name), found[-1][1]


def _role(text: str, text2: str) -> tuple[str | None, Period | None, Comparator | None, str]:
    """(role, period, comparator, name) of a column from its header rows' texts."""
    both = fold(f"{text} {text2}")
    if not both:
        return None, None, None, both
    if _MEASURE.search(text):
        return "measure", None, None, both
    if _REF.match(both):
        return "ref", None, None, both
    if _BASELINE.search(both):
        return "baseline", None, None, both
    if _TARGET.search(both):
        period = parse_period(_WORD_TARGET.sub(" ", both))
        return ("period_target", period, None, both) if period else ("target", None, None, both)
    if _RAG.search(both):
        return "rag", None, None, both
    if _OUTTURN.search(both):
        return "outturn", None, None, both
    if _COMMENT.search(both):
        return "commentary", None, None, both
    if _POLARITY.search(both):
        return "polarity", None, None, both
    name, period = _without_periods(both)
    comparator = _comparator_name(name)
    if comparator is not None:
        return "benchmark", period, comparator, name
    period = parse_period(both)
    if _is_month(period):
        return "value", period, None, both
    return None, period, None, both


def _header_texts(row: ExtractedRow, words: "_Words | None") -> list[str]:
    """A header row's cell texts, read from the page's words inside each cell's box when there are
    any: a table finder can hand a spanning header's words to the wrong cell, the page cannot."""
    texts = []
    for cell in row.cells:
        inside = words.inside(row.page, cell.bbox) if words is not None else []
        texts.append(_words_text(inside) if inside else fold(cell.text))
    return texts


def _words_text(words: list[Word]) -> str:
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.bbox.top + w.bbox.bottom) / 2):
        middle = (w.bbox.top + w.bbox.bottom) / 2
        if lines and lines[-1][0].bbox.top <= middle <= lines[-1][0].bbox.bottom:
            lines[-1].append(w)
        else:
            lines.append([w])
    return fold(" ".join(w.text for line in lines for w in sorted(line, key=lambda w: w.bbox.x0)))


def read_grid_header(rows: list[ExtractedRow], at: int, words: "_Words | None" = None) -> Grid | None:
    """The grid header starting at rows[at], with the header rows under it (rows whose measure cell is
    empty and which hold no RAG word and no percentage: 'June outturn | 2014 | ... | Target', or the
    second printed line of wrapped headers when the extractor gives one row per printed line).

    With `words` (the page's positioned words) header cells are read from the page (`_header_texts`)."""
    row = rows[at]
    if not _MEASURE_ANYWHERE.search(" ".join(c.text for c in row.cells)):
        return None  # cheap test first: wherever the finder put the words, the row holds a measure header
    texts = _header_texts(row, words)
    measure = next((i for i, t in enumerate(texts) if _MEASURE.search(t)), None)
    if measure is None:
        return None
    below: list[list[str]] = []
    for nxt in rows[at + 1:]:
        nxt_texts = _header_texts(nxt, words)
        if (len(nxt_texts) != len(texts) or nxt_texts[measure] or not any(nxt_texts)
                or any(parse_rag(t) for t in nxt_texts)
                or any(parse_value(t).unit == Unit.percent for t in nxt_texts if t)):
            break
        below.append(nxt_texts)
    second = [fold(" ".join(r[i] for r in below)) for i in range(len(texts))]
    columns = []
    for i, (text, text2) in enumerate(zip(texts, second)):
        if i == measure:
            role, period, comparator, name = "measure", None, None, fold(f"{text} {text2}")
        else:
            role, period, comparator, name = _role(text, text2)
        box = BBox.union([r.cells[i].bbox for r in rows[at:at + 1 + len(below)]])
        columns.append(Column(index=i, role=role, header=text, header2=text2, name=name, period=period,
                              comparator=comparator, x0=box.x0 if box else None, x1=box.x1 if box else None))
    _months_after_targets(columns)
    if sum(c.role == "value" for c in columns) < MIN_MONTHS:
        return None
    return Grid(columns=columns, header_rows=1 + len(below))


def _months_after_targets(columns: list[Column]) -> None:
    """The month columns are one run of consecutive months. A month header standing apart from the run,
    after the target / RAG / outturn columns, is a target date ('Jan-16' at the end of seed 002's grid,
    even where the 'Target' under it was lost), not a month of data."""
    runs: list[list[Column]] = []
    for c in columns:
        if c.role != "value":
            continue
        last = runs[-1][-1] if runs else None
        if (last is not None and c.index == last.index + 1
                and (c.period.start.year * 12 + c.period.start.month) - (last.period.start.year * 12
                                                                         + last.period.start.month) == 1):
            runs[-1].append(c)
        else:
            runs.append([c])
    if len(runs) < 2:
        return
    main = max(runs, key=len)
    closing = min((c.index for c in columns if c.role in ("target", "rag", "outturn")), default=None)
    for run in runs:
        if run is main or closing is None or run[0].index < closing or run[0].index < main[-1].index:
            continue
        for c in run:
            c.role = "period_target"


# ---------------------------------------------------------------------------------------- placing


@dataclass
class Slot:
    cell: Cell
    first: int  # the columns the cell covers (a merged cell covers several)
    last: int

    @property
    def text(self) -> str:
        return fold(self.cell.text)


def _overlap(box: BBox, column: Column) -> float:
    return max(0.0, min(box.x1, column.x1) - max(box.x0, column.x0))


def place(row: ExtractedRow, grid: Grid) -> list[Slot | None]:
    """The row's cells on the grid's columns: by their boxes when both have boxes, else by position."""
    width = len(grid.columns)
    slots: list[Slot | None] = [None] * width
    boxed = all(c.x0 is not None for c in grid.columns)
    for index, cell in enumerate(row.cells):
        if not fold(cell.text):
            continue
        if boxed and cell.bbox is not None:
            covered = [c.index for c in grid.columns
                       if _overlap(cell.bbox, c) >= 0.5 * max(c.x1 - c.x0, 0.1)]
            if not covered:
                centre = (cell.bbox.x0 + cell.bbox.x1) / 2
                covered = [min(grid.columns, key=lambda c: abs((c.x0 + c.x1) / 2 - centre)).index]
        elif index < width:
            covered = [index]
        else:
            continue
        slot = Slot(cell, covered[0], covered[-1])
        for col in covered:
            slots[col] = slot
    return slots


def realign_shifted(slots: list[Slot | None], grid: Grid) -> tuple[list[Slot | None], bool]:
    """Undo a left shift caused by a compacted merged cell; returns (slots, shifted?).

    The RAG word must be in the RAG column. When it sits `d` columns further left, every cell after
    the last placeholder ('n/a', '-') before it moves `d` columns right and the placeholder covers the
    columns they left. Nothing changes unless the result puts the RAG word in place.
    """
    rag = grid.first("rag")
    if rag is None:
        return slots, False
    here = slots[rag.index]
    if here is not None and parse_rag(here.text):
        return slots, False
    measure = grid.measure.index
    found = [i for i, s in enumerate(slots) if i > measure and s is not None and s.first == i and parse_rag(s.text)]
    if len(found) != 1 or found[0] >= rag.index:
        return slots, False
    shift = rag.index - found[0]
    anchors = [i for i, s in enumerate(slots[:found[0]]) if i > measure and s is not None and s.first == i
               and placeholder_reason(s.text) not in (None, "blank")]
    if not anchors:
        return slots, False
    anchor = anchors[-1]
    width = len(slots)
    moved: list[Slot | None] = list(slots[:anchor]) + [None] * (width - anchor)
    placeholder = slots[anchor]
    for col in range(anchor, min(anchor + shift + 1, width)):
        moved[col] = Slot(placeholder.cell, anchor, anchor + shift)
    for i in range(anchor + 1, width):
        s = slots[i]
        if s is None or s.first != i:
            continue
        j = i + shift
        if j >= width:
            return slots, False  # would fall off the grid: not a shift we understand
        moved[j] = Slot(s.cell, j, j)
    if not (moved[rag.index] and parse_rag(moved[rag.index].text)):
        return slots, False
    return moved, True


# -------------------------------------------------------------------------------------- geometry


class _Words:
    """The page's words, to tell a wrapped line from a heading by where its text sits."""

    def __init__(self, pages: list[Page]):
        self.by_page = {p.number: [w for w in p.words if w.bbox is not None] for p in pages}

    def inside(self, page: int, box: BBox | None) -> list[Word]:
        if box is None:
            return []
        return [w for w in self.by_page.get(page, [])
                if box.x0 - 1 <= (w.bbox.x0 + w.bbox.x1) / 2 <= box.x1 + 1
                and box.top - 1 <= (w.bbox.top + w.bbox.bottom) / 2 <= box.bottom + 1]


# ------------------------------------------------------------------------------------ provenance


def _prov(document_id: str, page: int, cell: Cell | None, method: str) -> Provenance | None:
    if cell is None:
        return None
    return Provenance(document_id=document_id, page=page, bbox=cell.bbox, lines=cell.lines,
                      raw_text=cell.text, method=method)


def _union_prov(document_id: str, page: int, cells: list[Cell], method: str, sep: str = " | ") -> Provenance | None:
    """One box around several cells: a name's printed lines (sep '\n') or a row's benchmark cells."""
    cells = [c for c in cells if c is not None]
    if not cells:
        return None
    return Provenance(document_id=document_id, page=page, bbox=BBox.union([c.bbox for c in cells]),
                      raw_text=sep.join(c.text for c in cells), method=method)


def _period_value(label: str, period: Period | None, text: str, unit: Unit, prov: Provenance) -> PeriodValue:
    parsed = parse_value(text, unit)
    return PeriodValue(
        period_label=label,
        period_start=period.start if period else None,
        period_end=period.end if period else None,
        value=parsed.value,
        value_text=text,
        missing_reason=parsed.missing_reason,
        note=parsed.note.text if parsed.note else None,
        needs_review=parsed.needs_review,
        review_reason=parsed.review_reason,
        provenance=prov,
    )


# ------------------------------------------------------------------------------------ grid rows


@dataclass
class _Pending:
    """A grid data row, with the label lines that wrapped onto following printed lines."""

    row: ExtractedRow
    slots: list[Slot | None]
    shifted: bool
    section: str | None
    grid: Grid
    table: int  # index of its table in the paper
    method: str
    label_cells: list[Cell] = field(default_factory=list)


def _label_only(row: ExtractedRow, slots: list[Slot | None], grid: Grid) -> Cell | None:
    """The cell of a row that holds nothing but a name (a wrapped line or a section heading)."""
    filled = [c for c in row.cells if fold(c.text)]
    if len(filled) != 1:
        return None
    measure = slots[grid.measure.index]
    if measure is not None and measure.cell is filled[0]:
        return filled[0]
    return None


def _is_continuation(prev: _Pending, row: ExtractedRow, cell: Cell, words: _Words) -> bool:
    """A name-only row tight under the previous row's name is that name's next printed line."""
    prev_box = BBox.union([w.bbox for w in words.inside(prev.row.page, prev.label_cells[-1].bbox)])
    this_box = BBox.union([w.bbox for w in words.inside(row.page, cell.bbox)])
    if prev_box is not None and this_box is not None:
        height = max(this_box.bottom - this_box.top, 1.0)
        return this_box.top - prev_box.bottom < 0.25 * height  # line spacing, not cell padding
    text = fold(cell.text)
    return bool(text) and text[0].islower()


def _has_header(rows: list[ExtractedRow], words: _Words | None) -> bool:
    return any(read_grid_header(rows, k, words) for k in range(len(rows)))


def _grid_rows(tables: list[ExtractedTable], words: _Words) -> list[_Pending]:
    """Every data row of every monthly grid in the paper, in printed order."""
    pending: list[_Pending] = []
    grid: Grid | None = None
    section: str | None = None
    for number, table in enumerate(tables):
        rows = table.rows
        # A table without a header of its own continues the grid before it when it is as wide
        # (a grid split over pages without a repeated header row).
        if grid is not None and (_has_header(rows, words) or not rows or len(rows[0].cells) != len(grid.columns)):
            grid = None
        i = 0
        while i < len(rows):
            found = read_grid_header(rows, i, words)
            if found is not None:
                if grid is None or [c.role for c in found.columns] != [c.role for c in grid.columns]:
                    section = None
                grid = found
                i += found.header_rows
                continue
            row = rows[i]
            i += 1
            if grid is None:
                continue
            slots = place(row, grid)
            name = _label_only(row, slots, grid)
            if name is not None:
                prev = pending[-1] if pending and pending[-1].table == number else None
                if prev is not None and _is_continuation(prev, row, name, words):
                    prev.label_cells.append(name)
                else:
                    section = fold(name.text)
                continue
            measure_slot = slots[grid.measure.index]
            if measure_slot is None or not any(s is not None for k, s in enumerate(slots) if k != grid.measure.index):
                continue
            slots, shifted = realign_shifted(slots, grid)
            pending.append(_Pending(row=row, slots=slots, shifted=shifted, grid=grid, table=number,
                                    section=section or grid.measure.label or None, method=table.method,
                                    label_cells=[measure_slot.cell]))
    return pending


def _measure_row(document_id: str, item: _Pending, ordinal: int) -> MeasureRow:
    grid = item.grid
    row, slots, method = item.row, item.slots, item.method
    page = row.page

    def slot(column: Column | None) -> Slot | None:
        return slots[column.index] if column is not None else None

    def text(column: Column | None) -> str | None:
        s = slot(column)
        return s.text if s is not None and s.text else None

    def prov(s: Slot | None) -> Provenance | None:
        return _prov(document_id, page, s.cell, method) if s is not None else None

    label = fold(" ".join(c.text for c in item.label_cells))
    printed_ref, label = split_item_number(label)
    ref = text(grid.first("ref")) or printed_ref or f"r{ordinal}"

    value_columns = grid.all("value")
    value_texts = [text(c) for c in value_columns]
    outturn_col = grid.first("outturn")
    unit = detect_unit(label, [t for t in [*value_texts, text(outturn_col)] if t])

    values = []
    for column, value_text in zip(value_columns, value_texts):
        if value_text is None:
            continue
        values.append(_period_value(column.label, column.period, value_text, unit, prov(slot(column))))

    derived = []
    for role, kind in (("baseline", DerivedKind.baseline), ("outturn", DerivedKind.outturn)):
        for column in grid.all(role):
            t = text(column)
            if t is None:
                continue
            parsed = parse_value(t, unit)
            derived.append(DerivedFigure(kind=kind, label=column.label, value=parsed.value, value_text=t,
                                         provenance=prov(slot(column))))

    targets = []
    for column in grid.all("period_target"):
        t = text(column)
        if t is None:
            continue
        parsed = parse_target(t, unit)
        targets.append(PeriodTarget(period_label=column.period.label if column.period else column.label,
                                    value=parsed.target, value_text=t, provenance=prov(slot(column))))

    benchmarks, bench_slots = [], []
    for column in grid.all("benchmark"):
        t = text(column)
        if t is None:
            continue
        parsed = parse_value(t, unit)
        benchmarks.append(Benchmark(comparator=column.comparator, label=column.name, value=parsed.value,
                                    value_text=t, period_label=column.period.label if column.period else None))
        bench_slots.append(slot(column))

    target_col, rag_col = grid.first("target"), grid.first("rag")
    target_text, rag_text = text(target_col), text(rag_col)
    target = parse_target(target_text, unit) if target_text else None
    polarity_text = text(grid.first("polarity"))
    comment_col = grid.first("commentary")
    return MeasureRow(
        document_id=document_id,
        row_ref=ref,
        row_label=label,
        section=item.section,
        unit=unit,
        printed_polarity=parse_polarity(polarity_text) if polarity_text else None,
        values=values,
        target=target.target if target else None,
        target_text=target_text,
        target_tolerance=target.tolerance if target else None,
        rag=parse_rag(rag_text) if rag_text else None,
        rag_text=rag_text,
        benchmarks=benchmarks,
        targets=targets,
        derived=derived,
        commentary=text(comment_col),
        label_provenance=_union_prov(document_id, page, item.label_cells, method, sep="\n"),
        target_provenance=prov(slot(target_col)) if target_text else None,
        rag_provenance=prov(slot(rag_col)) if rag_text else None,
        benchmark_provenance=_union_prov(document_id, page, [s.cell for s in bench_slots], method),
        commentary_provenance=prov(slot(comment_col)) if text(comment_col) else None,
    )


# ------------------------------------------------------------------------------ boxes and tables


def _title_above(rows: list[ExtractedRow], at: int) -> tuple[str, list[tuple[ExtractedRow, Cell]]] | None:
    """The rows just above `at` that hold one cell of words each: the box's title (one row, or one per
    printed line when the extractor splits a wrapped title)."""
    found: list[tuple[ExtractedRow, Cell]] = []
    for row in reversed(rows[:at]):
        filled = [c for c in row.cells if fold(c.text)]
        text = fold(filled[0].text) if len(filled) == 1 else ""
        if not text or parse_period(text) or parse_value(text).value is not None:
            break
        found.insert(0, (row, filled[0]))
    if not found:
        return None
    return fold(" ".join(c.text for _, c in found)), found


def _comparison_boxes(document_id: str, table: ExtractedTable) -> list[tuple[ExtractedRow, MeasureRow]]:
    """'Rate per 10,000 ...' boxes: names (the council first), periods, values -> one row each."""
    found = []
    rows = table.rows
    for at in range(len(rows) - 2):
        names = [fold(c.text) for c in rows[at].cells]
        comparators = [_comparator_name(t) if t else None for t in names]
        own = [i for i, (t, c) in enumerate(zip(names, comparators)) if t and c is None]
        if len(own) != 1 or sum(c is not None for c in comparators) < 2:
            continue
        periods_row, values_row = rows[at + 1], rows[at + 2]
        if len(periods_row.cells) != len(names) or len(values_row.cells) != len(names):
            continue
        filled = [i for i, t in enumerate(names) if t]
        periods = {i: parse_period(fold(periods_row.cells[i].text)) for i in filled}
        numbers = {i: fold(values_row.cells[i].text) for i in filled}
        if not all(periods.values()) or not all(parse_value(numbers[i]).value is not None for i in filled):
            continue
        titled = _title_above(rows, at)
        if titled is None:
            continue
        title, title_cells = titled
        unit = detect_unit(title, list(numbers.values()))
        o = own[0]

        def prov(r: ExtractedRow, i: int) -> Provenance:
            return _prov(document_id, r.page, r.cells[i], table.method)

        period = periods[o]
        value = _period_value(fold(periods_row.cells[o].text), period, numbers[o], unit, prov(values_row, o))
        benchmarks = []
        for i in filled:
            if i == o:
                continue
            parsed = parse_value(numbers[i], unit)
            benchmarks.append(Benchmark(comparator=comparators[i], label=names[i], value=parsed.value,
                                        value_text=numbers[i], period_label=fold(periods_row.cells[i].text)))
        measure = MeasureRow(
            document_id=document_id, row_ref="", row_label=title, unit=unit, values=[value],
            benchmarks=benchmarks,
            label_provenance=_union_prov(document_id, title_cells[0][0].page, [c for _, c in title_cells],
                                         table.method, sep="\n"),
            benchmark_provenance=_union_prov(document_id, values_row.page,
                                             [values_row.cells[i] for i in filled if i != o], table.method),
        )
        found.append((rows[at], measure))
    return found


def _period_tables(document_id: str, table: ExtractedTable) -> list[MeasureRow]:
    """Two-column tables headed '<title> | <period>' with '<name> | <value>' lines."""
    rows = [r for r in table.rows if any(fold(c.text) for c in r.cells)]
    if len(rows) < 2 or any(len([c for c in r.cells if fold(c.text)]) != 2 for r in rows):
        return []
    head = [c for c in rows[0].cells if fold(c.text)]
    title, period_text = fold(head[0].text), fold(head[1].text)
    period = parse_period(period_text)
    if period is None or parse_period(title) is not None:
        return []
    lines = []
    for r in rows[1:]:
        name_cell, value_cell = [c for c in r.cells if fold(c.text)]
        parsed = parse_value(fold(value_cell.text))
        if parsed.value is None:
            return []
        lines.append((r, name_cell, value_cell))
    unit = detect_unit(title, [fold(v.text) for _, _, v in lines])
    comparators = [(r, n, v) for r, n, v in lines if _comparator_name(fold(n.text))]
    benchmarks = [Benchmark(comparator=_comparator_name(fold(n.text)), label=fold(n.text),
                            value=parse_value(fold(v.text), unit).value, value_text=fold(v.text),
                            period_label=period_text) for _, n, v in comparators]
    out = []
    for r, name_cell, value_cell in lines:
        if (r, name_cell, value_cell) in comparators:
            continue
        prov = _prov(document_id, r.page, value_cell, table.method)
        out.append(MeasureRow(
            document_id=document_id, row_ref="", row_label=f"{title} - {fold(name_cell.text)}", section=title,
            unit=unit, values=[_period_value(period_text, period, fold(value_cell.text), unit, prov)],
            benchmarks=benchmarks,
            label_provenance=_prov(document_id, r.page, name_cell, table.method),
            benchmark_provenance=_union_prov(document_id, comparators[0][0].page,
                                             [v for _, _, v in comparators], table.method) if comparators else None,
        ))
    return out


# ------------------------------------------------------------------------------------------ parse


def parse(document: SourceDocument, tables: list[ExtractedTable], pages: list[Page]) -> LayoutResult:
    """Measure rows of a monthly dashboard, in printed order; empty when no table has a monthly grid."""
    document_id = document.id
    words = _Words(pages)
    pending = _grid_rows(tables, words)
    if not pending:
        return LayoutResult()
    by_table: dict[int, list[_Pending]] = {}
    for item in pending:
        by_table.setdefault(item.table, []).append(item)
    out: list[MeasureRow] = []
    notes: list[str] = []
    for number, table in enumerate(tables):
        if number in by_table:
            for item in by_table[number]:
                out.append(_measure_row(document_id, item, len(out) + 1))
                if item.shifted:
                    notes.append(f"row {out[-1].row_ref} ({out[-1].row_label[:50]}): cells shifted left by a merged "
                                 "cell were aligned on the trailing columns (outturn, target, RAG, ...)")
            continue
        if _has_header(table.rows, words):
            continue
        found = [m for _, m in _comparison_boxes(document_id, table)] or _period_tables(document_id, table)
        for m in found:
            out.append(m.model_copy(update={"row_ref": f"r{len(out) + 1}"}))
    out = _unique_refs(out)
    return LayoutResult(rows=out, facts=_facts(document_id, out), notes=notes)


def _unique_refs(rows: list[MeasureRow]) -> list[MeasureRow]:
    seen: dict[str, int] = {}
    fixed = []
    for r in rows:
        n = seen.get(r.row_ref, 0)
        seen[r.row_ref] = n + 1
        fixed.append(r if n == 0 else r.model_copy(update={"row_ref": f"{r.row_ref}~{n + 1}"}))
    return fixed


def _facts(document_id: str, rows: list[MeasureRow]) -> PaperFacts:
    """The reporting period: the latest month any grid row has a value for."""
    latest = None
    for r in rows:
        for v in r.values:
            if v.value is not None and v.period_end and (latest is None or v.period_end > latest.period_end):
                latest = v
    if latest is None:
        return PaperFacts(document_id=document_id)
    return PaperFacts(document_id=document_id, reporting_period=latest.period_label,
                      reporting_period_start=latest.period_start, reporting_period_end=latest.period_end)


__all__ = ["LAYOUT", "MIN_MONTHS", "Grid", "parse", "place", "read_grid_header", "realign_shifted"]
