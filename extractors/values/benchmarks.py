"""Benchmark cells -> comparator values, a RAG rule if the paper states one, notes and a period.

How a cell is read, in order:

1. a cell that says there is no benchmark ('Benchmarking information is not available.')
   gives no benchmarks and keeps the sentence as ``note``;
2. a 'Note: ...' sentence is cut off into ``note``; a RAG rule in it ('86%-100% = Green ...')
   becomes ``rag_rule`` and a tolerance ('a 14% tolerance') becomes ``tolerance``: none of
   their numbers is a benchmark (a rule printed without 'Note:' is cut out the same way);
3. a '- Source: ...' clause is cut off into ``note`` too, and lends its year to the period;
4. a leading 'Benchmarking information is not available.' sentence (seed 000 #6, where the
   cell ran into the commentary) goes to ``note``;
5. '(2018 figures)', '(2016/17 figures)', '(Updated Nov-17. using 16-17 data)', '(2016)' give
   the period; a period right after one value ('England 62 (2016/17)') is that value's own;
6. what is left is read as *label, value, label, value ...*: every value takes the words
   between it and the previous value as its label, and a label naming several comparators
   ('Statistical Neighbours and England (2%)') gives the value to each. Unknown labels are
   kept as ``Comparator.other`` only when they read like a name; other words are reported in
   ``review_reason``.

>>> b = parse_benchmarks("Statistical Neighbours (21%) and England (22%), South East (26%).")
>>> [(x.comparator.value, x.label, x.value) for x in b.benchmarks]
[('stat_neighbours', 'Statistical Neighbours', 21.0), ('england', 'England', 22.0), ('region', 'South East', 26.0)]
>>> b = parse_benchmarks("CIPFA neighbours (44%) - Source: Children Looked After CIPFA report 2016.")
>>> (b.benchmarks[0].comparator.value, b.benchmarks[0].value, b.period_label)
('cipfa_neighbours', 44.0, '2016')
"""
from __future__ import annotations

import re

from schemas import Benchmark, Comparator, RagRule, Unit

from ._base import Frozen
from .numbers import NUMBER, PERCENT, SIGN, parse_value
from .periods import find_periods
from .placeholders import NOT_AVAILABLE, placeholder_reason
from .rag import parse_rag_rule, rag_rule_span
from .text import clean, fold_ws


class ParsedBenchmarks(Frozen):
    """A benchmark cell, read. ``benchmarks`` never holds a RAG-rule or tolerance number."""

    text: str
    benchmarks: list[Benchmark] = []
    rag_rule: RagRule | None = None
    tolerance: float | None = None  # 'There is a 14% tolerance against the target of 100%'
    note: str | None = None
    period_label: str | None = None
    missing_reason: str | None = None  # 'not available' when the cell says so
    needs_review: bool = False
    review_reason: str | None = None


# --------------------------------------------------------------------------- comparators

_REGIONS = (r"south\s*east|south\s*west|north\s*east|north\s*west|east\s+midlands|west\s+midlands"
            r"|east\s+of\s+england|eastern|yorkshire(?:\s+(?:and|&)\s+(?:the\s+)?humber)?|inner\s+london"
            r"|outer\s+london|london")

# Checked in this order: CIPFA before statistical neighbours, since papers write
# 'statistical neighbours reported in the 2016 CIPFA report' for a CIPFA group (seed 000 #15).
_COMPARATORS: list[tuple[re.Pattern[str], Comparator]] = [
    (re.compile(r"\bcipfa\b", re.I), Comparator.cipfa_neighbours),
    (re.compile(r"\bstat(?:istical|s)?\.?\s*(?:n\b|n\.|neighbou?rs?\b|nbrs?\b)|\bSNs?\b|\bstat\.?\s*nn?\b", re.I),
     Comparator.stat_neighbours),
    (re.compile(r"\bengland\b|\bnational(?:ly)?\b|\beng\.?\b|\bnat\.?\s+av", re.I), Comparator.england),
    (re.compile(rf"\b(?:{_REGIONS})\b|\bSE\b|\bregion(?:al)?\b", re.I), Comparator.region),
]

# One comparator name, for splitting 'Statistical Neighbours and England'.
_NAME = re.compile(
    r"(?:the\s+)?(?:comparative\s+)?(?:cipfa\s+(?:nearest\s+)?neighbou?rs?|stat(?:istical|s)?\.?\s*"
    r"(?:neighbou?rs?|nbrs?|n\b\.?)|SNs?\b|england(?:\s+\([^)]*\))?|national(?:ly)?(?:\s+average)?"
    rf"|(?:{_REGIONS})(?:\s+region)?(?:\s+average)?|SE(?:\s+region)?\b|region(?:al)?(?:\s+average)?)",
    re.IGNORECASE,
)


