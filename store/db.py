"""Connections and migrations: database URL, SQLite settings, Alembic config."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url

DEFAULT_URL = "sqlite:///scrutiny.db"
PACKAGE_DIR = Path(__file__).resolve().parent
SQLITE_BUSY_TIMEOUT_MS = 30_000


def resolve_url(url: str | URL | None = None) -> URL:
    """The database URL: given, else $SCRUTINY_DATABASE_URL, else sqlite:///scrutiny.db.

    A bare postgresql:// URL gets the psycopg (3) driver, the one installed.
    """
    resolved = make_url(url or os.environ.get("SCRUTINY_DATABASE_URL") or DEFAULT_URL)
    if resolved.drivername in ("postgresql", "postgres"):
        resolved = resolved.set(drivername="postgresql+psycopg")
    return resolved


def alembic_config(url: URL) -> Config:
    """Alembic config for the migrations shipped inside this package."""
    config = Config(str(PACKAGE_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(PACKAGE_DIR / "migrations"))
    # configparser treats % as interpolation, and URLs carry %-escapes (e.g. in options=-csearch_path%3D...).
    config.set_main_option("sqlalchemy.url", url.render_as_string(hide_password=False).replace("%", "%%"))
    return config


def configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys and a busy timeout on every connection, and explicit BEGINs.

    pysqlite's own transaction handling starts transactions late and cannot BEGIN IMMEDIATE;
    write sessions take the write lock up front so concurrent writers wait (busy timeout)
    instead of failing with 'database is locked' when upgrading a read lock.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get("scrutiny_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
