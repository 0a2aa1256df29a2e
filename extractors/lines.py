"""Group positioned words into printed lines.

Words on one line can have different tops (a glyph in another font, a bold heading), so lines are
formed by vertical overlap, not by equal `top`.
"""
from __future__ import annotations

from dataclasses import dataclass

from schemas import BBox, Word


@dataclass
class Line:
    words: list[Word]

    @property
    def bbox(self) -> BBox:
        return BBox.union([w.bbox for w in self.words])

    @property
    def text(self) -> str:
        return " ".join(w.text for w in sorted(self.words, key=lambda w: w.bbox.x0))


def group_lines(words: list[Word], min_overlap: float = 0.5) -> list[Line]:
    """Lines top to bottom; a word joins a line when it overlaps it by at least half its own height."""
    lines: list[Line] = []
    for word in sorted((w for w in words if w.bbox is not None), key=lambda w: (w.bbox.top, w.bbox.x0)):
        box = word.bbox
        height = max(box.bottom - box.top, 0.1)
        for line in reversed(lines[-3:]):  # only recent lines can overlap: words are sorted by top
            span = line.bbox
            overlap = min(box.bottom, span.bottom) - max(box.top, span.top)
            if overlap >= min_overlap * min(height, span.bottom - span.top):
                line.words.append(word)
                break
        else:
            lines.append(Line([word]))
    return lines
