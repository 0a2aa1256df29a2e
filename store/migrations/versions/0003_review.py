"""Review tool: users, login sessions, flag assignments, and the queue's indexes on flags.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

Written to match store/review_models.py (the models-vs-migration test checks they agree). Self-contained on
purpose, like 0001: it imports no model code.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _ts(nullable: bool = False) -> dict:
    return {"type_": sa.DateTime(timezone=True), "nullable": nullable}


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", **_ts()),
        sa.Column("password_changed_at", **_ts()),
        sa.CheckConstraint("role IN ('reviewer', 'admin')", name="ck_users_role"),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )

    op.create_table(
        "review_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", **_ts()),
        sa.Column("expires_at", **_ts()),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_review_sessions_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token_hash", name="pk_review_sessions"),
    )
    op.create_index("ix_review_sessions_user_id", "review_sessions", ["user_id"])

    op.create_table(
        "flag_assignments",
        sa.Column("discrepancy_id", sa.String(), nullable=False),
        sa.Column("assignee", sa.String(length=100), nullable=True),
        sa.Column("assigned_by", sa.String(length=100), nullable=False),
        sa.Column("assigned_at", **_ts()),
        sa.ForeignKeyConstraint(
            ["discrepancy_id"], ["discrepancies.id"], name="fk_flag_assignments_discrepancy_id_discrepancies",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("discrepancy_id", name="pk_flag_assignments"),
    )
    op.create_index("ix_flag_assignments_assignee", "flag_assignments", ["assignee"])

    # The queue's order (severity, changes_rag DESC, id), whole and per status: keyset pages read the index.
    op.create_index(
        "ix_discrepancies_queue", "discrepancies", ["severity", sa.text("changes_rag DESC"), "id"]
    )
    op.create_index(
        "ix_discrepancies_status_queue", "discrepancies",
        ["status", "severity", sa.text("changes_rag DESC"), "id"],
    )
    op.create_index("ix_discrepancies_indicator_id", "discrepancies", ["indicator_id"])


def downgrade() -> None:
    op.drop_index("ix_discrepancies_indicator_id", table_name="discrepancies")
    op.drop_index("ix_discrepancies_status_queue", table_name="discrepancies")
    op.drop_index("ix_discrepancies_queue", table_name="discrepancies")
    op.drop_index("ix_flag_assignments_assignee", table_name="flag_assignments")
    op.drop_table("flag_assignments")
    op.drop_index("ix_review_sessions_user_id", table_name="review_sessions")
    op.drop_table("review_sessions")
    op.drop_table("users")
