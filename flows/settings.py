"""Environment defaults that must be in place before Prefect is imported.

Prefect's ephemeral server migrates its database on first use and can exceed the default 20 s start-up
timeout on a cold machine; its telemetry tries to reach the internet; Tesseract's OpenMP threads make it
slower on small machines. Users can still override each of these in their environment.
"""
import os

DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "OMP_THREAD_LIMIT": "1",
}


def apply_defaults() -> None:
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)
