"""Portfolio 'key areas' report (seed 001): Measure / Target / Current position / RAG / Benchmarking /
Commentary, in tables under section headings ('Key areas of good performance', 'All areas of lower than
expected performance (Red or Amber)'), one value per measure, long wrapped commentary.

Read from the page's positioned words, not from `extract_tables`: these tables are borderless and their
commentary runs to twenty lines, which is where borderless table finders merge and split columns (camelot
folds seed 001's first page into two columns). So the result is the same whether the table extractor
gives one row per printed line or one per measure. How:

1. **Header lines** are found by their text: a line whose words are (nearly) all column names -- a measure
   column, a value column ('Current position', 'Latest position', 'Actual' ...) and two or more of
   Target / RAG (Status) / Benchmarking / Commentary -- and which names no reporting periods (a line
   that does is a scorecard's header, read by `scorecard`). Column boundaries lie between one header's
   last word and the next header's first word, in the widest gap no body word crosses, so left-aligned
   columns whose text runs up to the next column still split right.
2. **Section headings**: a line marked ► / ▶, or the line just above a header line. A heading that
   repeats (seed 001 has each twice: social care, then education) starts a new occurrence.
3. **Rows** start on the lines that carry a RAG word in the RAG column (else a target, else an item
   number in the measure column -- never an item number when there are RAG words, since wrapped names
   start with numbers too: '45 working days'); a row runs to the next row's first line, across a page
   break when the table continues on the next page.
4. **row_ref** is unique and stable although numbering restarts per section: the section's slug, '-2'
   for its second occurrence, then the printed number ('all-areas-of-lower-than-expected.3',
   'key-areas-of-good-performance-2.1'); see `section_ref`.
5. **The value's period** (PeriodValue.period_start/end; period_label stays the column header
   'Current position'), in order: a period in a note printed in the value cell ('This result is for the
   academic year 2016/17 ...', kept in PeriodValue.note and MeasureRow.notes); else a period printed
   before the value in a commentary sentence that states the value ('between 1 April 2018 and
   30 September 2018, 13.7% ...', 'In 2018, 79% ...'); else the benchmarks' period when it contains the
   reporting point ('(2018 figures)' in a September 2018 paper: the same year's results); else the
   paper's **reporting point**. The reporting point is the period in the document title, else in the
   lines above the first table, else the 'end of <month>' position the commentary states most often
   (seed 001: 'At the end of September 2018' -> the position on 30 September 2018). It goes into
   PaperFacts.reporting_period. (The manifest's 'Q2 2018/19' is the quarter that position closes; the
   paper itself never prints it.)
6. Target, RAG and benchmarks are the value's: the unit comes from the row (so a benchmark '0.03' next
   to '0.04%' is 0.03%), and benchmarks keep their own period ('(2018 figures)').
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from statistics import median

from extractors.layouts import LayoutResult
from extractors.layouts.scorecard import SECTION_MARK, split_item_number
from extractors.values import (
    detect_unit,
    find_periods,
    parse_benchmarks,
    parse_period,
    parse_rag,
    parse_target,
    parse_value,
)
from extractors.values.periods import Period, PeriodKind
from schemas import BBox, MeasureRow, Page, PaperFacts, PeriodValue, Provenance, SourceDocument, Unit, Word

LAYOUT = "portfolio"

_ROLES: list[tuple[str, str]] = [
    ("measure", r"(?:success\s+|performance\s+|key\s+)?(?:measures?|indicators?)"),
    ("value", r"current\s+(?:position|performance|value|level|figure)|latest\s+(?:position|figure|value|data)"
              r"|actuals?|position"),
    ("target", r"targets?"),
    ("rag", r"rag(?:\s+(?:rating|status))?|status|rating"),
    ("benchmarks", r"benchmark(?:ing|s)?|comparators?|comparisons?"),
    ("commentary", r"commentary|comments?"),
]
_ROLE_RX = [(name, re.compile(rf"(?<!\S)(?:{rx})(?!\S)", re.I)) for name, rx in _ROLES]
_OPTIONAL = {"target", "rag", "benchmarks", "commentary"}
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,4}(?:\s+of\s+\d{1,4})?$", re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
_NUMBER_IN_TEXT = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*(%|per\s*cent)?", re.I)


# ------------------------------------------------------------------------------------------ lines


@dataclass
class Line:
    page: int
    words: list[Word]

    @property
    def top(self) -> float:
        return min(w.bbox.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bbox.bottom for w in self.words)

    @property
    def height(self) -> float:
        return median(w.bbox.bottom - w.bbox.top for w in self.words)

    @property
    def x0(self) -> float:
        return min(w.bbox.x0 for w in self.words)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def _lines(words: list[Word], page: int) -> list[Line]:
    """Words into printed lines: a word joins a line when its middle lies within the line's first word."""
    lines: list[Line] = []
    for word in sorted((w for w in words if w.bbox is not None), key=lambda w: (w.bbox.top + w.bbox.bottom) / 2):
        middle = (word.bbox.top + word.bbox.bottom) / 2
        for line in reversed(lines[-4:]):
            anchor = line.words[0].bbox
            if anchor.top <= middle <= anchor.bottom:
                line.words.append(word)
                break
        else:
            lines.append(Line(page, [word]))
    for line in lines:
        line.words.sort(key=lambda w: w.bbox.x0)
    return sorted(lines, key=lambda ln: ln.top)


