"""Linking draft claims into ``Claim`` records: subjects inherited inside a sentence, antecedents ('This',
'which', 'Our performance') across sentences of a paragraph, joint subjects split, periods and their roles,
past and future markers, cohorts and thresholds read off subjects, counts that are parts of counts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from catalogue.normalise import normalise
from extractors.values import parse_polarity
from extractors.values.text import clean
from schemas import Polarity

from . import claims_lexicon as L
from . import claims_parse as P
from . import claims_readers as R
from .claims_model import Claim, ClaimComparator, ClaimKind


@dataclass
class State:
    """What later sentences may refer back to."""

    last_count_para: int = -1
    last_count: int | None = None
    paras: list[int] = field(default_factory=list)  # paragraph of each claim so far


def read_sentence(s: P.Sent) -> list[P.Draft]:
    cls = P.clauses(s.t)
    drafts = R.read_definitions(s, cls)
    for ci, cl in enumerate(cls):
        drafts += R.read_achievements(s, ci, cl)
        drafts += R.read_comparisons(s, ci, cl)
        drafts += R.read_changes(s, ci, cl)
        drafts += R.read_values(s, ci, cl)
        drafts += R.read_counts(s, ci, cl)
        drafts += R.read_thresholds(s, ci, cl)
    drafts = drafts[:_MAX_DRAFTS]
    for d in drafts:
        d.extra["clause_obj"] = cls[d.clause]
    _assign_runs(s, cls, drafts)
    drafts.sort(key=lambda d: (d.trig, d.a))
    return drafts


def _assign_runs(s: P.Sent, cls: list[P.Clause], drafts: list[P.Draft]) -> None:
    """'for the second consecutive month', 'over the last four months': to the claim just before the phrase
    in its clause (or the first claim of the clause when the phrase opens it)."""
    for ci, cl in enumerate(cls):
        mine = [d for d in drafts if d.clause == ci and d.kind not in ("definition", "threshold", "count")]
        if not mine:
            continue
        for rx, attr in ((L.RUN_RE, "run"), (L.WINDOW_RE, "window")):
            for m in rx.finditer(s.t, cl.a, cl.b):
                before = [d for d in mine if d.trig < m.start()]
                d = before[-1] if before else mine[0]
                if getattr(d, attr) is None:
                    probe = P.Draft(d.kind, m.start(), m.end(), ci, m.start())
                    P._window_run(s, P.Clause(m.start(), m.end(), ""), probe)
                    setattr(d, attr, getattr(probe, attr))


_MAX_DRAFTS = 200  # a 'sentence' with more claims than this is a table caught as text
_PRONOUN_LEAD = {"which", "whereby"}
_INHERIT_LEADS = {"and", "but", "but also", "", "whilst", "while", "although", "though", "so", "however", "with"}


def _subject_fields(s: P.Sent, d: P.Draft) -> None:
    d.extra["subj_raw"] = d.subj
    span, text, cut = P.clean_subject(s, d.subj)
    d.subj, d.subject_text = span, text
    if cut is not None and d.ptok is None:
        d.ptok = cut
    if d.extra.get("of_lead") and text:  # 'Of the children who ...': drop 'the'
        d.subject_text = re.sub(r"^(?:the|these|those)\s+", "", text, flags=re.I)


def link(s: P.Sent, raw: str, drafts: list[P.Draft], prior: list[Claim], state: State) -> list[Claim]:
    """Subjects, antecedents, periods, markers; then Claim records."""
    base = len(prior)
    for d in drafts:  # a subject never reaches back over another change's words
        if d.subj is None or d.kind not in ("change", "comparison", "achievement"):
            continue
        for o in drafts:
            if o is not d and o.kind == "change" and d.subj[0] <= o.trig < d.subj[1] and o.b <= d.subj[1]:
                a = o.b
                while a < d.subj[1] and s.t[a] in " ,;:-":
                    a += 1
                lm = L.LEAD_WORDS_RE.match(s.t, a, d.subj[1])
                a = lm.end() if lm else a
                d.subj = (a, d.subj[1]) if a < d.subj[1] else None
                if d.subj is None:
                    break
    for d in drafts:
        _subject_fields(s, d)
    # which / inherited subjects inside the sentence
    for i, d in enumerate(drafts):
        lead = d.extra["clause_obj"].lead
        if d.subj is not None or d.kind in ("definition", "threshold", "count"):
            continue
        if lead in _PRONOUN_LEAD:
            ante = _nearest_value(drafts[:i])
            if ante is not None:
                d.extra["ante_local"] = ante
                d.subj, d.subject_text = drafts[ante].subj, drafts[ante].subject_text
                d.extra["inherited"] = True
            continue
        if d.clause > 0 and lead in _INHERIT_LEADS or any(p.clause == d.clause for p in drafts[:i]):
            prev = next((p for p in reversed(drafts[:i]) if p.clause <= d.clause and p.kind != "count"
                         and (p.subject_text or p.extra.get("ante_local") is not None or p.extra.get("pronoun"))), None)
            if prev is not None:
                d.subj, d.subject_text = prev.subj, prev.subject_text
                d.extra["inherited"] = True
                for k in ("ante_local", "pronoun", "generic"):
                    if k in prev.extra:
                        d.extra[k] = prev.extra[k]
    for i, d in enumerate(drafts):
        if d.extra.get("appositive") and i > 0:  # '1,204 contacts in May, a 7% increase on April'
            prev = drafts[i - 1]
            d.subj = prev.subj
            d.subject_text = prev.subject_text or prev.count_subject
            d.extra["inherited"] = True
            d.extra["ante_local"] = i - 1
            if d.value is None and (prev.value is not None or prev.count is not None):
                d.extra["appositive_value"] = prev.value if prev.value is not None else float(prev.count)
        if d.extra.get("total_draft") is not None:  # 'Two of the eight measures ...'
            d.extra["part_of_local"] = next(j for j, o in enumerate(drafts) if o is d.extra["total_draft"])
    lead_cmp = _LEAD_COMPARED.match(s.t)
    if lead_cmp:  # 'Compared to last year, the number ... has risen by 15%'
        items = P.parse_items(s, lead_cmp.end(), len(s.t))
        if items and items[0].comparator in R._TIME_COMPARATORS:
            it = items[0]
            for d in drafts:
                if d.kind == "change" and d.comparator is None:
                    d.comparator, d.comparator_named, d.comparator_label = it.comparator, it.named, it.label
                    d.comparator_ptok = it.period
    # pronoun and generic subjects
    for i, d in enumerate(drafts):
        if d.subject_text and L.PRONOUN_SUBJECT_RE.match(d.subject_text):
            d.extra["pronoun"] = True
        if d.subject_text and L.GENERIC_SUBJECT_RE.match(d.subject_text):
            d.extra["generic"] = True
    claims: list[dict] = []
    polarity = _stated_polarity(s)
    lead_period = _lead_period(s, drafts)
    for i, d in enumerate(drafts):
        fields = _fields(s, raw, d)
        ante = _antecedent(s, drafts, i, prior, base, state.paras)
        if ante is not None:
            fields["antecedent"] = ante
            ac = _claim_at(ante, prior, claims, base)
            if ac is not None:
                if d.extra.get("pronoun") or d.extra.get("ante_contained") and ac.get("subject") \
                        or (fields["subject"] is None and d.kind != "value"):
                    fields["subject"] = ac.get("subject")
                    fields["subject_span"] = ac.get("subject_span")
                    fields["cohort"], fields["cohorts"] = ac.get("cohort"), ac.get("cohorts", [])
                    fields["thresholds"] = ac.get("thresholds", [])
                    fields["threshold_directions"] = ac.get("threshold_directions", [])
                if fields["value"] is None and d.kind in ("comparison", "achievement", "change") and ac.get("value") is not None:
                    fields["value"], fields["unit"] = ac.get("value"), ac.get("unit")
                    fields["value_text"], fields["value_from_antecedent"] = ac.get("value_text"), True
        if d.extra.get("appositive_value") is not None and fields["value"] is None:
            fields["value"], fields["value_from_antecedent"] = d.extra["appositive_value"], True
            fields["antecedent"] = base + d.extra["ante_local"]
        if polarity is not None:
            fields["polarity_stated"] = polarity
        _period_fields(s, d, fields, lead_period)
        _markers(s, d, fields)
        if d.kind == "count" and d.extra.get("part_of_local") is not None:
            fields["part_of"] = base + d.extra["part_of_local"]
        elif d.kind == "count":
            _part_of(s, d, fields, prior, claims, base, state)
        claims.append(fields)
    # joint subjects: 'The number and percentage of children ...' -> two claims
    out: list[Claim] = []
    remap: dict[int, int] = {}
    expanded: list[dict] = []
    for i, f in enumerate(claims):
        remap[base + i] = base + len(expanded)
        m = L.JOINT_SUBJECT_RE.match(f.get("subject") or "")
        if m and f["kind"] in ("change", "comparison", "value", "achievement"):
            for head in (m.group("a"), m.group("b")):
                g = dict(f)
                g["subject"] = f"{head} {m.group('rest')}"
                g["extra_joint"] = True
                expanded.append(g)
        else:
            expanded.append(f)
    for f in expanded:
        f.pop("extra_joint", None)
        for k in ("antecedent", "part_of"):
            if f.get(k) is not None and f[k] >= base:
                f[k] = remap.get(f[k], f[k])
        for k in ("cohort", "cohorts", "thresholds", "threshold_directions"):
            f.setdefault(k, [] if k != "cohort" else None)
        if f.get("subject") and not f.get("cohorts") and not f.get("thresholds"):
            _subject_semantics(f)
        out.append(Claim(**f))
    state.paras += [s.para] * len(out)
    for j, cl in enumerate(out):
        if cl.kind == ClaimKind.count:
            state.last_count, state.last_count_para = base + j, s.para
    return out


def _claim_at(index: int, prior: list[Claim], current: list[dict], base: int) -> dict | None:
    if index < base:
        return prior[index].model_dump() if 0 <= index < len(prior) else None
    j = index - base
    return current[j] if 0 <= j < len(current) else None


def _nearest_value(drafts: list[P.Draft]) -> int | None:
    for j in range(len(drafts) - 1, -1, -1):
        if drafts[j].value is not None and drafts[j].kind in ("value", "change"):
            return j
    return None


def _antecedent(s: P.Sent, drafts: list[P.Draft], i: int, prior: list[Claim], base: int,
                paras: list[int]) -> int | None:
    """The claim whose value (and, for pronouns, subject) this claim takes."""
    d = drafts[i]
    if d.kind not in ("comparison", "achievement", "change") or d.value is not None:
        return None
    if d.extra.get("ante_local") is not None:
        return base + d.extra["ante_local"]
    # a value inside the claim's own subject: 'our performance of 60% is above target'
    raw = d.extra.get("subj_raw") or d.subj
    if raw is not None:
        for j, o in enumerate(drafts):
            if o.kind == "value" and o.value_span and raw[0] <= o.value_span[0] and o.value_span[1] <= raw[1] + 12:
                d.extra["ante_contained"] = True
                return base + j
    needs = d.extra.get("pronoun") or d.extra.get("generic") or (d.subj is None and d.kind != "change")
    if d.kind == "change" and d.extra.get("inherited") and not d.extra.get("pronoun"):
        local = _nearest_value(drafts[:i])
        return base + local if local is not None else None
    if not needs:
        return None
    if d.kind == "change" and not d.extra.get("pronoun"):
        return None  # a change needs no level
    local = _nearest_value([o for o in drafts[:i]])
    if local is not None and drafts[local].clause <= d.clause:
        return base + local
    for j in range(len(prior) - 1, -1, -1):
        c = prior[j]
        if c.sentence_index < s.index - 3:
            break
        if paras[j] != s.para:
            break
        if c.value is not None and c.kind in (ClaimKind.value, ClaimKind.change) and not c.value_from_antecedent:
            return j
    return None


def _fields(s: P.Sent, raw: str, d: P.Draft) -> dict:
    a, b = d.a, d.b
    if d.subj is not None and not d.extra.get("inherited") and d.subj[0] >= d.extra["clause_obj"].a \
            and d.subj[1] <= d.extra["clause_obj"].b:
        a, b = min(a, d.subj[0]), max(b, d.subj[1])
    f: dict = {
        "kind": ClaimKind(d.kind),
        "text": clean(raw[s.pos[0]:s.pos[-1] + 1]) if s.pos else "",
        "span": s.raw_span(a, b),
        "sentence_span": s.raw_span(0, len(s.t)),
        "sentence_index": s.index,
        "subject": d.subject_text,
        "subject_span": s.raw_span(*d.subj) if d.subj else None,
        "subject_is_generic": bool(d.extra.get("generic") or d.extra.get("pronoun")),
        "value": d.value,
        "unit": d.unit,
        "value_text": d.value_text,
        "value_bound": d.value_bound,
        "qualifier": d.qualifier,
        "comparator": ClaimComparator(d.comparator) if d.comparator else None,
        "comparator_label": d.comparator_label,
        "comparator_named": ClaimComparator(d.comparator_named) if d.comparator_named else None,
        "comparator_value": d.comparator_value,
        "comparator_value_text": d.comparator_value_text,
        "comparator_value_shared": bool(d.extra.get("shared_value")),
        "relation": d.relation,
        "negated": d.negated,
        "direction": d.direction,
        "judgement": d.judgement,
        "size_word": d.size_word,
        "size_class": P._size_class(d.size_word),
        "size_value": d.size_value,
        "size_is_points": d.size_is_points,
        "run": d.run,
        "window": d.window,
        "count_subject": d.count_subject,
        "count": d.count,
    }
    if d.comparator_ptok is not None:
        f["comparator_period"] = d.comparator_ptok.period
        f["comparator_period_text"] = d.comparator_ptok.label
    # a change in 'performance' is a judgement: 'a reduction in performance' is a deterioration
    if d.kind == "change" and d.direction in ("increase", "decrease") and R._is_performance(d.subject_text) \
            and d.value is None and d.comparator_value is None and d.size_value is None:
        f["judgement"] = "improved" if d.direction == "increase" else "worsened"
        f["direction"] = None
    if d.kind == "comparison" and d.comparator == "target" and d.relation in ("above", "below") \
            and (R._is_performance(d.subject_text) or (d.subject_text or "").lower() in ("we",)):
        f["performance_language"] = True
    if d.subject_text and d.kind != "definition" or d.kind == "definition":
        _subject_semantics(f, d.subject_text)
    return f


_EXTRA_COHORTS: list[tuple[str, re.Pattern[str]]] = [
    ("cp", re.compile(r"\bS\.?\s?47s?\b|\bsection\s+47\b|\b[IR]CPCs?\b", re.I)),
    ("adoption", re.compile(r"\badopt\w*", re.I)),
    ("early_help", re.compile(r"\buniversal\s+help\b|\bearly\s+help\b|\bUH[AP]s?\b|\bEH\b", re.I)),
    ("assessments", re.compile(r"\bassessments?\b|\bSAs?\b", re.I)),
    ("referrals", re.compile(r"\b(?:re-?)?referrals?\b|\bcontacts?\b|\bconversion\s+rate\b|\bMASH\b|\bfront\s+door\b", re.I)),
    ("education", re.compile(r"\bpupils?\b|\bschools?\b|\bkey\s+stage\b|\bKS\d\b|\bexclusions?\b|\battainment\b|\bOfsted\b", re.I)),
    ("workforce", re.compile(r"\bsocial\s+workers?\b|\bcaseloads?\b|\bturnover\b|\bsickness\b|\bvacanc\w+|\bagency\s+staff\b", re.I)),
]
_COHORT_ORDER = ["care_leavers", "adoption", "cp", "cin", "cla", "early_help", "assessments", "referrals", "education",
                 "workforce"]


def _subject_semantics(f: dict, text: str | None = None) -> None:
    """Cohorts and thresholds read off the subject with the catalogue's own normaliser."""
    text = text if text is not None else f.get("subject")
    if not text:
        f.setdefault("cohorts", [])
        f.setdefault("thresholds", [])
        f.setdefault("threshold_directions", [])
        f.setdefault("cohort", None)
        return
    nl = normalise(text)
    cohorts = set(nl.cohorts)
    extra = {name for name, rx in _EXTRA_COHORTS if rx.search(text)}
    if "early_help" in extra:
        extra.discard("assessments")
    cohorts |= extra
    ordered = [c for c in _COHORT_ORDER if c in cohorts]
    f["cohorts"] = ordered
    primary = [c for c in ordered if c in ("care_leavers", "cp", "cin", "cla")]
    if "adoption" in ordered:
        f["cohort"] = "adoption"
    elif len(primary) == 1:
        f["cohort"] = primary[0]
    elif not primary and ordered:
        f["cohort"] = ordered[0]
    else:
        f["cohort"] = None
    f["thresholds"] = [t.token for t in nl.thresholds]
    f["threshold_directions"] = [t.direction for t in nl.thresholds]


