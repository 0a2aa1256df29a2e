"""Portfolio 'key areas' parser (seed 001's borderless report), checked cell by cell against its truth file."""
from __future__ import annotations

from datetime import date

import pytest

from extractors.evaluate import load_truth
from extractors.extract import extract_paper
from extractors.ingest import ingest_file
from extractors.layouts import portfolio
from extractors.layouts.portfolio import Line, commentary_period, read_header, section_ref, slug
from extractors.layouts.portfolio_score import expected_refs, score_portfolio
from extractors.tables import extract_tables
from schemas import BBox, SourceDocument, Unit, Word

from conftest import PAPERS, TRUTH

STEM = "001-bucks-portfolio-q2-2018-19"


@pytest.fixture(scope="module")
def paper():
    return ingest_file(PAPERS / f"{STEM}.pdf")


@pytest.fixture(scope="module")
def extraction(paper):
    return extract_paper(paper.document, paper.pages, PAPERS / f"{STEM}.pdf")


@pytest.fixture(scope="module")
def truth():
    return load_truth(TRUTH / f"{STEM}.yaml")


def _by_ref(rows):
    return {r.row_ref: r for r in rows}


def test_every_printed_cell_matches_the_truth_file(extraction, truth):
    score = score_portfolio(extraction.rows, truth, extraction.facts)
    print(f"\n001 portfolio: {score.right}/{score.checked} cells right ({score.accuracy:.1%})")
    for miss in score.misses:
        print("  MISS", miss)
    assert extraction.layout == "portfolio"
    assert score.checked >= 14 * 20
    assert score.accuracy >= 0.99


def test_rows_have_unique_stable_refs_across_restarting_numbering(extraction, truth):
    refs = [r.row_ref for r in extraction.rows]
    assert refs == expected_refs(truth)
    assert len(set(refs)) == len(refs) == 14
    # the two 'Key areas of good performance' sections (social care, then education) stay apart
    assert refs[0] == "key-areas-of-good-performance.1"
    assert refs[8] == "key-areas-of-good-performance-2.1"
    assert refs[-1] == "all-areas-of-lower-than-expected-2.2"


def test_value_note_gives_the_period_and_the_row_unit_gives_bare_benchmarks_a_percent(extraction):
    row = _by_ref(extraction.rows)["all-areas-of-lower-than-expected-2.1"]
    value = row.latest
    assert (value.value, value.value_text) == (0.04, "0.04%")
    assert value.note == "This result is for the academic year 2016/17 because the data runs one year behind."
    assert (value.period_start, value.period_end) == (date(2016, 9, 1), date(2017, 8, 31))
    assert row.notes == [value.note]
    assert row.unit == Unit.percent and row.target == 0.03
    assert [(b.comparator.value, b.value, b.value_text, b.period_label) for b in row.benchmarks] == [
        ("england", 0.03, "0.03", "2016/17"), ("region", 0.02, "0.02", "2016/17")]


def test_value_periods_reporting_point_commentary_and_benchmark_year(extraction):
    rows = _by_ref(extraction.rows)
    assert extraction.facts.reporting_period_end == date(2018, 9, 30)
    # no period of its own: the reporting point (position at the end of September 2018)
    assessments = rows["all-areas-of-lower-than-expected.1"].latest
    assert (assessments.period_start, assessments.period_end) == (date(2018, 9, 30), date(2018, 9, 30))
    # 'between 1 April 2018 and 30 September 2018, 13.7% ...' (trap T11: year to date)
    second_plan = rows["key-areas-of-good-performance.1"].latest
    assert (second_plan.period_start, second_plan.period_end) == (date(2018, 4, 1), date(2018, 9, 30))
    # 'In 2018, 79% ...'; KS2 says no year, its benchmarks are '(2018 figures)'
    for ref in ("key-areas-of-good-performance-2.1", "key-areas-of-good-performance-2.4"):
        value = rows[ref].latest
        assert (value.period_start, value.period_end) == (date(2018, 1, 1), date(2018, 12, 31)), ref
    assert {b.period_label for b in rows["key-areas-of-good-performance-2.4"].benchmarks} == {"2018"}


