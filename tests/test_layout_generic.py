"""The generic fallback parser (layout 'generic'): tables in layouts no seed has, written here with reportlab,
and seed 000's scorecard, where it must read the same values as the scorecard parser (which still wins)."""
from __future__ import annotations

import doctest
from pathlib import Path

import pytest

from extractors.evaluate import load_truth, score_rows
from extractors.extract import extract_paper
from extractors.ingest import ingest_file
from extractors.layouts import generic, generic_columns, scorecard

from conftest import PAPERS, TRUTH

STEM_000 = "000-bucks-cabinet-scorecard-q4-2017-18"


def _ruled(rows, widths=None, spans=()):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    table = Table(rows, colWidths=widths)
    style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("FONTSIZE", (0, 0), (-1, -1), 8),
             ("VALIGN", (0, 0), (-1, -1), "TOP")]
    style += [("SPAN", a, b) for a, b in spans]
    table.setStyle(TableStyle(style))
    return table


def _synthetic_pdf(path: Path) -> None:
    """Two tables in layouts none of the seeds has: monthly columns then Target / RAG; and a reference
    column, a two-row header ('Q1' over '2023/24'), a comparator column and comments."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    cell = styles["BodyText"].clone("cell", fontSize=8, leading=10)
    monthly = [
        ["KPI", "Apr-24", "May-24", "Jun-24", "Target", "RAG"],
        ["Children's social care", "", "", "", "", ""],
        [Paragraph("Number of contacts received by the front door", cell), "1,204", "1,187", "1,312", "1,250",
         "Amber"],
        [Paragraph("% of referrals that are re-referrals within 12 months", cell), "21.5%", "19.8%", "22.4%",
         "20%", "Red"],
        [Paragraph("Rate of children in need per 10,000 children", cell), "312.4", "318.0", "309.7", "330.0",
         "Green"],
        [Paragraph("Average days between entering care and adoption", cell), "412", "n/a", "398", "426",
         "Green"],
        ["Early help", "", "", "", "", ""],
        [Paragraph("% of early help assessments completed within 45 days", cell), "88%", "91%", "93%", "90%",
         "Green"],
    ]
    quarterly = [
        ["Ref", "Performance measure", "Q1", "Q2", "Q3", "England", "Comments"],
        ["", "", "2023/24", "2023/24", "2023/24", "2022/23", ""],
        ["CSC1", Paragraph("% of single assessments completed within 45 working days", cell), "81.2%", "84.0%",
         "86.5%", "82.4%", Paragraph("Improving for a third quarter.", cell)],
        ["CSC2", Paragraph("Number of children subject to a child protection plan", cell), "301", "287", "276",
         "", Paragraph("Fewer plans after the review of long plans.", cell)],
        ["CSC3", Paragraph("% of care leavers in education, employment or training", cell), "New", "54%", "57%",
         "55%", ""],
    ]
    story = [
        Paragraph("Children's Services Key Performance Indicators - June 2024", styles["Heading2"]),
        _ruled(monthly, widths=[220, 55, 55, 55, 55, 55], spans=[((0, 1), (-1, 1)), ((0, 6), (-1, 6))]),
        Spacer(1, 24),
        Paragraph("Quarterly measures", styles["Heading3"]),
        _ruled(quarterly, widths=[40, 220, 55, 55, 55, 55, 180]),
    ]
    SimpleDocTemplate(str(path), pagesize=landscape(A4)).build(story)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """The generic parser's reading of the synthetic paper (other parsers may claim parts of it too)."""
    from extractors.tables import extract_tables

    path = tmp_path_factory.mktemp("generic") / "kpis.pdf"
    _synthetic_pdf(path)
    paper = ingest_file(path)
    tables = extract_tables(path, paper.document.id, paper.pages)
    return paper, generic.parse(paper.document, tables, paper.pages), path


