"""Evidence crops: the part of a PDF page around a value (or a commentary sentence), highlighted.

Boxes are in PDF points with the origin at the top left (pdfplumber's convention, as extraction stores
them). A page is rendered with pypdfium2 at `SCALE` (2 = 144 dpi), cropped to the boxes plus a margin, and
each box is drawn over: a translucent fill and an outline. Text papers (OCR text) have line spans instead of
boxes; they are shown as the lines around the span, marked (see `text_excerpt`).

pdfium is not thread-safe, so every call into it holds one lock; finished PNGs are cached in memory.
"""
from __future__ import annotations

import hashlib
import io
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from schemas import BBox, Discrepancy, MeasureRow, Provenance

SCALE = 2.0
# Points of context around the boxes (left/right, above, below); commentary gets more below, where the
# sentence goes on.
MARGINS = {"value": (36.0, 18.0, 30.0), "commentary": (24.0, 12.0, 54.0)}
MAX_WIDTH = 620.0  # points: a crop never gets wider than a portrait page's text block...
MAX_HEIGHT = 260.0  # ...or taller than this; the boxes' centre stays in view

# name -> (fill RGBA, outline RGB)
STYLES = {
    "value": ((255, 214, 0, 90), (214, 120, 0)),
    "evidence": ((255, 214, 0, 60), (190, 140, 0)),
    "label": ((70, 130, 255, 40), (40, 90, 220)),
    "commentary": ((120, 220, 120, 70), (20, 140, 40)),
}

_LOCK = threading.Lock()


@dataclass(frozen=True)
class Highlight:
    bbox: BBox
    style: str
    label: str = ""


@dataclass(frozen=True)
class CropSpec:
    """One picture on the item page: a page region and the boxes to highlight on it."""

    kind: str  # value | commentary
    title: str
    page: int
    highlights: tuple[Highlight, ...]
    lines: tuple[int, int] | None = None  # text papers: the line span instead of boxes
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def boxes(self) -> list[BBox]:
        return [h.bbox for h in self.highlights]


def crop_specs(flag: Discrepancy, row: MeasureRow | None) -> list[CropSpec]:
    """The crops an item view shows, in order: the flagged figures (one crop per page they are on, with the
    row's label for context) and the row's commentary. Deterministic, so /crop/N names the same crop."""
    specs: list[CropSpec] = []
    by_page: dict[int, list[Highlight]] = {}
    text_spans: dict[int, list[tuple[int, int]]] = {}
    for ev in flag.evidence:
        prov = ev.provenance
        if prov is None:
            continue
        style = "value" if ev.label.lower().startswith(("value", "printed")) else "evidence"
        if prov.bbox is not None:
            by_page.setdefault(prov.page, []).append(Highlight(prov.bbox, style, ev.label))
        elif prov.lines is not None:
            text_spans.setdefault(prov.page, []).append((prov.lines.start, prov.lines.end))
    if row is not None:
        label = row.label_provenance
        if label.bbox is not None and label.page in by_page:
            by_page[label.page].insert(0, Highlight(label.bbox, "label", "measure"))
        elif label.lines is not None and label.page in text_spans:
            text_spans[label.page].append((label.lines.start, label.lines.end))
    if not by_page and not text_spans and row is not None:
        # A flag without located evidence: show the row itself (its label and latest value).
        _add_row(row, by_page, text_spans)
    for page in sorted(by_page):
        specs.append(CropSpec("value", f"The flagged figures, page {page}", page, tuple(by_page[page])))
    for page in sorted(text_spans):
        spans = text_spans[page]
        span = (min(s for s, _ in spans), max(e for _, e in spans))
        specs.append(CropSpec("value", f"The flagged figures, page {page} (text lines {span[0]}–{span[1]})",
                              page, (), lines=span))
    com = row.commentary_provenance if row is not None else None
    if com is not None:
        if com.bbox is not None:
            specs.append(CropSpec("commentary", f"The commentary, page {com.page}", com.page,
                                  (Highlight(com.bbox, "commentary", "commentary"),)))
        elif com.lines is not None:
            specs.append(CropSpec("commentary", f"The commentary, page {com.page} (text lines "
                                  f"{com.lines.start}–{com.lines.end})", com.page, (),
                                  lines=(com.lines.start, com.lines.end)))
    return specs


def _add_row(row: MeasureRow, by_page: dict, text_spans: dict) -> None:
    provs: list[tuple[Provenance, str]] = [(row.label_provenance, "label")]
    if row.latest is not None:
        provs.append((row.latest.provenance, "value"))
    for prov, style in provs:
        if prov.bbox is not None:
            by_page.setdefault(prov.page, []).append(Highlight(prov.bbox, style, style))
        elif prov.lines is not None:
            text_spans.setdefault(prov.page, []).append((prov.lines.start, prov.lines.end))


