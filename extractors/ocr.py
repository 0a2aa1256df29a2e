"""OCR scanned PDF pages with Tesseract: words with boxes in PDF points, lines and confidences.

Pages are rendered one at a time with pypdfium2 (pdfium is not thread-safe) and handed to a
small thread pool; each thread waits on its own `tesseract` process, so pages OCR in parallel.
Tesseract's own OpenMP threading is off (OMP_THREAD_LIMIT=1): on 2 cores it made each page
about 3x slower, and parallel pages use the cores better.

What each page goes through, and why (word recall on scanned table pages, see the ingest report):
  1. straighten small scanner skew (projection profile): 92% -> 99.7% on a page tilted 1.5 degrees;
  2. flatten the background, so RAG-coloured and grey cells turn white behind their dark text;
  3. whiten table rules, which Tesseract otherwise reads as | [ _ and which wreck its line finding:
     47% -> 100% on a ruled scorecard;
  4. Tesseract with --psm 6 (one uniform block): on a real council scorecard scan 94% of words
     against 88% for --psm 3, and its lines run across the page like the text-layer lines do;
  5. if the words come out with low confidence, ask Tesseract which way up the page is, and
     read it again turned (a landscape table scanned sideways scores ~30 before, ~90 after).
"""
from __future__ import annotations

import math
import os
import shutil
import tempfile
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pypdfium2 as pdfium
import pytesseract
from PIL import Image, ImageFilter

from schemas import BBox, Word

from .ingest_errors import PaperUnreadable
from .pdftext import PDFIUM_LOCK

# pytesseract hands os.environ to every tesseract process it starts, so this covers them all.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

LANG = "eng"
PSM = 6  # one uniform block of text; with the table rules removed it reads scorecards best
PAGE_TIMEOUT = 180  # seconds; a page that takes longer is stuck, not slow
MAX_SKEW = 3.0  # degrees; larger tilts are not scanner skew
RULE_LENGTH_INCH = 0.4  # dark runs this long are table rules, not letters
RULE_INK = 180  # gray level below which a pixel can belong to a rule (after background flattening)
RULE_GROW = 2  # pixels whitened either side of a found rule, to take its blurred edges too
MAX_PIXELS = 40_000_000  # an A3 page at 300 dpi is 17 MP; larger sheets are read at a lower dpi
REORIENT_BELOW = 50.0  # mean word confidence under which we check whether the page is sideways
MISSING = "Tesseract is not installed: run make setup."

Point = tuple[float, float]
ToPage = Callable[[float, float], Point]  # maps a pixel of the image OCR'd to the page as rendered


@dataclass
class OcrPage:
    """One OCR'd page: words in reading order, text built from their lines, and the mean confidence."""

    words: list[Word] = field(default_factory=list)
    text: str = ""
    confidence: float | None = None  # mean word confidence 0-100; None when no words were found
    skew: float = 0.0  # degrees the page was turned back before OCR
    turn: int = 0  # clockwise quarter turn (0, 90, 180, 270) that put a sideways page upright


def require_tesseract() -> None:
    """Raise PaperUnreadable with a plain reason when the tesseract program is not available."""
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        raise PaperUnreadable(MISSING)
    try:
        pytesseract.get_tesseract_version()
    except (pytesseract.TesseractNotFoundError, OSError) as exc:
        raise PaperUnreadable(MISSING) from exc


def ocr_pages(
    doc: pdfium.PdfDocument,
    indexes: list[int],
    *,
    dpi: int = 300,
    workers: int = 2,
    psm: int = PSM,
) -> dict[int, OcrPage]:
    """OCR the given 0-based pages of an open PDF; returns page index -> OcrPage."""
    if not indexes:
        return {}
    require_tesseract()
    workers = max(1, workers)
    results: dict[int, OcrPage] = {}
    pending: deque[tuple[int, Future]] = deque()
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ocr")
    try:
        for index in indexes:
            with PDFIUM_LOCK:  # render here, one page at a time; only Tesseract runs in the threads
                page = doc[index]
                try:
                    page_dpi = _page_dpi(page.get_size(), dpi)
                    image = render_page(page, page_dpi)
                finally:
                    page.close()
            pending.append((index, pool.submit(ocr_image, image, page_dpi, psm=psm)))
            # Bound memory: a 300 dpi A4 page is ~9 MB, so keep only a few rendered pages waiting.
            while len(pending) >= 2 * workers:
                done, future = pending.popleft()
                results[done] = _result(future, done)
        while pending:
            done, future = pending.popleft()
            results[done] = _result(future, done)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # after a failure, drop the pages not started
    return results


