"""Small grammars for narrative reports: RAG headings, summary counts, sentences, and values an item states.

>>> [(c.subject, c.count) for c in summary_counts(
...     "In 17/18 Q1 there are three red indicators, four amber indicators and six green indicators.")]
[('red', 3), ('amber', 4), ('green', 6)]
>>> [(c.subject, c.count) for c in summary_counts("Of the 13 indicators, 3 are rated Red, 4 Amber and 6 Green.")]
[('indicators', 13), ('red', 3), ('amber', 4), ('green', 6)]
>>> [(c.subject, c.count) for c in summary_counts("RAG status: Red: 2, Amber: 5, Green: 11")]
[('red', 2), ('amber', 5), ('green', 11)]
>>> [(c.subject, c.count) for c in summary_counts(
...     "There are no red indicators this quarter and twenty-one green ones.")]
[('red', 0), ('green', 21)]
>>> summary_counts("All the 9 children who did not achieve permanence; two families; 4 new homes")
[]
>>> summary_counts("47% 7 Red : (74%).")
[]
>>> [(c.subject, c.count) for c in summary_counts(
...     "Of the 18 rated indicators, 6 are Green, 7 are Amber and 5 are Red.")]
[('indicators', 18), ('green', 6), ('amber', 7), ('red', 5)]
>>> total_count("This report covers 13 indicators.").count, total_count("18 19 20 measures have on the")
(13, None)
>>> rag_heading("Red"), rag_heading("AMBER indicators (4)"), rag_heading("Indicators rated Green:")
(<Rag.red: 'red'>, <Rag.amber: 'amber'>, <Rag.green: 'green'>)
>>> rag_heading("Red indicators remain a concern"), rag_heading("Red and Amber")
(None, None)
>>> [(v.key, v.text) for v in stated_values("Performance remains 100%. No inspection outcomes were published.")]
[('current', '100%')]
>>> stated_values("97.4% of visits took place within 15 working days of the previous visit.")
[]
>>> [(v.key, v.text) for v in stated_values("Current: 12% Target: 15%")]
[('current', '12%'), ('target', '15%')]
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from schemas import Rag

# --------------------------------------------------------------------------- number words

_SMALL = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
          "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_WORDS = {w: i for i, w in enumerate(_SMALL)} | {w: 20 + 10 * i for i, w in enumerate(_TENS)}
_WORDS |= {"no": 0, "none": 0, "a single": 1, "a": 1, "an": 1}
NUMBER_WORD = (
    r"(?:\d{1,3}|(?:" + "|".join(_TENS) + r")(?:[\s-](?:" + "|".join(_SMALL[1:10]) + r"))?|"
    + "|".join(sorted(_SMALL, key=len, reverse=True)) + r"|no|a\s+single)"
)


def number_value(text: str) -> int | None:
    """'three' -> 3, 'twenty-one' -> 21, '13' -> 13, 'no' -> 0; None if not a count."""
    t = re.sub(r"\s+", " ", text.strip().lower())
    if t.isdigit():
        return int(t)
    if t in _WORDS:
        return _WORDS[t]
    parts = re.split(r"[\s-]", t)
    if len(parts) == 2 and parts[0] in _TENS and parts[1] in _SMALL[1:10]:
        return _WORDS[parts[0]] + _WORDS[parts[1]]
    return None


# --------------------------------------------------------------------------- RAG headings

_RAG = {"red": Rag.red, "amber": Rag.amber, "green": Rag.green}
# Words a RAG heading may carry besides the colour: 'Red indicators', 'Indicators rated Amber (4)',
# 'Green - on or above target', 'RAG status: Red'.
_HEADING_WORDS = {
    "indicator", "indicators", "measure", "measures", "kpi", "kpis", "pi", "pis", "rated", "rating", "rag",
    "status", "performance", "area", "areas", "of", "the", "are", "is", "with", "a", "on", "track", "target",
    "off", "below", "above", "at", "risk", "near", "close", "to", "or", "and", "better", "than", "within",
    "tolerance", "outside", "meeting", "met", "not", "missed", "achieved", "exceeding", "exceeded",
    "priority", "priorities", "rag-rated", "in", "those",
}


def rag_heading(text: str) -> Rag | None:
    """The rating a heading names ('Red', 'Amber indicators (4)', 'Indicators rated Green:'), else None.

    A heading is short, has exactly one colour word, and every other word is one headings use."""
    s = re.sub(r"\([^)]*\)", " ", text)  # '(4)', '(3 indicators)'
    s = re.sub(r"[–—:;,.\-=/]+", " ", s)
    words = s.lower().split()
    if not words or len(words) > 8:
        return None
    colours = [w for w in words if w in _RAG]
    if len(colours) != 1:
        return None
    if any(w not in _RAG and w not in _HEADING_WORDS and not w.isdigit() for w in words):
        return None
    return _RAG[colours[0]]


# A per-item rating line: 'RAG: Red', 'RAG status - Amber', 'Status: Green'.
ITEM_RATING = re.compile(r"^(?:current\s+|latest\s+)?(?:rag(?:\s+(?:status|rating))?|status|rating)\s*[:=\-–]\s*"
                         r"(?P<rag>red|amber|green)\b", re.I)


# --------------------------------------------------------------------------- summary counts

@dataclass
class Count:
    subject: str  # 'red' | 'amber' | 'green' | 'indicators'
    count: int
    start: int  # span of the phrase in the sentence, e.g. 'three red indicators'
    end: int


_NOUN = r"(?:(?:key\s+)?(?:performance\s+)?(?:indicators?|measures?|kpis?|pis?))"
_COLOUR = r"(?P<rag>red|amber|green)"
# 'three red indicators', '3 indicators are red', '6 are rated Green', '4 amber', 'no red indicators'
_COUNT_BEFORE = re.compile(
    rf"\b(?P<n>{NUMBER_WORD})\s+(?:{_NOUN}\s+)?(?:(?:are|is|were|was|have\s+been|has\s+been)\s+)?"
    rf"(?:(?:rated|assessed|reported|rag[\s-]?rated|shown)\s+(?:as\s+)?)?(?:as\s+)?{_COLOUR}\b"
    rf"(?:\s+{_NOUN})?",
    re.I,
)
# 'Red: 3', 'Red (3)', 'Green - 6', 'red indicators: 2'
_COUNT_AFTER = re.compile(rf"\b{_COLOUR}(?:\s+{_NOUN})?\s*(?:[:=\-–]\s*|\(\s*)(?P<n>\d{{1,3}})\b(?!\s*%|\.\d)", re.I)
# 'Of the 13 indicators', 'thirteen indicators are reported', '13 performance indicators'
_TOTAL = re.compile(rf"\b(?:of|are|were|covers|covering|includes?|including|contains?|on|total\s+of|all)\s+"
                    rf"(?:the\s+|these\s+)?(?P<n>{NUMBER_WORD})\s+(?:(?:rated|rag[\s-]?rated|reported|key|"
                    rf"corporate|local|national)\s+)?(?P<noun>{_NOUN})\b"
                    rf"(?!\s+(?:are\s+|is\s+)?(?:rated\s+)?(?:red|amber|green))", re.I)


_ABOUT_INDICATORS = re.compile(r"\b(?:indicators?|measures?|kpis?|pis?|rated|rating|rag|targets?|status)\b", re.I)


def summary_counts(sentence: str) -> list[Count]:
    """Counts of indicators by rating (and in all) a sentence states, in printed order.

    The sentence must speak of indicators, measures or ratings: a table line such as '47% 7 Red' is not a
    count."""
    if not _ABOUT_INDICATORS.search(sentence):
        return []
    found: list[Count] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    for pattern in (_COUNT_BEFORE, _COUNT_AFTER):
        for m in pattern.finditer(sentence):
            n = number_value(m["n"])
            if n is None or not free(m.start(), m.end()):
                continue
            if m["n"].lower() in ("a", "an"):
                continue
            found.append(Count(m["rag"].lower(), n, m.start(), m.end()))
            taken.append((m.start(), m.end()))
    if found:
        for m in _TOTAL.finditer(sentence):
            n = number_value(m["n"])
            if n is not None and free(m.start(), m.end()) and m["n"].lower() not in ("a", "an", "no"):
                found.append(Count("indicators", n, m.start(), m.end()))
                taken.append((m.start(), m.end()))
    # One count per colour: the first stated.
    seen: set[str] = set()
    out = []
    for c in sorted(found, key=lambda c: c.start):
        if c.subject not in seen:
            seen.add(c.subject)
            out.append(c)
    return out


def total_count(sentence: str) -> Count | None:
    """'This report covers 13 indicators.' -> 13 (a total stated without a breakdown)."""
    for m in _TOTAL.finditer(sentence):
        n = number_value(m["n"])
        if n is not None and n > 0 and m["n"].lower() not in ("a", "an", "no", "one"):
            return Count("indicators", n, m.start(), m.end())
    return None


# --------------------------------------------------------------------------- sentences

_ABBREVIATIONS = {"e.g", "i.e", "eg", "ie", "no", "nos", "vs", "etc", "approx", "inc", "incl", "mr", "mrs", "ms",
                  "dr", "st", "cllr", "fig", "para", "ref", "c", "ca", "cf", "al"}
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z0-9“\"(‘'£%])")


def sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of a paragraph. Abbreviations ('e.g.', 'No.') and initials do not end one."""
    spans = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        before = text[start:m.start()].rstrip("\"”’)")
        last = re.split(r"\s", before)[-1].rstrip(".").lower() if before else ""
        if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
            continue
        spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


