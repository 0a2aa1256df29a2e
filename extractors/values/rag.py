"""RAG ratings, polarity words and RAG rules stated in the paper.

>>> parse_rag("RED"), parse_rag("Gree n"), parse_rag("Arnber"), parse_rag("Red or Amber")
(<Rag.red: 'red'>, <Rag.green: 'green'>, <Rag.amber: 'amber'>, None)
>>> parse_polarity("Good to be Low"), parse_polarity("Positive")
(<Polarity.lower_better: 'lower_better'>, None)
>>> r = parse_rag_rule("(86%-100% = Green, less than 86% = Amber, less than 77.4% = Red)")
>>> r.green_from, r.red_below
(86.0, 77.4)
"""
from __future__ import annotations

import math
import re

from schemas import Polarity, Rag, RagRule

from .text import clean

# --------------------------------------------------------------------------- RAG

_RAG_WORDS = {"red": Rag.red, "amber": Rag.amber, "green": Rag.green}
_RAG_LETTERS = {"r": Rag.red, "a": Rag.amber, "g": Rag.green}
# Coloured glyphs some dashboards print instead of words.
_RAG_GLYPHS = {"🔴": Rag.red, "🟥": Rag.red, "🟠": Rag.amber, "🟡": Rag.amber, "🟧": Rag.amber,
               "🟨": Rag.amber, "🟢": Rag.green, "🟩": Rag.green}

# OCR confusions inside words, undone before comparing: 'Arnber' (rn for m), '6reen', 'Gr33n'.
_OCR_FOLDS = [("rn", "m"), ("vv", "w"), ("0", "o"), ("6", "g"), ("3", "e"), ("1", "l"), ("€", "e")]

# Words that may follow a rating in the same cell without changing it.
_RAG_TRAILER = re.compile(r"^(?:rag|rating|rated|status|performance|\W)*", re.IGNORECASE)


def _edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Levenshtein distance, giving up (returning limit + 1) once it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def _word_rag(word: str) -> Rag | None:
    """One letters-only word -> a rating, allowing OCR folds and one typo in long words."""
    w = word.lower()
    if w in _RAG_WORDS:
        return _RAG_WORDS[w]
    for a, b in _OCR_FOLDS:
        w = w.replace(a, b)
    if w in _RAG_WORDS:
        return _RAG_WORDS[w]
    # One edit for the five-letter words only: 'Gren', 'Amher'. 'red' is too short to guess at
    # ('rod', 'rea' are not ratings).
    hits = {_RAG_WORDS[k] for k in ("amber", "green") if len(w) >= 4 and _edit_distance(w, k, 1) <= 1}
    return hits.pop() if len(hits) == 1 else None


def parse_rag(text: str | None) -> Rag | None:
    """The rating a RAG cell gives, or None if it gives none or more than one.

    Accepts 'Red', 'RED', 'R', 'Amber', 'A', 'G', '(Green)', 'Green - on track', coloured
    glyphs, letter-spaced OCR ('Gree n') and OCR-damaged words ('Arnber', '6reen').

    >>> [parse_rag(t) for t in ["A", "g", "Amber", "RAG: Red", "Latest performance (RAG)", "n/a"]]
    [<Rag.amber: 'amber'>, <Rag.green: 'green'>, <Rag.amber: 'amber'>, <Rag.red: 'red'>, None, None]
    """
    try:
        s = clean(text)
    except Exception:  # pragma: no cover
        return None
    if not s or len(s) > 80:
        return None
    glyphs = {r for g, r in _RAG_GLYPHS.items() if g in s}
    if len(glyphs) == 1 and not re.search(r"[A-Za-z]{3,}", s):
        return glyphs.pop()
    s = re.sub(r"^(?:rag|rating|status|current\s+rag|latest\s+rag)\s*[:=-]?\s*", "", s, flags=re.I)
    s = s.strip(" ()[]{}.:;,-*")
    # A single letter ('R', 'A', 'G').
    if len(s) == 1:
        return _RAG_LETTERS.get(s.lower())
    # The whole cell, letters only: catches 'Gree n', 'G R E E N'.
    letters = re.sub(r"[^A-Za-z0-9€]", "", s)
    whole = _word_rag(letters)
    if whole is not None:
        return whole
    # Otherwise the first word decides, provided no other rating word is in the cell.
    words = re.findall(r"[A-Za-z0-9€]+", s)
    if not words:
        return None
    first = _word_rag(words[0])
    if first is None:
        return None
    others = {_word_rag(w) for w in words[1:]} - {None}
    if others - {first}:
        return None  # 'Red or Amber', 'Amber/Green'
    return first


