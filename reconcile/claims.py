"""Claims from commentary: what a council's commentary says about its figures, as structured records.

>>> from datetime import date
>>> text = ("<p>At the end of Quarter 4 our performance is 36%. This is above the 20% target and above our "
...         "Statistical Neighbours (21%), the South East (26%) and National (22%) averages.</p>")
>>> [(c.kind.value, c.relation, c.comparator and c.comparator.value, c.comparator_value, c.value)
...  for c in extract_claims(text, context_date=date(2018, 6, 1))]  # doctest: +NORMALIZE_WHITESPACE
[('value', None, None, None, 36.0), ('comparison', 'above', 'target', 20.0, 36.0),
 ('comparison', 'above', 'stat_neighbours', 21.0, 36.0), ('comparison', 'above', 'region', 26.0, 36.0),
 ('comparison', 'above', 'england', 22.0, 36.0)]

A pure library: no I/O, no models, deterministic. Rules in ``reconcile/rules/`` read the claims and
judge them against the table; nothing here decides whether a claim is true.

Kinds of claim:

* ``value``: a figure and what it is of ('90% of Children in Need were seen in the last 6 weeks');
* ``comparison``: a relation to a comparator, one claim per comparator ('above our Statistical
  Neighbours (21%), the South East (26%) ...'), with the gap when printed ('5% below the target of 95%');
* ``change``: a direction over time ('a slight decrease', 'has increased by 2 percentage points',
  'remained static', 'is higher this month', 'has resulted in improved timescales');
* ``achievement``: a target met or missed ('has achieved our target of 18% (good to be low)');
* ``count``: a number of things ('three red indicators', 'All the 9 children ...', 'Of these, 4 ...');
* ``threshold``: a time or distance stated as a requirement ('must take place within 20 working days');
* ``definition``: what the indicator measures ('This indicator measures the proportion of ...').

Conventions a rule must know:

* ``value`` is the council's own figure the claim is about: printed in the claim, or taken from the
  claim it refers to (``antecedent``; ``value_from_antecedent``) when the subject is 'This', 'which',
  'Our performance' ...;
* ``subject`` is None when the sentence names nothing (the row's own measure); a pronoun subject is
  replaced by its antecedent's; ``subject_is_generic`` marks 'Our performance', 'the rate', 'We';
* 'higher / lower / above / below' are direction-neutral; 'better / worse' need the polarity.
  ``performance_language`` marks 'Performance is below target', which may mean 'worse than' (T4);
* a gap between two levels printed in % ('5% below the tolerance target of 95%', '1.7% lower than')
  is read in points (``size_is_points``); a change printed in % with no 'points' ('decreased by 26%',
  'decrease (48%)') has ``size_is_points`` None: relative or points, the rule decides from the unit;
* ``period`` is the claim's own period; a period the claim is compared with ('from 2017', 'as in
  2016', 'since last year') is ``comparator_period``; ``period_is_past`` is set by explicit markers
  ('previously', 'historically') and by 'since <period>' on claims that are not changes;
* ``modality`` 'future' marks hopes and forecasts ('will', 'anticipated', 'should be seen'): not
  claims about the figures; purpose clauses ('to improve', 'in order to meet the target') give none.

Modules: :mod:`.claims_model` (the records), :mod:`.claims_lexicon` (named grammar parts),
:mod:`.claims_parse` (sentences, clauses, subjects, comparator lists), :mod:`.claims_readers` (one reader
per kind of claim), :mod:`.claims_link` (antecedents, inherited and joint subjects, periods, markers).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from . import claims_parse as P
from .claims_link import State, link, read_sentence
from .claims_model import Claim, ClaimComparator, ClaimKind

__all__ = ["Claim", "ClaimComparator", "ClaimKind", "extract_claims", "split_sentences"]


# --------------------------------------------------------------------------- sentences

_ABBREV = frozenset(
    "e.g eg i.e ie etc vs cf no nos approx c ca cllr mr mrs ms dr st prof fig figs ref para paras inc ltd dept govt"
    " stat nat est incl excl av avg jan feb mar apr jun jul aug sep sept oct nov dec p pp vol op al n.b nb".split()
)
_BLOCK_TAG = re.compile(r"</?(?:p|br|li|ul|ol|div|h[1-6]|tr|td|th|table|section|blockquote)\b[^<>]*>", re.I)
_PARA_BREAK = re.compile(r"\n[ \t]*\n")
_LINE_BULLET = re.compile(r"\n[ \t]*(?=[-*•►▶▪]\s|\d{1,2}[.)]\s|#)")
_END = re.compile(r"[.!?]+['\")\]*]*(?=\s|$)")
_HEADING_END = re.compile(r"(?:\*\*|__|:|#.*)\s*$")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*|\d+)$")
_LIST_NUMBER = re.compile(r"(?:^|\n)[ \t]*(?:[-*•#]+\s*)?(?:\*\*)?\s*\d{1,2}$")


@dataclass(frozen=True)
class _Sentence:
    start: int
    end: int
    para: int


def _is_boundary(safe: str, m: re.Match[str]) -> bool:
    i = m.start()
    if safe[i] != ".":
        return True
    nxt = re.compile(r"\s*(\S)").match(safe, m.end())
    if not nxt:
        return True
    ch = nxt.group(1)
    wm = _WORD_BEFORE.search(safe, max(0, i - 24), i)
    word = wm.group(1) if wm else ""
    low = word.lower().rstrip(".")
    if word.isdigit() and _LIST_NUMBER.search(safe, 0, i):
        return False  # '1. % Children in Care ...'
    if low in _ABBREV and not (low == "etc" and ch.isupper()):
        return False
    if re.fullmatch(r"[A-Z]", word) and ch.isupper():
        return False  # an initial: 'J. Smith'
    if ch.islower():
        return bool(re.fullmatch(r"[A-Za-z]{2,}", word))
    return True


def _sentences(text: str, safe: str) -> list[_Sentence]:
    cuts: dict[int, bool] = {}  # position -> starts a new paragraph
    for m in _BLOCK_TAG.finditer(text):
        cuts[m.start()] = True
        cuts[m.end()] = True
    for m in _PARA_BREAK.finditer(text):
        cuts[m.start()] = True
    for m in _LINE_BULLET.finditer(text):
        cuts.setdefault(m.start(), False)
    # a single line break ends a sentence next to a table row (tabs), after a heading, before a bullet
    lines = text.split("\n")
    pos = 0
    for k, line in enumerate(lines[:-1]):
        pos += len(line) + 1
        nxt = lines[k + 1]
        if "\t" in line or "\t" in nxt or _HEADING_END.search(line) or re.match(r"\s*(?:\*\*|#)", nxt):
            cuts.setdefault(pos - 1, False)
    for m in _END.finditer(safe):
        if _is_boundary(safe, m):
            cuts.setdefault(m.end(), False)
    out: list[_Sentence] = []
    para, prev = 0, 0
    for pos in sorted(cuts) + [len(text)]:
        if pos <= prev:
            if cuts.get(pos):
                para += 1 if out and out[-1].para == para else 0
            continue
        a, b = prev, pos
        while a < b and safe[a].isspace():
            a += 1
        while b > a and safe[b - 1].isspace():
            b -= 1
        if b > a and re.search(r"[A-Za-z0-9]", safe[a:b]):
            out.append(_Sentence(a, b, para))
        if cuts.get(pos):
            para += 1 if out and out[-1].para == para else 0
        prev = pos
    return out


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of a commentary, robust to '<p>' tags, '%', decimals,
    abbreviations ('e.g.', 'No.'), list numbers ('1. % Children ...') and OCR line breaks.

    >>> t = "<p>At the end of Quarter 4 our performance is 36.5%. This is e.g. above target.</p>"
    >>> [t[a:b] for a, b in split_sentences(t)]
    ['At the end of Quarter 4 our performance is 36.5%.', 'This is e.g. above target.']
    """
    if not text:
        return []
    text = str(text)
    return [(s.start, s.end) for s in _sentences(text, P.safe_text(text))]


# --------------------------------------------------------------------------- extraction

def extract_claims(commentary: str | None, *, context_date: date | None = None) -> list[Claim]:
    """Every claim in a commentary, in reading order. Never raises: a sentence the grammar cannot
    read gives no claims.

    ``context_date`` resolves yearless periods ('At the end of Quarter 4', 'At the end of April',
    'this month'); pass the end of the reporting period (or the paper's date).
    """
    try:
        return _extract(commentary, context_date, strict=False)
    except Exception:  # pragma: no cover - the property tests call _extract(strict=True) directly
        return []


def _extract(commentary: str | None, context_date: date | None, *, strict: bool) -> list[Claim]:
    if not commentary:
        return []
    text = str(commentary)[:200_000]
    safe = P.safe_text(text)
    out: list[Claim] = []
    state = State()
    for index, sent in enumerate(_sentences(text, safe)):
        if text.count("\t", sent.start, sent.end) >= 2:
            continue  # a table row caught in the commentary: its cells are not claims
        try:
            s = P.Sent(safe, sent.start, sent.end, index=index, para=sent.para, context=context_date)
            drafts = read_sentence(s)
            out += link(s, text, drafts, out, state)
        except Exception:
            if strict:
                raise
    return out
