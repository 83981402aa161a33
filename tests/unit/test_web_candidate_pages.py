"""The candidate's pages through Django's test client: the instructions (the kit's README
rendered safely), the kit download starting the clock, uploads refused in plain words or
received with their sha256 (late ones marked, the last accepted one graded, never a score
shown), CSRF enforced, a revoked link opening nothing; the upload cap enforced while the
body is read (a streamed 2 GB body refused after a few bytes, nothing stored); and the
rate-limited login."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from tests.unit.web_pages_support import (
    PASSWORD,
    _unique_zip,
    client,
    csrf_token,
    grade_next,
    invite,
    opening,
    reviewer,
    web,
    wordfreq_report,
    zipped,
)

__all__ = ["web"]
XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def _text(response: Any) -> str:
    return str(response.content.decode())


def _upload(browser: Any, token: str, data: bytes, name: str = "work.zip",
            **extra: Any) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return browser.post(f"/invite/{token}/upload/", {
        "csrfmiddlewaretoken": csrf_token(browser, f"/invite/{token}/"),
        "file": SimpleUploadedFile(name, data, "application/zip")}, **extra)


def test_a_kit_readme_is_rendered_safely() -> None:
    from grader.web.pages.markdown import render_markdown

    html = render_markdown("# Notes API\n\n<script>alert(1)</script>\n\n"
                           "[run me](javascript:alert(1)) [docs](https://example.com)\n\n"
                           '<img src=x onerror="alert(1)">\n\n| a | b |\n|---|---|\n| 1 | 2 |')
    assert "<h1>Notes API</h1>" in html and "<table>" in html
    assert "<script" not in html and "&lt;script&gt;" in html
    assert 'href="javascript:' not in html and "<img" not in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">docs</a>' in html


def test_the_candidate_reads_the_instructions_and_the_kit_starts_the_clock(web: None) -> None:
    from grader.db.models import Invite

    made, token = invite(opening("Backend (junior)", "backend", framework="flask"))
    candidate = client(csrf=True)
    page = candidate.get(f"/invite/{token}/")
    text = _text(page)
    assert page["Content-Security-Policy"].startswith("default-src 'self'")
    assert "<h1>Take-home: the Notes API" in text         # the kit's README, as HTML
    assert "You have 120 minutes from the moment you download the kit" in text
    assert 'id="kit-download"' in text and 'id="upload-form"' in text
    assert candidate.post(f"/invite/{token}/", {"confirm": "True"}).status_code == 403
    kit = candidate.post(f"/invite/{token}/", {
        "confirm": "True", "csrfmiddlewaretoken": csrf_token(candidate, f"/invite/{token}/")})
    assert kit.status_code == 200 and kit["Content-Type"] == "application/zip"
    assert 'filename="backend-flask-kit.zip"' in kit["Content-Disposition"]
    started = Invite.objects.get(pk=made.pk)
    assert started.deadline == started.downloaded_at + dt.timedelta(minutes=120)
    again = _text(candidate.get(f"/invite/{token}/"))
    assert "window started" in again and "119 minutes left" in again
    assert f'data-deadline="{started.deadline.isoformat()}"' in again
    assert candidate.get(f"/invite/{token[:-2]}xx/").status_code == 404


def test_uploads_are_refused_in_plain_words_or_received_and_the_last_one_is_graded(
        web: None, tmp_path: Path) -> None:
    from grader.db.models import Invite, Job, Upload

    o = opening()
    made, token = invite(o, "Ada Lovelace")
    candidate = client(csrf=True)
    assert candidate.post(f"/invite/{token}/upload/", {}).status_code == 403   # no CSRF token
    no_manifest = _upload(candidate, token, zipped({"wordfreq.py": "print(1)\n"}), follow=True)
    assert "Not accepted:" in _text(no_manifest) and "submission.yaml" in _text(no_manifest)
    not_zip = _upload(candidate, token, b"plain text, not a zip", "work.txt", follow=True)
    assert "Not accepted:" in _text(not_zip)
    empty = candidate.post(f"/invite/{token}/upload/", {
        "csrfmiddlewaretoken": csrf_token(candidate, f"/invite/{token}/")}, follow=True)
    assert "Choose your zip file" in _text(empty)
    assert not Job.objects.exists() and not Upload.objects.filter(accepted=True).exists()
    first = _upload(candidate, token, _unique_zip("Ada Lovelace"), **XHR)
    answer = first.json()
    assert first.status_code == 200 and answer["accepted"] is True
    assert answer["message"].startswith(f"Received: sha256 {answer['sha256']}.")
    assert answer["redirect"] == f"/invite/{token}/" and answer["late_minutes"] == 0
    assert Job.objects.get().state == "queued"                    # queued at once
    # the window passed: the next upload is accepted, late by the minutes past the deadline
    Invite.objects.filter(pk=made.pk).update(
        downloaded_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        deadline=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=42, seconds=30))
    late = _upload(candidate, token, _unique_zip("Ada L."), follow=True)
    text = _text(late)
    assert "It arrived late by 43 minutes." in text and "late by 43 minutes" in text
    last = Upload.objects.filter(accepted=True).order_by("-id").first()
    assert last is not None and Job.objects.count() == 2
    graded = re.search(r'<tr class="upload accepted graded" id="upload-(\d+)"', text)
    assert graded and int(graded.group(1)) == last.pk and "(this is the one graded)" in text
    assert text.count("not accepted:") == 2
    # graded: the candidate still sees "received" and the sha256, never a score or a flag
    grade_next(tmp_path, wordfreq_report("ada-1", "Ada Lovelace", failed=("case.ties",)))
    grade_next(tmp_path, wordfreq_report("ada-2", "Ada Lovelace", failed=("case.ties",),
                                         sha="b"))
    page = _text(candidate.get(f"/invite/{token}/"))
    assert last.sha256 in page
    for secret in ("%", "points", "Wrong answers", "flag", "score", "case.ties", "hidden"):
        assert secret not in page.split('id="uploads"')[1], secret


def test_a_revoked_invite_opens_nothing(web: None) -> None:
    from grader.web.invites import revoke

    made, token = invite(opening())
    candidate = client()
    assert candidate.get(f"/invite/{token}/").status_code == 200
    revoke(made)
    assert candidate.get(f"/invite/{token}/").status_code == 404
    assert candidate.post(f"/invite/{token}/upload/", {}).status_code == 404


class _Body:
    """A request body made as it is read: the CSRF field, then a file part of zeros, up to
    `size` bytes; counts what was read."""

    def __init__(self, head: bytes, size: int) -> None:
        self.head, self.size, self.read_bytes = head, size, 0

    def read(self, n: int = -1) -> bytes:
        n = self.size - self.read_bytes if n is None or n < 0 else n
        n = min(n, self.size - self.read_bytes, 1024 * 1024)
        start = self.read_bytes
        self.read_bytes += n
        head = self.head[start:start + n]
        return head + b"\0" * (n - len(head))

    def readline(self, n: int = -1) -> bytes:
        return self.read(n if n and n > 0 else 65536)


def _streamed_upload(token: str, size: int) -> tuple[Any, _Body]:
    from django.test.client import ClientHandler, RequestFactory

    browser = client()
    masked = csrf_token(browser, f"/invite/{token}/")
    cookie = browser.cookies["csrftoken"].value
    head = (b"--BOUNDARY\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n"
            + masked.encode() + b"\r\n--BOUNDARY\r\nContent-Disposition: form-data; "
            b"name=\"file\"; filename=\"huge.zip\"\r\nContent-Type: application/zip\r\n\r\n")
    body = _Body(head, size)
    environ = RequestFactory()._base_environ(
        PATH_INFO=f"/invite/{token}/upload/", REQUEST_METHOD="POST",
        CONTENT_TYPE="multipart/form-data; boundary=BOUNDARY", CONTENT_LENGTH=str(size),
        HTTP_HOST="localhost", HTTP_COOKIE=f"csrftoken={cookie}",
        HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    environ["wsgi.input"] = body
    return ClientHandler(enforce_csrf_checks=True)(environ), body


def test_an_oversized_upload_is_refused_while_read_and_never_stored(web: None) -> None:
    from django.test import override_settings

    from grader.db.models import Job, Upload

    _made, token = invite(opening())
    response, body = _streamed_upload(token, 2 * 1024 ** 3)          # says 2 GB up front
    assert response.status_code == 413, response.content[:300]
    said = json.loads(response.content)["message"]
    assert "too large" in said and "the limit for this assessment is 100.0 MB" in said
    assert body.read_bytes < 256 * 1024                              # stopped at the file
    refused = Upload.objects.get()
    assert (refused.accepted, bytes(refused.data), refused.verdict) == (False, b"", "too-large")
    assert not Job.objects.exists()
    # a body whose length is within the service's cap, but whose file passes the cap: the
    # upload stops once the bytes read pass it
    with override_settings(GRADER_MAX_REQUEST_BYTES=320 * 1024):    # a cap of 256 KiB
        response, body = _streamed_upload(token, 300 * 1024)   # declared: within cap + form
    assert response.status_code == 413 and "0.2 MB" in json.loads(response.content)["message"]
    assert 256 * 1024 < body.read_bytes <= (256 + 64) * 1024 + len(body.head)
    assert Upload.objects.filter(accepted=True).count() == 0 and not Job.objects.exists()
    page = _text(client().get(f"/invite/{token}/"))
    assert page.count("not accepted: Your file is too large") == 2


def test_failed_logins_are_limited_per_user_name_and_per_address(web: None) -> None:
    from grader.web.pages.login import LIMIT, MESSAGE

    reviewer("rita")
    reviewer("bob")

    def attempt(name: str, password: str, address: str) -> Any:
        browser = client(csrf=True)
        token = csrf_token(browser, "/login/")
        return browser.post("/login/", {"username": name, "password": password,
                                        "csrfmiddlewaretoken": token}, REMOTE_ADDR=address)

    for n in range(LIMIT):               # one user name, from many addresses
        wrong = attempt("rita", "not it", f"10.0.1.{n}")
        assert wrong.status_code == 200 and "did not match" in _text(wrong)
    blocked = attempt("rita", PASSWORD, "10.0.1.99")           # even the right password
    assert blocked.status_code == 429 and MESSAGE in _text(blocked)
    assert attempt("RITA ", PASSWORD, "10.0.1.98").status_code == 429
    assert attempt("bob", PASSWORD, "10.0.1.97").status_code == 302   # others log in
    for n in range(LIMIT):               # many user names, from one address
        assert attempt(f"guess{n}", "x", "10.0.2.1").status_code == 200
    assert attempt("bob", PASSWORD, "10.0.2.1").status_code == 429
    assert attempt("bob", PASSWORD, "10.0.2.2").status_code == 302
    from django.core.cache import cache

    cache.clear()                        # the window has passed
    assert attempt("rita", PASSWORD, "10.0.1.99").status_code == 302
