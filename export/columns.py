"""The export contract: every column of every table, with its type, meaning and constraints.

One list per table drives the CSV/Parquet column order, the Arrow schema and the
Frictionless schema, so the three cannot drift apart.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from schemas import DocumentState, MappingStatus, Polarity, Rag, Severity, Unit

# Review status of a discrepancy as the review workflow reports it.
DISCREPANCY_STATUSES = ["open", "confirmed", "dismissed", "corrected", "stale"]

# Frictionless type -> Arrow type. Integers are int64 so byte sizes fit too.
ARROW_TYPES = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "date": pa.date32(),
    "boolean": pa.bool_(),
}


@dataclass(frozen=True)
class Column:
    """One column: its name, Frictionless type, description and constraints."""

    name: str
    type: str
    description: str
    required: bool = False
    enum: list[str] | None = None
    minimum: int | None = None

    def constraints(self) -> dict:
        """Frictionless constraints for this column."""
        out: dict = {}
        if self.required:
            out["required"] = True
        if self.enum:
            out["enum"] = list(self.enum)
        if self.minimum is not None:
            out["minimum"] = self.minimum
        return out


def _values(enum) -> list[str]:
    return [member.value for member in enum]


OBSERVATION_SPEC: list[Column] = [
    # --- the contract: these first, in this order ---
    Column("document_id", "string", "sha256 of the source paper's bytes (hex)", required=True),
    Column("document", "string", "file name of the paper as ingested", required=True),
    Column("council", "string", "council that published the paper"),
    Column("page", "integer", "1-based page the value is printed on", required=True, minimum=1),
    Column("row_ref", "string", "row id within the paper: printed item number or code, else row order", required=True),
    Column("row_label", "string", "measure name as printed, whitespace folded", required=True),
    Column("indicator_id", "string", "catalogue indicator id; empty if unmapped"),
    Column("mapping_status", "string", "how indicator_id was set", required=True, enum=_values(MappingStatus)),
    Column("mapping_score", "number", "automatic mapping score; empty when unmapped or remapped by a reviewer"),
    Column("period_label", "string", "period as printed, e.g. '2023/24' or 'Q2 2024/25'", required=True),
    Column("period_end", "date", "last day of the period (ISO date)"),
    Column("value", "number", "the value as a number (after any reviewer correction); empty for n/a, New, blank"),
    Column("value_text", "string", "the value as printed"),
    Column("unit", "string", "unit of value, target and benchmarks", required=True, enum=_values(Unit)),
    Column("target", "number", "target printed for this period"),
    Column("target_tolerance", "number", "tolerance printed around the target, in the value's unit"),
    Column("rag", "string", "RAG rating printed for this period", enum=_values(Rag)),
    Column("polarity", "string", "which direction is better (catalogue where mapped, else printed)", enum=_values(Polarity)),
    Column("benchmark_england", "number", "England average printed with this period"),
    Column("benchmark_region", "number", "regional average printed with this period"),
    Column("benchmark_stat_neighbours", "number", "statistical neighbours average printed with this period"),
    # --- extras ---
    Column("observation_key", "string", "stable id of this value: document, row_ref and period (primary key)", required=True),
    Column("period_start", "date", "first day of the period (ISO date)"),
    Column("missing_reason", "string", "why value is empty, e.g. 'new indicator'"),
    Column("benchmark_cipfa_neighbours", "number", "CIPFA neighbours average printed with this period"),
    Column("reviewed", "boolean", "true when a reviewer corrected value", required=True),
    Column("original_value", "number", "value as read from the paper, when a reviewer corrected it"),
    Column("commentary", "string", "commentary printed with the measure"),
    Column("method", "string", "extractor that read the value, e.g. pdfplumber-lines"),
    Column("bbox_x0", "number", "left of the value's box on the page, PDF points from the left (PDFs)"),
    Column("bbox_top", "number", "top of the value's box, PDF points from the top of the page (PDFs)"),
    Column("bbox_x1", "number", "right of the value's box, PDF points from the left (PDFs)"),
    Column("bbox_bottom", "number", "bottom of the value's box, PDF points from the top (PDFs)"),
    Column("line_start", "integer", "first line of the value on a text page, 1-based (text papers)", minimum=1),
    Column("line_end", "integer", "last line of the value on a text page, inclusive (text papers)", minimum=1),
    Column("raw_text", "string", "text the value was read from"),
    Column("note", "string", "a note printed in the value's cell, e.g. which year the value is for"),
    Column("needs_review", "boolean", "true when the reading is uncertain (e.g. weak OCR evidence)", required=True),
    Column("repairs", "string", "OCR repairs applied to the printed text, 'from -> to (reason)' joined by ' | '"),
]

DISCREPANCY_SPEC: list[Column] = [
    # --- the contract: these first, in this order ---
    Column("discrepancy_id", "string", "stable id of the flag: rule, paper, row and subject (primary key)", required=True),
    Column("document_id", "string", "sha256 of the paper the flag is about", required=True),
    Column("document", "string", "file name of the paper as ingested", required=True),
    Column("page", "integer", "page the flag points at", minimum=1),
    Column("row_label", "string", "measure name as printed; empty for paper-level flags"),
    Column("indicator_id", "string", "catalogue indicator id of the row, if mapped"),
    Column("rule", "string", "reconciliation rule that raised the flag", required=True),
    Column("severity", "string", "error: the figures cannot both be right; query: please check", required=True,
           enum=_values(Severity)),
    Column("message", "string", "what is wrong, in a sentence", required=True),
    Column("evidence", "string", "the evidence, 'label: text (p.N)' joined by ' | '"),
    # --- extras ---
    Column("status", "string", "review status of the flag", required=True, enum=DISCREPANCY_STATUSES),
    Column("changes_rag", "boolean", "true when resolving the flag would change a RAG rating", required=True),
    Column("period_label", "string", "period the flag is about, as printed"),
    Column("row_ref", "string", "row id within the paper (joins to observations.row_ref); empty for paper-level flags"),
    Column("evidence_json", "string", "the evidence as a JSON list with full provenance", required=True),
]

DOCUMENT_SPEC: list[Column] = [
    Column("document_id", "string", "sha256 of the paper's bytes (primary key)", required=True),
    Column("document", "string", "file name of the paper as ingested", required=True),
    Column("council", "string", "council that published the paper"),
    Column("title", "string", "title of the paper"),
    Column("meeting_date", "date", "date of the meeting the paper went to"),
    Column("source", "string", "path or URL the paper came from"),
    Column("page_count", "integer", "number of pages", minimum=0),
    Column("state", "string", "processing state of the paper", enum=_values(DocumentState)),
]

OBSERVATION_COLUMNS: list[str] = [c.name for c in OBSERVATION_SPEC]
DISCREPANCY_COLUMNS: list[str] = [c.name for c in DISCREPANCY_SPEC]
DOCUMENT_COLUMNS: list[str] = [c.name for c in DOCUMENT_SPEC]


def arrow_schema(spec: list[Column]) -> pa.Schema:
    """Arrow schema for a table, with each column's description kept as field metadata."""
    return pa.schema(
        [pa.field(c.name, ARROW_TYPES[c.type], nullable=not c.required,
                  metadata={"description": c.description}) for c in spec]
    )
