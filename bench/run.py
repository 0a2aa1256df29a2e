"""`make bench`: the pipeline over the bundled papers, per stage seconds per page and peak memory.

Each stage runs over every paper in turn (ingest all, then extract all, ...) so its time and memory can be
read on their own; then the whole Prefect flow runs once end to end, as a user would run it. Prints a table
and writes bench/results.json. Numbers are measurements of this machine, not assertions.
"""
from __future__ import annotations

import json
import os
import platform
import tempfile
import threading
import time
from pathlib import Path

from flows.settings import apply_defaults

apply_defaults()

import psutil  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PAPERS = ROOT / "fixtures" / "papers"
RESULTS = ROOT / "bench" / "results.json"


class PeakRss:
    """Samples this process's resident memory every 5 ms while a stage runs."""

    def __init__(self):
        self.process = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()

    def __enter__(self):
        self.peak = self.process.memory_info().rss
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def stage_by_stage(files: list[Path]) -> tuple[list[dict], dict]:
    from catalogue import load_catalogue
    from catalogue.assign import assign_indicators
    from extractors.extract import extract_paper
    from extractors.ingest import ingest_file, load_manifest
    from extractors.observations import to_observations
    from reconcile import reconcile_paper
    from schemas import DocumentState
    from store import Store

    manifest = load_manifest(PAPERS)
    stages: list[dict] = []

    def measure(name, work):
        start = time.perf_counter()
        with PeakRss() as rss:
            result = work()
        stages.append({"stage": name, "seconds": time.perf_counter() - start, "peak_rss_mb": rss.peak / 2**20})
        return result

    def ingest_kind(scanned: bool):
        """Born-digital and scanned papers apart: OCR costs two orders of magnitude more per page."""
        chosen = [p for p in files if _is_scan(p) == scanned]
        return [ingest_file(p, council=manifest.get(p.name, {}).get("council")) for p in chosen]

    papers = measure("ingest: text layer / .txt", lambda: ingest_kind(False))
    stages[-1]["pages"] = sum(len(p.pages) for p in papers)
    scanned = measure("ingest: scanned (Tesseract)", lambda: ingest_kind(True))
    stages[-1]["pages"] = sum(len(p.pages) for p in scanned)
    papers += scanned
    files = [p.path for p in papers]
    good = [(p, f) for p, f in zip(papers, files) if p.document.state != DocumentState.failed]
    pages = sum(len(p.pages) for p, _ in good)
    ocr_pages = sum(sum(pg.ocr for pg in p.pages) for p, _ in good)
    extractions = measure("extract", lambda: [extract_paper(p.document, p.pages, f) for p, f in good])
    catalogue = measure("catalogue load", load_catalogue)
    mapped = measure("map", lambda: [assign_indicators(e.rows, catalogue) for e in extractions])
    observations = [to_observations(rows) for rows in mapped]
    flags = measure("reconcile", lambda: [reconcile_paper(p.document, rows, catalogue)
                                           for (p, _), rows in zip(good, mapped)])
    with tempfile.TemporaryDirectory() as tmp:
        def store_all():
            with Store(f"sqlite:///{tmp}/bench.db") as store:
                store.migrate()
                for (paper, _), rows, obs, fl in zip(good, mapped, observations, flags):
                    store.save_ingested(paper.document, paper.pages)
                    store.save_results(paper.document.id, rows, obs, fl)
        measure("store (SQLite)", store_all)
    for stage in stages:
        stage_pages = stage.setdefault("pages", pages)
        stage["seconds_per_page"] = stage["seconds"] / stage_pages if stage_pages else None
    totals = {"papers": len(files), "pages": pages, "ocr_pages": ocr_pages,
              "rows": sum(len(r) for r in mapped), "values": sum(len(o) for o in observations)}
    return stages, totals


def _is_scan(path: Path) -> bool:
    """A PDF with no text layer on any page (the bundled scan)."""
    if path.suffix != ".pdf":
        return False
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        return all(not page.get_textpage().get_text_range().strip() for page in pdf)
    finally:
        pdf.close()


