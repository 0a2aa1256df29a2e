"""Table extraction benchmark: our extractor against camelot and pdfplumber, in one run.

    python -m bench.tables [--set all|core|icdar2013|...] [--out DIR] [--configs ours,camelot_hybrid,...]

Runs every config in *page mode* over the cases of the shared table benchmark
(../shared/benchmarks/tables, or $SCRUTINY_TABLES_BENCH): for each page, every table found is written
as OUT/<config>/<page_key>__t<k>.csv, then `score_tables.py --mode page --json` scores each config.
Cases come from `score_tables.py --list`; the peers run through the benchmark's own `baseline.py`
code paths (`run_camelot`, `run_plumber`), so they are the numbers its README reports, re-measured here.

Configs:
  ours                   extractors.tables.extract_tables(pdf, ..., [page])
  camelot_hybrid         camelot.read_pdf(pdf, pages=page, flavor="hybrid")  (default engine: renders the page)
  camelot_hybrid_vector  the same with engine="vector" (vector rules only, no rendering)
  pdfplumber             pdfplumber page.extract_tables() with default settings

Pages are visited once, and on each page the configs run back to back in rotating order, so a busy
machine slows them alike; wall-clock and CPU seconds per page are both reported. Image-only pages
(no text layer) are skipped by our extractor (their tables come from extractors/ocr_tables.py), so
they score 0 for every config here; the output says which.

Prints cell F1, precision, recall, detection and seconds per page side by side for `icdar2013` (the
fair comparison: human ground truth) and for the whole set, and writes bench/tables_results.json.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(os.environ.get("SCRUTINY_TABLES_BENCH", ROOT.parent / "shared" / "benchmarks" / "tables"))
RESULTS = ROOT / "bench" / "tables_results.json"
CONFIGS = ("ours", "camelot_hybrid", "camelot_hybrid_vector", "pdfplumber")
GOAL = "cell F1 above camelot hybrid's on icdar2013 at no more than a quarter of its seconds per page"


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def _baseline():
    """The benchmark's baseline.py (camelot and pdfplumber runners), imported from its folder."""
    if str(BENCH_DIR) not in sys.path:
        sys.path.insert(0, str(BENCH_DIR))
    import baseline  # noqa: PLC0415

    return baseline


def _ours(pdf: str, page: int) -> list[list[list[str]]]:
    from extractors.tables import extract_tables

    return [[[cell.text for cell in row.cells] for row in t.rows] for t in extract_tables(Path(pdf), "bench", [page])]


def _runners() -> dict:
    bl = _baseline()
    return {
        "ours": _ours,
        "camelot_hybrid": lambda pdf, page: bl.run_camelot(pdf, page, "hybrid"),
        "camelot_hybrid_vector": lambda pdf, page: bl.run_camelot(pdf, page, "hybrid", engine="vector"),
        "pdfplumber": lambda pdf, page: bl.run_plumber(pdf, page),
    }


def list_cases(set_name: str) -> list[dict]:
    out = subprocess.run([sys.executable, str(BENCH_DIR / "score_tables.py"), "--list", "--set", set_name],
                         capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def _write_csv(path: Path, rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["" if c is None else str(c) for c in r] for r in rows])


def _image_only(pdf: str, page: int) -> bool:
    from extractors.tables._layout import PdfPages

    with PdfPages(pdf) as doc:
        parse = doc.page(page)
        return parse is None or not parse.has_text


def _score(out_dir: Path, set_name: str) -> dict:
    report = out_dir / "report.json"
    subprocess.run([sys.executable, str(BENCH_DIR / "score_tables.py"), str(out_dir), "--mode", "page",
                    "--set", set_name, "--json", str(report), "--quiet"], check=True)
    return json.loads(report.read_text(encoding="utf-8"))


def _summary(results: list[dict], pages: list, times: dict, detection: dict | None) -> dict:
    grid = [r for r in results if r["kind"] == "grid"]

    def mean(xs):
        xs = list(xs)
        return round(sum(xs) / len(xs), 4) if xs else None
    wall = [times[p][0] for p in pages]
    cpu = [times[p][1] for p in pages]
    return {
        "cases": len(results), "grid_cases": len(grid), "pages": len(pages),
        "score": mean(r["score"] for r in results),
        "cell_f1": mean(r["cell_f1"] for r in grid),
        "cell_precision": mean(r["cell_precision"] for r in grid),
        "cell_recall": mean(r["cell_recall"] for r in grid),
        "adj_f1": mean(r["adj_f1"] for r in grid),
        "found": mean(1.0 if r["found"] else 0.0 for r in results),
        "detection": detection,
        "seconds_per_page": round(sum(wall) / max(1, len(wall)), 4),
        "cpu_seconds_per_page": round(sum(cpu) / max(1, len(cpu)), 4),
        "seconds_total": round(sum(wall), 2),
    }


