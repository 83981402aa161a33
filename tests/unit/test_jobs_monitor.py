"""`grader queue` (grader/cli/queued.py over grader/jobs/monitor.py) on a real SQLite store
holding jobs in every state: the counts and the oldest job's age, per worker what it grades
now (stage, for how long, heartbeat) and what it graded and failed in 24 hours, the jobs
waiting (with their try), the failures newest first with the first line of their error,
`--json` for a monitoring probe; the broker's view (messages waiting, workers answering its
ping) through a fake Celery app, and a broker that does not answer said in plain words."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.store import Store


@pytest.fixture()
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    from grader.cli import queued

    found = Store(tmp_path / "db" / "grader.db")
    monkeypatch.setattr(queued, "_store", lambda: found)
    monkeypatch.delenv("GRADER_BROKER_URL", raising=False)
    return found


def _job(store: Store, name: str) -> int:
    from grader.db.models import Upload
    from grader.jobs import queue

    data = name.encode()
    upload = Upload.objects.using(store.alias).create(
        filename=name, data=data, size=len(data), accepted=True, verdict="accepted",
        sha256=hashlib.sha256(data).hexdigest(), challenge="")
    return queue.enqueue(queue.work_for_upload(upload), using=store.alias).pk


def _shift(store: Store, job_id: int, **seconds: float) -> None:
    from grader.db.models import Job

    row = Job.objects.using(store.alias).get(pk=job_id)
    Job.objects.using(store.alias).filter(pk=job_id).update(**{
        k: getattr(row, k) - dt.timedelta(seconds=s) for k, s in seconds.items()})


def _fill(store: Store) -> dict[str, int]:
    """Two queued (one on its second try), one grading on w1, one graded by w1 and one
    failed on w2."""
    from grader.db.models import Submission
    from grader.jobs import queue

    ids = {name: _job(store, name) for name in
           ("ada.zip", "bob.zip", "cy.zip", "dee.zip", "eve.zip", "fay.zip")}
    alias = store.alias
    for name, worker in [("ada.zip", "w1@a"), ("bob.zip", "w1@a"), ("cy.zip", "w2@b"),
                         ("dee.zip", "w2@b")]:
        assert queue.claim(worker, using=alias, job_id=ids[name]) is not None
    assert queue.set_stage(ids["ada.zip"], "w1@a", "hidden_tests", using=alias)
    _shift(store, ids["ada.zip"], started_at=125, heartbeat_at=4)
    Submission.objects.using(alias).create(id="bob-1", status="graded", graded_at="t",
                                           report_json="{}")
    assert queue.finish(ids["bob.zip"], "w1@a", "bob-1", 0, using=alias)
    assert queue.fail(ids["cy.zip"], "w2@b", "Traceback (most recent call last):\n  boom\n"
                      "ValueError: boom", using=alias) == "failed"
    assert queue.fail(ids["dee.zip"], "w2@b", "no engine", retry=True, using=alias) == "queued"
    _shift(store, ids["eve.zip"], queued_at=400)
    return ids


def test_grader_queue_shows_the_queue_per_worker(store: Store) -> None:
    ids = _fill(store)
    result = CliRunner().invoke(cli, ["queue"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "jobs: 3 queued (oldest 6 min 40 s), 1 grading, 1 graded, 1 failed"
    assert lines[1].startswith("no broker (GRADER_BROKER_URL unset)")
    w1 = next(line for line in lines if line.startswith("w1@a"))
    w2 = next(line for line in lines if line.startswith("w2@b"))
    assert w1.split() == ["w1@a", "-", "1", "1", "0"]
    assert w2.split() == ["w2@b", "-", "0", "0", "1"]
    assert (f"    job {ids['ada.zip']} ada.zip: hidden_tests for 2 min 5 s, heartbeat 4 s ago"
            in lines)
    waiting = lines[lines.index("queued:") + 1:lines.index("failed (newest first):") - 1]
    assert waiting[0].startswith(f"    job {ids['eve.zip']} eve.zip: waiting 6 min 40 s")
    assert any(f"job {ids['dee.zip']} dee.zip" in w and w.endswith("(try 2)") for w in waiting)
    assert len(waiting) == 3
    failed = lines[lines.index("failed (newest first):") + 1]
    assert failed.startswith(f"    job {ids['cy.zip']} cy.zip at ")
    assert failed.endswith("on w2@b after 1 try: Traceback (most recent call last):")


def test_grader_queue_json_for_a_probe(store: Store) -> None:
    ids = _fill(store)
    result = CliRunner().invoke(cli, ["queue", "--json", "--limit", "1"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found["counts"] == {"queued": 3, "grading": 1, "graded": 1, "failed": 1}
    assert 399 <= found["oldest_queued_seconds"] <= 420
    assert [q["job_id"] for q in found["queued"]] == [ids["eve.zip"]]       # --limit 1
    assert [w["name"] for w in found["workers"]] == ["w1@a", "w2@b"]
    running = found["workers"][0]["grading"][0]
    assert (running["job_id"], running["stage"], running["what"]) == (
        ids["ada.zip"], "hidden_tests", "ada.zip")
    assert found["broker"] == "" and found["broker_depth"] is None


class FakeApp:
    """The two things `ask_broker` asks Celery: the queue's depth, and a ping."""

    def __init__(self, depth: int = 0, answering: tuple[str, ...] = (),
                 error: Exception | None = None) -> None:
        self.depth = depth
        self.answering = answering
        self.error = error
        self.control = self

    @contextmanager
    def connection_for_read(self) -> Iterator[Any]:
        if self.error is not None:
            raise self.error
        app = self

        class Channel:
            def queue_declare(self, queue: str, passive: bool) -> Any:
                assert queue == "grader" and passive
                return type("Declared", (), {"message_count": app.depth})()

        class Connection:
            default_channel = Channel()

            def ensure_connection(self, max_retries: int) -> None:
                pass

        yield Connection()

    def ping(self, timeout: float) -> list[dict[str, Any]]:
        return [{name: {"ok": "pong"}} for name in self.answering]


