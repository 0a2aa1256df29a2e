"""The readers behind :func:`reconcile.claims.extract_claims`: each turns a clause into draft claims.

They run in this order on every clause, and each consumes the words it reads so no number is read twice:

1. definitions ('This indicator measures ...');
2. achievements ('has achieved our target of 18%', 'on target', 'missed its target');
3. comparisons: a relation word ('above', 'lower than', 'equal to', 'in line with' ...) followed by
   a list of comparators, each with or without its value; a gap before the relation ('5% below') is kept;
4. changes: nouns ('a slight decrease in contacts'), verbs ('has increased by 2 percentage points
   to 78%'), 'remained static', bare comparatives against time ('is higher this month');
5. values ('N% of <subject>', '<subject> is N%', '(23%)');
6. counts ('three red indicators', 'All the 9 children', 'Of these, 4 are ...', 'Two of the eight');
7. thresholds stated as requirements ('must take place within 20 working days').

Readers return :class:`reconcile.claims_parse.Draft` records in folded-sentence coordinates.
"""
from __future__ import annotations

import re

from . import claims_lexicon as L
from .claims_lexicon import c
from .claims_parse import (
    QNG, WINDOW, Clause, Draft, Item, PTok, Sent, _gap, _lo, _PREP_END, _purpose, _window_run, parse_items, read_qty,
    subject_after, subject_before,
)


# --------------------------------------------------------------------------- 1. definitions

_DEFINITION_RE = c(r"^\W*(?:this|the)\s+(?:indicator|measure|pi|kpi|metric|figure)\s+(?:measures|reflects|relates\s+to"
                   r"|refers\s+to|looks\s+at|shows|tracks|monitors|counts|captures|reports(?:\s+on)?|covers|describes"
                   r"|is\s+(?:about|based\s+on)|considers|examines|presents|is\s+the)\s+")


def read_definitions(s: Sent, cls: list[Clause]) -> list[Draft]:
    cl = cls[0]
    m = _DEFINITION_RE.match(s.t, cl.a, cl.b)
    if not m:
        return []
    a = m.end()
    end = cl.b
    for nxt in cls[1:]:
        if nxt.lead not in ("which", "as", "whereby"):
            break
        end = nxt.b
    while end > a and s.t[end - 1] in " .;,":
        end -= 1
    if end <= a:
        return []
    s.use(cl.a, end)
    d = Draft("definition", cl.a, end, 0, m.end(), subj=(a, end))
    d.subject_text = s.t[a:end]
    return [d]


# --------------------------------------------------------------------------- 2. comparisons

_TIME_COMPARATORS = {"previous_period", "same_period_last_year", "earlier_period"}
_REL_TO_DIRECTION = {"higher": ("increase", None), "above": ("increase", None), "lower": ("decrease", None),
                     "below": ("decrease", None), "equal": ("static", None), "better": (None, "improved"),
                     "worse": (None, "worsened")}


def read_comparisons(s: Sent, ci: int, cl: Clause) -> list[Draft]:
    t = s.t
    out: list[Draft] = []
    for m in L.RELATION_RE.finditer(t, cl.a, cl.b):
        if not s.free(m.start(), m.end()):
            continue
        rel = m.lastgroup
        word = m.group(0).lower()
        before = t[_lo(cl, m.start()):m.start()]
        if rel in ("above", "below") and L.NOT_RELATION_BEFORE_RE.search(before[-25:]):
            continue
        if _purpose(s, cl, m.start()) and rel in ("above", "below", "higher", "lower"):
            continue
        items = parse_items(s, m.end(), cl.b)
        if not items:
            continue
        if word.startswith(("over", "under", "more than", "less than", "fewer than")) and \
                items[0].comparator not in ("target", "average") and items[0].comparator in _TIME_COMPARATORS | {"other"}:
            continue  # 'more than once', 'over the year'
        out += _relation_drafts(s, ci, cl, m.start(), m.end(), rel, items)
    # a comparative without 'than' before a comparator: 'We remain lower our Statistical Neighbours average'
    for m in L.COMPARATIVE_RE.finditer(t, cl.a, cl.b):
        if not s.free(m.start(), m.end()) or re.match(r"\s+than\b", t[m.end():]):
            continue
        items = parse_items(s, m.end(), cl.b)
        if not items or items[0].comparator in _TIME_COMPARATORS:
            continue
        if not re.search(rf"\b{L.COPULA}\s+(?:\w+\s+)?$", t[_lo(cl, m.start()):m.start()], re.I):
            continue
        rel = L.COMPARATIVE_RELATION[m.group("cmp").lower()]
        out += _relation_drafts(s, ci, cl, m.start(), m.end(), rel, items)
    return out


def _relation_drafts(s: Sent, ci: int, cl: Clause, ra: int, rb: int, rel: str, items: list[Item]) -> list[Draft]:
    gap_start, gm = _gap(s, cl, ra)
    subj = subject_before(s, cl, gap_start)
    out: list[Draft] = []
    for it in items:
        time = it.comparator in _TIME_COMPARATORS
        d = Draft("change" if time else "comparison", ra, it.b, ci, ra, subj=subj)
        d.relation = rel
        d.comparator = it.comparator
        d.comparator_named = it.named
        d.comparator_label = it.label
        d.comparator_value, d.comparator_value_text = it.value, it.value_text
        d.comparator_ptok = it.period
        if time:
            d.direction, d.judgement = _REL_TO_DIRECTION[rel]
        if gm is not None:
            if gm.group("qty"):
                v, _unit, pts = read_qty(gm.group("qty"))
                d.size_value = v
                # a gap between two levels printed in % is read in points ('5% below the target of 95%')
                level = not time  # a gap between two levels printed in % is in points; a change in % may be relative
                d.size_is_points = True if (pts or (level and ("%" in gm.group("qty") or "per" in gm.group("qty").lower()))) \
                    else None
            if gm.group("size"):
                d.size_word = gm.group("size").lower()
            d.negated = bool(gm.group("neg") or gm.group("neg2"))
        d.extra["shared_value"] = getattr(it, "extra_shared", False)
        out.append(d)
        s.use(it.a, it.b)
    s.use(gap_start, rb)
    return out


