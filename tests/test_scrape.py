"""The scraper against a fake ModernGov site on 127.0.0.1, with every fault of the issue; after each, what is
stored: nothing duplicated, nothing lost, the failure recorded with its reason, the next run resuming.

Runs on SQLite and (with SCRUTINY_TEST_DATABASE_URL) PostgreSQL, each test in its own schema. No Prefect:
scrape_council runs the same steps the flow does (tests/test_scrape_flow.py runs the flow itself).
"""
from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest

from scrape import PoliteClient, scrape_council
from scrape.fakesite import Fault, FakeCommittee, FakeDoc, FakeMeeting, FakeModernGov
from store import Store
from store.scrape_store import ScrapeStore
from test_scrape_support import (
    DASHBOARD,
    PORTFOLIO,
    SCORECARD,
    SLUG,
    TODAY,
    WOKINGHAM,
    assert_accounted,
    config_for,
    db_url_for,
    files_in,
    sha,
    skipped_reasons,
    standard_site,
    statuses,
)

S101 = "/documents/s101/Children's Services Performance Report Q2.pdf"
S103 = "/documents/s103/Appendix A - Performance Scorecard.pdf"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    with Store(db_url_for(request, tmp_path)) as s:
        s.migrate()
        yield s


@pytest.fixture
def site():
    with standard_site() as s:
        yield s


def run(site, store, tmp_path, **kwargs):
    settings = kwargs.pop("settings", {})
    config = config_for(site, tmp_path, **settings)
    result = scrape_council(config.councils[0], config, store, **kwargs)
    assert_accounted(store)
    return result.run


def expect_first_run_kept(store, tmp_path):
    """The standard site's papers, each kept once."""
    found = statuses(store)
    packs = {k: found.pop(k) for k in list(found) if k.startswith("g")}
    assert found == {"s101": "downloaded", "s103": "downloaded", "s104": "duplicate"}
    assert sorted(packs.values()) in (["downloaded"], ["downloaded", "skipped"])  # g348 fetched; g345 skipped
    kept = {a.sha256 for a in ScrapeStore(store).attachments(status="downloaded")}
    assert kept == {sha(SCORECARD), sha(PORTFOLIO), sha(DASHBOARD)}
    assert len(files_in(tmp_path)) == 3


# The happy path and dedupe -----------------------------------------------------------------------------

def test_first_run_fetches_each_paper_once_and_second_run_fetches_nothing(site, store, tmp_path):
    first = run(site, store, tmp_path)
    assert (first.status, first.source) == ("ok", "service")
    assert (first.meetings, first.found, first.new) == (3, 4, 3)  # 347 is Planning: not followed
    expect_first_run_kept(store, tmp_path)
    # s101 is linked from two meetings and s104 is the same bytes: one request for s101, one file.
    assert site.count("/documents/s101/") == 1
    assert site.count("/documents/s105/") == 0 and site.count("lMeetingId=347") == 0
    assert site.count("/documents/s102/") == 0  # "Minutes ..." does not match the document patterns
    s104 = ScrapeStore(store).get_attachment(SLUG, "s104")
    assert s104.duplicate_of == f"{SLUG}/s101" and s104.sha256 == sha(SCORECARD)
    assert skipped_reasons(first) == {f"same bytes as {SLUG}/s101": 1}
    pack = next(a for a in ScrapeStore(store).attachments() if a.key.startswith("g348-"))
    assert pack.kind == "pack" and pack.meeting_id == "348"
    s101 = ScrapeStore(store).get_attachment(SLUG, "s101")
    assert (s101.meeting_id, s101.committee, s101.title) == (
        "345", "Children\u2019s Services Overview and Scrutiny Committee", "Children's Services Performance Report Q2")
    assert s101.url.endswith(quote(S101)) and s101.attachment_id == "101"

    requests_before = len(site.requests)
    second = run(site, store, tmp_path)
    assert (second.status, second.new, second.failed) == ("ok", 0, 0)
    assert skipped_reasons(second) == {"already stored": 3, f"same bytes as {SLUG}/s101": 1}
    assert not [r for r in site.requests[requests_before:] if "/documents/" in r.path]
    expect_first_run_kept(store, tmp_path)
    runs = ScrapeStore(store).runs(SLUG)
    assert [r.id for r in runs] == [second.id, first.id]
    assert ScrapeStore(store).last_runs()[SLUG].id == second.id


