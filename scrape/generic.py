"""Sites that are not ModernGov (Jadu and other CMSs, hand-made pages), read with configured rules.

See GenericSite in scrape/config.py for the settings. In short: fetch each listing URL (with the window's dates
filled in), pick meeting links (CSS selector + href regex), keep those whose text matches the committee
patterns and whose date is in the window, then pick paper links on each meeting page. Without a `meetings`
rule the listing pages are the meeting pages.
"""
from __future__ import annotations

import re
from datetime import date
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from .base import Meeting, PaperLink, Window, clean_title, matches, parse_date, url_key
from .config import CouncilConfig, LinkRule
from .http import PoliteClient


class GenericAdapter:
    source = "generic"

    def __init__(self, council: CouncilConfig, client: PoliteClient):
        if council.generic is None:
            raise ValueError(f"{council.name}: platform 'generic' needs a 'generic:' block")
        self.council = council
        self.site = council.generic
        self.client = client
        self.notes: list[str] = []

    def meetings(self, window: Window) -> list[Meeting]:
        found: dict[str, Meeting] = {}
        undated = 0
        for template in self.site.listing_urls:
            url = urljoin(self.council.base_url + "/", self._fill(template, window))
            page = self.client.get_page(url)
            if self.site.meetings is None:  # the listing page holds the papers itself
                found.setdefault(url, Meeting(id=url_key(url), committee=None, date=None, url=page.url))
                continue
            for href, text in _pick(page.text, self.site.meetings):
                if not matches(self.council.committees, text):
                    continue
                day = _date_of(href, text, self.site.meetings, self.site.date_format)
                if day is None:
                    undated += 1
                elif day not in window:
                    continue
                absolute = urljoin(page.url, href)
                mid = _group(self.site.meetings.href, href, "id") or url_key(absolute)
                found.setdefault(mid, Meeting(id=mid, committee=clean_title(text), date=day, url=absolute))
        if undated:
            self.notes.append(f"{undated} meeting link(s) had no readable date and were kept")
        return sorted(found.values(), key=lambda m: (m.date or date.min, m.id))

    def papers(self, meeting: Meeting) -> list[PaperLink]:
        if not meeting.url:
            return []
        page = self.client.get_page(meeting.url)
        papers: dict[str, PaperLink] = {}
        for href, text in _pick(page.text, self.site.documents):
            absolute = urljoin(page.url, href)
            attachment_id = None
            if self.site.attachment_id:
                found = re.search(self.site.attachment_id, absolute)
                attachment_id = found.group(1) if found else None
            key = f"a-{attachment_id}" if attachment_id else url_key(absolute)
            title = clean_title(text) or clean_title(absolute.rsplit("/", 1)[-1])
            day = meeting.date or _date_of(href, text, self.site.documents, self.site.date_format)
            papers.setdefault(key, PaperLink(key=key, url=absolute, title=title, attachment_id=attachment_id,
                                             meeting_id=meeting.id, committee=meeting.committee, meeting_date=day))
        return list(papers.values())

    def _fill(self, template: str, window: Window) -> str:
        fmt = self.site.url_date_format
        return template.replace("{from}", window.start.strftime(fmt)).replace("{to}", window.end.strftime(fmt))


def _pick(html: str, rule: LinkRule) -> list[tuple[str, str]]:
    """(href, text) of the elements the rule selects: links themselves, or the first link inside each."""
    tree = HTMLParser(html)
    out = []
    for node in tree.css(rule.css):
        link = node if node.tag == "a" else node.css_first("a[href]")
        if link is None:
            continue
        href = (link.attributes.get("href") or "").strip()
        text = " ".join(node.text(separator=" ").split())
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        if rule.href and not re.search(rule.href, href):
            continue
        if rule.text and not re.search(rule.text, text, re.IGNORECASE):
            continue
        out.append((href, text))
    return out


def _group(pattern: str | None, text: str, name: str) -> str | None:
    if not pattern:
        return None
    found = re.search(pattern, text)
    if found and name in found.re.groupindex:
        return found.group(name)
    return None


def _date_of(href: str, text: str, rule: LinkRule, fmt: str | None) -> date | None:
    raw = _group(rule.href, href, "date") or _group(rule.text, text, "date")
    return parse_date(raw, fmt) if raw else parse_date(text, fmt)