# --------------------------------------------------------------------------- 3. achievements

def read_achievements(s: Sent, ci: int, cl: Clause) -> list[Draft]:
    t = s.t
    out: list[Draft] = []
    for m in L.ACHIEVE_RE.finditer(t, cl.a, cl.b):
        if not s.free(m.start("verb"), m.end("verb")):
            continue
        if not m.group("neg") and _purpose(s, cl, m.start("verb")):
            continue
        items = parse_items(s, m.end(), cl.b)
        if not items or items[0].comparator != "target":
            continue
        verb = m.group("verb").lower()
        missed = verb.startswith(("miss", "fell", "fall"))
        achieved = missed == bool(m.group("neg"))
        it = items[0]
        d = Draft("achievement", m.start(), it.b, ci, m.start(), subj=subject_before(s, cl, m.start()))
        d.relation = "achieved" if achieved else "not_achieved"
        d.negated = bool(m.group("neg"))
        d.comparator, d.comparator_named, d.comparator_label = "target", "target", it.label
        d.comparator_value, d.comparator_value_text = it.value, it.value_text
        s.use(m.start(), it.b)
        out.append(d)
    for m in L.ON_TARGET_RE.finditer(t, cl.a, cl.b):
        if not s.free(m.start(), m.end()) or _purpose(s, cl, m.start()):
            continue
        prep = m.group("prep").lower()
        d = Draft("achievement", m.start(), m.end(), ci, m.start(), subj=subject_before(s, cl, m.start()))
        d.relation = "not_achieved" if prep in ("off", "missing") else "achieved"
        d.comparator, d.comparator_named, d.comparator_label = "target", "target", "target"
        s.use(m.start(), m.end())
        out.append(d)
    for m in L.TARGET_PASSIVE_RE.finditer(t, cl.a, cl.b):
        if not s.free(m.start(), m.end()):
            continue
        verb = m.group("verb").lower()
        achieved = (verb == "missed") == bool(m.group("neg"))
        d = Draft("achievement", m.start(), m.end(), ci, m.start())
        d.relation = "achieved" if achieved else "not_achieved"
        d.negated = bool(m.group("neg"))
        d.comparator, d.comparator_named, d.comparator_label = "target", "target", "target"
        vt = m.group("v") or m.group("v2")
        if vt:
            d.comparator_value, d.comparator_value_text = read_qty(vt)[0], vt
        s.use(m.start(), m.end())
        out.append(d)
    return out


# --------------------------------------------------------------------------- 4. changes

_NOUN_RE = c(rf"\b(?:(?P<static>(?:no|little|minimal|negligible|no\s+significant)\s+(?:change|movement|variation))"
             rf"|{L.CHANGE_NOUN})\b")
_NOUN_COMPOUND_AFTER = c(r"\s+(?:actions?|plans?|review|board|programme|work|journey|activity|partners?|priorit\w+"
                         r"|officers?|teams?|notices?|projects?|agenda|strategy|measures?|targets?|areas?|plan)\b|(?-i:\s+[A-Z][a-z])")
_NOUN_PRE = c(rf"(?:\b(?:a|an|the|this|that|any|further|overall)\s+)?(?:(?P<qty>{QNG})\s+(?:\w+\s+)?)?"
              rf"(?:(?P<size>{L.SIZE_WORD})\s+(?:(?:but|and)\s+(?:{L.SIZE_WORD})\s+)?)?(?:(?:overall|further|continued"
              r"|month\s+on\s+month|year\s+on\s+year)\s+)?$")
_GOVERNOR = c(r"(?P<ex>\bthere\s+(?:has|have|had)\s+(?:also\s+)?been|\bthere\s+(?:will|would|should|could|may|might)\s+be|\bthere\s+(?:was|were|is|are)|\bthere\s+continues?\s+to\s+be)"
              r"\s*$|(?P<saw>\b(?:has|have|had)?\s*(?:seen|saw|see|sees|seeing|shown|showed|shows|showing|experienced"
              r"|recorded|reported|registered|represents?|reflects?|had|has|have))\s*$|(?P<cop>\b(?:is|was|are|were|be|been))\s*$")
_AFTER_CHANGE = c(
    rf"(?:\s*\(\s*(?P<paren>{QNG})\s*\))?"
    rf"(?:\s+(?:in|of)\s+(?P<ofqty>{QNG})(?![\w%]))?"
    r"(?:\s+(?:month\s+on\s+month|year\s+on\s+year))?"
)
_BY_RE = c(rf"\s*,?\s*(?:by|of)\s+(?:(?:around|about|approximately|almost|nearly|over|just\s+over|just\s+under|some)\s+)?(?P<by>{QNG})")
_TO_RE = c(rf"\s*,?\s*(?:to|at)\s+(?:(?:around|about|approximately|almost|nearly|just\s+over|just\s+under)\s+)?(?P<to>{QNG})")
_FROM_RE = c(rf"\s*,?\s*from\s+(?:(?:a|the)\s+(?:rate|level|figure|high|low|position)\s+of\s+)?(?P<from>{QNG})")
_COMPARED_RE = c(r"\s*,?\s*(?:compared\s+(?:to|with)|when\s+compared\s+(?:to|with)|relative\s+to|against|since|from|on"
                 r"|than|as)\s+")


def read_changes(s: Sent, ci: int, cl: Clause) -> list[Draft]:
    out: list[Draft] = []
    out += _static_changes(s, ci, cl)
    out += _noun_changes(s, ci, cl)
    out += _verb_changes(s, ci, cl)
    out += _bare_comparatives(s, ci, cl)
    return out


