"""Tables on scanned (OCR'd) PDF pages, rebuilt from the page image and the OCR words with their boxes.

`extract_ocr_tables(pdf_path, document_id, pages)` is the entry point. It reads only the pages ingest
OCR'd (`Page.ocr`, words with boxes) and returns ExtractedTables like the born-digital extractor does:
rows of cells, merged cells kept as empty cells with no box so columns stay aligned, cell boxes in PDF
points (origin top-left of the page as displayed), so layout parsers read scans and text PDFs alike.

  * Ruled tables, method "ocr-grid": the page is rendered again at ingest's 300 dpi, turned level by
    the skew ingest's OCR finds, and its grid found from the rules themselves (ocr_tables_grid: rule
    morphology, dark header fills, merged cells where a rule is missing). Each OCR word goes to the
    cell holding its box centre; a cell's words are joined in reading order, lines by '\n'.
  * Cells are then read again on their own (ocr_tables_cells: ink-tight crop, 2x, sharpened; all
    of a page's cells in one or two Tesseract runs), except long text cells (commentary), which keep
    the page OCR. Light text on a dark fill (white-on-navy headers, which the page OCR loses) is
    inverted first. The two readings of a cell are compared word by word: the clearly surer reading
    of a word wins, and a stray mark ('.', '‘', '|' from dust) survives only if both readings have it.
    A short cell that looks like a figure but reads as none ('§3%', 'W%') is read once more with
    Tesseract told to expect only the characters figures are printed with.
  * Two repairs use the table itself, never one cell alone: item numbers fused to a measure name
    that starts with '%' ('1% repeat referrals' -> '1 % repeat ...') when the column numbers its
    rows n, n+1, n+2...; and a quarter header whose digit was lost ('Qi Jun 2017') when its month
    and the row's other quarter headers say which quarter it is.
  * Borderless tables, method "ocr-columns": on OCR'd pages where no grid is found, printed lines
    (on the straightened page) are split at wide gaps, columns are the x-ranges the pieces share,
    and rows break at vertical gaps clearly wider than those between a cell's wrapped lines.

Confidence is the mean OCR word confidence of the table's cells (0-1). Cost on the scanned scorecard
fixtures (one A4 page, ~120 cells): about 4-5 s of CPU per page on top of ingest's OCR, Tesseract
included; the page's cells are read on two threads.
"""
from __future__ import annotations

import copy
import logging
import re
import statistics
import time
from dataclasses import dataclass, field, fields
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytesseract
from PIL import Image

from schemas import BBox, Cell, ExtractedRow, ExtractedTable, Page, Word

from .ocr import _page_dpi, _unskew, find_skew, render_page, require_tesseract
from .ocr_tables_cells import PAPER_LEVEL, Reading, Token, flatten, merge, read_cells, read_numbers, tighten
from .ocr_tables_grid import Grid, GridCell, find_grids
from .pdftext import PDFIUM_LOCK
from .values import parse_value
from .values.numbers import UNREADABLE

log = logging.getLogger(__name__)

