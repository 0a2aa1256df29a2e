"""Records -> flat export rows (plain dicts keyed by the contract's column names), sorted deterministically."""
from __future__ import annotations

import json
import math
import re
from datetime import date
from enum import Enum

from schemas import Comparator, Discrepancy, Evidence, MappingStatus, Observation, SourceDocument

from .columns import DISCREPANCY_COLUMNS, DISCREPANCY_STATUSES, DOCUMENT_COLUMNS, OBSERVATION_COLUMNS


def observation_rows(
    documents: dict[str, SourceDocument],
    observations: list[Observation],
    *,
    corrections: dict[str, float] = {},
    remaps: dict[str, str] = {},
) -> list[dict]:
    """One row per observation, in OBSERVATION_COLUMNS order, sorted by paper, row position and period.

    corrections (observation key -> value) replace value, keep the printed value in
    original_value and set reviewed; remaps (observation key -> indicator id) set
    indicator_id with mapping_status 'reviewed'. Keys matching no observation are
    ignored: the review store may hold decisions about papers not in this export.
    """
    positions = _row_positions(observations)
    rows = []
    for obs in sorted(observations, key=lambda o: _observation_sort_key(o, documents, positions)):
        doc = documents.get(obs.document_id)
        prov = obs.provenance
        indicator_id, status, score = obs.indicator_id, obs.mapping_status, obs.mapping_score
        if obs.key in remaps:
            new_id = remaps[obs.key] or None
            # The automatic score belongs to the automatic match, so it goes when a person changes it.
            if new_id != indicator_id:
                score = None
            indicator_id, status = new_id, MappingStatus.reviewed
        value, original, reviewed = obs.value, None, False
        if obs.key in corrections:
            value, original, reviewed = corrections[obs.key], obs.value, True
        row = {
            "document_id": obs.document_id,
            "document": doc.file_name if doc else None,
            "council": doc.council if doc else None,
            "page": prov.page,
            "row_ref": obs.row_ref,
            "row_label": fold(obs.row_label),
            "indicator_id": indicator_id,
            "mapping_status": status,
            "mapping_score": score,
            "period_label": obs.period_label,
            "period_end": obs.period_end,
            "value": value,
            "value_text": obs.value_text,
            "unit": obs.unit,
            "target": obs.target,
            "target_tolerance": obs.target_tolerance,
            "rag": obs.rag,
            "polarity": obs.polarity,
            "benchmark_england": obs.benchmark(Comparator.england),
            "benchmark_region": obs.benchmark(Comparator.region),
            "benchmark_stat_neighbours": obs.benchmark(Comparator.stat_neighbours),
            "observation_key": obs.key,
            "period_start": obs.period_start,
            "missing_reason": obs.missing_reason,
            "benchmark_cipfa_neighbours": obs.benchmark(Comparator.cipfa_neighbours),
            "reviewed": reviewed,
            "original_value": original,
            "commentary": obs.commentary,
            "method": prov.method,
            "bbox_x0": prov.bbox.x0 if prov.bbox else None,
            "bbox_top": prov.bbox.top if prov.bbox else None,
            "bbox_x1": prov.bbox.x1 if prov.bbox else None,
            "bbox_bottom": prov.bbox.bottom if prov.bbox else None,
            "line_start": prov.lines.start if prov.lines else None,
            "line_end": prov.lines.end if prov.lines else None,
            "raw_text": prov.raw_text,
            "note": obs.note,
            "needs_review": obs.needs_review,
            "repairs": " | ".join(f"{r.from_text} -> {r.to_text} ({r.reason})" for r in obs.repairs) or None,
        }
        rows.append(_clean(row, OBSERVATION_COLUMNS))
    return rows