def _after_parts(s: Sent, cl: Clause, d: Draft, p: int) -> int:
    """Read what may follow a change word: '(48%)', 'by 2 percentage points', 'to 78%',
    'from 0.05% in 2015-16', 'compared to the previous month', 'since last year', a size adverb."""
    t = s.t
    for _ in range(8):
        moved = False
        tok = _period_right_after(s, p, cl.b)
        if tok is not None and tok.rel is None and d.ptok is None and not re.match(r"\s*(?:since|from)\b", t[p:], re.I):
            d.ptok, p, moved = tok, tok.b, True
        elif tok is not None and tok.rel == "current" and d.ptok is None:
            d.ptok, p, moved = tok, tok.b, True
        m = re.compile(rf"\s+(?P<size>{L.SIZE_WORD})\b", re.I).match(t, p, cl.b)
        if m and d.size_word is None and m.group("size").lower() not in ("overall", "further", "well"):
            d.size_word = m.group("size").lower()
            p, moved = m.end(), True
        m = _BY_RE.match(t, p, cl.b)
        if m and d.size_value is None and s.is_qty(m.start("by"), m.end("by")):
            v, _u, pts = read_qty(m.group("by"))
            d.size_value = v
            d.size_is_points = True if pts else None
            s.use(m.start("by"), m.end("by"))
            p, moved = m.end(), True
        m = _FROM_RE.match(t, p, cl.b)
        if m and d.comparator_value is None and s.is_qty(m.start("from"), m.end("from")):
            d.comparator_value, _u, _pts = read_qty(m.group("from"))
            d.comparator_value_text = m.group("from")
            s.use(m.start("from"), m.end("from"))
            p, moved = m.end(), True
            tok = _period_right_after(s, p, cl.b)
            if tok:
                d.comparator_ptok, p = tok, tok.b
                d.comparator = d.comparator or _time_comparator(tok)
                d.comparator_named = d.comparator_named or d.comparator
                d.comparator_label = d.comparator_label or tok.label
        m = _TO_RE.match(t, p, cl.b)
        if m and d.value is None and s.is_qty(m.start("to"), m.end("to")):
            d.value, d.unit, _pts = read_qty(m.group("to"))
            d.value_text = m.group("to")
            d.value_span = (m.start("to"), m.end("to"))
            s.use(m.start("to"), m.end("to"))
            p, moved = m.end(), True
        m = _COMPARED_RE.match(t, p, cl.b)
        if m and d.comparator is None:
            items = parse_items(s, m.end(), cl.b)
            if items and items[0].comparator in _TIME_COMPARATORS | {"average"}:
                it = items[0]
                d.comparator, d.comparator_named, d.comparator_label = it.comparator, it.named, it.label
                d.comparator_ptok = it.period
                if it.value is not None and d.comparator_value is None:
                    d.comparator_value, d.comparator_value_text = it.value, it.value_text
                s.use(m.start(), it.b)
                p, moved = it.b, True
        if not moved:
            break
    return p


def _period_right_after(s: Sent, p: int, limit: int) -> PTok | None:
    m = re.compile(r"\s*(?:in|at|during|for)?\s*").match(s.t, p, limit)
    q = m.end() if m else p
    tok = s.ptok_at(q)
    return tok if tok and tok.b <= limit else None


def _time_comparator(tok: PTok) -> str:
    return {"year_ago": "same_period_last_year", "previous": "previous_period"}.get(tok.rel or "", "earlier_period")


def _is_performance(text: str | None) -> bool:
    return bool(text) and bool(re.fullmatch(r"(?:(?:our|the|this|overall|[A-Z][\w-]*'s)\s+)*performance", text.strip(), re.I))


def _finish_change(s: Sent, cl: Clause, d: Draft, word: str) -> None:
    d.direction, d.judgement = L.change_sense(word)
    _window_run(s, cl, d)


def _noun_changes(s: Sent, ci: int, cl: Clause) -> list[Draft]:
    t = s.t
    out: list[Draft] = []
    for m in _NOUN_RE.finditer(t, cl.a, cl.b):
        if not s.free(m.start(), m.end()):
            continue
        if _NOUN_COMPOUND_AFTER.match(t, m.end()) or re.search(r"\brate\s+of\s+$", t[_lo(cl, m.start()):m.start()], re.I):
            continue
        if re.match(r"\s+(?:in|of)\s+part\b", t[m.end():]):
            pass
        pre = _NOUN_PRE.search(t, _lo(cl, m.start(), 80), m.start())
        pre_start = pre.start() if pre and pre.group(0) else m.start()
        if _purpose(s, cl, pre_start) or L.PURPOSE_VERB_BEFORE_RE.search(t[_lo(cl, pre_start, 60):pre_start]):
            continue
        d = Draft("change", pre_start, m.end(), ci, m.start())
        if m.group("static"):
            d.direction = "static"
            _window_run(s, cl, d)
        else:
            _finish_change(s, cl, d, m.group("noun"))
        if pre and pre.group("size"):
            d.size_word = pre.group("size").lower()
        if pre and pre.group("qty") and s.free(pre.start("qty"), pre.end("qty")):
            v, _u, pts = read_qty(pre.group("qty"))
            d.size_value, d.size_is_points = v, (True if pts else None)
            s.use(pre.start("qty"), pre.end("qty"))
        p = m.end()
        am = _AFTER_CHANGE.match(t, p, cl.b)
        if am:
            q = am.group("paren") or am.group("ofqty")
            if q:
                v, _u, pts = read_qty(q)
                d.size_value, d.size_is_points = v, (True if pts else None)
                g = "paren" if am.group("paren") else "ofqty"
                s.use(am.start(g), am.end(g))
            p = am.end()
        # the subject: 'a decrease in <subject>', else the noun phrase before the governing verb
        om = re.compile(r"\s+(?:in|of|for|among|amongst)\s+(?!part\b|(?:the\s+)?(?:month|quarter|year|period)\b)", re.I)\
            .match(t, p, cl.b)
        if om and not s.ptok_at(om.end()):
            subj = subject_after(s, cl, om.end(), np_only=True)
            if subj:
                d.subj = subj
                p = subj[1]
        if d.subj is None:
            g = _GOVERNOR.search(t, _lo(cl, pre_start, 60), pre_start)
            if g and (g.group("saw") or g.group("cop")):
                d.subj = subject_before(s, cl, g.start())
            elif not g and not t[cl.a:pre_start].strip(" ,"):
                d.subj = None
            elif not g:
                determiner = re.match(r"(?:a|an|the)\b", t[pre_start:], re.I)
                if not determiner and re.search(r"(?:\b(?:and|or|of|to|for|with|by|from|as)|,)\s+(?:\w+\s+)?$",
                                                t[_lo(cl, pre_start):pre_start], re.I):
                    continue  # 'and subsequent reductions to public sector funding'
                if determiner and re.search(r",\s*$", t[_lo(cl, pre_start):pre_start]):
                    d.extra["appositive"] = True  # '1,204 contacts in May, a 7% increase on April'
                else:
                    d.subj = subject_before(s, cl, pre_start)
        p = _after_parts(s, cl, d, p)
        d.b = max(d.b, p)
        if re.search(r"\b(?:antic\w*pated?|expected|projected|forecast|predicted|planned)\s+$", t[_lo(cl, pre_start):pre_start],
                     re.I):
            d.extra["future"] = True
        s.use(m.start(), m.end())
        out.append(d)
    return out


