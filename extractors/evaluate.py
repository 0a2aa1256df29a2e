"""Measure extraction against a hand-written truth file (fixtures/truth/*.yaml), cell by cell.

Every printed cell the truth records counts once: each period value (number and text), and per row the
label, section, unit, polarity, data period, target, tolerance, RAG, each benchmark and a stated RAG rule.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from schemas import MeasureRow


@dataclass
class TruthScore:
    checked: int = 0
    right: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.right / self.checked if self.checked else 0.0

    def check(self, where: str, expected, got) -> None:
        self.checked += 1
        if _same(expected, got):
            self.right += 1
        else:
            self.misses.append(f"{where}: expected {expected!r}, got {got!r}")


def load_truth(path: Path) -> dict:
    return yaml.safe_load(Path(path).read_text())


def score_rows(rows: list[MeasureRow], truth: dict) -> TruthScore:
    score = TruthScore()
    by_ref = {r.row_ref: r for r in rows}
    for expected in truth["rows"]:
        ref = str(expected["ref"])
        row = by_ref.get(ref)
        fields = _row_fields(expected)
        if row is None:
            score.checked += len(fields) + 2 * len(expected.get("values", []))
            score.misses.append(f"row {ref} ({expected['label'][:40]}): not extracted")
            continue
        for name, want in fields.items():
            score.check(f"row {ref} {name}", want, _got(row, name))
        values = {v.period_label: v for v in row.values}
        for period, text, number in expected.get("values", []):
            got = values.get(period)
            score.check(f"row {ref} {period} value", number, got.value if got else "<missing>")
            score.check(f"row {ref} {period} text", text, got.value_text if got else "<missing>")
    extra = set(by_ref) - {str(r["ref"]) for r in truth["rows"]}
    for ref in sorted(extra):
        score.checked += 1
        score.misses.append(f"row {ref}: extracted but not in the truth file")
    return score


def _row_fields(expected: dict) -> dict:
    fields = {k: expected.get(k) for k in ("label", "section", "unit", "polarity", "data_period", "target",
                                           "target_tolerance", "rag")}
    for comparator, value in (expected.get("benchmarks") or {}).items():
        fields[f"benchmark {comparator}"] = value
    fields["benchmark count"] = len(expected.get("benchmarks") or {})
    rule = expected.get("rag_rule")
    fields["rag_rule"] = (rule["green_from"], rule["red_below"]) if rule else None
    return fields


def _got(row: MeasureRow, name: str):
    if name == "label":
        return row.row_label
    if name == "polarity":
        return row.printed_polarity.value if row.printed_polarity else None
    if name == "unit":
        return row.unit.value
    if name == "rag":
        return row.rag.value if row.rag else None
    if name.startswith("benchmark "):
        comparator = name.removeprefix("benchmark ")
        if comparator == "count":
            return len(row.benchmarks)
        return next((b.value for b in row.benchmarks if b.comparator.value == comparator), None)
    if name == "rag_rule":
        return (row.rag_rule.green_from, row.rag_rule.red_below) if row.rag_rule else None
    return getattr(row, name)


def _same(expected, got) -> bool:
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        return math.isclose(expected, got, abs_tol=1e-9)
    return expected == got
