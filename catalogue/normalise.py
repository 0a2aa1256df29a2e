"""Turn a measure name as printed into something the mapper can compare.

Council papers write one measure in many ways (seed-discrepancies.md §7.1): item numbers
fused with the name ("1 % repeat referrals", OCR superscripts "³ % …"), indicator codes
damaged by OCR ("M2-NI", "LACI-NI", "N1La7"), abbreviations (CLA / LAC / CiC, CIN, CP,
CPP, ICPC, EET, S47, SA, WD …), bracketed expansions that repeat the abbreviation
("% ICPC (Initial Child Protection Conference) held …"), period tokens ("in 16/17",
"(RAG)", "Q1") and symbols ("<14 months").

`normalise(label)` returns a `NormalisedLabel` with

* ``text``: the cleaned, expanded, lower-case label (for people and for reasons);
* ``tokens``: stemmed content words for scoring (unit words removed: the unit is
  compared by a separate hard guard, so "% repeat referrals" and "Number of repeat
  referrals" score alike but can never be confused);
* ``key``: the sorted token set, used for exact alias matches (word order ignored);
* ``unit``: the unit class the label states, if any;
* ``thresholds``: (number, dimension, direction) triples such as 20 miles / within
  (direction words are also rewritten canonically in ``text``: "no more than 20 miles"
  and "within 20 miles" read alike; years are written as months: "2 years" = "24 months");
* ``cohorts``: which of CIN / CP / CLA / care leavers the label names (exclusion
  clauses such as "(not including CP, CLA)" removed first).

Everything here is deterministic and cached: the same label costs one dict lookup.
"""
from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from schemas import Unit

# ---------------------------------------------------------------------------
# Direction words: which side of a threshold a measure counts.
# "within", "in", "less than", "no more than", "under", "<" all bound the value from
# above; "more than", "over", "at least", "or more", ">" from below. Inside one class the
# words are interchangeable in measure names (catalogue.md lists "no more than 20 miles"
# as the same measure as "within 20 miles"); across classes they are inverse measures.
UPPER = "upper"
LOWER = "lower"
BAND = "band"

DIRECTION_WORDS: dict[str, str] = {
    "within": UPPER, "in": UPPER, "in the last": UPPER, "less than": UPPER, "fewer than": UPPER,
    "under": UPPER, "no more than": UPPER, "not more than": UPPER, "up to": UPPER, "at most": UPPER,
    "or less": UPPER, "or fewer": UPPER, "or under": UPPER, "and under": UPPER, "every": UPPER,
    "in last": UPPER,
    "more than": LOWER, "greater than": LOWER, "longer than": LOWER, "over": LOWER, "at least": LOWER,
    "or more": LOWER, "or longer": LOWER, "and over": LOWER, "or over": LOWER, "outside": LOWER, "exceeding": LOWER, "beyond": LOWER,
    "between": BAND,
}
# The canonical word written into the scoring text for each class, so that
# "in 45 working days", "within 45 working days" and "no more than …" score alike.
_CANONICAL_DIRECTION = {UPPER: "within", LOWER: "over", BAND: "between"}

# Unit classes a label can state. "rate" alone (turnover rate, exclusion rate) is a
# percentage or a rate per 10,000, never a count; "average" is a mean (days, cases).
U_PERCENT = "percent"
U_COUNT = "count"
U_RATE10K = "rate_per_10000"
U_RATE_OTHER = "rate_other"  # per 100,000 / per 1,000
U_RATE = "rate"
U_AVERAGE = "average"
U_SCORE = "score"
U_DAYS = "days"

# Which catalogue units each label unit class is compatible with.
UNIT_COMPATIBLE: dict[str, frozenset[Unit]] = {
    U_PERCENT: frozenset({Unit.percent}),
    U_COUNT: frozenset({Unit.count}),
    U_RATE10K: frozenset({Unit.rate_per_10000}),
    U_RATE_OTHER: frozenset({Unit.other}),
    U_RATE: frozenset({Unit.percent, Unit.rate_per_10000, Unit.ratio, Unit.other}),
    U_AVERAGE: frozenset({Unit.days, Unit.ratio, Unit.score, Unit.other}),
    U_SCORE: frozenset({Unit.score}),
    U_DAYS: frozenset({Unit.days}),
}
UNIT_HINT_CLASS: dict[Unit, str | None] = {
    Unit.percent: U_PERCENT, Unit.count: U_COUNT, Unit.rate_per_10000: U_RATE10K,
    Unit.days: U_DAYS, Unit.score: U_SCORE, Unit.ratio: U_AVERAGE, Unit.other: None,
}

