"""The DfE LAIT data dictionary and values file, turned into catalogue records.

LAIT (``shared/reference/lait/``, see its README) gives 448 dictionary rows for 434
measures: 14 measures sit under two topics, so rows are de-duplicated on
``Measure_short`` and both topics kept. Each measure becomes an `Indicator` with id
``LAIT_<slug of Measure_short>``; when a core indicator (core.yaml) already links that
``lait_code``, the LAIT record is *merged into the core one* (code, definition, topics,
table, dps) and no duplicate is created (`merge_into_core`).

Reading the raw files needs pyarrow (for the parquet); that happens only in
`catalogue.build`, which writes ``data/lait.yaml`` and ``data/benchmarks.csv`` so that
loading the catalogue at run time needs neither pandas nor pyarrow.
"""
from __future__ import annotations

import csv
import re
from collections import OrderedDict
from pathlib import Path
from typing import Iterable, Sequence

from pydantic import TypeAdapter

from schemas import Polarity, Unit

from .model import BenchmarkValue, Cohort, Geography, Indicator, PeriodType, SourceCollection, Status
from .normalise import BAND, LOWER, UPPER, cohorts_of, normalise

# England plus the nine English regions. LAIT also has London (Inner) / London (Outer);
# they are left out to keep the benchmark table bounded (England + 9 regions).
ENGLAND = "England"
REGIONS = (
    "North East", "North West", "Yorkshire and the Humber", "East Midlands", "West Midlands",
    "East of England", "London", "South East", "South West",
)
BENCHMARK_SOURCE = "DfE LAIT bds_long_0.parquet"

POLARITY = {"High": Polarity.higher_better, "Low": Polarity.lower_better}

PERIOD_TYPE = {
    "Academic Year": PeriodType.academic_year,
    "Financial Year": PeriodType.financial_year,
    "Calendar Year": PeriodType.calendar_year,
    # LAIT's "Annual" measures are all positions at 31 March (CIN, CPP and CLA rates and counts).
    "Annual": PeriodType.snapshot_31_march,
    "Annual (end of Sept)": PeriodType.other,  # CSWW census at 30 September
    "Annual - January": PeriodType.other,  # school census in January
}

SOURCE_BY_TOPIC = {
    "Children Looked After": SourceCollection.SSDA903,
    "Adoption": SourceCollection.SSDA903,
    "Children in Need": SourceCollection.CIN,
    "Child Protection": SourceCollection.CIN,
    "Children's Services Workforce": SourceCollection.CSWW,
    "Key Stage 1 and Phonics": SourceCollection.KS,
    "Key Stage 2": SourceCollection.KS,
    "Key Stage 4": SourceCollection.KS,
    "Key Stage 5": SourceCollection.KS,
    "Foundation Stage": SourceCollection.KS,
    "All Pupil Absence & Exclusions": SourceCollection.ABSENCE,
    "Children with SEN": SourceCollection.SEN,
    "Early Years": SourceCollection.EARLY_YEARS,
    "Attainment by age 19": SourceCollection.POST16,
    "Further & Higher Education": SourceCollection.POST16,
    "Health and Wellbeing": SourceCollection.HEALTH,
    "Children's Service Finance": SourceCollection.FINANCE,
    "Youth Offending": SourceCollection.YOUTH_JUSTICE,
    "Economic Factors": SourceCollection.CONTEXTUAL,
    "Contextual\\Other": SourceCollection.CONTEXTUAL,
}
_EDUCATION_TOPICS = {
    "Key Stage 1 and Phonics", "Key Stage 2", "Key Stage 4", "Key Stage 5", "Foundation Stage",
    "All Pupil Absence & Exclusions", "Children with SEN", "Attainment by age 19",
    "Further & Higher Education", "Early Years",
}
_DIRECTION_WORD = {UPPER: "within", LOWER: "more than", BAND: "between"}


def slug(measure_short: str) -> str:
    """LAIT Measure_short -> id suffix: upper snake case, with %, & and + spelled out.

    "%" must survive ("Unacc_Asylmn_Seek_Childn" and "Unacc_Asylmn_Seek_Childn%" are
    different measures), so it becomes PCT.
    """
    s = measure_short.replace("%", "_PCT_").replace("&", "_AND_").replace("+", "_PLUS_")
    s = re.sub(r"[^A-Za-z0-9]+", "_", s).strip("_").upper()
    return s


def lait_id(measure_short: str) -> str:
    return "LAIT_" + slug(measure_short)


