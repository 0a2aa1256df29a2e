"""One council's scrape: discover, decide what to fetch, fetch each paper once, and keep a run log.

The steps are separate so the Prefect flow (flows/scrape.py) can run them as tasks and send each new paper
depth-first through the pipeline; `scrape_council` runs them in order without Prefect (tests, bench):

    plan = discover_council(council, settings, scrape_store, client, window)   # meetings -> candidate papers
    for job in plan.jobs:
        fetched = fetch_paper(job, client, scrape_store, papers_dir, plan.run_id)   # bytes -> file, sha256
        ... process fetched.path ...                                             # the pipeline, optional
    run = finish_run(scrape_store, plan, results, client.requests)              # the run log

What is fetched: every candidate (a report whose title matches the document patterns, on a meeting of a
followed committee in the window; a meeting pack only by the `packs` rule) not already downloaded, and every
earlier attachment or meeting that failed and has attempts left, whether or not it is in this window; so a
run picks up where the last one left off. A paper is fetched once per attachment key and kept once per sha256.
"""
from __future__ import annotations

import logging
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from store import Store
from store.scrape_store import AttachmentRecord, RunRecord, ScrapeStore

from .base import Meeting, PaperLink, Window, matches, safe_name
from .config import CouncilConfig, ScrapeConfig, ScrapeSettings
from .generic import GenericAdapter
from .http import FetchError, PoliteClient
from .moderngov import ModernGovAdapter

log = logging.getLogger(__name__)

SKIP_STORED = "already stored"
SKIP_PACK = "meeting pack: the meeting's reports are listed, and fetched, one by one"
SKIP_PACK_NEVER = "meeting pack: packs are not fetched (packs: never)"
SETTLED_DAYS = 90  # a meeting read this long after it took place will not change: not read again


@dataclass(frozen=True)
class PaperJob:
    """One paper to fetch (fetch=True) or, already fetched, to hand to the pipeline (fetch=False)."""

    council: str  # slug
    council_name: str
    key: str
    url: str
    title: str
    committee: str | None = None
    meeting_date: date | None = None
    fetch: bool = True
    file_path: str | None = None

    def meta(self) -> dict[str, Any]:
        """What process_paper takes from a papers.yaml entry."""
        return {"council": self.council_name, "title": self.title, "meeting_date": self.meeting_date,
                "source": self.url, "committee": self.committee}


@dataclass(frozen=True)
class FetchResult:
    job: PaperJob
    state: str  # new | duplicate | failed | rejected | stored (fetched by an earlier run)
    reason: str | None = None
    path: Path | None = None
    sha256: str | None = None

    @property
    def ready(self) -> bool:
        """There is a file for the pipeline."""
        return self.state in ("new", "stored") and self.path is not None


@dataclass
class CouncilPlan:
    council: CouncilConfig
    run_id: int
    window: Window
    source: str | None = None
    meetings: int = 0
    found: int = 0
    jobs: list[PaperJob] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    failures: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ignored: int = 0  # documents whose titles match no document pattern
    settled: int = 0
    error: str | None = None
    started: float = field(default_factory=time.perf_counter)


@dataclass
class CouncilResult:
    """A finished run: the run log as stored, each fetch, and the pipeline's outcome per paper key."""

    run: RunRecord
    fetched: list[FetchResult] = field(default_factory=list)
    processed: dict[str, Any] = field(default_factory=dict)

    @property
    def new(self) -> list[FetchResult]:
        return [f for f in self.fetched if f.state == "new"]


def make_adapter(council: CouncilConfig, client: PoliteClient):
    if council.platform == "moderngov":
        return ModernGovAdapter(council, client)
    return GenericAdapter(council, client)


def window_for(settings: ScrapeSettings, since: date | None = None, until: date | None = None,
               today: date | None = None) -> Window:
    """The rolling window (weeks_back / weeks_forward around today), or a backfill between since and until."""
    if since is None and until is None:
        start, end = settings.window(today)
        return Window(start, end, "window")
    today = today or date.today()
    end = until or today + timedelta(weeks=settings.weeks_forward)
    start = since or end - timedelta(weeks=settings.weeks_back)
    if start > end:
        raise ValueError(f"--since {start} is after --until {end}")
    return Window(start, end, "backfill")


