"""A polite HTTP client for council sites: robots.txt, a per-host rate limit, one User-Agent, timeouts,
retries with exponential backoff on 5xx / 429 / timeouts / connection errors (honouring Retry-After),
redirects that never leave the allowed hosts, and size and content-type limits on what is downloaded.

    client = PoliteClient(settings, allowed_hosts={"democracy.kent.gov.uk"})
    page = client.get_page(url)                     # XML or HTML, capped at settings.max_page_bytes
    paper = client.download(url, dest_folder)       # streamed to a temporary file, sha256 on the way

Every failure is a FetchError whose message is a plain reason ("HTTP 500 after 4 attempts", "redirected to
another host (evil.example), not followed"); `permanent` says whether trying again later could help.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
import urllib.robotparser
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from .config import ScrapeSettings

RETRY_STATUSES = {408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524}


class FetchError(Exception):
    """A fetch that did not give usable bytes. str() is the reason; permanent: retrying later will not help."""

    def __init__(self, reason: str, *, permanent: bool = False, status: int | None = None,
                 retry_after: float | None = None, retriable_now: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.status = status
        self.retry_after = retry_after
        self.retriable_now = retriable_now  # worth another attempt within this fetch (5xx, 429, network)


@dataclass(frozen=True)
class Page:
    url: str
    status: int
    content_type: str
    text: str
    body: bytes


@dataclass(frozen=True)
class Download:
    url: str  # the final URL, after redirects on allowed hosts
    status: int
    content_type: str
    path: Path  # a temporary file in the destination folder; the caller moves or deletes it
    sha256: str
    byte_size: int


class HostRateLimiter:
    """At most one request per `interval` seconds to each host, across threads.

    One limiter per process is shared by every client (see `shared_limiter`), so two councils on the same
    vendor host, or several papers fetched at once, still space their requests out.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}

    def wait(self, host: str, interval: float) -> None:
        if interval <= 0:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next.get(host, 0.0))
            self._next[host] = slot + interval
        if slot > now:
            time.sleep(slot - now)


_SHARED = HostRateLimiter()


def shared_limiter() -> HostRateLimiter:
    return _SHARED


