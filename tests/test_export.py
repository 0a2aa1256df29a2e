"""The export contract: column order, CSV = Parquet, reviews applied, a valid Frictionless package, determinism."""
from __future__ import annotations

import csv
import hashlib
import json
import random
from datetime import date, datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from export import (
    DISCREPANCY_COLUMNS,
    OBSERVATION_COLUMNS,
    discrepancy_rows,
    observation_rows,
    validate_package,
    write_dataset,
)
from schemas import (
    BBox,
    Benchmark,
    Comparator,
    Discrepancy,
    DocumentState,
    Evidence,
    LineSpan,
    MappingStatus,
    MediaType,
    Observation,
    Polarity,
    Provenance,
    Rag,
    Severity,
    SourceDocument,
    Unit,
)

CONTRACT_OBSERVATION_COLUMNS = [
    "document_id", "document", "council", "page", "row_ref", "row_label", "indicator_id", "mapping_status",
    "mapping_score", "period_label", "period_end", "value", "value_text", "unit", "target", "target_tolerance",
    "rag", "polarity", "benchmark_england", "benchmark_region", "benchmark_stat_neighbours",
]
CONTRACT_DISCREPANCY_COLUMNS = [
    "document_id", "document", "page", "row_label", "indicator_id", "rule", "severity", "message", "evidence",
]
CREATED = datetime(2025, 1, 31, 9, 30, tzinfo=timezone.utc)

BUCKS_ID = hashlib.sha256(b"bucks scorecard").hexdigest()
WSX_ID = hashlib.sha256(b"west sussex text paper").hexdigest()

# --- a realistic small set of records -------------------------------------------------------------

BUCKS = SourceDocument(
    id=BUCKS_ID,
    source="https://buckinghamshire.moderngov.co.uk/documents/s80000/Childrens Services Scorecard Q2.pdf",
    file_name="Childrens Services Scorecard Q2 2024-25.pdf",
    council="Buckinghamshire Council",
    title="Children's Services Performance Scorecard - Quarter 2 2024/25",
    meeting_date=date(2024, 11, 14),
    media_type=MediaType.pdf,
    byte_size=482_113,
    page_count=6,
    state=DocumentState.processed,
)
WSX = SourceDocument(
    id=WSX_ID,
    source="papers/west-sussex-cyp-scrutiny-2024-03.txt",
    file_name="west-sussex-cyp-scrutiny-2024-03.txt",
    council="West Sussex County Council",
    title="Children and Young People's Services Scrutiny Committee: Performance Report",
    meeting_date=date(2024, 3, 6),
    media_type=MediaType.text,
    byte_size=9_876,
    page_count=2,
    state=DocumentState.processed,
)
DOCS = {d.id: d for d in (BUCKS, WSX)}

PERIODS = [
    ("2023/24", date(2023, 4, 1), date(2024, 3, 31)),
    ("Q1 2024/25", date(2024, 4, 1), date(2024, 6, 30)),
    ("Q2 2024/25", date(2024, 7, 1), date(2024, 9, 30)),
]


def _bucks_obs(row_ref, label, top, values, **latest) -> list[Observation]:
    """One scorecard row on page 3: a value per period; target, RAG and benchmarks on the latest only."""
    out = []
    for i, ((period, start, end), (value, text)) in enumerate(zip(PERIODS, values)):
        x0 = 300 + 60 * i
        last = i == len(values) - 1
        out.append(Observation(
            key=f"{BUCKS_ID[:12]}:{row_ref}:{period}",
            document_id=BUCKS_ID, row_ref=row_ref, row_label=label,
            indicator_id=latest.get("indicator_id"),
            mapping_status=latest.get("mapping_status", MappingStatus.unmapped),
            mapping_score=latest.get("mapping_score"),
            period_label=period, period_start=start, period_end=end,
            value=value, value_text=text,
            missing_reason="new indicator" if text == "New" else None,
            unit=latest["unit"], polarity=latest.get("polarity"),
            target=latest.get("target") if last else None,
            target_tolerance=latest.get("target_tolerance") if last else None,
            rag=latest.get("rag") if last else None,
            benchmarks=latest.get("benchmarks", []) if last else [],
            provenance=Provenance(
                document_id=BUCKS_ID, page=3, bbox=BBox(x0=x0, top=top, x1=x0 + 40, bottom=top + 12),
                raw_text=text, method="pdfplumber-lines",
            ),
        ))
    return out


