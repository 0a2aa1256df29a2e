"""Read table cells again, one image per cell, all of a page's cells in one or two Tesseract runs.

The page OCR reads a 6-7 pt table font on a blurred scan at 300 dpi; a cell read on its own, cut to its
ink, enlarged 2x and sharpened (unsharp mask: it undoes the scanner's blur) reads much better: on the
scanned scorecard '30%' came back as 'W%' and '36%' as 'B%' from the page, right from the cell. To pay
Tesseract's start-up once, not per cell, the cells are stacked into a sheet with white space between
them and the sheet is read as one block; each line read goes back to the cell it lies in.

Each reading keeps every word's confidence, so two readings of a cell can be merged word by word
(`merge`). Tesseract sometimes joins a figure to what follows it ('100%(5%'): a word is split where
its ink has a gap nearly as wide as the gaps between the words of its line, next to a digit or a sign
(image columns measure the gap, Tesseract's character boxes place the split). The gap between an item
number and a following '%' ('1 % repeat' read '1%') is too close to a digit's own side bearing on a
blurred scan to split this way; extractors.ocr_tables restores it from the numbering instead.
"""
from __future__ import annotations

import difflib
import re
import statistics
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html import unescape

import cv2
import numpy as np
import pytesseract
from PIL import Image, ImageFilter, ImageOps

from .ocr import LANG, PAGE_TIMEOUT

INK_LEVEL = 160  # grey level below which a cell pixel is ink
PAPER_LEVEL = 215  # lighter than this is paper: set to white before the contrast is stretched
SPECK_INCH = 0.012  # ink blobs smaller than this either way are noise
NEIGHBOUR_INCH = 0.02  # a small blob this close to text is part of it (a decimal point, an i's dot)
MARGIN_INCH = 0.02  # ink-tight crops keep this much white around the ink
SECOND_BELOW = 70.0  # a cell with a word read less surely than this is read a second way
SCALE = 2  # cells are read enlarged: small table fonts read better at ~600 dpi
GAP_INCH = 0.12  # white space between two cells on a sheet (before scaling)
SHEET_MAX_PIXELS = 12_000_000  # a sheet larger than this is split (Tesseract memory and time)
NUMERIC_CONFIG = "-c tessedit_char_whitelist=0123456789.,%-+()<>£$/"  # what figures are printed with
MARK_TRUST = 90.0  # a word read at least this surely keeps the marks at its edges
WORD_MARGIN = 10.0  # a word read differently is taken from the other reading when that much surer
MIN_WORD_GAPS = 2  # a line needs this many gaps between words to judge a gap inside a word ...
SPACE_SHARE = 0.85  # ... which is a space when at least this share of their median width


Token = tuple[str, float]  # a word as read, with Tesseract's confidence in it (0-100)


@dataclass
class Reading:
    """A cell as read: its lines, each a list of words with their confidences."""

    lines: list[list[Token]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(" ".join(w for w, _ in line) for line in self.lines if line)

    @property
    def confidences(self) -> list[float]:
        return [c for line in self.lines for _, c in line]

    @property
    def confidence(self) -> float:
        confidences = self.confidences
        return statistics.fmean(confidences) if confidences else -1.0


def tighten(crop: np.ndarray, dpi: int) -> np.ndarray | None:
    """The crop cut down to its ink (specks ignored) with a small margin; None when it holds no ink."""
    ink = (crop < INK_LEVEL).astype(np.uint8)
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    speck = max(2, int(SPECK_INCH * dpi))
    keep = [i for i in range(1, count) if max(stats[i][2], stats[i][3]) >= speck]
    if not keep:
        return None
    x0 = min(stats[i][0] for i in keep)
    y0 = min(stats[i][1] for i in keep)
    x1 = max(stats[i][0] + stats[i][2] for i in keep)
    y1 = max(stats[i][1] + stats[i][3] for i in keep)
    margin = max(2, int(MARGIN_INCH * dpi))
    return crop[max(0, y0 - margin):y1 + margin, max(0, x0 - margin):x1 + margin]


def flatten(crop: np.ndarray) -> np.ndarray:
    """Divide by the cell's own paper colour (its median), so a grey or coloured fill turns white behind its text."""
    paper = float(np.median(crop))
    if paper >= 250 or paper < 60:
        return crop
    return np.clip(crop.astype(np.float32) * (255.0 / paper), 0, 255).astype(np.uint8)


def despeckle(crop: np.ndarray, dpi: int) -> np.ndarray:
    """Whiten small isolated blobs (dust, noise) that would read as '.', ',' or '’'; a decimal point beside
    its digits is not isolated and stays."""
    ink = (crop < INK_LEVEL).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    speck = max(2, int(SPECK_INCH * dpi))
    small = [i for i in range(1, count) if max(stats[i][2], stats[i][3]) < speck]
    if not small:
        return crop
    big = np.isin(labels, [i for i in range(1, count) if max(stats[i][2], stats[i][3]) >= speck])
    reach = _odd(NEIGHBOUR_INCH * dpi)
    near = cv2.dilate(big.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_RECT, (reach, reach))) > 0
    kept = set(np.unique(labels[near]).tolist())
    isolated = [i for i in small if i not in kept]
    if not isolated:
        return crop
    out = crop.copy()
    out[np.isin(labels, isolated)] = 255
    return out


