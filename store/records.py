"""Conversions between the shared pydantic records and table rows.

Observations and discrepancies keep their queried fields in columns and everything else in a
JSON `payload`, so a field added to a schema later is stored without a migration.
"""
from __future__ import annotations

from typing import Any

from schemas import Discrepancy, MeasureRow, Observation, Page, ReviewDecision, SourceDocument

from .models import DiscrepancyRow, DocumentRow, ObservationRow, PageRow, ReviewDecisionRow

# Record fields that have a column of their own; the rest of the record goes into `payload`.
OBSERVATION_COLUMNS = (
    "key", "document_id", "row_ref", "row_label", "indicator_id", "mapping_status", "mapping_score",
    "period_label", "period_start", "period_end", "value", "value_text", "unit", "target",
    "target_tolerance", "rag", "polarity",
)
DISCREPANCY_COLUMNS = (
    "id", "document_id", "rule", "severity", "message", "row_ref", "row_label", "indicator_id",
    "page", "changes_rag",
)
DOCUMENT_COLUMNS = tuple(SourceDocument.model_fields)
DECISION_COLUMNS = tuple(ReviewDecision.model_fields)


def _split(dump: dict[str, Any], columns: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(column values, payload) of a record dumped with mode="json"."""
    cols = {c: dump[c] for c in columns}
    payload = {k: v for k, v in dump.items() if k not in columns}
    return cols, payload


def _columns(row: object, columns: tuple[str, ...]) -> dict[str, Any]:
    return {c: getattr(row, c) for c in columns}


# Documents and pages -------------------------------------------------------------------------

def document_values(doc: SourceDocument) -> dict[str, Any]:
    """Column values of a document; dates stay Python objects (mode="python")."""
    values = doc.model_dump(mode="python")
    values["state"] = doc.state.value
    values["media_type"] = doc.media_type.value if doc.media_type else None
    return values


def to_document(row: DocumentRow) -> SourceDocument:
    return SourceDocument.model_validate(_columns(row, DOCUMENT_COLUMNS))


def page_values(page: Page) -> dict[str, Any]:
    values = page.model_dump(mode="python", exclude={"words"})
    values["words"] = [w.model_dump(mode="json") for w in page.words]
    return values


def to_page(row: PageRow) -> Page:
    return Page(
        document_id=row.document_id, number=row.number, width=row.width, height=row.height,
        text=row.text, words=row.words, ocr=row.ocr, ocr_confidence=row.ocr_confidence,
    )


# Measure rows and observations -----------------------------------------------------------------

def measure_row_values(row: MeasureRow, position: int) -> dict[str, Any]:
    return {
        "document_id": row.document_id,
        "row_ref": row.row_ref,
        "position": position,
        "row_label": row.row_label,
        "indicator_id": row.indicator_id,
        "mapping_status": row.mapping_status.value,
        "payload": row.model_dump(mode="json"),
    }


def to_measure_row(payload: dict[str, Any]) -> MeasureRow:
    return MeasureRow.model_validate(payload)


def observation_values(obs: Observation, position: int) -> dict[str, Any]:
    cols, payload = _split(obs.model_dump(mode="json"), OBSERVATION_COLUMNS)
    # Dates as date objects: the Date column type wants them, not ISO strings.
    cols["period_start"], cols["period_end"] = obs.period_start, obs.period_end
    return {**cols, "position": position, "page": obs.provenance.page, "payload": payload}


def to_observation(row: ObservationRow) -> Observation:
    return Observation.model_validate({**row.payload, **_columns(row, OBSERVATION_COLUMNS)})


# Discrepancies and decisions ---------------------------------------------------------------------

def discrepancy_values(flag: Discrepancy) -> dict[str, Any]:
    cols, payload = _split(flag.model_dump(mode="json"), DISCREPANCY_COLUMNS)
    return {**cols, "payload": payload}


def to_discrepancy(row: DiscrepancyRow) -> Discrepancy:
    return Discrepancy.model_validate({**row.payload, **_columns(row, DISCREPANCY_COLUMNS)})


def to_decision(row: ReviewDecisionRow) -> ReviewDecision:
    return ReviewDecision.model_validate(_columns(row, DECISION_COLUMNS))
