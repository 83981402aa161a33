"""The job queue's settings, read from the environment in one place (docs/deploy.md):

GRADER_BROKER_URL          the broker of the distributed transport (`redis://host:6379/0`,
                           RabbitMQ's `amqp://user:pass@host:5672//`); unset: every process
                           grades with its embedded pool (grader/jobs/pool.py)
GRADER_JOB_HEARTBEAT       seconds between a worker's heartbeats on the jobs it grades (10)
GRADER_JOB_STALE_AFTER     seconds without a heartbeat after which a job's worker is taken
                           for dead and the job queued again for another (120)
GRADER_JOB_SWEEP           seconds between a worker's looks for such jobs (30); a dead
                           worker's job is therefore queued again within STALE_AFTER + SWEEP
GRADER_JOB_RESEND_AFTER    seconds a job may wait queued before its message is sent again, in
                           case the broker lost it (600; then 2x, 4x, ... that age)
GRADER_JOB_MAX_TRIES       tries of a job before it is failed (3): a submission that kills its
                           worker every time is reported, not retried forever
GRADER_DB_PATIENCE         seconds a worker waits for the database to come back before a
                           write is given up (300)
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from grader.errors import EnvironmentProblem


def broker_url() -> str | None:
    """GRADER_BROKER_URL, when set: jobs go through that broker to `grader worker`s."""
    value = os.environ.get("GRADER_BROKER_URL", "").strip()
    return value or None


def _seconds(name: str, default: float, least: float = 0.1, unit: str = "seconds") -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise EnvironmentProblem(f"{name}={raw!r} is not a number of {unit}",
                                 fix=f"set {name} to a number, e.g. {default:g}") from None
    if value < least:
        raise EnvironmentProblem(f"{name}={raw!r} is under {least:g} {unit}",
                                 fix=f"set {name} to at least {least:g}")
    return value


@dataclass(frozen=True)
class JobTiming:
    """How often a worker beats, when a silent worker counts as dead, how often it looks."""

    heartbeat: float = 10.0
    stale_after: float = 120.0
    sweep: float = 30.0
    resend_after: float = 600.0
    max_tries: int = 3
    db_patience: float = 300.0

    @classmethod
    def from_env(cls) -> JobTiming:
        timing = cls(heartbeat=_seconds("GRADER_JOB_HEARTBEAT", cls.heartbeat),
                     stale_after=_seconds("GRADER_JOB_STALE_AFTER", cls.stale_after),
                     sweep=_seconds("GRADER_JOB_SWEEP", cls.sweep),
                     resend_after=_seconds("GRADER_JOB_RESEND_AFTER", cls.resend_after),
                     max_tries=int(_seconds("GRADER_JOB_MAX_TRIES", cls.max_tries, least=1,
                                                    unit="tries")),
                     db_patience=_seconds("GRADER_DB_PATIENCE", cls.db_patience, least=0))
        if timing.stale_after < 2 * timing.heartbeat:
            raise EnvironmentProblem(
                f"GRADER_JOB_STALE_AFTER ({timing.stale_after:g} s) is under two heartbeats "
                f"({timing.heartbeat:g} s each): live workers would be taken for dead",
                fix="make GRADER_JOB_STALE_AFTER at least twice GRADER_JOB_HEARTBEAT")
        return timing

    @property
    def stale(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.stale_after)

    @property
    def takeover_seconds(self) -> float:
        """The longest a dead worker's job waits before it is queued again for another."""
        return self.stale_after + self.sweep