def _odd(n: float) -> int:
    n = max(3, int(round(n)))
    return n if n % 2 else n + 1


def prepare(crop: np.ndarray, dpi: int, *, sharpen: bool = True) -> Image.Image | None:
    """(From a flattened crop:) ink-tight, despeckled, contrast-stretched, enlarged and, unless `sharpen`
    is False, sharpened cell image; None when the cell is blank."""
    crop = despeckle(crop, dpi)
    tight = tighten(crop, dpi)
    if tight is None:
        return None
    tight = np.where(tight > PAPER_LEVEL, 255, tight).astype(np.uint8)  # faint rims and grain would darken below
    image = ImageOps.autocontrast(Image.fromarray(np.ascontiguousarray(tight), mode="L"), cutoff=1)
    scale = _scale(dpi)
    if scale > 1:
        image = image.resize((image.width * scale, image.height * scale), Image.BICUBIC)
    if sharpen:
        image = image.filter(ImageFilter.UnsharpMask(radius=2 * scale, percent=200, threshold=0))
    return image


def _scale(dpi: int) -> int:
    return SCALE if dpi < 450 else 1


def read_cells(crops: list[np.ndarray | None], dpi: int, *, sharpen: list[bool] | None = None,
               workers: int = 2) -> list[Reading]:
    """Read each crop (dark text on light, at `dpi`); blank or missing crops read as empty.

    Sharpening undoes a scanner's blur ('W%' -> '30%' on the scanned scorecard) but breaks up thin
    strokes of light-on-dark text once inverted ('Q1' -> 'Qi', read with confidence 90), so `sharpen`
    says which crops to sharpen (default all). A cell read with a word under SECOND_BELOW is read
    again the other way and the more confident reading kept.
    """
    sharpen = sharpen or [True] * len(crops)
    first = _read_all([prepare(c, dpi, sharpen=s) if c is not None else None for c, s in zip(crops, sharpen)],
                      dpi, workers)
    # Light text on a dark fill (sharpen False) reads unreliably either way: always try both.
    doubtful = [i for i, r in enumerate(first) if crops[i] is not None
                and (not sharpen[i] or (r.confidences and min(r.confidences) < SECOND_BELOW))]
    if doubtful:
        second = _read_all([prepare(crops[i], dpi, sharpen=not sharpen[i]) for i in doubtful], dpi, workers)
        for i, again in zip(doubtful, second):
            if again.text and again.confidence > first[i].confidence:
                first[i] = merge(again, first[i])
            elif again.text:
                first[i] = merge(first[i], again)
    return first


def _read_all(images: list[Image.Image | None], dpi: int, workers: int, *, config: str = "") -> list[Reading]:
    todo = [i for i, im in enumerate(images) if im is not None]
    readings = [Reading() for _ in images]
    if not todo:
        return readings
    chunks = _chunks(todo, images, max(1, workers))
    scale = _scale(dpi)
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(chunks))), thread_name_prefix="ocr-cells") as pool:
        results = pool.map(lambda ch: read_sheet([images[i] for i in ch], dpi * scale, config=config), chunks)
        for chunk, result in zip(chunks, results):
            for i, reading in zip(chunk, result):
                readings[i] = reading
    return readings


def _chunks(todo: list[int], images, workers: int) -> list[list[int]]:
    """Split the cells into about `workers` sheets of similar area, none over SHEET_MAX_PIXELS."""
    area = sum(images[i].width * images[i].height for i in todo)
    target = min(SHEET_MAX_PIXELS, max(area / workers, 1))
    chunks: list[list[int]] = [[]]
    size = 0.0
    for i in todo:
        a = images[i].width * images[i].height
        if chunks[-1] and size + a > target * 1.05:
            chunks.append([])
            size = 0.0
        chunks[-1].append(i)
        size += a
    return chunks


