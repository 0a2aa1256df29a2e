"""One paper, depth-first through every stage: ingest -> extract -> map -> reconcile -> store.

Plain functions; the Prefect flow in flows/pipeline.py adds concurrency, retries and logging around them.
"""
from __future__ import annotations

import sqlite3
import time
from collections import Counter
from pathlib import Path

from pydantic import BaseModel, Field
from sqlalchemy.exc import OperationalError

from catalogue.assign import assign_indicators
from extractors.extract import extract_paper
from extractors.ingest import IngestLimits, ingest_file
from extractors.observations import to_observations
from reconcile import reconcile_paper
from schemas import DocumentState


class TransientError(RuntimeError):
    """Worth retrying: the database was busy or briefly unreachable."""


class PaperOutcome(BaseModel):
    """What happened to one paper in a run: the row of the run summary."""

    file_name: str
    document_id: str | None = None
    state: str  # processed | skipped | failed
    reason: str | None = None
    layout: str | None = None
    pages: int = 0
    ocr_pages: int = 0
    rows: int = 0
    observations: int = 0
    mapped: int = 0
    flags_by_rule: dict[str, int] = {}
    notes: list[str] = []
    seconds: dict[str, float] = Field(default_factory=dict, description="wall time per stage")


def process_paper(path: Path, store, *, catalogue=None, limits: IngestLimits = IngestLimits(),
                  meta: dict | None = None, reprocess: bool = False) -> PaperOutcome:
    """Run one paper through every stage. Bad papers are recorded as failed, never raised."""
    meta = meta or {}
    clock = _Clock()
    with clock("ingest"):
        paper = ingest_file(path, limits=limits, council=meta.get("council"), title=meta.get("title"),
                            meeting_date=meta.get("meeting_date"), source=meta.get("source"))
    document = paper.document
    outcome = PaperOutcome(file_name=document.file_name, document_id=document.id, state="processed",
                           pages=len(paper.pages), ocr_pages=sum(p.ocr for p in paper.pages))
    if document.state == DocumentState.failed:
        _guard(store.record_failure, document, document.failure_reason)
        return outcome.model_copy(update={"state": "failed", "reason": document.failure_reason,
                                          "seconds": clock.seconds})
    if not reprocess and _guard(store.has_processed, document.id):
        return outcome.model_copy(update={"state": "skipped", "reason": "already processed (same bytes)",
                                          "seconds": clock.seconds})
    try:
        _guard(store.save_ingested, document, paper.pages)
        with clock("extract"):
            extraction = extract_paper(document, paper.pages, path)
        with clock("map"):
            rows = assign_indicators(extraction.rows, catalogue, aliases=_guard(store.aliases))
            observations = to_observations(rows)
        with clock("reconcile"):
            flags = reconcile_paper(document, rows, catalogue)
        with clock("store"):
            _guard(store.save_results, document.id, rows, observations, flags)
    except TransientError:
        raise
    except Exception as error:  # a bug or an unreadable layout must not stop the run
        reason = f"Processing failed after ingest: {type(error).__name__}: {error}"
        _guard(store.record_failure, document, reason)
        return outcome.model_copy(update={"state": "failed", "reason": reason, "seconds": clock.seconds})
    return outcome.model_copy(update={
        "layout": extraction.layout,
        "rows": len(rows),
        "observations": len(observations),
        "mapped": sum(1 for o in observations if o.indicator_id),
        "flags_by_rule": dict(Counter(f.rule for f in flags)),
        "notes": extraction.notes,
        "seconds": clock.seconds,
    })


def _guard(call, *args):
    """Turn a busy or unreachable database into a TransientError, which the flow retries."""
    try:
        return call(*args)
    except (OperationalError, sqlite3.OperationalError) as error:
        raise TransientError(f"database busy or unreachable: {error}") from error


class _Clock:
    def __init__(self):
        self.seconds: dict[str, float] = {}

    def __call__(self, stage: str):
        clock = self

        class _Timer:
            def __enter__(self):
                self.start = time.perf_counter()

            def __exit__(self, *exc):
                clock.seconds[stage] = clock.seconds.get(stage, 0.0) + time.perf_counter() - self.start

        return _Timer()
