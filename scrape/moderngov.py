"""ModernGov: the mgWebService.asmx web service first, the HTML pages where the service is switched off.

Web service (plain GETs, XML):
    GetCommittees                                              committees: committeeid, committeetitle
    GetMeetings?lCommitteeId=ID&sFromDate=dd/mm/yyyy&sToDate=…  meeting stubs: meetingid, meetingdate
    GetMeeting?lMeetingId=ID                                   linkeddoc: attachmentid, title, url
HTML fallback:
    mgListCommittees.aspx?bcr=1               links to mgCommitteeDetails.aspx?ID=…
    ieListMeetings.aspx?CId=…&Year=0          links to ieListDocuments.aspx?CId=…&MId=… (date in the text)
    ieListDocuments.aspx?CId=…&MId=…&Ver=4    links to documents/sNNNN/… (reports) and documents/gNNNN/… (packs)

The service counts as switched off when GetCommittees answers with an HTTP error or with something that is not
its XML; the adapter then says so in `notes` and reads the HTML pages for the rest of the run. A network
failure (nothing answers) is not a switched-off service: it fails the run.
"""
from __future__ import annotations

import re
from datetime import date
from urllib.parse import urljoin

from defusedxml import ElementTree as SafeET
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from .base import Committee, Meeting, PaperLink, Window, attachment_key, clean_title, matches, parse_date
from .config import CouncilConfig
from .http import FetchError, PoliteClient

SERVICE = "mgWebService.asmx"


class ServiceUnavailable(Exception):
    """The web service is switched off or broken on this install; use the HTML pages."""


