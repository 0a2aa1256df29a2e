"""Review queue speed with 100,000 flags: one queue page (first, middle, filtered) through the real app.

    .venv/bin/python -m bench.review            # prints the timings; `make bench` runs it too

Builds a SQLite store with 500 papers from 25 councils and 100,000 flags (bulk insert: severities, rules,
statuses, RAG-changing flags and assignments mixed like a busy queue), serves the review app with uvicorn on
a free 127.0.0.1 port, signs in, and times GET /queue over HTTP (httpx): median and worst of repeated
requests per case. Numbers are measurements of this machine, not assertions.
"""
from __future__ import annotations

import hashlib
import random
import re
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

N_FLAGS = 100_000
N_PAPERS = 500
N_COUNCILS = 25
RULES = ["RAG_MISMATCH", "POLARITY_CONFLICT", "COMMENTARY_CONTRADICTS", "PERCENT_CHANGE", "TARGET_MET_CLAIM",
         "BENCHMARK_CLAIM"]
STATUSES = ["open"] * 14 + ["confirmed"] * 3 + ["dismissed"] * 2 + ["corrected"]
PASSWORD = "bench-password-123"


def build(url: str, n_flags: int = N_FLAGS, seed: int = 7) -> dict:
    """Fill an empty store with papers, flags and two users; returns what was made."""
    from sqlalchemy import insert

    from review.auth import hash_password
    from store import Store
    from store.models import DiscrepancyRow, DocumentRow
    from store.review_models import FlagAssignmentRow
    from store.review_store import ReviewStore

    rng = random.Random(seed)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    councils = [f"Council {i:02d}" for i in range(N_COUNCILS)]
    indicators = [f"IND_{i:03d}" for i in range(120)]
    docs = []
    for i in range(N_PAPERS):
        doc_id = hashlib.sha256(f"bench paper {i}".encode()).hexdigest()
        docs.append({"id": doc_id, "source": f"/nowhere/paper-{i:03d}.pdf", "file_name": f"paper-{i:03d}.pdf",
                     "council": councils[i % N_COUNCILS], "title": f"Performance report {i}", "meeting_date": None,
                     "media_type": "application/pdf", "byte_size": 1000, "page_count": 12, "state": "processed",
                     "failure_reason": None, "ingested_at": now, "updated_at": now})
    flags, assignments = [], []
    for j in range(n_flags):
        doc = docs[j % N_PAPERS]
        flag_id = hashlib.sha256(f"bench flag {j}".encode()).hexdigest()[:20]
        rule = rng.choice(RULES)
        row_ref = str(rng.randint(1, 60))
        flags.append({
            "id": flag_id, "document_id": doc["id"], "rule": rule, "severity": rng.choice(["error", "query"]),
            "status": rng.choice(STATUSES), "row_ref": row_ref, "row_label": f"Measure {row_ref} of {doc['file_name']}",
            "indicator_id": rng.choice(indicators) if rng.random() < 0.8 else None, "page": rng.randint(1, 12),
            "changes_rag": rng.random() < 0.3,
            "message": f"{rule}: the paper's figures for measure {row_ref} do not agree (synthetic flag {j}).",
            "payload": {"period_label": "Q2 2024/25", "evidence": [
                {"label": "value", "text": f"{rng.randint(1, 99)}%", "provenance": None}]},
            "first_seen": now, "last_seen": now + timedelta(seconds=j), "version": 1,
        })
        if rng.random() < 0.1:
            assignments.append({"discrepancy_id": flag_id, "assignee": rng.choice(["asha", "ben"]),
                                "assigned_by": "asha", "assigned_at": now})
    with Store(url) as store:
        store.migrate()
        with store._write() as s:
            s.execute(insert(DocumentRow.__table__), docs)
            for start in range(0, len(flags), 5000):
                s.execute(insert(DiscrepancyRow.__table__), flags[start:start + 5000])
        review = ReviewStore(store)
        review.add_user("asha", hash_password(PASSWORD), "admin")
        review.add_user("ben", hash_password(PASSWORD), "reviewer")
        with store._write() as s:
            if assignments:
                s.execute(insert(FlagAssignmentRow.__table__), assignments)
        with store.engine.connect() as conn:  # fresh statistics for the planner, as after a real load
            conn.exec_driver_sql("ANALYZE")
    return {"flags": len(flags), "papers": len(docs), "councils": councils, "assignments": len(assignments)}


