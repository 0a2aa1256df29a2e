"""Mapping stage: give each measure row its catalogue indicator (or hold it for review) and its polarity.

Polarity: the catalogue's direction wins where the row is confidently mapped and the indicator has one;
otherwise the paper's own 'Good to be'. A contextual indicator never gets an invented direction.
"""
from __future__ import annotations

from schemas import MappingStatus, MeasureRow, Polarity


def assign_indicators(rows: list[MeasureRow], catalogue=None, *, aliases: dict[str, str] | None = None
                      ) -> list[MeasureRow]:
    from .load import load_catalogue
    from .mapping import map_label

    catalogue = catalogue or load_catalogue()
    mapped = []
    for row in rows:
        result = map_label(row.row_label, unit_hint=row.unit, catalogue=catalogue, aliases=aliases or {})
        confident = result.status in (MappingStatus.auto, MappingStatus.reviewed) and result.indicator_id
        indicator = catalogue.get(result.indicator_id) if confident else None
        mapped.append(row.model_copy(update={
            "indicator_id": result.indicator_id if confident else None,
            "mapping_status": result.status,
            "mapping_score": round(result.score, 1) if result.score is not None else None,
            "candidates": result.candidates,
            "polarity": effective_polarity(row.printed_polarity, indicator.polarity if indicator else None),
        }))
    return mapped


def effective_polarity(printed: Polarity | None, catalogued: Polarity | None) -> Polarity | None:
    if catalogued is not None and catalogued != Polarity.contextual:
        return catalogued
    return printed or catalogued