_VERB_RE = c(rf"\b{L.CHANGE_VERB}\b")
_AUX_BEFORE = c(rf"\b(?:has|have|had|is|are|was|were|been|be|being)\s+(?:(?:also|now|further|again|still|since|just|already"
                rf"|recently|generally|overall|not|continued\s+to|continue\s+to|consistently|{L.SIZE_WORD})\s+)*$")
_NP_END_BEFORE = c(r"[A-Za-z0-9%)'\"]\s+(?:(?:also|now|further|again|then|recently|" + L.SIZE_WORD + r")\s+)*$")
_DETERMINER_BEFORE = c(r"(?:^|\b(?:a|an|the|of|in|to|with|for|and|or|on|by|from|into|at|more|less|most|some|any|no|its"
                       r"|their|our|this|these|those|which|that)|[,;(])\s*$")
_CAUSE_BEFORE = c(r"\b(?:resulted\s+in|result\s+in|results\s+in|resulting\s+in|led\s+to|lead\s+to|leads\s+to|leading\s+to"
                  r"|contributed\s+to|seen|seeing|saw|see|shows?|showing|shown|delivered|produced|brought\s+about)"
                  r"\s+(?:(?:an?|the|some|further|continued|)\s+)?$")
_PARTICIPLE_ADJ = c(r"(?P<w>improved|increased|reduced|decreased|better|worse|higher|lower|greater|fewer|deteriorating"
                    r"|declining|improving|rising|falling)\s+")


_AGENT_RE = c(r"(?:we|i|they|you|the\s+(?:service|team|teams|council|authority|department|directorate|partnership)"
              r"|managers|staff|social\s+workers|partners|[A-Z]\w+\s+(?:Council|Team|Service))$")
_OBJECT_AFTER = c(r"\s+(?!(?:by|to|from|since|over|in|on|at|for|during|slightly|significantly|sharply|again|further|steadily"
                  r"|this|last|compared|overall|as|than|and|but|which|month|year)\b)(?:the|our|a|an|its|their|[a-z]\w*)\b")


def _verb_changes(s: Sent, ci: int, cl: Clause) -> list[Draft]:
    t = s.t
    out: list[Draft] = []
    # 'has (previously) resulted in improved timescales', 'Improved performance due to ...'
    for m in _PARTICIPLE_ADJ.finditer(t, cl.a, cl.b):
        if not s.free(m.start(), m.end()):
            continue
        before = t[_lo(cl, m.start()):m.start()]
        headline = m.start() == cl.a or (not t[cl.a:m.start()].strip(" ,\"'") and cl.lead == "")
        if not (_CAUSE_BEFORE.search(before) or headline):
            continue
        subj = subject_after(s, cl, m.end(), np_only=True)
        if subj is None:
            continue
        w = m.group("w").lower()
        d = Draft("change", m.start(), subj[1], ci, m.start(), subj=subj)
        if w in ("better", "improved", "improving"):
            d.judgement = "improved"
        elif w in ("worse", "deteriorating"):
            d.judgement = "worsened"
        else:
            d.direction = "increase" if w in ("increased", "higher", "greater", "rising") else "decrease"
        _window_run(s, cl, d)
        s.use(m.start(), m.end())
        out.append(d)
    for m in _VERB_RE.finditer(t, cl.a, cl.b):
        if not s.free(m.start(), m.end()):
            continue
        verb = m.group("verb")
        before = t[_lo(cl, m.start(), 80):m.start()]
        if re.search(r"\bto\s+$", before, re.I) and not re.search(r"\b(?:continued?|continues|begun|began|started|starts"
                                                                   r"|appears?|seems?|tend(?:s|ed)?)\s+to\s+$", before, re.I):
            continue  # 'to improve', 'to reduce exclusions'
        if _purpose(s, cl, m.start()) and not _AUX_BEFORE.search(before):
            continue
        aux = _AUX_BEFORE.search(before)
        ing = verb.lower().endswith("ing")
        if aux:
            head = _lo(cl, m.start(), 80) + aux.start()
        elif ing:
            if cl.lead != "with" and not re.search(r"\b(?:continue[sd]?\s+to\s+be|keep|keeps)\s+$", before, re.I):
                continue
            head = m.start()
        elif _DETERMINER_BEFORE.search(before) or not _NP_END_BEFORE.search(before):
            # 'an increased complexity', ', increased court activity' are adjectives; a bare verb with
            # nothing before it ('Increased by 3%') is a headline
            if before.strip(" ,\"'") or not re.match(r"\s+(?:by|to|from|slightly|significantly|sharply)\b", t[m.end():], re.I):
                continue
            head = m.start()
        else:
            head = m.start()
            if re.match(r"\s+[a-z]+(?:s|ion|ity|ment)\b", t[m.end():]) and not re.match(
                    r"\s+(?:by|to|from|since|over|in|on|slightly|significantly|sharply|this|again|further|steadily"
                    r"|compared|overall|month|year|as|during|for)\b", t[m.end():], re.I):
                continue  # 'reduced caseloads': an adjective
        size_adv = re.compile(rf"(?:^|\s)(?P<size>{L.SIZE_WORD})\s+$", re.I).search(t[head:m.start()])
        d = Draft("change", head, m.end(), ci, m.start())
        d.subj = subject_before(s, cl, head)
        if d.subj and _AGENT_RE.match(t[d.subj[0]:d.subj[1]]) and _OBJECT_AFTER.match(t, m.end(), cl.b):
            # 'We are improving management oversight' is an action; 'we have reduced the number of
            # repeat referrals' is a claim about the number
            if ing:
                continue
            obj = subject_after(s, cl, m.end(), np_only=True)
            if obj is None:
                continue
            d.subj = obj
            d.extra["object_end"] = obj[1]
        _finish_change(s, cl, d, verb)
        if size_adv and size_adv.group("size").lower() not in ("overall", "further"):
            d.size_word = size_adv.group("size").lower()
        if aux and re.search(r"\bnot\b|n't\b", aux.group(0), re.I):
            d.negated = True
        p = _after_parts(s, cl, d, max(m.end(), d.extra.get("object_end", 0)))
        d.b = max(d.b, p)
        s.use(m.start(), m.end())
        out.append(d)
    # 'Performance in June was 72.5%, up from 68.0% in May'
    for m in c(rf"(?:,\s*)?\b(?P<dir>up|down)\s+(?:by\s+(?P<by>{QNG})\s+)?(?:from|on)\s+(?P<f>{QNG})").finditer(t, cl.a, cl.b):
        if not s.is_qty(m.start("f"), m.end("f")):
            continue
        d = Draft("change", m.start("dir"), m.end(), ci, m.start("dir"))
        d.direction = "increase" if m.group("dir").lower() == "up" else "decrease"
        d.comparator_value, d.comparator_value_text = read_qty(m.group("f"))[0], m.group("f")
        if m.group("by"):
            v, _u, pts = read_qty(m.group("by"))
            d.size_value, d.size_is_points = v, (True if pts else None)
        s.use(m.start(), m.end())
        tok = _period_right_after(s, m.end(), cl.b)
        if tok:
            d.comparator_ptok = tok
            d.comparator = d.comparator_named = _time_comparator(tok)
            d.comparator_label = tok.label
            d.b = tok.b
        out.append(d)
    # 'went from 13 to 27 social workers'
    for m in c(rf"\b(?:went|gone|moved|changed|increased|rose|fell|decreased|dropped|grew)\s+from\s+(?P<f>{QNG})"
               rf"\s+to\s+(?P<t>{QNG})").finditer(t, cl.a, cl.b):
        if not s.free(m.start("f"), m.end("t")):
            continue
        f, to = read_qty(m.group("f"))[0], read_qty(m.group("t"))
        if f is None or to[0] is None:
            continue
        d = Draft("change", m.start(), m.end(), ci, m.start(), subj=subject_before(s, cl, m.start()))
        d.direction = "increase" if to[0] > f else "decrease" if to[0] < f else "static"
        d.comparator_value, d.comparator_value_text = f, m.group("f")
        d.value, d.unit, _p = to
        d.value_text, d.value_span = m.group("t"), (m.start("t"), m.end("t"))
        s.use(m.start(), m.end())
        out.append(d)
    return out


