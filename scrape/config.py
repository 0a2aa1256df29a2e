"""councils.yaml: which councils to scrape, how, and how politely. Validated on load with plain errors.

    settings:                    # optional; every key has a default (ScrapeSettings)
      user_agent: "Scrutiny/0.1 (+mailto:you@example.org)"
      min_interval_seconds: 2
    councils:
      - name: Wokingham Borough Council
        platform: moderngov
        base_url: https://wokingham.moderngov.co.uk
        committees: ["Children", "Overview and Scrutiny", "Cabinet", "Corporate Parenting"]
        documents: ["performance", "scorecard", "dashboard", "indicators", "appendix"]

`load_config(path)` returns a ScrapeConfig or raises ConfigError whose message lists every problem, each with
the file, the council and the field ("councils.yaml: council 2 (Kent): base_url: must start with http:// or
https://").
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

DEFAULT_COMMITTEES = ["Children", "Overview and Scrutiny", "Scrutiny", "Cabinet", "Corporate Parenting"]
DEFAULT_DOCUMENTS = ["performance", "scorecard", "dashboard", "indicators", "appendix"]
DEFAULT_USER_AGENT = "Scrutiny/0.1 (council papers research; +https://github.com/scrutiny)"


class ConfigError(ValueError):
    """councils.yaml cannot be used; the message says which file, which council, which field and why."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_patterns(values: list[str]) -> list[str]:
    for value in values:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"{value!r} is not a valid regular expression ({exc})") from exc
    return values


class ScrapeSettings(_Strict):
    """Politeness, limits and the rolling window. Defaults follow what good council scrapers do."""

    user_agent: str = DEFAULT_USER_AGENT
    min_interval_seconds: float = Field(2.0, ge=0, description="per host: at least this long between requests")
    timeout_seconds: float = Field(60.0, gt=0, description="read timeout; self-hosted ModernGov can take 60 s")
    connect_timeout_seconds: float = Field(10.0, gt=0)
    retries: int = Field(3, ge=0, description="extra attempts after a 5xx, 429, timeout or connection error")
    backoff_seconds: float = Field(2.0, ge=0, description="first wait; doubles each retry")
    backoff_max_seconds: float = Field(60.0, ge=0)
    max_retry_after_seconds: float = Field(120.0, ge=0, description="a longer Retry-After fails the fetch")
    max_bytes: int = Field(50 * 1024 * 1024, gt=0)
    max_page_bytes: int = Field(10 * 1024 * 1024, gt=0, description="limit for XML and HTML pages")
    content_types: list[str] = ["application/pdf", "application/x-pdf", "application/octet-stream",
                                "binary/octet-stream", "application/download", "application/force-download"]
    max_redirects: int = Field(5, ge=0)
    respect_robots_txt: bool = True
    weeks_back: int = Field(4, ge=0)
    weeks_forward: int = Field(1, ge=0)
    max_attempts: int = Field(5, ge=1, description="runs that may retry a failed attachment or meeting")
    max_workers: int = Field(2, ge=1, description="papers fetched and processed at once")
    papers_dir: Path = Path("papers")
    schedule_cron: str = "0 6 * * *"

    def window(self, today: date | None = None) -> tuple[date, date]:
        from datetime import timedelta

        today = today or date.today()
        return today - timedelta(weeks=self.weeks_back), today + timedelta(weeks=self.weeks_forward)


class LinkRule(_Strict):
    """Links picked from an HTML page: a CSS selector for the elements (default every `a[href]`) and/or a
    regular expression their href must match; named groups `id` and `date` are used when present."""

    css: str = "a[href]"
    href: str | None = None
    text: str | None = None

    @field_validator("href", "text")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            _check_patterns([value])
        return value


class GenericSite(_Strict):
    """How to read a site that is not ModernGov.

    `listing_urls` are fetched (relative to base_url; `{from}` and `{to}` are replaced by the window's dates in
    `url_date_format`). On them `meetings` picks links to meeting pages, whose text gives the meeting's title
    (matched against the committee patterns) and date (`date_format`, or day-month-year words). On each
    meeting page `documents` picks the paper links. Without `meetings`, papers are read off the listing
    pages themselves. `attachment_id` is a regular expression with one group taking a stable id from a
    paper's URL; without it the id is a hash of the URL.
    """

    listing_urls: list[str] = Field(min_length=1)
    meetings: LinkRule | None = None
    documents: LinkRule = LinkRule(href=r"\.pdf(\?|$)")
    attachment_id: str | None = None
    url_date_format: str = "%Y-%m-%d"
    date_format: str | None = None

    @field_validator("attachment_id")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            _check_patterns([value])
            if re.compile(value).groups < 1:
                raise ValueError("needs one group, e.g. '/documents/(\\d+)/'")
        return value


def _slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower().replace("'", "").replace("\u2019", "")).strip("-")
    return slug[:100] or "council"


