"""A fake ModernGov site on 127.0.0.1 for tests and the bench: the web service's XML, the HTML pages and the
papers, with faults on demand (slow answers, 5xx, 429 + Retry-After, connection resets, truncated bodies, an
HTML error page served as application/pdf, redirects to another host, the web service switched off).

    site = FakeModernGov(committees=[FakeCommittee(12, "Children's Services Scrutiny")],
                         meetings=[FakeMeeting(345, 12, date(2026, 2, 10), reports=[FakeDoc(101, "Performance", pdf)])])
    with site:                                    # starts the server; site.base_url is http://127.0.0.1:PORT
        site.fail("/documents/s101/performance.pdf", Fault("status", status=500, times=2))
        ...
    site.requests                                 # every request: path, headers, time

Only ever binds 127.0.0.1 and serves what it is given; nothing here reaches the network.
"""
from __future__ import annotations

import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit
from xml.sax.saxutils import escape

NAMESPACE = "http://moderngov.co.uk/namespaces"


@dataclass
class FakeDoc:
    """A paper: ModernGov attachment id, title and bytes. `pack` puts it in the meeting's g folder."""

    attachment_id: int
    title: str
    body: bytes
    pack: bool = False
    content_type: str = "application/pdf"

    @property
    def file_name(self) -> str:
        return self.title.replace("/", "-") + ".pdf"


@dataclass
class FakeMeeting:
    id: int
    committee_id: int
    date: date
    reports: list[FakeDoc] = field(default_factory=list)
    packs: list[FakeDoc] = field(default_factory=list)


@dataclass(frozen=True)
class FakeCommittee:
    id: int
    title: str


@dataclass
class Fault:
    """What to do instead of answering: slow | status | reset | truncate | short | html_as_pdf | redirect.

    times: how many requests it applies to before the path answers normally again (None: every request).
    """

    kind: str
    status: int = 500
    delay: float = 1.0
    retry_after: str | None = None
    location: str | None = None
    times: int | None = None


@dataclass(frozen=True)
class Request:
    path: str  # with the query
    host: str
    user_agent: str
    at: float  # time.monotonic()


def unique_pdf(pdf: bytes, tag: str) -> bytes:
    """The same PDF with a comment after %%EOF: distinct bytes (sha256), still a whole PDF."""
    return pdf.rstrip(b"\r\n") + f"\n%fake {tag}\n".encode()


def fixture_pdfs(folder: Path) -> dict[str, bytes]:
    """The bundled born-digital fixture PDFs by file name (the image-only scan left out: OCR is slow)."""
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.pdf")) if "scan" not in p.name}


