"""`grader serve` for real: started as a subprocess on a free port (waitress, its embedded
grading worker), a reviewer logs in over HTTP with a CSRF token, the candidate's invite page
answers and hands out the kit, and a job queued through the Python interface for a bundled
solution (wordfreq's reference: cheap) is graded by the server's worker, its stage seen while
it runs, its report bundle readable through Store and listed by `grader list`. A server
stopped (SIGTERM) in the middle of a grading leaves no container and gives the job back;
the next start grades it."""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from grader.store import Store
from tests.conftest import ROOT, TEST_CHALLENGE

pytestmark = pytest.mark.docker
REFERENCE = TEST_CHALLENGE / "solutions" / "reference"
PASSWORD = "a long pass phrase"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _zip(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                zf.write(path, f"reference/{path.relative_to(folder)}")
    return buffer.getvalue()


def _start(env: dict[str, str], log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`grader serve` on a free port, once it answers."""
    port = _free_port()
    log = log_path.open("a")
    server = subprocess.Popen([sys.executable, "-m", "grader", "serve", "--port", str(port)],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            requests.get(f"{base}/login/", timeout=2)
            return server, base
        except requests.ConnectionError:
            assert server.poll() is None, log_path.read_text()
            time.sleep(0.5)
    raise AssertionError(f"grader serve did not answer:\n{log_path.read_text()}")


def _stop(server: subprocess.Popen[bytes]) -> int:
    server.send_signal(signal.SIGTERM)
    try:
        return server.wait(120)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(10)
        raise AssertionError("grader serve did not stop within 120 s of SIGTERM") from None


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "GRADER_STORE": str(tmp_path / "store" / "grader.db"),
            "GRADER_CHALLENGES_PATH": str(TEST_CHALLENGE.parent)}


@pytest.fixture()
def service(tmp_path: Path, docker_client: object) -> Iterator[tuple[str, dict[str, str]]]:
    env = _env(tmp_path)
    made = subprocess.run([sys.executable, "-m", "grader", "users", "add", "rita",
                           "--password-stdin"], input=PASSWORD + "\n", text=True,
                          capture_output=True, cwd=ROOT, env=env, timeout=120, check=False)
    assert made.returncode == 0, made.stderr
    server, base = _start(env, tmp_path / "serve.log")
    try:
        yield base, env
    finally:
        _stop(server)
        print((tmp_path / "serve.log").read_text())


def _upload(store: Store, folder: Path) -> int:
    import hashlib

    from grader.db.models import Upload

    data = _zip(folder)
    return Upload.objects.using(store.alias).create(
        filename=f"{folder.name}.zip", data=data, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), accepted=True, verdict="accepted",
        challenge="wordfreq").pk


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    assert page.status_code == 200, page.text[:500]
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def test_a_reviewer_logs_in_a_candidate_gets_the_kit_and_a_job_is_graded(
        service: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    base, env = service
    store = Store(Path(env["GRADER_STORE"]))
    from grader.db.models import Invite, Opening, Upload
    from grader.jobs.interface import EmbeddedQueue
    from grader.web.invites import create_invite

    opening = Opening.objects.using(store.alias).create(title="Backend (junior)",
                                                        challenge="backend", level="junior",
                                                        framework="flask")
    invite = create_invite(opening, "Grace Hopper", "grace@example.com", using=store.alias)

    # every reviewer page needs a session; the login form needs its CSRF token
    anonymous = requests.Session()
    home = anonymous.get(f"{base}/", timeout=10, allow_redirects=False)
    assert home.status_code == 302 and home.headers["Location"].startswith("/login/")
    assert anonymous.post(f"{base}/login/", data={"username": "rita", "password": PASSWORD},
                          timeout=10).status_code == 403           # no CSRF token: refused
    reviewer = requests.Session()
    token = _csrf(reviewer, f"{base}/login/")
    wrong = reviewer.post(f"{base}/login/", data={"username": "rita", "password": "nope",
                                                  "csrfmiddlewaretoken": token}, timeout=10)
    assert wrong.status_code == 200 and "did not match" in wrong.text
    logged = reviewer.post(f"{base}/login/", timeout=10, allow_redirects=False, data={
        "username": "rita", "password": PASSWORD,
        "csrfmiddlewaretoken": _csrf(reviewer, f"{base}/login/")})
    assert logged.status_code == 302 and logged.headers["Location"] == "/"
    page = reviewer.get(f"{base}/", timeout=10)
    assert page.status_code == 200 and "Backend (junior)" in page.text

    # the candidate's page, by token: the instructions, then the kit, which starts the clock
    candidate = requests.Session()
    assert candidate.get(f"{base}/invite/{invite.token[:-2]}xx/", timeout=10).status_code == 404
    kit_page = candidate.get(f"{base}/invite/{invite.token}/", timeout=10)
    assert kit_page.status_code == 200 and "Grace Hopper" in kit_page.text
    assert "You have 120 minutes from the moment you download the kit" in kit_page.text
    kit = candidate.post(f"{base}/invite/{invite.token}/", timeout=60, data={
        "confirm": "True", "csrfmiddlewaretoken": _csrf(candidate,
                                                        f"{base}/invite/{invite.token}/")})
    assert kit.status_code == 200 and kit.headers["Content-Type"] == "application/zip"
    assert 'filename="backend-flask-kit.zip"' in kit.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(kit.content)) as zf:
        assert any(name.endswith("submission.yaml") for name in zf.namelist())
    assert store.kept_versions("backend")        # graded later against the version handed out
    started = Invite.objects.using(store.alias).get(pk=invite.invite.pk)
    assert started.downloaded_at is not None and started.deadline is not None
    assert "window started" in candidate.get(f"{base}/invite/{invite.token}/",
                                             timeout=10).text

    # a job queued through the Python interface is graded by the server's embedded worker
    # (wordfreq, the cheap test challenge, has no kit: its upload is made here)
    # (through an invite to an opening whose role profile, issue 25's, is a file)
    profile = tmp_path / "role.yaml"
    profile.write_text("id: wordfreq-junior\nchallenge: wordfreq\nlevel: junior\n"
                       "title: Text tools developer\nband: {advance: 80, borderline: 75}\n"
                       "green_flags_target: 2\nmax_red_flags: 1\n")
    words = Opening.objects.using(store.alias).create(title="Text tools (junior)",
                                                      challenge="wordfreq", level="junior",
                                                      profile=str(profile))
    upload = Upload.objects.using(store.alias).get(pk=_upload(store, REFERENCE))
    upload.invite = create_invite(words, "Ada", using=store.alias).invite
    upload.save(using=store.alias)
    queue = EmbeddedQueue(store)
    job_id = queue.enqueue_upload(upload.pk)
    seen: list[str] = []
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        view = queue.job(job_id)
        assert view is not None
        if not seen or seen[-1] != view.state_text:
            seen.append(view.state_text)
        if view.state in ("graded", "failed"):
            break
        time.sleep(0.2)
    assert view.state == "graded", (seen, view.error)
    assert seen[0] == "queued" and any(s.startswith("grading: ") for s in seen), seen
    assert view.worker and view.submission_id and view.attempts == 1
    report = store.report(view.submission_id)
    assert report is not None and report.status == "graded" and report.total.percent >= 95
    assert report.submission.source == f"upload {upload.pk} (reference.zip)"
    assert report.recommendation is not None
    assert (report.recommendation.profile, report.recommendation.verdict) == (
        "wordfreq-junior", "advance")
    assert {"report.json", "report.md", "report.html"} <= set(store.report_files(
        view.submission_id))
    assert b"<html" in (store.report_file(view.submission_id, "report.html") or b"")
    assert Upload.objects.using(store.alias).get(pk=upload.pk).submission_id == \
        view.submission_id
    assert queue.enqueue_upload(upload.pk) == job_id          # the same work: no new job
    listed = subprocess.run([sys.executable, "-m", "grader", "list"], capture_output=True,
                            text=True, cwd=ROOT, env=env, timeout=120, check=False)
    assert view.submission_id in listed.stdout               # the CLI sees the same store


def test_a_server_stopped_mid_grading_gives_the_job_back_and_the_next_start_grades_it(
        tmp_path: Path, docker_client: object) -> None:
    from grader.sandbox.lifecycle import LABEL_OWNER, leftovers

    env = _env(tmp_path)
    mine = f"{LABEL_OWNER}={os.environ['GRADER_OWNER'][:64]}"
    server, _ = _start(env, tmp_path / "serve.log")
    store = Store(Path(env["GRADER_STORE"]))
    from grader.jobs.interface import EmbeddedQueue

    queue = EmbeddedQueue(store)
    job_id = queue.enqueue_upload(_upload(store, TEST_CHALLENGE / "solutions" /
                                          "infinite-loop"))
    try:
        deadline = time.monotonic() + 300      # its never-ending case runs in its sandbox
        while not any("case-large" in name for name in leftovers(docker_client, mine)):  # type: ignore[arg-type]
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        view = queue.job(job_id)
        assert view is not None and view.state_text.startswith("grading: ")
    finally:
        code = _stop(server)
    log = (tmp_path / "serve.log").read_text()
    assert code == 130 and "Traceback" not in log, log
    view = queue.job(job_id)
    assert view is not None and (view.state, view.attempts, view.worker) == ("queued", 0, "")
    assert leftovers(docker_client, mine) == []  # type: ignore[arg-type]

    server, _ = _start(env, tmp_path / "serve.log")    # the next start takes it
    try:
        deadline = time.monotonic() + 600
        while (view := queue.job(job_id)) is not None and view.state not in ("graded",
                                                                              "failed"):
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.5)
    finally:
        _stop(server)
    assert view is not None and view.state == "graded" and view.attempts == 1, view
    report = store.report(view.submission_id or "")
    assert report is not None and 60 <= report.total.percent <= 80   # expected.yaml's range
