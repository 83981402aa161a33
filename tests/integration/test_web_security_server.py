"""The security tests that need the real server (issue 23 item 7): `grader serve` started as
a subprocess (waitress; no grading worker: nothing here is graded), spoken to over raw
sockets, so no client library tidies a path or refuses to send a body first.

- A 2 GB upload, declared up front and streamed, on the candidate's upload page and on the
  API's upload route: refused with 413 before the server reads it (nothing past the headers
  is taken), the server's memory does not grow with it, and nothing is stored. A body sent
  without a length (chunked) is stopped at the server's cap, held on disk meanwhile. A body
  within the server's cap but over the assessment's cap is refused by the application while
  read, through the real server too: 413 in plain words, nothing kept.
- Path traversal: a canary file beside the server's store, its secret key and its database
  are never served, whatever request line is sent (`../`, `%2e%2e`, encoded slashes,
  backslashes, absolute paths, NUL), on static files, a report's artifacts, the report, the
  candidate's page and the API, as anonymous and as a logged-in reviewer."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from grader.store import Store
from tests.conftest import ROOT, TEST_CHALLENGE
from tests.unit.web_security_support import CANARY, traversals

PASSWORD = "a long pass phrase"
GB2 = 2 * 1024 ** 3
CHUNK = 256 * 1024


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    store: Store
    folder: Path            # the store's folder (the canary, secret_key, grader.db)
    invite_id: int
    invite_token: str
    sub_id: str

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss_kb(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        found = re.search(r"VmRSS:\s+(\d+) kB", status)
        assert found, status
        return int(found.group(1))


def _world(store: Store, folder: Path) -> tuple[int, str, str]:
    """An opening with an invite (its token), and a graded submission with a report bundle
    in the server's store."""
    from grader.db.models import Opening
    from grader.report.html import render_html
    from grader.web.invites import create_invite
    from tests.unit.web_pages_support import wordfreq_report

    opening = Opening.objects.using(store.alias).create(
        title="Backend (mid)", challenge="backend", framework="flask")
    made = create_invite(opening, "Grace Hopper", using=store.alias)
    report = wordfreq_report("grace-hopper-aaaaaaaaaaaa", "Grace Hopper")
    bundle = folder.parent / "bundle"
    (bundle / "artifacts").mkdir(parents=True)
    (bundle / "report.json").write_text(report.to_json())
    (bundle / "report.html").write_text(render_html(report, bundle))
    (bundle / "artifacts" / "server.log").write_text("server started\n")
    store.record(report, bundle)
    return made.invite.pk, made.token, report.submission.id


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[Server]:
    folder = tmp_path / "store"
    env = {**os.environ, "GRADER_STORE": str(folder / "grader.db"),
           "GRADER_CHALLENGES_PATH": str(TEST_CHALLENGE.parent)}
    made = subprocess.run([sys.executable, "-m", "grader", "users", "add", "rita",
                           "--password-stdin"], input=PASSWORD + "\n", text=True,
                          capture_output=True, cwd=ROOT, env=env, timeout=120, check=False)
    assert made.returncode == 0, made.stderr
    store = Store(folder / "grader.db")
    invite_id, token, sub_id = _world(store, folder)
    (folder / CANARY).write_text(f"canary {os.urandom(16).hex()}\n")
    port = _free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("a") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "grader", "serve", "--port", str(port), "--workers", "0"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    running = Server(process, port, store, folder, invite_id, token, sub_id)
    try:
        for _ in range(120):
            try:
                requests.get(f"{running.base}/login/", timeout=2)
                break
            except requests.ConnectionError:
                assert process.poll() is None, log_path.read_text()
                time.sleep(0.5)
        yield running
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        print(log_path.read_text())


# -- raw HTTP --------------------------------------------------------------------------

def _answer(sock: socket.socket) -> tuple[int, bytes]:
    """The status and the whole answer read from a socket (until closed or complete)."""
    data = b""
    sock.settimeout(30)
    while True:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not chunk:
            break
        data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = re.search(rb"(?i)content-length:\s*(\d+)", head)
        if length and len(body) >= int(length.group(1)):
            break
    found = re.match(rb"HTTP/1\.[01] (\d{3})", data)
    assert found, data[:300]
    return int(found.group(1)), data


