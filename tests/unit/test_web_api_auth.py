"""Who may call what, for every route of the API (read from openapi.yaml, so a new route is
in the matrix at once): anonymous, a revoked reviewer token, a reviewer's session cookie
(never accepted: no CSRF through the API), the candidate whose invite the route names, the
candidate of another invite (404: nothing said about it), the reviewer, another reviewer
(where ownership matters: API tokens), and an admin. Every answer is checked against the
document too. Then the token rules one by one: hashed, constant-time, last use recorded,
revocation, the candidate token of a revoked invite, and the rate limit on wrong tokens."""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.unit.test_web_api_support import Api, World, solution_zip, spec, wordfreq_report
from tests.unit.test_web_api_support import api as api  # a fixture
from tests.unit.test_web_api_support import web as web  # a fixture
from tests.unit.test_web_api_support import world as world  # a fixture

CALLERS = ("anonymous", "revoked", "session", "candidate_own", "candidate_other",
           "reviewer", "other_reviewer", "admin")
OPERATIONS = sorted((template, method.upper()) for template, item in spec()["paths"].items()
                    for method in item if method != "parameters")
SUCCESS = {"POST": 201}
NOT_CREATED = {("/api/v1/invites/{invite_id}/revoke", "POST"),
               ("/api/v1/tokens/{token_id}/revoke", "POST"),
               ("/api/v1/candidate/invites/{invite_id}/kit", "POST")}
BODIES: dict[tuple[str, str], Any] = {
    ("/api/v1/openings", "POST"): {"title": "Words again", "challenge": "wordfreq"},
    ("/api/v1/openings/{opening_id}/invites", "POST"): {"name": "Ken Thompson"},
    ("/api/v1/invites/{invite_id}/decisions", "POST"): {"outcome": "hold",
                                                         "reason": "wait for the others"},
    ("/api/v1/submissions/{submission_id}/manual-scores", "POST"): {"criterion": "explain",
                                                                     "points": 7},
}


def _access(template: str, method: str) -> str:
    operation = spec()["paths"][template][method.lower()]
    security = operation.get("security", spec()["security"])
    if not security:
        return "public"
    kinds = {next(iter(s)) for s in security}
    return {frozenset({"reviewerToken"}): "reviewer", frozenset({"inviteToken"}): "candidate",
            frozenset({"reviewerToken", "inviteToken"}): "any"}[frozenset(kinds)]


def _setting(world: World) -> dict[str, Any]:
    """The ids the paths name: invite A's upload and graded submission, ada's API token, and
    an invite to a backend opening (it has a kit) for the kit route."""
    from grader.db.models import ApiToken, Opening, Upload
    from grader.store import Store
    from grader.web.invites import create_invite

    report = wordfreq_report("grace-hopper-aaaaaaaaaaaa", "Grace Hopper")
    with tempfile.TemporaryDirectory(prefix="grader-api-test-") as folder:
        Store(alias="default").record(report, Path(folder))   # the bundle is read now
    upload = Upload.objects.create(invite=world.invite_a, filename="work.zip", data=b"zip",
                                   size=3, sha256=hashlib.sha256(b"zip").hexdigest(),
                                   accepted=True, verdict="accepted", challenge="wordfreq",
                                   submission_id=report.submission.id)
    backend = Opening.objects.create(title="Backend", challenge="backend", framework="flask")
    kit_invite = create_invite(backend, "Kit Taker")
    return {"opening_id": world.opening.pk, "invite_id": world.invite_a.pk,
            "upload_id": upload.pk, "submission_id": report.submission.id,
            "token_id": ApiToken.objects.get(user=world.ada, name="ats").pk,
            "kit_invite": kit_invite}


def _token(caller: str, world: World, own: str, other: str) -> str | None:
    return {"anonymous": None, "session": None, "revoked": world.revoked_token,
            "candidate_own": own, "candidate_other": other, "reviewer": world.ada_token,
            "other_reviewer": world.bob_token, "admin": world.root_token}[caller]


