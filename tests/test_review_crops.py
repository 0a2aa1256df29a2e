"""Evidence crops: which crops an item shows, the page region, the highlight drawn on the real PDF, and the
marked lines of a text paper."""
from __future__ import annotations

import hashlib
import io

from PIL import Image
from test_review_support import PAPER

from review.crops import SCALE, CropRenderer, CropSpec, Highlight, crop_specs, region, text_excerpt, words_excerpt
from schemas import BBox, Discrepancy, Evidence, LineSpan, MeasureRow, PeriodValue, Provenance, Severity, Word

DOC = hashlib.sha256(PAPER.read_bytes()).hexdigest()


def _prov(page=1, bbox=None, lines=None):
    return Provenance(document_id=DOC, page=page, bbox=bbox, lines=lines, raw_text="x")


def _row(**changes) -> MeasureRow:
    row = MeasureRow(document_id=DOC, row_ref="3", row_label="% of children subject to a CP Plan lasting 2 years",
                     values=[PeriodValue(period_label="Q4", value=2, value_text="2%",
                                         provenance=_prov(bbox=BBox(x0=292, top=160, x1=322, bottom=170)))],
                     label_provenance=_prov(bbox=BBox(x0=22, top=160, x1=84, bottom=200)),
                     commentary_provenance=_prov(bbox=BBox(x0=422, top=160, x1=572, bottom=169)))
    return row.model_copy(update=changes)


def _flag(evidence) -> Discrepancy:
    return Discrepancy(id="f" * 20, rule="RAG_MISMATCH", severity=Severity.error, message="m", document_id=DOC,
                       row_ref="3", evidence=evidence)


def test_specs_value_crops_per_page_then_commentary():
    flag = _flag([Evidence(label="printed RAG", text="Green", provenance=_prov(bbox=BBox(x0=322, top=160, x1=360, bottom=170))),
                  Evidence(label="target", text="2%", provenance=_prov(bbox=BBox(x0=140, top=160, x1=172, bottom=170))),
                  Evidence(label="council's RAG rule", text="…", provenance=_prov(page=2, bbox=BBox(x0=1, top=2, x1=3, bottom=4))),
                  Evidence(label="polarity", text="lower is better")])
    specs = crop_specs(flag, _row())
    assert [(s.kind, s.page) for s in specs] == [("value", 1), ("value", 2), ("commentary", 1)]
    assert [h.style for h in specs[0].highlights] == ["label", "value", "evidence"]  # the row's label for context


def test_specs_for_a_text_paper_are_line_spans():
    flag = _flag([Evidence(label="value (Apr-18)", text="2.7%", provenance=_prov(page=1, lines=LineSpan(start=12, end=12)))])
    row = _row(label_provenance=_prov(lines=LineSpan(start=10, end=10)), commentary_provenance=_prov(lines=LineSpan(start=20, end=21)))
    specs = crop_specs(flag, row)
    assert [(s.kind, s.lines) for s in specs] == [("value", (10, 12)), ("commentary", (20, 21))]
    text = "\n".join(f"line {n}" for n in range(1, 31))
    excerpt = text_excerpt(text, (10, 12))
    assert [n for n, _t, marked in excerpt if marked] == [10, 11, 12]
    assert excerpt[0][0] == 7 and excerpt[-1][0] == 15


def test_region_adds_margins_and_stays_on_the_page():
    r = region([BBox(x0=5, top=5, x1=50, bottom=15)], 595, 842)
    assert (r.x0, r.top) == (0, 0) and r.x1 == 86 and r.bottom == 45
    wide = region([BBox(x0=0, top=100, x1=595, bottom=110)], 595, 842)
    assert wide.x1 - wide.x0 <= 620


def test_render_highlights_the_box_on_the_real_pdf():
    box = BBox(x0=292.68, top=67.47, x1=322.68, bottom=76.37)
    spec = CropSpec("value", "t", 3, (Highlight(box, "value"),))
    renderer = CropRenderer()
    path = renderer.verified_path(DOC, ["/nonexistent.pdf", str(PAPER)])
    assert path == PAPER
    assert renderer.verified_path("0" * 64, [str(PAPER)]) is None  # other bytes than the paper's: not used
    image = Image.open(io.BytesIO(renderer.render(path, spec))).convert("RGB")
    area = region([box], 595.28, 841.89)
    assert abs(image.width - (area.x1 - area.x0) * SCALE) <= 2
    # The highlight's outline (orange) is drawn at the box's left edge.
    x = int((box.x0 - 1.5 - area.x0) * SCALE) + 1
    y = int(((box.top + box.bottom) / 2 - area.top) * SCALE)
    r, g, b = image.getpixel((x, y))
    assert r > 180 and 90 < g < 160 and b < 60, (r, g, b)
    assert renderer.render(path, spec) is renderer.render(path, spec)  # cached


def test_words_excerpt_when_the_file_is_missing():
    words = [Word(text="17", bbox=BBox(x0=22, top=67, x1=30, bottom=76)),
             Word(text="Red", bbox=BBox(x0=330, top=67, x1=350, bottom=76)),
             Word(text="far", bbox=BBox(x0=22, top=700, x1=40, bottom=710))]
    spec = CropSpec("value", "t", 1, (Highlight(BBox(x0=22, top=67, x1=350, bottom=76), "value"),))
    assert words_excerpt(words, spec, 595, 842) == ["17 Red"]