def test_rag_words_in_capitals_and_no_benchmark_sentence(extraction):
    rows = _by_ref(extraction.rows)
    assert [r.rag_text for r in extraction.rows].count("RED") == 8
    amber = rows["all-areas-of-lower-than-expected.7"]
    assert (amber.rag_text, amber.rag.value) == ("AMBER", "amber")
    seen = rows["all-areas-of-lower-than-expected.4"]
    assert seen.benchmarks == [] and seen.benchmark_text == "Benchmarking information not currently available."


def test_commentary_keeps_paragraphs(extraction):
    row = _by_ref(extraction.rows)["all-areas-of-lower-than-expected.5"]
    paragraphs = row.commentary.split("\n")
    assert paragraphs[0].startswith("This indicator measures the proportion of children looked after")
    assert paragraphs[-1].startswith("Improvement Actions To improve performance")
    assert len(paragraphs) == 4


def _inside(page, box: BBox) -> list[str]:
    return [w.text for w in sorted(page.words, key=lambda w: (round(w.bbox.top), w.bbox.x0))
            if w.bbox.x0 >= box.x0 - 0.5 and w.bbox.x1 <= box.x1 + 0.5
            and w.bbox.top >= box.top - 0.5 and w.bbox.bottom <= box.bottom + 0.5]


def test_every_value_and_cell_has_page_and_box(extraction, paper):
    pages = {p.number: p for p in paper.pages}
    for row in extraction.rows:
        for value in row.values:
            prov = value.provenance
            assert prov.document_id == paper.document.id and prov.bbox is not None, row.row_ref
            inside = _inside(pages[prov.page], prov.bbox)
            assert set(prov.raw_text.split()) == set(inside), row.row_ref
            assert prov.raw_text.startswith(value.value_text), row.row_ref
        for prov in (row.label_provenance, row.target_provenance, row.rag_provenance, row.commentary_provenance):
            assert prov is not None and prov.bbox is not None and prov.bbox.x0 < prov.bbox.x1, row.row_ref
        assert row.benchmark_provenance is not None and row.benchmark_provenance.bbox is not None


def test_rows_do_not_depend_on_the_table_finder(paper, extraction):
    """Read from the page's words: the same rows whatever extract_tables makes of the borderless grid
    (one row per printed line, one per measure, or nothing)."""
    tables = extract_tables(PAPERS / f"{STEM}.pdf", paper.document.id, paper.pages)
    with_tables = portfolio.parse(paper.document, tables, paper.pages)
    without = portfolio.parse(paper.document, [], paper.pages)
    assert [r.model_dump() for r in with_tables.rows] == [r.model_dump() for r in without.rows]
    assert [r.model_dump() for r in without.rows] == [r.model_dump() for r in extraction.rows]


def test_other_layouts_are_not_claimed():
    for name in ("002-bucks-dashboard-jan-2015.pdf", "900-eastmoor-scorecard-q2-2023-24.pdf",
                 "901-westbrook-monthly-scorecard-sep-2023.pdf"):
        other = ingest_file(PAPERS / name)
        assert portfolio.parse(other.document, [], other.pages).rows == [], name


def _line(*texts: str) -> Line:
    words, x = [], 10.0
    for t in texts:
        for part in t.split():
            words.append(Word(text=part, bbox=BBox(x0=x, top=100, x1=x + 6 * len(part), bottom=108)))
            x += 6 * len(part) + 4
        x += 20
    return Line(page=1, words=words)


def test_header_lines_are_found_by_their_words():
    cols = read_header(_line("Measure", "Target", "Current position", "RAG", "Benchmarking", "Commentary"))
    assert [c.role for c in cols] == ["measure", "target", "value", "rag", "benchmarks", "commentary"]
    assert cols[2].header == "Current position"
    # another council's order and words
    cols = read_header(_line("Indicator", "Latest position", "Status", "Comments"))
    assert [c.role for c in cols] == ["measure", "value", "rag", "commentary"]
    # a scorecard header (period columns) and prose are not portfolio headers
    assert read_header(_line("Measure", "Target", "Q1 Jun 2017", "Q2 Sep 2017", "RAG", "Commentary")) is None
    assert read_header(_line("The measure of our current position against target is shown in the commentary")) is None


def test_commentary_period_only_from_a_sentence_stating_the_value():
    text = "This indicator measures repeats.\nIn 2018, 72% of pupils met the standard. This is up from 2017."
    assert commentary_period(text, 72, Unit.percent).key == "2018"
    assert commentary_period(text, 73, Unit.percent) is None
    # a period printed after the value is a comparison, not the value's period
    assert commentary_period("Results stayed at 79% as in 2016.", 79, Unit.percent) is None
    # the number must be printed as a percentage in a percentage row
    assert commentary_period("In 2018, 72 pupils left.", 72, Unit.percent) is None


