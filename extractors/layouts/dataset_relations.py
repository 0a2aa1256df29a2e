"""Relations between rows of a monthly dataset, found in the figures themselves, used as OCR evidence.

A dataset prints one concept several ways (seed-discrepancies §5.1, §7.1): a count, its rate per 10,000
and its percentage; duration bands that add up to 100%. This module finds such relations *empirically*
(they must hold, within the rounding of the printed figures, in at least three months of four and in
eight or more informative months) and uses them for two things:

* **placing values when the OCR lost cells** (column dumps): of all the ways to spread the k printed
  values over the 13 months (respecting the pins the row's own % changes give), the one under which
  the row keeps a relation with another row in every month wins, if no other placement does as well;
* **repairing a suspect cell** (held for review, or in a row whose printed average does not reproduce):
  the relation gives the value the cell must have; the repair is applied only when exactly one number
  in that range can be what the OCR printed (the printed digits are the candidate's with digits lost,
  or with one digit misread) and a second, independent identity (another relation, or the row's own
  average / max / % change) agrees. Otherwise the printed value is kept and stays held for review.

Relations: scale (A = k * B: a rate and its count), ratio (P = 100 * N / D: a percentage and its
numerator and denominator), band sum (consecutive percentage rows adding up to 100).
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from schemas import Unit

from .dataset_identities import Num, RowFacts

MONTHS = 13
NEAR = 8  # rows either side searched for partners
MIN_INFORMATIVE = 8
MIN_SHARE = 0.75


@dataclass(frozen=True)
class Relation:
    kind: str  # 'scale' | 'ratio' | 'bands'
    members: tuple[int, ...]  # draft indices: scale (A, B); ratio (P, N, D); bands (rows...)
    holds: int
    informative: int

    def describe(self, drafts) -> str:
        refs = [drafts[i].ref for i in self.members]
        if self.kind == "scale":
            return f"{refs[0]} is a fixed multiple of {refs[1]}"
        if self.kind == "ratio":
            return f"{refs[0]} = {refs[1]} / {refs[2]}"
        return " + ".join(refs) + " = 100%"


# --------------------------------------------------------------------------- figures as intervals

def _iv(n: Num | None) -> tuple[float, float] | None:
    return None if n is None else n.interval()


def _full(d) -> list[Num | None] | None:
    if d.fields is None or d.fields.lost:
        return None
    return d.month_nums()


def _suspect(d, i: int) -> bool:
    """Value index i of draft d may be misread: held for review, or in a window whose average fails."""
    if d.values[i].value is None:
        return False
    if d.values[i].needs_review or i in d.review:
        return True
    return False


def _doubted(d, j: int) -> bool:
    """The values library doubts the cell, or the row's average fails and the cell is shorter than the
    row's other cells (a truncated print: '2' among 26s)."""
    v = d.values[j]
    if v.value is None or v.needs_review or j in d.review:
        return True
    if not _avg_fails(d):
        return False
    digits = [len(re.sub(r"\D", "", x.text.split(".")[0])) for x in d.values if x.value is not None]
    typical = sorted(digits)[len(digits) // 2] if digits else 0
    return len(re.sub(r"\D", "", v.text.split(".")[0])) < typical


def _avg_fails(d) -> bool:
    from .dataset import _facts  # noqa: PLC0415
    return _facts(d).checks().get("average_12m") is False


# --------------------------------------------------------------------------- relation tests per month

def _scale_k(a, b) -> tuple[float, float] | None:
    """Interval of k with a = k * b, from one month's printed figures."""
    if a is None or b is None:
        return None
    (a0, a1), (b0, b1) = a, b
    if b0 <= 0 or a1 <= 0:
        return None
    return a0 / b1, a1 / b0


def _best_overlap(intervals: list[tuple[float, float]]) -> tuple[int, tuple[float, float] | None]:
    """Most intervals sharing one point, and that shared range."""
    best, where = 0, None
    for lo, _hi in intervals:
        inside = [iv for iv in intervals if iv[0] <= lo + 1e-12 and iv[1] >= lo - 1e-12]
        if len(inside) > best:
            best = len(inside)
            where = (max(iv[0] for iv in inside), min(iv[1] for iv in inside))
    return best, where


def _ratio_holds(p, n, d) -> bool | None:
    if p is None or n is None or d is None:
        return None
    (p0, p1), (n0, n1), (d0, d1) = p, n, d
    if d0 <= 0 or n1 <= 0:
        return None  # 0 / x = 0 whatever x is: tells nothing
    lo, hi = 100 * n0 / d1, 100 * n1 / d0
    return lo <= p1 + 1e-9 and p0 <= hi + 1e-9


def _bands_hold(ivs) -> bool | None:
    if any(v is None for v in ivs):
        return None
    lo = sum(v[0] for v in ivs)
    hi = sum(v[1] for v in ivs)
    return lo - 0.11 <= 100 <= hi + 0.11


# --------------------------------------------------------------------------- finding relations

def find_relations(drafts) -> list[Relation]:
    full = {i: _full(d) for i, d in enumerate(drafts)}
    ivs = {i: [_iv(v) for v in vals] for i, vals in full.items() if vals is not None}
    out: list[Relation] = []
    idx = sorted(ivs)
    for a in idx:
        near = [b for b in idx if b != a and abs(b - a) <= NEAR]
        # scale: a = k * b (a rounded rate, b its count)
        if drafts[a].unit != Unit.percent:
            for b in near:
                if drafts[b].unit == Unit.percent or (b < a and drafts[b].unit != Unit.percent
                                                      and any(r.members == (b, a) for r in out)):
                    continue
                ks = [k for k in (_scale_k(x, y) for x, y in zip(ivs[a], ivs[b])) if k is not None]
                if len(ks) < MIN_INFORMATIVE:
                    continue
                held, _ = _best_overlap(ks)
                if held >= MIN_SHARE * len(ks) and _varies(ivs[b]) and held >= MIN_INFORMATIVE:
                    out.append(Relation("scale", (a, b), held, len(ks)))
        # ratio: a (percent) = 100 * n / d
        if drafts[a].unit == Unit.percent:
            counts = [b for b in near if drafts[b].unit != Unit.percent]
            for n, dd in itertools.permutations(counts, 2):
                tests = [_ratio_holds(p, x, y) for p, x, y in zip(ivs[a], ivs[n], ivs[dd])]
                known = [t for t in tests if t is not None]
                if len(known) >= MIN_INFORMATIVE and sum(known) >= MIN_SHARE * len(known):
                    out.append(Relation("ratio", (a, n, dd), sum(known), len(known)))
    # band sums: runs of consecutive percentage rows
    pct = [i for i in idx if drafts[i].unit == Unit.percent]
    for start in range(len(pct)):
        for size in range(3, 7):
            group = pct[start:start + size]
            if len(group) < size or group[-1] - group[0] != size - 1:
                break
            tests = [_bands_hold([ivs[g][m] for g in group]) for m in range(MONTHS)]
            known = [t for t in tests if t is not None]
            if len(known) >= MIN_INFORMATIVE and sum(known) >= MIN_SHARE * len(known) and sum(known) >= 10:
                out.append(Relation("bands", tuple(group), sum(known), len(known)))
    return out


def _varies(ivs) -> bool:
    vals = [v for v in ivs if v is not None]
    return len({round((a + b) / 2, 6) for a, b in vals}) >= 3


# --------------------------------------------------------------------------- placing lost cells

def place(drafts, ctx) -> None:
    """Months for the values of rows whose OCR lost cells."""
    for i, d in enumerate(drafts):
        if d.fields is None or not d.fields.lost:
            continue
        k = len(d.values)
        nums = [d.num(j) for j in range(k)]
        pins, forbid = _pins(d, nums)
        options = [p for p in itertools.combinations(range(MONTHS), k)
                   if all(p[j] == m for j, m in pins.items()) and not any(p[j] == m for j, m in forbid)]
        if not options:
            continue
        scored = []
        for positions in options:
            score, partner = _placement_score(drafts, i, positions, nums)
            scored.append((score, positions, partner))
        scored.sort(key=lambda s: -s[0])
        best_score, best, partner = scored[0]
        runner = scored[1][0] if len(scored) > 1 else -1
        if partner is not None and best_score >= k - 1 and best_score > runner:
            d.positions = list(best)
            d.notes.append(f"the OCR lost {MONTHS - k} cell(s); months placed so that the row keeps its relation "
                           f"with row {drafts[partner].ref} in {best_score} of {k} months (no other placement "
                           f"does as well)")
            d.placement_reason = None
        else:
            d.positions = _default_positions(pins, k)
            unpinned = {j for j in range(k) if j not in pins}
            d.unplaced = unpinned
            d.placement_reason = (f"the OCR lost {MONTHS - k} of {MONTHS} cells of this row and nothing in the paper "
                                  "says which: month assigned by position, from the left")
            for j in unpinned:
                d.review.setdefault(j, d.placement_reason)


def _pins(d, nums) -> tuple[dict[int, int], list[tuple[int, int]]]:
    """Value index -> month, from the row's own % changes and printed month labels; and (index, month)
    pairs ruled out (a year-ago change that fails with the first value printed: that month was lost)."""
    pins: dict[int, int] = {}
    forbid: list[tuple[int, int]] = []
    k = len(nums)
    pm = d.derived.get("change_previous")
    py = d.derived.get("change_year_ago")
    facts = RowFacts([None] * 11 + [nums[-2], nums[-1]], change_previous=pm[0] if pm else None)
    if pm and pm[0] is not None and nums[-1] and nums[-2] and facts.checks().get("change_previous"):
        pins[k - 1], pins[k - 2] = MONTHS - 1, MONTHS - 2
    if py and py[0] is not None and nums[0] and nums[-1]:
        yf = RowFacts([nums[0]] + [None] * 11 + [nums[-1]], change_year_ago=py[0])
        held = yf.checks().get("change_year_ago")
        if held:
            pins[0] = 0
        elif held is False and py[3] is None:
            forbid.append((0, 0))
    for j, m in (getattr(d.raw, "anchors", {}) or {}).items():
        if isinstance(m, int) and j < k:
            pins[j] = m
    return pins, forbid


def _default_positions(pins: dict[int, int], k: int) -> list[int]:
    out, nxt = [], 0
    for j in range(k):
        if j in pins:
            nxt = pins[j]
        out.append(nxt)
        nxt += 1
    if out[-1] >= MONTHS:  # pins at the end: fill backwards
        out = [MONTHS - k + j for j in range(k)]
        for j, m in pins.items():
            out[j] = m
    return out


def _placement_score(drafts, i, positions, nums) -> tuple[int, int | None]:
    """How many placed values keep a relation with some full row nearby, and which row."""
    me = [None] * MONTHS
    for j, p in enumerate(positions):
        me[p] = _iv(nums[j])
    best, partner = -1, None
    d = drafts[i]
    for b, other in enumerate(drafts):
        if b == i or abs(b - i) > NEAR:
            continue
        full = _full(other)
        if full is None:
            continue
        ob = [_iv(v) for v in full]
        if d.unit != Unit.percent and other.unit != Unit.percent:
            ks = [k for k in (_scale_k(x, y) for x, y in zip(me, ob)) if k is not None]
            held, _ = _best_overlap(ks) if ks else (0, None)
            if held > best:
                best, partner = held, b
        if other.unit == Unit.percent and d.unit != Unit.percent:
            for c, third in enumerate(drafts):
                if c in (i, b) or abs(c - i) > NEAR or third.unit == Unit.percent:
                    continue
                tf = _full(third)
                if tf is None:
                    continue
                oc = [_iv(v) for v in tf]
                held = sum(1 for m in range(MONTHS) if _ratio_holds(ob[m], me[m], oc[m]))
                if held > best:
                    best, partner = held, b
    return best, partner


# --------------------------------------------------------------------------- repairing suspect cells

def repair(drafts, ctx) -> None:
    relations = find_relations(drafts)
    ctx.relations = [r.describe(drafts) for r in relations]
    for _round in range(3):
        changed = False
        for rel in relations:
            for m in range(MONTHS):
                changed |= _repair_month(drafts, rel, m, relations)
        if not changed:
            break


def _index_of(d, month: int) -> int | None:
    try:
        return d.positions.index(month)
    except ValueError:
        return None


def _repair_month(drafts, rel: Relation, m: int, relations) -> bool:
    members = rel.members
    cells = []
    for r in members:
        j = _index_of(drafts[r], m)
        if j is None or drafts[r].values[j].value is None:
            return False
        cells.append((r, j))
    if _holds(drafts, rel, m) is not False:
        return False
    if not _usable(drafts, rel, m):
        return False
    suspects = [(r, j) for r, j in cells if _suspect(drafts[r], j) or (_avg_fails(drafts[r]) and m >= 1)]
    flagged = [(r, j) for r, j in suspects if _doubted(drafts[r], j)]
    if len(flagged) == 1:
        suspects = flagged
    if len(suspects) != 1:
        return False
    r, j = suspects[0]
    d = drafts[r]
    target = _implied(drafts, rel, m, r)
    if target is None:
        return False
    candidates = _candidates(d, j, target)
    if len(candidates) != 1:
        return False
    value, text = candidates[0]
    # a second, independent identity must agree
    before = _confirmations(drafts, r, j, None, relations, exclude=rel)
    after = _confirmations(drafts, r, j, value, relations, exclude=rel)
    extra = [a for a in after if a not in before]
    if not extra:
        return False
    from .dataset import _apply_value  # noqa: PLC0415
    printed = d.values[j].text
    reason = (f"{rel.describe(drafts)} in {rel.holds} of {rel.informative} months; in "
              f"this month it needs {_fmt(target)}, and {text} is the one such number the OCR could have printed "
              f"as {printed!r}; " + " and ".join(extra) + " then also reproduce")
    kind = "lost_digit" if len(re.sub(r"\D", "", text)) > len(re.sub(r"\D", "", printed)) else "letter_digit"
    _apply_value(d, j, value, _decimals_of(text), text, kind, reason)
    return True


def _usable(drafts, rel: Relation, m: int) -> bool:
    """A relation vouches for month m only if, in every other month, it holds or fails on a cell the
    values library itself doubts: a failure nobody can explain means the relation is not exact."""
    for other in range(MONTHS):
        if other == m or _holds(drafts, rel, other) is not False:
            continue
        doubted = False
        for r in rel.members:
            j = _index_of(drafts[r], other)
            if j is not None and _doubted(drafts[r], j):
                doubted = True
        if not doubted:
            return False
    return True


def _holds(drafts, rel: Relation, m: int) -> bool | None:
    ivs = []
    for r in rel.members:
        j = _index_of(drafts[r], m)
        ivs.append(_iv(drafts[r].num(j)) if j is not None else None)
    if rel.kind == "ratio":
        return _ratio_holds(*ivs)
    if rel.kind == "bands":
        return _bands_hold(ivs)
    k_all = _scale_range(drafts, rel, exclude_month=m)
    kk = _scale_k(ivs[0], ivs[1])
    if k_all is None or kk is None:
        return None
    return kk[0] <= k_all[1] + 1e-12 and k_all[0] <= kk[1] + 1e-12


def _scale_range(drafts, rel: Relation, exclude_month: int) -> tuple[float, float] | None:
    a, b = rel.members
    ks = []
    for m in range(MONTHS):
        if m == exclude_month:
            continue
        ja, jb = _index_of(drafts[a], m), _index_of(drafts[b], m)
        if ja is None or jb is None:
            continue
        k = _scale_k(_iv(drafts[a].num(ja)), _iv(drafts[b].num(jb)))
        if k:
            ks.append(k)
    _n, where = _best_overlap(ks) if ks else (0, None)
    return where


def _implied(drafts, rel: Relation, m: int, r: int) -> tuple[float, float] | None:
    """The range member r must lie in for the relation to hold in month m."""
    ivs = {}
    for x in rel.members:
        j = _index_of(drafts[x], m)
        ivs[x] = _iv(drafts[x].num(j)) if j is not None else None
    if rel.kind == "bands":
        others = [ivs[x] for x in rel.members if x != r]
        if any(v is None for v in others):
            return None
        return 100 - sum(v[1] for v in others) - 0.11, 100 - sum(v[0] for v in others) + 0.11
    if rel.kind == "ratio":
        p, n, d = (ivs[x] for x in rel.members)
        if r == rel.members[0] and n and d and d[0] > 0:
            return 100 * n[0] / d[1], 100 * n[1] / d[0]
        if r == rel.members[1] and p and d:
            return p[0] * d[0] / 100, p[1] * d[1] / 100
        if r == rel.members[2] and p and n and p[0] > 0:
            return 100 * n[0] / p[1], 100 * n[1] / p[0]
        return None
    k = _scale_range(drafts, rel, exclude_month=m)
    a, b = rel.members
    if k is None:
        return None
    if r == a and ivs[b]:
        return k[0] * ivs[b][0], k[1] * ivs[b][1]
    if r == b and ivs[a] and k[0] > 0:
        return ivs[a][0] / k[1], ivs[a][1] / k[0]
    return None


def _row_decimals(d) -> int:
    decs = [v.decimals or 0 for v in d.values if v.value is not None]
    return max(set(decs), key=decs.count) if decs else 0


def _candidates(d, j: int, target: tuple[float, float]) -> list[tuple[float, str]]:
    """Numbers in ``target``, printed as the row prints them, that the OCR could have printed as the cell."""
    dec = _row_decimals(d)
    step = 10 ** -dec
    half = 0.0 if d.exact else step / 2  # the cell prints the true value rounded
    lo, hi = target[0] - half, target[1] + half
    if hi - lo > 50 * step:
        return []
    printed = re.sub(r"[^\d.]", "", d.values[j].text)
    out = []
    x = round(lo / step) * step
    while x <= hi + 1e-9:
        if x >= lo - 1e-9 and x >= 0:
            text = f"{x:.{dec}f}"
            if _compatible(printed, text):
                out.append((float(text), text + ("%" if "%" in d.values[j].text else "")))
        x += step
    return out


def _compatible(printed: str, cand: str) -> bool:
    """'2' -> '26' (digits lost), '1' -> '11.1', '2.7' -> '4.7' (one digit misread)."""
    p, c = printed.replace(".", ""), cand.replace(".", "")
    if not p or p == c:
        return False
    if len(p) < len(c):
        it = iter(c)
        return all(ch in it for ch in p)
    if len(p) == len(c):
        return sum(a != b for a, b in zip(p, c)) == 1
    return False


def _confirmations(drafts, r: int, j: int, value: float | None, relations, exclude: Relation) -> list[str]:
    """Identities that hold for cell (r, j), with its value replaced by ``value`` when given."""
    from .dataset import _checks_sign_tolerant, _facts, _identity_label  # noqa: PLC0415
    d = drafts[r]
    old = d.values[j]
    if value is not None:
        d.values[j] = old.model_copy(update={"value": value})
    try:
        found = []
        m = d.positions[j]
        for rel in relations:
            if rel is exclude or r not in rel.members:
                continue
            if _holds(drafts, rel, m):
                found.append(rel.describe(drafts))
        checks = _checks_sign_tolerant(d, _facts(d))
        facts = _facts(d)
        for name in facts.identities_of(m):
            if checks.get(name):
                found.append(f"the row's {_identity_label(name)}")
        return found
    finally:
        d.values[j] = old


def _decimals_of(text: str) -> int:
    m = re.search(r"\.(\d+)", text)
    return len(m.group(1)) if m else 0


def _fmt(rng) -> str:
    return f"{rng[0]:.2f} to {rng[1]:.2f}"


def place_and_repair(drafts, ctx) -> None:
    place(drafts, ctx)
    repair(drafts, ctx)
