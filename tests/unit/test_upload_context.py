"""What the hiring service passes with an upload (grader/upload_context.py): the opening's
pinned framework becomes the profile's pin (a bundled level profile pins none, so a web
opening pinned to Flask must still flag a FastAPI submission), and lateness a report
message; the job runner reads both from the upload's opening and invite."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from grader.recommend import MISMATCH_FLAG, apply_profile
from grader.upload_context import UploadContext
from tests.unit.test_profiles import backend, graded, profile
from tests.unit.web_pages_support import invite, opening, web

__all__ = ["web"]   # the fixture


def test_the_openings_framework_pins_the_level_profile() -> None:
    junior = profile("junior")
    assert junior.frameworks == []          # the bundled level profiles pin none
    pinned = UploadContext(pinned_framework="Flask").pin(junior)
    assert pinned.frameworks == ["flask"] and pinned.level == junior.level
    report = apply_profile(graded(framework="fastapi"), pinned, backend())
    assert report.recommendation is not None and report.recommendation.verdict != "advance"
    assert report.review is not None and report.review.flags[0].id == MISMATCH_FLAG
    same = apply_profile(graded(framework="flask"), pinned, backend())
    assert same.recommendation is not None and same.recommendation.verdict == "advance"
    assert UploadContext().pin(junior) is junior          # no pin: the profile as it is


def test_a_late_upload_is_said_in_the_report_and_an_on_time_one_is_not() -> None:
    [late] = UploadContext(late_minutes=14, window_minutes=120).messages()
    assert late.level == "warning" and late.rule == "upload.late"
    assert late.text.startswith("Late by 14 minutes: uploaded after the window of 120 minutes")
    assert UploadContext(late_minutes=1).messages()[0].text.startswith("Late by 1 minute:")
    assert UploadContext(late_minutes=0, window_minutes=120).messages() == []


def test_the_job_runner_reads_the_context_from_the_upload(web: None) -> None:
    from grader.db.models import Job, Upload
    from grader.jobs.runner import _profile

    made, _token = invite(opening(framework="", profile="junior", window_minutes=90))
    store: Any = SimpleNamespace(alias="default")

    upload = Upload.objects.create(invite=made, filename="a.zip", sha256="0" * 64,
                                   accepted=True, late_minutes=7, data=b"zip")
    job = Job(upload_id=upload.pk, challenge=made.opening.challenge, sha256=upload.sha256)
    name, context = _profile(job, store)
    assert name == made.opening.profile
    assert context is not None and context.late_minutes == 7
    assert context.pinned_framework == made.opening.framework
    assert context.window_minutes == made.opening.window_minutes
    assert _profile(Job(regrade_of_id="x", challenge="c", sha256="1" * 64),
                    store) == (None, None)