RE_REFERRALS = _bucks_obs(
    "CSC 2", "% of  re-referrals to Children's\nSocial Care within 12 months", 210.0,
    [(21.4, "21.4%"), (23.0, "23.0%"), (24.5, "24.5%")],
    indicator_id="CSC-REREFERRALS-12M", mapping_status=MappingStatus.auto, mapping_score=0.93,
    unit=Unit.percent, polarity=Polarity.lower_better, target=22.0, target_tolerance=2.0, rag=Rag.amber,
    benchmarks=[
        Benchmark(comparator=Comparator.england, label="England", value=22.4, value_text="22.4%"),
        Benchmark(comparator=Comparator.region, label="South East", value=21.8, value_text="21.8%"),
        Benchmark(comparator=Comparator.stat_neighbours, label="Stat neighbours", value=23.1, value_text="23.1%"),
    ],
)
# Printed above the re-referrals row although its code sorts after it: page position decides the order.
CARE_LEAVERS = _bucks_obs(
    "CSC 10", "Care leavers aged 19-21 in education, employment or training", 180.0,
    [(None, "New"), (None, "New"), (58.0, "58%")],
    indicator_id="CL-EET-19-21", mapping_status=MappingStatus.needs_review, mapping_score=0.71,
    unit=Unit.percent, polarity=Polarity.higher_better, target=60.0, rag=Rag.red,
)

WSX_TIMELINESS = Observation(
    key=f"{WSX_ID[:12]}:4:March 2024",
    document_id=WSX_ID, row_ref="4", row_label="Assessments completed within 45 working days",
    indicator_id="CSC-ASSESS-45D", mapping_status=MappingStatus.auto, mapping_score=0.88,
    period_label="March 2024", period_start=date(2024, 3, 1), period_end=date(2024, 3, 31),
    value=68.0, value_text="68%", unit=Unit.percent, polarity=Polarity.higher_better,
    commentary="Timeliness dipped as \"front door\" demand rose, see para 3.2.",
    provenance=Provenance(document_id=WSX_ID, page=2, lines=LineSpan(start=14, end=15),
                          raw_text="Assessments completed within 45 working days ..... 68%", method="text-lines"),
)
WSX_CASELOAD = Observation(
    key=f"{WSX_ID[:12]}:5:March 2024",
    document_id=WSX_ID, row_ref="5", row_label="Average caseload per social worker",
    indicator_id=None, mapping_status=MappingStatus.unmapped, mapping_score=None,
    period_label="March 2024", period_start=date(2024, 3, 1), period_end=date(2024, 3, 31),
    value=17.0, value_text="17", unit=Unit.ratio, polarity=None,
    provenance=Provenance(document_id=WSX_ID, page=2, lines=LineSpan(start=17, end=17),
                          raw_text="Average caseload per social worker 17", method="text-lines"),
)
OBSERVATIONS = RE_REFERRALS + CARE_LEAVERS + [WSX_TIMELINESS, WSX_CASELOAD]

