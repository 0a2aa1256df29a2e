"""Extraction stage: from an ingested paper to its tables, measure rows and paper-level facts.

Every layout parser reads the same tables and pages; the result with the most values wins. A paper that
yields no rows says so in `notes`, so the run summary never shows silently nothing.
"""
from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from schemas import ExtractedTable, MeasureRow, MediaType, Page, PaperFacts, SourceDocument

from .layouts import LayoutResult, scorecard
from .tables import extract_tables

PARSERS = {scorecard.LAYOUT: scorecard.parse}


class ExtractionResult(BaseModel):
    layout: str | None
    tables: list[ExtractedTable]
    rows: list[MeasureRow]
    facts: PaperFacts | None = None
    notes: list[str] = []


def extract_paper(document: SourceDocument, pages: list[Page], path: Path) -> ExtractionResult:
    tables: list[ExtractedTable] = []
    if document.media_type == MediaType.pdf:
        tables = extract_tables(path, document.id, pages)
    best_layout, best = None, LayoutResult()
    for layout, parse in PARSERS.items():
        result = parse(document, tables, pages)
        if result.value_count > best.value_count:
            best_layout, best = layout, result
    if best.rows:
        return ExtractionResult(layout=best_layout, tables=tables, rows=best.rows, facts=best.facts,
                                notes=best.notes)
    ocr_pages = sum(p.ocr for p in pages)
    note = (
        f"No indicator table recognised: {len(tables)} table(s) on {len(pages)} page(s)"
        + (f", {ocr_pages} of them OCR'd" if ocr_pages else "")
        + "; the paper's layout is not one Scrutiny reads yet."
    )
    return ExtractionResult(layout=None, tables=tables, rows=[], facts=best.facts, notes=[*best.notes, note])
