"""The Store: papers, pages, extracted rows, observations, flags, review decisions and aliases.

Works on SQLite (a file, WAL) and PostgreSQL (psycopg 3), also inside a non-public schema
(put `-c search_path=...` in the URL's `options` or in `connect_args`).
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import case, create_engine, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from schemas import (
    Discrepancy,
    MeasureRow,
    Observation,
    Page,
    ReviewAction,
    ReviewDecision,
    SourceDocument,
)

from . import records
from .checks import check_decision, check_results
from .db import SQLITE_BUSY_TIMEOUT_MS, alembic_config, configure_sqlite, resolve_url
from .models import (
    DOCUMENT_STATES,
    FLAG_STATUSES,
    AliasRow,
    DiscrepancyRow,
    DocumentRow,
    MeasureRowRow,
    ObservationRow,
    PageRow,
    ReviewDecisionRow,
    utcnow,
)

CHUNK = 200  # rows per multi-VALUES upsert, well under SQLite's bound-parameter limit

# Review actions that settle a flag, and the status they give it.
STATUS_FOR_ACTION = {
    ReviewAction.confirm: "confirmed",
    ReviewAction.dismiss: "dismissed",
    ReviewAction.correct: "corrected",
}


class ConflictError(Exception):
    """A flag changed since the reviewer loaded it (its version moved); reload and decide again."""

    def __init__(self, discrepancy_id: str, expected_version: int, actual_version: int):
        self.discrepancy_id = discrepancy_id
        self.expected_version = expected_version
        self.actual_version = actual_version
        super().__init__(
            f"discrepancy {discrepancy_id} changed since it was loaded "
            f"(expected version {expected_version}, now {actual_version}); reload it and try again"
        )


@dataclass(frozen=True)
class StoredDiscrepancy:
    """A flag as stored: the record plus its review status and version."""

    discrepancy: Discrepancy
    status: str
    version: int
    first_seen: datetime
    last_seen: datetime


def normalise_alias(text: str) -> str:
    """The unique form of an alias: case-folded, whitespace folded."""
    return " ".join(text.casefold().split())


def row_key(document_id: str, row_ref: str) -> str:
    """Key of a measure row in remaps(): the paper's id and the row_ref."""
    return f"{document_id}:{row_ref}"


def _text(value: Any) -> Any:
    """Enum members as their value: psycopg would otherwise send an Enum's *name*."""
    return value.value if isinstance(value, Enum) else value