def test_a_reports_pack_is_skipped_when_its_reports_are_listed(store, tmp_path):
    with standard_site(service=False) as site:  # the HTML pages list packs next to the reports
        first = run(site, store, tmp_path)
    assert first.source == "html"
    expect_first_run_kept(store, tmp_path)
    skipped = {k: v for k, v in statuses(store).items() if k.startswith("g345-")}
    assert list(skipped.values()) == ["skipped"]
    assert site.count("/documents/g345/") == 0
    assert any("meeting pack" in reason for reason in skipped_reasons(first))


def test_a_paper_whose_file_went_missing_is_fetched_again(site, store, tmp_path):
    run(site, store, tmp_path)
    Path(ScrapeStore(store).get_attachment(SLUG, "s103").file_path).unlink()
    again = run(site, store, tmp_path)
    assert again.new == 1 and site.count("/documents/s103/") == 2
    assert any("stored copy had gone" in note for note in again.details["notes"])
    expect_first_run_kept(store, tmp_path)


# Faults ------------------------------------------------------------------------------------------------------

def test_responses_slower_than_the_timeout(site, store, tmp_path):
    site.fail(S103, Fault("slow", delay=1.5))
    first = run(site, store, tmp_path, settings={"retries": 1, "timeout_seconds": 0.5})
    assert (first.status, first.new, first.failed) == ("partial", 2, 1)
    s103 = ScrapeStore(store).get_attachment(SLUG, "s103")
    assert s103.status == "failed" and "timed out" in s103.failure_reason and "2 attempts" in s103.failure_reason
    assert first.details["failures"][0]["key"] == "s103" and "timed out" in first.details["failures"][0]["reason"]
    assert site.count("/documents/s103/") == 2  # the first try and one retry
    assert len(files_in(tmp_path)) == 2

    site.heal()
    second = run(site, store, tmp_path)
    assert (second.status, second.new, second.details["new"]) == ("ok", 1, ["s103"])
    assert ScrapeStore(store).get_attachment(SLUG, "s103").attempts == 2
    expect_first_run_kept(store, tmp_path)


def test_server_errors_are_retried_with_backoff_then_left_for_the_next_run(site, store, tmp_path):
    site.fail(S101, Fault("status", status=500, times=2))  # recovers on the third attempt
    site.fail(S103, Fault("status", status=503))  # stays down
    first = run(site, store, tmp_path)
    assert site.count("/documents/s101/") == 3
    assert statuses(store)["s101"] == "downloaded"
    s103 = ScrapeStore(store).get_attachment(SLUG, "s103")
    assert (s103.status, s103.failure_reason) == ("failed", "HTTP 503 (after 3 attempts)")
    assert first.status == "partial" and first.failed == 1

    site.heal()
    second = run(site, store, tmp_path)
    assert second.status == "ok" and second.details["new"] == ["s103"]
    expect_first_run_kept(store, tmp_path)


def test_429_with_retry_after_is_honoured(site, store, tmp_path):
    site.fail(S101, Fault("status", status=429, retry_after="1", times=1))
    site.fail(S103, Fault("status", status=429, retry_after="3600"))  # longer than we are willing to wait
    started = time.monotonic()
    first = run(site, store, tmp_path)
    hits = [r.at for r in site.requests if "/documents/s101/" in r.path]
    assert len(hits) == 2 and hits[1] - hits[0] >= 0.95  # waited as asked, not the 0.01 s backoff
    assert statuses(store)["s101"] == "downloaded"
    s103 = ScrapeStore(store).get_attachment(SLUG, "s103")
    assert s103.status == "failed" and "Retry-After" in s103.failure_reason and "3600" in s103.failure_reason
    assert site.count("/documents/s103/") == 1  # did not hammer it
    assert time.monotonic() - started < 20
    assert first.status == "partial"

    site.heal()
    assert run(site, store, tmp_path).details["new"] == ["s103"]
    expect_first_run_kept(store, tmp_path)


def test_connection_resets(site, store, tmp_path):
    site.fail(S101, Fault("reset", times=1))  # one reset: the retry gets it
    site.fail(S103, Fault("reset"))
    first = run(site, store, tmp_path)
    assert statuses(store)["s101"] == "downloaded" and site.count("/documents/s101/") == 2
    s103 = ScrapeStore(store).get_attachment(SLUG, "s103")
    assert s103.status == "failed"
    assert "connection" in s103.failure_reason and "after 3 attempts" in s103.failure_reason
    assert first.failed == 1

    site.heal()
    run(site, store, tmp_path)
    expect_first_run_kept(store, tmp_path)


