"""OCR text of a monthly dataset, cut into raw rows (seed 003: `fixtures/papers/003-...-jun-18.txt`).

The OCR gives two shapes, often in one paper (seed-discrepancies §7.5):

* **line rows**: one printed line holds a whole row: code, name, outcome and commentary fragments
  and every figure ('LAC1 Number of Looked after Children ... 526 515 ... 534 = 2% = 2% v 521 534 -
  462 478 517 515 460 390'). A line with eight or more clean numbers is such a row; its code is its
  first token (or the first token of the line above or below, where the OCR put it).
* **column dumps**: each cell on a line of its own: the code, the name paragraph, the owners
  ('jane White', 'atherine Parkin'), the outcome paragraph, then one line per figure, then the
  commentary paragraphs. Column headers may be interleaved ('Jun-17' right before its value, 'Key to
  direction of travel' with its legend, 'Target 17- Target 18- Target 19-' then '18', '19', '20'):
  they are read as headers, and a month label right before a value pins that value to its month.

Nothing here reads a value; it only says which tokens belong to which row (dataset_fields does the rest).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.values import parse_value
from schemas import Page

from .dataset_codes import CodeBook, CodeReading
from .dataset_tokens import Tok, has_digit, is_change_like, is_glyph, is_local, is_month, value_class

HEADER = re.compile(
    r"""^(?:indicator|outcome|\(?what\s+impact.*|measures\s+have\s+on.*|children\)(?:\s+yr)?|
    %\s*change(?:\s+dot)?|from\s+previous|from\s+same|month(?:\s+prev\.?)?|yr|dot|
    12[\s-]*m(?:o|n)?n?th(?:\s+average)?|average|max\s+value(?:\s+\S)?|12-mnth|percentage|\?|
    stat\.?|neighbou?r|benchmarking|england|se\s*region|commentary.*|qualitative\s+measures:?|
    monthly\s+dataset|children\s+and\s+families|\(updated\b.*\)|key\s+to\s+direction.*|
    (?:target\s+\d\d\s*-\s*)+)$""",
    re.I | re.X,
)
TARGET_HEADER = re.compile(r"target\s*(\d\d)\s*-\s*(\d\d)?", re.I)
HEADER_WORDS = re.compile(r"\b(?:indicator|outcome|%\s*change|dot|12\s*-?\s*m\w*th|stat\.|england|"
                          r"se\s*region|target|commentary)\b", re.I)
OWNER = re.compile(r"^[A-Za-z][a-z]+ [A-Z][a-z]+$")
LEGEND_START = re.compile(r"key\s+to\s+direction", re.I)
POLARITY_WORDS = re.compile(r"^(?:positive|negative|high|low|higher|lower)$", re.I)
QUALIFIER = re.compile(r"^[({\[](?:val|%)[)}\]][-.,;:]*$", re.I)
LABEL_START = re.compile(r"^(?:number|percentage|rate|proportion|average|total|count|%)\b", re.I)
MIN_CLEAN = 8


@dataclass
class RawRow:
    page: int
    method: str  # 'ocr-text-lines' | 'ocr-text-columns'
    code: CodeReading | None
    code_line: int | None
    label: str
    label_lines: tuple[int, int]
    stream: list[Tok]
    anchors: dict[int, int] = field(default_factory=dict)  # stream index -> month index
    outcome: str | None = None
    commentary: str | None = None
    commentary_lines: tuple[int, int] | None = None
    polarity_text: str | None = None
    label_tokens: list[Tok] = field(default_factory=list)  # line rows: tokens a label may be cut from
    label_above: list[Tok] = field(default_factory=list)  # line rows: the line above, when a name starts there
    code_printed: str | None = None  # a code cell that could not be read as a code


@dataclass
class TextLayout:
    rows: list[RawRow]
    months: list[str]  # month labels seen in headers, in order of appearance
    target_periods: list[str]  # '17-18', '18-19', '19-20'
    benchmark_note: str | None
    title_month: str | None
    notes: list[str]


WINDOW = 16


def _is_clean_number(t: str) -> bool:
    v = parse_value(t)
    return v.value is not None and v.note is None and bool(re.fullmatch(r"[-+]?[\d,.]+%?", t))


def _clean_count(tokens: list[str]) -> int:
    """The most clean numbers in any run of WINDOW tokens ('|' ignored): a row of figures has eight
    or more even when OCR garbled a few cells between them."""
    flags = [_is_clean_number(t) for t in tokens if t.strip("|") != ""]
    best = 0
    for i in range(max(1, len(flags) - WINDOW + 1)):
        best = max(best, sum(flags[i:i + WINDOW]))
    return best


def split_tokens(line: str) -> list[str]:
    """A line's tokens, with cells OCR glued together by rules split apart ('Local_—_Local')."""
    out = []
    for t in line.split():
        out.extend(p for p in re.split(r"(?<=[A-Za-z])[_—–]+(?=[A-Za-z])", t) if p)
    return out


