"""What the server gives away: an interactive debugger (code execution for any client), debug
pages, tracebacks, file paths or SQL in error answers, and whether a login tells which
usernames exist.

The debugger and error tests run last (`runs_last`): they judge every answer of the suite
(conftest.EXPOSED, read with grader's `disclosure`), plus a few requests of their own that
make typical handlers fail without being robustness tests the suite already counts (an
unknown route, a `null` body, an `expires_in` that is not a number, a lone surrogate, an
offset past SQLite's integers, a token with no claims). A plain 500 costs nothing here: only
what an answer shows is judged.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
import requests
from conftest import EXPOSED, Api, User, _json, not_run, note, record_exchange

#: Requests that reach the debuggers frameworks ship (Werkzeug serves its resources and, to a
#: Host it trusts, its console; a client picks the Host header it sends).
DEBUGGER_PROBES = [
    ("/console", {"Host": "localhost"}),
    ("/?__debugger__=yes&cmd=resource&f=debugger.js", {}),
    ("/_debugtoolbar/", {}),
]
_PROVOKED: list[bool] = []


def _user_or_none(request: pytest.FixtureRequest) -> User | None:
    """The suite's user, or None when none could be registered (the server is judged on what
    it answered all the same, but earns nothing for showing nothing)."""
    try:
        user: User = request.getfixturevalue("user")
    except pytest.skip.Exception:
        return None
    return user


def _provoke(api: Api, user: User | None) -> None:
    """Requests that make typical handlers fail, sent once (their answers land in EXPOSED);
    those that need a token only when a user could be registered. A browser's Accept
    header: debug pages answer browsers with their full page."""
    if _PROVOKED:
        return
    _PROVOKED.append(True)
    html = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    json_html = {**html, "Content-Type": "application/json"}
    requests_to_send: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", f"/no-such-route-{uuid.uuid4().hex[:8]}", {"headers": html}),
        ("GET", "/notes", {"token": "e30.e30.e30", "headers": html}),
    ]
    if user is not None:
        requests_to_send += [
            ("POST", "/notes", {"token": user.token, "data": b"null", "headers": json_html}),
            ("POST", "/auth/token", {"json": {"username": user.username,
                                              "password": user.password,
                                              "expires_in": "soon"}, "headers": html}),
            ("GET", "/notes?limit=5&offset=99999999999999999999999",
             {"token": user.token, "headers": html}),
            ("POST", "/notes", {"token": user.token, "headers": json_html,
                                "data": b'{"title": "\\ud800 lone", "body": "\\udfff"}'}),
        ]
    for method, path, kwargs in requests_to_send:
        try:
            api.request(method, path, **kwargs)
        except (requests.RequestException, AssertionError):
            continue  # a server that went down or stalls: what it answered before still counts


def _exposed(kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{**item, "findings": [f for f in item["findings"] if f["kind"] in kinds]}
            for item in EXPOSED if any(f["kind"] in kinds for f in item["findings"])]


def _fail_with(items: list[dict[str, Any]], why: str) -> None:
    """Fail naming the first answer that showed it; its exchange becomes the evidence."""
    for item in reversed(items[:3]):  # the first one last: the report names it
        record_exchange(item["exchange"])
    first = items[0]
    request, response = first["exchange"]["request"], first["exchange"]["response"]
    found = first["findings"]
    whats = list(dict.fromkeys(f["what"] for f in found))
    shown = ", ".join(whats[:-1]) + " and " + whats[-1] if len(whats) > 1 else whats[0]
    more = f" ({len(items) - 1} more answer(s) like it)" if len(items) > 1 else ""
    raise AssertionError(f"the answer to {request['method']} {request['path']} "
                         f"({response['status']}) shows {shown}: {found[0]['excerpt'][:200]!r}"
                         f"{more}. {why}")


@pytest.mark.runs_last
@pytest.mark.points(3)
def test_no_interactive_debugger(api: Api, request: pytest.FixtureRequest) -> None:
    """No interactive debugger answers (Werkzeug's console or traceback page, a debug
    toolbar): it runs any Python a client sends."""
    for path, headers in DEBUGGER_PROBES:
        try:
            api.get(path, headers=headers)
        except (requests.RequestException, AssertionError):
            continue
    user = _user_or_none(request)
    _provoke(api, user)
    found = _exposed(("debugger",))
    if found:
        _fail_with(found, "Whoever reaches the server can run code in it (the PIN is the "
                   "only lock, printed in the server's log)")
    if user is None:
        not_run("no debugger answered, but no user could be registered: nothing behind the "
                "login was asked", "http.contract.register")
    note(f"{len(DEBUGGER_PROBES)} debugger paths and the suite's answers: no debugger")


@pytest.mark.runs_last
@pytest.mark.points(2)
def test_errors_do_not_leak_internals(api: Api, request: pytest.FixtureRequest) -> None:
    """Error answers carry no debug page, traceback, source path, SQL or exception class:
    the client learns nothing of the code or the schema."""
    user = _user_or_none(request)
    _provoke(api, user)
    found = _exposed(("debug page", "traceback", "file path", "SQL", "exception class",
                      "database error"))
    if found:
        _fail_with(found, "A client learns the code's layout and the database's schema from it")
    if user is None:
        not_run("no error answer showed internals, but no user could be registered: nothing "
                "behind the login was asked", "http.contract.register")
    note("no internals in the suite's error answers")


def _normalised(response: requests.Response, names: list[str]) -> str:
    """An answer's body (JSON with its keys in order) with the usernames, numbers and hex ids
    taken out: a request id or a timestamp differs from one answer to the next without
    telling anything."""
    body = _json(response)
    text = json.dumps(body, sort_keys=True) if body is not None else response.text
    for name in names:
        text = text.replace(name, "<user>")
    text = re.sub(r"[0-9a-fA-F]{8,}", "<hex>", text)
    return re.sub(r"\d+", "0", " ".join(text.split()))


@pytest.mark.points(2)
def test_login_does_not_tell_which_usernames_exist(api: Api, user: User) -> None:
    """A login for a user that does not exist and one with a wrong password get the same
    answer (status and body): otherwise the login tells which usernames exist."""
    nobody = f"nobody_{uuid.uuid4().hex[:10]}"
    unknown = api.post("/auth/token", json={"username": nobody, "password": "wrong password 1"})
    wrong = api.post("/auth/token", json={"username": user.username,
                                          "password": "wrong password 1"})
    if 200 <= unknown.status_code < 300 or 200 <= wrong.status_code < 300:
        note("a login was answered with a 2xx: the auth tests judge that")
        return
    first = _normalised(unknown, [nobody])
    second = _normalised(wrong, [user.username])
    seen = (f"unknown user -> {unknown.status_code} {unknown.text[:120]!r}; wrong password -> "
            f"{wrong.status_code} {wrong.text[:120]!r}")
    if unknown.status_code != wrong.status_code:
        raise AssertionError(f"{seen}: the status tells whether a username exists")
    if first != second:
        raise AssertionError(f"{seen}: the words tell whether a username exists")
    note(f"both answered {wrong.status_code} with the same body")