DPI = 300  # ingest OCRs at 300 dpi: same pixels, so the same skew is found
CELL_EDGE_INCH = 0.03  # rules are looked for this far into a cell from its edges ...
RULE_SHARE = 0.6  # ... as pixel rows (columns) that are mostly ink, from the edge to the first light one
RULE_RIM_INCH = 0.004  # whitened beyond a rule found in a cell: its blurred rim
MAX_REREAD_WORDS = 40  # cells with more words (commentary) keep the page OCR: re-reading them costs most
SURE_ENOUGH = 95.0  # a cell whose every word the page OCR read this surely is not read again
PREFER_PAGE_BY = 10.0  # the page OCR wins only when it is this much more confident than the cell reading
APOSTROPHE = re.compile(r"(?<=[^\W\d_])[’‘`](?=[^\W\d_])")
MONTHS = {m.lower(): i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
QUARTER_LABEL = re.compile(r"^Q(?P<n>[1-4]|[^\d\s])\s(?P<month>[A-Za-z]{3,9})\b")
FINANCIAL_YEAR_OFFSET = 3  # UK financial quarters: Q1 ends in June (6 = 3 * 1 + 3)
ITEM_THEN_PERCENT = re.compile(r"^(?P<number>\d{1,3})\s*%\s+[^\W\d_]")
MIN_ITEM_RUN = 3  # consecutive item numbers needed before a fused '1%' is read as item 1
MAX_FIGURE_CHARS = 12  # a cell holding one figure is no longer than this ...
MAX_FIGURE_LETTERS = 2  # ... and has at most this many letters (misread digits: 'W%', 'l0', '1O5')
SPECK = 0.25  # a word narrower and lower than this share of the page's median word height is a speck
# Borderless tables
COLUMN_GAP_EM = 0.9  # a gap wider than this many word heights separates two columns (a space is ~0.3)
TABLE_BREAK_EM = 8.0  # lines further apart than this many word heights are not one table
RIVER_EM = 0.5  # the white between two columns is at least this many word heights wide ...
RIVER_CROSSINGS = 0.05  # ... and crossed by at most this share of the table's lines
NOISE_BELOW = 60.0  # a word with no letter or digit read less surely than this is noise
HEADING_SIZE = 1.3  # a one-piece line in type this much larger than the page's is a heading
ROW_STEP_EM = 0.4  # a first-column line this many word heights further down than the leading starts a row
MIN_COLUMNS = 3
MIN_TABLE_LINES = 3


@dataclass
class OcrTableStats:
    """What a call did, for benchmarks and the test report: pass one in, or read `last_stats`."""

    pages: int = 0
    tables: int = 0
    cells: int = 0
    reread: int = 0  # cell readings made (a cell read twice counts once per sheet it was on)
    replaced: int = 0  # cells whose text the re-reading changed
    seconds: float = 0.0
    reread_seconds: float = 0.0
    per_page: list[float] = field(default_factory=list)


last_stats = OcrTableStats()  # the most recent call's, in this process (diagnostics only)


def extract_ocr_tables(pdf_path: Path, document_id: str, pages: list[Page] | None, *, dpi: int = DPI,
                       reread: bool = True, stats: OcrTableStats | None = None) -> list[ExtractedTable]:
    """Tables on the OCR'd pages of a PDF (pages ingest read with Tesseract), page by page, top to bottom.

    Pages with a text layer are left to extractors.tables. A page whose tables cannot be rebuilt
    (a rendering or Tesseract failure) is logged and skipped: its OCR text stays in the paper.
    `reread=False` keeps the page OCR's words as they are (faster, less accurate).
    """
    stats = stats if stats is not None else OcrTableStats()
    try:
        return _extract(pdf_path, document_id, pages, dpi, reread, stats)
    finally:
        for f in fields(OcrTableStats):
            setattr(last_stats, f.name, copy.copy(getattr(stats, f.name)))


def _extract(pdf_path: Path, document_id: str, pages: list[Page] | None, dpi: int, reread: bool,
             stats: OcrTableStats) -> list[ExtractedTable]:
    scanned = [p for p in pages or [] if p.ocr and any(w.bbox is not None for w in p.words)]
    if not scanned:
        return []
    require_tesseract()
    started = time.perf_counter()
    tables: list[ExtractedTable] = []
    with PDFIUM_LOCK:
        doc = pdfium.PdfDocument(str(pdf_path))
    try:
        for page in scanned:
            t0 = time.perf_counter()
            try:
                with PDFIUM_LOCK:
                    pdf_page = doc[page.number - 1]
                    try:
                        page_dpi = _page_dpi(pdf_page.get_size(), dpi)
                        image = render_page(pdf_page, page_dpi)
                    finally:
                        pdf_page.close()
                tables += tables_on_page(image, page_dpi, page, document_id, reread=reread, stats=stats)
            except (pytesseract.TesseractError, RuntimeError, ValueError, OSError, cv2.error):
                log.exception("%s page %d: tables could not be rebuilt from the scan", Path(pdf_path).name, page.number)
            stats.pages += 1
            stats.per_page.append(time.perf_counter() - t0)
    finally:
        with PDFIUM_LOCK:
            doc.close()
    stats.tables = len(tables)
    stats.seconds = time.perf_counter() - started
    return tables


# --- one page ----------------------------------------------------------------------------------


@dataclass
class PageFrame:
    """The straightened page image and the maps between its pixels and the page's PDF points."""

    image: Image.Image  # grayscale, straightened
    dpi: int
    angle: float

    def __post_init__(self) -> None:
        size = self.image.size
        self._to_page = _unskew(size, self.angle)  # straight pixel -> rendered pixel
        self._from_page = _unskew(size, -self.angle)  # rendered pixel -> straight pixel

    def to_straight(self, x_pt: float, y_pt: float) -> tuple[float, float]:
        s = self.dpi / 72.0
        return self._from_page(x_pt * s, y_pt * s)

    def box_to_page(self, box: tuple[float, float, float, float], *, inner: bool = False) -> BBox:
        """A straight-image box on the page, in PDF points: the box around it (its text is inside),
        or with `inner` the box inside it (what lies above it on the page is above all of it).
        The two differ by the skew: 1 pt on a 100 pt cell turned 0.6 degrees."""
        x0, y0, x1, y1 = box
        tl, tr, bl, br = (self._to_page(x, y) for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1)))
        s = 72.0 / self.dpi
        if inner:
            left, top = max(tl[0], bl[0]), max(tl[1], tr[1])
            right, bottom = min(tr[0], br[0]), min(bl[1], br[1])
        else:
            left, top = min(tl[0], bl[0]), min(tl[1], tr[1])
            right, bottom = max(tr[0], br[0]), max(bl[1], br[1])
        return BBox(x0=round(left * s, 2), top=round(top * s, 2), x1=round(right * s, 2), bottom=round(bottom * s, 2))


