"""What RAG rating a value earns against its target, under a council's rule.

Buckinghamshire states its rule in a benchmark cell (seed 000 #12): "86%-100% = Green, less than 86% = Amber,
less than 77.4% = Red" for a 100% target with 14% tolerance. So Green starts at the target less the tolerance
(the green line), and Red starts 10% (relative) beyond it (77.4 = 0.9 x 86). Papers that state no rule only
let us say Green versus not-Green; the Amber/Red split is then left alone.
"""
from __future__ import annotations

from dataclasses import dataclass

from schemas import Polarity, Rag, RagRule


@dataclass(frozen=True)
class RagBands:
    """Thresholds in the measure's own unit; `red_line` is None when the paper states no rule."""

    polarity: Polarity
    green_line: float
    red_line: float | None

    def describe(self) -> str:
        better = "at or above" if self.polarity == Polarity.higher_better else "at or below"
        worse = "below" if self.polarity == Polarity.higher_better else "above"
        text = f"Green {better} {fmt(self.green_line)}"
        if self.red_line is not None:
            text += f", Red {worse} {fmt(self.red_line)}, Amber in between"
        else:
            text += ", otherwise Amber or Red"
        return text


def relative_band(rule: RagRule) -> float:
    """The Amber band as a share of the green line: 1 - 77.4 / 86 = 0.1."""
    return 1 - rule.red_below / rule.green_from


def bands_for(
    target: float, tolerance: float | None, polarity: Polarity, rule: RagRule | None
) -> RagBands | None:
    if polarity == Polarity.contextual:
        return None  # no good direction: a RAG cannot be recomputed
    tolerance = tolerance or 0.0
    if polarity == Polarity.higher_better:
        green_line = target - tolerance
        red_line = green_line * (1 - relative_band(rule)) if rule else None
    else:
        green_line = target + tolerance
        red_line = green_line * (1 + relative_band(rule)) if rule else None
    return RagBands(polarity, green_line, red_line)


def possible_rags(value: float, bands: RagBands) -> set[Rag]:
    """Ratings consistent with the value: one with a stated rule, else Green alone or {Amber, Red}."""
    higher = bands.polarity == Polarity.higher_better
    meets = value >= bands.green_line if higher else value <= bands.green_line
    if meets:
        return {Rag.green}
    if bands.red_line is None:
        return {Rag.amber, Rag.red}
    red = value < bands.red_line if higher else value > bands.red_line
    return {Rag.red} if red else {Rag.amber}


def fmt(number: float) -> str:
    """Print a threshold as a person would: 30.8, 95, 77.4."""
    rounded = round(number, 2)
    return f"{rounded:g}"
