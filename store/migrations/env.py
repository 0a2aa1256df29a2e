"""Alembic environment for the store.

Store.migrate() hands over its own open connection (config.attributes["connection"]), so the
store's connection settings apply: SQLite pragmas, a PostgreSQL search_path. From the command
line the URL comes from the ini file, else $SCRUTINY_DATABASE_URL, else sqlite:///scrutiny.db.
"""
from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool
from sqlalchemy.engine import Connection

from store.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        # SQLite cannot ALTER most things; batch mode lets later migrations copy tables instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    """Emit SQL to stdout (`alembic upgrade head --sql`)."""
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # Command-line use: only then configure logging, so programmatic calls never reset the app's loggers.
    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _url() -> str:
    return (
        config.get_main_option("sqlalchemy.url")
        or os.environ.get("SCRUTINY_DATABASE_URL")
        or "sqlite:///scrutiny.db"
    )


if context.is_offline_mode():
    run_offline()
else:
    run_online()