def _drop_page_furniture(lines: list[Line], page: Page) -> list[Line]:
    """Page numbers ('3', 'Page 3 of 9') printed alone in the bottom margin."""
    height = page.height or max((ln.bottom for ln in lines), default=0)
    return [ln for ln in lines if not (_PAGE_NUMBER.match(ln.text) and ln.top > 0.88 * height)]


# ----------------------------------------------------------------------------------------- header


@dataclass
class Column:
    role: str
    header: str
    x0: float  # header words' extent
    x1: float
    left: float = 0.0  # boundaries for body words
    right: float = float("inf")


def read_header(line: Line) -> list[Column] | None:
    """The columns a header line names, left to right; None if the line is not a portfolio header."""
    text, starts = "", []
    for w in line.words:
        if text:
            text += " "
        starts.append(len(text))
        text += w.text
    taken: list[tuple[int, int, str]] = []
    used: set[str] = set()
    for name, rx in _ROLE_RX:
        for m in rx.finditer(text):
            if name in used or any(m.start() < e and s < m.end() for s, e, _ in taken):
                continue
            taken.append((m.start(), m.end(), name))
            used.add(name)
    if "measure" not in used or "value" not in used or len(used & _OPTIONAL) < 2:
        return None
    if len(find_periods(text)) >= 2:
        return None
    columns, covered = [], 0
    for s, e, name in sorted(taken):
        words = [w for w, st in zip(line.words, starts) if s <= st < e]
        covered += len(words)
        columns.append(Column(role=name, header=" ".join(w.text for w in words),
                              x0=min(w.bbox.x0 for w in words), x1=max(w.bbox.x1 for w in words)))
    if covered < 0.8 * len(line.words):
        return None
    return columns


def _set_boundaries(columns: list[Column], body: list[Word]) -> None:
    """Boundary between two columns: in the right-most gap no body word crosses, between the first
    column's header end and the next column's header start (the next header's start if none)."""
    for left, right in zip(columns, columns[1:]):
        lo, hi = left.x1, right.x0
        spans = sorted((max(w.bbox.x0, lo), min(w.bbox.x1, hi)) for w in body
                       if w.bbox.x1 > lo and w.bbox.x0 < hi)
        free, cursor = [], lo
        for a, b in spans:
            if a > cursor:
                free.append((cursor, a))
            cursor = max(cursor, b)
        if cursor < hi:
            free.append((cursor, hi))
        gap = free[-1] if free else (hi - 0.5, hi - 0.5)
        boundary = (gap[0] + gap[1]) / 2 if free else hi - 0.5
        left.right = right.left = boundary
    columns[0].left = float("-inf")


def _column_of(word: Word, columns: list[Column]) -> int:
    middle = (word.bbox.x0 + word.bbox.x1) / 2
    for i, c in enumerate(columns):
        if c.left <= middle < c.right:
            return i
    return len(columns) - 1 if middle >= columns[-1].left else 0


# --------------------------------------------------------------------------------------- sections


