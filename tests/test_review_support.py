"""Shared fixtures of the review tool's tests (no tests here).

A session-wide template store is built once per worker: the Buckinghamshire scorecard fixture PDF run through
the real pipeline (flows.paper.process_paper), plus a synthetic 'Testshire' paper whose label, commentary,
council and flag message carry HTML and scripts (as seed papers do), and three users. Each test gets its own
copy of that store and, where it needs one, the app served by uvicorn on a free 127.0.0.1 port.
"""
from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
import re
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest

from catalogue import load_catalogue
from extractors.ingest import load_manifest
from extractors.observations import to_observations
from flows.paper import process_paper
from review.app import create_app
from review.auth import hash_password
from reconcile import reconcile_paper
from review.server import LiveServer
from schemas import (
    BBox,
    Discrepancy,
    Evidence,
    MappingCandidate,
    MappingStatus,
    MeasureRow,
    MediaType,
    Page,
    PeriodValue,
    Provenance,
    Rag,
    Severity,
    SourceDocument,
    Unit,
    Word,
)
from store import Store
from store.review_store import ReviewStore

ROOT = Path(__file__).resolve().parent.parent
PAPERS = ROOT / "fixtures" / "papers"
PAPER = PAPERS / "000-bucks-cabinet-scorecard-q4-2017-18.pdf"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PASSWORDS = {"alice": "alice-password-1", "bob": "bob-password-22", "carol": "carol-password-333"}
ROLES = {"alice": "admin", "bob": "reviewer", "carol": "reviewer"}

SYNTH_ID = hashlib.sha256(b"synthetic testshire paper").hexdigest()
XSS_LABEL = '<script>alert("xss-label")</script> Children in need <b>rate</b>'
XSS_COMMENTARY = ("All the 9 children who did not achieve permanence reached their 18<sup>th</sup> Birthday in Q1. "
                  '<img src=x onerror=alert("xss-img")>')
XSS_MESSAGE = 'The paper says <b>Green</b> <script>alert("xss-msg")</script> but the value is below target.'
XSS_COUNCIL = 'Testshire <i>County</i> Council'


# The template store ------------------------------------------------------------------------------------

def _prov(page: int, x0: float, top: float, x1: float, bottom: float, text: str) -> Provenance:
    return Provenance(document_id=SYNTH_ID, page=page, bbox=BBox(x0=x0, top=top, x1=x1, bottom=bottom),
                      raw_text=text, method="synthetic")


def add_synthetic_paper(store: Store) -> None:
    """A paper whose printed text carries HTML: its flags must show that text, never run it."""
    doc = SourceDocument(id=SYNTH_ID, source="/nonexistent/testshire-scorecard.pdf", file_name="testshire-scorecard.pdf",
                         council=XSS_COUNCIL, title="Children's services <u>scorecard</u>", meeting_date=date(2024, 11, 14),
                         media_type=MediaType.pdf, byte_size=1234, page_count=1,
                         ingested_at=datetime(2024, 11, 20, tzinfo=UTC))
    words = [Word(text=t, bbox=BBox(x0=x, top=100, x1=x + 40, bottom=110))
             for t, x in (("S1", 40), ("<script>alert(1)</script>", 90), ("61%", 300), ("Green", 360))]
    page = Page(document_id=SYNTH_ID, number=1, width=595.0, height=842.0, text="S1 Children in need rate 61% Green",
                words=words)
    row = MeasureRow(
        document_id=SYNTH_ID, row_ref="S1", row_label=XSS_LABEL, unit=Unit.percent,
        values=[PeriodValue(period_label="Q1 2024/25", value=58.0, value_text="58%", provenance=_prov(1, 250, 100, 290, 110, "58%")),
                PeriodValue(period_label="Q2 2024/25", value=61.0, value_text="61%", provenance=_prov(1, 300, 100, 340, 110, "61%"))],
        target=75.0, target_text="75%", rag=Rag.green, rag_text="Green", commentary=XSS_COMMENTARY,
        label_provenance=_prov(1, 40, 100, 240, 110, "S1 Children in need rate"),
        rag_provenance=_prov(1, 360, 100, 400, 110, "Green"),
        commentary_provenance=_prov(1, 420, 100, 560, 110, "All the 9 children"),
        mapping_status=MappingStatus.needs_review,
        candidates=[MappingCandidate(indicator_id="CIN_RATE", score=71.0),
                    MappingCandidate(indicator_id="CLA_RATE", score=64.5)],
    )
    unmapped = MeasureRow(
        document_id=SYNTH_ID, row_ref="S2", row_label="Percentage of widgets <em>reconciled</em>", unit=Unit.percent,
        values=[PeriodValue(period_label="Q2 2024/25", value=12.0, value_text="12%",
                            provenance=_prov(1, 300, 130, 340, 140, "12%"))],
        label_provenance=_prov(1, 40, 130, 240, 140, "S2 Percentage of widgets reconciled"),
    )
    evidence = [Evidence(label="printed RAG", text="Green", provenance=row.rag_provenance),
                Evidence(label="value (Q2 2024/25)", text='<img src=x onerror=alert("xss-ev")>',
                         provenance=row.values[-1].provenance)]
    flags = [
        Discrepancy(id="synthhtml00000000001", rule="TEST_HTML", severity=Severity.error, message=XSS_MESSAGE,
                    document_id=SYNTH_ID, row_ref="S1", row_label=XSS_LABEL, period_label="Q2 2024/25", page=1,
                    changes_rag=True, evidence=evidence),
        Discrepancy(id="synthquery0000000002", rule="TEST_QUERY", severity=Severity.query,
                    message="Please check: the commentary's figure is not in the table.", document_id=SYNTH_ID,
                    row_ref="S1", row_label=XSS_LABEL, period_label="Q2 2024/25", page=1, evidence=evidence[:1]),
        Discrepancy(id="synthpaper0000000003", rule="TEST_PAPER", severity=Severity.query,
                    message="Please check: the paper's summary counts three red measures; the table has two.",
                    document_id=SYNTH_ID, page=1, evidence=[]),
    ]
    store.save_ingested(doc, [page])
    store.save_results(SYNTH_ID, [row, unmapped], to_observations([row, unmapped]), flags)


