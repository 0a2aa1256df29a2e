"""Generic fallback: measure rows from any table with a measure column and two or more period columns.

Used only when no layout-specific parser recognises the paper (see :mod:`extractors.extract`). It reads
tables of any shape a council might print, e.g. 'Indicator | Apr-24 | May-24 | Jun-24 | Target | RAG':

* the **header** is the row (among the rows above the first data row) with the most period-like cells
  (``parse_period``, or ``find_periods`` with only value words around the period: '2016/17 outturn');
  rows under it with an empty first cell are sub-headers and are merged in ('Stat. Neighbours' over
  '2014', 'Jan-16' over 'Target');
* columns are given a **role** by their header words before anything else: target, RAG, polarity,
  benchmark (a named comparator per column, or a 'Benchmarks' text column), commentary, data period,
  derived figures (outturn, baseline, % change, direction of travel, averages); what is left and names a
  period is a period column;
* the **measure column** is a column headed 'Measure' / 'Indicator' / ..., else the first column whose
  body cells read like measure names (letters, '%', 'Number of', a phrase); a column of short codes to
  its left gives the row reference;
* a body row with a measure name and at least one printed value is a measure row; a row with only a
  name is a section heading (or, in borderless tables read line by line, the wrapped part of a name);
* a table with no header carries on the previous table's header when it has as many columns.

Every value keeps its cell box. Target, RAG and benchmarks refer to the latest period column.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.layouts import LayoutResult
from extractors.lines import group_lines
from extractors.tables import cell_at
from extractors.layouts.generic_columns import Column, classify_header
from extractors.values import (
    classify_comparator,
    detect_unit,
    parse_benchmarks,
    parse_period,
    parse_polarity,
    parse_rag,
    parse_target,
    parse_value,
    repair_series,
)
from schemas import (
    BBox,
    Benchmark,
    Cell,
    DerivedFigure,
    ExtractedRow,
    ExtractedTable,
    MeasureRow,
    Page,
    PaperFacts,
    PeriodTarget,
    PeriodValue,
    Provenance,
    SourceDocument,
)

LAYOUT = "generic"


def fold(text: str | None) -> str:
    """Collapse runs of whitespace (including line breaks inside a cell) to single spaces."""
    return re.sub(r"\s+", " ", text or "").strip()


_ITEM_NUMBER = re.compile(r"^\s*(?P<ref>\d{1,3}[a-z]?)[.)]?\s+(?=\S)")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_SECTION_GLYPH = re.compile(r"^\s*[►▶▸>•■▪]+\s*")
_MEASURE_HEADER = re.compile(r"\b(?:measures?|indicators?|kpis?|pis?|description|metric|name|title|"
                             r"success\s+measure|performance\s+(?:indicator|measure))\b", re.I)
_REF_HEADER = re.compile(r"^(?:no\.?|ref\.?|reference|#|code|id|item|pi\s+ref|kpi\s+ref|number)$", re.I)
_CODE = re.compile(r"^[A-Za-z]{0,6}[\s-]?\d{0,4}[A-Za-z]?(?:[.-]\d{1,3})?$")
_MAX_HEADER_ROWS = 5


@dataclass
class Header:
    columns: list[Column]
    label: int
    ref: int | None = None
    rows: int = 1  # table rows the header takes
    title: str | None = None  # a one-cell row above the header ('► Quality'): the section

    @property
    def periods(self) -> list[tuple[int, Column]]:
        return self.all("period")

    def first(self, role: str) -> tuple[int | None, Column | None]:
        return next(iter(self.all(role)), (None, None))

    def all(self, role: str) -> list[tuple[int, Column]]:
        return [(j, c) for j, c in enumerate(self.columns) if c.role == role]

    @property
    def width(self) -> int:
        return len(self.columns)


@dataclass
class _Candidate:
    """A table that nearly qualified, for the notes."""

    page: int
    reason: str


@dataclass
class _State:
    document: SourceDocument
    ocr_pages: set[int]
    rows: list[MeasureRow] = field(default_factory=list)
    near: list[_Candidate] = field(default_factory=list)


def parse(document: SourceDocument, tables: list[ExtractedTable], pages: list[Page]) -> LayoutResult:
    """Measure rows from every table with a measure column and at least two period columns."""
    ocr_pages = {p.number for p in pages if p.ocr}
    rows: list[MeasureRow] = []
    near: list[_Candidate] = []
    header: Header | None = None
    for group in _alternatives(tables):
        # Overlapping tables are rival readings of one printed table (two strategies): keep the richest.
        best = None
        for table in group:
            state = _State(document, ocr_pages)
            used = _read_table(state, table, header, pages)
            # Most values; then fewer rows (a reading that splits names over lines makes more rows).
            score = (sum(len(r.values) for r in state.rows), -len(state.rows), table.confidence or 0)
            if best is None or score > best[0]:
                best = (score, state, used)
        _, state, header = best
        rows.extend(state.rows)
        near.extend(state.near)
    rows = _unique_refs(_without_repeats(rows))
    notes: list[str] = []
    if not rows:
        for c in near[:5]:
            notes.append(f"generic tables: page {c.page}: {c.reason}")
        return LayoutResult(rows=[], notes=notes)
    rule = next((r.rag_rule for r in rows if r.rag_rule), None)
    notes.append(f"generic tables: layout not recognised by a specific parser; {len(rows)} row(s) read from "
                 "tables with a measure column and period columns; check the column roles")
    return LayoutResult(rows=rows, facts=PaperFacts(document_id=document.id, rag_rule=rule), notes=notes)


def _without_repeats(rows: list[MeasureRow]) -> list[MeasureRow]:
    """A row read twice (two table readings covering the same print): the first reading stays."""
    seen: set[tuple] = set()
    out = []
    for row in rows:
        key = (row.label_provenance.page, row.row_label, tuple((v.period_label, v.value_text) for v in row.values))
        if key in seen:
            continue
        seen.add(key)
        out.append(row)
    return out


def _read_table(state: _State, table: ExtractedTable, header: Header | None, pages: list[Page]) -> Header | None:
    """Read one table into ``state``; the header in force afterwards (carried on to a headerless table)."""
    found = find_header(table, state.document)
    above = _heading_above(table, pages)
    if found is None:
        if header is not None and table.rows and len(table.rows[0].cells) == header.width \
                and not _looks_like_header(table.rows[0]):
            _read_body(state, table, header, 0, above)
            return header
        _why_not(state, table, state.document)
        return None
    _read_body(state, table, found, found.rows, found.title or above)
    return found


def _alternatives(tables: list[ExtractedTable]) -> list[list[ExtractedTable]]:
    """Tables grouped where they overlap on a page (rival readings of the same print), in reading order."""
    groups: list[list[ExtractedTable]] = []
    for table in tables:
        home = next((g for g in groups if any(_overlap(table, t) for t in g)), None)
        if home is None:
            groups.append([table])
        else:
            home.append(table)
    return groups


def _overlap(a: ExtractedTable, b: ExtractedTable) -> bool:
    if a.page != b.page or a.bbox is None or b.bbox is None:
        return False
    x = min(a.bbox.x1, b.bbox.x1) - max(a.bbox.x0, b.bbox.x0)
    y = min(a.bbox.bottom, b.bbox.bottom) - max(a.bbox.top, b.bbox.top)
    if x <= 0 or y <= 0:
        return False
    area = min((t.bbox.x1 - t.bbox.x0) * (t.bbox.bottom - t.bbox.top) for t in (a, b))
    return area > 0 and x * y >= 0.5 * area


# --------------------------------------------------------------------------- header


def find_header(table: ExtractedTable, document: SourceDocument | None = None) -> Header | None:
    """The table's header: the top row with the most period columns (two at least), sub-headers merged."""
    context = document.meeting_date if document else None
    rows = table.rows
    limit = min(len(rows), _MAX_HEADER_ROWS)
    best: tuple[int, int] | None = None  # (period count, row index)
    for i in range(limit):
        if i and _is_data_row(rows[i]):
            break
        columns = [classify_header(fold(c.text), context) for c in rows[i].cells]
        count = sum(c.role == "period" for c in columns)
        if count >= 2 and (best is None or count > best[0]):
            best = (count, i)
    texts, end = _merged_block(rows, context)
    if texts is None:
        if best is None:
            return None
        start = best[1]
        texts = [fold(c.text) for c in rows[start].cells]
        end = start + 1
        while end < len(rows) and end - start < 3 and _is_subheader(rows[end], len(texts)):
            for j, cell in enumerate(rows[end].cells[:len(texts)]):
                if fold(cell.text):
                    texts[j] = f"{texts[j]} {fold(cell.text)}".strip()
            end += 1
    columns = [classify_header(t, context) for t in texts]
    if sum(c.role == "period" for c in columns) < 2:
        return None
    label = _label_column(columns, texts, rows[end:])
    if label is None:
        return None
    columns[label] = Column(texts[label], "label")
    ref = _ref_column(columns, texts, rows[end:], label)
    if ref is not None:
        columns[ref] = Column(texts[ref], "ref")
    title = None
    for row in rows[:end]:
        if _title_row(row) and len(fold(row.cells[0].text).split()) <= 8:
            title = _SECTION_GLYPH.sub("", fold(row.cells[0].text)).strip() or title
    return Header(columns=columns, label=label, ref=ref, rows=end, title=title)


