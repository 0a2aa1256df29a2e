"""What a paper says about one measure: its row, and one observation per printed value."""
from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from .common import MappingStatus, Polarity, Rag, Record, Unit
from .provenance import Provenance


class Comparator(StrEnum):
    england = "england"
    region = "region"
    stat_neighbours = "stat_neighbours"
    cipfa_neighbours = "cipfa_neighbours"
    other = "other"


class Benchmark(Record):
    comparator: Comparator
    label: str = Field(description="comparator as printed, e.g. 'South East'")
    value: float | None
    value_text: str
    period_label: str | None = None


class RagRule(Record):
    """A RAG rule stated by the paper itself, e.g. '86%-100% = Green, less than 86% = Amber, less than 77.4% = Red'."""

    green_from: float
    red_below: float
    text: str


class MappingCandidate(Record):
    indicator_id: str
    score: float


class PeriodValue(Record):
    period_label: str
    period_start: date | None = None
    period_end: date | None = None
    value: float | None
    value_text: str
    missing_reason: str | None = Field(default=None, description="why value is empty, e.g. 'new indicator'")
    provenance: Provenance


class MeasureRow(Record):
    """One measure row of a paper as the layout parser read it."""

    document_id: str
    row_ref: str = Field(description="stable within the paper: printed item number or code, else row order")
    row_label: str = Field(description="measure name as printed, whitespace folded")
    section: str | None = None
    unit: Unit = Unit.other
    printed_polarity: Polarity | None = None
    data_period: str | None = None
    values: list[PeriodValue] = []
    target: float | None = None
    target_text: str | None = None
    target_tolerance: float | None = None
    rag: Rag | None = None
    rag_text: str | None = None
    rag_rule: RagRule | None = None
    benchmarks: list[Benchmark] = []
    benchmark_text: str | None = None
    commentary: str | None = None
    label_provenance: Provenance
    target_provenance: Provenance | None = None
    rag_provenance: Provenance | None = None
    benchmark_provenance: Provenance | None = None
    commentary_provenance: Provenance | None = None
    # Filled by mapping:
    indicator_id: str | None = None
    mapping_status: MappingStatus = MappingStatus.unmapped
    mapping_score: float | None = None
    candidates: list[MappingCandidate] = []
    polarity: Polarity | None = Field(default=None, description="catalogue polarity where mapped, else printed")

    @property
    def latest(self) -> PeriodValue | None:
        return self.values[-1] if self.values else None


class Observation(Record):
    """One printed value: paper × measure row × period. The export's row."""

    key: str = Field(description="stable id: document, row_ref and period")
    document_id: str
    row_ref: str
    row_label: str
    indicator_id: str | None = None
    mapping_status: MappingStatus = MappingStatus.unmapped
    mapping_score: float | None = None
    period_label: str
    period_start: date | None = None
    period_end: date | None = None
    value: float | None
    value_text: str
    missing_reason: str | None = None
    unit: Unit
    target: float | None = None
    target_tolerance: float | None = None
    rag: Rag | None = None
    polarity: Polarity | None = None
    benchmarks: list[Benchmark] = []
    commentary: str | None = None
    provenance: Provenance

    def benchmark(self, comparator: Comparator) -> float | None:
        for b in self.benchmarks:
            if b.comparator == comparator:
                return b.value
        return None
