"""Monthly dataset scorecard (seed 003, Southampton 'Children and Families Monthly dataset'): one row per
indicator with its code, name, owners, outcome, 13 monthly values, % change from the previous month and
from the same month last year (each with a direction-of-travel glyph), a DoT column, the 12-month average
and max, a 'Percentage?' flag, Stat. Neighbour / England / SE region benchmarks ('Local' = no external
benchmark), targets for three financial years, and commentary.

Three inputs, one grammar:

* OCR text (a .txt paper, or OCR'd pages without a table grid): `dataset_text` cuts the text into raw
  rows (whole-row lines and one-cell-per-line column dumps) and `dataset_fields` matches each row's
  tokens to the template, scoring every split by the row's own arithmetic;
* tables (born-digital PDFs, or grids rebuilt from OCR words): columns are found from the header
  cells ('Jun-17', '% change from previous month', 'Stat. Neighbour', 'Target 17-18' ...) by
  `dataset_table`, and each body row is read by position;
* then every row goes through the same reading here: OCR repair of the values with the values library
  (`repair_series`), confirmed or rejected by the row's arithmetic (`dataset_identities`) and by relations
  between rows (`dataset_relations`); derived figures, benchmarks, targets; provenance for every value.

Repairs are never silent: every change is a `ValueRepair` on the value (strong evidence only); a
reading with weak evidence keeps the printed value and is held for review (`needs_review`,
`review_reason`). Derived figures have no review flag in the schema, so a derived figure that cannot
be read with confidence keeps the printed number when there is one (else None) and the row's `notes`
say why.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.values import (
    parse_value,
    detect_unit,
    glyph_direction,
    parse_benchmarks,
    parse_period,
    parse_polarity,
    repair_series,
    repair_value,
)
from extractors.values.numbers import ParsedValue, Repair
from extractors.layouts import LayoutResult
from schemas import (
    Benchmark,
    Comparator,
    DerivedFigure,
    DerivedKind,
    ExtractedTable,
    LineSpan,
    MeasureRow,
    Page,
    PaperFacts,
    PeriodTarget,
    PeriodValue,
    Provenance,
    SourceDocument,
    Unit,
    ValueRepair,
)

from .dataset_codes import CodeBook, CodeReading, harmonise
from .dataset_fields import Change, Fields, parse_stream
from .dataset_identities import Num, RowFacts, change_range, half_up
from .dataset_tokens import (
    Tok,
    has_digit,
    is_local,
    is_placeholder,
    readings,
    split_glued,
    strip_noise,
)

LAYOUT = "monthly_dataset"
MONTHS = 13
BENCHMARK_COLUMNS = [(Comparator.stat_neighbours, "Stat. Neighbour"), (Comparator.england, "England"),
                     (Comparator.region, "SE region")]
MONTH_LABEL = re.compile(r"^(?P<m>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[-\s'’]?(?P<y>\d{2}|\d{4})$", re.I)
_MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


# --------------------------------------------------------------------------- entry point

def parse(document: SourceDocument, tables: list[ExtractedTable], pages: list[Page]) -> LayoutResult:
    """Measure rows of a monthly dataset; an empty result when the paper is not one."""
    from . import dataset_table, dataset_text  # noqa: PLC0415 (kept light for the other layouts)

    if tables:
        found = dataset_table.read_tables(tables)
        if found is not None and found.rows:
            note = next((m.group(0) for p in pages for m in [re.search(r"\(updated\b[^)]*\)", p.text, re.I)] if m), None)
            found.context.benchmark_period = _benchmark_period(note)
            return build(document.id, found.rows, found.context)
    text_pages = [p for p in pages if p.text.strip() and (p.ocr or all(w.bbox is None for w in p.words))]
    if not text_pages or not _looks_like_dataset(text_pages):
        return LayoutResult()
    book = dataset_text.learn_codes(text_pages)
    layout = dataset_text.read_text(text_pages, book)
    months = recover_months(layout.months, layout.title_month)
    if months is None:
        return LayoutResult(notes=["monthly dataset: no month header could be recovered"])
    ctx = Context(months=months, target_periods=layout.target_periods or default_targets(months),
                  benchmark_period=_benchmark_period(layout.benchmark_note), book=book,
                  notes=list(layout.notes))
    for raw in layout.rows:
        raw.anchors = {i: months.index(_month_key(m)) for i, m in raw.anchors.items()
                       if _month_key(m) in months}  # type: ignore[arg-type]
    return build(document.id, layout.rows, ctx)


def _looks_like_dataset(pages: list[Page]) -> bool:
    text = "\n".join(p.text for p in pages)
    cues = [r"%\s*change", r"12[\s-]*m\w*th|12\s*month", r"same\s*(?:\n\s*)?month|prev(?:ious)?",
            r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)-\d\d"]
    return sum(bool(re.search(c, text, re.I)) for c in cues) >= 3


# --------------------------------------------------------------------------- months and context

def _month_key(label: str) -> str | None:
    m = MONTH_LABEL.match(label.strip())
    if not m:
        return None
    return f"{m['m'][:3].title()}-{m['y'][-2:]}"


def recover_months(seen: list[str], title_month: str | None = None, n: int = MONTHS) -> list[str] | None:
    """The monthly columns, from whatever month labels the OCR kept: the n months ending with the latest.

    >>> recover_months(["Sep-17", "Oct-17", "Dec-17", "Jun-18"])[:3], len(recover_months(["Jun-18"]))
    (['Jun-17', 'Jul-17', 'Aug-17'], 13)
    """
    keys = [k for k in (_month_key(s) for s in [*seen, *([title_month] if title_month else [])]) if k]
    if not keys:
        return None
    def index(k: str) -> int:
        mon, yy = k.split("-")
        return (2000 + int(yy)) * 12 + _MONTH_NAMES.index(mon)
    last = max(index(k) for k in keys)
    out = []
    for i in range(last - n + 1, last + 1):
        y, m = divmod(i, 12)
        out.append(f"{_MONTH_NAMES[m]}-{y % 100:02d}")
    return out


def default_targets(months: list[str]) -> list[str]:
    start = parse_period(months[0])
    if start is None:
        return []
    fy = start.start.year if start.start.month >= 4 else start.start.year - 1
    return [f"{(fy + i) % 100:02d}-{(fy + i + 1) % 100:02d}" for i in range(3)]


def _benchmark_period(note: str | None) -> str | None:
    if not note:
        return None
    return parse_benchmarks(note).period_label


@dataclass
class Context:
    months: list[str]
    target_periods: list[str]
    benchmark_period: str | None = None
    book: CodeBook | None = None
    notes: list[str] = field(default_factory=list)
    learned_glyphs: dict[str, str] = field(default_factory=dict)  # glyph -> 'up' | 'down'
    relations: list[str] = field(default_factory=list)  # relations between rows found in the figures
    glyph_evidence: dict[str, str] = field(default_factory=dict)  # glyph -> row that proved it


# --------------------------------------------------------------------------- building rows

@dataclass
class Draft:
    """A row being read: its raw input, the fields matched, and what has been read so far."""

    raw: object
    fields: Fields | None
    unit: Unit
    label: str
    ref: str
    code: CodeReading | None
    positions: list[int]  # month index of each value token
    values: list[ParsedValue]
    notes: list[str] = field(default_factory=list)
    review: dict[int, str] = field(default_factory=dict)  # value index -> reason held for review
    derived: dict[str, tuple[float | None, list[ValueRepair], str | None, str | None]] = field(default_factory=dict)
    placement_reason: str | None = None
    signed: dict[str, bool] = field(default_factory=dict)  # % change -> printed with an explicit sign
    unplaced: set[int] = field(default_factory=set)  # value indices whose month is a guess

    @property
    def whole_precision(self) -> bool:
        """'19.0%', '15.0%' ... throughout: figures rounded to whole numbers, printed with a '.0'."""
        fr = [v.value for v in self.values if v.value is not None and (v.decimals or 0) > 0]
        return len(fr) >= 6 and all(abs(x - round(x)) < 1e-9 for x in fr)

    @property
    def exact(self) -> bool:
        """Counts are exact; other whole numbers may be rounded rates."""
        return self.unit == Unit.count and not re.search(r"\brate\b|\bper\b|10,?000", self.label, re.I)

    def num(self, i: int) -> Num | None:
        v = self.values[i]
        if v.value is None:
            return None
        decimals = 0 if self.whole_precision else (v.decimals or 0)
        return Num(v.value, decimals, exact=self.exact and not v.decimals)

    def month_nums(self) -> list[Num | None]:
        out: list[Num | None] = [None] * MONTHS
        for i, pos in enumerate(self.positions):
            out[pos] = self.num(i)
        return out


def build(document_id: str, raws: list, ctx: Context) -> LayoutResult:
    from . import dataset_relations  # noqa: PLC0415

    drafts = [_draft(raw, ctx, ordinal) for ordinal, raw in enumerate(raws, start=1)]
    _harmonise_codes(drafts)
    for d in drafts:
        _read_derived_plain(d, ctx)
        _repair_values_by_row(d, ctx)
    for d in drafts:
        _read_changes(d, ctx, learn=True)
    for d in drafts:
        _read_changes(d, ctx, learn=False)
    dataset_relations.place_and_repair(drafts, ctx)
    for d in drafts:
        _read_changes(d, ctx, learn=False)
        _flag_failed_identities(d)
    rows = [_measure_row(document_id, d, ctx) for d in drafts]
    rows = _unique_refs(rows)
    notes = list(ctx.notes)
    held = sum(v.needs_review for r in rows for v in r.values)
    repaired = sum(bool(v.repairs) for r in rows for v in r.values)
    notes.append(f"monthly dataset: {len(rows)} rows, {sum(len(r.values) for r in rows)} monthly values "
                 f"({repaired} repaired, {held} held for review)")
    if ctx.relations:
        notes.append("monthly dataset: relations between rows found in the figures (used as OCR evidence): "
                     + "; ".join(ctx.relations))
    if ctx.learned_glyphs:
        notes.append("monthly dataset: glyphs read from this paper's own arithmetic: " + "; ".join(
            f"{g!r} = {d} (row {ctx.glyph_evidence.get(g)})" for g, d in ctx.learned_glyphs.items()))
    lines = sum(1 for d in drafts if getattr(d.raw, "method", "") == "ocr-text-lines")
    if lines:
        notes.append(f"monthly dataset: {lines} row(s) came out of the OCR as whole-row lines, where the outcome "
                     "and commentary columns are interleaved word by word; their commentary is not read")
    facts = PaperFacts(document_id=document_id, reporting_period=ctx.months[-1],
                       reporting_period_start=_period(ctx.months[-1])[0],
                       reporting_period_end=_period(ctx.months[-1])[1]) if rows else None
    return LayoutResult(rows=rows, facts=facts, notes=notes)


def _period(label: str):
    p = parse_period(label)
    return (p.start, p.end) if p else (None, None)


def _draft(raw, ctx: Context, ordinal: int) -> Draft:
    label = raw.label or ""
    stream = raw.stream
    unit0 = detect_unit(label, []) if label else Unit.other
    hint = None if unit0 == Unit.other else unit0
    fields = getattr(raw, "fields", None) or (parse_stream(stream, MONTHS, hint, anchors=raw.anchors)
                                              if stream else None)
    if not label and getattr(raw, "label_tokens", None) is not None and fields is not None:
        label = _line_label(raw, fields)
    texts = [strip_noise(t.text) for t in fields.values] if fields else []
    unit = detect_unit(label, texts)
    if unit == Unit.other and texts and all(re.fullmatch(r"[\d,]+", t) for t in texts if has_digit(t)):
        unit = Unit.count
    code = raw.code
    ref = code.code if code else f"r{ordinal}"
    notes = []
    if code and code.damaged:
        notes.append(f"code printed {code.printed!r}, read as {code.code}: " + "; ".join(code.changes))
    elif code is None and getattr(raw, "code_printed", None):
        notes.append(f"code printed {raw.code_printed!r} could not be read")
    if fields is None:
        return Draft(raw, None, unit, label, ref, code, [], [], notes=notes + [
            "no monthly values could be read from this row (OCR damage); emitted with its name only"])
    extra = [fields.average, fields.maximum]
    series = repair_series([*texts, *(strip_noise(t.text) for t in extra if t is not None)], unit)
    values = series[:len(texts)]
    positions = getattr(raw, "positions", None) or (
        list(range(MONTHS - len(texts), MONTHS)) if fields.lost else list(range(len(texts))))
    d = Draft(raw, fields, unit, label, ref, code, positions, values, notes=notes)
    for i, v in enumerate(values):
        if v.needs_review:
            d.review[i] = v.review_reason or "uncertain reading"
    if fields.lost:
        d.placement_reason = (f"the OCR kept {len(texts)} of {MONTHS} monthly cells; months assigned "
                              "by position until the row's arithmetic places them")
    # the average and max as the row's repair read them (lost decimal points: '230%' among 20s)
    k = len(texts)
    for name, tok in (("average_12m", fields.average), ("max_12m", fields.maximum)):
        if tok is not None:
            pv = series[k]
            k += 1
            d.derived[name] = (pv.value, _repairs(pv), tok.text, pv.review_reason if pv.needs_review else None)
    return d


def _line_label(raw, fields: Fields) -> str:
    """The measure name on a whole-row line: the words after the code, up to the first OCR mark; with the
    start of the name from the line above when the OCR put it there ('Percentage of ...' over the row)."""
    label = _words_until_mark(raw.label_tokens[:fields.start])
    above = _words_until_mark(getattr(raw, "label_above", []) or [], limit=50)
    return f"{above} {label}".strip() if above else label


def _words_until_mark(toks, limit: int | None = None) -> str:
    words: list[str] = []
    for t in toks:
        s = t.text.lstrip("|[")
        if not re.fullmatch(r"[(\[]?[A-Za-z0-9][\w(),.:;/'’%+\-]*", s) or (len(s) == 1 and s not in "aA"):
            if words:
                break
            continue
        if limit and len(" ".join([*words, s])) > limit:
            break
        words.append(s)
    return re.sub(r"\s+[a-z]$", "", " ".join(words)).strip(" ,;:")


def _harmonise_codes(drafts: list[Draft]) -> None:
    codes = [d.code.code for d in drafts if d.code]
    for d in drafts:
        if d.code and d.code.damaged:
            new = harmonise(d.code.code, [c for c in codes if c != d.code.code and "-" in c])
            if new != d.code.code:
                d.notes.append(f"code {d.code.code} written {new} as its sibling row writes it")
                d.code = CodeReading(new, d.code.printed, d.code.changes)
                d.ref = new


def _repairs(pv: ParsedValue) -> list[ValueRepair]:
    return [r.as_record() for r in pv.repairs]


# --------------------------------------------------------------------------- derived figures

def _change_tokens(d: Draft) -> dict[str, Change | None]:
    f = d.fields
    return {"change_previous": f.change_previous, "change_year_ago": f.change_year_ago} if f else {}


def _read_derived_plain(d: Draft, ctx: Context) -> None:
    """% changes read as printed (or as the values library repairs them with strong evidence)."""
    for name, change in _change_tokens(d).items():
        if change is None or change.token is None:
            continue
        d.signed[name] = _change_parts(change)[1].startswith(("-", "+"))
        plain = _plain_change(change)
        if plain is not None:
            d.derived.setdefault(name, plain)


def _change_parts(change: Change) -> tuple[str, str]:
    """(glyph, number) of a % change cell; a glyph OCR glued to the number is split off ('=-8%')."""
    text = strip_noise(change.token.text).rstrip(".")
    glyph = change.glyph_text
    if parse_value(text).value is None and (split := split_glued(text)) is not None:
        g, text = split
        glyph = f"{glyph} {g}".strip() if glyph else g
    return glyph, text


def _plain_change(change: Change):
    text = strip_noise(change.token.text).rstrip(".")
    if text.lower() in ("n/a", "na"):
        return (None, [], change.token.text, None)
    attempts = [(change.glyph_text, text), _change_parts(change)]
    for glyph, number in attempts:
        if glyph and glyph_direction(glyph) is not None:
            v = repair_value(f"{glyph} {number}", Unit.percent)
            if v.value is not None and not v.needs_review:
                return (v.value, _repairs(v), change.token.text, None)
    glyph, text = attempts[1]
    if glyph and re.fullmatch(r"\d", glyph.split()[-1]) and not text.lstrip("“”\"'‘’").startswith(("-", "+")):
        # '3 7%': 37%, or glyph '3' and 7% with a lost minus? The values library cannot tell.
        return (None, [], change.token.text, "a digit glyph before an unsigned number: part of it, or an arrow?")
    v = repair_value(text, Unit.percent)
    if v.value is not None and not v.needs_review:
        return (v.value, _repairs(v), change.token.text, None)
    return None


def _facts(d: Draft) -> RowFacts:
    def dv(name):
        got = d.derived.get(name)
        return got[0] if got else None

    avg, mx = dv("average_12m"), dv("max_12m")
    dec = lambda name: _decimals(d.derived[name][2]) if name in d.derived else 0  # noqa: E731
    return RowFacts(
        values=d.month_nums(),
        change_previous=dv("change_previous"),
        change_year_ago=dv("change_year_ago"),
        average=Num(avg, dec("average_12m")) if avg is not None else None,
        maximum=Num(mx, dec("max_12m"), exact=d.exact) if mx is not None else None,
    )


def _decimals(text: str | None) -> int:
    m = re.search(r"\d\.(\d+)", text or "")
    return len(m.group(1)) if m else 0


def _read_changes(d: Draft, ctx: Context, *, learn: bool) -> None:
    """% changes that need the row's arithmetic: damaged cells, lost signs, glyphs read as digits."""
    if d.fields is None:
        return
    changes = _change_tokens(d)
    # a single % change may be either: the arithmetic says which
    only = [n for n, c in changes.items() if c is not None and c.token is not None]
    facts_values = d.month_nums()
    recomputed_ranges = {
        "change_previous": _range(facts_values[-1], facts_values[-2]),
        "change_year_ago": _range(facts_values[-1], facts_values[0]),
    }
    if only == ["change_previous"] and d.fields.change_year_ago is None:
        change = changes["change_previous"]
        fit = {n: _candidates_matching(change, r) for n, r in recomputed_ranges.items() if r}
        if not fit.get("change_previous") and fit.get("change_year_ago"):
            d.fields.change_year_ago, d.fields.change_previous = change, None
            d.derived.pop("change_previous", None)
            plain = _plain_change(change)
            if plain is not None:
                d.derived["change_year_ago"] = plain
            changes = _change_tokens(d)
            d.notes.append("the one % change printed reproduces as the change from the same month last year")
    for name, change in changes.items():
        if change is None or change.token is None:
            continue
        rng = recomputed_ranges[name]
        current = d.derived.get(name)
        if current is not None and current[3] is None and current[0] is not None:
            if rng is None or _within(current[0], rng):
                continue
        if current is not None and current[0] is None and current[2] and current[2].strip().lower() in ("n/a", "na"):
            continue
        matching = _candidates_matching(change, rng) if rng else []
        values = sorted({m[0] for m in matching})
        if len(values) == 1:
            value = values[0]
            how = next(m for m in matching if m[0] == value)
            reason = (f"{how[1]}; the row's values give {_fmt_range(rng)}, "
                      f"so the printed {change.token.text!r} reads {value:g}%")
            repair = ValueRepair(kind=how[2], from_text=_printed(change), to_text=f"{value:g}%",
                                 reason=reason, evidence_strength="strong")
            d.derived[name] = (value, [repair], change.token.text, None)
            glyph = _change_parts(change)[0]
            parts = glyph.split()
            learnable = (len(parts) <= 2 and all(len(p) <= 2 for p in parts)
                         and not re.fullmatch(r"[\d\s]+", glyph))  # a digit alone may be part of the number
            if learn and glyph and learnable and glyph_direction(glyph) is None and how[2] == "garbled_sign" and value:
                ctx.learned_glyphs.setdefault(glyph, "down" if value < 0 else "up")
                ctx.glyph_evidence.setdefault(glyph, d.ref)
            continue
        # the arithmetic cannot settle it: a glyph this paper has shown to mean a direction may
        glyph = _change_parts(change)[0]
        learned = ctx.learned_glyphs.get(glyph)
        plain_num = [r for r in readings(strip_noise(change.token.text), Unit.percent) if r.clean]
        unsigned = not d.signed.get(name, True)
        if learned and plain_num and plain_num[0].value and unsigned and (learned == "down") != (plain_num[0].value < 0):
            v = abs(plain_num[0].value) * (-1 if learned == "down" else 1)
            repair = ValueRepair(kind="garbled_sign", from_text=_printed(change), to_text=f"{v:g}%",
                                 reason=f"glyph {glyph!r} points {learned} in this paper (the arithmetic of row "
                                        f"{ctx.glyph_evidence.get(glyph)} confirms it), so the number is {v:g}%",
                                 evidence_strength="strong")
            d.derived[name] = (v, [repair], change.token.text, None)
            d.notes.append(f"{_kind_label(name)} {_printed(change)!r} read as {v:g}% by its glyph; the row's values "
                           f"give {_fmt_range(rng)}" if rng else f"{_kind_label(name)} read by its glyph")
            continue
        if current is not None and current[0] is not None and current[3] is None:
            continue  # printed plainly; a difference from the values is for reconciliation to judge
        ambiguous = current is not None and current[0] is None and current[3] is not None
        held_value = plain_num[0].value if plain_num and not ambiguous else None
        d.derived[name] = (held_value, [], change.token.text, "held")
        why = (f"the row's values give {_fmt_range(rng)} and no reading of it agrees" if rng
               else "the row's values cannot check it")
        d.notes.append(f"held for review: {_kind_label(name)} printed {_printed(change)!r}: {why}")


