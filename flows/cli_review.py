"""`scrutiny review` (the review web app) and `scrutiny users ...` (its accounts).

    scrutiny users add asha --role admin          # asks for the password twice
    echo "$PW" | scrutiny users add ben --password-stdin
    scrutiny review --database sqlite:///out/demo/scrutiny.db     # http://127.0.0.1:8000
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

console = Console()
users_app = typer.Typer(help="Accounts of the review tool (roles: reviewer, admin).", no_args_is_help=True)

DatabaseOption = Annotated[Optional[str], typer.Option(
    "--database", envvar="SCRUTINY_DATABASE_URL",
    help="SQLAlchemy URL of the store (default sqlite:///scrutiny.db).")]


def _store(database: str | None):
    from flows.cli import _database
    from store import Store

    store = Store(_database(database))
    store.migrate()
    return store


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Sign-in name (no spaces).")],
    role: Annotated[str, typer.Option(help="reviewer or admin.")] = "reviewer",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")] = False,
    database: DatabaseOption = None,
):
    """Create a user; the password is stored only as an argon2id hash."""
    from review.auth import hash_password
    from store.review_store import ReviewStore

    password = _read_password(password_stdin)
    try:
        hashed = hash_password(password)
        with _store(database) as store:
            user = ReviewStore(store).add_user(username, hashed, role)
    except ValueError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from error
    console.print(f"Added {user.role} [bold]{user.username}[/bold].")


@users_app.command("passwd")
def users_passwd(
    username: str,
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
    database: DatabaseOption = None,
):
    """Set a user's password (signs them out everywhere)."""
    from review.auth import hash_password
    from store.review_store import ReviewStore

    password = _read_password(password_stdin)
    try:
        hashed = hash_password(password)
        with _store(database) as store:
            ReviewStore(store).set_password(username, hashed)
    except (ValueError, LookupError) as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from error
    console.print(f"Password of [bold]{username}[/bold] changed.")


@users_app.command("role")
def users_role(username: str, role: str, database: DatabaseOption = None):
    """Make a user a reviewer or an admin."""
    from store.review_store import ReviewStore

    try:
        with _store(database) as store:
            ReviewStore(store).set_role(username, role)
    except (ValueError, LookupError) as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from error
    console.print(f"[bold]{username}[/bold] is now {role}.")


@users_app.command("disable")
def users_disable(username: str, database: DatabaseOption = None):
    """Stop a user signing in (their decisions stay in the log)."""
    from store.review_store import ReviewStore

    try:
        with _store(database) as store:
            ReviewStore(store).set_active(username, False)
    except LookupError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from error
    console.print(f"[bold]{username}[/bold] can no longer sign in.")


@users_app.command("list")
def users_list(database: DatabaseOption = None):
    """The users, with their roles."""
    from store.review_store import ReviewStore

    with _store(database) as store:
        users = ReviewStore(store).users()
    table = Table("username", "role", "active", "created")
    for u in users:
        table.add_row(u.username, u.role, "yes" if u.active else "no", u.created_at.strftime("%Y-%m-%d %H:%M"))
    console.print(table if users else "No users yet: add one with `scrutiny users add NAME --role admin`.")


def review(
    database: DatabaseOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    papers: Annotated[Optional[list[Path]], typer.Option(
        "--papers", help="Folder to look for the papers' files in (for the evidence crops); repeatable.")] = None,
    secure_cookies: Annotated[bool, typer.Option(help="Mark cookies Secure (when served over HTTPS).")] = False,
):
    """Serve the discrepancy review queue (confirm, dismiss, correct, remap) in the browser."""
    import uvicorn

    from review.app import create_app
    from store.review_store import ReviewStore

    store = _store(database)
    app = create_app(store=store, secure_cookies=secure_cookies, papers_dirs=[str(p) for p in papers or []],
                     allowed_hosts=sorted({host, "127.0.0.1", "localhost", "::1"}), migrate=False)
    if not ReviewStore(store).users():
        console.print("[yellow]No users yet: add one first with "
                      f"`scrutiny users add NAME --role admin --database {store.url.render_as_string()}`.[/yellow]")
    shown = f"[{host}]" if ":" in host else host
    console.print(f"Review queue on [bold]http://{shown}:{port}/[/bold] (Ctrl+C stops it)")
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False, server_header=False)


def register(app: typer.Typer) -> None:
    """Add `review` and `users` to the main `scrutiny` app."""
    app.command("review")(review)
    app.add_typer(users_app, name="users")
