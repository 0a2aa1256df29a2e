"""Named grammar parts for :mod:`reconcile.claims`: every regex there is composed from these.

Each part is one idea a council writer uses ("a quantity", "a size word", "a comparator name",
"a change noun"), written once, so that the patterns in :mod:`reconcile.claims_parse` read as
grammar rather than as one long regex (:mod:`reconcile.claims_parse`, :mod:`reconcile.claims_readers`).
Everything is compiled for the *folded* sentence text (whitespace runs collapsed, markup masked,
dashes and quotes normalised; see :class:`reconcile.claims_parse.Sent`).
"""
from __future__ import annotations

import re


def c(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    return re.compile(pattern, flags)


# --------------------------------------------------------------------------- numbers

# A printed number in prose: '36', '13.7', '1,433'. Not part of a word, code or date ('M2-NI',
# '16/17', '3.5.1'); a trailing full stop is not a decimal point.
NUM = r"(?<![\w.,/£$€-])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w]|[.,/]\d)"
PCT = r"(?:\s?%|\s?per\s?cent\b|\s?percent\b)"
POINTS = r"(?:\s?(?:percentage|%)[\s-]?points?\b|\s?ppts?\b|\s?pp\b|\s(?:points?|pts?)\b)"
RATE = (r"(?:\s?per\s+10,?000\b(?:\s+(?:children(?:\s+aged\s+0-17)?|population|of\s+the\s+(?:child\s+)?population"
        r"|0-17\s+year\s+olds|under\s+18s?))?|\s?/\s?10,?000\b)")
# A quantity: the number and its suffix. Points before per cent: '3% points' is points.
QTY = rf"(?P<num>{NUM})(?P<suf>{POINTS}|{PCT}|{RATE})?"
QTY_RE = c(QTY)

_SMALL = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
          "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
WORD_VALUES: dict[str, int] = {w: i for i, w in enumerate(_SMALL)}
WORD_VALUES.update({w: 20 + 10 * i for i, w in enumerate(_TENS)})
WORDNUM = (rf"\b(?:(?:{'|'.join(_TENS)})(?:[\s-](?:{'|'.join(_SMALL[1:10])}))?|{'|'.join(_SMALL)}"
           r"|(?:a|one)\s+hundred|a\s+dozen)\b")
def word_number(text: str) -> int | None:
    """'three' -> 3, 'twenty-four' -> 24, 'a hundred' -> 100; None for anything else.

    >>> word_number("Three"), word_number("twenty-four"), word_number("a dozen"), word_number("lots")
    (3, 24, 12, None)
    """
    t = re.sub(r"\s+", " ", text.strip().lower())
    if t in WORD_VALUES:
        return WORD_VALUES[t]
    if t in ("a hundred", "one hundred"):
        return 100
    if t == "a dozen":
        return 12
    parts = re.split(r"[\s-]", t)
    if len(parts) == 2 and parts[0] in WORD_VALUES and parts[1] in WORD_VALUES:
        return WORD_VALUES[parts[0]] + WORD_VALUES[parts[1]]
    return None


# --------------------------------------------------------------------------- thresholds

# A time or distance a measure is defined by: '15 working days', '20 miles', '11-25 days',
# 'two or more years', '24-hour', '12 month period'. Their numbers are never values or counts.
TIME_UNIT = (r"(?:working[\s-]days?|calendar\s+days?|days?|weeks?|months?|years?|miles?|hours?|hrs?|minutes?"
             r"|mins?|nights?|wks?|mths?|mnths?|yrs?)")
THRESHOLD_SPAN_RE = c(
    rf"(?:{NUM}|{WORDNUM})(?:\s*(?:-|to|and|or)\s*(?:{NUM}|{WORDNUM}))?(?:\s+or\s+(?:more|less|fewer|longer))?"
    rf"[\s-]*{TIME_UNIT}\b"
)

# --------------------------------------------------------------------------- periods

MONTHS = (r"january|february|march|april|may|june|july|august|september|october|november|december"
          r"|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec")
# Periods relative to the paper: 'this month', 'the previous month', 'the same month last year'.
REL_PERIOD_RE = c(
    r"\b(?P<rel>this|the\s+current|current|last|the\s+last|previous|the\s+previous|the\s+prior|prior|the\s+preceding"
    r"|the\s+same|same)\s+(?P<unit>month|quarter|year|period|reporting\s+period|week)"
    r"(?P<ly>\s+(?:last|the\s+previous|a)\s+year)?(?:'s)?\b"
    r"|\b(?P<onon>month[\s-]on[\s-]month|year[\s-]on[\s-]year|quarter[\s-]on[\s-]quarter)\b"
    r"|\b(?P<ago>a\s+year\s+(?:ago|earlier|before)|twelve\s+months\s+ago|12\s+months\s+ago)\b"
)
# A month named after a preposition: a period even when no context date resolves it.
MONTH_PHRASE_RE = c(rf"\b(?:in|during|since|from|by|for|until|on|than|with|against|at\s+the\s+end\s+of)\s+(?:{MONTHS})\b(?!\s*\d)")

# 'over the last four months', 'for the second consecutive month'
WINDOW_RE = c(rf"\b(?:over|during|across|throughout)\s+the\s+(?:last|past|previous)\s+(?P<n>{NUM}|{WORDNUM})\s+"
              r"(?P<u>months?|quarters?|years?)\b")
ORDINALS = {"second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
            "ninth": 9, "tenth": 10}
RUN_RE = c(r"\b(?:for\s+)?(?:the\s+|a\s+)?(?P<ord>second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth"
           r"|\d+(?:st|nd|rd|th))\s+(?:consecutive|successive|straight)\s+(?P<u>months?|quarters?|years?|weeks?)\b"
           r"|\bfor\s+the\s+(?P<ord2>second|third|fourth|fifth|sixth|\d+(?:st|nd|rd|th))\s+(?P<u2>month|quarter|year)"
           r"\s+(?:running|in\s+a\s+row)\b"
           rf"|\bfor\s+(?P<n>{NUM}|{WORDNUM})\s+(?:consecutive|successive)\s+(?P<u3>months|quarters|years)\b")

# --------------------------------------------------------------------------- markers

PAST_RE = c(r"\b(?:previously|historically|formerly|in\s+the\s+past|earlier\s+in\s+the\s+year"
            r"|in\s+previous\s+(?:months|years|quarters)|used\s+to|at\s+that\s+time)\b")
# Words that put a claim in the future or make it a hope. 'May' is a month, 'may' a verb.
FUTURE_RE = re.compile(
    r"\b(?i:will|would|shall|should|could|might|antic\w*pated?|anticipating|expect(?:s|ing)?\s+to"
    r"|(?:is|are|were|was)\s+expected|likely\s+to|projected|forecast(?:s|ed)?|predicted|hope[sd]?\s+to"
    r"|plan(?:s|ned)?\s+to|aim(?:s|ed)?\s+to|intend(?:s|ed)?\s+to|going\s+to|once|until)\b|\bmay\b"
)
# A change or comparison word inside a purpose clause is not a claim: 'to improve', 'in order to meet'.
PURPOSE_VERB_BEFORE_RE = c(r"\bto\s+(?:deliver|secure|achieve|see|ensure|drive|make|support|bring\s+about|create"
                           r"|target|show|demonstrate)\s+(?:\w+\s+){0,4}$")
BOUND_OF_HEDGE = {"over": "lower", "more than": "lower", "at least": "lower", "under": "upper",
                  "less than": "upper", "fewer than": "upper", "up to": "upper"}

# --------------------------------------------------------------------------- size words

SIZE_CLASS = {
    "slight": "small", "slightly": "small", "small": "small", "smaller": "small", "marginal": "small",
    "marginally": "small", "minor": "small", "modest": "small", "modestly": "small", "little": "small",
    "fractional": "small", "fractionally": "small", "minimal": "small", "negligible": "small",
    "significant": "large", "significantly": "large", "signficant": "large", "signficantly": "large",
    "sharp": "large", "sharply": "large", "large": "large", "considerable": "large", "considerably": "large",
    "substantial": "large", "substantially": "large", "dramatic": "large", "dramatically": "large",
    "notable": "large", "notably": "large", "marked": "large", "markedly": "large", "steep": "large",
    "steeply": "large", "big": "large", "major": "large", "huge": "large", "rapid": "large", "rapidly": "large",
    "well": "large",
    "steady": None, "steadily": None, "gradual": None, "gradually": None, "further": None, "continued": None,
    "overall": None, "general": None,
}
SIZE_WORD = "|".join(sorted(SIZE_CLASS, key=len, reverse=True))
# --------------------------------------------------------------------------- change words

INC_NOUN = r"increase|rise|growth|upturn|upswing|uplift|upward\s+trend|increasing\s+trend|rising\s+trend|jump|surge|spike"
DEC_NOUN = (r"decrease|reduction|fall|drop|decline|downturn|downward\s+trend|decreasing\s+trend|falling\s+trend"
            r"|reducing\s+trend|dip")
IMP_NOUN = r"improvement|improving\s+trend|recovery"
WOR_NOUN = r"deterioration|worsening"
CHANGE_NOUN = rf"(?P<noun>{INC_NOUN}|{DEC_NOUN}|{IMP_NOUN}|{WOR_NOUN})s?"

INC_VERB = (r"increas(?:ed|es|ing|e)|r(?:ose|isen|ises|ising|ise)|gr(?:own|ew|ows|owing)|(?:gone|went|goes|going)\s+up"
            r"|climb(?:ed|s|ing)?|jump(?:ed|s)?|doubled|trebled|tripled|spiked")
DEC_VERB = (r"decreas(?:ed|es|ing|e)|reduc(?:ed|es|ing)|f(?:ell|allen|alls|alling)|drop(?:ped|s|ping)?"
            r"|declin(?:ed|es|ing)|(?:gone|went|goes|going)\s+down|dipped|dips|halved|slipped")
IMP_VERB = r"improv(?:ed|es|ing)|recover(?:ed|s|ing)|got\s+better|(?:is|are)\s+getting\s+better"
WOR_VERB = r"deteriorat(?:ed|es|ing)|worsen(?:ed|s|ing)|got\s+worse"
CHANGE_VERB = rf"(?P<verb>{INC_VERB}|{DEC_VERB}|{IMP_VERB}|{WOR_VERB})"
STATIC_ADJ = (r"(?:broadly\s+|largely\s+|relatively\s+|fairly\s+|very\s+)?(?:the\s+same|static|stable|unchanged|constant"
              r"|steady|flat|level|consistent|similar|stationary)")
def change_sense(word: str) -> tuple[str | None, str | None]:
    """(direction, judgement) a change word carries: ('increase', None), (None, 'improved') ...

    >>> change_sense("reduction"), change_sense("improved"), change_sense("went up")
    (('decrease', None), (None, 'improved'), ('increase', None))
    """
    w = re.sub(r"\s+", " ", word.lower())
    if re.fullmatch(rf"(?:{IMP_NOUN}|{IMP_VERB})s?", w):
        return None, "improved"
    if re.fullmatch(rf"(?:{WOR_NOUN}|{WOR_VERB})s?", w):
        return None, "worsened"
    if re.fullmatch(rf"(?:{INC_NOUN}|{INC_VERB})s?", w):
        return "increase", None
    if re.fullmatch(rf"(?:{DEC_NOUN}|{DEC_VERB})s?", w):
        return "decrease", None
    return None, None


# --------------------------------------------------------------------------- relations

RELATIONS: list[tuple[str, str]] = [
    ("better", r"better\s+than|out-?perform(?:s|ed|ing)?|compar(?:es|ed|ing)\s+(?:favourably|well)\s+(?:with|to|against)"),
    ("worse", r"worse\s+than|under-?perform(?:s|ed|ing)?(?:\s+against)?"
              r"|compar(?:es|ed|ing)\s+(?:unfavourably|poorly|badly)\s+(?:with|to|against)"),
    ("higher", r"(?:higher|greater|larger|more)\s+than|up\s+on|in\s+excess\s+of"),
    ("lower", r"(?:lower|less|fewer|smaller)\s+than|down\s+on"),
    ("above", r"above|exceed(?:s|ed|ing)?|ahead\s+of|over"),
    ("below", r"below|beneath|under|short\s+of|behind"),
    ("equal", r"(?:equal|equivalent|identical)\s+to|in\s+line\s+with|(?:exactly\s+)?the\s+same\s+as|level\s+with"
              r"|on\s+(?:a\s+)?par\s+with|comparable\s+(?:to|with)|similar\s+to|consistent\s+with|in\s+keeping\s+with"
              r"|match(?:es|ing|ed)?|at\s+the\s+same\s+level\s+as"),
]
RELATION_RE = c(r"\b(?:" + "|".join(f"(?P<{name}>{rx})" for name, rx in RELATIONS) + r")\b")
# A bare comparative: 'is higher this month', 'is slightly higher than in 2015-16'.
COMPARATIVE_RE = c(r"\b(?P<cmp>higher|lower|greater|smaller|larger|fewer|more|less|better|worse|up|down)\b")
COMPARATIVE_RELATION = {"higher": "higher", "greater": "higher", "larger": "higher", "more": "higher", "up": "higher",
                        "lower": "lower", "smaller": "lower", "fewer": "lower", "less": "lower", "down": "lower",
                        "better": "better", "worse": "worse"}
# 'above' in 'as described above' is not a comparison.
NOT_RELATION_BEFORE_RE = c(r"\b(?:as|described|mentioned|noted|outlined|set\s+out|stated|see|detailed|shown|listed"
                           r"|explained|discussed|the|of|from)\s+$")
COPULA = r"(?:is|are|was|were|be|been|being|remains?|remained|remaining|stays?|stayed|continues?\s+to\s+be|sits?|sat|stands?|stood)"

# --------------------------------------------------------------------------- comparators

TARGET_NAME = (r"(?:(?:our|the|its|their|this\s+year'?s|annual|local|agreed|stretch|internal|corporate|revised|new|current"
               r"|year[\s-]end|end[\s-]of[\s-]year|national)\s+)*"
               r"(?P<tname>tolerance\s+target|target\s+tolerance|target\s+range|targets?|goal|ambition|trajectory)")
_REGIONS = (r"south[\s-]*east(?:ern)?|south[\s-]*west|north[\s-]*east|north[\s-]*west|east\s+midlands|west\s+midlands"
            r"|east\s+of\s+england|eastern\s+region|yorkshire(?:\s+(?:and|&)\s+(?:the\s+)?humber)?|inner\s+london"
            r"|outer\s+london|london")
GROUP_NAME = (
    r"(?P<gname>(?:comparative\s+)?cipfa(?:\s+nearest)?(?:\s+neighbou?rs?)?(?:\s+group)?"
    r"|stat(?:istical|s)?\.?\s*neighbou?r(?:s'|'s|s)?(?:\s+group)?|SNs?\b|stat\.?\s*n\b"
    r"|england(?:'s)?|nationally|national|nationwide|the\s+nation|the\s+country"
    r"|regionally|regional|the\s+region|" + _REGIONS + r"|SE\b"
    r"|(?:other|similar|comparator|comparable|neighbouring|statistically\s+similar)\s+(?:local\s+)?"
    r"(?:authorities|councils|areas|LAs)(?:\s+like\s+[A-Z]\w+)?|(?:our\s+)?comparators?)"
)
# Words between a comparator name and its value, or after it: 'averages', '(SN)', '(state-funded schools)'.
GROUP_SUFFIX = (r"(?:\s*\((?:SN|SNs|SE|stat\.?\s*n|state-funded[^)]{0,30}|CIPFA)\))?"
                r"(?:\s+(?:averages?|rates?|figures?|means?|benchmarks?|levels?|performance|positions?|results?|outturns?"
                r"|comparators?|group|data|equivalents?|counterparts?|peers?))*")
GROUP_QUALIFIER = r"(?:\s+(?:as\s+)?(?:reported|published|quoted|shown)\s+(?:in|by|for)\s+[^,;()]{1,60}?(?=\s*\())?"
ITEM_FILLER = (r"(?:(?:that|those)\s+(?:of|reported\s+(?:by|for|in)|for|in)\s+|(?:as\s+)?reported\s+by\s+"
               r"|(?:the\s+)?(?:latest\s+)?(?:performance|figures?|rates?|averages?|levels?)\s+(?:of|for|in)\s+"
               r"|(?:the|our|both|also|all|all\s+of|each\s+of|either|any\s+of|its|their|those\s+of|latest|most\s+recent"
               r"|published|comparable|current|the\s+latest)\s+)*")
AVERAGE_NAME = (r"(?P<avg>(?:the\s+|our\s+)?(?:(?:12|twelve)[\s-]*(?:month|mnth)s?|rolling|annual|yearly|monthly|year[\s-]to[\s-]date)"
                r"\s+(?:rolling\s+)?average|(?:the\s+)?average\s+(?:for|over)\s+the\s+(?:last|past|previous)\s+(?:12|twelve)\s+months)")
EXPECTED_NAME = r"(?P<expected>(?:what\s+(?:was|is|we)\s+)?(?:expected|anticipated|planned|forecast)|expectations?)"
SEP_RE = c(r"\s*(?:,\s*(?:and\s+|&\s*|as\s+well\s+as\s+|or\s+)?|\s+and\s+(?:also\s+)?|\s*&\s*|\s*/\s*|\s+as\s+well\s+as\s+|\s+or\s+)")

# --------------------------------------------------------------------------- achievement

ACHIEVE_RE = c(
    r"(?P<neg>\b(?:has|have|had|did|does|do|was|were|is|are)\s+not\s+(?:yet\s+)?|\b(?:has|have)\s+yet\s+to\s+"
    r"|\bnot\s+|\bfail(?:ed|s|ing)?\s+to\s+)?"
    r"\b(?P<verb>achiev(?:ed|es|e|ing)|met|meets?|meeting|exceed(?:ed|s|ing)?|surpass(?:ed|es|ing)?|hit|hits|reach(?:ed|es|ing)?"
    r"|attain(?:ed|s)?|beat(?:en|s)?|miss(?:ed|es|ing)?|fell\s+short\s+of|falls?\s+short\s+of|falling\s+short\s+of)\s+"
)
ON_TARGET_RE = c(r"\b(?P<prep>on|within|off|at|meeting|missing)\s+(?:the\s+|our\s+)?target\b(?!\s+(?:of|for)\b)")
TARGET_PASSIVE_RE = c(rf"\b(?:the\s+|our\s+|its\s+)?target(?:\s+of\s+(?P<v>{NUM}{PCT}?)|\s*\(\s*(?P<v2>{NUM}{PCT}?)\s*\))?"
                      r"\s+(?:has|have|was|were|is)\s+(?:been\s+)?(?P<neg>not\s+)?(?P<verb>met|achieved|exceeded|missed|reached|hit)\b")
POLARITY_PHRASE_RE = c(r"\(?\b(?:good\s+to\s+be\s+(?:low|high)|(?:low|high)(?:er)?\s+is\s+(?:good|better)"
                       r"|(?:a\s+)?(?:low|high)(?:er)?\s+(?:value|figure|number|percentage)\s+is\s+(?:good|better))\b\)?")

# --------------------------------------------------------------------------- subjects

# A subject that only points back at the row or at the sentence before.
GENERIC_SUBJECT_RE = c(
    r"^(?:(?:this|that|it|which|these|those|we|us|they)"
    r"|(?:(?:our|the|this|their|its|(?-i:[A-Z][\w-]*)'s|(?-i:[A-Z][\w-]*)s'|(?-i:[A-Z][\w-]+)|overall|current|latest"
    r"|local|council|authority)\s+)*"
    r"(?:performance|results?|figures?|position|outturn|indicator|measure|data|rate|number|numbers|percentage"
    r"|proportion|figure|level|levels|trend|value|score|%|% figure)"
    r"|(?-i:[A-Z][a-z]+)(?:shire|ton|ham|ford|pool|field|bury|borough|mouth|wich|caster|chester|by)?)$"
)
PRONOUN_SUBJECT_RE = c(r"^(?:this|that|it|which|these|those|(?:this|that)\s+(?:performance|figure|result|rate|level"
                       r"|percentage|proportion|number|position|outturn))$")
JOINT_SUBJECT_RE = c(r"^(?P<det>(?:the|our|this)\s+)?(?P<a>numbers?|percentages?|proportions?|rates?|counts?)\s+(?:and|&)\s+"
                     r"(?P<b>numbers?|percentages?|proportions?|rates?|counts?)\s+(?P<rest>of\s+.+)$")
# Words that open a sentence without being part of its subject.
LEAD_WORDS_RE = c(r"^(?:(?:however|also|overall|currently|again|furthermore|moreover|in\s+addition|additionally"
                  r"|unfortunately|encouragingly|positively|pleasingly|importantly|as\s+a\s+result|therefore|so|and|but"
                  r"|although|though|whilst|while|whereas|with|as|that|because|since|when|if|where|this\s+month|overall"
                  r"|historically|previously|formerly|traditionally|in\s+the\s+past|again|now|still)"
                  r"\s*,?\s+)+")
# A subject never runs past these.
SUBJECT_STOP_RE = c(
    r"\s*,(?!\s*[\w/-]+(?:\s+[\w/-]+)?\s*(?:,|\s+(?:and|or)\s))|\s*[;:]|\s+[-–]\s|\s*\(\s*(?:see|as|which)\b|\.\s|\.$"
    r"|\s+(?:which|whereas|whilst|while|but|however|although|though|because|due\s+to|as\s+a\s+result|despite"
    r"|following|compared|since|when|where|this\s+month|this\s+quarter|this\s+year|last\s+month|last\s+year"
    r"|month\s+on\s+month|from\s+the\b|(?:from|by|to)\s+\d|over\s+the\s+(?:last|past)|for\s+the\s+(?:\w+)\s+(?:consecutive|successive)"
    r"|and\s+(?:is|are|was|were|has|have|had|remains?|this|it|the\s+\w+\s+(?:is|are|has|have))\b"
    r"|(?:is|are|was|were|has|have|had)\s+(?:been\s+)?(?:also\s+)?(?:" + INC_VERB + "|" + DEC_VERB + r")\b"
    r"|(?:is|are|was|were)\s+(?:(?:still|currently|also|now|well|slightly|significantly|just)\s+)?"
    r"(?:above|below|higher|lower|better|worse|in\s+line|equal|the\s+same)\b)"
)
