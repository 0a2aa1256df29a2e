"""The export contract: the clean dataset of observations and discrepancies (CSV, Parquet, data package).

Column names and order are a contract other tools read: see export/README.md.
"""
from .columns import DISCREPANCY_COLUMNS, DOCUMENT_COLUMNS, OBSERVATION_COLUMNS
from .package import build_package, validate_package
from .rows import discrepancy_rows, document_rows, evidence_text, observation_rows
from .write import ExportResult, write_dataset

__all__ = [
    "OBSERVATION_COLUMNS", "DISCREPANCY_COLUMNS", "DOCUMENT_COLUMNS",
    "observation_rows", "discrepancy_rows", "document_rows", "evidence_text",
    "write_dataset", "ExportResult", "build_package", "validate_package",
]