def _kind_label(name: str) -> str:
    return {"change_previous": "% change from the previous month",
            "change_year_ago": "% change from the same month last year"}.get(name, name)


def _printed(change: Change) -> str:
    return " ".join([*(g.text for g in change.glyph), change.token.text]).strip()


def _range(new: Num | None, old: Num | None):
    if new is None or old is None:
        return None
    return change_range(new, old)


def _within(printed: float, rng) -> bool:
    return printed - 0.5 <= rng[1] + 1e-9 and printed + 0.5 >= rng[0] - 1e-9


def _fmt_range(rng) -> str:
    lo, hi = rng
    return f"{half_up((lo + hi) / 2, 1):g}%" if hi - lo < 0.2 else f"{lo:.1f}% to {hi:.1f}%"


def _candidates_matching(change: Change, rng) -> list[tuple[float, str, str]]:
    """Readings of a damaged % change that the row's arithmetic reproduces: (value, how, repair kind)."""
    if rng is None:
        return []
    text = strip_noise(change.token.text).rstrip(".")
    cands: list[tuple[float, str, str]] = []
    glued = split_glued(text) if parse_value(text).value is None else None
    if glued is not None:
        for r in readings(glued[1], Unit.percent):
            if r.value is not None:
                cands.append((r.value, f"{glued[0]!r} glued in front is a direction glyph", "direction_glyph"))
                if r.value > 0 and not glued[1].startswith(("-", "+")):
                    cands.append((-r.value, f"{glued[0]!r} glued in front is a direction glyph; the minus "
                                            "sign was lost", "garbled_sign"))
    explicit_sign = text.lstrip("“”\"'‘’").startswith(("-", "+"))
    for r in readings(text, Unit.percent):
        if r.value is None:
            continue
        how = r.reason or "read as printed"
        kind = r.kind or "direction_glyph"
        cands.append((r.value, how, kind))
        if r.value > 0 and not explicit_sign:
            cands.append((-r.value, f"{how}; the minus sign was lost", "garbled_sign"))
        if r.value < 0 and -10 < r.value and text.startswith("-") and not change.glyph:
            # the key prints '=' (similar) for changes under 10%: OCR reads '= 2%' as '-2%'
            cands.append((-r.value, "the '=' (similar) glyph in front was read as a minus sign", "direction_glyph"))
    m = re.fullmatch(r"(\d)(\d+(?:\.\d+)?)%", text)
    if m and not change.glyph:
        # an arrow OCR'd as a digit and glued on: 'A 56%' read '456%'
        for sign, how in ((1, ""), (-1, "; the minus sign was lost")):
            cands.append((sign * float(m.group(2)), f"the leading {m.group(1)!r} is a direction glyph read as a "
                                                    f"digit{how}", "direction_glyph"))
    if change.glyph:
        last = change.glyph[-1].text
        joined = f"{last}{text}"
        for r in readings(joined, Unit.percent):
            if r.value is not None and r.kind is not None:
                cands.append((r.value, f"{last!r} before the number is a digit, not a glyph ({r.text})", "letter_digit"))
    return [c for c in cands if _within(c[0], rng)]


