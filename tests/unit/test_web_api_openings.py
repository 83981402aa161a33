"""The reviewers' routes of openings and invites through the API (Django's test client, every
answer checked against openapi.yaml): an opening made with the pages' own rules (the
challenge must load, its framework be one of its kits, the role profile one it ships or
`none`, the level's by default), every refusal a JSON message naming the field; invites
answering the link and token once and listing them never again; revocation; decisions with
their history; the challenges an opening can name."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.unit.test_web_api_support import Api, World
from tests.unit.test_web_api_support import api as api  # a fixture
from tests.unit.test_web_api_support import web as web  # a fixture
from tests.unit.test_web_api_support import world as world  # a fixture


def test_an_opening_is_created_with_defaults_and_listed_for_every_reviewer(
        api: Api, world: World) -> None:
    made = api.post("/api/v1/openings", world.ada_token,
                    json_body={"title": "Backend engineer", "challenge": "backend",
                               "framework": "flask"})
    assert made.status_code == 201, made.content
    opening = made.json()
    assert made["Location"] == f"/api/v1/openings/{opening['id']}"
    assert {k: opening[k] for k in ("challenge", "framework", "level", "window_minutes",
                                    "profile", "created_by", "invites")} == {
        "challenge": "backend", "framework": "flask", "level": "mid", "window_minutes": 120,
        "profile": "mid", "created_by": "ada", "invites": 0}
    senior = api.post("/api/v1/openings", world.ada_token, json_body={
        "title": "Staff", "challenge": "backend", "framework": "django", "level": "senior",
        "window_minutes": 180, "profile": "none"}).json()
    assert (senior["level"], senior["profile"], senior["window_minutes"]) == ("senior", None,
                                                                              180)
    junior_role = api.post("/api/v1/openings", world.ada_token, json_body={
        "title": "Junior on a mid sheet", "challenge": "backend", "framework": "fastapi",
        "level": "junior", "profile": "mid"}).json()
    assert junior_role["profile"] == "mid"
    listed = api.get("/api/v1/openings", world.bob_token).json()["openings"]   # bob sees all
    assert [o["title"] for o in listed] == ["Junior on a mid sheet", "Staff",
                                            "Backend engineer", "Text tools (junior)"]
    one = api.get(f"/api/v1/openings/{world.opening.pk}", world.bob_token).json()
    assert (one["title"], one["invites"], one["framework"]) == ("Text tools (junior)", 2, None)


def test_archived_openings_are_listed_only_when_asked(api: Api, world: World) -> None:
    world.opening.archived = True
    world.opening.save()
    assert api.get("/api/v1/openings", world.ada_token).json()["openings"] == []
    both = api.get("/api/v1/openings?archived=1", world.ada_token).json()["openings"]
    assert [o["archived"] for o in both] == [True]
    refused = api.post(f"/api/v1/openings/{world.opening.pk}/invites", world.ada_token,
                       json_body={"name": "Late Comer"})
    assert refused.status_code == 409 and "archived" in refused.json()["message"]


@pytest.mark.parametrize(("body", "field", "said"), [
    ({"title": "x", "challenge": "nope"}, "challenge", "not one of the available choices"),
    ({"title": "x", "challenge": "backend"}, "framework", "pin one"),
    ({"title": "x", "challenge": "backend", "framework": "rails"}, "framework",
     "not one of the available choices"),
    ({"title": "x", "challenge": "backend", "framework": "flask", "profile": "principal"},
     "profile", "principal is not one of the available choices"),
    ({"title": "x", "challenge": "wordfreq", "window_minutes": 5}, "window_minutes", "10"),
    ({"title": "x", "challenge": "wordfreq", "level": "lead"}, "level", "lead"),
    ({"challenge": "wordfreq"}, "title", "required"),
    ({"title": "x", "challenge": "wordfreq", "windows": 90}, "windows", "unknown field"),
    ({"title": ["x"], "challenge": "wordfreq"}, "title", "expected a string"),
])
def test_an_opening_that_cannot_be_made_is_refused_naming_the_field(
        api: Api, world: World, body: dict[str, Any], field: str, said: str) -> None:
    from grader.db.models import Opening

    answer = api.post("/api/v1/openings", world.ada_token, json_body=body)
    assert answer.status_code == 422, answer.content
    found = answer.json()
    assert found["error"] == "invalid" and field in found["details"]["fields"]
    assert said in " ".join(found["details"]["fields"][field]), found
    assert said in found["message"]
    assert Opening.objects.count() == 1


@pytest.mark.parametrize(("data", "status", "said"), [
    (b"", 400, "needs a JSON object"),
    (b"{not json", 400, "not valid JSON"),
    (b"[1, 2]", 400, "must be a JSON object"),
    (b"\xff\xfe", 400, "not valid JSON"),
    (json.dumps({"title": "x" * 70_000, "challenge": "wordfreq"}).encode(), 413,
     "over the 64 KiB cap"),
])
def test_a_body_that_is_not_a_small_json_object_is_refused(
        api: Api, world: World, data: bytes, status: int, said: str) -> None:
    answer = api.post("/api/v1/openings", world.ada_token, data=data)
    assert answer.status_code == status and said in answer.json()["message"]


def test_an_invite_answers_its_link_and_token_once_and_never_again(
        api: Api, world: World) -> None:
    from grader.db.models import Invite

    made = api.post(f"/api/v1/openings/{world.opening.pk}/invites", world.bob_token,
                    json_body={"name": "Barbara Liskov", "email": "barbara@example.com"})
    assert made.status_code == 201
    invite = made.json()
    token = invite["token"]
    assert len(token) >= 40 and invite["token_hint"] == token[:6]
    assert invite["link"] == f"http://localhost/invite/{token}/"
    assert invite["candidate_api"] == f"http://localhost/api/v1/candidate/invites/{invite['id']}"
    assert (invite["created_by"], invite["email"], invite["revoked"]) == (
        "bob", "barbara@example.com", False)
    row = Invite.objects.get(pk=invite["id"])
    assert token not in row.token_hash
    listed = api.get(f"/api/v1/openings/{world.opening.pk}/invites", world.ada_token)
    assert [i["name"] for i in listed.json()["invites"]] == ["Grace Hopper", "Linus T",
                                                            "Barbara Liskov"]
    assert token not in listed.content.decode()
    detail = api.get(f"/api/v1/invites/{invite['id']}", world.ada_token)
    assert token not in detail.content.decode() and detail.json()["uploads"] == []
    assert api.get(f"/api/v1/candidate/invites/{invite['id']}", token).status_code == 200
    page = api.client.get(f"/invite/{token}/", SERVER_NAME="localhost")
    assert page.status_code == 200 and "Barbara Liskov" in page.content.decode()


@pytest.mark.parametrize(("body", "field"), [({"name": ""}, "name"),
                                             ({"name": "x", "email": "not an address"},
                                              "email"),
                                             ({"name": "x", "token": "mine"}, "token")])
def test_an_invite_that_cannot_be_made_is_refused(api: Api, world: World,
                                                  body: dict[str, Any], field: str) -> None:
    answer = api.post(f"/api/v1/openings/{world.opening.pk}/invites", world.ada_token,
                      json_body=body)
    assert answer.status_code == 422 and field in answer.json()["details"]["fields"]


def test_unknown_openings_and_invites_are_not_found(api: Api, world: World) -> None:
    for path in ("/api/v1/openings/999999", "/api/v1/openings/999999/invites",
                 "/api/v1/openings/999999/cohort", "/api/v1/openings/999999/decisions",
                 "/api/v1/invites/999999", "/api/v1/invites/999999/decisions",
                 "/api/v1/uploads/999999", "/api/v1/submissions/nobody-000000000000",
                 "/api/v1/submissions/nobody-000000000000/report",
                 "/api/v1/submissions/nobody-000000000000/manual-scores"):
        answer = api.get(path, world.ada_token)
        assert answer.status_code == 404 and answer.json()["error"] == "not-found", path


def test_an_invite_is_revoked_once_and_its_token_then_opens_nothing(
        api: Api, world: World) -> None:
    path = f"/api/v1/invites/{world.invite_b.pk}/revoke"
    done = api.post(path, world.ada_token)
    assert done.status_code == 200
    assert done.json()["revoked"] is True and done.json()["revoked_at"]
    again = api.post(path, world.bob_token)
    assert again.status_code == 409 and "revoked already" in again.json()["message"]
    assert api.get(f"/api/v1/candidate/invites/{world.invite_b.pk}",
                   world.token_b).status_code == 401
    assert api.get(f"/api/v1/candidate/invites/{world.invite_a.pk}",
                   world.token_a).status_code == 200


def test_decisions_are_recorded_with_their_reason_and_their_history_kept(
        api: Api, world: World) -> None:
    path = f"/api/v1/invites/{world.invite_a.pk}/decisions"
    first = api.post(path, world.ada_token, json_body={"outcome": "hold",
                                                       "reason": "meet the others first"})
    assert first.status_code == 201 and first.json()["submission"] is None
    assert first.json()["decided_by"] == "ada" and first["Location"] == path
    second = api.post(path, world.bob_token, json_body={"outcome": "advance",
                                                        "reason": "best call of the week"})
    assert second.status_code == 201
    history = api.get(path, world.root_token).json()["decisions"]
    assert [(d["outcome"], d["decided_by"]) for d in history] == [("hold", "ada"),
                                                                  ("advance", "bob")]
    api.post(f"/api/v1/invites/{world.invite_b.pk}/decisions", world.ada_token,
             json_body={"outcome": "reject", "reason": "the tests were hollow"})
    everyone = api.get(f"/api/v1/openings/{world.opening.pk}/decisions",
                       world.ada_token).json()["decisions"]
    assert [(d["candidate"], d["outcome"]) for d in everyone] == [
        ("Linus T", "reject"), ("Grace Hopper", "advance"), ("Grace Hopper", "hold")]
    latest = api.get(f"/api/v1/invites/{world.invite_a.pk}", world.ada_token).json()
    assert latest["decision"]["outcome"] == "advance"


@pytest.mark.parametrize(("body", "field"), [
    ({"outcome": "maybe", "reason": "x"}, "outcome"),
    ({"outcome": "advance"}, "reason"),
    ({"outcome": "advance", "reason": "x", "submission": "someone-else-123456789abc"},
     "submission"),
    ({"outcome": "advance", "reason": "x", "by": "carol"}, "by"),
])
def test_a_decision_that_cannot_be_recorded_is_refused(api: Api, world: World,
                                                       body: dict[str, Any],
                                                       field: str) -> None:
    answer = api.post(f"/api/v1/invites/{world.invite_a.pk}/decisions", world.ada_token,
                      json_body=body)
    assert answer.status_code == 422 and field in answer.json()["details"]["fields"]


def test_the_challenges_an_opening_can_name(api: Api, world: World) -> None:
    found = {c["id"]: c for c in api.get("/api/v1/challenges",
                                         world.ada_token).json()["challenges"]}
    assert {"backend", "wordfreq"} <= set(found)
    backend = found["backend"]
    assert set(backend["frameworks"]) >= {"django", "fastapi", "flask"}
    assert backend["framework_required"] is True
    assert backend["profiles"] == ["junior", "mid", "senior"]
    assert (found["wordfreq"]["frameworks"], found["wordfreq"]["framework_required"]) == (
        [], False)
    assert found["wordfreq"]["max_upload_bytes"] > 0
