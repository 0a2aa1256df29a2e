"""The narrative report parser (layout 'narrative', seed 004), on the fixture PDF, on the seed's text, and on
variants in other councils' wording and list styles (written here, in text and as PDFs)."""
from __future__ import annotations

import doctest
from datetime import date
from pathlib import Path

import pytest

from extractors.evaluate import load_truth
from extractors.extract import extract_paper
from extractors.ingest import ingest_file, read_text_pages
from extractors.layouts import narrative, narrative_grammar
from schemas import MediaType, SourceDocument

from conftest import PAPERS, SEEDS, TRUTH

STEM = "004-wokingham-osc-performance-2017-09-12"
SEED = SEEDS / "004_7137507887bb8ce9.txt"


def text_paper(text: str | bytes, name: str = "paper.txt", meeting_date: date | None = None):
    data = text.encode("utf-8") if isinstance(text, str) else text
    document = SourceDocument(id="t" * 64, source=name, file_name=name, media_type=MediaType.text,
                              meeting_date=meeting_date)
    return document, read_text_pages(data, document.id)


def score_against_truth(rows, facts, truth) -> tuple[int, int, list[str]]:
    """Every listed item (ref, label, rag, section, unit, values) and each summary count, one check each."""
    checked = right = 0
    misses: list[str] = []

    def check(where, want, got):
        nonlocal checked, right
        checked += 1
        if want == got:
            right += 1
        else:
            misses.append(f"{where}: expected {want!r}, got {got!r}")

    by_ref = {r.row_ref: r for r in rows}
    wanted = set()
    for item in truth["rows"]:
        ref = f"{item['section'].lower()}-{item['ref']}"
        wanted.add(ref)
        row = by_ref.get(ref)
        if row is None:
            checked += 5
            misses.append(f"{ref} ({item['label'][:40]}): not extracted")
            continue
        check(f"{ref} label", item["label"], row.row_label)
        check(f"{ref} rag", item["rag"], row.rag.value if row.rag else None)
        check(f"{ref} section", item["section"], row.section)
        check(f"{ref} unit", item["unit"], row.unit.value)
        check(f"{ref} polarity", item["polarity"], row.printed_polarity)
        got_values = [[v.period_label, v.value_text, v.value] for v in row.values]
        check(f"{ref} values", [list(v) for v in item["values"]], got_values)
    for ref in sorted(set(by_ref) - wanted):
        checked += 1
        misses.append(f"{ref}: extracted but not in the truth file")
    counts = {c.subject: c.count for c in (facts.summary_counts if facts else [])}
    for subject, count in truth["summary_counts"].items():
        check(f"summary count {subject}", count, counts.get(subject))
    check("reporting period", truth["reporting_period"], facts.reporting_period if facts else None)
    return right, checked, misses


def report(name, right, checked, misses):
    print(f"\n{name}: {right}/{checked} checks right ({right / checked:.1%})")
    for miss in misses:
        print("  MISS", miss)


# --------------------------------------------------------------------------- seed 004 PDF


@pytest.fixture(scope="module")
def pdf_extraction():
    path = PAPERS / f"{STEM}.pdf"
    paper = ingest_file(path)
    return paper, extract_paper(paper.document, paper.pages, path)


def test_pdf_matches_the_truth_file(pdf_extraction):
    _, result = pdf_extraction
    right, checked, misses = score_against_truth(result.rows, result.facts, load_truth(TRUTH / f"{STEM}.yaml"))
    report("004 narrative PDF", right, checked, misses)
    assert result.layout == "narrative"
    assert checked >= 13 * 6 + 4
    assert right == checked


def test_pdf_counts_every_list_style(pdf_extraction):
    """Trap T6: three list styles; the lists hold exactly what the summary sentence says."""
    _, result = pdf_extraction
    listed = {rag: sum(r.rag.value == rag for r in result.rows) for rag in ("red", "amber", "green")}
    assert listed == {"red": 3, "amber": 4, "green": 6}
    stated = {c.subject: c.count for c in result.facts.summary_counts}
    assert stated == listed
    assert [r.row_ref for r in result.rows] == [f"red-{i}" for i in (1, 2, 3)] + \
        [f"amber-{i}" for i in (1, 2, 3, 4)] + [f"green-{i}" for i in range(1, 7)]


