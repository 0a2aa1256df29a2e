"""Where a value was printed: every extracted value carries one."""
from __future__ import annotations

from pydantic import Field

from .common import BBox, LineSpan, Record


class Provenance(Record):
    document_id: str
    page: int = Field(ge=1)
    bbox: BBox | None = None  # PDFs
    lines: LineSpan | None = None  # text (OCR text) papers
    raw_text: str = ""
    method: str | None = Field(default=None, description="extractor that read it, e.g. pdfplumber-lines")