class FakeModernGov:
    def __init__(self, committees: list[FakeCommittee], meetings: list[FakeMeeting], *, service: bool = True,
                 namespaced: bool = False, robots: str | None = "User-agent: *\nDisallow: /private/\n",
                 pages: dict[str, tuple[str, bytes]] | None = None):
        self.committees = committees
        self.meetings = meetings
        self.service = service
        self.namespaced = namespaced
        self.robots = robots
        self.pages = dict(pages or {})  # extra paths -> (content type, body), e.g. a generic site's pages
        self.faults: dict[str, Fault] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Lifecycle --------------------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the site first"
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeModernGov:
        site = self

        class Handler(_Handler):
            pass

        Handler.site = site
        self._server = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeModernGov:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # Faults and the request log ------------------------------------------------------------------------------

    def fail(self, path: str, fault: Fault) -> None:
        """Apply a fault to a path ('/documents/s101/x.pdf', or with its query for service calls)."""
        with self._lock:
            self.faults[path] = fault

    def heal(self, path: str | None = None) -> None:
        with self._lock:
            if path is None:
                self.faults.clear()
            else:
                self.faults.pop(path, None)

    def _fault_for(self, full_path: str) -> Fault | None:
        with self._lock:
            fault = self.faults.get(full_path) or self.faults.get(unquote(urlsplit(full_path).path))
            if fault is None:
                return None
            if fault.times is not None:
                if fault.times <= 0:
                    return None
                fault.times -= 1
            return fault

    def count(self, fragment: str) -> int:
        """Requests whose path contains the fragment (unquoted)."""
        return sum(fragment in unquote(r.path) for r in self.requests)

    def doc_url(self, doc: FakeDoc, meeting: FakeMeeting | None = None) -> str:
        if doc.pack:
            assert meeting is not None
            return f"{self.base_url}/documents/g{meeting.id}/{quote(doc.file_name)}"
        return f"{self.base_url}/documents/s{doc.attachment_id}/{quote(doc.file_name)}"

    # Content ------------------------------------------------------------------------------------------------

    def _xml(self, root: str, inner: str) -> bytes:
        xmlns = f' xmlns="{NAMESPACE}"' if self.namespaced else ""
        return f'<?xml version="1.0" encoding="utf-8"?>\n<{root}{xmlns}>{inner}</{root}>'.encode()

    def committees_xml(self) -> bytes:
        inner = f"<committeescount>{len(self.committees)}</committeescount>" + "".join(
            f"<committee><committeeid>{c.id}</committeeid><committeetitle>{escape(c.title)}</committeetitle>"
            "<committeedeleted>False</committeedeleted><committeeexpired>False</committeeexpired></committee>"
            for c in self.committees)
        return self._xml("committees", inner)

    def meetings_xml(self, committee_id: int, start: date | None, end: date | None) -> bytes:
        chosen = [m for m in self.meetings if m.committee_id == committee_id
                  and (start is None or m.date >= start) and (end is None or m.date <= end)]
        committee = next((c for c in self.committees if c.id == committee_id), None)
        title = escape(committee.title) if committee else ""
        stubs = "".join(f"<meeting><meetingid>{m.id}</meetingid><meetingdate>{m.date:%d/%m/%Y}</meetingdate>"
                        "<meetingstatus>Confirmed</meetingstatus><meetingtime>10.00 am</meetingtime></meeting>"
                        for m in chosen)
        inner = (f"<meetingscount>{len(chosen)}</meetingscount><committee><committeeid>{committee_id}"
                 f"</committeeid><committeetitle>{title}</committeetitle><committeemeetings>{stubs}"
                 "</committeemeetings></committee>")
        return self._xml("getmeetings", inner)

    def meeting_xml(self, meeting: FakeMeeting) -> bytes:
        committee = next((c for c in self.committees if c.id == meeting.committee_id), None)
        items = []
        for number, doc in enumerate(meeting.reports, start=1):
            items.append(
                f"<agendaitem><agendaitemid>{meeting.id * 100 + number}</agendaitemid>"
                f"<agendaitemtitle>{escape(doc.title)}</agendaitemtitle><linkeddocuments><linkeddoc>"
                f"<attachmentid>{doc.attachment_id}</attachmentid><title>{escape(doc.title)}</title>"
                f"<isurl>False</isurl><url>{escape(self.doc_url(doc))}</url><isrestricted>False</isrestricted>"
                f"<committeetitle>{escape(committee.title) if committee else ''}</committeetitle>"
                "</linkeddoc></linkeddocuments></agendaitem>")
        inner = (f"<meetingid>{meeting.id}</meetingid><meetingdate>{meeting.date:%d/%m/%Y}</meetingdate>"
                 "<meetingstatus>Confirmed</meetingstatus><agendaitems>" + "".join(items) + "</agendaitems>")
        return self._xml("meeting", inner)

    def committees_html(self) -> bytes:
        links = "".join(f'<li><a href="mgCommitteeDetails.aspx?ID={c.id}">{escape(c.title)}</a></li>'
                        for c in self.committees)
        return _html("Committees", f'<ul class="mgBulletList">{links}</ul>')

    def meetings_html(self, committee_id: int) -> bytes:
        links = "".join(
            f'<li><a href="ieListDocuments.aspx?CId={m.committee_id}&amp;MId={m.id}&amp;Ver=4">'
            f"{m.date.day} {m.date:%b %Y} 10.00 am</a></li>"
            for m in self.meetings if m.committee_id == committee_id)
        return _html("Meetings", f'<ul class="mgBulletList">{links}</ul>')

    def documents_html(self, meeting: FakeMeeting) -> bytes:
        packs = "".join(
            f'<li><a class="mgBulletLink" href="documents/g{meeting.id}/{quote(d.file_name)}?T=10">'
            f'{escape(d.title)} <span class="mgFileSize">PDF 2 MB</span></a></li>' for d in meeting.packs)
        reports = "".join(
            f'<li><a href="documents/s{d.attachment_id}/{quote(d.file_name)}" title="Link to document">'
            f'{escape(d.title)} <span class="mgHide">ref: {d.attachment_id}</span></a> '
            f'<span class="mgFileSize">PDF 119 KB</span></li>' for d in meeting.reports)
        return _html(f"Agenda for meeting {meeting.id}",
                     f'<ul class="mgActionList">{packs}</ul><ul class="mgAiList">{reports}</ul>')

    def find_doc(self, path: str) -> FakeDoc | None:
        parts = path.strip("/").split("/")
        if len(parts) < 3 or parts[0] != "documents":
            return None
        folder, name = parts[1], unquote(parts[2])
        for meeting in self.meetings:
            if folder == f"g{meeting.id}":
                for doc in meeting.packs:
                    if doc.file_name == name:
                        return doc
            for doc in meeting.reports:
                if folder == f"s{doc.attachment_id}":
                    return doc
        return None


