"""Write the clean dataset: CSV and Parquet for each table, plus datapackage.json."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from schemas import Discrepancy, Observation, SourceDocument

from .columns import DISCREPANCY_SPEC, DOCUMENT_SPEC, OBSERVATION_SPEC, Column, arrow_schema
from .package import write_package
from .rows import discrepancy_rows, document_rows, observation_rows


@dataclass(frozen=True)
class ExportResult:
    """What write_dataset wrote: every file, and the row count of each table."""

    out_dir: Path
    datapackage: Path
    files: dict[str, Path] = field(default_factory=dict)  # file name -> path, e.g. "observations.csv"
    row_counts: dict[str, int] = field(default_factory=dict)  # table -> rows: documents, observations, discrepancies

    @property
    def observations(self) -> int:
        return self.row_counts["observations"]

    @property
    def discrepancies(self) -> int:
        return self.row_counts["discrepancies"]


def write_dataset(
    out_dir: Path,
    documents: list[SourceDocument],
    observations: list[Observation],
    discrepancies: list[tuple[Discrepancy, str]],
    *,
    corrections: dict[str, float] = {},
    remaps: dict[str, str] = {},
    created: datetime | None = None,
) -> ExportResult:
    """Write documents, observations and discrepancies as CSV + Parquet, and datapackage.json, into out_dir.

    Every observation and flag must belong to one of `documents` (raises ValueError
    otherwise), because the package declares document_id a foreign key.
    `created` stamps the package (default: now, UTC).
    """
    by_id = {doc.id: doc for doc in documents}
    referenced = {o.document_id for o in observations} | {d.document_id for d, _ in discrepancies}
    missing = sorted(referenced - set(by_id))
    if missing:
        raise ValueError(f"records refer to documents not being exported: {', '.join(missing)}")

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = {
        "documents": (DOCUMENT_SPEC, document_rows(documents)),
        "observations": (OBSERVATION_SPEC, observation_rows(by_id, observations, corrections=corrections,
                                                            remaps=remaps)),
        "discrepancies": (DISCREPANCY_SPEC, discrepancy_rows(by_id, discrepancies)),
    }
    files: dict[str, Path] = {}
    for name, (spec, rows) in tables.items():
        files.update(write_table(out_dir, name, spec, rows))
    package = write_package(out_dir, created)
    files[package.name] = package
    return ExportResult(out_dir=out_dir, datapackage=package, files=files,
                        row_counts={name: len(rows) for name, (_, rows) in tables.items()})


def write_table(out_dir: Path, name: str, spec: list[Column], rows: list[dict]) -> dict[str, Path]:
    """Write rows as out_dir/<name>.csv and <name>.parquet from one Arrow table, so both hold the same values."""
    table = pa.Table.from_pylist(rows, schema=arrow_schema(spec))
    csv_path, parquet_path = out_dir / f"{name}.csv", out_dir / f"{name}.parquet"
    # Arrow writes UTF-8, '\n' line ends, nulls as empty cells and quotes every string (valid RFC 4180);
    # whole numbers in float columns come out without a trailing '.0'.
    pa_csv.write_csv(table, csv_path, pa_csv.WriteOptions(eol="\n", null_string="", quoting_style="needed"))
    pq.write_table(table, parquet_path)
    return {csv_path.name: csv_path, parquet_path.name: parquet_path}
