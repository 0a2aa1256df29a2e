"""The Prefect flow: every paper depth-first with bounded concurrency, then the export.

Thin on purpose: the work is in flows/paper.py and the stage packages. This adds a task per paper
(retried only on transient database errors), a thread pool that bounds concurrency, logging and the export.
"""
from __future__ import annotations

from flows.settings import apply_defaults

apply_defaults()

from pathlib import Path  # noqa: E402

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402
from pydantic import BaseModel  # noqa: E402

from catalogue import load_catalogue  # noqa: E402
from export import write_dataset  # noqa: E402
from extractors.ingest import IngestLimits, discover, load_manifest  # noqa: E402
from flows import progress  # noqa: E402
from flows.paper import PaperOutcome, TransientError, process_paper  # noqa: E402
from store import Store  # noqa: E402


class RunSummary(BaseModel):
    outcomes: list[PaperOutcome]
    export_dir: str | None = None
    exported: dict[str, int] = {}
    counts: dict = {}

    @property
    def failed(self) -> list[PaperOutcome]:
        return [o for o in self.outcomes if o.state == "failed"]


def _transient_only(task, task_run, state) -> bool:
    """Retry a paper only when the failure was transient (database busy), never for a bad paper."""
    return isinstance(state.result(raise_on_failure=False), TransientError)


@task(name="process-paper", retries=3, retry_delay_seconds=[1, 4, 10], retry_condition_fn=_transient_only,
      cache_policy=NO_CACHE, task_run_name="paper {path.name}")
def process_paper_task(path: Path, database_url: str | None, limits: IngestLimits, meta: dict,
                       reprocess: bool) -> PaperOutcome:
    logger = get_run_logger()
    with Store(database_url) as store:
        outcome = process_paper(path, store, catalogue=load_catalogue(), limits=limits, meta=meta,
                                reprocess=reprocess)
    if outcome.state == "failed":
        logger.warning("%s failed: %s", outcome.file_name, outcome.reason)
    else:
        logger.info("%s %s: %d rows, %d values", outcome.file_name, outcome.state, outcome.rows,
                    outcome.observations)
    progress.paper_done(outcome)
    return outcome


@task(name="export-dataset", cache_policy=NO_CACHE)
def export_task(database_url: str | None, out_dir: Path) -> dict[str, int]:
    with Store(database_url) as store:
        return export_dataset(store, out_dir)


def export_dataset(store: Store, out_dir: Path) -> dict[str, int]:
    """Write the clean dataset from the store, with review decisions applied."""
    result = write_dataset(
        out_dir,
        store.documents(),
        store.observations(),
        [(s.discrepancy, s.status) for s in store.discrepancies()],
        corrections=store.corrections(),
        remaps=store.remaps(),
    )
    return result.row_counts


@flow(name="scrutiny-pipeline", task_runner=ThreadPoolTaskRunner(max_workers=2), validate_parameters=False)
def pipeline_flow(paths: list[Path], out_dir: Path | None = None, database_url: str | None = None,
                  limits: IngestLimits = IngestLimits(), reprocess: bool = False) -> RunSummary:
    """Ingest, extract, map, reconcile and store every paper under `paths`; then export to `out_dir`."""
    with Store(database_url) as store:
        store.migrate()
    files = discover([Path(p) for p in paths])
    manifests: dict[Path, dict] = {}
    futures = []
    for path in files:
        folder = path.parent
        if folder not in manifests:
            manifests[folder] = load_manifest(folder)
        futures.append(process_paper_task.submit(path, database_url, limits, manifests[folder].get(path.name, {}),
                                                 reprocess))
    outcomes = [future.result() for future in futures]
    exported: dict[str, int] = {}
    if out_dir is not None:
        exported = export_task(database_url, Path(out_dir))
    with Store(database_url) as store:
        counts = store.counts()
    return RunSummary(outcomes=outcomes, export_dir=str(out_dir) if out_dir else None, exported=exported,
                      counts=counts)
