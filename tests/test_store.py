"""Store tests, on a real SQLite file and on real PostgreSQL (each test in its own schema)."""
from __future__ import annotations

import hashlib
import os
import threading
import uuid
from datetime import UTC, date, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.pool import NullPool

from schemas import (
    BBox,
    Benchmark,
    Comparator,
    Discrepancy,
    DocumentState,
    Evidence,
    LineSpan,
    MappingCandidate,
    MappingStatus,
    MeasureRow,
    MediaType,
    Observation,
    Page,
    PeriodValue,
    Polarity,
    Provenance,
    Rag,
    RagRule,
    ReviewAction,
    ReviewDecision,
    Severity,
    SourceDocument,
    Unit,
    Word,
)
from store import ConflictError, Store, alembic_config, resolve_url, row_key
from store.models import Base

TABLES = {"documents", "pages", "measure_rows", "observations", "discrepancies", "review_decisions", "aliases"}


# Backends ------------------------------------------------------------------------------------------

@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """An empty database: a SQLite file, or a fresh PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'scrutiny.db'}"
        return
    base = os.environ.get("SCRUTINY_TEST_DATABASE_URL")
    if not base:
        pytest.skip("SCRUTINY_TEST_DATABASE_URL not set: PostgreSQL store tests skipped")
    schema = f"test_{uuid.uuid4().hex}"
    admin = create_engine(resolve_url(base), poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    # search_path in the URL (not connect_args) so the %-escaping for Alembic's ini is exercised too.
    url = resolve_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def store(db_url):
    with Store(db_url) as s:
        s.migrate()
        yield s


# Hand-made records, shaped like a county council's quarterly children's services report ----------

def sha(text_: str) -> str:
    return hashlib.sha256(text_.encode()).hexdigest()


def document(name: str, **changes) -> SourceDocument:
    doc = SourceDocument(
        id=sha(name),
        source=f"fixtures/papers/{name}",
        file_name=name,
        council="Kent County Council",
        title="Children's Services Performance Report, Quarter 2 2024/25",
        meeting_date=date(2024, 11, 14),
        media_type=MediaType.pdf,
        byte_size=184_233,
        page_count=2,
        ingested_at=datetime(2024, 11, 20, 9, 30, tzinfo=UTC),
    )
    return doc.model_copy(update=changes)


def pages(doc: SourceDocument) -> list[Page]:
    return [
        Page(
            document_id=doc.id, number=1, width=595.28, height=841.89,
            text="SCS01 Percentage of case holding posts filled by permanent social workers 86.4%",
            words=[
                Word(text="SCS01", bbox=BBox(x0=42.5, top=120.0, x1=70.1, bottom=131.2)),
                Word(text="86.4%", bbox=BBox(x0=410.0, top=120.0, x1=436.7, bottom=131.2)),
            ],
        ),
        Page(
            document_id=doc.id, number=2, width=595.28, height=841.89,
            text="SCS02 Child protection plans, second or subsequent 24.1%",
            words=[Word(text="24.1%", bbox=BBox(x0=402.0, top=88.0, x1=430.0, bottom=99.0), confidence=91.5)],
            ocr=True, ocr_confidence=91.5,
        ),
    ]


def prov(doc_id: str, page: int, raw: str, top: float = 120.0) -> Provenance:
    return Provenance(
        document_id=doc_id, page=page, bbox=BBox(x0=400.0, top=top, x1=440.0, bottom=top + 11.2),
        raw_text=raw, method="pdfplumber-lines",
    )


def rows(doc_id: str) -> list[MeasureRow]:
    q1, q2 = "Q1 2024/25", "Q2 2024/25"
    return [
        MeasureRow(
            document_id=doc_id, row_ref="SCS01",
            row_label="Percentage of case holding social worker posts held by permanent qualified social workers",
            section="Workforce", unit=Unit.percent, printed_polarity=Polarity.higher_better, data_period="Sep 2024",
            values=[
                PeriodValue(period_label=q1, period_start=date(2024, 4, 1), period_end=date(2024, 6, 30),
                            value=84.2, value_text="84.2%", provenance=prov(doc_id, 1, "84.2%")),
                PeriodValue(period_label=q2, period_start=date(2024, 7, 1), period_end=date(2024, 9, 30),
                            value=86.4, value_text="86.4%", provenance=prov(doc_id, 1, "86.4%")),
            ],
            target=85.0, target_text="85%", target_tolerance=77.4, rag=Rag.green, rag_text="G",
            rag_rule=RagRule(green_from=85.0, red_below=77.4, text="85%-100% = Green, less than 77.4% = Red"),
            benchmarks=[Benchmark(comparator=Comparator.england, label="England", value=82.1, value_text="82.1%",
                                  period_label="2023/24")],
            benchmark_text="England 82.1%",
            commentary="Recruitment of permanent staff continues to improve.",
            label_provenance=prov(doc_id, 1, "SCS01 Percentage of case holding ...", top=118.0),
            target_provenance=prov(doc_id, 1, "85%"),
            indicator_id="csc_sw_permanent_pct", mapping_status=MappingStatus.auto, mapping_score=97.5,
            candidates=[MappingCandidate(indicator_id="csc_sw_permanent_pct", score=97.5)],
            polarity=Polarity.higher_better,
        ),
        MeasureRow(
            document_id=doc_id, row_ref="SCS02",
            row_label="Children subject to a child protection plan for a second or subsequent time",
            unit=Unit.percent, printed_polarity=Polarity.lower_better,
            values=[PeriodValue(period_label=q2, value=24.1, value_text="24.1%",
                                provenance=Provenance(document_id=doc_id, page=2, raw_text="24.1%",
                                                      lines=LineSpan(start=4, end=4), method="tesseract"))],
            target=20.0, target_text="20%", rag=Rag.amber, rag_text="A",
            label_provenance=prov(doc_id, 2, "SCS02 Child protection plans", top=88.0),
            indicator_id="cp_repeat_plans_pct", mapping_status=MappingStatus.needs_review, mapping_score=81.0,
            polarity=Polarity.lower_better,
        ),
        MeasureRow(
            document_id=doc_id, row_ref="3", row_label="Care leavers in suitable accommodation",
            values=[PeriodValue(period_label=q2, value=None, value_text="-", missing_reason="new indicator",
                                provenance=prov(doc_id, 2, "-", top=140.0))],
            label_provenance=prov(doc_id, 2, "Care leavers in suitable accommodation", top=140.0),
        ),
    ]


def observations(measure_rows: list[MeasureRow]) -> list[Observation]:
    """One observation per printed value, keyed document:row_ref:period like the pipeline does."""
    out = []
    for r in measure_rows:
        for v in r.values:
            out.append(Observation(
                key=f"{r.document_id}:{r.row_ref}:{v.period_label}", document_id=r.document_id,
                row_ref=r.row_ref, row_label=r.row_label, indicator_id=r.indicator_id,
                mapping_status=r.mapping_status, mapping_score=r.mapping_score,
                period_label=v.period_label, period_start=v.period_start, period_end=v.period_end,
                value=v.value, value_text=v.value_text, missing_reason=v.missing_reason, unit=r.unit,
                target=r.target, target_tolerance=r.target_tolerance, rag=r.rag, polarity=r.polarity,
                benchmarks=r.benchmarks, commentary=r.commentary, provenance=v.provenance,
            ))
    return out


def flags(doc_id: str) -> list[Discrepancy]:
    return [
        Discrepancy(
            id=sha(f"rag_vs_target|{doc_id}|SCS02")[:20], rule="rag_vs_target", severity=Severity.error,
            message="Printed RAG is Amber but 24.1% against a 20% target (lower is better) should be Red",
            document_id=doc_id, row_ref="SCS02", row_label="Children subject to a child protection plan",
            indicator_id="cp_repeat_plans_pct", period_label="Q2 2024/25", page=2, changes_rag=True,
            evidence=[
                Evidence(label="printed RAG", text="A", provenance=prov(doc_id, 2, "A", top=88.0)),
                Evidence(label="value", text="24.1%"),
            ],
        ),
        Discrepancy(
            id=sha(f"value_vs_benchmark|{doc_id}|SCS01")[:20], rule="value_vs_benchmark", severity=Severity.query,
            message="Commentary says 'continues to improve' but the value is above the England figure only",
            document_id=doc_id, row_ref="SCS01", page=1, evidence=[Evidence(label="commentary", text="improve")],
        ),
        Discrepancy(
            id=sha(f"missing_period|{doc_id}")[:20], rule="missing_period", severity=Severity.query,
            message="The paper covers Q2 but one measure has no Q2 value", document_id=doc_id, evidence=[],
        ),
    ]


def ingest_and_save(store: Store, name: str = "kent-2024-11-14.pdf") -> SourceDocument:
    doc = document(name)
    store.save_ingested(doc, pages(doc))
    r = rows(doc.id)
    store.save_results(doc.id, r, observations(r), flags(doc.id))
    return doc


def snapshot(store: Store, doc_id: str | None = None) -> dict:
    """Everything save_results writes, minus timestamps that legitimately move (last_seen)."""
    return {
        "counts": store.counts(),
        "rows": store.measure_rows(doc_id),
        "observations": store.observations(doc_id),
        "flags": [(f.discrepancy, f.status, f.version, f.first_seen) for f in store.discrepancies(doc_id)],
    }


# Migrations ----------------------------------------------------------------------------------------

def test_migrate_from_empty_twice_and_back(db_url):
    with Store(db_url) as s:
        assert s.current_revision() is None
        assert not TABLES & set(inspect(s.engine).get_table_names())
        s.migrate()
        head = s.head_revision()
        assert head is not None and s.current_revision() == head
        assert TABLES | {"alembic_version"} <= set(inspect(s.engine).get_table_names())
        doc = ingest_and_save(s)
        before = snapshot(s)
        s.migrate()  # a no-op: same revision, data untouched
        assert s.current_revision() == head
        assert snapshot(s) == before
        assert s.get_document(doc.id) is not None

    with Store(db_url) as s:  # and the downgrade drops everything it created
        config = alembic_config(s.url)
        with s.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "base")
        assert not TABLES & set(inspect(s.engine).get_table_names())
        s.migrate()
        assert s.documents() == []


def test_models_and_migration_agree(store):
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        assert compare_metadata(context, Base.metadata) == []
        # The comparison does see differences: a table only in the models is reported.
        extra = MetaData()
        for table in Base.metadata.tables.values():
            table.to_metadata(extra)
        Table("not_migrated", extra, Column("id", Integer, primary_key=True))
        assert [d[0] for d in compare_metadata(context, extra)] == ["add_table"]


def test_default_url_and_context_manager(tmp_path, monkeypatch):
    monkeypatch.setenv("SCRUTINY_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    with Store() as s:
        s.migrate()
        assert s.url.database == str(tmp_path / "env.db")
        with s.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    monkeypatch.delenv("SCRUTINY_DATABASE_URL")
    monkeypatch.chdir(tmp_path)
    with Store() as s:
        s.migrate()
    assert (tmp_path / "scrutiny.db").exists()
    assert resolve_url("postgresql://u@h/db").drivername == "postgresql+psycopg"


# Round trip ----------------------------------------------------------------------------------------

def test_round_trip_of_every_record(store):
    doc = document("kent-2024-11-14.pdf")
    store.save_ingested(doc, pages(doc))
    assert store.get_document(doc.id) == doc.model_copy(update={"state": DocumentState.ingested})
    assert store.get_document(sha("nothing")) is None
    assert not store.has_processed(doc.id)
    assert store.pages(doc.id) == pages(doc)

    r = rows(doc.id)
    obs, fl = observations(r), flags(doc.id)
    store.save_results(doc.id, r, obs, fl)
    assert store.has_processed(doc.id)
    assert store.get_document(doc.id).state == DocumentState.processed
    assert store.documents() == [store.get_document(doc.id)]
    assert store.documents(state="processed") == store.documents(state=DocumentState.processed)
    assert store.documents(state="failed") == []
    assert store.measure_rows(doc.id) == r  # paper order kept, even with row_ref "3" after "SCS02"
    assert store.measure_rows() == r
    assert store.observations(doc.id) == obs
    assert store.observations()[0].provenance.bbox == BBox(x0=400.0, top=120.0, x1=440.0, bottom=131.2)
    stored = store.discrepancies(doc.id)
    assert sorted((f.discrepancy for f in stored), key=lambda f: f.id) == sorted(fl, key=lambda f: f.id)
    assert {f.status for f in stored} == {"open"} and {f.version for f in stored} == {1}
    assert stored[0].discrepancy.rule == "missing_period"  # paper-level flags first, on both backends
    assert stored[0].first_seen.tzinfo is not None
    assert [f.discrepancy for f in store.discrepancies(rule="rag_vs_target")] == [fl[0]]
    assert len(store.discrepancies(severity=Severity.query)) == 2
    assert store.discrepancies(status="confirmed") == []
    assert store.get_discrepancy(fl[0].id).discrepancy == fl[0]

    assert store.counts() == {
        "papers_by_state": {"ingested": 0, "processed": 1, "failed": 0},
        "pages": 2, "ocr_pages": 1, "measure_rows": 3, "observations": 4, "mapped_observations": 2,
        "flags_by_rule": {"missing_period": 1, "rag_vs_target": 1, "value_vs_benchmark": 1},
        "flags_by_status": {"open": 3},
        "failures": [],
    }


def test_reingest_replaces_pages_and_keeps_results(store):
    doc = ingest_and_save(store)
    before = snapshot(store)
    store.save_ingested(doc.model_copy(update={"title": "Corrected title"}), pages(doc)[:1])
    assert [p.number for p in store.pages(doc.id)] == [1]
    assert store.get_document(doc.id).title == "Corrected title"
    assert store.has_processed(doc.id)  # same bytes: the results still hold
    after = snapshot(store)
    assert after["counts"]["pages"] == 1
    assert {k: v for k, v in after.items() if k != "counts"} == {k: v for k, v in before.items() if k != "counts"}
    with pytest.raises(ValueError, match="belong"):
        store.save_ingested(doc, pages(document("other.pdf")))


# Re-runs, flags and their status -----------------------------------------------------------------------

def test_rerun_is_idempotent_and_keeps_review_status(store):
    doc = ingest_and_save(store)
    flag = store.discrepancies(rule="rag_vs_target")[0]
    decision = store.add_decision(
        ReviewDecision(discrepancy_id=flag.discrepancy.id, action=ReviewAction.confirm, reviewer="analyst",
                       reason="24.1% misses a 20% target: should be Red"),
        expected_version=flag.version,
    )
    assert (decision.from_state, decision.to_state) == ("open", "confirmed")
    before = snapshot(store)

    r = rows(doc.id)
    for _ in range(2):
        store.save_results(doc.id, r, observations(r), flags(doc.id))
    assert snapshot(store) == before  # same counts, ids, statuses, versions and first_seen
    again = store.get_discrepancy(flag.discrepancy.id)
    assert (again.status, again.version) == ("confirmed", flag.version + 1)
    assert again.last_seen >= flag.last_seen
    assert len(store.discrepancies()) == 3
    assert store.decisions(discrepancy_id=flag.discrepancy.id) == [decision]


def test_flags_go_stale_and_reopen(store):
    doc = ingest_and_save(store)
    rag, bench, missing = flags(doc.id)
    seen = {f.discrepancy.id: f for f in store.discrepancies()}
    store.add_decision(ReviewDecision(discrepancy_id=missing.id, action=ReviewAction.dismiss, reviewer="analyst",
                                      reason="the measure is new this year"))

    r = rows(doc.id)
    store.save_results(doc.id, r[:1], observations(r[:1]), [rag])  # fewer rows and flags this time
    status = {f.discrepancy.id: (f.status, f.version) for f in store.discrepancies()}
    assert status == {rag.id: ("open", 1), bench.id: ("stale", 2), missing.id: ("dismissed", 2)}
    assert store.counts()["flags_by_rule"] == {"missing_period": 1, "rag_vs_target": 1}
    assert len(store.measure_rows(doc.id)) == 1 and len(store.observations(doc.id)) == 2

    # A reviewer still looking at the open flag (version 1) is told it moved.
    with pytest.raises(ConflictError):
        store.add_decision(ReviewDecision(discrepancy_id=bench.id, action=ReviewAction.confirm, reviewer="late"),
                           expected_version=seen[bench.id].version)

    store.save_results(doc.id, r, observations(r), [rag, bench])
    back = store.get_discrepancy(bench.id)
    assert (back.status, back.version) == ("open", 3)
    assert back.first_seen == seen[bench.id].first_seen
    assert store.get_discrepancy(missing.id).status == "dismissed"  # a decision outlives the flag


# Failures ------------------------------------------------------------------------------------------------

def test_failure_never_downgrades_and_touches_only_its_paper(store):
    good = ingest_and_save(store, "good.pdf")
    pending = document("pending.pdf")
    store.save_ingested(pending, pages(pending))
    before_good, before_pending = snapshot(store, good.id), store.pages(pending.id)

    # The same bytes fail on a later run: the processed paper and its results stay as they were.
    assert store.record_failure(good.model_copy(update={"title": None}), "pdfplumber: broken xref table") is False
    kept = store.get_document(good.id)
    assert (kept.state, kept.failure_reason, kept.title) == (DocumentState.processed, None, good.title)
    assert snapshot(store, good.id)["rows"] == before_good["rows"]
    assert snapshot(store, good.id)["flags"] == before_good["flags"]

    assert store.record_failure(pending, "no measure table found") is True
    failed = store.get_document(pending.id)
    assert (failed.state, failed.failure_reason) == (DocumentState.failed, "no measure table found")
    assert store.pages(pending.id) == before_pending
    new = document("scan.pdf", media_type=None, page_count=None, ingested_at=None)
    assert store.record_failure(new, "encrypted PDF") is True
    assert store.get_document(new.id).ingested_at is not None
    assert snapshot(store, good.id)["observations"] == before_good["observations"]
    counts = store.counts()
    assert counts["papers_by_state"] == {"ingested": 0, "processed": 1, "failed": 2}
    assert counts["failures"] == [("pending.pdf", "no measure table found"), ("scan.pdf", "encrypted PDF")]

    # A later successful run clears the failure.
    store.save_ingested(pending, pages(pending))
    assert (store.get_document(pending.id).state, store.get_document(pending.id).failure_reason) == ("ingested", None)
    r = rows(pending.id)
    store.save_results(pending.id, r, observations(r), flags(pending.id))
    assert store.has_processed(pending.id)


def test_constraint_violation_rolls_back_save_results(store):
    first = ingest_and_save(store, "first.pdf")
    second = ingest_and_save(store, "second.pdf")
    before = snapshot(store)
    r = rows(second.id)
    obs = observations(r)
    # A key that already belongs to the other paper: passes the checks, fails the primary key.
    clash = obs[0].model_copy(update={"key": observations(rows(first.id))[0].key})
    with pytest.raises(IntegrityError):
        store.save_results(second.id, r[:1], [clash], flags(second.id)[:1])
    assert snapshot(store) == before


def test_exception_inside_save_results_rolls_back(store, monkeypatch):
    doc = ingest_and_save(store)
    before = snapshot(store)

    def boom(*args, **kwargs):
        raise RuntimeError("reconcile blew up half way")

    monkeypatch.setattr(store, "_merge_flags", boom)  # after rows and observations were replaced
    r = rows(doc.id)[:1]
    with pytest.raises(RuntimeError):
        store.save_results(doc.id, r, observations(r), [])
    assert snapshot(store) == before


def test_save_results_refuses_bad_input(store):
    doc = ingest_and_save(store)
    before = snapshot(store)
    r = rows(doc.id)
    with pytest.raises(LookupError, match="save_ingested"):
        store.save_results(sha("never seen"), [], [], [])
    with pytest.raises(ValueError, match="another document"):
        store.save_results(doc.id, rows(sha("x")), [], [])
    with pytest.raises(ValueError, match="repeated observation"):
        store.save_results(doc.id, r, observations(r) * 2, [])
    with pytest.raises(ValueError, match="repeated discrepancy"):
        store.save_results(doc.id, r, [], flags(doc.id) * 2)
    assert snapshot(store) == before


# Review ---------------------------------------------------------------------------------------------------

def test_optimistic_concurrency_conflict(store):
    doc = ingest_and_save(store)
    flag_id = flags(doc.id)[0].id
    seen = store.get_discrepancy(flag_id)  # both reviewers load version 1
    alice = ReviewDecision(discrepancy_id=flag_id, action=ReviewAction.confirm, reviewer="alice")
    stored = store.set_status(flag_id, "confirmed", seen.version, alice)
    assert (stored.from_state, stored.to_state, stored.reviewer) == ("open", "confirmed", "alice")

    bob = ReviewDecision(discrepancy_id=flag_id, action=ReviewAction.dismiss, reviewer="bob")
    with pytest.raises(ConflictError, match="reload") as err:
        store.add_decision(bob, expected_version=seen.version)
    assert (err.value.expected_version, err.value.actual_version) == (1, 2)
    now = store.get_discrepancy(flag_id)
    assert (now.status, now.version) == ("confirmed", 2)
    assert [d.reviewer for d in store.decisions(discrepancy_id=flag_id)] == ["alice"]  # bob's was not logged

    # Reloaded, bob may decide again.
    store.add_decision(bob, expected_version=now.version)
    assert store.get_discrepancy(flag_id).status == "dismissed"
    with pytest.raises(ValueError, match="unknown status"):
        store.set_status(flag_id, "closed", 3, bob)
    with pytest.raises(LookupError):
        store.set_status("no-such-flag", "confirmed", 1, bob.model_copy(update={"discrepancy_id": None}))


def test_threads_saving_different_papers(db_url):
    """Concurrent writers (one Store each) wait for each other instead of failing."""
    with Store(db_url) as s:
        s.migrate()
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            with Store(db_url) as s:
                for i in range(4):
                    ingest_and_save(s, f"paper-{n}-{i}.pdf")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Store(db_url) as s:
        assert s.counts()["papers_by_state"]["processed"] == 12


def test_decisions_are_append_only(store):
    doc = ingest_and_save(store)
    rag = flags(doc.id)[0]
    obs_key = observations(rows(doc.id))[2].key  # SCS02 Q2
    comment = store.add_decision(ReviewDecision(discrepancy_id=rag.id, action=ReviewAction.comment,
                                                reviewer="analyst", reason="check the printed target"))
    assign = store.add_decision(ReviewDecision(discrepancy_id=rag.id, action=ReviewAction.assign,
                                               reviewer="lead", assignee="analyst"))
    correct = store.add_decision(ReviewDecision(discrepancy_id=rag.id, observation_key=obs_key,
                                                action=ReviewAction.correct, reviewer="analyst",
                                                corrected_value=21.4, reason="typo in the paper"))
    assert comment.id < assign.id < correct.id
    assert comment.created_at.tzinfo is not None
    assert (correct.from_state, correct.to_state) == ("open", "corrected")
    assert store.get_discrepancy(rag.id).status == "corrected"
    log = store.decisions()
    assert log == [comment, assign, correct]
    assert store.decisions(observation_key=obs_key) == [correct]
    assert store.decisions(discrepancy_id=rag.id, observation_key=obs_key) == [correct]

    # The database itself refuses to rewrite history, whoever connects.
    for sql in ("UPDATE review_decisions SET reviewer = 'someone else'", "DELETE FROM review_decisions"):
        with pytest.raises(DBAPIError, match="append-only"):
            with store.engine.begin() as conn:
                conn.execute(text(sql))
    assert store.decisions() == log

    with pytest.raises(ValueError, match="discrepancy_id"):
        store.add_decision(ReviewDecision(action=ReviewAction.confirm, reviewer="x"))
    with pytest.raises(ValueError, match="corrected_value"):
        store.add_decision(ReviewDecision(action=ReviewAction.correct, reviewer="x", observation_key=obs_key))
    with pytest.raises(LookupError):
        store.add_decision(ReviewDecision(discrepancy_id="nope", action=ReviewAction.comment, reviewer="x",
                                          reason="?"))
    assert store.decisions() == log


def test_corrections_and_remaps_latest_wins(store):
    doc = ingest_and_save(store)
    obs = observations(rows(doc.id))
    rag = flags(doc.id)[0]
    for value in (21.4, 21.5):
        store.add_decision(ReviewDecision(observation_key=obs[2].key, action=ReviewAction.correct,
                                          reviewer="analyst", corrected_value=value))
    store.add_decision(ReviewDecision(observation_key=obs[0].key, action=ReviewAction.correct,
                                      reviewer="analyst", corrected_value=84.0))
    assert store.corrections() == {obs[2].key: 21.5, obs[0].key: 84.0}

    store.add_decision(ReviewDecision(observation_key=obs[3].key, action=ReviewAction.remap, reviewer="analyst",
                                      indicator_id="care_leavers_accommodation_wrong"))
    store.add_decision(ReviewDecision(observation_key=obs[3].key, action=ReviewAction.remap, reviewer="analyst",
                                      indicator_id="care_leavers_suitable_accommodation_pct"))
    store.add_decision(ReviewDecision(discrepancy_id=rag.id, action=ReviewAction.remap, reviewer="lead",
                                      indicator_id="cp_second_plan_pct"))
    assert store.remaps() == {
        obs[3].key: "care_leavers_suitable_accommodation_pct",
        row_key(doc.id, "SCS02"): "cp_second_plan_pct",
    }
    assert store.get_discrepancy(rag.id).status == "open"  # remaps and comments do not settle a flag


def test_aliases(store):
    store.add_alias("Re-referrals within 12 months", "csc_rereferrals_pct", source="review", created_by="analyst")
    store.add_alias("CP plans - second or subsequent", "cp_repeat_plans_pct", source="cli")
    store.add_alias("  re-referrals   WITHIN 12 months ", "csc_rereferrals_12m_pct", source="cli")  # same alias
    assert store.aliases() == {
        "re-referrals   WITHIN 12 months": "csc_rereferrals_12m_pct",
        "CP plans - second or subsequent": "cp_repeat_plans_pct",
    }
    with pytest.raises(ValueError):
        store.add_alias("   ", "x", source="cli")
