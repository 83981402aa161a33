"""Support for the pages' unit tests (tests/unit/test_web_pages*.py): the service's database
with everything a test writes rolled back, Django's test client (CSRF enforced when asked),
reviewers, openings and invites, stored reports of the wordfreq test challenge scored by its
real rubric (with flags, questions and a bundle), and a stand-in for the grading worker."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_CHALLENGE

PASSWORD = "a long pass phrase"
WORKER = "pages-test-worker"
HOST = "localhost"


@pytest.fixture()
def web(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The service's `default` database, rolled back after the test; the cache (login
    failures) empty; the test challenges (wordfreq) on the search path."""
    monkeypatch.setenv("GRADER_CHALLENGES_PATH", str(TEST_CHALLENGE.parent))
    from grader.db.connection import ensure_django

    ensure_django()
    from django.core.cache import cache
    from django.db import transaction

    from grader.store import Store

    Store(alias="default")
    cache.clear()
    atomic = transaction.atomic(using="default")
    atomic.__enter__()
    try:
        yield
    finally:
        transaction.set_rollback(True, using="default")
        atomic.__exit__(None, None, None)
        cache.clear()


def client(csrf: bool = False) -> Any:
    from django.test import Client

    return Client(enforce_csrf_checks=csrf, HTTP_HOST=HOST)


def reviewer(name: str = "rita", staff: bool = False) -> Any:
    from django.contrib.auth.models import User

    return User.objects.create_user(name, password=PASSWORD, is_staff=staff)


def logged_in(name: str = "rita", csrf: bool = False) -> Any:
    browser = client(csrf)
    browser.force_login(reviewer(name))
    return browser


def csrf_token(browser: Any, url: str) -> str:
    page = browser.get(url)
    assert page.status_code == 200, (url, page.status_code)
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert found, page.content.decode()[:500]
    return found.group(1)


def opening(title: str = "Text tools (junior)", challenge: str = "wordfreq",
            **kw: Any) -> Any:
    from grader.db.models import Opening

    return Opening.objects.create(title=title, challenge=challenge, **kw)


def invite(for_opening: Any, name: str = "Grace Hopper") -> tuple[Any, str]:
    from grader.web.invites import create_invite

    made = create_invite(for_opening, name, f"{name.split()[0].lower()}@example.com")
    return made.invite, made.token


def zipped(files: dict[str, str], top: str = "work") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, text in files.items():
            zf.writestr(f"{top}/{name}", text)
    return buffer.getvalue()


def solution_zip(name: str = "reference") -> bytes:
    root = TEST_CHALLENGE / "solutions" / name
    return zipped({p.relative_to(root).as_posix(): p.read_text() for p in sorted(
        root.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}, top=name)


def wordfreq_report(sub_id: str, candidate: str, failed: tuple[str, ...] = (),
                    message: str = "output differs", sha: str = "a") -> Any:
    """A graded wordfreq report scored by the challenge's real rubric (every check passed
    but `failed`, whose message is `message`), with a green flag, a red flag when something
    failed, and two questions for the call."""
    from grader.challenge import load_challenge
    from grader.checks import CheckResult
    from grader.report.model import (
        SCHEMA_VERSION,
        ChallengeInfo,
        Environment,
        Flag,
        Question,
        Report,
        Review,
        SubmissionInfo,
    )
    from grader.rubric import score

    challenge = load_challenge(TEST_CHALLENGE)
    ids = ["case.basic", "case.case-and-punctuation", "case.ties", "case.empty",
           "case.large", "tests.own", "static.syntax"]
    checks = [CheckResult.failed(i, message) if i in failed else CheckResult.passed(i, "ok")
              for i in ids]
    criteria, total = score(challenge.rubric, checks, challenge.caps)
    flags = [Flag("tests-present", "green", "Ships its own tests")]
    if failed:
        flags.append(Flag("wrong-answers", "red", f"Wrong answers ({failed[0]})", message,
                          "wordfreq.py:3"))
    questions = [Question("ties", f"How does {candidate}'s code break ties?",
                          "ties are graded", "wordfreq.py:3", "counts.sort()"),
                 Question("scale", "What happens with 2 GB of text?")]
    return Report(
        schema_version=SCHEMA_VERSION, status="graded",
        submission=SubmissionInfo(id=sub_id, sha256=sha * 64, candidate=candidate,
                                  source="upload", files=2, total_bytes=100, framework=None,
                                  ignored=[]),
        challenge=ChallengeInfo(id="wordfreq", title=challenge.title, track="io",
                                version="1"),
        total=total, criteria=criteria, checks=checks, messages=[], timings={"total": 1.0},
        environment=Environment(), artifacts={"server.log": "artifacts/server.log"},
        generated_at="2026-01-01T10:00:00+00:00",
        review=Review(flags=flags, green_flags=1, red_flags=len(flags) - 1,
                      questions=questions))


def accepted_upload(for_invite: Any, data: bytes, late: int = 0) -> Any:
    """An upload through the real intake (receive_upload), queued through the interface."""
    from grader.web.pages.lookup import job_queue
    from grader.web.uploads import receive_upload

    upload = receive_upload(for_invite, "work.zip", data)
    assert upload.accepted, upload.message
    if late:
        upload.late_minutes = late
        upload.save(update_fields=["late_minutes"])
    job_queue().enqueue_upload(upload.pk)
    return upload


def grade_next(tmp_path: Path, report: Any, stage: str = "", fail: str = "",
               bundle: bool = True) -> int:
    """Stand in for the worker: claim the oldest queued job and leave it grading at `stage`,
    fail it with `fail`, or store `report` (with a bundle: report.html and a log artifact)
    and finish the job. The job's id."""
    from grader.jobs import queue
    from grader.report.html import render_html
    from grader.store import Store

    job = queue.claim(WORKER)
    assert job is not None, "no queued job"
    if stage:
        assert queue.set_stage(job.pk, WORKER, stage)
        return int(job.pk)
    if fail:
        queue.fail(job.pk, WORKER, f"Traceback (most recent call last):\n{fail}")
        return int(job.pk)
    folder = tmp_path / f"report-{job.pk}"
    (folder / "artifacts").mkdir(parents=True)
    if bundle:
        (folder / "report.json").write_text(report.to_json())
        (folder / "report.html").write_text(render_html(report, folder))
        (folder / "artifacts" / "server.log").write_text("server log <script>alert(1)</script>")
    Store(alias="default").record(report, folder)
    assert queue.finish(job.pk, WORKER, report.submission.id, 0)
    return int(job.pk)


def graded_candidate(tmp_path: Path, for_opening: Any, name: str,
                     failed: tuple[str, ...] = (), late: int = 0,
                     message: str = "output differs") -> tuple[Any, str]:
    """An invite whose upload went through intake and was graded (by the stand-in worker):
    the invite and its submission id."""
    made, _ = invite(for_opening, name)
    slug = name.split()[0].lower()
    upload = accepted_upload(made, _unique_zip(name), late)
    sub_id = f"{slug}-{upload.sha256[:12]}"
    grade_next(tmp_path, wordfreq_report(sub_id, name, failed, message, sha=upload.sha256[0]))
    return made, sub_id


def _unique_zip(name: str) -> bytes:
    """A small valid wordfreq submission, different for each candidate."""
    return zipped({"submission.yaml": f"challenge: wordfreq\ncandidate: {name}\n"
                                      "commands:\n  run: python wordfreq.py\n",
                   "wordfreq.py": f"# {name}\nprint('hello')\n"})