def test_truncated_pdf_bodies(site, store, tmp_path):
    site.fail(S101, Fault("truncate"))  # Content-Length says more than arrives: the connection drops
    site.fail(S103, Fault("short"))  # a complete answer whose PDF is cut in half
    first = run(site, store, tmp_path)
    s101, s103 = (ScrapeStore(store).get_attachment(SLUG, k) for k in ("s101", "s103"))
    assert s101.status == "failed" and "truncated" in s101.failure_reason
    assert s103.status == "failed" and "end-of-file marker is missing" in s103.failure_reason
    assert s103.sha256 is None and s103.file_path is None
    assert statuses(store)["s104"] == "downloaded"  # the same bytes as s101, fetched whole under its own id
    assert not [name for name in files_in(tmp_path) if name.startswith(".part")], "partial file left behind"
    assert first.failed == 2
    assert store.documents() == []  # nothing half-read reached the pipeline's tables

    site.heal()
    second = run(site, store, tmp_path)
    assert sorted(second.details["new"]) == ["s103"]  # s101's bytes are already kept (as s104)
    assert ScrapeStore(store).get_attachment(SLUG, "s101").status == "duplicate"
    assert ScrapeStore(store).get_attachment(SLUG, "s103").sha256 == sha(PORTFOLIO)
    assert_accounted(store)


def test_an_html_error_page_served_as_application_pdf(site, store, tmp_path):
    site.fail(S101, Fault("html_as_pdf"))
    run(site, store, tmp_path)
    s101 = ScrapeStore(store).get_attachment(SLUG, "s101")
    assert s101.status == "failed"
    assert s101.failure_reason == "not a PDF: it looks like an HTML page (an error page served as a PDF?)"
    assert statuses(store)["s104"] == "downloaded"

    site.heal()
    second = run(site, store, tmp_path)
    assert ScrapeStore(store).get_attachment(SLUG, "s101").status == "duplicate"
    assert second.status == "ok"


def test_web_service_disabled_falls_back_to_html(store, tmp_path):
    with standard_site(service=False) as site:
        first = run(site, store, tmp_path)
    assert (first.status, first.source) == ("ok", "html")
    assert any(note.startswith("web service unavailable (HTTP 404)") for note in first.details["notes"])
    expect_first_run_kept(store, tmp_path)
    assert site.count("ieListDocuments.aspx") == 3 and site.count("mgListCommittees.aspx") == 1
    s101 = ScrapeStore(store).get_attachment(SLUG, "s101")
    assert s101.title == "Children's Services Performance Report Q2"  # 'ref: 101' and 'PDF 119 KB' dropped


def test_a_namespaced_web_service_answer_is_read(store, tmp_path):
    with standard_site(namespaced=True) as site:
        first = run(site, store, tmp_path)
    assert (first.source, first.new) == ("service", 3)


def test_a_council_with_zero_meetings_is_reported_not_failed(store, tmp_path):
    site = FakeModernGov([FakeCommittee(12, "Children's Services Scrutiny")],
                         [FakeMeeting(1, 12, TODAY - timedelta(days=400),
                                      reports=[FakeDoc(1, "Performance", SCORECARD)])])
    with site:
        first = run(site, store, tmp_path)
    assert (first.status, first.meetings, first.found, first.failed, first.error) == ("ok", 0, 0, 0, None)
    assert any(note.startswith("no meetings of the followed committees") for note in first.details["notes"])
    assert ScrapeStore(store).attachments() == []


def test_a_redirect_to_another_host_is_not_followed(site, store, tmp_path):
    elsewhere = f"http://localhost:{site.port}{quote(S101)}"  # another host name (that would even answer)
    site.fail(S101, Fault("redirect", location=elsewhere))
    site.fail(S103, Fault("redirect", location=quote(S103) + "?moved=1", times=1))  # same host: followed
    first = run(site, store, tmp_path)
    s101 = ScrapeStore(store).get_attachment(SLUG, "s101")
    assert s101.status == "rejected"
    assert s101.failure_reason.startswith("redirected to another host (localhost), not followed")
    assert not [r for r in site.requests if r.host.startswith("localhost")]
    assert statuses(store)["s103"] == "downloaded"
    assert first.details["failures"][0]["retry"] is False

    site.heal()  # rejected papers are not fetched again; the run log says why
    second = run(site, store, tmp_path)
    assert site.count("/documents/s101/") == 1
    assert any(r.startswith("rejected by an earlier run: redirected to another host") for r in skipped_reasons(second))


