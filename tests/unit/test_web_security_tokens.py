"""Tokens (issue 23 item 7): invite links and API tokens are kept only as their sha256 (every
row of every table dumped after the tokens were made and used through the pages, the API
and the command line's functions: no plain token anywhere, sessions decoded too; the hashes
are there, so the dump does see the tokens' rows), looked up by that hash (the SQL of a
request never carries the plain token) and compared in constant time (hmac.compare_digest
sees every lookup that found a row); and a revoked invite, a revoked API token or a
deactivated reviewer's token opens nothing, on the pages and on the API."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Any

import pytest

from tests.unit.web_security_support import World, build_world, request_as, web

__all__ = ["web"]


def _all_rows() -> list[str]:
    """Every value of every row of every table, as text (blobs decoded with replacement,
    sessions decoded to what they hold)."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection

    values: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')     # the names come from the db
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        values.append(bytes(value).decode("latin-1"))
                    elif value is not None:
                        values.append(str(value))
                if table == "django_session":
                    values.append(repr(SessionStore().decode(str(row[1]))))
    return values


def _plain_tokens(world: World) -> list[str]:
    return [world.token_a, world.token_b, *world.api_tokens.values()]


def test_no_plain_token_is_kept_in_any_table(web: None, tmp_path: Path) -> None:
    world = build_world(tmp_path)
    made = []
    # an invite through the page and one through the API: both answer the token once
    page = request_as(world, "owner", "POST", f"/openings/{world.opening.pk}/invites/",
                      {"name": "Ken Thompson", "email": "ken@example.com"})
    assert page.status == 200
    from django.test import Client

    api = Client(HTTP_HOST="localhost")
    answer = api.post(f"/api/v1/openings/{world.opening.pk}/invites",
                      {"name": "Dennis Ritchie"}, content_type="application/json",
                      HTTP_AUTHORIZATION=f"Bearer {world.api_tokens['owner']}")
    assert answer.status_code == 201
    made.append(answer.json()["token"])
    # the tokens used: the candidate's page and the API as each kind of caller
    for role in ("cand_a", "cand_b", "owner", "other", "admin"):
        assert request_as(world, role, "GET", "/api/v1/me").status == 200
    browser = Client(HTTP_HOST="localhost")
    assert browser.get(f"/invite/{world.token_a}/").status_code == 200
    assert api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {made[0]}").status_code == 200
    browser.force_login(world.users["owner"])      # a session row, decoded by the dump
    rows = "\n".join(_all_rows())
    for plain in [*_plain_tokens(world), *made]:
        assert plain not in rows, "a plain token is kept in the database"
        assert hashlib.sha256(plain.encode()).hexdigest() in rows   # its hash is
    assert world.token_a[:6] in rows                # the hint: six characters, on purpose


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, Any]]:
    calls: list[tuple[Any, Any]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    return calls


def test_tokens_are_looked_up_by_hash_and_compared_in_constant_time(
        web: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world = build_world(tmp_path)
    calls = _spy(monkeypatch)
    cases = [("cand_a", "GET", f"/invite/{world.token_a}/", world.token_a),
             ("cand_a", "GET", f"/api/v1/candidate/invites/{world.invite_a.pk}",
              world.token_a),
             ("owner", "GET", "/api/v1/me", world.api_tokens["owner"])]
    for role, method, url, plain in cases:
        calls.clear()
        with CaptureQueriesContext(connection) as queries:
            assert request_as(world, role, method, url).status == 200, url
        digest = hashlib.sha256(plain.encode()).hexdigest()
        sql = "\n".join(q["sql"] for q in queries.captured_queries)
        assert plain not in sql, f"{url}: the plain token reached the database"
        assert digest in sql, f"{url}: not looked up by its hash"
        assert (digest, digest) in calls, f"{url}: not compared with hmac.compare_digest"
    # a wrong token is looked up by its hash too (no row: nothing to compare)
    guess = world.token_a[:-1] + ("A" if world.token_a[-1] != "A" else "B")
    with CaptureQueriesContext(connection) as queries:
        assert request_as(world, "anon", "GET", f"/invite/{guess}/").status == 404
    sql = "\n".join(q["sql"] for q in queries.captured_queries)
    assert guess not in sql and hashlib.sha256(guess.encode()).hexdigest() in sql
    # the code path: matches() is the one comparison, by hmac.compare_digest
    import inspect

    from grader.db import tokens

    assert "hmac.compare_digest(" in inspect.getsource(tokens.matches)


def test_revoked_tokens_open_nothing(web: None, tmp_path: Path) -> None:
    from grader.db.models import ApiToken
    from grader.web.invites import revoke

    world = build_world(tmp_path)
    a = world.invite_a.pk
    revoke(world.invite_a)
    assert request_as(world, "cand_a", "GET", f"/invite/{world.token_a}/").status == 404
    assert request_as(world, "cand_a", "POST", f"/invite/{world.token_a}/",
                      {"confirm": "on"}).status == 404
    assert request_as(world, "cand_a", "POST", f"/invite/{world.token_a}/upload/").status == 404
    for method, url in (("GET", "/api/v1/me"), ("GET", f"/api/v1/candidate/invites/{a}"),
                        ("POST", f"/api/v1/candidate/invites/{a}/kit"),
                        ("POST", f"/api/v1/candidate/invites/{a}/uploads")):
        assert request_as(world, "cand_a", method, url).status == 401, url
    assert request_as(world, "cand_b", "GET", f"/invite/{world.token_b}/").status == 200
    ApiToken.objects.filter(user=world.users["owner"]).update(revoked=True)
    assert request_as(world, "owner", "GET", "/api/v1/me").status == 401
    assert request_as(world, "owner", "GET", "/api/v1/openings").status == 401
    bob = world.users["other"]
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    assert request_as(world, "other", "GET", "/api/v1/openings").status == 401
    assert request_as(world, "other", "GET", "/").location.startswith("/login/")
    assert request_as(world, "admin", "GET", "/api/v1/openings").status == 200


def test_the_link_is_kept_out_of_caches_and_referers(web: None, tmp_path: Path) -> None:
    """The invite's link is a credential: its pages are never cached, and a link followed
    from them does not carry it to another site."""
    from django.test import Client

    world = build_world(tmp_path)
    browser = Client(HTTP_HOST="localhost")
    for answer in (browser.get(f"/invite/{world.token_a}/"),
                   browser.post(f"/invite/{world.token_a}/", {"confirm": "on"})):
        assert answer.status_code == 200
        assert "no-store" in answer["Cache-Control"] and "private" in answer["Cache-Control"]
        assert answer["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin")