def test_section_refs():
    assert slug("All areas of lower than expected performance (Red or Amber)") == "all-areas-of-lower-than-expected"
    assert section_ref("Key areas of good performance", 1, "3") == "key-areas-of-good-performance.3"
    assert section_ref("Key areas of good performance", 2, "3") == "key-areas-of-good-performance-2.3"
    assert section_ref(None, 1, "3") == "3"


def test_empty_for_a_paper_without_pages():
    doc = SourceDocument(id="0" * 64, source="x", file_name="x.pdf")
    assert portfolio.parse(doc, [], []).rows == []


def _page(number: int, placed: list[tuple[float, float, str]]) -> "Page":
    """A page whose words are the given texts at (x, top), 8pt high, 5pt per character."""
    from schemas import Page

    words = []
    for x, top, text in placed:
        for part in text.split():
            words.append(Word(text=part, bbox=BBox(x0=x, top=top, x1=x + 5 * len(part), bottom=top + 8)))
            x += 5 * len(part) + 3
    return Page(document_id="p" * 64, number=number, width=842, height=595, text=" ".join(t for *_, t in placed),
                words=words)


def test_another_councils_portfolio_layout():
    """Column order, names and numbering of another council: no item numbers, a heading without a glyph,
    'Latest position' before 'Target', 'Status' for RAG, a wrapped name, a second table over a page break."""
    x = {"measure": 40, "value": 250, "target": 320, "rag": 370, "bench": 420, "comm": 560}
    header = [(x["measure"], 100, "Indicator"), (x["value"], 100, "Latest position"), (x["target"], 100, "Target"),
              (x["rag"], 100, "Status"), (x["bench"], 100, "Comparators"), (x["comm"], 100, "Comments")]
    page1 = _page(1, [
        (40, 40, "Cabinet Member report: Children and Families, position at the end of June 2023"),
        (40, 80, "Performance exceptions"),
        *header,
        (x["measure"], 120, "% of re-referrals within 12"), (x["value"], 120, "24.5%"), (x["target"], 120, "20%"),
        (x["rag"], 120, "Red"), (x["bench"], 120, "England 21.5%"), (x["comm"], 120, "Up from 22.0% in March."),
        (x["measure"], 130, "months"), (x["comm"], 130, "A review of threshold decisions is under way."),
        (x["measure"], 150, "Care leavers in suitable accommodation"), (x["value"], 150, "91%"),
        (x["target"], 150, "90%"), (x["rag"], 150, "Green"), (x["bench"], 150, "Not available"),
        (421, 580, "1"),
    ])
    page2 = _page(2, [
        *[(cx, 40, t) for cx, _, t in header],
        (x["measure"], 60, "Average days from referral to assessment"), (x["value"], 60, "31"),
        (x["target"], 60, "28"), (x["rag"], 60, "Amber"), (x["comm"], 60, "Slower in the summer."),
    ])
    doc = SourceDocument(id="p" * 64, source="x", file_name="x.pdf")
    result = portfolio.parse(doc, [], [page1, page2])
    assert [r.row_ref for r in result.rows] == ["performance-exceptions.1", "performance-exceptions.2",
                                                "performance-exceptions.3"]
    first, second, third = result.rows
    assert first.row_label == "% of re-referrals within 12 months"
    assert (first.latest.value, first.target, first.rag.value) == (24.5, 20.0, "red")
    assert [(b.comparator.value, b.value) for b in first.benchmarks] == [("england", 21.5)]
    assert first.commentary == "Up from 22.0% in March. A review of threshold decisions is under way."
    assert first.latest.period_label == "Latest position"
    assert first.latest.period_end.isoformat() == "2023-06-30"  # from the title above the first table
    assert result.facts.reporting_period_end.isoformat() == "2023-06-30"
    assert (second.rag.value, second.benchmarks, second.benchmark_text) == ("green", [], "Not available")
    assert "1" not in (second.commentary or "") and second.benchmark_text == "Not available"  # page number dropped
    assert (third.unit.value, third.latest.value, third.latest.provenance.page) == ("days", 31.0, 2)
