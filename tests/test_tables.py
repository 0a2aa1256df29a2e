"""Table extraction on the fixture papers and on small PDFs made here with reportlab.

Real PDFs through the real strategies (camelot lattice/network/hybrid on vector rules, pdfplumber on
the same page parse); every assertion is on printed text or on geometry that could be wrong.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import yaml

from extractors.ingest import ingest_file
from extractors.tables import extract_tables, fold
from extractors.tables._camelot import Candidates, run_camelot
from extractors.tables._layout import PdfPages
from extractors.tables._plumber import plumber_lines
from extractors.tables._select import _hrules, _score

from conftest import PAPERS, TRUTH

ITEM = re.compile(r"^(\d{1,2})\s+\S")


def _extract(path: Path):
    paper = ingest_file(path)
    start = time.perf_counter()
    tables = extract_tables(path, paper.document.id, paper.pages)
    seconds = time.perf_counter() - start
    print(f"\n{path.name}: {len(tables)} tables, {seconds / len(paper.pages):.3f} s/page")
    return paper, tables


def _words_in(page, box, pad=2.0):
    return [w.text for w in page.words
            if w.bbox.x0 >= box.x0 - pad and w.bbox.x1 <= box.x1 + pad
            and w.bbox.top >= box.top - pad and w.bbox.bottom <= box.bottom + pad]


def assert_boxes_hold_their_words(paper, tables):
    """Every non-empty cell's box holds exactly the words printed in the cell (reading order)."""
    pages = {p.number: p for p in paper.pages}
    checked = 0
    for table in tables:
        for row in table.rows:
            for cell in row.cells:
                if not cell.text.strip():
                    continue
                box = cell.bbox
                assert box is not None and box.x0 < box.x1 and box.top < box.bottom
                page = pages[row.page]
                assert 0 <= box.x0 and box.x1 <= page.width + 1 and 0 <= box.top and box.bottom <= page.height + 1
                assert fold(" ".join(_words_in(page, box))) == fold(cell.text), (row.page, cell.text[:60])
                checked += 1
    assert checked > 0


# ------------------------------------------------------------------ 000: ruled scorecard


@pytest.fixture(scope="module")
def scorecard():
    return _extract(PAPERS / "000-bucks-cabinet-scorecard-q4-2017-18.pdf")


def test_000_ruled_scorecard_17_measure_rows_in_6_tables(scorecard):
    _, tables = scorecard
    assert len(tables) == 6
    refs = []
    for table in tables:
        assert table.method.startswith("camelot-lattice-vector")
        assert fold(table.rows[0].cells[0].text) == "Measure"  # each table starts with its header row
        assert len(table.rows[0].cells) == 12
        for row in table.rows[1:]:
            m = ITEM.match(row.cells[0].text)
            assert m, row.cells[0].text
            refs.append(int(m.group(1)))
            assert len(row.cells) == 12
    assert refs == list(range(1, 18))


def test_000_cell_boxes_contain_their_words(scorecard):
    assert_boxes_hold_their_words(*scorecard)


def test_000_strategies_agree_on_the_ruled_grids(scorecard):
    _, tables = scorecard
    assert all(t.confidence is not None and t.confidence >= 0.8 for t in tables), [t.confidence for t in tables]


def test_000_continuation_across_pages_is_marked(scorecard):
    _, tables = scorecard
    # The scorecard runs on over pages 2 and 3 under the same repeated header row.
    firsts = {}
    for t in tables:
        firsts.setdefault(t.page, t)
    assert firsts[1].method == "camelot-lattice-vector"
    assert firsts[2].method.endswith("+continued") and firsts[3].method.endswith("+continued")
    assert sum(t.method.endswith("+continued") for t in tables) == 2


# ------------------------------------------------------------------ 001: borderless portfolio report


@pytest.fixture(scope="module")
def portfolio():
    return _extract(PAPERS / "001-bucks-portfolio-q2-2018-19.pdf")


def _measure_rows(table):
    """Rows starting with an item number: the measures (header, section and title rows excluded)."""
    return [row for row in table.rows if ITEM.match(row.cells[0].text)]


def _columns(table):
    header = next(row for row in table.rows if fold(row.cells[0].text) == "Measure")
    return {fold(c.text): i for i, c in enumerate(header.cells) if c.text.strip()}


