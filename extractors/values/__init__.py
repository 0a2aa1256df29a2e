"""The values library: pure functions that read printed figures, periods, targets, benchmarks,
RAG ratings and units, and undo OCR damage with a logged repair. Nothing here raises on bad
input; anything uncertain comes back with ``needs_review`` and a reason.

Modules: :mod:`.numbers` (``parse_value``), :mod:`.periods` (``parse_period``,
``find_periods``), :mod:`.targets` (``parse_target``), :mod:`.benchmarks`
(``parse_benchmarks``), :mod:`.rag` (``parse_rag``, ``parse_polarity``, ``parse_rag_rule``),
:mod:`.units` (``detect_unit``), :mod:`.repair` (``repair_value``, ``repair_series``),
:mod:`.placeholders` (``placeholder_reason``) and :mod:`.text` (clean-up).
"""
from .benchmarks import ParsedBenchmarks, classify_comparator, parse_benchmarks
from .numbers import (
    Direction,
    Note,
    ParsedValue,
    Repair,
    RepairKind,
    format_number,
    parse_value,
)
from .periods import Period, PeriodKind, find_periods, parse_period
from .placeholders import placeholder_reason
from .rag import parse_polarity, parse_rag, parse_rag_rule, rag_bands
from .repair import glyph_direction, repair_series, repair_value
from .targets import ParsedTarget, parse_target
from .units import detect_unit

__all__ = [
    "Direction", "Note", "ParsedBenchmarks", "ParsedTarget", "ParsedValue", "Period", "PeriodKind",
    "Repair", "RepairKind", "classify_comparator", "detect_unit", "find_periods", "format_number",
    "glyph_direction", "parse_benchmarks", "parse_period", "parse_polarity", "parse_rag",
    "parse_rag_rule", "parse_target", "parse_value", "placeholder_reason", "rag_bands",
    "repair_series", "repair_value",
]