# --------------------------------------------------------------------------- values

def _repair_values_by_row(d: Draft, ctx: Context) -> None:
    """A damaged value that exactly one reading makes the row's arithmetic hold for, at two or more
    identities, is repaired; otherwise it keeps its printed reading and is held for review."""
    if d.fields is None or d.fields.lost:
        return
    for i, v in enumerate(d.values):
        if v.value is not None and not v.needs_review:
            continue
        text = strip_noise(v.text)
        if v.value is None and is_placeholder(text):
            continue
        facts = _tentative(d, i)
        pos = d.positions[i]
        involved = facts.identities_of(pos)
        if not involved:
            continue
        cands = {}
        for r in readings(text, d.unit):
            if r.value is not None:
                cands.setdefault(r.value, r)
        for s in v.suggestions:
            for r in readings(s.to_text, d.unit):
                if r.value is not None:
                    cands.setdefault(r.value, r)
        confirmed = []
        for value, r in cands.items():
            num = Num(value, r.decimals or 0, exact=d.exact and not r.decimals)
            checks = _checks_sign_tolerant(d, facts.with_value(pos, num))
            held = [k for k in involved if checks.get(k) is True]
            failed = [k for k in involved if checks.get(k) is False]
            # a look-alike with one reading ('l' is 1) needs one identity; a guess among several, two
            needed = 1 if len(cands) == 1 and r.kind == "letter_digit" else 2
            if len(held) >= needed and not failed:
                confirmed.append((value, r, held))
        if len(confirmed) == 1:
            value, r, held = confirmed[0]
            _apply_value(d, i, value, r.decimals or 0, r.text, r.kind or "letter_digit",
                         f"{r.reason or 'read as printed'}; with {value:g} the row's "
                         + ", ".join(_identity_label(h) for h in held) + " reproduce")