def _merged_block(rows: list[ExtractedRow], context) -> tuple[list[str] | None, int]:
    """The rows above the first data row merged column by column ('Q1' over '2023/24' -> 'Q1 2023/24'),
    leaving out title rows (one filled cell); None when that gives fewer than two period columns."""
    block: list[ExtractedRow] = []
    end = 0
    for i, row in enumerate(rows[:_MAX_HEADER_ROWS]):
        if _is_data_row(row):
            break
        end = i + 1
        if not _title_row(row):
            block.append(row)
    if len(block) < 2 or len({len(r.cells) for r in block}) != 1:
        return None, 0
    texts = [" ".join(fold(r.cells[j].text) for r in block if fold(r.cells[j].text))
             for j in range(len(block[0].cells))]
    if sum(classify_header(t, context).role == "period" for t in texts) < 2:
        return None, 0
    return texts, end


def _title_row(row: ExtractedRow) -> bool:
    """A row with text in its first cell only, across a wide table: a title or section heading."""
    filled = [j for j, c in enumerate(row.cells) if fold(c.text)]
    return len(row.cells) > 2 and filled == [0]


def _is_subheader(row: ExtractedRow, width: int) -> bool:
    """Under a header: first cell empty, and no cell a value ('2014', 'Target', 'outturn' are fine)."""
    texts = [fold(c.text) for c in row.cells]
    if len(texts) != width or not texts or texts[0] or not any(texts):
        return False
    for t in texts[1:]:
        if not t:
            continue
        parsed = parse_value(t)
        if parsed.value is not None and parse_period(t) is None:
            return False
    return True


