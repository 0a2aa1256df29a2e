"""Tables as printed: cells with boxes, before any meaning is given to them."""
from __future__ import annotations

from pydantic import Field

from .common import BBox, LineSpan, Record


class Cell(Record):
    text: str
    bbox: BBox | None = None
    lines: LineSpan | None = None


class ExtractedRow(Record):
    page: int = Field(ge=1)
    cells: list[Cell]

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.cells]


class ExtractedTable(Record):
    document_id: str
    page: int = Field(ge=1, description="first page the table is on")
    bbox: BBox | None = None
    method: str = Field(description="extractor and strategy, e.g. pdfplumber-lines")
    rows: list[ExtractedRow]
    confidence: float | None = Field(default=None, description="0-1; agreement between extractors where measured")