def unit_of(y_axis: str) -> tuple[Unit, str | None]:
    """LAIT y_axis_name -> (unit, scale)."""
    y = (y_axis or "").strip().lower()
    if "per 10,000" in y:
        return Unit.rate_per_10000, "per 10,000"
    if "per 100,000" in y:
        return Unit.other, "per 100,000"
    if "per 1000" in y or "per 1,000" in y:
        return Unit.other, "per 1,000"
    if "%" in y or y in {"turnover rate", "absence rate"}:
        return Unit.percent, "0-100"
    if y == "case load":
        return Unit.ratio, None
    if "score" in y or y == "average":
        return Unit.score, None
    if y.startswith("number") or y in {"total cases", "social workers", "starters fte", "leavers fte"}:
        return Unit.count, None
    return Unit.other, None  # Spend, Unit Cost, Entries


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = re.sub(r"\s+", " ", text).strip()
    return text or None


_TABLE_PREFIX = re.compile(r"^(?:Leaving Care|Placement)\s+\d(?:\s*&\s*\d)?\s*-\s*", re.I)


def _strip_table_prefix(title: str | None) -> str | None:
    """Drop LAIT's old table labels ("Leaving Care 3 - ", "Placement 1 - "): they name a
    source table, not the measure, and "Leaving Care" would read as children leaving care."""
    return _TABLE_PREFIX.sub("", title) if title else title


def _cohort(topic: str, text: str) -> Cohort:
    tags = cohorts_of(normalise(text).text)
    if "care_leavers" in tags:
        return Cohort.care_leavers
    if topic in _EDUCATION_TOPICS:
        return Cohort.education
    if "cla" in tags or topic == "Children Looked After":
        return Cohort.cla
    if "cp" in tags:
        return Cohort.cp
    if "cin" in tags or topic == "Children in Need":
        return Cohort.cin
    if topic == "Child Protection":
        return Cohort.referrals if "referral" in text.lower() else Cohort.cp
    if topic == "Adoption":
        return Cohort.adoption
    if topic == "Children's Services Workforce":
        return Cohort.workforce
    return Cohort.other


def _discontinued(row: dict[str, str]) -> bool:
    status = (row.get("Table_status") or "").lower()
    nxt = (row.get("Next Update") or "").lower()
    return "discontinued" in status or "discontinued" in nxt or "no longer published" in nxt


