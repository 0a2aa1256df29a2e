"""councils.yaml validation and the scrape commands that need no Prefect server: `scrutiny councils`, the
errors of `scrutiny scrape`, and `scrutiny serve` refusing to run without a server. (`scrutiny scrape` itself
runs the flow: tests/test_scrape_flow.py.)"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import ROOT
from flows.cli import app
from flows.cli_scrape import serve_parameters
from scrape import ConfigError, load_config, parse_config, scrape_council, window_for
from scrape.base import attachment_key, clean_title, matches, parse_date, safe_name
from scrape.fakesite import FakeCommittee, FakeModernGov
from store import Store
from test_scrape_support import FAST

runner = CliRunner()


# councils.yaml ---------------------------------------------------------------------------------------------

def test_the_shipped_example_config_is_valid():
    config = load_config(ROOT / "councils.example.yaml")
    assert [c.platform for c in config.councils].count("generic") == 1
    assert all(c.base_url.startswith("https://") for c in config.councils)
    assert [c.name for c in config.select()] == [c.name for c in config.councils if c.enabled]
    assert config.papers_dir() == ROOT / "papers"
    assert config.settings.min_interval_seconds >= 1 and "contact" in config.settings.user_agent


def test_config_errors_name_the_council_and_the_field(tmp_path):
    with pytest.raises(ConfigError) as caught:
        parse_config({"settings": {"timeout": 5, "retries": -1}, "councils": [
            {"name": "Kent", "platform": "moderngov", "base_url": "democracy.kent.gov.uk"},
            {"name": "Bucks", "platform": "modgov", "base_url": "https://x.gov.uk", "committees": ["Children ("]},
            {"name": "Jadu Town", "platform": "generic", "base_url": "https://jadu.gov.uk"},
        ]}, "councils.yaml")
    lines = str(caught.value).splitlines()
    assert "councils.yaml: settings.timeout: unknown setting (check the spelling)" in lines
    assert any(line.startswith("councils.yaml: settings.retries: Input should be greater than or equal to 0")
               for line in lines)
    assert "councils.yaml: council 1 (Kent): base_url: must start with http:// or https://" in lines
    assert "councils.yaml: council 2 (Bucks): platform: must be one of 'moderngov' or 'generic'" in lines
    assert any(line.startswith("councils.yaml: council 2 (Bucks): committees: 'Children (' is not a valid "
                               "regular expression") for line in lines)
    assert "councils.yaml: council 3 (Jadu Town): platform 'generic' needs a 'generic:' block" in lines[-1]


def test_config_file_problems(tmp_path):
    with pytest.raises(ConfigError, match="no such file. Copy councils.example.yaml"):
        load_config(tmp_path / "councils.yaml")
    (tmp_path / "bad.yaml").write_text("councils: [\n")
    with pytest.raises(ConfigError, match="is not valid YAML"):
        load_config(tmp_path / "bad.yaml")
    (tmp_path / "list.yaml").write_text("- a\n")
    with pytest.raises(ConfigError, match="should be a mapping with a 'councils:' list"):
        load_config(tmp_path / "list.yaml")
    with pytest.raises(ConfigError, match="two councils have the name"):
        parse_config({"councils": [{"name": "A", "platform": "moderngov", "base_url": "https://a.gov.uk"},
                                   {"name": "a", "platform": "moderngov", "base_url": "https://b.gov.uk"}]})
    config = parse_config({"councils": [{"name": "A", "platform": "moderngov", "base_url": "https://a.gov.uk/mg/"}]})
    assert config.councils[0].base_url == "https://a.gov.uk/mg" and config.councils[0].slug == "a"
    with pytest.raises(ConfigError, match="no council called 'B'"):
        config.select(["B"])


def test_window_and_backfill():
    settings = parse_config({"councils": [{"name": "A", "platform": "moderngov",
                                           "base_url": "https://a.gov.uk"}]}).settings
    today = date(2026, 3, 1)
    assert window_for(settings, today=today) == window_for(settings, today=today)
    rolling = window_for(settings, today=today)
    assert (rolling.start, rolling.end, rolling.mode) == (today - timedelta(weeks=4), today + timedelta(weeks=1),
                                                          "window")
    backfill = window_for(settings, date(2024, 1, 1), date(2024, 12, 31), today=today)
    assert (backfill.start, backfill.end, backfill.mode) == (date(2024, 1, 1), date(2024, 12, 31), "backfill")
    with pytest.raises(ValueError, match="after"):
        window_for(settings, date(2025, 1, 2), date(2025, 1, 1))


# Small pieces ----------------------------------------------------------------------------------------------

def test_titles_keys_dates_and_names():
    assert clean_title("Performance report ref: 4412 PDF 119 KB") == "Performance report"
    assert matches(["Children's Services"], "Children\u2019s  Services Scrutiny")
    assert not matches(["^Cabinet$"], "Cabinet Member Decisions")
    assert attachment_key("https://x/documents/s60860/Report.pdf") == ("s60860", "60860", "report")
    assert attachment_key("https://x/mgConvert2PDF.aspx?ID=60860") == ("s60860", "60860", "report")
    assert attachment_key("https://x/anything", "60860") == ("s60860", "60860", "report")
    key, attachment_id, kind = attachment_key("https://x/documents/g4967/Public%20reports%20pack.pdf?T=10")
    assert key.startswith("g4967-") and attachment_id is None and kind == "pack"
    assert attachment_key("https://x/documents/g4967/Printed%20minutes.pdf")[2] == "report"
    assert parse_date("Tuesday, 10th February, 2026 10.00 am") == date(2026, 2, 10)
    assert parse_date("10/02/2026") == parse_date("10 Feb 2026 10.00 am") == parse_date("2026-02-10")
    assert parse_date("no date here") is None
    assert safe_name("../../etc/passwd") == "etc-passwd"
    assert safe_name("\u2603\u2603") == "paper" and safe_name("Ünïcödé Report") == "unicode-report"


# Commands ----------------------------------------------------------------------------------------------------

def write_config(path: Path, base_url: str) -> Path:
    path.write_text(yaml.safe_dump({"settings": {**FAST, "papers_dir": "papers"}, "councils": [
        {"name": "Quiet District Council", "platform": "moderngov", "base_url": base_url},
        {"name": "Never Borough Council", "platform": "moderngov", "base_url": "https://never.example"}]}))
    return path


def test_councils_lists_last_runs_and_zero_meetings_is_not_failing(tmp_path):
    url = f"sqlite:///{tmp_path}/s.db"
    with FakeModernGov([FakeCommittee(1, "Children's Scrutiny")], []) as site:
        config = write_config(tmp_path / "councils.yaml", site.base_url)
        with Store(url) as store:
            store.migrate()
            quiet = load_config(config)
            run = scrape_council(quiet.councils[0], quiet, store).run
    assert (run.status, run.meetings) == ("ok", 0)
    result = runner.invoke(app, ["councils", "--config", str(config), "--database", url])
    assert result.exit_code == 0, result.output
    assert "Quiet District Council: no meetings between" in result.output and "not an error" in result.output
    assert "No failing councils." in result.output
    assert "Never scraped: Never Borough Council" in result.output
    failing = runner.invoke(app, ["councils", "--config", str(config), "--database", url, "--failing"])
    assert failing.exit_code == 0 and "Quiet District" not in failing.output


def test_scrape_reports_config_errors_plainly(tmp_path):
    (tmp_path / "councils.yaml").write_text("councils:\n  - name: X\n    platform: cmis\n    base_url: https://x\n")
    result = runner.invoke(app, ["scrape", "--config", str(tmp_path / "councils.yaml"),
                                 "--database", f"sqlite:///{tmp_path}/s.db"])
    assert result.exit_code == 2
    assert "council 1 (X): platform: must be one of 'moderngov' or 'generic'" in result.output
    config = write_config(tmp_path / "ok.yaml", "https://quiet.example")
    result = runner.invoke(app, ["scrape", "--config", str(config), "--council", "Nowhere"])
    assert result.exit_code == 2 and "no council called 'Nowhere'" in result.output


def test_serve_needs_a_prefect_server(tmp_path, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    config = write_config(tmp_path / "councils.yaml", "https://quiet.example")
    result = runner.invoke(app, ["serve", "--config", str(config)])
    assert result.exit_code == 2
    assert "prefect server start" in result.output and "PREFECT_API_URL" in result.output
    params = serve_parameters(Path(config.name), None, f"sqlite:///{tmp_path}/s.db", None)
    assert Path(params["config_path"]).is_absolute() and params["database_url"].endswith("s.db")