_STATIC_RE = c(rf"\b(?P<v>remain(?:ed|s)?|stay(?:ed|s)?|been|continue[sd]?\s+to\s+be|is|are|was|were)\s+{L.STATIC_ADJ}\b"
               r"(?!\s+(?:to|with)\b)"
               r"|\b(?:has|have|had)\s+not\s+changed\b|\b(?:is|are|was|were)\s+unchanged\b|\bplateaued\b|\bstabilised\b"
               r"|\blevelled\s+off\b")
_STATIC_VALUE_RE = c(rf"\b(?P<v>remain(?:ed|s)?|stay(?:ed|s)?|continue[sd]?\s+to\s+be)\s+(?:(?:at|on)\s+)?"
                     rf"(?P<q>{QNG}|zero|nil|none)(?![\w%])")


def _static_changes(s: Sent, ci: int, cl: Clause) -> list[Draft]:
    t = s.t
    out: list[Draft] = []
    for m in _STATIC_RE.finditer(t, cl.a, cl.b):
        if not s.free(m.start(), m.end()):
            continue
        if m.group("v") and m.group("v").lower() in ("is", "are", "was", "were") and not re.search(
                r"unchanged|static|stable|the\s+same", m.group(0), re.I):
            continue
        d = Draft("change", m.start(), m.end(), ci, m.start(), subj=subject_before(s, cl, m.start()))
        d.direction = "static"
        _window_run(s, cl, d)
        s.use(m.start(), m.end())
        p = m.end()
        am = _TO_RE.match(t, p, cl.b)
        if am and s.is_qty(am.start("to"), am.end("to")):
            d.value, d.unit, _p = read_qty(am.group("to"))
            d.value_text, d.value_span = am.group("to"), (am.start("to"), am.end("to"))
            s.use(am.start("to"), am.end("to"))
            p = am.end()
        cm = _COMPARED_RE.match(t, p, cl.b)
        if cm:
            items = parse_items(s, cm.end(), cl.b)
            if items and items[0].comparator in _TIME_COMPARATORS:
                it = items[0]
                d.comparator, d.comparator_named, d.comparator_label = it.comparator, it.named, it.label
                d.comparator_ptok = it.period
                s.use(cm.start(), it.b)
                p = it.b
        d.b = max(d.b, p)
        out.append(d)
    for m in _STATIC_VALUE_RE.finditer(t, cl.a, cl.b):
        if not s.free(m.start(), m.end()) or (m.group("q")[0].isdigit() and not s.is_qty(m.start("q"), m.end("q"))):
            continue
        d = Draft("change", m.start(), m.end(), ci, m.start(), subj=subject_before(s, cl, m.start()))
        d.direction = "static"
        d.value, d.unit, _p = read_qty(m.group("q")) if m.group("q")[0].isdigit() else (0.0, None, False)
        d.value_text, d.value_span = m.group("q"), (m.start("q"), m.end("q"))
        s.use(m.start(), m.end())
        out.append(d)
    return out


_BARE_CMP = c(rf"\b(?P<cop>{L.COPULA})\s+(?:(?:still|now|currently|also|again|slightly|significantly|marginally|much|far"
              rf"|considerably|substantially|notably|{L.SIZE_WORD})\s+)*(?P<cmp>higher|lower|greater|smaller|larger|fewer"
              r"|better|worse|up|down)\b(?!\s+than\b)")