def straighten(image: Image.Image, dpi: int) -> PageFrame:
    """The page turned level by the skew ingest's OCR finds (the same turn as PIL's rotate, done by OpenCV:
    several times faster on a 300 dpi page)."""
    gray = image.convert("L")
    angle = find_skew(gray)
    if angle:
        a = np.asarray(gray)
        matrix = cv2.getRotationMatrix2D((a.shape[1] / 2 - 0.5, a.shape[0] / 2 - 0.5), angle, 1.0)
        a = cv2.warpAffine(a, matrix, (a.shape[1], a.shape[0]), flags=cv2.INTER_CUBIC,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=255)
        gray = Image.fromarray(a, mode="L")
    return PageFrame(gray, dpi, angle)


def tables_on_page(image: Image.Image, dpi: int, page: Page, document_id: str, *, reread: bool = True,
                   stats: OcrTableStats | None = None) -> list[ExtractedTable]:
    """Ruled tables of one scanned page; borderless ones when it has no grid."""
    stats = stats or OcrTableStats()
    frame = straighten(image, dpi)
    gray = np.asarray(frame.image)
    words = drop_specks([w for w in page.words if w.bbox is not None])
    placed = [(w, frame.to_straight((w.bbox.x0 + w.bbox.x1) / 2, (w.bbox.top + w.bbox.bottom) / 2)) for w in words]
    grids = find_grids(gray, dpi)
    if not grids:
        return column_tables(words, frame, page, document_id)
    texts = [_page_texts(grid, placed, dpi) for grid in grids]
    if reread:
        _reread(grids, texts, gray, dpi, stats)
    restore_item_numbers(grids, texts)
    for grid, cell_texts in zip(grids, texts):
        repair_quarter_labels(grid, cell_texts)
    tables = []
    for grid, cell_texts in zip(grids, texts):
        stats.cells += len(grid.cells)
        table = _grid_table(grid, cell_texts, frame, page, document_id)
        if table is not None:
            tables.append(table)
    return tables


def drop_specks(words: list[Word]) -> list[Word]:
    """Words whose box is tiny next to the page's text (dust and noise Tesseract read as '.', ':', 'i')."""
    if not words:
        return words
    typical = statistics.median(w.bbox.bottom - w.bbox.top for w in words)
    limit = SPECK * typical
    return [w for w in words if (w.bbox.x1 - w.bbox.x0) >= limit or (w.bbox.bottom - w.bbox.top) >= limit]