# --------------------------------------------------------------------------- polarity

_LOW = r"(?:low(?:er)?|small(?:er)?|less|fewer|decreas\w*|reduc\w*|down|minimi[sz]\w*)"
_HIGH = r"(?:high(?:er)?|big(?:ger)?|large(?:r)?|more|greater|increas\w*|up|maximi[sz]\w*)"
_GOOD = r"(?:good|better|best|positive|desirable)"

_POLARITY_PATTERNS: list[tuple[re.Pattern[str], Polarity]] = [
    (re.compile(p, re.IGNORECASE), pol)
    for p, pol in [
        (rf"(?:good\s+to\s+be\s+|aim\s+(?:to\s+(?:be\s+)?)?|aim\s+for\s+)?{_LOW}", Polarity.lower_better),
        (rf"(?:good\s+to\s+be\s+|aim\s+(?:to\s+(?:be\s+)?)?|aim\s+for\s+)?{_HIGH}", Polarity.higher_better),
        (rf"(?:a\s+)?{_LOW}(?:\s+(?:value|number|figure|rate|score|is|are))*\s+(?:is\s+|are\s+)?{_GOOD}",
         Polarity.lower_better),
        (rf"(?:a\s+)?{_HIGH}(?:\s+(?:value|number|figure|rate|score|is|are))*\s+(?:is\s+|are\s+)?{_GOOD}",
         Polarity.higher_better),
        (r"(?:contextual|neutral|no\s+polarity|neither|not\s+applicable|context|n/a)", Polarity.contextual),
    ]
]


def parse_polarity(text: str | None) -> Polarity | None:
    """Polarity from a 'Good to be' cell or a phrase such as '(good to be low)'.

    'Positive' and 'Negative' return None on purpose: in seed 003 'Positive' sits in an
    unlabelled column next to a *count* of contacts, which has no good direction, so it is
    not a polarity we can trust (it may be a measure type or a direction-of-travel key).
    Arrows ('↑') are direction of travel, not polarity, and also give None.

    >>> [str(parse_polarity(t)) for t in ["Low", "High", "(good to be low)", "Higher is better", "-"]]
    ['lower_better', 'higher_better', 'lower_better', 'higher_better', 'None']
    >>> parse_polarity("a low value is good"), parse_polarity("Contextual")
    (<Polarity.lower_better: 'lower_better'>, <Polarity.contextual: 'contextual'>)
    """
    try:
        s = clean(text).strip(" ()[]{}.:;,*").lower()
    except Exception:  # pragma: no cover
        return None
    if not s or len(s) > 60:
        return None
    s = re.sub(r"^(?:polarity|good\s+to\s+be)\s*[:=-]\s*", "", s)
    for pattern, pol in _POLARITY_PATTERNS:
        if pattern.fullmatch(s):
            return pol
    return None


# --------------------------------------------------------------------------- RAG rules

_NUM = r"(?P<{n}>[+-]?\d+(?:\.\d+)?)\s*%?"
_COLOUR = r"(?P<colour>red|amber|green)"
_BAND_BETWEEN = re.compile(_NUM.format(n="lo") + r"\s*(?:-|to)\s*" + _NUM.format(n="hi"), re.I)
_BAND_BELOW = re.compile(r"(?:less\s+than|lower\s+than|below|under|<)\s*" + _NUM.format(n="hi"), re.I)
_BAND_BELOW_INCL = re.compile(r"(?:<=|≤|up\s+to|at\s+most|no\s+more\s+than)\s*" + _NUM.format(n="hi")
                              + r"|" + _NUM.format(n="hi2") + r"\s*or\s+(?:less|below|lower|under)", re.I)
_BAND_ABOVE = re.compile(r"(?:more\s+than|greater\s+than|higher\s+than|above|over|>)\s*" + _NUM.format(n="lo"), re.I)
_BAND_ABOVE_INCL = re.compile(r"(?:>=|≥|at\s+least|no\s+less\s+than)\s*" + _NUM.format(n="lo")
                              + r"|" + _NUM.format(n="lo2")
                              + r"\s*(?:or|and)\s+(?:more|above|over|higher|better)", re.I)