def expected(template: str, method: str, caller: str) -> int:
    access = _access(template, method)
    success = 200 if (template, method) in NOT_CREATED else SUCCESS.get(method, 200)
    if access == "public":
        return 200
    if caller in ("anonymous", "revoked", "session"):
        return 401
    candidate = caller.startswith("candidate")
    if access == "any":
        return 200
    if access == "candidate":
        return 403 if not candidate else (success if caller == "candidate_own" else 404)
    if candidate:
        return 403
    if template == "/api/v1/tokens/{token_id}/revoke" and caller != "reviewer":
        return 404          # ada's token: not found for another reviewer, admins included
    return success


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("template", "method"), OPERATIONS)
def test_the_authorization_matrix(api: Api, world: World, template: str, method: str,
                                  caller: str) -> None:
    ids = _setting(world)
    own, other = world.token_a, world.token_b
    if template.endswith("/kit"):                   # an invite of an opening with a kit
        ids["invite_id"] = ids["kit_invite"].invite.pk
        own, other = ids["kit_invite"].token, world.token_a
    path = re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), template)
    if caller == "session":
        api.client.force_login(world.ada)
    kwargs: dict[str, Any] = {}
    if (template, method) in BODIES:
        kwargs["json_body"] = BODIES[template, method]
    elif template.endswith("/uploads") and method == "POST":
        kwargs.update(data=solution_zip("reference"), content_type="application/zip")
    answer = api.call(method, path, _token(caller, world, own, other), **kwargs)
    assert answer.status_code == expected(template, method, caller), (
        caller, method, path, answer.content[:300])
    assert answer["Cache-Control"] == "no-store"
    if answer.status_code == 401:
        assert answer["WWW-Authenticate"] == 'Bearer realm="grader"'
    if answer.status_code in (401, 403, 404):
        body = answer.json()
        assert body["message"] and "Traceback" not in body["message"]
        if answer.status_code == 404 and caller == "candidate_other":
            assert body == {"error": "not-found", "message": "no such invite"}


def test_every_route_is_in_the_matrix() -> None:
    from tests.unit.test_web_api_contract import api_routes

    assert {t for t, _ in OPERATIONS} == set(api_routes())
    assert {_access(t, m) for t, m in OPERATIONS} == {"public", "any", "reviewer",
                                                      "candidate"}


def test_a_reviewer_token_is_kept_hashed_and_compared_in_constant_time(
        api: Api, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db.models import Q

    from grader.db import tokens
    from grader.db.models import ApiToken

    row = ApiToken.objects.get(user=world.ada, name="ats")
    assert row.token_hash == hashlib.sha256(world.ada_token.encode()).hexdigest()
    assert row.token_hint == world.ada_token[:6] and len(world.ada_token) >= 40
    assert not ApiToken.objects.filter(Q(token_hash__contains=world.ada_token) |
                                       Q(name__contains=world.ada_token)).exists()
    compared: list[tuple[str, str]] = []
    real = tokens.hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(tokens.hmac, "compare_digest", spy)
    assert api.get("/api/v1/me", world.ada_token).json()["user"] == "ada"
    assert (row.token_hash, row.token_hash) in compared
    assert api.get("/api/v1/me", world.token_a).json()["kind"] == "candidate"
    assert (world.invite_a.token_hash, world.invite_a.token_hash) in compared


def test_the_last_use_of_a_token_is_recorded_at_most_once_a_minute(
        api: Api, world: World) -> None:
    import datetime as dt

    from grader.db.models import ApiToken

    row = ApiToken.objects.get(user=world.ada, name="ats")
    assert row.last_used_at is None
    assert api.get("/api/v1/openings", world.ada_token).status_code == 200
    row.refresh_from_db()
    first = row.last_used_at
    assert first is not None
    api.get("/api/v1/openings", world.ada_token)
    row.refresh_from_db()
    assert row.last_used_at == first                   # within the minute: no write
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=first - dt.timedelta(minutes=5))
    mine = api.get("/api/v1/tokens", world.ada_token).json()["tokens"]
    assert [(t["name"], t["revoked"]) for t in mine] == [("old", True), ("ats", False)]
    row.refresh_from_db()
    assert row.last_used_at is not None and row.last_used_at >= first
    assert all(world.ada_token not in str(t) for t in mine)