def _label_column(columns: list[Column], texts: list[str], body: list[ExtractedRow]) -> int | None:
    first_period = min(c for c, col in enumerate(columns) if col.role == "period")
    for j, text in enumerate(texts[:first_period]):
        if _MEASURE_HEADER.search(text) and columns[j].role in ("unknown", "label"):
            return j
    for j in range(first_period):
        if columns[j].role not in ("unknown", "label"):
            continue
        cells = [fold(r.cells[j].text) for r in body if j < len(r.cells) and fold(r.cells[j].text)]
        if cells and sum(_measure_like(t) for t in cells) * 2 > len(cells):
            return j
    return None


def _ref_column(columns, texts, body, label: int) -> int | None:
    for j in range(label):
        if columns[j].role != "unknown":
            continue
        cells = [fold(r.cells[j].text) for r in body if j < len(r.cells) and fold(r.cells[j].text)]
        if _REF_HEADER.match(texts[j]) or (cells and all(_CODE.match(t) and len(t) <= 10 for t in cells)):
            return j
    return None


def _measure_like(text: str) -> bool:
    """A measure name: has words ('% repeat referrals', 'Number of adoptions'), not a value or a code."""
    t = text.strip()
    if len(re.findall(r"[A-Za-z]", t)) < 3:
        return False
    if parse_value(t).value is not None or parse_rag(t) is not None and len(t) < 12:
        return False
    return t.startswith("%") or len(t.split()) >= 2 or len(t) >= 12


