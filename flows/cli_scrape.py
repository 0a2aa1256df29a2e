"""`scrutiny scrape`, `scrutiny councils` and `scrutiny serve`: scraping council papers on demand or on a
schedule, and each council's last run.

Registered on the main app by flows/cli.py (`register(app)`).
"""
from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

ConfigOption = Annotated[Path, typer.Option(
    "--config", envvar="SCRUTINY_COUNCILS",
    help="The councils file (see councils.example.yaml).")]
DatabaseOption = Annotated[Optional[str], typer.Option(
    "--database", envvar="SCRUTINY_DATABASE_URL",
    help="SQLAlchemy URL of the store (default sqlite:///scrutiny.db).")]
CouncilOption = Annotated[Optional[list[str]], typer.Option(
    "--council", help="Only this council (name or slug); repeat for several. Default: every enabled council.")]
PapersOption = Annotated[Optional[Path], typer.Option(
    "--papers-dir", help="Where downloaded papers are kept (default: settings.papers_dir beside the config).")]


def _console() -> Console:
    console = Console()
    if not console.is_terminal:
        console.width = 140
    return console


def _database(url: str | None) -> str:
    from flows.cli import _database as resolve

    return resolve(url)


def _config(path: Path, console: Console):
    from scrape import ConfigError, load_config

    try:
        return load_config(path)
    except ConfigError as error:
        console.print(f"[red]{error}[/red]", soft_wrap=True)
        raise typer.Exit(2) from None


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def scrape(
    council: CouncilOption = None,
    since: Annotated[Optional[datetime], typer.Option(formats=["%Y-%m-%d"],
                                                      help="Backfill: meetings from this date (YYYY-MM-DD).")] = None,
    until: Annotated[Optional[datetime], typer.Option(formats=["%Y-%m-%d"],
                                                      help="Backfill: meetings up to this date (YYYY-MM-DD).")] = None,
    config: ConfigOption = Path("councils.yaml"),
    database: DatabaseOption = None,
    papers_dir: PapersOption = None,
    process: Annotated[bool, typer.Option(help="Run each new paper through the pipeline.")] = True,
    strict: Annotated[bool, typer.Option(help="Exit 1 when a council or a paper failed.")] = False,
    max_pages: Annotated[int, typer.Option(help="Refuse papers with more pages.")] = 300,
    max_mb: Annotated[float, typer.Option(help="Refuse papers larger than this (MB) in the pipeline.")] = 50,
):
    """Scrape council papers (rolling window, or --since/--until), then run each new paper through the pipeline."""
    console = _console()
    settings = _config(config, console)
    from scrape import ConfigError

    try:
        chosen = settings.select(council)
    except ConfigError as error:
        console.print(f"[red]{error}[/red]", soft_wrap=True)
        raise typer.Exit(2) from None
    if not chosen:
        console.print(f"[yellow]No enabled council in {config}.[/yellow]")
        raise typer.Exit(0)
    from flows.scrape import scrape_flow

    url = _database(database)
    console.print(f"Scraping {len(chosen)} council(s): {', '.join(c.name for c in chosen)} (starting Prefect)")
    try:
        summaries = scrape_flow(str(config), [c.name for c in chosen], _day(since), _day(until), url,
                                str(papers_dir) if papers_dir else None, process, max_pages, max_mb)
    except (ValueError, ConfigError) as error:
        console.print(f"[red]{error}[/red]", soft_wrap=True)
        raise typer.Exit(2) from None
    except Exception as error:
        console.print(f"[red]The scrape failed: {type(error).__name__}: {error}[/red]")
        raise typer.Exit(2) from error
    print_runs(console, summaries)
    if strict and any(s.status != "ok" for s in summaries):
        raise typer.Exit(1)


def print_runs(console: Console, summaries) -> None:
    table = Table(title="Scrape runs")
    for column in ("council", "status", "via", "window", "meetings", "found", "new", "skipped", "failed",
                   "requests", "seconds"):
        table.add_column(column, justify="right" if column in ("meetings", "found", "new", "skipped", "failed",
                                                                "requests", "seconds") else "left")
    for s in summaries:
        table.add_row(s.council, _status(s.status), s.source or "-", s.window, str(s.meetings), str(s.found),
                      str(s.new), str(s.skipped), str(s.failed), str(s.requests),
                      f"{s.seconds:.1f}" if s.seconds is not None else "-")
    console.print(table)
    for s in summaries:
        lines = []
        if s.error:
            lines.append(f"  [red]failed:[/red] {s.error}")
        for failure in s.failures:
            what = failure.get("key") or f"meeting {failure.get('meeting')}"
            retry = " (will be retried)" if failure.get("retry", True) else ""
            lines.append(f"  [red]failed[/red] {what}: {failure.get('reason')}{retry}")
        for reason, count in s.skipped_reasons.items():
            lines.append(f"  skipped {count}: {reason}")
        for note in s.notes:
            lines.append(f"  [dim]{note}[/dim]")
        if s.processed:
            states: dict[str, int] = {}
            for state in s.processed.values():
                states[state] = states.get(state, 0) + 1
            lines.append("  pipeline: " + ", ".join(f"{n} {state}" for state, n in sorted(states.items())))
        if lines:
            console.print(f"[bold]{s.council}[/bold]")
            for line in lines:
                console.print(line, highlight=False)


def _status(status: str) -> str:
    colour = {"ok": "green", "partial": "yellow", "failed": "red", "running": "cyan"}.get(status, "white")
    return f"[{colour}]{status}[/{colour}]"


