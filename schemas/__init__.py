"""The records every stage speaks (pydantic v2). `python -m schemas` writes their JSON Schema."""
from .common import BBox, LineSpan, MappingStatus, Polarity, Rag, Record, Severity, Unit
from .discrepancy import Discrepancy, Evidence, ReviewAction, ReviewDecision
from .document import DocumentState, MediaType, Page, SourceDocument, Word
from .observation import (
    Benchmark,
    Comparator,
    DerivedFigure,
    DerivedKind,
    MappingCandidate,
    MeasureRow,
    Observation,
    PaperFacts,
    PeriodTarget,
    PeriodValue,
    RagRule,
    SummaryCount,
    ValueRepair,
)
from .provenance import Provenance
from .table import Cell, ExtractedRow, ExtractedTable

ALL_RECORDS = [
    SourceDocument, Page, Provenance, ExtractedTable, ExtractedRow, MeasureRow,
    Observation, Discrepancy, ReviewDecision, PaperFacts,
]

__all__ = [
    "BBox", "LineSpan", "MappingStatus", "Polarity", "Rag", "Record", "Severity", "Unit",
    "Discrepancy", "Evidence", "ReviewAction", "ReviewDecision", "DocumentState", "MediaType",
    "Page", "SourceDocument", "Word", "Benchmark", "Comparator", "MappingCandidate", "MeasureRow",
    "Observation", "PeriodValue", "RagRule", "DerivedFigure", "DerivedKind", "PaperFacts", "PeriodTarget",
    "SummaryCount", "ValueRepair", "Provenance", "Cell", "ExtractedRow", "ExtractedTable",
    "ALL_RECORDS",
]
