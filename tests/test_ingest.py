"""Ingest: born-digital and scanned PDFs, OCR text files, and every kind of bad input.

All inputs are generated here (reportlab, pypdfium2, Pillow) in temporary folders.
The OCR tests run Tesseract on one scanned page, once per test module.
"""
from __future__ import annotations

import hashlib
import io
import shutil
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import getAscent, getDescent, stringWidth
from reportlab.pdfgen import canvas

from extractors import ingest as ingest_module
from extractors.ingest import (
    IngestLimits,
    ManifestError,
    discover,
    ingest_file,
    ingest_many,
    load_manifest,
)
from schemas import DocumentState, MediaType

PAGE_W, PAGE_H = A4
FONT, SIZE = "Helvetica", 11
TITLE = ["Children", "in", "Care", "Performance", "Scorecard"]
TABLE = [
    ["Measure", "Target", "Q1", "Q2", "RAG"],
    ["Re-referrals", "22.0%", "21.5%", "24.1%", "Amber"],
    ["Assessments", "85.0%", "88.2%", "90.4%", "Green"],
    ["Placements", "10.0%", "12.7%", "13.9%", "Red"],
    ["Caseloads", "18", "21", "19", "Amber"],
    ["Adoptions", "1,204", "1,187", "1,230", "Green"],
]
COLUMNS = [60, 200, 290, 380, 470]  # left edge of each column's text
ROW_TOP, ROW_H = 700, 26  # baseline of the first row, and row pitch


def _make_table_pdf(path: Path, *, pages: int = 2, **canvas_kwargs) -> list[tuple[str, float, float, float, int]]:
    """A ruled table like a scorecard; returns what was drawn: (word, x, baseline y from top, width, page)."""
    c = canvas.Canvas(str(path), pagesize=A4, **canvas_kwargs)
    drawn = []
    for page in range(1, pages + 1):
        c.setFont(FONT, 14)
        x = 60.0
        for word in TITLE:
            c.drawString(x, 770, word)
            drawn.append((word, x, PAGE_H - 770, stringWidth(word, FONT, 14), page))
            x += stringWidth(word + " ", FONT, 14)
        c.setFont(FONT, SIZE)
        for r, row in enumerate(TABLE):
            y = ROW_TOP - r * ROW_H
            for col, word in zip(COLUMNS, row):
                c.drawString(col, y, word)
                drawn.append((word, col, PAGE_H - y, stringWidth(word, FONT, SIZE), page))
        # Rules: a full grid, as on most council scorecards.
        left, right = COLUMNS[0] - 6, 540
        top, bottom = ROW_TOP + 17, ROW_TOP - len(TABLE) * ROW_H + 17
        c.setLineWidth(0.8)
        for r in range(len(TABLE) + 1):
            c.line(left, top - r * ROW_H, right, top - r * ROW_H)
        for x in [left, *[col - 6 for col in COLUMNS[1:]], right]:
            c.line(x, top, x, bottom)
        c.showPage()
    c.save()
    return drawn


def _scan(src: Path, dst: Path, *, dpi: int = 200, page: int = 0) -> None:
    """Rasterise one page like a scanner would: grey JPEG wrapped in a PDF with no text layer."""
    image = pdfium.PdfDocument(src)[page].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=85)
    Image.open(buf).save(dst, "PDF", resolution=dpi)


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ingest")


@pytest.fixture(scope="module")
def table_pdf(work) -> tuple[Path, list]:
    path = work / "scorecard.pdf"
    drawn = _make_table_pdf(path)
    return path, drawn


@pytest.fixture(scope="module")
def born_digital(table_pdf):
    return ingest_file(table_pdf[0])


# --- born-digital PDFs -------------------------------------------------------------------------


def test_born_digital_document_record(table_pdf, born_digital):
    path, _ = table_pdf
    doc = born_digital.document
    assert doc.state == DocumentState.ingested and doc.failure_reason is None
    assert doc.id == hashlib.sha256(path.read_bytes()).hexdigest()
    assert doc.file_name == "scorecard.pdf"
    assert doc.source == str(path.resolve())
    assert doc.media_type == MediaType.pdf
    assert doc.byte_size == path.stat().st_size
    assert doc.page_count == 2 and [p.number for p in born_digital.pages] == [1, 2]
    assert born_digital.path == path and born_digital.ok