def test_a_revoked_token_an_inactive_reviewer_and_a_revoked_invite_open_nothing(
        api: Api, world: World) -> None:
    from grader.web.invites import revoke

    said = api.get("/api/v1/openings", world.revoked_token).json()["message"]
    assert "revoked" in said and "grader tokens create" in said
    world.bob.is_active = False
    world.bob.save()
    assert api.get("/api/v1/openings", world.bob_token).status_code == 401
    path = f"/api/v1/candidate/invites/{world.invite_a.pk}"
    assert api.get(path, world.token_a).status_code == 200
    revoke(world.invite_a)
    gone = api.get(path, world.token_a)
    assert gone.status_code == 401 and "revoked" in gone.json()["message"]
    assert api.get(f"/api/v1/candidate/invites/{world.invite_b.pk}",
                   world.token_b).status_code == 200


def test_a_token_revoked_through_the_api_stops_at_once_and_twice_is_a_conflict(
        api: Api, world: World) -> None:
    from grader.db.models import ApiToken
    from grader.web.api.tokens import create_token

    spare = create_token(world.ada, "spare")
    assert api.get("/api/v1/me", spare.plain).status_code == 200
    done = api.post(f"/api/v1/tokens/{spare.token.pk}/revoke", world.ada_token)
    assert done.status_code == 200 and done.json()["revoked"] is True
    assert api.get("/api/v1/me", spare.plain).status_code == 401
    again = api.post(f"/api/v1/tokens/{spare.token.pk}/revoke", world.ada_token)
    assert again.status_code == 409
    bobs = ApiToken.objects.get(user=world.bob)
    assert api.post(f"/api/v1/tokens/{bobs.pk}/revoke", world.ada_token).status_code == 404
    assert not ApiToken.objects.get(pk=bobs.pk).revoked


@pytest.mark.parametrize("header", ["Token abc", "Bearer", "Basic YWRhOnB3", "bearer  "])
def test_an_authorization_header_that_is_not_a_bearer_token_is_refused(
        api: Api, world: World, header: str) -> None:
    answer = api.get("/api/v1/openings", HTTP_AUTHORIZATION=header)
    assert answer.status_code == 401 and "Bearer <token>" in answer.json()["message"]


def test_a_session_cookie_is_not_accepted_and_token_calls_need_no_csrf_token(
        api: Api, world: World) -> None:
    from django.conf import settings

    api.client.force_login(world.ada)
    assert settings.SESSION_COOKIE_NAME in api.client.cookies
    refused = api.post("/api/v1/openings", json_body={"title": "x", "challenge": "wordfreq"})
    assert refused.status_code == 401               # not 403 (CSRF): the cookie is not read
    assert "session cookies are not accepted" in refused.json()["message"]
    made = api.post("/api/v1/openings", world.ada_token,     # the client enforces CSRF checks
                    json_body={"title": "Words", "challenge": "wordfreq"})
    assert made.status_code == 201 and made.json()["created_by"] == "ada"


def test_wrong_tokens_from_one_address_are_rate_limited(api: Api, world: World) -> None:
    from grader.web.api.limits import FAILED_AUTH

    for n in range(FAILED_AUTH.count):
        assert api.get("/api/v1/openings", f"guess-{n}").status_code == 401
    blocked = api.get("/api/v1/openings", world.ada_token)      # even a right one, for now
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) > 0
    assert "too many" in blocked.json()["message"]
    elsewhere = api.get("/api/v1/openings", world.ada_token, REMOTE_ADDR="10.1.2.3")
    assert elsewhere.status_code == 200
    assert api.get("/api/v1/openapi.yaml").status_code == 200    # no token, no limit


def test_me_tells_a_candidate_their_invite(api: Api, world: World) -> None:
    me = api.get("/api/v1/me", world.token_b).json()
    assert me == {"kind": "candidate", "invite": world.invite_b.pk, "name": "Linus T",
                  "assignment": f"/api/v1/candidate/invites/{world.invite_b.pk}"}
    admin = api.get("/api/v1/me", world.root_token).json()
    assert (admin["kind"], admin["user"], admin["admin"]) == ("reviewer", "root", True)
    assert admin["token"]["name"] == "admin"