class ModernGovAdapter:
    def __init__(self, council: CouncilConfig, client: PoliteClient, *, force_html: bool = False):
        self.council = council
        self.client = client
        self.base = council.base_url + "/"
        self.source = "html" if force_html else "service"
        self.notes: list[str] = []
        self._decided = force_html

    # The interface ------------------------------------------------------------------------------------

    def meetings(self, window: Window) -> list[Meeting]:
        committees = self._committees()
        followed = [c for c in committees if matches(self.council.committees, c.title)]
        if not followed:
            self.notes.append(f"none of the {len(committees)} committees matches the committee patterns "
                              f"({', '.join(self.council.committees)})")
        else:
            self.notes.append(f"following {len(followed)} of {len(committees)} committees: "
                              + "; ".join(c.title for c in followed))
        found: dict[str, Meeting] = {}
        for committee in followed:
            listing = self._service_meetings if self.source == "service" else self._html_meetings
            for meeting in listing(committee, window):
                found.setdefault(meeting.id, meeting)
        return sorted(found.values(), key=lambda m: (m.date or date.min, m.id))

    def papers(self, meeting: Meeting) -> list[PaperLink]:
        if self.source == "service":
            return self._service_papers(meeting)
        return self._html_papers(meeting)

    # Web service ---------------------------------------------------------------------------------------

    def _committees(self) -> list[Committee]:
        if self.source == "service":
            try:
                return self._service_committees()
            except ServiceUnavailable as why:
                self.source = "html"
                self.notes.append(f"web service unavailable ({why}): HTML pages used")
        return self._html_committees()

    def _service_committees(self) -> list[Committee]:
        try:
            root = self._xml(f"{SERVICE}/GetCommittees")
        except FetchError as error:
            if error.status is None:  # nothing answered at all: the site is down, not the service off
                raise
            raise ServiceUnavailable(error.reason) from error
        if _local(root.tag) != "committees":
            raise ServiceUnavailable(f"GetCommittees answered <{_local(root.tag)}>, not <committees>")
        committees = []
        for node in _all(root, "committee"):
            cid, title = _text(node, "committeeid"), _text(node, "committeetitle")
            if cid and title and _text(node, "committeedeleted").lower() != "true":
                committees.append(Committee(id=cid, title=" ".join(title.split())))
        return committees

    def _service_meetings(self, committee: Committee, window: Window) -> list[Meeting]:
        root = self._xml(f"{SERVICE}/GetMeetings?lCommitteeId={committee.id}"
                         f"&sFromDate={window.start:%d/%m/%Y}&sToDate={window.end:%d/%m/%Y}")
        meetings = []
        for node in _all(root, "meeting"):
            mid = _text(node, "meetingid")
            if not mid:
                continue
            day = parse_date(_text(node, "meetingdate"), "%d/%m/%Y")
            if day is not None and day not in window:
                continue  # installs that ignore the dates send everything: keep to the window
            meetings.append(Meeting(id=mid, committee=committee.title, date=day, committee_id=committee.id,
                                    url=self._documents_url(committee.id, mid)))
        return meetings

    def _service_papers(self, meeting: Meeting) -> list[PaperLink]:
        root = self._xml(f"{SERVICE}/GetMeeting?lMeetingId={meeting.id}")
        if _local(root.tag) != "meeting":
            raise FetchError(f"GetMeeting for meeting {meeting.id} answered <{_local(root.tag)}>, not <meeting>")
        day = meeting.date or parse_date(_text(root, "meetingdate"), "%d/%m/%Y")
        papers: dict[str, PaperLink] = {}
        for doc in _all(root, "linkeddoc"):
            url = _text(doc, "url")
            if not url or _text(doc, "isrestricted").lower() == "true":
                continue
            url = urljoin(self.base, url)
            key, attachment_id, kind = attachment_key(url, _text(doc, "attachmentid"))
            title = clean_title(_text(doc, "title")) or url.rsplit("/", 1)[-1]
            papers.setdefault(key, PaperLink(
                key=key, url=url, title=title, kind=kind, attachment_id=attachment_id, meeting_id=meeting.id,
                committee=meeting.committee or _text(doc, "committeetitle") or None, meeting_date=day))
        # Meeting packs are not linkeddocs; the HTML page lists them, but fetching it for every meeting would
        # double the requests. They are only wanted for a meeting with no reports (packs: if_no_reports).
        if not papers and self.council.packs != "never" and meeting.committee_id:
            papers.update({p.key: p for p in self._html_papers(meeting) if p.kind == "pack"})
        return list(papers.values())

    def _xml(self, path: str):
        page = self.client.get_page(self.base + path, accept="text/xml,application/xml")
        try:
            return SafeET.fromstring(page.body)
        except Exception as exc:  # ParseError, or defusedxml refusing entities
            what = "an HTML page" if b"<html" in page.body[:2048].lower() else "not XML"
            raise FetchError(f"{path.split('?')[0]} answered {what}", status=page.status) from exc

    # HTML pages -----------------------------------------------------------------------------------------

    def _html_committees(self) -> list[Committee]:
        page = self.client.get_page(self.base + "mgListCommittees.aspx?bcr=1")
        committees: dict[str, Committee] = {}
        for href, text in _links(page.text):
            found = re.search(r"mgCommitteeDetails\.aspx\?(?:[^#]*&)?ID=(\d+)", href, re.IGNORECASE)
            if found and text:
                committees.setdefault(found.group(1), Committee(id=found.group(1), title=clean_title(text)))
        if not committees:
            raise FetchError("mgListCommittees.aspx lists no committees (is base_url right?)")
        return list(committees.values())

    def _html_meetings(self, committee: Committee, window: Window) -> list[Meeting]:
        page = self.client.get_page(self.base + f"ieListMeetings.aspx?CId={committee.id}&Year=0")
        meetings: dict[str, Meeting] = {}
        for href, text in _links(page.text):
            found = re.search(r"ieListDocuments\.aspx\?(?:[^#]*&)?MId=(\d+)", href, re.IGNORECASE)
            if not found:
                continue
            day = parse_date(text)
            if day is None or day not in window:
                continue
            mid = found.group(1)
            meetings.setdefault(mid, Meeting(id=mid, committee=committee.title, date=day,
                                             committee_id=committee.id,
                                             url=self._documents_url(committee.id, mid)))
        return list(meetings.values())

    def _html_papers(self, meeting: Meeting) -> list[PaperLink]:
        url = meeting.url or self._documents_url(meeting.committee_id or "0", meeting.id)
        page = self.client.get_page(url)
        papers: dict[str, PaperLink] = {}
        for href, text in _links(page.text):
            if not re.search(r"/documents/[sg]\d+/|mgConvert2PDF\.aspx", "/" + href, re.IGNORECASE):
                continue
            absolute = urljoin(page.url, href)
            key, attachment_id, kind = attachment_key(absolute)
            title = clean_title(text) or clean_title(absolute.rsplit("/", 1)[-1])
            papers.setdefault(key, PaperLink(
                key=key, url=absolute, title=title, kind=kind, attachment_id=attachment_id,
                meeting_id=meeting.id, committee=meeting.committee, meeting_date=meeting.date))
        return list(papers.values())

    def _documents_url(self, committee_id: str, meeting_id: str) -> str:
        return self.base + f"ieListDocuments.aspx?CId={committee_id}&MId={meeting_id}&Ver=4"


# XML and HTML helpers ----------------------------------------------------------------------------------

def _local(tag: str) -> str:
    """A tag without its namespace: answers come with and without xmlns="http://moderngov.co.uk/namespaces"."""
    return tag.rsplit("}", 1)[-1].lower()


def _all(node, name: str):
    return [el for el in node.iter() if _local(el.tag) == name]


def _text(node, name: str) -> str:
    for child in node:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def _links(html: str) -> list[tuple[str, str]]:
    """(href, visible text) of every link, hidden ModernGov spans (class mgHide, 'ref: NNN') left out."""
    tree = HTMLParser(html)
    for hidden in tree.css(".mgHide, .hidden, [style*='display:none'], [style*='display: none']"):
        hidden.decompose()
    out = []
    for node in tree.css("a[href]"):
        href = (node.attributes.get("href") or "").strip()
        if href and not href.startswith(("#", "javascript:", "mailto:")):
            out.append((href, " ".join(node.text(separator=" ").split())))
    return out
