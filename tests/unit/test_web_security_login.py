"""The login's rate limit (issue 23 item 7), through both login forms the service has (the
reviewers' /login/ and the admin's /admin/login/, which count together: the admin's form
must not be a way around the limit): LIMIT wrong passwords for one user name (from many
addresses), or from one address (for many names), and the next attempts answer 429 with a
plain message, the right password included, until the window has passed (the cache's clock
moved past it); a header the client writes (X-Forwarded-For) does not make another
address."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace
from typing import Any

import pytest

from tests.unit.web_pages_support import PASSWORD, client, reviewer, web

__all__ = ["web"]


def _attempt(url: str, name: str, password: str, address: str, **extra: Any) -> Any:
    browser = client(csrf=True)
    page = browser.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, page[:300]
    return browser.post(url, {"username": name, "password": password,
                              "csrfmiddlewaretoken": token.group(1)},
                        REMOTE_ADDR=address, **extra)


def _admin() -> Any:
    from django.contrib.auth.models import User

    return User.objects.create_superuser("ada", password=PASSWORD)


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_wrong_passwords_for_one_name_block_it_with_a_plain_429(web: None, url: str) -> None:
    from grader.web.pages.login import LIMIT, MESSAGE

    _admin()
    for n in range(LIMIT):
        wrong = _attempt(url, "ada", "not the password", f"10.1.0.{n}")
        assert wrong.status_code == 200, (n, wrong.status_code)
    for login in ("/login/", "/admin/login/"):           # either form: one count
        right = _attempt(login, "ada", PASSWORD, "10.1.1.1")
        assert right.status_code == 429, (login, right.status_code)
        text = right.content.decode()
        assert MESSAGE in text and "Traceback" not in text
        assert "_auth_user_id" not in right.client.session      # not logged in
    reviewer("rita")
    assert _attempt("/login/", "rita", PASSWORD, "10.1.1.1").status_code == 302  # others may


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_wrong_passwords_from_one_address_block_it(web: None, url: str) -> None:
    from grader.web.pages.login import LIMIT

    _admin()
    for n in range(LIMIT):
        assert _attempt(url, f"guess{n}", "x", "10.2.0.1").status_code == 200
    assert _attempt("/login/", "ada", PASSWORD, "10.2.0.1").status_code == 429
    assert _attempt("/admin/login/", "ada", PASSWORD, "10.2.0.1").status_code == 429
    forged = _attempt("/login/", "ada", PASSWORD, "10.2.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert forged.status_code == 429                      # the client's header changes nothing
    assert _attempt("/login/", "ada", PASSWORD, "10.2.0.2").status_code == 302


def test_the_block_lasts_the_window_then_the_right_password_works(
        web: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The window is the real one (login.WINDOW); the cache's clock is moved instead of
    waiting it out (password hashing makes each attempt slow, so a shortened window waited
    out in real time depends on the machine's load)."""
    from django.core.cache.backends import base, locmem

    from grader.web.pages import login

    now = [time.time()]
    clock = SimpleNamespace(time=lambda: now[0])
    monkeypatch.setattr(base, "time", clock)              # expiries are set by this clock
    monkeypatch.setattr(locmem, "time", clock)            # and read by this one
    reviewer("rita")
    for n in range(login.LIMIT):
        assert _attempt("/login/", "rita", "wrong", f"10.3.0.{n}").status_code == 200
    first = now[0]                                        # the clock stood still so far
    for later in (1, login.WINDOW / 2, login.WINDOW - 1):  # within the window: still blocked
        now[0] = first + later
        assert _attempt("/login/", "rita", PASSWORD, "10.3.1.1").status_code == 429
    now[0] = first + login.WINDOW + 1                     # past the window
    assert _attempt("/login/", "rita", PASSWORD, "10.3.1.1").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x",
                                    "/\\evil.example", "http:/evil.example"])
def test_a_login_never_redirects_off_the_service(web: None, target: str) -> None:
    reviewer("rita")
    browser = client(csrf=True)
    page = browser.get(f"/login/?next={target}").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    done = browser.post("/login/", {"username": "rita", "password": PASSWORD, "next": target,
                                    "csrfmiddlewaretoken": token.group(1)})
    assert done.status_code == 302 and done["Location"] == "/", done["Location"]
