"""Shared set-up of the scrape tests (no tests here): a fake ModernGov site, a test config, store assertions."""
from __future__ import annotations

import hashlib
import os
import uuid
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from conftest import PAPERS
from scrape import parse_config
from scrape.fakesite import FakeCommittee, FakeDoc, FakeMeeting, FakeModernGov, fixture_pdfs, unique_pdf
from store import Store, resolve_url
from store.scrape_store import ScrapeStore

PDFS = fixture_pdfs(PAPERS)
SCORECARD = PDFS["000-bucks-cabinet-scorecard-q4-2017-18.pdf"]
PORTFOLIO = PDFS["001-bucks-portfolio-q2-2018-19.pdf"]
DASHBOARD = PDFS["002-bucks-dashboard-jan-2015.pdf"]
WOKINGHAM = PDFS["004-wokingham-osc-performance-2017-09-12.pdf"]
TODAY = date.today()
SLUG = "fakeshire-county-council"

# Tiny timeouts and backoff, so every fault costs well under a second or two.
FAST = {"min_interval_seconds": 0, "timeout_seconds": 2, "connect_timeout_seconds": 2, "retries": 2,
        "backoff_seconds": 0.01, "backoff_max_seconds": 0.05, "max_retry_after_seconds": 2,
        "user_agent": "ScrutinyTest/1.0 (+tests)"}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def standard_site(**kwargs) -> FakeModernGov:
    """Four committees (three followed), five meetings in the window:

    345 Children's O&S: s101 performance report (SCORECARD), s102 minutes (title not wanted),
        s103 appendix scorecard (PORTFOLIO), and a public reports pack repeating them (HTML page only)
    346 Cabinet: s101 again (the same attachment linked twice) and s104, the same bytes as s101 republished
    347 Planning (not followed): s105
    348 Corporate Parenting: only a reports pack (DASHBOARD), so the pack is fetched
    """
    committees = [FakeCommittee(12, "Children\u2019s Services Overview and Scrutiny Committee"),
                  FakeCommittee(13, "Planning Committee"), FakeCommittee(14, "Cabinet"),
                  FakeCommittee(15, "Corporate Parenting Panel")]
    report = FakeDoc(101, "Children's Services Performance Report Q2", SCORECARD)
    appendix = FakeDoc(103, "Appendix A - Performance Scorecard", PORTFOLIO)
    meetings = [
        FakeMeeting(345, 12, TODAY - timedelta(days=7),
                    reports=[report, FakeDoc(102, "Minutes of the previous meeting", WOKINGHAM), appendix],
                    packs=[FakeDoc(0, "Public reports pack 345", unique_pdf(SCORECARD + PORTFOLIO, "pack"),
                                   pack=True)]),
        FakeMeeting(346, 14, TODAY - timedelta(days=3),
                    reports=[report, FakeDoc(104, "Performance dashboard (republished)", SCORECARD)]),
        FakeMeeting(347, 13, TODAY - timedelta(days=5),
                    reports=[FakeDoc(105, "Planning performance indicators", WOKINGHAM)]),
        FakeMeeting(348, 15, TODAY - timedelta(days=20),
                    packs=[FakeDoc(0, "Agenda reports pack 348", DASHBOARD, pack=True)]),
    ]
    return FakeModernGov(committees, meetings, **kwargs)


def config_for(site: FakeModernGov, tmp_path: Path, **settings):
    data = {
        "settings": {**FAST, "papers_dir": str(tmp_path / "papers"), **settings},
        "councils": [{"name": "Fakeshire County Council", "platform": "moderngov", "base_url": site.base_url}],
    }
    return parse_config(data)


def db_url_for(request, tmp_path) -> str:
    """Shared body of the db_url fixtures: a SQLite file, or a fresh PostgreSQL schema (dropped by the
    finalizer); PostgreSQL is skipped with a reason when SCRUTINY_TEST_DATABASE_URL is unset."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'scrutiny.db'}"
    base = os.environ.get("SCRUTINY_TEST_DATABASE_URL")
    if not base:
        pytest.skip("SCRUTINY_TEST_DATABASE_URL not set: PostgreSQL scrape tests skipped")
    schema = f"test_{uuid.uuid4().hex}"
    admin = create_engine(resolve_url(base), poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop():
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    request.addfinalizer(drop)
    return resolve_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)


def statuses(store: Store) -> dict[str, str]:
    return {a.key: a.status for a in ScrapeStore(store).attachments()}


def assert_accounted(store: Store) -> None:
    """Nothing lost, nothing duplicated: every attachment ended somewhere definite, failures carry a reason,
    each kept sha256 is kept once and its file is on disk with those bytes."""
    records = ScrapeStore(store).attachments()
    assert not [a.key for a in records if a.status == "discovered"], "an attachment was left undecided"
    for a in records:
        if a.status in ("failed", "rejected", "skipped"):
            assert a.failure_reason, f"{a.key} is {a.status} without a reason"
    kept = [a for a in records if a.status == "downloaded"]
    assert len({a.sha256 for a in kept}) == len(kept), "the same bytes were kept twice"
    for a in kept:
        assert a.file_path and Path(a.file_path).is_file(), f"{a.key}: stored file missing"
        assert sha(Path(a.file_path).read_bytes()) == a.sha256
    for a in records:
        if a.status == "duplicate":
            assert a.duplicate_of and a.file_path is None


def files_in(tmp_path: Path) -> list[str]:
    folder = tmp_path / "papers"
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def skipped_reasons(run) -> Counter:
    return Counter(run.details.get("skipped", {}))
