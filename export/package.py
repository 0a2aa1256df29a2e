"""The Frictionless data package that describes the exported CSV tables, and its validation."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import frictionless
from frictionless import Package, Resource, Schema, fields

from .columns import DISCREPANCY_SPEC, DOCUMENT_SPEC, OBSERVATION_SPEC, Column

PACKAGE_FILE = "datapackage.json"

_FIELD_CLASSES = {
    "string": fields.StringField,
    "integer": fields.IntegerField,
    "number": fields.NumberField,
    "date": fields.DateField,
    "boolean": fields.BooleanField,
}

# name, title, description, columns, primary key, foreign keys (all to the documents table)
_TABLES = [
    ("documents", "Papers",
     "One row per committee paper exported. documents.parquet holds the same rows.",
     DOCUMENT_SPEC, ["document_id"], []),
    ("observations", "Observations",
     "One row per printed value: paper x measure row x period, with mapping, target, RAG, "
     "benchmarks and where on the page it was printed. observations.parquet holds the same rows.",
     OBSERVATION_SPEC, ["observation_key"], ["document_id"]),
    ("discrepancies", "Discrepancies",
     "One row per reconciliation flag with its evidence and review status. "
     "discrepancies.parquet holds the same rows.",
     DISCREPANCY_SPEC, ["discrepancy_id"], ["document_id"]),
]


def table_schema(spec: list[Column], primary_key: list[str], foreign_keys: list[str]) -> Schema:
    """Frictionless table schema for one table of the contract."""
    return Schema(
        fields=[_FIELD_CLASSES[c.type](name=c.name, description=c.description, constraints=c.constraints())
                for c in spec],
        primary_key=primary_key,
        foreign_keys=[{"fields": [name], "reference": {"resource": "documents", "fields": [name]}}
                      for name in foreign_keys],
    )


def build_package(created: datetime | None = None) -> Package:
    """The data package describing documents.csv, observations.csv and discrepancies.csv (paths relative)."""
    created = (created or datetime.now(timezone.utc)).replace(microsecond=0)
    resources = [
        Resource(
            name=name, title=title, description=description, path=f"{name}.csv",
            format="csv", mediatype="text/csv", encoding="utf-8",
            schema=table_schema(spec, primary_key, foreign_keys),
        )
        for name, title, description, spec, primary_key, foreign_keys in _TABLES
    ]
    return Package(
        name="scrutiny-childrens-services-performance",
        title="Children's services performance figures from council committee papers",
        description=(
            "Figures extracted by Scrutiny from English council committee papers: every printed value "
            "with its provenance, mapped to the indicator catalogue, and the discrepancies reconciliation "
            "found. No licence is set: whoever publishes this dataset should add one that suits the "
            "source papers."
        ),
        created=created.isoformat(),
        resources=resources,
    )


def write_package(out_dir: Path, created: datetime | None = None) -> Path:
    """Write datapackage.json into out_dir, next to the CSV files it describes."""
    path = Path(out_dir) / PACKAGE_FILE
    build_package(created).to_json(str(path))
    return path


def validate_package(out_dir: Path) -> frictionless.Report:
    """Validate out_dir/datapackage.json and the tables it describes (types, constraints, keys)."""
    return frictionless.validate(str(Path(out_dir) / PACKAGE_FILE))
