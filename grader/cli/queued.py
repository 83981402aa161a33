"""The job queue's verbs: `grader worker` (a worker process on a Docker host, taking jobs
from the broker), `grader queue` (what is queued, running and failed, per worker), and the
body of `grader run --queue` (enqueue, then wait with the same progress, reports and exit
codes as `grader run`). docs/deploy.md says how they fit together."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import click

from grader.challenge import Challenge
from grader.cli.app import _CONTEXT, _echo_err, batch_exit_code, cli
from grader.cli.output import BatchProgress, outcome_line, write_cohort
from grader.errors import (
    EXIT_ENVIRONMENT,
    EXIT_INTERNAL,
    EXIT_REJECTED,
    ChallengeConfigError,
    EnvironmentProblem,
)

#: after this long without a job finishing or being taken, `grader run --queue` says so
IDLE_HINT_SECONDS = 30.0


def _store() -> Any:
    """The configured store (GRADER_DATABASE_URL, else the GRADER_STORE file), migrated."""
    from grader.db.connection import ensure_django
    from grader.db.location import database_url, store_is_off

    if store_is_off() and not database_url():
        raise EnvironmentProblem("the job queue keeps submissions and reports in the store, "
                                 "and the store is off (GRADER_STORE=off)",
                                 fix="unset GRADER_STORE, or set GRADER_DATABASE_URL")
    ensure_django()
    from grader.store import Store, store_errors

    try:
        return Store(alias="default")
    except store_errors() as exc:
        raise EnvironmentProblem(f"the store cannot be opened: {exc}",
                                 fix="check GRADER_DATABASE_URL (or GRADER_STORE)") from None


# -- grader worker ---------------------------------------------------------------------------
@cli.command("worker", context_settings=_CONTEXT)
@click.option("--concurrency", "-c", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Submissions graded at the same time (threads; about one per 2 cores).")
@click.option("--name", "-n", metavar="NAME",
              help="This worker's name, unique on the broker (NAME@host; default "
                   "grader-<pid>@<host>). A restarted worker under the same name takes "
                   "back at once what its predecessor left.")
@click.option("--events", is_flag=True,
              help="Send Celery's task events (for `celery events` or Flower).")
@click.option("--loglevel", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]),
              default="INFO", show_default=True, help="What the worker logs.")
def worker_cmd(concurrency: int, name: str | None, events: bool, loglevel: str) -> None:
    """Take grading jobs from the broker (GRADER_BROKER_URL) and grade them with this host's
    Docker engine, into the store (GRADER_DATABASE_URL).

    On start it removes what dead workers left on this engine. SIGTERM or Ctrl-C: the
    gradings in progress stop and their jobs go back to the queue (exit 130).

    \b
    Example:
      export GRADER_BROKER_URL=redis://queue.internal:6379/0
      export GRADER_DATABASE_URL=postgres://grader:secret@db.internal/grader
      grader worker --concurrency 2 --name "$(hostname)"

    Exit code: 3 the broker URL, the store or the Docker engine is missing, 2 a live worker
    has this name, 130 stopped.
    """
    from grader.jobs.worker import run_worker

    _store()
    run_worker(name, concurrency, events, click.echo, loglevel)


# -- grader queue ----------------------------------------------------------------------------
@cli.command("queue", context_settings=_CONTEXT)
@click.option("--json", "as_json", is_flag=True, help="One JSON document (for monitoring).")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="Queued and failed jobs listed.")
def queue_cmd(as_json: bool, limit: int) -> None:
    """Show the job queue: jobs queued (and the oldest's age), per worker what it grades now
    (stage, heartbeat) and its last 24 hours, recent failures, and with a broker the
    messages waiting and the workers answering its ping.

    \b
    Example:
      grader queue
      grader queue --json | jq .oldest_queued_seconds
    """
    from grader.jobs.config import broker_url
    from grader.jobs.monitor import ask_broker, snapshot

    store = _store()
    found = snapshot(store, limit)
    url = broker_url()
    if url:
        from grader.jobs.celery_app import app_for

        found = ask_broker(found, app_for(url), url)
    if as_json:
        click.echo(json.dumps(found.as_dict(), indent=1, default=str))
        return
    for line in _describe(found):
        click.echo(line)


def _describe(found: Any) -> list[str]:
    from grader.jobs.monitor import duration

    c = found.counts
    lines = [f"jobs: {c.get('queued', 0)} queued"
             + (f" (oldest {duration(found.oldest_queued_seconds)})" if c.get("queued") else "")
             + f", {c.get('grading', 0)} grading, {c.get('graded', 0)} graded, "
               f"{c.get('failed', 0)} failed"]
    if found.broker:
        lines.append(f"broker {found.broker}: " + (
            f"not reachable ({found.broker_error})" if found.broker_error else
            f"{found.broker_depth} message(s) waiting"))
    else:
        lines.append("no broker (GRADER_BROKER_URL unset): graded by `grader serve` or "
                     "`grader run --queue` in their own process")
    lines.append("")
    lines.append(f"{'worker':<34} {'answers':<8} {'grading':>7} {'graded 24h':>10} "
                 f"{'failed 24h':>10}")
    for w in found.workers:
        answers = "-" if w.answering is None else ("yes" if w.answering else "NO")
        lines.append(f"{w.name:<34} {answers:<8} {len(w.grading):>7} {w.graded_24h:>10} "
                     f"{w.failed_24h:>10}")
        for r in w.grading:
            lines.append(f"    job {r.job_id} {r.what}: {r.stage or 'starting'} for "
                         f"{duration(r.seconds)}, heartbeat {duration(r.heartbeat_age)} ago")
    if not found.workers:
        lines.append("(none seen)")
    if found.queued:
        lines += ["", "queued:"] + [
            f"    job {q.job_id} {q.what}: waiting {duration(q.seconds)}"
            + (f" (try {q.attempts + 1})" if q.attempts else "") for q in found.queued]
    if found.failed:
        lines += ["", "failed (newest first):"] + [
            f"    job {f.job_id} {f.what} at {f.finished_at} on {f.worker or '?'} after "
            f"{f.attempts} tr{'y' if f.attempts == 1 else 'ies'}: {f.error}"
            for f in found.failed]
    return lines


# -- grader run --queue ----------------------------------------------------------------------
def run_queued(paths: list[Path], challenge: Challenge | None, out_dir: Path, jobs: int,
               profile_ref: str | None) -> int:
    """`grader run --queue`: the exit code (as `grader run`'s)."""
    from grader.batch import expand_paths
    from grader.jobs.interface import default_queue, is_distributed
    from grader.jobs.submit import enqueue_paths

    challenge_id = _challenge_id(challenge)
    batch = expand_paths(list(paths))
    if not batch:
        _echo_err(f"grader: no submissions (zips or folders) in {', '.join(map(str, paths))}")
        return EXIT_REJECTED
    store = _store()
    queue = default_queue(store)
    pool = None
    if is_distributed(queue):
        if jobs > 1:
            _echo_err("grader: --jobs is not used with a broker: each `grader worker "
                      "--concurrency N` grades N at a time")
    else:
        from grader.jobs.pool import EmbeddedPool

        pool = EmbeddedPool(store, size=jobs).start()
    try:
        job_ids = enqueue_paths(queue, store, batch, challenge_id)
        where = getattr(queue, "describe", lambda: "")()
        _echo_err(f"grader: {len(set(job_ids))} job(s) queued"
                  + (f" through {where}; waiting for the workers" if where else
                     f"; graded here by {jobs} thread(s)"))
        return _wait(store, queue, job_ids, batch, out_dir, profile_ref)
    except KeyboardInterrupt:
        if pool is None:
            _echo_err("grader: stopped waiting; the jobs stay queued for the workers "
                      "(`grader queue` shows them)")
        raise
    finally:
        if pool is not None:
            pool.stop(cancel=True, timeout=120)


def _challenge_id(challenge: Challenge | None) -> str:
    """The id workers find the challenge by (a folder given with --challenge must be one
    they can find by id too: GRADER_CHALLENGES_PATH)."""
    if challenge is None:
        return ""
    from grader.challenge import find_challenge

    try:
        found = find_challenge(challenge.id, allow_path=False)
    except ChallengeConfigError:
        found = None
    if found is None or found.root.resolve() != challenge.root.resolve():
        raise ChallengeConfigError(
            f"--queue grades against challenges the workers find by id, and '{challenge.id}' "
            f"is found here only as the folder {challenge.root}: add its parent folder to "
            "GRADER_CHALLENGES_PATH (on the workers too) and give --challenge "
            f"{challenge.id}")
    return challenge.id


def _wait(store: Any, queue: Any, job_ids: list[int], batch: list[Path], out_dir: Path,
          profile_ref: str | None) -> int:
    from grader.jobs.submit import Finished, wait_for

    names = {job_id: path for job_id, path in zip(job_ids, batch, strict=True)}
    outcomes: list[Any] = []
    codes: list[int] = []
    said = [0.0]

    def done(ended: Finished) -> None:
        if ended.state == "graded" and ended.submission_id:
            outcome = _outcome(store, ended, out_dir, profile_ref)
            progress.done(outcome_line(outcome))
            outcomes.append(outcome)
            codes.append(outcome.exit_code)
            return
        code = EXIT_ENVIRONMENT if "EnvironmentProblem" in ended.error else EXIT_INTERNAL
        out_dir.mkdir(parents=True, exist_ok=True)
        kept = out_dir / f"job-{ended.job_id}-error.txt"
        kept.write_text(ended.error + "\n", encoding="utf-8")
        first = ended.error.strip().splitlines()[0] if ended.error.strip() else "failed"
        progress.done(f"ERROR {names[ended.job_id]}: job {ended.job_id} failed after "
                      f"{ended.attempts} tr{'y' if ended.attempts == 1 else 'ies'} "
                      f"(internal error): {first}  -> {kept}")
        codes.append(code)

    def idle(seconds: float) -> None:
        if seconds >= IDLE_HINT_SECONDS and time.monotonic() - said[0] >= 60:
            said[0] = time.monotonic()
            _echo_err(f"grader: no job has finished for {seconds:.0f} s; `grader queue` "
                      "shows whether a worker is taking them")

    with BatchProgress(len(set(job_ids))) as progress:
        wait_for(store, job_ids, done, on_idle=idle,
                 tick=getattr(queue, "resend_unsent", None))
    write_cohort(outcomes, out_dir, store, len(batch) > 1, bool(profile_ref))
    return batch_exit_code(codes)


def _outcome(store: Any, ended: Any, out_dir: Path, profile_ref: str | None) -> Any:
    """A graded job's report bundle written to OUT/<id>/, as a GradeOutcome (the profile's
    recommendation added here when --profile is given, as `grader run` adds it)."""
    from grader.db.models import Submission
    from grader.jobs.submit import write_bundle
    from grader.pipeline import GradeOutcome, write_report
    from grader.report import load_report

    folder = write_bundle(store, str(ended.submission_id), out_dir)
    report = load_report(folder / "report.json")
    if profile_ref and report.status == "graded" and report.challenge is not None:
        from grader.challenge import find_challenge
        from grader.profiles import find_profile
        from grader.recommend import apply_profile

        challenge = find_challenge(report.challenge.id, allow_path=False)
        report = apply_profile(report, find_profile(profile_ref, challenge), challenge)
        write_report(report, folder)
    prints = Submission.objects.using(store.alias).filter(pk=ended.submission_id) \
        .values_list("fingerprints", flat=True).first()
    exit_code = ended.exit_code if ended.exit_code is not None else 0
    return GradeOutcome(report, folder, exit_code, json.loads(prints or "{}"))
