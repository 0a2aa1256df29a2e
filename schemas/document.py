"""Papers and their pages, as ingested."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from .common import BBox, Record


class DocumentState(StrEnum):
    ingested = "ingested"    # pages read, nothing extracted yet
    processed = "processed"  # extracted, mapped, reconciled and stored
    failed = "failed"        # see failure_reason


class MediaType(StrEnum):
    pdf = "application/pdf"
    text = "text/plain"


class SourceDocument(Record):
    id: str = Field(description="sha256 of the file's bytes, hex")
    source: str = Field(description="path or URL the paper came from")
    file_name: str
    council: str | None = None
    title: str | None = None
    meeting_date: date | None = None
    media_type: MediaType | None = None
    byte_size: int = 0
    page_count: int | None = None
    state: DocumentState = DocumentState.ingested
    failure_reason: str | None = None
    ingested_at: datetime | None = None


class Word(Record):
    text: str
    bbox: BBox | None = None  # None for text-file pages
    line: int | None = None  # 1-based line of the page (text pages, OCR lines)
    confidence: float | None = Field(default=None, description="OCR confidence 0-100")


class Page(Record):
    document_id: str
    number: int = Field(ge=1, description="1-based page number")
    width: float | None = None
    height: float | None = None
    text: str
    words: list[Word] = []
    ocr: bool = False
    ocr_confidence: float | None = Field(default=None, description="mean word confidence 0-100")
