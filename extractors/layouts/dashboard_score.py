"""Score monthly-dashboard rows (layout `monthly_dashboard`) against a hand-written truth file.

Truth rows carry no printed reference (``ref: null``), so rows are matched by label. Per row it runs
`extractors.evaluate.score_rows` (label, section, unit, polarity, data period, target, tolerance, RAG,
benchmarks, RAG rule, every value's number and text, the merged 'n/a' once per month it covers) and
adds the dashboard keys:

* ``target_text``; ``rag_period`` (the period label of the latest value, the one the RAG rates);
* ``baseline`` / ``outturn``: DerivedFigure baseline / outturn -- label, text, number;
* ``future_target``: the PeriodTarget -- period ('Jan-16' of 'Jan-16 Target'), text, number;
* ``benchmark_period``: every benchmark's own period label ('2014').

Side tables (the truth's ``tables:``): a comparison box ('cells': [name, period, text, number]) is the row
labelled with its title: the council's cell is its value (with its own period label), every other cell a
benchmark with its own period; a two-column period table ('rows': [name, text, number]) gives the rows
labelled '<title> - <name>', the value for the table's period, and lines naming a comparator are checked
as benchmarks of the other lines. Extracted rows that are in neither part of the truth count as misses.
"""
from __future__ import annotations

from extractors.evaluate import TruthScore, score_rows
from extractors.values import classify_comparator
from schemas import Comparator, DerivedKind, MeasureRow


def _derived(row: MeasureRow, kind: DerivedKind):
    return next((d for d in row.derived if d.kind == kind), None)


def _merge(total: TruthScore, part: TruthScore) -> None:
    total.checked += part.checked
    total.right += part.right
    total.misses.extend(part.misses)


def _score_grid_row(score: TruthScore, expected: dict, row: MeasureRow) -> None:
    where = f"row {expected['label'][:40]!r}"
    part = score_rows([row], {"rows": [dict(expected, ref=row.row_ref)]})
    part.misses = [m.replace(f"row {row.row_ref} ", f"{where} ", 1) for m in part.misses]
    _merge(score, part)
    if expected.get("target_text") is not None:
        score.check(f"{where} target_text", expected["target_text"], row.target_text)
    if "rag_period" in expected:
        score.check(f"{where} rag_period", expected["rag_period"], row.latest.period_label if row.latest else None)
    for key, kind in (("baseline", DerivedKind.baseline), ("outturn", DerivedKind.outturn)):
        if key not in expected:
            continue
        want, got = expected[key], _derived(row, kind)
        if want is None:
            score.check(f"{where} {key}", None, got.value_text if got else None)
            continue
        label, text, number = want
        score.check(f"{where} {key} label", label, got.label if got else None)
        score.check(f"{where} {key} text", text, got.value_text if got else None)
        score.check(f"{where} {key} value", number, got.value if got else None)
    if "future_target" in expected:
        want = expected["future_target"]
        got = row.targets[0] if row.targets else None
        if want is None:
            score.check(f"{where} future_target", None, got.value_text if got else None)
        else:
            label, text, number = want
            score.check(f"{where} future_target period", label.split()[0], got.period_label if got else None)
            score.check(f"{where} future_target text", text, got.value_text if got else None)
            score.check(f"{where} future_target value", number, got.value if got else None)
    for b in row.benchmarks:
        score.check(f"{where} benchmark {b.comparator.value} period", expected.get("benchmark_period"),
                    b.period_label)


def _score_box(score: TruthScore, table: dict, row: MeasureRow | None) -> None:
    where = f"table {table['name']}"
    cells = table["cells"]
    own = [c for c in cells if classify_comparator(c[0]) == Comparator.other]
    if row is None:
        score.checked += 4 * len(cells) + 1
        score.misses.append(f"{where}: not extracted")
        return
    score.check(f"{where} unit", table.get("unit"), row.unit.value)
    for name, period, text, number in own:
        got = row.values[0] if row.values else None
        score.check(f"{where} {name} value", number, got.value if got else None)
        score.check(f"{where} {name} text", text, got.value_text if got else None)
        score.check(f"{where} {name} period", period, got.period_label if got else None)
        score.check(f"{where} {name} is the only value", 1, len(row.values))
    for name, period, text, number in cells:
        if [name, period, text, number] in own:
            continue
        comparator = classify_comparator(name)
        got = next((b for b in row.benchmarks if b.comparator == comparator), None)
        score.check(f"{where} {name} benchmark", number, got.value if got else None)
        score.check(f"{where} {name} benchmark text", text, got.value_text if got else None)
        score.check(f"{where} {name} benchmark period", period, got.period_label if got else None)
        score.check(f"{where} {name} benchmark label", name, got.label if got else None)


def _score_period_table(score: TruthScore, table: dict, by_label: dict[str, MeasureRow]) -> set[str]:
    where = f"table {table['name']}"
    lines = table["rows"]
    comparators = [ln for ln in lines if classify_comparator(ln[0]) != Comparator.other]
    used = set()
    for name, text, number in lines:
        if [name, text, number] in comparators:
            continue
        label = f"{table['title']} - {name}"
        row = by_label.get(label)
        if row is None:
            score.checked += 4 + 2 * len(comparators)
            score.misses.append(f"{where} {name!r}: not extracted")
            continue
        used.add(label)
        got = row.values[0] if row.values else None
        score.check(f"{where} {name} value", number, got.value if got else None)
        score.check(f"{where} {name} text", text, got.value_text if got else None)
        score.check(f"{where} {name} period", table["period"], got.period_label if got else None)
        score.check(f"{where} {name} unit", table.get("unit"), row.unit.value)
        for c_name, c_text, c_number in comparators:
            b = next((b for b in row.benchmarks if b.comparator == classify_comparator(c_name)), None)
            score.check(f"{where} {name} benchmark {c_name}", c_number, b.value if b else None)
            score.check(f"{where} {name} benchmark {c_name} text", c_text, b.value_text if b else None)
    return used


def score_dashboard(rows: list[MeasureRow], truth: dict) -> TruthScore:
    score = TruthScore()
    by_label = {r.row_label: r for r in rows}
    used: set[str] = set()
    for expected in truth.get("rows") or []:
        row = by_label.get(expected["label"])
        if row is None:
            score.checked += 10 + 2 * len(expected.get("values") or [])
            score.misses.append(f"row {expected['label'][:40]!r}: not extracted")
            continue
        used.add(row.row_label)
        _score_grid_row(score, expected, row)
    for table in truth.get("tables") or []:
        if "cells" in table:
            row = by_label.get(table["title"])
            if row is not None:
                used.add(row.row_label)
            _score_box(score, table, row)
        else:
            used |= _score_period_table(score, table, by_label)
    for row in rows:
        if row.row_label not in used:
            score.checked += 1
            score.misses.append(f"row {row.row_ref} {row.row_label[:40]!r}: extracted but not in the truth file")
    return score


__all__ = ["score_dashboard"]