class PoliteClient:
    """One client per council run; thread-safe (papers may be fetched in parallel)."""

    def __init__(self, settings: ScrapeSettings, allowed_hosts: set[str], *,
                 limiter: HostRateLimiter | None = None, transport: httpx.BaseTransport | None = None):
        self.settings = settings
        self.allowed_hosts = {h.lower() for h in allowed_hosts}
        self.limiter = limiter or shared_limiter()
        self._client = httpx.Client(
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(settings.timeout_seconds, connect=settings.connect_timeout_seconds),
            follow_redirects=False,  # followed by hand, so that no redirect leaves the allowed hosts
            transport=transport,
        )
        self._robots: dict[str, urllib.robotparser.RobotFileParser | FetchError] = {}
        self._robots_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self.requests = 0  # every HTTP request sent, robots.txt and retries included

    # Lifecycle ------------------------------------------------------------------------------------

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Public calls ---------------------------------------------------------------------------------

    def get_page(self, url: str, *, accept: str = "text/html,application/xml;q=0.9,*/*;q=0.5") -> Page:
        """A small page (XML or HTML) as text; FetchError when it cannot be had."""

        def read(response: httpx.Response) -> Page:
            body = self._read_capped(response, self.settings.max_page_bytes, "page")
            return Page(url=str(response.url), status=response.status_code,
                        content_type=_media_type(response), text=_decode(body, response), body=body)

        return self._fetch(url, read, accept=accept)

    def download(self, url: str, folder: Path) -> Download:
        """Stream a paper into a temporary file in `folder`, within the size and content-type limits."""
        folder.mkdir(parents=True, exist_ok=True)

        def read(response: httpx.Response) -> Download:
            media = _media_type(response)
            if media and media not in self.settings.content_types:
                raise FetchError(f"the server sent {media}, not a PDF", permanent=True, status=response.status_code)
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > self.settings.max_bytes:
                raise FetchError(f"the file is {_size(int(declared))}, over the {_size(self.settings.max_bytes)} "
                                 "limit", permanent=True, status=response.status_code)
            digest = hashlib.sha256()
            size = 0
            handle, name = tempfile.mkstemp(dir=folder, prefix=".part-", suffix=".pdf")
            try:
                with os.fdopen(handle, "wb") as out:
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > self.settings.max_bytes:
                            raise FetchError(f"the file is over the {_size(self.settings.max_bytes)} limit",
                                             permanent=True, status=response.status_code)
                        digest.update(chunk)
                        out.write(chunk)
            except BaseException:
                Path(name).unlink(missing_ok=True)
                raise
            return Download(url=str(response.url), status=response.status_code, content_type=media,
                            path=Path(name), sha256=digest.hexdigest(), byte_size=size)

        return self._fetch(url, read, accept="application/pdf,*/*;q=0.5")

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets our User-Agent fetch `url` (True when robots.txt is not respected)."""
        if not self.settings.respect_robots_txt:
            return True
        robots = self._robots_for(url)
        if isinstance(robots, FetchError):
            raise robots
        return robots.can_fetch(self.settings.user_agent, url)

    # Internals ------------------------------------------------------------------------------------

    def _fetch(self, url: str, read, *, accept: str):
        """GET with retries; `read(response)` turns a 200 into the result (and may raise FetchError)."""
        attempts = self.settings.retries + 1

        def wait(state: RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            backoff = wait_exponential(multiplier=self.settings.backoff_seconds,
                                       max=self.settings.backoff_max_seconds)(state)
            if isinstance(error, FetchError) and error.retry_after is not None:
                return max(error.retry_after, 0.0)
            return backoff

        retrying = Retrying(
            stop=stop_after_attempt(attempts),
            wait=wait,
            retry=retry_if_exception(lambda e: isinstance(e, FetchError) and e.retriable_now),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._once(url, read, accept)
        except FetchError as error:
            if error.retriable_now and attempts > 1:
                raise FetchError(f"{error.reason} (after {attempts} attempts)", permanent=False,
                                 status=error.status) from error
            raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(self, url: str, read, accept: str):
        current = url
        for _ in range(self.settings.max_redirects + 1):
            self._check_host(current, original=url)
            if not self.allowed(current):
                raise FetchError(f"robots.txt disallows {urlsplit(current).path or '/'} for our User-Agent",
                                 permanent=True)
            with self._request(current, accept) as response:
                status = response.status_code
                if status in (301, 302, 303, 307, 308):
                    location = response.headers.get("location")
                    if not location:
                        raise FetchError(f"HTTP {status} redirect without a Location", permanent=True, status=status)
                    current = urljoin(current, location)
                    continue
                if status == 200:
                    return read(response)
                raise self._status_error(response)
        raise FetchError(f"more than {self.settings.max_redirects} redirects", permanent=True)

    @contextmanager
    def _request(self, url: str, accept: str) -> Iterator[httpx.Response]:
        host = (urlsplit(url).hostname or "").lower()
        self.limiter.wait(host, self._interval(url))
        with self._count_lock:
            self.requests += 1
        try:
            with self._client.stream("GET", url, headers={"Accept": accept}) as response:
                yield response
        except FetchError:
            raise
        except httpx.TimeoutException as exc:
            raise FetchError(f"timed out ({type(exc).__name__}) after {self.settings.timeout_seconds:g} s",
                             retriable_now=True) from exc
        except httpx.RemoteProtocolError as exc:
            reason = "the connection closed before the whole body arrived (truncated)" \
                if "incomplete" in str(exc) or "complete message body" in str(exc) \
                else f"the server broke the connection ({_short(exc)})"
            raise FetchError(reason, retriable_now=True) from exc
        except httpx.TransportError as exc:  # connect errors, resets
            raise FetchError(f"connection error: {type(exc).__name__}: {_short(exc)}", retriable_now=True) from exc

    def _status_error(self, response: httpx.Response) -> FetchError:
        status = response.status_code
        if status == 429 or status in RETRY_STATUSES:
            retry_after = _retry_after(response.headers.get("retry-after"))
            if retry_after is not None and retry_after > self.settings.max_retry_after_seconds:
                return FetchError(
                    f"HTTP {status}: the server asked us to wait {retry_after:.0f} s (Retry-After), over the "
                    f"{self.settings.max_retry_after_seconds:.0f} s limit; left for the next run", status=status)
            label = "HTTP 429 Too Many Requests" if status == 429 else f"HTTP {status}"
            return FetchError(label, status=status, retry_after=retry_after, retriable_now=True)
        if status in (304,):
            return FetchError(f"HTTP {status} without a conditional request", status=status)
        # 4xx other than 408/425/429: retrying will not help, but the next run may see the page again.
        return FetchError(f"HTTP {status}", status=status, permanent=status in (401, 403, 404, 410, 451))

    def _check_host(self, url: str, *, original: str) -> None:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https"):
            raise FetchError(f"not an http(s) URL: {url[:80]}", permanent=True)
        if host not in self.allowed_hosts:
            what = "redirected to" if url != original else "on"
            raise FetchError(f"{what} another host ({host}), not followed: only "
                             f"{', '.join(sorted(self.allowed_hosts))} may be fetched", permanent=True)

    def _interval(self, url: str) -> float:
        interval = self.settings.min_interval_seconds
        robots = self._robots.get(_origin(url))
        if isinstance(robots, urllib.robotparser.RobotFileParser):
            delay = robots.crawl_delay(self.settings.user_agent)
            if delay:
                interval = max(interval, float(delay))
        return interval

    def _robots_for(self, url: str) -> urllib.robotparser.RobotFileParser | FetchError:
        origin = _origin(url)
        with self._robots_lock:
            if origin in self._robots:
                return self._robots[origin]
            parser = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
            try:
                status, text = self._get_robots(origin + "/robots.txt")
            except FetchError as error:
                # RFC 9309: robots.txt unreachable (5xx, network) means "assume complete disallow" for now.
                result: urllib.robotparser.RobotFileParser | FetchError = FetchError(
                    f"robots.txt could not be read ({error.reason}), so nothing was fetched from {origin}")
            else:
                if status in (401, 403):
                    parser.disallow_all = True
                elif status >= 400:
                    parser.allow_all = True  # no robots.txt: everything allowed
                else:
                    parser.parse(text.splitlines())
                parser.modified()
                result = parser
            self._robots[origin] = result
            return result

    def _get_robots(self, url: str) -> tuple[int, str]:
        """robots.txt with the same retries; redirects followed on the same host only."""

        def attempt() -> tuple[int, str]:
            current = url
            for _ in range(self.settings.max_redirects + 1):
                with self._request(current, "text/plain") as response:
                    status = response.status_code
                    if status in (301, 302, 303, 307, 308) and response.headers.get("location"):
                        target = urljoin(current, response.headers["location"])
                        if (urlsplit(target).hostname or "").lower() not in self.allowed_hosts:
                            return 404, ""  # robots.txt elsewhere: treat as absent, fetch nothing from there
                        current = target
                        continue
                    if status >= 500 or status == 429:
                        raise self._status_error(response)
                    body = self._read_capped(response, 512 * 1024, "robots.txt") if status == 200 else b""
                    return status, body.decode("utf-8", "replace")
            return 404, ""

        for try_ in Retrying(stop=stop_after_attempt(self.settings.retries + 1),
                             wait=wait_exponential(multiplier=self.settings.backoff_seconds,
                                                   max=self.settings.backoff_max_seconds),
                             retry=retry_if_exception(lambda e: isinstance(e, FetchError) and e.retriable_now),
                             reraise=True):
            with try_:
                return attempt()
        raise AssertionError("unreachable")  # pragma: no cover

    def _read_capped(self, response: httpx.Response, limit: int, what: str) -> bytes:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise FetchError(f"the {what} is {_size(int(declared))}, over the {_size(limit)} limit", permanent=True)
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchError(f"the {what} is over the {_size(limit)} limit", permanent=True)
            chunks.append(chunk)
        return b"".join(chunks)


# Helpers -------------------------------------------------------------------------------------------


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def _decode(body: bytes, response: httpx.Response) -> str:
    encoding = response.charset_encoding or "utf-8"
    try:
        return body.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        return body.decode("utf-8", "replace")


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    from datetime import datetime, timezone

    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or "no message"
    return text if len(text) <= 160 else text[:157] + "..."


def _size(n: int) -> str:
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= scale:
            return f"{n / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"