def read_dictionary_rows(path: Path) -> list[dict[str, str]]:
    """All rows of lait_data_dictionary.csv (448), as dicts of stripped strings."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        return [{k.strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


def indicators_from_dictionary(rows: Iterable[dict[str, str]]) -> list[Indicator]:
    """One Indicator per distinct Measure_short (434), every topic kept."""
    grouped: OrderedDict[str, list[dict[str, str]]] = OrderedDict()
    for row in rows:
        grouped.setdefault(row["Measure_short"], []).append(row)
    out: list[Indicator] = []
    for code, group in grouped.items():
        first = group[0]
        topics = list(dict.fromkeys(r["Topic"] for r in group if r["Topic"]))
        titles = [t for t in dict.fromkeys(_strip_table_prefix(_clean(r["Measure"])) for r in group) if t]
        charts = [t for t in dict.fromkeys(_clean(r["Chart_title"]) for r in group) if t]
        title = titles[0] if titles else code
        aliases = [t for t in titles[1:] + charts if t.lower() != title.lower()]
        short = min([title] + charts, key=len)
        unit, scale = unit_of(first["y_axis_name"])
        # Thresholds and direction words as the mapper's normaliser reads the titles.
        seen: dict[str, str | None] = {}
        for text in [title, *charts]:
            for t in normalise(text).thresholds:
                seen.setdefault(t.token, t.direction)
                if seen[t.token] is None:
                    seen[t.token] = t.direction
        directions = list(dict.fromkeys(_DIRECTION_WORD[d] for d in seen.values() if d))
        out.append(Indicator(
            id=lait_id(code),
            title=title,
            short_title=short if short != title else None,
            definition=_clean(first["Description"]),
            unit=unit,
            scale=scale,
            dps=int(first["dps"]) if first["dps"].isdigit() else None,
            polarity=POLARITY.get(first["Polarity"], Polarity.contextual),
            lait_polarity=POLARITY.get(first["Polarity"], Polarity.contextual),
            period_type=PERIOD_TYPE.get(first["Year_Type"], PeriodType.other),
            source_collection=SOURCE_BY_TOPIC.get(topics[0], SourceCollection.CONTEXTUAL),
            source_table=first["Table_status"] or None,
            lait_code=code,
            lait_measure_code=first["Measure_code"] or None,
            topics=topics,
            status=Status.discontinued if any(_discontinued(r) for r in group) else Status.live,
            cohort=_cohort(topics[0], " ".join([title, *charts])),
            thresholds=list(seen),
            direction_words=directions,
            aliases=aliases,
        ))
    return out


def merge_into_core(core: list[Indicator], lait: list[Indicator]) -> list[Indicator]:
    """Core records absorb the LAIT record they link; other LAIT records are appended.

    The core record keeps its own id, title, definition, unit and polarity (the
    catalogue's judgement); it gains the LAIT code, measure code, LAIT polarity and
    definition, topics, source table, dps, LAIT titles as aliases and LAIT benchmarks.
    """
    by_code = {ind.lait_code: ind for ind in lait if ind.lait_code}
    claimed: set[str] = set()
    merged: list[Indicator] = []
    for ind in core:
        src = by_code.get(ind.lait_code) if ind.lait_code else None
        if src is None:
            merged.append(ind)
            continue
        claimed.add(src.lait_code)
        update = {
            "lait_measure_code": ind.lait_measure_code or src.lait_measure_code,
            "lait_polarity": src.lait_polarity,
            "lait_definition": src.definition,
            "topics": list(dict.fromkeys([*ind.topics, *src.topics])),
            # LAIT's Table_status names the EES file, more precise than a table code.
            "source_table": src.source_table or ind.source_table,
            "dps": ind.dps if ind.dps is not None else src.dps,
            "aliases": list(dict.fromkeys([*ind.aliases, src.title, *src.aliases])),
            "benchmarks": [*ind.benchmarks, *src.benchmarks],
            "status": Status.discontinued if Status.discontinued in (ind.status, src.status) else Status.live,
        }
        merged.append(ind.model_copy(update=update))
    merged.extend(ind for ind in lait if ind.lait_code not in claimed)
    return merged


# ---------------------------------------------------------------------------
# Benchmarks (values file)

_YEAR_4 = re.compile(r"(?:19|20)\d{2}")


def year_of(label: str) -> int | None:
    """The calendar year in which a LAIT period label ends.

    "2017" -> 2017 (LAIT labels a financial year by its end: 2017 = 2016-17);
    "2016-17", "2016/17", "2016-17 (OT)" -> 2017; "2014-16" -> 2016;
    "2013/14-15/16" -> 2016; "2018 (Rev)" -> 2018; "0" -> None.
    """
    s = re.sub(r"\(.*?\)", "", label or "").strip()
    m = re.fullmatch(r"((?:19|20)\d{2})", s)
    if m:
        return int(m.group(1))
    m = re.fullmatch(r"((?:19|20)\d{2})\s*[-/]\s*(\d{2})", s)  # 2016-17, 2016/17, 2014-16
    if m:
        return int(m.group(1)[:2] + m.group(2))
    m = re.fullmatch(r"(?:19|20)\d{2}/\d{2}\s*-\s*(\d{2})/(\d{2})", s)  # 2013/14-15/16
    if m:
        return 2000 + int(m.group(2))
    years = _YEAR_4.findall(s)
    return int(years[-1]) if years else None


def parse_value(text: str | None) -> float | None:
    """LAIT values are text: '-' means no data; strip float noise (76.900000000000006)."""
    if text is None:
        return None
    t = text.strip()
    if t in {"", "-", "x", "c", "z", ":", "..", "NA"}:
        return None
    try:
        return float(f"{float(t):.10g}")
    except ValueError:
        return None


def read_benchmark_rows(parquet: Path) -> list[tuple[str, str, str, str, int | None, float]]:
    """(lait_code, geography, area_name, period_label, year, value) for England and the regions."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(parquet, columns=["Short Desc", "Years", "LA and Regions", "Values"])
    areas = {ENGLAND, *REGIONS}
    table = table.filter(pc.is_in(table["LA and Regions"], value_set=pa.array(sorted(areas))))
    rows = []
    for code, label, area, raw in zip(
        table["Short Desc"].to_pylist(), table["Years"].to_pylist(),
        table["LA and Regions"].to_pylist(), table["Values"].to_pylist(),
    ):
        value = parse_value(raw)
        if value is None:
            continue
        geography = Geography.england.value if area == ENGLAND else Geography.region.value
        rows.append((code, geography, area, label, year_of(label), value))
    rows.sort(key=lambda r: (r[0], r[1] != "england", r[2], r[4] or 0, r[3]))
    return rows


def benchmarks_by_code(rows: Iterable[Sequence[str]]) -> dict[str, list[BenchmarkValue]]:
    """Rows of benchmarks.csv -> validated BenchmarkValue lists keyed by lait_code.

    Validated in one pydantic-core call over the whole list (much faster than one
    model_validate per row).
    """
    codes: list[str] = []
    dicts: list[dict] = []
    for code, geography, area, label, year, value in rows:
        codes.append(code)
        dicts.append({
            "geography": geography, "area_name": area, "period_label": label,
            "year": year or None, "value": value, "source": BENCHMARK_SOURCE,
        })
    out: dict[str, list[BenchmarkValue]] = {}
    for code, b in zip(codes, _BENCHMARK_LIST.validate_python(dicts)):
        out.setdefault(code, []).append(b)
    return out


_BENCHMARK_LIST = TypeAdapter(list[BenchmarkValue])
