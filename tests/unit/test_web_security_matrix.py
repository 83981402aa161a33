"""The authorization matrix (issue 23 item 7): every route Django resolves (the pages, the
admin, the API; walked from django.urls.get_resolver, so a route added without a row here
fails `test_every_route_has_a_row`), for GET, POST and DELETE, as each role:

    anon    no session, no token
    cand_a  the candidate of invite A: no session; invite A's token in the link (routes that
            take a token) and as the API's bearer token
    cand_b  the candidate of invite B, the same with B's token: on a route taking a token it
            opens B's own page (checked to show nothing of A's), on the API A's routes are 404
    owner   the reviewer who created the opening and owns the API token the routes name
            (session on the pages, that API token on /api/)
    other   another reviewer (ownership only matters for API tokens: 404 on the owner's)
    admin   staff and superuser

The ids in a route are invite A's (its opening, its graded submission, its upload, its
report's `server.log` artifact); anyone without an invite token uses a guessed one. Page POSTs
send a valid form (without CSRF: that is test_web_security_csrf.py); API POSTs send no body,
so a caller let in gets 400 (the empty body refused by the view itself); the API's own matrix
with valid bodies, checked against openapi.yaml, is tests/unit/test_web_api_auth.py.

Cells: a status, or `login` (302 to /login/?next=...), `alogin` (302 to the admin's
login page); `a|b` where the models of an admin row differ (a change form of a model whose
fields are all read-only saves at once: 302; another shows its errors: 200). Admin pages of
registered models are one row for all of them (`/admin/<app>/<model>/...`, tried for every
model)."""

from __future__ import annotations

from pathlib import Path

from tests.unit.web_security_support import (
    ROLES,
    World,
    build_world,
    concrete_urls,
    request_as,
    routes,
    row_key,
    web,
)

__all__ = ["web"]
METHODS = ("GET", "POST", "DELETE")