COHORT_CIN = "cin"
COHORT_CP = "cp"
COHORT_CLA = "cla"
COHORT_CL = "care_leavers"


@dataclass(frozen=True, slots=True)
class Threshold:
    """A number a measure name is defined by, e.g. 20 miles (within)."""

    low: float
    high: float | None  # set for bands "11-25 days"
    dim: str  # working_day | day | week | month | mile | hour | placement
    direction: str | None  # UPPER | LOWER | BAND | None (not stated)
    token: str  # normalised text, e.g. "45 working days", "11-25 days"

    def key(self) -> tuple[str, float, float | None]:
        """Comparable key: years become months so "2 years" equals "24 months"."""
        if self.dim == "year":
            return ("month", self.low * 12, None if self.high is None else self.high * 12)
        return (self.dim, self.low, self.high)


@dataclass(frozen=True, slots=True)
class NormalisedLabel:
    raw: str
    text: str
    tokens: tuple[str, ...]
    key: str
    unit: str | None
    thresholds: tuple[Threshold, ...]
    cohorts: frozenset[str]
    notes: tuple[str, ...] = field(default=())


# ---------------------------------------------------------------------------
# Regexes, compiled once.
#
# Speed note: normalisation runs once per distinct name, so it is written for speed:
# cheap substring gates before regexes, a character-trie alternation for the ~200
# abbreviations (`_trie_pattern`), `str.find` / `endswith` instead of regexes with a
# leading ``\b`` (which stop `re` from scanning fast), and caches.


def _trie_pattern(words: list[str]) -> str:
    """A regex alternation of `words` factored as a character trie.

    `re` tries alternatives one by one; with ~200 abbreviations that is slow at every
    word start. A trie ("c(?:la|in|p(?:p|))") decides on each character once.
    """
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        if len(branches) == 1 and not end:
            return branches[0]
        body = "(?:" + "|".join(branches) + ")"
        return body + "?" if end else body

    return build(trie)


_HTML_TAG = re.compile(r"<[^>]+>")
_MARKDOWN = re.compile(r"\*\*|__|\\[*_]")
_LEAD_BULLET = re.compile(r"^\s*(?:[-*•►▶▪]+\s*)+")
# A leading item number: 1-2 digits then space/tab or "." / ")". Not when the number
# belongs to the measure ("20 miles …", "16-18 year olds …").
_LEAD_ITEM = re.compile(
    r"^\s*(\d{1,2})(?:[.)]\s*|\s+)"
    r"(?!(?:working\s+)?(?:days?|weeks?|months?|years?|miles?|hours?|or\s+more|\+|-|per\b|to\s+\d))"
)
# A leading indicator code (003 style): short token with a digit or a -NI / -QL suffix,
# optionally followed by "(val)" / "(%)". OCR damage is expected ("N1La7", "LACI-NI", "£H3").
_LEAD_CODE = re.compile(
    r"^\s*(?P<tok>[a-z£é][a-z0-9£é%.]{0,7}(?:\s*-\s*(?:ni|ql|qi|al|q1)\.?)?)"
    r"(?P<suf>\s*[({]\s*(?:val|%)\s*\)\s*-?)?(?=\s|$)",
    re.I,
)
_NOT_CODES = frozenset({
    "ks1", "ks2", "ks3", "ks4", "ks5", "s47", "a1", "a2", "a3", "a10", "q1", "q2", "q3", "q4", "y6",
    "%", "no.", "e11", "e12", "e43", "e44", "ni", "per", "rate", "cin", "cla", "lac", "cic", "cpp", "cp",
    "uasc", "icpc", "icpcs", "sgo", "sgos", "mash", "eet", "neet", "sa", "sas",
})
_CODE_SHAPE = re.compile(r"\d|-\s*(?:ni|ql|qi|al|q1)\.?$", re.I)

