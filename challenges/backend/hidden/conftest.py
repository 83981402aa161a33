"""Hidden suite for the Notes API. Runs in the tester container only, against BASE_URL.

Every request goes through `Api`, which records the exchange (for the report's evidence) and
never raises on a status code: the tests assert on statuses themselves. Every answer is also
read for what it gives away (grader's `disclosure`: a debugger, a debug page, a traceback, SQL)
and kept in EXPOSED for the disclosure tests, which run last (marker `runs_last`) so that they
judge the answers of the whole suite.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from typing import Any

import pytest
import requests

try:
    from results_plugin import not_run, note, point_at, record_exchange
except ImportError:  # running the suite by hand
    def record_exchange(exchange: dict[str, Any]) -> None:
        pass

    def not_run(reason: str, blocked_by: str = "") -> None:
        pytest.skip(reason)

    def note(text: str) -> None:
        pass

    def point_at(file: str, line: int, what: str = "") -> None:
        pass

try:  # grader's reader of what an answer gives away, copied beside the runner
    from disclosure import exposure
except ImportError:  # running the suite by hand: nothing is read
    def exposure(status: int, body: str, sent: list[str] | None = None) -> list[dict[str, str]]:
        return []

BASE_URL = os.environ.get("BASE_URL", "http://localhost:8000").rstrip("/")
TIMEOUT = 10            # seconds for a whole answer, however slowly it drips in
BODY_CAP = 1024 * 1024  # the largest answer read; a Notes API never needs more
SLOW_LIMIT = 3          # answers that took over TIMEOUT; past that, no request is sent
_SLOW: list[str] = []   # "METHOD path" of each request that got no timely answer
PASSWORD = "correct-horse-battery"
EXPOSED: list[dict[str, Any]] = []  # answers that gave something away: {exchange, findings}
EXPOSED_CAP = 40
SCAN_CAP = 256 * 1024   # the head of an answer read for what it gives away


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "runs_last: judges the answers of the whole suite")


REGISTERED: list[str] = []  # usernames registered with PASSWORD, written to users.json


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """users.json: the usernames the suite registered with PASSWORD, for the grader to find
    the rows where the server stored their passwords."""
    if REGISTERED:
        with open("users.json", "w") as f:
            json.dump({"usernames": REGISTERED[:50]}, f)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked runs_last go after every other (in their own order)."""
    items.sort(key=lambda item: item.get_closest_marker("runs_last") is not None)


def _read_bounded(response: requests.Response, method: str, path: str) -> None:
    """Read the body within TIMEOUT seconds (or fail the test saying so) and at most BODY_CAP
    bytes (the rest is left unread: a status still counts, a cut JSON body does not parse).
    A server that drips bytes or answers gigabytes cannot hold the suite."""
    deadline = time.monotonic() + TIMEOUT
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(64 * 1024):
            chunks.append(chunk)
            size += len(chunk)
            if size > BODY_CAP:
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"{method} {path}: no complete answer within "
                                     f"{TIMEOUT} s (stopped reading)")
    finally:
        response.close()
    response._content = b"".join(chunks)  # what .text and .json() read
    if size > BODY_CAP:  # a cut body is no answer: say so instead of a JSON parse error
        def too_large(**_: Any) -> Any:
            raise AssertionError(f"the answer is over {BODY_CAP // 1024 // 1024} MiB (not "
                                 "read further)")
        response.json = too_large  # type: ignore[method-assign]


def refused(status: int) -> bool:
    """A refusal of a request that is not allowed: 401 (the contract) or 403. Security tests
    judge that the request was refused; the exact status is the contract tests' business
    (test_notes_require_a_token), so a 403 costs one contract check, not every auth check."""
    return status in (401, 403)


def created(status: int) -> bool:
    """Creation succeeded: any 2xx (test_create_note judges the 201 of the contract)."""
    return 200 <= status < 300


def _clip(text: str, limit: int = 1500) -> str:
    return text if len(text) <= limit else text[:limit] + f"... [{len(text) - limit} more chars]"


