"""Small shared types: boxes, enums and the base model every record uses."""
from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Record(BaseModel):
    """Base for every record passed between stages: strict about unknown fields."""

    model_config = ConfigDict(extra="forbid", use_enum_values=False, frozen=False)


class BBox(Record):
    """A box on a page in PDF points, origin top-left (pdfplumber's convention)."""

    x0: float
    top: float
    x1: float
    bottom: float

    @classmethod
    def union(cls, boxes: list["BBox"]) -> "BBox | None":
        boxes = [b for b in boxes if b is not None]
        if not boxes:
            return None
        return cls(
            x0=min(b.x0 for b in boxes),
            top=min(b.top for b in boxes),
            x1=max(b.x1 for b in boxes),
            bottom=max(b.bottom for b in boxes),
        )


class LineSpan(Record):
    """Lines of a text (OCR text) page, 1-based and inclusive."""

    start: int = Field(ge=1)
    end: int = Field(ge=1)


class Unit(StrEnum):
    percent = "percent"
    count = "count"
    rate_per_10000 = "rate_per_10000"
    days = "days"
    ratio = "ratio"
    score = "score"
    other = "other"


class Polarity(StrEnum):
    higher_better = "higher_better"
    lower_better = "lower_better"
    contextual = "contextual"


class Rag(StrEnum):
    red = "red"
    amber = "amber"
    green = "green"


class MappingStatus(StrEnum):
    auto = "auto"
    reviewed = "reviewed"
    needs_review = "needs_review"
    unmapped = "unmapped"


class Severity(StrEnum):
    error = "error"  # the figures cannot both be right
    query = "query"  # please check