# Noise that says nothing about the measure: "(RAG)", "(based on count of children)",
# "(Updated Nov-17. using 16-17 data)", "YTD", and period tokens ("in 16/17", "2017/18",
# "2016-17", "16/17", "Q1", "Jun-18", "(2018 figures)"). Each pattern has a cheap gate.
_NOISE_WORDS = re.compile(
    r"\(\s*rag\s*\)|\(?\s*based on (?:a )?count of children\s*\)?|\(\s*count of children\s*\)"
    r"|\((?=\s*(?:updated|using))[^)]*\)|(?<![\w'])(?:ytd|year to date)(?![\w'])"
)
_NOISE_PERIOD = re.compile(
    r"(?<![\w'/])(?:(?:in|for|during)\s+(?:19|20)?\d{2}\s*/\s*\d{2,4}"
    r"|(?:19|20)\d{2}\s*[/-]\s*(?:19|20)?\d{2}|\d{2}/\d{2}|q[1-4]"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*[-\s](?:19|20)?\d{2}"
    r"|\((?:19|20)\d{2} figures\))(?![\w/])"
)
_NOISE_WORD_GATES = ("rag", "count of children", "updated", "using", "ytd", "year to date")

# Unit words removed from the scoring text once the unit has been read.
_UNIT_WORDS = re.compile(
    r"%|\(\s*(?:val|num|rate)\s*\)"
    r"|(?=[pncr])(?<![\w'])(?:per\s?cent(?:age)?s?|proportion|pct|numbers?|no\.(?=\s)|count|rates?"
    r"|per\s*(?:10|100|1)[,.\s]?000|per\s*10k)(?![\w'])"
)

_SYMBOL_MAP = {
    "≤": " no more than ", "<=": " no more than ", "=<": " no more than ",
    "≥": " at least ", ">=": " at least ", "=>": " at least ",
    "<": " less than ", ">": " more than ", "&": " and ",
    "’": "'", "‘": "'", "`": "'", "´": "'",
    "–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-", "“": '"', "”": '"',
}
_SYMBOLS = re.compile("|".join(re.escape(k) for k in sorted(_SYMBOL_MAP, key=len, reverse=True)))

_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "fifteen": "15",
    "twenty": "20", "twenty four": "24", "forty five": "45", "forty-five": "45",
}
_NUMBER_WORD_GATES = tuple(sorted({w.split()[0][:4] for w in _NUMBER_WORDS}))
_NUMBER_WORD_RE = re.compile(
    r"(?=[otefsnt])(?<![\w'])(" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")(?![\w'])"
)

