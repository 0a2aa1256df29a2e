"""Database tables of the store (SQLAlchemy 2 typed ORM).

The migrations in store/migrations/ create exactly these tables; a test checks they agree.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Fixed constraint names, so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

DOCUMENT_STATES = ("ingested", "processed", "failed")
FLAG_STATUSES = ("open", "confirmed", "dismissed", "corrected", "stale")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend.

    SQLite has no time zone type, so values are stored as UTC and given tzinfo=UTC on the way out.
    A naive datetime handed in is taken to be UTC already.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# JSONB on PostgreSQL (indexable, compact), plain JSON (text) elsewhere.
JSONType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """Now, timezone-aware UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime(),
        date: Date(),
        float: Double(),
        str: String(),
        dict[str, Any]: JSONType,
        list[Any]: JSONType,
    }


def _in(column: str, values: tuple[str, ...]) -> str:
    """SQL text for a CHECK that `column` holds one of `values`."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class DocumentRow(Base):
    """One paper, keyed by the sha256 of its bytes."""

    __tablename__ = "documents"
    __table_args__ = (CheckConstraint(_in("state", DOCUMENT_STATES), name="state"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    file_name: Mapped[str] = mapped_column(Text)
    council: Mapped[str | None]
    title: Mapped[str | None] = mapped_column(Text)
    meeting_date: Mapped[date | None]
    media_type: Mapped[str | None]
    byte_size: Mapped[int] = mapped_column(BigInteger, default=0)
    page_count: Mapped[int | None]
    state: Mapped[str] = mapped_column(index=True)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    ingested_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class PageRow(Base):
    """One page of a paper as read (text layer or OCR)."""

    __tablename__ = "pages"

    document_id: Mapped[str] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(primary_key=True)
    width: Mapped[float | None]
    height: Mapped[float | None]
    text: Mapped[str] = mapped_column(Text)
    words: Mapped[list[Any]]
    ocr: Mapped[bool] = mapped_column(Boolean, default=False)
    ocr_confidence: Mapped[float | None]


class MeasureRowRow(Base):
    """One measure row of a paper; `payload` is the whole MeasureRow (model_dump(mode="json"))."""

    __tablename__ = "measure_rows"

    document_id: Mapped[str] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    row_ref: Mapped[str] = mapped_column(primary_key=True)
    position: Mapped[int]  # order in the paper; row_refs do not sort reliably
    row_label: Mapped[str] = mapped_column(Text)
    indicator_id: Mapped[str | None] = mapped_column(index=True)
    mapping_status: Mapped[str]
    payload: Mapped[dict[str, Any]]


class ObservationRow(Base):
    """One printed value; columns for what is queried, `payload` for the rest of the Observation."""

    __tablename__ = "observations"

    key: Mapped[str] = mapped_column(primary_key=True)
    document_id: Mapped[str] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    row_ref: Mapped[str]
    row_label: Mapped[str] = mapped_column(Text)
    indicator_id: Mapped[str | None] = mapped_column(index=True)
    mapping_status: Mapped[str]
    mapping_score: Mapped[float | None]
    period_label: Mapped[str]
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    value: Mapped[float | None]
    value_text: Mapped[str] = mapped_column(Text)
    unit: Mapped[str]
    target: Mapped[float | None]
    target_tolerance: Mapped[float | None]
    rag: Mapped[str | None]
    polarity: Mapped[str | None]
    page: Mapped[int]  # provenance.page, copied out for queries
    payload: Mapped[dict[str, Any]]


class DiscrepancyRow(Base):
    """One flag. Never deleted: a flag not raised again goes stale, so review history survives."""

    __tablename__ = "discrepancies"
    __table_args__ = (CheckConstraint(_in("status", FLAG_STATUSES), name="status"),)

    id: Mapped[str] = mapped_column(primary_key=True)
    document_id: Mapped[str] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    rule: Mapped[str] = mapped_column(index=True)
    severity: Mapped[str]
    status: Mapped[str] = mapped_column(default="open", server_default=text("'open'"), index=True)
    row_ref: Mapped[str | None]
    row_label: Mapped[str | None] = mapped_column(Text)
    indicator_id: Mapped[str | None]
    page: Mapped[int | None]
    changes_rag: Mapped[bool] = mapped_column(Boolean, default=False)
    message: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]]
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    # Bumped on every status change; reviewers send the version they saw (optimistic concurrency).
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))


class ReviewDecisionRow(Base):
    """Audit log of review decisions. Append-only: database triggers refuse UPDATE and DELETE."""

    __tablename__ = "review_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    discrepancy_id: Mapped[str | None] = mapped_column(ForeignKey("discrepancies.id"), index=True)
    observation_key: Mapped[str | None] = mapped_column(index=True)
    action: Mapped[str]
    reviewer: Mapped[str]
    reason: Mapped[str | None] = mapped_column(Text)
    corrected_value: Mapped[float | None]
    indicator_id: Mapped[str | None]
    assignee: Mapped[str | None]
    from_state: Mapped[str | None]
    to_state: Mapped[str | None]
    created_at: Mapped[datetime]


class AliasRow(Base):
    """A measure label known to mean a catalogue indicator (learned from review or added by hand)."""

    __tablename__ = "aliases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    normalised: Mapped[str] = mapped_column(Text, unique=True)
    alias: Mapped[str] = mapped_column(Text)
    indicator_id: Mapped[str]
    source: Mapped[str]
    created_by: Mapped[str | None]
    created_at: Mapped[datetime]