def _is_data_row(row: ExtractedRow) -> bool:
    """A measure name in one of the first cells (after a reference, perhaps) and a value after it."""
    texts = [fold(c.text) for c in row.cells]
    for j, text in enumerate(texts[:3]):
        if text and _measure_like(_strip_number(text)[1]):
            return any(parse_value(t).value is not None and parse_period(t) is None for t in texts[j + 1:] if t)
    return False


def _looks_like_header(row: ExtractedRow) -> bool:
    return sum(classify_header(fold(c.text)).role == "period" for c in row.cells) >= 2


def _why_not(state: _State, table: ExtractedTable, document: SourceDocument) -> None:
    """Say why a table that holds measure rows was not read (only for tables with two or more such rows)."""
    if sum(_is_data_row(r) for r in table.rows) < 2:
        return
    for row in table.rows[:_MAX_HEADER_ROWS]:
        columns = [classify_header(fold(c.text), document.meeting_date) for c in row.cells]
        periods = [c.text for c in columns if c.role == "period"]
        if len(periods) == 1:
            state.near.append(_Candidate(table.page, f"a table has only one period column ({periods[0]!r}); "
                                                     "two or more are needed to read it as a series"))
            return
        if len(periods) >= 2:
            state.near.append(_Candidate(table.page, "a table has period columns but no column of measure names"))
            return


# --------------------------------------------------------------------------- body


def _read_body(state: _State, table: ExtractedTable, header: Header, start: int, section: str | None) -> None:
    """Measure rows of a table body. Tables read one printed line per row (borderless readings) have a
    measure's wrapped name, target or commentary on the lines under it: those lines are merged into it."""
    pending: list[Cell] = []  # a long name printed alone on the line(s) above its values
    current: tuple[ExtractedRow, list[Cell], str | None] | None = None  # (row, label cells, section)

    def flush() -> None:
        nonlocal current
        if current is not None:
            row, label_cells, row_section = current
            state.rows.append(_measure_row(state, row, header, label_cells, row_section, table.method))
        current = None

    for row in table.rows[start:]:
        if _looks_like_header(row) and find_header(ExtractedTable(
                document_id=table.document_id, page=table.page, method=table.method, rows=[row]), state.document):
            continue  # a repeated header row
        cells = row.cells
        label_cell = cell_at(row, header.label)
        label_text = fold(label_cell.text) if label_cell else ""
        filled = [fold(c.text) for j, c in enumerate(cells) if j not in (header.label, header.ref) and fold(c.text)]
        has_values = any(_printed_value(fold(c.text)) for c in (cell_at(row, j) for j, _ in header.periods)
                         if c is not None)
        if not label_text and not filled:
            continue
        if current is not None and not has_values and _continues(label_text, current[1], bool(filled)):
            merged = _merge_rows(current[0], row)
            current = (merged, [cell_at(merged, header.label)], current[2])
            continue
        if not filled:
            # A name alone: a section heading, or a long name whose values are on the next line.
            flush()
            if _SECTION_GLYPH.match(label_text) or len(label_text.split()) <= 8:
                section = _SECTION_GLYPH.sub("", label_text).strip() or section
                pending = []
            else:
                pending.append(label_cell)
            continue
        if not label_text or len(cells) < header.width - 1:
            continue
        flush()
        current = (row, [*pending, label_cell], section)
        pending = []
    flush()


def _printed_value(text: str) -> bool:
    """A number or a placeholder ('New', 'n/a'): what a period cell prints on the line that starts a row."""
    if not text:
        return False
    parsed = parse_value(text)
    return parsed.value is not None or (parsed.missing_reason not in (None, "unreadable"))


_OPEN_END = re.compile(r"(?:,|\(|-|–|/|&|\b(?:of|and|or|the|in|to|for|with|within|by|at|on|who|from|than|a|an))$",
                       re.I)


