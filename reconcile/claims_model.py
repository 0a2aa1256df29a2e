"""The Claim record and its enums (re-exported by :mod:`reconcile.claims`)."""
from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from extractors.values import Period
from schemas import Polarity, Unit


class ClaimKind(StrEnum):
    value = "value"
    comparison = "comparison"
    change = "change"
    count = "count"
    threshold = "threshold"
    achievement = "achievement"
    definition = "definition"


class ClaimComparator(StrEnum):
    """What a claim compares with. The first five are ``schemas.Comparator``'s values."""

    england = "england"
    region = "region"
    stat_neighbours = "stat_neighbours"
    cipfa_neighbours = "cipfa_neighbours"
    other = "other"
    target = "target"
    previous_period = "previous_period"  # 'this month' / 'the previous month' / 'month on month'
    same_period_last_year = "same_period_last_year"  # 'last year', 'the same month last year'
    earlier_period = "earlier_period"  # a named earlier period: 'as in 2016', 'from 2015-16'
    average = "average"  # 'the 12-month average'


class Claim(BaseModel):
    """One claim a commentary makes. Spans are character offsets into the commentary string."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ClaimKind
    text: str  # the sentence, markup removed and whitespace folded
    span: tuple[int, int]  # the claim within the commentary
    sentence_span: tuple[int, int]
    sentence_index: int
    subject: str | None = None
    subject_span: tuple[int, int] | None = None
    subject_is_generic: bool = False
    antecedent: int | None = None  # index (in the returned list) of the claim 'This' / 'which' refers to
    cohort: str | None = None  # catalogue.model.Cohort value
    cohorts: list[str] = []
    thresholds: list[str] = []  # '15 working days', '20 miles', '11-25 days'
    threshold_directions: list[str | None] = []  # upper ('within') | lower ('more than') | band | None
    value: float | None = None
    unit: Unit | None = None
    value_text: str | None = None
    value_from_antecedent: bool = False
    value_bound: str | None = None  # upper ('under 300') | lower ('over', 'at least')
    qualifier: str | None = None  # 'just', 'almost', 'typically', 'all', 'only' ...
    period: Period | None = None
    period_text: str | None = None
    period_is_past: bool = False
    past_marker: str | None = None
    modality: str | None = None  # 'future'
    comparator: ClaimComparator | None = None
    comparator_label: str | None = None
    comparator_named: ClaimComparator | None = None  # the group the words name ('statistical neighbours')
    comparator_value: float | None = None
    comparator_value_text: str | None = None
    comparator_value_shared: bool = False  # 'Statistical Neighbours and England (2%)'
    comparator_period: Period | None = None
    comparator_period_text: str | None = None
    relation: str | None = None  # higher | lower | equal | better | worse | above | below | achieved | not_achieved
    negated: bool = False
    performance_language: bool = False
    direction: str | None = None  # increase | decrease | static
    judgement: str | None = None  # improved | worsened
    size_word: str | None = None
    size_class: str | None = None  # small | large (from the size word)
    size_value: float | None = None
    size_is_points: bool | None = None
    run: int | None = None  # 'for the second consecutive month' -> 2
    window: int | None = None  # 'over the last four months' -> 4
    count_subject: str | None = None
    count: int | None = None
    part_of: int | None = None  # index of the count this one is part of ('Of these, 4 are ...')
    polarity_stated: Polarity | None = None  # '(good to be low)'
