"""Verbs for a candidate or a reviewer debugging one submission: `grader check` (pre-flight in
the unzipped kit) and `grader shell` (a shell in the grading sandbox)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from grader.challenge import find_challenge
from grader.cli.app import _CONTEXT, cli
from grader.settings import Settings


@cli.command("check", context_settings=_CONTEXT)
@click.argument("folder", required=False, default=".",
                type=click.Path(exists=True, file_okay=False, path_type=Path))
def check_cmd(folder: Path) -> None:
    """For candidates, inside the unzipped kit: the intake rules, submission.yaml, the files
    graded as your own work, and the kit's public checks (no hidden material is involved).

    \b
    Example:
      cd backend-fastapi && grader check

    Exit code: 0 ready to submit, 1 something to fix (listed).
    """
    from grader.check import check_folder

    lines = check_folder(folder)
    marks = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}
    for line in lines:
        click.echo(f"{marks[line.status]} {line.text}")
        if line.detail and line.status != "ok":
            click.echo("\n".join(f"       {d}" for d in line.detail.splitlines()))
    failed = sum(1 for line in lines if line.status == "fail")
    click.echo("ready to submit" if not failed else f"{failed} thing(s) to fix")
    sys.exit(1 if failed else 0)


@cli.command("shell", context_settings=_CONTEXT)
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--challenge", "challenge_ref", metavar="ID|DIR",
              help="Challenge (default: the one named in submission.yaml).")
@click.option("-c", "command", metavar="COMMAND", help="Run this command instead of a shell.")
def shell_cmd(path: Path, challenge_ref: str | None, command: str | None) -> None:
    """Open a shell in the same sandbox the grader uses for a submission (no network, same
    image, limits and hardening; the files in /work). Everything is removed on exit.

    \b
    Example:
      grader shell submission.zip
      grader shell submission.zip -c "python -m pytest -q"
    """
    from grader.shell import open_shell

    challenge = find_challenge(challenge_ref) if challenge_ref else None
    sys.exit(open_shell(path, challenge, Settings.from_env(), command, echo=click.echo))
