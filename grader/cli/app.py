"""The `grader` command group: parses arguments, calls plain functions, maps errors to exit
codes.

Exit codes: 0 report(s) written, 1 internal error, 2 input rejected, 3 environment not usable,
130 interrupted. See grader.errors and the README. The verbs live in the modules beside this one.
"""

from __future__ import annotations

import contextlib
import signal
from typing import Any

import click

from grader import __version__
from grader.errors import (
    EXIT_ENVIRONMENT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_REJECTED,
    GraderError,
)

_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _echo_err(message: str) -> None:
    click.echo(message, err=True)


class _GraderGroup(click.Group):
    """Runs a command and turns grader's exceptions into one message and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GraderError as exc:
            _echo_err(f"grader: {exc}")
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            _interrupted()
            ctx.exit(EXIT_INTERRUPTED)


def _interrupted() -> None:
    """Ctrl-C / SIGTERM: stop every sandbox, remove what this process created, say so."""
    from grader.sandbox.lifecycle import CANCEL, LABEL_RUN, RUN_ID, remove_labelled

    CANCEL.set()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not stop the cleanup
    _echo_err("grader: interrupted; removing containers and networks ...")
    with contextlib.suppress(Exception):
        from grader.sandbox.client import connect

        client = connect(timeout=30)
        removed = remove_labelled(client, f"{LABEL_RUN}={RUN_ID}")
        _echo_err(f"grader: {removed.summary()}")


def _sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt()


@click.group(cls=_GraderGroup, context_settings=_CONTEXT)
@click.version_option(__version__, prog_name="grader")
def cli() -> None:
    """Grade take-home submissions in hardened Docker sandboxes.

    \b
    Example:
      grader run submission.zip --out reports/
    """


def batch_exit_code(codes: list[int]) -> int:
    """The most serious of several exit codes: 3, then 1, then 2, then 0."""
    for code in (EXIT_ENVIRONMENT, EXIT_INTERNAL, EXIT_REJECTED):
        if code in codes:
            return code
    return EXIT_OK
