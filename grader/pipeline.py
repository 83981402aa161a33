"""Grade one submission end to end: intake -> challenge -> track -> analysis -> rubric -> report.

This is the only module that knows the order of the stages. It turns what the candidate caused
into report content (a rejected intake is a report with status "rejected"; a failed run is a
failed check) and lets what the reviewer or the environment must fix propagate as exceptions
(ChallengeConfigError, EnvironmentProblem). The temporary folder, containers and networks of a
submission are removed on every path, Ctrl-C included.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import platform
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker

from grader import __version__
from grader.analysis import python_facts, static_checks
from grader.challenge import Challenge, find_challenge
from grader.checks import CheckResult
from grader.errors import (
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_REJECTED,
    ChallengeConfigError,
    EnvironmentProblem,
    ImageBuildError,
    InputRejected,
)
from grader.intake import (
    Submission,
    open_submission,
    peek_challenge_id,
    rejected_submission_id,
    source_fingerprint,
)
from grader.intake.limits import IntakeLimits
from grader.kit import KIT_MANIFEST, starter_digests
from grader.profiles import find_profile
from grader.recommend import apply_profile
from grader.registry import get_track
from grader.report import Report, rejected_report, render_html, render_markdown
from grader.report.model import (
    SCHEMA_VERSION,
    ChallengeInfo,
    Environment,
    Message,
    ReportStatus,
    Review,
    SubmissionInfo,
    now,
)
from grader.review import build_review
from grader.rubric import score, scored
from grader.sandbox.client import connect
from grader.sandbox.docker_engine import DockerSandbox
from grader.sandbox.hostcheck import MIN_FREE_BYTES, free_disk
from grader.settings import Settings
from grader.similarity import fingerprints
from grader.store import Store, store_errors, usable_default_store
from grader.tracks.base import GradingContext, Track
from grader.upload_context import UploadContext
from grader.version_store import Resolved, resolve, version_messages

log = logging.getLogger(__name__)

REPORT_JSON = "report.json"
REPORT_MD = "report.md"
REPORT_HTML = "report.html"
ARTIFACTS_DIR = "artifacts"


@dataclass
class GradeOutcome:
    report: Report
    report_dir: Path
    exit_code: int
    #: winnowing fingerprints of the candidate's own code (grader/similarity.py); {} if none
    fingerprints: dict[str, list[Any]] = field(default_factory=dict)


StageCallback = Callable[[str], None]  # told each stage's name as it starts (grader/jobs/)


def write_report(report: Report, report_dir: Path) -> None:
    """Write report.json, report.md and report.html atomically (a reader never sees half a
    file). The HTML embeds the artifacts already in `report_dir` (notebook, logs)."""
    report_dir.mkdir(parents=True, exist_ok=True)
    for name, text in ((REPORT_JSON, report.to_json()), (REPORT_MD, render_markdown(report)),
                       (REPORT_HTML, render_html(report, report_dir))):
        tmp = report_dir / f".{name}.tmp"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, report_dir / name)


@dataclass(frozen=True)
class _Run:
    """One Grader.grade call: the submission's name in the report, who is told each stage."""
    source: str
    on_stage: StageCallback | None = None

    def stage(self, name: str) -> None:
        if self.on_stage is not None:
            with contextlib.suppress(Exception):  # a display: never a reason to fail
                self.on_stage(name)


