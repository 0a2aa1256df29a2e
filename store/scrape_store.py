"""Reads and writes of the scraper's tables (store/scrape_models.py), on the store's own engine.

    with Store(url) as store:
        store.migrate()
        scrape = ScrapeStore(store)
        run_id = scrape.start_run("kent", date(2025, 1, 1), date(2025, 2, 1), "window")
        ...
        scrape.finish_run(run_id, status="ok", counts={...}, details={...})
        scrape.last_runs()        # each council's newest run

Every write is one transaction (BEGIN IMMEDIATE on SQLite, like the Store), so the scraper and the pipeline
can write from several threads at once.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from .models import DocumentRow, utcnow
from .scrape_models import AttachmentRow, CouncilRow, ScrapeMeetingRow, ScrapeRunRow
from .store import Store


@dataclass(frozen=True)
class AttachmentRecord:
    council: str
    key: str
    attachment_id: str | None
    kind: str
    meeting_id: str | None
    committee: str | None
    meeting_date: date | None
    title: str
    url: str
    status: str
    failure_reason: str | None
    attempts: int
    http_status: int | None
    content_type: str | None
    byte_size: int | None
    sha256: str | None
    duplicate_of: str | None
    file_path: str | None
    document_id: str | None
    first_seen: datetime
    last_seen: datetime
    fetched_at: datetime | None
    last_run_id: int | None


@dataclass(frozen=True)
class RunRecord:
    id: int
    council: str
    mode: str
    window_from: date
    window_to: date
    status: str
    source: str | None
    started_at: datetime
    finished_at: datetime | None
    meetings: int
    found: int
    new: int
    skipped: int
    failed: int
    requests: int
    error: str | None
    details: dict[str, Any]

    @property
    def seconds(self) -> float | None:
        return (self.finished_at - self.started_at).total_seconds() if self.finished_at else None


@dataclass(frozen=True)
class MeetingRecord:
    council: str
    meeting_id: str
    committee_id: str | None
    committee: str | None
    meeting_date: date | None
    url: str | None
    status: str
    failure_reason: str | None
    attempts: int
    documents: int
    first_seen: datetime
    last_seen: datetime


def _record(cls, row):
    return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})


class ScrapeStore:
    """The scraper's view of a Store."""

    def __init__(self, store: Store):
        self.store = store
        engine = store.engine
        self._reader = sessionmaker(engine, expire_on_commit=False)
        self._writes = sessionmaker(engine.execution_options(scrutiny_write=True), expire_on_commit=False)
        self._insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with self._writes() as session, session.begin():
            yield session

    # Councils ------------------------------------------------------------------------------------------

    def sync_council(self, slug: str, name: str, platform: str, base_url: str) -> None:
        """Insert or update a council's row from the config."""
        now = utcnow()
        t = CouncilRow.__table__
        stmt = self._insert(t).values(slug=slug, name=name, platform=platform, base_url=base_url,
                                      created_at=now, updated_at=now)
        ex = stmt.excluded
        with self._write() as s:
            # A council renamed in the config keeps its slug; a name taken by another slug is freed first.
            s.execute(update(t).where(t.c.name == name, t.c.slug != slug).values(name=t.c.slug))
            s.execute(stmt.on_conflict_do_update(index_elements=[t.c.slug], set_={
                "name": ex.name, "platform": ex.platform, "base_url": ex.base_url, "updated_at": ex.updated_at}))

    def councils(self) -> list[dict[str, Any]]:
        with self._reader() as s:
            return [{"slug": r.slug, "name": r.name, "platform": r.platform, "base_url": r.base_url}
                    for r in s.scalars(select(CouncilRow).order_by(CouncilRow.name))]

    # Runs ------------------------------------------------------------------------------------------------

    def start_run(self, council: str, window_from: date, window_to: date, mode: str) -> int:
        with self._write() as s:
            row = ScrapeRunRow(council=council, mode=mode, window_from=window_from, window_to=window_to,
                               status="running", started_at=utcnow(), details={})
            s.add(row)
            s.flush()
            return row.id

    def finish_run(self, run_id: int, *, status: str, source: str | None, counts: dict[str, int],
                   details: dict[str, Any], error: str | None = None) -> RunRecord:
        with self._write() as s:
            row = s.get(ScrapeRunRow, run_id)
            if row is None:
                raise LookupError(f"no scrape run {run_id}")
            row.status, row.source, row.error, row.details = status, source, error, details
            row.finished_at = utcnow()
            for name in ("meetings", "found", "new", "skipped", "failed", "requests"):
                setattr(row, name, int(counts.get(name, 0)))
            s.flush()
            return _record(RunRecord, row)

    def runs(self, council: str | None = None, limit: int | None = None) -> list[RunRecord]:
        """Runs, newest first."""
        query = select(ScrapeRunRow).order_by(ScrapeRunRow.started_at.desc(), ScrapeRunRow.id.desc())
        if council is not None:
            query = query.where(ScrapeRunRow.council == council)
        if limit is not None:
            query = query.limit(limit)
        with self._reader() as s:
            return [_record(RunRecord, r) for r in s.scalars(query)]

    def last_runs(self) -> dict[str, RunRecord]:
        """Each council's newest run (running ones included), by council slug."""
        newest = (select(ScrapeRunRow.council, func.max(ScrapeRunRow.id).label("id"))
                  .group_by(ScrapeRunRow.council).subquery())
        query = select(ScrapeRunRow).join(newest, newest.c.id == ScrapeRunRow.id)
        with self._reader() as s:
            return {r.council: _record(RunRecord, r) for r in s.scalars(query)}

    # Meetings ----------------------------------------------------------------------------------------------

    def meetings(self, council: str) -> dict[str, MeetingRecord]:
        query = select(ScrapeMeetingRow).where(ScrapeMeetingRow.council == council)
        with self._reader() as s:
            return {r.meeting_id: _record(MeetingRecord, r) for r in s.scalars(query)}

    def record_meeting(self, council: str, meeting_id: str, *, committee_id: str | None, committee: str | None,
                       meeting_date: date | None, url: str | None, ok: bool, reason: str | None = None,
                       documents: int = 0) -> None:
        """A meeting read (ok) or not (with the reason); a failed meeting counts an attempt."""
        now = utcnow()
        t = ScrapeMeetingRow.__table__
        values = {"council": council, "meeting_id": meeting_id, "committee_id": committee_id,
                  "committee": committee, "meeting_date": meeting_date, "url": url,
                  "status": "ok" if ok else "failed", "failure_reason": None if ok else reason,
                  "attempts": 0 if ok else 1, "documents": documents, "first_seen": now, "last_seen": now}
        stmt = self._insert(t).values(values)
        ex = stmt.excluded
        changes = {c: ex[c] for c in ("status", "failure_reason", "last_seen")}
        changes |= {c: func.coalesce(ex[c], t.c[c]) for c in ("committee_id", "committee", "meeting_date", "url")}
        changes["attempts"] = 0 if ok else t.c.attempts + 1
        changes["documents"] = ex.documents if ok else t.c.documents
        with self._write() as s:
            s.execute(stmt.on_conflict_do_update(index_elements=[t.c.council, t.c.meeting_id], set_=changes))

    def failed_meetings(self, council: str, max_attempts: int) -> list[MeetingRecord]:
        """Meetings that could not be read and are still worth another try."""
        query = select(ScrapeMeetingRow).where(
            ScrapeMeetingRow.council == council, ScrapeMeetingRow.status == "failed",
            ScrapeMeetingRow.attempts < max_attempts)
        with self._reader() as s:
            return [_record(MeetingRecord, r) for r in s.scalars(query)]

    # Attachments -------------------------------------------------------------------------------------------

    def attachments(self, council: str | None = None, status: str | Iterable[str] | None = None
                    ) -> list[AttachmentRecord]:
        query = select(AttachmentRow).order_by(AttachmentRow.council, AttachmentRow.key)
        if council is not None:
            query = query.where(AttachmentRow.council == council)
        if isinstance(status, str):
            query = query.where(AttachmentRow.status == status)
        elif status is not None:
            query = query.where(AttachmentRow.status.in_(list(status)))
        with self._reader() as s:
            return [_record(AttachmentRecord, r) for r in s.scalars(query)]

    def get_attachment(self, council: str, key: str) -> AttachmentRecord | None:
        with self._reader() as s:
            row = s.get(AttachmentRow, (council, key))
            return _record(AttachmentRecord, row) if row else None

    def record_seen(self, council: str, run_id: int, links: Iterable[Any]) -> None:
        """Insert newly found attachments as 'discovered'; refresh last_seen (and title, URL, meeting) of known
        ones without touching their status. `links` are scrape.base.PaperLink (duck-typed)."""
        now = utcnow()
        t = AttachmentRow.__table__
        values = [{
            "council": council, "key": link.key, "attachment_id": link.attachment_id, "kind": link.kind,
            "meeting_id": link.meeting_id, "committee": link.committee, "meeting_date": link.meeting_date,
            "title": link.title, "url": link.url, "status": "discovered", "attempts": 0,
            "first_seen": now, "last_seen": now, "last_run_id": run_id,
        } for link in links]
        if not values:
            return
        with self._write() as s:
            for start in range(0, len(values), 200):
                stmt = self._insert(t).values(values[start:start + 200])
                ex = stmt.excluded
                changes = {c: ex[c] for c in ("title", "url", "last_seen", "last_run_id")}
                # The first meeting an attachment was seen in stays its meeting.
                changes |= {c: func.coalesce(t.c[c], ex[c]) for c in ("meeting_id", "committee", "meeting_date")}
                s.execute(stmt.on_conflict_do_update(index_elements=[t.c.council, t.c.key], set_=changes))

    def mark_skipped(self, council: str, key: str, reason: str) -> None:
        """Deliberately not fetched (e.g. a meeting pack whose reports are listed); only from discovered."""
        a = AttachmentRow
        with self._write() as s:
            s.execute(update(a).where(a.council == council, a.key == key, a.status == "discovered")
                      .values(status="skipped", failure_reason=reason))

    def record_fetched(self, council: str, key: str, *, sha256: str, byte_size: int, content_type: str | None,
                       http_status: int | None, file_path: str, run_id: int | None) -> str | None:
        """Record a fetched paper. Returns None when it is new (status 'downloaded'), else the key
        ("council/key") of the attachment that already holds the same bytes (status 'duplicate')."""
        a = AttachmentRow
        base = {"sha256": sha256, "byte_size": byte_size, "content_type": content_type, "http_status": http_status,
                "failure_reason": None, "fetched_at": utcnow(), "last_run_id": run_id,
                "attempts": a.attempts + 1}
        holder = self.holder_of(sha256, exclude=(council, key))
        if holder is None:
            try:
                with self._write() as s:
                    s.execute(update(a).where(a.council == council, a.key == key)
                              .values(**base, status="downloaded", file_path=file_path, duplicate_of=None))
                return None
            except IntegrityError:  # someone else kept the same bytes a moment ago
                holder = self.holder_of(sha256, exclude=(council, key))
        with self._write() as s:
            s.execute(update(a).where(a.council == council, a.key == key)
                      .values(**base, status="duplicate", duplicate_of=holder, file_path=None))
        return holder

    def holder_of(self, sha256: str, exclude: tuple[str, str] | None = None) -> str | None:
        """'council/key' of the downloaded attachment with these bytes; None when no attachment has them."""
        a = AttachmentRow
        query = select(a.council, a.key).where(a.sha256 == sha256, a.status == "downloaded")
        with self._reader() as s:
            for council, key in s.execute(query):
                if exclude is None or (council, key) != exclude:
                    return f"{council}/{key}"
        return None

    def record_fetch_failure(self, council: str, key: str, reason: str, *, permanent: bool,
                             http_status: int | None = None, run_id: int | None = None) -> None:
        """A fetch that failed: 'failed' (retried by later runs) or 'rejected' (not retried). A paper already
        downloaded is never downgraded."""
        a = AttachmentRow
        with self._write() as s:
            s.execute(update(a).where(a.council == council, a.key == key, a.status != "downloaded").values(
                status="rejected" if permanent else "failed", failure_reason=reason, http_status=http_status,
                attempts=a.attempts + 1, last_run_id=run_id, fetched_at=utcnow()))

    def record_refetch_needed(self, council: str, key: str, reason: str) -> None:
        """A downloaded paper whose file has gone before the pipeline took it: fetch it again."""
        a = AttachmentRow
        with self._write() as s:
            s.execute(update(a).where(a.council == council, a.key == key).values(
                status="discovered", failure_reason=reason, file_path=None, sha256=None))

    def record_processed(self, council: str, key: str, document_id: str | None) -> None:
        """The pipeline took the paper (processed, skipped as same bytes, or failed with its reason there)."""
        a = AttachmentRow
        with self._write() as s:
            s.execute(update(a).where(a.council == council, a.key == key).values(document_id=document_id))

    def document_state(self, document_id: str) -> str | None:
        with self._reader() as s:
            return s.scalar(select(DocumentRow.state).where(DocumentRow.id == document_id))