def _bare_comparatives(s: Sent, ci: int, cl: Clause) -> list[Draft]:
    """'is higher this month', 'are up on last year', 'is slightly lower compared to May'."""
    t = s.t
    out: list[Draft] = []
    for m in _BARE_CMP.finditer(t, cl.a, cl.b):
        if not s.free(m.start("cmp"), m.end("cmp")):
            continue
        p = m.end()
        tok = _period_right_after(s, p, cl.b)
        cm = _COMPARED_RE.match(t, p, cl.b)
        items = parse_items(s, cm.end(), cl.b) if cm else []
        at_end = not t[p:cl.b].strip(" .,;")
        if not (tok and tok.rel in ("current", "previous", "year_ago") or (items and items[0].comparator in _TIME_COMPARATORS)
                or at_end or re.match(r"\s+(?:by|than)\b", t[p:], re.I)):
            continue
        rel = L.COMPARATIVE_RELATION[m.group("cmp").lower()]
        d = Draft("change", m.start(), m.end(), ci, m.start("cmp"), subj=subject_before(s, cl, m.start()))
        d.relation = rel
        d.direction, d.judgement = _REL_TO_DIRECTION[rel]
        size = re.search(rf"\b(?P<size>{L.SIZE_WORD}|much|far)\s+$", t[m.start():m.start('cmp')], re.I)
        if size:
            d.size_word = size.group("size").lower()
        if items and items[0].comparator in _TIME_COMPARATORS:
            it = items[0]
            d.comparator, d.comparator_named, d.comparator_label = it.comparator, it.named, it.label
            d.comparator_ptok = it.period
            s.use(cm.start(), it.b)
            d.b = it.b
        elif tok and tok.rel in ("current",):
            d.ptok = tok
            d.comparator, d.comparator_named, d.comparator_label = "previous_period", "previous_period", None
        elif tok and tok.rel in ("previous", "year_ago"):
            d.comparator = _time_comparator(tok)
            d.comparator_named, d.comparator_label, d.comparator_ptok = d.comparator, tok.label, tok
        d.b = max(d.b, _after_parts(s, cl, d, m.end()))
        _window_run(s, cl, d)
        s.use(m.start("cmp"), m.end("cmp"))
        out.append(d)
    return out


# --------------------------------------------------------------------------- 5. values

_TARGET_BEFORE = c(r"\b(?:target|tolerance|goal)\s*(?:of|:|=|is)?\s*$")
_V_OF = c(r"\s+of\s+(?:all\s+)?(?!(?:the\s+|our\s+)?(?:target|tolerance)\b)")
_V_COPULA_BEFORE = c(r"(?:\b(?:is|are|was|were|stands?\s+at|stood\s+at|(?:has|have)\s+(?:reached|been)|reached|totall?(?:ed|s)"
                     r"|equall?(?:ed|s)|of|at|sits?\s+at|sat\s+at|came\s+to|comes\s+to|achieved|recorded|reported)"
                     r"|=|:)\s+$")
_HEDGES_BEFORE = c(r"(?:\b(?P<h1>typically|usually|generally|normally|broadly|roughly|approximately|around|about|just|only"
                   r"|almost|nearly|c\.|circa|some)\s+)?(?:\b(?P<h2>just|only|almost|nearly|over|under|more\s+than|less\s+than"
                   r"|fewer\s+than|at\s+least|up\s+to|around|about|approximately|some)\s+)?$")
_OF_LEAD_RE = c(r"^\W*(?:of|out\s+of|amongst|among)\s+(?P<np>(?:the|these|those|all)\b[^,]{3,200}?),\s+")


def read_values(s: Sent, ci: int, cl: Clause) -> list[Draft]:
    t = s.t
    out: list[Draft] = []
    for m in s.qty:
        a, b = m.start(), m.end()
        if not (cl.a <= a and b <= cl.b) or not s.free(a, b):
            continue
        suf = m.group("suf")
        if not suf:
            # a bare number is a value after a copula ('The number is typically under 300 per month') or
            # in brackets after its subject ('The number of contacts (1,433)'); before a noun it is a count
            hb = _HEDGES_BEFORE.search(t, _lo(cl, a, 48), a)
            hs = hb.start() if hb else a
            bracketed = t[max(cl.a, a - 2):a].strip() == "(" and re.match(r"\s*\)", t[b:])
            if not bracketed and (not _V_COPULA_BEFORE.search(t[_lo(cl, hs, 40):hs])
                                  or not re.match(r"\s*(?:[.,;:)]|$|per\b|a\s+(?:month|week|year)\b|each\b|in\s+total\b)",
                                                  t[b:])):
                continue
        value, unit, pts = read_qty(m.group(0))
        if pts:
            continue  # points are gaps or changes, read elsewhere
        if _TARGET_BEFORE.search(t, _lo(cl, a, 30), a):
            continue  # '(target 90%)' states the target, it is not a figure
        hb = _HEDGES_BEFORE.search(t, _lo(cl, a, 48), a)
        hedge_start = hb.start() if hb and hb.group(0) else a
        d = Draft("value", hedge_start, b, ci, a)
        d.value, d.unit, d.value_text, d.value_span = value, unit, m.group(0), (a, b)
        if hb and hb.group(0):
            words = [w for w in (hb.group("h1"), hb.group("h2")) if w]
            d.qualifier = " ".join(w.lower() for w in words)
            for w in words:
                if w.lower() in L.BOUND_OF_HEDGE:
                    d.value_bound = L.BOUND_OF_HEDGE[w.lower()]
        om = _V_OF.match(t, b, cl.b)
        lead = _OF_LEAD_RE.match(t, cl.a, cl.b)
        if om:  # '90% of Children in Need were seen in the last 6 weeks'
            d.subj = subject_after(s, cl, om.end())
        elif lead and lead.end() <= a:  # 'Of the children who ..., 13.7% were subject to ...'
            d.subj = (lead.start("np"), lead.end("np"))
            d.extra["of_lead"] = True
        elif _V_COPULA_BEFORE.search(t[_lo(cl, hedge_start, 40):hedge_start]):  # 'our performance is 36%'
            lo = _lo(cl, hedge_start, 40)
            cm = _V_COPULA_BEFORE.search(t[lo:hedge_start])
            d.subj = subject_before(s, cl, lo + cm.start())
        elif t[a - 1:a] == "(" or (a >= 2 and t[a - 2:a] == "( "):  # 'proportion leading (23%) to ICPC'
            cop = re.compile(rf"\s+{L.COPULA}\b", re.I).search(t, b, cl.b)
            d.subj = subject_before(s, cl, cop.start() if cop else b)
            if d.subj is None:
                d.subj = subject_before(s, cl, a - 1)
        elif (rm := re.search(r"per\s+10,?000\s+(?=[a-z])", m.group(0), re.I)) and rm.end() < len(m.group(0)):
            # '62.1 per 10,000 children were subject to a plan': the population word starts the subject
            d.subj = subject_after(s, cl, a + rm.end())
        else:  # '60% assessments NFA and 38% moved to CIN/CP plan'
            nxt = re.compile(r"\s+(?=[a-z\"'])").match(t, b, cl.b)
            if nxt:
                d.subj = subject_after(s, cl, nxt.end())
                if d.subj:
                    d.subj = _cut_at_next_value(s, d.subj)
        s.use(a, b)
        out.append(d)
    return out