def _tentative(d: Draft, skip: int) -> RowFacts:
    """The row's facts with every other unreadable cell given its plainest look-alike reading, so that
    two damaged cells in one row ('l', 'l') do not keep each other from being checked."""
    facts = _facts(d)
    for j, v in enumerate(d.values):
        if j == skip or v.value is not None:
            continue
        found = readings(strip_noise(v.text), d.unit, limit=1)
        if found and found[0].value is not None:
            facts = facts.with_value(d.positions[j], Num(found[0].value, found[0].decimals or 0,
                                                         exact=d.exact and not found[0].decimals))
    return facts


def _checks_sign_tolerant(d: Draft, facts: RowFacts) -> dict[str, bool | None]:
    """The row's identities; a % change printed without a sign (its glyph may have eaten the minus)
    holds when either sign reproduces."""
    checks = facts.checks()
    for name in ("change_previous", "change_year_ago"):
        if checks.get(name) is False and not d.signed.get(name, True):
            flipped = RowFacts(facts.values, -(facts.change_previous or 0), -(facts.change_year_ago or 0))
            if flipped.checks().get(name):
                checks[name] = True
    return checks


def _identity_label(name: str) -> str:
    return {"change_previous": "% change from the previous month",
            "change_year_ago": "% change from the same month last year",
            "average_12m": "12-month average", "max_12m": "12-month max"}.get(name, name)


