"""Every born-digital fixture through `extract_paper`, the way the pipeline reads it: the layout chosen
automatically must read the paper as its hand-written truth file says (>= 99% of printed values).

The layout tests check each parser on its own; this checks the choice between them (e.g. a monthly
grid must not be taken by a parser that reads it as rows of blanks).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import PAPERS, TRUTH
from extractors.evaluate import load_truth, score_rows
from extractors.extract import extract_paper
from extractors.ingest import ingest_file
from extractors.layouts.dashboard_score import score_dashboard
from extractors.layouts.dataset_truth import score_dataset
from extractors.layouts.portfolio_score import score_portfolio

DATASET_PDF = PAPERS.parent / "003-dataset-variants" / "003-southampton-dataset-jun-18-table.pdf"

CASES = [
    # (paper, layout it must be read as, scorer)
    (PAPERS / "000-bucks-cabinet-scorecard-q4-2017-18.pdf", "quarterly_scorecard", score_rows),
    (PAPERS / "001-bucks-portfolio-q2-2018-19.pdf", "portfolio", "portfolio"),
    (PAPERS / "002-bucks-dashboard-jan-2015.pdf", "monthly_dashboard", score_dashboard),
    (PAPERS / "900-eastmoor-scorecard-q2-2023-24.pdf", "quarterly_scorecard", score_rows),
    (PAPERS / "901-westbrook-monthly-scorecard-sep-2023.pdf", None, score_dashboard),
    (DATASET_PDF, "monthly_dataset", "dataset"),
]


@pytest.mark.parametrize("path,layout,scorer", CASES, ids=[c[0].stem for c in CASES])
def test_the_chosen_layout_reads_the_paper_right(path: Path, layout, scorer):
    paper = ingest_file(path)
    result = extract_paper(paper.document, paper.pages, path)
    truth = load_truth(path.with_suffix(".yaml") if path.parent != PAPERS else TRUTH / f"{path.stem}.yaml")
    if scorer == "portfolio":
        score = score_portfolio(result.rows, truth, result.facts)
    elif scorer == "dataset":
        score = score_dataset(result.rows, truth).values
    else:
        score = scorer(result.rows, truth)
    print(f"\n{path.name}: layout {result.layout}, {score.right}/{score.checked} right ({score.accuracy:.2%})")
    for miss in score.misses[:20]:
        print("  MISS", miss)
    if layout is not None:
        assert result.layout == layout
    assert score.checked > 50
    assert score.accuracy >= 0.99
