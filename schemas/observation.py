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


class ValueRepair(Record):
    """An OCR repair applied to a printed value; never silent."""

    kind: str = Field(description="e.g. lost_decimal_point, glyph_swap, stray_glyph")
    from_text: str
    to_text: str
    reason: str
    evidence_strength: str = Field(description="strong | weak")


class PeriodValue(Record):
    period_label: str
    period_start: date | None = None
    period_end: date | None = None
    value: float | None
    value_text: str
    missing_reason: str | None = Field(default=None, description="why value is empty, e.g. 'new indicator'")
    note: str | None = Field(default=None, description="a note printed in the same cell")
    repairs: list[ValueRepair] = []
    needs_review: bool = Field(default=False, description="the reading is uncertain (e.g. weak OCR evidence)")
    review_reason: str | None = None
    provenance: Provenance


class PeriodTarget(Record):
    """One of several targets printed for a row, e.g. 'Target 17-18 / 18-19 / 19-20'."""

    period_label: str
    value: float | None
    value_text: str
    provenance: Provenance | None = None


class DerivedKind(StrEnum):
    change_previous = "change_previous"          # % change from the previous period
    change_year_ago = "change_year_ago"          # % change from the same period last year
    average_12m = "average_12m"
    max_12m = "max_12m"
    direction = "direction"                      # direction-of-travel arrow or glyph
    outturn = "outturn"
    baseline = "baseline"
    other = "other"


class DerivedFigure(Record):
    """A figure the paper derives from the series (and which reconciliation can recompute)."""

    kind: DerivedKind
    label: str = Field(description="column header as printed")
    value: float | None
    value_text: str
    direction: str | None = Field(default=None, description="up | down | similar, from an arrow or glyph")
    repairs: list[ValueRepair] = []
    provenance: Provenance | None = None


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
    targets: list[PeriodTarget] = []
    derived: list[DerivedFigure] = []
    commentary: str | None = None
    notes: list[str] = Field(default=[], description="notes printed with the row, e.g. which year a value is for")
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
    note: str | None = None
    repairs: list[ValueRepair] = []
    needs_review: bool = False
    review_reason: str | None = None
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


class SummaryCount(Record):
    """A count the paper states about itself, e.g. 'three red indicators'."""

    subject: str = Field(description="what is counted, e.g. 'red' or 'indicators'")
    count: int
    text: str
    provenance: Provenance | None = None


class PaperFacts(Record):
    """What a paper states about itself as a whole."""

    document_id: str
    reporting_period: str | None = None
    reporting_period_start: date | None = None
    reporting_period_end: date | None = None
    summary_counts: list[SummaryCount] = []
    rag_rule: RagRule | None = None
