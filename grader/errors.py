"""The exception tree and the exit codes it maps to.

Errors the *candidate* caused become values in the report (a failed or errored check).
Exceptions are for what the reviewer or the environment must fix; each carries the exit code
`grader` ends with, and a message that is one clear sentence saying what to do next.

Exit codes (stable, documented in the README):
    0  a report was written (whatever the score)
    1  internal error in grader itself (a bug: please report it)
    2  the input was rejected (submission or challenge config); the message names the rule
    3  the environment is not usable (no Docker engine, base image missing, ...)
  130  interrupted (Ctrl-C); everything grader started has been removed
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_REJECTED = 2
EXIT_ENVIRONMENT = 3
EXIT_INTERRUPTED = 130


class GraderError(Exception):
    """Base of every error grader raises on purpose."""

    exit_code = EXIT_INTERNAL


class InputRejected(GraderError):
    """The submission was refused at intake; `rule` names the rule that refused it."""

    exit_code = EXIT_REJECTED

    def __init__(self, message: str, rule: str) -> None:
        super().__init__(message)
        self.rule = rule


class ChallengeConfigError(GraderError):
    """A challenge.yaml (or challenge folder) is invalid: names the file, key and expectation."""

    exit_code = EXIT_REJECTED


class EnvironmentProblem(GraderError):
    """The machine cannot grade: Docker engine unreachable, image cannot be built, ..."""

    exit_code = EXIT_ENVIRONMENT

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.fix = fix

    def __str__(self) -> str:
        base = super().__str__()
        return f"{base}\n  fix: {self.fix}" if self.fix else base


class SandboxError(GraderError):
    """The sandbox engine failed in a way that is not the candidate's doing."""


class ImageBuildError(SandboxError):
    """An image failed to build; `log_tail` holds the end of the build output."""

    def __init__(self, message: str, log_tail: str = "") -> None:
        super().__init__(message)
        self.log_tail = log_tail