class Grader:
    """Grades submissions into `out_dir/<submission-id>/`. One instance may grade many."""

    def __init__(self, out_dir: Path, challenge: Challenge | None = None,
                 settings: Settings | None = None,
                 client_factory: Callable[[], docker.DockerClient] = connect,
                 store: Store | bool | None = False, profile: str | None = None,
                 context: UploadContext | None = None) -> None:
        """store: a Store, None for none, or False (default) for the one GRADER_STORE names
        (see grader/store.py). profile: a role profile (a file, or a name the submission's
        challenge ships: grader/profiles.py) whose recommendation the reports carry. context:
        what the hiring service knows of an upload (its opening's pin, its lateness)."""
        self.out_dir = out_dir
        self.challenge = challenge
        self.profile = profile
        self.context = context
        self.settings = settings or Settings.from_env()
        self.client_factory = client_factory
        self.store: Store | None = usable_default_store() if store is False else (
            store if isinstance(store, Store) else None)

    # -- environment facts ------------------------------------------------------------------
    def _environment(self, client: docker.DockerClient | None,
                     images: dict[str, str] | None = None,
                     built: list[str] | None = None,
                     base_image: str | None = None) -> Environment:
        docker_version = None
        if client is not None:
            try:
                docker_version = client.version().get("Version")
            except Exception:
                docker_version = None
        return Environment(grader_version=__version__, python=platform.python_version(),
                           docker_version=docker_version,
                           base_image=base_image or self.settings.base_image,
                           images=dict(images or {}), images_built=list(built or []))

    def _rejected(self, path: Path, exc: InputRejected, started: float, run: _Run,
                  submission: Submission | None = None,
                  challenge: Challenge | None = None) -> GradeOutcome:
        if submission is not None:
            sub = _submission_info(submission, run.source)
        else:
            sub = SubmissionInfo(id=rejected_submission_id(path),
                                 sha256=source_fingerprint(path), candidate=None,
                                 source=run.source, files=0, total_bytes=0, framework=None,
                                 ignored=[])
        report = rejected_report(
            sub, str(exc), exc.rule, challenge=_challenge_info(challenge),
            timings={"total": round(time.monotonic() - started, 3)},
            environment=self._environment(None)).cleaned()
        report_dir = self.out_dir / sub.id
        write_report(report, report_dir)
        if self.store is not None:
            try:
                self.store.record(report, report_dir)
            except store_errors() as exc:
                log.warning("grader: the local store could not record %s: %s", sub.id, exc)
        return GradeOutcome(report, report_dir, EXIT_REJECTED)

    # -- the pipeline -----------------------------------------------------------------------
    def grade(self, path: Path, source: str | None = None,
              on_stage: StageCallback | None = None) -> GradeOutcome:
        """Grade one submission (zip or folder). Raises only for reviewer/environment errors.
        `source` names it in the report when `path` is a temporary copy (default the path);
        `on_stage` is told each stage's name as it starts (intake, the track's own stages,
        analysis, review, report)."""
        started = time.monotonic()
        timings: dict[str, float] = {}
        workdir = Path(tempfile.mkdtemp(prefix="grader-"))
        run = _Run(source or str(path), on_stage)
        try:
            # intake
            run.stage("intake")
            t = time.monotonic()
            limits = self.challenge.intake if self.challenge else intake_limits_for(path)
            try:
                submission = open_submission(path, workdir, limits)
            except InputRejected as exc:
                return self._rejected(path, exc, started, run, challenge=self.challenge)
            timings["intake"] = round(time.monotonic() - t, 3)

            # challenge
            challenge = self.challenge
            if challenge is None:
                try:
                    challenge = find_challenge(submission.manifest.challenge,
                                               allow_path=False)
                except ChallengeConfigError as exc:
                    return self._rejected(path, InputRejected(
                        f"submission.yaml names challenge '{submission.manifest.challenge}', "
                        f"which cannot be loaded: {exc}", rule="challenge-unknown"),
                        started, run, submission)
            elif submission.manifest.challenge != challenge.id:
                return self._rejected(path, InputRejected(
                    f"submission.yaml names challenge '{submission.manifest.challenge}' but it "
                    f"is being graded against '{challenge.id}'.", rule="challenge-mismatch"),
                    started, run, submission, challenge)
            resolved = resolve(challenge, submission.manifest, self.store, workdir, now())
            track = get_track(resolved.challenge.track)
            return self._grade_valid(run, submission, resolved, track, timings, started)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    def _grade_valid(self, run: _Run, submission: Submission, resolved: Resolved,
                     track: Track[Any], timings: dict[str, float],
                     started: float) -> GradeOutcome:
        challenge = resolved.challenge
        report_dir = self.out_dir / submission.id
        artifacts_dir = report_dir / ARTIFACTS_DIR
        shutil.rmtree(artifacts_dir, ignore_errors=True)
        checks: list[CheckResult] = []
        status: ReportStatus = "graded"
        exit_code = EXIT_OK
        own_files = _own_files(submission, challenge)
        client = self.client_factory()
        _check_free_disk(client)
        environment = self._environment(None)
        ctx: GradingContext[Any] | None = None
        t = time.monotonic()
        try:
            deadline = time.monotonic() + challenge.grading_seconds
            with DockerSandbox(client, self.settings, deadline=deadline) as sandbox:
                ctx = GradingContext(submission=submission, challenge=challenge,
                                     sandbox=sandbox, artifacts_dir=artifacts_dir,
                                     timings=timings, own_files=own_files,
                                     version_unknown=resolved.unknown,
                                     on_stage=run.on_stage)
                run.stage("sandbox")
                try:
                    checks += track.grade(ctx)
                except ImageBuildError as exc:
                    raise EnvironmentProblem(
                        f"an image of challenge {challenge.id} failed to build: {exc}\n"
                        f"{exc.log_tail[-2000:]}",
                        fix="check the challenge's Dockerfile and that the package index "
                            "answers ('grader doctor')") from None
                except (EnvironmentProblem, ChallengeConfigError, KeyboardInterrupt):
                    raise
                except Exception as exc:
                    status = "error"
                    exit_code = EXIT_INTERNAL
                    rel = ctx.add_artifact("grader-error.txt", traceback.format_exc())
                    checks.append(CheckResult.error(
                        "grading.internal-error",
                        f"grader failed while grading ({type(exc).__name__}: {exc}); this is a "
                        f"bug in grader, not the candidate's doing; traceback in {rel}",
                        title="Grading finished", max_points=0))
                environment = self._environment(client, sandbox.images_used,
                                                sandbox.images_built, sandbox.base_image_name)
                if sandbox.unbudgeted_seconds >= 0.5:
                    timings["challenge_images"] = round(sandbox.unbudgeted_seconds, 3)
        finally:
            client.close()
        timings["track"] = round(time.monotonic() - t, 3)

        t = time.monotonic()
        run.stage("analysis")
        checks += [c for c in static_checks(python_facts(submission.root, own_files))
                   if c.id in track.shared_static and scored(challenge.rubric, c.id)]
        timings["analysis"] = round(time.monotonic() - t, 3)

        criteria, total = score(challenge.rubric, checks, challenge.caps)
        t = time.monotonic()
        run.stage("review")
        try:
            review = build_review(challenge.root, submission.root, own_files, checks)
        except Exception as exc:  # the sheet is a help for the reviewer, never a reason to fail
            review = Review(error=f"the review sheet could not be built: {type(exc).__name__}: "
                                  f"{exc}"[:500])
        timings["review"] = round(time.monotonic() - t, 3)
        timings["total"] = round(time.monotonic() - started, 3)
        report = Report(
            schema_version=SCHEMA_VERSION, status=status,
            submission=_submission_info(submission, run.source),
            challenge=_challenge_info(challenge, resolved),
            total=total, criteria=criteria, checks=checks, timings=timings,
            messages=[_budget_message(challenge, timings.get("track", 0.0)
                                      - timings.get("challenge_images", 0.0), checks),
                      *version_messages(submission, resolved),
                      *(self.context.messages() if self.context else [])],
            environment=environment, artifacts=dict(ctx.artifacts) if ctx else {},
            generated_at=now(), review=review).cleaned()
        if self.profile:  # a ChallengeConfigError (no such profile) is the reviewer's to fix
            profile = find_profile(self.profile, challenge)
            report = apply_profile(report, self.context.pin(profile) if self.context
                                   else profile, challenge)
        run.stage("report")
        write_report(report, report_dir)
        prints: dict[str, list[Any]] = {}
        try:
            prints = fingerprints(submission.root, own_files)
            if self.store is not None:
                self.store.record(report, report_dir, submission.root, submission.files,
                                  prints)
        except store_errors() as exc:  # the store is a convenience: warn, go on
            log.warning("grader: the local store could not record %s: %s", submission.id, exc)
        return GradeOutcome(report, report_dir, exit_code, prints)


