"""The scrape flow for real under prefect_test_harness: a fake ModernGov site, each new paper fetched and run
through the pipeline depth-first, the run log; then `scrutiny scrape` and `scrutiny councils` on the same store.

One harness per module: it costs a temporary Prefect server (~15 s) and then each flow run is a few seconds.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
import yaml
from prefect.testing.utilities import prefect_test_harness
from typer.testing import CliRunner

from flows.cli import app
from flows.scrape import scrape_flow
from scrape.fakesite import Fault, FakeCommittee, FakeDoc, FakeMeeting, FakeModernGov
from store import Store
from store.scrape_store import ScrapeStore
from test_scrape_support import DASHBOARD, FAST, PORTFOLIO, TODAY, WOKINGHAM, sha

pytestmark = [pytest.mark.prefect, pytest.mark.xdist_group("prefect")]
runner = CliRunner()


@pytest.fixture(scope="module", autouse=True)
def harness():
    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="module")
def site():
    committees = [FakeCommittee(12, "Children's Services Overview and Scrutiny Committee"),
                  FakeCommittee(14, "Cabinet")]
    meetings = [
        FakeMeeting(345, 12, TODAY - timedelta(days=7), reports=[
            FakeDoc(101, "Children's Social Care performance dashboard", DASHBOARD),
            FakeDoc(102, "Children's Services Performance Indicators", WOKINGHAM)]),
        FakeMeeting(346, 14, TODAY - timedelta(days=2), reports=[
            FakeDoc(103, "Appendix B - Portfolio performance", PORTFOLIO),
            FakeDoc(104, "Children's Services Performance Indicators (reissued)", WOKINGHAM)]),
    ]
    with FakeModernGov(committees, meetings) as fake:
        yield fake


@pytest.fixture(scope="module")
def setup(site, tmp_path_factory):
    work = tmp_path_factory.mktemp("scrape-flow")
    config = work / "councils.yaml"
    config.write_text(yaml.safe_dump({
        "settings": {**FAST, "timeout_seconds": 2, "papers_dir": "papers", "max_workers": 2},
        "councils": [
            {"name": "Fakeshire County Council", "platform": "moderngov", "base_url": site.base_url},
            {"name": "Gone Borough Council", "platform": "moderngov", "base_url": "http://127.0.0.1:9"},
        ]}))
    return work, config, f"sqlite:///{work}/store.db"


@pytest.fixture(scope="module")
def first(site, setup):
    work, config, url = setup
    site.fail("/documents/s103/Appendix B - Portfolio performance.pdf", Fault("status", status=500))
    summaries = scrape_flow(str(config), database_url=url)
    site.heal()
    return summaries


def test_each_new_paper_is_fetched_and_processed(first, setup):
    work, _, url = setup
    fakeshire, gone = first
    assert (fakeshire.status, fakeshire.new, fakeshire.failed) == ("partial", 2, 1)
    assert fakeshire.skipped_reasons == {"same bytes as fakeshire-county-council/s102": 1}
    assert fakeshire.failures[0]["key"] == "s103" and fakeshire.failures[0]["reason"] == "HTTP 500 (after 3 attempts)"
    assert fakeshire.processed == {"s101": "processed", "s102": "processed"}
    with Store(url) as store:
        docs = {d.id: d for d in store.documents()}
        assert set(docs) == {sha(DASHBOARD), sha(WOKINGHAM)}
        dashboard = docs[sha(DASHBOARD)]
        assert (dashboard.council, dashboard.meeting_date, dashboard.state.value) == (
            "Fakeshire County Council", TODAY - timedelta(days=7), "processed")
        assert dashboard.title == "Children's Social Care performance dashboard"
        assert dashboard.source.endswith("/documents/s101/Children%27s%20Social%20Care%20performance%20"
                                         "dashboard.pdf")
        assert store.observations(dashboard.id)  # the pipeline really ran on it
        attachments = {a.key: a for a in ScrapeStore(store).attachments("fakeshire-county-council")}
        assert attachments["s101"].document_id == sha(DASHBOARD)
        assert (work / "papers" / "fakeshire-county-council").is_dir()


def test_an_unreachable_council_fails_alone(first):
    gone = first[1]
    assert gone.status == "failed" and gone.error.startswith("could not list meetings: robots.txt could not be read")


def test_the_cli_resumes_and_fetches_nothing_twice(first, site, setup):
    work, config, url = setup
    documents_before = site.count("/documents/")
    result = runner.invoke(app, ["scrape", "--config", str(config), "--database", url,
                                 "--council", "Fakeshire County Council"])
    assert result.exit_code == 0, result.output
    assert "Fakeshire County Council" in result.output and "Gone Borough" not in result.output
    assert site.count("/documents/") == documents_before + 1  # only s103, which failed last time
    with Store(url) as store:
        s103 = ScrapeStore(store).get_attachment("fakeshire-county-council", "s103")
        assert s103.status == "downloaded" and s103.document_id == sha(PORTFOLIO)
        assert store.has_processed(sha(PORTFOLIO))
        assert len(store.documents()) == 3
    again = runner.invoke(app, ["scrape", "--config", str(config), "--database", url, "--council",
                                "fakeshire-county-council", "--strict"])
    assert again.exit_code == 0, again.output
    assert "skipped 3: already stored" in again.output
    assert site.count("/documents/") == documents_before + 1


def test_councils_shows_last_runs_and_the_failing_ones(first, setup):
    _, config, url = setup
    result = runner.invoke(app, ["councils", "--config", str(config), "--database", url])
    assert result.exit_code == 0, result.output
    assert "Fakeshire County Council" in result.output and "ok" in result.output
    assert "1 failing council(s):" in result.output
    assert "Gone Borough Council" in result.output and "robots.txt could not be read" in result.output
