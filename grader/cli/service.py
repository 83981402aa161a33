"""Verbs of the web service: `grader serve` (the hiring service with its embedded grading
workers), `grader users add|list` (reviewer accounts), `grader migrate` (bring the store's
schema up to date; import a store from before the ORM)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from grader.cli.app import _CONTEXT, _echo_err, cli
from grader.errors import EXIT_REJECTED, EnvironmentProblem


def _needs_store() -> None:
    from grader.db.location import database_url, store_is_off

    if store_is_off() and not database_url():
        raise EnvironmentProblem("the store is off (GRADER_STORE=off), and the service "
                                 "keeps everything in it",
                                 fix="unset GRADER_STORE, or point it to a file")


@cli.command("serve", context_settings=_CONTEXT)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every interface; put TLS in front).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port (0: any free one, printed).")
@click.option("--workers", type=click.IntRange(0, 64), default=1, show_default=True,
              help="Submissions graded at the same time by the embedded pool (0: none; "
                   "another process grades).")
@click.option("--threads", type=click.IntRange(1, 256), default=8, show_default=True,
              help="HTTP requests served at the same time.")
def serve_cmd(host: str, port: int, workers: int, threads: int) -> None:
    """Run the hiring web service: reviewers' pages, candidates' invite pages, the admin
    pages, and the grading workers. Settings: docs/service.md.

    \b
    Example:
      grader users add ada --admin
      grader serve --port 8000
    """
    from grader.web.server import serve

    _needs_store()
    serve(host, port, workers, threads, echo=click.echo)


@cli.command("migrate", context_settings=_CONTEXT)
@click.option("--import-legacy", "legacy", type=click.Path(exists=True, dir_okay=False,
                                                             path_type=Path),
              help="Also import a store written before the ORM (its grader.db file; "
                   "sources/ and versions/ beside it), e.g. into PostgreSQL.")
def migrate_cmd(legacy: Path | None) -> None:
    """Bring the store's schema up to date (every command does this when it opens the
    store) and say what it holds.

    \b
    Example:
      grader migrate
      GRADER_DATABASE_URL=postgres://grader@db/grader grader migrate \
          --import-legacy ~/.local/share/grader/grader.db
    """
    from grader.db.connection import ensure_django, migrate
    from grader.db.legacy import describe, import_legacy
    from grader.store import Store

    _needs_store()
    ensure_django()
    store = Store(alias="default")      # the configured store (grader/web/settings.py)
    applied = migrate(store.alias, force=True)
    click.echo(f"{store.describe()}: schema up to date"
               + (f" ({len(applied)} migration(s) applied)" if applied else ""))
    if legacy is not None:
        count = import_legacy(store.alias, legacy)
        click.echo(f"{legacy}: " + ("nothing to import (no legacy tables, or imported before)"
                                    if count is None else f"{count} submission(s) imported"))
    for line in describe(store.alias):
        click.echo(line)


@cli.group("users", context_settings=_CONTEXT)
def users_group() -> None:
    """Reviewer accounts of the web service (also in its admin pages).

    \b
    Example:
      grader users add ada --admin
      printf '%s\\n' "$PASSWORD" | grader users add bob --password-stdin
    """


@users_group.command("add", context_settings=_CONTEXT)
@click.argument("name")
@click.option("--admin", is_flag=True, help="Staff and superuser: the admin pages.")
@click.option("--email", default="", help="Kept as text; nothing is sent.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input.")
def users_add_cmd(name: str, admin: bool, email: str, password_stdin: bool) -> None:
    """Create a reviewer account (the password is prompted twice unless --password-stdin).

    Exit code: 0 created, 2 refused (the name exists, or the password is too weak: said why).
    """
    from grader.db.connection import ensure_django
    from grader.store import Store

    _needs_store()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    ensure_django()
    Store(alias="default")      # migrated before the first account is written
    from grader.web.users import UserRefused, add_user

    try:
        user = add_user(name, password, admin=admin, email=email)
    except UserRefused as exc:
        _echo_err(f"grader: user {name!r} not created: {exc}")
        sys.exit(EXIT_REJECTED)
    click.echo(f"created {'admin' if user.admin else 'reviewer'} {user.name}")


@users_group.command("list", context_settings=_CONTEXT)
def users_list_cmd() -> None:
    """The reviewer accounts."""
    from grader.db.connection import ensure_django
    from grader.store import Store

    _needs_store()
    ensure_django()
    Store(alias="default")
    from grader.web.users import list_users

    for user in list_users():
        click.echo(f"{user.name:<24} {'admin' if user.admin else 'reviewer':<9} "
                   f"{'active' if user.active else 'inactive':<9} last login {user.last_login}")
