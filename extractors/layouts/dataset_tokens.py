"""Tokens of a monthly dataset row and what each may be read as: a value, a % change, a DoT glyph, a placeholder.

Every token keeps where it was printed (text-paper line, or PDF cell box). A token may have several
readings when OCR damaged it ('w58', 'gso%', '1000%'); the first is the plainest, the others are
candidates that the row's own arithmetic (dataset_identities) may confirm. Look-alike readings are
never applied on their own: they are candidates until an identity confirms one.

>>> [r.value for r in readings("gso%")]
[850.0, 950.0]
>>> [r.value for r in readings("i")]
[1.0]
>>> readings("-8%")[0].value, readings("-8%")[0].clean
(-8.0, True)
>>> is_glyph("¥+"), is_glyph("T+"), is_glyph("L"), is_glyph("1357")
(True, True, True, False)
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from extractors.values import parse_value, placeholder_reason, repair_value
from schemas import BBox, Unit

MONTH = re.compile(r"^(?P<m>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[-\s'’]?(?P<y>\d{2}|\d{4})$", re.I)
CHANGE_CHARS = "%"
# Characters OCR prints for digits (seed-discrepancies §4, §7.3). 'w' and other unknown letters in a
# number stand for one or two lost digits: every digit is a candidate there.
VALUE_LOOKALIKES: dict[str, tuple[str, ...]] = {
    "o": ("0",), "O": ("0",), "D": ("0",), "Q": ("0",),
    "i": ("1",), "l": ("1",), "I": ("1",), "|": ("1",), "!": ("1",), "L": ("1",), "T": ("1", "7"), "t": ("1",),
    "z": ("2",), "Z": ("2",),
    "a": ("4",), "A": ("4",),
    "s": ("5",), "S": ("5",),
    "é": ("6",), "b": ("6",), "G": ("6",),
    "B": ("8",), "g": ("8", "9"),
    "y": ("9",), "Y": ("9",), "q": ("9",),
}
_ANY = tuple(str(d) for d in range(10)) + tuple(f"{a}{b}" for a in "123456789" for b in "0123456789")
PLACEHOLDER_CELLS = {"-", ".", "n/a", "N/A", "na", "TBC", "tbc", "—", "–"}
# Glyphs OCR prints for the direction-of-travel arrows and the DoT column ('A', 'v', 'P'), and stray marks.
_GLYPH = re.compile(r"^(?:[^\w\s]{1,3}|[A-Za-z][+]?|[0-9][+]|\d|1t|It|lt|[¥‘’'}{]+\+?|[A-Za-z]{1,2}[|]?)$")


@dataclass
class Tok:
    text: str
    line: int | None = None
    bbox: BBox | None = None
    page: int = 1


@dataclass(frozen=True)
class Reading:
    """One way to read a printed token as a number."""

    value: float | None
    decimals: int | None
    text: str  # the text this reading reads ('850%' for printed 'gso%')
    kind: str | None = None  # repair kind when not read as printed
    reason: str | None = None
    clean: bool = False  # read as printed, no repair
    missing_reason: str | None = None


def strip_noise(text: str) -> str:
    """A token without the marks OCR leaves at its ends: table rules ('|', '[', ']'), '_', '~', '°'."""
    return text.strip().strip("|[]{}_~°").strip() or text.strip()


GLUED_GLYPH = re.compile(r"^(?P<g>.*?\D)(?P<n>[+\-]?(?!0\d)\d[\d.,]*\s*%)%*$")


def split_glued(text: str) -> tuple[str, str] | None:
    """A direction glyph glued to a % change: '=-8%' -> ('=', '-8%'), 'a850%' -> ('a', '850%'),
    'v-19%%' -> ('v', '-19%'); None when nothing is glued in front."""
    m = GLUED_GLYPH.match(strip_noise(text))
    if not m or not m.group("g").strip(" +-"):
        return None  # nothing but a sign in front: '-8%' is a number
    return m.group("g"), m.group("n")


def is_month(text: str) -> bool:
    return bool(MONTH.match(text.strip()))


def is_placeholder(text: str) -> bool:
    t = text.strip()
    return t in PLACEHOLDER_CELLS or (placeholder_reason(t) is not None and len(t) <= 6 and t.lower() != "local")


def is_local(text: str) -> bool:
    return text.strip().strip(".,;").lower() == "local"


def is_glyph(text: str) -> bool:
    t = text.strip()
    return bool(t) and len(t) <= 4 and "%" not in t and not re.fullmatch(r"\d{2,}(\.\d+)?", t) and bool(_GLYPH.match(t))


def has_digit(text: str) -> bool:
    return bool(re.search(r"\d", text))


def is_change_like(text: str) -> bool:
    """A % change cell, possibly damaged: '-8%', 'gso%', '“56%', 'o%', '%', 'n/a'."""
    t = text.strip().rstrip(".,;:|!")
    if t.lower() in ("n/a", "na"):
        return True
    return "%" in t and len(t) <= 8 and not re.search(r"\d\.\d", t)


def readings(text: str, unit: Unit | None = None, *, limit: int = 40) -> list[Reading]:
    """Ways to read ``text`` as a number: as printed, as the values library repairs it, then look-alikes."""
    printed = strip_noise(text)
    out: list[Reading] = []
    seen: set[float] = set()

    def add(r: Reading) -> None:
        if r.value is None or r.value in seen:
            return
        seen.add(r.value)
        out.append(r)

    v = parse_value(printed, unit)
    if v.value is not None and v.note is None:
        add(Reading(v.value, v.decimals, printed, clean=True))
        return out
    if v.missing_reason and v.missing_reason not in ("unreadable", "several values") and v.note is None:
        return [Reading(None, None, printed, missing_reason=v.missing_reason, clean=True)]
    r = repair_value(printed, unit)
    if r.value is not None and not r.needs_review and r.repairs:
        add(Reading(r.value, r.decimals, r.repairs[-1].to_text, kind=r.repairs[-1].kind.value,
                    reason=r.repairs[-1].reason))
    for s in [*r.repairs, *r.suggestions]:
        pv = parse_value(s.to_text, unit)
        if pv.value is not None:
            add(Reading(pv.value, pv.decimals, s.to_text, kind=s.kind.value, reason=s.reason))
    for cand in lookalike_texts(printed, limit=limit):
        pv = parse_value(cand, unit)
        if pv.value is not None and pv.note is None:
            add(Reading(pv.value, pv.decimals, cand, kind="letter_digit",
                        reason=f"{printed!r} read with OCR look-alikes as {cand!r}"))
    return out


def lookalike_texts(text: str, *, limit: int = 40) -> list[str]:
    """Number texts ``text`` may stand for when letters in it are OCR'd digits; unknown letters in a
    number ('w58') stand for one or two lost digits. Empty when the text has no number shape."""
    t = text.strip().rstrip("{}|!'\".,;:").lstrip("“”\"'‘’")
    m = re.fullmatch(r"(?P<sign>[+\-=]?)(?P<body>[^\s%]{1,6})(?P<pct>%?)", t)
    if not m or not re.search(r"[^\d.,]", m["body"]):
        return []
    body = m["body"]
    options: list[tuple[str, ...]] = []
    unknown = 0
    for i, ch in enumerate(body):
        if ch.isdigit() or ch in ".,":
            options.append((ch,))
        elif ch in VALUE_LOOKALIKES:
            options.append(VALUE_LOOKALIKES[ch])
        elif ch.isalpha() and ch.islower() and i == 0 and re.fullmatch(r"\d{2,}", body[1:]):
            unknown += 1  # 'w58': a lost leading digit or two
            options.append(_ANY)
        else:
            return []
    if unknown > 1:
        return []
    sign = "-" if m["sign"] in ("-", "=") else ""
    out = []
    for combo in itertools.islice(itertools.product(*options), limit * 4):
        s = "".join(combo)
        if re.fullmatch(r"\d+(?:\.\d+)?", s) and not (len(s) > 1 and s[0] == "0" and s[1] != "."):
            out.append(f"{sign}{s}{m['pct']}")
        if len(out) >= limit:
            break
    return out


def value_class(text: str) -> tuple[str, float]:
    """How much ``text`` looks like a monthly value: (form, weight). form is 'pct' / 'num' for clean
    numbers (by whether '%' is printed), 'damaged' when only a repair or look-alike reads it,
    'placeholder', or '' when it cannot be a value."""
    t = strip_noise(text)
    if not t:
        return "", 0.0
    if is_placeholder(t):
        return "placeholder", 0.3
    if is_local(t) or is_month(t):
        return "", 0.0
    v = parse_value(t)
    if v.value is not None and v.note is None and not v.approximate:
        return ("pct" if "%" in t else "num"), 2.0
    if len(t) > 8 or (len(t) == 1 and t not in "ilo"):
        return "", 0.0  # a lone capital or mark is a glyph; only 'i', 'l', 'o' stand in for digits alone
    if readings(t, limit=5):
        return "damaged", 1.0
    return "", 0.0