def test_001_each_measure_is_one_logical_row(portfolio):
    _, tables = portfolio
    truth = yaml.safe_load((TRUTH / "001-bucks-portfolio-q2-2018-19.yaml").read_text())
    rows = [(t, row) for t in tables for row in _measure_rows(t)]
    assert len(rows) == len(truth["rows"]) == 14
    for (table, row), want in zip(rows, truth["rows"]):
        cols = _columns(table)
        assert set(cols) == {"Measure", "Target", "Current position", "RAG", "Benchmarking", "Commentary"}
        cells = [c.text for c in row.cells]
        assert fold(cells[cols["Measure"]]) == f"{want['ref']} {want['label']}"
        assert fold(cells[cols["Target"]]) == want["target_text"]
        assert fold(cells[cols["Current position"]]).startswith(want["values"][0][1])
        assert fold(cells[cols["RAG"]]) == want["rag"].upper()
        if want.get("benchmark_text"):
            assert fold(cells[cols["Benchmarking"]]) == want["benchmark_text"]
        assert cells[cols["Commentary"]].startswith("This ")
        assert "\n" in cells[cols["Commentary"]]  # the commentary's printed lines, kept as lines


def test_001_first_measure_row_cells(portfolio):
    _, tables = portfolio
    row = next(r for t in tables for r in t.rows if fold(r.cells[0].text).startswith("1 % of Children who became the subject"))
    texts = [fold(c.text) for c in row.cells]
    assert texts[1:4] == ["19%", "13.7%", "GREEN"]
    assert row.cells[0].text.count("\n") == 3  # four printed lines, one logical row


def test_001_logical_rows_per_table_match_the_truth(portfolio):
    paper, tables = portfolio
    truth = yaml.safe_load((TRUTH / "001-bucks-portfolio-q2-2018-19.yaml").read_text())
    page_text = {p.number: fold(p.text) for p in paper.pages}
    # Which page each truth row is printed on (its label's opening words), hence how many per page.
    expected: dict[int, int] = {}
    for want in truth["rows"]:
        start = fold(f"{want['ref']} {want['label']}")[:16]  # page text interleaves wrapped columns
        pages = [n for n, text in page_text.items() if start in text]
        assert len(pages) == 1, start
        expected[pages[0]] = expected.get(pages[0], 0) + 1
    got: dict[int, int] = {}
    for table in tables:
        got[table.page] = got.get(table.page, 0) + len(_measure_rows(table))
    assert got == expected
    # No measure is split: rows with a target are exactly the measure rows.
    for table in tables:
        target = _columns(table)["Target"]
        with_target = [r for r in table.rows if r.cells[target].text.strip() and fold(r.cells[0].text) != "Measure"]
        assert with_target == _measure_rows(table)


def test_001_borderless_cell_boxes_contain_their_words(portfolio):
    assert_boxes_hold_their_words(*portfolio)


def test_001_table_continuing_on_page_3_is_marked(portfolio):
    _, tables = portfolio
    page3 = [t for t in tables if t.page == 3]
    assert len(page3) == 1 and page3[0].method.endswith("+continued")
    assert not any(t.method.endswith("+continued") for t in tables if t.page < 3)


# ------------------------------------------------------------------ 002: landscape dashboard


@pytest.fixture(scope="module")
def dashboard():
    return _extract(PAPERS / "002-bucks-dashboard-jan-2015.pdf")