def test_pdf_provenance_points_at_the_printed_words(pdf_extraction):
    paper, result = pdf_extraction
    pages = {p.number: p for p in paper.pages}

    def words_in(page_number, box):
        return [w.text for w in pages[page_number].words
                if w.bbox.x0 >= box.x0 - 0.5 and w.bbox.x1 <= box.x1 + 0.5
                and w.bbox.top >= box.top - 0.5 and w.bbox.bottom <= box.bottom + 0.5]

    for row in result.rows:
        prov = row.label_provenance
        assert prov.bbox is not None and prov.method == "narrative-pdf"
        inside = " ".join(words_in(prov.page, prov.bbox))
        # The label's first and last words are inside its box (the box spans its wrapped lines).
        assert row.row_label.split()[0] in inside and row.row_label.split()[-1] in inside, row.row_ref
        assert row.rag_provenance.raw_text.lower().startswith(row.rag.value)
        assert row.commentary and row.commentary_provenance.bbox is not None
    green6 = next(r for r in result.rows if r.row_ref == "green-6")
    value = green6.values[0]
    assert value.period_label == "17/18 Q1"
    assert (value.period_start, value.period_end) == (date(2017, 4, 1), date(2017, 6, 30))
    assert words_in(value.provenance.page, value.provenance.bbox) == ["100%."]
    counts = result.facts.summary_counts
    assert [c.provenance.raw_text for c in counts] == ["three red indicators", "four amber indicators",
                                                       "six green indicators"]
    assert all(c.provenance.bbox is not None and c.provenance.page == 1 for c in counts)


def test_commentary_figures_stay_in_the_commentary(pdf_extraction):
    """97.4% is a 15-working-day figure (D5): not the value of the 10-day measure; nor are 9, 4, 3, 2."""
    _, result = pdf_extraction
    rows = {r.row_ref: r for r in result.rows}
    assert rows["red-3"].values == [] and "97.4% of visits took place" in rows["red-3"].commentary
    assert rows["red-2"].values == [] and "All the 9 children" in rows["red-2"].commentary
    assert sum(len(r.values) for r in result.rows) == 1
    # Commentary keeps paragraph breaks and stops at the next item or heading.
    assert rows["red-1"].commentary.count("\n") == 1
    assert "FINANCIAL" not in rows["green-6"].commentary


def test_reporting_period_is_a_paper_fact(pdf_extraction):
    _, result = pdf_extraction
    facts = result.facts
    assert facts.reporting_period == "17/18 Q1"
    assert (facts.reporting_period_start, facts.reporting_period_end) == (date(2017, 4, 1), date(2017, 6, 30))
    assert facts.summary_counts[0].text.startswith("In 17/18 Q1 there are three red indicators")


# --------------------------------------------------------------------------- seed 004 as a text paper


@pytest.fixture(scope="module")
def text_extraction():
    document, pages = text_paper(SEED.read_bytes(), SEED.name)
    return document, pages, extract_paper(document, pages, SEED)


def test_text_paper_matches_the_truth_file(text_extraction):
    _, _, result = text_extraction
    right, checked, misses = score_against_truth(result.rows, result.facts, load_truth(TRUTH / f"{STEM}.yaml"))
    report("004 narrative text", right, checked, misses)
    assert result.layout == "narrative"
    assert right == checked


def test_text_paper_provenance_is_a_line_span(text_extraction):
    _, pages, result = text_extraction
    lines = pages[0].text.split("\n")
    for row in result.rows:
        span = row.label_provenance.lines
        assert row.label_provenance.bbox is None and span is not None
        printed = " ".join(lines[span.start - 1:span.end])
        assert row.row_label.split()[0] in printed and row.row_label.split()[-1] in printed
    first = {r.row_ref: r.label_provenance.lines.start for r in result.rows}
    assert lines[first["red-1"] - 1].startswith("- 1. ")  # style 1
    assert lines[first["red-2"] - 1].startswith("**2. ")  # style 2
    assert lines[first["green-1"] - 1].startswith("1. **")  # style 3
    counts = result.facts.summary_counts
    assert all(c.provenance.lines.start == c.provenance.lines.end for c in counts)
    assert lines[counts[0].provenance.lines.start - 1].startswith("In 17/18 Q1")


# --------------------------------------------------------------------------- other councils' wording