def render_page(page: pdfium.PdfPage, dpi: int) -> Image.Image:
    """The page as displayed (crop box, /Rotate applied), in grayscale at `dpi`."""
    return page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")


def _page_dpi(size: tuple[float, float], dpi: int) -> int:
    """`dpi`, lowered for oversized sheets (plans, A0 posters) so one page cannot take gigabytes."""
    area = size[0] * size[1] / 72 / 72  # square inches
    if area <= 0 or area * dpi * dpi <= MAX_PIXELS:
        return dpi
    return max(72, int(math.sqrt(MAX_PIXELS / area)))


def ocr_image(image: Image.Image, dpi: int, *, psm: int = PSM, preprocess: bool = True) -> OcrPage:
    """OCR one page image rendered at `dpi`; boxes come back in PDF points on the page as rendered."""
    gray = image.convert("L")
    page = _ocr(gray, dpi, psm, preprocess, turn=0)
    if page.confidence is not None and page.confidence < REORIENT_BELOW:
        turn = find_orientation(gray, dpi)
        if turn:
            turned = _ocr(gray, dpi, psm, preprocess, turn=turn)
            if (turned.confidence or 0.0) > page.confidence:
                page = turned
    return page


def _ocr(gray: Image.Image, dpi: int, psm: int, preprocess: bool, turn: int) -> OcrPage:
    """Turn, straighten and clean the image, run Tesseract, and map the boxes back to the page."""
    to_page: ToPage = _same
    if turn:
        to_page = _unturn(gray.size, turn)
        gray = gray.rotate(-turn, expand=True)  # PIL turns counter-clockwise
    angle = 0.0
    if preprocess:
        angle = find_skew(gray)
        if angle:
            to_page = _then(_unskew(gray.size, angle), to_page)
            # Fill the corners white so they do not read as ink.
            gray = gray.rotate(angle, resample=Image.BICUBIC, fillcolor=255)
        gray = remove_table_rules(flatten_background(gray, dpi), dpi)
    rows = _tesseract_rows(gray, dpi, psm)
    page = _build_page(rows, dpi, to_page)
    page.skew, page.turn = angle, turn
    return page


