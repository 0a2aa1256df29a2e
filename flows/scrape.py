"""The scrape flow: one subflow per council; in each, discovery, then every paper depth-first
(fetch -> the pipeline's process-paper task) with bounded concurrency, then the run log.

Thin on purpose: the work is in scrape/ (discovery, fetching, run log) and flows/pipeline.py (one paper).
Papers are not downloaded all at once and then processed (the breadth-first trap that filled Council Data
Project's disks): each worker thread takes one paper, fetches it and runs it through the pipeline before it
takes the next. `settings.max_workers` bounds how many are in flight.
"""
from __future__ import annotations

from flows.settings import apply_defaults

apply_defaults()

from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402
from pydantic import BaseModel  # noqa: E402

from extractors.ingest import IngestLimits  # noqa: E402
from flows.pipeline import process_paper_task  # noqa: E402
from scrape import (  # noqa: E402
    CouncilConfig,
    CouncilPlan,
    FetchResult,
    PaperJob,
    PoliteClient,
    ScrapeSettings,
    Window,
    discover_council,
    fetch_paper,
    finish_run,
    load_config,
    window_for,
)
from store import Store  # noqa: E402
from store.scrape_store import RunRecord, ScrapeStore  # noqa: E402


class CouncilRunSummary(BaseModel):
    """One council's run, as the CLI prints it."""

    council: str
    slug: str
    run_id: int
    status: str
    source: str | None = None
    window: str
    meetings: int = 0
    found: int = 0
    new: int = 0
    skipped: int = 0
    failed: int = 0
    requests: int = 0
    seconds: float | None = None
    error: str | None = None
    skipped_reasons: dict[str, int] = {}
    failures: list[dict[str, Any]] = []
    notes: list[str] = []
    processed: dict[str, str] = {}

    @classmethod
    def of(cls, name: str, run: RunRecord) -> CouncilRunSummary:
        details = run.details or {}
        return cls(council=name, slug=run.council, run_id=run.id, status=run.status, source=run.source,
                   window=f"{run.window_from} to {run.window_to} ({run.mode})", meetings=run.meetings,
                   found=run.found, new=run.new, skipped=run.skipped, failed=run.failed, requests=run.requests,
                   seconds=run.seconds, error=run.error, skipped_reasons=details.get("skipped", {}),
                   failures=details.get("failures", []), notes=details.get("notes", []),
                   processed=details.get("processed", {}))


@task(name="discover-council", cache_policy=NO_CACHE, task_run_name="discover {council.slug}")
def discover_task(council: CouncilConfig, settings: ScrapeSettings, database_url: str | None,
                  client: PoliteClient, window: Window, process: bool) -> CouncilPlan:
    with Store(database_url) as store:
        plan = discover_council(council, settings, ScrapeStore(store), client, window, process)
    logger = get_run_logger()
    if plan.error:
        logger.warning("%s: %s", council.name, plan.error)
    else:
        logger.info("%s: %d meetings, %d papers found, %d to fetch or process", council.name, plan.meetings,
                    plan.found, len(plan.jobs))
    return plan


@task(name="scrape-paper", cache_policy=NO_CACHE, task_run_name="paper {job.council}/{job.key}")
def paper_task(job: PaperJob, client: PoliteClient, database_url: str | None, papers_dir: Path, run_id: int,
               limits: IngestLimits, process: bool) -> tuple[FetchResult, Any]:
    """Fetch one paper and, when it is new, run it through the pipeline before the next paper is taken."""
    with Store(database_url) as store:
        scrape = ScrapeStore(store)
        result = fetch_paper(job, client, scrape, papers_dir, run_id)
        outcome = None
        if process and result.ready:
            outcome = process_paper_task(result.path, database_url, limits, job.meta(), False)
            scrape.record_processed(job.council, job.key, outcome.document_id)
    if result.state in ("failed", "rejected"):
        get_run_logger().warning("%s %s: %s", job.council, job.key, result.reason)
    return result, outcome


@flow(name="scrape-council", flow_run_name="scrape {council_name}", validate_parameters=False)
def council_flow(council_name: str, config_path: str, since: date | None = None, until: date | None = None,
                 database_url: str | None = None, papers_dir: str | None = None, process: bool = True,
                 limits: IngestLimits = IngestLimits()) -> CouncilRunSummary:
    """Scrape one council: discover, then fetch and process each paper depth-first, then write the run log."""
    config = load_config(config_path)
    council = config.select([council_name])[0]
    settings = config.settings
    folder = Path(papers_dir) if papers_dir else config.papers_dir()
    window = window_for(settings, since, until)
    client = PoliteClient(settings, council.allowed_hosts)
    plan: CouncilPlan | None = None
    fetched: list[FetchResult] = []
    processed: dict[str, Any] = {}
    try:
        plan = discover_task(council, settings, database_url, client, window, process)
        futures = [paper_task.submit(job, client, database_url, folder, plan.run_id, limits, process)
                   for job in plan.jobs]
        for job, future in zip(plan.jobs, futures):
            value = future.result(raise_on_failure=False)
            if isinstance(value, BaseException):  # a bug in one paper must not lose the others' record
                fetched.append(FetchResult(job, "failed", reason=f"unexpected error: {type(value).__name__}: "
                                                                  f"{value}"))
                continue
            result, outcome = value
            fetched.append(result)
            if outcome is not None:
                processed[job.key] = outcome
        with Store(database_url) as store:
            run = finish_run(ScrapeStore(store), plan, fetched, client.requests, processed)
    except Exception as error:
        if plan is not None:
            with Store(database_url) as store:
                finish_run(ScrapeStore(store), plan, fetched, client.requests, processed,
                           error=f"the scrape stopped: {type(error).__name__}: {error}")
        raise
    finally:
        client.close()
    return CouncilRunSummary.of(council.name, run)


@flow(name="scrutiny-scrape", validate_parameters=False)
def scrape_flow(config_path: str = "councils.yaml", councils: list[str] | None = None, since: date | None = None,
                until: date | None = None, database_url: str | None = None, papers_dir: str | None = None,
                process: bool = True, max_pages: int = 300, max_mb: float = 50) -> list[CouncilRunSummary]:
    """Scrape each selected council (all enabled ones by default) in turn, each as its own subflow run.

    A council that cannot be read is recorded as failed and the others go on.
    """
    config = load_config(config_path)
    with Store(database_url) as store:
        store.migrate()
    limits = IngestLimits(max_pages=max_pages, max_bytes=int(max_mb * 1024 * 1024))
    runner = ThreadPoolTaskRunner(max_workers=config.settings.max_workers)
    one = council_flow.with_options(task_runner=runner)
    summaries = []
    for council in config.select(councils):
        try:
            summaries.append(one(council.name, str(config.path), since, until, database_url, papers_dir, process,
                                 limits))
        except Exception as error:  # recorded in the council's run log by council_flow; report and go on
            get_run_logger().error("%s: the scrape stopped: %s: %s", council.name, type(error).__name__, error)
            with Store(database_url) as store:
                last = ScrapeStore(store).runs(council.slug, limit=1)
            if last:
                summaries.append(CouncilRunSummary.of(council.name, last[0]))
    return summaries
