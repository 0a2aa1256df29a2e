"""Load and validate the catalogue: ``load_catalogue(paths=None) -> Catalogue`` (cached).

Every record is validated with pydantic on load. Problems are collected and raised
together as one `CatalogueError` naming the file and the record, e.g.::

    core.yaml: record 12 (id=REREF_12M): unit: Input should be 'percent', 'count', ...
    core.yaml: duplicate id CPP_REPEAT (records 17 and 40)
    core.yaml: record 3 (id=CLA_DIST_LE20): variant target NO_SUCH_ID is not in the catalogue

Default sources: ``data/core.yaml`` (curated), ``data/lait.yaml`` (generated from LAIT,
merged into core records that link the same ``lait_code``) and ``data/benchmarks.csv``
(LAIT England and regional values, attached to the indicators by ``lait_code``).
"""
from __future__ import annotations

import csv
from collections import Counter
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Iterator, Sequence

import yaml
from pydantic import ValidationError

from .lait import benchmarks_by_code, merge_into_core
from .model import BenchmarkValue, Geography, Indicator
from .normalise import DIRECTION_WORDS, normalise

DATA = Path(__file__).resolve().parent / "data"
CORE_YAML = DATA / "core.yaml"
LAIT_YAML = DATA / "lait.yaml"
BENCHMARKS_CSV = DATA / "benchmarks.csv"
DEFAULT_PATHS = (CORE_YAML, LAIT_YAML, BENCHMARKS_CSV)

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~10x faster


