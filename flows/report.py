"""Rich tables for the end of a run, an export and `scrutiny status`."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table


def print_run(console: Console, summary, database_url: str) -> None:
    papers = Table(title="Papers", title_justify="left")
    for column in ("paper", "state", "layout", "pages", "OCR", "rows", "values", "mapped", "flags"):
        papers.add_column(column, justify="right" if column in {"pages", "OCR", "rows", "values", "mapped", "flags"} else "left")
    flags_by_rule: Counter = Counter()
    for o in summary.outcomes:
        flags_by_rule.update(o.flags_by_rule)
        style = {"failed": "red", "skipped": "dim"}.get(o.state, "")
        mapped = f"{100 * o.mapped / o.observations:.0f}%" if o.observations else "-"
        papers.add_row(o.file_name, f"[{style}]{o.state}[/{style}]" if style else o.state, o.layout or "-",
                       str(o.pages), str(o.ocr_pages), str(o.rows), str(o.observations), mapped,
                       str(sum(o.flags_by_rule.values())))
    console.print(papers)
    _print_totals(console, summary.counts)
    for o in summary.outcomes:
        if o.state == "failed":
            console.print(f"[red]✗ {o.file_name}[/red]: {o.reason}")
        for note in o.notes:
            console.print(f"[yellow]! {o.file_name}[/yellow]: {note}")
    if summary.export_dir:
        print_export(console, Path(summary.export_dir), summary.exported)
    console.print(f"Store: {database_url}")


def _print_totals(console: Console, counts: dict) -> None:
    totals = Table(title="Totals in the store", title_justify="left")
    totals.add_column("what")
    totals.add_column("count", justify="right")
    for state, n in sorted(counts.get("papers_by_state", {}).items()):
        totals.add_row(f"papers {state}", str(n))
    observations = counts.get("observations", 0)
    mapped = counts.get("mapped_observations", 0)
    totals.add_row("pages", str(counts.get("pages", 0)))
    totals.add_row("values (observations)", str(observations))
    totals.add_row("mapped to the catalogue", f"{mapped} ({100 * mapped / observations:.0f}%)" if observations else "0")
    flags = counts.get("flags_by_rule", {})
    totals.add_row("flags", str(sum(flags.values())))
    for rule, n in sorted(flags.items()):
        totals.add_row(f"  {rule}", str(n))
    console.print(totals)


def print_export(console: Console, out_dir: Path, counts: dict) -> None:
    console.print(f"[bold]Dataset written to {out_dir}/[/bold]")
    for name in ("observations.csv", "observations.parquet", "discrepancies.csv", "datapackage.json"):
        path = out_dir / name
        if path.exists():
            console.print(f"  {path}")
    if counts:
        console.print("  rows: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


def print_status(console: Console, counts: dict, database_url: str) -> None:
    _print_totals(console, counts)
    failures = counts.get("failures", [])
    if failures:
        table = Table(title="Failed papers", title_justify="left")
        table.add_column("paper")
        table.add_column("reason")
        for name, reason in failures:
            table.add_row(name, reason)
        console.print(table)
    console.print(f"Store: {database_url}")