RAG_FLAG = Discrepancy(
    id="rag_vs_target:" + BUCKS_ID[:12] + ":CSC 2:Q2 2024/25",
    rule="rag_vs_target", severity=Severity.error,
    message="Printed RAG is Amber but 24.5% misses the 22% target by more than the 2-point tolerance (Red).",
    document_id=BUCKS_ID, row_ref="CSC 2", row_label="% of re-referrals to Children's Social Care within 12 months",
    indicator_id="CSC-REREFERRALS-12M", period_label="Q2 2024/25", page=3, changes_rag=True,
    evidence=[
        Evidence(label="printed RAG", text="Amber",
                 provenance=Provenance(document_id=BUCKS_ID, page=3, raw_text="Amber")),
        Evidence(label="value", text="24.5%",
                 provenance=Provenance(document_id=BUCKS_ID, page=3,
                                       bbox=BBox(x0=420, top=210, x1=460, bottom=222), raw_text="24.5%")),
        Evidence(label="target", text="22% (+/- 2)",
                 provenance=Provenance(document_id=BUCKS_ID, page=3, raw_text="22% (+/- 2)")),
    ],
)
PERIOD_FLAG = Discrepancy(
    id="period_label:" + BUCKS_ID[:12],
    rule="period_label", severity=Severity.query,
    message="The cover says Quarter 1 but the scorecard's latest column is Q2 2024/25.",
    document_id=BUCKS_ID,
    evidence=[
        Evidence(label="cover", text="Performance  to end of\nQuarter 1",
                 provenance=Provenance(document_id=BUCKS_ID, page=1, raw_text="Quarter 1")),
        Evidence(label="note", text="latest column header read from the table"),
    ],
)
TREND_FLAG = Discrepancy(
    id="cross_paper:" + WSX_ID[:12] + ":4",
    rule="cross_paper", severity=Severity.query,
    message="March 2024 value differs from the same month in the previous paper (66%).",
    document_id=WSX_ID, row_ref="4", row_label="Assessments completed within 45 working days",
    indicator_id="CSC-ASSESS-45D", period_label="March 2024", page=2,
    evidence=[Evidence(label="this paper", text="68%",
                       provenance=Provenance(document_id=WSX_ID, page=2, lines=LineSpan(start=14, end=15)))],
)
DISCREPANCIES = [(TREND_FLAG, "dismissed"), (RAG_FLAG, "open"), (PERIOD_FLAG, "confirmed")]

CORRECTIONS = {WSX_TIMELINESS.key: 70.0}
REMAPS = {WSX_CASELOAD.key: "CSC-CASELOAD"}


def _write(out: Path, seed: int | None = None):
    """Write the dataset; with a seed, from shuffled inputs (order must not matter)."""
    docs, obs, flags = [BUCKS, WSX], list(OBSERVATIONS), list(DISCREPANCIES)
    if seed is not None:
        rnd = random.Random(seed)
        for items in (docs, obs, flags):
            rnd.shuffle(items)
    return write_dataset(out, docs, obs, flags, corrections=CORRECTIONS, remaps=REMAPS, created=CREATED)


@pytest.fixture
def dataset(tmp_path):
    return _write(tmp_path / "out")


def _csv_rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _by_key(rows: list[dict]) -> dict[str, dict]:
    return {r["observation_key"]: r for r in rows}


def _parse(cell: str, arrow_type: pa.DataType):
    """A CSV cell back to the Python value Parquet holds."""
    if cell == "":
        return None
    if pa.types.is_floating(arrow_type):
        return float(cell)
    if pa.types.is_integer(arrow_type):
        return int(cell)
    if pa.types.is_date(arrow_type):
        return date.fromisoformat(cell)
    if pa.types.is_boolean(arrow_type):
        return {"true": True, "false": False}[cell]
    return cell


# --- tests ----------------------------------------------------------------------------------------

def test_column_order_is_the_contract(dataset):
    assert OBSERVATION_COLUMNS[:len(CONTRACT_OBSERVATION_COLUMNS)] == CONTRACT_OBSERVATION_COLUMNS
    assert DISCREPANCY_COLUMNS[0] == "discrepancy_id"
    assert DISCREPANCY_COLUMNS[1:len(CONTRACT_DISCREPANCY_COLUMNS) + 1] == CONTRACT_DISCREPANCY_COLUMNS
    assert DISCREPANCY_COLUMNS[10:13] == ["status", "changes_rag", "period_label"]
    assert "evidence_json" in DISCREPANCY_COLUMNS
    for name, columns in (("observations", OBSERVATION_COLUMNS), ("discrepancies", DISCREPANCY_COLUMNS)):
        with (dataset.out_dir / f"{name}.csv").open(newline="", encoding="utf-8") as f:
            assert next(csv.reader(f)) == columns
        assert pq.read_schema(dataset.out_dir / f"{name}.parquet").names == columns