def classify_comparator(label: str | None) -> Comparator:
    """The comparator group a printed name stands for.

    >>> names = ["Stat. N", "SN", "National", "SE region", "Comparative CIPFA neighbours", "Wokingham"]
    >>> [classify_comparator(t).value for t in names]
    ['stat_neighbours', 'stat_neighbours', 'england', 'region', 'cipfa_neighbours', 'other']
    """
    s = clean(label)
    for rx, comparator in _COMPARATORS:
        if rx.search(s):
            return comparator
    return Comparator.other


# --------------------------------------------------------------------------- cell grammar

_NOTE = re.compile(r"(?:^|\s|[.;])\s*(?P<head>note\s*:|nb\s*:|n\.b\.\s*)", re.I)
_SOURCE = re.compile(r"(?:\s+[-:(]\s*|\s*[.;]\s*|^)(?P<head>sources?\s*:)", re.I)
# Where a cell states its period: '(2018 figures)', '(Updated Nov-17. using 16-17 data)',
# 'for 2016/17 data', or a period alone in brackets: '(2016)', '(2016/17)', '(Mar 2018)'.
_PERIOD_PHRASE = re.compile(r"\(([^()]*?\b(?:figures|data|results|published|updated|as\s+at)\b[^()]*)\)"
                            r"|\b(?:as\s+at|in|for)\s+[^,;()]{3,30}?\s+(?:figures|data)\b"
                            r"|\(\s*(?:(?:19|20)\d\d(?:\s*[/-]\s*\d\d(?:\d\d)?)?|[A-Za-z]{3,9}[\s'-]*\d\d(?:\d\d)?)\s*\)",
                            re.I)
_TOLERANCE = re.compile(rf"(?P<tol>{NUMBER})\s*{PERCENT}?\s*(?:point\s+)?tolerance", re.I)
# A value: an optional '(' then sign, '£', number, '%', optional ')'. Every '\s*' sits next to a
# required character, so matching stays linear even over long runs of spaces.
_VALUE_TOKEN = re.compile(
    rf"(?<![\w.,/])(?:\(\s*)?(?P<v>{SIGN}?£?(?:{NUMBER})(?:\s*{PERCENT})?)(?:\s*\))?(?![\w/]|[.,]\d)"
    r"|(?<![\w])(?P<p>Local|n/a|N/A|TBC|not\s+available)(?![\w/])",
    re.IGNORECASE,
)
_CONNECTORS = re.compile(r"^[\s,;:=()\-–.&]*(?:and\s+|&\s*|the\s+|also\s+|vs\.?\s+|versus\s+)*"
                         r"|[\s,;:=(\-–.&]*$", re.I)
_SPLIT_NAMES = re.compile(r"\s*(?:\band\b|&|/|,)\s*", re.I)


def _trim_label(s: str) -> str:
    s = fold_ws(s)
    prev = None
    while prev != s:
        prev = s
        s = _CONNECTORS.sub("", s).strip()
        s = re.sub(r"\(\s*\)$", "", s).strip()
        if s.count("(") > s.count(")"):
            s = s[: s.rfind("(")].strip()
    return s


def _split_names(label: str) -> list[str]:
    """'Statistical Neighbours and England' -> both names; a single unknown name stays whole."""
    parts = [p for p in _SPLIT_NAMES.split(label) if p.strip()]
    if len(parts) > 1 and all(_NAME.fullmatch(_trim_label(p)) for p in parts):
        return [_trim_label(p) for p in parts]
    return [label]


def _period_of(text: str) -> str | None:
    """The one period a cell states for all its values ('(2018 figures)'), or None when it
    states none or several different ones."""
    found = find_periods(text)
    labels: list[str] = []
    for m in _PERIOD_PHRASE.finditer(text):
        inside = [(s, p) for s, p in found if m.start() <= s[0] and s[1] <= m.end()]
        # '(Updated Nov-17. using 16-17 data)': the period named right before 'data' is the one
        tagged = [(s, p) for s, p in inside if re.match(r"\s*(?:figures|data|results)\b", text[s[1]:], re.I)]
        if tagged or inside:
            labels.append((tagged or inside)[-1][1].label)
    return labels[0] if len(set(labels)) == 1 else None


def _is_other_label(label: str) -> bool:
    """A label we do not know is kept only when it reads like a name, not a sentence."""
    words = label.split()
    return (0 < len(words) <= 6 and label[:1].isupper() and not re.search(r"\d", label)
            and not re.search(r"\b(?:is|are|was|were|has|have|than|our|we|of\s+the\s+target)\b", label, re.I))