def test_born_digital_words_and_boxes(table_pdf, born_digital):
    _, drawn = table_pdf
    page = born_digital.pages[0]
    assert not page.ocr and page.ocr_confidence is None
    assert page.width == pytest.approx(PAGE_W, abs=0.01) and page.height == pytest.approx(PAGE_H, abs=0.01)
    expected = [d for d in drawn if d[4] == 1]
    assert [w.text for w in page.words] == [d[0] for d in expected]  # same words, in reading order
    for word, (text, x, baseline, width, _) in zip(page.words, expected):
        size = 14 if text in TITLE else SIZE
        box = word.bbox
        # The box spans where reportlab drew the word, from its start to its advance width, within
        # 2 points; vertically it contains the glyphs (ascender to descender) and is no taller than
        # the font's own box (pdfium's loose box: the font bbox, a little taller than pdfplumber's).
        assert box.x0 == pytest.approx(x, abs=2), text
        assert box.x1 == pytest.approx(x + width, abs=2), text
        assert box.top <= baseline - getAscent(FONT, size) + 2, text
        assert box.bottom >= baseline - getDescent(FONT, size) - 2, text
        assert box.bottom - box.top <= 1.3 * size, text


def test_born_digital_text_in_reading_order(born_digital):
    lines = born_digital.pages[0].text.split("\n")
    assert lines[0] == " ".join(TITLE)
    assert lines[1:] == [" ".join(row) for row in TABLE]
    # Every word carries its line, and line n of the text is made of exactly those words.
    for word in born_digital.pages[0].words:
        assert word.text in lines[word.line - 1].split()


def test_words_match_pdfplumber(table_pdf, born_digital, work):
    """Same words as pdfplumber's extract_words(), x exactly, y within the font-box difference; /Rotate too."""
    rotated = work / "rotated.pdf"
    doc = pdfium.PdfDocument(table_pdf[0])
    doc[1].set_rotation(90)
    doc.save(rotated)
    ours = ingest_file(rotated).pages
    with pdfplumber.open(rotated) as pdf:
        for page, theirs in zip(ours, pdf.pages):
            expected = theirs.extract_words(keep_blank_chars=False, use_text_flow=False)
            assert (page.width, page.height) == pytest.approx((theirs.width, theirs.height), abs=0.01)
            key = lambda w: (round(w[1]), round(w[0]))  # noqa: E731 - compare as sets of boxes by position
            mine = sorted(((w.bbox.x0, w.bbox.top, w.text) for w in page.words), key=key)
            plumb = sorted(((w["x0"], w["top"], w["text"]) for w in expected), key=key)
            assert len(mine) == len(plumb)
            for (x0, top, text), (px0, ptop, ptext) in zip(mine, plumb):
                assert text == ptext
                assert x0 == pytest.approx(px0, abs=0.5) and top == pytest.approx(ptop, abs=3)


# --- scanned PDFs (Tesseract) ------------------------------------------------------------------

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="tesseract is not installed (make setup)"
)


def _stamped_scan(scan_jpeg: Path, dst: Path) -> None:
    """A scanned page with a typed stamp on top, as agenda packs have: a text layer, but barely any."""
    c = canvas.Canvas(str(dst), pagesize=A4)
    c.drawImage(str(scan_jpeg), 0, 0, PAGE_W, PAGE_H)
    c.setFont(FONT, 9)
    c.drawString(480, 20, "Agenda Item 5 - Page 23")
    c.save()


@pytest.fixture(scope="module")
def mixed_pdf(table_pdf, work) -> Path:
    """Page 1: a scan of the table (no text layer); page 2: the same scan with a typed page stamp;
    page 3: the born-digital page 2."""
    scan = work / "scan-only.pdf"
    _scan(table_pdf[0], scan)
    jpeg = work / "scan.jpg"
    pdfium.PdfDocument(table_pdf[0])[0].render(scale=200 / 72, grayscale=True).to_pil().save(jpeg, quality=85)
    stamped = work / "stamped.pdf"
    _stamped_scan(jpeg, stamped)
    mixed = pdfium.PdfDocument.new()
    mixed.import_pages(pdfium.PdfDocument(scan), [0])
    mixed.import_pages(pdfium.PdfDocument(stamped), [0])
    mixed.import_pages(pdfium.PdfDocument(table_pdf[0]), [1])
    path = work / "mixed.pdf"
    mixed.save(path)
    return path


