"""Every `scrutiny` command that needs no Prefect server, run through Typer's runner on real files.

`scrutiny run` is tested with the Prefect harness in test_pipeline_flow.py.
"""
from __future__ import annotations

import shutil

from typer.testing import CliRunner

from conftest import PAPERS
from flows.cli import app
from store import Store

runner = CliRunner()
SCORECARD = PAPERS / "000-bucks-cabinet-scorecard-q4-2017-18.pdf"


def test_help_lists_every_command():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("run", "ingest", "export", "status"):
        assert command in result.output


def test_ingest_records_good_and_bad_papers(tmp_path):
    shutil.copy(SCORECARD, tmp_path / SCORECARD.name)
    (tmp_path / "empty.pdf").write_bytes(b"")
    url = f"sqlite:///{tmp_path}/s.db"
    result = runner.invoke(app, ["ingest", str(tmp_path), "--database", url])
    assert result.exit_code == 0, result.output
    assert "ingested" in result.output and "3 pages" in result.output
    assert "failed" in result.output and "The file is empty (0 bytes)." in result.output
    with Store(url) as store:
        states = {d.file_name: d.state.value for d in store.documents()}
        assert states == {SCORECARD.name: "ingested", "empty.pdf": "failed"}
        assert len(store.pages(next(d.id for d in store.documents() if d.file_name == SCORECARD.name))) == 3


def test_ingest_strict_exits_non_zero_on_a_bad_paper(tmp_path):
    (tmp_path / "page.pdf").write_text("<html><body>Not found</body></html>")
    result = runner.invoke(app, ["ingest", str(tmp_path), "--database", f"sqlite:///{tmp_path}/s.db", "--strict"])
    assert result.exit_code == 1
    assert "HTML page" in result.output


def test_status_shows_failures_with_reasons(tmp_path):
    (tmp_path / "cut.pdf").write_bytes(SCORECARD.read_bytes()[:5000])
    url = f"sqlite:///{tmp_path}/s.db"
    runner.invoke(app, ["ingest", str(tmp_path), "--database", url])
    result = runner.invoke(app, ["status", "--database", url])
    assert result.exit_code == 0, result.output
    assert "papers failed" in result.output
    assert "cut.pdf" in result.output and "truncated" in result.output


def test_export_writes_the_dataset_from_the_store(tmp_path):
    url = f"sqlite:///{tmp_path}/s.db"
    result = runner.invoke(app, ["export", "--out", str(tmp_path / "out"), "--database", url])
    assert result.exit_code == 0, result.output
    for name in ("observations.csv", "observations.parquet", "discrepancies.csv", "datapackage.json"):
        assert (tmp_path / "out" / name).exists()
    header = (tmp_path / "out" / "observations.csv").read_text().splitlines()[0]
    assert header.startswith('"document_id","document","council","page","row_ref"')


def test_run_with_nothing_to_read_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["run", str(tmp_path), "--database", f"sqlite:///{tmp_path}/s.db"])
    assert result.exit_code == 2
    assert "No PDF or .txt papers found" in result.output
