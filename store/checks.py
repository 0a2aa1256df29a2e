"""Checks on what callers hand the store, made before any database work."""
from __future__ import annotations

from collections import Counter

from schemas import Discrepancy, MeasureRow, Observation, ReviewAction, ReviewDecision


def check_results(
    document_id: str, rows: list[MeasureRow], observations: list[Observation], flags: list[Discrepancy]
) -> None:
    """Refuse results that belong to another paper or repeat a key, before touching the database."""
    for kind, items, key in (
        ("measure row", rows, lambda r: r.row_ref),
        ("observation", observations, lambda o: o.key),
        ("discrepancy", flags, lambda f: f.id),
    ):
        strangers = [key(i) for i in items if i.document_id != document_id]
        if strangers:
            raise ValueError(f"save_results({document_id}): {kind}s of another document: {strangers[:5]}")
        repeated = sorted(k for k, n in Counter(key(i) for i in items).items() if n > 1)
        if repeated:
            raise ValueError(f"save_results({document_id}): repeated {kind} keys: {repeated[:5]}")


def check_decision(decision: ReviewDecision) -> None:
    """Each action needs its subject and its value."""
    a = decision.action
    need: list[str] = []
    if a in (ReviewAction.confirm, ReviewAction.dismiss) and not decision.discrepancy_id:
        need.append("discrepancy_id")
    if a == ReviewAction.correct:
        need += [f for f in ("observation_key", "corrected_value") if getattr(decision, f) is None]
    if a == ReviewAction.remap and decision.indicator_id is None:
        need.append("indicator_id")
    if a == ReviewAction.assign and not decision.assignee:
        need.append("assignee")
    if a == ReviewAction.comment and not decision.reason:
        need.append("reason")
    if not (decision.discrepancy_id or decision.observation_key):
        need.append("discrepancy_id or observation_key")
    if need:
        raise ValueError(f"a {a.value} decision needs {', '.join(need)}")