# Abbreviations and synonyms → one canonical phrase. Applied to lower-case text with
# word boundaries, longest key first. Both labels and catalogue titles go through this,
# so the canonical form only has to be consistent, not pretty.
_EXPANSIONS: dict[str, str] = {
    # children looked after
    "children looked after": "children looked after",
    "looked after children": "children looked after",
    "looked-after children": "children looked after",
    "child looked after": "children looked after",
    "children in care": "children looked after",
    "child in care": "children looked after",
    "cla": "children looked after", "lac": "children looked after", "cic": "children looked after",
    "in care": "looked after",
    # children in need
    "children in need": "children in need", "child in need": "children in need",
    "cin": "children in need", "cins": "children in need",
    # child protection
    "cpp": "child protection plan", "cpps": "child protection plans", "cpp's": "child protection plans",
    "cp plan": "child protection plan", "cp plans": "child protection plans",
    "cp": "child protection", "cpr": "child protection register",
    "icpc": "initial child protection conference", "icpcs": "initial child protection conferences",
    "icp conference": "initial child protection conference",
    "initial stage child protection": "initial child protection",
    "rcpc": "review child protection conference", "rcpcs": "review child protection conferences",
    "child protection conference": "child protection conference",
    "strategy meeting": "strategy discussion",
    # education, employment, training
    "neet": "not in education employment or training",
    "eet": "education employment or training",
    # assessments
    "s47": "section 47", "s.47": "section 47", "s 47": "section 47",
    "sa": "single assessment", "sas": "single assessments",
    "c&f assessment": "single assessment",
    "continuous assessments": "assessments", "continuous assessment": "assessment",
    # others
    "mash": "multi agency safeguarding hub",
    "uasc": "unaccompanied asylum seeking children",
    "sgo": "special guardianship order", "sgos": "special guardianship orders",
    "wd": "working days", "wds": "working days", "w/d": "working days", "working dys": "working days",
    "w/in": "within", "w in": "within",
    "ks 1": "ks1", "ks 2": "ks2", "ks 4": "ks4", "ks 5": "ks5",
    "key stage 1": "ks1", "key stage 2": "ks2", "key stage 4": "ks4", "key stage 5": "ks5",
    "rwm": "reading writing mathematics", "maths": "mathematics", "math": "mathematics",
    "uha": "universal help assessment", "uhas": "universal help assessments",
    "uhp": "universal help plan", "uhps": "universal help plans",
    "cse": "child sexual exploitation",
    "ifa": "independent fostering agency", "ifas": "independent fostering agency",
    "nfa": "no further action",
    "csc": "childrens social care", "cs": "childrens services",
    "sw": "social worker", "sws": "social workers", "swr": "social worker",
    "yp": "young people", "yr": "year", "yrs": "years", "mths": "months", "mth": "month",
    "mnth": "month", "mnths": "months", "wks": "weeks", "wk": "week", "hrs": "hours", "hr": "hour",
    "fsm": "free school meals", "gld": "good level of development",
    "la": "local authority", "las": "local authorities", "lbc": "council",
    # "re-referral" is written as two words so a typo in either ("repeat referals") still
    # leaves the other to match.
    "rereferrals": "repeat referrals", "rereferral": "repeat referral",
    "re referrals": "repeat referrals", "re referral": "repeat referral",
    # entering and leaving care = starting / ceasing to be looked after (SSDA903 wording)
    "entering care": "starting to be looked after", "entered care": "started to be looked after",
    "enter care": "start to be looked after", "entrants to care": "starting to be looked after",
    "entrant to care": "starting to be looked after", "entrants into care": "starting to be looked after",
    "coming into care": "starting to be looked after", "came into care": "started to be looked after",
    "admissions to care": "starting to be looked after", "new to care": "starting to be looked after",
    "leaving care": "ceasing to be looked after", "left care": "ceased to be looked after",
    "ceasing care": "ceasing to be looked after", "ceased care": "ceased to be looked after",
    "former relevant young people": "care leavers", "former relevant young person": "care leaver",
    "in-house": "inhouse", "in house": "inhouse",
    "up-to-date": "up to date",
    "multi-agency": "multi agency",
    "good or outstanding": "good or better", "good/outstanding": "good or better",
    "good or above": "good or better",
    "visited": "seen",
    "timeliness": "in timescale",
    "on time": "in timescale", "on-time": "in timescale", "in time": "in timescale",
    "within timescale": "in timescale", "within timescales": "in timescale",
    "in timescales": "in timescale", "within required timescales": "in timescale",
    "within the required timescales": "in timescale", "in required timescales": "in timescale",
    "within the required timescale": "in timescale", "timely": "in timescale",
    "within statutory timescales": "in timescale",
}
_EXPANSION_RE = re.compile(r"(?<![\w'])(" + _trie_pattern(list(_EXPANSIONS)) + r")(s?)(?![\w'])")

_NI_CODE = re.compile(r"(?=n)(?<![\w'])ni\s*[-.]?\s*(\d{1,3})(?!\w)")

# Thresholds: a number, then a time / distance unit; not an age ("16-18 year olds").
_UNIT_NAMES = r"(working\s+days?|days?|weeks?|months?|years?|miles?|hours?|placements?)"
_THRESHOLD_RE = re.compile(
    r"(?=\d)(?<![\w.])(\d+(?:\.\d+)?)(?:\s*(?:-|to|and)\s*(\d+(?:\.\d+)?))?\s*" + _UNIT_NAMES + r"(?!\s*olds?\b)(?![\w])"
)
_AFTER_PHRASES = ("or more", "or over", "and over", "or longer", "or less", "or fewer", "or under", "and under")
_BEFORE_PHRASES = tuple(sorted((p for p in DIRECTION_WORDS if p not in _AFTER_PHRASES), key=len, reverse=True))
_ARTICLES = (" a", " the", " of")


