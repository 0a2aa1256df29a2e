"""Reads and writes of the review tool (store/review_models.py), on the store's own engine.

    with Store(url) as store:
        store.migrate()
        review = ReviewStore(store)
        review.add_user("asha", hash_password("..."), "reviewer")
        page = review.queue_page(QueueFilter(status="open"), limit=50)
        review.correct(flag_id, observation_key, 85.0, reviewer="asha", expected_version=1)

The queue is paged by keyset on (severity, changes_rag DESC, id), read from the index migration 0003 adds,
so page 2,000 costs the same as page 1. Every decision goes into the append-only review_decisions log, in the
same transaction as the change it records.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, false, func, insert, literal, or_, select, true, update
from sqlalchemy.sql import ColumnElement

from schemas import Discrepancy, MeasureRow, ReviewAction, ReviewDecision

from . import records
from .models import (
    FLAG_STATUSES,
    DiscrepancyRow,
    DocumentRow,
    MeasureRowRow,
    ObservationRow,
    ReviewDecisionRow,
    utcnow,
)
from .review_models import ROLES, FlagAssignmentRow, ReviewSessionRow, UserRow
from .store import STATUS_FOR_ACTION, ConflictError, Store, row_key

SEVERITIES = ("error", "query")
SESSION_TTL = timedelta(hours=12)
REVIEW_MAPPING_STATUSES = ("unmapped", "needs_review")
BULK_ACTIONS = {"confirm": "confirmed", "dismiss": "dismissed"}


class AssignmentConflict(Exception):
    """The flag's assignee changed since the reviewer loaded it."""

    def __init__(self, discrepancy_id: str, expected: str | None, actual: str | None):
        self.discrepancy_id, self.expected, self.actual = discrepancy_id, expected, actual
        super().__init__(f"flag {discrepancy_id} was assigned to {actual or 'nobody'} since it was loaded "
                         f"(you saw {expected or 'nobody'})")


class MappingConflict(Exception):
    """A measure row was remapped by someone else since the reviewer loaded it."""

    def __init__(self, key: str, expected: str | None, actual: str | None):
        self.key, self.expected, self.actual = key, expected, actual
        super().__init__(f"measure {key} is now mapped to {actual or 'nothing'} (you saw {expected or 'nothing'})")


class BulkConflict(Exception):
    """The set of flags a bulk action would touch changed since its preview."""

    def __init__(self, expected: int, actual: int):
        self.expected, self.actual = expected, actual
        super().__init__(f"{actual} open flags match now, not the {expected} you were shown; preview again")


# Users and sessions ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class UserRecord:
    id: int
    username: str
    role: str
    active: bool
    created_at: datetime
    password_hash: str = field(repr=False)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class SessionRecord:
    user: UserRecord
    csrf_token: str
    expires_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user(row: UserRow) -> UserRecord:
    return UserRecord(id=row.id, username=row.username, role=row.role, active=row.active,
                      created_at=row.created_at, password_hash=row.password_hash)


# Queue ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows. None means any. `assignee="-"` means unassigned; `indicator="-"` unmapped."""

    council: str | None = None
    paper: str | None = None
    indicator: str | None = None
    rule: str | None = None
    severity: str | None = None
    status: str | None = None
    assignee: str | None = None

    def without_status(self) -> QueueFilter:
        return replace(self, status=None)

    def is_empty(self) -> bool:
        return all(v is None for v in self.__dict__.values())


@dataclass(frozen=True)
class Cursor:
    """A position in the queue's order (severity, changes_rag DESC, id)."""

    severity: str
    changes_rag: bool
    id: str

    def encode(self) -> str:
        return f"{self.severity}.{int(self.changes_rag)}.{self.id}"

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        if not text:
            return None
        parts = text.split(".", 2)
        if len(parts) != 3 or parts[0] not in SEVERITIES or parts[1] not in ("0", "1") or not parts[2]:
            raise ValueError(f"bad queue position {text!r}")
        return cls(parts[0], parts[1] == "1", parts[2])


