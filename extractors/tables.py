"""Find ruled tables on PDF pages and keep every cell's text and box.

This is the ruled-table path (pdfplumber's 'lines' strategy): the vector rules drawn by the council's
software give the grid. Borderless tables, camelot as a second opinion and OCR grids build on the same
ExtractedTable record.
"""
from __future__ import annotations

import re
from pathlib import Path

import pdfplumber

from schemas import BBox, Cell, ExtractedRow, ExtractedTable

RULED_SETTINGS = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "intersection_tolerance": 3,
    "snap_tolerance": 3,
}


def fold(text: str | None) -> str:
    """Collapse runs of whitespace (including line breaks inside a cell) to single spaces."""
    return re.sub(r"\s+", " ", text or "").strip()


def extract_ruled_tables(pdf_path: Path, document_id: str, pages: list[int] | None = None) -> list[ExtractedTable]:
    """Every ruled table on the given 1-based pages (all pages when None), in reading order."""
    tables: list[ExtractedTable] = []
    with pdfplumber.open(pdf_path) as pdf:
        numbers = pages or range(1, len(pdf.pages) + 1)
        for number in numbers:
            page = pdf.pages[number - 1]
            if not page.chars:  # image-only page: the OCR grid path handles it
                continue
            found = page.find_tables(RULED_SETTINGS)
            for table in sorted(found, key=lambda t: (t.bbox[1], t.bbox[0])):
                rows = _rows(page, table, number)
                if rows:
                    tables.append(ExtractedTable(
                        document_id=document_id, page=number, bbox=_box(table.bbox),
                        method="pdfplumber-lines", rows=rows,
                    ))
            page.close()  # frees the page's cached objects: papers can be long
    return tables


def _rows(page, table, number: int) -> list[ExtractedRow]:
    rows = []
    for row, texts in zip(table.rows, table.extract()):
        cells = [
            Cell(text=(text or "").strip(), bbox=_box(box) if box else None)
            for box, text in zip(row.cells, texts)
        ]
        # Merged cells come back as None boxes: keep them as empty cells so columns stay aligned.
        if any(c.text for c in cells):
            rows.append(ExtractedRow(page=number, cells=cells))
    return rows


def _box(bbox) -> BBox:
    x0, top, x1, bottom = bbox
    return BBox(x0=round(x0, 2), top=round(top, 2), x1=round(x1, 2), bottom=round(bottom, 2))
