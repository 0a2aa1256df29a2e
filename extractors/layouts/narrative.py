"""Narrative committee report (seed 004): a summary sentence counting indicators by rating, then the
indicators listed under Red / Amber / Green headings, each followed by a paragraph or two of commentary.

Reads PDFs (word boxes) and OCR text alike, from the pages' words (:mod:`.narrative_blocks`). What it
understands, in general terms rather than for one paper:

* **RAG headings**: a short paragraph naming exactly one colour and otherwise only heading words
  ('Red', '## **Amber**', 'Green indicators (6)', 'Indicators rated Red:'); numbered ('3. Red') too.
  A section ends at the next RAG heading or at a heading that is not followed by more list items.
* **Items** in any list style (trap T6): '• 1. text', '- 1. text**', '**2. text**', '1. **text**',
  '2) text', '(a) text', or bullets alone; in a section with no markers at all, bold label lines
  (text papers). The RAG comes from the heading the item sits under (or an item's own 'RAG: Amber'
  line). ``row_ref`` is the section's colour and the printed number: 'red-1', 'amber-4'.
* **Label and commentary**: the label is the item paragraph (its bold span, or first sentence, when
  commentary runs on in the same paragraph), closing full stop dropped; the commentary is every
  paragraph up to the next item or heading.
* **Values**: only what the paper states as the indicator's own value: keyed figures ('Current: 12%',
  'Q1 2017/18: 45%', 'Target: 15%', 'England: 22%') or a sentence whose subject is the indicator's
  performance ('Performance remains 100%'). Other figures in the prose ('97.4% of visits took place
  within 15 working days') stay in the commentary for the claim checks.
* **Paper facts**: summary counts ('three red indicators, four amber indicators and six green
  indicators', 'Red: 3', '13 indicators'), the reporting period ('In 17/18 Q1 ...'), a stated RAG rule.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.layouts import LayoutResult
from extractors.layouts.narrative_blocks import Para, item_marker, paragraphs
from extractors.layouts.narrative_grammar import (
    COHORT_COUNT,
    ITEM_RATING,
    StatedValue,
    rag_heading,
    sentences,
    stated_values,
    summary_counts,
    total_count,
)
from extractors.values import (
    classify_comparator,
    detect_unit,
    find_periods,
    parse_period,
    parse_rag_rule,
    parse_target,
    parse_value,
)
from schemas import (
    BBox,
    Benchmark,
    ExtractedTable,
    LineSpan,
    MeasureRow,
    Page,
    PaperFacts,
    PeriodValue,
    Provenance,
    Rag,
    SourceDocument,
    SummaryCount,
    Unit,
)

LAYOUT = "narrative"
_MEASURE_START = re.compile(r"^(?:%|number\b|no\.|rate\b|percentage\b|proportion\b|average\b|total\b)", re.I)
_PREFERRED_KINDS = ("quarter", "month", "rolling", "financial_year", "academic_year", "snapshot")


@dataclass
class _Item:
    para: Para
    section: str
    rag: Rag
    heading: Para
    number: str | None  # as printed: '1', 'a', 'iv'; None for bullets and bold labels
    label_start: int
    label_end: int
    rest_start: int | None  # commentary that runs on in the item's own paragraph
    commentary: list[Para] = field(default_factory=list)
    rating: Para | None = None  # an item's own 'RAG: Amber' line


@dataclass
class _Section:
    heading: Para
    rag: Rag
    name: str
    paras: list[Para] = field(default_factory=list)


def parse(document: SourceDocument, tables: list[ExtractedTable], pages: list[Page]) -> LayoutResult:
    """Rows for the indicators a narrative report lists under RAG headings; empty when it lists none."""
    paras = paragraphs(pages)
    if not paras:
        return LayoutResult()
    sections, outside = _sections(paras)
    items: list[_Item] = []
    for section in sections:
        items.extend(_items(section))
    facts, fact_notes = _facts(document, outside)
    notes = list(fact_notes)
    if not items:
        if facts and facts.summary_counts:
            stated = ", ".join(f"{c.count} {c.subject}" for c in facts.summary_counts)
            notes.append(f"narrative report: summary counts found ({stated}) but no list of indicators "
                         "under Red / Amber / Green headings")
        if sections:
            names = ", ".join(dict.fromkeys(s.name for s in sections))
            notes.append(f"narrative report: RAG headings found ({names}) but no indicators listed under them")
        return LayoutResult(rows=[], facts=facts if facts and facts.summary_counts else None, notes=notes)
    period = _reporting_period(facts)
    rows = [_row(document, item, period) for item in items]
    rows = _unique_refs(rows)
    if facts is None:
        facts = PaperFacts(document_id=document.id)
    if not facts.summary_counts:
        notes.append(f"narrative report: {len(rows)} indicator(s) listed under RAG headings, but no summary "
                     "count of indicators by rating was found")
    return LayoutResult(rows=rows, facts=facts, notes=notes)


# --------------------------------------------------------------------------- structure


def _kind(para: Para) -> str:
    """'rag' (a RAG heading), 'item' (a list marker), 'rating', 'heading', 'major' (a heading that closes
    any section) or 'body'."""
    text = para.text
    marker = item_marker(text)
    if marker and text[marker.end():].strip():
        if rag_heading(text[marker.end():]) is not None:
            return "rag"
        if _numbered_heading(para, text[marker.end():]):
            return "major"  # '3. PERFORMANCE OVERVIEW', '## 4. Financial implications'
        return "item"
    words = text.split()
    if rag_heading(text) is not None and len(words) <= 8 and (para.line_count == 1 or para.heading_mark):
        return "rag"
    if ITEM_RATING.match(text):
        return "rating"
    if _is_heading(para):
        return "major" if _is_major(para) else "heading"
    return "body"


def _numbered_heading(para: Para, rest: str) -> bool:
    """A numbered report heading rather than a list item: in capitals, a Markdown heading, or (PDF) in a
    larger font."""
    letters = re.sub(r"[^A-Za-z]", "", rest)
    if len(letters) >= 6 and letters.isupper() and len(rest.split()) >= 2:
        return True
    if para.source == "text":
        return para.raw.lstrip().startswith("#")
    return para.heading_mark and len(rest.split()) <= 10 and not rest.rstrip().endswith(".")


def _is_heading(para: Para) -> bool:
    words = para.text.split()
    if not words or len(words) > 15 or para.line_count > 2:
        return False
    if para.heading_mark:
        return True
    if para.line_count != 1 or para.text.rstrip().endswith((".", ",", ";")):
        return False
    significant = [w for w in words if len(w) >= 4 and w[0].isalpha()]
    capitals = [w for w in significant if w[0].isupper()]
    return len(significant) >= 2 and len(capitals) >= 0.7 * len(significant)


def _is_major(para: Para) -> bool:
    letters = re.sub(r"[^A-Za-z]", "", para.text)
    if len(letters) >= 2 and letters.isupper():
        return True
    if para.source == "text":
        return para.raw.lstrip().startswith("#")
    return para.heading_mark  # a larger font


def _sections(paras: list[Para]) -> tuple[list[_Section], list[Para]]:
    """Paragraphs under each RAG heading, and the paragraphs outside every section.

    A section runs to the next RAG heading or major heading. A minor heading inside it is a sub-heading
    when list items follow it; in a section whose items carry no markers, a label-like minor heading is
    itself an item (a bold label line). Any other minor heading ends the section."""
    kinds = [_kind(p) for p in paras]
    sections: list[_Section] = []
    outside: list[Para] = []
    current: _Section | None = None
    numbered = False
    for i, (para, kind) in enumerate(zip(paras, kinds)):
        if kind == "rag":
            marker = item_marker(para.text)
            name = para.text[marker.end():] if marker else para.text
            current = _Section(para, rag_heading(name), name.strip().rstrip(":").strip())
            sections.append(current)
            numbered = _numbered_ahead(paras, kinds, i + 1)
            if not _list_starts_soon(paras, kinds, i + 1):
                current = None  # a RAG key or legend ('Red', 'Amber', 'Green' ... then the report): no list
            continue
        if current is not None and kind == "major":
            current = None
        elif current is not None and kind == "heading":
            keep = _label_like(para) if not numbered else _items_follow(kinds, i)
            if not keep:
                current = None
        if current is None:
            outside.append(para)
        else:
            current.paras.append(para)
    return sections, outside


def _list_starts_soon(paras: list[Para], kinds: list[str], start: int, within: int = 3) -> bool:
    """A list follows a RAG heading within a few paragraphs (an introduction at most), not pages later."""
    for n, (para, kind) in enumerate(zip(paras[start:], kinds[start:])):
        if kind in ("item", "heading") or (kind == "body" and _bold_lead(para)):
            return kind != "heading" or _label_like(para)
        if kind in ("rag", "major") or n >= within:
            return False
    return False


def _numbered_ahead(paras: list[Para], kinds: list[str], start: int) -> bool:
    """Whether the section starting at ``start`` numbers its items ('1.', '(a)')."""
    for para, kind in zip(paras[start:], kinds[start:]):
        if kind in ("rag", "major"):
            return False
        if kind == "item" and _number(para) is not None:
            return True
    return False


def _items_follow(kinds: list[str], i: int) -> bool:
    """List items follow a minor heading before the next heading."""
    for kind in kinds[i + 1:]:
        if kind == "item":
            return True
        if kind in ("rag", "major", "heading"):
            return False
    return False


def _label_like(para: Para) -> bool:
    text = para.text.strip()
    return bool(_MEASURE_START.match(text)) or len(text.split()) >= 4


def _items(section: _Section) -> list[_Item]:
    paras = section.paras
    kinds = [_kind(p) for p in paras]
    numbered = any(k == "item" and _number(p) is not None for p, k in zip(paras, kinds))
    items: list[_Item] = []
    for para, kind in zip(paras, kinds):
        marker = item_marker(para.text) if kind == "item" else None
        number = (marker["num"] or marker["pnum"]) if marker else None
        is_item = kind == "item" and (number is not None or not numbered)
        if not is_item and not numbered and kind == "heading" and _label_like(para):
            is_item = True  # a section of bold label lines without markers (text papers)
        if not is_item and not numbered and kind == "body" and _bold_lead(para):
            is_item = True  # '**Label** commentary ...
        if is_item:
            start = marker.end() if marker else 0
            label_end, rest = _label_span(para, start)
            items.append(_Item(para, section.name, section.rag, section.heading, number, start, label_end, rest))
        elif items and kind == "rating" and items[-1].rating is None:
            items[-1].rating = para
        elif items and kind in ("body", "item", "rating"):
            items[-1].commentary.append(para)
    return items


def _bold_lead(para: Para) -> bool:
    """A paragraph that opens with a bold, label-like span and goes on in plain text."""
    tokens = para.tokens
    if not tokens or not tokens[0].bold or all(t.bold for t in tokens):
        return False
    n = next(i for i, t in enumerate(tokens) if not t.bold)
    lead = " ".join(t.text for t in tokens[:n])
    return bool(_MEASURE_START.match(lead)) or len(lead.split()) >= 4


def _number(para: Para) -> str | None:
    marker = item_marker(para.text)
    return (marker["num"] or marker["pnum"]) if marker else None


def _label_span(para: Para, start: int) -> tuple[int, int | None]:
    """End of the label in an item paragraph, and where run-on commentary starts (None if it does not)."""
    text = para.text
    tokens = [t for t in para.tokens if t.start >= start]
    # A bold label followed by plain commentary ('1. **Label.** Commentary ...').
    if tokens and tokens[0].bold and not all(t.bold for t in tokens):
        last_bold = max(i for i, t in enumerate(tokens) if t.bold and all(u.bold for u in tokens[:i + 1]))
        end = tokens[last_bold].end
        return end, _next_token_start(tokens, last_bold)
    cuts: list[int] = []
    # A value keyed after the name ('% of X - Current: 12%'): the label stops before the key.
    cuts.extend(start + v.key_start for v in stated_values(text[start:]) if v.key_start)
    # A short printed line followed by a line that starts afresh ('... protection plan' / 'Performance was').
    for offset, fits in para.line_breaks():
        before = text[start:offset].rstrip()
        if offset > start and fits and before and _ends_complete(before) and _starts_afresh(text[offset:]):
            cuts.append(offset)
            break
    # Commentary running on after the first sentence.
    spans = [(s + start, e + start) for s, e in sentences(text[start:])]
    if len(spans) > 1 and len(text[spans[1][0]:].split()) >= 3:
        cuts.append(spans[1][0])
    cuts = [c for c in cuts if c > start and text[start:c].strip()]
    if not cuts:
        return len(text), None
    cut = min(cuts)
    return start + len(text[start:cut].rstrip()), cut


_OPEN_ENDINGS = {"to", "of", "the", "and", "or", "in", "for", "with", "a", "an", "who", "which", "that", "from",
                 "by", "on", "at", "as", "than", "within", "per", "their", "is", "are", "were", "whose", "into"}


def _ends_complete(text: str) -> bool:
    last = text.split()[-1]
    return not (last.lower() in _OPEN_ENDINGS or last.endswith((",", "(", "-", "–", "/", "&")))


def _starts_afresh(text: str) -> bool:
    first = text.lstrip()[:1]
    return bool(first) and (first.isupper() or first.isdigit() or first in "“\"'‘£")


def _next_token_start(tokens, i: int) -> int | None:
    return tokens[i + 1].start if i + 1 < len(tokens) else None


def _clean_label(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"[\s.;:,\-–—|(]+$", "", text)
    return text


# --------------------------------------------------------------------------- rows


def _method(para: Para) -> str:
    return f"narrative-{para.source}"


def _row(document: SourceDocument, item: _Item, period) -> MeasureRow:
    doc = document.id
    para = item.para
    label_raw = para.text[item.label_start:item.label_end]
    label = _clean_label(label_raw)
    label_end = item.label_start + len(label_raw.rstrip()) if label_raw.strip() else item.label_end
    label_prov = para.provenance(doc, _method(para), item.label_start, label_end, raw_text=label)
    # Commentary: run-on text in the item's own paragraph, then the paragraphs under it.
    chunks: list[tuple[Para, int, int]] = []
    if item.rest_start is not None and item.rest_start < len(para.text):
        chunks.append((para, item.rest_start, len(para.text)))
    chunks.extend((p, 0, len(p.text)) for p in item.commentary)
    commentary = "\n".join(p.text[s:e].strip() for p, s, e in chunks if p.text[s:e].strip()) or None
    commentary_prov = _union_provenance(doc, chunks) if commentary else None
    # Values the item states as its own.
    stated: list[tuple[Para, int, StatedValue]] = []
    if item.rest_start is not None or item.label_end < len(para.text):
        offset = min(item.rest_start if item.rest_start is not None else len(para.text), item.label_end)
        stated.extend((para, offset, v) for v in stated_values(para.text[offset:], is_period=_is_period(document)))
    for p in item.commentary:
        stated.extend((p, 0, v) for v in stated_values(p.text, is_period=_is_period(document)))
    value_texts = [v.text for _, _, v in stated if v.key in ("current", "period")]
    unit = detect_unit(label, value_texts)
    if unit == Unit.other and not value_texts and COHORT_COUNT.match(label):
        unit = Unit.count
    values: dict[str, PeriodValue] = {}
    target = target_text = target_prov = None
    benchmarks: list[Benchmark] = []
    notes: list[str] = []
    for p, offset, v in stated:
        prov = p.provenance(doc, _method(p), offset + v.start, offset + v.end, raw_text=v.text)
        if v.key in ("current", "period"):
            found = _value_period(v, period, document)
            if found is None:
                notes.append(f"value {v.text} stated without a period the paper names")
                continue
            label_text, start, end = found
            parsed = parse_value(v.text, unit)
            values.setdefault(label_text, PeriodValue(
                period_label=label_text, period_start=start, period_end=end, value=parsed.value,
                value_text=v.text, missing_reason=parsed.missing_reason, needs_review=parsed.needs_review,
                review_reason=parsed.review_reason, provenance=prov))
        elif v.key == "target" and target_text is None:
            parsed_target = parse_target(v.text, unit)
            target, target_text, target_prov = parsed_target.target, v.text, prov
        elif v.key == "comparator":
            parsed = parse_value(v.text, unit)
            benchmarks.append(Benchmark(comparator=classify_comparator(v.label), label=v.label or "",
                                        value=parsed.value, value_text=v.text))
        elif v.key == "previous":
            notes.append(f"{v.label}: {v.text}")
    ordered = sorted(values.values(), key=lambda pv: (pv.period_end is None, pv.period_end or 0))
    rating = item.rating
    rag, rag_para = item.rag, item.heading
    if rating is not None:
        rag = Rag(ITEM_RATING.match(rating.text)["rag"].lower())
        rag_para = rating
    section_slug = item.rag.value
    ref = f"{section_slug}-{item.number}" if item.number else f"{section_slug}-#"
    return MeasureRow(
        document_id=doc,
        row_ref=ref,
        row_label=label,
        section=item.section,
        unit=unit,
        values=ordered,
        target=target,
        target_text=target_text,
        rag=rag,
        rag_text=rag_para.text,
        benchmarks=benchmarks,
        commentary=commentary,
        notes=notes,
        label_provenance=label_prov,
        target_provenance=target_prov,
        rag_provenance=rag_para.provenance(doc, _method(rag_para)),
        commentary_provenance=commentary_prov,
    )


def _is_period(document: SourceDocument):
    def check(key: str) -> bool:
        return parse_period(key, context=document.meeting_date) is not None
    return check


def _value_period(v: StatedValue, period, document: SourceDocument):
    """(label, start, end) of the period a stated value is for."""
    text = v.label if v.key == "period" else v.period_text
    if text:
        p = parse_period(text, context=document.meeting_date)
        if p is not None:
            return p.label, p.start, p.end
    if period is not None:
        return period
    return None


def _union_provenance(doc: str, chunks: list[tuple[Para, int, int]]) -> Provenance:
    """One provenance for commentary paragraphs: the first page's paragraphs, boxes or lines unioned."""
    first_page = chunks[0][0].page
    on_page = [(p, s, e) for p, s, e in chunks if p.page == first_page]
    provs = [p.provenance(doc, _method(p), s, e) for p, s, e in on_page]
    box = BBox.union([pr.bbox for pr in provs if pr.bbox])
    lines = [pr.lines for pr in provs if pr.lines]
    span = LineSpan(start=min(x.start for x in lines), end=max(x.end for x in lines)) if lines and not box else None
    raw = "\n".join(p.text[s:e].strip() for p, s, e in on_page)
    return Provenance(document_id=doc, page=first_page, bbox=box, lines=span, raw_text=raw,
                      method=_method(on_page[0][0]))