def test_result_reports_paths_and_counts(dataset):
    assert dataset.row_counts == {"documents": 2, "observations": 8, "discrepancies": 3}
    assert dataset.observations == 8 and dataset.discrepancies == 3
    for name in ("observations.csv", "observations.parquet", "discrepancies.csv", "discrepancies.parquet",
                 "documents.csv", "documents.parquet", "datapackage.json"):
        assert dataset.files[name].is_file()
    assert dataset.datapackage == dataset.out_dir / "datapackage.json"


@pytest.mark.parametrize("name", ["observations", "discrepancies", "documents"])
def test_csv_and_parquet_hold_the_same_rows(dataset, name):
    table = pq.read_table(dataset.out_dir / f"{name}.parquet")
    types = {f.name: f.type for f in table.schema}
    from_csv = [{k: _parse(v, types[k]) for k, v in row.items()}
                for row in _csv_rows(dataset.out_dir / f"{name}.csv")]
    assert from_csv == table.to_pylist()


def test_parquet_types(dataset):
    schema = pq.read_schema(dataset.out_dir / "observations.parquet")
    assert schema.field("value").type == pa.float64()
    assert schema.field("period_end").type == pa.date32()
    assert pa.types.is_integer(schema.field("page").type)
    assert pa.types.is_integer(schema.field("line_start").type)
    assert schema.field("reviewed").type == pa.bool_()
    assert schema.field("mapping_status").type == pa.string()
    assert schema.field("value").metadata[b"description"].startswith(b"the value as a number")
    flags = pq.read_schema(dataset.out_dir / "discrepancies.parquet")
    assert flags.field("changes_rag").type == pa.bool_()
    assert pa.types.is_integer(flags.field("page").type)


def test_rows_sorted_by_paper_page_position_and_period(dataset):
    rows = _csv_rows(dataset.out_dir / "observations.csv")
    assert [(r["document"], r["row_ref"], r["period_label"]) for r in rows] == [
        (BUCKS.file_name, "CSC 10", "2023/24"),  # printed higher on page 3 than CSC 2
        (BUCKS.file_name, "CSC 10", "Q1 2024/25"),
        (BUCKS.file_name, "CSC 10", "Q2 2024/25"),
        (BUCKS.file_name, "CSC 2", "2023/24"),
        (BUCKS.file_name, "CSC 2", "Q1 2024/25"),
        (BUCKS.file_name, "CSC 2", "Q2 2024/25"),
        (WSX.file_name, "4", "March 2024"),
        (WSX.file_name, "5", "March 2024"),
    ]
    flags = _csv_rows(dataset.out_dir / "discrepancies.csv")
    assert [f["discrepancy_id"] for f in flags] == [PERIOD_FLAG.id, RAG_FLAG.id, TREND_FLAG.id]


def test_values_targets_rag_and_benchmarks(dataset):
    rows = _by_key(_csv_rows(dataset.out_dir / "observations.csv"))
    latest = rows[RE_REFERRALS[-1].key]
    assert latest["document_id"] == BUCKS_ID
    assert latest["council"] == "Buckinghamshire Council"
    assert latest["page"] == "3"
    assert latest["row_label"] == "% of re-referrals to Children's Social Care within 12 months"  # folded
    assert (latest["value"], latest["value_text"], latest["unit"]) == ("24.5", "24.5%", "percent")
    assert (latest["target"], latest["target_tolerance"], latest["rag"]) == ("22", "2", "amber")
    assert latest["polarity"] == "lower_better"
    assert (latest["benchmark_england"], latest["benchmark_region"], latest["benchmark_stat_neighbours"]) == (
        "22.4", "21.8", "23.1")
    assert latest["benchmark_cipfa_neighbours"] == ""
    assert (latest["period_start"], latest["period_end"]) == ("2024-07-01", "2024-09-30")
    assert (latest["mapping_status"], latest["mapping_score"]) == ("auto", "0.93")
    assert (latest["bbox_x0"], latest["bbox_top"], latest["bbox_x1"], latest["bbox_bottom"]) == (
        "420", "210", "460", "222")
    assert (latest["line_start"], latest["line_end"]) == ("", "")
    # Earlier periods carry no target, RAG or benchmarks: those belong to the latest period.
    earlier = rows[RE_REFERRALS[0].key]
    assert [earlier[c] for c in ("target", "target_tolerance", "rag", "benchmark_england")] == ["", "", "", ""]


