"""Extraction stage: from an ingested paper to its tables, measure rows and paper-level facts.

Every layout parser reads the same tables and pages; the result with the most values wins. Fallback parsers
(the generic table reader) run only when no other parser yields rows. A paper that yields no rows says so in
`notes`, with every parser's reason, so the run summary never shows silently nothing.
"""
from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from schemas import ExtractedTable, MeasureRow, MediaType, Page, PaperFacts, SourceDocument

from .layouts import LayoutResult, generic, narrative, scorecard
from .layouts import dashboard, portfolio
from .layouts import dataset
from .ocr_tables import extract_ocr_tables
from .tables import extract_tables

PARSERS = {scorecard.LAYOUT: scorecard.parse, narrative.LAYOUT: narrative.parse, generic.LAYOUT: generic.parse}
# Run only when no other parser yields rows: a generic reading never beats a layout-specific one.
FALLBACK_PARSERS = {generic.LAYOUT}
PARSERS[portfolio.LAYOUT] = portfolio.parse
PARSERS[dashboard.LAYOUT] = dashboard.parse
PARSERS[dataset.LAYOUT] = dataset.parse


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
        # Scanned pages: grids rebuilt from the page image and the OCR words (stable sort: page order).
        tables = sorted(tables + extract_ocr_tables(path, document.id, pages), key=lambda t: t.page)
    best_layout, best = None, LayoutResult()
    empty: list[LayoutResult] = []  # parsers that found nothing: their notes say why
    for fallback in (False, True):
        if fallback and best.rows:
            break
        for layout, parse in PARSERS.items():
            if (layout in FALLBACK_PARSERS) != fallback:
                continue
            result = parse(document, tables, pages)
            if result.value_count > best.value_count:
                best_layout, best = layout, result
            elif not result.rows:
                empty.append(result)
    if best.rows:
        return ExtractionResult(layout=best_layout, tables=tables, rows=best.rows, facts=best.facts,
                                notes=best.notes)
    ocr_pages = sum(p.ocr for p in pages)
    note = (
        f"No indicator table recognised: {len(tables)} table(s) on {len(pages)} page(s)"
        + (f", {ocr_pages} of them OCR'd" if ocr_pages else "")
        + "; the paper's layout is not one Scrutiny reads yet."
    )
    facts = best.facts or next((r.facts for r in empty if r.facts), None)
    notes = [n for r in [best, *empty] for n in r.notes]
    return ExtractionResult(layout=None, tables=tables, rows=[], facts=facts, notes=[note, *notes])