def add_rule_flags(store: Store, document_id: str, catalogue, rows_wanted: int = 4) -> None:
    """More flags with real evidence boxes on the real PDF: the RAG_MISMATCH rule run over a few of the paper's
    own rows with their printed RAG flipped (Green <-> Red). The rows stored stay the ones the paper prints."""
    document = store.get_document(document_id)
    rows = store.measure_rows(document_id)
    flipped, n = [], 0
    for r in rows:
        if n < rows_wanted and r.rag is not None and r.target is not None and r.latest is not None:
            flipped.append(r.model_copy(update={"rag": Rag.red if r.rag == Rag.green else Rag.green}))
            n += 1
        else:
            flipped.append(r)
    existing = [s.discrepancy for s in store.discrepancies(document_id=document_id)]
    known = {f.id for f in existing}
    extra = [f for f in reconcile_paper(document, flipped, catalogue, only={"RAG_MISMATCH"}) if f.id not in known]
    store.save_results(document_id, rows, store.observations(document_id), existing + extra)


@pytest.fixture(scope="session")
def review_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("review-template") / "template.db"
    with Store(f"sqlite:///{path}") as store:
        store.migrate()
        meta = load_manifest(PAPERS).get(PAPER.name, {})
        outcome = process_paper(PAPER, store, catalogue=load_catalogue(), meta=meta)
        assert outcome.state == "processed", outcome.reason
        add_rule_flags(store, outcome.document_id, load_catalogue())
        assert len(bucks_flags(store)) >= 3, "the fixture paper should give at least three flags"
        add_synthetic_paper(store)
        review = ReviewStore(store)
        for name, password in PASSWORDS.items():
            review.add_user(name, hash_password(password), ROLES[name])
    return path


def copy_db(src: Path, dst: Path) -> None:
    """A consistent copy of a SQLite store (WAL included), via SQLite's backup API."""
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    a.close()
    b.close()


@pytest.fixture
def review_url(review_template, tmp_path) -> str:
    db = tmp_path / "review.db"
    copy_db(review_template, db)
    return f"sqlite:///{db}"


@pytest.fixture
def store(review_url):
    with Store(review_url) as s:
        yield s


@pytest.fixture
def live(review_url):
    """The app over a fresh copy of the template store, served on 127.0.0.1; .store is a Store on the same file."""
    app = create_app(review_url, catalogue=load_catalogue())
    with LiveServer(app) as server:
        server.store = app.state.store
        server.review = app.state.review
        yield server
    app.state.store.close()


# HTTP helpers -------------------------------------------------------------------------------------------

def client() -> httpx.Client:
    return httpx.Client(follow_redirects=False, timeout=30)


def login(c: httpx.Client, base: str, user: str, password: str | None = None) -> httpx.Response:
    page = c.get(base + "/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
    return c.post(base + "/login", data={"username": user, "password": password or PASSWORDS[user],
                                         "login_token": token, "next": "/queue"})


@contextmanager
def signed_in(base: str, user: str) -> Iterator[httpx.Client]:
    """An HTTP client signed in as `user`."""
    with client() as c:
        response = login(c, base, user)
        assert response.status_code == 303, response.text
        yield c


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def version_of(html: str) -> int:
    return int(re.search(r'name="version" value="(\d+)"', html).group(1))


def flag_ids(store: Store, document_id: str | None = None) -> list[str]:
    return [f.discrepancy.id for f in store.discrepancies(document_id=document_id)]


def bucks_flags(store: Store) -> list:
    return [f for f in store.discrepancies() if f.discrepancy.document_id != SYNTH_ID]


def read_csv(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))
