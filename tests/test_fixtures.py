"""Checks of the fixture papers (fixtures/papers) against the hand-written truth (fixtures/truth).

- every paper in papers.yaml exists and has a truth file (and nothing unlisted lies around);
- regenerating with fixtures/make_fixtures.py gives the committed files (bytes; pixels for the scan);
- the born-digital PDFs' text layer holds every truth label and value, in the right row (and, for the
  tables, under the right period column): an independent check of the truth against the PDFs;
- the scan has no text layer; 000 is ruled, 001 borderless, 002 landscape.

The text checks read pdfplumber words and follow a phrase through wrapped cell lines (next word on the
same line, or a word on the next line that overlaps the phrase's column), so they do not depend on
how make_fixtures.py lays the tables out.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pdfplumber
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
PAPERS = FIXTURES / "papers"
TRUTH = FIXTURES / "truth"
SEEDS = Path(os.environ.get("SCRUTINY_SEEDS") or (ROOT.parent / "shared" / "seeds"))

MANIFEST: dict = yaml.safe_load((PAPERS / "papers.yaml").read_text(encoding="utf-8"))
ALL = sorted(MANIFEST)
PDFS = [n for n in ALL if n.endswith(".pdf")]
BORN_DIGITAL = [n for n in PDFS if MANIFEST[n]["format"] == "pdf"]
SCANS = [n for n in PDFS if MANIFEST[n]["format"] == "pdf_scanned"]
TABULAR = {"quarterly_scorecard", "portfolio", "monthly_dashboard"}

pytestmark = pytest.mark.xdist_group("fixtures")


def truth_for(name: str) -> dict:
    return yaml.safe_load((TRUTH / f"{Path(name).stem}.yaml").read_text(encoding="utf-8"))


# ------------------------------------------------------------------ words and phrases


def norm(tok: str) -> str:
    return tok.rstrip(".,;:")


class Doc:
    """pdfplumber words of a PDF, per page, with a phrase finder that follows wrapped cells."""

    def __init__(self, path: Path):
        self.pages: list[list[dict]] = []
        self.text_pages: list[str] = []
        self.size: list[tuple[float, float]] = []
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                words = page.extract_words(keep_blank_chars=False, use_text_flow=False)
                for w in words:
                    w["n"] = norm(w["text"])
                    w["h"] = w["bottom"] - w["top"]
                words.sort(key=lambda w: (round(w["top"], 1), w["x0"]))
                self.pages.append(words)
                self.text_pages.append(" ".join((page.extract_text() or "").split()))
                self.size.append((float(page.width), float(page.height)))

    @staticmethod
    def _same_line_next(words, cur, tok):
        out = []
        for w in words:
            if w["n"] != tok:
                continue
            overlap = min(w["bottom"], cur["bottom"]) - max(w["top"], cur["top"])
            if overlap < 0.3 * min(w["h"], cur["h"]):
                continue
            gap = w["x0"] - cur["x1"]
            if -0.5 <= gap <= 0.65 * max(cur["h"], w["h"]):
                out.append(w)
        return out

    @staticmethod
    def _next_line(words, cur, span, tok):
        out = []
        for w in words:
            if w["n"] != tok:
                continue
            dy = w["top"] - cur["top"]
            if not (0.6 * cur["h"] < dy < 2.6 * cur["h"]):
                continue
            if w["x1"] >= span[0] - 12 and w["x0"] <= span[1]:
                out.append(w)
        return out

    def find(self, phrase: str, page: int | None = None) -> list[tuple[int, list[dict]]]:
        """All occurrences of phrase: (page index, [words])."""
        toks = [norm(t) for t in phrase.split()]
        toks = [t for t in toks if t] or [phrase.strip()]
        hits = []
        pages = range(len(self.pages)) if page is None else [page]
        for p in pages:
            words = self.pages[p]
            for start in (w for w in words if w["n"] == toks[0]):
                chain = self._extend(words, [start], toks, (start["x0"], start["x1"]))
                if chain:
                    hits.append((p, chain))
        return hits

    def _extend(self, words, chain, toks, span):
        if len(chain) == len(toks):
            return chain
        cur, tok = chain[-1], toks[len(chain)]
        for w in self._same_line_next(words, cur, tok):
            got = self._extend(words, chain + [w], toks, (span[0], w["x1"]))
            if got:
                return got
        for w in self._next_line(words, cur, span, tok):
            got = self._extend(words, chain + [w], toks, (min(span[0], w["x0"]), w["x1"]))
            if got:
                return got
        return None

    def left_neighbour(self, page: int, word: dict) -> dict | None:
        best = None
        for w in self.pages[page]:
            overlap = min(w["bottom"], word["bottom"]) - max(w["top"], word["top"])
            if overlap < 0.3 * min(w["h"], word["h"]) or w["x1"] > word["x0"] + 0.1:
                continue
            if best is None or w["x1"] > best["x1"]:
                best = w
        return best


_DOCS: dict[str, Doc] = {}


def doc(name: str) -> Doc:
    if name not in _DOCS:
        _DOCS[name] = Doc(PAPERS / name)
    return _DOCS[name]


def bbox(chain: list[dict]) -> tuple[float, float, float, float]:
    return (min(w["x0"] for w in chain), min(w["top"] for w in chain), max(w["x1"] for w in chain), max(w["bottom"] for w in chain))


# ------------------------------------------------------------------ manifest and truth


def test_manifest_lists_existing_files_with_truth():
    layouts = {"quarterly_scorecard", "portfolio", "monthly_dashboard", "monthly_dataset", "narrative"}
    for name, meta in MANIFEST.items():
        assert (PAPERS / name).is_file(), name
        assert meta["layout"] in layouts, name
        assert set(meta) >= {"council", "title", "meeting_date", "layout"}, name
        t = truth_for(name)
        assert t["fixture"] == name
        assert t["layout"] == meta["layout"], name
        assert t["council"] == meta["council"], name
        assert t["seed"] == meta["seed"], name
    assert str(MANIFEST["004-wokingham-osc-performance-2017-09-12.pdf"]["meeting_date"]) == "2017-09-12"


def test_no_unlisted_papers_or_truth():
    papers = {p.name for p in PAPERS.iterdir() if p.name != "papers.yaml"}
    assert papers == set(MANIFEST)
    truths = {p.stem for p in TRUTH.glob("*.yaml")}
    assert truths == {Path(n).stem for n in MANIFEST}


def test_truth_files_are_consistent():
    t000 = truth_for("000-bucks-cabinet-scorecard-q4-2017-18.pdf")
    assert [r["ref"] for r in t000["rows"]] == [str(i) for i in range(1, 18)]
    for r in t000["rows"]:
        assert [v[0] for v in r["values"]] == t000["periods"], r["ref"]
        assert r["rag"] in {"red", "amber", "green"}
    scan = truth_for("000-bucks-cabinet-scorecard-scan.pdf")
    n = len(scan["rows"])
    assert n >= 1 and scan["rows"] == t000["rows"][:n]
    t004 = truth_for("004-wokingham-osc-performance-2017-09-12.pdf")
    counts = {k: sum(1 for r in t004["rows"] if r["rag"] == k) for k in ("red", "amber", "green")}
    assert counts == t004["summary_counts"]
    units = {"percent", "count", "rate_per_10000", "days", "ratio", "score", "other"}
    bench_keys = {"england", "region", "stat_neighbours", "cipfa_neighbours", "other"}
    for name in ALL:
        t = truth_for(name)
        for r in t.get("rows", []):
            assert r.get("unit") in units, (name, r.get("label"))
            assert set(r.get("benchmarks") or {}) <= bench_keys, (name, r.get("label"))
            if t["layout"] == "monthly_dataset":  # compact form: one number per period
                assert r.get("recoverable") is False or len(r["values"]) == len(t["periods"]), r
                continue
            for v in r.get("values") or []:
                assert len(v) == 3 and isinstance(v[1], str), (name, r.get("label"), v)


# ------------------------------------------------------------------ regeneration


def _load_generator(script: str = "make_fixtures.py"):
    name = Path(script).stem
    spec = importlib.util.spec_from_file_location(name, FIXTURES / script)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up in sys.modules
    spec.loader.exec_module(mod)
    return mod


def _generator(name: str) -> str:
    """The script that makes a fixture (manifest 'generator'; seeds-based make_fixtures.py by default)."""
    return MANIFEST[name].get("generator", "make_fixtures.py")


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    """Every generator script run into one temporary folder, in dependency order (scans render PDFs)."""
    if not SEEDS.is_dir():
        pytest.skip(f"seed folder not found: {SEEDS} (set SCRUTINY_SEEDS)")
    out = tmp_path_factory.mktemp("fixtures")
    _load_generator().main(out_dir=out, seeds_dir=SEEDS)
    for script in sorted({_generator(n) for n in ALL} - {"make_fixtures.py"}):
        _load_generator(script).main(out_dir=out)
    return out


def _jpeg_pixels(path: Path):
    import io

    import numpy as np
    from PIL import Image

    with pdfplumber.open(path) as pdf:
        (img,) = pdf.pages[0].images
        data = img["stream"].get_data()
    return np.asarray(Image.open(io.BytesIO(data)).convert("L"), dtype=np.int16)


@pytest.mark.parametrize("name", ALL)
def test_regeneration_reproduces_committed_file(regenerated, name):
    new, old = (regenerated / name).read_bytes(), (PAPERS / name).read_bytes()
    if new == old:
        return
    if name in SCANS:  # a different libjpeg / pdfium may change bytes; the pixels must still agree
        a, b = _jpeg_pixels(regenerated / name), _jpeg_pixels(PAPERS / name)
        assert a.shape == b.shape
        assert float(abs(a - b).mean()) < 2.0
        return
    pytest.fail(f"{name}: regenerated file differs from the committed one; re-run fixtures/make_fixtures.py")


def test_003_is_the_seed_unchanged():
    if not SEEDS.is_dir():
        pytest.skip("seeds not available")
    name = "003-southampton-dataset-jun-18.txt"
    assert (PAPERS / name).read_bytes() == (SEEDS / MANIFEST[name]["seed"]).read_bytes()


# ------------------------------------------------------------------ physical properties


def test_file_sizes():
    for name in BORN_DIGITAL:
        assert (PAPERS / name).stat().st_size < 100_000, name
    for name in SCANS:
        assert (PAPERS / name).stat().st_size < 400_000, name


@pytest.mark.parametrize("name", SCANS)
def test_scan_is_image_only(name):
    with pdfplumber.open(PAPERS / name) as pdf:
        assert len(pdf.pages) == 1
        page = pdf.pages[0]
        assert page.chars == [] and (page.extract_text() or "").strip() == ""
        (img,) = page.images
        dpi = img["srcsize"][0] / (float(page.width) / 72)
        assert 190 < dpi < 210


def test_000_is_ruled_and_001_is_borderless():
    with pdfplumber.open(PAPERS / "000-bucks-cabinet-scorecard-q4-2017-18.pdf") as pdf:
        assert 3 <= len(pdf.pages) <= 5
        for page in pdf.pages:
            assert len(page.lines) + len(page.rects) >= 10
            assert page.extract_tables(), "ruled tables should be found by the lines strategy"
    with pdfplumber.open(PAPERS / "001-bucks-portfolio-q2-2018-19.pdf") as pdf:
        for page in pdf.pages:
            assert page.rects == []
            assert len(page.lines) <= 4  # only the thin rule under each header row
            assert page.width < page.height


def test_002_is_landscape():
    with pdfplumber.open(PAPERS / "002-bucks-dashboard-jan-2015.pdf") as pdf:
        for page in pdf.pages:
            assert page.width > page.height


# ------------------------------------------------------------------ truth against the text layer


def _column_x(d: Doc, page: int, header: str, below: float) -> tuple[float, float] | None:
    """x-range of the nearest printing of a column header above y=below on the page."""
    hits = [c for _p, c in d.find(header, page) if c[0]["top"] < below]
    if not hits:
        return None
    x0, _, x1, _ = bbox(max(hits, key=lambda c: c[0]["top"]))
    return x0, x1


def _section_names(t: dict) -> list[str]:
    return [s["heading"] if isinstance(s, dict) else s for s in t.get("sections", [])]


def _section_above(d: Doc, t: dict, page: int, top: float) -> str | None:
    """The last section heading printed before (page, top)."""
    best, best_pos = None, None
    for heading in set(_section_names(t)):
        for p, chain in d.find(heading):
            pos = (p, chain[0]["top"])
            if pos < (page, top) and (best_pos is None or pos > best_pos):
                best, best_pos = heading, pos
    return best


def _check_row(d: Doc, name: str, t: dict, r: dict) -> list[str]:
    """Errors for one tabular row (empty if the row is found with all its cells)."""
    hits = d.find(r["label"])
    if not hits:
        return [f"label not found: {r['label']!r}"]
    failures = []
    for page, chain in hits:
        errs = []
        _, top, _, bottom = bbox(chain)
        band = (top - 3, bottom + 3)

        def in_band(text: str) -> list[list[dict]]:
            return [c for p, c in d.find(text, page) if band[0] <= c[0]["top"] <= band[1]]

        if r.get("ref"):
            left = d.left_neighbour(page, chain[0])
            if left is None or left["text"] != r["ref"]:
                errs.append(f"ref {r['ref']!r} not printed before the label")
        for period, text, _num in r.get("values") or []:
            found = in_band(text)
            if not found:
                errs.append(f"value {period}={text!r} not in the row")
                continue
            merged = next((m for m in r.get("merged_cells") or [] if m["text"] == text), None)
            if merged:
                a, b = _column_x(d, page, merged["from"], top), _column_x(d, page, merged["to"], top)
                col = (a[0], b[1]) if a and b else None
            else:
                col = _column_x(d, page, period, top)
            if col is None:
                errs.append(f"period header {period!r} not found on page {page + 1}")
                continue
            if not any(col[0] - 6 <= (bbox(c)[0] + bbox(c)[2]) / 2 <= col[1] + 6 for c in found):
                errs.append(f"value {period}={text!r} not under its column")
        cells = [r.get("target_text"), r.get("benchmark_text"), r.get("period_note")]
        cells += [x[1] for x in (r.get("baseline"), r.get("outturn"), r.get("future_target")) if x]
        for text in filter(None, cells):
            if not in_band(text):
                errs.append(f"cell {text!r} not in the row")
        for key, header in (t.get("benchmark_columns") or {}).items():
            if key in (r.get("benchmarks") or {}):
                text = f"{r['benchmarks'][key]:.1f}%"
                col = _column_x(d, page, header, top)
                if col is None or not any(col[0] - 6 <= (bbox(c)[0] + bbox(c)[2]) / 2 <= col[1] + 6 for c in in_band(text)):
                    errs.append(f"benchmark {key}={text!r} not under {header!r}")
        if r.get("rag") and not (in_band(r["rag"].capitalize()) or in_band(r["rag"].upper())):
            errs.append(f"RAG {r['rag']!r} not in the row")
        if r.get("data_period") and not in_band(r["data_period"]):
            errs.append(f"data period {r['data_period']!r} not in the row")
        if r.get("polarity"):
            good = {"lower_better": "Low", "higher_better": "High"}[r["polarity"]]
            if not in_band(good):
                errs.append(f"'Good to be' {good!r} not in the row")
        section = _section_above(d, t, page, top)
        if r.get("section") in _section_names(t) and section != r["section"]:
            errs.append(f"printed under section {section!r}, truth says {r['section']!r}")
        if not errs:
            return []
        failures.append(f"p{page + 1}: " + "; ".join(errs))
    return [f"{r['label']!r}: " + " | ".join(failures)]


TABULAR_PDFS = [n for n in BORN_DIGITAL if MANIFEST[n]["layout"] in TABULAR]


@pytest.mark.parametrize("name", TABULAR_PDFS)
def test_tabular_truth_rows_are_in_the_pdf(name):
    t, d = truth_for(name), doc(name)
    errors = []
    for r in t["rows"]:
        errors += _check_row(d, name, t, r)
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("name", TABULAR_PDFS)
def test_section_headings_and_columns_are_printed(name):
    t, d = truth_for(name), doc(name)
    for col in t.get("columns", []) + list((t.get("columns_row2") or {}).values()):
        if col:
            assert d.find(col), f"column header {col!r} not found"
    for s in t.get("sections", []):
        heading = s["heading"] if isinstance(s, dict) else s
        assert d.find(heading), f"section heading {heading!r} not found"


def test_002_side_tables_are_in_the_pdf():
    name = "002-bucks-dashboard-jan-2015.pdf"
    t, d = truth_for(name), doc(name)
    for table in t["tables"]:
        assert d.find(table["title"]), table["title"]
        if "cells" in table:
            (page, title), = d.find(table["title"])
            x0, ttop, _, _ = bbox(title)
            for comparator, period, text, _num in table["cells"]:
                head = [c for p, c in d.find(comparator) if p == page and 0 < c[0]["top"] - ttop < 30 and x0 - 5 <= c[0]["x0"] <= x0 + 250]
                assert head, comparator
                hx0, htop, hx1, _ = bbox(head[0])
                under = [c for p, c in d.find(text) if p == page and c[0]["top"] > htop and hx0 - 5 <= c[0]["x0"] <= hx1 + 20 and c[0]["top"] - htop < 60]
                assert under, f"{table['name']}: {text!r} under {comparator!r}"
                per = [c for p, c in d.find(period) if p == page and c[0]["top"] > htop and hx0 - 5 <= c[0]["x0"] <= hx1 + 20 and c[0]["top"] - htop < 40]
                assert per, f"{table['name']}: period {period!r} under {comparator!r}"
        else:
            assert d.find(table["period"]), table["period"]
            for label, text, _num in table["rows"]:
                hits = d.find(label)
                assert hits, label
                ok = False
                for page, chain in hits:
                    _, top, _, bottom = bbox(chain)
                    ok |= any(top - 3 <= c[0]["top"] <= bottom + 3 for p, c in d.find(text) if p == page)
                assert ok, f"{table['name']}: {label!r} = {text!r}"
    for text, *_ in t["text_figures"]:
        assert d.find(text), text


def test_004_narrative_truth_is_in_the_pdf():
    name = "004-wokingham-osc-performance-2017-09-12.pdf"
    t, d = truth_for(name), doc(name)
    assert d.find(t["summary_text"])
    # Section headings are lines holding just "Red" / "Amber" / "Green".
    flat = [(p, w["top"], w["x0"], w) for p, ws in enumerate(d.pages) for w in ws]
    flat.sort(key=lambda x: (x[0], x[1], x[2]))

    def pos(p, w):
        return (p, w["top"], w["x0"])

    def heading_pos(word):
        for p, ws in enumerate(d.pages):
            for w in ws:
                line = [x for x in ws if abs(x["top"] - w["top"]) < 1]
                if w["text"] == word and len(line) == 1:
                    return pos(p, w)
        raise AssertionError(f"heading {word!r} not found")

    bounds = {"Red": heading_pos("Red"), "Amber": heading_pos("Amber"), "Green": heading_pos("Green")}
    ends = {"Red": bounds["Amber"], "Amber": bounds["Green"], "Green": (len(d.pages), 0, 0)}
    style_left = {"bullet_number": "{ref}.", "bold_number": "{ref}.", "numbered_list": "{ref}."}
    for r in t["rows"]:
        hits = d.find(r["label"])
        assert len(hits) == 1, r["label"]
        page, chain = hits[0]
        assert bounds[r["section"]] < pos(page, chain[0]) < ends[r["section"]], r["label"]
        left = d.left_neighbour(page, chain[0])
        assert left is not None and left["text"] == style_left[r["list_style"]].format(ref=r["ref"]), r["label"]
        if r["list_style"] == "bullet_number":
            bullet = d.left_neighbour(page, left)
            assert bullet is not None and bullet["text"] == "•"
        texts = [v[1] for v in r["values"]] + [f[0] for f in r["text_figures"]]
        for text in texts:
            assert d.find(text), f"{r['label']!r}: {text!r}"
    for key, value in t["header"] + t["contact"]:
        assert d.find(key) and d.find(value), (key, value)
    for row in t["financial_implications"]["rows"]:
        for cell in filter(None, row):
            assert d.find(cell), cell
    for col in filter(None, t["financial_implications"]["columns"]):
        assert d.find(col), col


def test_003_truth_values_are_in_the_ocr_text():
    """Each recoverable series of the 003 truth appears, in month order, in the OCR token stream
    (printed text where the truth records it, else the clean number as the paper formats it)."""
    name = "003-southampton-dataset-jun-18.txt"
    t = truth_for(name)
    tokens = (PAPERS / name).read_text(encoding="utf-8").split()
    positions: dict[str, list[int]] = {}
    for i, tok in enumerate(tokens):
        positions.setdefault(tok, []).append(i)

    def fmt(v, unit):
        return f"{v:.1f}%" if unit == "percent" else str(int(v))

    def found(seq: list[str], window: int = 90) -> bool:
        for start in positions.get(seq[0], []):
            i, ok = start, True
            for tok in seq[1:]:
                nxt = next((j for j in positions.get(tok, []) if j > i), None)
                if nxt is None or nxt - start > window:
                    ok = False
                    break
                i = nxt
            if ok:
                return True
        return False

    errors = []
    for r in t["rows"]:
        if r.get("recoverable") is False:
            continue
        ocr, lost = r.get("ocr") or {}, set(r.get("lost") or [])
        seq = [ocr.get(p) or fmt(v, r["unit"]) for p, v in zip(t["periods"], r["values"]) if p not in lost]
        if not found(seq):
            errors.append(f"{r.get('ref') or r.get('label')}: {' '.join(seq)}")
    assert not errors, "\n".join(errors)


def _number(text: str):
    import re

    m = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*%?\s*", text)
    return float(m.group(1)) if m else None


@pytest.mark.parametrize("name", [n for n in ALL if MANIFEST[n]["layout"] != "monthly_dataset"])
def test_truth_numbers_match_their_printed_text(name):
    """Inside each truth file: numbers agree with the texts typed next to them."""
    import re

    t = truth_for(name)
    for r in t["rows"]:
        cells = list(r.get("values") or []) + [x for x in (r.get("baseline"), r.get("outturn"), r.get("future_target")) if x]
        for _col, text, num in cells:
            want = _number(text)
            assert (num is None and want is None) or (num is not None and want is not None and abs(num - want) < 1e-9), (r["label"], text, num)
        if r.get("target_text"):
            first = re.match(r"(\d+(?:\.\d+)?)%", r["target_text"])
            assert first and float(first.group(1)) == r["target"], (r["label"], r["target_text"])
            tol = re.search(r"\((\d+(?:\.\d+)?)% tolerance\)", r["target_text"])
            assert (float(tol.group(1)) if tol else None) == r.get("target_tolerance"), r["label"]
        bench_text = r.get("benchmark_text") or ""
        printed = {float(x) for x in re.findall(r"\d+(?:\.\d+)?", bench_text)}
        for key, value in (r.get("benchmarks") or {}).items():
            if bench_text:
                assert float(value) in printed, (r["label"], key, value)
        if r.get("rag_rule"):
            assert {float(v) for v in r["rag_rule"].values()} <= printed, r["label"]
