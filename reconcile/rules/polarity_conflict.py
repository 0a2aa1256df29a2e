"""POLARITY_CONFLICT: the paper's 'Good to be' contradicts the catalogue's direction for the indicator.

Only judged where the row is confidently mapped to an indicator with a stated direction; a contextual
indicator (no good direction, e.g. the share of children in residential care) is never judged. The message
says which of the paper's own figures side with the catalogue: a 100% target only makes sense when high is
good, and a printed RAG that only follows under the catalogue's direction.
"""
from __future__ import annotations

from reconcile.examples import seed_row
from reconcile.rag import bands_for, fmt, possible_rags
from reconcile.registry import Example, Finding, PaperContext, register
from schemas import Evidence, MappingStatus, Polarity, Rag, Severity

WORDS = {Polarity.higher_better: "higher is better", Polarity.lower_better: "lower is better"}
PRINTED = {Polarity.higher_better: "High", Polarity.lower_better: "Low"}


def _examples() -> list[Example]:
    adoption = "% of children waiting <14 months between entering care and moving in with their adoptive family"
    return [
        Example("000 #17 adoption within 14 months: 'Good to be Low', catalogue higher is better", [
            seed_row("000", "17", adoption, values=[("Q4 Mar 2018", 56)], target=100, rag=Rag.red,
                     printed_polarity=Polarity.lower_better, polarity=Polarity.higher_better,
                     indicator_id="ADOPT_LT14M")], 1),
        Example("000 #1 repeat referrals: 'Low' agrees with the catalogue", [
            seed_row("000", "1", "% repeat referrals", values=[("Q4 Mar 2018", 36)], target=20, rag=Rag.red,
                     printed_polarity=Polarity.lower_better, polarity=Polarity.lower_better,
                     indicator_id="REREF_12M")], 0),
        Example("000 #16 residential care: 'Low' printed, catalogue has no direction (contextual)", [
            seed_row("000", "16", "% of Children Looked After (CLA) in residential care", values=[("Q4 Mar 2018", 14)],
                     target=10, rag=Rag.red, printed_polarity=Polarity.lower_better, polarity=Polarity.lower_better,
                     indicator_id=None)], 0),
    ]


@register(
    "POLARITY_CONFLICT",
    severity=Severity.error,
    title="'Good to be' contradicts the indicator's direction",
    reads=("printed_polarity", "indicator_id", "target", "rag", "value"),
    examples=_examples,
)
def check(ctx: PaperContext):
    for row in ctx.rows:
        printed = row.printed_polarity
        catalogued = _catalogue_polarity(ctx, row)
        if printed is None or catalogued is None or printed == catalogued:
            continue
        support = _what_the_figures_say(row, printed, catalogued)
        message = (
            f"The paper says this measure is good when {PRINTED[printed].lower()} ('Good to be {PRINTED[printed]}'), "
            f"but the indicator it reports ({row.indicator_id}) is one where {WORDS[catalogued]}."
            + (f" The paper's own figures agree with the catalogue: {support}." if support else "")
        )
        evidence = [
            Evidence(label="printed 'Good to be'", text=PRINTED[printed], provenance=row.label_provenance),
            Evidence(label="catalogue polarity", text=f"{row.indicator_id}: {WORDS[catalogued]}"),
        ]
        if row.target_text:
            evidence.append(Evidence(label="target", text=row.target_text, provenance=row.target_provenance))
        if row.rag_text:
            evidence.append(Evidence(label="printed RAG", text=row.rag_text, provenance=row.rag_provenance))
        yield Finding(message=message, evidence=evidence, row=row, changes_rag=bool(support))


def _catalogue_polarity(ctx: PaperContext, row) -> Polarity | None:
    """The indicator's direction, only for confident mappings and indicators that have one."""
    if not row.indicator_id or row.mapping_status not in (MappingStatus.auto, MappingStatus.reviewed):
        return None
    polarity = ctx.catalogue.get(row.indicator_id).polarity if ctx.catalogue is not None else row.polarity
    return None if polarity in (None, Polarity.contextual) else polarity


def _what_the_figures_say(row, printed: Polarity, catalogued: Polarity) -> str:
    reasons = []
    if row.target is not None and row.unit == "percent":
        if row.target >= 100 and printed == Polarity.lower_better:
            reasons.append(f"a target of {row.target:g}% only makes sense when higher is better")
        if row.target <= 0 and printed == Polarity.higher_better:
            reasons.append(f"a target of {row.target:g}% only makes sense when lower is better")
    latest = row.latest
    if row.rag and row.target is not None and latest is not None and latest.value is not None:
        under_printed = bands_for(row.target, row.target_tolerance, printed, None)
        under_catalogue = bands_for(row.target, row.target_tolerance, catalogued, None)
        if (under_printed and under_catalogue and row.rag not in possible_rags(latest.value, under_printed)
                and row.rag in possible_rags(latest.value, under_catalogue)):
            reasons.append(f"the printed {row.rag.value.title()} at {latest.value_text} against "
                           f"{row.target_text or fmt(row.target) + '%'} follows only if {WORDS[catalogued]}")
    return "; ".join(reasons)
