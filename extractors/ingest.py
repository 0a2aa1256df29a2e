"""Ingest committee papers: find them, check them, and read their pages into schema records.

`ingest_file` never raises for a bad paper: it returns the document with state=failed and a
one-sentence reason a non-programmer can act on ("The file is empty (0 bytes).").

    papers = ingest_many(discover([Path("fixtures/papers")]))
    for paper in papers:
        print(paper.document.file_name, paper.document.state, paper.document.failure_reason)

PDF text layers are read with pypdfium2 (extractors.pdftext); pages without a usable text layer
are OCR'd with Tesseract (extractors.ocr). A .txt file is taken as OCR text already, one page
per form feed.
"""
from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from schemas import DocumentState, MediaType, Page, SourceDocument, Word

from .ingest_errors import PaperUnreadable
from .ocr import ocr_pages
from .pdftext import PDFIUM_LOCK, open_pdf, read_text_layer

log = logging.getLogger(__name__)

MANIFEST = "papers.yaml"
SUFFIXES = {".pdf", ".txt"}
EOF_WINDOW = 1024  # Acrobat's rule: %%EOF must be in the last 1024 bytes; without it the file was cut short


@dataclass(frozen=True)
class IngestLimits:
    """Limits that keep one bad paper from eating the run, and OCR settings."""

    max_bytes: int = 50 * 1024 * 1024
    max_pages: int = 300
    ocr_dpi: int = 300
    ocr_workers: int = 2


class IngestedPaper(BaseModel):
    """A paper after ingest: its document record, its pages (empty when failed), and where it was read from."""

    document: SourceDocument
    pages: list[Page] = []
    path: Path
    meta: dict[str, Any] = Field(default_factory=dict, description="the paper's papers.yaml entry, e.g. layout")

    @property
    def ok(self) -> bool:
        return self.document.state != DocumentState.failed


def ingest_file(
    path: Path,
    *,
    limits: IngestLimits = IngestLimits(),
    source: str | None = None,
    council: str | None = None,
    title: str | None = None,
    meeting_date: date | None = None,
) -> IngestedPaper:
    """Read one paper (.pdf or .txt) into a SourceDocument and its Pages; never raises for bad input."""
    path = Path(path)
    fields: dict[str, Any] = {
        "source": source or os.path.abspath(path),  # abspath never raises, unlike resolve()
        "file_name": path.name,
        "council": council,
        "title": title,
        "meeting_date": meeting_date,
        "ingested_at": datetime.now(timezone.utc),
    }
    pages: list[Page] = []
    try:
        pages = _ingest(path, limits, fields)
        if not any(p.text.strip() for p in pages):
            raise PaperUnreadable(_no_text_reason(fields.get("media_type")))
        state, reason = DocumentState.ingested, None
    except PaperUnreadable as exc:
        state, reason, pages = DocumentState.failed, str(exc), []
    except Exception as exc:  # a bug or a library surprise: record it against this paper and carry on
        log.exception("unexpected error ingesting %s", path)
        state, reason, pages = DocumentState.failed, _unexpected(exc), []
    fields.setdefault("id", _fallback_id(fields["source"]))
    document = SourceDocument(**fields, state=state, failure_reason=reason)
    if reason:
        log.warning("%s: %s", path.name, reason)
    return IngestedPaper(document=document, pages=pages, path=path)


def ingest_many(paths: list[Path], *, limits: IngestLimits = IngestLimits()) -> list[IngestedPaper]:
    """Ingest papers in order, taking council, title, meeting date (and source) from each folder's papers.yaml.

    A bad paper comes back failed; it never stops the others. A malformed papers.yaml raises
    ManifestError before its folder's papers are read.
    """
    manifests: dict[Path, dict[str, dict]] = {}
    papers = []
    for path in paths:
        path = Path(path)
        folder = path.parent
        if folder not in manifests:
            manifests[folder] = load_manifest(folder)
        meta = manifests[folder].get(path.name, {})
        paper = ingest_file(
            path,
            limits=limits,
            council=meta.get("council"),
            title=meta.get("title"),
            meeting_date=meta.get("meeting_date"),
            source=meta.get("source"),
        )
        paper.meta = meta
        papers.append(paper)
    return papers