def _cut_at_next_value(s: Sent, span: tuple[int, int]) -> tuple[int, int]:
    a, b = span
    m = re.compile(rf"\s+and\s+(?:{QNG})").search(s.t, a, b)
    return (a, m.start()) if m else span


# --------------------------------------------------------------------------- 6. counts

_COUNT_NUM = c(rf"(?P<all>\b(?:all|only|just|almost|nearly|a\s+further|another)\s+(?:(?:the|of\s+the)\s+)?)?"
               rf"(?P<n>(?<![\w.,/£$-])(?:\d{{1,3}}(?:,\d{{3}})+|\d{{1,6}})(?![\w%]|[.,/:]\d|\s*%|\s*per\s*cent)|{L.WORDNUM})")
_COUNT_EXCLUDE_BEFORE = c(r"(?:\b(?:phase|stage|key\s+stage|ks|section|s|ni|q|quarter|item|no\.?|page|para|paragraph|appendix"
                          r"|annex|aged?|year|years|level|tier|step|version|v|top|bottom|every|per|to|between|from|than"
                          r"|grade|band|priority|table|figure|chart|number|the\s+first|one\s+of|of\s+the\s+first|at|by|m)"
                          r"|[£$#]|\d\s*-|-)\s*$")
_COUNT_EXCLUDE_AFTER = c(r"(?:st|nd|rd|th)\b|\s+(?:th|st|nd|rd)\b|\s*[-/:]\s*\d|\s*\)|\s+(?:of|off|another|or\s+more|or\s+two"
                         r"|to\s+\d|times?|per|percent|per\s*cent|once)\b|-off\b|\s*$|\s*[,.;]")
_ONE_PRONOUN_BEFORE = c(r"\b(?:the|this|that|each|every|any|no|which|at|of|another|one|no\s+one|someone|anyone)\s+$")
_VERB_START = c(r"(?:are|were|is|was|have|has|had|moved|left|returned|remain(?:ed|s)?|became|become|achieved|did|do|does"
                r"|went|came|reached|transferred|received|entered|ceased|started|stayed|continue[sd]?|live[sd]?|attended"
                r"|placed|adopted|[a-z]+ed)\b")
_NP_STOP = c(r"\s*[,;:(]|\.\s|\.$|\s+-\s|\s+(?:and|or|but)\s+(?=\d|" + L.WORDNUM[2:] + r")|\s+(?:are|were|is|was|have|has|had"
             r"|will|would|can|could|did|do|does|achieved|achieving|moved|placed|transferred|published|experienced|became"
             r"|received|due|in\s+(?:Q\d|quarter|the\s+(?:month|quarter|period))|this\s+month|during)\b")
_PRED_STOP = c(r"\s*[,;:]|\.\s|\.$|\s+-\s|\s+(?:and|or|but)\s+(?=\d|" + L.WORDNUM[2:] + r")")
_OF_THESE_RE = c(r"^\W*(?:of\s+(?:these|those|them|which|whom)|of\s+the\s+(?:above|remaining))\b")


def _of_the_counts(s: Sent, ci: int, cl: Clause) -> list[Draft]:
    t = s.t
    out: list[Draft] = []
    # 'Two of the eight measures are rated red', 'Only 3 of the 25 visits were late'
    for m in c(rf"(?P<all>\b(?:only|just|all|almost|nearly)\s+)?(?P<n>(?<![\w.,])\d{{1,6}}(?![\w%.,])|{L.WORDNUM})\s+"
               rf"(?:out\s+)?of\s+(?:the|these|our|its|their)\s+(?P<m>(?<![\w.,])\d{{1,6}}(?![\w%.,])|{L.WORDNUM})\s+"
               r"(?P<np>[a-z][\w-]*(?:\s+[a-z][\w-]*){0,4}?)(?=\s+(?:are|were|is|was|have|has|had|did|do)\b)"
               ).finditer(t, cl.a, cl.b):
        if not s.free(m.start("n"), m.end("m")):
            continue
        n, whole = (L.word_number(x) if not x[0].isdigit() else int(x) for x in (m.group("n"), m.group("m")))
        if n is None or whole is None:
            continue
        pe = _PRED_STOP.search(t, m.end("np"), min(cl.b, m.end("np") + 2 * WINDOW))
        end = pe.start() if pe else min(cl.b, m.end("np") + 2 * WINDOW)
        total = Draft("count", m.start("m"), m.end("np"), ci, m.start("m"), subj=(m.start("np"), m.end("np")))
        total.count, total.count_subject = whole, m.group("np")
        part = Draft("count", m.start(), end, ci, m.start("n"), subj=(m.start("np"), end))
        part.count, part.count_subject = n, m.group("np")
        part.qualifier = m.group("all").strip().lower() if m.group("all") else None
        part.extra["total_draft"] = total
        s.use(m.start("n"), m.end("np"))
        out += [total, part]
    return out


