"""Storage of papers, results, flags and review decisions (SQLAlchemy 2 + Alembic)."""
from .db import alembic_config, resolve_url
from .store import (
    ConflictError,
    Store,
    StoredDiscrepancy,
    normalise_alias,
    row_key,
)
from . import scrape_models  # noqa: F401  (registers the scraper's tables on Base.metadata)
from . import review_models  # noqa: F401  (registers the review tool's tables on Base.metadata)

__all__ = [
    "ConflictError", "Store", "StoredDiscrepancy", "alembic_config", "normalise_alias", "resolve_url", "row_key",
]