def run(set_name: str = "all", out: Path | str | None = None, *, configs=CONFIGS, timeout: int = 120,
        results_path: Path | str | None = RESULTS, quiet: bool = False) -> dict:
    """Run the configs over the benchmark in page mode, score them, print and return the summary."""
    import logging

    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    out = Path(out) if out else Path(tempfile.mkdtemp(prefix="scrutiny-tables-bench-"))
    cases = list_cases(set_name)
    pages: list[tuple[str, int, str]] = []
    for c in cases:
        key = (c["pdf"], c["page"], c["page_key"])
        if key not in pages:
            pages.append(key)
    runners = _runners()
    configs = [c for c in configs if c in runners]
    for name in configs:
        (out / name).mkdir(parents=True, exist_ok=True)
        for stale in (out / name).glob("*.csv"):  # a reused folder: old tables would be scored too
            stale.unlink()
    times = {name: {} for name in configs}
    errors = {name: [] for name in configs}
    image_only = [key for pdf, page, key in pages if _image_only(pdf, page)]
    use_alarm = hasattr(signal, "SIGALRM")
    for i, (pdf, page, key) in enumerate(pages):
        order = configs[i % len(configs):] + configs[:i % len(configs)]
        for name in order:
            if use_alarm:
                signal.signal(signal.SIGALRM, _alarm)
                signal.alarm(timeout)
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                tables = runners[name](pdf, page)
            except _Timeout:
                tables = []
                errors[name].append(f"{key}: timeout {timeout}s")
            except Exception as exc:  # noqa: BLE001 - a failing page is recorded, not fatal
                tables = []
                errors[name].append(f"{key}: {type(exc).__name__}: {str(exc)[:120]}")
            finally:
                if use_alarm:
                    signal.alarm(0)
            times[name][key] = (time.perf_counter() - wall, time.process_time() - cpu)
            for k, rows in enumerate(tables or []):
                _write_csv(out / name / f"{key}__t{k}.csv", rows)
        if not quiet and (i + 1) % 25 == 0:
            print(f"  {i + 1}/{len(pages)} pages", file=sys.stderr, flush=True)

    source_of = {c["id"]: c["page_key"].split("__")[0] for c in cases}
    subsets = {"all": None, "icdar2013": "icdar2013"} if set_name == "all" else {set_name: None}
    summary: dict = {"set": set_name, "goal": GOAL, "out": str(out), "machine": _machine(),
                     "image_only_pages": image_only,
                     "image_only_note": ("image-only pages: our extractor skips them (no text layer; "
                                         "extractors/ocr_tables.py rebuilds their tables with OCR); "
                                         "no config here does OCR, so their cases score 0 for all"),
                     "configs": {}}
    for name in configs:
        report = _score(out / name, set_name)
        results = report["results"]
        per = {}
        for subset, source in subsets.items():
            rs = [r for r in results if source is None or source_of.get(r["id"]) == source]
            ps = [p[2] for p in pages if source is None or p[2].startswith(source + "__")]
            det = report["summary"].get("detection") if source is None else None
            per[subset] = _summary(rs, ps, times[name], det)
        per["by_source"] = report["summary"].get("by_source")
        per["errors"] = errors[name][:20]
        per["n_errors"] = len(errors[name])
        summary["configs"][name] = per
    summary["verdict"] = _verdict(summary)
    summary["fixtures"] = fixtures_timing()
    if not quiet:
        print_summary(summary)
    if results_path:
        Path(results_path).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        if not quiet:
            print(f"Written {results_path}")
    return summary


def fixtures_timing(folder: Path = ROOT / "fixtures" / "papers") -> dict:
    """Our extractor over the bundled papers: tables and seconds per page (born-digital pages; the
    scans' pages are image-only and skipped, so they are left out of the per-page figure)."""
    from extractors.tables import extract_tables
    from extractors.tables._layout import PdfPages

    files, pages, seconds, cpu = [], 0, 0.0, 0.0
    for path in sorted(folder.glob("*.pdf")):
        try:
            with PdfPages(path) as doc:
                text_pages = [n for n in range(1, len(doc) + 1) if doc.page(n) is not None and doc.page(n).has_text]
        except Exception:  # noqa: BLE001 - a fixture that is deliberately unreadable
            continue
        wall, c = time.perf_counter(), time.process_time()
        tables = extract_tables(path, "bench", text_pages) if text_pages else []
        wall, c = time.perf_counter() - wall, time.process_time() - c
        files.append({"file": path.name, "pages": len(text_pages), "tables": len(tables),
                      "seconds": round(wall, 3), "seconds_per_page": round(wall / len(text_pages), 4) if text_pages else None})
        if text_pages:
            pages += len(text_pages)
            seconds += wall
            cpu += c
    return {"files": files, "pages": pages, "seconds_per_page": round(seconds / pages, 4) if pages else None,
            "cpu_seconds_per_page": round(cpu / pages, 4) if pages else None}