VARIANT_OCR = """\
PERFORMANCE REPORT: CHILDREN'S SOCIAL CARE

Summary
At the end of Quarter 2 2023/24, 2 indicators are rated Red, 1 Amber and 3 Green.

RED INDICATORS
1) Percentage of re-referrals within 12 months of a previous referral
Current: 24.5% Target: 20%
Re-referrals rose this quarter. 31 of the 127 referrals were repeats.

2) Number of children subject to a child protection plan
Performance was 412 against a target of 380.
The number has risen for three quarters.

AMBER INDICATORS
1) Rate of children looked after per 10,000 children
Rate is stable at 58.1 per 10,000; England 71.

GREEN INDICATORS
• % of care leavers in suitable accommodation
Performance remains high.
• % of single assessments completed within 45 working days
Q2 2023/24: 91%
• Average days between entering care and moving in with an adoptive family
No adoptions this quarter.

NEXT STEPS
The service will report again in January.
"""

VARIANT_MARKDOWN = """\
# Corporate performance: Children and Young People

In this period there are no red indicators, two amber indicators and two green indicators.

### Indicators rated Amber

**% of Education, Health and Care plans issued within 20 weeks**

Timeliness improved from 48% to 55% but remains below the national average of 59%.

**Number of children missing education**

Numbers are higher than last year.

### Indicators rated Green

**% of children who are persistently absent** Persistent absence fell to 12.1%.

**Number of permanent exclusions**

Two permanent exclusions were made in the term.

## Financial implications

None.
"""


def test_other_wording_and_styles_in_ocr_text():
    document, pages = text_paper(VARIANT_OCR, meeting_date=date(2023, 11, 20))
    result = narrative.parse(document, [], pages)
    rows = {r.row_ref: r for r in result.rows}
    print("\nvariant (OCR text):", [(r.row_ref, r.rag.value, r.row_label[:40], [v.value for v in r.values])
                                     for r in result.rows])
    assert list(rows) == ["red-1", "red-2", "amber-1", "green-1", "green-2", "green-3"]
    assert {c.subject: c.count for c in result.facts.summary_counts} == {"red": 2, "amber": 1, "green": 3}
    assert result.facts.reporting_period_end == date(2023, 9, 30)
    # 'Current: 12%' and 'Target:' are the item's own values; '31 of the 127' stays in the commentary.
    red1 = rows["red-1"]
    assert red1.row_label == "Percentage of re-referrals within 12 months of a previous referral"
    assert [(v.value, v.value_text) for v in red1.values] == [(24.5, "24.5%")]
    assert red1.values[0].period_end == date(2023, 9, 30)
    assert red1.target == 20.0 and red1.unit.value == "percent"
    assert "31 of the 127" in red1.commentary
    # 'Performance was 412 against a target of 380' states the value and the target.
    red2 = rows["red-2"]
    assert [v.value for v in red2.values] == [412.0] and red2.target == 380.0 and red2.unit.value == "count"
    # 'Rate is stable at 58.1' has no performance subject the grammar trusts: commentary only.
    assert rows["amber-1"].values == [] and rows["amber-1"].unit.value == "rate_per_10000"
    # Unnumbered bullets are the items of a section without numbers.
    assert rows["green-1"].row_label == "% of care leavers in suitable accommodation"
    assert rows["green-1"].values == []  # 'Performance remains high' has no figure
    assert [(v.period_label, v.value) for v in rows["green-2"].values] == [("Q2 2023/24", 91.0)]
    assert rows["green-3"].unit.value == "days"
    assert "The service will report again" not in (rows["green-3"].commentary or "")


def test_bold_label_lines_without_numbers():
    document, pages = text_paper(VARIANT_MARKDOWN)
    result = narrative.parse(document, [], pages)
    print("\nvariant (Markdown):", [(r.row_ref, r.rag.value, r.row_label) for r in result.rows])
    assert [(r.row_ref, r.rag.value, r.section) for r in result.rows] == [
        ("amber-1", "amber", "Indicators rated Amber"), ("amber-2", "amber", "Indicators rated Amber"),
        ("green-1", "green", "Indicators rated Green"), ("green-2", "green", "Indicators rated Green")]
    assert result.rows[2].row_label == "% of children who are persistently absent"
    assert result.rows[2].commentary == "Persistent absence fell to 12.1%."
    assert all(r.values == [] for r in result.rows)  # 48%, 55%, 59%, 12.1% are claims, not values
    assert {c.subject: c.count for c in result.facts.summary_counts} == {"red": 0, "amber": 2, "green": 2}
    assert "None." not in (result.rows[-1].commentary or "")


