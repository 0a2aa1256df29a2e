"""Scraping council committee papers: ModernGov (web service, HTML fallback) and configured generic sites.

    config = load_config("councils.yaml")
    with Store(url) as store:
        store.migrate()
        for council in config.select():
            result = scrape_council(council, config, store)          # discover -> fetch -> run log
            print(result.run.status, result.run.new, result.run.failed)

The Prefect flow in flows/scrape.py runs the same steps per council and sends each new paper through the
pipeline. See scrape/README.md.
"""
from .base import Adapter, Meeting, PaperLink, Window
from .config import ConfigError, CouncilConfig, ScrapeConfig, ScrapeSettings, load_config, parse_config
from .http import FetchError, PoliteClient
from .runner import (
    CouncilPlan,
    CouncilResult,
    FetchResult,
    PaperJob,
    discover_council,
    fetch_paper,
    finish_run,
    make_adapter,
    scrape_council,
    window_for,
)

__all__ = [
    "Adapter", "ConfigError", "CouncilConfig", "CouncilPlan", "CouncilResult", "FetchError", "FetchResult",
    "Meeting", "PaperJob", "PaperLink", "PoliteClient", "ScrapeConfig", "ScrapeSettings", "Window",
    "discover_council", "fetch_paper", "finish_run", "load_config", "make_adapter", "parse_config",
    "scrape_council", "window_for",
]