MATRIX = """
route                                             method anon   cand_a cand_b owner  other  admin
/                                                 GET    login  login  login  200    200    200
/                                                 POST   login  login  login  405    405    405
/                                                 DELETE login  login  login  405    405    405
/admin/                                           GET    alogin alogin alogin alogin alogin 200
/admin/                                           POST   alogin alogin alogin alogin alogin 200
/admin/                                           DELETE alogin alogin alogin alogin alogin 200
/admin/(?P<url>.*)$                               GET    alogin alogin alogin alogin alogin 404
/admin/(?P<url>.*)$                               POST   alogin alogin alogin alogin alogin 404
/admin/(?P<url>.*)$                               DELETE alogin alogin alogin alogin alogin 404
/admin/<app>/<model>/                             GET    alogin alogin alogin alogin alogin 200
/admin/<app>/<model>/                             POST   alogin alogin alogin alogin alogin 200
/admin/<app>/<model>/                             DELETE alogin alogin alogin alogin alogin 200
/admin/<app>/<model>/<id>/password/               GET    alogin alogin alogin alogin alogin 200
/admin/<app>/<model>/<id>/password/               POST   alogin alogin alogin alogin alogin 200
/admin/<app>/<model>/<id>/password/               DELETE alogin alogin alogin alogin alogin 200
/admin/<app>/<model>/<object_id>/                 GET    alogin alogin alogin alogin alogin 302
/admin/<app>/<model>/<object_id>/                 POST   alogin alogin alogin alogin alogin 302
/admin/<app>/<model>/<object_id>/                 DELETE alogin alogin alogin alogin alogin 302
/admin/<app>/<model>/<object_id>/change/          GET    alogin alogin alogin alogin alogin 200
/admin/<app>/<model>/<object_id>/change/          POST   alogin alogin alogin alogin alogin 200|302
/admin/<app>/<model>/<object_id>/change/          DELETE alogin alogin alogin alogin alogin 200
/admin/<app>/<model>/<object_id>/delete/          GET    alogin alogin alogin alogin alogin 200
/admin/<app>/<model>/<object_id>/delete/          POST   alogin alogin alogin alogin alogin 200
/admin/<app>/<model>/<object_id>/delete/          DELETE alogin alogin alogin alogin alogin 200
/admin/<app>/<model>/<object_id>/history/         GET    alogin alogin alogin alogin alogin 200
/admin/<app>/<model>/<object_id>/history/         POST   alogin alogin alogin alogin alogin 200
/admin/<app>/<model>/<object_id>/history/         DELETE alogin alogin alogin alogin alogin 200
/admin/<app>/<model>/add/                         GET    alogin alogin alogin alogin alogin 200|403
/admin/<app>/<model>/add/                         POST   alogin alogin alogin alogin alogin 200|403
/admin/<app>/<model>/add/                         DELETE alogin alogin alogin alogin alogin 200|403
/admin/^(?P<app_label>auth|grader)/$              GET    alogin alogin alogin alogin alogin 200
/admin/^(?P<app_label>auth|grader)/$              POST   alogin alogin alogin alogin alogin 200
/admin/^(?P<app_label>auth|grader)/$              DELETE alogin alogin alogin alogin alogin 200
/admin/autocomplete/                              GET    alogin alogin alogin alogin alogin 403
/admin/autocomplete/                              POST   alogin alogin alogin alogin alogin 405
/admin/autocomplete/                              DELETE alogin alogin alogin alogin alogin 405
/admin/jsi18n/                                    GET    alogin alogin alogin alogin alogin 200
/admin/jsi18n/                                    POST   alogin alogin alogin alogin alogin 405
/admin/jsi18n/                                    DELETE alogin alogin alogin alogin alogin 405
/admin/login/                                     GET    200    200    200    200    200    302
/admin/login/                                     POST   200    200    200    200    200    200
/admin/login/                                     DELETE 405    405    405    405    405    405
/admin/logout/                                    GET    302    302    302    302    302    405
/admin/logout/                                    POST   302    302    302    302    302    302
/admin/logout/                                    DELETE 302    302    302    302    302    405
/admin/password_change/                           GET    alogin alogin alogin alogin alogin 200
/admin/password_change/                           POST   alogin alogin alogin alogin alogin 200
/admin/password_change/                           DELETE alogin alogin alogin alogin alogin 405
/admin/password_change/done/                      GET    alogin alogin alogin alogin alogin 200
/admin/password_change/done/                      POST   alogin alogin alogin alogin alogin 405
/admin/password_change/done/                      DELETE alogin alogin alogin alogin alogin 405
/admin/r/<content_type_id>/<object_id>/           GET    alogin alogin alogin alogin alogin 404
/admin/r/<content_type_id>/<object_id>/           POST   alogin alogin alogin alogin alogin 404
/admin/r/<content_type_id>/<object_id>/           DELETE alogin alogin alogin alogin alogin 404
/api/^(?P<rest>.*)$                               GET    404    404    404    404    404    404
/api/^(?P<rest>.*)$                               POST   404    404    404    404    404    404
/api/^(?P<rest>.*)$                               DELETE 404    404    404    404    404    404
/api/v1/candidate/invites/<invite_id>             GET    401    200    404    403    403    403
/api/v1/candidate/invites/<invite_id>             POST   405    405    405    405    405    405
/api/v1/candidate/invites/<invite_id>             DELETE 405    405    405    405    405    405
/api/v1/candidate/invites/<invite_id>/kit         GET    405    405    405    405    405    405
/api/v1/candidate/invites/<invite_id>/kit         POST   401    200    404    403    403    403
/api/v1/candidate/invites/<invite_id>/kit         DELETE 405    405    405    405    405    405
/api/v1/candidate/invites/<invite_id>/uploads     GET    401    200    404    403    403    403
/api/v1/candidate/invites/<invite_id>/uploads     POST   401    400    404    403    403    403
/api/v1/candidate/invites/<invite_id>/uploads     DELETE 405    405    405    405    405    405
/api/v1/challenges                                GET    401    403    403    200    200    200
/api/v1/challenges                                POST   405    405    405    405    405    405
/api/v1/challenges                                DELETE 405    405    405    405    405    405
/api/v1/invites/<invite_id>                       GET    401    403    403    200    200    200
/api/v1/invites/<invite_id>                       POST   405    405    405    405    405    405
/api/v1/invites/<invite_id>                       DELETE 405    405    405    405    405    405
/api/v1/invites/<invite_id>/decisions             GET    401    403    403    200    200    200
/api/v1/invites/<invite_id>/decisions             POST   401    403    403    400    400    400
/api/v1/invites/<invite_id>/decisions             DELETE 405    405    405    405    405    405
/api/v1/invites/<invite_id>/revoke                GET    405    405    405    405    405    405
/api/v1/invites/<invite_id>/revoke                POST   401    403    403    200    200    200
/api/v1/invites/<invite_id>/revoke                DELETE 405    405    405    405    405    405
/api/v1/me                                        GET    401    200    200    200    200    200
/api/v1/me                                        POST   405    405    405    405    405    405
/api/v1/me                                        DELETE 405    405    405    405    405    405
/api/v1/openapi.yaml                              GET    200    200    200    200    200    200
/api/v1/openapi.yaml                              POST   405    405    405    405    405    405
/api/v1/openapi.yaml                              DELETE 405    405    405    405    405    405
/api/v1/openings                                  GET    401    403    403    200    200    200
/api/v1/openings                                  POST   401    403    403    400    400    400
/api/v1/openings                                  DELETE 405    405    405    405    405    405
/api/v1/openings/<opening_id>                     GET    401    403    403    200    200    200
/api/v1/openings/<opening_id>                     POST   405    405    405    405    405    405
/api/v1/openings/<opening_id>                     DELETE 405    405    405    405    405    405
/api/v1/openings/<opening_id>/cohort              GET    401    403    403    200    200    200
/api/v1/openings/<opening_id>/cohort              POST   405    405    405    405    405    405
/api/v1/openings/<opening_id>/cohort              DELETE 405    405    405    405    405    405
/api/v1/openings/<opening_id>/decisions           GET    401    403    403    200    200    200
/api/v1/openings/<opening_id>/decisions           POST   405    405    405    405    405    405
/api/v1/openings/<opening_id>/decisions           DELETE 405    405    405    405    405    405
/api/v1/openings/<opening_id>/invites             GET    401    403    403    200    200    200
/api/v1/openings/<opening_id>/invites             POST   401    403    403    400    400    400
/api/v1/openings/<opening_id>/invites             DELETE 405    405    405    405    405    405
/api/v1/submissions/<submission_id>               GET    401    403    403    200    200    200
/api/v1/submissions/<submission_id>               POST   405    405    405    405    405    405
/api/v1/submissions/<submission_id>               DELETE 405    405    405    405    405    405
/api/v1/submissions/<submission_id>/manual-scores GET    401    403    403    200    200    200
/api/v1/submissions/<submission_id>/manual-scores POST   401    403    403    400    400    400
/api/v1/submissions/<submission_id>/manual-scores DELETE 405    405    405    405    405    405
/api/v1/submissions/<submission_id>/report        GET    401    403    403    200    200    200
/api/v1/submissions/<submission_id>/report        POST   405    405    405    405    405    405
/api/v1/submissions/<submission_id>/report        DELETE 405    405    405    405    405    405
/api/v1/tokens                                    GET    401    403    403    200    200    200
/api/v1/tokens                                    POST   405    405    405    405    405    405
/api/v1/tokens                                    DELETE 405    405    405    405    405    405
/api/v1/tokens/<token_id>/revoke                  GET    405    405    405    405    405    405
/api/v1/tokens/<token_id>/revoke                  POST   401    403    403    200    404    404
/api/v1/tokens/<token_id>/revoke                  DELETE 405    405    405    405    405    405
/api/v1/uploads/<upload_id>                       GET    401    403    403    200    200    200
/api/v1/uploads/<upload_id>                       POST   405    405    405    405    405    405
/api/v1/uploads/<upload_id>                       DELETE 405    405    405    405    405    405
/candidates/<pk>/                                 GET    login  login  login  200    200    200
/candidates/<pk>/                                 POST   login  login  login  405    405    405
/candidates/<pk>/                                 DELETE login  login  login  405    405    405
/candidates/<pk>/decision/                        GET    login  login  login  405    405    405
/candidates/<pk>/decision/                        POST   login  login  login  302    302    302
/candidates/<pk>/decision/                        DELETE login  login  login  405    405    405
/candidates/<pk>/regrade/                         GET    login  login  login  405    405    405
/candidates/<pk>/regrade/                         POST   login  login  login  302    302    302
/candidates/<pk>/regrade/                         DELETE login  login  login  405    405    405
/candidates/<pk>/revoke/                          GET    login  login  login  405    405    405
/candidates/<pk>/revoke/                          POST   login  login  login  302    302    302
/candidates/<pk>/revoke/                          DELETE login  login  login  405    405    405
/candidates/<pk>/score/                           GET    login  login  login  405    405    405
/candidates/<pk>/score/                           POST   login  login  login  302    302    302
/candidates/<pk>/score/                           DELETE login  login  login  405    405    405
/invite/<token>/                                  GET    404    200    200    404    404    404
/invite/<token>/                                  POST   404    200    200    404    404    404
/invite/<token>/                                  DELETE 405    405    405    405    405    405
/invite/<token>/upload/                           GET    405    405    405    405    405    405
/invite/<token>/upload/                           POST   404    302    302    404    404    404
/invite/<token>/upload/                           DELETE 405    405    405    405    405    405
/login/                                           GET    200    200    200    200    200    200
/login/                                           POST   200    200    200    200    200    200
/login/                                           DELETE 405    405    405    405    405    405
/logout/                                          GET    405    405    405    405    405    405
/logout/                                          POST   302    302    302    302    302    302
/logout/                                          DELETE 405    405    405    405    405    405
/openings/<pk>/                                   GET    login  login  login  200    200    200
/openings/<pk>/                                   POST   login  login  login  405    405    405
/openings/<pk>/                                   DELETE login  login  login  405    405    405
/openings/<pk>/compare/                           GET    login  login  login  302    302    302
/openings/<pk>/compare/                           POST   login  login  login  405    405    405
/openings/<pk>/compare/                           DELETE login  login  login  405    405    405
/openings/<pk>/gradescope.json                    GET    login  login  login  200    200    200
/openings/<pk>/gradescope.json                    POST   login  login  login  405    405    405
/openings/<pk>/gradescope.json                    DELETE login  login  login  405    405    405
/openings/<pk>/invites/                           GET    login  login  login  405    405    405
/openings/<pk>/invites/                           POST   login  login  login  200    200    200
/openings/<pk>/invites/                           DELETE login  login  login  405    405    405
/openings/<pk>/regrade/                           GET    login  login  login  405    405    405
/openings/<pk>/regrade/                           POST   login  login  login  302    302    302
/openings/<pk>/regrade/                           DELETE login  login  login  405    405    405
/openings/<pk>/similarity/                        GET    login  login  login  200    200    200
/openings/<pk>/similarity/                        POST   login  login  login  405    405    405
/openings/<pk>/similarity/                        DELETE login  login  login  405    405    405
/openings/<pk>/status.json                        GET    login  login  login  200    200    200
/openings/<pk>/status.json                        POST   login  login  login  405    405    405
/openings/<pk>/status.json                        DELETE login  login  login  405    405    405
/openings/<pk>/summary.csv                        GET    login  login  login  200    200    200
/openings/<pk>/summary.csv                        POST   login  login  login  405    405    405
/openings/<pk>/summary.csv                        DELETE login  login  login  405    405    405
/openings/new/                                    GET    login  login  login  200    200    200
/openings/new/                                    POST   login  login  login  302    302    302
/openings/new/                                    DELETE login  login  login  405    405    405
/submissions/<sub_id>/gradescope.json             GET    login  login  login  200    200    200
/submissions/<sub_id>/gradescope.json             POST   login  login  login  405    405    405
/submissions/<sub_id>/gradescope.json             DELETE login  login  login  405    405    405
/submissions/<sub_id>/report.json                 GET    login  login  login  200    200    200
/submissions/<sub_id>/report.json                 POST   login  login  login  405    405    405
/submissions/<sub_id>/report.json                 DELETE login  login  login  405    405    405
/submissions/<sub_id>/report/                     GET    login  login  login  200    200    200
/submissions/<sub_id>/report/                     POST   login  login  login  405    405    405
/submissions/<sub_id>/report/                     DELETE login  login  login  405    405    405
/submissions/<sub_id>/report/artifacts/<name>     GET    login  login  login  200    200    200
/submissions/<sub_id>/report/artifacts/<name>     POST   login  login  login  405    405    405
/submissions/<sub_id>/report/artifacts/<name>     DELETE login  login  login  405    405    405
"""