def test_a_missing_list_style_would_show_in_the_counts():
    """Trap T6 in reverse: drop the '- 1.' bullet style and the parser still reads it as an item; a paper
    whose first red item has no marker at all gets 2 reds, and the counts disagree for reconciliation."""
    seed = SEED.read_text(encoding="utf-8")
    assert "- 1. % Children in Care" in seed
    document, pages = text_paper(seed.replace("- 1. % Children in Care", "• 1. % Children in Care"))
    assert sum(r.rag.value == "red" for r in narrative.parse(document, [], pages).rows) == 3
    document, pages = text_paper(seed.replace("- 1. % Children in Care", "1) % Children in Care"))
    assert sum(r.rag.value == "red" for r in narrative.parse(document, [], pages).rows) == 3


def test_summary_counts_without_a_list_say_so():
    document, pages = text_paper("Children's services performance\n\nIn Q3 2022/23 there are four red "
                                 "indicators and nine green indicators. See the appendix for the detail.\n")
    result = narrative.parse(document, [], pages)
    assert result.rows == []
    assert {c.subject: c.count for c in result.facts.summary_counts} == {"red": 4, "green": 9}
    assert any("summary counts found" in n and "no list of indicators" in n for n in result.notes)
    # extract.py keeps the parser's reason alongside its own note.
    extraction = extract_paper(document, pages, Path("paper.txt"))
    assert extraction.rows == [] and any("summary counts found" in n for n in extraction.notes)
    assert extraction.notes[0].startswith("No indicator table recognised")


def test_headings_without_items_say_so():
    document, pages = text_paper("## Red\n\nNothing to report this quarter.\n\n## Green\n\nAll other measures.\n")
    result = narrative.parse(document, [], pages)
    assert result.rows == [] and any("RAG headings found" in n for n in result.notes)


def test_papers_in_other_layouts_are_left_alone():
    for name in ("000-bucks-cabinet-scorecard-q4-2017-18.pdf", "001-bucks-portfolio-q2-2018-19.pdf",
                 "002-bucks-dashboard-jan-2015.pdf"):
        paper = ingest_file(PAPERS / name)
        assert narrative.parse(paper.document, [], paper.pages).rows == [], name
    document, pages = text_paper((PAPERS / "003-southampton-dataset-jun-18.txt").read_bytes())
    result = narrative.parse(document, [], pages)
    assert result.rows == [] and result.facts is None


# --------------------------------------------------------------------------- a PDF in another style