def intake_limits_for(path: Path) -> IntakeLimits:
    """The intake limits of the challenge a submission names in its submission.yaml (read
    before the intake, capped: grader.intake.peek), else the defaults; a challenge that cannot
    be found or loaded is reported by the intake's own steps later."""
    challenge_id = peek_challenge_id(path)
    if challenge_id is None:
        return IntakeLimits()
    try:
        return find_challenge(challenge_id, allow_path=False).intake
    except ChallengeConfigError:
        return IntakeLimits()


def _own_files(submission: Submission, challenge: Challenge) -> tuple[str, ...]:
    """The files the candidate wrote or changed: not byte-identical to a starter-kit file."""
    starter = starter_digests(challenge)
    if not starter:
        return submission.files
    return tuple(rel for rel in submission.files
                 if rel != KIT_MANIFEST and (submission.root / rel).stat().st_size > 0
                 and hashlib.sha256((submission.root / rel).read_bytes()).hexdigest()
                 not in starter)


def _check_free_disk(client: docker.DockerClient) -> None:
    """Refuse to grade when the engine's disk is nearly full: a submission's files and what
    it writes live there (EnvironmentProblem, exit 3)."""
    try:
        disk = free_disk(client.info())
    except Exception:  # an engine that cannot say: grading goes on
        return
    if disk is not None and disk[1] < MIN_FREE_BYTES:
        client.close()
        raise EnvironmentProblem(
            f"only {disk[1] / 1024**3:.1f} GiB free in {disk[0]}, where the engine keeps "
            "containers and their work folders",
            fix="free disk space (grader gc, docker system prune) before grading")


