"""One parse of a PDF page's objects, shared by every table strategy.

playa (camelot 2.0's PDF parser) reads the page once: characters, text lines, vector rules and images.
camelot's lattice, network and hybrid parsers and our pdfplumber adapter all work from this one parse,
so running several strategies on a page costs little more than running one.

Coordinates: playa's "page" space is PDF points with the page's /Rotate applied, origin bottom-left.
Everything leaving this package is in the displayed frame with the origin top-left (`BBox`): the
frame of `Page.words` and of pdfplumber. When camelot turns a page whose text runs sideways (a
landscape table printed on a portrait page without /Rotate), the layout is re-read in the turned
frame; `PageParse.to_display` maps those points back.
"""
from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Box = tuple[float, float, float, float]  # x0, top, x1, bottom in the displayed frame, origin top-left

# camelot's layout parameters, except that text boxes are not grouped into a reading-order hierarchy
# (boxes_flow=None): no strategy reads those boxes, and grouping them is a quarter of the parse time.
LAYOUT = {"boxes_flow": None}


def _quiet() -> None:
    """pdfminer/playa log a flood of harmless font warnings on real-world PDFs."""
    for name in ("playa", "pdfminer", "camelot"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _invert(m: tuple) -> tuple:
    a, b, c, d, e, f = m
    det = a * d - b * c
    ia, ib, ic, id_ = d / det, -b / det, -c / det, a / det
    return (ia, ib, ic, id_, -(e * ia + f * ic), -(e * ib + f * id_))


def _mult(m: tuple, n: tuple) -> tuple:
    """m then n (PDF row-vector convention)."""
    a1, b1, c1, d1, e1, f1 = m
    a2, b2, c2, d2, e2, f2 = n
    return (a1 * a2 + b1 * c2, a1 * b2 + b1 * d2, c1 * a2 + d1 * c2, c1 * b2 + d1 * d2,
            e1 * a2 + f1 * c2 + e2, e1 * b2 + f1 * d2 + f2)


@dataclass
class PageParse:
    """A page's layout as camelot's parsers want it, plus what our strategies need."""

    number: int  # 1-based
    width: float  # of the frame the layout is in (camelot's `dimensions`)
    height: float
    display_width: float
    display_height: float
    layout: Any
    images: list
    chars: list
    horizontal_text: list
    vertical_text: list
    rotation: str  # camelot's: '' | 'clockwise' | 'anticlockwise' (text turned, page re-read)
    _to_display: tuple | None = None  # matrix from the layout frame to the displayed frame (origin bottom-left)
    cache: dict = field(default_factory=dict)

    @property
    def has_text(self) -> bool:
        return any(t.get_text().strip() for t in self.horizontal_text) or any(
            t.get_text().strip() for t in self.vertical_text)

    def to_display(self, x0: float, y0: float, x1: float, y1: float) -> Box:
        """A box in layout coordinates (origin bottom-left) as x0, top, x1, bottom on the displayed page."""
        if self._to_display is None:
            return (x0, self.display_height - y1, x1, self.display_height - y0)
        a, b, c, d, e, f = self._to_display
        pts = [(a * x + c * y + e, b * x + d * y + f) for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        return (min(xs), self.display_height - max(ys), max(xs), self.display_height - min(ys))


class PdfPages:
    """An open PDF, handing out one `PageParse` per page (cached)."""

    def __init__(self, path: Path | str):
        import playa

        _quiet()
        self.path = str(path)
        self._doc = playa.open(self.path, space="page")
        self._cache: dict[int, PageParse | None] = {}

    def __enter__(self) -> "PdfPages":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        try:
            self._doc.close()
        except Exception:  # noqa: BLE001 - closing must never mask the real error
            pass

    def __len__(self) -> int:
        return len(self._doc.pages)

    def page(self, number: int) -> PageParse | None:
        if number not in self._cache:
            self._cache[number] = self._parse(number)
        return self._cache[number]

    def release(self, number: int) -> None:
        self._cache.pop(number, None)

    def _parse(self, number: int) -> PageParse | None:
        from camelot.utils import get_image_char_and_text_objects, get_page_layout, get_rotation

        if not 1 <= number <= len(self._doc.pages):
            return None
        page = self._doc.pages[number - 1]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            display_ctm = page.ctm
            layout, dims = get_page_layout(page, **LAYOUT)
            display = dims
            images, chars, htext, vtext = get_image_char_and_text_objects(layout)
            rotation = get_rotation(chars, htext, vtext)
            to_display = None
            if rotation:
                # The text runs sideways: re-read the page turned so it reads left to right (as camelot does).
                original = page.rotate
                page.set_initial_ctm(page.space, original + (-90 if rotation == "clockwise" else 90))
                turned_ctm = page.ctm
                layout, dims = get_page_layout(page, **LAYOUT)
                images, chars, htext, vtext = get_image_char_and_text_objects(layout)
                to_display = _mult(_invert(turned_ctm), display_ctm)
                page.set_initial_ctm(page.space, original)  # leave the page as we found it
        return PageParse(number=number, width=dims[0], height=dims[1], display_width=display[0],
                         display_height=display[1], layout=layout, images=images, chars=chars,
                         horizontal_text=htext, vertical_text=vtext, rotation=rotation,
                         _to_display=to_display)
