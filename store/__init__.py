"""Storage of papers, results, flags and review decisions (SQLAlchemy 2 + Alembic)."""
from .db import alembic_config, resolve_url
from .store import (
    ConflictError,
    Store,
    StoredDiscrepancy,
    normalise_alias,
    row_key,
)

__all__ = [
    "ConflictError", "Store", "StoredDiscrepancy", "alembic_config", "normalise_alias", "resolve_url", "row_key",
]
