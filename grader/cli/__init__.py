"""The `grader` command line (click): `app` holds the group and the error-to-exit-code mapping;
each module beside it holds a few verbs (grading, authoring, stored, candidate, machine,
queued).

Exit codes: 0 report(s) written, 1 internal error, 2 input rejected, 3 environment not usable,
130 interrupted. See grader.errors and the README.
"""

from __future__ import annotations

import signal
import sys

from grader.cli import (
    authoring,
    candidate,
    grading,
    machine,
    queued,
    service,
    stored,
    tokens,
)
from grader.cli.app import _interrupted, _sigterm, cli
from grader.errors import EXIT_INTERRUPTED

__all__ = ["authoring", "candidate", "cli", "grading", "machine", "main", "queued",
           "service", "stored", "tokens"]


def main() -> None:
    """Console-script entry point."""
    signal.signal(signal.SIGTERM, _sigterm)
    try:
        cli.main(prog_name="grader", standalone_mode=True)
    except KeyboardInterrupt:  # raised outside a command (e.g. while parsing)
        _interrupted()
        sys.exit(EXIT_INTERRUPTED)