def _sign_in(client, base: str) -> None:
    page = client.get(base + "/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
    done = client.post(base + "/login", data={"username": "asha", "password": PASSWORD, "login_token": token,
                                               "next": "/queue"})
    if done.status_code != 303:
        raise RuntimeError(f"sign-in failed: {done.status_code}")


def _time(client, url: str, repeats: int) -> dict:
    times, server, size = [], [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url}: {response.status_code}")
        size = len(response.content)
        timing = re.search(r"app;dur=([0-9.]+)", response.headers.get("server-timing", ""))
        if timing:
            server.append(float(timing.group(1)))
    return {"median_ms": round(statistics.median(times) * 1000, 1), "max_ms": round(max(times) * 1000, 1),
            "server_median_ms": round(statistics.median(server), 1) if server else None,
            "bytes": size, "rows": response.text.count('class="item"')}


def run(n_flags: int = N_FLAGS, repeats: int = 15) -> dict:
    """Build the store, serve the app, and time queue pages. Returns the timings (ms) per case."""
    import httpx
    from sqlalchemy import select

    from review.app import create_app
    from review.server import LiveServer
    from store import Store
    from store.models import DiscrepancyRow
    from store.review_store import Cursor

    with tempfile.TemporaryDirectory(prefix="scrutiny-bench-review-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'review.db'}"
        started = time.perf_counter()
        made = build(url, n_flags)
        build_seconds = time.perf_counter() - started
        store = Store(url)
        d = DiscrepancyRow
        with store.engine.connect() as conn:  # the middle of the whole queue, in its own order
            mid = conn.execute(select(d.severity, d.changes_rag, d.id)
                               .order_by(d.severity, d.changes_rag.desc(), d.id).offset(n_flags // 2).limit(1)).one()
            mid_open = conn.execute(select(d.severity, d.changes_rag, d.id).where(d.status == "open")
                                    .order_by(d.severity, d.changes_rag.desc(), d.id)
                                    .offset(n_flags // 3).limit(1)).one()
        middle = Cursor(mid.severity, bool(mid.changes_rag), mid.id).encode()
        middle_open = Cursor(mid_open.severity, bool(mid_open.changes_rag), mid_open.id).encode()
        app = create_app(store=store, migrate=False)
        cases = {
            "first page (open flags, the default)": "/queue",
            "first page (all statuses)": "/queue?status=any",
            "middle page (all statuses, flag 50,000)": f"/queue?status=any&after={middle}",
            "middle page (open flags, about flag 33,000)": f"/queue?after={middle_open}",
            "filtered: one council + one rule, open": f"/queue?council={made['councils'][3].replace(' ', '+')}"
                                                      "&rule=RAG_MISMATCH",
            "filtered: severity error + assignee, any status": "/queue?severity=error&assignee=ben&status=any",
            "filtered: one indicator, open": "/queue?indicator=IND_042",
        }
        results: dict[str, dict] = {}
        with LiveServer(app) as server, httpx.Client(follow_redirects=False, timeout=30) as client:
            _sign_in(client, server.url)
            client.get(server.url + "/queue")  # warm-up: catalogue, filter options, SQLite page cache
            for name, path in cases.items():
                results[name] = _time(client, server.url + path, repeats)
            first_flag = re.search(r'href="/flags/([0-9a-f]+)\?', client.get(server.url + "/queue").text).group(1)
            results["item view (no paper file: text fallback)"] = _time(client, f"{server.url}/flags/{first_flag}",
                                                                        repeats)
        store.close()
    return {"flags": made["flags"], "papers": made["papers"], "build_seconds": round(build_seconds, 1),
            "page_size": 50, "repeats": repeats, "cases": results}


def print_results(results: dict, console=None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    table = Table(title=f"Review queue with {results['flags']:,} flags over {results['papers']} papers "
                        f"(page of {results['page_size']}, {results['repeats']} requests each, over HTTP)")
    for column in ("case", "median ms", "worst ms", "in app ms", "rows", "KB"):
        table.add_column(column, justify="left" if column == "case" else "right")
    for name, r in results["cases"].items():
        table.add_row(name, f"{r['median_ms']:.1f}", f"{r['max_ms']:.1f}", f"{r['server_median_ms'] or 0:.1f}",
                      str(r["rows"]), f"{r['bytes'] / 1024:.0f}")
    console.print(table)
    console.print(f"(building the 100,000-flag store took {results['build_seconds']} s)")


if __name__ == "__main__":
    print_results(run())