@dataclass(frozen=True)
class QueueItem:
    id: str
    rule: str
    severity: str
    status: str
    version: int
    changes_rag: bool
    document_id: str
    file_name: str | None
    council: str | None
    page: int | None
    row_ref: str | None
    row_label: str | None
    indicator_id: str | None
    message: str
    assignee: str | None

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.severity, self.changes_rag, self.id)


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueItem]
    next_cursor: Cursor | None  # the last item, when there is a page after this one
    prev_cursor: Cursor | None  # the first item, when there is a page before this one


@dataclass(frozen=True)
class FlagDetail:
    discrepancy: Discrepancy
    status: str
    version: int
    first_seen: datetime
    last_seen: datetime
    assignee: str | None
    file_name: str | None
    council: str | None
    title: str | None
    source: str | None
    media_type: str | None


@dataclass(frozen=True)
class MeasureItem:
    document_id: str
    row_ref: str
    file_name: str | None
    council: str | None
    row_label: str
    mapping_status: str
    indicator_id: str | None
    candidates: list[dict[str, Any]]


class ReviewStore:
    """Users, sessions, the review queue and review actions, on a Store's engine."""

    def __init__(self, store: Store):
        self.store = store
        self._reader = store._reader
        self._write = store._write

    # Users ---------------------------------------------------------------------------------------

    def add_user(self, username: str, password_hash: str, role: str = "reviewer") -> UserRecord:
        username = username.strip()
        if not username or len(username) > 100 or any(c.isspace() for c in username):
            raise ValueError("a username is 1 to 100 characters with no spaces")
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; expected one of {ROLES}")
        now = utcnow()
        with self._write() as s:
            if s.scalar(select(UserRow.id).where(UserRow.username == username)) is not None:
                raise ValueError(f"user {username!r} already exists")
            row = UserRow(username=username, password_hash=password_hash, role=role, active=True,
                          created_at=now, password_changed_at=now)
            s.add(row)
            s.flush()
            return _user(row)

    def set_password(self, username: str, password_hash: str) -> None:
        with self._write() as s:
            user = s.scalars(select(UserRow).where(UserRow.username == username)).first()
            if user is None:
                raise LookupError(f"no user {username!r}")
            user.password_hash, user.password_changed_at = password_hash, utcnow()
            # A new password signs the user out everywhere.
            s.execute(delete(ReviewSessionRow).where(ReviewSessionRow.user_id == user.id))

    def set_role(self, username: str, role: str) -> None:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; expected one of {ROLES}")
        with self._write() as s:
            if s.execute(update(UserRow).where(UserRow.username == username).values(role=role)).rowcount != 1:
                raise LookupError(f"no user {username!r}")

    def set_active(self, username: str, active: bool) -> None:
        with self._write() as s:
            user = s.scalars(select(UserRow).where(UserRow.username == username)).first()
            if user is None:
                raise LookupError(f"no user {username!r}")
            user.active = active
            if not active:
                s.execute(delete(ReviewSessionRow).where(ReviewSessionRow.user_id == user.id))

    def get_user(self, username: str) -> UserRecord | None:
        with self._reader() as s:
            row = s.scalars(select(UserRow).where(UserRow.username == username)).first()
            return _user(row) if row else None

    def users(self) -> list[UserRecord]:
        with self._reader() as s:
            return [_user(r) for r in s.scalars(select(UserRow).order_by(UserRow.username))]

    # Sessions ------------------------------------------------------------------------------------

    def create_session(self, user_id: int, ttl: timedelta = SESSION_TTL) -> tuple[str, SessionRecord]:
        """A new session: returns the cookie token (never stored as is) and the session."""
        token = secrets.token_urlsafe(32)
        now = utcnow()
        csrf = secrets.token_urlsafe(32)
        with self._write() as s:
            s.execute(delete(ReviewSessionRow).where(ReviewSessionRow.expires_at < now))
            s.add(ReviewSessionRow(token_hash=token_hash(token), user_id=user_id, csrf_token=csrf,
                                   created_at=now, expires_at=now + ttl))
            user = s.get(UserRow, user_id)
            if user is None:
                raise LookupError(f"no user {user_id}")
            return token, SessionRecord(user=_user(user), csrf_token=csrf, expires_at=now + ttl)

    def get_session(self, token: str | None) -> SessionRecord | None:
        """The live session of a cookie token: None when unknown, expired or its user is disabled."""
        if not token or len(token) > 200:
            return None
        with self._reader() as s:
            found = s.execute(
                select(ReviewSessionRow, UserRow).join(UserRow, UserRow.id == ReviewSessionRow.user_id)
                .where(ReviewSessionRow.token_hash == token_hash(token))
            ).first()
        if found is None:
            return None
        session, user = found
        if session.expires_at <= utcnow() or not user.active:
            return None
        return SessionRecord(user=_user(user), csrf_token=session.csrf_token, expires_at=session.expires_at)

    def delete_session(self, token: str | None) -> None:
        if token:
            with self._write() as s:
                s.execute(delete(ReviewSessionRow).where(ReviewSessionRow.token_hash == token_hash(token)))

    # The queue ---------------------------------------------------------------------------------

    def _conditions(self, f: QueueFilter) -> list[ColumnElement[bool]]:
        d = DiscrepancyRow.__table__
        conds: list[ColumnElement[bool]] = []
        if f.council is not None:
            conds.append(d.c.document_id.in_(select(DocumentRow.id).where(DocumentRow.council == f.council)))
        if f.paper is not None:
            conds.append(d.c.document_id == f.paper)
        if f.indicator is not None:
            conds.append(d.c.indicator_id.is_(None) if f.indicator == "-" else d.c.indicator_id == f.indicator)
        for column, wanted in ((d.c.rule, f.rule), (d.c.severity, f.severity), (d.c.status, f.status)):
            if wanted is not None:
                conds.append(column == wanted)
        if f.assignee is not None:
            a = FlagAssignmentRow.__table__
            assigned = select(a.c.discrepancy_id).where(a.c.assignee.is_not(None))
            if f.assignee == "-":
                conds.append(d.c.id.not_in(assigned))
            else:
                conds.append(d.c.id.in_(select(a.c.discrepancy_id).where(a.c.assignee == f.assignee)))
        return conds

    @staticmethod
    def _after(c: Cursor, reverse: bool = False) -> ColumnElement[bool]:
        """Rows strictly after (or, reversed, before) the cursor in the queue's order
        (severity ASC, changes_rag DESC, id ASC). Written so the leading severity bound can use the index."""
        d = DiscrepancyRow.__table__
        if not reverse:
            # changes_rag DESC: after True comes False; nothing comes after False.
            later_rag = d.c.changes_rag == false() if c.changes_rag else false()
            return and_(d.c.severity >= c.severity, or_(
                d.c.severity > c.severity,
                and_(d.c.severity == c.severity, or_(
                    later_rag, and_(d.c.changes_rag == c.changes_rag, d.c.id > c.id)))))
        earlier_rag = d.c.changes_rag == true() if not c.changes_rag else false()
        return and_(d.c.severity <= c.severity, or_(
            d.c.severity < c.severity,
            and_(d.c.severity == c.severity, or_(
                earlier_rag, and_(d.c.changes_rag == c.changes_rag, d.c.id < c.id)))))

    def _queue_select(self, f: QueueFilter):
        d = DiscrepancyRow.__table__
        doc = DocumentRow.__table__
        a = FlagAssignmentRow.__table__
        return (
            select(d.c.id, d.c.rule, d.c.severity, d.c.status, d.c.version, d.c.changes_rag, d.c.document_id,
                   doc.c.file_name, doc.c.council, d.c.page, d.c.row_ref, d.c.row_label, d.c.indicator_id,
                   d.c.message, a.c.assignee)
            .select_from(d.outerjoin(doc, doc.c.id == d.c.document_id)
                         .outerjoin(a, a.c.discrepancy_id == d.c.id))
            .where(*self._conditions(f))
        )

    def queue_page(self, f: QueueFilter, *, after: Cursor | None = None, before: Cursor | None = None,
                   limit: int = 50) -> QueuePage:
        """One page of the queue: errors first, then flags that change a RAG, then by id.

        `after` gives the page following a cursor, `before` the page preceding one (keyset paging).
        """
        d = DiscrepancyRow.__table__
        forward = (d.c.severity.asc(), d.c.changes_rag.desc(), d.c.id.asc())
        backward = (d.c.severity.desc(), d.c.changes_rag.asc(), d.c.id.desc())
        query = self._queue_select(f)
        if before is not None:
            query = query.where(self._after(before, reverse=True)).order_by(*backward)
        else:
            if after is not None:
                query = query.where(self._after(after))
            query = query.order_by(*forward)
        with self._reader() as s:
            rows = s.execute(query.limit(limit + 1)).all()
        more = len(rows) > limit
        items = [QueueItem(**r._mapping) for r in rows[:limit]]
        if before is not None:
            items.reverse()
            prev_cursor = items[0].cursor if more and items else None
            next_cursor = items[-1].cursor if items else None
        else:
            next_cursor = items[-1].cursor if more and items else None
            prev_cursor = items[0].cursor if after is not None and items else None
        return QueuePage(items=items, next_cursor=next_cursor, prev_cursor=prev_cursor)

    def neighbour(self, f: QueueFilter, flag_id: str, *, forward: bool = True) -> str | None:
        """The id of the flag after (or before) `flag_id` in the filtered queue; the flag itself need not
        match the filter any more (after a decision it usually does not)."""
        d = DiscrepancyRow.__table__
        with self._reader() as s:
            row = s.execute(select(d.c.severity, d.c.changes_rag).where(d.c.id == flag_id)).first()
            if row is None:
                return None
            cursor = Cursor(row.severity, bool(row.changes_rag), flag_id)
            order = ((d.c.severity.asc(), d.c.changes_rag.desc(), d.c.id.asc()) if forward
                     else (d.c.severity.desc(), d.c.changes_rag.asc(), d.c.id.desc()))
            query = (select(d.c.id).where(*self._conditions(f), self._after(cursor, reverse=not forward))
                     .order_by(*order).limit(1))
            return s.scalar(query)

    def counts(self, f: QueueFilter) -> dict[str, int]:
        """Flags matching the filter (its status aside) by status, every status present."""
        d = DiscrepancyRow.__table__
        query = (select(d.c.status, func.count()).where(*self._conditions(f.without_status()))
                 .group_by(d.c.status))
        with self._reader() as s:
            found = dict(s.execute(query).all())
        return {status: found.get(status, 0) for status in FLAG_STATUSES}

    def filter_options(self) -> dict[str, list]:
        """Values offered in the queue's filters: councils, papers (id, file name), rules, indicators."""
        d = DiscrepancyRow.__table__
        doc = DocumentRow.__table__
        with self._reader() as s:
            papers = s.execute(
                select(doc.c.id, doc.c.file_name, doc.c.council)
                .where(doc.c.id.in_(select(d.c.document_id).distinct())).order_by(doc.c.file_name)
            ).all()
            rules = s.scalars(select(d.c.rule).distinct().order_by(d.c.rule)).all()
            indicators = s.scalars(
                select(d.c.indicator_id).where(d.c.indicator_id.is_not(None)).distinct().order_by(d.c.indicator_id)
            ).all()
            assignees = s.scalars(
                select(FlagAssignmentRow.assignee).where(FlagAssignmentRow.assignee.is_not(None)).distinct()
                .order_by(FlagAssignmentRow.assignee)
            ).all()
            users = s.scalars(select(UserRow.username).where(UserRow.active.is_(True)).order_by(UserRow.username)).all()
        councils = sorted({p.council for p in papers if p.council})
        return {"councils": councils, "papers": [(p.id, p.file_name) for p in papers], "rules": list(rules),
                "indicators": list(indicators), "assignees": sorted(set(assignees) | set(users)),
                "users": list(users)}

    # One flag --------------------------------------------------------------------------------------

    def flag(self, flag_id: str) -> FlagDetail | None:
        d, doc, a = DiscrepancyRow, DocumentRow, FlagAssignmentRow
        with self._reader() as s:
            found = s.execute(
                select(d, doc.file_name, doc.council, doc.title, doc.source, doc.media_type, a.assignee)
                .outerjoin(doc, doc.id == d.document_id).outerjoin(a, a.discrepancy_id == d.id)
                .where(d.id == flag_id)
            ).first()
        if found is None:
            return None
        row = found[0]
        return FlagDetail(
            discrepancy=records.to_discrepancy(row), status=row.status, version=row.version,
            first_seen=row.first_seen, last_seen=row.last_seen, assignee=found.assignee,
            file_name=found.file_name, council=found.council, title=found.title, source=found.source,
            media_type=found.media_type,
        )

    def row_flags(self, document_id: str, row_ref: str | None) -> list[QueueItem]:
        """Every flag on one measure row (paper-level flags when row_ref is None), in queue order."""
        d = DiscrepancyRow.__table__
        query = self._queue_select(QueueFilter(paper=document_id)).where(
            d.c.row_ref.is_(None) if row_ref is None else d.c.row_ref == row_ref
        ).order_by(d.c.severity.asc(), d.c.changes_rag.desc(), d.c.id.asc())
        with self._reader() as s:
            return [QueueItem(**r._mapping) for r in s.execute(query)]

    def measure_row(self, document_id: str, row_ref: str) -> MeasureRow | None:
        with self._reader() as s:
            payload = s.scalar(select(MeasureRowRow.payload).where(
                MeasureRowRow.document_id == document_id, MeasureRowRow.row_ref == row_ref))
        return records.to_measure_row(payload) if payload is not None else None

    def page(self, document_id: str, number: int):
        """One stored page of a paper (text, words), or None."""
        from .models import PageRow

        with self._reader() as s:
            row = s.get(PageRow, (document_id, number))
            return records.to_page(row) if row else None

    def paper_files(self, document_id: str) -> list[str]:
        """Where the paper's bytes may be on this machine: its source, then any file the scraper saved."""
        from .scrape_models import AttachmentRow

        with self._reader() as s:
            source = s.scalar(select(DocumentRow.source).where(DocumentRow.id == document_id))
            saved = s.scalars(select(AttachmentRow.file_path).where(
                AttachmentRow.sha256 == document_id, AttachmentRow.file_path.is_not(None))).all()
        return [p for p in [source, *saved] if p]

    def row_observations(self, document_id: str, row_ref: str) -> list[tuple[str, str, str, float | None]]:
        """(key, period_label, value_text, value) of one measure row's printed values, in order."""
        o = ObservationRow
        query = (select(o.key, o.period_label, o.value_text, o.value)
                 .where(o.document_id == document_id, o.row_ref == row_ref).order_by(o.position))
        with self._reader() as s:
            return [tuple(r) for r in s.execute(query)]

    def history(self, *, discrepancy_id: str | None = None, document_id: str | None = None,
                row_ref: str | None = None) -> list[ReviewDecision]:
        """Decisions about a flag, and/or about any value of a measure row, oldest first."""
        r = ReviewDecisionRow
        conds = []
        if discrepancy_id is not None:
            conds.append(r.discrepancy_id == discrepancy_id)
        if document_id is not None and row_ref is not None:
            keys = select(ObservationRow.key).where(ObservationRow.document_id == document_id,
                                                    ObservationRow.row_ref == row_ref)
            conds.append(r.observation_key.in_(keys))
            conds.append(r.observation_key == row_key(document_id, row_ref))
        if not conds:
            return []
        with self._reader() as s:
            return [records.to_decision(x) for x in s.scalars(select(r).where(or_(*conds)).order_by(r.id))]

    def audit(self, *, before_id: int | None = None, reviewer: str | None = None, action: str | None = None,
              limit: int = 100) -> list[ReviewDecision]:
        """The whole review log, newest first, keyset-paged by id."""
        r = ReviewDecisionRow
        query = select(r).order_by(r.id.desc()).limit(limit)
        if before_id is not None:
            query = query.where(r.id < before_id)
        if reviewer:
            query = query.where(r.reviewer == reviewer)
        if action:
            query = query.where(r.action == action)
        with self._reader() as s:
            return [records.to_decision(x) for x in s.scalars(query)]

    def observation_values(self, keys: list[str]) -> dict[str, tuple[str, float | None]]:
        """key -> (value_text, value) for the given observation keys (for showing from -> to)."""
        if not keys:
            return {}
        o = ObservationRow
        with self._reader() as s:
            return {k: (t, v) for k, t, v in s.execute(select(o.key, o.value_text, o.value).where(o.key.in_(keys)))}

    # Actions on a flag --------------------------------------------------------------------------------

    def decide(self, flag_id: str, action: str, reviewer: str, *, expected_version: int,
               reason: str | None = None) -> ReviewDecision:
        """Confirm or dismiss a flag (status and log in one transaction); ConflictError if it moved."""
        act = ReviewAction(action)
        if act not in (ReviewAction.confirm, ReviewAction.dismiss):
            raise ValueError(f"decide() takes confirm or dismiss, not {action}")
        decision = ReviewDecision(discrepancy_id=flag_id, action=act, reviewer=reviewer, reason=reason or None)
        return self.store.set_status(flag_id, STATUS_FOR_ACTION[act], expected_version, decision)

    def correct(self, flag_id: str, observation_key: str, value: float, reviewer: str, *,
                expected_version: int, reason: str | None = None) -> ReviewDecision:
        """Record the right value of one printed figure; the flag becomes 'corrected'."""
        with self._reader() as s:
            if s.get(ObservationRow, observation_key) is None:
                raise LookupError(f"no observation {observation_key}")
        decision = ReviewDecision(discrepancy_id=flag_id, observation_key=observation_key,
                                  action=ReviewAction.correct, reviewer=reviewer, corrected_value=value,
                                  reason=reason or None)
        return self.store.set_status(flag_id, "corrected", expected_version, decision)

    def comment(self, reviewer: str, text: str, *, flag_id: str | None = None,
                observation_key: str | None = None) -> ReviewDecision:
        text = text.strip()
        if not text:
            raise ValueError("a comment cannot be empty")
        return self.store.add_decision(ReviewDecision(
            discrepancy_id=flag_id, observation_key=observation_key, action=ReviewAction.comment,
            reviewer=reviewer, reason=text))

    def assignee(self, flag_id: str) -> str | None:
        with self._reader() as s:
            return s.scalar(select(FlagAssignmentRow.assignee).where(FlagAssignmentRow.discrepancy_id == flag_id))

    def assign(self, flag_id: str, assignee: str | None, by: str, *, expected: str | None) -> ReviewDecision:
        """Assign a flag (None: unassign). AssignmentConflict when its assignee is not `expected` any more."""
        assignee = assignee or None
        a = FlagAssignmentRow.__table__
        now = utcnow()
        with self._write() as s:
            if s.get(DiscrepancyRow, flag_id) is None:
                raise LookupError(f"no discrepancy {flag_id}")
            if assignee is not None and s.scalar(
                    select(UserRow.id).where(UserRow.username == assignee, UserRow.active.is_(True))) is None:
                raise ValueError(f"no active user {assignee!r}")
            current = s.scalar(select(a.c.assignee).where(a.c.discrepancy_id == flag_id))
            if current != (expected or None):
                raise AssignmentConflict(flag_id, expected or None, current)
            stmt = self.store._insert(a).values(discrepancy_id=flag_id, assignee=assignee, assigned_by=by,
                                                assigned_at=now)
            s.execute(stmt.on_conflict_do_update(
                index_elements=[a.c.discrepancy_id],
                set_={"assignee": stmt.excluded.assignee, "assigned_by": stmt.excluded.assigned_by,
                      "assigned_at": stmt.excluded.assigned_at}))
            decision = ReviewDecision(discrepancy_id=flag_id, action=ReviewAction.assign, reviewer=by,
                                      assignee=assignee, from_state=current or "(nobody)",
                                      to_state=assignee or "(nobody)", created_at=now)
            return self.store._append(s, decision)

    # Mapping -------------------------------------------------------------------------------------------

    def current_mapping(self, document_id: str, row_ref: str) -> tuple[str | None, str]:
        """(indicator_id, mapping_status) of a measure row, a reviewer's latest remap winning."""
        with self._reader() as s:
            return self._current_mapping(s, document_id, row_ref)

    def _current_mapping(self, s, document_id: str, row_ref: str) -> tuple[str | None, str]:
        r = ReviewDecisionRow
        keys = select(ObservationRow.key).where(ObservationRow.document_id == document_id,
                                                ObservationRow.row_ref == row_ref)
        remapped = s.execute(
            select(r.indicator_id).where(r.action == ReviewAction.remap.value,
                                         or_(r.observation_key.in_(keys),
                                             r.observation_key == row_key(document_id, row_ref)))
            .order_by(r.id.desc()).limit(1)
        ).first()
        if remapped is not None:
            return remapped.indicator_id or None, "reviewed"
        row = s.execute(select(MeasureRowRow.indicator_id, MeasureRowRow.mapping_status).where(
            MeasureRowRow.document_id == document_id, MeasureRowRow.row_ref == row_ref)).first()
        if row is None:
            raise LookupError(f"no measure row {row_key(document_id, row_ref)}")
        return row.indicator_id, row.mapping_status

    def remap(self, document_id: str, row_ref: str, indicator_id: str, reviewer: str, *,
              expected_indicator: str | None, flag_id: str | None = None, reason: str | None = None,
              save_alias: bool = False) -> list[ReviewDecision]:
        """Map a measure row to another catalogue indicator: one 'remap' decision per printed value (the export
        applies them by observation key), all in one transaction; optionally save the printed name as an alias
        so later runs map it the same way. MappingConflict when someone remapped it first."""
        if not indicator_id:
            raise ValueError("remap needs an indicator")
        now = utcnow()
        with self._write() as s:
            current, _status = self._current_mapping(s, document_id, row_ref)
            if (current or None) != (expected_indicator or None):
                raise MappingConflict(row_key(document_id, row_ref), expected_indicator or None, current)
            keys = s.scalars(select(ObservationRow.key).where(
                ObservationRow.document_id == document_id, ObservationRow.row_ref == row_ref)
                .order_by(ObservationRow.position)).all() or [row_key(document_id, row_ref)]
            out = []
            for key in keys:
                out.append(self.store._append(s, ReviewDecision(
                    discrepancy_id=flag_id, observation_key=key, action=ReviewAction.remap, reviewer=reviewer,
                    indicator_id=indicator_id, from_state=current or "(unmapped)", to_state=indicator_id,
                    reason=reason or None, created_at=now)))
            label = s.scalar(select(MeasureRowRow.row_label).where(
                MeasureRowRow.document_id == document_id, MeasureRowRow.row_ref == row_ref))
        if save_alias and label:
            self.store.add_alias(label, indicator_id, source="review", created_by=reviewer)
        return out

    def measures_for_review(self, *, after: tuple[str, int] | None = None, status: str | None = None,
                            paper: str | None = None, limit: int = 50) -> tuple[list[MeasureItem], tuple | None]:
        """Measure rows held for review (unmapped / needs_review) that no reviewer has remapped yet, in paper
        order; keyset by (document_id, position). Returns the items and the cursor of the next page."""
        m, doc = MeasureRowRow, DocumentRow
        statuses = (status,) if status in REVIEW_MAPPING_STATUSES else REVIEW_MAPPING_STATUSES
        remapped = _remapped(m)
        query = (select(m.document_id, m.row_ref, m.position, doc.file_name, doc.council, m.row_label,
                        m.mapping_status, m.indicator_id, m.payload)
                 .outerjoin(doc, doc.id == m.document_id)
                 .where(m.mapping_status.in_(statuses), ~remapped)
                 .order_by(m.document_id, m.position).limit(limit + 1))
        if paper:
            query = query.where(m.document_id == paper)
        if after is not None:
            query = query.where(or_(m.document_id > after[0], and_(m.document_id == after[0], m.position > after[1])))
        with self._reader() as s:
            rows = s.execute(query).all()
        items = [MeasureItem(document_id=x.document_id, row_ref=x.row_ref, file_name=x.file_name,
                             council=x.council, row_label=x.row_label, mapping_status=x.mapping_status,
                             indicator_id=x.indicator_id, candidates=list(x.payload.get("candidates") or []))
                 for x in rows[:limit]]
        nxt = (rows[limit - 1].document_id, rows[limit - 1].position) if len(rows) > limit else None
        return items, nxt

    def measures_count(self) -> dict[str, int]:
        """Measures still waiting for a mapping (held for review, not remapped yet), by mapping status."""
        m = MeasureRowRow
        with self._reader() as s:
            found = dict(s.execute(select(m.mapping_status, func.count())
                                   .where(m.mapping_status.in_(REVIEW_MAPPING_STATUSES), ~_remapped(m))
                                   .group_by(m.mapping_status)).all())
        return {k: found.get(k, 0) for k in REVIEW_MAPPING_STATUSES}

    # Bulk -----------------------------------------------------------------------------------------------

    def bulk_count(self, f: QueueFilter) -> int:
        """How many flags a bulk action over this filter would touch: the *open* ones among them."""
        d = DiscrepancyRow.__table__
        with self._reader() as s:
            return s.scalar(select(func.count()).select_from(d)
                            .where(*self._conditions(replace(f, status="open"))))

    def bulk_decide(self, f: QueueFilter, action: str, reviewer: str, *, expected_count: int,
                    reason: str | None = None) -> int:
        """Confirm or dismiss every open flag matching the filter, in one transaction, one logged decision per
        flag. Only open flags are touched, so nobody's earlier decision is overwritten; BulkConflict when the
        number of open flags matching differs from the preview the reviewer saw."""
        if action not in BULK_ACTIONS:
            raise ValueError(f"bulk action must be one of {sorted(BULK_ACTIONS)}")
        new_status = BULK_ACTIONS[action]
        d = DiscrepancyRow.__table__
        now = utcnow()
        with self._write() as s:
            ids = s.scalars(select(d.c.id).where(*self._conditions(replace(f, status="open")))
                            .order_by(d.c.id).with_for_update()).all()
            if len(ids) != expected_count:
                raise BulkConflict(expected_count, len(ids))
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                s.execute(update(d).where(d.c.id.in_(chunk), d.c.status == "open")
                          .values(status=new_status, version=d.c.version + 1))
                s.execute(insert(ReviewDecisionRow.__table__), [
                    {"discrepancy_id": i, "observation_key": None, "action": action, "reviewer": reviewer,
                     "reason": reason or None, "corrected_value": None, "indicator_id": None, "assignee": None,
                     "from_state": "open", "to_state": new_status, "created_at": now}
                    for i in chunk])
        return len(ids)


def _remapped(m) -> ColumnElement[bool]:
    """A measure row (correlated) that a reviewer has remapped: a remap decision on one of its printed values,
    or on the row itself when it has none."""
    r, o = ReviewDecisionRow, ObservationRow
    by_value = (select(literal(1)).select_from(r).join(o, o.key == r.observation_key)
                .where(r.action == ReviewAction.remap.value, o.document_id == m.document_id, o.row_ref == m.row_ref)
                .correlate(m))
    by_row = (select(literal(1)).select_from(r)
              .where(r.action == ReviewAction.remap.value, r.observation_key == m.document_id + literal(":") + m.row_ref)
              .correlate(m))
    return or_(by_value.exists(), by_row.exists())


__all__ = [
    "AssignmentConflict", "BulkConflict", "ConflictError", "Cursor", "FlagDetail", "MappingConflict",
    "MeasureItem", "QueueFilter", "QueueItem", "QueuePage", "ReviewStore", "SessionRecord", "UserRecord",
    "token_hash",
]
