"""Run every registered rule over a paper and turn findings into Discrepancy records with stable ids."""
from __future__ import annotations

import hashlib

from schemas import Discrepancy, MeasureRow, SourceDocument

from .registry import PaperContext, Rule, load_rules


def flag_id(rule: str, document_id: str, row_ref: str | None, period: str | None, subject: str) -> str:
    """Stable across re-runs: the same rule on the same paper, row, period and subject gives the same id."""
    key = "|".join([rule, document_id, row_ref or "", period or "", subject])
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def reconcile_paper(
    document: SourceDocument, rows: list[MeasureRow], catalogue=None, *, only: set[str] | None = None
) -> list[Discrepancy]:
    """All flags for one paper, ranked: errors first, then those that change a RAG rating."""
    ctx = PaperContext(document=document, rows=rows, catalogue=catalogue)
    flags: dict[str, Discrepancy] = {}
    for rule in load_rules().values():
        if only is not None and rule.code not in only:
            continue
        for finding in rule.check(ctx):
            flag = _to_discrepancy(rule, document, finding)
            flags[flag.id] = flag
    return sorted(flags.values(), key=rank_key)


def rank_key(flag: Discrepancy) -> tuple:
    return (flag.severity != "error", not flag.changes_rag, flag.page or 0, flag.row_ref or "", flag.rule)


def _to_discrepancy(rule: Rule, document: SourceDocument, finding) -> Discrepancy:
    row = finding.row
    page = None
    if row is not None:
        page = (row.rag_provenance or row.label_provenance).page
    return Discrepancy(
        id=flag_id(rule.code, document.id, row.row_ref if row else None, finding.period_label, finding.subject),
        rule=rule.code,
        severity=rule.severity,
        message=finding.message,
        document_id=document.id,
        row_ref=row.row_ref if row else None,
        row_label=row.row_label if row else None,
        indicator_id=row.indicator_id if row else None,
        period_label=finding.period_label,
        page=page,
        changes_rag=finding.changes_rag,
        evidence=finding.evidence,
    )