# --------------------------------------------------------------------------- stated values

_NUM = r"[-+]?(?:£\s*)?\d{1,3}(?:,\d{3})*(?:\.\d+)?|[-+]?(?:£\s*)?\d+(?:\.\d+)?"
_VALUE = rf"(?P<val>(?:{_NUM})(?:\s*(?:%|per\s*cent\b|percent\b|days?\b|weeks?\b|per\s+10,?000\b))?)"

# 'Current: 12%', 'Actual = 45', 'Target: 15%', 'Q1 2017/18: 45%', 'England: 22%'
_KEYED = re.compile(rf"(?P<key>(?:[A-Za-z0-9/'’&.-]+\s+){{0,3}}[A-Za-z0-9/'’&.-]+)\s*[:=]\s*{_VALUE}(?![\d.,]*\d)")
_CURRENT_KEYS = re.compile(
    r"^(?:(?:current|latest|actual|this\s+(?:quarter|month|period))(?:\s+(?:performance|position|value|figure|"
    r"outturn|rate|level|result|data))?|performance|outturn|result|value|position|ytd|year\s+to\s+date)$", re.I)
_TARGET_KEYS = re.compile(r"^(?:(?:current|annual|local|our|the)\s+)?target$", re.I)
_PREVIOUS_KEYS = re.compile(r"^(?:previous(?:\s+\w+)?|last\s+(?:quarter|month|year|period)|baseline)$", re.I)
_COMPARATOR_KEYS = re.compile(
    r"^(?:england|national(?:\s+average)?|south\s*east|region(?:al)?(?:\s+average)?|"
    r"stat(?:istical)?\.?\s+neighbours?(?:\s+average)?|sn(?:\s+average)?|cipfa(?:\s+neighbours?)?)$", re.I)