def wanted_title(council: CouncilConfig, title: str) -> bool:
    return matches(council.documents, title) and not matches(council.exclude_documents, title)


# Discovery ----------------------------------------------------------------------------------------------

def discover_council(council: CouncilConfig, settings: ScrapeSettings, scrape: ScrapeStore, client: PoliteClient,
                     window: Window, process: bool = True) -> CouncilPlan:
    """Find the council's meetings and papers, record them, and plan the fetches (with process=True, also the
    papers fetched earlier that the pipeline has not taken yet). Never raises for the site: a council whose
    meetings cannot be listed gets plan.error (the run is then 'failed')."""
    scrape.sync_council(council.slug, council.name, council.platform, council.base_url)
    plan = CouncilPlan(council=council, run_id=scrape.start_run(council.slug, window.start, window.end, window.mode),
                       window=window)
    adapter = make_adapter(council, client)
    try:
        meetings = adapter.meetings(window)
    except FetchError as error:
        plan.source = "html" if adapter.source == "html" else None  # None: nothing could be read at all
        plan.notes = list(adapter.notes)
        plan.error = f"could not list meetings: {error.reason}"
        return plan
    plan.source = adapter.source
    if not meetings:
        plan.notes.append(f"no meetings of the followed committees between {window.start} and {window.end} "
                          "(not an error: check the council's calendar if some were expected)")
    known = scrape.meetings(council.slug)
    listed = {m.id for m in meetings}
    retries = [Meeting(id=m.meeting_id, committee=m.committee, date=m.meeting_date, committee_id=m.committee_id,
                       url=m.url)
               for m in scrape.failed_meetings(council.slug, settings.max_attempts) if m.meeting_id not in listed]
    if retries:
        plan.notes.append(f"retrying {len(retries)} meeting(s) that could not be read before")

    candidates: dict[str, PaperLink] = {}
    packs_skipped: dict[str, tuple[PaperLink, str]] = {}
    for meeting in meetings + retries:
        record = known.get(meeting.id)
        if record is not None and record.status == "ok" and _settled(record.meeting_date, record.last_seen.date()):
            plan.settled += 1
            continue
        plan.meetings += 1
        try:
            papers = adapter.papers(meeting)
        except FetchError as error:
            scrape.record_meeting(council.slug, meeting.id, committee_id=meeting.committee_id,
                                  committee=meeting.committee, meeting_date=meeting.date, url=meeting.url,
                                  ok=False, reason=error.reason)
            plan.failures.append({"meeting": meeting.id, "url": meeting.url,
                                  "reason": f"meeting could not be read: {error.reason}"})
            continue
        scrape.record_meeting(council.slug, meeting.id, committee_id=meeting.committee_id,
                              committee=meeting.committee, meeting_date=meeting.date, url=meeting.url, ok=True,
                              documents=len(papers))
        reports = [p for p in papers if p.kind == "report"]
        for paper in reports:
            if wanted_title(council, paper.title):
                candidates.setdefault(paper.key, paper)
            else:
                plan.ignored += 1
        for pack in (p for p in papers if p.kind == "pack"):
            if council.packs == "always" or (council.packs == "if_no_reports" and not reports):
                candidates.setdefault(pack.key, pack)
            elif pack.key not in candidates:
                packs_skipped[pack.key] = (pack, SKIP_PACK if council.packs == "if_no_reports" else SKIP_PACK_NEVER)
    plan.notes.extend(adapter.notes)
    if plan.settled:
        plan.notes.append(f"{plan.settled} settled meeting(s) (read more than {SETTLED_DAYS} days after they "
                          "took place) not read again")
    for key in candidates:
        packs_skipped.pop(key, None)

    scrape.record_seen(council.slug, plan.run_id, [*candidates.values(), *(p for p, _ in packs_skipped.values())])
    for key, (_, reason) in packs_skipped.items():
        scrape.mark_skipped(council.slug, key, reason)
    plan.found = len(candidates) + len(packs_skipped)
    _plan_fetches(plan, settings, scrape, set(candidates), packs_skipped, process)
    return plan


def _settled(meeting_date: date | None, read_on: date) -> bool:
    return meeting_date is not None and (read_on - meeting_date).days > SETTLED_DAYS


