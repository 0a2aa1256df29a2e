"""The `scrutiny` command: run the pipeline, ingest, export and inspect the store.

Every command takes --database (default: $SCRUTINY_DATABASE_URL, else sqlite:///scrutiny.db).
"""
from __future__ import annotations

from flows.settings import apply_defaults

apply_defaults()

import os  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Annotated, Optional  # noqa: E402

import typer  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn  # noqa: E402

from flows import report  # noqa: E402

app = typer.Typer(help="Scrutiny: the numbers inside council papers, extracted, checked and exported.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_show_locals=False)
from flows.cli_catalogue import app as catalogue_app  # noqa: E402

app.add_typer(catalogue_app, name="catalogue")
from flows.cli_scrape import register as register_scrape  # noqa: E402

register_scrape(app)  # scrape, councils, serve
from flows.cli_review import register as register_review  # noqa: E402

register_review(app)  # review, users
console = Console()
if not console.is_terminal:  # logs and CI: wide enough for the summary tables
    console.width = 140

DatabaseOption = Annotated[Optional[str], typer.Option(
    "--database", envvar="SCRUTINY_DATABASE_URL",
    help="SQLAlchemy URL of the store (default sqlite:///scrutiny.db).")]
PathsArgument = Annotated[list[Path], typer.Argument(help="PDFs, .txt OCR text files, or folders of them.")]


def _database(url: str | None) -> str:
    """The store URL; for a SQLite file, its folder is created so a first run just works."""
    from sqlalchemy.engine import make_url

    url = url or "sqlite:///scrutiny.db"
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return url


def _limits(max_pages: int, max_mb: float):
    from extractors.ingest import IngestLimits

    return IngestLimits(max_pages=max_pages, max_bytes=int(max_mb * 1024 * 1024))


@app.command()
def run(
    paths: PathsArgument,
    out: Annotated[Optional[Path], typer.Option("--out", help="Write the clean dataset here.")] = None,
    database: DatabaseOption = None,
    strict: Annotated[bool, typer.Option(help="Exit non-zero if any paper fails.")] = False,
    reprocess: Annotated[bool, typer.Option(help="Process papers again even if already stored.")] = False,
    max_pages: Annotated[int, typer.Option(help="Refuse papers with more pages.")] = 300,
    max_mb: Annotated[float, typer.Option(help="Refuse files larger than this (MB).")] = 50,
):
    """Ingest -> extract -> map -> reconcile -> store -> export, as a Prefect flow."""
    from extractors.ingest import discover
    from flows import progress
    from flows.pipeline import pipeline_flow

    url = _database(database)
    files = discover(paths)
    if not files:
        console.print(f"[red]No PDF or .txt papers found under: {', '.join(map(str, paths))}[/red]")
        raise typer.Exit(2)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        job = bar.add_task("Processing papers (starting Prefect)", total=len(files))

        def advance(outcome):
            bar.update(job, advance=1, description=f"Processed {outcome.file_name}")

        progress.subscribe(advance)
        try:
            summary = pipeline_flow(files, out_dir=out, database_url=url, limits=_limits(max_pages, max_mb),
                                    reprocess=reprocess)
        except Exception as error:  # the run itself failed (store unreachable, disk full): say so plainly
            console.print(f"[red]The run failed: {type(error).__name__}: {error}[/red]")
            raise typer.Exit(2) from error
        finally:
            progress.unsubscribe(advance)
    report.print_run(console, summary, url)
    if strict and summary.failed:
        raise typer.Exit(1)


@app.command()
def ingest(
    paths: PathsArgument,
    database: DatabaseOption = None,
    max_pages: Annotated[int, typer.Option(help="Refuse papers with more pages.")] = 300,
    max_mb: Annotated[float, typer.Option(help="Refuse files larger than this (MB).")] = 50,
    strict: Annotated[bool, typer.Option(help="Exit non-zero if any paper fails.")] = False,
):
    """Read papers (OCR where there is no text layer) and keep them in the store, without extracting."""
    from extractors.ingest import discover, ingest_file, load_manifest
    from schemas import DocumentState
    from store import Store

    url = _database(database)
    failed = 0
    with Store(url) as store:
        store.migrate()
        for path in discover(paths):
            meta = load_manifest(path.parent).get(path.name, {})
            paper = ingest_file(path, limits=_limits(max_pages, max_mb), council=meta.get("council"),
                                title=meta.get("title"), meeting_date=meta.get("meeting_date"))
            doc = paper.document
            if doc.state == DocumentState.failed:
                failed += 1
                store.record_failure(doc, doc.failure_reason)
                console.print(f"[red]failed[/red]  {doc.file_name}: {doc.failure_reason}")
            else:
                store.save_ingested(doc, paper.pages)
                ocr = sum(p.ocr for p in paper.pages)
                console.print(f"[green]ingested[/green] {doc.file_name}: {len(paper.pages)} pages"
                              + (f", {ocr} OCR'd" if ocr else "") + f"  [dim]{doc.id[:12]}[/dim]")
    if strict and failed:
        raise typer.Exit(1)


@app.command()
def export(
    out: Annotated[Path, typer.Option("--out", help="Folder for observations.csv/.parquet, discrepancies.csv, datapackage.json.")],
    database: DatabaseOption = None,
):
    """Write the clean dataset from the store, with review decisions applied."""
    from flows.pipeline import export_dataset
    from store import Store

    with Store(_database(database)) as store:
        store.migrate()
        counts = export_dataset(store, out)
    report.print_export(console, out, counts)


@app.command()
def status(database: DatabaseOption = None):
    """Papers by state, failures with their reasons, and counts."""
    from store import Store

    url = _database(database)
    with Store(url) as store:
        store.migrate()
        report.print_status(console, store.counts(), url)


def main():  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    app()