def discover(paths: list[Path]) -> list[Path]:
    """Expand folders (recursively) into their .pdf and .txt files; files named directly are kept as given.

    Hidden files and folders (".name") and the papers.yaml manifest are skipped. Sorted, no duplicates.
    """
    found: set[Path] = set()
    for path in map(Path, paths):
        if path.is_dir():
            for child in path.rglob("*"):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                if child.is_file() and not hidden and child.suffix.lower() in SUFFIXES and child.name != MANIFEST:
                    found.add(child)
        elif path.name != MANIFEST:
            found.add(path)  # even a missing or odd file: ingest_file then says what is wrong with it
    return sorted(found)


class ManifestError(ValueError):
    """papers.yaml exists but cannot be used; the message says which file and why."""


def load_manifest(folder: Path) -> dict[str, dict]:
    """The folder's papers.yaml as {file name: {council, title, meeting_date, layout, ...}}; {} when absent.

    meeting_date is returned as a date (or None). A malformed manifest raises ManifestError:
    it is the operator's file, and running on without its metadata would hide the mistake.
    """
    manifest = Path(folder) / MANIFEST
    if not manifest.is_file():
        return {}
    try:
        data = yaml.safe_load(manifest.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ManifestError(f"{manifest} could not be read: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ManifestError(f"{manifest} should map file names to their details, but holds a {type(data).__name__}.")
    entries: dict[str, dict] = {}
    for name, entry in data.items():
        if not isinstance(entry, dict | None):
            raise ManifestError(f"{manifest}: the entry for {name} should be a mapping of details.")
        entry = dict(entry or {})
        entry["meeting_date"] = _as_date(entry.get("meeting_date"), manifest, name)
        entries[str(name)] = entry
    return entries


# --- one paper -------------------------------------------------------------------------------


def _ingest(path: Path, limits: IngestLimits, fields: dict[str, Any]) -> list[Page]:
    """Check and read one file, filling `fields` (id, size, media type, page count) as facts are learnt."""
    try:
        if path.is_dir():
            raise PaperUnreadable("This is a folder, not a file.")
        size = path.stat().st_size
        fields["byte_size"] = size
        fields["id"] = _sha256(path)
    except FileNotFoundError as exc:
        raise PaperUnreadable("The file does not exist.") from exc
    except PermissionError as exc:
        raise PaperUnreadable("The file could not be opened: permission denied.") from exc
    except OSError as exc:
        raise PaperUnreadable(f"The file could not be read: {exc.strerror or exc}.") from exc

    if size == 0:
        raise PaperUnreadable("The file is empty (0 bytes).")
    if size > limits.max_bytes:
        raise PaperUnreadable(f"The file is {_size(size)}, over the {_size(limits.max_bytes)} limit.")
    data = path.read_bytes()

    kind = sniff(data, path.suffix)
    if kind == "pdf":
        fields["media_type"] = MediaType.pdf
        return _read_pdf(data, fields, limits)
    fields["media_type"] = MediaType.text
    pages = read_text_pages(data, fields["id"])
    fields["page_count"] = len(pages)
    return pages


def sniff(data: bytes, suffix: str) -> str:
    """'pdf' or 'text', decided by content first and extension second; PaperUnreadable otherwise."""
    suffix = suffix.lower()
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if suffix != ".txt" and b"%PDF-" in data[:1024]:  # readers accept junk before the header, within 1 KB
        return "pdf"
    what = looks_like(data)
    if suffix == ".pdf":
        hint = " (perhaps an error page saved as .pdf)" if what == "an HTML page" else ""
        raise PaperUnreadable(f"The file is not a PDF: it looks like {what}{hint}.")
    if suffix == ".txt":
        if what == "plain text":
            return "text"
        hint = " (perhaps an error page saved as .txt)" if what == "an HTML page" else ""
        raise PaperUnreadable(f"The file is not plain text: it looks like {what}{hint}.")
    if not suffix:
        raise PaperUnreadable(
            f"The file has no extension and is not a PDF (it looks like {what}): "
            "only PDF (.pdf) and text (.txt) files can be read."
        )
    raise PaperUnreadable(
        f"The file type '{suffix}' is not supported: only PDF (.pdf) and text (.txt) files can be read."
    )


# Magic numbers of the files that most often turn up where a paper was expected.
_MAGIC = [
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"PK\x03\x04", "a ZIP archive, such as a Word .docx or Excel .xlsx file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office file (.doc or .xls)"),
    (b"{\\rtf", "a Rich Text (.rtf) document"),
]


def looks_like(data: bytes) -> str:
    """A short description of what the bytes are, for failure reasons ('a PNG image', 'an HTML page')."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")) or (
        head.startswith(b"<") and any(tag in head for tag in (b"<html", b"<head", b"<body"))
    ):
        return "an HTML page"
    if head.startswith(b"<?xml"):
        return "an XML file"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" not in data[:4096]:
        return "plain text"
    return "binary data of an unknown kind"


# --- PDFs ------------------------------------------------------------------------------------


def _read_pdf(data: bytes, fields: dict[str, Any], limits: IngestLimits) -> list[Page]:
    """Pages of a PDF: text layer where there is one, OCR where there is not."""
    if b"%%EOF" not in data[-65536:].rstrip(b"\x00 \t\r\n")[-EOF_WINDOW:]:  # trailing blanks and NULs aside
        raise PaperUnreadable(
            "The PDF is damaged or truncated and could not be read: "
            "its end-of-file marker is missing, so the file was probably cut short."
        )
    with PDFIUM_LOCK:
        doc = open_pdf(data)
    try:
        with PDFIUM_LOCK:
            count = len(doc)
            fields["page_count"] = count
            if count == 0:
                raise PaperUnreadable("The PDF has no pages.")
            if count > limits.max_pages:
                raise PaperUnreadable(f"The PDF has {count} pages, over the {limits.max_pages}-page limit.")
            read = [_text_page(doc, index, fields["id"]) for index in range(count)]
        pages = [page for page, _ in read]
        scans = [index for index, (_, needs_ocr) in enumerate(read) if needs_ocr]
        for index, result in ocr_pages(doc, scans, dpi=limits.ocr_dpi, workers=limits.ocr_workers).items():
            pages[index] = pages[index].model_copy(
                update={"text": result.text, "words": result.words, "ocr": True, "ocr_confidence": result.confidence}
            )
        return pages
    finally:
        with PDFIUM_LOCK:
            doc.close()


def _text_page(doc, index: int, document_id: str) -> tuple[Page, bool]:
    """One page from its text layer, and whether it needs OCR instead."""
    try:
        page = doc[index]
    except Exception as exc:  # pdfium says only "Failed to load page."
        raise PaperUnreadable(f"The PDF is damaged: page {index + 1} could not be read.") from exc
    try:
        layer = read_text_layer(page)
    finally:
        page.close()
    record = Page(
        document_id=document_id, number=index + 1, width=round(layer.width, 2), height=round(layer.height, 2),
        text=layer.text, words=layer.words,
    )
    return record, layer.needs_ocr


# --- text files ------------------------------------------------------------------------------


def read_text_pages(data: bytes, document_id: str) -> list[Page]:
    """Pages of an OCR text file: split on form feeds, words numbered by their 1-based line in the page."""
    text = decode_text(data).replace("\r\n", "\n").replace("\r", "\n")
    chunks = text.split("\f")
    if len(chunks) > 1 and not chunks[-1].strip():
        chunks.pop()  # pdftotext and most OCR tools end every page, the last included, with \f
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        words = [
            Word(text=token, line=line)
            for line, content in enumerate(chunk.split("\n"), start=1)
            for token in content.split()
        ]
        pages.append(Page(document_id=document_id, number=number, text=chunk, words=words, ocr=True))
    return pages


def decode_text(data: bytes) -> str:
    """Text from bytes: UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            pass
    raise PaperUnreadable("The text file's encoding could not be read: it is neither UTF-8 nor Windows-1252 text.")


# --- small helpers ---------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    """sha256 of the file's bytes, read in chunks so an oversized file is never held in memory."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fallback_id(source: str) -> str:
    """An id for a file whose bytes could not be read: stable per source, never a real content hash."""
    return hashlib.sha256(b"unreadable:" + source.encode("utf-8", "surrogatepass")).hexdigest()


def _size(n: int) -> str:
    """'73.2 MB', '50 MB', '12 KB', '900 bytes'."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= scale:
            return f"{n / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"


def _no_text_reason(media_type: MediaType | None) -> str:
    if media_type == MediaType.text:
        return "The text file has no text in it (only blank space)."
    return "No text could be read from the PDF: its pages are blank or the scan is unreadable."


def _unexpected(exc: Exception) -> str:
    message = " ".join(str(exc).split()) or "no message"
    if len(message) > 200:
        message = message[:197] + "..."
    return f"An unexpected error stopped this paper being read ({type(exc).__name__}: {message})."


def _as_date(value: Any, manifest: Path, name: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ManifestError(f"{manifest}: meeting_date for {name} is not a date (YYYY-MM-DD): {value!r}.") from exc