def test_002_landscape_grid_two_row_header_and_merged_cell(dashboard):
    paper, tables = dashboard
    truth = yaml.safe_load((TRUTH / "002-bucks-dashboard-jan-2015.yaml").read_text())
    assert paper.pages[0].width > paper.pages[0].height  # landscape
    grid = next(t for t in tables if fold(t.rows[0].cells[0].text) == "Success Measure")
    header, second = [[fold(c.text) for c in r.cells] for r in grid.rows[:2]]
    assert len(header) == 21
    assert header == truth["columns"]
    # The second header row sits under the columns it belongs to.
    assert {header[i]: t for i, t in enumerate(second) if t} == truth["columns_row2"]
    col = {name: i for i, name in enumerate(header)}
    body = {fold(r.cells[0].text): [fold(c.text) for c in r.cells] for r in grid.rows[2:]}
    assert len(body) == len(truth["rows"]) == 7
    for want in truth["rows"]:
        cells = body[want["label"]]
        assert len(cells) == 21
        merged = {m["from"]: m for m in want["merged_cells"]}
        inside = set()
        for m in want["merged_cells"]:
            a, b = col[m["from"]], col[m["to"]]
            inside.update(header[i] for i in range(a + 1, b + 1))
        for period, text, _ in want["values"]:
            if period in inside:
                assert cells[col[period]] == "", (want["label"], period)  # the rest of the merged span
            else:
                assert cells[col[period]] == text, (want["label"], period)
        for period in merged:
            assert cells[col[period]] == merged[period]["text"]
        assert cells[col["Current outturn"]] == want["outturn"][1]
        assert cells[col["Current target"]] == want["target_text"]
        assert cells[col["Current RAG"]].lower() == want["rag"]
        assert cells[col["Jan-16"]] == want["future_target"][1]


def test_002_cell_boxes_contain_their_words(dashboard):
    assert_boxes_hold_their_words(*dashboard)


# ------------------------------------------------------------------ synthetic PDFs (reportlab)


def _ruled_rows(n):
    return [["Ref", "Measure", "Target", "Actual", "RAG"]] + [
        [str(i), f"Measure number {i}", f"{50 + i}%", f"{40 + i}.5%", ["Red", "Amber", "Green"][i % 3]]
        for i in range(1, n + 1)]


def test_ruled_table_split_over_two_pages_with_repeated_header(tmp_path):
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    path = tmp_path / "split.pdf"
    rows = _ruled_rows(60)
    table = Table(rows, repeatRows=1, colWidths=[40, 200, 70, 70, 60])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey)]))
    SimpleDocTemplate(str(path), pagesize=A4).build([Paragraph("Scorecard", getSampleStyleSheet()["Heading1"]), table])
    paper, tables = _extract(path)
    assert len(paper.pages) == 2
    assert [t.page for t in tables] == [1, 2]
    first, second = tables
    assert not first.method.endswith("+continued") and second.method.endswith("+continued")
    for t in tables:
        assert [c.text for c in t.rows[0].cells] == rows[0]  # each page's part starts with the header
    body = [[c.text for c in r.cells] for t in tables for r in t.rows[1:]]
    assert body == rows[1:]  # every row once, in order, nothing lost at the page break
    assert_boxes_hold_their_words(paper, tables)


def test_borderless_table_with_multi_line_cells(tmp_path):
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    body = getSampleStyleSheet()["BodyText"]
    measures = [
        ("Percentage of children who became the subject of a plan for a second or subsequent time",
         "Performance is below the target and below the averages of statistical neighbours. Improvement "
         "actions are in place."),
        ("Assessments completed within 45 working days",
         "Robust action plans are in place with management oversight."),
        ("Children looked after seen in the last six weeks by their social worker",
         "We are tightening data quality and recording processes to strengthen management oversight of visits."),
    ]
    rows = [["No.", "Measure", "Target", "Current", "Commentary"]]
    rows += [[str(i), Paragraph(m, body), f"{70 + i}%", f"{60 + i}.5%", Paragraph(c, body)]
             for i, (m, c) in enumerate(measures, start=1)]
    table = Table(rows, colWidths=[30, 150, 50, 50, 200])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 10)]))
    path = tmp_path / "borderless.pdf"
    SimpleDocTemplate(str(path), pagesize=A4).build([table])
    paper, tables = _extract(path)
    assert len(tables) == 1
    t = tables[0]
    assert not t.method.startswith("camelot-lattice")  # no grid of rules: a text strategy won
    texts = [[c.text for c in r.cells] for r in t.rows]
    assert [fold(x) for x in texts[0]] == rows[0]
    assert len(texts) == 4  # header + one row per measure, however many lines each wraps to
    for got, (i, (measure, commentary)) in zip(texts[1:], enumerate(measures, start=1)):
        assert got[0] == str(i)
        assert fold(got[1]) == measure and "\n" in got[1]
        assert got[2:4] == [f"{70 + i}%", f"{60 + i}.5%"]
        assert fold(got[4]) == commentary
    assert_boxes_hold_their_words(paper, tables)