def read_numbers(crops: list[np.ndarray], dpi: int, *, workers: int = 2) -> list[Reading]:
    """Read cells that should hold a figure but read as none ('§3%', 'W%') again, sharpened, with
    Tesseract told to expect only the characters figures are printed with."""
    return _read_all([prepare(c, dpi) if c is not None else None for c in crops], dpi, workers, config=NUMERIC_CONFIG)


def read_sheet(images: list[Image.Image], dpi: int, *, config: str = "") -> list[Reading]:
    """Stack the images with white space between them, OCR once, and give each image its lines."""
    gap = max(20, int(GAP_INCH * dpi))
    width = max(im.width for im in images) + 2 * gap
    height = sum(im.height for im in images) + gap * (len(images) + 1)
    sheet = Image.new("L", (width, height), 255)
    spans = []
    y = gap
    for im in images:
        sheet.paste(im, (gap, y))
        spans.append((y, y + im.height))
        y += im.height + gap
    hocr = pytesseract.image_to_pdf_or_hocr(
        sheet, extension="hocr", config=f"--psm 6 --dpi {dpi} -c hocr_char_boxes=1 {config}".strip(), lang=LANG,
        timeout=PAGE_TIMEOUT,
    ).decode("utf-8")
    ink = np.asarray(sheet) < INK_LEVEL
    per_image: list[list[tuple[float, list[Token]]]] = [[] for _ in images]
    for line in parse_hocr(hocr):
        centre = (line.box[1] + line.box[3]) / 2
        index = next((i for i, (a, b) in enumerate(spans) if a - gap / 2 <= centre < b + gap / 2), None)
        if index is None:
            continue
        per_image[index].append((line.box[1], split_wide_gaps(line, ink)))
    out = []
    for lines in per_image:
        lines.sort(key=lambda item: item[0])
        out.append(Reading([words for _, words in lines if words]))
    return out


STRAY = ".,:;'‘’\"“”`|_-~^*»«"


def _key(token: str) -> str:
    return "".join(ch for ch in token.lower() if ch.isalnum())


def merge(primary: Reading, other: Reading) -> Reading:
    """`primary`, with its doubtful words checked against `other`, an independent reading of the same cell.

    Words are aligned on their letters and digits. Dust next to a word reads as '.', ',', '‘' or
    '|' in one reading but seldom in both: a mark at the edge of a word read with less than
    MARK_TRUST confidence is dropped when the other reading has the word without it, and a word
    that is only marks goes when the other reading has nothing there. Where the two read a word
    differently ('Alter' / 'After'), the clearly more confident reading of that word is kept.
    """
    lines = [list(line) for line in primary.lines]
    flat = [(i, j) for i, line in enumerate(lines) for j in range(len(line))]
    theirs = [tok for line in other.lines for tok in line]
    mine_keys = [_key(lines[i][j][0]) for i, j in flat]
    matcher = difflib.SequenceMatcher(a=mine_keys, b=[_key(t) for t, _ in theirs], autojunk=False)
    drop: set[tuple[int, int]] = set()
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "replace" and a1 - a0 != b1 - b0 and "".join(mine_keys[a0:a1]) == "".join(
                _key(t) for t, _ in theirs[b0:b1]):
            # The same characters cut into words differently ('77 4%' / '77.4%'): the surer reading.
            mine_block = [lines[i][j] for i, j in flat[a0:a1]]
            if statistics.fmean(c for _, c in theirs[b0:b1]) > statistics.fmean(c for _, c in mine_block) + WORD_MARGIN:
                first_i, first_j = flat[a0]
                lines[first_i][first_j] = (" ".join(t for t, _ in theirs[b0:b1]),
                                           statistics.fmean(c for _, c in theirs[b0:b1]))
                drop.update(flat[a0 + 1:a1])
            continue
        for k in range(a1 - a0):
            i, j = flat[a0 + k]
            word, conf = lines[i][j]
            if op == "equal":
                if conf < MARK_TRUST:
                    lines[i][j] = (_trim_like(word, theirs[b0 + k][0]), conf)
            elif not mine_keys[a0 + k] and all(ch in STRAY for ch in word):
                if conf < MARK_TRUST:
                    drop.add((i, j))  # only marks, and nothing like it in the other reading
            elif op == "replace" and a1 - a0 == b1 - b0:
                their_word, their_conf = theirs[b0 + k]
                if _key(their_word) and their_conf > conf + WORD_MARGIN:
                    lines[i][j] = (their_word, their_conf)
    out = [[tok for j, tok in enumerate(line) if (i, j) not in drop and tok[0]] for i, line in enumerate(lines)]
    return Reading([line for line in out if line])