def read_counts(s: Sent, ci: int, cl: Clause) -> list[Draft]:
    t = s.t
    out: list[Draft] = _of_the_counts(s, ci, cl)
    for m in _COUNT_NUM.finditer(t, cl.a, cl.b):
        a, b = m.start("n"), m.end("n")
        if not s.free(a, b) or s.in_period(a, b) or s.in_threshold(a, b):
            continue
        word = m.group("n")
        n = int(word.replace(",", "")) if word[0].isdigit() else L.word_number(word)
        if n is None:
            continue
        before = t[max(cl.a, a - 20):a]
        if _COUNT_EXCLUDE_BEFORE.search(before) and not m.group("all"):
            continue
        if _COUNT_EXCLUDE_AFTER.match(t, b):
            continue
        if not word[0].isdigit() and word.lower() == "one" and _ONE_PRONOUN_BEFORE.search(before):
            continue
        if re.fullmatch(r"zero|none", word, re.I):
            continue
        rest = re.compile(r"\s+(?=[A-Za-z\"'])").match(t, b, cl.b)
        if not rest:
            continue
        p = rest.end()
        vm = _VERB_START.match(t, p, cl.b)
        if vm and not re.match(r"(?:red|green|amber|new|looked|placed|adopted|referred)\b", t[p:], re.I) \
                or (vm and re.match(r"(?:are|were|is|was|have|has|had)\b", t[p:], re.I)):
            lim = min(cl.b, p + 2 * WINDOW)
            pe = _PRED_STOP.search(t, p, lim)
            end = pe.start() if pe else lim
            q = p + len(re.match(r"(?:(?:are|were|is|was|have|has|had)\s+(?:been\s+)?)?", t[p:end], re.I).group(0))
            count_subject = t[q:end].strip(" ,;")
            subj = (p, end)
        else:
            lim = min(cl.b, p + 2 * WINDOW)
            ne = _NP_STOP.search(t, p, lim)
            np_end = ne.start() if ne else lim
            for pt in s.periods:
                if p < pt.a < np_end:
                    pm = _PREP_END.search(t[p:pt.a])
                    np_end = p + pm.start() if pm and pm.start() > 0 else pt.a
            rel = re.compile(r"\s+(?:who|which|that|whose)\b").search(t, p, np_end + 40)
            if rel and rel.start() <= np_end:
                lim = min(cl.b, rel.end() + 2 * WINDOW)
                cop = re.compile(r"\s+(?:are|were|is|was|have\s+been|has\s+been)\b|[,;]").search(t, rel.end(), lim)
                np_end = cop.start() if cop else lim
            if np_end <= p:
                continue
            count_subject = t[p:np_end].strip(" ,;\"'()")
            lim = min(cl.b, np_end + 2 * WINDOW)
            pe = _PRED_STOP.search(t, np_end, lim)
            subj = (p, pe.start() if pe else lim)
        if not count_subject or not re.search(r"[A-Za-z]", count_subject):
            continue
        if re.match(r"(?:of|to|and|or|per|times?|percent)\b", count_subject, re.I):
            continue
        start = m.start("all") if m.group("all") else a
        d = Draft("count", start, subj[1], ci, a, subj=subj)
        d.count, d.count_subject = n, count_subject
        d.value_span = (a, b)
        if m.group("all"):
            d.qualifier = re.sub(r"\s+(?:the|of\s+the)\s*$", "", m.group("all").strip().lower())
        d.part_of_lead = bool(_OF_THESE_RE.match(t, cl.a, cl.b)) or (
            ci > 0 and bool(_OF_THESE_RE.match(t)))
        s.use(a, b)
        out.append(d)
    # 'No inspection outcomes were published in Q1.'
    m = c(r"^\W*no\s+(?P<np>[a-z][\w\s-]{2,60}?s)\s+(?:were|have\s+been|are)\b").match(t, cl.a, cl.b)
    if m and cl.a == 0 and s.free(m.start(), m.end()):
        d = Draft("count", m.start(), cl.b, ci, m.start(), subj=(m.start("np"), cl.b))
        d.count, d.count_subject = 0, m.group("np")
        s.use(m.start(), m.end("np"))
        out.append(d)
    _share_trailing_noun(out)
    return out


def _share_trailing_noun(drafts: list[Draft]) -> None:
    """'5 red, 7 amber and 12 green measures': the first two count 'red measures', 'amber measures'."""
    if len(drafts) < 2:
        return
    last = drafts[-1].count_subject or ""
    parts = last.split(None, 1)
    if len(parts) != 2:
        return
    for d in drafts[:-1]:
        if d.count_subject and len(d.count_subject.split()) == 1 and d.count_subject.lower() in (
                "red", "amber", "green", "new", "more", "fewer", "additional", "open", "closed"):
            d.count_subject = f"{d.count_subject} {parts[1]}"


# --------------------------------------------------------------------------- 7. thresholds

_REQUIREMENT_RE = c(r"\b(?:must|required|requirement|requires|statutory|should\s+be|should\s+take|are\s+to\s+be|is\s+to\s+be"
                    r"|need(?:s)?\s+to\s+be\s+(?:seen|reviewed|held|completed|visited)|expected\s+to\s+(?:be|have|take))\b")


_SOCIAL_CARE_NOUN = c(r"\b(?:child|children|young\s+(?:people|person)|reviews?|visits?|visited|seen|assessments?|conferences?"
                      r"|plans?|placements?|placed|referrals?|enquir(?:y|ies)|cases?|families|family|carers?|leavers?)\b")


def read_thresholds(s: Sent, ci: int, cl: Clause) -> list[Draft]:
    t = s.t
    spans = [(x, y) for x, y in s.thresholds if cl.a <= x and y <= cl.b and s.free(x, y)]
    if not spans or not _REQUIREMENT_RE.search(t, cl.a, cl.b) or not _SOCIAL_CARE_NOUN.search(t, cl.a, cl.b):
        return []
    a = cl.a
    lm = L.LEAD_WORDS_RE.match(t, a, cl.b)
    if lm:
        a = lm.end()
    end = cl.b
    while end > a and t[end - 1] in " .;,":
        end -= 1
    d = Draft("threshold", a, end, ci, spans[0][0], subj=(a, end))
    for x, y in spans:
        s.use(x, y)
    return [d]
