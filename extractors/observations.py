"""Flatten measure rows into observations: one per printed value (paper x row x period).

Target, tolerance, RAG and benchmarks describe the latest period (the one the paper rates), so they go on
that period's observation only; earlier periods carry just their value.
"""
from __future__ import annotations

from schemas import MeasureRow, Observation


def observation_key(document_id: str, row_ref: str, period_label: str) -> str:
    """Stable across re-runs of the same paper."""
    return f"{document_id[:16]}/{row_ref}/{period_label}"


def to_observations(rows: list[MeasureRow]) -> list[Observation]:
    observations = []
    for row in rows:
        latest = row.latest
        for period in row.values:
            rated = period is latest
            observations.append(Observation(
                key=observation_key(row.document_id, row.row_ref, period.period_label),
                document_id=row.document_id,
                row_ref=row.row_ref,
                row_label=row.row_label,
                indicator_id=row.indicator_id,
                mapping_status=row.mapping_status,
                mapping_score=row.mapping_score,
                period_label=period.period_label,
                period_start=period.period_start,
                period_end=period.period_end,
                value=period.value,
                value_text=period.value_text,
                missing_reason=period.missing_reason,
                note=period.note,
                repairs=period.repairs,
                needs_review=period.needs_review,
                review_reason=period.review_reason,
                unit=row.unit,
                target=row.target if rated else None,
                target_tolerance=row.target_tolerance if rated else None,
                rag=row.rag if rated else None,
                polarity=row.polarity or row.printed_polarity,
                benchmarks=row.benchmarks if rated else [],
                commentary=row.commentary if rated else None,
                provenance=period.provenance,
            ))
    return observations
