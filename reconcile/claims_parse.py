"""The sentence layer behind :func:`reconcile.claims.extract_claims`: preparation, clauses, subjects, comparators.

A sentence is prepared once (:class:`Sent`: folded text, a map back to the commentary, its periods,
thresholds and quantities) and cut into clauses at connectives ('which', 'but', 'whilst', ' - ' ...).
This module also reads the two things every reader needs: the noun phrase a claim is about
(:func:`subject_before`, :func:`subject_after`) and a list of comparators after a relation word
(:func:`parse_items`: 'our Statistical Neighbours (21%), the South East (26%) and National (22%) averages').

The readers that turn a clause into claims are in :mod:`reconcile.claims_readers`; :mod:`reconcile.claims_link`
links them (antecedents, inherited subjects, joint subjects) into ``Claim`` records. Every regex is composed
from the named parts in :mod:`reconcile.claims_lexicon`.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date

from extractors.values import Period, find_periods, parse_value
from extractors.values.benchmarks import classify_comparator
from extractors.values.periods import add_months, month_period
from extractors.values.text import fold_with_map, span_safe
from schemas import Comparator

from . import claims_lexicon as L
from .claims_lexicon import c

# --------------------------------------------------------------------------- preparation

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "`": "'", "´": "'", "\u00ad": "-"})
_ENTITY = re.compile(r"&(?:#\d{1,6}|#x[0-9a-fA-F]{1,5}|[A-Za-z]{2,8});")


def safe_text(raw: str) -> str:
    """The commentary with markup masked, entities decoded and dashes, spaces and quotes
    normalised, character for character (so every position still points into ``raw``)."""
    s = span_safe(raw).translate(_QUOTES)

    def entity(m: re.Match[str]) -> str:
        ch = html.unescape(m.group(0))
        if len(ch) != 1:
            return " " * len(m.group(0))
        ch = " " if ch.isspace() else ch.translate(_QUOTES)
        return ch + " " * (len(m.group(0)) - 1)

    return _ENTITY.sub(entity, s) if "&" in s else s


@dataclass
class PTok:
    """A period mentioned in a sentence. ``rel`` marks relative periods: current | previous | year_ago."""

    a: int
    b: int
    period: Period | None
    label: str
    rel: str | None = None


@dataclass
class Item:
    """One comparator after a relation word, with its value if printed."""

    a: int
    b: int
    comparator: str
    named: str | None
    label: str
    value: float | None = None
    value_text: str | None = None
    period: PTok | None = None


@dataclass
class Clause:
    a: int
    b: int
    lead: str  # the connective that opened it, lower case ('' for the first)


@dataclass
class Draft:
    """A claim being built, in folded-sentence coordinates."""

    kind: str
    a: int
    b: int
    clause: int
    trig: int  # where the claim's own words start (relation, change word, value)
    subj: tuple[int, int] | None = None
    subject_text: str | None = None
    value: float | None = None
    unit: object = None
    value_text: str | None = None
    value_span: tuple[int, int] | None = None
    value_bound: str | None = None
    qualifier: str | None = None
    comparator: str | None = None
    comparator_label: str | None = None
    comparator_value: float | None = None
    comparator_value_text: str | None = None
    comparator_named: str | None = None
    comparator_ptok: PTok | None = None
    relation: str | None = None
    negated: bool = False
    direction: str | None = None
    judgement: str | None = None
    size_word: str | None = None
    size_value: float | None = None
    size_is_points: bool | None = None
    count_subject: str | None = None
    count: int | None = None
    part_of_lead: bool = False
    run: int | None = None
    window: int | None = None
    ptok: PTok | None = None  # the claim's own period, when a reader found it
    inherit: bool = False  # no subject of its own: take the previous claim's
    extra: dict = field(default_factory=dict)


class Sent:
    """One sentence, prepared: folded text, positions, periods, thresholds, quantities, used marks."""

    def __init__(self, safe: str, a: int, b: int, *, index: int, para: int, context: date | None):
        seg = safe[a:b]
        folded, pos = fold_with_map(seg)
        lead = len(folded) - len(folded.lstrip())
        folded = folded.strip()
        pos = pos[lead:lead + len(folded)]
        self.t = folded
        self.pos = [p + a for p in pos]
        self.index, self.para, self.context = index, para, context
        self.used = [False] * len(folded)
        self.periods = self._periods()
        self.thresholds = [(m.start(), m.end()) for m in L.THRESHOLD_SPAN_RE.finditer(folded)
                           if not self.in_period(m.start(), m.end())]
        self.qty = [m for m in L.QTY_RE.finditer(folded)
                    if not self.in_period(m.start(), m.end()) and not self.in_threshold(m.start(), m.end())]

    # ---- positions
    def raw_span(self, a: int, b: int) -> tuple[int, int]:
        if not self.pos:
            return (0, 0)
        a = max(0, min(a, len(self.pos) - 1))
        b = max(a + 1, min(b, len(self.pos)))
        return (self.pos[a], self.pos[b - 1] + 1)

    def free(self, a: int, b: int) -> bool:
        return not any(self.used[a:b])

    def use(self, a: int, b: int) -> None:
        for i in range(max(0, a), min(b, len(self.used))):
            self.used[i] = True

    def in_period(self, a: int, b: int) -> bool:
        return any(p.a < b and a < p.b for p in getattr(self, "periods", []))

    def in_threshold(self, a: int, b: int) -> bool:
        return any(x < b and a < y for x, y in getattr(self, "thresholds", []))

    def is_qty(self, a: int, b: int) -> bool:
        """A quantity that is a figure: not a period's or a threshold's number, not read yet."""
        return self.free(a, b) and not self.in_period(a, b) and not self.in_threshold(a, b)

    def ptok_at(self, a: int) -> PTok | None:
        return next((p for p in self.periods if p.a == a), None)

    # ---- periods
    def _periods(self) -> list[PTok]:
        t, ctx = self.t, self.context
        out: list[PTok] = []
        # a full stop after a period ('in Q1.') stops the values library reading it: blank it out
        tt = re.sub(r"(?<=\w)\.(?=\s|$)", " ", t)
        try:
            found = find_periods(tt, context=ctx)
        except Exception:  # pragma: no cover - the values library never raises; belt and braces
            found = []
        for (a, b), p in found:
            if re.fullmatch(r"\d{4}", t[a:b]) and re.match(r"\s*(?:%|per\s*cent)", t[b:]):
                continue
            if t[b - 1] == "." and b - 1 > a:
                b -= 1
            out.append(PTok(a, b, p, p.label.rstrip(".")))
        for m in L.REL_PERIOD_RE.finditer(t):
            if any(p.a < m.end() and m.start() < p.b for p in out):
                continue
            out.append(PTok(m.start(), m.end(), _relative(m, ctx), m.group(0), _rel_kind(m)))
        for m in L.MONTH_PHRASE_RE.finditer(t):
            s = m.start() + len(re.match(r"\w+(?:\s+the\s+end\s+of)?\s+", m.group(0), re.I).group(0))
            if not any(p.a < m.end() and s < p.b for p in out) and (t[s].isupper() or ctx is None):
                out.append(PTok(s, m.end(), _bare_month(t[s:m.end()], ctx), t[s:m.end()]))
        return sorted(out, key=lambda p: p.a)


def _bare_month(label: str, ctx: date | None) -> Period | None:
    """'April' with a context date: the latest April that had started by then."""
    if ctx is None:
        return None
    month = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].index(label[:3].lower()) + 1
    year = ctx.year if month <= ctx.month else ctx.year - 1
    return month_period(label, year, month, assumptions=[f"year taken from context {ctx.isoformat()}"])


def _rel_kind(m: re.Match[str]) -> str:
    if m.group("onon"):
        return "previous"
    if m.group("ago") or m.group("ly"):
        return "year_ago"
    if (m.group("unit") or "").lower() == "year" and \
            re.match(r"(?:the\s+)?(?:last|previous|prior|preceding)", m.group("rel") or "", re.I):
        return "year_ago"  # 'last year': a year earlier
    rel = re.sub(r"\s+", " ", (m.group("rel") or "").lower())
    if rel in ("this", "the current", "current"):
        return "current"
    if rel in ("the same", "same"):
        return "year_ago" if m.group("ly") else "current"
    return "previous"


def _relative(m: re.Match[str], ctx: date | None) -> Period | None:
    """'this month' -> the month of the context date; 'last month' -> the month before."""
    if ctx is None or (m.group("unit") or "").lower() != "month" or m.group("ly"):
        return None
    kind = _rel_kind(m)
    shift = {"current": 0, "previous": -1}.get(kind)
    if shift is None:
        return None
    y, mo = add_months(ctx.year, ctx.month, shift)
    return month_period(m.group(0), y, mo, assumptions=[f"month taken from context {ctx.isoformat()}"])


# --------------------------------------------------------------------------- clauses

_CLAUSE_BOUNDARY = c(
    r"\s*;\s*|\s+-\s+|\s*:\s+(?=[A-Z])"
    r"|,?\s+(?P<w1>which|whilst|while|whereas|although|though|but\s+also|but|however|despite|whereby)\b,?\s*"
    r"|,?\s+(?P<w2>as)\s+(?=(?:the|a|an|our|this|these|those|it|they|we|there)\b)"
    r"|,\s+(?P<w3>and|with|this|so|however|meaning|indicating|suggesting)\b\s*"
    r"|,?\s+(?P<w4>and)\s+(?=(?:is|are|was|were|has|have|had|remains?|remained|also|still|continues?|will|in\s+line)\b)"
    r"|,\s+(?P<w5>)(?=(?:is|are|was|were|has|have|had|remains?|remained)\b)"
    r"|,\s+(?P<w6>with)\s+(?=\w+(?:\s+\w+)?\s+(?:\d|falling|rising|increasing|decreasing|up|down|improving))"
)


def clauses(t: str) -> list[Clause]:
    out: list[Clause] = []
    start, lead = 0, ""
    depth_ok = _paren_depth_map(t)
    for m in _CLAUSE_BOUNDARY.finditer(t):
        if not depth_ok[m.start()]:
            continue  # never cut inside brackets
        if m.start() > start:
            out.append(Clause(start, m.start(), lead))
        word = next((g for g in m.groups() if g), "")
        lead = re.sub(r"\s+", " ", word.lower())
        start = m.end()
    if start < len(t):
        out.append(Clause(start, len(t), lead))
    return out or [Clause(0, len(t), "")]


def _paren_depth_map(t: str) -> list[bool]:
    depth, out = 0, []
    for ch in t:
        out.append(depth == 0)
        if ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
    out.append(True)
    return out


# --------------------------------------------------------------------------- subjects

WINDOW = 160  # characters a reader looks back (or on) from a word: keeps every reader linear


def _lo(cl: Clause, idx: int, width: int = WINDOW) -> int:
    return max(cl.a, idx - width)


_INTRO_RE = c(r"^(?:(?:in|at|during|by|for|as\s+at|as\s+of|since|following|after|compared\s+(?:to|with)|overall|however"
              r"|also|again|currently|this\s+month|in\s+addition|within\s+the\s+cohort|looking\s+ahead|to\s+date)\b"
              r"[^,]{0,80},\s*)+")
_CUT_BEFORE_RE = c(r".*\b(?:that|as|because|so|if|when|where|whether|whilst|while|although|though"
                   r"|and\s+(?=(?:the|our|this|these|its|their|we|it)\b)|which\s+(?:means|indicates|shows))\s+")
_AUX_TAIL_RE = c(r"(?:(?:^|\s+)(?:has|have|had|is|are|was|were|be|been|being|also|now|further|again|still|currently|recently"
                 r"|since|both|just|already|overall|generally|continued|continues|continue|to|not|slightly|significantly"
                 r"|sharply|well|only|typically|consistently|once|remain|remains|remained|stay|stays|stayed|sits|sat"
                 r"|stands|stood|seen|saw|see|sees|shown|showed|shows|experienced|recorded|reported|registered"
                 r"|there|will|would|should|could|may|might|can|shall|must|performing|doing|faring|strong|good|high|low"
                 r"|stable|steady|positive|consistent|excellent|poor|weak|healthy|broadly|roughly|largely|generally"
                 r"|very|much|far|places\s+us|puts\s+us|leaves\s+us|keeps\s+us"
                 r"|means\s+(?:we|that\s+we)\s+are))+\s*$")
_TRAIL_VALUE_RE = c(rf"\s*(?:\(\s*{L.NUM}[^)]*\)|\s(?:of|at)\s+{L.NUM}(?:{L.POINTS}|{L.PCT}|{L.RATE})?)\s*$")
_LEADING_DET_ONLY = c(r"^(?:the|a|an|our|its|their)$")
_PREP_END = c(r"\b(?:in|during|at|for|between|from|since|by|of|as\s+at|at\s+the\s+end\s+of|on|over|to)\s*$")
_NP_ONLY_STOP = c(r"\s+(?:as|is|are|was|were|has|have|had|will|would|should|could|may|might|can|must|shall|indicates?"
                  r"|shows?|means?|suggests?|continues?|remains?|and\s+(?:the|our|this|we|it|a|an)\b|in\s+part\b|to\s+be\b)\b")
_FUTURE_STOP = c(r"\s+(?:will|would|should|could|might|can|must|shall)\b")


def subject_before(s: Sent, cl: Clause, idx: int) -> tuple[int, int] | None:
    """The noun phrase that ends right before ``idx`` (a verb or relation) in clause ``cl``."""
    t = s.t
    a = _lo(cl, idx, 2 * WINDOW)
    for k in range(idx - 1, a - 1, -1):  # never reach back over words another claim has read
        if s.used[k]:
            a = k + 1
            break
    while a < idx and t[a] in " ,;:":
        a += 1
    for _ in range(3):
        region = t[a:idx]
        moved = False
        m = L.LEAD_WORDS_RE.match(region)
        if m and m.end():
            a += m.end()
            moved = True
        m = _INTRO_RE.match(t[a:idx])
        if m and m.end():
            a += m.end()
            moved = True
        # a period phrase opening the clause: 'At the end of Quarter 4 our performance'
        for p in s.periods:
            if a <= p.a < idx and re.fullmatch(r"(?:\s*(?:in|at|during|by|for|as\s+at|as\s+of|the|end|of|since))*\s*",
                                                 t[a:p.a], re.I):
                a = p.b
                while a < idx and t[a] in " ,":
                    a += 1
                moved = True
                break
        if not moved:
            break
    m = _CUT_BEFORE_RE.match(t[a:idx])
    if m:
        a += m.end()
    end = idx
    m = _AUX_TAIL_RE.search(t[a:end])
    if m:
        end = a + m.start()
    while end > a and t[end - 1] in " ,;:-":
        end -= 1
    while a < end and t[a] in " ,;:-\"'(":
        a += 1
    if end <= a or not re.search(r"[A-Za-z%]", t[a:end]) or _LEADING_DET_ONLY.match(t[a:end]):
        return None
    if re.fullmatch(r"(?:there|it\s+is|it\s+was)", t[a:end], re.I):
        return None
    return a, end


def subject_after(s: Sent, cl: Clause, idx: int, *, np_only: bool = False) -> tuple[int, int] | None:
    """The noun phrase that starts at ``idx`` and runs to the next stop word, bracket or period."""
    t = s.t
    a = idx
    while a < cl.b and t[a] in " ,":
        a += 1
    end = min(cl.b, a + 2 * WINDOW)
    m = L.SUBJECT_STOP_RE.search(t, a, end)
    if m and m.start() > a:
        end = m.start()
    m = _FUTURE_STOP.search(t, a, end)
    if m:
        end = m.start()
    if np_only:
        m = _NP_ONLY_STOP.search(t, a, end)
        if m:
            end = m.start()
    for p in s.periods:  # '... in June', 'this month'
        if a < p.a < end:
            pm = _PREP_END.search(t[a:p.a])
            cut = a + pm.start() if pm else (p.a if p.rel else None)
            if cut is not None and cut > a:
                end = min(end, cut)
    while end > a and t[end - 1] in " ,;:-(":
        end -= 1
    pm = re.search(r"\s+(?:in|of|the|to|for|at|by|with|and|from|on)$", t[a:end], re.I)
    if pm:
        end = a + pm.start()
    if end <= a or not re.search(r"[A-Za-z%]", t[a:end]):
        return None
    return a, end


def clean_subject(s: Sent, span: tuple[int, int] | None) -> tuple[tuple[int, int] | None, str | None, PTok | None]:
    """Trim a subject: a value at its end ('our performance of 60%'), a period at either end
    ('Referrals in January', '... between 1 April 2018 and 30 September 2018'). Returns the span,
    its text (brackets holding a value removed) and any period cut off it."""
    if span is None:
        return None, None, None
    a, b = span
    t = s.t
    cut: PTok | None = None
    m = _TRAIL_VALUE_RE.search(t[a:b])
    if m and m.start() > 0:
        b = a + m.start()
    for p in sorted(s.periods, key=lambda p: -p.b):
        if a < p.a and p.b >= b - 1 and p.a < b:
            pm = _PREP_END.search(t[a:p.a])
            if pm and pm.start() > 0:
                b, cut = a + pm.start(), p
                break
            if p.a > a and re.match(r"(?:between|from|in|during|at|since|by|for)\b", t[p.a:], re.I):
                b, cut = p.a, p
                break
    while b > a and t[b - 1] in " ,;:-":
        b -= 1
    if b <= a:
        return None, None, cut
    text = re.sub(rf"\s*\(\s*(?:(?:target|tolerance|goal)\s*(?:of|:|=|is)?\s*)?{L.NUM}\s*(?:%|per\s*cent)?\s*\)", "",
                  t[a:b], flags=re.I)
    text = re.sub(r"\s+", " ", text).strip(" ,;:-")
    return (a, b), text or None, cut


# --------------------------------------------------------------------------- quantities

def read_qty(text: str) -> tuple[float | None, object, bool]:
    """(value, unit, is_points) of a quantity as printed, through the values library."""
    v = parse_value(text)
    return v.value, v.unit, v.percentage_points


QNG = rf"{L.NUM}(?:{L.POINTS}|{L.PCT}|{L.RATE})?"
_VAL_AFTER = (rf"(?:\s*\(\s*(?P<v>{QNG})\s*\)|\s+(?:of|at|was|is|=)\s+(?P<v2>{QNG})|\s*[=:]\s*(?P<v3>{QNG})"
              rf"|\s+(?P<v4>{QNG})(?=\s*(?:[,;.)]|and\b|&|$)))?")
_PRE_TARGET = c(rf"(?:(?:the|our|its|their|a|an)\s+)?(?P<v>{QNG})\s+(?:(?:tolerance|annual|local|stretch)\s+)?(?P<tname>target|goal)\b")
_TARGET_ITEM = c(rf"{L.TARGET_NAME}\b(?!\s+of\s+[a-z]+ing\b){_VAL_AFTER}")
_AVG_ITEM = c(rf"{L.AVERAGE_NAME}\b{_VAL_AFTER}")
_GROUP_ITEM = c(rf"{L.GROUP_NAME}(?![\w-]){L.GROUP_SUFFIX}{L.GROUP_QUALIFIER}{_VAL_AFTER}{L.GROUP_SUFFIX}")
_PRE_GROUP = c(rf"(?P<v>{QNG})\s+(?P<gname>nationally|regionally|in\s+england|across\s+england|for\s+england"
               r"|(?:amongst|among|for)\s+(?:our\s+)?statistical\s+neighbou?rs)\b")
_EXPECTED_ITEM = c(rf"{L.EXPECTED_NAME}\b")
_TIME_PREP = c(r"(?:(?:in|at|during|for|from|on|over|with|to)\s+)?")
_TIME_TAIL = c(r"(?:'s)?(?:\s+(?:figures?|performance|position|levels?|rates?|outturns?|results?|data))?")
_ITEM_FILLER = c(L.ITEM_FILLER)
_TIME_VALUE = c(rf"\s*\(\s*(?P<v>{QNG})\s*\)|\s+(?:of|at|when\s+it\s+was)\s+(?P<v2>{QNG})")


def _val_of(m: re.Match[str]) -> tuple[float | None, str | None]:
    for g in ("v", "v2", "v3", "v4"):
        if g in m.re.groupindex and m.group(g):
            return read_qty(m.group(g))[0], m.group(g)
    return None, None


def parse_item(s: Sent, p: int, limit: int) -> Item | None:
    t = s.t
    while p < limit and t[p] == " ":
        p += 1
    if p >= limit:
        return None
    fm = _ITEM_FILLER.match(t, p, limit)
    q = fm.end() if fm else p
    for start in ([q, p] if q != p else [p]):
        m = _PRE_TARGET.match(t, start, limit)
        if m:
            v, vt = _val_of(m)
            return Item(p, m.end(), "target", "target", m.group("tname"), v, vt)
        m = _TARGET_ITEM.match(t, start, limit)
        if m:
            v, vt = _val_of(m)
            label = t[start:m.end()] if not vt else t[start:m.end()].split("(")[0]
            label = re.sub(rf"\s+(?:of|at|=)\s+{L.NUM}.*$", "", label).strip(" (")
            label = re.sub(r"^(?:our|the|its|their)\s+", "", label, flags=re.I)
            return Item(p, m.end(), "target", "target", label, v, vt)
        m = _AVG_ITEM.match(t, start, limit)
        if m:
            v, vt = _val_of(m)
            return Item(p, m.end(), "average", "average", m.group("avg").strip(), v, vt)
        m = _PRE_GROUP.match(t, start, limit)
        if m:
            v, vt = _val_of(m)
            label = m.group("gname")
            comp = classify_comparator(label)
            return Item(p, m.end(), comp.value, comp.value, label, v, vt)
        m = _GROUP_ITEM.match(t, start, limit)
        if m:
            v, vt = _val_of(m)
            head = m.group("gname")
            label_end = m.end()
            for g in ("v", "v2", "v3", "v4"):
                if m.group(g):
                    label_end = m.start(g)
                    break
            label = re.sub(r"[\s(=:]+$", "", t[start:label_end])
            label = re.sub(r"\s+(?:of|at|was|is)$", "", label, flags=re.I)
            comp = classify_comparator(label)
            named = classify_comparator(head)
            if comp == Comparator.other and named == Comparator.other and not re.search(
                    r"authorit|council|areas|LAs|comparator", head, re.I):
                continue
            period = next((x for x in s.periods if start <= x.a and x.b <= label_end), None)
            return Item(p, m.end(), comp.value, named.value, label, v, vt, period)
        m = _EXPECTED_ITEM.match(t, start, limit)
        if m and start == q:
            return Item(p, m.end(), "other", "other", m.group(0))
    # a period as the comparator: 'than in 2015-16', 'as in 2016', 'than last month'
    tok, r = None, q
    for start in (p, q):
        m = _TIME_PREP.match(t, start, limit)
        r = m.end() if m else start
        tok = s.ptok_at(r)
        if tok is not None:
            break
    if tok is not None and tok.b <= limit:
        tail = _TIME_TAIL.match(t, tok.b, limit)
        end = tail.end() if tail else tok.b
        vm = _TIME_VALUE.match(t, end, limit)  # 'than the same month last year (371)'
        vt = (vm.group("v") or vm.group("v2")) if vm else None
        value, value_text = (read_qty(vt)[0], vt) if vt else (None, None)
        end = vm.end() if vm else end
        if tok.rel == "year_ago":
            comp = "same_period_last_year"
        elif tok.rel == "previous":
            comp = "previous_period"
        elif tok.rel == "current":
            return None
        else:
            comp = "earlier_period"
        label = tok.label if end == tok.b or vm else t[r:end]
        return Item(p, end, comp, comp, label, value, value_text, period=tok)
    lm = re.compile(r"last\s+year(?:'s)?\b", re.I).match(t, r, limit)
    if lm:
        return Item(p, lm.end(), "same_period_last_year", "same_period_last_year", lm.group(0))
    return None


def parse_items(s: Sent, p: int, limit: int) -> list[Item]:
    first = parse_item(s, p, limit)
    if first is None:
        return []
    items, seps = [first], []
    q = first.b
    while True:
        m = L.SEP_RE.match(s.t, q, limit)
        if not m:
            break
        nxt = parse_item(s, m.end(), limit)
        if nxt is None:
            break
        seps.append(m.group(0))
        items.append(nxt)
        q = nxt.b
    # 'Statistical Neighbours and England (2%)': a name with no value shares the next value
    for i in range(len(items) - 2, -1, -1):
        cur, nxt = items[i], items[i + 1]
        if cur.value is None and nxt.value is not None and re.fullmatch(r"\s*(?:and|&|/)\s*", seps[i], re.I) \
                and not re.match(r"(?:the|our)\b", s.t[nxt.a:nxt.b], re.I) \
                and not re.search(r"averages?$", cur.label, re.I) and cur.comparator not in ("target", "average"):
            cur.value, cur.value_text = nxt.value, nxt.value_text
            cur.extra_shared = True  # type: ignore[attr-defined]
    return items


# --------------------------------------------------------------------------- helpers

_GAP_RE = c(rf"(?:\b(?:still|currently|also|now|again|both|consistently|remains?|remained|just|is|are|was|were|well)\s+"
            rf"|\b(?P<neg>not|no\s+longer|never)\s+)*(?:(?P<qty>{QNG})\s+)?(?:\b(?P<size>{L.SIZE_WORD})\s+)?"
            r"(?:\b(?P<neg2>not)\s+)?$")


def _gap(s: Sent, cl: Clause, idx: int) -> tuple[int, re.Match[str] | None]:
    lo = _lo(cl, idx, 80)
    m = _GAP_RE.search(s.t[lo:idx])
    if not m or not m.group(0):
        return idx, None
    return lo + m.start(), m


def _size_class(word: str | None) -> str | None:
    if not word:
        return None
    first = re.split(r"\s+(?:but|and)\s+", word.lower())[-1]
    return L.SIZE_CLASS.get(first)


def _purpose(s: Sent, cl: Clause, idx: int) -> bool:
    before = s.t[_lo(cl, idx):idx]
    if re.search(r"\b(?:continues?|continued|continuing|begun|began|start(?:ed|s)?|appears?|seems?|tends?|tended"
                 r"|likely|set)\s+to\s+$", before, re.I):
        return False
    if re.search(r"\bto\s+$", before, re.I) and not re.search(r"\b(?:fail(?:ed|s|ing)?|yet|due|compared|close|up"
                                                             r"|equal|similar|according|led|lead)\s+to\s+$", before, re.I):
        return True
    if re.search(r"\bto\s+(?!be\b|a\b|an\b|the\b|date\b)[a-z]+\s+(?:(?:a|an|the|further|more|any|some)\s+)?(?:\w+\s+)?$",
                 before[-60:], re.I) and not re.search(r"\b(?:led|lead|leads|leading|due|compared|contributed|according)"
                                                        r"\s+to\s+\w+\s+(?:\w+\s+)?$", before[-60:], re.I):
        return True
    return bool(L.PURPOSE_VERB_BEFORE_RE.search(before[-60:]))


def _window_run(s: Sent, cl: Clause, d: Draft) -> None:
    seg = s.t[max(cl.a, d.a - WINDOW):min(cl.b, d.b + WINDOW)]
    m = L.WINDOW_RE.search(seg)
    if m:
        n = m.group("n")
        d.window = int(float(n)) if n[0].isdigit() else L.word_number(n)
    m = L.RUN_RE.search(seg)
    if m:
        o = m.group("ord") or m.group("ord2")
        if o:
            d.run = L.ORDINALS.get(o.lower()) or int(re.match(r"\d+", o).group(0))
        elif m.group("n"):
            n = m.group("n")
            d.run = int(float(n)) if n[0].isdigit() else L.word_number(n)
