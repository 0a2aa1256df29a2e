"""The whole pipeline as a real Prefect flow (prefect_test_harness) over the bundled papers.

One harness per module: it costs a temporary Prefect server (~15 s) and then each flow run is ~1 s.
"""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
import yaml
from prefect.testing.utilities import prefect_test_harness

from conftest import PAPERS, TRUTH
from export import validate_package
from flows.pipeline import pipeline_flow
from store import Store

pytestmark = [pytest.mark.prefect, pytest.mark.xdist_group("prefect")]
MANIFEST = yaml.safe_load((PAPERS / "papers.yaml").read_text())
PAPER_COUNT = len(MANIFEST)
STEM = "000-bucks-cabinet-scorecard-q4-2017-18"


@pytest.fixture(scope="module", autouse=True)
def harness():
    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    work = tmp_path_factory.mktemp("flow")
    papers = work / "papers"
    shutil.copytree(PAPERS, papers)
    # A bad paper in the middle of the run: an HTML error page saved as .pdf.
    (papers / "0015-error-page.pdf").write_text("<!DOCTYPE html><html><body>502 Bad Gateway</body></html>")
    url = f"sqlite:///{work}/store.db"
    summary = pipeline_flow([papers], out_dir=work / "out", database_url=url)
    return work, papers, url, summary


def _read_csv(path: Path) -> list[dict]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_every_paper_is_processed_and_the_bad_one_recorded(first_run):
    _, _, url, summary = first_run
    states = {o.file_name: o.state for o in summary.outcomes}
    assert states["0015-error-page.pdf"] == "failed"
    assert sum(s == "processed" for s in states.values()) == PAPER_COUNT
    bad = next(o for o in summary.outcomes if o.state == "failed")
    assert "HTML page" in bad.reason
    with Store(url) as store:
        counts = store.counts()
    assert {k: v for k, v in counts["papers_by_state"].items() if v} == {"processed": PAPER_COUNT, "failed": 1}
    assert ("0015-error-page.pdf", bad.reason) in [tuple(f) for f in counts["failures"]]


def test_papers_with_no_rows_say_so(first_run):
    _, _, _, summary = first_run
    for outcome in summary.outcomes:
        if outcome.state == "processed" and outcome.rows == 0:
            assert outcome.notes and "No indicator table recognised" in outcome.notes[0]


def test_export_agrees_with_seed_000_truth(first_run):
    work, _, _, _ = first_run
    truth = yaml.safe_load((TRUTH / f"{STEM}.yaml").read_text())
    rows = [r for r in _read_csv(work / "out" / "observations.csv") if r["document"] == f"{STEM}.pdf"]
    assert len(rows) == 17 * 5
    by_key = {(r["row_ref"], r["period_label"]): r for r in rows}
    misses = []
    for expected in truth["rows"]:
        for period, text, number in expected["values"]:
            got = by_key[(expected["ref"], period)]
            want = {
                "row_label": expected["label"], "value_text": text,
                "value": "" if number is None else _num(number), "unit": expected["unit"],
                "council": truth["council"], "indicator_id": got["indicator_id"] or "<unmapped>",
            }
            rated = period == expected["rag_period"]
            bench = expected["benchmarks"] or {}
            want |= {
                "target": _num(expected["target"]) if rated else "",
                "target_tolerance": _num(expected["target_tolerance"]) if rated and expected["target_tolerance"] is not None else "",
                "rag": expected["rag"] if rated else "",
                "benchmark_england": _num(bench["england"]) if rated and "england" in bench else "",
                "benchmark_region": _num(bench["region"]) if rated and "region" in bench else "",
                "benchmark_stat_neighbours": _num(bench["stat_neighbours"]) if rated and "stat_neighbours" in bench else "",
            }
            for column, value in want.items():
                if got[column] != value:
                    misses.append(f"#{expected['ref']} {period} {column}: expected {value!r}, got {got[column]!r}")
            assert got["mapping_status"] == "auto", (expected["ref"], got["mapping_status"])
    assert not misses, "\n".join(misses)


def test_printed_polarity_of_the_adoption_row_is_overridden_by_the_catalogue(first_run):
    work, *_ = first_run
    rows = _read_csv(work / "out" / "observations.csv")
    adoption = {r["polarity"] for r in rows if r["document"] == f"{STEM}.pdf" and r["row_ref"] == "17"}
    # Seed 000 prints 'Good to be Low' for a share that is good when high (seed-discrepancies D3).
    assert adoption == {"higher_better"}


def test_data_package_validates(first_run):
    work, *_ = first_run
    report = validate_package(work / "out")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_rerun_changes_nothing(first_run):
    work, papers, url, _ = first_run
    before = (work / "out" / "observations.csv").read_bytes()
    with Store(url) as store:
        counts_before = store.counts()
        flags_before = sorted(s.discrepancy.id for s in store.discrepancies())
    summary = pipeline_flow([papers], out_dir=work / "out2", database_url=url)
    assert {o.state for o in summary.outcomes if o.file_name != "0015-error-page.pdf"} == {"skipped"}
    summary = pipeline_flow([papers], out_dir=work / "out3", database_url=url, reprocess=True)
    assert sum(o.state == "processed" for o in summary.outcomes) == PAPER_COUNT
    with Store(url) as store:
        assert store.counts() == counts_before
        assert sorted(s.discrepancy.id for s in store.discrepancies()) == flags_before
    assert (work / "out3" / "observations.csv").read_bytes() == before


def _num(value) -> str:
    """How the export writes a number: whole numbers without a trailing .0."""
    return str(int(value)) if float(value).is_integer() else str(value)


def test_cli_run_prints_the_summary_and_exits_zero_despite_a_bad_paper(tmp_path):
    from typer.testing import CliRunner

    from flows.cli import app

    shutil.copy(PAPERS / f"{STEM}.pdf", tmp_path)
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    result = CliRunner().invoke(app, ["run", str(tmp_path), "--out", str(tmp_path / "out"),
                                      "--database", f"sqlite:///{tmp_path}/s.db"])
    assert result.exit_code == 0, result.output
    assert "quarterly_scorecard" in result.output
    assert "broken.pdf" in result.output and "damaged or truncated" in result.output
    assert "RAG_MISMATCH" not in result.output  # seed 000 rates every row consistently under its own rule
    assert "POLARITY_CONFLICT" in result.output  # but row 17 says 'Good to be Low' (seed-discrepancies D3)
    assert "Dataset written to" in result.output
    strict = CliRunner().invoke(app, ["run", str(tmp_path), "--database", f"sqlite:///{tmp_path}/s.db", "--strict"])
    assert strict.exit_code == 1


def test_cli_run_with_an_unreachable_store_fails_clearly(tmp_path):
    from typer.testing import CliRunner

    from flows.cli import app

    shutil.copy(PAPERS / f"{STEM}.pdf", tmp_path)
    result = CliRunner().invoke(app, ["run", str(tmp_path), "--database",
                                      "postgresql+psycopg://nobody@127.0.0.1:9/nowhere?connect_timeout=2"])
    assert result.exit_code == 2
    assert "The run failed" in result.output
