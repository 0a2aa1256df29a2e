"""Find tables on PDF pages and keep every cell's text and box.

`extract_tables` is the entry point: ruled tables from the vector rules drawn by the council's software
(pdfplumber's 'lines' strategy); on pages with text but no ruled table, borderless tables from camelot's
'network' flavour. Every table is an ExtractedTable with a box per cell.
"""
from __future__ import annotations

import re
from pathlib import Path

import pdfplumber

from extractors.pdftext import PDFIUM_LOCK

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


def extract_tables(pdf_path: Path, document_id: str, pages: list | None = None) -> list[ExtractedTable]:
    """All tables of a PDF, page by page in reading order: ruled ones, else borderless ones."""
    ruled = extract_ruled_tables(pdf_path, document_id)
    ruled_pages = {t.page for t in ruled}
    text_pages = [p.number for p in pages or [] if not p.ocr and p.text.strip()]
    borderless_pages = [n for n in text_pages if n not in ruled_pages]
    borderless = extract_borderless_tables(pdf_path, document_id, borderless_pages) if borderless_pages else []
    return sorted(ruled + borderless, key=lambda t: (t.page, t.bbox.top if t.bbox else 0))


def extract_borderless_tables(pdf_path: Path, document_id: str, pages: list[int]) -> list[ExtractedTable]:
    """camelot 'network' tables on the given pages, one ExtractedRow per printed line."""
    import camelot

    with PDFIUM_LOCK:  # camelot renders with pdfium, which is not thread-safe
        found = camelot.read_pdf(str(pdf_path), pages=",".join(map(str, pages)), flavor="network",
                                 suppress_stdout=True)
    tables = []
    for table in found:
        page_number = int(table.page)
        height = _page_height(pdf_path, page_number)
        rows = []
        for cells in table.cells:
            row_cells = [Cell(text=c.text.strip(), bbox=BBox(x0=round(c.x1, 2), top=round(height - c.y2, 2),
                                                             x1=round(c.x2, 2), bottom=round(height - c.y1, 2)))
                         for c in cells]
            if any(c.text for c in row_cells):
                rows.append(ExtractedRow(page=page_number, cells=row_cells))
        if rows:
            x0, y0, x1, y1 = table._bbox
            tables.append(ExtractedTable(
                document_id=document_id, page=page_number,
                bbox=BBox(x0=round(x0, 2), top=round(height - y1, 2), x1=round(x1, 2), bottom=round(height - y0, 2)),
                method="camelot-network", rows=rows,
                confidence=round(table.parsing_report.get("accuracy", 0) / 100, 3),
            ))
    return tables


def _page_height(pdf_path: Path, page_number: int) -> float:
    with pdfplumber.open(pdf_path, pages=[page_number]) as pdf:
        return float(pdf.pages[0].height)
