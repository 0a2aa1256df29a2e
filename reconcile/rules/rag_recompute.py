"""RAG_MISMATCH: the printed RAG does not follow from the value, target, tolerance and polarity.

Judged under the paper's own rule where it states one (any row's rule applies paper-wide, as councils use
one scheme per scorecard); without a stated rule only Green versus not-Green is judged. The polarity is the
catalogue's where the measure is mapped and has a direction, else the paper's 'Good to be'; a measure with
no known direction is never judged.
"""
from __future__ import annotations

from reconcile.examples import seed_row
from reconcile.rag import bands_for, fmt, possible_rags
from reconcile.registry import Example, Finding, PaperContext, register
from schemas import Evidence, Polarity, Rag, RagRule, Severity

POLARITY_WORDS = {Polarity.higher_better: "higher is better", Polarity.lower_better: "lower is better"}


def _examples() -> list[Example]:
    bucks_rule = RagRule(green_from=86, red_below=77.4, text="86%-100% = Green, less than 86% = Amber, less than 77.4% = Red")
    rule_row = seed_row("000", "12", "% assessments completed in 45 working days", values=[("Q4 Mar 2018", 83)],
                        target=100, tolerance=14, rag=Rag.amber, printed_polarity=Polarity.higher_better, rag_rule=bucks_rule)
    return [
        Example("000 #1 repeat referrals: 36% against 20%, low is good, Red", [
            seed_row("000", "1", "% repeat referrals", values=[("Q4 Mar 2018", 36)], target=20, rag=Rag.red,
                     printed_polarity=Polarity.lower_better), rule_row], 0),
        Example("000 #6 CIN seen: 90% against 100% (5% tolerance), Amber", [
            seed_row("000", "6", "% of Children in Need seen in the last 6 weeks", values=[("Q4 Mar 2018", 90)],
                     target=100, tolerance=5, rag=Rag.amber, printed_polarity=Polarity.higher_better), rule_row], 0),
        Example("000 #13 ICPC: 82% against 100% (18% tolerance), Green on the line", [
            seed_row("000", "13", "% ICPC held within 15 working days", values=[("Q4 Mar 2018", 82)],
                     target=100, tolerance=18, rag=Rag.green, printed_polarity=Polarity.higher_better), rule_row], 0),
        Example("001 #3 repeat referrals: 30% against 28% is Amber under the council's rule, printed RED", [
            seed_row("001", "3", "% repeat referrals within 12 months", values=[("Current position", 30)], target=28,
                     rag=Rag.red, polarity=Polarity.lower_better), rule_row], 1),
        Example("no stated rule: a missed target printed Green", [
            seed_row("x", "1", "% of care leavers in suitable accommodation", values=[("Q4", 70)], target=78,
                     rag=Rag.green, printed_polarity=Polarity.higher_better)], 1),
        Example("contextual measure is never judged", [
            seed_row("x", "1", "Rate of referrals per 10,000", values=[("Q4", 500)], target=400, rag=Rag.green,
                     polarity=Polarity.contextual)], 0),
    ]


@register(
    "RAG_MISMATCH",
    severity=Severity.error,
    title="RAG rating does not follow from the value and target",
    reads=("value", "target", "target_tolerance", "polarity", "rag", "rag_rule"),
    examples=_examples,
)
def check(ctx: PaperContext):
    paper_rule = next((r.rag_rule for r in ctx.rows if r.rag_rule), None)
    for row in ctx.rows:
        latest = row.latest
        polarity = row.polarity or row.printed_polarity
        if row.rag is None or row.target is None or latest is None or latest.value is None or polarity is None:
            continue
        rule = row.rag_rule or paper_rule
        bands = bands_for(row.target, row.target_tolerance, polarity, rule)
        if bands is None:
            continue
        allowed = possible_rags(latest.value, bands)
        if row.rag in allowed:
            continue
        expected = " or ".join(sorted(r.value.title() for r in allowed))
        unit = "%" if row.unit == "percent" else ""
        target_text = f"{fmt(row.target)}{unit}" + (f" ({fmt(row.target_tolerance)}{unit} tolerance)" if row.target_tolerance else "")
        rule_source = "the paper's own rule" if rule else "any rule"
        message = (
            f"The paper rates this measure {row.rag.value.title()}, but {latest.value_text or fmt(latest.value)} "
            f"against a target of {target_text} ({POLARITY_WORDS[polarity]}) gives {expected} under {rule_source}: "
            f"{bands.describe()}{unit}."
        )
        evidence = [
            Evidence(label="printed RAG", text=row.rag_text or row.rag.value, provenance=row.rag_provenance),
            Evidence(label=f"value ({latest.period_label})", text=latest.value_text, provenance=latest.provenance),
            Evidence(label="target", text=row.target_text or target_text, provenance=row.target_provenance),
            Evidence(label="polarity", text=_polarity_source(row, polarity)),
        ]
        if rule:
            owner = next((r for r in ctx.rows if r.rag_rule is rule), row)
            evidence.append(Evidence(label="council's RAG rule", text=rule.text, provenance=owner.benchmark_provenance))
        yield Finding(message=message, evidence=evidence, row=row, period_label=latest.period_label,
                      changes_rag=True)


def _polarity_source(row, polarity: Polarity) -> str:
    if row.polarity and row.indicator_id and row.polarity == polarity:
        source = f"catalogue ({row.indicator_id})"
    else:
        source = "the paper's 'Good to be'"
    return f"{POLARITY_WORDS[polarity]}, from {source}"