def discrepancy_rows(
    documents: dict[str, SourceDocument], discrepancies: list[tuple[Discrepancy, str]]
) -> list[dict]:
    """One row per (flag, review status), in DISCREPANCY_COLUMNS order: by paper, paper-level flags first, then page."""
    rows = []
    for flag, status in sorted(discrepancies, key=lambda pair: _discrepancy_sort_key(pair[0], documents)):
        if status not in DISCREPANCY_STATUSES:
            raise ValueError(f"discrepancy {flag.id}: unknown review status {status!r}")
        doc = documents.get(flag.document_id)
        row = {
            "discrepancy_id": flag.id,
            "document_id": flag.document_id,
            "document": doc.file_name if doc else None,
            "page": flag.page,
            "row_label": fold(flag.row_label) if flag.row_label else None,
            "indicator_id": flag.indicator_id,
            "rule": flag.rule,
            "severity": flag.severity,
            "message": flag.message,
            "evidence": evidence_text(flag.evidence),
            "status": status,
            "changes_rag": flag.changes_rag,
            "period_label": flag.period_label,
            "row_ref": flag.row_ref,
            "evidence_json": json.dumps(
                [e.model_dump(mode="json", exclude_none=True) for e in flag.evidence],
                ensure_ascii=False, separators=(",", ":"),
            ),
        }
        rows.append(_clean(row, DISCREPANCY_COLUMNS))
    return rows


def document_rows(documents: list[SourceDocument]) -> list[dict]:
    """One row per paper, in DOCUMENT_COLUMNS order, sorted by file name."""
    rows = []
    for doc in sorted(documents, key=lambda d: (d.file_name, d.id)):
        row = {
            "document_id": doc.id,
            "document": doc.file_name,
            "council": doc.council,
            "title": doc.title,
            "meeting_date": doc.meeting_date,
            "source": doc.source,
            "page_count": doc.page_count,
            "state": doc.state,
        }
        rows.append(_clean(row, DOCUMENT_COLUMNS))
    return rows


def evidence_text(evidence: list[Evidence]) -> str:
    """Evidence as one compact line: 'label: text (p.N)' pieces joined by ' | '."""
    parts = []
    for piece in evidence:
        part = f"{fold(piece.label)}: {fold(piece.text)}"
        if piece.provenance is not None:
            part += f" (p.{piece.provenance.page})"
        parts.append(part)
    return " | ".join(parts)


def fold(text: str) -> str:
    """Collapse runs of whitespace (including newlines) to single spaces."""
    return " ".join(text.split())


def _clean(row: dict, columns: list[str]) -> dict:
    """Plain values in contract order: enums as their values, blank strings and non-finite numbers as None."""
    out = {}
    for name in columns:
        value = row[name]
        if isinstance(value, Enum):
            value = value.value
        if isinstance(value, str) and not value.strip():
            value = None  # so CSV shows an empty cell and Parquet a null, alike
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        out[name] = value
    return out


def _row_positions(observations: list[Observation]) -> dict[tuple[str, str], tuple]:
    """Where each measure row starts: (page, top of box or first line), the earliest over its values.

    Sorting on this keeps rows in printed order even when row_ref is a code, not an order.
    """
    positions: dict[tuple[str, str], tuple] = {}
    for obs in observations:
        prov = obs.provenance
        y = prov.bbox.top if prov.bbox else prov.lines.start if prov.lines else math.inf
        key = (obs.document_id, obs.row_ref)
        positions[key] = min(positions.get(key, (math.inf, math.inf)), (prov.page, y))
    return positions


def _observation_sort_key(obs: Observation, documents: dict[str, SourceDocument], positions: dict) -> tuple:
    doc = documents.get(obs.document_id)
    return (
        doc.file_name if doc else "", obs.document_id,
        positions[(obs.document_id, obs.row_ref)], _natural(obs.row_ref), obs.row_ref,
        obs.period_end is None, obs.period_end or date.min, obs.period_label, obs.key,
    )


def _discrepancy_sort_key(flag: Discrepancy, documents: dict[str, SourceDocument]) -> tuple:
    doc = documents.get(flag.document_id)
    return (
        doc.file_name if doc else "", flag.document_id,
        flag.page is not None, flag.page or 0,
        _natural(flag.row_ref or ""), flag.period_label or "", flag.rule, flag.id,
    )


def _natural(text: str) -> list[tuple[int, int, str]]:
    """Sort key that orders '2' before '10' and 'A2' before 'A10'."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part.lower())
            for part in re.split(r"(\d+)", text) if part]