def _verdict(summary: dict) -> dict:
    cfg = summary["configs"]
    subset = "icdar2013" if "icdar2013" in cfg.get("ours", {}) else summary["set"]
    if "ours" not in cfg or "camelot_hybrid" not in cfg:
        return {}
    ours, peer = cfg["ours"][subset], cfg["camelot_hybrid"][subset]
    ratio = ours["seconds_per_page"] / peer["seconds_per_page"] if peer["seconds_per_page"] else None
    cpu_ratio = (ours["cpu_seconds_per_page"] / peer["cpu_seconds_per_page"]
                 if peer["cpu_seconds_per_page"] else None)
    return {"subset": subset, "ours_cell_f1": ours["cell_f1"], "camelot_hybrid_cell_f1": peer["cell_f1"],
            "time_ratio": round(ratio, 3) if ratio else None,
            "cpu_time_ratio": round(cpu_ratio, 3) if cpu_ratio else None,
            "f1_above": (ours["cell_f1"] or 0) > (peer["cell_f1"] or 0),
            "within_quarter_time": ratio is not None and ratio <= 0.25}


def print_summary(summary: dict) -> None:
    cfgs = summary["configs"]
    subsets = [s for s in ("icdar2013", "all", summary["set"]) if s in next(iter(cfgs.values()), {})]
    subsets = list(dict.fromkeys(subsets))
    header = f"{'config':<24}{'set':<11}{'cases':>6}{'cell F1':>9}{'prec':>7}{'recall':>8}{'adj F1':>8}" \
             f"{'tables found/exp (paired)':>27}{'s/page':>9}{'cpu s/p':>9}"
    print(f"\nTable extraction benchmark, page mode, set '{summary['set']}' "
          f"({BENCH_DIR}), all configs measured in this run")
    print(header)
    print("-" * len(header))
    for subset in subsets:
        for name, per in cfgs.items():
            s = per[subset]
            det = s.get("detection")
            det_text = f"{det['output_tables']}/{det['expected_tables']} ({det['paired']})" if det else "-"
            print(f"{name:<24}{subset:<11}{s['cases']:>6}{_f(s['cell_f1']):>9}{_f(s['cell_precision']):>7}"
                  f"{_f(s['cell_recall']):>8}{_f(s['adj_f1']):>8}{det_text:>27}{s['seconds_per_page']:>9.3f}"
                  f"{s['cpu_seconds_per_page']:>9.3f}")
    v = summary.get("verdict") or {}
    if v:
        print(f"\nGoal ({GOAL}), on {v['subset']}: ours {_f(v['ours_cell_f1'])} vs camelot hybrid "
              f"{_f(v['camelot_hybrid_cell_f1'])} -> {'met' if v['f1_above'] else 'NOT met'}; time ratio "
              f"{v['time_ratio']} wall, {v['cpu_time_ratio']} CPU -> "
              f"{'met' if v['within_quarter_time'] else 'NOT met'}")
    fx = summary.get("fixtures")
    if fx and fx["pages"]:
        print(f"Fixture papers (born-digital pages): {fx['pages']} pages, {fx['seconds_per_page']:.3f} s/page "
              f"({fx['cpu_seconds_per_page']:.3f} CPU): "
              + ", ".join(f"{f['file']} {f['tables']} tables" for f in fx["files"] if f["pages"]))
    if summary["image_only_pages"]:
        print(f"{len(summary['image_only_pages'])} image-only page(s) skipped by ours: "
              f"{', '.join(summary['image_only_pages'])}.\n  ({summary['image_only_note']})")
    for name, per in cfgs.items():
        if per["n_errors"]:
            print(f"{name}: {per['n_errors']} page error(s), e.g. {per['errors'][0]}")


def _f(x) -> str:
    return "-" if x is None else f"{x:.3f}"


def _machine() -> dict:
    from importlib import metadata

    info = {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}
    try:
        info["load_average"] = os.getloadavg()
    except OSError:
        pass
    for dist in ("camelot-py", "pdfplumber", "pdfminer.six", "playa-pdf", "pypdfium2"):
        try:
            info[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            info[dist] = None
    return info


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", default="all", help="all | core | a source (icdar2013, camelot, ...) | case ids")
    ap.add_argument("--out", default=None, help="folder for the CSVs and reports (default: a temp folder)")
    ap.add_argument("--configs", default=",".join(CONFIGS))
    ap.add_argument("--timeout", type=int, default=120, help="seconds per page and config")
    ap.add_argument("--results", default=str(RESULTS), help="summary JSON (default bench/tables_results.json)")
    a = ap.parse_args(argv)
    run(a.set, a.out, configs=a.configs.split(","), timeout=a.timeout, results_path=a.results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
