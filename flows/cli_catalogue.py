"""`scrutiny catalogue ...`: browse the indicator catalogue, try the mapper, and confirm aliases."""
from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="The canonical indicator catalogue and measure-name mapping.", no_args_is_help=True)
console = Console()
if not console.is_terminal:
    console.width = 140

DatabaseOption = Annotated[Optional[str], typer.Option(
    "--database", envvar="SCRUTINY_DATABASE_URL", help="SQLAlchemy URL of the store (aliases live there).")]


def _catalogue():
    from catalogue import load_catalogue

    return load_catalogue()


@app.command("list")
def list_(
    source: Annotated[Optional[str], typer.Option(help="Only this source collection, e.g. CIN, SSDA903, LOCAL.")] = None,
    core: Annotated[bool, typer.Option("--core", help="Only the curated core (no LAIT_* imports).")] = False,
):
    """Every indicator: id, unit, polarity, source and title."""
    table = Table(title="Indicator catalogue", title_justify="left")
    for column in ("id", "unit", "polarity", "source", "title"):
        table.add_column(column, overflow="fold")
    shown = 0
    for ind in _catalogue():
        if source and ind.source_collection.value.lower() != source.lower():
            continue
        if core and ind.id.startswith("LAIT_"):
            continue
        table.add_row(ind.id, ind.unit.value, ind.polarity.value, ind.source_collection.value, ind.title)
        shown += 1
    console.print(table)
    console.print(f"{shown} indicators")


@app.command()
def show(indicator_id: str):
    """One indicator in full: definition, codes, aliases, variants and national benchmarks."""
    catalogue = _catalogue()
    if indicator_id not in catalogue:
        console.print(f"[red]No indicator {indicator_id!r}.[/red] Try `scrutiny catalogue search`.")
        raise typer.Exit(1)
    ind = catalogue.get(indicator_id)
    console.print(f"[bold]{ind.id}[/bold]  {ind.title}")
    for name in ("short_title", "definition", "unit", "scale", "polarity", "period_type", "source_collection",
                 "source_table", "lait_code", "lgi_metric_id", "cohort", "status", "notes"):
        value = getattr(ind, name)
        if value not in (None, "", []):
            console.print(f"  {name}: {getattr(value, 'value', value)}")
    for name in ("legacy_codes", "thresholds", "direction_words", "topics"):
        if getattr(ind, name):
            console.print(f"  {name}: {', '.join(getattr(ind, name))}")
    if ind.aliases:
        console.print("  aliases:")
        for alias in ind.aliases:
            console.print(f"    - {alias}")
    for variant in ind.variants:
        console.print(f"  variant: {variant.relation.value} -> {variant.indicator_id}")
    england = [b for b in ind.benchmarks if b.geography.value == "england"]
    if england:
        console.print("  England: " + ", ".join(f"{b.period_label} {b.value:g}" for b in england[-8:]))


@app.command()
def search(text: str, limit: Annotated[int, typer.Option(help="How many to show.")] = 10):
    """Indicators whose names are closest to TEXT (browsing: no guards applied)."""
    table = Table(title=f"Closest to {text!r}", title_justify="left")
    for column in ("score", "id", "unit", "title"):
        table.add_column(column, overflow="fold")
    for ind, score in _catalogue().search(text, limit=limit):
        table.add_row(f"{score:.0f}", ind.id, ind.unit.value, ind.title)
    console.print(table)


@app.command("map")
def map_(label: str, database: DatabaseOption = None):
    """Map one measure name as printed, showing the decision, candidates and reasons."""
    from catalogue import map_label

    aliases = _aliases(database)
    result = map_label(label, catalogue=_catalogue(), aliases=aliases)
    console.print(f"{result.status.value}: {result.indicator_id or '-'} (score {result.score:.1f})")
    console.print(f"  normalised: {result.normalised}")
    for candidate in result.candidates:
        console.print(f"  candidate {candidate.indicator_id} {candidate.score:.1f}")
    for reason in result.reasons:
        console.print(f"  - {reason}")


alias_app = typer.Typer(help="Measure names confirmed to mean an indicator; used on every later run.",
                        no_args_is_help=True)
app.add_typer(alias_app, name="alias")


@alias_app.command("add")
def alias_add(
    alias: str, indicator_id: str, database: DatabaseOption = None,
    by: Annotated[Optional[str], typer.Option(help="Who confirmed it.")] = None,
):
    """Confirm that measure name ALIAS means INDICATOR_ID."""
    from store import Store

    if indicator_id not in _catalogue():
        console.print(f"[red]No indicator {indicator_id!r}.[/red]")
        raise typer.Exit(1)
    with Store(_url(database)) as store:
        store.migrate()
        store.add_alias(alias, indicator_id, source="cli", created_by=by)
    console.print(f"Alias saved: {alias!r} -> {indicator_id}")


@alias_app.command("list")
def alias_list(database: DatabaseOption = None):
    """Every confirmed alias."""
    table = Table(title="Confirmed aliases", title_justify="left")
    table.add_column("alias", overflow="fold")
    table.add_column("indicator")
    for alias, indicator_id in sorted(_aliases(database).items()):
        table.add_row(alias, indicator_id)
    console.print(table)


def _url(database: str | None) -> str:
    from flows.cli import _database

    return _database(database)


def _aliases(database: str | None) -> dict[str, str]:
    from store import Store

    with Store(_url(database)) as store:
        store.migrate()
        return store.aliases()
