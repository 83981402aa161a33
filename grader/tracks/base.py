"""The contract between the pipeline and a track.

A track is a small class (in the spirit of repo2docker's BuildPacks) that answers:

- `config_class`: the dataclass its `track_config` loads into (grader/typed.py), once, when
  the challenge is loaded;
- `images(config)`: the roles of the challenge images it runs (each must be declared);
- `check_ids(config)`: every check id it can produce, concrete or as a glob family (a rubric
  pattern that matches none is refused when the challenge loads);
- `shared_static`: which of the shared static checks (grader/analysis) apply to it;
- `grade(ctx)`: drive the sandbox and return CheckResults.

The pipeline hands `grade` a GradingContext: the unpacked submission, the challenge and its
typed `config`, a sandbox session, `image(role)` to get a built image, `stage(name)` to time a
step (and tell a job worker which one runs), and `add_artifact` for logs and executed
notebooks. Shared steps (dependency images, a service on an internal network, the static
prelude, own tests, seeded data) live in `grader.tracks.steps`. A track never renders a
report and never computes a score.
"""

from __future__ import annotations

import abc
import contextlib
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from grader.challenge import Challenge
from grader.checks import CheckResult
from grader.intake import Submission
from grader.sandbox.engine import Sandbox

_ARTIFACT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$")
#: Static checks the pipeline adds for every track (grader/analysis/python_facts.py); a track
#: lists in `shared_static` those that apply to it.
SHARED_STATIC = ("static.syntax", "static.tests-present", "static.type-hints")

ConfigT = TypeVar("ConfigT")


@dataclass
class GradingContext(Generic[ConfigT]):
    submission: Submission
    challenge: Challenge
    sandbox: Sandbox
    artifacts_dir: Path
    timings: dict[str, float] = field(default_factory=dict)
    artifacts: dict[str, str] = field(default_factory=dict)
    #: The submission's files minus those identical to a starter-kit file: what the candidate
    #: wrote. Static facts and "own tests" are judged on these. None: all files.
    own_files: tuple[str, ...] | None = None
    #: Why the kit version the submission was made on is unknown (grader/version_store.py),
    #: None when it is known: a check comparing the candidate's saved outputs with a fresh
    #: run is then not run with this reason, since the data it ran on may have differed.
    version_unknown: str | None = None
    #: Told each stage's name as it starts (a job worker shows "grading: hidden_tests"); a
    #: callback that fails never stops the grading.
    on_stage: Callable[[str], None] | None = None

    @property
    def config(self) -> ConfigT:
        """The challenge's typed track configuration."""
        config: ConfigT = self.challenge.config
        return config

    @property
    def candidate_files(self) -> tuple[str, ...]:
        return self.submission.files if self.own_files is None else self.own_files

    def image(self, role: str) -> str:
        """The tag of the challenge's image `role`, built (or found in the cache) now."""
        return self.sandbox.ensure_image(self.challenge.image_spec(role)).tag

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block into `timings[name]` (seconds), whatever way it ends; tell
        `on_stage` that it starts."""
        if self.on_stage is not None:
            with contextlib.suppress(Exception):
                self.on_stage(name)
        started = time.monotonic()
        try:
            yield
        finally:
            self.timings[name] = round(time.monotonic() - started, 3)

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


@dataclass(frozen=True)
class NoConfig:
    """The configuration of a track that takes none (track_config must be empty)."""


class Track(abc.ABC, Generic[ConfigT]):
    """How one kind of challenge is graded."""

    name: ClassVar[str]
    config_class: ClassVar[type[Any]] = NoConfig
    shared_static: ClassVar[tuple[str, ...]] = SHARED_STATIC

    def images(self, config: ConfigT) -> tuple[str, ...]:
        """The roles (keys of challenge.yaml's `images`) of the images this track runs; the
        first is the one the candidate's code runs in (`grader shell` opens it)."""
        return ()

    @abc.abstractmethod
    def check_ids(self, config: ConfigT) -> Iterable[str]:
        """Every check id `grade` can produce for this configuration; a family whose members
        are only known at grading time is given as a glob (`robust.*`)."""

    @abc.abstractmethod
    def grade(self, ctx: GradingContext[ConfigT]) -> list[CheckResult]:
        """Run the submission in the sandbox and judge it. Candidate-caused failures are
        CheckResults (failed/error), never exceptions."""
