"""The catalogue's record types: one `Indicator` per canonical measure (pydantic v2).

The catalogue is kept as data (``catalogue/data/*.yaml``) and every record is validated
against these models when it is loaded, so a typo in an enum, an unknown field or a
malformed id fails loudly instead of silently producing a half-filled record.

Design notes (why the fields look like this):

* A count, a percentage and a rate per 10,000 of the same concept are *separate*
  indicators (seed 003 prints all three side by side), linked through `variants`.
* `polarity` is never guessed: `contextual` wherever no source states a direction
  (LAIT's ``-`` or empty, or a local measure with no agreed direction).
* `thresholds` / `direction_words` are the normalised numbers and words that the
  mapper's hard guards compare ("20 miles" + "within" vs "more than"): see
  `catalogue.normalise`.
"""
from __future__ import annotations

import re
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from schemas import Polarity, Unit

ID_PATTERN = r"^[A-Z][A-Z0-9_]*$"
_THRESHOLD_RE = re.compile(
    r"^\d+(?:\.\d+)?(?:-\d+(?:\.\d+)?)? "
    r"(?:working days?|days?|weeks?|months?|years?|miles?|hours?|placements?)$"
)


class PeriodType(StrEnum):
    financial_year = "financial_year"
    academic_year = "academic_year"
    snapshot_31_march = "snapshot_31_march"
    snapshot_period_end = "snapshot_period_end"
    rolling_12_months = "rolling_12_months"
    three_year_average = "three_year_average"
    monthly = "monthly"
    quarterly = "quarterly"
    calendar_year = "calendar_year"
    other = "other"


class SourceCollection(StrEnum):
    """Where the national figure comes from; LOCAL = a council's own measure."""

    CIN = "CIN"  # children in need census
    SSDA903 = "SSDA903"  # children looked after return
    CSWW = "CSWW"  # children's social work workforce census
    AS = "AS"  # adoption scorecard
    KS = "KS"  # key stage / foundation stage attainment
    EXCLUSIONS = "EXCLUSIONS"
    ABSENCE = "ABSENCE"
    OFSTED = "OFSTED"
    SEN = "SEN"
    EARLY_YEARS = "EARLY_YEARS"
    POST16 = "POST16"
    HEALTH = "HEALTH"
    FINANCE = "FINANCE"
    YOUTH_JUSTICE = "YOUTH_JUSTICE"
    CONTEXTUAL = "CONTEXTUAL"
    LOCAL = "LOCAL"


class Status(StrEnum):
    live = "live"
    discontinued = "discontinued"


class Cohort(StrEnum):
    cin = "cin"
    cp = "cp"
    cla = "cla"
    care_leavers = "care_leavers"
    referrals = "referrals"
    assessments = "assessments"
    workforce = "workforce"
    education = "education"
    adoption = "adoption"
    early_help = "early_help"
    other = "other"


class VariantRelation(StrEnum):
    inverse = "inverse"  # within 20 miles <-> more than 20 miles (never derive one from the other)
    different_threshold = "different_threshold"  # CP visits 4 weeks / 15 working days / 10 days
    different_cohort = "different_cohort"  # > 20 miles excluding UASC etc.
    different_anchor = "different_anchor"  # ICPC from strategy discussion vs start of S47
    count = "count"  # the target is the count version of this concept
    percent = "percent"  # the target is the percentage version
    rate = "rate"  # the target is the rate per 10,000 version


class Geography(StrEnum):
    england = "england"
    region = "region"
    stat_neighbours = "stat_neighbours"


class CatalogueModel(BaseModel):
    """Strict base: unknown keys in the YAML are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=True)


class Variant(CatalogueModel):
    indicator_id: str = Field(pattern=ID_PATTERN)
    relation: VariantRelation


class BenchmarkValue(CatalogueModel):
    geography: Geography
    area_name: str = Field(description="'England', a region name, or the comparator group as printed")
    period_label: str = Field(description="the source's own label, e.g. '2016-17 (OT)'")
    year: int | None = Field(default=None, description="calendar year in which the period ends")
    value: float
    source: str


class Indicator(CatalogueModel):
    id: str = Field(pattern=ID_PATTERN, description="stable slug, upper snake case")
    title: str = Field(min_length=3)
    short_title: str | None = None
    definition: str | None = Field(default=None, description="numerator / denominator in words")
    unit: Unit
    scale: Literal["0-100", "0-1", "per 10,000", "per 100,000", "per 1,000"] | None = None
    dps: int | None = Field(default=None, ge=0, le=4)
    polarity: Polarity = Polarity.contextual
    period_type: PeriodType = PeriodType.other
    source_collection: SourceCollection
    source_table: str | None = Field(default=None, description="EES file or return table, e.g. LAIT Table_status")
    lait_code: str | None = Field(default=None, description="LAIT Measure_short")
    lait_measure_code: str | None = Field(default=None, description="LAIT Measure_code (not unique)")
    lait_polarity: Polarity | None = Field(default=None, description="LAIT's own polarity, kept to flag disagreements")
    lait_definition: str | None = Field(default=None, description="LAIT Description, verbatim")
    topics: list[str] = Field(default_factory=list, description="LAIT topics (some measures sit under two)")
    lgi_metric_id: int | None = None
    legacy_codes: list[str] = Field(default_factory=list, description="e.g. 'NI 65'")
    status: Status = Status.live
    cohort: Cohort = Cohort.other
    thresholds: list[str] = Field(default_factory=list)
    direction_words: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    variants: list[Variant] = Field(default_factory=list)
    benchmarks: list[BenchmarkValue] = Field(default_factory=list)
    notes: str | None = None

    @field_validator("thresholds")
    @classmethod
    def _threshold_tokens(cls, v: list[str]) -> list[str]:
        for t in v:
            if not _THRESHOLD_RE.match(t):
                raise ValueError(
                    f"threshold {t!r} is not a normalised token like '20 miles', '45 working days', '11-25 days'"
                )
        return v

    @field_validator("direction_words")
    @classmethod
    def _direction_words(cls, v: list[str]) -> list[str]:
        # Imported lazily: normalise imports nothing from here, but keep the module graph simple.
        from .normalise import DIRECTION_WORDS

        for w in v:
            if w not in DIRECTION_WORDS:
                raise ValueError(f"direction word {w!r} not one of {sorted(DIRECTION_WORDS)}")
        return v

    @field_validator("unit", mode="before")
    @classmethod
    def _unit_alias(cls, v):
        # YAML authors write the short forms used in catalogue.md.
        return {"pct": "percent", "rate_per_10k": "rate_per_10000"}.get(v, v)