# --- ruled grids -------------------------------------------------------------------------------


def _owners(grid: Grid) -> dict[tuple[int, int], GridCell]:
    owner: dict[tuple[int, int], GridCell] = {}
    for cell in grid.cells:
        for r in range(cell.row, cell.row + cell.rows):
            for c in range(cell.col, cell.col + cell.cols):
                owner[(r, c)] = cell
    return owner


def _page_texts(grid: Grid, placed, dpi: int) -> list[Reading]:
    """Each cell's text from the page OCR: the words whose box centre lies in it, in reading order."""
    owner = _owners(grid)
    index = {id(c): i for i, c in enumerate(grid.cells)}
    members: list[list[tuple[Word, tuple[float, float]]]] = [[] for _ in grid.cells]
    for word, (x, y) in placed:
        slot = grid.slot(x, y)
        if slot is not None and slot in owner:
            members[index[id(owner[slot])]].append((word, (x, y)))
    return [Reading(_join(found, dpi)) for found in members]


def _reread(grids: list[Grid], texts: list[list[Reading]], gray: np.ndarray, dpi: int, stats: OcrTableStats) -> None:
    """Read again, in one batch, the page's cells the page OCR may have got wrong (see the module notes)."""
    todo: list[tuple[int, int]] = []
    crops, sharpen = [], []
    for g, grid in enumerate(grids):
        for c, cell in enumerate(grid.cells):
            page = texts[g][c]
            words = len(page.text.split())
            if not cell.dark and (words > MAX_REREAD_WORDS or (not words and not _has_ink(gray, cell.box, dpi))
                                  or (words and min(page.confidences) >= SURE_ENOUGH)):
                continue
            crop = _crop(gray, cell.box, dpi, invert=cell.dark)
            if crop is not None:
                todo.append((g, c))
                crops.append(crop)
                sharpen.append(not cell.dark)
    if not todo:
        return
    t0 = time.perf_counter()
    readings = read_cells(crops, dpi, sharpen=sharpen)
    stats.reread += len(todo)
    stats.reread_seconds += time.perf_counter() - t0
    for (g, c), again in zip(todo, readings):
        chosen = choose(texts[g][c], again, dark=grids[g].cells[c].dark)
        if chosen.text != texts[g][c].text:
            stats.replaced += 1
        texts[g][c] = chosen
    # Cells that look like a figure but read as none: once more, expecting only figures.
    figures = [(g, c) for g, c in todo if not grids[g].cells[c].dark and _unreadable_figure(texts[g][c].text)]
    if figures:
        t0 = time.perf_counter()
        again = read_numbers([_crop(gray, grids[g].cells[c].box, dpi, invert=grids[g].cells[c].dark)
                              for g, c in figures], dpi)
        stats.reread += len(figures)
        stats.reread_seconds += time.perf_counter() - t0
        for (g, c), reading in zip(figures, again):
            if reading.text and parse_value(reading.text).value is not None:
                texts[g][c] = reading
                stats.replaced += 1


def _unreadable_figure(text: str) -> bool:
    """One short line, a digit or a % in it and hardly a letter ('§3%', 'W%', '1O5'; not 'Mar 2017'), that
    does not read as a figure."""
    if not text or "\n" in text or len(text) > MAX_FIGURE_CHARS or not re.search(r"[\d%]", text):
        return False
    if sum(ch.isalpha() for ch in text) > MAX_FIGURE_LETTERS:
        return False
    return parse_value(text).missing_reason == UNREADABLE


def _has_ink(gray: np.ndarray, box, dpi: int) -> bool:
    """Whether a cell holds something to read (rules at its edges aside)."""
    crop = _crop(gray, box, dpi)
    return crop is not None and tighten(crop, dpi) is not None


def cell_text(reading: Reading) -> str:
    """The text a cell hands on: OCR's curly apostrophe inside a word made the plain one.

    At table font sizes Tesseract cannot tell ' from ’ and answers ’ (its training text is typeset);
    council papers mostly print ', and the catalogue and truth files use it.
    """
    return APOSTROPHE.sub("'", reading.text)


