"""Scraping bench: a fake ModernGov site on 127.0.0.1 with 50 meetings, scraped twice.

The first run discovers and downloads every wanted paper; the second finds nothing new and must download no
paper and finish in under 5 s. Prints requests made and seconds for both. The per-host rate limit is off
against the local fake (min_interval_seconds=0), so this measures the scraper, not the politeness delay; the
figure with the default 2 s between requests is printed beside it. The pipeline is not run (see the pipeline
bench for that).
"""
from __future__ import annotations

import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

MEETINGS = 50
GOAL_SECONDS = 5.0
ROOT = Path(__file__).resolve().parent.parent


def build_site():
    from scrape.fakesite import FakeCommittee, FakeDoc, FakeMeeting, FakeModernGov, fixture_pdfs, unique_pdf

    pdfs = list(fixture_pdfs(ROOT / "fixtures" / "papers").values())
    titles = ["Children's Services Overview and Scrutiny Committee", "Cabinet", "Corporate Parenting Panel",
              "Children and Young People Scrutiny", "Planning Committee", "Licensing Committee"]
    committees = [FakeCommittee(10 + n, title) for n, title in enumerate(titles)]
    followed = [c.id for c in committees[:4]]
    today = date.today()
    meetings = []
    for n in range(MEETINGS):
        body = unique_pdf(pdfs[n % len(pdfs)], f"bench-{n}")
        meetings.append(FakeMeeting(
            id=5000 + n, committee_id=followed[n % len(followed)], date=today - timedelta(days=n % 28),
            reports=[FakeDoc(70000 + n, f"Children's Services Performance Report {n}", body),
                     FakeDoc(80000 + n, f"Minutes of the meeting {n}", b"%PDF-1.4\n%%EOF\n")],
            packs=[FakeDoc(0, f"Public reports pack {n}", body, pack=True)]))
    return FakeModernGov(committees, meetings)


def run() -> dict:
    """Two runs over the same site; returns requests, seconds, meetings and papers of each."""
    from scrape import parse_config, scrape_council
    from store import Store

    results: dict = {"meetings": MEETINGS, "goal_second_run_seconds": GOAL_SECONDS}
    with build_site() as site, tempfile.TemporaryDirectory() as tmp:
        config = parse_config({
            "settings": {"min_interval_seconds": 0, "papers_dir": f"{tmp}/papers", "timeout_seconds": 10},
            "councils": [{"name": "Benchshire County Council", "platform": "moderngov", "base_url": site.base_url}]})
        with Store(f"sqlite:///{tmp}/bench.db") as store:
            store.migrate()
            for label in ("first", "second"):
                before = len(site.requests)
                start = time.perf_counter()
                run_ = scrape_council(config.councils[0], config, store).run
                seconds = time.perf_counter() - start
                made = site.requests[before:]
                results[label] = {
                    "seconds": seconds, "requests": len(made), "client_requests": run_.requests,
                    "papers_downloaded": sum("/documents/" in r.path for r in made),
                    "meetings": run_.meetings, "found": run_.found, "new": run_.new, "skipped": run_.skipped,
                    "failed": run_.failed, "status": run_.status,
                    "seconds_at_default_politeness": len(made) * 2.0,
                }
    second = results["second"]
    results["second_run_ok"] = second["papers_downloaded"] == 0 and second["seconds"] < GOAL_SECONDS
    return results


def print_table(console, results: dict) -> None:
    from rich.table import Table

    table = Table(title=f"Scraping a fake ModernGov site: {results['meetings']} meetings, twice "
                        "(rate limit off; local)")
    for column in ("run", "requests", "papers downloaded", "new", "skipped", "seconds", "at 2 s/request"):
        table.add_column(column, justify="left" if column == "run" else "right")
    for label in ("first", "second"):
        r = results[label]
        table.add_row(label, str(r["requests"]), str(r["papers_downloaded"]), str(r["new"]), str(r["skipped"]),
                      f"{r['seconds']:.2f}", f"{r['seconds_at_default_politeness']:.0f} s")
    console.print(table)
    verdict = "met" if results["second_run_ok"] else "NOT met"
    console.print(f"Second run: no paper downloaded and under {results['goal_second_run_seconds']:.0f} s: {verdict}")


if __name__ == "__main__":
    from rich.console import Console

    print_table(Console(), run())
