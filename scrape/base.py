"""What every adapter speaks: meetings and the paper links on them; and the one interface adapters implement.

An adapter only discovers (meetings in a window, the papers linked from a meeting). Fetching, dedupe,
politeness and the run log are the same for every platform and live in scrape/runner.py and scrape/http.py.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, Protocol
from urllib.parse import unquote, urlsplit

Kind = Literal["report", "pack"]


@dataclass(frozen=True)
class Window:
    """The meeting dates to look at; `mode` is 'window' (rolling, around today) or 'backfill' (given)."""

    start: date
    end: date
    mode: str = "window"

    def __contains__(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end


@dataclass(frozen=True)
class Committee:
    id: str
    title: str


@dataclass(frozen=True)
class Meeting:
    id: str
    committee: str | None
    date: date | None
    committee_id: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class PaperLink:
    """One document linked from a meeting. `key` is its stable id within the council (see attachment_key)."""

    key: str
    url: str
    title: str
    kind: Kind = "report"
    attachment_id: str | None = None
    meeting_id: str | None = None
    committee: str | None = None
    meeting_date: date | None = None


@dataclass
class Discovered:
    """What an adapter found: meetings (each with its papers, or the reason it could not be read)."""

    source: str
    meetings: list[Meeting] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Adapter(Protocol):
    """One per platform. Both calls raise scrape.http.FetchError when the site cannot be read."""

    source: str  # how meetings were found this run: "service", "html" or "generic"
    notes: list[str]  # plain remarks for the run log ("web service disabled: HTML pages used")

    def meetings(self, window: Window) -> list[Meeting]:
        """Meetings of the followed committees whose dates fall in the window."""
        ...

    def papers(self, meeting: Meeting) -> list[PaperLink]:
        """Every document linked from one meeting (filtering by title is the runner's job)."""
        ...


# Matching ------------------------------------------------------------------------------------------

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00a0": " "})


def normalise_title(text: str) -> str:
    """Whitespace folded, curly quotes straightened: what patterns are matched against."""
    return " ".join(text.translate(_QUOTES).split())


def matches(patterns: list[str], text: str | None) -> bool:
    """Whether any pattern (a case-insensitive regular expression) is found in the text."""
    if not text:
        return False
    text = normalise_title(text)
    return any(re.search(p.translate(_QUOTES), text, re.IGNORECASE) for p in patterns)


# ModernGov titles carry hidden "ref: NNNN" spans and "PDF 119 KB" suffixes.
_TITLE_NOISE = [
    re.compile(r"\(?\b(?:PDF|DOC|DOCX|XLS|XLSX|RTF|HTML?)\s+\d+(?:\.\d+)?\s*[KMG]B\b\)?", re.IGNORECASE),
    re.compile(r"\bref:?\s*\d+\b", re.IGNORECASE),
]


def clean_title(text: str) -> str:
    for pattern in _TITLE_NOISE:
        text = pattern.sub(" ", text)
    return normalise_title(text).strip(" -–:,")


# Keys and file names ---------------------------------------------------------------------------------

_REPORT = re.compile(r"/documents/s(\d+)/", re.IGNORECASE)
_PACK = re.compile(r"/documents/g(\d+)/", re.IGNORECASE)
_CONVERT = re.compile(r"mgConvert2PDF\.aspx\?(?:[^#]*&)?ID=(\d+)", re.IGNORECASE)
PACK_TITLE = re.compile(r"\b(reports?|agenda|public|supplement(?:ary)?|document)\s+(?:reports\s+)?pack\b",
                        re.IGNORECASE)


def attachment_key(url: str, attachment_id: str | None = None) -> tuple[str, str | None, Kind]:
    """(key, attachment id, kind) for a ModernGov-style URL.

    documents/s60860/x.pdf and mgConvert2PDF.aspx?ID=60860 are both attachment 60860 -> "s60860"; documents in
    a meeting's folder documents/g4967/… (frontsheet, reports pack, printed minutes) -> "g4967-<hash of the
    file name>", kind "pack" when it is a reports pack. Other URLs -> "u-<hash of the URL>".
    """
    if attachment_id and attachment_id.strip().isdigit():
        return f"s{int(attachment_id)}", str(int(attachment_id)), "report"
    for pattern in (_REPORT, _CONVERT):
        found = pattern.search(url)
        if found:
            return f"s{int(found.group(1))}", str(int(found.group(1))), "report"
    found = _PACK.search(url)
    if found:
        name = unquote(urlsplit(url).path.rsplit("/", 1)[-1]).casefold()
        kind: Kind = "pack" if PACK_TITLE.search(name) else "report"
        return f"g{int(found.group(1))}-{_short_hash(name)}", None, kind
    return url_key(url), None, "report"


def url_key(url: str) -> str:
    parts = urlsplit(url)
    return "u-" + _short_hash(f"{parts.netloc.lower()}{parts.path}?{parts.query}")


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def safe_name(text: str, limit: int = 80, default: str = "paper") -> str:
    """A file-name-safe slug: ASCII letters, digits and single hyphens, never empty, never a path."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:limit].strip("-")
    return slug or default


# Dates --------------------------------------------------------------------------------------------------

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_WORDY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")
_NUMERIC = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def parse_date(text: str | None, fmt: str | None = None) -> date | None:
    """A date from '10/02/2026', '10 Feb 2026 10.00 am', 'Tuesday, 10th February, 2026', '2026-02-10'
    (or `fmt` when given); None when there is none. Day-first, as English councils write dates."""
    if not text:
        return None
    text = text.strip()
    if fmt:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    for pattern, order in ((_NUMERIC, "dmy"), (_ISO, "ymd"), (_WORDY, "dMy")):
        found = pattern.search(text)
        if not found:
            continue
        a, b, c = found.groups()
        try:
            if order == "dmy":
                return date(int(c), int(b), int(a))
            if order == "ymd":
                return date(int(a), int(b), int(c))
            month = _MONTHS.get(b[:3].lower())
            if month:
                return date(int(c), month, int(a))
        except ValueError:
            continue
    return None
