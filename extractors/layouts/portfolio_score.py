"""Score portfolio rows (layout `portfolio`) against a hand-written truth file, cell by cell.

On top of `extractors.evaluate.score_rows` (label, section, unit, polarity, data period, target, tolerance,
RAG, benchmarks, RAG rule, every value's number and text), it checks the keys the portfolio truth adds:

* ``target_text`` and ``benchmark_text`` as printed;
* ``rag_period``: the period label of the value the RAG rates;
* ``period_note``: the note printed in the value cell (PeriodValue.note);
* ``value_period``: the period the value belongs to (PeriodValue.period_start/end), or, when null, the
  paper's reporting point (the truth's ``reporting_period``). A bare year pair ('2016/17') matches the
  financial or the academic year of those years: the truth writes it as printed;
* ``benchmark_period``: every benchmark's own period label;
* and, when given, the paper's reporting point (PaperFacts).

The truth identifies a row by (part, section, ref) because numbering restarts; it is turned into the
parser's row_ref with `section_ref`, the n-th printing of a heading being its n-th occurrence.
"""
from __future__ import annotations

from collections import Counter

from extractors.evaluate import TruthScore, score_rows
from extractors.layouts.portfolio import section_ref
from extractors.values import parse_period
from extractors.values.periods import Period, PeriodKind
from schemas import MeasureRow, PaperFacts


def expected_refs(truth: dict) -> list[str]:
    """The row_ref each truth row should get, in truth order."""
    occurrence: dict[tuple[str | None, str], int] = {}
    seen: Counter[str] = Counter()
    for s in truth.get("sections") or []:
        if isinstance(s, dict):
            seen[s["heading"]] += 1
            occurrence[(s.get("part"), s["heading"])] = seen[s["heading"]]
    refs = []
    for r in truth["rows"]:
        occ = occurrence.get((r.get("part"), r.get("section")), 1)
        refs.append(section_ref(r.get("section"), occ, str(r["ref"])))
    return refs


def _same_period(expected: Period | None, start, end) -> bool:
    if expected is None:
        return start is None and end is None
    if (expected.start, expected.end) == (start, end):
        return True
    if expected.kind == PeriodKind.financial_year and any("year pair" in a for a in expected.assumptions):
        # '2016/17' as printed: the academic year 2016/17 is the same label
        return start is not None and end is not None and (start.year, end.year) == (expected.start.year,
                                                                                   expected.end.year)
    return False


def score_portfolio(rows: list[MeasureRow], truth: dict, facts: PaperFacts | None = None) -> TruthScore:
    refs = expected_refs(truth)
    renamed = [dict(r, ref=ref) for r, ref in zip(truth["rows"], refs)]
    score = score_rows(rows, {"rows": renamed})
    by_ref = {r.row_ref: r for r in rows}
    reporting = parse_period(truth.get("reporting_period"))
    if facts is not None:
        got = (facts.reporting_period_start, facts.reporting_period_end) if facts else None
        score.check("paper reporting point", (reporting.start, reporting.end) if reporting else None, got)
    for expected, ref in zip(truth["rows"], refs):
        row = by_ref.get(ref)
        extra = ["target_text", "benchmark_text", "rag_period", "period_note", "value_period"]
        benchmark_count = len(expected.get("benchmarks") or {})
        if row is None:
            score.checked += len(extra) + benchmark_count
            continue
        where = f"row {ref}"
        score.check(f"{where} target_text", expected.get("target_text"), row.target_text)
        score.check(f"{where} benchmark_text", expected.get("benchmark_text"), row.benchmark_text)
        score.check(f"{where} rag_period", expected.get("rag_period"), row.latest.period_label if row.latest else None)
        value = row.latest
        score.check(f"{where} period_note", expected.get("period_note"), value.note if value else "<missing>")
        want = parse_period(expected["value_period"]) if expected.get("value_period") else reporting
        got = (value.period_start, value.period_end) if value else (None, None)
        score.checked += 1
        if _same_period(want, *got):
            score.right += 1
        else:
            score.misses.append(f"{where} value_period: expected {expected.get('value_period') or 'reporting point'}"
                                f" ({want.start if want else None}..{want.end if want else None}), got {got[0]}..{got[1]}")
        for b in row.benchmarks:
            score.check(f"{where} benchmark {b.comparator.value} period", expected.get("benchmark_period"),
                        b.period_label)
        score.checked += max(0, benchmark_count - len(row.benchmarks))
    return score


__all__ = ["expected_refs", "score_portfolio"]