class Store:
    """All reads and writes of the database. Every write method is one transaction."""

    def __init__(self, url: str | URL | None = None, *, connect_args: dict[str, Any] | None = None):
        self.url = resolve_url(url)
        backend = self.url.get_backend_name()
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(f"unsupported database {backend!r}: use sqlite or postgresql")
        kwargs: dict[str, Any] = {"connect_args": dict(connect_args or {})}
        if backend == "sqlite":
            kwargs["connect_args"].setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
            if self.url.database in (None, "", ":memory:"):
                kwargs["poolclass"] = StaticPool  # one shared connection, else each sees an empty database
        self.engine = create_engine(self.url, **kwargs)
        if backend == "sqlite":
            configure_sqlite(self.engine)
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = self.engine.execution_options(scrutiny_write=True)
        self._write_sessions = sessionmaker(self._writer, expire_on_commit=False)
        self._insert = pg_insert if backend == "postgresql" else sqlite_insert

    # Lifecycle -------------------------------------------------------------------------------

    def migrate(self) -> None:
        """Bring the schema to the newest migration (a no-op when it is already there)."""
        config = alembic_config(self.url)
        with self._writer.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def current_revision(self) -> str | None:
        """The migration the database is at, None before migrate()."""
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def head_revision(self) -> str | None:
        """The newest migration shipped with the package."""
        return ScriptDirectory.from_config(alembic_config(self.url)).get_current_head()

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """One write transaction: commits on success, rolls back on any exception."""
        with self._write_sessions() as session, session.begin():
            yield session

    # Papers and pages --------------------------------------------------------------------------

    def get_document(self, document_id: str) -> SourceDocument | None:
        with self._reader() as s:
            row = s.get(DocumentRow, document_id)
            return records.to_document(row) if row else None

    def has_processed(self, document_id: str) -> bool:
        with self._reader() as s:
            return s.scalar(select(DocumentRow.state).where(DocumentRow.id == document_id)) == "processed"

    def save_ingested(self, document: SourceDocument, pages: list[Page]) -> None:
        """Upsert the paper and replace its pages.

        A paper already processed stays processed (same bytes, so its results still hold);
        otherwise it becomes 'ingested' and any earlier failure reason is cleared.
        """
        numbers = [p.number for p in pages]
        if any(p.document_id != document.id for p in pages):
            raise ValueError(f"save_ingested: every page must belong to document {document.id}")
        if len(set(numbers)) != len(numbers):
            raise ValueError(f"save_ingested: duplicate page numbers for document {document.id}")
        with self._write() as s:
            self._upsert_document(s, document, state="ingested", reason=None)
            s.execute(delete(PageRow).where(PageRow.document_id == document.id))
            if pages:
                s.execute(insert(PageRow), [records.page_values(p) for p in pages])

    def record_failure(self, document: SourceDocument, reason: str) -> bool:
        """Record that a paper failed, with the reason. Returns False (and changes nothing) when
        the same bytes were already processed successfully: a failure never downgrades results."""
        with self._write() as s:
            self._upsert_document(s, document, state="failed", reason=reason)
            state = s.scalar(select(DocumentRow.state).where(DocumentRow.id == document.id))
        return state == "failed"

    def _upsert_document(self, s: Session, document: SourceDocument, state: str, reason: str | None) -> None:
        now = utcnow()
        t = DocumentRow.__table__
        values = records.document_values(document) | {
            "state": state, "failure_reason": reason,
            "ingested_at": document.ingested_at or now, "updated_at": now,
        }
        stmt = self._insert(t).values(values)
        ex = stmt.excluded
        processed = t.c.state == "processed"
        changes: dict[str, Any] = {c: ex[c] for c in values if c not in ("id", "ingested_at")}
        changes["ingested_at"] = func.coalesce(t.c.ingested_at, ex.ingested_at)  # the first ingest counts
        changes["state"] = case((processed, t.c.state), else_=ex.state)
        changes["failure_reason"] = case((processed, t.c.failure_reason), else_=ex.failure_reason)
        # A failure leaves a processed paper's row untouched altogether.
        where = (t.c.state != "processed") if state == "failed" else None
        s.execute(stmt.on_conflict_do_update(index_elements=[t.c.id], set_=changes, where=where))

    def documents(self, state: str | None = None) -> list[SourceDocument]:
        query = select(DocumentRow).order_by(DocumentRow.file_name, DocumentRow.id)
        if state is not None:
            query = query.where(DocumentRow.state == _text(state))
        with self._reader() as s:
            return [records.to_document(r) for r in s.scalars(query)]

    def pages(self, document_id: str) -> list[Page]:
        query = select(PageRow).where(PageRow.document_id == document_id).order_by(PageRow.number)
        with self._reader() as s:
            return [records.to_page(r) for r in s.scalars(query)]

    # Results -------------------------------------------------------------------------------------

    def save_results(
        self,
        document_id: str,
        rows: list[MeasureRow],
        observations: list[Observation],
        discrepancies: list[Discrepancy],
    ) -> None:
        """Store one paper's results in one transaction, and mark the paper processed.

        Rows and observations are replaced. Flags are upserted by id, keeping their review
        status, version and first_seen; an open flag not raised this time goes 'stale', and a
        stale flag raised again reopens. Re-running with the same input changes nothing but last_seen.
        """
        check_results(document_id, rows, observations, discrepancies)
        with self._write() as s:
            # FOR UPDATE: concurrent saves of the same paper queue up (PostgreSQL; SQLite's
            # BEGIN IMMEDIATE already serialises writers).
            doc = s.scalars(select(DocumentRow).where(DocumentRow.id == document_id).with_for_update()).first()
            if doc is None:
                raise LookupError(f"document {document_id} is not stored: save_ingested() it first")
            s.execute(delete(MeasureRowRow).where(MeasureRowRow.document_id == document_id))
            s.execute(delete(ObservationRow).where(ObservationRow.document_id == document_id))
            if rows:
                s.execute(insert(MeasureRowRow), [records.measure_row_values(r, i) for i, r in enumerate(rows)])
            if observations:
                s.execute(
                    insert(ObservationRow), [records.observation_values(o, i) for i, o in enumerate(observations)]
                )
            self._merge_flags(s, document_id, discrepancies)
            doc.state, doc.failure_reason, doc.updated_at = "processed", None, utcnow()

    def _merge_flags(self, s: Session, document_id: str, flags: Sequence[Discrepancy]) -> None:
        now = utcnow()
        t = DiscrepancyRow.__table__
        stale = t.c.status == "stale"
        values = [
            records.discrepancy_values(f) | {"status": "open", "version": 1, "first_seen": now, "last_seen": now}
            for f in flags
        ]
        for start in range(0, len(values), CHUNK):
            stmt = self._insert(t).values(values[start:start + CHUNK])
            ex = stmt.excluded
            changes: dict[str, Any] = {c: ex[c] for c in records.DISCREPANCY_COLUMNS if c != "id"}
            changes |= {
                "payload": ex.payload,
                "last_seen": ex.last_seen,
                "status": case((stale, "open"), else_=t.c.status),
                "version": case((stale, t.c.version + 1), else_=t.c.version),
            }
            s.execute(stmt.on_conflict_do_update(index_elements=[t.c.id], set_=changes))
        # Only open flags go stale: a person's decision on a flag outlives the flag.
        s.execute(
            update(t)
            .where(t.c.document_id == document_id, t.c.status == "open", t.c.id.not_in([f.id for f in flags]))
            .values(status="stale", version=t.c.version + 1)
        )

    def measure_rows(self, document_id: str | None = None) -> list[MeasureRow]:
        query = select(MeasureRowRow.payload).order_by(MeasureRowRow.document_id, MeasureRowRow.position)
        if document_id is not None:
            query = query.where(MeasureRowRow.document_id == document_id)
        with self._reader() as s:
            return [records.to_measure_row(p) for p in s.scalars(query)]

    def observations(self, document_id: str | None = None) -> list[Observation]:
        query = select(ObservationRow).order_by(ObservationRow.document_id, ObservationRow.position)
        if document_id is not None:
            query = query.where(ObservationRow.document_id == document_id)
        with self._reader() as s:
            return [records.to_observation(r) for r in s.scalars(query)]

    def discrepancies(
        self,
        document_id: str | None = None,
        rule: str | None = None,
        severity: str | None = None,
        status: str | None = None,
    ) -> list[StoredDiscrepancy]:
        """Flags with their review status, filtered by any of the arguments."""
        d = DiscrepancyRow
        # coalesce: NULLs sort first on SQLite and last on PostgreSQL; keep one order everywhere.
        query = select(d).order_by(
            d.document_id, func.coalesce(d.page, 0), func.coalesce(d.row_ref, ""), d.rule, d.id
        )
        filters = ((d.document_id, document_id), (d.rule, rule), (d.severity, severity), (d.status, status))
        for column, wanted in filters:
            if wanted is not None:
                query = query.where(column == _text(wanted))
        with self._reader() as s:
            return [_stored(r) for r in s.scalars(query)]

    def get_discrepancy(self, discrepancy_id: str) -> StoredDiscrepancy | None:
        with self._reader() as s:
            row = s.get(DiscrepancyRow, discrepancy_id)
            return _stored(row) if row else None

    def counts(self) -> dict[str, Any]:
        """Summary numbers for reports: papers_by_state, pages, ocr_pages, measure_rows, observations,
        mapped_observations, flags_by_rule, flags_by_status and failures [(file_name, reason)].

        `mapped_observations` counts mapping_status auto or reviewed; flags_by_rule leaves out stale flags.
        """
        with self._reader() as s:
            papers = dict.fromkeys(DOCUMENT_STATES, 0)
            papers |= dict(s.execute(select(DocumentRow.state, func.count()).group_by(DocumentRow.state)).all())
            live = DiscrepancyRow.status != "stale"
            return {
                "papers_by_state": papers,
                "pages": s.scalar(select(func.count()).select_from(PageRow)),
                "ocr_pages": s.scalar(select(func.count()).select_from(PageRow).where(PageRow.ocr.is_(True))),
                "measure_rows": s.scalar(select(func.count()).select_from(MeasureRowRow)),
                "observations": s.scalar(select(func.count()).select_from(ObservationRow)),
                "mapped_observations": s.scalar(
                    select(func.count()).select_from(ObservationRow)
                    .where(ObservationRow.mapping_status.in_(["auto", "reviewed"]))
                ),
                "flags_by_rule": dict(s.execute(
                    select(DiscrepancyRow.rule, func.count()).where(live)
                    .group_by(DiscrepancyRow.rule).order_by(DiscrepancyRow.rule)
                ).all()),
                "flags_by_status": dict(s.execute(
                    select(DiscrepancyRow.status, func.count()).group_by(DiscrepancyRow.status)
                ).all()),
                "failures": [tuple(r) for r in s.execute(
                    select(DocumentRow.file_name, DocumentRow.failure_reason)
                    .where(DocumentRow.state == "failed").order_by(DocumentRow.file_name)
                ).all()],
            }

    # Review ----------------------------------------------------------------------------------------

    def add_decision(self, decision: ReviewDecision, expected_version: int | None = None) -> ReviewDecision:
        """Append a decision to the audit log and return it as stored (id, created_at set).

        confirm/dismiss/correct on a flag also set its status (see set_status); pass the
        version the reviewer saw as `expected_version` to detect concurrent changes.
        """
        check_decision(decision)
        new_status = STATUS_FOR_ACTION.get(decision.action)
        with self._write() as s:
            if new_status and decision.discrepancy_id:
                return self._set_status(s, decision.discrepancy_id, new_status, expected_version, decision)
            return self._append(s, decision)

    def set_status(
        self, discrepancy_id: str, new_status: str, expected_version: int | None, decision: ReviewDecision
    ) -> ReviewDecision:
        """Set a flag's status and log `decision` with it, in one transaction.

        Raises ConflictError when `expected_version` is given and the flag's version has moved.
        """
        if new_status not in FLAG_STATUSES:
            raise ValueError(f"unknown status {new_status!r}; expected one of {FLAG_STATUSES}")
        if decision.discrepancy_id not in (None, discrepancy_id):
            raise ValueError("set_status: the decision is about a different discrepancy")
        with self._write() as s:
            return self._set_status(s, discrepancy_id, new_status, expected_version, decision)

    def _set_status(
        self, s: Session, flag_id: str, status: str, expected_version: int | None, decision: ReviewDecision
    ) -> ReviewDecision:
        t = DiscrepancyRow.__table__
        # Locked until commit, so from_state is exact and nobody slips in between.
        current = s.execute(select(t.c.status, t.c.version).where(t.c.id == flag_id).with_for_update()).first()
        if current is None:
            raise LookupError(f"no discrepancy {flag_id}")
        version = current.version if expected_version is None else expected_version
        if version != current.version:
            raise ConflictError(flag_id, version, current.version)
        result = s.execute(
            update(t).where(t.c.id == flag_id, t.c.version == version).values(status=status, version=version + 1)
        )
        if result.rowcount != 1:  # cannot happen under the lock; kept as the guard it documents
            raise ConflictError(flag_id, version, current.version)
        changes = {"discrepancy_id": flag_id, "from_state": current.status, "to_state": status}
        return self._append(s, decision.model_copy(update=changes))

    def _append(self, s: Session, decision: ReviewDecision) -> ReviewDecision:
        if decision.discrepancy_id and s.get(DiscrepancyRow, decision.discrepancy_id) is None:
            raise LookupError(f"no discrepancy {decision.discrepancy_id}")
        values = decision.model_dump(mode="python", exclude={"id"})
        values["action"] = decision.action.value
        values["created_at"] = decision.created_at or utcnow()
        row = ReviewDecisionRow(**values)
        s.add(row)
        s.flush()  # assigns the id
        return records.to_decision(row)

    def decisions(self, discrepancy_id: str | None = None, observation_key: str | None = None) -> list[ReviewDecision]:
        """The audit log, oldest first, optionally for one flag and/or one observation."""
        query = select(ReviewDecisionRow).order_by(ReviewDecisionRow.id)
        if discrepancy_id is not None:
            query = query.where(ReviewDecisionRow.discrepancy_id == discrepancy_id)
        if observation_key is not None:
            query = query.where(ReviewDecisionRow.observation_key == observation_key)
        with self._reader() as s:
            return [records.to_decision(r) for r in s.scalars(query)]

    def corrections(self) -> dict[str, float]:
        """observation key -> corrected value, from the latest 'correct' decision per key."""
        r = ReviewDecisionRow
        query = (
            select(r.observation_key, r.corrected_value)
            .where(r.action == ReviewAction.correct.value)
            .where(r.observation_key.is_not(None), r.corrected_value.is_not(None))
            .order_by(r.id)
        )
        with self._reader() as s:
            return {key: value for key, value in s.execute(query)}  # later rows overwrite earlier ones

    def remaps(self) -> dict[str, str]:
        """key -> indicator_id from the latest 'remap' decision per key.

        The key is the decision's observation_key when it has one, else the row_key() of the
        flag's measure row (document_id:row_ref).
        """
        r, d = ReviewDecisionRow, DiscrepancyRow
        query = (
            select(r.observation_key, d.document_id, d.row_ref, r.indicator_id)
            .outerjoin(d, d.id == r.discrepancy_id)
            .where(r.action == ReviewAction.remap.value, r.indicator_id.is_not(None))
            .order_by(r.id)
        )
        out: dict[str, str] = {}
        with self._reader() as s:
            for obs_key, doc_id, row_ref, indicator_id in s.execute(query):
                key = obs_key or (row_key(doc_id, row_ref) if doc_id and row_ref else None)
                if key:
                    out[key] = indicator_id
        return out

    # Aliases ----------------------------------------------------------------------------------------

    def add_alias(self, alias: str, indicator_id: str, source: str = "cli", created_by: str | None = None) -> None:
        """Record that `alias` means `indicator_id`. An alias equal after normalise_alias() is
        replaced (latest wins; the review log keeps the history); created_at stays the first."""
        normalised = normalise_alias(alias)
        if not normalised:
            raise ValueError("an alias cannot be empty")
        t = AliasRow.__table__
        stmt = self._insert(t).values(
            normalised=normalised, alias=alias.strip(), indicator_id=indicator_id,
            source=source, created_by=created_by, created_at=utcnow(),
        )
        ex = stmt.excluded
        changes = {"alias": ex.alias, "indicator_id": ex.indicator_id, "source": ex.source, "created_by": ex.created_by}
        with self._write() as s:
            s.execute(stmt.on_conflict_do_update(index_elements=[t.c.normalised], set_=changes))

    def aliases(self) -> dict[str, str]:
        """alias (as added) -> indicator_id, oldest first."""
        with self._reader() as s:
            return dict(s.execute(select(AliasRow.alias, AliasRow.indicator_id).order_by(AliasRow.id)).all())


def _stored(row: DiscrepancyRow) -> StoredDiscrepancy:
    return StoredDiscrepancy(
        discrepancy=records.to_discrepancy(row), status=row.status, version=row.version,
        first_seen=row.first_seen, last_seen=row.last_seen,
    )
