"""The review tool's store: migration 0003, users and sessions, keyset paging, filters, counts, conflicts, bulk,
remaps, and decisions that survive a re-run of the pipeline."""
from __future__ import annotations

import hashlib
import os
import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, insert, select, text
from sqlalchemy.pool import NullPool
from test_review_support import (  # noqa: F401  (fixtures)
    PAPER,
    PAPERS,
    bucks_flags,
    read_csv,
    review_template,
    review_url,
    store,
)

from catalogue import load_catalogue
from extractors.ingest import load_manifest
from flows.paper import process_paper
from flows.pipeline import export_dataset
from review.auth import authenticate, hash_password, verify_password
from store import ConflictError, Store, alembic_config, resolve_url
from store.models import DiscrepancyRow, DocumentRow
from store.review_models import FlagAssignmentRow, ReviewSessionRow, UserRow
from store.review_store import (
    AssignmentConflict,
    BulkConflict,
    Cursor,
    MappingConflict,
    QueueFilter,
    ReviewStore,
)

REVIEW_TABLES = {"users", "review_sessions", "flag_assignments"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty(request, tmp_path):
    """A migrated empty store: a SQLite file, or a fresh PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        with Store(f"sqlite:///{tmp_path / 'empty.db'}") as s:
            s.migrate()
            yield s
        return
    base = os.environ.get("SCRUTINY_TEST_DATABASE_URL")
    if not base:
        pytest.skip("SCRUTINY_TEST_DATABASE_URL not set: PostgreSQL review store tests skipped")
    schema = f"test_{uuid.uuid4().hex}"
    admin = create_engine(resolve_url(base), poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = resolve_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        with Store(url) as s:
            s.migrate()
            yield s
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _random_queue(store: Store, n: int, seed: int = 3) -> list[dict]:
    """n flags over 6 papers of 3 councils, with random severity, RAG change, status, rule, indicator, assignee."""
    rng = random.Random(seed)
    now = datetime(2025, 1, 1, tzinfo=UTC)
    docs = [{"id": hashlib.sha256(f"paper {i}".encode()).hexdigest(), "source": f"/x/{i}.pdf", "file_name": f"{i}.pdf",
             "council": f"Council {i % 3}", "title": None, "meeting_date": None, "media_type": None, "byte_size": 1,
             "page_count": 1, "state": "processed", "failure_reason": None, "ingested_at": now, "updated_at": now}
            for i in range(6)]
    flags, assigned = [], []
    for j in range(n):
        doc = docs[j % 6]
        flag = {"id": hashlib.sha256(f"flag {j}".encode()).hexdigest()[:20], "document_id": doc["id"],
                "rule": rng.choice(["A", "B", "C"]), "severity": rng.choice(["error", "query"]),
                "status": rng.choice(["open", "open", "confirmed", "dismissed", "corrected", "stale"]),
                "row_ref": str(j % 9), "row_label": f"m{j}", "indicator_id": rng.choice(["X1", "X2", None]),
                "page": 1, "changes_rag": rng.random() < 0.4, "message": f"flag {j}", "payload": {"evidence": []},
                "first_seen": now, "last_seen": now, "version": 1, "_council": doc["council"]}
        flags.append(flag)
        if rng.random() < 0.3:
            flag["_assignee"] = rng.choice(["alice", "bob"])
            assigned.append({"discrepancy_id": flag["id"], "assignee": flag["_assignee"], "assigned_by": "alice",
                             "assigned_at": now})
    with store._write() as s:
        s.execute(insert(DocumentRow.__table__), docs)
        s.execute(insert(DiscrepancyRow.__table__), [{k: v for k, v in f.items() if not k.startswith("_")} for f in flags])
        if assigned:
            s.execute(insert(FlagAssignmentRow.__table__), assigned)
    return flags


def _expected(flags: list[dict], f: QueueFilter) -> list[str]:
    def keep(x: dict) -> bool:
        return ((f.status is None or x["status"] == f.status) and (f.rule is None or x["rule"] == f.rule)
                and (f.severity is None or x["severity"] == f.severity)
                and (f.council is None or x["_council"] == f.council)
                and (f.paper is None or x["document_id"] == f.paper)
                and (f.indicator is None or (x["indicator_id"] is None if f.indicator == "-" else x["indicator_id"] == f.indicator))
                and (f.assignee is None or (x.get("_assignee") is None if f.assignee == "-" else x.get("_assignee") == f.assignee)))
    chosen = [x for x in flags if keep(x)]
    chosen.sort(key=lambda x: (x["severity"], not x["changes_rag"], x["id"]))
    return [x["id"] for x in chosen]


# Migration ------------------------------------------------------------------------------------------------

def test_migration_0003_up_down_and_up(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'm.db'}") as s:
        s.migrate()
        assert s.current_revision() == s.head_revision() == "0003"
        names = set(inspect(s.engine).get_table_names())
        assert REVIEW_TABLES <= names
        indexes = {i["name"] for i in inspect(s.engine).get_indexes("discrepancies")}
        assert {"ix_discrepancies_queue", "ix_discrepancies_status_queue", "ix_discrepancies_indicator_id"} <= indexes
        config = alembic_config(s.url)
        with s.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0002")
        assert not REVIEW_TABLES & set(inspect(s.engine).get_table_names())
        assert "ix_discrepancies_queue" not in {i["name"] for i in inspect(s.engine).get_indexes("discrepancies")}
        s.migrate()
        assert REVIEW_TABLES <= set(inspect(s.engine).get_table_names())


def test_queue_page_uses_the_queue_index(empty):
    if empty.engine.dialect.name != "sqlite":
        pytest.skip("reads SQLite's query plan")
    _random_queue(empty, 50)
    with empty.engine.connect() as conn:
        review = ReviewStore(empty)
        sql = review._queue_select(QueueFilter(status="open")).order_by(
            DiscrepancyRow.severity, DiscrepancyRow.changes_rag.desc(), DiscrepancyRow.id).limit(50)
        compiled = sql.compile(conn, compile_kwargs={"literal_binds": True})
        plan = " ".join(str(r[-1]) for r in conn.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
    assert "ix_discrepancies_status_queue" in plan and "TEMP B-TREE" not in plan, plan


# Users and sessions -------------------------------------------------------------------------------------------

def test_users_are_stored_with_argon2_hashes_only(empty):
    review = ReviewStore(empty)
    review.add_user("dana", hash_password("a long password"), "reviewer")
    with pytest.raises(ValueError, match="already exists"):
        review.add_user("dana", hash_password("another password"), "admin")
    with pytest.raises(ValueError, match="role"):
        review.add_user("erin", hash_password("a long password"), "superuser")
    with pytest.raises(ValueError, match="at least"):
        hash_password("short")
    with empty.engine.connect() as conn:
        stored = conn.execute(select(UserRow.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and "a long password" not in stored
    assert verify_password(stored, "a long password") and not verify_password(stored, "a long passworD")
    assert authenticate(review, "dana", "a long password").username == "dana"
    assert authenticate(review, "dana", "wrong password") is None
    assert authenticate(review, "nobody", "a long password") is None


def test_sessions_keep_only_a_hash_expire_and_end_with_the_user(empty):
    review = ReviewStore(empty)
    user = review.add_user("dana", hash_password("a long password"), "reviewer")
    token, session = review.create_session(user.id)
    assert review.get_session(token).user.username == "dana"
    assert review.get_session(token).csrf_token == session.csrf_token
    with empty.engine.connect() as conn:
        stored = conn.execute(select(ReviewSessionRow.token_hash)).scalar_one()
    assert stored != token and len(stored) == 64  # the cookie's token is never stored as is
    assert review.get_session(token + "x") is None and review.get_session(None) is None
    expired, _ = review.create_session(user.id, ttl=timedelta(seconds=-1))
    assert review.get_session(expired) is None
    review.set_active("dana", False)
    assert review.get_session(token) is None  # disabling a user ends their sessions
    review.set_active("dana", True)
    token, _ = review.create_session(user.id)
    review.set_password("dana", hash_password("a new long password"))
    assert review.get_session(token) is None  # a new password signs out everywhere
    token, _ = review.create_session(user.id)
    review.delete_session(token)
    assert review.get_session(token) is None


# The queue ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("f", [
    QueueFilter(), QueueFilter(status="open"), QueueFilter(rule="B", severity="error"),
    QueueFilter(council="Council 1"), QueueFilter(indicator="-"), QueueFilter(indicator="X2", status="open"),
    QueueFilter(assignee="bob"), QueueFilter(assignee="-", status="confirmed"),
])
def test_keyset_pages_walk_the_whole_filtered_queue_both_ways(empty, f):
    flags = _random_queue(empty, 237)
    review = ReviewStore(empty)
    expected = _expected(flags, f)
    seen, after, pages = [], None, []
    while True:
        page = review.queue_page(f, after=after, limit=20)
        pages.append(page)
        seen += [i.id for i in page.items]
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert seen == expected
    assert pages[0].prev_cursor is None
    # Backwards from the last page, with `before`, gives the same pages.
    back, before = [], pages[-1].prev_cursor
    while before is not None:
        page = review.queue_page(f, before=before, limit=20)
        back = [i.id for i in page.items] + back
        before = page.prev_cursor
    assert back + [i.id for i in pages[-1].items] == expected
    counts = review.counts(f)
    everything = _expected(flags, QueueFilter(**{**f.__dict__, "status": None}))
    assert sum(counts.values()) == len(everything)
    if f.status:
        assert counts[f.status] == len(expected)


def test_errors_first_then_rag_changing(empty):
    _random_queue(empty, 120)
    items = ReviewStore(empty).queue_page(QueueFilter(), limit=200).items
    keys = [(i.severity, not i.changes_rag) for i in items]
    assert keys == sorted(keys) and keys[0] == ("error", False)


def test_neighbours_follow_the_filter_even_after_a_decision(empty):
    flags = _random_queue(empty, 80)
    review = ReviewStore(empty)
    f = QueueFilter(status="open")
    order = _expected(flags, f)
    middle = order[10]
    assert review.neighbour(f, middle) == order[11]
    assert review.neighbour(f, middle, forward=False) == order[9]
    review.decide(middle, "confirm", "alice", expected_version=1)
    assert review.neighbour(f, middle) == order[11]  # auto-advance from a flag that left the filter
    assert review.neighbour(f, order[-1]) is None


def test_cursor_round_trip_and_refusal():
    c = Cursor("query", True, "abc.def")
    assert Cursor.decode(c.encode()) == c
    for bad in ("x.1.a", "error.2.a", "error.1.", "nonsense"):
        with pytest.raises(ValueError):
            Cursor.decode(bad)


# Decisions ----------------------------------------------------------------------------------------------------

def test_decide_conflicts_and_logs_from_to(empty):
    flags = _random_queue(empty, 10)
    review = ReviewStore(empty)
    fid = next(x["id"] for x in flags if x["status"] == "open")
    review.decide(fid, "confirm", "alice", expected_version=1)
    with pytest.raises(ConflictError):
        review.decide(fid, "dismiss", "bob", expected_version=1, reason="not an error")
    log = empty.decisions(fid)
    assert [(d.reviewer, d.action.value, d.from_state, d.to_state) for d in log] == [
        ("alice", "confirm", "open", "confirmed")]


def test_assignment_conflict_and_history(empty):
    flags = _random_queue(empty, 10)
    review = ReviewStore(empty)
    for name in ("alice", "bob"):
        review.add_user(name, hash_password("a long password"), "reviewer")
    fid = next(x["id"] for x in flags if "_assignee" not in x)
    review.assign(fid, "bob", "alice", expected=None)
    with pytest.raises(AssignmentConflict):
        review.assign(fid, "alice", "alice", expected=None)  # saw 'nobody', but bob has it now
    review.assign(fid, None, "bob", expected="bob")
    assert review.assignee(fid) is None
    with pytest.raises(ValueError, match="no active user"):
        review.assign(fid, "mallory", "alice", expected=None)
    log = [(d.action.value, d.from_state, d.to_state) for d in review.history(discrepancy_id=fid)]
    assert log == [("assign", "(nobody)", "bob"), ("assign", "bob", "(nobody)")]


def test_bulk_touches_only_open_flags_and_refuses_a_stale_preview(empty):
    flags = _random_queue(empty, 150)
    review = ReviewStore(empty)
    f = QueueFilter(rule="A")
    open_ids = {x["id"] for x in flags if x["rule"] == "A" and x["status"] == "open"}
    before = {x["id"]: x["status"] for x in flags}
    assert review.bulk_count(f) == len(open_ids)
    with pytest.raises(BulkConflict):
        review.bulk_decide(f, "dismiss", "alice", expected_count=len(open_ids) + 1, reason="rule A is noise")
    assert empty.decisions() == []
    assert review.bulk_decide(f, "dismiss", "alice", expected_count=len(open_ids), reason="rule A is noise") == len(open_ids)
    after = {s.discrepancy.id: (s.status, s.version) for s in empty.discrepancies()}
    for fid, status in before.items():
        if fid in open_ids:
            assert after[fid] == ("dismissed", 2)
        else:
            assert after[fid] == (status, 1)
    log = empty.decisions()
    assert {d.discrepancy_id for d in log} == open_ids
    assert all((d.action.value, d.from_state, d.to_state, d.reason) == ("dismiss", "open", "dismissed", "rule A is noise")
               for d in log)


# On the real paper: remap, correct, measures queue, re-run ------------------------------------------------------

def test_remap_writes_one_decision_per_value_and_conflicts(store):
    review = ReviewStore(store)
    items, _ = review.measures_for_review(limit=500)
    waiting = review.measures_count()
    assert sum(waiting.values()) == len(items)
    item = next(i for i in items if i.mapping_status == "needs_review" and i.candidates)
    current, status = review.current_mapping(item.document_id, item.row_ref)
    assert status == "needs_review"
    target = item.candidates[0]["indicator_id"]
    decisions = review.remap(item.document_id, item.row_ref, target, "alice", expected_indicator=current,
                             save_alias=True)
    keys = [k for k, *_ in review.row_observations(item.document_id, item.row_ref)]
    assert [d.observation_key for d in decisions] == keys and keys
    assert review.current_mapping(item.document_id, item.row_ref) == (target, "reviewed")
    assert store.aliases()[item.row_label] == target
    with pytest.raises(MappingConflict):
        review.remap(item.document_id, item.row_ref, "CLA_RATE", "bob", expected_indicator=current)
    remaining, _ = review.measures_for_review(limit=500)
    left = {(i.document_id, i.row_ref) for i in remaining}
    assert (item.document_id, item.row_ref) not in left
    assert len(left) == len(items) - 1  # only the remapped measure leaves the queue
    assert review.measures_count()[item.mapping_status] == waiting[item.mapping_status] - 1
    assert all(store.remaps()[k] == target for k in keys)


def test_decisions_survive_a_rerun_and_the_export_applies_them(store, tmp_path):
    review = ReviewStore(store)
    review.add_user("dana", hash_password("a long password"), "reviewer")
    first, second = bucks_flags(store)[:2]
    review.decide(first.discrepancy.id, "confirm", "dana", expected_version=first.version)
    flag = second.discrepancy
    key = next(k for k, p, *_ in review.row_observations(flag.document_id, flag.row_ref) if p == flag.period_label)
    review.correct(flag.id, key, 85.0, "dana", expected_version=second.version, reason="the paper prints 85%")
    review.assign(flag.id, "dana", "dana", expected=None)
    review.comment("dana", "checked against the printed PDF", flag_id=flag.id)

    outcome = process_paper(PAPER, store, catalogue=load_catalogue(), meta=load_manifest(PAPERS).get(PAPER.name, {}),
                            reprocess=True)
    assert outcome.state == "processed"
    after = {s.discrepancy.id: s.status for s in store.discrepancies()}
    assert after[first.discrepancy.id] == "confirmed" and after[flag.id] == "corrected"
    assert review.assignee(flag.id) == "dana"
    assert [d.action.value for d in review.history(discrepancy_id=flag.id)] == ["correct", "assign", "comment"]

    export_dataset(store, tmp_path / "out")
    obs = {r["observation_key"]: r for r in read_csv(tmp_path / "out" / "observations.csv")}
    assert obs[key]["value"] == "85" and obs[key]["reviewed"] == "true" and obs[key]["original_value"] != ""
    flags = {r["discrepancy_id"]: r for r in read_csv(tmp_path / "out" / "discrepancies.csv")}
    assert flags[first.discrepancy.id]["status"] == "confirmed" and flags[flag.id]["status"] == "corrected"