def _variant_pdf(path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    body = ParagraphStyle("b", fontName="Helvetica", fontSize=10, leading=12.5, spaceAfter=8)
    head = ParagraphStyle("h", fontName="Helvetica-Bold", fontSize=12, leading=15, spaceBefore=6, spaceAfter=6)
    item = ParagraphStyle("i", parent=body, leftIndent=16, bulletIndent=2)
    story = [
        Paragraph("3. PERFORMANCE OVERVIEW", head),
        Paragraph("Of the 7 indicators reported for Quarter 3 2019/20, 3 are rated Red, 2 Amber and 2 Green.", body),
        Paragraph("Red indicators", head),
        Paragraph("% of social work assessments authorised within 45 working days. Performance fell to 71% "
                  "against a target of 85%, largely because of staff vacancies in the assessment teams over the "
                  "autumn months.", item, bulletText="(a)"),
        Paragraph("Stability of placements of looked after children: number of moves", item, bulletText="(b)"),
        Paragraph("Eleven children had three or more moves. Each move was reviewed by a manager.", body),
        Paragraph("% of initial health assessments completed within 20 working days", item, bulletText="(c)"),
        Paragraph("Health partners are recruiting two further nurses.", body),
        PageBreak(),
        Paragraph("Amber indicators", head),
        Paragraph("% of children with a second or subsequent child protection plan", item, bulletText="(a)"),
        Paragraph("Q3 2019/20: 21.4%", body),
        Paragraph("Rate of referrals per 10,000 children", item, bulletText="(b)"),
        Paragraph("Green indicators", head),
        Paragraph("% of care leavers in education, employment or training", item, bulletText="(a)"),
        Paragraph("Performance remains above the England average.", body),
        Paragraph("% of child protection visits on time", item, bulletText="(b)"),
        Paragraph("4. FINANCIAL IMPLICATIONS", head),
        Paragraph("There are no financial implications.", body),
    ]
    SimpleDocTemplate(str(path), pagesize=A4).build(story)


def test_a_pdf_in_another_style(tmp_path):
    path = tmp_path / "variant.pdf"
    _variant_pdf(path)
    paper = ingest_file(path)
    result = extract_paper(paper.document, paper.pages, path)
    rows = {r.row_ref: r for r in result.rows}
    print("\nvariant (PDF):", [(r.row_ref, r.row_label[:40], [v.value for v in r.values], r.target)
                              for r in result.rows])
    assert result.layout == "narrative"
    assert list(rows) == ["red-a", "red-b", "red-c", "amber-a", "amber-b", "green-a", "green-b"]
    assert {c.subject: c.count for c in result.facts.summary_counts} == \
        {"indicators": 7, "red": 3, "amber": 2, "green": 2}
    assert result.facts.reporting_period == "Quarter 3 2019/20"
    red_a = rows["red-a"]
    # The label is the first sentence; the rest of the paragraph is commentary.
    assert red_a.row_label == "% of social work assessments authorised within 45 working days"
    assert red_a.commentary.startswith("Performance fell to 71% against a target of 85%")
    assert [v.value for v in red_a.values] == [71.0] and red_a.target == 85.0
    assert red_a.label_provenance.page == 1 and red_a.label_provenance.bbox is not None
    assert rows["red-b"].row_label == "Stability of placements of looked after children: number of moves"
    assert rows["red-b"].values == []  # 'Eleven children had three or more moves' is not the value
    assert [(v.period_label, v.value) for v in rows["amber-a"].values] == [("Q3 2019/20", 21.4)]
    assert rows["amber-a"].label_provenance.page == 2
    assert rows["green-b"].commentary is None
    assert all(r.rag.value == r.row_ref.split("-")[0] for r in result.rows)


def test_grammar_doctests():
    assert doctest.testmod(narrative_grammar).failed == 0


# --------------------------------------------------------------------------- a scan of the 004 PDF


def _scan(source: Path, out: Path, dpi: int = 200) -> None:
    """An image-only copy of every page: grey, softened, a little skew and noisy, as a scanner makes it."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter

    pdf = pdfium.PdfDocument(str(source))
    rng = np.random.default_rng(4)
    images = []
    try:
        for i in range(len(pdf)):
            img = pdf[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            img = img.filter(ImageFilter.GaussianBlur(0.6)).rotate(0.5, resample=Image.BICUBIC, fillcolor=255)
            a = np.asarray(img, dtype=np.float32) * 0.94 + 8 + rng.normal(0, 6, img.size[::-1])
            images.append(Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L"))
    finally:
        pdf.close()
    images[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=images[1:])


@pytest.mark.ocr
def test_a_scan_of_the_narrative_paper(tmp_path):
    """OCR reads the '•' bullet as a symbol ('¢ 1.% Children ...') and line boxes vary with the letters on
    a line: the parser must still find all three reds (trap T6) and every label."""
    path = tmp_path / "scan.pdf"
    _scan(PAPERS / f"{STEM}.pdf", path)
    paper = ingest_file(path)
    assert all(p.ocr for p in paper.pages)
    result = extract_paper(paper.document, paper.pages, path)
    right, checked, misses = score_against_truth(result.rows, result.facts, load_truth(TRUTH / f"{STEM}.yaml"))
    report("004 narrative scan (OCR)", right, checked, misses)
    assert result.layout == "narrative"
    assert sum(r.rag.value == "red" for r in result.rows) == 3
    assert right / checked >= 0.95


def test_a_rag_key_is_not_a_list():
    """A legend ('Red', 'Amber', 'Green' with their meanings) followed much later by numbered report
    paragraphs must not turn those paragraphs into indicators."""
    paper = ("Key\n\nRed\n\nAmber\n\nGreen\n\nRatings compare the latest figure with the target.\n\n"
             "The tables in the appendix use this key.\n\nOfficers will update members in March.\n\n"
             "Members are asked to note the report.\n\n1. The committee agreed the work programme.\n\n"
             "2. The next meeting is in March.\n")
    document, pages = text_paper(paper)
    assert narrative.parse(document, [], pages).rows == []