def _sideways_pdf(path: Path, rotate: int | None):
    """A landscape table drawn turned on a portrait page; with rotate=90 the page carries /Rotate 90
    so it displays as a landscape page with the table upright."""
    import pypdfium2 as pdfium
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas
    from reportlab.platypus import Table, TableStyle

    rows = [["Measure", "Apr", "May", "Jun", "Jul", "Aug", "Sep"]] + [
        [f"Indicator {i}"] + [f"{10 * i + j}.0%" for j in range(6)] for i in range(1, 6)]
    c = canvas.Canvas(str(path), pagesize=A4)
    c.saveState()
    c.translate(A4[0], 0)
    c.rotate(90)
    table = Table(rows, colWidths=[120] + [60] * 6)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    table.wrapOn(c, 800, 500)
    table.drawOn(c, 80, 100)
    c.restoreState()
    c.showPage()
    c.save()
    if rotate:
        pdf = pdfium.PdfDocument(str(path))
        pdf[0].set_rotation(rotate)
        pdf.save(str(path) + ".tmp")
        pdf.close()
        Path(str(path) + ".tmp").replace(path)
    return rows


@pytest.mark.parametrize("rotate", [90, None], ids=["landscape-rotate-90", "sideways-no-rotate"])
def test_rotated_pages(tmp_path, rotate):
    path = tmp_path / "rotated.pdf"
    rows = _sideways_pdf(path, rotate)
    paper, tables = _extract(path)
    page = paper.pages[0]
    if rotate:
        assert page.width > page.height  # displayed as landscape
    assert len(tables) == 1
    assert [[c.text for c in r.cells] for r in tables[0].rows] == rows
    box = tables[0].bbox
    assert 0 <= box.x0 < box.x1 <= page.width + 1 and 0 <= box.top < box.bottom <= page.height + 1
    assert_boxes_hold_their_words(paper, tables)


def test_agreement_raises_confidence(tmp_path):
    """The same ruled table scores higher when another strategy reads it the same way than when it
    stands alone; and end to end, a grid both ruled strategies agree on beats a lone text table."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    path = tmp_path / "grid.pdf"
    table = Table(_ruled_rows(8), colWidths=[40, 200, 70, 70, 60])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    SimpleDocTemplate(str(path), pagesize=A4).build([table])
    with PdfPages(path) as pdf:
        parse = pdf.page(1)
        cands = run_camelot(parse)
        hrules = _hrules(parse)
        plumber = plumber_lines(parse)
        assert len(cands.lattice) == 1 and len(plumber) == 1
        agreed = cands.lattice[0]
        _score(agreed, cands, plumber, hrules)
        assert agreed.agreement["pdfplumber-lines"] == 1.0
        alone = run_camelot(parse).lattice[0]
        _score(alone, Candidates(parse, [], [], []), [], hrules)  # no other strategy found a table
        assert max(alone.agreement.values(), default=0.0) == 0.0
        assert agreed.confidence > alone.confidence
        assert alone.confidence <= 0.5 < agreed.confidence

    _, grid_tables = _extract(path)
    assert len(grid_tables) == 1 and grid_tables[0].method == "camelot-lattice-vector"
    assert grid_tables[0].confidence >= 0.9


def test_image_only_pages_are_skipped():
    """A scanned page has no text layer: its tables are rebuilt by extractors.ocr_tables, not here."""
    path = PAPERS / "000-bucks-cabinet-scorecard-scan.pdf"
    assert extract_tables(path, "scan", None) == []
    paper = ingest_file(path)
    assert all(p.ocr for p in paper.pages)
    assert extract_tables(path, paper.document.id, paper.pages) == []


def test_modes_and_page_selection():
    path = PAPERS / "000-bucks-cabinet-scorecard-q4-2017-18.pdf"
    from extractors.tables import extract_borderless_tables, extract_ruled_tables

    ruled = extract_ruled_tables(path, "doc", [2])
    assert {t.page for t in ruled} == {2} and len(ruled) == 3
    assert all(t.method.startswith(("camelot-lattice-vector", "pdfplumber-lines")) for t in ruled)
    borderless = extract_borderless_tables(path, "doc", [1])
    assert borderless and all(t.method.startswith("camelot-network") for t in borderless)