@pytest.fixture(scope="module")
def scanned(mixed_pdf):
    return ingest_file(mixed_pdf, limits=IngestLimits(ocr_workers=2))


@needs_tesseract
@pytest.mark.ocr
def test_scanned_pages_are_ocrd_and_the_text_page_is_not(scanned):
    assert scanned.document.state == DocumentState.ingested, scanned.document.failure_reason
    scan, stamped, text = scanned.pages
    assert scan.ocr and scan.ocr_confidence is not None
    assert scan.width == pytest.approx(PAGE_W, abs=1) and scan.height == pytest.approx(PAGE_H, abs=1)
    # The stamp gives page 2 a text layer of 19 characters; the picture under it still gets read.
    assert stamped.ocr and "Placements" in stamped.text and "Agenda" in stamped.text
    assert not text.ocr and text.ocr_confidence is None and text.words[0].bbox is not None


@needs_tesseract
@pytest.mark.ocr
def test_ocr_recovers_words_with_boxes_and_confidences(scanned, born_digital):
    page = scanned.pages[0]
    truth = born_digital.pages[0].words
    got = Counter(w.text for w in page.words)
    recall = sum((Counter(w.text for w in truth) & got).values()) / len(truth)
    assert recall >= 0.9, f"OCR recovered only {recall:.0%}: {page.text!r}"

    # Boxes come back in PDF points, within a few points of the born-digital boxes.
    by_text = {}
    for w in truth:
        by_text.setdefault(w.text, []).append(w.bbox)
    matched = 0
    for word in page.words:
        if word.text not in by_text:
            continue
        b = word.bbox
        best = min(by_text[word.text], key=lambda t: abs(t.x0 - b.x0) + abs(t.top - b.top))
        assert b.x0 == pytest.approx(best.x0, abs=3) and b.x1 == pytest.approx(best.x1, abs=3), word
        assert (b.top + b.bottom) / 2 == pytest.approx((best.top + best.bottom) / 2, abs=3), word
        matched += 1
    assert matched >= 0.9 * len(truth)

    assert all(0 <= w.confidence <= 100 for w in page.words)
    assert page.ocr_confidence == pytest.approx(sum(w.confidence for w in page.words) / len(page.words), abs=0.01)


@needs_tesseract
@pytest.mark.ocr
def test_ocr_lines_make_the_page_text(scanned):
    page = scanned.pages[0]
    lines = page.text.split("\n")
    assert {w.line for w in page.words} == set(range(1, len(lines) + 1))
    for n, line in enumerate(lines, start=1):
        assert line.split() == [w.text for w in page.words if w.line == n]
    # psm 6 with the rules removed reads each table row as one line.
    assert any(line.startswith("Re-referrals") and "Amber" in line for line in lines), page.text


