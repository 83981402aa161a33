"""CSRF (issue 23 item 7), with CSRF checks enforced as a browser meets them: every page
route that takes a POST (each row of the authorization matrix whose POST lets some role in:
the reviewer's forms, the candidate's kit download and upload, login, logout and the admin's
forms), posted by each role it lets in, without the form's token is refused with 403 and
the plain message (never Django's technical page); with the token it does what the matrix
says (the token in the form's field; on the admin's forms in the X-CSRFToken header, so
their forms stay as empty as the matrix posts them). The API reads no cookie: for every
API route, a reviewer's session cookie alone is 401 (a logged-in browser cannot be made to
call it), and a bearer token needs no CSRF token."""

from __future__ import annotations

from pathlib import Path

from tests.unit.test_web_security_matrix import BODIES, _cell, _table
from tests.unit.web_security_support import (
    ROLES,
    build_world,
    concrete_urls,
    request_as,
    routes,
    row_key,
    web,
)

__all__ = ["web"]
STOPPED = {"login", "alogin", "401", "403", "404", "405"}


def _posts() -> dict[str, list[str]]:
    """Page rows (API aside) whose POST lets some role in: row -> those roles."""
    out = {}
    for (key, method), cells in _table().items():
        if method == "POST" and not key.startswith("/api/"):
            let_in = [role for role in ROLES if cells[role] not in STOPPED]
            if let_in:
                out[key] = let_in
    return out


def test_every_form_needs_its_csrf_token(web: None, tmp_path: Path) -> None:
    from grader.web.pages.errors import CSRF_MESSAGE

    world = build_world(tmp_path)
    table = _table()
    posts = _posts()
    assert {"/login/", "/logout/", "/openings/new/", "/openings/<pk>/invites/",
            "/candidates/<pk>/score/", "/candidates/<pk>/decision/",
            "/candidates/<pk>/revoke/", "/invite/<token>/", "/invite/<token>/upload/",
            "/admin/<app>/<model>/<object_id>/change/"} <= set(posts)
    tried = 0
    for route in routes():
        key = row_key(route)
        for role in posts.get(key, []):
            for url in concrete_urls(route, world, role):
                refused = request_as(world, role, "POST", url, BODIES.get(key), csrf=True)
                assert refused.status == 403, (url, role, refused.status)
                assert CSRF_MESSAGE in refused.body.decode(), (url, role)
                admin = key.startswith("/admin/")   # the token in the header only: the
                taken = request_as(world, role, "POST", url, BODIES.get(key), csrf=True,
                                   with_token=True, token_field=not admin)  # form stays empty
                cell = _cell(taken.status, taken.location)
                assert cell in table[key, "POST"][role].split("|"), (url, role, cell)
                assert CSRF_MESSAGE.encode() not in taken.body, (url, role)
                tried += 1
    assert tried > 30


def test_the_api_takes_no_cookie_and_needs_no_csrf_token(web: None, tmp_path: Path) -> None:
    world = build_world(tmp_path)
    table = _table()
    tried = 0
    for route in routes():
        key = row_key(route)
        if not key.startswith("/api/"):
            continue
        for method in ("GET", "POST"):
            cells = table[key, method]
            if cells["owner"] in ("404", "405") or cells["anon"] == "200":
                continue    # not a method of the route, the catch-all, or public
            for url in concrete_urls(route, world, "owner"):
                cookie = request_as(world, "owner", method, url, csrf=True,
                                    session_on_api=True)
                assert cookie.status == 401, (method, url, cookie.status)
                assert b"session cookies are not accepted" in cookie.body
                bearer = request_as(world, "owner", method, url, csrf=True)
                assert _cell(bearer.status, bearer.location) == cells["owner"], (method, url)
                tried += 1
    assert tried >= 20
