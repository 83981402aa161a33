"""Support for the HTTP API's unit tests (tests/unit/test_web_api*.py), and the tests of the
support itself: a Django test client that checks every answer against openapi.yaml (the
route, the method and the status must be documented; a JSON body must validate against the
documented schema, with jsonschema), a world of reviewers, tokens, openings and invites in
the service's database (rolled back after each test), the wordfreq test challenge's
solutions as zips, and a stand-in for the grading worker that claims a queued job and
stores a report built with the challenge's real rubric (the journey with real gradings is
tests/integration/test_web_api_journey.py)."""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.conftest import ROOT, TEST_CHALLENGE
from tests.unit.web_pages_support import web as web  # a fixture (the pages' tests use it too)

SPEC_FILE = ROOT / "grader" / "web" / "api" / "openapi.yaml"
WORKER = "unit-test-worker"


@functools.cache
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_FILE.read_text(encoding="utf-8"))
    return loaded


def _formats() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value):
            raise ValueError(f"{value!r} is not an RFC 3339 date-time")
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True

    @checker.checks("uri")
    def _uri(value: object) -> bool:
        return not isinstance(value, str) or re.match(r"^https?://[^/\s]+/\S*$", value) is not None

    return checker


FORMATS = _formats()


def validate(instance: Any, schema: dict[str, Any]) -> None:
    """`instance` against a schema of the document (its #/components refs resolved)."""
    rooted = {**schema, "components": spec()["components"]}
    jsonschema.Draft202012Validator(rooted, format_checker=FORMATS).validate(instance)


