"""Path traversal (issue 23 item 7), through Django's test client: a canary file beside the
store (and the store's own `secret_key` and database file there) is never served, whatever
the path asks: `../`, `%2e%2e`, encoded and doubly encoded slashes, backslashes, absolute
paths and NUL bytes, on every route that takes a name or an id (a report's artifacts, the
report and its JSON, the exports, the candidate's page and kit, static files). Artifacts
are read from the store by exact name, so nothing outside a report's bundle can be named;
an opening names a challenge by id and a kit that is one of the challenge's, so a kit
cannot be built from a folder of anyone's choosing (page form, API and admin form alike).
The same tries against the real server, where no client tidies the path first, are in
tests/integration/test_web_security_server.py."""

from __future__ import annotations

from pathlib import Path

from tests.unit.web_security_support import (
    World,
    build_world,
    place_canary,
    request_as,
    traversals,
    web,
)

__all__ = ["web"]


def _urls(world: World) -> list[str]:
    sub = world.sub_a
    out = []
    for bad in traversals():
        out += [f"/submissions/{sub}/report/artifacts/{bad}",
                f"/submissions/{sub}/report/artifacts/server.log/{bad}",
                f"/submissions/{bad}/report/", f"/submissions/{bad}/report.json",
                f"/submissions/{bad}/gradescope.json", f"/static/{bad}",
                f"/static/grader/{bad}", f"/static/admin/css/{bad}",
                f"/invite/{bad}/", f"/api/v1/submissions/{bad}/report"]
    return out


def test_nothing_outside_the_store_is_served(web: None, tmp_path: Path) -> None:
    world = build_world(tmp_path)
    secrets_seen = place_canary()
    served = 0
    for url in _urls(world):
        for role in ("owner", "cand_a"):
            answer = request_as(world, role, "GET", url)
            for secret in secrets_seen:
                assert secret not in answer.body, f"{url} served a file outside the store"
            if answer.status == 200:
                served += 1
    # what may be named is: the artifact by its exact name, the static files by theirs
    assert request_as(world, "owner", "GET", f"/submissions/{world.sub_a}/report/artifacts/"
                      "server.log").body == b"server started\n"
    assert request_as(world, "anon", "GET", "/static/grader/site.css").status == 200
    assert served == 0, "a traversal was answered 200"


def test_an_opening_cannot_point_a_kit_at_a_folder(web: None, tmp_path: Path) -> None:
    from django.test import Client

    from grader.db.models import Opening

    world = build_world(tmp_path)
    before = Opening.objects.count()
    api = Client(HTTP_HOST="localhost")
    bearer = f"Bearer {world.api_tokens['owner']}"
    tries = [{"challenge": "../../etc", "framework": ""},
             {"challenge": str(tmp_path), "framework": ""},
             {"challenge": "backend", "framework": "../common"},
             {"challenge": "backend", "framework": "../../../etc"},
             {"challenge": "backend", "framework": "/etc"},
             {"challenge": "backend", "framework": "flask/../../x"}]
    for fields in tries:
        answer = api.post("/api/v1/openings", {"title": "Sneaky", **fields},
                          content_type="application/json", HTTP_AUTHORIZATION=bearer)
        assert answer.status_code == 422, (fields, answer.status_code)
        page = request_as(world, "owner", "POST", "/openings/new/", {
            "title": "Sneaky", "level": "mid", "window_minutes": "120", "role_profile": "",
            **fields})
        assert page.status == 200 and b"was not created" in page.body, fields
        admin = request_as(world, "admin", "POST", "/admin/grader/opening/add/", {
            "title": "Sneaky", "level": "mid", "window_minutes": "120", **fields})
        assert admin.status == 200, (fields, admin.status)          # the form, with errors
    assert Opening.objects.count() == before


def test_the_canary_is_where_the_store_is(web: None) -> None:
    """The canary sits beside the store the service opened, with its database file (so the
    test above would see it served if a route could reach the store's folder)."""
    from django.db import connection

    from tests.unit.web_security_support import CANARY, store_folder

    secrets_seen = place_canary()
    assert (store_folder() / CANARY).read_bytes() in secrets_seen
    assert Path(str(connection.settings_dict["NAME"])).parent == store_folder()
    assert (store_folder() / "grader.db").read_bytes()[:16] in secrets_seen