def _stated_polarity(s: P.Sent) -> Polarity | None:
    m = L.POLARITY_PHRASE_RE.search(s.t)
    return parse_polarity(m.group(0).strip("() ")) if m else None


_LEAD_COMPARED = re.compile(r"^\W*(?:compared\s+(?:to|with)|when\s+compared\s+(?:to|with)|relative\s+to|against)\s+",
                            re.I)
_LEAD_PERIOD_RE = re.compile(r"^\W*(?:(?:as\s+at|as\s+of|at|in|during|by|for|over|since|between|on|the|end|of|at\s+the\s+end\s+of)\s+)*$",
                             re.I)


def _lead_period(s: P.Sent, drafts: list[P.Draft]) -> P.PTok | None:
    """A period opening the sentence ('At the end of Quarter 4, ...', 'In 2018, ...'): all its claims'."""
    first = min((d.trig for d in drafts), default=len(s.t))
    for p in s.periods:
        if p.a >= first:
            break
        if _LEAD_PERIOD_RE.match(s.t[:p.a]) or re.match(r"\W*(?:in|at|during)\s+(?:the\s+)?$", s.t[:p.a], re.I):
            return p
    return None


def _period_fields(s: P.Sent, d: P.Draft, f: dict, lead: P.PTok | None) -> None:
    cl = d.extra["clause_obj"]
    own = d.ptok
    if own is None:
        taken = {id(d.comparator_ptok)} if d.comparator_ptok else set()
        cands = [p for p in s.periods if cl.a <= p.a and p.b <= cl.b and id(p) not in taken
                 and not (d.comparator_ptok and p.a == d.comparator_ptok.a)
                 and not (d.subj and d.subj[0] <= p.a < d.subj[1] and d.kind in ("definition", "threshold"))]
        # 'since April 2014' starts a window; it is the claim's period only when nothing else is
        cands = [p for p in cands if not _is_comparator_position(s, p)]
        if cands:
            own = min(cands, key=lambda p: abs(p.a - d.trig))
    if own is None and lead is not None and lead is not d.comparator_ptok:
        own = lead
    if own is not None:
        f["period"] = own.period
        f["period_text"] = own.label
        before = s.t[max(0, own.a - 8):own.a].lower()
        if "since" in before and d.kind != "change":
            f["period_is_past"] = True
            f["past_marker"] = s.t[max(0, own.a - 6):own.b].strip()
        elif "since" in before and d.kind == "change" and not f.get("comparator"):
            f["comparator"] = ClaimComparator.earlier_period
            f["comparator_period"], f["comparator_period_text"] = own.period, own.label
            f["period"], f["period_text"] = None, None
        if own.rel in ("previous", "year_ago") and not f.get("comparator") and d.kind == "change":
            # 'month on month', 'than last year': what the change is measured from
            f["comparator"] = ClaimComparator.same_period_last_year if own.rel == "year_ago" \
                else ClaimComparator.previous_period
            f["comparator_named"] = f["comparator"]
            f["comparator_period"], f["comparator_period_text"] = own.period, own.label
            f["period"], f["period_text"] = None, None
        elif own.rel in ("previous", "year_ago") and not f.get("comparator"):
            f["period_is_past"] = True
            f["past_marker"] = own.label


