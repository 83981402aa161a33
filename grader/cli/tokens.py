"""`grader tokens create|list|revoke USER`: reviewers' API tokens for the service's HTTP API
(docs/service.md, "The HTTP API"). A token is printed once, when created (alone on standard
output, so `TOKEN=$(grader tokens create ada)` works); only its sha256 is kept."""

from __future__ import annotations

import sys

import click

from grader.cli.app import _CONTEXT, _echo_err, cli
from grader.errors import EXIT_REJECTED


def _open_store() -> None:
    from grader.cli.service import _needs_store
    from grader.db.connection import ensure_django
    from grader.store import Store

    _needs_store()
    ensure_django()
    Store(alias="default")      # the configured store, migrated


@cli.group("tokens", context_settings=_CONTEXT)
def tokens_group() -> None:
    """Reviewers' API tokens (Authorization: Bearer <token> on /api/v1/).

    \b
    Example:
      TOKEN=$(grader tokens create ada --name ats)
      curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8000/api/v1/openings
      grader tokens list ada
      grader tokens revoke ada --name ats
    """


@tokens_group.command("create", context_settings=_CONTEXT)
@click.argument("user")
@click.option("--name", default="api", show_default=True,
              help="What the token is for (shown in lists), e.g. the ATS's name.")
def tokens_create_cmd(user: str, name: str) -> None:
    """Create an API token for reviewer USER and print it (once: only its hash is kept).

    Exit code: 0 created, 2 refused (no such reviewer, inactive, bad name).
    """
    _open_store()
    from grader.web.api.tokens import TokenRefused, create_token, reviewer

    try:
        made = create_token(reviewer(user), name)
    except TokenRefused as exc:
        _echo_err(f"grader: no token created: {exc}")
        sys.exit(EXIT_REJECTED)
    click.echo(made.plain)
    _echo_err(f"grader: token {made.token.pk} ({name!r}) for {user}: shown this once, keep "
              "it in a secret store; revoke it with "
              f"`grader tokens revoke {user} --id {made.token.pk}`")


@tokens_group.command("list", context_settings=_CONTEXT)
@click.argument("user")
def tokens_list_cmd(user: str) -> None:
    """The API tokens of reviewer USER (id, name, first characters, created, last used,
    state); the tokens themselves are never shown again."""
    _open_store()
    from grader.web.api.tokens import TokenRefused, reviewer, tokens_of

    try:
        rows = tokens_of(reviewer(user))
    except TokenRefused as exc:
        _echo_err(f"grader: {exc}")
        sys.exit(EXIT_REJECTED)
    if not rows:
        _echo_err(f"grader: {user} has no API token")
    for row in rows:
        used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never"
        click.echo(f"{row.pk:<5} {row.name:<20} {row.token_hint}...  created "
                   f"{row.created_at:%Y-%m-%d %H:%M}  last used {used:<16}  "
                   f"{'revoked' if row.revoked else 'live'}")


@tokens_group.command("revoke", context_settings=_CONTEXT)
@click.argument("user")
@click.option("--id", "token_id", type=int, help="The token's id (grader tokens list).")
@click.option("--name", help="Every live token of USER with this name.")
@click.option("--all", "every", is_flag=True, help="Every live token of USER.")
def tokens_revoke_cmd(user: str, token_id: int | None, name: str | None, every: bool) -> None:
    """Revoke API tokens of reviewer USER (chosen by --id, --name or --all): they open
    nothing from then on.

    Exit code: 0 revoked, 2 refused (no such reviewer, nothing chosen, nothing matched).
    """
    _open_store()
    from grader.web.api.tokens import TokenRefused, revoke_tokens
    from grader.web.api.tokens import reviewer as find_reviewer

    try:
        revoked = revoke_tokens(find_reviewer(user), token_id=token_id,
                                name=name, every=every)
    except TokenRefused as exc:
        _echo_err(f"grader: nothing revoked: {exc}")
        sys.exit(EXIT_REJECTED)
    for row in revoked:
        click.echo(f"revoked {row.pk} {row.name} ({row.token_hint}...)")
