"""Text clean-up shared by every parser.

Two kinds of clean-up exist because callers need two different things:

* :func:`mask_markup` keeps every character position, so spans found in the cleaned text
  point into the text as printed (``find_periods`` returns such spans);
* :func:`clean` also folds whitespace and decodes entities: for parsing a whole cell.

>>> clean("<p>Statistical&nbsp;Neighbours  (21%)</p>")
'Statistical Neighbours (21%)'
>>> mask_markup("12 <sup>th</sup> May") == "12      th       May"
True
>>> normalise_dashes("\u22123%")
'-3%'
"""
from __future__ import annotations

import html
import re

# Tags as the seeds carry them: <p>, </p>, <b>, <sup>th</sup>, <br/>. A lone '<' in prose
# ("<14 months") must survive, so a tag needs a letter or '/' straight after '<'.
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")

# Every dash-like character papers and OCR produce for a minus sign or a range dash.
DASHES = "\u2212\u2010\u2011\u2012\u2013\u2014\u2015\ufe63\uff0d"
_DASH_TABLE = str.maketrans({c: "-" for c in DASHES})

# Spaces that are not ' ' (no-break, thin, figure, ...). Kept one-for-one so spans hold.
_SPACES = "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t\r\n\f\v"
_SPACE_TABLE = str.maketrans({c: " " for c in _SPACES})

_WS = re.compile(r"\s+")


def mask_markup(text: str) -> str:
    """Blank out HTML tags with spaces, keeping the length and every position.

    >>> mask_markup("<p>Low</p>")
    '   Low    '
    """
    return _TAG.sub(lambda m: " " * len(m.group(0)), text)


def normalise_dashes(text: str) -> str:
    """Map every dash-like character to '-' (same length: spans hold).

    >>> normalise_dashes("2014\u201316")
    '2014-16'
    """
    return text.translate(_DASH_TABLE)


def normalise_spaces(text: str) -> str:
    """Map exotic spaces, tabs and newlines to ' ' (same length: spans hold)."""
    return text.translate(_SPACE_TABLE)


def span_safe(text: str) -> str:
    """Everything that keeps positions: markup masked, dashes and spaces normalised."""
    return normalise_spaces(normalise_dashes(mask_markup(text)))


def fold_ws(text: str) -> str:
    """Collapse runs of whitespace to one space and strip the ends.

    >>> fold_ws("  a \\n b  ")
    'a b'
    """
    return _WS.sub(" ", text).strip()


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """Fold whitespace runs to one space, and map every folded position back to the original.

    ``positions[i]`` is the index in ``text`` of folded character ``i``; a span (s, e) of the
    folded text is ``(positions[s], positions[e - 1] + 1)`` in ``text``. Regexes run on the folded
    text never meet long runs of spaces (which make patterns like ``\\s*(st)?\\s+`` slow).

    >>> fold_with_map("a    b ")
    ('a b ', [0, 1, 5, 6])
    """
    out: list[str] = []
    positions: list[int] = []
    prev_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if prev_space:
                continue
            out.append(" ")
            prev_space = True
        else:
            out.append(ch)
            prev_space = False
        positions.append(i)
    return "".join(out), positions


def clean(text: str | None) -> str:
    """Markup removed, entities decoded, dashes and spaces normalised, whitespace folded.

    Never raises; ``None`` becomes ''.

    >>> clean(None)
    ''
    >>> clean("<p>\u2212 8&#37;</p>")
    '- 8%'
    """
    if not text:
        return ""
    text = _TAG.sub(" ", str(text))
    text = html.unescape(text)
    return fold_ws(normalise_spaces(normalise_dashes(text)))
