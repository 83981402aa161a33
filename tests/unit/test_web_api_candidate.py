"""The candidate's routes through the API, opened by the invite token: the assignment, the
kit (its download starts the clock once), and uploads: the same intake as the upload page
(a refusal says what to fix, 422), accepted ones queued at once, the body read within the
challenge's archive cap (a 2 GB upload is refused from its declared length without a byte
read or anything kept; multipart goes through the page's capped handler), lateness in
minutes, a rate limit per invite, and never a grading state, a score or a flag."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.unit.test_web_api_support import (
    Api,
    World,
    grade_next,
    solution_zip,
    spec,
    upload,
    wordfreq_report,
    zipped,
)
from tests.unit.test_web_api_support import api as api  # a fixture
from tests.unit.test_web_api_support import web as web  # a fixture
from tests.unit.test_web_api_support import world as world  # a fixture

CANDIDATE_KEYS = set(spec()["components"]["schemas"]["CandidateUpload"]["properties"])


def _path(world: World, rest: str = "", invite: Any = None) -> str:
    return f"/api/v1/candidate/invites/{(invite or world.invite_a).pk}{rest}"


def test_the_assignment_says_what_to_build_and_how_long(api: Api, world: World) -> None:
    found = api.get(_path(world), world.token_a).json()
    assert (found["invite"], found["name"], found["challenge"]) == (world.invite_a.pk,
                                                                   "Grace Hopper", "wordfreq")
    assert found["title"].startswith("Word frequencies") and "output.json" in found[
        "description"]
    assert (found["window_minutes"], found["deadline"], found["minutes_left"]) == (120, None,
                                                                                  None)
    assert (found["has_kit"], found["kit"]) == (False, None)
    assert found["upload"] == _path(world, "/uploads") and found["uploads"] == []
    assert found["max_upload_bytes"] == 100 * 1024 * 1024


def test_the_kit_download_starts_the_clock_once(api: Api, world: World) -> None:
    from grader.db.models import Invite, Opening
    from grader.web.invites import create_invite

    backend = Opening.objects.create(title="Backend", challenge="backend", framework="flask",
                                     window_minutes=90)
    made = create_invite(backend, "Kit Taker")
    assert api.get(_path(world, invite=made.invite), made.token).json()["kit"] == _path(
        world, "/kit", made.invite)
    kit = api.post(_path(world, "/kit", made.invite), made.token)
    assert kit.status_code == 200 and kit["Content-Type"] == "application/zip"
    assert kit["Content-Disposition"] == 'attachment; filename="backend-flask-kit.zip"'
    with zipfile.ZipFile(io.BytesIO(kit.content)) as zf:
        assert any(n.endswith("submission.yaml") for n in zf.namelist())
    started = Invite.objects.get(pk=made.invite.pk)
    assert started.downloaded_at is not None and started.deadline == (
        started.downloaded_at + dt.timedelta(minutes=90))
    assert api.post(_path(world, "/kit", made.invite), made.token).status_code == 200
    assert Invite.objects.get(pk=made.invite.pk).downloaded_at == started.downloaded_at
    now = api.get(_path(world, invite=made.invite), made.token).json()
    assert now["deadline"] and 88 <= now["minutes_left"] <= 90
    none = api.post(_path(world, "/kit"), world.token_a)        # wordfreq has no kit
    assert none.status_code == 404 and "no starter kit" in none.json()["message"]


def test_an_accepted_upload_is_received_and_queued_and_never_shows_a_score(
        api: Api, world: World, tmp_path: Path) -> None:
    from grader.db.models import Upload
    from grader.jobs.interface import default_queue
    from grader.store import Store
    from grader.web.api.states import upload_state

    data = solution_zip("reference")
    sent = upload(api, world, data, filename="../grace.zip")
    assert sent.status_code == 201, sent.content
    got = sent.json()
    assert set(got) == CANDIDATE_KEYS
    assert (got["status"], got["rule"], got["current"], got["late_minutes"]) == (
        "received", None, True, 0)
    assert got["sha256"] == hashlib.sha256(data).hexdigest() and got["size"] == len(data)
    assert got["filename"] == "grace.zip" and got["sha256"] in got["message"]
    row = Upload.objects.get(pk=got["id"])
    assert bytes(row.data) == data and row.invite_id == world.invite_a.pk
    state = upload_state(row)
    job = default_queue(Store(alias="default")).job(state.job or 0)
    assert state.state == "queued" and job is not None and job.upload_id == row.pk

    grade_next(tmp_path, wordfreq_report("grace-hopper-aaaaaaaaaaaa", "Grace Hopper",
                                         failed=("case.ties",), red_flag=True))
    mine = api.get(_path(world, "/uploads"), world.token_a)
    assert [set(u) for u in mine.json()["uploads"]] == [CANDIDATE_KEYS]
    shown = mine.content.decode() + api.get(_path(world), world.token_a).content.decode()
    for secret in ("percent", "points", "graded", "flag", "grace-hopper-aaaaaaaaaaaa",
                   "recommend", "case.ties"):
        assert secret not in shown, secret


def test_the_last_accepted_upload_is_the_current_one(api: Api, world: World) -> None:
    upload(api, world, solution_zip("reference"))
    refused = upload(api, world, zipped({"main.py": "print(1)\n"}))
    second = upload(api, world, solution_zip("case-sensitive"))
    assert (refused.status_code, second.status_code) == (422, 201)
    listed = api.get(_path(world, "/uploads"), world.token_a).json()["uploads"]
    assert [(u["status"], u["current"]) for u in listed] == [
        ("received", False), ("refused", False), ("received", True)]
    assert api.get(_path(world, "/uploads", world.invite_b), world.token_b).json()[
        "uploads"] == []


@pytest.mark.parametrize(("files", "rule", "said"), [
    ({"main.py": "print(1)\n"}, "manifest-missing", "submission.yaml"),
    ({"submission.yaml": "challenge: backend\ncandidate: G\ncommands: {run: python x.py}\n",
      "x.py": "print(1)\n"}, "challenge-mismatch", "'wordfreq'"),
])
def test_a_refused_upload_says_what_to_fix_and_keeps_no_bytes(
        api: Api, world: World, files: dict[str, str], rule: str, said: str) -> None:
    from grader.db.models import Job, Upload

    answer = upload(api, world, zipped(files))
    assert answer.status_code == 422
    body = answer.json()
    assert body["error"] == "upload-refused" and said in body["message"]
    assert body["details"]["rule"] == rule
    assert body["details"]["upload"]["status"] == "refused"
    row = Upload.objects.get(pk=body["details"]["upload"]["id"])
    assert (row.accepted, bytes(row.data)) == (False, b"")
    assert not Job.objects.exists()


def test_not_a_zip_is_refused_by_the_intake(api: Api, world: World) -> None:
    answer = upload(api, world, b"this is not a zip at all")
    assert answer.status_code == 422 and answer.json()["details"]["rule"]


class _Unread(io.RawIOBase):
    """A request body that must never be read."""

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")

    def readline(self, size: int | None = -1) -> bytes:
        raise AssertionError("the body was read")


def test_a_2_gb_upload_is_refused_from_its_declared_length_without_reading_it(
        api: Api, world: World) -> None:
    from grader.db.models import Upload

    answer = api.post(_path(world, "/uploads"), world.token_a, data=b"x",
                      content_type="application/zip", CONTENT_LENGTH=str(2 * 1024 ** 3),
                      **{"wsgi.input": _Unread()})
    assert answer.status_code == 413
    assert answer.json()["message"] == "the upload is over the 100 MiB cap: nothing was kept"
    multipart = api.post(_path(world, "/uploads"), world.token_a, data=b"x",
                         content_type="multipart/form-data; boundary=xyz",
                         CONTENT_LENGTH=str(2 * 1024 ** 3), **{"wsgi.input": _Unread()})
    assert multipart.status_code == 413
    assert not Upload.objects.exists()


def test_an_upload_over_the_challenge_cap_is_refused_raw_or_multipart(
        api: Api, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.db.models import Upload
    from grader.web.api import candidate

    real = candidate._challenge
    monkeypatch.setattr(candidate, "_challenge",
                        lambda invite: {**real(invite), "max_upload_bytes": 2000})
    big = solution_zip("reference") + b"\0" * 2000
    raw = upload(api, world, big)
    assert raw.status_code == 413 and "over the 2,000 bytes cap" in raw.json()["message"]
    form = api.client.post(_path(world, "/uploads"), {"file": io.BytesIO(big)},
                           HTTP_AUTHORIZATION=f"Bearer {world.token_a}")
    assert form.status_code == 413
    assert not Upload.objects.exists()
    small = zipped({"submission.yaml": "challenge: wordfreq\ncandidate: G\n"
                                       "commands: {run: python wordfreq.py}\n",
                    "wordfreq.py": "print(1)\n"})
    named = io.BytesIO(small)
    named.name = "work.zip"
    taken = api.client.post(_path(world, "/uploads"), {"file": named},
                            HTTP_AUTHORIZATION=f"Bearer {world.token_a}")
    assert taken.status_code == 201, taken.content
    assert (taken.json()["filename"], taken.json()["size"]) == ("work.zip", len(small))
    two = api.client.post(_path(world, "/uploads"), {"file": [io.BytesIO(small),
                                                               io.BytesIO(small)]},
                          HTTP_AUTHORIZATION=f"Bearer {world.token_a}")
    assert two.status_code == 400 and "exactly one 'file'" in two.json()["message"]


def test_an_upload_without_a_body_is_a_bad_request(api: Api, world: World) -> None:
    answer = upload(api, world, b"")
    assert answer.status_code == 400 and "send the zip" in answer.json()["message"]


def test_a_late_upload_is_accepted_and_says_by_how_much(api: Api, world: World) -> None:
    from django.utils import timezone

    invite = world.invite_a
    invite.start_clock(timezone.now() - dt.timedelta(minutes=150))
    invite.save()
    got = upload(api, world, solution_zip("reference")).json()
    assert got["status"] == "received" and got["late_minutes"] in (30, 31)
    assert f"late by {got['late_minutes']} minutes" in got["message"]
    assert api.get(_path(world), world.token_a).json()["minutes_left"] == 0


def test_uploads_are_rate_limited_per_invite(api: Api, world: World,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.web.api import candidate
    from grader.web.api.limits import Limit

    monkeypatch.setattr(candidate, "UPLOADS", Limit("uploads-test", 2, 3600, "uploads"))
    data = solution_zip("reference")
    assert [upload(api, world, data).status_code for _ in range(2)] == [201, 201]
    limited = upload(api, world, data)
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert upload(api, world, data, world.token_b, world.invite_b).status_code == 201