def _is_comparator_position(s: P.Sent, p: P.PTok) -> bool:
    before = s.t[max(0, p.a - 30):p.a]
    return bool(re.search(r"\b(?:than|as|compared\s+(?:to|with)|from|on)\s+(?:in\s+|the\s+)?$", before, re.I))


def _markers(s: P.Sent, d: P.Draft, f: dict) -> None:
    cl = d.extra["clause_obj"]
    lo, hi = max(cl.a, d.trig - P.WINDOW), max(d.b, d.trig + 1)
    text = s.t[lo:hi]
    if d.subj is not None and lo <= d.subj[0] and d.subj[1] <= hi:  # 'children previously subject to CP planning'
        text = s.t[lo:d.subj[0]] + " " * (d.subj[1] - d.subj[0]) + s.t[d.subj[1]:hi]
    m = L.PAST_RE.search(text)
    if m:
        f["period_is_past"] = True
        f["past_marker"] = m.group(0)
    head = s.t[lo:d.trig + 1] if d.kind != "change" else s.t[lo:max(d.trig, d.a) + 1]
    if d.kind in ("threshold", "definition"):
        return  # 'must take place within', 'should be reviewed every 3 months' are requirements
    if d.extra.get("future") or L.FUTURE_RE.search(head):
        fm = L.FUTURE_RE.search(head)
        if d.extra.get("future") or not (fm and fm.group(0).lower() in ("once", "until") and fm.start() > 0):
            f["modality"] = "future"


def _part_of(s: P.Sent, d: P.Draft, f: dict, prior: list[Claim], current: list[dict], base: int, state: State) -> None:
    """'Of these, 4 are ...' and 'Of the 46 children who left care, 12 were adopted'."""
    cl = d.extra["clause_obj"]
    lead = R._OF_LEAD_RE.match(s.t, cl.a, cl.b)
    if lead and d.a >= lead.end():
        for j in range(len(current) - 1, -1, -1):
            g = current[j]
            if g["kind"] == ClaimKind.count and g["sentence_index"] == s.index:
                f["part_of"] = base + j
                return
    if d.part_of_lead:
        for j in range(len(current) - 1, -1, -1):
            if current[j]["kind"] == ClaimKind.count and current[j].get("part_of") is None:
                pass
        if state.last_count is not None and state.last_count_para == s.para:
            f["part_of"] = state.last_count
