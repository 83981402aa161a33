"""The contract between the pipeline and a track.

The pipeline hands a track a GradingContext (the unpacked submission, the challenge, a sandbox
session and a folder for artifacts); the track drives the sandbox and returns CheckResults.
A track never renders a report and never computes a score: the rubric does that.
"""

from __future__ import annotations

import abc
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from grader.challenge import Challenge
from grader.checks import CheckResult
from grader.intake import Submission
from grader.sandbox.engine import BuildSpec, Sandbox

_ARTIFACT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$")


@dataclass
class GradingContext:
    submission: Submission
    challenge: Challenge
    sandbox: Sandbox
    artifacts_dir: Path
    timings: dict[str, float] = field(default_factory=dict)
    artifacts: dict[str, str] = field(default_factory=dict)
    #: The submission's files minus those identical to a starter-kit file: what the candidate
    #: wrote. Static facts and "own tests" are judged on these. None: all files.
    own_files: tuple[str, ...] | None = None

    @property
    def candidate_files(self) -> tuple[str, ...]:
        return self.submission.files if self.own_files is None else self.own_files

    def add_artifact(self, name: str, data: str | bytes) -> str:
        """Save a report artifact (a log, an executed notebook); returns its relative path."""
        if not _ARTIFACT_NAME.match(name):
            raise ValueError(f"bad artifact name {name!r}")
        self.artifacts_dir.mkdir(parents=True, exist_ok=True)
        path = self.artifacts_dir / name
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        rel = f"{self.artifacts_dir.name}/{name}"
        self.artifacts[name] = rel
        return rel


class Track(abc.ABC):
    """How one kind of challenge is graded."""

    name: ClassVar[str]

    def validate(self, challenge: Challenge) -> None:  # noqa: B027 - optional hook
        """Check the challenge's `track_config`; raise ChallengeConfigError naming the key."""

    def image_specs(self, challenge: Challenge) -> list[BuildSpec]:
        """The images this track needs for `challenge` (built by `grader images build`)."""
        return [BuildSpec(name=f"{challenge.id}-{spec.name}", dockerfile=spec.dockerfile,
                          context=spec.context) for spec in challenge.images.values()]

    @abc.abstractmethod
    def grade(self, ctx: GradingContext) -> list[CheckResult]:
        """Run the submission in the sandbox and judge it. Candidate-caused failures are
        CheckResults (failed/error), never exceptions."""
