"""Tables of the review tool: users, login sessions, flag assignments, and the queue's index on flags.

They live on the store's own declarative Base, so `Base.metadata` holds them and the models-vs-migration test
compares them too; migration 0003 creates exactly these. `store/__init__.py` imports this module, so anything
that imports the store package sees the full metadata.

Decisions themselves (confirm, dismiss, correct, remap, comment, assign) are rows of the append-only
`review_decisions` log (store/models.py); `flag_assignments` only keeps each flag's *current* assignee so the
queue can filter on it quickly. The log stays the record of who assigned what, when.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, DiscrepancyRow, _in

ROLES = ("reviewer", "admin")


class UserRow(Base):
    """A person who may use the review tool. Passwords are kept only as argon2id hashes."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    password_changed_at: Mapped[datetime]


class ReviewSessionRow(Base):
    """A signed-in browser. The cookie holds a random token; only its sha256 is stored, so a copy of the
    database cannot be used to sign in. Each session has its own CSRF token."""

    __tablename__ = "review_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class FlagAssignmentRow(Base):
    """Who a flag is assigned to now (the history is in review_decisions)."""

    __tablename__ = "flag_assignments"

    discrepancy_id: Mapped[str] = mapped_column(
        ForeignKey("discrepancies.id", ondelete="CASCADE"), primary_key=True
    )
    assignee: Mapped[str | None] = mapped_column(String(100), index=True)
    assigned_by: Mapped[str] = mapped_column(String(100))
    assigned_at: Mapped[datetime]


# The queue's order: errors first, then flags that change a RAG rating, then by id (the keyset tie-break).
# One index per common entry point: the whole queue, and the queue of one status (open by default).
_flags = DiscrepancyRow.__table__
Index("ix_discrepancies_queue", _flags.c.severity, _flags.c.changes_rag.desc(), _flags.c.id)
Index("ix_discrepancies_status_queue", _flags.c.status, _flags.c.severity, _flags.c.changes_rag.desc(),
      _flags.c.id)
Index("ix_discrepancies_indicator_id", _flags.c.indicator_id)  # the indicator filter and its list of choices