def _trim_like(mine: str, theirs: str) -> str:
    """Drop leading and trailing stray marks of `mine` that `theirs` does not have at the same edge."""
    start = 0
    while start < len(mine) and mine[start] in STRAY and not theirs.startswith(mine[: start + 1]):
        start += 1
    end = len(mine)
    while end > start and mine[end - 1] in STRAY and not theirs.endswith(mine[end - 1:]):
        end -= 1
    return mine[start:end]


# --- hOCR ---------------------------------------------------------------------------------------


@dataclass
class HChar:
    text: str
    box: tuple[int, int, int, int]


@dataclass
class HWord:
    box: tuple[int, int, int, int]
    confidence: float
    chars: list[HChar] = field(default_factory=list)
    text: str = ""


@dataclass
class HLine:
    box: tuple[int, int, int, int]
    words: list[HWord] = field(default_factory=list)


_SPAN = re.compile(r"<span class='(ocr_line|ocrx_word|ocrx_cinfo|ocr_textfloat|ocr_header|ocr_caption)'[^>]*?"
                   r"title=[\"']([^\"']*)[\"'][^>]*>([^<]*)")
_BBOX = re.compile(r"(?:bbox|x_bboxes) (-?\d+) (-?\d+) (-?\d+) (-?\d+)")
_WCONF = re.compile(r"x_wconf (-?\d+(?:\.\d+)?)")


def parse_hocr(hocr: str) -> list[HLine]:
    """Lines, words and characters (with boxes) of Tesseract's hOCR output, in document order."""
    lines: list[HLine] = []
    for kind, title, content in _SPAN.findall(hocr):
        box_match = _BBOX.search(title)
        box = tuple(int(v) for v in box_match.groups()) if box_match else (0, 0, 0, 0)
        if kind in ("ocr_line", "ocr_textfloat", "ocr_header", "ocr_caption"):
            lines.append(HLine(box))
        elif kind == "ocrx_word" and lines:
            conf = _WCONF.search(title)
            lines[-1].words.append(HWord(box, float(conf.group(1)) if conf else 0.0))
        elif kind == "ocrx_cinfo" and lines and lines[-1].words:
            word = lines[-1].words[-1]
            char = unescape(content)
            word.chars.append(HChar(char, box))
            word.text += char
    for line in lines:
        line.words = [w for w in line.words if w.text.strip()]
    return [line for line in lines if line.words]


def split_wide_gaps(line: HLine, ink: np.ndarray) -> list[Token]:
    """The line's words, each split where its ink has a gap as wide as the gaps between the line's words."""
    words = sorted(line.words, key=lambda w: w.box[0])
    gaps = [b.box[0] - a.box[2] for a, b in zip(words, words[1:]) if b.box[0] > a.box[2]]
    if len(gaps) < MIN_WORD_GAPS:
        return [(w.text.strip(), w.confidence) for w in words if w.text.strip()]
    space = SPACE_SHARE * statistics.median(gaps)
    return [(piece, w.confidence) for w in words for piece in _split_word(w, ink, space)]


def _same_kind(a: str, b: str) -> bool:
    return (a.isdigit() and b.isdigit()) or (a.isalpha() and b.isalpha())


def _split_word(word: HWord, ink: np.ndarray, space: float) -> list[str]:
    x0, y0, x1, y1 = word.box
    if len(word.chars) < 2 or x1 - x0 < 2 * space:
        return [word.text.strip()] if word.text.strip() else []
    columns = ink[max(0, y0):y1, max(0, x0):x1].any(axis=0)
    cuts = []
    run_start = None
    for x, inked in enumerate(columns):
        if not inked and run_start is None:
            run_start = x
        elif inked and run_start is not None:
            if run_start > 0 and x - run_start >= space:
                cuts.append(x0 + (run_start + x) / 2)
            run_start = None
    if not cuts:
        return [word.text.strip()] if word.text.strip() else []
    pieces: list[str] = [""]
    cut_iter = iter(cuts)
    cut = next(cut_iter, None)
    previous = ""
    for char in word.chars:
        centre = (char.box[0] + char.box[2]) / 2
        crossed = False
        while cut is not None and centre > cut:
            crossed = True
            cut = next(cut_iter, None)
        # Only a gap next to a digit or a sign is taken for a lost space: between two digits it is a
        # wide digit's side bearing ('11'), and between two letters Tesseract's own spacing is better.
        if crossed and pieces[-1] and not _same_kind(previous, char.text[:1]):
            pieces.append("")
        pieces[-1] += char.text
        previous = char.text[-1:] if char.text else previous
    return [p.strip() for p in pieces if p.strip()]