def _continues(text: str, label_cells: list[Cell], other_cells_filled: bool) -> bool:
    """A line with no period values under a measure row continues it when its name part reads as the rest
    of the name (lower-case start, or the name above is unfinished: open bracket, trailing 'of', comma),
    or when it has no name part at all but text in other columns (a wrapped target or commentary)."""
    above = fold(" ".join(c.text for c in label_cells if c is not None))
    if not text:
        return other_cells_filled
    unfinished = above.count("(") > above.count(")") or bool(_OPEN_END.search(above))
    return text[0].islower() or unfinished or (text[0] in ")]" and other_cells_filled)


def _merge_rows(upper: ExtractedRow, lower: ExtractedRow) -> ExtractedRow:
    """Cell by cell: texts on separate lines, boxes unioned."""
    cells = []
    for j in range(max(len(upper.cells), len(lower.cells))):
        a, b = cell_at(upper, j), cell_at(lower, j)
        if a is None or b is None:
            cells.append(a or b)
            continue
        text = "\n".join(t for t in (a.text, b.text) if t.strip())
        box = BBox.union([c.bbox for c in (a, b) if c.text.strip() and c.bbox]) or a.bbox
        cells.append(Cell(text=text, bbox=box, lines=a.lines))
    return ExtractedRow(page=upper.page, cells=cells)


def _strip_number(label: str) -> tuple[str | None, str]:
    label = label.translate(_SUPERSCRIPTS)
    m = _ITEM_NUMBER.match(label)
    if not m:
        return None, label
    return m["ref"], label[m.end():].strip()


def _measure_row(state: _State, row: ExtractedRow, header: Header, label_cells: list[Cell], section,
                 method: str) -> MeasureRow:
    document_id = state.document.id

    def prov(cell: Cell | None, text: str | None = None) -> Provenance | None:
        if cell is None:
            return None
        return Provenance(document_id=document_id, page=row.page, bbox=cell.bbox, lines=cell.lines,
                          raw_text=cell.text if text is None else text, method=f"generic:{method}")

    label_text = " ".join(fold(c.text) for c in label_cells)
    ref, label = _strip_number(label_text)
    ref_cell = cell_at(row, header.ref)
    if ref_cell is not None and fold(ref_cell.text):
        ref = fold(ref_cell.text)
    period_cells = [(col, cell_at(row, j)) for j, col in header.periods]
    printed = [(col, cell, fold(cell.text)) for col, cell in period_cells if cell is not None and fold(cell.text)]
    unit = detect_unit(label, [t for _, _, t in printed])
    if row.page in state.ocr_pages:
        parsed_values = repair_series([t for _, _, t in printed], unit)
    else:
        parsed_values = [parse_value(t, unit) for _, _, t in printed]
    values = []
    for (col, cell, text), parsed in zip(printed, parsed_values):
        values.append(PeriodValue(
            period_label=col.text if col.period is None else col.period.label,
            period_start=col.period.start if col.period else None,
            period_end=col.period.end if col.period else None,
            value=parsed.value,
            value_text=text,
            missing_reason=parsed.missing_reason,
            note=parsed.note.text if parsed.note else None,
            repairs=[r.as_record() for r in parsed.repairs],
            needs_review=parsed.needs_review,
            review_reason=parsed.review_reason,
            provenance=prov(cell),
        ))

    def text(role: str) -> tuple[str | None, Cell | None]:
        j, _ = header.first(role)
        cell = cell_at(row, j)
        t = fold(cell.text) if cell is not None else ""
        return (t or None), cell

    target_text, target_cell = text("target")
    target = parse_target(target_text, unit) if target_text else None
    rag_text, rag_cell = text("rag")
    polarity_text, _ = text("polarity")
    data_period, _ = text("data_period")
    commentary_cell = cell_at(row, header.first("commentary")[0])
    commentary = None
    if commentary_cell is not None and commentary_cell.text.strip():
        commentary = "\n".join(fold(line) for line in commentary_cell.text.splitlines() if line.strip())
    benchmarks: list[Benchmark] = []
    benchmark_text = None
    benchmark_cell = None
    rag_rule = None
    for j, col in header.all("benchmark"):
        cell = cell_at(row, j)
        t = fold(cell.text) if cell is not None else ""
        if not t:
            continue
        comparator = classify_comparator(col.text)
        if comparator.value != "other" and parse_value(t, unit).value is not None:
            parsed = parse_value(t, unit)
            benchmarks.append(Benchmark(comparator=comparator, label=col.name or col.text, value=parsed.value,
                                        value_text=t, period_label=col.period.label if col.period else None))
            benchmark_cell = benchmark_cell or cell
        else:
            read = parse_benchmarks(t, unit)
            benchmarks.extend(read.benchmarks)
            rag_rule = rag_rule or read.rag_rule
            benchmark_text, benchmark_cell = t, cell
    targets = []
    for j, col in header.all("target")[1:] if target_text else header.all("target"):
        cell = cell_at(row, j)
        t = fold(cell.text) if cell is not None else ""
        if t:
            parsed = parse_value(t, unit)
            targets.append(PeriodTarget(period_label=col.period.label if col.period else col.text,
                                        value=parsed.value, value_text=t, provenance=prov(cell)))
    derived = []
    for j, col in header.all("derived"):
        cell = cell_at(row, j)
        t = fold(cell.text) if cell is not None else ""
        if t:
            parsed = parse_value(t, unit)
            derived.append(DerivedFigure(kind=col.derived, label=col.text, value=parsed.value, value_text=t,
                                         direction=parsed.direction_hint.value if parsed.direction_hint else None,
                                         provenance=prov(cell)))
    label_box = [c for c in label_cells if c is not None]
    label_prov = prov(label_box[-1], label_text)
    if len(label_box) > 1 and all(c.bbox for c in label_box):
        label_prov = label_prov.model_copy(update={"bbox": BBox.union([c.bbox for c in label_box])})
    return MeasureRow(
        document_id=document_id,
        row_ref=ref or "",  # numbered by order once every table is read
        row_label=label,
        section=section,
        unit=unit,
        printed_polarity=parse_polarity(polarity_text) if polarity_text else None,
        data_period=data_period,
        values=values,
        target=target.target if target else None,
        target_text=target_text,
        target_tolerance=target.tolerance if target else None,
        rag=parse_rag(rag_text) if rag_text else None,
        rag_text=rag_text,
        rag_rule=rag_rule,
        benchmarks=benchmarks,
        benchmark_text=benchmark_text,
        targets=targets,
        derived=derived,
        commentary=commentary,
        label_provenance=label_prov,
        target_provenance=prov(target_cell) if target_text else None,
        rag_provenance=prov(rag_cell) if rag_text else None,
        benchmark_provenance=prov(benchmark_cell) if benchmark_cell is not None else None,
        commentary_provenance=prov(commentary_cell) if commentary else None,
    )