def councils(
    config: ConfigOption = Path("councils.yaml"),
    database: DatabaseOption = None,
    failing: Annotated[bool, typer.Option("--failing", help="Only the councils whose last run failed.")] = False,
):
    """Each council's last scrape: when, how it went, what it found; the failing ones with their reasons."""
    from scrape import ConfigError, load_config
    from store import Store
    from store.scrape_store import ScrapeStore

    console = _console()
    configured = None
    if config.exists() or "SCRUTINY_COUNCILS" in os.environ or str(config) != "councils.yaml":
        try:
            configured = load_config(config)
        except ConfigError as error:
            console.print(f"[red]{error}[/red]", soft_wrap=True)
            raise typer.Exit(2) from None
    with Store(_database(database)) as store:
        store.migrate()
        scrape_store = ScrapeStore(store)
        known = {c["slug"]: c for c in scrape_store.councils()}
        last = scrape_store.last_runs()
    rows = []
    if configured is not None:
        for c in configured.councils:
            rows.append((c.slug, c.name, c.platform, c.enabled))
    for slug, c in known.items():
        if slug not in {r[0] for r in rows}:
            rows.append((slug, c["name"], c["platform"], None))  # no longer in the config
    table = Table(title="Councils")
    for column in ("council", "platform", "last run (UTC)", "status", "via", "meetings", "found", "new", "skipped",
                   "failed", "note"):
        table.add_column(column, justify="right" if column in ("meetings", "found", "new", "skipped", "failed")
                         else "left", no_wrap=column != "note", overflow="ellipsis")
    failing_rows, never, quiet = [], [], []
    for slug, name, platform, enabled in rows:
        run = last.get(slug)
        if run is None:
            never.append(name)
            if not failing:
                table.add_row(name, platform, "never", "-", "-", "", "", "", "", "",
                              "disabled" if enabled is False else "")
            continue
        bad = run.status in ("failed", "partial")
        if bad:
            failing_rows.append((name, run))
        if failing and not bad:
            continue
        note = ""
        if run.status == "failed":
            note = run.error or ""
        elif run.meetings == 0 and run.status == "ok":
            note = "0 meetings"
            quiet.append(f"{name}: no meetings between {run.window_from} and {run.window_to}; not an error, "
                         "but check the council's calendar if some were expected")
        elif enabled is None:
            note = "not in the config any more"
        elif enabled is False:
            note = "disabled"
        table.add_row(name, platform, f"{run.started_at:%Y-%m-%d %H:%M}", _status(run.status), run.source or "-",
                      str(run.meetings), str(run.found), str(run.new), str(run.skipped), str(run.failed),
                      note if len(note) <= 60 else note[:57] + "...")
    console.print(table)
    for line in quiet:
        console.print(line, highlight=False, soft_wrap=True)
    if failing_rows:
        console.print(f"[red]{len(failing_rows)} failing council(s):[/red]")
        for name, run in failing_rows:
            reasons = [run.error] if run.error else []
            reasons += [f"{f.get('key') or 'meeting ' + str(f.get('meeting'))}: {f.get('reason')}"
                        for f in (run.details or {}).get("failures", [])[:5]]
            console.print(f"  [bold]{name}[/bold] ({run.status}, {run.started_at:%Y-%m-%d %H:%M})", highlight=False)
            for reason in reasons:
                console.print(f"    {reason}", highlight=False)
    elif not failing:
        console.print("No failing councils.")
    if never and not failing:
        console.print(f"Never scraped: {', '.join(never)}", highlight=False)


def serve(
    cron: Annotated[Optional[str], typer.Option(help="Cron schedule (default: settings.schedule_cron, "
                                                     "'0 6 * * *' = 06:00 daily).")] = None,
    council: CouncilOption = None,
    config: ConfigOption = Path("councils.yaml"),
    database: DatabaseOption = None,
    papers_dir: PapersOption = None,
    name: Annotated[str, typer.Option(help="Deployment name.")] = "scrutiny-scrape",
    process: Annotated[bool, typer.Option(help="Run each new paper through the pipeline.")] = True,
):
    """Serve the scrape flow as a deployment on a cron schedule (needs a Prefect server: `prefect server start`)."""
    console = _console()
    settings = _config(config, console)
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        console.print(
            "[red]scrutiny serve needs a Prefect server, and PREFECT_API_URL is not set.[/red]\n"
            "Without one Prefect only warns 'Cannot schedule flows on an ephemeral server' and never runs.\n"
            "Start a server in another terminal:  prefect server start --host 127.0.0.1 --port 4200\n"
            "then:  export PREFECT_API_URL=http://127.0.0.1:4200/api  and run scrutiny serve again.")
        raise typer.Exit(2)
    from flows.scrape import scrape_flow

    schedule = cron or settings.settings.schedule_cron
    parameters = serve_parameters(config, council, database, papers_dir) | {"process": process}
    console.print(f"Serving deployment 'scrutiny-scrape/{name}' on cron '{schedule}' against "
                  f"{PREFECT_API_URL.value()} (Ctrl-C to stop).")
    scrape_flow.serve(name=name, cron=schedule, parameters=parameters,
                      description="Scrape council papers in the rolling window and process new ones.")


def serve_parameters(config: Path, council: list[str] | None, database: str | None,
                     papers_dir: Path | None) -> dict:
    """The deployment's parameters: absolute paths, since the runs start in the server's working folder."""
    return {"config_path": str(config.resolve()), "councils": council or None,
            "database_url": _database(database),
            "papers_dir": str(papers_dir.resolve()) if papers_dir else None}


def register(app: typer.Typer) -> None:
    """Add scrape, councils and serve to the main `scrutiny` app."""
    app.command("scrape")(scrape)
    app.command("councils")(councils)
    app.command("serve")(serve)