def test_threads_can_ingest_at_once(table_pdf, born_digital):
    """pdfium is not thread-safe; ingest guards it, so a threaded task runner gets the same pages."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        papers = list(pool.map(lambda _: ingest_file(table_pdf[0]), range(8)))
    for paper in papers:
        assert paper.pages == born_digital.pages


def test_missing_tesseract_fails_the_paper(mixed_pdf, monkeypatch):
    import pytesseract

    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    paper = ingest_file(mixed_pdf)
    assert paper.document.state == DocumentState.failed
    assert paper.document.failure_reason == "Tesseract is not installed: run make setup."
    assert paper.pages == []


# --- text files --------------------------------------------------------------------------------


def test_txt_pages_lines_and_cp1252(work):
    path = work / "dataset.txt"
    text = "Children\u2019s services\r\nRe-referrals 22.0%\n\n\fSpend \u00a31,200 \u2013 Q2\nlast line\f"
    path.write_bytes(text.encode("cp1252"))  # not UTF-8: the curly quote, pound and dash are single bytes
    paper = ingest_file(path, council="Southampton")
    doc = paper.document
    assert doc.state == DocumentState.ingested and doc.media_type == MediaType.text
    assert doc.page_count == 2 and doc.council == "Southampton"
    first, second = paper.pages
    assert first.text == "Children\u2019s services\nRe-referrals 22.0%\n\n"
    assert [(w.text, w.line) for w in first.words] == [
        ("Children\u2019s", 1), ("services", 1), ("Re-referrals", 2), ("22.0%", 2)
    ]
    assert [(w.text, w.line) for w in second.words] == [
        ("Spend", 1), ("\u00a31,200", 1), ("\u2013", 1), ("Q2", 1), ("last", 2), ("line", 2)
    ]
    for page in paper.pages:
        assert page.ocr and page.ocr_confidence is None
        assert all(w.bbox is None and w.confidence is None for w in page.words)


def test_txt_utf8_with_bom_and_no_form_feed(work):
    path = work / "bom.txt"
    path.write_bytes("\ufeffCaf\u00e9 r\u00e9sum\u00e9 12\u00a0%\nsecond".encode("utf-8"))
    paper = ingest_file(path)
    assert paper.document.page_count == 1
    assert paper.pages[0].text.startswith("Caf\u00e9")  # BOM dropped
    assert [w.line for w in paper.pages[0].words] == [1, 1, 1, 1, 2]


# --- bad input: one case each ------------------------------------------------------------------


def _zero(work, table):
    path = work / "empty.pdf"
    path.write_bytes(b"")
    return path, IngestLimits()


def _truncated(work, table):
    path = work / "truncated.pdf"
    data = table.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path, IngestLimits()


def _corrupt(work, table):
    path = work / "corrupt.pdf"
    garbage = bytes((i * 7919) % 251 for i in range(4000))
    path.write_bytes(b"%PDF-1.7\n" + garbage + b"\n%%EOF\n")  # a header and a trailer marker, nothing real between
    return path, IngestLimits()


def _encrypted(work, table):
    path = work / "encrypted.pdf"
    _make_table_pdf(path, pages=1, encrypt="secret")
    return path, IngestLimits()


def _html(work, table):
    path = work / "error-page.pdf"
    path.write_text("<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>Not found</body></html>")
    return path, IngestLimits()


def _png(work, table):
    path = work / "picture.pdf"
    Image.new("L", (40, 20), 255).save(path, "PNG")
    return path, IngestLimits()


def _too_big(work, table):
    return table, IngestLimits(max_bytes=2048)


def _too_many_pages(work, table):
    return table, IngestLimits(max_pages=1)


def _docx(work, table):
    path = work / "report.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return path, IngestLimits()


def _bad_encoding(work, table):
    path = work / "mojibake.txt"
    path.write_bytes(b"Re-referrals \x81\x8d\x8f\x90\x9d 22%\n")  # invalid UTF-8, and undefined in cp1252
    return path, IngestLimits()


def _binary_txt(work, table):
    path = work / "scan.txt"
    Image.new("L", (40, 20), 255).save(path, "PNG")
    return path, IngestLimits()


def _missing(work, table):
    return work / "no-such-paper.pdf", IngestLimits()


BAD_CASES = {
    "zero-byte": (_zero, "The file is empty (0 bytes)."),
    "truncated": (_truncated, "The PDF is damaged or truncated and could not be read: "),
    "corrupt": (_corrupt, "The PDF is damaged or truncated and could not be read: data format error."),
    "encrypted": (_encrypted, "The PDF is encrypted (password-protected) and cannot be read."),
    "html-as-pdf": (_html, "The file is not a PDF: it looks like an HTML page (perhaps an error page saved as .pdf)."),
    "png-as-pdf": (_png, "The file is not a PDF: it looks like a PNG image."),
    "over-size": (_too_big, "KB, over the 2 KB limit."),
    "over-pages": (_too_many_pages, "The PDF has 2 pages, over the 1-page limit."),
    "docx": (_docx, "The file type '.docx' is not supported: only PDF (.pdf) and text (.txt) files can be read."),
    "bad-encoding": (
        _bad_encoding, "The text file's encoding could not be read: it is neither UTF-8 nor Windows-1252 text."
    ),
    "binary-txt": (_binary_txt, "The file is not plain text: it looks like a PNG image."),
    "missing": (_missing, "The file does not exist."),
}


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_bad_input_fails_with_a_clear_reason(case, work, table_pdf):
    make, reason = BAD_CASES[case]
    path, limits = make(work, table_pdf[0])
    paper = ingest_file(path, limits=limits)  # never raises
    doc = paper.document
    assert doc.state == DocumentState.failed
    assert reason in doc.failure_reason, doc.failure_reason
    # One plain sentence: no traceback, no line breaks, ends with a full stop.
    assert doc.failure_reason.endswith(".") and "\n" not in doc.failure_reason
    assert "Traceback" not in doc.failure_reason and "Error:" not in doc.failure_reason
    assert paper.pages == [] and not paper.ok
    assert doc.file_name == path.name and len(doc.id) == 64
    if path.exists():
        assert doc.id == hashlib.sha256(path.read_bytes()).hexdigest()
        assert doc.byte_size == path.stat().st_size


def test_failed_documents_keep_what_was_learnt(table_pdf):
    doc = ingest_file(table_pdf[0], limits=IngestLimits(max_pages=1)).document
    assert doc.media_type == MediaType.pdf and doc.page_count == 2


def test_size_reason_in_megabytes(tmp_path):
    path = tmp_path / "huge.pdf"
    with path.open("wb") as f:  # sparse: 3.5 MB on paper, nothing read into memory
        f.truncate(int(3.5 * 1024 * 1024))
    doc = ingest_file(path, limits=IngestLimits(max_bytes=2 * 1024 * 1024)).document
    assert doc.failure_reason == "The file is 3.5 MB, over the 2 MB limit."


def test_unexpected_errors_are_recorded_per_paper(table_pdf, monkeypatch):
    def boom(page):
        raise ValueError("boom")

    monkeypatch.setattr(ingest_module, "read_text_layer", boom)
    doc = ingest_file(table_pdf[0]).document
    assert doc.state == DocumentState.failed
    assert "ValueError: boom" in doc.failure_reason


def test_a_bad_paper_does_not_stop_the_others(work, table_pdf):
    good_pdf = table_pdf[0]
    bad, _ = _html(work, good_pdf)
    good_txt = work / "ok.txt"
    good_txt.write_text("Re-referrals 22.0%\n")
    papers = ingest_many([good_pdf, bad, good_txt])
    assert [p.document.state for p in papers] == [DocumentState.ingested, DocumentState.failed, DocumentState.ingested]
    assert [p.path for p in papers] == [good_pdf, bad, good_txt]
    assert len(papers[0].pages) == 2 and papers[0].pages[0].words
    assert papers[1].pages == []
    assert papers[2].pages[0].words[0].text == "Re-referrals"


# --- finding papers, and their manifest --------------------------------------------------------


def test_discover_expands_folders(tmp_path):
    for name in ["a.pdf", "sub/b.txt", "sub/deeper/C.PDF", ".hidden.pdf", ".git/x.pdf", "notes.docx", "papers.yaml"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    explicit = tmp_path / "notes.docx"
    found = discover([tmp_path, explicit, tmp_path / "a.pdf"])
    rel = [p.relative_to(tmp_path).as_posix() for p in found]
    assert rel == sorted(["a.pdf", "notes.docx", "sub/b.txt", "sub/deeper/C.PDF"])


def test_load_manifest(tmp_path):
    assert load_manifest(tmp_path) == {}
    (tmp_path / "papers.yaml").write_text(
        "a.pdf:\n  council: Wokingham\n  title: Performance\n  meeting_date: 2017-09-12\n  layout: narrative\n"
        "b.txt:\n  council: Southampton\n  meeting_date: null\n"
    )
    manifest = load_manifest(tmp_path)
    assert manifest["a.pdf"] == {
        "council": "Wokingham", "title": "Performance", "meeting_date": date(2017, 9, 12), "layout": "narrative"
    }
    assert manifest["b.txt"]["meeting_date"] is None
    (tmp_path / "papers.yaml").write_text("a.pdf:\n  meeting_date: twelfth\n")
    with pytest.raises(ManifestError, match="meeting_date for a.pdf"):
        load_manifest(tmp_path)


def test_ingest_many_uses_the_manifest(tmp_path, table_pdf):
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(table_pdf[0].read_bytes())
    (tmp_path / "papers.yaml").write_text(
        "paper.pdf:\n  council: Buckinghamshire\n  title: Scorecard\n  meeting_date: 2018-06-01\n"
        "  layout: quarterly_scorecard\n"
    )
    [paper] = ingest_many(discover([tmp_path]))
    doc = paper.document
    assert (doc.council, doc.title, doc.meeting_date) == ("Buckinghamshire", "Scorecard", date(2018, 6, 1))
    assert paper.meta["layout"] == "quarterly_scorecard"


def test_source_can_be_given(table_pdf):
    doc = ingest_file(table_pdf[0], source="https://example.gov.uk/documents/s123/scorecard.pdf").document
    assert doc.source == "https://example.gov.uk/documents/s123/scorecard.pdf"