EXPECTED = {
    # ref: (label, [(period, value, text)], target, rag, section)
    "r1": ("Number of contacts received by the front door",
           [("Apr-24", 1204.0, "1,204"), ("May-24", 1187.0, "1,187"), ("Jun-24", 1312.0, "1,312")], 1250.0,
           "amber", "Children's social care"),
    "r2": ("% of referrals that are re-referrals within 12 months",
           [("Apr-24", 21.5, "21.5%"), ("May-24", 19.8, "19.8%"), ("Jun-24", 22.4, "22.4%")], 20.0, "red",
           "Children's social care"),
    "r3": ("Rate of children in need per 10,000 children",
           [("Apr-24", 312.4, "312.4"), ("May-24", 318.0, "318.0"), ("Jun-24", 309.7, "309.7")], 330.0, "green",
           "Children's social care"),
    "r4": ("Average days between entering care and adoption",
           [("Apr-24", 412.0, "412"), ("May-24", None, "n/a"), ("Jun-24", 398.0, "398")], 426.0, "green",
           "Children's social care"),
    "r5": ("% of early help assessments completed within 45 days",
           [("Apr-24", 88.0, "88%"), ("May-24", 91.0, "91%"), ("Jun-24", 93.0, "93%")], 90.0, "green", "Early help"),
    "CSC1": ("% of single assessments completed within 45 working days",
             [("Q1 2023/24", 81.2, "81.2%"), ("Q2 2023/24", 84.0, "84.0%"), ("Q3 2023/24", 86.5, "86.5%")], None, None,
             "Quarterly measures"),
    "CSC2": ("Number of children subject to a child protection plan",
             [("Q1 2023/24", 301.0, "301"), ("Q2 2023/24", 287.0, "287"), ("Q3 2023/24", 276.0, "276")], None, None,
             "Quarterly measures"),
    "CSC3": ("% of care leavers in education, employment or training",
             [("Q1 2023/24", None, "New"), ("Q2 2023/24", 54.0, "54%"), ("Q3 2023/24", 57.0, "57%")], None, None,
             "Quarterly measures"),
}


def test_synthetic_tables_in_an_unknown_layout(synthetic):
    _, result, _ = synthetic
    got = {r.row_ref: r for r in result.rows}
    checked = right = 0
    misses = []
    for ref, (label, values, target, rag, section) in EXPECTED.items():
        row = got.get(ref)
        pairs = [("label", label, row and row.row_label),
                 ("values", values, row and [(v.period_label, v.value, v.value_text) for v in row.values]),
                 ("target", target, row and row.target),
                 ("rag", rag, row and (row.rag.value if row.rag else None)),
                 ("section", section, row and row.section)]
        for name, want, have in pairs:
            checked += 1
            if want == have:
                right += 1
            else:
                misses.append(f"{ref} {name}: expected {want!r}, got {have!r}")
    extra = sorted(set(got) - set(EXPECTED))
    print(f"\ngeneric on a synthetic PDF: {right}/{checked} right; extra rows {extra}")
    for miss in misses:
        print("  MISS", miss)
    assert right == checked and not extra
    assert any("generic tables" in n for n in result.notes)


def test_synthetic_units_periods_benchmarks_and_commentary(synthetic):
    _, result, _ = synthetic
    rows = {r.row_ref: r for r in result.rows}
    assert [rows[r].unit.value for r in ("r1", "r2", "r3", "r4", "r5")] == \
        ["count", "percent", "rate_per_10000", "days", "percent"]
    first = rows["r2"].values[0]
    assert (first.period_start.isoformat(), first.period_end.isoformat()) == ("2024-04-01", "2024-04-30")
    q1 = rows["CSC1"].values[0]
    assert (q1.period_start.isoformat(), q1.period_end.isoformat()) == ("2023-04-01", "2023-06-30")
    assert rows["r4"].values[1].missing_reason == "not applicable"
    assert rows["CSC3"].values[0].missing_reason == "new indicator"
    england = rows["CSC1"].benchmarks
    assert [(b.comparator.value, b.value, b.period_label) for b in england] == [("england", 82.4, "2022/23")]
    assert rows["CSC2"].benchmarks == []
    assert rows["CSC1"].commentary == "Improving for a third quarter."
    assert rows["CSC3"].commentary is None


def test_synthetic_values_keep_their_cell_boxes(synthetic):
    paper, result, _ = synthetic
    pages = {p.number: p for p in paper.pages}
    for row in result.rows:
        assert row.label_provenance.bbox is not None
        for value in row.values:
            box = value.provenance.bbox
            inside = [w.text for w in pages[value.provenance.page].words
                      if w.bbox.x0 >= box.x0 - 1 and w.bbox.x1 <= box.x1 + 1
                      and w.bbox.top >= box.top - 1 and w.bbox.bottom <= box.bottom + 1]
            assert " ".join(inside) == value.value_text, (row.row_ref, value.period_label)
        if row.rag is not None:
            assert row.rag_provenance.bbox is not None and row.target_provenance.bbox is not None


# --------------------------------------------------------------------------- seed 000


@pytest.fixture(scope="module")
def paper_000():
    from extractors.tables import extract_tables

    path = PAPERS / f"{STEM_000}.pdf"
    paper = ingest_file(path)
    return paper, extract_tables(path, paper.document.id, paper.pages), path