def _heading_above(table: ExtractedTable, pages: list[Page]) -> str | None:
    """A short heading line just above the table on its page ('► Quality', 'Children's Social Care')."""
    if table.bbox is None:
        return None
    page = next((p for p in pages if p.number == table.page), None)
    if page is None or not any(w.bbox for w in page.words):
        return None
    above = [ln for ln in group_lines(page.words) if ln.bbox.bottom <= table.bbox.top + 1
             and table.bbox.top - ln.bbox.bottom < 30]
    if not above:
        return None
    line = max(above, key=lambda ln: ln.bbox.bottom)
    text = line.text.strip()
    words = text.split()
    if not words or len(words) > 8 or text.endswith((".", ",", ";")):
        return None
    if _SECTION_GLYPH.match(text) or sum(w[0].isupper() for w in words if w[0].isalpha()) * 2 >= len(words):
        return _SECTION_GLYPH.sub("", text).strip() or None
    return None


def _unique_refs(rows: list[MeasureRow]) -> list[MeasureRow]:
    """Printed references where every row has a unique one; otherwise row order ('r1', 'r2', ...)."""
    printed = [r.row_ref for r in rows if r.row_ref]
    repeated = len(set(printed)) != len(printed)  # numbering restarts per section: use row order throughout
    return [r.model_copy(update={"row_ref": f"r{i}"}) if (repeated or not r.row_ref) else r
            for i, r in enumerate(rows, start=1)]


__all__ = ["LAYOUT", "parse", "find_header", "Header"]
