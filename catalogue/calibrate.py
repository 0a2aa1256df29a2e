"""Evaluate the mapper on the labelled set and calibrate its decision thresholds.

    python -m catalogue.calibrate            # metrics at the current thresholds
    python -m catalogue.calibrate --sweep    # precision / coverage over a grid of thresholds
    python -m catalogue.calibrate --errors   # list every miss

Metrics (over ``data/eval_names.yaml``):

* **auto precision**: auto-accepted names mapped to the expected id / all auto-accepted
  names (an auto-accepted name whose expected answer is ``unmapped`` counts as wrong);
* **coverage**: mappable names that are either auto-accepted correctly or held for
  review with the expected id as the top candidate / all mappable names;
* **auto coverage**: mappable names auto-accepted correctly / all mappable names;
* **confusions**: auto-accepted answers that are the inverse of the expected indicator
  or a different unit (count vs percentage vs rate). Must be zero.
"""
from __future__ import annotations

import argparse
import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from schemas import MappingStatus, Unit

from .load import Catalogue, load_catalogue
from .mapping import DEFAULT_DECISION, Decision, MappingResult
from .model import VariantRelation

EVAL_PATH = Path(__file__).resolve().parent / "data" / "eval_names.yaml"
UNMAPPED = "unmapped"


@dataclass
class EvalReport:
    n: int = 0
    mappable: int = 0
    auto: int = 0
    auto_correct: int = 0
    review_right_top: int = 0
    unmapped_expected: int = 0
    unmapped_auto: int = 0  # names that must stay unmapped but were auto-accepted
    errors: list[str] = field(default_factory=list)
    confusions: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.auto_correct / self.auto if self.auto else 1.0

    @property
    def coverage(self) -> float:
        return (self.auto_correct + self.review_right_top) / self.mappable if self.mappable else 1.0

    @property
    def auto_coverage(self) -> float:
        return self.auto_correct / self.mappable if self.mappable else 1.0

    def summary(self) -> str:
        return (
            f"{self.n} names ({self.mappable} mappable, {self.unmapped_expected} must stay unmapped): "
            f"auto precision {self.precision:.2%} ({self.auto_correct}/{self.auto}), "
            f"coverage {self.coverage:.2%} (auto {self.auto_coverage:.2%} + review with right top "
            f"{self.review_right_top}), confusions {len(self.confusions)}, "
            f"must-stay-unmapped auto-accepted {self.unmapped_auto}"
        )


def load_eval(path: Path = EVAL_PATH) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)["names"]


def confusion(catalogue: Catalogue, expected: str, got: str) -> str | None:
    """'inverse' / 'unit' when `got` is the wrong side or the wrong unit of `expected`."""
    if expected == UNMAPPED or got is None or got == expected:
        return None
    e, g = catalogue.peek(expected), catalogue.peek(got)
    related = {(v.indicator_id, v.relation) for v in e.variants} | {(v.indicator_id, v.relation) for v in g.variants}
    if (got, VariantRelation.inverse) in related or (expected, VariantRelation.inverse) in related:
        return "inverse"
    if e.unit != g.unit:
        return "unit"
    return None


def evaluate(
    entries: list[dict], catalogue: Catalogue | None = None, decision: Decision = DEFAULT_DECISION,
) -> EvalReport:
    cat = catalogue or load_catalogue()
    matcher = cat.matcher
    rep = EvalReport()
    for e in entries:
        hint = Unit(e["unit_hint"]) if e.get("unit_hint") else None
        res: MappingResult = matcher.map(e["name"], hint, None, decision)
        expected = e["expect"]
        rep.n += 1
        top = res.candidates[0].indicator_id if res.candidates else None
        line = f"[{e.get('kind', '-')}] {e['name']!r}: expected {expected}, got {res.status.value} {res.indicator_id} ({res.score})"
        if expected == UNMAPPED:
            rep.unmapped_expected += 1
            if res.status is MappingStatus.auto:
                rep.auto += 1
                rep.unmapped_auto += 1
                rep.errors.append(line)
            continue
        rep.mappable += 1
        if res.status is MappingStatus.auto:
            rep.auto += 1
            if res.indicator_id == expected:
                rep.auto_correct += 1
            else:
                rep.errors.append(line)
                kind = confusion(cat, expected, res.indicator_id)
                if kind:
                    rep.confusions.append(f"{kind}: {line}")
        elif res.status is MappingStatus.needs_review and top == expected:
            rep.review_right_top += 1
        else:
            rep.misses.append(line + f" top={top} reasons={res.reasons[-3:]}")
    return rep


def perturbed_names(count: int = 10_000, seed: int = 7) -> list[str]:
    """Realistic variants of the evaluation names (a word dropped, words reordered, a period token added),
    mostly distinct: the load for the mapping speed benchmark."""
    import random

    names = [e["name"] for e in load_eval()]
    rnd = random.Random(seed)
    labels = []
    for _ in range(count):
        words = rnd.choice(names).split()
        if len(words) > 3 and rnd.random() < 0.5:
            words.pop(rnd.randrange(len(words)))
        if rnd.random() < 0.3:
            rnd.shuffle(words)
        labels.append(" ".join(words) + rnd.choice(["", " (RAG)", " Q1", ""]))
    return labels


def sweep(entries: list[dict], catalogue: Catalogue) -> None:
    print("auto_min margin coverage name_coverage | precision coverage auto_coverage wrong_auto")
    for auto_min, margin, cover, ncover in itertools.product(
        (70, 72.5, 75, 77.5, 80, 82.5, 85), (2, 4, 6, 8), (0.6, 0.75, 0.85), (0.0, 0.5, 0.6, 0.7),
    ):
        d = Decision(auto_min=auto_min, auto_margin=margin, auto_coverage=cover, auto_name_coverage=ncover)
        r = evaluate(entries, catalogue, d)
        print(f"{auto_min:8} {margin:6} {cover:8} {ncover:13} | {r.precision:9.2%} {r.coverage:8.2%} "
              f"{r.auto_coverage:13.2%} {len(r.errors):10}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate / calibrate catalogue.mapping")
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--errors", action="store_true")
    args = parser.parse_args(argv)
    entries = load_eval()
    t = time.perf_counter()
    cat = load_catalogue()
    cat.matcher
    print(f"catalogue + index: {time.perf_counter() - t:.2f} s")
    if args.sweep:
        sweep(entries, cat)
        return 0
    rep = evaluate(entries, cat)
    print(rep.summary())
    if args.errors:
        for line in rep.errors:
            print("WRONG AUTO", line)
        for line in rep.misses:
            print("MISS      ", line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