def whole_flow(files: list[Path]) -> dict:
    from flows.pipeline import pipeline_flow

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        summary = pipeline_flow(files, out_dir=Path(tmp) / "out", database_url=f"sqlite:///{tmp}/flow.db")
        seconds = time.perf_counter() - start
        pages = sum(o.pages for o in summary.outcomes)
    return {"seconds": seconds, "pages": pages, "pages_per_second": pages / seconds,
            "note": "includes the Prefect ephemeral server start-up"}


def mapping() -> dict:
    """Mapping quality on the labelled sets and the time to map 10,000 mostly distinct names."""
    from catalogue import load_catalogue, map_labels
    from catalogue.calibrate import EVAL_PATH, evaluate, load_eval, perturbed_names

    catalogue = load_catalogue()
    catalogue.matcher  # the index is built once per catalogue, not per batch
    results = {}
    for name, path in (("eval", EVAL_PATH), ("holdout", EVAL_PATH.with_name("holdout_names.yaml"))):
        report = evaluate(load_eval(path), catalogue)
        results[name] = {"names": report.n, "auto_precision": report.precision, "coverage": report.coverage,
                         "auto_coverage": report.auto_coverage, "confusions": len(report.confusions)}
    labels = perturbed_names(10_000)
    start = time.perf_counter()
    map_labels(labels, catalogue=catalogue)
    results["map_10000"] = {"seconds": time.perf_counter() - start, "distinct": len(set(labels)),
                            "goal_seconds": 1.0}
    return results


def main() -> None:
    console = Console()
    files = sorted(p for p in PAPERS.iterdir() if p.suffix in {".pdf", ".txt"})
    stages, totals = stage_by_stage(files)
    flow = whole_flow(files)
    table = Table(title=f"Pipeline over {totals['papers']} fixture papers, {totals['pages']} pages "
                        f"({totals['ocr_pages']} OCR'd), {totals['values']} values")
    for column in ("stage", "pages", "seconds", "s / page", "peak RSS MB"):
        table.add_column(column, justify="left" if column == "stage" else "right")
    for s in stages:
        table.add_row(s["stage"], str(s["pages"]), f"{s['seconds']:.3f}",
                      f"{s['seconds_per_page']:.4f}" if s["seconds_per_page"] is not None else "-",
                      f"{s['peak_rss_mb']:.0f}")
    table.add_row("whole Prefect flow (incl. server start)", str(flow["pages"]), f"{flow['seconds']:.2f}", f"{flow['seconds'] / flow['pages']:.3f}", "-")
    console.print(table)
    mapped = mapping()
    quality = Table(title="Mapping measure names to the catalogue")
    for column in ("set", "names", "auto precision", "coverage", "auto coverage", "inverse/unit confusions"):
        quality.add_column(column, justify="left" if column == "set" else "right")
    for name in ("eval", "holdout"):
        m = mapped[name]
        quality.add_row(name, str(m["names"]), f"{m['auto_precision']:.1%}", f"{m['coverage']:.1%}",
                        f"{m['auto_coverage']:.1%}", str(m["confusions"]))
    console.print(quality)
    speed = mapped["map_10000"]
    console.print(f"Mapping 10,000 names ({speed['distinct']} distinct): {speed['seconds']:.2f} s "
                  f"(goal < {speed['goal_seconds']:.0f} s)")
    results = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "totals": totals, "stages": stages, "flow": flow, "mapping": mapped,
    }
    from bench import scrape as scrape_bench  # scraping: requests and seconds, first and second run

    results["scrape"] = scrape_bench.run()
    scrape_bench.print_table(console, results["scrape"])
    from bench import review as review_bench  # review queue: one page with 100,000 flags, over HTTP

    results["review"] = review_bench.run()
    review_bench.print_results(results["review"], console)
    from bench import tables as tables_bench  # tables: ours vs camelot/pdfplumber, page mode (prints itself)

    results["tables"] = tables_bench.run("all")["verdict"]
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    console.print(f"Written {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