def test_generic_reads_000_like_the_scorecard_parser(paper_000):
    """Every period value of 000, as the truth file has it, and as the scorecard parser reads it."""
    paper, tables, _ = paper_000
    mine = generic.parse(paper.document, tables, paper.pages)
    theirs = scorecard.parse(paper.document, tables, paper.pages)

    def cells(result):
        return {(r.row_label, v.period_label): (v.value, v.value_text, v.provenance.page)
                for r in result.rows for v in r.values}

    a, b = cells(mine), cells(theirs)
    missing = sorted(set(b) - set(a))
    differ = sorted(k for k in set(a) & set(b) if a[k] != b[k])
    score = score_rows(mine.rows, load_truth(TRUTH / f"{STEM_000}.yaml"))
    print(f"\ngeneric on 000: {len(mine.rows)} rows, {len(a)} values ({len(b)} from the scorecard parser); "
          f"missing {missing[:5]}, differ {differ[:5]}; truth {score.right}/{score.checked} "
          f"({score.accuracy:.1%})")
    for miss in score.misses:
        print("  MISS", miss)
    assert len(mine.rows) == 17 and len(a) == 17 * 5
    assert not differ  # where both read a value, they read the same
    if len(theirs.rows) == 17:  # the scorecard parser read the paper cleanly: the generic one covers it all
        assert not missing
    period_misses = [m for m in score.misses if " value:" in m or " text:" in m or "not extracted" in m]
    assert not period_misses
    assert score.accuracy >= 0.95
    # Each value's box holds the printed value.
    pages = {p.number: p for p in paper.pages}
    for row in mine.rows:
        for value in row.values:
            box = value.provenance.bbox
            inside = [w.text for w in pages[value.provenance.page].words
                      if w.bbox.x0 >= box.x0 - 1 and w.bbox.x1 <= box.x1 + 1
                      and w.bbox.top >= box.top - 1 and w.bbox.bottom <= box.bottom + 1]
            assert " ".join(inside) == value.value_text, (row.row_ref, value.period_label)


def test_the_specific_parser_wins_on_its_own_paper(paper_000):
    paper, _, path = paper_000
    result = extract_paper(paper.document, paper.pages, path)
    assert result.layout == "quarterly_scorecard"
    assert not any("generic" in n for n in result.notes)


def test_generic_is_used_only_when_no_specific_parser_reads_the_paper(synthetic, monkeypatch):
    """extract.py runs fallback parsers only when every other parser came back empty."""
    from extractors import extract

    paper, _, path = synthetic
    assert extract.FALLBACK_PARSERS == {generic.LAYOUT}
    calls = []

    def empty(document, tables, pages):
        calls.append("specific")
        from extractors.layouts import LayoutResult
        return LayoutResult(notes=["specific: not my layout"])

    def spy(document, tables, pages):
        calls.append("generic")
        return generic.parse(document, tables, pages)

    monkeypatch.setattr(extract, "PARSERS", {"specific": empty, generic.LAYOUT: spy})
    result = extract.extract_paper(paper.document, paper.pages, path)
    assert calls == ["specific", "generic"]
    assert result.layout == "generic" and len(result.rows) == len(EXPECTED)

    calls.clear()
    monkeypatch.setattr(extract, "PARSERS", {"quarterly_scorecard": scorecard.parse, generic.LAYOUT: spy})
    paper_000 = ingest_file(PAPERS / f"{STEM_000}.pdf")
    result = extract.extract_paper(paper_000.document, paper_000.pages, PAPERS / f"{STEM_000}.pdf")
    assert result.layout == "quarterly_scorecard" and calls == []


# --------------------------------------------------------------------------- what it will not read


def test_a_single_period_column_is_not_a_series_and_says_so(tmp_path):
    from reportlab.platypus import SimpleDocTemplate

    path = tmp_path / "one-period.pdf"
    SimpleDocTemplate(str(path)).build([_ruled([
        ["Measure", "Dec 2014"],
        ["Sickness rate, first response team", "3.1%"],
        ["Sickness rate, children in need team", "5.8%"],
        ["Sickness rate, care services", "2.7%"],
    ])])
    paper = ingest_file(path)
    result = extract_paper(paper.document, paper.pages, path)
    assert result.rows == []
    assert any("only one period column" in n for n in result.notes), result.notes
    assert result.notes[0].startswith("No indicator table recognised")


def test_column_doctests():
    assert doctest.testmod(generic_columns).failed == 0
