"""Verbs over the local store of graded submissions: `grader list`, `grader show`,
`grader regrade`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from grader.challenge import find_challenge
from grader.cli.app import _CONTEXT, _echo_err, batch_exit_code, cli
from grader.errors import EXIT_REJECTED
from grader.pipeline import Grader
from grader.report import render_markdown
from grader.settings import Settings

if TYPE_CHECKING:
    from grader.store import Store


def _store() -> Store:
    from grader.store import default_store

    store = default_store()
    if store is None:
        _echo_err("grader: the local store is off (GRADER_STORE=off)")
        sys.exit(EXIT_REJECTED)
    return store


@cli.command("list", context_settings=_CONTEXT)
@click.option("--challenge", "challenge_id", metavar="ID", help="Only this challenge.")
def list_cmd(challenge_id: str | None) -> None:
    """List the graded submissions kept in the store (GRADER_STORE or GRADER_DATABASE_URL).

    \b
    Example:
      grader list --challenge backend
    """
    entries = _store().entries(challenge_id)
    for e in entries:
        click.echo(f"{e.id:<40} {e.challenge:<14} {e.status:<9} {e.percent:>6.1f}%  "
                   f"{e.graded_at}  {e.candidate}")
    click.echo(f"{len(entries)} submission(s)")


@cli.command("show", context_settings=_CONTEXT)
@click.argument("submission_id", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md",
              show_default=True)
def show_cmd(submission_id: str, fmt: str) -> None:
    """Show a stored report (an id from `grader list`, or a unique prefix of one).

    \b
    Example:
      grader show ada-lovelace-1a2b
    """
    report = _store().report(submission_id)
    if report is None:
        _echo_err(f"grader: no stored submission {submission_id!r} (see grader list)")
        sys.exit(EXIT_REJECTED)
    text = render_markdown(report) if fmt == "md" else report.to_json()
    click.echo(text, nl=not text.endswith("\n"))


@cli.command("regrade", context_settings=_CONTEXT)
@click.argument("challenge_ref", metavar="CHALLENGE")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("reports"),
              show_default=True, help="Folder for the new reports.")
def regrade_cmd(challenge_ref: str, out_dir: Path) -> None:
    """Grade again every stored submission of a challenge (after the challenge changed),
    from the files kept in the store; prints each old and new score.

    \b
    Example:
      grader regrade backend --out reports-v2/
    """
    import tempfile

    challenge = find_challenge(challenge_ref)
    store = _store()
    entries = [e for e in store.entries(challenge.id) if e.has_source]
    grader = Grader(out_dir=out_dir, challenge=challenge, settings=Settings.from_env(),
                    store=store)
    codes = []
    with tempfile.TemporaryDirectory(prefix="grader-regrade-") as tmp:
        for entry in entries:
            path = store.write_source(entry.id, Path(tmp))
            if path is None:  # removed since the listing
                continue
            outcome = grader.grade(path, source=entry.source or f"store:{entry.id}")
            path.unlink()
            codes.append(outcome.exit_code)
            chal = outcome.report.challenge
            version = f" (version {chal.version_text})" if chal else ""
            click.echo(f"{entry.id}: {entry.percent:g}% -> {outcome.report.total.percent}%"
                       f"{version}")
    click.echo(f"regraded {len(codes)} submission(s) of {challenge.id}")
    sys.exit(batch_exit_code(codes))