def test_robots_txt_is_respected(store, tmp_path):
    with standard_site(robots="User-agent: *\nDisallow: /documents/s103/\n") as site:
        run(site, store, tmp_path)
    s103 = ScrapeStore(store).get_attachment(SLUG, "s103")
    assert s103.status == "rejected" and "robots.txt disallows" in s103.failure_reason
    assert site.count("/documents/s103/") == 0 and site.count("/robots.txt") == 1


def test_one_user_agent_and_a_per_host_rate_limit(site, store, tmp_path):
    run(site, store, tmp_path, settings={"min_interval_seconds": 0.05})
    assert {r.user_agent for r in site.requests} == {"ScrutinyTest/1.0 (+tests)"}
    times = sorted(r.at for r in site.requests)
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert len(times) > 10 and min(gaps) >= 0.035 and times[-1] - times[0] >= (len(times) - 1) * 0.05 * 0.95


def test_size_and_content_type_limits(store, tmp_path):
    site = standard_site()
    site.meetings[0].reports[2].content_type = "text/html"  # s103: not a PDF by its own account
    with site:
        run(site, store, tmp_path, settings={"max_bytes": 20_000})  # SCORECARD (35 KB) is over it
    records = {a.key: a for a in ScrapeStore(store).attachments()}
    assert records["s101"].status == "rejected" and "over the 19.5 KB limit" in records["s101"].failure_reason
    assert (records["s103"].status, records["s103"].failure_reason) == (
        "rejected", "the server sent text/html, not a PDF")
    assert files_in(tmp_path) == [next(n for n in files_in(tmp_path) if n.startswith("g348-"))]


def test_a_meeting_that_cannot_be_read_is_retried_by_the_next_run(site, store, tmp_path):
    site.fail("/mgWebService.asmx/GetMeeting?lMeetingId=345", Fault("status", status=500))
    first = run(site, store, tmp_path)
    assert first.status == "partial"
    assert first.details["failures"] == [{
        "meeting": "345", "url": f"{site.base_url}/ieListDocuments.aspx?CId=12&MId=345&Ver=4",
        "reason": "meeting could not be read: HTTP 500 (after 3 attempts)"}]
    meeting = ScrapeStore(store).meetings(SLUG)["345"]
    assert (meeting.status, meeting.attempts) == ("failed", 1)
    assert "s103" not in statuses(store)

    site.heal()
    second = run(site, store, tmp_path)
    assert second.status == "ok" and second.details["new"] == ["s103"]
    assert ScrapeStore(store).meetings(SLUG)["345"].status == "ok"
    expect_first_run_kept(store, tmp_path)


def test_backfill_and_resuming_outside_the_window(store, tmp_path):
    old = TODAY - timedelta(days=200)
    site = FakeModernGov([FakeCommittee(12, "Children's Services Scrutiny")], [
        FakeMeeting(1, 12, old, reports=[FakeDoc(11, "Performance scorecard", SCORECARD)]),
        FakeMeeting(2, 12, old + timedelta(days=30), reports=[FakeDoc(12, "Performance dashboard", DASHBOARD)]),
    ])
    with site:
        window = run(site, store, tmp_path)
        assert (window.meetings, window.new) == (0, 0)  # the rolling window does not reach them
        site.fail("/documents/s12/Performance dashboard.pdf", Fault("status", status=502))
        backfill = run(site, store, tmp_path, since=old - timedelta(days=1), until=old + timedelta(days=60))
        assert (backfill.window_from, backfill.mode, backfill.meetings, backfill.new, backfill.failed) == (
            old - timedelta(days=1), "backfill", 2, 1, 1)
        site.heal()
        resumed = run(site, store, tmp_path)  # the window again: the failed paper is picked up anyway
    assert resumed.details["new"] == ["s12"] and resumed.status == "ok"
    assert statuses(store) == {"s11": "downloaded", "s12": "downloaded"}


def test_a_council_that_cannot_be_reached_fails_its_run_with_the_reason(store, tmp_path):
    site = standard_site()
    with site:
        config = config_for(site, tmp_path)
    result = scrape_council(config.councils[0], config, store)  # the server is gone now
    run_ = result.run
    assert run_.status == "failed" and run_.error.startswith("could not list meetings: robots.txt could not be read")
    assert ScrapeStore(store).last_runs()[SLUG].status == "failed"


