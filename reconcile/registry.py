"""The rule registry: one rule per file in reconcile/rules/, registered with a code, severity and message.

Modelled on the DfE CIN / SSDA903 validators: a rule declares what it reads, yields findings, and keeps
its own pass / fail examples (taken from real seed rows) next to it, which the test-suite runs.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from schemas import Evidence, MeasureRow, Severity, SourceDocument


@dataclass(frozen=True)
class PaperContext:
    """What a rule may look at: the paper, its parsed rows, and paper-wide facts (a stated RAG rule)."""

    document: SourceDocument
    rows: list[MeasureRow]
    catalogue: object | None = None  # catalogue.Catalogue, when loaded


@dataclass(frozen=True)
class Finding:
    """One thing a rule found; the engine turns it into a Discrepancy with a stable id."""

    message: str
    evidence: list[Evidence]
    row: MeasureRow | None = None
    period_label: str | None = None
    subject: str = ""  # distinguishes two findings of one rule on one row
    changes_rag: bool = False


@dataclass(frozen=True)
class Example:
    """A pass or fail example for a rule, built from a real seed row."""

    name: str
    rows: list[MeasureRow]
    expect_flags: int  # 0 for a pass example


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    title: str
    reads: tuple[str, ...]
    check: Callable[[PaperContext], Iterable[Finding]]
    examples: Callable[[], list[Example]] = field(default=lambda: [])


RULES: dict[str, Rule] = {}


def register(code: str, *, severity: Severity, title: str, reads: Iterable[str], examples=None):
    """Decorator: register `check(ctx) -> Iterable[Finding]` as rule `code`."""

    def decorate(check: Callable[[PaperContext], Iterable[Finding]]):
        if code in RULES:
            raise ValueError(f"rule {code} is registered twice")
        RULES[code] = Rule(code, severity, title, tuple(reads), check, examples or (lambda: []))
        return check

    return decorate


def load_rules() -> dict[str, Rule]:
    """Import every module in reconcile/rules so each registers itself."""
    import importlib
    import pkgutil

    from . import rules

    for module in pkgutil.iter_modules(rules.__path__):
        importlib.import_module(f"{rules.__name__}.{module.name}")
    return RULES