def _grid_table(grid: Grid, texts: list[Reading], frame: PageFrame, page: Page,
                document_id: str) -> ExtractedTable | None:
    n_rows, n_cols = grid.shape
    owner = _owners(grid)
    index = {id(c): i for i, c in enumerate(grid.cells)}
    rows: list[ExtractedRow] = []
    for r in range(n_rows):
        cells = []
        for c in range(n_cols):
            cell = owner[(r, c)]
            if (cell.row, cell.col) == (r, c):
                cells.append(Cell(text=cell_text(texts[index[id(cell)]]), bbox=frame.box_to_page(cell.box)))
            else:  # covered by a merged cell: kept empty so the columns stay aligned
                cells.append(Cell(text="", bbox=None))
        if any(c.text for c in cells):
            rows.append(ExtractedRow(page=page.number, cells=cells))
    if not rows:
        return None
    confidences = [x for t in texts for x in t.confidences]
    return ExtractedTable(
        document_id=document_id, page=page.number, bbox=frame.box_to_page(grid.box, inner=True), method="ocr-grid",
        rows=rows, confidence=round(statistics.fmean(confidences) / 100, 3) if confidences else None,
    )


def _join(found: list[tuple[Word, tuple[float, float]]], dpi: int) -> list[list[Token]]:
    """Words in reading order: lines top to bottom (by box centre), words left to right.

    Centres are straight-image pixels, word heights PDF points: a word joins the line above when
    its centre is within half a word height of that line's centres.
    """
    if not found:
        return []
    step = 0.5 * statistics.median(w.bbox.bottom - w.bbox.top for w, _ in found) * dpi / 72.0
    lines: list[list[tuple[Word, tuple[float, float]]]] = []
    for item in sorted(found, key=lambda i: i[1][1]):
        if lines and abs(item[1][1] - statistics.fmean(i[1][1] for i in lines[-1])) <= step:
            lines[-1].append(item)
        else:
            lines.append([item])
    return [[(w.text, w.confidence if w.confidence is not None else 0.0)
             for w, _ in sorted(line, key=lambda i: i[1][0])] for line in lines]


def restore_item_numbers(grids: list[Grid], texts: list[list[Reading]]) -> None:
    """Put back the space OCR drops between an item number and a measure name that starts with '%'.

    Tesseract reads '1 % repeat referrals' as '1% repeat referrals' (its language model knows '1%'),
    and the gap is too close to a digit's own side bearing to tell from the image. The numbering
    tells instead: when cells down one column (across the page's tables, in order) start with
    n, n+1, n+2, ... each followed by '%' and a word, those numbers are item numbers, not values.
    """
    columns: dict[int, list[tuple[int, int, int]]] = {}  # column -> [(grid, cell, number)]
    for g, grid in enumerate(grids):
        for c, cell in enumerate(grid.cells):
            match = ITEM_THEN_PERCENT.match(texts[g][c].text)
            if match:
                columns.setdefault(cell.col, []).append((g, c, int(match["number"])))
    for found in columns.values():
        run: list[tuple[int, int, int]] = []
        for item in found + [(-1, -1, -1)]:  # a sentinel closes the last run
            if run and item[2] == run[-1][2] + 1:
                run.append(item)
                continue
            if len(run) >= MIN_ITEM_RUN:
                for g, c, number in run:
                    lines = [list(line) for line in texts[g][c].lines]
                    word, conf = lines[0][0]
                    if word != str(number):  # '1%': split it; '1 %' is already right
                        lines[0][0:1] = [(str(number), conf), (word[len(str(number)):], conf)]
                        texts[g][c] = Reading(lines)
            run = [item]