class Api:
    def __init__(self) -> None:
        self.session = requests.Session()
        self.last_exchange: dict[str, Any] = {}  # the exchange of the latest request

    def request(self, method: str, path: str, token: str | None = None,
                headers: dict[str, str] | None = None, **kwargs: Any) -> requests.Response:
        headers = dict(headers or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if len(_SLOW) >= SLOW_LIMIT:  # a server that drips or stalls cannot hold the suite
            # nothing is sent, so nothing is judged: not run (0 points, no flag), naming why
            not_run(f"{method} {path} was not sent: {len(_SLOW)} earlier requests got no "
                    f"complete answer in time ({', '.join(_SLOW[:3])}), so the suite "
                    "stopped waiting on this server")
        started = time.monotonic()
        try:
            response = self.session.request(method, BASE_URL + path, headers=headers,
                                            timeout=(5, 5), stream=True, **kwargs)
            _read_bounded(response, method, path)
        except (requests.Timeout, requests.ConnectionError, AssertionError) as exc:
            # a read timeout while streaming comes as a ConnectionError: time tells a slow
            # answer from a refused connection (a crashed server), which costs no time
            waited = time.monotonic() - started
            if waited < 4.5:
                raise
            _SLOW.append(f"{method} {path}")
            if isinstance(exc, AssertionError):
                raise
            # the same words as a dripping answer's: the reviewer reads one cause, not
            # requests' HTTPConnectionPool(...) text
            raise AssertionError(f"{method} {path}: no complete answer within {waited:.0f} s "
                                 f"({type(exc).__name__})") from None
        body = kwargs.get("json", kwargs.get("data"))
        if isinstance(body, bytes | bytearray):
            body_text = f"<{len(body)} bytes>" if len(body) > 1500 else body.decode("utf-8",
                                                                                    "replace")
        else:
            body_text = json.dumps(body) if body is not None else ""
        shown = {k: ("Bearer <token>" if k == "Authorization" and v.startswith("Bearer ")
                     and len(v) > 20 else v) for k, v in headers.items()}
        exchange = {
            "request": {"method": method, "path": path, "headers": shown,
                        "body": _clip(body_text)},
            "response": {"status": response.status_code,
                         "content_type": response.headers.get("content-type", ""),
                         "body": _clip(response.text)},
        }
        record_exchange(exchange)
        self.last_exchange = exchange
        findings = exposure(response.status_code, response.text[:SCAN_CAP],
                            _sent_texts(body))
        if findings and len(EXPOSED) < EXPOSED_CAP:
            EXPOSED.append({"exchange": exchange, "findings": findings})
        return response

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> requests.Response:
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> requests.Response:
        return self.request("PUT", path, **kw)

    def delete(self, path: str, **kw: Any) -> requests.Response:
        return self.request("DELETE", path, **kw)


@pytest.fixture
def api() -> Api:
    return Api()


class User:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.username = "u" + uuid.uuid4().hex[:12]
        self.password = PASSWORD
        r = api.post("/auth/register", json={"username": self.username,
                                             "password": self.password})
        if not 200 <= r.status_code < 300:  # what the test needs could not be prepared
            # (any 2xx will do here: test_register judges the exact status)
            not_run(f"registering a user failed (POST /auth/register -> {r.status_code})",
                    "http.contract.register")
        REGISTERED.append(self.username)
        registered = _json(r)
        # the id the server gave the user (the contract's register answer carries it)
        self.id: Any = registered.get("id") if isinstance(registered, dict) else None
        self.token = self.login()

    def login(self, **extra: Any) -> str:
        """A token for this user; when the test is not about tokens, a refusal stops it as
        not run (http.contract.token is the test that judges issuing tokens)."""
        r = self.api.post("/auth/token", json={"username": self.username,
                                               "password": self.password, **extra})
        body = _json(r)
        token = body.get("access_token") if 200 <= r.status_code < 300 and isinstance(
            body, dict) else None
        if not isinstance(token, str) or not token:
            not_run(f"getting a token failed (POST /auth/token -> {r.status_code})",
                    "http.contract.token")
        return str(token)

    def create_note(self, title: str = "Groceries", body: str = "milk, eggs") -> dict[str, Any]:
        """A note the test needs; when it cannot be created the test did not run
        (http.contract.create_note judges creating notes)."""
        r = self.api.post("/notes", token=self.token, json={"title": title, "body": body})
        note = _json(r)
        if not 200 <= r.status_code < 300 or not isinstance(note, dict) or "id" not in note:
            not_run(f"creating the note it needs failed (POST /notes -> {r.status_code})",
                    "http.contract.create_note")
        return note  # type: ignore[no-any-return]


def _sent_texts(body: Any) -> list[str]:
    """What the request's body carried (its strings, also JSON-escaped): an answer that echoes
    them back does not give away anything of the server's."""
    texts: list[str] = []
    stack = [body]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack += [*item.keys(), *item.values()]
        elif isinstance(item, list):
            stack += item
        elif isinstance(item, bytes | bytearray):
            texts.append(item[:SCAN_CAP].decode("utf-8", "replace"))
        elif isinstance(item, str):
            texts += [item, json.dumps(item)[1:-1]]
    return texts


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


@pytest.fixture(scope="session")
def user() -> User:
    """A registered user with a token, shared by the tests that only need one: registering
    costs a slow password hash on a server that does it right (Django's default hasher), so
    the suite registers a few users, not one per test."""
    return User(Api())


@pytest.fixture
def fresh_user(api: Api) -> User:
    """A user of its own, for a test that counts the user's notes."""
    return User(api)


@pytest.fixture(scope="session")
def other_user() -> User:
    """A second registered user, shared like `user`."""
    return User(Api())
