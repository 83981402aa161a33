"""The job queue's settings (grader/jobs/config.py): defaults, each variable read, a value
that is not a number or is too small refused in plain words (exit 3, with the fix), a stale
limit under two heartbeats refused (live workers would be taken for dead), the takeover time
stated; the broker chosen by GRADER_BROKER_URL alone (`default_queue`); a worker's node name;
which workers' leftovers a starting worker removes (grader/jobs/cleanup.py)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from grader.errors import EnvironmentProblem
from grader.jobs.cleanup import dead_workers, deployment, of_deployment, worker_label
from grader.jobs.config import JobTiming, broker_url

VARIABLES = ("GRADER_JOB_HEARTBEAT", "GRADER_JOB_STALE_AFTER", "GRADER_JOB_SWEEP",
             "GRADER_JOB_RESEND_AFTER", "GRADER_JOB_MAX_TRIES", "GRADER_DB_PATIENCE",
             "GRADER_BROKER_URL")


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_the_defaults_and_the_takeover_time_they_give() -> None:
    timing = JobTiming.from_env()
    assert timing == JobTiming(heartbeat=10, stale_after=120, sweep=30, resend_after=600,
                               max_tries=3, db_patience=300)
    assert timing.stale.total_seconds() == 120
    assert timing.takeover_seconds == 150
    assert broker_url() is None


def test_each_variable_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in [("GRADER_JOB_HEARTBEAT", "0.5"), ("GRADER_JOB_STALE_AFTER", " 3 "),
                        ("GRADER_JOB_SWEEP", "1"), ("GRADER_JOB_RESEND_AFTER", "20"),
                        ("GRADER_JOB_MAX_TRIES", "5"), ("GRADER_DB_PATIENCE", "0"),
                        ("GRADER_BROKER_URL", " redis://queue:6379/3 ")]:
        monkeypatch.setenv(name, value)
    timing = JobTiming.from_env()
    assert (timing.heartbeat, timing.stale_after, timing.sweep, timing.resend_after,
            timing.max_tries, timing.db_patience) == (0.5, 3, 1, 20, 5, 0)
    assert timing.takeover_seconds == 4
    assert broker_url() == "redis://queue:6379/3"
    monkeypatch.setenv("GRADER_BROKER_URL", "   ")
    assert broker_url() is None


@pytest.mark.parametrize(("name", "value", "said"), [
    ("GRADER_JOB_HEARTBEAT", "ten", "is not a number of seconds"),
    ("GRADER_JOB_SWEEP", "0", "is under 0.1 seconds"),
    ("GRADER_JOB_MAX_TRIES", "0", "is under 1 tries"),
    ("GRADER_DB_PATIENCE", "-1", "is under 0 seconds"),
])
def test_a_bad_value_is_refused_with_its_fix(monkeypatch: pytest.MonkeyPatch, name: str,
                                             value: str, said: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(EnvironmentProblem, match=said) as caught:
        JobTiming.from_env()
    assert name in str(caught.value) and caught.value.exit_code == 3
    assert name in (caught.value.fix or "")


def test_a_stale_limit_under_two_heartbeats_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADER_JOB_HEARTBEAT", "10")
    monkeypatch.setenv("GRADER_JOB_STALE_AFTER", "19")
    with pytest.raises(EnvironmentProblem, match="under two heartbeats"):
        JobTiming.from_env()
    monkeypatch.setenv("GRADER_JOB_STALE_AFTER", "20")
    assert JobTiming.from_env().stale_after == 20


def test_the_broker_variable_alone_chooses_the_transport(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from grader.jobs.interface import EmbeddedQueue, default_queue, is_distributed
    from grader.jobs.transport import CeleryQueue
    from grader.store import Store

    store = Store(tmp_path / "grader.db")
    embedded = default_queue(store)
    assert isinstance(embedded, EmbeddedQueue) and not is_distributed(embedded)
    monkeypatch.setenv("GRADER_BROKER_URL", "redis://:secret@queue.internal:6379/2")
    distributed = default_queue(store)      # no connection is made until a message is sent
    assert isinstance(distributed, CeleryQueue) and is_distributed(distributed)
    assert distributed.url == "redis://:secret@queue.internal:6379/2"
    assert "secret" not in distributed.describe()
    assert distributed.app.conf.task_acks_late and distributed.app.conf.task_reject_on_worker_lost
    assert distributed.app.conf.worker_prefetch_multiplier == 1
    monkeypatch.setenv("GRADER_JOB_MAX_TRIES", "4")
    assert default_queue(store).max_tries == 4      # type: ignore[attr-defined]


def test_a_worker_without_a_broker_says_what_to_set(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from grader.cli import cli

    result = CliRunner().invoke(cli, ["worker", "--name", "w1"])
    assert result.exit_code == 3
    said = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "GRADER_BROKER_URL is not set" in said and "redis://HOST:6379/0" in said


def test_a_worker_is_named_name_at_host() -> None:
    import os
    import socket

    from grader.jobs.worker import node_name

    host = socket.gethostname()
    assert node_name("w1") == f"w1@{host}"
    assert node_name(" w1@box ") == "w1@box"
    assert node_name(None) == f"grader-{os.getpid()}@{host}"


def test_a_starting_worker_removes_only_what_dead_workers_left() -> None:
    found = Counter({"alive@a": 3, "silent-but-beating@a": 2, "dead@a": 4, "me@a": 1})
    alive = {"alive@a", "other@b"}              # answered the broker's ping
    fresh = {"silent-but-beating@a", "me@a"}    # a heartbeat in the store within STALE_AFTER
    # a busy worker that missed the ping but beats keeps its containers; the name this
    # worker takes is dead whatever the store says (no live worker answered to it)
    assert dead_workers(found, alive, fresh, "me@a") == ["dead@a", "me@a"]
    assert dead_workers(found, alive | {"me@a"}, fresh, "me@a") == ["dead@a"]
    assert dead_workers(Counter(), alive, fresh, "me@a") == []


def test_another_deployments_workers_on_the_same_engine_are_never_judged() -> None:
    """Another team's queue, a test or a benchmark on the same Docker engine answers another
    broker's pings and beats in another database: its resources are not this one's to
    remove."""
    ours = deployment("redis://:secret@queue:6379/0", "postgresql grader on db:5432")
    assert ours == deployment("redis://:other@queue:6379/0", "postgresql grader on db:5432")
    theirs = deployment("redis://queue:6379/1", "postgresql grader on db:5432")
    elsewhere = deployment("redis://queue:6379/0", "postgresql grader2 on db:5432")
    assert len({ours, theirs, elsewhere}) == 3
    found = Counter({worker_label("w1@a", ours): 2, worker_label("w1@a", theirs): 5,
                     worker_label("bench@a", elsewhere): 4, "w9@a": 1})
    assert of_deployment(found, ours) == Counter({"w1@a": 2})
    assert dead_workers(of_deployment(found, ours), set(), set(), "w2@a") == ["w1@a"]
