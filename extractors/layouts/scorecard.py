"""Quarterly scorecard (seed 000): Measure / Good to be / Data period / Target / period columns / RAG /
Benchmarks / Commentary, grouped under '► Section' headings, item numbers fused into the measure cell.

Columns are found by their header text, not position, so a council that reorders or drops a column
still parses. Target, RAG and benchmarks refer to the latest period column.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.lines import group_lines
from extractors.tables import cell_at, fold
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
from extractors.layouts import LayoutResult
from schemas import (
    BBox,
    Benchmark,
    Comparator,
    Cell,
    ExtractedRow,
    ExtractedTable,
    LineSpan,
    MeasureRow,
    Page,
    PaperFacts,
    PeriodValue,
    Provenance,
    SourceDocument,
)

LAYOUT = "quarterly_scorecard"
# "»" is how Tesseract reads "►"; a trailing stray quote mark is OCR noise.
SECTION_MARK = re.compile(r"^\s*[►▶▸>»]\s*(?P<name>\S.*?)[\s“”\"'‘’]*$")
SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
ITEM_NUMBER = re.compile(r"^\s*(?P<ref>\d{1,3})[.)]?\s+(?=\S)")
HEADER_ROLES = [
    ("ref", re.compile(r"^(ref(erence)?|no|code|id)\.?$", re.I)),
    ("measure", re.compile(r"^(success\s+)?measure\b|^indicator\b", re.I)),
    ("polarity", re.compile(r"good\s+to\s+be|polarity", re.I)),
    ("data_period", re.compile(r"data\s+period", re.I)),
    ("target", re.compile(r"^target\b", re.I)),
    ("rag", re.compile(r"\brag\b|latest\s+performance|^status$", re.I)),
    ("benchmarks", re.compile(r"benchmark", re.I)),
    ("commentary", re.compile(r"commentary|comments?\b", re.I)),
]


@dataclass
class Header:
    """Which column holds what, found from a header row."""

    roles: dict[str, int]
    periods: list[tuple[int, str]] = field(default_factory=list)  # (column, period label)
    comparators: list[tuple[int, str]] = field(default_factory=list)  # (column, header) e.g. 'England'

    @property
    def width(self) -> int:
        return max([*self.roles.values(), *(c for c, _ in self.periods), *(c for c, _ in self.comparators)]) + 1


def read_header(row: ExtractedRow) -> Header | None:
    """A header row has a measure column, a target column and at least two period columns."""
    roles: dict[str, int] = {}
    periods: list[tuple[int, str]] = []
    comparators: list[tuple[int, str]] = []
    for index, cell in enumerate(row.cells):
        text = fold(cell.text)
        if not text:
            continue
        role = next((name for name, pattern in HEADER_ROLES if pattern.search(text)), None)
        if role and role not in roles:
            roles[role] = index
        elif parse_period(text) is not None:
            periods.append((index, text))
        elif classify_comparator(text) != Comparator.other:  # a column of 'England' or 'South East' figures
            comparators.append((index, text))
    if "measure" in roles and "target" in roles and len(periods) >= 2:
        return Header(roles, periods, comparators)
    return None


def parse(document: SourceDocument, tables: list[ExtractedTable], pages: list[Page]) -> LayoutResult:
    """Measure rows of a quarterly scorecard, in printed order; empty if no table has a scorecard header."""
    document_id = document.id
    rows: list[MeasureRow] = []
    header: Header | None = None
    section: str | None = None
    headings = _section_headings(pages)
    for table in tables:
        section = _section_for(table, headings) or section
        for row in table.rows:
            found = read_header(row)
            if found:
                header = found
                continue
            if header is None:
                continue
            texts = [fold(c.text) for c in row.cells]
            filled = [t for t in texts if t]
            if len(filled) == 1 and len(row.cells) >= header.width:
                # A row with one filled cell spanning the table is a section heading, with or without '►'.
                mark = SECTION_MARK.match(filled[0])
                section = mark["name"].strip() if mark else filled[0]
                continue
            measure = cell_at(row, header.roles["measure"])
            if measure is None or not fold(measure.text) or len(row.cells) < header.width:
                continue
            rows.append(_measure_row(document_id, row, header, section, table.method, len(rows) + 1))
    rows = _unique_refs(rows)
    rule = next((r.rag_rule for r in rows if r.rag_rule), None)
    facts = PaperFacts(document_id=document_id, rag_rule=rule) if rows else None
    return LayoutResult(rows=rows, facts=facts)


def _measure_row(document_id, row: ExtractedRow, header: Header, section, method, ordinal) -> MeasureRow:
    def prov(cell: Cell | None) -> Provenance | None:
        if cell is None:
            return None
        return Provenance(document_id=document_id, page=row.page, bbox=cell.bbox, lines=cell.lines,
                          raw_text=cell.text, method=method)

    def text(role: str) -> str | None:
        cell = cell_at(row, header.roles.get(role))
        return fold(cell.text) if cell is not None and fold(cell.text) else None

    label_cell = cell_at(row, header.roles["measure"])
    ref, label = split_item_number(fold(label_cell.text))
    ref = text("ref") or ref
    value_texts = [fold(cell_at(row, col).text) for col, _ in header.periods]
    unit = detect_unit(label, value_texts)
    # OCR'd tables get the series-aware repair (lost decimal points, glyph swaps), always logged.
    ocr = method.startswith("ocr-")
    parsed_values = repair_series(value_texts, unit) if ocr else [parse_value(t, unit) for t in value_texts]
    values = []
    for (col, period_label), value_text, parsed in zip(header.periods, value_texts, parsed_values):
        cell = cell_at(row, col)
        period = parse_period(period_label)
        values.append(PeriodValue(
            period_label=period_label,
            period_start=period.start if period else None,
            period_end=period.end if period else None,
            value=parsed.value,
            value_text=value_text,
            missing_reason=parsed.missing_reason,
            repairs=[r.as_record() for r in parsed.repairs],
            needs_review=parsed.needs_review,
            review_reason=parsed.review_reason,
            provenance=prov(cell),
        ))
    target_text = text("target")
    target = parse_target(target_text) if target_text else None
    rag_text = text("rag")
    benchmark_text = text("benchmarks")
    benchmarks = parse_benchmarks(benchmark_text, unit) if benchmark_text else None
    column_benchmarks = _comparator_columns(row, header, unit)
    polarity_text = text("polarity")
    return MeasureRow(
        document_id=document_id,
        row_ref=ref or f"r{ordinal}",
        row_label=label,
        section=section,
        unit=unit,
        printed_polarity=parse_polarity(polarity_text) if polarity_text else None,
        data_period=text("data_period"),
        values=values,
        target=target.target if target else None,
        target_text=target_text,
        target_tolerance=target.tolerance if target else None,
        rag=parse_rag(rag_text) if rag_text else None,
        rag_text=rag_text,
        rag_rule=benchmarks.rag_rule if benchmarks else None,
        benchmarks=(benchmarks.benchmarks if benchmarks else []) + column_benchmarks,
        benchmark_text=benchmark_text,
        commentary=_commentary(row, header),
        label_provenance=prov(label_cell),
        target_provenance=prov(cell_at(row, header.roles.get("target"))) if target_text else None,
        rag_provenance=prov(cell_at(row, header.roles.get("rag"))) if rag_text else None,
        benchmark_provenance=prov(cell_at(row, header.roles.get("benchmarks"))) if benchmark_text else None,
        commentary_provenance=prov(cell_at(row, header.roles.get("commentary"))),
    )


def _comparator_columns(row: ExtractedRow, header: Header, unit) -> list[Benchmark]:
    """Benchmarks printed in their own columns, headed by the comparator ('England', 'Stat. Neighbours')."""
    found = []
    for col, label in header.comparators:
        cell = cell_at(row, col)
        text = fold(cell.text) if cell is not None else ""
        parsed = parse_value(text, unit)
        if parsed.value is not None:
            found.append(Benchmark(comparator=classify_comparator(label), label=label, value=parsed.value,
                                   value_text=text))
    return found


def split_item_number(label: str) -> tuple[str | None, str]:
    """'1 % repeat referrals' -> ('1', '% repeat referrals'); OCR superscripts count as digits."""
    label = label.translate(SUPERSCRIPTS)
    match = ITEM_NUMBER.match(label)
    if not match:
        return None, label
    return match["ref"], label[match.end():].strip()


def _commentary(row: ExtractedRow, header: Header) -> str | None:
    cell = cell_at(row, header.roles.get("commentary"))
    if cell is None or not cell.text.strip():
        return None
    # Keep paragraph breaks (one per line in the cell) but fold the wrapping inside each line.
    return "\n".join(fold(line) for line in cell.text.splitlines() if line.strip())


def _section_headings(pages: list[Page]) -> dict[int, list[tuple[float, str]]]:
    """'► Quality' style headings per page, with their vertical position."""
    found: dict[int, list[tuple[float, str]]] = {}
    for page in pages:
        for line in group_lines(page.words):
            match = SECTION_MARK.match(line.text)
            if match:
                found.setdefault(page.number, []).append((line.bbox.top, match["name"].strip()))
    return found


def _section_for(table: ExtractedTable, headings) -> str | None:
    """The nearest section heading above the table on its page."""
    above = [(top, name) for top, name in headings.get(table.page, []) if table.bbox and top < table.bbox.top]
    return max(above)[1] if above else None


def _unique_refs(rows: list[MeasureRow]) -> list[MeasureRow]:
    """Item numbers restart per section in some papers: fall back to row order where they repeat."""
    refs = [r.row_ref for r in rows]
    if len(set(refs)) == len(refs):
        return rows
    return [r.model_copy(update={"row_ref": f"r{i}"}) for i, r in enumerate(rows, start=1)]


__all__ = ["LAYOUT", "parse", "read_header", "split_item_number", "BBox", "LineSpan"]
