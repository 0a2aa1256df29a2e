"""Build MeasureRow records for rules' pass / fail examples, citing the seed row they come from."""
from __future__ import annotations

from schemas import MappingStatus, MeasureRow, PeriodValue, Polarity, Provenance, Rag, RagRule, Unit


def seed_row(
    seed: str,
    ref: str,
    label: str,
    *,
    values: list[tuple[str, float | None]],
    target: float | None = None,
    tolerance: float | None = None,
    rag: Rag | None = None,
    printed_polarity: Polarity | None = None,
    polarity: Polarity | None = None,
    rag_rule: RagRule | None = None,
    indicator_id: str | None = None,
    unit: Unit = Unit.percent,
) -> MeasureRow:
    prov = Provenance(document_id=seed, page=1, raw_text=f"{seed} #{ref}")
    suffix = "%" if unit == Unit.percent else ""
    return MeasureRow(
        document_id=seed,
        row_ref=ref,
        row_label=label,
        unit=unit,
        printed_polarity=printed_polarity,
        polarity=polarity or printed_polarity,
        indicator_id=indicator_id,
        mapping_status=MappingStatus.auto if indicator_id else MappingStatus.unmapped,
        values=[
            PeriodValue(period_label=p, value=v, value_text="" if v is None else f"{v:g}{suffix}", provenance=prov)
            for p, v in values
        ],
        target=target,
        target_tolerance=tolerance,
        rag=rag,
        rag_text=rag.value.title() if rag else None,
        rag_rule=rag_rule,
        label_provenance=prov,
        rag_provenance=prov if rag else None,
        target_provenance=prov if target is not None else None,
    )