def flatten_background(gray: Image.Image, dpi: int) -> Image.Image:
    """Divide by the local paper colour so shaded cells (RAG colours, grey headers) turn white behind dark text.

    The paper colour is the brightest value within ~1.7 mm: wider than any letter stroke, so
    strokes never count as paper. White text on a dark fill is not rescued (Tesseract lost it anyway).
    """
    factor = max(1, dpi // 75)
    paper = gray.reduce(factor).filter(ImageFilter.MaxFilter(5)).resize(gray.size, Image.BILINEAR)
    g = np.asarray(gray, dtype=np.float32)
    p = np.maximum(np.asarray(paper, dtype=np.float32), 1.0)
    return Image.fromarray(np.clip(g * 255.0 / p, 0, 255).astype(np.uint8), mode="L")


def remove_table_rules(gray: Image.Image, dpi: int) -> Image.Image:
    """Whiten long horizontal and vertical dark runs (table rules, underlines) that Tesseract reads as | [ _."""
    g = np.asarray(gray)
    ink = g < RULE_INK
    length = max(10, int(RULE_LENGTH_INCH * dpi))
    rules = _long_runs(ink, length, axis=1) | _long_runs(ink, length, axis=0)
    if not rules.any():
        return gray
    for _ in range(RULE_GROW):
        rules[1:, :] |= rules[:-1, :].copy()
        rules[:-1, :] |= rules[1:, :].copy()
        rules[:, 1:] |= rules[:, :-1].copy()
        rules[:, :-1] |= rules[:, 1:].copy()
    out = g.copy()
    out[rules] = 255
    return Image.fromarray(out, mode="L")


def _long_runs(ink: np.ndarray, length: int, axis: int) -> np.ndarray:
    """Pixels lying in a run of at least `length` ink pixels along `axis` (a morphological opening).

    Erode then dilate by doubling shifts: about 2*log2(length) array operations, not `length`.
    """
    a = ink if axis == 1 else ink.T
    if a.shape[1] < length:
        return np.zeros_like(ink)
    # Erosion: starts[:, j] is True when a[:, j:j+span] is all ink.
    starts, span = a.copy(), 1
    while span * 2 <= length:
        starts[:, :-span] &= starts[:, span:]
        starts[:, -span:] = False
        span *= 2
    if span < length:  # two overlapping windows of `span` cover exactly `length`
        extra = length - span
        starts[:, :-extra] &= starts[:, extra:]
        starts[:, -extra:] = False
    # Dilation: a pixel is covered when a full run starts at most length-1 pixels before it.
    covered, span = starts.copy(), 1
    while span * 2 <= length:
        covered[:, span:] |= covered[:, :-span].copy()
        span *= 2
    if span < length:
        extra = length - span
        covered[:, extra:] |= covered[:, :-extra].copy()
    return covered if axis == 1 else covered.T


def find_skew(gray: Image.Image, max_angle: float = MAX_SKEW) -> float:
    """Small scanner skew in degrees (the counter-clockwise turn that straightens the page), 0.0 if none.

    Projection profile: rows of ink are sharpest when text lines and rules are level.
    Searched in 0.2 degree steps, then refined in 0.05 steps around the best.
    """
    small = gray.copy()
    small.thumbnail((1000, 1000))
    ink = Image.fromarray(((np.asarray(small) < 160) * 255).astype(np.uint8), mode="L")
    if np.count_nonzero(np.asarray(ink)) < 500:  # blank page: nothing to straighten
        return 0.0

    def sharpness(angle: float) -> float:
        rows = np.asarray(ink.rotate(angle, resample=Image.NEAREST, fillcolor=0)).sum(axis=1, dtype=np.float64)
        return float(np.sum(np.diff(rows) ** 2))

    level = sharpness(0.0)
    best, best_score = 0.0, level
    for step, span in ((0.2, max_angle), (0.05, 0.2)):
        centre = best
        for angle in np.arange(centre - span, centre + span + step / 2, step):
            score = sharpness(float(angle))
            if score > best_score:
                best, best_score = float(angle), score
    # Turn the page only when that clearly sharpens it: a level page scores within a hair of its neighbours.
    if abs(best) < 0.1 or best_score < 1.02 * level:
        return 0.0
    return round(best, 2)


def find_orientation(gray: Image.Image, dpi: int) -> int:
    """Clockwise quarter turn (90, 180, 270) that puts a sideways or upside-down page upright; 0 if unsure."""
    half = gray.reduce(2)
    try:
        osd = pytesseract.image_to_osd(
            half, config=f"--psm 0 --dpi {dpi // 2}", output_type=pytesseract.Output.DICT, timeout=PAGE_TIMEOUT
        )
    except (pytesseract.TesseractError, RuntimeError):  # too little text to tell
        return 0
    turn = int(osd.get("rotate", 0)) % 360
    return turn if turn in (90, 180, 270) else 0


def _tesseract_rows(gray: Image.Image, dpi: int, psm: int) -> dict[str, list]:
    """Run tesseract on an image and return its TSV as columns (pytesseract's dict output)."""
    # Write an uncompressed PGM ourselves: PNG-encoding a 300 dpi page takes ~0.1 s for nothing.
    with tempfile.TemporaryDirectory(prefix="scrutiny-ocr-") as tmp:
        path = Path(tmp) / "page.pgm"
        gray.save(path)
        try:
            return pytesseract.image_to_data(
                str(path),
                lang=LANG,
                config=f"--psm {psm} --dpi {dpi}",
                output_type=pytesseract.Output.DICT,
                timeout=PAGE_TIMEOUT,
            )
        except pytesseract.TesseractNotFoundError as exc:
            raise PaperUnreadable(MISSING) from exc
        except RuntimeError as exc:
            if "timeout" in str(exc).lower():
                raise PaperUnreadable(f"OCR of a page took over {PAGE_TIMEOUT} seconds and was stopped.") from exc
            raise


def _build_page(rows: dict[str, list], dpi: int, to_page: ToPage) -> OcrPage:
    """Words with boxes in points, a 1-based line index per (block, paragraph, line) in reading order, and text.

    Page.text has one line per line index, so word.line n is line n of the text.
    """
    scale = 72.0 / dpi
    line_of: dict[tuple[int, int, int], int] = {}
    words: list[Word] = []
    lines: list[list[str]] = []
    for i, raw in enumerate(rows["text"]):
        text = (raw or "").strip()
        conf = float(rows["conf"][i])
        if not text or conf < 0:  # layout rows (page, block, line) carry conf -1 and no text
            continue
        key = (int(rows["block_num"][i]), int(rows["par_num"][i]), int(rows["line_num"][i]))
        if key not in line_of:
            line_of[key] = len(line_of) + 1
            lines.append([])
        line = line_of[key]
        lines[line - 1].append(text)
        left, top = float(rows["left"][i]), float(rows["top"][i])
        right, bottom = left + float(rows["width"][i]), top + float(rows["height"][i])
        corners = [to_page(x, y) for x, y in ((left, top), (right, top), (left, bottom), (right, bottom))]
        xs, ys = [c[0] for c in corners], [c[1] for c in corners]
        bbox = BBox(
            x0=round(min(xs) * scale, 2), top=round(min(ys) * scale, 2),
            x1=round(max(xs) * scale, 2), bottom=round(max(ys) * scale, 2),
        )
        words.append(Word(text=text, bbox=bbox, line=line, confidence=round(conf, 2)))
    confidence = round(sum(w.confidence for w in words) / len(words), 2) if words else None
    return OcrPage(words=words, text="\n".join(" ".join(line) for line in lines), confidence=confidence)


def _unskew(size: tuple[int, int], angle: float) -> ToPage:
    """Undo PIL's counter-clockwise rotate(angle) about the centre (same size, no expand)."""
    cx, cy = size[0] / 2, size[1] / 2
    rad = math.radians(angle)
    cos, sin = math.cos(rad), math.sin(rad)

    def back(x: float, y: float) -> Point:
        dx, dy = x - cx, y - cy
        return cx + dx * cos - dy * sin, cy + dx * sin + dy * cos

    return back


def _unturn(size: tuple[int, int], turn: int) -> ToPage:
    """Undo a clockwise quarter turn of an image of `size` (width, height) before the turn."""
    width, height = size
    if turn == 90:
        return lambda x, y: (y, height - x)
    if turn == 180:
        return lambda x, y: (width - x, height - y)
    return lambda x, y: (width - y, x)  # 270


def _same(x: float, y: float) -> Point:
    return x, y


def _then(first: ToPage, second: ToPage) -> ToPage:
    """Apply `first`, then `second`: undo the last image change first."""
    return lambda x, y: second(*first(x, y))


def _result(future: Future, index: int) -> OcrPage:
    """Wait for one page; tesseract errors become a plain reason naming the page."""
    try:
        return future.result()
    except pytesseract.TesseractError as exc:
        message = (exc.message or "").strip().splitlines()
        detail = message[-1] if message else f"exit status {exc.status}"
        raise PaperUnreadable(f"Tesseract failed on page {index + 1}: {detail}.") from exc