def repair_quarter_labels(grid: Grid, texts: list[Reading]) -> None:
    """Read the quarter number of a header like 'Qi Jun 2017' from its month, as the other headers do.

    Small bold headers lose the digit of 'Q1' most ('Qi', 'Qt', 'Ql'), and without it the column is
    no period at all. The month printed beside it says which quarter it is: the row's readable
    quarter headers ('Q2 Sep 2017') give the convention (UK financial quarters when none do).
    """
    by_row: dict[int, list[int]] = {}
    for c, cell in enumerate(grid.cells):
        by_row.setdefault(cell.row, []).append(c)
    for cells in by_row.values():
        offsets = set()
        damaged = []
        for c in cells:
            folded = " ".join(texts[c].text.split())
            if (good := QUARTER_LABEL.match(folded)) and good["n"].isdigit():
                offsets.add((MONTHS[good["month"][:3].lower()] - 3 * int(good["n"])) % 12)
            elif good and good["month"][:3].lower() in MONTHS:
                damaged.append((c, good))
        if not damaged or len(offsets) > 1:
            continue
        offset = offsets.pop() if offsets else FINANCIAL_YEAR_OFFSET
        for c, match in damaged:
            month = MONTHS[match["month"][:3].lower()]
            if (month - offset) % 3:
                continue  # not a quarter's last month under this convention: leave it
            quarter = ((month - offset) // 3 - 1) % 4 + 1
            lines = [list(line) for line in texts[c].lines]
            word, conf = lines[0][0]
            lines[0][0] = (f"Q{quarter}", conf)
            texts[c] = Reading(lines)


# --- reading cells again --------------------------------------------------------------------


def _crop(gray: np.ndarray, box, dpi: int, *, invert: bool = False) -> np.ndarray | None:
    """The cell's pixels (inverted for light text on a dark fill, a fill flattened to white), with the
    rules at its edges whitened: they read as | _ [ and, cropped off with a margin, would cut glyphs short."""
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    if x1 - x0 < 6 or y1 - y0 < 6:
        return None
    crop = gray[max(0, y0):y1, max(0, x0):x1]
    crop = flatten(255 - crop if invert else crop.copy())
    edge = max(3, int(round(CELL_EDGE_INCH * dpi)))
    rim = max(1, int(round(RULE_RIM_INCH * dpi)))
    ink = crop < PAPER_LEVEL  # a rule over a fill is only a little darker than the fill
    h, w = crop.shape
    rows_share, cols_share = ink.mean(axis=1), ink.mean(axis=0)
    top = _rule_depth(rows_share[:edge])
    bottom = _rule_depth(rows_share[::-1][:edge])
    left = _rule_depth(cols_share[:edge])
    right = _rule_depth(cols_share[::-1][:edge])
    if top:
        crop[:top + rim, :] = 255
    if bottom:
        crop[h - bottom - rim:, :] = 255
    if left:
        crop[:, :left + rim] = 255
    if right:
        crop[:, w - right - rim:] = 255
    return crop


def _rule_depth(shares: np.ndarray) -> int:
    """How many pixel rows (columns) from a cell's edge inwards are rule: the run of mostly-ink lines
    that starts within the first few lines and ends at the first light one. Text below a rule is
    always parted from it by a light line (the cell's padding), so it is never taken for the rule."""
    depth, seen = 0, False
    for i, share in enumerate(shares):
        if share > RULE_SHARE:
            seen, depth = True, i + 1
        elif seen or i >= 3:
            break
    return depth


def choose(page: Reading, again: Reading, *, dark: bool = False) -> Reading:
    """The better of the page OCR and the cell's own reading, corrected word by word against the other.

    The cell reading sees a sharper, larger image, so it wins unless it is clearly less sure of
    itself; on a dark fill the page OCR saw only noise, so the cell reading always wins.
    """
    if dark or not page.text:
        return again
    if not again.text or again.text == page.text:
        return page
    if again.confidence >= page.confidence - PREFER_PAGE_BY:
        return merge(again, page)
    return merge(page, again)


# --- borderless tables ------------------------------------------------------------------------


@dataclass
class Placed:
    """An OCR word on the straightened page: centre and size in pixels."""

    word: Word
    x: float
    y: float
    w: float
    h: float

    @property
    def x0(self) -> float:
        return self.x - self.w / 2

    @property
    def x1(self) -> float:
        return self.x + self.w / 2


def column_tables(words: list[Word], frame: PageFrame, page: Page, document_id: str) -> list[ExtractedTable]:
    """Borderless tables on a scanned page from word boxes alone (on the straightened page).

    Printed lines are cut into pieces at gaps wider than a word space; a table is a run of lines
    where several lines have MIN_COLUMNS or more pieces, ended by a long blank stretch or a heading
    (a one-piece line in larger type); its columns are the x-ranges the pieces of its lines share.
    Rows are anchored on the first column: a row starts where that column's next line is further down
    than a wrapped line would be (every line is a row when no line is).
    """
    s = frame.dpi / 72.0
    placed = []
    for w in words:
        if not any(ch.isalnum() for ch in w.text) and (w.confidence or 0) < NOISE_BELOW:
            continue  # a smudge read as '_‘' would bridge the white between two columns
        x, y = frame.to_straight((w.bbox.x0 + w.bbox.x1) / 2, (w.bbox.top + w.bbox.bottom) / 2)
        placed.append(Placed(w, x, y, (w.bbox.x1 - w.bbox.x0) * s, (w.bbox.bottom - w.bbox.top) * s))
    if not placed:
        return []
    lines = _lines(placed)
    height = statistics.median(p.h for p in placed)
    pieces = [_pieces(line, COLUMN_GAP_EM * height) for line in lines]
    tables = []
    for first, last in _table_runs(lines, pieces, height):
        table = _column_table(lines[first:last + 1], pieces[first:last + 1], frame, page, document_id)
        if table is not None:
            tables.append(table)
    return tables


def _lines(placed: list[Placed]) -> list[list[Placed]]:
    """Words grouped into printed lines (centres within half a word height), top to bottom, left to right."""
    lines: list[list[Placed]] = []
    for p in sorted(placed, key=lambda p: p.y):
        if lines and abs(p.y - statistics.fmean(q.y for q in lines[-1])) <= 0.5 * min(p.h, lines[-1][0].h):
            lines[-1].append(p)
        else:
            lines.append([p])
    return [sorted(line, key=lambda p: p.x) for line in lines]


def _pieces(line: list[Placed], gap: float) -> list[list[Placed]]:
    """A line cut where the space between two words is wider than `gap`."""
    out = [[line[0]]]
    for prev, word in zip(line, line[1:]):
        if word.x0 - prev.x1 > gap:
            out.append([word])
        else:
            out[-1].append(word)
    return out


def _table_runs(lines, pieces, height: float) -> list[tuple[int, int]]:
    """(first, last) line indexes of the page's borderless tables (see column_tables)."""
    centre = [statistics.fmean(p.y for p in line) for line in lines]
    heading = [len(pieces[i]) == 1 and statistics.median(p.h for p in lines[i]) > HEADING_SIZE * height
               for i in range(len(lines))]
    runs, start = [], 0
    for i in range(len(lines) + 1):
        end = i == len(lines) or heading[i] or (i > start and centre[i] - centre[i - 1] > TABLE_BREAK_EM * height)
        if not end:
            continue
        wide = [k for k in range(start, i) if len(pieces[k]) >= MIN_COLUMNS]
        if len(wide) >= MIN_TABLE_LINES:
            runs.append((wide[0], _table_end(lines, pieces, wide, i)))
        start = i + 1 if i < len(lines) and heading[i] else i
    return runs


def _table_end(lines, pieces, wide: list[int], stop: int) -> int:
    """The last line of a table: past its last line of several pieces, wrapped lines continue it, but a
    line that runs across most of the table (a paragraph after it) does not."""
    span = max(p.x1 for k in wide for p in lines[k]) - min(p.x0 for k in wide for p in lines[k])
    last = max(k for k in range(wide[0], stop) if len(pieces[k]) >= 2)
    while last + 1 < stop and len(pieces[last + 1]) == 1 and (
            max(p.x1 for p in lines[last + 1]) - min(p.x0 for p in lines[last + 1]) < 0.5 * span):
        last += 1
    return last


def _column_table(lines, pieces, frame: PageFrame, page: Page, document_id: str) -> ExtractedTable | None:
    height = statistics.median(p.h for line in lines for p in line)
    bounds = _column_bounds(lines, height)
    if len(bounds) - 1 < MIN_COLUMNS:
        return None

    def column(p: Placed) -> int:
        return max(0, min(len(bounds) - 2, int(np.searchsorted(bounds, p.x, side="right")) - 1))

    groups = _row_groups(lines, column)
    out_rows, confidences = [], []
    for group in groups:
        y0 = min(p.y - p.h / 2 for line in group for p in line)
        y1 = max(p.y + p.h / 2 for line in group for p in line)
        cells = []
        for c in range(len(bounds) - 1):
            text_lines = [" ".join(p.word.text for p in line if column(p) == c) for line in group]
            text = "\n".join(t for t in text_lines if t)
            confidences += [p.word.confidence for line in group for p in line
                            if column(p) == c and p.word.confidence is not None]
            cells.append(Cell(text=text, bbox=frame.box_to_page((bounds[c], y0, bounds[c + 1], y1))))
        if any(c.text for c in cells):
            out_rows.append(ExtractedRow(page=page.number, cells=cells))
    if len(out_rows) < 2:
        return None
    top = min(p.y - p.h / 2 for p in lines[0])
    bottom = max(p.y + p.h / 2 for p in lines[-1])
    return ExtractedTable(
        document_id=document_id, page=page.number,
        bbox=frame.box_to_page((bounds[0], top, bounds[-1], bottom), inner=True),
        method="ocr-columns", rows=out_rows,
        confidence=round(statistics.fmean(confidences) / 100, 3) if confidences else None,
    )


def _column_bounds(lines: list[list[Placed]], height: float) -> list[float]:
    """Column boundaries: the middles of the vertical white rivers that (almost) no line's words cross.

    A column's ragged right edge or a word space is crossed by other lines; the space between two
    columns is crossed by none, or by the odd line that spills over (a heading, a long label).
    """
    left = int(min(p.x0 for line in lines for p in line))
    right = int(max(p.x1 for line in lines for p in line)) + 1
    cover = np.zeros(right - left, dtype=np.int32)
    for line in lines:
        inked = np.zeros(right - left, dtype=bool)
        for p in line:
            inked[max(0, int(p.x0) - left):max(0, int(p.x1) - left + 1)] = True
        cover += inked
    free = cover <= int(RIVER_CROSSINGS * len(lines))
    bounds = [float(left)]
    x, width = 0, len(free)
    while x < width:
        if not free[x]:
            x += 1
            continue
        start = x
        while x < width and free[x]:
            x += 1
        if x - start >= RIVER_EM * height and start > 0 and x < width:
            bounds.append(left + (start + x) / 2)
    bounds.append(float(right))
    return bounds


def _row_groups(lines: list[list[Placed]], column) -> list[list[list[Placed]]]:
    """Lines grouped into table rows, anchored on the first column (see column_tables).

    The first column's lines follow each other a leading apart inside a cell (the smallest step
    between them), and further apart between rows, by the cells' padding: a step longer than the
    leading by ROW_STEP_EM word heights starts a row. With no wrapped line every step is a row's.
    """
    firsts = [i for i, line in enumerate(lines) if any(column(p) == 0 for p in line)]
    if len(firsts) < 2:
        return [[line] for line in lines]
    centres = [statistics.fmean(p.y for p in lines[i] if column(p) == 0) for i in firsts]
    height = statistics.median(p.h for i in firsts for p in lines[i] if column(p) == 0)
    steps = [b - a for a, b in zip(centres, centres[1:])]
    leading = min(steps)
    starts = {firsts[0]} | {i for step, i in zip(steps, firsts[1:]) if step > leading + ROW_STEP_EM * height}
    if len(starts) == 1:  # every step alike: no wrapped lines to tell rows by, so each line is a row
        starts = set(firsts)
    groups: list[list[list[Placed]]] = []
    for i, line in enumerate(lines):
        if i in starts or not groups:
            groups.append([line])
        else:
            groups[-1].append(line)
    return groups