def raw_get(server: Server, target: str, cookie: str = "") -> tuple[int, bytes]:
    """`GET target` sent byte for byte as written (no normalising client)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        head = f"GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        if cookie:
            head += f"Cookie: {cookie}\r\n"
        sock.sendall(head.encode("latin-1") + b"\r\n")
        return _answer(sock)


@dataclass
class Streamed:
    status: int
    answer: bytes
    sent: int               # body bytes the server took before it answered
    seconds: float


def stream_upload(server: Server, target: str, headers: dict[str, str], declared: int | None,
                  preamble: bytes = b"", limit: int = 64 * 1024 * 1024) -> Streamed:
    """A POST whose body says `declared` bytes (None: no length, chunked transfer encoding)
    and is streamed in chunks of zeros (after `preamble`) until the server answers or
    closes, or `limit` bytes were sent."""
    started = time.monotonic()
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    piece = b"\0" * CHUNK
    if declared is None:
        piece = f"{CHUNK:x}\r\n".encode() + piece + b"\r\n"
        length = "Transfer-Encoding: chunked"
    else:
        length = f"Content-Length: {declared}"
    try:
        lines = [f"POST {target} HTTP/1.1", "Host: localhost", length,
                 *(f"{k}: {v}" for k, v in headers.items())]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        sent = 0
        sock.setblocking(False)
        pending = preamble
        while sent < limit:
            try:
                if sock.recv(1, socket.MSG_PEEK):
                    break                   # the server answered
            except BlockingIOError:
                pass
            except ConnectionResetError:
                break
            pending = pending or piece
            try:
                done = sock.send(pending)
            except BlockingIOError:
                time.sleep(0.01)            # the server is not reading: wait for its answer
                continue
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += done
            pending = pending[done:]
        sock.setblocking(True)
        status, answer = _answer(sock)
        return Streamed(status, answer, sent, time.monotonic() - started)
    finally:
        sock.close()


def _multipart_head(boundary: str, csrf: str) -> bytes:
    return (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\""
            f"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; "
            "name=\"file\"; filename=\"work.zip\"\r\nContent-Type: application/zip\r\n\r\n"
            ).encode()


def _csrf(server: Server) -> tuple[str, str]:
    """The candidate page's CSRF cookie and form token."""
    session = requests.Session()
    page = session.get(f"{server.base}/invite/{server.invite_token}/", timeout=30)
    assert page.status_code == 200, page.text[:300]
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert found
    return session.cookies["csrftoken"], found.group(1)


def _stored_uploads(server: Server) -> list[tuple[bool, int, int]]:
    from grader.db.models import Upload

    return [(u.accepted, u.size, len(bytes(u.data))) for u in
            Upload.objects.using(server.store.alias).order_by("id")]


def test_a_2gb_upload_is_refused_unread_and_unstored_on_the_page_and_the_api(
        server: Server) -> None:
    from grader.db.models import Job

    cookie, token = _csrf(server)
    boundary = "grader-security-test"
    before = server.rss_kb()
    page = stream_upload(server, f"/invite/{server.invite_token}/upload/", {
        "Cookie": f"csrftoken={cookie}", "X-CSRFToken": token,
        "X-Requested-With": "XMLHttpRequest",
        "Content-Type": f"multipart/form-data; boundary={boundary}"}, GB2,
        _multipart_head(boundary, token))
    assert page.status == 413, page.answer[:300]
    assert page.sent < 32 * 1024 * 1024, page.sent        # answered long before 2 GB
    api = stream_upload(server, f"/api/v1/candidate/invites/{server.invite_id}/uploads", {
        "Authorization": f"Bearer {server.invite_token}", "Content-Type": "application/zip"},
        GB2)
    assert api.status == 413, api.answer[:300]
    assert api.sent < 32 * 1024 * 1024, api.sent
    assert server.rss_kb() - before < 64 * 1024, "the server's memory grew with the body"
    assert server.process.poll() is None
    assert _stored_uploads(server) == [] and not Job.objects.using(server.store.alias).exists()
    # the server still serves the candidate afterwards
    assert requests.get(f"{server.base}/invite/{server.invite_token}/",
                        timeout=30).status_code == 200


def test_a_body_without_a_length_is_refused_at_the_servers_cap(server: Server) -> None:
    """Chunked, so no length to refuse it by: the server stops it once it passes its cap
    (GRADER_MAX_REQUEST_MB, 128 MB), holding it in a temporary file, not in memory."""
    before = server.rss_kb()
    api = stream_upload(server, f"/api/v1/candidate/invites/{server.invite_id}/uploads", {
        "Authorization": f"Bearer {server.invite_token}", "Content-Type": "application/zip"},
        None, limit=GB2)
    assert api.status == 413, api.answer[:300]
    assert 128 * 1024 * 1024 <= api.sent < 160 * 1024 * 1024, api.sent
    assert server.rss_kb() - before < 64 * 1024, "the server's memory grew with the body"
    assert _stored_uploads(server) == []


