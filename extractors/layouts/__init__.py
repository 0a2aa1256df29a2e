"""Layout parsers: turn a paper's tables and text into the measure rows it prints.

Each parser module has `LAYOUT` (its name) and `parse(document, tables, pages) -> LayoutResult`; it returns
an empty result when the paper is not in its layout. `extractors.extract` runs them all and keeps the
result with the most values.
"""
from __future__ import annotations

from pydantic import BaseModel

from schemas import MeasureRow, PaperFacts


class LayoutResult(BaseModel):
    rows: list[MeasureRow] = []
    facts: PaperFacts | None = None
    notes: list[str] = []

    @property
    def value_count(self) -> int:
        """How much of the paper this reading explains: values, targets, RAGs and benchmarks read, one per row.

        Empty cells do not count, so a parser that turns every line into a row of blanks never beats one
        that reads the figures."""
        values = sum(1 for r in self.rows for v in r.values if v.value is not None)
        fields = sum((r.rag is not None) + (r.target is not None) + len(r.benchmarks) for r in self.rows)
        return values + fields + len(self.rows)
