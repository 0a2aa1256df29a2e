"""Shared test settings: hermetic Prefect, single-threaded Tesseract, paths to fixtures and seeds."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

# Before Prefect is imported anywhere: a throwaway PREFECT_HOME, no telemetry, a generous startup timeout.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="scrutiny-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
os.environ.pop("PREFECT_API_URL", None)

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
PAPERS = FIXTURES / "papers"
TRUTH = FIXTURES / "truth"
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def papers_dir() -> Path:
    return PAPERS


@pytest.fixture(scope="session")
def truth_dir() -> Path:
    return TRUTH