def _band(text: str) -> tuple[float, float] | None:
    """A band as (low, high); open ends are -inf / +inf."""
    for rx, lo_hi in ((_BAND_BETWEEN, None), (_BAND_BELOW_INCL, "below"), (_BAND_BELOW, "below"),
                      (_BAND_ABOVE_INCL, "above"), (_BAND_ABOVE, "above")):
        m = rx.search(text)
        if not m:
            continue
        g = {k: v for k, v in m.groupdict().items() if v is not None}
        if lo_hi is None:
            lo, hi = float(g["lo"]), float(g["hi"])
            return (min(lo, hi), max(lo, hi))
        if lo_hi == "below":
            return (-math.inf, float(g.get("hi", g.get("hi2"))))
        return (float(g.get("lo", g.get("lo2"))), math.inf)
    return None


# A rule is a list of clauses separated by ',', ';' or brackets; each clause is
# '<band> = <Colour>' or '<Colour> = <band>' / '<Colour>: <band>'. Clauses are matched one at a
# time, anchored and at most _MAX_CLAUSE long, so the work stays linear in the text's length.
_CLAUSE = re.compile(r"[^,;()]+")
_MAX_CLAUSE = 80
_CLAUSE_BAND_FIRST = re.compile(r"^\s*(?P<band>[^=]*?\d[^=]*?)\s*=\s*" + _COLOUR + r"\b[\s.]*$", re.I)
_CLAUSE_COLOUR_FIRST = re.compile(r"^\s*" + _COLOUR + r"\s*[:=]\s*(?P<band>[^=]*?\d[^=]*?)[\s.]*$", re.I)


def _rule_clauses(s: str):
    """(span, colour, band) for every clause of ``s`` that reads as a RAG band."""
    for cm in _CLAUSE.finditer(s):
        clause = cm.group(0)
        if len(clause) > _MAX_CLAUSE or "=" not in clause and ":" not in clause:
            continue
        m = _CLAUSE_BAND_FIRST.match(clause) or _CLAUSE_COLOUR_FIRST.match(clause)
        if m is None:
            continue
        band = _band(m.group("band"))
        if band is not None:
            lead = len(clause) - len(clause.lstrip())
            yield (cm.start() + lead, cm.end()), m.group("colour").lower(), band


def rag_bands(text: str | None) -> dict[str, tuple[float, float]]:
    """Every '<band> = <Colour>' clause in a text, as colour -> (low, high).

    >>> rag_bands("86%-100% = Green, less than 86% = Amber, less than 77.4% = Red")
    {'green': (86.0, 100.0), 'amber': (-inf, 86.0), 'red': (-inf, 77.4)}
    """
    bands: dict[str, tuple[float, float]] = {}
    for _span, colour, band in _rule_clauses(clean(text)):
        bands.setdefault(colour, band)
    return bands


def rag_rule_span(text: str | None) -> tuple[int, int] | None:
    """Where the RAG clauses sit in ``clean(text)``: (start, end), or None."""
    spans = [span for span, _c, _b in _rule_clauses(clean(text))]
    if not spans:
        return None
    return min(a for a, _ in spans), max(b for _, b in spans)


def parse_rag_rule(text: str | None) -> RagRule | None:
    """A higher-is-better RAG rule stated in the paper, e.g. seed 000's
    '(86%-100% = Green, less than 86% = Amber, less than 77.4% = Red)'.

    ``RagRule`` has ``green_from`` and ``red_below`` only, so it can state a higher-is-better
    rule. A lower-is-better rule ('0-20% = Green, more than 25% = Red') returns None; the text
    stays with the caller (``ParsedBenchmarks.note``).

    >>> parse_rag_rule("Green: 95% or more; Amber: 85% to 95%; Red: below 85%").red_below
    85.0
    >>> parse_rag_rule("0-20% = Green, more than 25% = Red") is None
    True
    """
    try:
        bands = rag_bands(text)
    except Exception:  # pragma: no cover
        return None
    green, red = bands.get("green"), bands.get("red")
    if not green or not red:
        return None
    # Higher is better: green is bounded below, red is open below.
    if math.isinf(green[0]) or not math.isinf(red[0]) or math.isinf(red[1]):
        return None
    if red[1] > green[0]:
        return None
    span = rag_rule_span(text)
    s = clean(text)
    rule_text = s[span[0]:span[1]] if span else s
    return RagRule(green_from=green[0], red_below=red[1], text=rule_text.strip(" ().;,"))