# 'Performance remains 100%', 'Current performance stands at 12.3%', 'In Q1 performance was 45%',
# 'Performance for this indicator is 87% against a target of 90%'. The sentence's subject is the
# indicator itself; a figure with its own subject ('97.4% of visits ...') is not the indicator's value.
_PERFORMANCE = re.compile(
    rf"^(?:(?:in|at\s+the\s+end\s+of|for|during|as\s+at)\s+(?P<lead>[^,]{{2,40}}?),?\s+)?"
    rf"(?:(?:current|overall|our|latest)\s+)?(?:performance|this\s+(?:indicator|measure)|the\s+(?:figure|rate|"
    rf"percentage|proportion|outturn))(?:\s+(?:for|on|against)\s+this\s+(?:indicator|measure))?"
    rf"(?:\s+(?:in|for|at\s+the\s+end\s+of)\s+(?P<inner>[^,]{{2,30}}?))?"
    rf"\s+(?:is|was|remains|remained|stands|stood|has\s+(?:remained|been|stayed|stood)|is\s+currently|"
    rf"currently\s+(?:is|stands)|improved|increased|rose|fell|decreased|dropped|reduced|reached|stayed)"
    rf"(?:\s+(?:at|to|on))?\s+{_VALUE}(?![\d.,]*\d)(?!\s+(?:of|points?|percentage)\b)"
    rf"(?:[^.]*?\btarget\s+(?:of\s+)?(?P<target>{_NUM}\s*%?))?",
    re.I,
)


