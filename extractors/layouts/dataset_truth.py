"""Score measure rows against a compact truth file (fixtures/truth/003-*.yaml), every printed value cell by cell.

What counts as a printed value (one check each):

* each monthly value the truth lists, except periods in ``lost`` (the OCR lost the cell: the truth's
  number there is imputed, not printed) and nulls the truth could not recover (a null whose printed text
  in ``ocr`` is a placeholder such as '-' or '.' *is* printed, and expects no number);
* each derived figure in ``printed`` that is not null ('n/a' expects no number);
* each benchmark: a number, or the three 'Local' cells of ``benchmark_text: Local`` (each expects no
  number and the text 'Local'); ``benchmarks: {}`` means three printed placeholders; a null benchmark
  is illegible and not counted;
* each target (``TBC`` expects no number and the text 'TBC').

Rows with ``recoverable: false`` have no monthly values to check, but their derived figures,
benchmarks and targets still count. OCR-damaged printed cells (``ocr``) count like any other.

**A value held for review counts as right only when the value it carries equals the truth** (the
repaired value when a repair was applied; else the value as printed). So a held value is never a free
pass: holding '2.7%' where the truth is 4.7 is a miss, and holding '1058' that the row's arithmetic
confirmed is right.

Rows are matched by code, then by name (with the truth's ``label_ocr`` when its label is null) among
the rows between two matched ones, in printed order. Codes and names are scored separately
(`DatasetScore.refs`, `.labels`), not in the value accuracy.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from extractors.values import placeholder_reason
from schemas import MeasureRow

DERIVED_KEYS = {"change_prev_month": "change_previous", "change_prev_year": "change_year_ago",
                "avg_12m": "average_12m", "max_12m": "max_12m"}
COMPARATORS = ["stat_neighbours", "england", "region"]


@dataclass
class Tally:
    checked: int = 0
    right: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.right / self.checked if self.checked else 0.0

    def check(self, where: str, ok: bool, detail: str = "") -> None:
        self.checked += 1
        if ok:
            self.right += 1
        else:
            self.misses.append(f"{where}: {detail}".rstrip(": "))


@dataclass
class DatasetScore:
    values: Tally = field(default_factory=Tally)  # every printed value: the headline accuracy
    monthly: Tally = field(default_factory=Tally)
    derived: Tally = field(default_factory=Tally)
    benchmarks: Tally = field(default_factory=Tally)
    targets: Tally = field(default_factory=Tally)
    refs: Tally = field(default_factory=Tally)
    labels: Tally = field(default_factory=Tally)
    held_right: int = 0  # checked values held for review whose value equals the truth
    held_wrong: int = 0
    repaired_right: int = 0  # checked values carrying a repair whose value equals the truth
    repaired_wrong: int = 0
    unmatched_truth: list[str] = field(default_factory=list)
    extra_rows: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.values.accuracy

    @property
    def misses(self) -> list[str]:
        return self.values.misses

    def summary(self) -> str:
        parts = [f"values {self.values.right}/{self.values.checked} ({self.values.accuracy:.2%})"]
        for name in ("monthly", "derived", "benchmarks", "targets", "refs", "labels"):
            t = getattr(self, name)
            parts.append(f"{name} {t.right}/{t.checked}")
        parts.append(f"held for review: {self.held_right} right, {self.held_wrong} wrong")
        parts.append(f"repaired: {self.repaired_right} right, {self.repaired_wrong} wrong")
        return "; ".join(parts)


def load_truth(path: Path) -> dict:
    return yaml.safe_load(Path(path).read_text())


def _same(expected, got) -> bool:
    if expected is None or got is None:
        return expected is None and got is None
    if isinstance(got, str) or isinstance(expected, str):
        return False
    return math.isclose(float(expected), float(got), abs_tol=1e-6)


def _truth_label(t: dict) -> str:
    return t.get("label") or t.get("label_ocr") or ""


def match_rows(rows: list[MeasureRow], truth_rows: list[dict]) -> dict[int, int]:
    """truth index -> row index: by code first; the rows left between two matched ones are paired in
    printed order by name likeness (an order-keeping alignment that maximises the total likeness)."""
    matched: dict[int, int] = {}
    by_ref = {r.row_ref: i for i, r in enumerate(rows)}
    last = -1
    for ti, t in enumerate(truth_rows):
        if t.get("ref") is not None and str(t["ref"]) in by_ref and by_ref[str(t["ref"])] > last:
            matched[ti] = last = by_ref[str(t["ref"])]
    anchors = sorted(matched.items())
    bounds = [(-1, -1), *anchors, (len(truth_rows), len(rows))]
    for (t0, r0), (t1, r1) in zip(bounds, bounds[1:]):
        ts, rs = list(range(t0 + 1, t1)), list(range(r0 + 1, r1))
        for ti, ri in _align(ts, rs, truth_rows, rows):
            matched[ti] = ri
    return matched


def _align(ts: list[int], rs: list[int], truth_rows, rows) -> list[tuple[int, int]]:
    if not ts or not rs:
        return []
    def sim(ti: int, ri: int) -> float:
        return fuzz.token_set_ratio(_truth_label(truth_rows[ti]), rows[ri].row_label)
    n, m = len(ts), len(rs)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            pair = sim(ts[i], rs[j])
            take = (pair + best[i + 1][j + 1]) if pair >= 40 or (n == m) else -1.0
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    out, i, j = [], 0, 0
    while i < n and j < m:
        pair = sim(ts[i], rs[j])
        take = (pair + best[i + 1][j + 1]) if pair >= 40 or (n == m) else -1.0
        if take >= best[i][j] - 1e-9 and take >= 0:
            out.append((ts[i], rs[j]))
            i, j = i + 1, j + 1
        elif best[i + 1][j] >= best[i][j + 1]:
            i += 1
        else:
            j += 1
    return out


def score_dataset(rows: list[MeasureRow], truth: dict) -> DatasetScore:
    score = DatasetScore()
    truth_rows = truth["rows"]
    periods = truth["periods"]
    matched = match_rows(rows, truth_rows)
    for ti, t in enumerate(truth_rows):
        name = t.get("ref") or t.get("ref_printed") or _truth_label(t)[:40]
        row = rows[matched[ti]] if ti in matched else None
        if row is None:
            score.unmatched_truth.append(str(name))
        _score_row(score, row, t, periods, f"row {name}")
    for i, r in enumerate(rows):
        if i not in matched.values():
            score.extra_rows.append(r.row_ref)
            score.values.check(f"row {r.row_ref}", False, "extracted but not in the truth file")
    return score


def _record(score: DatasetScore, tally: Tally, where: str, expected, got_value, got_text, obj=None,
            text_expect: str | None = None) -> None:
    ok = _same(expected, got_value)
    if ok and text_expect is not None:
        ok = (got_text or "").strip().lower().endswith(text_expect.lower())
    detail = f"expected {expected!r}, got {got_value!r} ({got_text!r})" if obj is not None else "not extracted"
    if obj is not None and getattr(obj, "needs_review", False):
        detail += " [held for review]"
        if ok:
            score.held_right += 1
        else:
            score.held_wrong += 1
    if obj is not None and getattr(obj, "repairs", None):
        if ok:
            score.repaired_right += 1
        else:
            score.repaired_wrong += 1
    tally.check(where, ok, "" if ok else detail)
    score.values.check(where, ok, "" if ok else detail)


def _score_row(score: DatasetScore, row: MeasureRow | None, t: dict, periods: list[str], where: str) -> None:
    if row is not None:
        want_ref = t.get("ref")
        score.refs.check(f"{where} ref", (row.row_ref == want_ref) if want_ref else not _looks_coded(row.row_ref),
                         f"expected {want_ref!r}, got {row.row_ref!r}")
        if t.get("label"):
            sim = fuzz.token_set_ratio(t["label"], row.row_label)
            score.labels.check(f"{where} label", sim >= 85, f"{sim:.0f}% like {t['label'][:50]!r}: {row.row_label[:60]!r}")
    # monthly values
    if t.get("values") and t.get("recoverable", True):
        lost = set(t.get("lost") or [])
        ocr = t.get("ocr") or {}
        got = {v.period_label: v for v in row.values} if row else {}
        for p, expected in zip(periods, t["values"]):
            if p in lost:
                continue
            if expected is None and placeholder_reason(ocr.get(p, "x")) is None:
                continue
            v = got.get(p)
            _record(score, score.monthly, f"{where} {p}", expected, v.value if v else "<missing>",
                    v.value_text if v else None, v if v is not None else row)
    # derived figures
    derived = {d.kind.value: d for d in row.derived} if row else {}
    for key, kind in DERIVED_KEYS.items():
        expected = (t.get("printed") or {}).get(key)
        if expected is None:
            continue
        d = derived.get(kind)
        if isinstance(expected, str):
            _record(score, score.derived, f"{where} {key}", None, d.value if d else "<missing>",
                    d.value_text if d else None, d, text_expect=expected)
        else:
            _record(score, score.derived, f"{where} {key}", expected, d.value if d else None,
                    d.value_text if d else None, d)
    # benchmarks
    bench = {b.comparator.value: b for b in row.benchmarks} if row else {}
    if "benchmarks" in t:
        expected_b = t["benchmarks"] or {}
        if not expected_b:
            for c in COMPARATORS:
                b = bench.get(c)
                _record(score, score.benchmarks, f"{where} benchmark {c}", None, b.value if b else None,
                        b.value_text if b else "", b or row)
        for c, expected in expected_b.items():
            if expected is None:
                continue
            b = bench.get(c)
            _record(score, score.benchmarks, f"{where} benchmark {c}", expected, b.value if b else None,
                    b.value_text if b else None, b)
    elif t.get("benchmark_text"):
        for c in COMPARATORS:
            b = bench.get(c)
            _record(score, score.benchmarks, f"{where} benchmark {c}", None, b.value if b else "<missing>",
                    b.value_text if b else None, b, text_expect=t["benchmark_text"])
    # targets
    targets = {x.period_label: x for x in row.targets} if row else {}
    for period, expected in (t.get("targets") or {}).items():
        x = targets.get(str(period))
        if isinstance(expected, str):
            _record(score, score.targets, f"{where} target {period}", None, x.value if x else "<missing>",
                    x.value_text if x else None, x, text_expect=expected)
        else:
            _record(score, score.targets, f"{where} target {period}", expected, x.value if x else None,
                    x.value_text if x else None, x)


def _looks_coded(ref: str) -> bool:
    """A row_ref that claims a code (rows without a readable code fall back to 'r<n>')."""
    return not (ref.startswith("r") and ref[1:].split("#")[0].isdigit())


def printed_value_count(truth: dict) -> int:
    """How many printed values a truth file holds (what `score_dataset` checks when every row matches)."""
    return score_dataset([], truth).values.checked