def _direction_before(text: str, lo: int, hi: int) -> tuple[str, int] | None:
    """The direction phrase ending just before position `hi` ("within", "more than"), with
    an optional article ("within a 12 month period"), and where it starts."""
    w = text[lo:hi].rstrip()
    for art in _ARTICLES:
        if w.endswith(art):
            w = w[: -len(art)].rstrip()
            break
    for ph in _BEFORE_PHRASES:
        if w.endswith(ph):
            start = len(w) - len(ph)
            if start == 0 or not (w[start - 1].isalnum() or w[start - 1] == "'"):
                return ph, lo + start
    return None


_DIR_AFTER = re.compile(r"\s*(or more|or over|and over|or longer|or less|or fewer|or under|and under)\b")
_PLUS_UNIT = re.compile(r"(\d+)\s*\+\s*" + _UNIT_NAMES)
_PLUS = re.compile(r"(\d+)\s*\+")
# "3 or more placements" -> "3 placements or more", so the number sits next to its unit.
_OR_MORE_UNIT = re.compile(r"(\d+)\s+(or more|or fewer|or less)\s+" + _UNIT_NAMES)
_DIM = {
    "working day": "working_day", "day": "day", "week": "week", "month": "month", "year": "year",
    "mile": "mile", "hour": "hour", "placement": "placement",
}

# Exclusion clauses: what the measure leaves out does not define its cohort.
_EXCLUSION = re.compile(
    r"\(\s*(?:not including|not|excluding|excludes|excl\.?|exc\.?|except|other than)\b[^)]*\)"
    r"|\b(?:not including|excluding|excludes|excl\.|except)\b[^()]*"
)
_CLA_CARE = re.compile(r"(?<![\w'])(?:enter\w*|entr\w*|leav\w*|left|ceas\w*) care(?!\w)")
_EXCLUSION_GATE = re.compile(r"(?=[neo])(?<![\w'])(?:not|exclu\w*|excl|exc|except|other than)(?!\w)")

_BRACKET = re.compile(r"\(([^()]*)\)")
_OCR_CAPITAL_I = re.compile(r"(?<=[a-z])I(?=[a-z])")
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[a-z0-9]+")
_POSSESSIVE = re.compile(r"(\w)'s(?!\w)")
_RE_HYPHEN = re.compile(r"(?=r)(?<![\w'])re-(?=[a-z])")
_WORD_JOIN = re.compile(r"(?<=[a-z])[-/](?=[a-z])")
_OCR_JOIN = re.compile(r"[:;|]")
_CLEAN_CHARS = re.compile(r"[^a-z0-9%().,+\- ]+")

STOPWORDS = frozenset(
    "a an the of in to and or who which that are is were was be been being have has had their them"
    " they with for at by on as from all any this these those its it our we us there do does did"
    " than so such into onto per whose whom where when what".split()
)
# Kept although short / common: they carry meaning in measure names.
_KEEP_SHORT = frozenset({"no", "not", "ks1", "ks2", "ks4", "ks5"})


# Irregular forms the suffix stripper cannot join.
_LEMMA = {
    "became": "become", "becoming": "become", "becomes": "become",
    "vacant": "vacancy", "vacancies": "vacancy",
    "children": "children", "childrens": "children", "child": "child",
}


_TOKEN_CACHE: dict[str, str] = {}


def _token(word: str) -> str:
    """A word's scoring token: "" for a stopword, else its stem (cached)."""
    tok = _TOKEN_CACHE.get(word)
    if tok is None:
        keep = (word not in STOPWORDS and (len(word) > 1 or word.isdigit())) or word in _KEEP_SHORT
        tok = _stem(word) if keep else ""
        if len(_TOKEN_CACHE) < 200_000:
            _TOKEN_CACHE[word] = tok
    return tok


@lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    """A deliberately tiny stemmer: plurals, -ing / -ed forms and a final -e.

    Consistency matters more than linguistic accuracy because labels and catalogue
    titles go through the same function ("cease", "ceased", "ceasing" -> "ceas").
    """
    if word in _LEMMA:
        word = _LEMMA[word]
    if len(word) <= 3 or word.isdigit() or word.endswith("ss"):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    for suffix in ("ing", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def _drop(m: re.Match[str], notes: list[str]) -> str:
    notes.append(f"dropped {m.group(0).strip()!r}")
    return " "


def _expand(m: re.Match[str]) -> str:
    """Expand an abbreviation; a plural one ("S47s", "UASCs") keeps its plural."""
    out = _EXPANSIONS[m.group(1)]
    if m.group(2) and out[-1].isalpha() and not out.endswith("s"):
        out += "s"
    return out


def _dedupe_brackets(text: str) -> str:
    """Drop a bracket that repeats the words next to it, unwrap the others.

    "% icpc (initial child protection conference) held" expands to
    "initial child protection conference (initial child protection conference) held":
    the bracket is a duplicate. "(not including cp, cla)" is kept, without brackets.
    """

    def repl(m: re.Match[str]) -> str:
        inner = _WORD.findall(m.group(1))
        if not inner:
            return " "
        n = len(inner)
        reach = 12 * (n + 3)  # only the words next to the bracket matter
        before = _WORD.findall(text[max(0, m.start() - reach): m.start()])
        after = _WORD.findall(text[m.end(): m.end() + reach])
        if before[-n:] == inner or after[:n] == inner:
            return " "
        # "child protection (cp) plan" after expansion: the same words, another order.
        if set(inner) <= set(before[-n - 2:]) or set(inner) <= set(after[: n + 2]):
            return " "
        return " " + m.group(1) + " "

    for _ in range(3):  # nested brackets: innermost first
        if "(" not in text:
            break
        text = _BRACKET.sub(repl, text)
    return text


def _strip_leading(text: str, notes: list[str]) -> str:
    """Remove bullets, item numbers and indicator codes at the start (repeatedly)."""
    first = text.split(" ", 1)[0]
    if first.isalpha() and not text[len(first):len(first) + 3].lstrip().startswith(("(", "{", "-")):
        return text  # a plain word: no bullet, number or code to strip (the common case)
    for _ in range(4):
        before = text
        text = _LEAD_BULLET.sub("", text)
        m = _LEAD_ITEM.match(text)
        if m:
            notes.append(f"dropped item number {m.group(1)!r}")
            text = text[m.end():]
        m = _LEAD_CODE.match(text)
        if m:
            tok = m.group("tok").strip()
            suffix = m.group("suf") or ""
            rest = text[m.end():].strip()
            is_code = (bool(_CODE_SHAPE.search(tok)) or bool(suffix)) and tok.lower() not in _NOT_CODES
            # Never strip the whole label, and never strip a threshold ("45 working days").
            if is_code and rest and not re.match(_UNIT_NAMES, rest):
                notes.append(f"dropped code {(tok + suffix).strip()!r}")
                if re.search(r"val", suffix, re.I):
                    text = "(val) " + rest  # keep the unit evidence
                elif "%" in suffix or tok.endswith("%"):
                    text = "% " + rest
                else:
                    text = rest
        if text == before:
            break
    return text


def _has_word(text: str, word: str) -> bool:
    """`word` occurs in `text` as a whole word (str.find: much faster than a regex)."""
    i = text.find(word)
    n = len(word)
    while i != -1:
        if (i == 0 or not text[i - 1].isalnum()) and (i + n == len(text) or not text[i + n].isalnum()):
            return True
        i = text.find(word, i + 1)
    return False


def _per(text: str, numbers: tuple[str, ...]) -> bool:
    """"per 10,000" / "/10,000": one of `numbers` preceded by "per" or "/"."""
    for num in numbers:
        i = text.find(num)
        while i != -1:
            before = text[max(0, i - 5):i].rstrip()
            after_ok = i + len(num) == len(text) or not text[i + len(num)].isdigit()
            if after_ok and (before.endswith("per") or before.endswith("/")) and not (i and text[i - 1].isdigit()):
                return True
            i = text.find(num, i + 1)
    return False


_UNIT_TESTS = (
    (U_RATE10K, lambda t: "(rate)" in t or _per(t, ("10,000", "10000", "10 000", "10.000", "10k"))),
    (U_RATE_OTHER, lambda t: _per(t, ("100,000", "100000", "100 000", "1,000", "1000", "1 000"))),
    (U_PERCENT, lambda t: "%" in t or any(_has_word(t, w) for w in ("percent", "percentage", "per cent", "proportion", "pct"))),
    (U_SCORE, lambda t: _has_word(t, "score") or _has_word(t, "scores")),
    # "Number of days between ..." is a duration, not a count
    (U_DAYS, lambda t: "days" in t and any(p in t for p in _DAYS_PHRASES)),
    (U_AVERAGE, lambda t: any(_has_word(t, w) for w in ("average", "avg", "mean"))),
    (U_COUNT, lambda t: any(_has_word(t, w) for w in ("number", "numbers", "count", "how many"))
        or "no. " in t or _VAL.search(t) is not None),
    (U_RATE, lambda t: _has_word(t, "rate") or _has_word(t, "rates")),
)
_VAL = re.compile(r"\(\s*(?:val|num)\s*\)")
_DAYS_PHRASES = ("(days)", "number of days", "no. of days", "days between", "days from", "in days", "average days")
_RATE_DENOMINATOR = re.compile(
    r"(?:\bof\s+)?(?:\bthe\s+)?(?:\b(?:child|children|resident)\s+)?\bpopulation\b"
    r"|\(?\s*(?:\b(?:children|child|young people)\s+)?(?:\baged\s+)?"
    r"(?:\b0\s*-\s*17|\bunder\s+18s?)(?:\s+years?(?:\s+olds?)?|\s+yr\s+olds?)?\s*\)?"
)


def detect_unit(text: str) -> str | None:
    """The unit class a (lower-case) label states, by precedence; None if it states none."""
    has_000 = "000" in text or "10k" in text or "(rate)" in text
    for unit, test in _UNIT_TESTS:
        if unit in (U_RATE10K, U_RATE_OTHER) and not has_000:
            continue  # cheap pre-check: every "per 10,000 / 100,000 / 1,000" contains "000"
        if test(text):
            return unit
    return None


def _thresholds(text: str) -> tuple[str, tuple[Threshold, ...]]:
    """Find (number, unit, direction) triples; rewrite their direction words canonically.

    "no more than 20 miles" and "within 20 miles" both become "within 20 miles";
    "lasting 2 years or more" becomes "lasting over 2 years".
    """
    found: list[Threshold] = []
    parts: list[str] = []
    pos = 0
    for m in _THRESHOLD_RE.finditer(text):
        low = float(m.group(1))
        high = float(m.group(2)) if m.group(2) else None
        unit = re.sub(r"\s+", " ", m.group(3))
        unit = unit[:-1] if unit.endswith("s") else unit
        dim = _DIM[unit]
        dm = _direction_before(text, max(pos, m.start() - 30), m.start())
        am = _DIR_AFTER.match(text, m.end())
        if high is not None:
            direction: str | None = BAND
        elif dm:
            direction = DIRECTION_WORDS[dm[0]]
        elif am:
            direction = DIRECTION_WORDS[am.group(1)]
        else:
            direction = None
        num = _fmt(low) + (f"-{_fmt(high)}" if high is not None else "")
        if dim == "working_day":
            word = "working day" if (low == 1 and high is None) else "working days"
        else:
            word = unit if (low == 1 and high is None) else unit + "s"
        token = f"{num} {word}"
        found.append(Threshold(low, high, dim, direction, token))
        parts.append(text[pos: dm[1] if dm else m.start()])
        canonical = _CANONICAL_DIRECTION[direction] + " " if direction else ""
        # In the scoring text years are months, so "within 2 years" and "within 24
        # months" share their words as well as their threshold.
        if dim == "year":
            num = _fmt(low * 12) + (f"-{_fmt(high * 12)}" if high is not None else "")
            word = "months"
        parts.append(f" {canonical}{num} {word} ")
        pos = am.end() if (am and not dm and high is None) else m.end()
    parts.append(text[pos:])
    return "".join(parts), tuple(found)


def _fmt(x: float) -> str:
    return str(int(x)) if x == int(x) else str(x)


_NO_COHORT: frozenset[str] = frozenset()


def cohorts_of(text: str) -> frozenset[str]:
    """Cohorts named in an expanded, lower-case text, ignoring exclusion clauses."""
    if not ("need" in text or "protection" in text or "looked" in text or "care" in text or "relevant" in text):
        return _NO_COHORT
    if ("not" in text or "exc" in text or "other than" in text) and _EXCLUSION_GATE.search(text):
        text = _EXCLUSION.sub(" ", text)
    found = set()
    if "children in need" in text:
        found.add(COHORT_CIN)
    if "child protection" in text:
        found.add(COHORT_CP)
    if "care leaver" in text or "former relevant" in text:
        found.add(COHORT_CL)
    if "looked after" in text or (" care" in text and _CLA_CARE.search(text)):
        found.add(COHORT_CLA)
    return frozenset(found)


@lru_cache(maxsize=200_000)
def normalise(label: str) -> NormalisedLabel:
    """Normalise one measure name (cached)."""
    notes: list[str] = []
    s = label or ""
    if not s.isascii():
        s = unicodedata.normalize("NFKC", s)  # "³" -> "3", ligatures, odd spaces
    if "<" in s:
        s = _HTML_TAG.sub(" ", s)
    if "&" in s:
        s = html.unescape(s)
    if "*" in s or "_" in s or "\\" in s:
        s = _MARKDOWN.sub(" ", s)
    s = _SYMBOLS.sub(lambda m: _SYMBOL_MAP[m.group(0)], s)
    s = " ".join(s.split())
    s = _strip_leading(s, notes)
    if "I" in s:
        s = _OCR_CAPITAL_I.sub("l", s)  # OCR: "miIes", "chiIdren" (an I inside a lower-case word)
    s = s.lower()
    if any(g in s for g in _NOISE_WORD_GATES):
        s = _NOISE_WORDS.sub(lambda m: _drop(m, notes), s)
    if _DIGIT.search(s):
        s = _NOISE_PERIOD.sub(lambda m: _drop(m, notes), s)
    unit = detect_unit(s)
    if unit is not None:
        s = _UNIT_WORDS.sub(" ", s)
        if unit in (U_RATE10K, U_RATE) and ("0-17" in s or "18" in s or "population" in s):
            # The denominator of a children's services rate per 10,000 is always the 0-17
            # population: "population aged 0-17", "(0-17 year olds)", "under 18s" add nothing.
            s = _RATE_DENOMINATOR.sub(" ", s)
    if "'" in s or '"' in s:
        s = _POSSESSIVE.sub(r"\1s", s).replace("'", " ").replace('"', " ")
    if "-" in s or "/" in s:
        s = _RE_HYPHEN.sub("re", s)  # "re-referral" -> "rereferral"
        s = _WORD_JOIN.sub(" ", s)  # "child-protection", "step-up", "w/in"
    s = _OCR_JOIN.sub(" ", s)  # OCR joins: "completed:in 45", "cpa|number"
    if any(w in s for w in _NUMBER_WORD_GATES):
        s = _NUMBER_WORD_RE.sub(lambda m: _NUMBER_WORDS[m.group(1)], s)
    if "ni" in s:
        s = _NI_CODE.sub(lambda m: f" ni{m.group(1)} ", s)
    if "+" in s:
        s = _PLUS_UNIT.sub(lambda m: f"{m.group(1)} {m.group(2)} or more", s)
        s = _PLUS.sub(lambda m: f"{m.group(1)} or more", s)
    if " or " in s:
        s = _OR_MORE_UNIT.sub(lambda m: f"{m.group(1)} {m.group(3)} {m.group(2)}", s)
    s = " ".join(s.split())
    s = _EXPANSION_RE.sub(_expand, s)
    # Cohorts before brackets are unwrapped, so "(not including CP, CLA)" is still one clause.
    cohorts = cohorts_of(s)
    if "(" in s:
        s = _dedupe_brackets(s)
    s, thresholds = _thresholds(s) if _DIGIT.search(s) else (s, ())
    s = _CLEAN_CHARS.sub(" ", s)
    text = " ".join(s.split()).strip(" .,-")
    tokens = tuple(t for t in map(_token, _WORD.findall(text)) if t)
    key = " ".join(sorted(set(tokens)))
    return NormalisedLabel(
        raw=label, text=text, tokens=tokens, key=key, unit=unit,
        thresholds=thresholds, cohorts=cohorts, notes=tuple(notes),
    )


def unit_class_of(unit: Unit | None) -> str | None:
    return UNIT_HINT_CLASS.get(unit) if unit is not None else None