def _unique_refs(rows: list[MeasureRow]) -> list[MeasureRow]:
    """'red-#' (unnumbered) becomes 'red-1', 'red-2' ... by order; a repeated ref gets '.2', '.3'."""
    seen: dict[str, int] = {}
    ordinal: dict[str, int] = {}
    out = []
    for row in rows:
        ref = row.row_ref
        if ref.endswith("-#"):
            base = ref[:-2]
            ordinal[base] = ordinal.get(base, 0) + 1
            ref = f"{base}-{ordinal[base]}"
        seen[ref] = seen.get(ref, 0) + 1
        if seen[ref] > 1:
            ref = f"{ref}.{seen[ref]}"
        out.append(row.model_copy(update={"row_ref": ref}) if ref != row.row_ref else row)
    return out


# --------------------------------------------------------------------------- paper facts


def _facts(document: SourceDocument, outside: list[Para]) -> tuple[PaperFacts | None, list[str]]:
    """Summary counts, reporting period and RAG rule from the paragraphs outside the lists."""
    doc = document.id
    counts: list[SummaryCount] = []
    count_sentence: str | None = None
    total: SummaryCount | None = None
    notes: list[str] = []
    rule = None
    for para in outside:
        for s, e in sentences(para.text):
            sentence = para.text[s:e]
            found = summary_counts(sentence)
            if found and not counts:
                count_sentence = sentence
                counts = [SummaryCount(subject=c.subject, count=c.count, text=sentence.strip(),
                                       provenance=para.provenance(doc, _method(para), s + c.start, s + c.end))
                          for c in found]
            elif found and any(c.subject != "indicators" for c in found):
                first = {c.subject: c.count for c in counts}
                if any(first.get(c.subject, c.count) != c.count for c in found):
                    notes.append(f"narrative report: another sentence states different counts: {sentence.strip()!r}")
            if total is None and not found:
                t = total_count(sentence)
                if t is not None:
                    total = SummaryCount(subject="indicators", count=t.count, text=sentence.strip(),
                                         provenance=para.provenance(doc, _method(para), s + t.start, s + t.end))
        colours = len(re.findall(r"\b(?:red|amber|green)\b", para.text, re.I))
        if rule is None and colours >= 2 and re.search(r"\d", para.text):
            rule = parse_rag_rule(para.text)
    if total is not None and not any(c.subject == "indicators" for c in counts):
        counts.append(total)
    period = _find_reporting_period(document, outside, count_sentence)
    if not counts and period is None and rule is None:
        return None, notes
    return PaperFacts(
        document_id=doc,
        reporting_period=period.label if period else None,
        reporting_period_start=period.start if period else None,
        reporting_period_end=period.end if period else None,
        summary_counts=counts,
        rag_rule=rule,
    ), notes


def _find_reporting_period(document: SourceDocument, outside: list[Para], count_sentence: str | None):
    """The period the summary sentence names ('In 17/18 Q1 there are ...'), else the most specific period
    the opening paragraphs name ('covering the quarter to June 2017')."""
    context = document.meeting_date
    if count_sentence:
        found = find_periods(count_sentence, context=context)
        if found:
            return found[0][1]
    candidates = []
    for para in outside[:12]:
        candidates.extend(p for _, p in find_periods(para.text, context=context))
    for kind in _PREFERRED_KINDS:
        for p in candidates:
            if p.kind.value == kind:
                return p
    return None


def _reporting_period(facts: PaperFacts | None):
    if facts is None or facts.reporting_period is None:
        return None
    return facts.reporting_period, facts.reporting_period_start, facts.reporting_period_end


__all__ = ["LAYOUT", "parse"]
