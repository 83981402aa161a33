"""Verbs about the machine: `grader doctor` (is it ready to grade?) and `grader gc` (remove
what carries grader's label)."""

from __future__ import annotations

import sys

import click

from grader.cli.app import _CONTEXT, _echo_err, cli
from grader.errors import (
    EXIT_ENVIRONMENT,
    EXIT_OK,
)


# -- doctor ---------------------------------------------------------------------------------
@cli.command("doctor", context_settings=_CONTEXT)
def doctor_cmd() -> None:
    """Check the Docker engine, the base image and the challenge images; print fixes.

    \b
    Example:
      grader doctor

    Exit code 0 when grading can run (images not built yet are built on first use), 3 when not.
    """
    from grader.doctor import run_doctor

    problems_fatal = run_doctor(click.echo)
    sys.exit(EXIT_ENVIRONMENT if problems_fatal else EXIT_OK)




# -- gc -------------------------------------------------------------------------------------
@cli.command("gc", context_settings=_CONTEXT)
@click.option("--keep-images", is_flag=True, help="Remove containers and networks only.")
def gc_cmd(keep_images: bool) -> None:
    """Remove containers, networks and images that carry grader's label.

    \b
    Example:
      grader gc --keep-images
    """
    from grader.sandbox.client import connect
    from grader.sandbox.lifecycle import gc

    removed = gc(connect(), images=not keep_images)
    click.echo(removed.summary())
    for error in removed.errors or []:
        _echo_err(f"grader: could not remove {error}")
