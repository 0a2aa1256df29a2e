"""The canonical indicator catalogue and the mapping of printed measure names onto it.

    from catalogue import load_catalogue, map_label

    cat = load_catalogue()                      # core.yaml + LAIT (434 measures), validated, cached
    cat.get("REREF_12M").polarity               # Polarity.lower_better
    cat.benchmark("REREF_12M", "england", 2017).value   # 21.9 (LAIT; 2017 = 2016-17)
    map_label("1 % repeat referrals")           # MappingResult(indicator_id='REREF_12M', status=auto, ...)

Modules: `model` (record types), `load` (YAML -> validated Catalogue), `lait` (LAIT import
and merge), `normalise` (name normalisation), `mapping` (scoring, guards, decision),
`build` (regenerates data/lait.yaml and data/benchmarks.csv), `calibrate` (evaluation
on data/eval_names.yaml and threshold sweep).
"""
from .load import Catalogue, CatalogueError, load_catalogue
from .mapping import Decision, MappingResult, map_label, map_labels
from .model import BenchmarkValue, Cohort, Geography, Indicator, PeriodType, SourceCollection, Status, Variant, VariantRelation
from .normalise import NormalisedLabel, normalise

__all__ = [
    "Catalogue", "CatalogueError", "load_catalogue", "Decision", "MappingResult", "map_label", "map_labels",
    "BenchmarkValue", "Cohort", "Geography", "Indicator", "PeriodType", "SourceCollection", "Status", "Variant",
    "VariantRelation", "NormalisedLabel", "normalise",
]