def _budget_message(challenge: Challenge, seconds: float,
                    checks: list[CheckResult]) -> Message:
    """The grading budget and what was used of it; a warning when it ran out."""
    cut = [c.id for c in checks if "grading budget" in c.message]
    text = (f"grading budget {challenge.grading_seconds:g} s (challenge.yaml grading_seconds); "
            f"{seconds:.0f} s used by the sandbox runs and their set-up (building the "
            "challenge's own images is not counted)")
    if cut:
        return Message(level="warning", text=text + f"; it ran out: {', '.join(cut[:6])} "
                       "were cut or not run")
    return Message(level="info", text=text)


def _challenge_info(challenge: Challenge | None,
                    resolved: Resolved | None = None) -> ChallengeInfo | None:
    if challenge is None:
        return None
    if resolved is None or resolved.used is None:  # a rejected intake, or no kit
        return ChallengeInfo(id=challenge.id, title=challenge.title, track=challenge.track,
                             version=challenge.version)
    used, current = resolved.used, resolved.current
    return ChallengeInfo(id=challenge.id, title=challenge.title, track=challenge.track,
                         version=challenge.version, kit_digest=used.digest,
                         current_version=current.name if current and current.digest
                         != used.digest else None, version_known=resolved.unknown is None)


def _submission_info(submission: Submission, source: str) -> SubmissionInfo:
    return SubmissionInfo(id=submission.id, sha256=submission.sha256,
                          candidate=submission.manifest.candidate, source=source,
                          files=len(submission.files), total_bytes=submission.total_bytes,
                          framework=submission.manifest.framework,
                          ignored=list(submission.ignored))