def _html(title: str, body: str) -> bytes:
    return (f"<!DOCTYPE html><html><head><title>{escape(title)}</title></head>"
            f"<body><h1>{escape(title)}</h1>{body}</body></html>").encode()


ERROR_PAGE = _html("Runtime Error", "<p>Server Error in '/' Application. The resource cannot be found.</p>")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address) -> None:  # a client that gave up mid-answer: expected here
        pass


class _Handler(BaseHTTPRequestHandler):
    site: FakeModernGov
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms delayed-ACK stalls

    def log_message(self, format: str, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        site = self.site
        with site._lock:
            site.requests.append(Request(path=self.path, host=self.headers.get("Host", ""),
                                         user_agent=self.headers.get("User-Agent", ""), at=time.monotonic()))
        try:
            self._answer(site)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, OSError):
            self.close_connection = True

    def _answer(self, site: FakeModernGov) -> None:
        fault = site._fault_for(self.path)
        if fault is not None:
            if fault.kind == "slow":
                time.sleep(fault.delay)
            elif fault.kind == "status":
                headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
                return self._send(fault.status, "text/html; charset=utf-8", ERROR_PAGE, headers)
            elif fault.kind == "reset":
                return self._reset()
            elif fault.kind == "redirect":
                return self._send(302, "text/html", b"", {"Location": fault.location or "/"})
            elif fault.kind == "html_as_pdf":
                return self._send(200, "application/pdf", ERROR_PAGE)
        url = urlsplit(self.path)
        path, query = unquote(url.path), {k: v[0] for k, v in parse_qs(url.query).items()}
        lower = path.lower()
        body: bytes | None = None
        kind = "text/html; charset=utf-8"
        if lower == "/robots.txt":
            if site.robots is None:
                return self._send(404, kind, _html("Not found", ""))
            body, kind = site.robots.encode(), "text/plain"
        elif lower.startswith("/mgwebservice.asmx/"):
            if not site.service:
                return self._send(404, kind, ERROR_PAGE)
            call, kind = lower.rsplit("/", 1)[-1], "text/xml; charset=utf-8"
            if call == "getcommittees":
                body = site.committees_xml()
            elif call == "getmeetings":
                body = site.meetings_xml(int(query.get("lCommitteeId", "0")), _dmy(query.get("sFromDate")),
                                         _dmy(query.get("sToDate")))
            elif call == "getmeeting":
                meeting = next((m for m in site.meetings if str(m.id) == query.get("lMeetingId")), None)
                if meeting is None:
                    return self._send(500, kind, b"<error>no such meeting</error>")
                body = site.meeting_xml(meeting)
        elif lower == "/mglistcommittees.aspx":
            body = site.committees_html()
        elif lower == "/ielistmeetings.aspx":
            body = site.meetings_html(int(query.get("CId", "0")))
        elif lower == "/ielistdocuments.aspx":
            meeting = next((m for m in site.meetings if str(m.id) == query.get("MId")), None)
            body = site.documents_html(meeting) if meeting else None
        elif lower.startswith("/documents/"):
            doc = site.find_doc(path)
            if doc is not None:
                if fault is not None and fault.kind in ("truncate", "short"):
                    return self._truncated(doc, full_length=fault.kind == "truncate")
                return self._send(200, doc.content_type, doc.body)
        elif path in site.pages:
            kind, body = site.pages[path]
        if body is None:
            return self._send(404, "text/html; charset=utf-8", ERROR_PAGE)
        return self._send(200, kind, body)

    def _send(self, status: int, kind: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _truncated(self, doc: FakeDoc, full_length: bool) -> None:
        """Half the PDF: with the full Content-Length (the connection drops mid-body), or with a matching
        one (a complete HTTP answer whose PDF is cut short)."""
        half = doc.body[: len(doc.body) // 2]
        self.send_response(200)
        self.send_header("Content-Type", doc.content_type)
        self.send_header("Content-Length", str(len(doc.body) if full_length else len(half)))
        self.end_headers()
        self.wfile.write(half)
        self.wfile.flush()
        if full_length:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_WR)

    def _reset(self) -> None:
        """Drop the connection with a TCP RST, before any answer."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()


def _dmy(value: str | None) -> date | None:
    if not value:
        return None
    return datetime.strptime(value, "%d/%m/%Y").date()
