"""Indicator codes of a monthly dataset ('M2-NI', 'EH3b%', 'CP6B', 'LAC11-QL (%)'), read through OCR damage.

A code is ``PREFIX NUMBER [LETTER] [%] [-QL | -NI] [(val) | (%)]``. The prefixes a paper uses are learned
from the codes it prints cleanly (an upper-case prefix followed by a real digit), plus 'NI' (national
indicator) and 'LA', which prefix other codes ('NI LA7'). A damaged code is read when its prefix is one
of those, case folded and with '£' for 'E', and the characters where the number stands are digit
look-alikes (seed-discrepancies §7.1):

    I l i | ! -> 1     a A -> 4     S s -> 5     é -> 6     g -> 8     Y y -> 9     O o -> 0

and in the suffix 'aL' / 'al' / 'qL' read 'QL', 'Nl' / 'N1' read 'NI'. A prefix letter printed twice
('cpP2') is read once. The number must be plausible for its prefix: at most twice the largest number
the paper prints cleanly with that prefix, plus two ('EHsl' would be EH51 in a paper whose EH codes run
1-4: not read). The printed form is always kept beside the reading.

>>> book = CodeBook.learn(["M1", "M2-NI", "EH1c", "EH4-QL", "CP6B", "LAC1", "LAC16", "CPL-NI"])
>>> [book.read(t).code for t in ["Mé-QL.", "LACS (%)", "cps-al (val)-", "LACI-NI", "Laca", "N1La7"]]
['M6-QL', 'LAC5 (%)', 'CP5-QL (val)', 'LAC1-NI', 'LAC4', 'NI LA7']
>>> book.read("EHsl") is None, book.read("coopt") is None, book.read("CPL-NI").code
(True, True, 'CPL-NI')
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

DIGIT_LOOKALIKES = {
    "I": "1", "l": "1", "i": "1", "|": "1", "!": "1", "]": "1",
    "a": "4", "A": "4",
    "S": "5", "s": "5",
    "é": "6", "è": "6", "G": "6",
    "g": "8",
    "Y": "9", "y": "9",
    "O": "0", "o": "0",
}
PREFIX_LOOKALIKES = str.maketrans({"£": "E", "€": "E"})
ALWAYS_PREFIXES = ("NI", "LA")
_DIGITISH = "0-9" + re.escape("".join(DIGIT_LOOKALIKES))
_QUALIFIER = re.compile(r"^[({\[]\s*(?P<q>val|%)\s*[)}\]]?[-.,;:]*$", re.I)
_CLEAN = re.compile(r"^(?P<prefix>[A-Z]{1,4})(?P<num>\d{1,3})?(?P<letter>[A-Za-z])?(?P<pct>%)?"
                    r"(?:(?P<hy>-)?(?P<suffix>QL|NI))?$")
_TRAIL = re.compile(r"[-.,;:|'\"]+$")


@dataclass(frozen=True)
class CodeReading:
    code: str  # normalised, e.g. 'LAC5 (%)'
    printed: str  # as printed, e.g. 'LACS (%)'
    changes: tuple[str, ...] = ()  # what was normalised, e.g. ("'S' read as 5",)

    @property
    def damaged(self) -> bool:
        return bool(self.changes)


@dataclass
class CodeBook:
    """The code prefixes a paper uses, and the largest number printed cleanly with each."""

    largest: dict[str, int] = field(default_factory=dict)

    @classmethod
    def learn(cls, tokens) -> "CodeBook":
        largest: dict[str, int] = {}
        for token in tokens:
            m = _CLEAN.match(_TRAIL.sub("", token.strip()))
            if m and m["num"]:
                largest[m["prefix"]] = max(largest.get(m["prefix"], 0), int(m["num"]))
        return cls(largest)

    @property
    def prefixes(self) -> list[str]:
        found = set(self.largest) | set(ALWAYS_PREFIXES)
        return sorted(found, key=len, reverse=True)  # longest first: 'LAC' before 'LA'

    def plausible(self, prefix: str, number: int) -> bool:
        if prefix not in self.largest:
            return prefix in ALWAYS_PREFIXES and number < 100
        return number <= 2 * self.largest[prefix] + 2

    # ------------------------------------------------------------------ reading
    def read(self, text: str, *, code_cell: bool = False) -> CodeReading | None:
        """The code a printed token (or 'token (val)') stands for; None when it is not a code.
        ``code_cell``: the text is the content of a table's code column, so a one-letter prefix with a
        look-alike digit ('Ml') is a code, not a word."""
        printed = " ".join(text.split())
        if not printed or len(printed) > 24:
            return None
        head, qualifier = printed, None
        parts = printed.rsplit(" ", 1)
        if len(parts) == 2 and _QUALIFIER.match(parts[1]):
            head, qualifier = parts[0], _QUALIFIER.match(parts[1])["q"].lower()
        elif (m := re.match(r"^(?P<head>.*?)\s*[({\[](?P<q>val|%)[)}\]][-.,;:]*$", printed, re.I)) and m["head"]:
            head, qualifier = m["head"], m["q"].lower()
        self._code_cell = code_cell
        reading = self._read_compound(head)
        if reading is None:
            return None
        code, changes = reading
        if qualifier:
            code += f" ({qualifier})"
        return CodeReading(code=code, printed=printed, changes=tuple(changes))

    def _read_compound(self, head: str) -> tuple[str, list[str]] | None:
        # 'N1La7': a national-indicator prefix in front of another code
        m = re.match(r"^N[I1l|]\s*(?P<rest>[A-Za-z].*)$", head)
        if m:
            inner = self._read_one(m["rest"])
            if inner is not None:
                changes = ([] if head.startswith("NI") else [f"{head[:2]!r} read as NI"]) + inner[1]
                return f"NI {inner[0]}", changes
        return self._read_one(head)

    def _read_one(self, head: str) -> tuple[str, list[str]] | None:
        head = _TRAIL.sub("", head)
        clean = _CLEAN.match(head)
        folded = head.translate(PREFIX_LOOKALIKES)
        for prefix in self.prefixes:
            if not folded.upper().startswith(prefix):
                continue
            rest = folded[len(prefix):]
            changes: list[str] = []
            if folded[: len(prefix)] != prefix or head[: len(prefix)] != folded[: len(prefix)]:
                changes.append(f"prefix {head[:len(prefix)]!r} read as {prefix}")
            if rest[:1].upper() == prefix[-1] and len(rest) > 1 and rest[1] in _DIGITISH_SET:
                changes.append(f"{rest[0]!r} printed twice")
                rest = rest[1:]
            parsed = self._number_part(prefix, rest, changes)
            if parsed is not None:
                return parsed
        if clean and (clean["num"] or clean["suffix"]):
            # an upper-case code with a prefix the paper uses nowhere else ('CPL-NI', 'P2b%'): as printed
            return head, []
        return None

    def _number_part(self, prefix: str, rest: str, changes: list[str]) -> tuple[str, list[str]] | None:
        m = re.match(rf"^(?P<num>[{_DIGITISH}]{{1,3}}?)(?P<letter>[A-Za-z])?(?P<pct>%)?"
                     r"(?:(?P<hy>-)?(?P<suffix>[QqAa][Ll]|N[Il1]))?$", rest)
        if not m:
            return None
        num_printed = m["num"]
        if not re.search(r"\d", num_printed):
            # no real digit: read only with more structure around it, never from look-alikes alone
            if len(num_printed) > 1 or (m["letter"] or "") in DIGIT_LOOKALIKES:
                return None  # 'EHsl': too little to go on
            if len(prefix) < 2 and not (m["suffix"] or m["pct"]) and not num_printed.isupper() \
                    and not getattr(self, "_code_cell", False):
                return None  # 'Ms', 'Mo' are words, not M5, M0 (but 'MS' in a code cell is M5)
        digits = "".join(DIGIT_LOOKALIKES.get(c, c) for c in num_printed)
        for c in num_printed:
            if c in DIGIT_LOOKALIKES:
                changes.append(f"{c!r} read as {DIGIT_LOOKALIKES[c]}")
        if not self.plausible(prefix, int(digits)):
            return None
        letter = m["letter"] or ""
        suffix = ""
        if m["suffix"]:
            read = "QL" if m["suffix"][0] in "QqAa" else "NI"
            if m["suffix"] != read:
                changes.append(f"{m['suffix']!r} read as {read}")
            suffix = ("-" if m["hy"] else "") + read
        return f"{prefix}{digits}{letter}{m['pct'] or ''}{suffix}", changes


_DIGITISH_SET = set("0123456789") | set(DIGIT_LOOKALIKES)


def compact(code: str | None) -> str:
    """A code with case, spaces and hyphens dropped, for comparing forms: 'CP5-QL' ~ 'CP5QL'."""
    return re.sub(r"[\s\-]", "", code or "").upper()


def harmonise(code: str, siblings: list[str]) -> str:
    """Take a sibling's spelling when only hyphens differ: 'CP5QL' next to 'CP5-QL (val)' -> 'CP5-QL'."""
    base, _, qualifier = code.partition(" (")
    for sibling in siblings:
        sib_base = sibling.partition(" (")[0]
        if compact(sib_base) == compact(base) and sib_base != base:
            return sib_base + (f" ({qualifier}" if qualifier else "")
    return code