def _plan_fetches(plan: CouncilPlan, settings: ScrapeSettings, scrape: ScrapeStore, wanted: set[str],
                  packs_skipped: dict[str, Any], process: bool) -> None:
    council = plan.council
    for record in scrape.attachments(council.slug):
        seen = record.key in wanted or record.key in packs_skipped
        status = record.status
        if status == "downloaded":
            if record.file_path and os.path.exists(record.file_path):
                if seen:
                    plan.skipped[SKIP_STORED] += 1
                if process and record.document_id is None:  # fetched, never processed: do that now
                    plan.jobs.append(_job(council, record, fetch=False))
            elif record.document_id and scrape.document_state(record.document_id) == "processed":
                if seen:
                    plan.skipped[SKIP_STORED + " (processed; file since removed)"] += 1
            else:
                scrape.record_refetch_needed(council.slug, record.key, "the stored copy had gone: fetched again")
                plan.notes.append(f"{record.key}: the stored copy had gone before it was processed; fetched again")
                plan.jobs.append(_job(council, record))
        elif status == "duplicate":
            if seen:
                plan.skipped[f"same bytes as {record.duplicate_of}"] += 1
        elif status == "skipped":
            if record.key in wanted:  # a pack now wanted (the meeting lost its reports, or packs: always)
                plan.jobs.append(_job(council, record))
            elif seen:
                plan.skipped[packs_skipped[record.key][1] if record.key in packs_skipped else record.failure_reason
                             or "skipped"] += 1
        elif status == "rejected":
            if seen:
                plan.skipped[f"rejected by an earlier run: {record.failure_reason}"] += 1
        elif record.attempts >= settings.max_attempts:  # discovered or failed, no attempts left
            if seen:
                plan.skipped[f"gave up after {record.attempts} attempts: {record.failure_reason}"] += 1
        else:
            plan.jobs.append(_job(council, record))


def _job(council: CouncilConfig, record: AttachmentRecord, fetch: bool = True) -> PaperJob:
    return PaperJob(council=council.slug, council_name=council.name, key=record.key, url=record.url,
                    title=record.title, committee=record.committee, meeting_date=record.meeting_date,
                    fetch=fetch, file_path=None if fetch else record.file_path)


# Fetching --------------------------------------------------------------------------------------------------

def fetch_paper(job: PaperJob, client: PoliteClient, scrape: ScrapeStore, papers_dir: Path,
                run_id: int | None = None) -> FetchResult:
    """Download one paper, check it is a whole PDF, keep it once per sha256. Never raises for the site."""
    if not job.fetch:
        return FetchResult(job, "stored", path=Path(job.file_path) if job.file_path else None)
    folder = Path(papers_dir) / safe_name(job.council, default="council")
    try:
        download = client.download(job.url, folder)
    except FetchError as error:
        scrape.record_fetch_failure(job.council, job.key, error.reason, permanent=error.permanent,
                                    http_status=error.status, run_id=run_id)
        return FetchResult(job, "rejected" if error.permanent else "failed", reason=error.reason)
    try:
        reason = check_pdf(download.path)
        if reason:
            scrape.record_fetch_failure(job.council, job.key, reason, permanent=False,
                                        http_status=download.status, run_id=run_id)
            return FetchResult(job, "failed", reason=reason)
        final = folder / f"{safe_name(job.key, 40)}-{safe_name(job.title, 60)}.pdf"
        if final.resolve().parent != folder.resolve():  # cannot happen with safe_name; kept as the guard
            raise RuntimeError(f"refusing to write outside {folder}: {final}")
        os.replace(download.path, final)
        holder = scrape.record_fetched(job.council, job.key, sha256=download.sha256, byte_size=download.byte_size,
                                       content_type=download.content_type, http_status=download.status,
                                       file_path=str(final.resolve()), run_id=run_id)
        if holder is not None:
            final.unlink(missing_ok=True)
            return FetchResult(job, "duplicate", reason=f"same bytes as {holder}", sha256=download.sha256)
        return FetchResult(job, "new", path=final.resolve(), sha256=download.sha256)
    finally:
        download.path.unlink(missing_ok=True)


