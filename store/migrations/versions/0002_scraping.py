"""Scraping: councils, scrape runs (the run log), meetings seen, attachments fetched.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Written to match store/scrape_models.py (the models-vs-migration test checks they agree). Self-contained on
purpose, like 0001: it imports no model code.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _ts(nullable: bool = False) -> dict:
    return {"type_": sa.DateTime(timezone=True), "nullable": nullable}


def _count(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer(), server_default=sa.text("0"), nullable=False)


def _council_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["council"], ["councils.slug"], name=f"fk_{table}_council_councils", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "councils",
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("platform", sa.String(), nullable=False),
        sa.Column("base_url", sa.Text(), nullable=False),
        sa.Column("created_at", **_ts()),
        sa.Column("updated_at", **_ts()),
        sa.PrimaryKeyConstraint("slug", name="pk_councils"),
        sa.UniqueConstraint("name", name="uq_councils_name"),
    )

    op.create_table(
        "scrape_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("council", sa.String(length=100), nullable=False),
        sa.Column("mode", sa.String(), nullable=False),
        sa.Column("window_from", sa.Date(), nullable=False),
        sa.Column("window_to", sa.Date(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=True),
        sa.Column("started_at", **_ts()),
        sa.Column("finished_at", **_ts(nullable=True)),
        _count("meetings"),
        _count("found"),
        _count("new"),
        _count("skipped"),
        _count("failed"),
        _count("requests"),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("details", _json(), nullable=False),
        sa.CheckConstraint(
            "status IN ('running', 'ok', 'partial', 'failed')", name="ck_scrape_runs_status"
        ),
        _council_fk("scrape_runs"),
        sa.PrimaryKeyConstraint("id", name="pk_scrape_runs"),
    )
    op.create_index("ix_scrape_runs_council_started", "scrape_runs", ["council", "started_at"])

    op.create_table(
        "scrape_meetings",
        sa.Column("council", sa.String(length=100), nullable=False),
        sa.Column("meeting_id", sa.String(), nullable=False),
        sa.Column("committee_id", sa.String(), nullable=True),
        sa.Column("committee", sa.Text(), nullable=True),
        sa.Column("meeting_date", sa.Date(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        _count("attempts"),
        _count("documents"),
        sa.Column("first_seen", **_ts()),
        sa.Column("last_seen", **_ts()),
        sa.CheckConstraint("status IN ('ok', 'failed')", name="ck_scrape_meetings_status"),
        _council_fk("scrape_meetings"),
        sa.PrimaryKeyConstraint("council", "meeting_id", name="pk_scrape_meetings"),
    )

    op.create_table(
        "attachments",
        sa.Column("council", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("attachment_id", sa.String(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("meeting_id", sa.String(), nullable=True),
        sa.Column("committee", sa.Text(), nullable=True),
        sa.Column("meeting_date", sa.Date(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        _count("attempts"),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(), nullable=True),
        sa.Column("byte_size", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("duplicate_of", sa.String(), nullable=True),
        sa.Column("file_path", sa.Text(), nullable=True),
        sa.Column("document_id", sa.String(length=64), nullable=True),
        sa.Column("first_seen", **_ts()),
        sa.Column("last_seen", **_ts()),
        sa.Column("fetched_at", **_ts(nullable=True)),
        sa.Column("last_run_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('discovered', 'downloaded', 'duplicate', 'failed', 'rejected', 'skipped')",
            name="ck_attachments_status",
        ),
        sa.CheckConstraint("kind IN ('report', 'pack')", name="ck_attachments_kind"),
        _council_fk("attachments"),
        sa.PrimaryKeyConstraint("council", "key", name="pk_attachments"),
    )
    op.create_index("ix_attachments_status", "attachments", ["status"])
    op.create_index(
        "uq_attachments_sha256_downloaded", "attachments", ["sha256"], unique=True,
        sqlite_where=sa.text("status = 'downloaded'"), postgresql_where=sa.text("status = 'downloaded'"),
    )


def downgrade() -> None:
    op.drop_index("uq_attachments_sha256_downloaded", table_name="attachments")
    op.drop_index("ix_attachments_status", table_name="attachments")
    op.drop_table("attachments")
    op.drop_table("scrape_meetings")
    op.drop_index("ix_scrape_runs_council_started", table_name="scrape_runs")
    op.drop_table("scrape_runs")
    op.drop_table("councils")