BODIES: dict[str, dict[str, str]] = {
    "/login/": {"username": "nobody", "password": "wrong password"},
    "/openings/new/": {"title": "Words", "challenge": "wordfreq", "framework": "",
                       "level": "mid", "window_minutes": "120", "role_profile": ""},
    "/openings/<pk>/invites/": {"name": "Ken Thompson", "email": ""},
    "/candidates/<pk>/decision/": {"outcome": "hold", "reason": "wait for the others"},
    "/candidates/<pk>/score/": {"explain-criterion": "explain", "explain-points": "5",
                                    "explain-notes": ""},
    "/invite/<token>/": {"confirm": "on"},
}


def _table() -> dict[tuple[str, str], dict[str, str]]:
    lines = [line.split() for line in MATRIX.strip().splitlines()[1:]]
    table = {}
    for parts in lines:
        assert len(parts) == 2 + len(ROLES), parts
        table[parts[0], parts[1]] = dict(zip(ROLES, parts[2:], strict=True))
    return table


def _cell(status: int, location: str) -> str:
    if status == 302 and location.startswith("/login/?next="):
        return "login"
    if status == 302 and location.startswith("/admin/login/?next="):
        return "alogin"
    return str(status)


def _observe(world: World, key: str, route: str, method: str) -> dict[str, str]:
    cells: dict[str, str] = {}
    for role in ROLES:
        seen = set()
        for url in concrete_urls(route, world, role):
            answer = request_as(world, role, method, url, BODIES.get(key))
            seen.add(_cell(answer.status, answer.location))
            if role == "cand_b" and answer.status == 200 and "<token>" in key:
                # B's own page, never A's
                assert world.invite_a.name.encode() not in answer.body, url
                assert world.sub_a.encode() not in answer.body, url
        assert len(seen) == 1, (route, method, role, seen)
        cells[role] = seen.pop()
    return cells


