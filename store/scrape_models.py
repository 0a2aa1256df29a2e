"""Tables of the scraper: councils, scrape runs (the run log), meetings seen and attachments fetched.

They live on the store's own declarative Base, so `Base.metadata` holds them and the models-vs-migration test
compares them too; migration 0002 creates exactly these. `store/__init__.py` imports this module, so anything
that imports the store package sees the full metadata.

An attachment is one document a council publishes, keyed by (council, key) where the key is the ModernGov
attachment id ("s60860"), the meeting pack id ("g4967") or, for other sites, a configured or hashed id.
Its bytes are identified by sha256, the same id the `documents` table uses, so a paper that turns up under
two attachments (a report and the same file republished) is fetched and processed once.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, _in

RUN_STATUSES = ("running", "ok", "partial", "failed")
MEETING_STATUSES = ("ok", "failed")
# discovered: found, not fetched yet | downloaded: bytes saved (and handed to the pipeline)
# duplicate: same bytes as another attachment | failed: will be retried | rejected: will not be retried
# skipped: deliberately not fetched (e.g. a meeting pack whose reports are listed one by one)
ATTACHMENT_STATUSES = ("discovered", "downloaded", "duplicate", "failed", "rejected", "skipped")
ATTACHMENT_KINDS = ("report", "pack")


class CouncilRow(Base):
    """A council from councils.yaml, as last seen by a scrape (the YAML stays the source of truth)."""

    __tablename__ = "councils"

    slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    platform: Mapped[str]
    base_url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ScrapeRunRow(Base):
    """One scrape of one council: the run log (found, new, skipped, failed, with reasons)."""

    __tablename__ = "scrape_runs"
    __table_args__ = (
        CheckConstraint(_in("status", RUN_STATUSES), name="status"),
        Index("ix_scrape_runs_council_started", "council", "started_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    council: Mapped[str] = mapped_column(String(100), ForeignKey("councils.slug", ondelete="CASCADE"))
    mode: Mapped[str]  # window | backfill
    window_from: Mapped[date]
    window_to: Mapped[date]
    status: Mapped[str]
    source: Mapped[str | None]  # service | html | generic: how meetings were discovered
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    meetings: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    found: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    new: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    skipped: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    failed: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    requests: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    error: Mapped[str | None] = mapped_column(Text)  # why the whole run failed
    # {"skipped": {reason: count}, "failures": [{key, url, reason}], "notes": [...], "new": [keys]}
    details: Mapped[dict[str, Any]]


class ScrapeMeetingRow(Base):
    """A meeting seen on a council's site; a meeting that could not be read is retried by the next run."""

    __tablename__ = "scrape_meetings"
    __table_args__ = (CheckConstraint(_in("status", MEETING_STATUSES), name="status"),)

    council: Mapped[str] = mapped_column(
        String(100), ForeignKey("councils.slug", ondelete="CASCADE"), primary_key=True
    )
    meeting_id: Mapped[str] = mapped_column(primary_key=True)
    committee_id: Mapped[str | None]
    committee: Mapped[str | None] = mapped_column(Text)
    meeting_date: Mapped[date | None]
    url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str]
    failure_reason: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    documents: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]


class AttachmentRow(Base):
    """One document published by a council, and what became of it."""

    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint(_in("status", ATTACHMENT_STATUSES), name="status"),
        CheckConstraint(_in("kind", ATTACHMENT_KINDS), name="kind"),
        # One downloaded attachment per sha256: two fetches of the same bytes (a report linked twice under
        # different ids, two workers at once) cannot both be kept; the loser is recorded as a duplicate.
        Index("uq_attachments_sha256_downloaded", "sha256", unique=True,
              sqlite_where=text("status = 'downloaded'"), postgresql_where=text("status = 'downloaded'")),
    )

    council: Mapped[str] = mapped_column(
        String(100), ForeignKey("councils.slug", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(primary_key=True)
    attachment_id: Mapped[str | None]
    kind: Mapped[str]
    meeting_id: Mapped[str | None]
    committee: Mapped[str | None] = mapped_column(Text)
    meeting_date: Mapped[date | None]
    title: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(index=True)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    http_status: Mapped[int | None]
    content_type: Mapped[str | None]
    byte_size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    duplicate_of: Mapped[str | None]  # key of the attachment with the same bytes
    file_path: Mapped[str | None] = mapped_column(Text)
    # Set once the pipeline has taken the paper (the documents.id, i.e. the sha256); no FK: the pipeline
    # writes `documents` in its own transactions and a document may be absent when ingest itself failed.
    document_id: Mapped[str | None] = mapped_column(String(64))
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    fetched_at: Mapped[datetime | None]
    last_run_id: Mapped[int | None]
