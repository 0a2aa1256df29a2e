"""Monthly dashboard parser (seed 002's landscape dashboard; fixture 901's borderless monthly scorecard),
checked cell by cell against the truth files; the shifted pathway-plan rows of seed 002 (§7.5); and the two
extra fixtures (900, 901): regeneration and extraction."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from extractors.evaluate import load_truth, score_rows
from extractors.extract import PARSERS, extract_paper
from extractors.ingest import ingest_file
from extractors.layouts import dashboard
from extractors.layouts.dashboard import place, read_grid_header, realign_shifted
from extractors.layouts.dashboard_score import score_dashboard
from extractors.tables import extract_tables, fold
from schemas import BBox, Cell, DerivedKind, ExtractedRow, ExtractedTable, SourceDocument

from conftest import FIXTURES, PAPERS, SEEDS, TRUTH

D002 = "002-bucks-dashboard-jan-2015"
D900 = "900-eastmoor-scorecard-q2-2023-24"
D901 = "901-westbrook-monthly-scorecard-sep-2023"


@pytest.fixture(scope="module")
def papers():
    out = {}
    for stem in (D002, D900, D901):
        path = PAPERS / f"{stem}.pdf"
        paper = ingest_file(path)
        out[stem] = (paper, extract_tables(path, paper.document.id, paper.pages))
    return out


def _report(name: str, score) -> None:
    print(f"\n{name}: {score.right}/{score.checked} cells right ({score.accuracy:.1%})")
    for miss in score.misses:
        print("  MISS", miss)


def printed_lines(table: ExtractedTable, pages) -> ExtractedTable:
    """The table cut into one row per printed line, as a borderless finder without row merging gives it:
    each line's words stay in their cell's column, with the cell's x-range and the line's y-range."""
    words = {p.number: [w for w in p.words if w.bbox is not None] for p in pages}
    rows = []
    for row in table.rows:
        placed = []
        for w in words[row.page]:
            cx, cy = (w.bbox.x0 + w.bbox.x1) / 2, (w.bbox.top + w.bbox.bottom) / 2
            holders = [i for i, c in enumerate(row.cells) if c.bbox is not None
                       and c.bbox.x0 <= cx <= c.bbox.x1 and c.bbox.top <= cy <= c.bbox.bottom]
            if holders:  # overlapping boxes (a merged cell): the cell whose text has the word
                placed.append((([i for i in holders if w.text in row.cells[i].text] or holders)[0], w))
        lines: list[list] = []
        for i, w in sorted(placed, key=lambda iw: (iw[1].bbox.top + iw[1].bbox.bottom) / 2):
            middle = (w.bbox.top + w.bbox.bottom) / 2
            if lines and lines[-1][0] - 0.5 <= middle <= lines[-1][1] + 0.5:
                lines[-1][2].append((i, w))
            else:
                lines.append([w.bbox.top, w.bbox.bottom, [(i, w)]])
        for top, bottom, members in lines:
            cells = []
            for i, c in enumerate(row.cells):
                texts = [w.text for j, w in sorted(members, key=lambda m: m[1].bbox.x0) if j == i]
                box = BBox(x0=c.bbox.x0, x1=c.bbox.x1, top=top, bottom=bottom) if c.bbox else None
                cells.append(Cell(text=" ".join(texts), bbox=box))
            rows.append(ExtractedRow(page=row.page, cells=cells))
    return table.model_copy(update={"rows": rows, "method": table.method + "+lines"})


# ------------------------------------------------------------------------------------ seed 002


def test_002_every_printed_cell_matches_the_truth_file(papers):
    paper, _ = papers[D002]
    result = extract_paper(paper.document, paper.pages, PAPERS / f"{D002}.pdf")
    score = score_dashboard(result.rows, load_truth(TRUTH / f"{D002}.yaml"))
    _report("002 dashboard", score)
    assert result.layout == "monthly_dashboard"
    assert score.checked >= 300
    assert score.accuracy >= 0.99


def test_002_one_row_per_printed_line(papers):
    paper, tables = papers[D002]
    split = [printed_lines(t, paper.pages) for t in tables]
    assert sum(len(t.rows) for t in split) > sum(len(t.rows) for t in tables)  # the headers wrap
    result = dashboard.parse(paper.document, split, paper.pages)
    score = score_dashboard(result.rows, load_truth(TRUTH / f"{D002}.yaml"))
    _report("002 dashboard, one row per printed line", score)
    assert score.accuracy >= 0.99


def test_002_rate_boxes_keep_each_figures_own_period(papers):
    paper, tables = papers[D002]
    rows = {r.row_label: r for r in dashboard.parse(paper.document, tables, paper.pages).rows}
    box = rows["Rate per 10,000 subject to a Child Protection Plan"]
    assert [(v.period_label, v.value) for v in box.values] == [("Jan 2015", 29.1)]
    assert [(b.comparator.value, b.value, b.period_label) for b in box.benchmarks] == [
        ("stat_neighbours", 34.3, "2014"), ("region", 38.1, "2014"), ("england", 42.1, "2014")]
    turnover = rows["Turnover rate - Qualified Social Workers"]
    assert (turnover.values[0].period_label, turnover.values[0].value) == ("Jan-15", 11.6)
    assert [(b.comparator.value, b.value) for b in turnover.benchmarks] == [("stat_neighbours", 16.0)]
    assert "Turnover rate - Stat Neighbour" not in rows
    sickness = [r for r in rows.values() if r.section == "Sickness Rate"]
    assert len(sickness) == 7 and {r.values[0].period_label for r in sickness} == {"Dec 2014"}


def test_002_grid_figures_baseline_outturn_and_future_target(papers):
    paper, tables = papers[D002]
    row = next(r for r in dashboard.parse(paper.document, tables, paper.pages).rows
               if r.row_label == "% repeat referrals")
    derived = {d.kind: d for d in row.derived}
    assert (derived[DerivedKind.baseline].label, derived[DerivedKind.baseline].value) == (
        "Annex A /Ofsted Baseline/ June outturn", 30.0)
    assert (derived[DerivedKind.outturn].label, derived[DerivedKind.outturn].value) == ("Current outturn", 31.0)
    assert [(t.period_label, t.value) for t in row.targets] == [("Jan-16", 23.0)]
    assert (row.target, row.rag.value, row.latest.period_label) == (25.0, "red", "Jan 2015")
    assert [v.period_label for v in row.values][0] == "Apr 2014" and len(row.values) == 10


def test_002_merged_na_cell_gives_each_month_it_covers(papers):
    paper, tables = papers[D002]
    row = next(r for r in dashboard.parse(paper.document, tables, paper.pages).rows
               if r.row_label.startswith("% 16-18 year olds"))
    merged = [v for v in row.values if v.value_text == "n/a"]
    assert [v.period_label for v in merged] == [f"{m} 2014" for m in
                                                ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")]
    assert all(v.missing_reason == "not applicable" and v.value is None for v in merged)
    assert len({(v.provenance.bbox.x0, v.provenance.bbox.x1) for v in merged}) == 1  # one merged box
    assert merged[0].provenance.bbox.x1 - merged[0].provenance.bbox.x0 > 200
    assert (row.latest.period_label, row.latest.value) == ("Jan 2015", 95.0)


def _seed_grid(header_as_printed: bool) -> ExtractedTable:
    """Seed 002's success-measure grid as text: no boxes, the pathway-plan rows shifted left by the merged
    'n/a' cell. With header_as_printed the second header row sits under its columns as in the PDF
    (the truth's columns_row2); the seed's own second header row is compacted to the left."""
    text = (SEEDS / "002_b8d068c98965a5fe.txt").read_text(encoding="utf-8")
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("Success Measure\t"))
    grid = [[c.strip() for c in line.split("\t")] for line in lines[start:] if "\t" in line]
    if header_as_printed:
        truth = load_truth(TRUTH / f"{D002}.yaml")
        grid[1] = [truth["columns_row2"].get(c, "") for c in truth["columns"]]
    width = max(len(r) for r in grid)
    rows = [ExtractedRow(page=1, cells=[Cell(text=c) for c in r + [""] * (width - len(r))]) for r in grid]
    return ExtractedTable(document_id="s" * 64, page=1, method="seed-text", rows=rows)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed folder not found")
def test_002_shifted_pathway_plan_rows_are_aligned_on_their_trailing_columns():
    table = _seed_grid(header_as_printed=True)
    by_position = [c.text for c in table.rows[5].cells]
    assert by_position[9:13] == ["95.0%", "85.0%", "Green", "100%"]  # Nov-14, Dec-14, Jan-15, Feb-15 by position
    doc = SourceDocument(id="s" * 64, source="seed", file_name="002.txt")
    result = dashboard.parse(doc, [table], [])
    rows = {r.row_label: r for r in result.rows}
    assert len(result.notes) == 2 and all("shifted left by a merged cell" in n for n in result.notes)
    for label, value in (("% 16-18 year olds in care have an up-to-date Pathway Plan", 95.0),
                         ("% of Care Leavers have an up-to-date Pathway Plan", 66.8)):
        row = rows[label]
        values = {v.period_label: v for v in row.values}
        assert [values[f"{m} 2014"].value_text for m in ("Nov", "Dec")] == ["n/a", "n/a"], label
        assert len([v for v in row.values if v.value_text == "n/a"]) == 9, label
        assert (values["Jan 2015"].value, row.latest.period_label) == (value, "Jan 2015"), label
        outturn = next(d for d in row.derived if d.kind == DerivedKind.outturn)
        assert (outturn.value, row.target, row.targets[0].period_label, row.targets[0].value) == (value, 85.0, "Jan-16", 100.0)
        assert row.rag is not None and row.rag_text in ("Green", "Red"), label
        assert row.benchmarks == [], label
    truth = load_truth(TRUTH / f"{D002}.yaml")
    score = score_dashboard(list(rows.values()), dict(truth, tables=[]))
    _report("002 grid from the seed text", score)
    assert score.accuracy == 1.0


def test_realign_needs_the_rag_word_to_land_in_the_rag_column():
    header = ExtractedRow(page=1, cells=[Cell(text=t) for t in
                                         ["Measure", "Apr-23", "May-23", "Jun-23", "Jul-23", "Target", "RAG", "Sep-24"]])
    grid = read_grid_header([header], 0)
    assert [c.role for c in grid.columns] == ["measure", "value", "value", "value", "value", "target", "rag",
                                              "period_target"]

    def row(*cells):
        return ExtractedRow(page=1, cells=[Cell(text=c) for c in cells] + [Cell(text="")] * (8 - len(cells)))

    shifted = row("x", "n/a", "40%", "38%", "Red", "60%")  # n/a merged over Apr..Jun, compacted
    slots, moved = realign_shifted(place(shifted, grid), grid)
    assert moved
    assert [s.text if s else "" for s in slots] == ["x", "n/a", "n/a", "n/a", "40%", "38%", "Red", "60%"]
    fine = row("x", "1%", "2%", "3%", "4%", "5%", "Green", "9%")
    assert realign_shifted(place(fine, grid), grid) == (place(fine, grid), False)
    no_anchor = row("x", "1%", "2%", "Red")  # no placeholder to have caused a shift: left as printed
    assert realign_shifted(place(no_anchor, grid), grid)[1] is False


# ------------------------------------------------------------------------------------ fixture 901


def test_901_borderless_monthly_scorecard_matches_the_truth_file(papers):
    paper, tables = papers[D901]
    truth = load_truth(TRUTH / f"{D901}.yaml")
    split = [printed_lines(t, paper.pages) for t in tables]
    names = [fold(r.cells[0].text) for t in split for r in t.rows]
    assert "of the strategy discussion" in names and "time" in names  # wrapped names on lines of their own
    for name, tabs in (("901 one row per measure", tables), ("901 one row per printed line", split)):
        result = dashboard.parse(paper.document, tabs, paper.pages)
        score = score_dashboard(result.rows, truth)
        _report(name, score)
        assert score.checked >= 18 * 12
        assert score.accuracy >= 0.99
        assert result.facts.reporting_period == "Sep-23"


def test_every_value_has_page_box_and_its_printed_text(papers):
    for stem in (D002, D901):
        paper, tables = papers[stem]
        pages = {p.number: p for p in paper.pages}
        rows = dashboard.parse(paper.document, tables, paper.pages).rows
        assert rows
        for row in rows:
            figures = [(v.value_text, v.provenance) for v in row.values]
            figures += [(d.value_text, d.provenance) for d in row.derived]
            figures += [(t.value_text, t.provenance) for t in row.targets]
            for text, prov in figures:
                assert prov is not None and prov.bbox is not None, (stem, row.row_label)
                box = prov.bbox
                inside = [w.text for w in pages[prov.page].words
                          if box.x0 - 1 <= (w.bbox.x0 + w.bbox.x1) / 2 <= box.x1 + 1
                          and box.top - 1 <= (w.bbox.top + w.bbox.bottom) / 2 <= box.bottom + 1]
                assert " ".join(inside) == text, (stem, row.row_label, text, inside)
            assert row.label_provenance.bbox is not None


def test_not_claimed_without_a_monthly_grid(papers):
    paper, tables = papers[D900]  # quarterly columns: a scorecard, not a monthly dashboard
    assert dashboard.parse(paper.document, tables, paper.pages).rows == []
    doc = SourceDocument(id="0" * 64, source="x", file_name="x.pdf")
    assert dashboard.parse(doc, [], []).rows == []


# ------------------------------------------------------------------------------------ fixture 900


def test_900_some_parser_reads_the_two_page_ruled_scorecard(papers):
    """900 (ref column, polarity column, England column, header repeated on page 2) is not this module's
    layout; some registered parser must read it. Each parser's score is printed."""
    paper, tables = papers[D900]
    truth = load_truth(TRUTH / f"{D900}.yaml")
    assert len(tables) == 2 and {t.page for t in tables} == {1, 2}
    best = 0.0
    for layout, parse in PARSERS.items():
        score = score_rows(parse(paper.document, tables, paper.pages).rows, truth)
        print(f"\n900 via {layout}: {score.right}/{score.checked} ({score.accuracy:.1%})"
              + (f"; first miss: {score.misses[0]}" if score.misses else ""))
        best = max(best, score.accuracy)
    assert best >= 0.99


# ------------------------------------------------------------------------------ regeneration


def _extra_generator():
    spec = importlib.util.spec_from_file_location("make_extra_fixtures", FIXTURES / "make_extra_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_extra_fixtures_regenerate_byte_identical(tmp_path: Path):
    written = _extra_generator().main(out_dir=tmp_path)
    assert [p.name for p in written] == [f"{D900}.pdf", f"{D901}.pdf"]
    for path in written:
        assert path.read_bytes() == (PAPERS / path.name).read_bytes(), path.name
