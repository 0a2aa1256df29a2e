"""Extraction stage: from an ingested paper to its tables and measure rows.

Tries each layout parser in turn; a paper that yields no rows says so in `notes`, so the run summary
never shows silently nothing.
"""
from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from schemas import ExtractedTable, MeasureRow, MediaType, Page, SourceDocument

from .layouts import scorecard
from .tables import extract_ruled_tables

PARSERS = [(scorecard.LAYOUT, scorecard.parse)]


class ExtractionResult(BaseModel):
    layout: str | None
    tables: list[ExtractedTable]
    rows: list[MeasureRow]
    notes: list[str] = []


def extract_paper(document: SourceDocument, pages: list[Page], path: Path) -> ExtractionResult:
    tables: list[ExtractedTable] = []
    if document.media_type == MediaType.pdf:
        tables = extract_ruled_tables(path, document.id)
    for layout, parse in PARSERS:
        rows = parse(document.id, tables, pages)
        if rows:
            return ExtractionResult(layout=layout, tables=tables, rows=rows)
    ocr_pages = sum(p.ocr for p in pages)
    note = (
        f"No indicator table recognised: {len(tables)} ruled table(s) on {len(pages)} page(s)"
        + (f", {ocr_pages} of them OCR'd" if ocr_pages else "")
        + "; the paper's layout is not one Scrutiny reads yet."
    )
    return ExtractionResult(layout=None, tables=tables, rows=[], notes=[note])