def slug(text: str, limit: int = 32) -> str:
    """'All areas of lower than expected performance (Red or Amber)' -> 'all-areas-of-lower-than-expected'."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    out = ""
    for w in words:
        candidate = f"{out}-{w}" if out else w
        if len(candidate) > limit and out:
            break
        out = candidate
    return out or "section"


def section_ref(section: str | None, occurrence: int, number: str) -> str:
    """A row reference unique in the paper: section slug, '-<n>' from its second printing, item number."""
    if not section:
        return number
    base = slug(section) + (f"-{occurrence}" if occurrence > 1 else "")
    return f"{base}.{number}"


def _heading_like(line: Line, columns: list[Column]) -> bool:
    """A line that could be a heading: no percentage and no RAG word under the RAG header (a row's first
    line has them; a heading may well say 'Red or Amber')."""
    if "%" in line.text:
        return False
    rag = next((c for c in columns if c.role == "rag"), None)
    if rag is None:
        return True
    return not any(parse_rag(w.text) and rag.x0 - 2 <= (w.bbox.x0 + w.bbox.x1) / 2 <= rag.x1 + 2
                   for w in line.words)


def _heading_text(lines: list[Line]) -> str:
    text = " ".join(ln.text for ln in lines).strip()
    match = SECTION_MARK.match(text)
    return match["name"].strip() if match else text


# ---------------------------------------------------------------------------------------- periods


def reporting_point(document: SourceDocument, pages: list[Page], before_first_table: list[Line]) -> Period | None:
    """The position the paper reports: title, else the lines above the first table, else the
    'end of <month year>' it states most often."""
    for text in ([document.title] if document.title else []) + [" ".join(ln.text for ln in before_first_table)]:
        found = [p for _, p in find_periods(text)]
        if found:
            return found[-1]
    counts: Counter[str] = Counter()
    seen: dict[str, Period] = {}
    for page in pages:
        for _, p in find_periods(page.text):
            if p.kind == PeriodKind.snapshot:
                counts[p.key] += 1
                seen.setdefault(p.key, p)
    if not counts:
        return None
    best = max(counts.items(), key=lambda kv: (kv[1], seen[kv[0]].end))[0]
    return seen[best]


def _mentions(sentence: str, value: float, unit: Unit) -> list[int]:
    """Where the sentence prints the value (as a percentage when the row is one)."""
    at = []
    for m in _NUMBER_IN_TEXT.finditer(sentence):
        number = float(m.group(1).replace(",", "") + (m.group(2) or ""))
        if abs(number - value) < 1e-9 and (unit != Unit.percent or m.group(3)):
            at.append(m.start())
    return at


def commentary_period(commentary: str | None, value: float | None, unit: Unit,
                      context: Period | None = None) -> Period | None:
    """The period a commentary sentence gives the row's value: printed before the value in a sentence
    that states it ('In 2018, 79% of ...'). None when no sentence does."""
    if not commentary or value is None:
        return None
    for paragraph in commentary.splitlines():
        for sentence in _SENTENCE.split(paragraph):
            for position in _mentions(sentence, value, unit):
                before = [p for (s, e), p in find_periods(sentence, context=context.end if context else None)
                          if e <= position]
                if before:
                    return before[-1]
    return None


# ------------------------------------------------------------------------------------------- rows


@dataclass
class _Table:
    columns: list[Column]
    section: str | None
    occurrence: int
    lines: list[Line] = field(default_factory=list)


@dataclass
class _Cell:
    lines: list[list[Word]]
    page: int  # the page its first line is on
    pages: list[int] = field(default_factory=list)  # the page of each line

    @property
    def text(self) -> str:
        return " ".join(w.text for line in self.lines for w in line).strip()

    @property
    def words_on_first_page(self) -> list[Word]:
        return [w for line, page in zip(self.lines, self.pages) if page == self.page for w in line]

    def paragraphs(self) -> str:
        """Lines joined, a paragraph break where the gap is wider than the usual line pitch."""
        tops = [min(w.bbox.top for w in line) for line in self.lines]
        pitches = [b - a for a, b in zip(tops, tops[1:]) if b > a]
        usual = median(pitches) if pitches else 0
        out, current = [], []
        for i, line in enumerate(self.lines):
            if i and usual and tops[i] - tops[i - 1] > 1.15 * usual:
                out.append(" ".join(current))
                current = []
            current.append(" ".join(w.text for w in line))
        if current:
            out.append(" ".join(current))
        return "\n".join(p for p in out if p)


def _cells(lines: list[Line], columns: list[Column]) -> list[_Cell]:
    cells = [_Cell(lines=[], page=lines[0].page if lines else 1) for _ in columns]
    for line in lines:
        parts: dict[int, list[Word]] = {}
        for w in line.words:
            parts.setdefault(_column_of(w, columns), []).append(w)
        for i, ws in parts.items():
            if not cells[i].lines:
                cells[i].page = line.page
            cells[i].lines.append(ws)
            cells[i].pages.append(line.page)
    return cells


def _line_cell_text(line: Line, columns: list[Column], role: str) -> str:
    index = next((i for i, c in enumerate(columns) if c.role == role), None)
    if index is None:
        return ""
    return " ".join(w.text for w in line.words if _column_of(w, columns) == index)


def _row_starts(lines: list[Line], columns: list[Column]) -> list[int]:
    rag = [i for i, ln in enumerate(lines) if parse_rag(_line_cell_text(ln, columns, "rag"))]
    if rag:
        return rag
    target = [i for i, ln in enumerate(lines)
              if (t := _line_cell_text(ln, columns, "target")) and parse_target(t).targets != [None]]
    if target:
        return target
    return [i for i, ln in enumerate(lines) if split_item_number(_line_cell_text(ln, columns, "measure"))[0]]


def _prov(document_id: str, cell: _Cell, method: str) -> Provenance | None:
    """The cell's box on the page it starts on (a cell running over a page break keeps its first part's
    box; raw_text is the whole cell)."""
    words = cell.words_on_first_page
    if not words:
        return None
    return Provenance(document_id=document_id, page=cell.page, bbox=BBox.union([w.bbox for w in words]),
                      raw_text=cell.text, method=method)


def _split_note(text: str, parsed) -> tuple[str, str | None]:
    """'0.04% This result is for ...' -> ('0.04%', 'This result is for ...')."""
    if parsed.note is None:
        return text, None
    note = parsed.note.text
    at = text.rfind(note[:20]) if note else -1
    value_text = text[:at].strip() if at > 0 else text
    return value_text, note


def _measure_row(document_id: str, table: _Table, lines: list[Line], ordinal: int, reporting: Period | None,
                 method: str) -> MeasureRow | None:
    columns = table.columns
    cells = _cells(lines, columns)
    by_role = {c.role: cells[i] for i, c in enumerate(columns)}
    measure = by_role["measure"]
    if not measure.text:
        return None
    number, label = split_item_number(measure.text)
    value_cell = by_role["value"]
    value_column = next(c for c in columns if c.role == "value")

    def text(role: str) -> str | None:
        cell = by_role.get(role)
        return cell.text if cell is not None and cell.text else None

    raw_value = value_cell.text
    unit = detect_unit(label, [raw_value] if raw_value else [])
    parsed = parse_value(raw_value, unit)
    value_text, note = _split_note(raw_value, parsed)
    commentary = by_role["commentary"].paragraphs() if "commentary" in by_role and by_role["commentary"].text else None
    benchmark_text = text("benchmarks")
    benchmarks = parse_benchmarks(benchmark_text, unit) if benchmark_text else None

    period = parsed.note.period if parsed.note and parsed.note.period else None
    if period is None:
        period = commentary_period(commentary, parsed.value, unit, reporting)
    if period is None and benchmarks is not None and benchmarks.period_label and reporting is not None:
        bench_period = parse_period(benchmarks.period_label)
        if bench_period and bench_period.start <= reporting.end <= bench_period.end:
            period = bench_period
    if period is None:
        period = reporting

    values = []
    if raw_value:
        values.append(PeriodValue(
            period_label=value_column.header,
            period_start=period.start if period else None,
            period_end=period.end if period else None,
            value=parsed.value,
            value_text=value_text,
            missing_reason=parsed.missing_reason,
            note=note,
            needs_review=parsed.needs_review,
            review_reason=parsed.review_reason,
            provenance=_prov(document_id, value_cell, method),
        ))
    target_text, rag_text = text("target"), text("rag")
    target = parse_target(target_text, unit) if target_text else None
    ref = section_ref(table.section, table.occurrence, number or str(ordinal))
    return MeasureRow(
        document_id=document_id,
        row_ref=ref,
        row_label=label,
        section=table.section,
        unit=unit,
        values=values,
        target=target.target if target else None,
        target_text=target_text,
        target_tolerance=target.tolerance if target else None,
        rag=parse_rag(rag_text) if rag_text else None,
        rag_text=rag_text,
        rag_rule=benchmarks.rag_rule if benchmarks else None,
        benchmarks=benchmarks.benchmarks if benchmarks else [],
        benchmark_text=benchmark_text,
        commentary=commentary,
        notes=[note] if note else [],
        label_provenance=_prov(document_id, measure, method),
        target_provenance=_prov(document_id, by_role["target"], method) if target_text else None,
        rag_provenance=_prov(document_id, by_role["rag"], method) if rag_text else None,
        benchmark_provenance=_prov(document_id, by_role["benchmarks"], method) if benchmark_text else None,
        commentary_provenance=_prov(document_id, by_role["commentary"], method) if commentary else None,
    )


# ------------------------------------------------------------------------------------------ parse


def _find_tables(pages: list[Page]) -> tuple[list[_Table], list[Line]]:
    """Tables with their body lines, in printed order; and the lines above the first table."""
    flat: list[Line] = []
    for page in pages:
        flat.extend(_drop_page_furniture(_lines(page.words, page.number), page))
    headers = {i: cols for i, ln in enumerate(flat) if (cols := read_header(ln))}
    if not headers:
        return [], []
    headings: dict[int, int] = {}  # first line index -> last line index of a heading
    for i, ln in enumerate(flat):
        if SECTION_MARK.match(ln.text) and i not in headers:
            headings[i] = i
    for h in headers:
        j = h - 1
        if j < 0 or j in headers or flat[j].page != flat[h].page:
            continue
        if flat[h].top - flat[j].bottom > 4 * flat[h].height:
            continue
        if flat[j].x0 > headers[h][0].x0 + 20:  # headings start at the left, with the measure column
            continue
        if not _heading_like(flat[j], headers[h]):
            continue
        start = j  # a heading may wrap onto a second line: take a line set tight above it at the same indent
        if (j - 1 >= 0 and j - 1 not in headers and flat[j - 1].page == flat[j].page and _heading_like(flat[j - 1], headers[h])
                and flat[j].top - flat[j - 1].bottom < 0.5 * flat[j].height and abs(flat[j - 1].x0 - flat[j].x0) < 2):
            start = j - 1
        above = flat[start - 1] if start > 0 and flat[start - 1].page == flat[j].page else None
        if above is not None and flat[start].top - above.bottom < flat[h].top - flat[j].bottom:
            continue  # set closer to the line above than to the header: the end of a row, not a heading
        headings[start] = j
    tables: list[_Table] = []
    section: str | None = None
    occurrences: Counter[str] = Counter()
    occurrence = 0
    current: _Table | None = None
    i = 0
    first = min(headers)
    before_first = [ln for k, ln in enumerate(flat[:first]) if k not in headings]
    while i < len(flat):
        if i in headings:
            end = headings[i]
            section = _heading_text(flat[i:end + 1])
            occurrences[section] += 1
            occurrence = occurrences[section]
            current = None
            i = end + 1
            continue
        if i in headers:
            current = _Table(columns=headers[i], section=section, occurrence=occurrence)
            tables.append(current)
            i += 1
            continue
        if current is not None:
            previous = current.lines[-1] if current.lines else None
            if previous is not None and flat[i].page == previous.page and \
                    flat[i].top - previous.bottom > 6 * flat[i].height:
                current = None  # a wide gap: the table has ended
            else:
                current.lines.append(flat[i])
        i += 1
    return [t for t in tables if t.lines], before_first


def parse(document: SourceDocument, tables, pages: list[Page]) -> LayoutResult:
    """Measure rows of a portfolio report, in printed order; empty when no page has its header."""
    document_id = document.id
    found, before_first = _find_tables(pages)
    if not found:
        return LayoutResult()
    reporting = reporting_point(document, pages, before_first)
    method = "ocr-words" if any(p.ocr for p in pages) else "pdf-words"
    rows: list[MeasureRow] = []
    ordinal_in_section: Counter[tuple[str | None, int]] = Counter()
    for table in found:
        body = [w for ln in table.lines for w in ln.words]
        _set_boundaries(table.columns, body)
        starts = _row_starts(table.lines, table.columns)
        if not starts:
            continue
        bounds = [0 if k == 0 else s for k, s in enumerate(starts)] + [len(table.lines)]
        for a, b in zip(bounds, bounds[1:]):
            key = (table.section, table.occurrence)
            ordinal_in_section[key] += 1
            row = _measure_row(document_id, table, table.lines[a:b], ordinal_in_section[key], reporting, method)
            if row is not None:
                rows.append(row)
    rows = _unique_refs(rows)
    facts = PaperFacts(
        document_id=document_id,
        reporting_period=reporting.label if reporting else None,
        reporting_period_start=reporting.start if reporting else None,
        reporting_period_end=reporting.end if reporting else None,
    ) if rows else None
    return LayoutResult(rows=rows, facts=facts)


def _unique_refs(rows: list[MeasureRow]) -> list[MeasureRow]:
    seen: Counter[str] = Counter()
    out = []
    for r in rows:
        seen[r.row_ref] += 1
        out.append(r if seen[r.row_ref] == 1 else r.model_copy(update={"row_ref": f"{r.row_ref}~{seen[r.row_ref]}"}))
    return out


__all__ = ["LAYOUT", "commentary_period", "parse", "read_header", "reporting_point", "section_ref", "slug"]
