"""Flags raised by reconciliation, and the decisions people make about them."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from .common import Record, Severity
from .provenance import Provenance


class Evidence(Record):
    label: str = Field(description="what this piece shows, e.g. 'printed RAG'")
    text: str = Field(description="the quote or figure")
    provenance: Provenance | None = None


class Discrepancy(Record):
    id: str = Field(description="stable: rule, paper, row and subject; re-runs never duplicate it")
    rule: str
    severity: Severity
    message: str
    document_id: str
    row_ref: str | None = None  # None for paper-level flags
    row_label: str | None = None
    indicator_id: str | None = None
    period_label: str | None = None
    page: int | None = None
    changes_rag: bool = False
    evidence: list[Evidence]


class ReviewAction(StrEnum):
    confirm = "confirm"
    dismiss = "dismiss"
    correct = "correct"
    remap = "remap"
    comment = "comment"
    assign = "assign"


class ReviewDecision(Record):
    id: int | None = None
    discrepancy_id: str | None = None
    observation_key: str | None = None
    action: ReviewAction
    reviewer: str
    reason: str | None = None
    corrected_value: float | None = None
    indicator_id: str | None = None
    assignee: str | None = None
    from_state: str | None = None
    to_state: str | None = None
    created_at: datetime | None = None