def test_none_is_an_empty_cell(dataset):
    rows = _by_key(_csv_rows(dataset.out_dir / "observations.csv"))
    new = rows[CARE_LEAVERS[0].key]
    assert (new["value"], new["value_text"], new["missing_reason"]) == ("", "New", "new indicator")
    assert new["target_tolerance"] == "" and new["original_value"] == ""
    text = (dataset.out_dir / "observations.csv").read_text(encoding="utf-8")
    assert ',"",' not in text  # nulls are bare empty cells, never quoted empty strings
    assert "\r" not in text
    new_parquet = {r["observation_key"]: r for r in pq.read_table(dataset.out_dir / "observations.parquet").to_pylist()}
    assert new_parquet[CARE_LEAVERS[0].key]["value"] is None


def test_text_paper_has_line_span_and_no_bbox(dataset):
    row = _by_key(_csv_rows(dataset.out_dir / "observations.csv"))[WSX_TIMELINESS.key]
    assert (row["line_start"], row["line_end"]) == ("14", "15")
    assert [row[c] for c in ("bbox_x0", "bbox_top", "bbox_x1", "bbox_bottom")] == ["", "", "", ""]
    assert row["method"] == "text-lines"
    assert row["commentary"] == WSX_TIMELINESS.commentary  # quotes survive the round trip


def test_corrections_and_remaps_are_applied(dataset):
    rows = _by_key(_csv_rows(dataset.out_dir / "observations.csv"))
    corrected = rows[WSX_TIMELINESS.key]
    assert (corrected["value"], corrected["original_value"], corrected["reviewed"]) == ("70", "68", "true")
    assert corrected["value_text"] == "68%"  # still as printed
    assert corrected["mapping_status"] == "auto"
    remapped = rows[WSX_CASELOAD.key]
    assert (remapped["indicator_id"], remapped["mapping_status"]) == ("CSC-CASELOAD", "reviewed")
    assert remapped["mapping_score"] == ""
    assert (remapped["reviewed"], remapped["original_value"], remapped["value"]) == ("false", "", "17")
    untouched = rows[RE_REFERRALS[0].key]
    assert (untouched["reviewed"], untouched["original_value"]) == ("false", "")


def test_remap_confirming_the_automatic_match_keeps_its_score():
    key = RE_REFERRALS[0].key
    row = next(r for r in observation_rows(DOCS, OBSERVATIONS, remaps={key: "CSC-REREFERRALS-12M"})
               if r["observation_key"] == key)
    assert (row["mapping_status"], row["mapping_score"]) == ("reviewed", 0.93)


def test_unmapped_observation_has_empty_indicator():
    row = next(r for r in observation_rows(DOCS, OBSERVATIONS) if r["observation_key"] == WSX_CASELOAD.key)
    assert (row["indicator_id"], row["mapping_status"], row["polarity"]) == (None, "unmapped", None)
    assert list(row) == OBSERVATION_COLUMNS


def test_discrepancy_evidence_text_and_json(dataset):
    flags = {f["discrepancy_id"]: f for f in _csv_rows(dataset.out_dir / "discrepancies.csv")}
    rag = flags[RAG_FLAG.id]
    assert rag["evidence"] == "printed RAG: Amber (p.3) | value: 24.5% (p.3) | target: 22% (+/- 2) (p.3)"
    assert (rag["document"], rag["page"], rag["severity"], rag["status"]) == (BUCKS.file_name, "3", "error", "open")
    assert (rag["changes_rag"], rag["period_label"], rag["row_ref"]) == ("true", "Q2 2024/25", "CSC 2")
    evidence = json.loads(rag["evidence_json"])
    assert evidence[1]["provenance"]["bbox"] == {"x0": 420.0, "top": 210.0, "x1": 460.0, "bottom": 222.0}
    assert evidence[0]["label"] == "printed RAG"

    paper = flags[PERIOD_FLAG.id]
    assert (paper["row_label"], paper["page"], paper["indicator_id"], paper["status"]) == ("", "", "", "confirmed")
    # Whitespace in quotes is folded; a piece without provenance has no page.
    assert paper["evidence"] == ("cover: Performance to end of Quarter 1 (p.1) | "
                                 "note: latest column header read from the table")

    text_flag = flags[TREND_FLAG.id]
    assert text_flag["evidence"] == "this paper: 68% (p.2)"
    assert json.loads(text_flag["evidence_json"])[0]["provenance"]["lines"] == {"start": 14, "end": 15}


