"""Find tables on PDF pages and keep every cell's text and box.

API
    extract_tables(pdf_path, document_id, pages, *, mode="auto") -> list[ExtractedTable]
        `pages`: the ingested Page records (OCR'd and text-less pages are skipped: their tables come
        from extractors.ocr_tables), or 1-based page numbers, or None for all pages. Tables come page
        by page, top to bottom. `mode`: "auto" (ruled and borderless strategies, the winner per
        table), "ruled" or "borderless".
    extract_ruled_tables(pdf_path, document_id, pages=None), extract_borderless_tables(...): the modes.
    fold(text): whitespace (line breaks included) folded to single spaces.

Each ExtractedTable has one ExtractedRow per logical row: a cell printed over several lines comes
back as one cell, its lines joined by '\n'. Every cell keeps its box (PDF points, origin top-left,
the displayed page: /Rotate applied, the same frame as Page.words); a merged cell's text sits in
the first cell of the merged area (its box is the whole area) and the other cells of the area are
empty, so columns stay aligned. `method` names the winning strategy (camelot-lattice-vector,
camelot-hybrid-vector, camelot-network, pdfplumber-lines); `confidence` (0-1) is the table's own
quality averaged with its best agreement with another strategy (see `_select`).

Tables continued over a page break stay one table per page. When the first table on a page repeats
the header row of the last table on the previous page (same header text, same number of columns),
its method gets the suffix "+continued"; layout parsers read the repeated header as a header.
A continuation without a repeated header is not detected.

Modules: `_layout` (one playa parse per page, shared), `_rules` (vector rules), `_camelot` (lattice,
network, hybrid on that parse), `_plumber` (pdfplumber's table finder on that parse), `_grid` (cells,
text placement), `_columns` (white rivers), `_rows` (logical rows, header lines, complete grids),
`_agree` (agreement), `_select` (which strategy wins, confidence).
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

from schemas import BBox, Cell, ExtractedRow, ExtractedTable

from ._grid import Grid
from ._layout import PdfPages
from ._select import page_grids

__all__ = ["extract_tables", "extract_ruled_tables", "extract_borderless_tables", "fold", "cell_at", "grids_for_page",
           "CONTINUED"]

log = logging.getLogger(__name__)
CONTINUED = "continued"  # method suffix marking a table that continues one from the previous page


def fold(text: str | None) -> str:
    """Collapse runs of whitespace (including line breaks inside a cell) to single spaces."""
    return re.sub(r"\s+", " ", text or "").strip()


def cell_at(row: ExtractedRow, index: int | None) -> Cell | None:
    """The row's cell in column `index`, or None when the column is absent or the row is short."""
    if index is None or index >= len(row.cells):
        return None
    return row.cells[index]


def _box(box) -> BBox | None:
    if box is None:
        return None
    x0, top, x1, bottom = box
    return BBox(x0=round(x0, 2), top=round(top, 2), x1=round(x1, 2), bottom=round(bottom, 2))


def to_extracted(grid: Grid, document_id: str) -> ExtractedTable:
    rows = [ExtractedRow(page=grid.page, cells=[Cell(text=c.text, bbox=_box(c.box)) for c in row])
            for row in grid.cells if any(c.text.strip() for c in row)]
    method = grid.method + ("+continued" if grid.continues else "")
    return ExtractedTable(document_id=document_id, page=grid.page, bbox=_box(grid.bbox), method=method, rows=rows,
                          confidence=None if grid.confidence is None else round(grid.confidence, 3))


def _page_numbers(pages, count: int) -> list[int]:
    if pages is None:
        return list(range(1, count + 1))
    numbers = []
    for p in pages:
        if isinstance(p, int):
            numbers.append(p)
        elif getattr(p, "ocr", False):
            continue  # scanned page: extractors.ocr_tables rebuilds its grid from the image
        elif not (getattr(p, "text", "") or "").strip() and not getattr(p, "words", None):
            continue
        else:
            numbers.append(p.number)
    return [n for n in numbers if 1 <= n <= count]


def grids_for_page(pdf: PdfPages, number: int, *, mode: str = "auto") -> list[Grid]:
    """The tables of one page as grids (empty for an image-only page or one that cannot be parsed)."""
    try:
        parse = pdf.page(number)
        if parse is None or not parse.has_text:
            return []  # image-only page: extractors.ocr_tables reads it
        return page_grids(parse, mode=mode)
    except Exception as exc:  # noqa: BLE001 - one unreadable page must not cost the paper its other tables
        log.warning("tables: page %s of %s skipped: %s: %s", number, pdf.path, type(exc).__name__, exc)
        return []
    finally:
        pdf.release(number)  # long papers: keep one page's objects in memory at a time


def extract_tables(pdf_path: Path, document_id: str, pages: list | None = None, *,
                   mode: str = "auto") -> list[ExtractedTable]:
    """All tables of a PDF, page by page in reading order, each with a box per cell.

    `pages`: the ingested Page records (OCR'd pages and pages without text are skipped: their tables
    come from extractors.ocr_tables), or 1-based page numbers, or None for every page.
    `mode`: 'auto' (ruled and borderless strategies, the winner per table), 'ruled' (ruled grids
    only) or 'borderless'.
    """
    grids: list[Grid] = []
    with PdfPages(pdf_path) as pdf:
        for number in _page_numbers(pages, len(pdf)):
            grids.extend(grids_for_page(pdf, number, mode=mode))
    mark_continuations(grids)
    return [to_extracted(g, document_id) for g in grids if g.cells]


def extract_ruled_tables(pdf_path: Path, document_id: str, pages: list[int] | None = None) -> list[ExtractedTable]:
    """Every ruled table on the given 1-based pages (all pages when None), in reading order."""
    return extract_tables(pdf_path, document_id, pages, mode="ruled")


def extract_borderless_tables(pdf_path: Path, document_id: str, pages: list[int]) -> list[ExtractedTable]:
    """Borderless (text-aligned) tables on the given pages, one row per logical row."""
    return extract_tables(pdf_path, document_id, pages, mode="borderless")


def _header_key(grid: Grid) -> tuple[str, ...] | None:
    if not grid.cells:
        return None
    n = max(1, grid.header_rows) if not grid.ruled else 1
    first = [fold(c.text).lower() for row in grid.cells[:n] for c in row]
    if sum(1 for t in first if t) < 2:
        return None
    return tuple(first)


def mark_continuations(grids: list[Grid]) -> None:
    """A table at the top of a page whose header row repeats the header of the last table on the
    previous page, with the same number of columns, continues it: tables stay one per page, and the
    continuation is marked (method '...+continued'). Layout parsers read the repeated header as a
    header, so nothing else changes."""
    last_on_page: dict[int, Grid] = {}
    first_on_page: dict[int, Grid] = {}
    for g in grids:
        if g.cells:
            last_on_page[g.page] = g
            first_on_page.setdefault(g.page, g)
    for page, first in first_on_page.items():
        prev = last_on_page.get(page - 1)
        if prev is None or prev.n_cols != first.n_cols:
            continue
        key = _header_key(first)
        if key is not None and key == _header_key(prev):
            first.continues = True
