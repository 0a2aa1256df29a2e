"""Paragraphs of a paper's running text, for PDF pages (word boxes) and text pages (line numbers) alike.

A narrative report is read paragraph by paragraph: headings, list items and the prose between them.
This module turns a page's words into :class:`Para` records that keep, for every token, the word it
came from, so any span of a paragraph's text maps back to a box (PDF) or a line span (text).

* **PDF pages**: words are grouped into printed lines (:func:`extractors.lines.group_lines`), and lines
  into paragraphs by the white space between them (wider than the page's usual line gap), a change of
  font size, or a line that starts a list item. Page numbers in the top or bottom margin are dropped.
* **Text pages** (OCR text, Markdown-ish exports such as the seeds): a paragraph is a run of non-blank
  lines; a line that starts a list item or is a heading (``## ...``, a wholly bold ``**...**`` line)
  stands on its own. Markdown emphasis and HTML tags are stripped from tokens, and which tokens were
  bold is remembered (a bold span can separate an item's label from its commentary).
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from extractors.lines import group_lines
from schemas import BBox, LineSpan, Page, Provenance, Word

# A list-item marker at the start of a paragraph: a bullet, a number, or both ('• 1.', '- 1.', '2)', '(a)').
# Before a number, any lone symbol is a bullet: OCR reads '•' as '¢', '«', '°', '®' ... ('¢ 1.% Children').
MARKER = re.compile(
    r"^(?:(?P<bullet>[•●○◦▪■□➢➤►▸‣⁃∙·*\-–—]|o(?=\s)|[^\w\s\"“‘'(\[](?=\s*\d{1,2}[.)]))\s*)?"
    r"(?:(?P<num>\d{1,2}|[a-z]|[ivx]{1,4}|[A-Z])(?P<close>[.)])(?=\s|%(?!\d))"
    r"|\((?P<pnum>\d{1,2}|[a-z]|[ivx]{1,4})\)(?=\s))?"
    r"\s*"
)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_PAGE_FURNITURE = re.compile(r"^(?:page\s+)?\d{1,4}(?:\s+of\s+\d{1,4})?$|^-\s*\d{1,4}\s*-$", re.I)


def item_marker(text: str) -> re.Match[str] | None:
    """The list marker opening ``text``, or None. A bare letter needs a bullet-free ')' or '(a)' form,
    and a bullet alone counts ('• text'), so do numbers alone ('1. text', '2) text')."""
    m = MARKER.match(text)
    if not m or not (m["bullet"] or m["num"] or m["pnum"]):
        return None
    if m["num"] and not m["num"].isdigit() and m["close"] == "." and not m["bullet"]:
        # 'A. Smith', 'I. Introduction' are too ambiguous without a bullet; 'a)' and '(a)' are fine.
        if len(m["num"]) == 1 and m["num"].isupper():
            return None
    if m["bullet"] and m.end() >= len(text.strip()):
        return None
    return m


@dataclass
class Token:
    text: str  # cleaned: Markdown emphasis and HTML tags removed
    start: int  # offsets into Para.text
    end: int
    word: Word
    bold: bool = False


@dataclass
class Para:
    """One paragraph: its text (tokens joined by single spaces) and where each token was printed."""

    page: int
    tokens: list[Token]
    heading_mark: bool = False  # '## ...' or a wholly bold line (text); a larger font or ALL CAPS (PDF)
    line_count: int = 1
    source: str = "pdf"  # 'pdf' or 'text'
    raw: str = ""  # as printed, Markdown included (text pages) or joined lines (PDF)
    line_starts: list[int] = field(default_factory=list)  # offset in text where each printed line starts
    line_room: list[float] = field(default_factory=list)  # room left at the end of each printed line
    line_first: list[float] = field(default_factory=list)  # size of each line's first word (same units)
    text: str = field(init=False)

    def __post_init__(self) -> None:
        self.text = " ".join(t.text for t in self.tokens)

    # -- geometry ------------------------------------------------------------------------------
    def tokens_in(self, start: int, end: int) -> list[Token]:
        return [t for t in self.tokens if t.end > start and t.start < end]

    def bbox(self, start: int = 0, end: int | None = None) -> BBox | None:
        end = len(self.text) if end is None else end
        return BBox.union([t.word.bbox for t in self.tokens_in(start, end)])

    def lines(self, start: int = 0, end: int | None = None) -> LineSpan | None:
        end = len(self.text) if end is None else end
        numbers = [t.word.line for t in self.tokens_in(start, end) if t.word.line is not None]
        return LineSpan(start=min(numbers), end=max(numbers)) if numbers else None

    def provenance(self, document_id: str, method: str, start: int = 0, end: int | None = None,
                   raw_text: str | None = None) -> Provenance:
        end = len(self.text) if end is None else end
        box = self.bbox(start, end)
        return Provenance(document_id=document_id, page=self.page, bbox=box,
                          lines=self.lines(start, end) if box is None else None,  # a box (PDF) or lines (text)
                          raw_text=self.text[start:end] if raw_text is None else raw_text, method=method)

    def line_breaks(self) -> list[tuple[int, bool]]:
        """(offset where a printed line starts, whether its first word would have fitted on the line above).

        A word that would have fitted means the line above was ended on purpose (a label, then its
        commentary), not wrapped."""
        out = []
        for k, start in enumerate(self.line_starts[1:], start=1):
            if k < len(self.line_room) and k < len(self.line_first):
                out.append((start, self.line_room[k - 1] >= self.line_first[k] + self._space))
        return out

    @property
    def _space(self) -> float:
        return 1.0 if self.source == "text" else 3.0

    @property
    def all_bold(self) -> bool:
        return bool(self.tokens) and all(t.bold for t in self.tokens)


def paragraphs(pages: list[Page]) -> list[Para]:
    """Every paragraph of the paper in reading order."""
    out: list[Para] = []
    pdf_lines = {p.number: _pdf_lines(p) for p in pages if any(w.bbox is not None for w in p.words)}
    # The text column's right edge, over the whole paper: one short page must not make it narrow.
    right = max((ln.bbox.x1 for lines in pdf_lines.values() for ln in lines), default=None)
    for page in pages:
        if page.number in pdf_lines:
            out.extend(_pdf_paragraphs(page, pdf_lines[page.number], right))
        else:
            out.extend(_text_paragraphs(page))
    return out


# --------------------------------------------------------------------------- tokens


def _tokens(words: list[Word]) -> list[Token]:
    """Clean words into tokens with offsets. '**' / '__' toggle bold (Markdown), <b> ... </b> too;
    heading hashes, emphasis marks and HTML tags are dropped from the text."""
    bold = False
    tokens: list[Token] = []
    pos = 0
    for word in words:
        raw = word.text
        if not _SPECIAL.search(raw):  # the common case: a plain word
            if tokens:
                pos += 1
            tokens.append(Token(text=raw, start=pos, end=pos + len(raw), word=word, bold=bold))
            pos += len(raw)
            continue
        lead = _LEAD_MARKS.match(raw).group(0)
        for mark in _MARK.findall(lead):
            bold = (not bold) if mark in ("**", "__", "***", "___") else True
        during = bold
        trail = _TRAIL_MARKS.search(raw[len(lead):])
        if trail:
            for mark in _MARK.findall(trail.group(0)):
                if mark in ("**", "__", "***", "___"):
                    during = during or bold
                    bold = not bold
                else:
                    during, bold = True, False
        text = _TAG.sub("", raw)
        text = _EMPHASIS.sub("", text)
        if _HASHES.fullmatch(text):
            text = ""
        text = text.strip()
        if not text:
            continue
        if tokens:
            pos += 1
        tokens.append(Token(text=text, start=pos, end=pos + len(text), word=word, bold=during))
        pos += len(text)
    return tokens


_SPECIAL = re.compile(r"[*_<#&]|^\s|\s$")
_HASHES = re.compile(r"#+")
_MARK = re.compile(r"\*{2,3}|_{2,3}|</?b>|</?strong>", re.I)
_LEAD_MARKS = re.compile(r"^(?:#+\s*|\*{2,3}|_{2,3}|<b>|<strong>)*", re.I)
_TRAIL_MARKS = re.compile(r"(?:\*{2,3}|_{2,3}|</b>|</strong>)+[.,:;)\]]*$", re.I)
_EMPHASIS = re.compile(r"\*{2,3}|(?<![A-Za-z0-9])_{2,3}|_{2,3}(?![A-Za-z0-9])")


# --------------------------------------------------------------------------- PDF pages


@dataclass
class _PLine:
    words: list[Word]
    bbox: BBox
    height: float  # median word height: a superscript does not make a line taller

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def _pdf_lines(page: Page) -> list[_PLine]:
    lines = []
    for line in group_lines(page.words):
        words = sorted(line.words, key=lambda w: w.bbox.x0)
        if page.ocr:  # Tesseract word boxes are glyph-tight ('a' is shorter than 'h'): use the line's box
            height = line.bbox.bottom - line.bbox.top
        else:
            height = statistics.median(w.bbox.bottom - w.bbox.top for w in words)
        lines.append(_PLine(words, line.bbox, height))
    height = page.height or max((ln.bbox.bottom for ln in lines), default=0)
    kept = []
    for ln in lines:
        in_margin = height and (ln.bbox.bottom < 0.08 * height or ln.bbox.top > 0.9 * height)
        if in_margin and _PAGE_FURNITURE.match(ln.text.strip()):
            continue
        kept.append(ln)
    return kept


def _gap(upper: _PLine, lower: _PLine, body_height: float) -> float:
    """White space between two lines: from box to box, or from baseline to baseline less a line's height,
    whichever is smaller (a line of short letters, 'ever.', has a low top but an ordinary baseline)."""
    return min(lower.bbox.top - upper.bbox.bottom, lower.bbox.bottom - upper.bbox.bottom - body_height)


def _pdf_paragraphs(page: Page, lines: list[_PLine], right: float | None) -> list[Para]:
    if not lines:
        return []
    body_height = statistics.median(ln.height for ln in lines)
    # The white space between lines: small inside a paragraph, larger between paragraphs. (Measured as a gap,
    # not a pitch: OCR line boxes vary in height with the letters on the line.)
    gaps = [_gap(a, b, body_height) for a, b in zip(lines, lines[1:])]
    inside = [g for g in gaps if g < 0.4 * body_height]
    usual = statistics.median(inside) if inside else 0.1 * body_height
    limit = usual + 0.3 * body_height
    left = min(ln.bbox.x0 for ln in lines)
    width = max((right or max(ln.bbox.x1 for ln in lines)) - left, 1.0)
    groups: list[list[_PLine]] = []
    for i, line in enumerate(lines):
        if i == 0:
            groups.append([line])
            continue
        prev = lines[i - 1]
        new = (
            _gap(prev, line, body_height) > limit
            or item_marker(line.text) is not None
            or (not page.ocr and abs(line.height - prev.height) > max(0.5, 0.04 * body_height))
            or _lone_heading(prev.text) or _lone_heading(line.text)
        )
        if new:
            groups.append([line])
        else:
            groups[-1].append(line)
    paras = []
    for group in groups:
        words = [w for ln in group for w in ln.words]
        tokens = _tokens(words)
        if not tokens:
            continue
        height = statistics.median(ln.height for ln in group)
        letters = re.sub(r"[^A-Za-z]", "", " ".join(t.text for t in tokens))
        caps = len(letters) >= 2 and letters.isupper()
        bigger = not page.ocr and height > body_height + max(0.5, 0.04 * body_height)
        line_of = {id(w): k for k, ln in enumerate(group) for w in ln.words}
        starts = [t.start for i, t in enumerate(tokens)
                  if i == 0 or line_of[id(t.word)] != line_of[id(tokens[i - 1].word)]]
        room = [left + width - ln.bbox.x1 for ln in group]
        first = [ln.words[0].bbox.x1 - ln.words[0].bbox.x0 for ln in group]
        paras.append(Para(page=page.number, tokens=tokens, heading_mark=caps or bigger,
                          line_count=len(group), source="pdf", raw="\n".join(ln.text for ln in group),
                          line_starts=starts, line_room=room, line_first=first))
    return paras


# --------------------------------------------------------------------------- text pages

_MD_HEADING = re.compile(r"^\s*#{1,6}\s")
_BOLD_LINE = re.compile(r"^\s*(?:\*\*|__|<b>|<strong>)(?:(?!\*\*|__).)+(?:\*\*|__|</b>|</strong>)\s*[:.]?\s*$")


def _text_paragraphs(page: Page) -> list[Para]:
    by_line: dict[int, list[Word]] = {}
    for w in page.words:
        if w.line is not None:
            by_line.setdefault(w.line, []).append(w)
    raw_lines = page.text.split("\n")
    # The wrap width: the longest line (table rows, with tabs, left out).
    full = max((len(x.strip()) for x in raw_lines if x.strip() and "\t" not in x), default=1)
    paras: list[Para] = []
    group: list[int] = []

    def flush(heading: bool = False) -> None:
        if not group:
            return
        words = [w for n in group for w in by_line.get(n, [])]
        tokens = _tokens(words)
        if tokens:
            raw = "\n".join(raw_lines[n - 1] for n in group if n - 1 < len(raw_lines))
            starts = [t.start for i, t in enumerate(tokens) if i == 0 or t.word.line != tokens[i - 1].word.line]
            lines = [raw_lines[n - 1].strip() for n in group]
            para = Para(page=page.number, tokens=tokens, line_count=len(group), source="text", raw=raw,
                        line_starts=starts, line_room=[full - len(x) for x in lines],
                        line_first=[len(x.split()[0]) if x.split() else 0 for x in lines])
            para.heading_mark = heading or (len(group) == 1 and para.all_bold and len(tokens) <= 15)
            paras.append(para)
        group.clear()

    for number in range(1, len(raw_lines) + 1):
        raw = raw_lines[number - 1]
        if not raw.strip() or number not in by_line:
            flush()
            continue
        clean_line = " ".join(t.text for t in _tokens(by_line[number]))
        marked = bool(_MD_HEADING.match(raw) or _BOLD_LINE.match(raw))
        starts_item = item_marker(clean_line) is not None and not _MD_HEADING.match(raw)
        lone = _lone_heading(clean_line) or _caps_heading(clean_line) or (not group and _short_title(clean_line))
        if marked or lone:
            flush()
            group.append(number)
            flush(heading=marked)
            continue
        if starts_item or (group and "\t" in raw):
            flush()
        group.append(number)
        if "\t" in raw:  # a tab-separated row is a line of its own (a table row)
            flush()
    flush()
    return paras


# A short line that is only a RAG heading ('Red', 'AMBER:', 'Green indicators'): it never runs into
# the line after it, even without a blank line or a gap (OCR text often has neither).
_LONE_HEADING = re.compile(
    r"^[#*_\s]*(?:(?:indicators?|measures?|kpis?)\s+(?:rated\s+)?)?(?:red|amber|green)"
    r"(?:\s+(?:rated\s+)?(?:indicators?|measures?|kpis?))?\s*(?:\(\s*\d+\s*\))?[*_\s:]*$",
    re.I,
)


def _lone_heading(text: str) -> bool:
    return bool(_LONE_HEADING.match(text.strip()))


def _caps_heading(text: str) -> bool:
    """'NEXT STEPS', 'PERFORMANCE REPORT: CHILDREN'S SOCIAL CARE': a heading line in OCR text."""
    letters = re.sub(r"[^A-Za-z]", "", text)
    return len(letters) >= 3 and letters.isupper() and len(text.split()) <= 12 and not text.rstrip().endswith(".")


def _short_title(text: str) -> bool:
    """'Summary', 'Background', 'Key issues': a short capitalised line with no closing punctuation."""
    t = text.strip()
    words = t.split()
    return (0 < len(words) <= 4 and t[0].isupper() and not t.endswith((".", ",", ";", ":", "%"))
            and not re.search(r"\d", t))