def region(boxes: list[BBox], page_width: float, page_height: float, kind: str = "value") -> BBox:
    """The page region to show: the boxes' union plus margins, clipped to the page and to MAX_WIDTH/HEIGHT
    around the union's centre."""
    u = BBox.union(boxes)
    if u is None:
        return BBox(x0=0, top=0, x1=page_width, bottom=min(page_height, MAX_HEIGHT))
    mx, above, below = MARGINS.get(kind, MARGINS["value"])
    x0, x1 = u.x0 - mx, u.x1 + mx
    top, bottom = u.top - above, u.bottom + below
    if x1 - x0 > MAX_WIDTH:
        mid = (u.x0 + u.x1) / 2
        x0, x1 = mid - MAX_WIDTH / 2, mid + MAX_WIDTH / 2
    if bottom - top > MAX_HEIGHT:
        mid = (u.top + u.bottom) / 2
        top, bottom = mid - MAX_HEIGHT / 2, mid + MAX_HEIGHT / 2
    return BBox(x0=max(0.0, x0), top=max(0.0, top), x1=min(page_width, x1), bottom=min(page_height, bottom))


class CropRenderer:
    """Renders crops of the papers' pages, and finds each paper's file (verified by its sha256)."""

    def __init__(self, cache_size: int = 256):
        self._cache: OrderedDict[tuple, bytes] = OrderedDict()
        self._cache_size = cache_size
        self._verified: dict[tuple[str, int, float], str] = {}

    def verified_path(self, document_id: str, candidates: list[str | None]) -> Path | None:
        """The first candidate file whose sha256 is the document's id (the same bytes that were read)."""
        for candidate in candidates:
            if not candidate or "://" in candidate:
                continue
            path = Path(candidate)
            try:
                stat = path.stat()
            except OSError:
                continue
            if not path.is_file():
                continue
            key = (str(path), stat.st_size, stat.st_mtime)
            digest = self._verified.get(key)
            if digest is None:
                h = hashlib.sha256()
                with path.open("rb") as fh:
                    for block in iter(lambda: fh.read(1 << 20), b""):
                        h.update(block)
                digest = self._verified[key] = h.hexdigest()
            if digest == document_id:
                return path
        return None

    def render(self, path: Path, spec: CropSpec) -> bytes:
        """The PNG of one crop."""
        key = (str(path), os.path.getmtime(path), spec.page,
               tuple((h.bbox.x0, h.bbox.top, h.bbox.x1, h.bbox.bottom, h.style) for h in spec.highlights))
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        png = _render(path, spec)
        self._cache[key] = png
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return png


def _render(path: Path, spec: CropSpec) -> bytes:
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    with _LOCK:
        pdf = pdfium.PdfDocument(str(path))
        try:
            if not 1 <= spec.page <= len(pdf):
                raise LookupError(f"{path.name} has no page {spec.page}")
            page = pdf[spec.page - 1]
            width, height = page.get_size()
            bitmap = page.render(scale=SCALE)
            image = bitmap.to_pil().convert("RGB")
        finally:
            pdf.close()
    area = region(spec.boxes, width, height, spec.kind)
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for h in spec.highlights:
        fill, outline = STYLES.get(h.style, STYLES["evidence"])
        pad = 1.5
        box = [(h.bbox.x0 - pad) * SCALE, (h.bbox.top - pad) * SCALE,
               (h.bbox.x1 + pad) * SCALE, (h.bbox.bottom + pad) * SCALE]
        draw.rectangle(box, fill=fill, outline=outline + (255,), width=3 if h.style == "value" else 2)
    image = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
    image = image.crop((int(area.x0 * SCALE), int(area.top * SCALE), int(area.x1 * SCALE),
                        int(area.bottom * SCALE)))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def text_excerpt(page_text: str, span: tuple[int, int], context: int = 3) -> list[tuple[int, str, bool]]:
    """(line number, text, marked) for the lines of a text page around a 1-based inclusive span."""
    lines = page_text.splitlines()
    start, end = span
    first, last = max(1, start - context), min(len(lines), end + context)
    return [(n, lines[n - 1], start <= n <= end) for n in range(first, last + 1)]


def words_excerpt(words: list, spec: CropSpec, page_width: float, page_height: float) -> list[str]:
    """When the PDF itself is not at hand: the page's words inside the crop region, as lines of text."""
    area = region(spec.boxes, page_width, page_height, spec.kind)
    inside = [w for w in words if w.bbox is not None and w.bbox.x1 >= area.x0 and w.bbox.x0 <= area.x1
              and w.bbox.bottom >= area.top and w.bbox.top <= area.bottom]
    inside.sort(key=lambda w: (round(w.bbox.top / 4), w.bbox.x0))
    lines: list[str] = []
    current, last_top = [], None
    for w in inside:
        if last_top is not None and abs(w.bbox.top - last_top) > 4:
            lines.append(" ".join(current))
            current = []
        current.append(w.text)
        last_top = w.bbox.top
    if current:
        lines.append(" ".join(current))
    return lines