def test_a_body_over_the_assessments_cap_is_refused_while_read(server: Server) -> None:
    """Within the server's own cap (GRADER_MAX_REQUEST_MB), over the challenge's: the
    application refuses it (413, in plain words), keeps no bytes, and stays up."""
    assignment = requests.get(f"{server.base}/api/v1/candidate/invites/{server.invite_id}",
                              headers={"Authorization": f"Bearer {server.invite_token}"},
                              timeout=30)
    assert assignment.status_code == 200, assignment.text[:300]
    cap = int(assignment.json()["max_upload_bytes"])
    over = cap + 2 * 1024 * 1024
    assert over < 128 * 1024 * 1024            # under waitress's cap: the application's turn
    api = stream_upload(server, f"/api/v1/candidate/invites/{server.invite_id}/uploads", {
        "Authorization": f"Bearer {server.invite_token}", "Content-Type": "application/zip"},
        over, limit=over)
    assert api.status == 413, api.answer[:300]
    body = json.loads(api.answer.partition(b"\r\n\r\n")[2])
    assert body["error"] == "too-large" and "nothing was kept" in body["message"]
    cookie, token = _csrf(server)
    boundary = "grader-security-test"
    page = stream_upload(server, f"/invite/{server.invite_token}/upload/", {
        "Cookie": f"csrftoken={cookie}", "X-CSRFToken": token,
        "X-Requested-With": "XMLHttpRequest",
        "Content-Type": f"multipart/form-data; boundary={boundary}"}, over,
        _multipart_head(boundary, token), limit=over)
    assert page.status == 413, page.answer[:300]
    said = json.loads(page.answer.partition(b"\r\n\r\n")[2])["message"]
    assert "too large" in said
    assert [(a, n) for a, _, n in _stored_uploads(server)] == [(False, 0)]   # said, not kept
    small = io.BytesIO()
    with zipfile.ZipFile(small, "w") as zf:
        zf.writestr("work/readme.txt", "no manifest")
    refused = requests.post(f"{server.base}/api/v1/candidate/invites/{server.invite_id}/uploads",
                            data=small.getvalue(), timeout=30,
                            headers={"Authorization": f"Bearer {server.invite_token}",
                                     "Content-Type": "application/zip"})
    assert refused.status_code == 422                    # the server still reads uploads


def _reviewer_cookie(server: Server) -> str:
    session = requests.Session()
    page = session.get(f"{server.base}/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token
    done = session.post(f"{server.base}/login/", data={
        "username": "rita", "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        timeout=30, allow_redirects=False)
    assert done.status_code == 302, done.text[:300]
    return "; ".join(f"{k}={v}" for k, v in session.cookies.items())


def test_no_request_line_reaches_a_file_outside_the_store(server: Server) -> None:
    secrets_there = [(server.folder / CANARY).read_bytes(),
                     (server.folder / "secret_key").read_bytes().strip(),
                     b"SQLite format 3\x00", b"root:x:0:0"]
    cookie = _reviewer_cookie(server)
    sub = server.sub_id
    names = traversals(server.folder)
    ok = raw_get(server, f"/submissions/{sub}/report/artifacts/server.log", cookie)
    assert ok[0] == 200 and ok[1].endswith(b"server started\n")        # the cookie works
    assert raw_get(server, "/static/grader/site.css")[0] == 200
    tried = 0
    for bad in names:
        for target in (f"/static/{bad}", f"/static/grader/{bad}", f"/static/admin/{bad}",
                       f"/submissions/{sub}/report/artifacts/{bad}",
                       f"/submissions/{bad}/report/", f"/invite/{bad}/",
                       f"/api/v1/submissions/{bad}/report", f"/{bad}"):
            for who in ("", cookie):
                status, answer = raw_get(server, target, who)
                for secret in secrets_there:
                    assert secret not in answer, f"{target} served a file outside the store"
                if target.startswith(("/static/", f"/submissions/{sub}/")):
                    assert status in (302, 400, 404), (target, status)
                tried += 1
    assert tried > 200
    assert server.process.poll() is None