def template_of(path: str) -> str | None:
    """The documented path template a concrete path (its query left aside) matches."""
    path = path.split("?", 1)[0]
    for template in spec()["paths"]:
        pattern = re.sub(r"\\\{[a-z_]+\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path):
            return template
    return None


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        parts = node["$ref"].removeprefix("#/").split("/")
        node = functools.reduce(lambda d, k: d[k], parts, spec())
    return node


def check_response(method: str, path: str, status: int, content_type: str,
                   body: bytes) -> None:
    """AssertionError unless the answer is the one openapi.yaml documents."""
    template = template_of(path)
    assert template is not None, f"{path} is not a documented path"
    operation = spec()["paths"][template].get(method.lower())
    assert operation is not None, f"{method} {template} is not documented"
    documented = operation["responses"].get(str(status))
    assert documented is not None, f"{method} {template}: status {status} is not documented"
    content = _resolve(documented).get("content", {})
    media = content_type.split(";")[0].strip()
    assert media in content, f"{method} {template} {status}: {media} is not documented"
    if media == "application/json":
        validate(json.loads(body), content[media]["schema"])


def check_request(method: str, path: str, media: str, body: Any) -> None:
    """A JSON body the tests send (and the API accepted) is one the document describes."""
    template = template_of(path)
    assert template is not None
    request = spec()["paths"][template][method.lower()].get("requestBody")
    assert request is not None, f"{method} {template} documents no body"
    assert media in request["content"], f"{method} {template}: {media} body not documented"
    if media == "application/json":
        validate(body, request["content"][media]["schema"])


class Api:
    """The Django test client, checking each answer against openapi.yaml (`check=False`
    for answers the document does not describe on purpose: a 405, a 500)."""

    def __init__(self) -> None:
        from django.test import Client

        self.client = Client(SERVER_NAME="localhost", enforce_csrf_checks=True)

    def call(self, method: str, path: str, token: str | None = None, *,
             json_body: Any = None, data: bytes | None = None,
             content_type: str = "application/json", check: bool = True,
             **extra: Any) -> Any:
        if token is not None:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        payload: Any = data if data is not None else (
            json.dumps(json_body) if json_body is not None else "")
        response = self.client.generic(method, path, payload, content_type=content_type,
                                       **extra)
        if check:
            check_response(method, path, response.status_code,
                           response.get("Content-Type", ""), response.content)
            if json_body is not None and response.status_code < 300:
                check_request(method, path, content_type, json_body)
        return response

    def get(self, path: str, token: str | None = None, **kw: Any) -> Any:
        return self.call("GET", path, token, **kw)

    def post(self, path: str, token: str | None = None, **kw: Any) -> Any:
        return self.call("POST", path, token, **kw)


@dataclass
class World:
    ada: Any            # reviewer
    bob: Any            # another reviewer
    root: Any           # admin
    ada_token: str
    bob_token: str
    root_token: str
    revoked_token: str  # ada's, revoked
    opening: Any        # wordfreq, junior, no profile file
    invite_a: Any
    token_a: str
    invite_b: Any
    token_b: str


@pytest.fixture()
def api(web: None) -> Api:
    return Api()


@pytest.fixture()
def world(web: None) -> World:
    from django.contrib.auth.models import User

    from grader.db.models import Opening
    from grader.web.api.tokens import create_token, revoke_tokens
    from grader.web.invites import create_invite

    ada = User.objects.create_user("ada")
    bob = User.objects.create_user("bob")
    root = User.objects.create_superuser("root", "", None)
    old = create_token(ada, "old")
    revoke_tokens(ada, token_id=old.token.pk)
    opening = Opening.objects.create(title="Text tools (junior)", challenge="wordfreq",
                                     level="junior", created_by=ada)
    a = create_invite(opening, "Grace Hopper", "grace@example.com", by=ada)
    b = create_invite(opening, "Linus T", by=ada)
    return World(ada, bob, root, create_token(ada, "ats").plain,
                 create_token(bob, "script").plain, create_token(root, "admin").plain,
                 old.plain, opening, a.invite, a.token, b.invite, b.token)


def solution_zip(name: str, top: str | None = None,
                 folder: Path = TEST_CHALLENGE / "solutions") -> bytes:
    """A bundled solution as the zip a candidate would upload."""
    root = folder / name
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                zf.write(path, f"{top or name}/{path.relative_to(root)}")
    return buffer.getvalue()


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buffer.getvalue()


def wordfreq_report(sub_id: str, candidate: str, failed: tuple[str, ...] = (),
                    red_flag: bool = False) -> Any:
    """A report of the wordfreq challenge scored by its real rubric: every case passed but
    `failed`; with `red_flag`, the review raises one (a stand-in for a real grading)."""
    from grader.challenge import load_challenge
    from grader.checks import CheckResult
    from grader.report.model import (
        SCHEMA_VERSION,
        ChallengeInfo,
        Environment,
        Flag,
        Report,
        Review,
        SubmissionInfo,
    )
    from grader.rubric import score

    challenge = load_challenge(TEST_CHALLENGE)
    ids = ["case.basic", "case.case-and-punctuation", "case.ties", "case.empty",
           "case.large", "tests.own", "static.syntax"]
    checks = [CheckResult.failed(i, "output differs") if i in failed else
              CheckResult.passed(i, "ok") for i in ids]
    criteria, total = score(challenge.rubric, checks, challenge.caps)
    flags = [Flag("tests-present", "green", "ships its own tests")]
    if red_flag:
        flags.append(Flag("wrong-answers", "red", "wrong answers", "case.ties",
                          "wordfreq.py:3"))
    return Report(
        schema_version=SCHEMA_VERSION, status="graded",
        submission=SubmissionInfo(id=sub_id, sha256="a" * 64, candidate=candidate,
                                  source="upload", files=2, total_bytes=100, framework=None,
                                  ignored=[]),
        challenge=ChallengeInfo(id="wordfreq", title=challenge.title, track="io",
                                version="1"),
        total=total, criteria=criteria, checks=checks, messages=[], timings={"total": 1.0},
        environment=Environment(), artifacts={},
        generated_at="2026-01-01T10:00:00+00:00",
        review=Review(flags=flags, green_flags=1, red_flags=int(red_flag)))


def claim() -> int:
    """Stand in for the worker: take the oldest queued job (its id)."""
    from grader.jobs import queue

    job = queue.claim(WORKER)
    assert job is not None, "no queued job"
    return int(job.pk)


def finish(tmp_path: Path, job_id: int, report: Any) -> str:
    """Stand in for the worker: store `report` (its bundle with it), then mark the job
    graded, as the runner does (grader/jobs/runner.py). The submission's id."""
    from grader.jobs import queue
    from grader.store import Store

    folder = tmp_path / f"report-{job_id}"
    folder.mkdir()
    (folder / "report.json").write_text(report.to_json())
    Store(alias="default").record(report, folder)
    assert queue.finish(job_id, WORKER, report.submission.id, 0)
    return str(report.submission.id)


def grade_next(tmp_path: Path, report: Any) -> str:
    """Claim the oldest queued job and finish it with `report`."""
    return finish(tmp_path, claim(), report)


def upload(api: Api, world: World, data: bytes, token: str | None = None,
           invite: Any = None, filename: str = "work.zip") -> Any:
    """The candidate's upload as a raw body (invite A's by default)."""
    invite = invite or world.invite_a
    return api.post(f"/api/v1/candidate/invites/{invite.pk}/uploads",
                    token or world.token_a, data=data, content_type="application/zip",
                    HTTP_CONTENT_DISPOSITION=f'attachment; filename="{filename}"')


# -- tests of the support: the checker can fail ---------------------------------------------

def test_the_checker_refuses_an_answer_the_document_does_not_describe() -> None:
    opening = {"id": 1, "title": "t", "challenge": "wordfreq", "framework": None,
               "level": "mid", "window_minutes": 120, "profile": None, "archived": False,
               "created_by": "ada", "created_at": "2026-01-01T10:00:00Z", "invites": 0}
    good = json.dumps(opening).encode()
    check_response("GET", "/api/v1/openings/1", 200, "application/json", good)
    for wrong, said in (({**opening, "score": 90}, "Additional properties"),
                        ({**opening, "level": "lead"}, "is not one of"),
                        ({**opening, "created_at": "yesterday"}, "date-time"),
                        ({k: v for k, v in opening.items() if k != "title"}, "required")):
        with pytest.raises(jsonschema.ValidationError, match=said):
            check_response("GET", "/api/v1/openings/1", 200, "application/json",
                           json.dumps(wrong).encode())
    with pytest.raises(AssertionError, match="status 418 is not documented"):
        check_response("GET", "/api/v1/openings/1", 418, "application/json", good)
    undocumented = re.escape("DELETE /api/v1/openings/{opening_id} is not documented")
    with pytest.raises(AssertionError, match=undocumented):
        check_response("DELETE", "/api/v1/openings/1", 200, "application/json", good)
    with pytest.raises(AssertionError, match="text/html is not documented"):
        check_response("GET", "/api/v1/openings/1", 200, "text/html", b"<p>")
    with pytest.raises(AssertionError, match="not a documented path"):
        check_response("GET", "/api/v1/nowhere", 200, "application/json", good)


def test_every_schema_of_the_document_is_a_valid_json_schema() -> None:
    components = spec()["components"]
    for name, schema in components["schemas"].items():
        jsonschema.Draft202012Validator.check_schema(schema), name
    assert spec()["openapi"].startswith("3.1.")
    assert set(components["securitySchemes"]) == {"reviewerToken", "inviteToken"}
    for scheme in components["securitySchemes"].values():
        assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