def _apply_value(d: Draft, i: int, value: float, decimals: int, to_text: str, kind: str, reason: str) -> None:
    old = d.values[i]
    d.values[i] = old.model_copy(update={"value": value, "decimals": decimals, "missing_reason": None,
                                         "needs_review": False, "review_reason": None, "repairs": [
                                             *old.repairs, Repair(kind=_repair_kind(kind), from_text=strip_noise(old.text),
                                                                  to_text=to_text, reason=reason,
                                                                  evidence_strength="strong")]})
    d.review.pop(i, None)


def _repair_kind(kind: str):
    from extractors.values import RepairKind
    try:
        return RepairKind(kind)
    except ValueError:
        return RepairKind.letter_digit


def _flag_failed_identities(d: Draft) -> None:
    """When the row's printed average or max does not reproduce, a value is wrong somewhere: say so on the
    values that stand out (fewer digits than the row), or on the whole window when none does."""
    if d.fields is None or d.fields.lost:
        return
    checks = _checks_sign_tolerant(d, _facts(d))
    if checks.get("change_year_ago") is False and 0 in d.positions and d.derived.get("change_year_ago", (0, 0, 0, "x"))[3] is None:
        d.review.setdefault(d.positions.index(0), "the printed % change from the same month last year does not "
                                                  "reproduce with this value")
    failed = [k for k in ("average_12m", "max_12m") if checks.get(k) is False]
    if not failed:
        return
    window = [i for i, p in enumerate(d.positions) if p >= MONTHS - 12]
    digits = [len(re.sub(r"\D", "", strip_noise(d.values[i].text).split(".")[0])) for i in window]
    typical = sorted(digits)[len(digits) // 2] if digits else 0
    short = [i for i, n in zip(window, digits) if n < typical]
    suspects = short or window
    why = ("the printed " + " and ".join(_identity_label(f) for f in failed)
           + " do not reproduce from the values: " + ("this cell may be truncated" if short
                                                     else "one of them is misread"))
    for i in suspects:
        d.review.setdefault(i, why)
    d.notes.append(why.replace("this cell may be truncated", "the shortest cells may be truncated"))


# --------------------------------------------------------------------------- the MeasureRow

def _prov(document_id: str, page: int, toks: list[Tok], method: str) -> Provenance:
    toks = [t for t in toks if t is not None]
    lines = [t.line for t in toks if t.line is not None]
    from schemas import BBox
    return Provenance(document_id=document_id, page=toks[0].page if toks else page,
                      lines=LineSpan(start=min(lines), end=max(lines)) if lines else None,
                      bbox=BBox.union([t.bbox for t in toks if t.bbox is not None]),
                      raw_text=" ".join(t.text for t in toks), method=method)


def _measure_row(document_id: str, d: Draft, ctx: Context) -> MeasureRow:
    raw = d.raw
    method = raw.method
    page = raw.page
    label_prov = Provenance(document_id=document_id, page=page,
                            lines=LineSpan(start=raw.label_lines[0], end=raw.label_lines[1])
                            if raw.label_lines and raw.label_lines[0] else None,
                            bbox=getattr(raw, "label_bbox", None), raw_text=d.label, method=method)
    values: list[PeriodValue] = []
    f = d.fields
    if f is not None:
        for i, (tok, pv) in enumerate(zip(f.values, d.values)):
            month = ctx.months[d.positions[i]]
            period = parse_period(month)
            review = d.review.get(i) or (pv.review_reason if pv.needs_review else None)
            if d.placement_reason and i in d.unplaced:
                review = review or d.placement_reason
            values.append(PeriodValue(
                period_label=month,
                period_start=period.start if period else None,
                period_end=period.end if period else None,
                value=pv.value,
                value_text=tok.text,
                missing_reason=pv.missing_reason if pv.value is None else None,
                repairs=_repairs(pv),
                needs_review=review is not None,
                review_reason=review,
                provenance=_prov(document_id, page, [tok], method),
            ))
    derived = _derived(document_id, d, ctx)
    benchmarks, bench_text, bench_prov = _benchmarks(document_id, d, ctx)
    targets = _targets(document_id, d, ctx)
    current = _current_target(targets, ctx)
    notes = list(dict.fromkeys(d.notes))
    if f is not None and f.lost:
        lost = sorted(set(range(MONTHS)) - set(d.positions))
        notes.append("the OCR lost the cell(s) for " + ", ".join(ctx.months[p] for p in lost))
    commentary = raw.commentary
    polarity = parse_polarity(raw.polarity_text) if raw.polarity_text else None
    if raw.polarity_text and polarity is None:
        notes.append(f"printed {raw.polarity_text!r} beside the measure; not read as a polarity (ambiguous)")
    notes = list(dict.fromkeys([*notes, *d.notes]))
    return MeasureRow(
        document_id=document_id,
        row_ref=d.ref,
        row_label=d.label,
        unit=d.unit,
        printed_polarity=polarity,
        data_period=None,
        values=values,
        target=current.value if current else None,
        target_text=current.value_text if current else None,
        target_provenance=current.provenance if current else None,
        benchmarks=benchmarks,
        benchmark_text=bench_text,
        benchmark_provenance=bench_prov,
        targets=targets,
        derived=derived,
        commentary=commentary,
        commentary_provenance=Provenance(document_id=document_id, page=page,
                                         lines=LineSpan(start=raw.commentary_lines[0], end=raw.commentary_lines[1]),
                                         raw_text=commentary, method=method)
        if commentary and raw.commentary_lines else (getattr(raw, "commentary_prov", None) if commentary else None),
        notes=notes,
        label_provenance=label_prov,
    )


def _derived(document_id: str, d: Draft, ctx: Context) -> list[DerivedFigure]:
    f = d.fields
    if f is None:
        return []
    out = []
    labels = {"change_previous": ("% change from previous month", DerivedKind.change_previous),
              "change_year_ago": ("% change from same month prev. yr", DerivedKind.change_year_ago),
              "average_12m": ("12 month average", DerivedKind.average_12m),
              "max_12m": ("12-mnth max value", DerivedKind.max_12m)}
    toks = {"change_previous": f.change_previous, "change_year_ago": f.change_year_ago,
            "average_12m": f.average, "max_12m": f.maximum}
    for name, (label, kind) in labels.items():
        tok = toks[name]
        if tok is None:
            continue
        if isinstance(tok, Change):
            if tok.token is None:
                continue
            printed_toks = [*tok.glyph, tok.token]
            glyph = _change_parts(tok)[0]
            glued = glyph[len(tok.glyph_text):].strip() if glyph.startswith(tok.glyph_text) else glyph
            direction = next((g for g in (glyph_direction(x) for x in (tok.glyph_text, glyph, glued) if x) if g), None)
            direction = direction.value if direction else ctx.learned_glyphs.get(glyph)
        else:
            printed_toks, direction = [tok], None
        value, repairs, text, held = d.derived.get(name, (None, [], printed_toks[-1].text, "unread"))
        if isinstance(tok, Change) and direction in ("up", "down") and glyph_direction(tok.glyph_text or glyph) is None \
                and glyph_direction(glyph) is None:
            if value is None or (direction == "down") != (value < 0) or value == 0:
                direction = None  # a learned reading of the glyph that this value does not bear out
        if held == "unread":
            pv = repair_value(strip_noise(printed_toks[-1].text), d.unit)
            value = pv.value if not pv.needs_review else None
            d.notes.append(f"{label} printed {printed_toks[-1].text!r} not read")
        if held and held not in ("held", "unread"):
            d.notes.append(f"{label} printed {printed_toks[-1].text!r}: {held}")
        out.append(DerivedFigure(kind=kind, label=label, value=value, value_text=" ".join(t.text for t in printed_toks),
                                 direction=direction, repairs=repairs,
                                 provenance=_prov(document_id, d.raw.page, printed_toks, d.raw.method)))
    return out


def _benchmarks(document_id: str, d: Draft, ctx: Context):
    f = d.fields
    if f is None or not f.benchmarks:
        return [], None, None
    out = []
    for (comparator, label), tok in zip(BENCHMARK_COLUMNS, f.benchmarks):
        text = strip_noise(tok.text)
        if is_local(text) or is_placeholder(text):
            value = None
        else:
            pv = repair_value(text, d.unit)
            value = pv.value if not pv.needs_review else None
            if pv.needs_review:
                d.notes.append(f"{label} benchmark printed {tok.text!r} held: {pv.review_reason}")
        out.append(Benchmark(comparator=comparator, label=label, value=value, value_text=tok.text,
                             period_label=ctx.benchmark_period))
    text = " | ".join(t.text for t in f.benchmarks)
    return out, text, _prov(document_id, d.raw.page, list(f.benchmarks), d.raw.method)


def _targets(document_id: str, d: Draft, ctx: Context) -> list[PeriodTarget]:
    f = d.fields
    if f is None:
        return []
    out = []
    cells = getattr(d.raw, "target_cells", None)
    for period, tok in (cells if cells is not None else zip(ctx.target_periods, f.targets)):
        text = strip_noise(tok.text)
        pv = repair_value(text, d.unit)
        out.append(PeriodTarget(period_label=period, value=pv.value if not pv.needs_review else None,
                                value_text=tok.text, provenance=_prov(document_id, d.raw.page, [tok], d.raw.method)))
    return out


def _current_target(targets: list[PeriodTarget], ctx: Context) -> PeriodTarget | None:
    """The target for the financial year of the reporting month (Jun-18 -> 18-19)."""
    last = parse_period(ctx.months[-1])
    if last is None:
        return None
    fy = last.start.year if last.start.month >= 4 else last.start.year - 1
    key = f"{fy % 100:02d}-{(fy + 1) % 100:02d}"
    return next((t for t in targets if t.period_label == key and t.value is not None), None)


def _unique_refs(rows: list[MeasureRow]) -> list[MeasureRow]:
    seen: dict[str, int] = {}
    out = []
    for i, r in enumerate(rows, start=1):
        if r.row_ref in seen:
            r = r.model_copy(update={"row_ref": f"{r.row_ref}#{i}", "notes": [*r.notes, f"code {r.row_ref} printed twice"]})
        seen[r.row_ref] = i
        out.append(r)
    return out