def test_unknown_review_status_is_refused():
    with pytest.raises(ValueError, match="unknown review status"):
        discrepancy_rows(DOCS, [(RAG_FLAG, "resolved")])


def test_records_for_unexported_documents_are_refused(tmp_path):
    with pytest.raises(ValueError, match=WSX_ID):
        write_dataset(tmp_path, [BUCKS], OBSERVATIONS, [])


def test_package_validates(dataset):
    report = validate_package(dataset.out_dir)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.stats["tasks"] == 3


def test_package_descriptor(dataset):
    descriptor = json.loads(dataset.datapackage.read_text(encoding="utf-8"))
    assert descriptor["name"] and descriptor["title"] and descriptor["description"]
    assert descriptor["created"] == "2025-01-31T09:30:00+00:00"
    assert "licenses" not in descriptor  # left to whoever publishes
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert {n: r["path"] for n, r in resources.items()} == {
        "documents": "documents.csv", "observations": "observations.csv", "discrepancies": "discrepancies.csv"}
    obs_schema = resources["observations"]["schema"]
    assert [f["name"] for f in obs_schema["fields"]] == OBSERVATION_COLUMNS
    assert obs_schema["primaryKey"] == ["observation_key"]
    assert obs_schema["foreignKeys"] == [
        {"fields": ["document_id"], "reference": {"resource": "documents", "fields": ["document_id"]}}]
    fields = {f["name"]: f for f in obs_schema["fields"]}
    assert fields["rag"]["constraints"]["enum"] == ["red", "amber", "green"]
    assert fields["page"]["type"] == "integer" and fields["page"]["constraints"]["required"] is True
    assert (fields["value"]["type"], fields["period_end"]["type"], fields["reviewed"]["type"]) == (
        "number", "date", "boolean")
    assert all(f.get("description") for f in obs_schema["fields"])
    flag_fields = {f["name"]: f for f in resources["discrepancies"]["schema"]["fields"]}
    assert flag_fields["status"]["constraints"]["enum"] == ["open", "confirmed", "dismissed", "corrected", "stale"]
    assert flag_fields["severity"]["constraints"]["enum"] == ["error", "query"]
    assert resources["discrepancies"]["schema"]["primaryKey"] == ["discrepancy_id"]


def _tamper(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_invalid_rag_fails_validation(dataset):
    _tamper(dataset.out_dir / "observations.csv", '"amber"', '"purple"')
    report = validate_package(dataset.out_dir)
    assert not report.valid
    errors = report.flatten(["fieldName", "type"])
    assert ["rag", "constraint-error"] in errors


def test_duplicate_key_and_unknown_document_fail_validation(dataset):
    path = dataset.out_dir / "discrepancies.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines + [lines[1]]), encoding="utf-8")  # the first flag again
    _tamper(dataset.out_dir / "observations.csv", WSX_ID, "0" * 64)
    errors = validate_package(dataset.out_dir).flatten(["type"])
    assert ["primary-key"] in errors
    assert ["foreign-key"] in errors


def test_output_is_deterministic(tmp_path):
    first = _write(tmp_path / "a")
    second = _write(tmp_path / "b", seed=7)
    for name in ("observations.csv", "discrepancies.csv", "documents.csv",
                 "observations.parquet", "discrepancies.parquet", "datapackage.json"):
        assert (first.out_dir / name).read_bytes() == (second.out_dir / name).read_bytes(), name


def test_empty_export_still_validates(tmp_path):
    result = write_dataset(tmp_path, [BUCKS], [], [], created=CREATED)
    assert result.row_counts == {"documents": 1, "observations": 0, "discrepancies": 0}
    with (tmp_path / "observations.csv").open(encoding="utf-8") as f:
        assert next(csv.reader(f)) == OBSERVATION_COLUMNS
    report = validate_package(tmp_path)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