def parse_benchmarks(text: str | None, unit_hint: Unit | None = None) -> ParsedBenchmarks:
    """Read a benchmark cell. Never raises.

    ``unit_hint`` is the row's unit: 'England = 0.03' on a percentage row means 0.03%, and
    the number returned is 0.03 (never rescaled).

    >>> b = parse_benchmarks("Statistical Neighbours and England (2%), South East (3%).")
    >>> [(x.comparator.value, x.value) for x in b.benchmarks]
    [('stat_neighbours', 2.0), ('england', 2.0), ('region', 3.0)]
    >>> parse_benchmarks("Benchmarking information is not available.").benchmarks
    []
    """
    try:
        return _parse_benchmarks(text, unit_hint)
    except Exception as exc:  # pragma: no cover - fuzz tests call _parse_benchmarks directly
        return ParsedBenchmarks(text=str(text), needs_review=True,
                                review_reason=f"internal error: {type(exc).__name__}")


def _parse_benchmarks(text: str | None, unit_hint: Unit | None) -> ParsedBenchmarks:
    printed = "" if text is None else str(text)
    s = clean(printed)
    if len(s) > 3000:
        return ParsedBenchmarks(text=printed, needs_review=True, review_reason="cell too long")

    # 1. the whole cell is a placeholder
    reason = placeholder_reason(s)
    if reason is not None:
        return ParsedBenchmarks(text=printed, note=s or None, missing_reason=reason)

    notes: list[str] = []
    body = s

    # 2. 'Note: ...' to the end, and any RAG rule
    if (m := _NOTE.search(body)):
        notes.append(body[m.start("head"):].strip())
        body = body[:m.start("head")]
    # A RAG rule may also sit in the body without 'Note:'
    rag_rule = parse_rag_rule(s)
    tolerance = None
    for n in notes:
        if (tm := _TOLERANCE.search(n)):
            tolerance = float(tm.group("tol").replace(",", ""))
    if rag_rule is not None and (span := rag_rule_span(body)) is not None:
        notes.append(body[span[0]:span[1]].strip(" ()"))
        body = body[:span[0]] + " " + body[span[1]:]

    # 3. '- Source: ...'
    source_period = None
    if (m := _SOURCE.search(body)):
        src = body[m.start("head"):].strip()
        notes.insert(0, src)
        found = find_periods(src)
        source_period = found[-1][1].label if found else None
        body = body[:m.start()]

    # 4. the sentence 'Benchmarking information is not available.' at the start of a longer cell
    first_sentence = re.split(r"(?<=[.!?])\s+", body, maxsplit=1)[0]
    if placeholder_reason(first_sentence) == NOT_AVAILABLE and not re.search(r"\d", first_sentence):
        notes.insert(0, first_sentence)
        body = body[len(first_sentence):]

    # 5. the period: from 'figures'/'data' phrases, else the source's year
    period_label = _period_of(body)
    period_label = period_label or source_period
    # mask every period mention so its digits are not read as values
    periods = find_periods(body)
    masked = body
    for (a, b), _p in periods:
        masked = masked[:a] + " " * (b - a) + masked[b:]
    masked = _PERIOD_PHRASE.sub(lambda m: " " * len(m.group(0)), masked)

    # 6. label, value, label, value ...
    benchmarks: list[Benchmark] = []
    leftovers: list[str] = []
    prev_end = 0
    for vm in _VALUE_TOKEN.finditer(masked):
        label = _trim_label(masked[prev_end:vm.start()])
        prev_end = vm.end()
        value_text = (vm.group("v") or vm.group("p")).strip()
        if not label:
            leftovers.append(value_text)
            continue
        # a period printed right after the value is that value's: 'England 62 (2016/17)'
        own = next((p.label for (a, _b), p in periods if 0 <= a - vm.end() <= 2
                    and not masked[vm.end():a].strip(" (")), None)
        pv = parse_value(value_text, unit_hint)
        for name in _split_names(label):
            comparator = classify_comparator(name)
            if comparator == Comparator.other and not _is_other_label(name):
                leftovers.append(f"{name} {value_text}")
                continue
            if comparator != Comparator.other and (nm := _NAME.search(name)) and nm.start() > 0:
                # 'Bucks is 5% below SN (23%)': words before a known name are not part of it
                leftovers.append(name[:nm.start()].strip())
                name = _trim_label(name[nm.start():])
            benchmarks.append(Benchmark(comparator=comparator, label=name, value=pv.value,
                                        value_text=value_text, period_label=own or period_label))
    tail = _trim_label(masked[prev_end:])
    if tail and _NAME.search(tail) and not benchmarks:
        leftovers.append(tail)
    own_periods = {b.period_label for b in benchmarks}
    if period_label is None and len(own_periods) == 1:
        period_label = own_periods.pop()

    review = None
    if leftovers:
        review = "text not read as a benchmark: " + "; ".join(x[:40] for x in leftovers)
    missing = None
    if not benchmarks and notes and any(placeholder_reason(n) == NOT_AVAILABLE for n in notes):
        missing = NOT_AVAILABLE
    return ParsedBenchmarks(
        text=printed, benchmarks=benchmarks, rag_rule=rag_rule, tolerance=tolerance,
        note=" ".join(notes) or None, period_label=period_label, missing_reason=missing,
        needs_review=review is not None, review_reason=review,
    )