@dataclass
class StatedValue:
    key: str  # 'current' | 'target' | 'period' | 'comparator' | 'previous'
    text: str  # the value as printed, e.g. '100%'
    start: int  # span of the value in the text given
    end: int
    label: str | None = None  # the key as printed ('Q1 2017/18', 'England'), for periods and comparators
    period_text: str | None = None  # a period the sentence names for a 'current' value
    key_start: int | None = None  # where the key ('Current', 'Target') starts, for keyed values


def stated_values(text: str, *, is_period=None) -> list[StatedValue]:
    """Values a paragraph states *as the indicator's own*: 'Current: 12%', 'Target: 15%',
    'Q1: 45%' (when ``is_period`` accepts the key), 'England: 22%', or a sentence whose subject is
    the indicator's performance ('Performance remains 100%'). Figures with another subject are left out."""
    out: list[StatedValue] = []
    for m in (_KEYED.finditer(text) if (":" in text or "=" in text) else ()):
        words = m["key"].split()
        kind = None
        label = None
        key_start = None
        for n in range(len(words), 0, -1):  # the longest suffix of the words before ':' that is a key
            key = " ".join(words[-n:]).strip(".")
            key_start = m.start("key") + _nth_word_start(m["key"], len(words) - n)
            if _CURRENT_KEYS.match(key):
                kind = "current"
            elif _TARGET_KEYS.match(key):
                kind = "target"
            elif _PREVIOUS_KEYS.match(key):
                kind = "previous"
            elif _COMPARATOR_KEYS.match(key):
                kind = "comparator"
            elif is_period is not None and is_period(key):
                kind = "period"
            if kind:
                label = key
                break
        if kind:
            out.append(StatedValue(kind, m["val"].strip(), m.start("val"), m.end("val"), label=label,
                                   key_start=key_start))
    if out:
        return out
    for s, e in sentences(text):
        s += len(text[s:e]) - len(text[s:e].lstrip())
        sentence = text[s:e]
        m = _PERFORMANCE.match(sentence)
        if not m:
            continue
        out.append(StatedValue("current", m["val"].strip(), s + m.start("val"), s + m.end("val"),
                               period_text=m["lead"] or m["inner"]))
        if m["target"]:
            out.append(StatedValue("target", m["target"].strip(), s + m.start("target"), s + m.end("target")))
    return out


def _nth_word_start(text: str, n: int) -> int:
    starts = [m.start() for m in re.finditer(r"\S+", text)]
    return starts[n] if n < len(starts) else 0


# --------------------------------------------------------------------------- units

# 'Children who entered care ...', 'Young people placed ...', 'Number of ...': a count of people or cases,
# when nothing else (no '%', rate or value) says otherwise.
COHORT_COUNT = re.compile(
    r"^(?:the\s+)?(?:number\s+of\s+)?(?:children|young\s+people|families|pupils|students|care\s+leavers|"
    r"referrals|re-referrals|assessments|cases|adoptions|households|people|adults|contacts|placements)\b"
    r"(?!.*(?:%|\brate\b|\bpercentage\b|\bproportion\b|\bratio\b|\baverage\b))",
    re.I,
)