def _row(key: str, method: str, cells: dict[str, str]) -> str:
    return f"{key:<49} {method:<6} " + " ".join(f"{cells[r]:<6}" for r in ROLES).rstrip()


def test_every_route_has_a_row() -> None:
    from grader.db.connection import ensure_django

    ensure_django()
    keys = {row_key(r) for r in routes()}
    table = _table()
    missing = sorted({k for k in keys for m in METHODS if (k, m) not in table})
    assert not missing, f"routes without a row in the matrix: {missing}"
    stale = sorted({k for k, _ in table} - keys)
    assert not stale, f"rows of routes that no longer exist: {stale}"


def test_the_authorization_matrix(web: None, tmp_path: Path) -> None:
    world = build_world(tmp_path)
    table = _table()
    by_key: dict[str, list[str]] = {}
    for route in routes():
        by_key.setdefault(row_key(route), []).append(route)
    wrong, seen_rows = [], []
    for key in sorted(by_key):
        for method in METHODS:
            answers: dict[str, set[str]] = {}
            for route in by_key[key]:
                for role, cell in _observe(world, key, route, method).items():
                    answers.setdefault(role, set()).add(cell)
            observed = {role: "|".join(sorted(cells)) for role, cells in answers.items()}
            seen_rows.append(_row(key, method, observed))
            if table.get((key, method)) != observed:
                wrong.append(_row(key, method, observed))
    assert not wrong, "observed rows that differ from the matrix:\n" + "\n".join(wrong) + \
        "\n\nthe whole observed matrix:\n" + "\n".join(seen_rows)