class CatalogueError(ValueError):
    """The catalogue data is invalid; `problems` lists every problem found."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid catalogue:\n  " + "\n  ".join(problems))


class Catalogue:
    """The validated indicator catalogue."""

    def __init__(
        self, indicators: Sequence[Indicator], sources: dict[str, str] | None = None,
        benchmark_files: Sequence[Path] = (),
    ):
        self._indicators: dict[str, Indicator] = {i.id: i for i in indicators}
        self._by_lait = {i.lait_code: i for i in indicators if i.lait_code}
        self.sources = sources or {}
        # LAIT benchmark values (~35,000 rows) are attached to the indicators on first
        # access, not at load: building that many records would triple the load time.
        self._benchmark_files = list(benchmark_files)
        self._pending: dict[str, list[BenchmarkValue]] | None = None if self._benchmark_files else {}

    def _attach(self, ind: Indicator) -> Indicator:
        if self._pending is None:
            problems: list[str] = []
            pending: dict[str, list[BenchmarkValue]] = {}
            for p in self._benchmark_files:
                for code, values in _read_benchmarks(p, problems).items():
                    pending.setdefault(code, []).extend(values)
            if problems:
                raise CatalogueError(problems)
            self._pending = pending
        if ind.lait_code and ind.lait_code in self._pending:
            ind.benchmarks = [*ind.benchmarks, *self._pending.pop(ind.lait_code)]
        return ind

    # -- collection protocol
    def __iter__(self) -> Iterator[Indicator]:
        return (self._attach(i) for i in self._indicators.values())

    def __len__(self) -> int:
        return len(self._indicators)

    def __contains__(self, indicator_id: object) -> bool:
        return indicator_id in self._indicators

    def get(self, indicator_id: str) -> Indicator:
        try:
            return self._attach(self._indicators[indicator_id])
        except KeyError:
            raise KeyError(f"no indicator {indicator_id!r} in the catalogue") from None

    def by_lait_code(self, lait_code: str) -> Indicator | None:
        ind = self._by_lait.get(lait_code)
        return self._attach(ind) if ind is not None else None

    def peek(self, indicator_id: str) -> Indicator:
        """The record without triggering the benchmark attachment (for the mapper)."""
        return self._indicators[indicator_id]

    @property
    def ids(self) -> list[str]:
        return list(self._indicators)

    # -- lookups
    def search(self, text: str, limit: int = 10) -> list[tuple[Indicator, float]]:
        """Indicators whose names best match `text` (no guards: for browsing, not mapping)."""
        return [(self._indicators[i], s) for i, s in self.matcher.search(text, limit)]

    def benchmark(
        self, indicator_id: str, geography: str | Geography = Geography.england, year: int | None = None,
        *, area_name: str | None = None,
    ) -> BenchmarkValue | None:
        """The benchmark for an indicator, geography and year (the year the period ends).

        `geography` is 'england', 'region' (with `area_name`), 'stat_neighbours', or an
        area name directly ('South East'). With no year, the latest is returned.
        """
        ind = self.get(indicator_id)
        geo_value = geography.value if isinstance(geography, Geography) else str(geography)
        if geo_value.lower() in {g.value for g in Geography}:
            geo, area = Geography(geo_value.lower()), area_name
        else:
            geo, area = Geography.region, geo_value
        if geo is Geography.region and not area:
            raise ValueError("a region benchmark needs area_name (e.g. 'South East')")
        hits = [
            b for b in ind.benchmarks
            if b.geography is geo and (area is None or b.area_name.lower() == area.lower())
            and (year is None or b.year == year)
        ]
        if not hits:
            return None
        return max(hits, key=lambda b: (b.year or 0))

    @cached_property
    def matcher(self):
        """The mapping index over titles and aliases (built on first use, then kept)."""
        from .mapping import Matcher

        return Matcher(self)


# ---------------------------------------------------------------------------


def _read_yaml(path: Path, problems: list[str]) -> list[dict]:
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.load(f, Loader=_Loader)
    except FileNotFoundError:
        problems.append(f"{path.name}: file not found ({path})")
        return []
    except yaml.YAMLError as e:
        problems.append(f"{path.name}: not valid YAML: {e}")
        return []
    records = doc.get("indicators") if isinstance(doc, dict) else doc
    if not isinstance(records, list):
        problems.append(f"{path.name}: expected a list of indicators (or a mapping with key 'indicators')")
        return []
    return records


def _validate(records: list, path: Path, problems: list[str]) -> list[Indicator]:
    out: list[Indicator] = []
    for n, rec in enumerate(records, 1):
        rid = rec.get("id", "?") if isinstance(rec, dict) else "?"
        where = f"{path.name}: record {n} (id={rid})"
        if not isinstance(rec, dict):
            problems.append(f"{where}: expected a mapping, got {type(rec).__name__}")
            continue
        try:
            out.append(Indicator.model_validate(rec))
        except ValidationError as e:
            for err in e.errors():
                loc = ".".join(str(x) for x in err["loc"]) or "(record)"
                problems.append(f"{where}: {loc}: {err['msg']}")
    return out


def _check_thresholds(ind: Indicator, where: str, problems: list[str]) -> None:
    """Declared thresholds / direction words must be what the title says.

    The mapper's guards read numbers and direction words from names; a record whose
    declared thresholds disagree with its own title would be guarded inconsistently.
    """
    parsed = normalise(ind.title).thresholds
    tokens = {t.token for t in parsed}
    if tokens != set(ind.thresholds):
        problems.append(
            f"{where}: thresholds {sorted(ind.thresholds)} do not match the title "
            f"({sorted(tokens)} in {ind.title!r})"
        )
    declared = {DIRECTION_WORDS[w] for w in ind.direction_words}
    stated = {t.direction for t in parsed if t.direction}
    if stated != declared:
        problems.append(
            f"{where}: direction_words {ind.direction_words} do not match the title {ind.title!r}"
        )


_BENCH_HEADER = ["lait_code", "geography", "area_name", "period_label", "year", "value"]


def _check_benchmark_header(path: Path, problems: list[str]) -> None:
    try:
        with open(path, newline="", encoding="utf-8") as f:
            header = next(csv.reader(f), None)
    except FileNotFoundError:
        problems.append(f"{path.name}: file not found ({path})")
        return
    if header != _BENCH_HEADER:
        problems.append(f"{path.name}: unexpected header {header}, expected {_BENCH_HEADER}")


def _read_benchmarks(path: Path, problems: list[str]):
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header != _BENCH_HEADER:
                problems.append(f"{path.name}: unexpected header {header}")
                return {}
            return benchmarks_by_code(reader)
    except FileNotFoundError:
        problems.append(f"{path.name}: file not found ({path})")
    except (ValueError, KeyError) as e:
        problems.append(f"{path.name}: bad row: {e}")
    return {}


def build_catalogue(paths: Sequence[Path | str] | None = None) -> Catalogue:
    """Read, validate and merge the sources (uncached; see `load_catalogue`).

    The first YAML file is the curated core; any further YAML files are LAIT-style
    records merged into it by ``lait_code``; a ``.csv`` file is the benchmarks table.
    """
    paths = [Path(p) for p in (paths or DEFAULT_PATHS)]
    problems: list[str] = []
    yamls = [p for p in paths if p.suffix in {".yaml", ".yml"}]
    csvs = [p for p in paths if p.suffix == ".csv"]
    if not yamls:
        raise CatalogueError(["no YAML catalogue file given"])

    core_path, extra_paths = yamls[0], yamls[1:]
    core = _validate(_read_yaml(core_path, problems), core_path, problems)
    extra: list[Indicator] = []
    for p in extra_paths:
        extra.extend(_validate(_read_yaml(p, problems), p, problems))

    # duplicate ids and lait codes inside each source
    for label, inds in [(core_path.name, core)] + [(p.name, extra) for p in extra_paths[:1]]:
        for key, what in ((lambda i: i.id, "id"), (lambda i: i.lait_code, "lait_code")):
            counts = Counter(key(i) for i in inds if key(i))
            for value, n in counts.items():
                if n > 1:
                    problems.append(f"{label}: duplicate {what} {value!r} ({n} records)")
    for n, ind in enumerate(core, 1):
        _check_thresholds(ind, f"{core_path.name}: record {n} (id={ind.id})", problems)

    if extra:
        extra_codes = {i.lait_code for i in extra}
        for n, ind in enumerate(core, 1):
            if ind.lait_code and ind.lait_code not in extra_codes:
                problems.append(
                    f"{core_path.name}: record {n} (id={ind.id}): lait_code {ind.lait_code!r} is not a LAIT measure"
                )
    indicators = merge_into_core(core, extra) if extra else core
    for p in csvs:
        _check_benchmark_header(p, problems)
    ids = Counter(i.id for i in indicators)
    for value, n in ids.items():
        if n > 1:
            problems.append(f"duplicate id {value!r} across {', '.join(p.name for p in yamls)}")
    known = set(ids)
    for n, ind in enumerate(core, 1):
        for v in ind.variants:
            if v.indicator_id not in known:
                problems.append(
                    f"{core_path.name}: record {n} (id={ind.id}): variant target {v.indicator_id} is not in the catalogue"
                )
            if v.indicator_id == ind.id:
                problems.append(f"{core_path.name}: record {n} (id={ind.id}): variant points at itself")
    _check_alias_collisions(core, core_path.name, problems)
    if problems:
        raise CatalogueError(problems)
    return Catalogue(indicators, sources={p.name: str(p) for p in paths}, benchmark_files=csvs)


def _check_alias_collisions(core: list[Indicator], label: str, problems: list[str]) -> None:
    """Two curated indicators must not share a name: the mapper could not tell them apart."""
    owner: dict[str, str] = {}
    for ind in core:
        for name in [ind.title, *ind.aliases]:
            key = normalise(name).key
            unit = normalise(name).unit
            k = f"{key}|{unit}"
            if k in owner and owner[k] != ind.id:
                problems.append(f"{label}: name {name!r} of {ind.id} is also a name of {owner[k]}")
            owner.setdefault(k, ind.id)


@lru_cache(maxsize=8)
def _load_cached(paths: tuple[str, ...]) -> Catalogue:
    return build_catalogue([Path(p) for p in paths])


def load_catalogue(paths: Sequence[Path | str] | None = None) -> Catalogue:
    """The catalogue from `paths` (default: core.yaml + lait.yaml + benchmarks.csv), cached."""
    key = tuple(str(Path(p).resolve()) for p in (paths or DEFAULT_PATHS))
    return _load_cached(key)