def learn_codes(pages: list[Page]) -> CodeBook:
    firsts = []
    for page in pages:
        for line in page.text.split("\n"):
            toks = line.split()
            if toks:
                firsts.append(toks[0])
    return CodeBook.learn(firsts)


def read_text(pages: list[Page], book: CodeBook | None = None) -> TextLayout:
    book = book or learn_codes(pages)
    rows: list[RawRow] = []
    months: list[str] = []
    targets: list[str] = []
    bench_note = None
    title_month = None
    notes: list[str] = []
    for page in pages:
        lines = page.text.split("\n")
        kinds = [_kind(line, book) for line in lines]
        for i, (line, kind) in enumerate(zip(lines, kinds)):
            if kind in ("header", "month", "target_header", "value_line") or HEADER_WORDS.search(line):
                months.extend(m.group(0) for m in re.finditer(
                    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*-\d\d\b", line, re.I)
                    if kind != "value_line" and not re.search(r"updated", line, re.I))
            if kind in ("target_header", "header") and not targets and TARGET_HEADER.search(line):
                targets = _target_periods(line, lines[i + 1:i + 12] if kind == "target_header" else [])
            if bench_note is None and re.match(r"^\(updated\b.*\)$", line.strip(), re.I):
                bench_note = line.strip()
            if title_month is None and kind == "month" and i < 10:
                title_month = line.strip()
        rows.extend(_page_rows(page, lines, kinds, book, months_hint=months))
    return TextLayout(rows=rows, months=months, target_periods=targets, benchmark_note=bench_note,
                      title_month=title_month, notes=notes)


def _target_periods(line: str, following: list[str]) -> list[str]:
    opened = TARGET_HEADER.findall(line)
    seconds = [f.strip() for f in following if f.strip()]
    out = []
    k = 0
    for first, second in opened:
        if not second:
            nxt = f"{(int(first) + 1) % 100:02d}"
            if k < len(seconds) and seconds[k] == nxt:
                k += 1
            second = nxt
        out.append(f"{first}-{second}")
    return out


def _kind(line: str, book: CodeBook) -> str:
    s = line.strip()
    if not s:
        return "blank"
    toks = s.split()
    if len(toks) >= MIN_CLEAN and _clean_count(toks) >= MIN_CLEAN:
        return "value_line"
    if is_month(s):
        return "month"
    if TARGET_HEADER.search(s) and s.lower().startswith("target"):
        return "target_header"
    if HEADER.match(s):
        return "header"
    if len(re.findall(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)-\d\d\b", s, re.I)) >= 3 \
            or len(HEADER_WORDS.findall(s)) >= 3:
        return "header"
    if len(toks) <= 3 and book.read(s) is not None:
        return "code"
    if OWNER.match(s):
        return "owner"
    if len(toks) == 1 and POLARITY_WORDS.match(s):
        return "polarity"
    if len(toks) == 1 and (value_class(s)[0] or is_glyph(s) or is_change_like(s) or is_local(s)):
        return "cell"
    return "text"


def _paragraphs(lines: list[str], kinds: list[str], lo: int, hi: int, want=("text",)) -> list[tuple[int, int]]:
    """(first, last) 0-based indices of runs of ``want`` lines in [lo, hi), split at any other line."""
    out, start = [], None
    for i in range(lo, hi):
        if kinds[i] in want:
            if start is None:
                start = i
        elif start is not None:
            out.append((start, i - 1))
            start = None
    if start is not None:
        out.append((start, hi - 1))
    return out


def _join(lines: list[str], a: int, b: int) -> str:
    text = " ".join(lines[i].strip() for i in range(a, b + 1) if lines[i].strip())
    return re.sub(r"\s+", " ", text).strip()


def _page_rows(page: Page, lines: list[str], kinds: list[str], book: CodeBook, months_hint) -> list[RawRow]:
    streams = _dump_streams(lines, kinds)
    value_lines = [i for i, k in enumerate(kinds) if k == "value_line"]
    # Every row, in printed order: ('dump', (start, end, cells)) or ('line', index)
    items = sorted([(s[0], "dump", s) for s in streams] + [(i, "line", i) for i in value_lines])
    rows: list[tuple[int, RawRow]] = []
    prev_end = -1
    prev_dump: RawRow | None = None
    for pos, (start, kind, payload) in enumerate(items):
        if kind == "line":
            row = _line_row(page, lines, kinds, payload, book, value_lines)
            _close_commentary(prev_dump, lines, kinds, prev_end + 1, start)
            prev_dump = None
            rows.append((start, row))
            prev_end = payload
            continue
        s_start, s_end, cells, anchors = payload
        row, region_first = _dump_row(page, lines, kinds, prev_end + 1, s_start, cells, anchors, book)
        _close_commentary(prev_dump, lines, kinds, prev_end + 1, region_first)
        rows.append((start, row))
        prev_dump, prev_end = row, s_end
    if prev_dump is not None:
        _close_commentary(prev_dump, lines, kinds, prev_end + 1, len(lines))
    rows.extend(_unread_rows(page, lines, kinds, book, rows))
    return [r for _s, r in sorted(rows, key=lambda x: x[0])]


def _unread_rows(page, lines, kinds, book: CodeBook, rows) -> list[tuple[int, RawRow]]:
    """Lines that start with a code and carry figures, but whose figures cannot be read as a row (cells
    merged or garbled): still a row of the paper, emitted with its code and name and no values."""
    used = {r.code_line for _s, r in rows if r.code_line} | {r.label_lines[1] for _s, r in rows}
    codes = {r.code.code for _s, r in rows if r.code}
    out = []
    for i, line in enumerate(lines):
        if kinds[i] not in ("text",) or (i + 1) in used:
            continue
        toks = [Tok(t, line=i + 1) for t in split_tokens(line)]
        code, n = _code_at(toks, book)
        if code is None or code.code in codes or sum(has_digit(t.text) for t in toks[n:]) < 4:
            continue
        label = []
        for t in toks[n:]:
            if has_digit(t.text) or not re.fullmatch(r"[(\[]?[A-Za-z][\w(),.:;/'’%+\-]*", t.text):
                break
            label.append(t.text)
        out.append((i, RawRow(page=page.number, method="ocr-text-lines", code=code, code_line=i + 1,
                              label=" ".join(label), label_lines=(i + 1, i + 1), stream=[])))
        codes.add(code.code)
    return out


def _close_commentary(row: RawRow | None, lines, kinds, lo: int, hi: int) -> None:
    """The text after a dump row's figures, up to the next row or header, is its commentary."""
    if row is None or lo >= hi:
        return
    end = hi
    for i in range(lo, hi):
        if kinds[i] in ("header", "value_line", "code", "month", "target_header") and i > lo:
            if kinds[i] == "header" and HEADER.match(lines[i].strip()) and re.match(r"commentary", lines[i].strip(), re.I):
                continue
            end = i
            break
    paras = _paragraphs(lines, kinds, lo, end, want=("text",))
    if not paras:
        return
    row.commentary = "\n".join(_join(lines, a, b) for a, b in paras)
    row.commentary_lines = (paras[0][0] + 1, paras[-1][1] + 1)


def _dump_streams(lines: list[str], kinds: list[str]):
    """Runs of one-figure-per-line cells: (first, last, cells, anchors), 0-based line indices."""
    out = []
    i, n = 0, len(lines)
    while i < n:
        if kinds[i] != "cell":
            i += 1
            continue
        cells: list[Tok] = []
        anchors: dict[int, int] = {}
        pending_month: str | None = None
        expected_years: list[str] = []
        legend = False
        j = i
        last_cell = i
        while j < n:
            k, s = kinds[j], lines[j].strip()
            if legend:
                if k in ("month", "code", "value_line") or (k == "cell" and has_digit(s) and not s.endswith("%")):
                    legend = False
                else:
                    j += 1
                    continue
            if k == "blank":
                j += 1
                continue
            if k == "header" and LEGEND_START.search(s):
                legend = True
                j += 1
                continue
            if k == "target_header":
                expected_years = [f"{(int(a) + 1) % 100:02d}" for a, b in TARGET_HEADER.findall(s) if not b]
                j += 1
                continue
            if expected_years and s == expected_years[0]:
                expected_years.pop(0)
                j += 1
                continue
            expected_years = []
            if k == "month":
                pending_month = s
                j += 1
                continue
            if k == "header" or (k == "polarity"):
                j += 1
                continue
            if k == "cell":
                if pending_month is not None:
                    anchors[len(cells)] = pending_month  # type: ignore[assignment]
                    pending_month = None
                cells.append(Tok(s, line=j + 1))
                last_cell = j
                j += 1
                continue
            break
        numeric = sum(1 for c in cells if has_digit(c.text) and value_class(c.text)[0] in ("num", "pct"))
        if numeric >= MIN_CLEAN:
            # the headers read after the last figure ('Target 17- ...', 'Commentary (Jun-18):') end the run too
            out.append((i, max(last_cell, j - 1), cells, anchors))
            i = j
        else:
            i = j if j > i else i + 1
    return out


def _dump_row(page, lines, kinds, lo: int, s_start: int, cells, anchors, book) -> tuple[RawRow, int]:
    owners = [i for i in range(lo, s_start) if kinds[i] == "owner"]
    paras = _paragraphs(lines, kinds, lo, owners[0] if owners else s_start)
    codes = [i for i in range(lo, s_start) if kinds[i] == "code"]
    label_para = None
    if owners:
        label_para = paras[-1] if paras else None
    elif codes:
        after = [p for p in paras if p[0] > codes[-1]]
        label_para = after[0] if after else None
    elif paras:
        label_para = paras[-1]
    label_first = label_para[0] if label_para else s_start
    code_idx = max((c for c in codes if c < label_first), default=None)
    region_first = min(x for x in (code_idx, label_first) if x is not None)
    outcome_paras = _paragraphs(lines, kinds, owners[-1] + 1, s_start) if owners else []
    polarity = next((lines[i].strip() for i in range(lo, s_start) if kinds[i] == "polarity"), None)
    row = RawRow(
        page=page.number, method="ocr-text-columns",
        code=book.read(lines[code_idx].strip()) if code_idx is not None else None,
        code_line=code_idx + 1 if code_idx is not None else None,
        label=_join(lines, *label_para) if label_para else "",
        label_lines=(label_para[0] + 1, label_para[1] + 1) if label_para else (s_start + 1, s_start + 1),
        stream=cells,
        anchors={k: v for k, v in anchors.items()},  # month labels; resolved to indices by the caller
        outcome=" ".join(_join(lines, a, b) for a, b in outcome_paras) or None,
        polarity_text=polarity,
    )
    return row, region_first


def _line_row(page, lines, kinds, i: int, book: CodeBook, value_lines: list[int]) -> RawRow:
    words = split_tokens(lines[i])
    toks = [Tok(t.lstrip("|[") if t.lstrip("|[") else t, line=i + 1) for t in words if t.strip("|[](){}")]
    code, used = _code_at(toks, book)
    code_line = i + 1 if code else None
    code_printed = None
    # a '|' column border within the first tokens closes the code cell: what stands before it is the code
    border = next((k for k, t in enumerate(words[:4]) if t.startswith("|") or t.endswith("|")), None)
    if code is None and border is not None:
        cell = words[:border + 1] if words[border].endswith("|") and words[border] != "|" else words[:border]
        cell_text = " ".join(w.strip("|") for w in cell).strip()
        if cell_text and len(cell_text) <= 12:
            code_printed = cell_text
            used = len([w for w in cell if w.strip("|[](){}")])
    if code is None:
        # the OCR may have put the code on the line above or below ('LAC11-QL' / '(%)')
        for j in (i - 1, i + 1, i - 2, i + 2):
            if abs(j - i) == 2 and 0 <= (i + j) // 2 < len(lines) and (i + j) // 2 in value_lines:
                continue
            numbers = sum(_is_clean_number(t) for t in lines[j].split()) if 0 <= j < len(lines) else 0
            if 0 <= j < len(lines) and j not in value_lines and kinds[j] != "header" and numbers < 4:
                other = [Tok(t, line=j + 1) for t in lines[j].split()]
                found, _ = _code_at(other, book)
                if found is not None:
                    code, code_line = found, j + 1
                    break
    if code is not None and "(" not in code.code:
        for j in (i, i + 1):
            if 0 <= j < len(lines):
                first = lines[j].split()[:1]
                if first and QUALIFIER.match(first[0]) and j != i:
                    q = "val" if "val" in first[0].lower() else "%"
                    code = CodeReading(code=f"{code.code} ({q})", printed=f"{code.printed} {first[0]}",
                                       changes=code.changes)
    above: list[Tok] = []
    j = i - 1
    if j >= 0 and j not in value_lines and kinds[j] not in ("header", "blank"):
        cand = [Tok(t, line=j + 1) for t in split_tokens(lines[j])]
        found, used_above = _code_at(cand, book)
        cand = cand[used_above:]
        if cand and LABEL_START.match(cand[0].text.lstrip("|[(")) and not (toks[used:] and LABEL_START.match(
                toks[used:][0].text)):
            above = cand
    return RawRow(page=page.number, method="ocr-text-lines", code=code, code_line=code_line, label="",
                  label_lines=(i + 1 - bool(above), i + 1), stream=toks[used:], label_tokens=toks[used:],
                  code_printed=code_printed, label_above=above)


def _code_at(toks: list[Tok], book: CodeBook) -> tuple[CodeReading | None, int]:
    if not toks:
        return None, 0
    if len(toks) >= 2 and QUALIFIER.match(toks[1].text.strip("|")):
        r = book.read(f"{toks[0].text} {toks[1].text.strip('|')}")
        if r is not None:
            return r, 2
    r = book.read(toks[0].text.strip("|"))
    if r is not None:
        return r, 1
    if "(" in toks[0].text:  # 'cPa(val)'
        r = book.read(toks[0].text)
        if r is not None:
            return r, 1
    return None, 0
