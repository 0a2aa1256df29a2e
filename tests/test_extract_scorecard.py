"""Seed 000's ruled scorecard PDF, extracted for real and checked cell by cell against its truth file."""
from pathlib import Path

import pytest

from extractors.evaluate import load_truth, score_rows
from extractors.extract import extract_paper
from extractors.ingest import ingest_file
from extractors.layouts.scorecard import split_item_number
from extractors.observations import to_observations

from conftest import PAPERS, TRUTH

STEM = "000-bucks-cabinet-scorecard-q4-2017-18"


@pytest.fixture(scope="module")
def extraction():
    path = PAPERS / f"{STEM}.pdf"
    paper = ingest_file(path)
    return paper, extract_paper(paper.document, paper.pages, path)


def test_every_printed_cell_matches_the_truth_file(extraction):
    _, result = extraction
    score = score_rows(result.rows, load_truth(TRUTH / f"{STEM}.yaml"))
    print(f"\n000 scorecard: {score.right}/{score.checked} cells right ({score.accuracy:.1%})")
    for miss in score.misses:
        print("  MISS", miss)
    assert result.layout == "quarterly_scorecard"
    assert score.checked >= 17 * 5 * 2
    assert score.accuracy == 1.0


def test_values_keep_page_box_and_raw_text(extraction):
    paper, result = extraction
    pages = {p.number: p for p in paper.pages}
    for row in result.rows:
        for value in row.values:
            prov = value.provenance
            assert prov.document_id == paper.document.id
            box = prov.bbox
            assert box is not None and box.x0 < box.x1 and box.top < box.bottom
            page = pages[prov.page]
            # The printed text really is inside the box on that page.
            inside = [w.text for w in page.words
                      if w.bbox.x0 >= box.x0 - 1 and w.bbox.x1 <= box.x1 + 1
                      and w.bbox.top >= box.top - 1 and w.bbox.bottom <= box.bottom + 1]
            assert " ".join(inside) == value.value_text, (row.row_ref, value.period_label)


def test_target_rag_and_benchmarks_sit_on_the_rated_period(extraction):
    _, result = extraction
    observations = to_observations(result.rows)
    assert len(observations) == 17 * 5
    rated = [o for o in observations if o.rag is not None]
    assert {o.period_label for o in rated} == {"Q4 Mar 2018"}
    assert len(rated) == 17
    first = next(o for o in observations if o.row_ref == "1" and o.period_label == "Mar 2017")
    assert first.target is None and first.benchmarks == []
    keys = [o.key for o in observations]
    assert len(set(keys)) == len(keys)


def test_commentary_keeps_paragraphs(extraction):
    _, result = extraction
    row = next(r for r in result.rows if r.row_ref == "1")
    assert row.commentary.startswith("This indicator reflects children")
    assert "At the end of April, performance had improved to 29%." in row.commentary
    assert row.commentary.count("\n") >= 3


@pytest.mark.parametrize("printed,ref,label", [
    ("1 % repeat referrals", "1", "% repeat referrals"),
    ("³ % of children subject to a Child Protection Plan", "3", "% of children subject to a Child Protection Plan"),
    ("17 % of children waiting <14 months", "17", "% of children waiting <14 months"),
    ("% Children Looked After (CLA) seen", None, "% Children Looked After (CLA) seen"),
    ("2. Number of adoptions (E11, E12)", "2", "Number of adoptions (E11, E12)"),
])
def test_item_numbers_come_off_the_measure_name(printed, ref, label):
    assert split_item_number(printed) == (ref, label)