def test_the_brokers_view_marks_who_answers(store: Store) -> None:
    from grader.cli.queued import _describe
    from grader.jobs.monitor import ask_broker, snapshot

    _fill(store)
    found = ask_broker(snapshot(store), FakeApp(depth=2, answering=("w1@a", "w3@c")),
                       "redis://:secret@queue:6379/0")
    lines = _describe(found)
    assert lines[1] == "broker redis://:**@queue:6379/0: 2 message(s) waiting"
    rows = {line.split()[0]: line.split()[1] for line in lines
            if line.startswith("w") and "@" in line.split()[0]}
    # w2 holds no job now but failed one today and does not answer; w3 answers, idle
    assert rows == {"w1@a": "yes", "w2@b": "NO", "w3@c": "yes"}


def test_a_broker_that_does_not_answer_is_said(store: Store) -> None:
    from grader.cli.queued import _describe
    from grader.jobs.monitor import ask_broker, snapshot

    found = ask_broker(snapshot(store), FakeApp(error=ConnectionRefusedError(111, "refused")),
                       "redis://queue:6379/0")
    assert found.broker_depth is None
    assert _describe(found)[1] == ("broker redis://queue:6379/0: not reachable "
                                   "(ConnectionRefusedError: [Errno 111] refused)")
    assert _describe(found)[0] == "jobs: 0 queued, 0 grading, 0 graded, 0 failed"


def test_durations_read_plainly() -> None:
    from grader.jobs.monitor import duration

    assert [duration(s) for s in (0, 59.9, 60, 125, 3600, 3725)] == [
        "0 s", "59 s", "1 min 0 s", "2 min 5 s", "1 h 0 min", "1 h 2 min"]