def test_generic_site_with_selectors(store, tmp_path):
    from scrape import parse_config

    meeting_day = TODAY - timedelta(days=6)
    listing = (f'<ul class="meetings"><li><a href="/council/meetings/77">Children\'s Services Scrutiny Panel - '
               f'{meeting_day:%d %B %Y}</a></li><li><a href="/council/meetings/78">Licensing Committee - '
               f'{meeting_day:%d %B %Y}</a></li></ul>')
    page = ('<p><a class="download" href="/downloads/file/901/performance-report.pdf">Performance report</a>'
            '<a class="download" href="/downloads/file/902/minutes.pdf">Minutes</a></p>')
    pages = {
        "/council/meetings": ("text/html", listing.encode()),
        "/council/meetings/77": ("text/html", page.encode()),
        "/downloads/file/901/performance-report.pdf": ("application/pdf", WOKINGHAM),
    }
    with FakeModernGov([], [], pages=pages) as site:
        config = parse_config({"settings": {"papers_dir": str(tmp_path / "papers"), "min_interval_seconds": 0},
                               "councils": [{
                                   "name": "Example Borough", "platform": "generic", "base_url": site.base_url,
                                   "generic": {"listing_urls": ["/council/meetings?from={from}&to={to}"],
                                               "meetings": {"css": "ul.meetings a",
                                                            "href": r"/council/meetings/(?P<id>\d+)"},
                                               "documents": {"css": "a.download"},
                                               "attachment_id": r"/downloads/file/(\d+)/"}}]})
        result = scrape_council(config.councils[0], config, store)
    assert (result.run.status, result.run.source, result.run.meetings, result.run.new) == ("ok", "generic", 1, 1)
    (paper,) = ScrapeStore(store).attachments()
    assert (paper.key, paper.meeting_id, paper.meeting_date, paper.title) == (
        "a-901", "77", meeting_day, "Performance report")
    assert paper.committee.startswith("Children's Services Scrutiny Panel")
    assert site.count("/council/meetings/78") == 0
    assert any(f"from={TODAY - timedelta(weeks=4)}" in r.path for r in site.requests)


def test_safe_file_names_never_come_from_the_url(store, tmp_path):
    evil = FakeDoc(666, "../../etc/passwd Performance \u2603 <script>", SCORECARD)
    with FakeModernGov([FakeCommittee(12, "Children")], [FakeMeeting(9, 12, TODAY, reports=[evil])]) as site:
        run(site, store, tmp_path)
    (paper,) = ScrapeStore(store).attachments(status="downloaded")
    assert paper.file_path == str((tmp_path / "papers" / SLUG / "s666-etc-passwd-performance-script.pdf").resolve())


def test_the_client_counts_requests_and_respects_shared_rate_limits(site, tmp_path):
    config = config_for(site, tmp_path, min_interval_seconds=0.05)
    with PoliteClient(config.settings, {"127.0.0.1"}) as a, PoliteClient(config.settings, {"127.0.0.1"}) as b:
        for client in (a, b, a, b):
            client.get_page(site.base_url + "/mgListCommittees.aspx?bcr=1")
        assert (a.requests, b.requests) == (3, 3)  # robots.txt once each, then the pages
    times = sorted(r.at for r in site.requests)  # two clients, one host, one limit (arrival times jitter)
    assert times[-1] - times[0] >= 5 * 0.05 * 0.95 and min(b - a for a, b in zip(times, times[1:])) >= 0.035


def test_papers_go_to_the_pipeline_once_even_when_fetched_by_an_earlier_run(site, store, tmp_path):
    class Outcome:
        def __init__(self, path):
            self.document_id, self.state = sha(Path(path).read_bytes()), "processed"

    seen = []

    def process(path, meta):
        seen.append((Path(path).name, meta["council"], meta["source"]))
        return Outcome(path)

    fetch_only = run(site, store, tmp_path)  # discovery and download only
    assert fetch_only.new == 3 and not seen
    processing = run(site, store, tmp_path, process=process)  # takes the fetched papers, fetches nothing
    assert len(seen) == 3 and site.count("/documents/") == 4  # s101, s103, s104 (same bytes), g348
    assert {council for _, council, _ in seen} == {"Fakeshire County Council"}
    assert all(source.startswith(site.base_url + "/documents/") for _, _, source in seen)
    assert processing.details["processed"] == {key: "processed" for key in processing.details["processed"]}
    assert {a.key: a.document_id for a in ScrapeStore(store).attachments(status="downloaded")}["s101"] == sha(SCORECARD)
    run(site, store, tmp_path, process=process)
    assert len(seen) == 3  # nothing processed twice