def check_pdf(path: Path) -> str | None:
    """Why the downloaded file is not a whole PDF, or None when it is one."""
    size = path.stat().st_size
    if size == 0:
        return "the server sent an empty file"
    with path.open("rb") as f:
        head = f.read(2048)
        f.seek(max(0, size - 65536))
        tail = f.read()
    if not (head.lstrip()[:5] == b"%PDF-" or b"%PDF-" in head[:1024]):
        from extractors.ingest import looks_like

        what = looks_like(head)
        hint = " (an error page served as a PDF?)" if what == "an HTML page" else ""
        return f"not a PDF: it looks like {what}{hint}"
    if b"%%EOF" not in tail.rstrip(b"\x00 \t\r\n")[-1024:]:
        return "the PDF is truncated: its end-of-file marker is missing"
    return None


# The run log --------------------------------------------------------------------------------------------

def finish_run(scrape: ScrapeStore, plan: CouncilPlan, fetched: list[FetchResult], requests: int,
               processed: dict[str, Any] | None = None, error: str | None = None) -> RunRecord:
    """Write the run log: counts, skipped reasons, failures with reasons, notes; and the run's status
    (failed: the council could not be read at all; partial: some papers or meetings failed; ok)."""
    processed = processed or {}
    skipped = Counter(plan.skipped)
    failures = list(plan.failures)
    for result in fetched:
        if result.state == "duplicate":
            skipped[result.reason or "same bytes as another paper"] += 1
        elif result.state in ("failed", "rejected"):
            failures.append({"key": result.job.key, "url": result.job.url, "title": result.job.title,
                             "reason": result.reason, "retry": result.state == "failed"})
    error = error or plan.error
    status = "failed" if error else ("partial" if failures else "ok")
    details = {
        "skipped": dict(skipped),
        "failures": failures,
        "notes": plan.notes,
        "new": [r.job.key for r in fetched if r.state == "new"],
        "ignored_titles": plan.ignored,
        "settled_meetings": plan.settled,
        "processed": {key: getattr(outcome, "state", str(outcome)) for key, outcome in processed.items()},
        "seconds": round(time.perf_counter() - plan.started, 3),
    }
    counts = {"meetings": plan.meetings, "found": plan.found, "new": sum(r.state == "new" for r in fetched),
              "skipped": sum(skipped.values()), "failed": len(failures), "requests": requests}
    return scrape.finish_run(plan.run_id, status=status, source=plan.source, counts=counts, details=details,
                             error=error)


# Without Prefect ----------------------------------------------------------------------------------------------

Processor = Callable[[Path, dict[str, Any]], Any]


def scrape_council(council: CouncilConfig, config: ScrapeConfig, store: Store, *, since: date | None = None,
                   until: date | None = None, today: date | None = None, process: Processor | None = None,
                   papers_dir: Path | None = None, client: PoliteClient | None = None) -> CouncilResult:
    """Discover, fetch and (when `process` is given) process one council's papers in order; returns the run.

    `process(path, meta)` is called for each paper ready for the pipeline and should return something with a
    `document_id` (flows.paper.process_paper's PaperOutcome does). Never raises for a site's failures; a bug
    is recorded as the run's error and re-raised.
    """
    settings = config.settings
    scrape = ScrapeStore(store)
    papers_dir = Path(papers_dir or config.papers_dir())
    window = window_for(settings, since, until, today)
    own = client is None
    client = client or PoliteClient(settings, council.allowed_hosts)
    plan = None
    fetched: list[FetchResult] = []
    processed: dict[str, Any] = {}
    try:
        plan = discover_council(council, settings, scrape, client, window, process=process is not None)
        for job in plan.jobs:
            result = fetch_paper(job, client, scrape, papers_dir, plan.run_id)
            fetched.append(result)
            if process is not None and result.ready:
                outcome = process(result.path, job.meta())
                processed[job.key] = outcome
                scrape.record_processed(job.council, job.key, getattr(outcome, "document_id", None))
        run = finish_run(scrape, plan, fetched, client.requests, processed)
        return CouncilResult(run=run, fetched=fetched, processed=processed)
    except Exception as error:
        if plan is not None:
            finish_run(scrape, plan, fetched, client.requests, processed,
                       error=f"the scrape stopped: {type(error).__name__}: {error}")
        raise
    finally:
        if own:
            client.close()