class CouncilConfig(_Strict):
    name: str = Field(min_length=1)
    platform: Literal["moderngov", "generic"]
    base_url: str
    committees: Annotated[list[str], Field(min_length=1)] = DEFAULT_COMMITTEES
    documents: Annotated[list[str], Field(min_length=1)] = DEFAULT_DOCUMENTS
    exclude_documents: list[str] = ["minutes", "agenda frontsheet"]
    # Meeting packs repeat the reports: fetch a pack only when a meeting lists no reports of its own.
    packs: Literal["if_no_reports", "never", "always"] = "if_no_reports"
    extra_hosts: list[str] = Field(default_factory=list, description="other hosts papers may be served from")
    enabled: bool = True
    slug: str | None = None
    generic: GenericSite | None = None

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https"):
            raise ValueError("must start with http:// or https://")
        if not parts.hostname:
            raise ValueError("has no host name")
        if parts.query or parts.fragment:
            raise ValueError("must be the site's base address, without ?query or #fragment")
        return value.strip().rstrip("/")

    @field_validator("committees", "documents", "exclude_documents")
    @classmethod
    def _patterns(cls, values: list[str]) -> list[str]:
        return _check_patterns(values)

    @field_validator("extra_hosts")
    @classmethod
    def _hosts(cls, values: list[str]) -> list[str]:
        for host in values:
            if not host or "/" in host or ":" in host:
                raise ValueError(f"{host!r} should be a bare host name such as documents.example.gov.uk")
        return [h.lower() for h in values]

    @model_validator(mode="after")
    def _platform_block(self) -> CouncilConfig:
        if self.platform == "generic" and self.generic is None:
            raise ValueError("platform 'generic' needs a 'generic:' block (listing_urls, documents, ...)")
        if self.platform == "moderngov" and self.generic is not None:
            raise ValueError("the 'generic:' block is only for platform 'generic'")
        if self.slug is None:
            object.__setattr__(self, "slug", _slugify(self.name))
        return self

    @property
    def host(self) -> str:
        return (urlsplit(self.base_url).hostname or "").lower()

    @property
    def allowed_hosts(self) -> set[str]:
        return {self.host, *self.extra_hosts}


class ScrapeConfig(_Strict):
    settings: ScrapeSettings = ScrapeSettings()
    councils: list[CouncilConfig] = Field(min_length=1)
    path: Path | None = None

    @model_validator(mode="after")
    def _unique(self) -> ScrapeConfig:
        for attr in ("name", "slug"):
            seen: set[str] = set()
            for council in self.councils:
                value = getattr(council, attr).casefold()
                if value in seen:
                    raise ValueError(f"two councils have the {attr} {getattr(council, attr)!r}")
                seen.add(value)
        return self

    def select(self, names: list[str] | None = None) -> list[CouncilConfig]:
        """The enabled councils, or the named ones (by name or slug, any case; enabled or not)."""
        if not names:
            return [c for c in self.councils if c.enabled]
        chosen = []
        for wanted in names:
            match = [c for c in self.councils if wanted.casefold() in (c.name.casefold(), c.slug)]
            if not match:
                known = ", ".join(c.name for c in self.councils)
                raise ConfigError(f"no council called {wanted!r} in {self.path or 'the config'} (known: {known})")
            chosen.extend(m for m in match if m not in chosen)
        return chosen

    def papers_dir(self) -> Path:
        """settings.papers_dir, relative to the config file's folder when it is relative."""
        folder = self.settings.papers_dir
        if not folder.is_absolute() and self.path is not None:
            folder = self.path.parent / folder
        return folder


def parse_config(data: object, source: str = "councils.yaml") -> ScrapeConfig:
    """Validate already-loaded YAML data; ConfigError lists every problem."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: should be a mapping with a 'councils:' list (and optional 'settings:'), "
                          f"not {type(data).__name__}")
    try:
        return ScrapeConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_explain(exc, data, source)) from None


def load_config(path: str | Path) -> ScrapeConfig:
    """Read and validate councils.yaml."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file. Copy councils.example.yaml to {path.name} and edit it.") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: is not valid YAML: {exc}") from None
    config = parse_config(data, str(path))
    return config.model_copy(update={"path": path.resolve()})


def _explain(exc: ValidationError, data: dict, source: str) -> str:
    lines = []
    councils = data.get("councils") if isinstance(data, dict) else None
    for error in exc.errors():
        loc = list(error["loc"])
        where = []
        if len(loc) >= 2 and loc[0] == "councils" and isinstance(loc[1], int):
            index = loc[1]
            name = None
            if isinstance(councils, list) and index < len(councils) and isinstance(councils[index], dict):
                name = councils[index].get("name")
            where.append(f"council {index + 1}" + (f" ({name})" if name else ""))
            loc = loc[2:]
        field = ".".join(str(p) for p in loc)
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown setting (check the spelling)"
        elif error["type"] == "missing":
            message = "is required"
        elif error["type"] == "literal_error":
            message = f"must be one of {error['ctx']['expected']}"
        lines.append(f"{source}: " + ": ".join(where + ([field] if field else []) + [message]))
    return "\n".join(lines)
