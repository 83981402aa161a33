"""The hiring journey through the HTTP API alone (issue 23): `grader serve` runs as a
subprocess on a free port with a store of its own, a reviewer's API token comes from
`grader tokens create`, and everything else is HTTP (requests; no Django test client): the
reviewer creates openings and invites, the candidate (with the invite's token only) reads
the assignment, downloads the kit, has a broken zip refused in plain words, uploads a
bundled reference solution and then a flawed one; the server's embedded worker grades them
(the states polled: queued, grading with its stage, graded); the reviewer reads each
report.json (the scores within the solutions' ranges of expected.yaml), records a manual
score and a decision and reads them back, and reads the cohort, which carries the role
profile's recommendation when the opening has one (backend, Flask, junior). The candidate's
token never sees a score, a state of grading or another invite (its answers are the same
before and after the grading). The uploads go as a raw body and as a multipart form. The
server runs as behind a TLS proxy (GRADER_TRUSTED_PROXY): links say https:// when the proxy
says so, and wrong tokens are limited per client. Every answer is checked against
openapi.yaml's schemas with the unit contract test's checker
(tests/unit/test_web_api_support.py)."""

from __future__ import annotations

import hashlib
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
from typing import Any

import jsonschema
import pytest
import requests
import yaml

from tests.conftest import ROOT, TEST_CHALLENGE
from tests.unit.test_web_api_support import check_request, check_response

pytestmark = pytest.mark.docker
BACKEND = ROOT / "challenges" / "backend"
REPORT_SCHEMA = json.loads((ROOT / "grader" / "schemas" / "report.schema.json").read_text())
PASSWORD = "a long pass phrase"
#: what a candidate's answers must never carry (recursively, as keys)
NOT_FOR_CANDIDATES = {"percent", "points", "score", "total", "state", "stage", "job",
                      "submission", "flags", "red_flags", "green_flags", "recommendation",
                      "criteria", "report"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _zip(folder: Path, top: str, leave_out: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if (path.is_file() and "__pycache__" not in path.parts
                    and path.name != leave_out):
                zf.write(path, f"{top}/{path.relative_to(folder)}")
    return buffer.getvalue()


def _expected(challenge: Path, solution: str) -> tuple[float, float]:
    ranges = yaml.safe_load((challenge / "solutions" / "expected.yaml").read_text())
    low, high = ranges[solution]["percent"]
    return float(low), float(high)


class Client:
    """requests against the server, each answer checked against openapi.yaml (the route, the
    method, the status and, for JSON, the documented schema; a JSON body sent and accepted
    must be one the document describes)."""

    def __init__(self, base: str, token: str | None) -> None:
        self.base = base
        self.session = requests.Session()
        if token is not None:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, *, json_body: Any = None,
             data: bytes | None = None, files: dict[str, Any] | None = None,
             headers: dict[str, str] | None = None, timeout: float = 60) -> requests.Response:
        answer = self.session.request(method, self.base + path, json=json_body, data=data,
                                      files=files, headers=headers or {}, timeout=timeout)
        check_response(method, path, answer.status_code,
                       answer.headers.get("Content-Type", ""), answer.content)
        assert answer.headers.get("Cache-Control") == "no-store", (method, path)
        if json_body is not None and answer.status_code < 300:
            check_request(method, path, "application/json", json_body)
        return answer

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.call("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> requests.Response:
        return self.call("POST", path, **kw)

    def ok(self, method: str, path: str, status: int = 200, **kw: Any) -> Any:
        answer = self.call(method, path, **kw)
        assert answer.status_code == status, (method, path, answer.status_code, answer.text)
        return answer.json()


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def _candidate_sees_no_grading(answer: Any) -> None:
    leaked = _keys(answer) & NOT_FOR_CANDIDATES
    assert not leaked, f"a candidate's answer carries {sorted(leaked)}: {answer}"


@dataclass
class Service:
    base: str
    reviewer: Client
    log: Path


def _run(args: list[str], env: dict[str, str], stdin: str = "") -> str:
    done = subprocess.run([sys.executable, "-m", "grader", *args], input=stdin, text=True,
                          capture_output=True, cwd=ROOT, env=env, timeout=120, check=False)
    assert done.returncode == 0, (args, done.stderr)
    return done.stdout


@pytest.fixture()
def service(tmp_path: Path, docker_client: object) -> Iterator[Service]:
    """`grader serve` with its own store (SQLite), a reviewer `rita` and her API token."""
    env = {**os.environ, "GRADER_STORE": str(tmp_path / "store" / "grader.db"),
           "GRADER_CHALLENGES_PATH": str(TEST_CHALLENGE.parent),
           "GRADER_TRUSTED_PROXY": "127.0.0.1"}          # as behind a TLS proxy on loopback
    _run(["users", "add", "rita", "--password-stdin"], env, PASSWORD + "\n")
    token = _run(["tokens", "create", "rita", "--name", "journey"], env).strip()
    assert re.fullmatch(r"\S{32,}", token), token          # printed alone, once
    assert "journey" in _run(["tokens", "list", "rita"], env)
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("a") as out:
        server = subprocess.Popen([sys.executable, "-m", "grader", "serve", "--port",
                                   str(port)], cwd=ROOT, env=env, stdout=out,
                                  stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                requests.get(f"{base}/api/v1/openapi.yaml", timeout=2)
                break
            except requests.ConnectionError:
                assert server.poll() is None, log.read_text()
                time.sleep(0.5)
        else:
            raise AssertionError(f"grader serve did not answer:\n{log.read_text()}")
        yield Service(base, Client(base, token), log)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(120)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
        print(log.read_text()[-20_000:])


def _wait_graded(reviewer: Client, upload_id: int, seen: list[str],
                 seconds: float = 900) -> dict[str, Any]:
    """Poll the upload's state (as the reviewer) until it is graded or failed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = reviewer.ok("GET", f"/api/v1/uploads/{upload_id}")
        if not seen or seen[-1] != state["state_text"]:
            seen.append(state["state_text"])
        if state["state"] in ("graded", "failed"):
            found: dict[str, Any] = state
            return found
        time.sleep(0.3)
    raise AssertionError(f"upload {upload_id} not graded in {seconds:.0f} s: {seen}")


def _send(candidate: Client, invite_id: int, data: bytes, name: str,
          form: bool = False) -> requests.Response:
    """The candidate's upload: the raw body (`curl --data-binary @work.zip`), or with
    `form` the `file` field of a multipart form (`curl -F file=@work.zip`)."""
    path = f"/api/v1/candidate/invites/{invite_id}/uploads"
    if form:
        return candidate.post(path, files={"file": (name, data, "application/zip")},
                              timeout=120)
    return candidate.post(path, data=data, timeout=120,
                          headers={"Content-Type": "application/zip",
                                   "Content-Disposition": f'attachment; filename="{name}"'})


def _report(reviewer: Client, submission: str,
            expected: tuple[float, float]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The submission as the API shows it, its report.json valid and in its range."""
    found = reviewer.ok("GET", f"/api/v1/submissions/{submission}")
    answer = reviewer.get(f"/api/v1/submissions/{submission}/report")
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json"
    report = answer.json()
    jsonschema.validate(report, REPORT_SCHEMA)
    assert report["submission"]["id"] == submission and report["status"] == "graded"
    low, high = expected
    assert low <= report["total"]["percent"] <= high, (submission, report["total"],
                                                       expected)
    assert found["percent"] == report["total"]["percent"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", found["graded_at"])
    return found, report


def test_the_hiring_journey_through_the_http_api_alone(service: Service) -> None:
    started = time.monotonic()
    rita, base = service.reviewer, service.base
    anonymous = Client(base, None)
    assert anonymous.get("/api/v1/openings").status_code == 401
    assert Client(base, "not-a-token").get("/api/v1/me").status_code == 401
    me = rita.ok("GET", "/api/v1/me")
    assert (me["kind"], me["user"], me["token"]["name"]) == ("reviewer", "rita", "journey")
    challenges = {c["id"]: c for c in rita.ok("GET", "/api/v1/challenges")["challenges"]}
    assert challenges["wordfreq"]["frameworks"] == []
    assert challenges["backend"]["framework_required"] and "flask" in \
        challenges["backend"]["frameworks"]

    # the reviewer: an opening without a profile (the test challenge ships none), an invite
    words_body = {"title": "Text tools (junior)", "challenge": "wordfreq", "level": "junior"}
    words = rita.ok("POST", "/api/v1/openings", 201, json_body=words_body)
    assert (words["profile"], words["window_minutes"], words["created_by"]) == (None, 120,
                                                                                "rita")
    refused = rita.post("/api/v1/openings", json_body={"title": "x", "challenge": "nope"})
    assert refused.status_code == 422 and "challenge" in refused.json()["details"]["fields"]
    ada_made = rita.ok("POST", f"/api/v1/openings/{words['id']}/invites", 201,
                       json_body={"name": "Ada Lovelace", "email": "ada@example.com"})
    ada_id, ada_token = ada_made["id"], ada_made["token"]
    assert ada_made["link"] == f"{base}/invite/{ada_token}/"
    assert ada_made["token_hint"] and ada_token.startswith(ada_made["token_hint"])
    listed = rita.ok("GET", f"/api/v1/openings/{words['id']}/invites")["invites"]
    assert [i["id"] for i in listed] == [ada_id] and "token" not in listed[0]
    assert requests.get(ada_made["link"], timeout=10).status_code == 200   # the page too

    # ... and a Backend opening pinned to Flask at junior level: its role profile by default
    flask_body = {"title": "Backend (junior, Flask)", "challenge": "backend",
                  "framework": "flask", "level": "junior"}
    backend = rita.ok("POST", "/api/v1/openings", 201, json_body=flask_body)
    assert (backend["framework"], backend["profile"]) == ("flask", "junior")
    grace_made = rita.ok("POST", f"/api/v1/openings/{backend['id']}/invites", 201,
                         json_body={"name": "Grace Hopper"})
    grace_id = grace_made["id"]

    # the candidate, with the invite's token alone: who am I, the assignment, the kit
    ada = Client(base, ada_token)
    grace = Client(base, grace_made["token"])
    assert ada.ok("GET", "/api/v1/me") == {
        "kind": "candidate", "invite": ada_id, "name": "Ada Lovelace",
        "assignment": f"/api/v1/candidate/invites/{ada_id}"}
    task = ada.ok("GET", f"/api/v1/candidate/invites/{ada_id}")
    assert (task["challenge"], task["has_kit"], task["kit"], task["downloaded_at"]) == (
        "wordfreq", False, None, None)
    assert ada.post(f"/api/v1/candidate/invites/{ada_id}/kit").status_code == 404
    grace_task = grace.ok("GET", f"/api/v1/candidate/invites/{grace_id}")
    assert (grace_task["framework"], grace_task["has_kit"], grace_task["minutes_left"]) == (
        "flask", True, None)
    kit = grace.post(f"/api/v1/candidate/invites/{grace_id}/kit", timeout=120)
    assert kit.status_code == 200 and kit.headers["Content-Type"] == "application/zip"
    assert 'filename="backend-flask-kit.zip"' in kit.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(kit.content)) as zf:
        assert any(n.endswith("submission.yaml") for n in zf.namelist())
    clock = grace.ok("GET", f"/api/v1/candidate/invites/{grace_id}")
    assert clock["downloaded_at"] and clock["deadline"]
    assert 118 <= clock["minutes_left"] <= 120
    for answer in (task, grace_task, clock):
        _candidate_sees_no_grading(answer)

    # a candidate's token opens only its own invite, and no reviewer's route
    assert ada.get(f"/api/v1/candidate/invites/{grace_id}").status_code == 404
    assert grace.post(f"/api/v1/candidate/invites/{ada_id}/kit").status_code == 404
    for path in ("/api/v1/openings", f"/api/v1/openings/{words['id']}/cohort",
                 f"/api/v1/invites/{ada_id}"):
        assert ada.get(path).status_code == 403, path
    assert rita.get(f"/api/v1/candidate/invites/{ada_id}").status_code == 403

    # uploads: a zip without submission.yaml is refused in plain words (nothing queued),
    # then the reference, then a flawed one; Grace uploads the Flask reference
    broken = _send(ada, ada_id, _zip(TEST_CHALLENGE / "solutions" / "reference", "work",
                                     leave_out="submission.yaml"), "broken.zip")
    assert broken.status_code == 422, broken.text
    said = broken.json()
    assert said["error"] == "upload-refused" and "submission.yaml" in said["message"]
    assert said["message"].startswith("broken.zip ")         # the file the candidate sent
    _candidate_sees_no_grading(said)
    sent: dict[str, dict[str, Any]] = {}
    for who, client, invite_id, folder in (
            ("reference", ada, ada_id, TEST_CHALLENGE / "solutions" / "reference"),
            ("case-sensitive", ada, ada_id, TEST_CHALLENGE / "solutions" / "case-sensitive"),
            ("flask-reference", grace, grace_id, BACKEND / "solutions" / "flask-reference")):
        data = _zip(folder, "work")
        answer = _send(client, invite_id, data, f"{who}.zip", form=who == "case-sensitive")
        assert answer.status_code == 201, answer.text
        got = answer.json()
        assert (got["status"], got["sha256"], got["current"], got["late_minutes"],
                got["filename"]) == ("received", hashlib.sha256(data).hexdigest(), True, 0,
                                     f"{who}.zip")
        assert got["sha256"] in got["message"]
        _candidate_sees_no_grading(got)
        sent[who] = got
    print(f"journey: set up and uploaded in {time.monotonic() - started:.1f} s")

    # the embedded worker grades them; the reviewer watches the states
    graded: dict[str, dict[str, Any]] = {}
    states: list[str] = []
    for who, got in sent.items():
        seen: list[str] = []
        at = time.monotonic()
        state = _wait_graded(rita, got["id"], seen)
        assert state["state"] == "graded", (who, seen, state["error"])
        assert state["submission"] and state["error"] is None, state
        print(f"journey: {who} graded after {time.monotonic() - at:.1f} s more ({seen})")
        graded[who] = state
        states += seen
    assert any(s.startswith("grading: ") and s != "grading: " for s in states), states
    assert len({g["submission"] for g in graded.values()}) == 3
    ada_before = ada.ok("GET", f"/api/v1/candidate/invites/{ada_id}/uploads")
    _candidate_sees_no_grading(ada_before)
    assert [u["status"] for u in ada_before["uploads"]] == ["refused", "received", "received"]
    assert [u["current"] for u in ada_before["uploads"]] == [False, False, True]

    # the reports: each within its solution's range; the flawed one says what failed
    ref, ref_report = _report(rita, graded["reference"]["submission"],
                              _expected(TEST_CHALLENGE, "reference"))
    flawed, flawed_report = _report(rita, graded["case-sensitive"]["submission"],
                                    _expected(TEST_CHALLENGE, "case-sensitive"))
    flask, flask_report = _report(rita, graded["flask-reference"]["submission"],
                                  _expected(BACKEND, "flask-reference"))
    assert ref["percent"] > flawed["percent"]
    failed_checks = {c["id"] for c in flawed_report["checks"]
                     if c["status"] in ("failed", "error")}
    assert "case.case-and-punctuation" in failed_checks, failed_checks
    assert ref["recommendation"] is None and not ref_report.get("recommendation")
    assert flask["recommendation"]["profile"] == "backend-junior"
    assert flask["recommendation"]["verdict"] == "advance"       # expected.yaml: junior
    assert flask["recommendation"]["level"] == "junior"
    assert flask_report["recommendation"]["verdict"] == "advance"
    explain = {c["id"]: c for c in flawed["criteria"]}["explain"]
    assert (explain["manual"], explain["points"]) == (True, None)
    assert flawed["total"]["pending"] == ["explain"]

    # the manual criterion scored after the call (over its maximum: refused), read back
    scores_path = f"/api/v1/submissions/{flawed['id']}/manual-scores"
    too_many = rita.post(scores_path, json_body={"criterion": "explain", "points": 11})
    assert too_many.status_code == 422 and "at most 10" in too_many.text
    scored = rita.ok("POST", scores_path, 201, json_body={
        "criterion": "explain", "points": 7, "notes": "explained the tokenizer; missed case"})
    assert (scored["points"], scored["scored_by"], scored["total"]["pending"]) == (7, "rita",
                                                                                  [])
    assert scored["total"]["manual_points"] == 7
    assert scored["total"]["max_points"] == flawed["total"]["max_points"] + 10
    history = rita.ok("GET", scores_path)["manual_scores"]
    assert [(m["criterion"], m["points"], m["notes"]) for m in history] == [
        ("explain", 7, "explained the tokenizer; missed case")]
    again = rita.ok("GET", f"/api/v1/submissions/{flawed['id']}")
    assert {c["id"]: c["points"] for c in again["criteria"]}["explain"] == 7
    assert again["total"] == scored["total"]

    # the decision, on the current (flawed) upload's submission, and its history
    decided = rita.ok("POST", f"/api/v1/invites/{ada_id}/decisions", 201, json_body={
        "outcome": "hold", "reason": "case handling missed; strong explanation"})
    assert (decided["submission"], decided["outcome"], decided["decided_by"]) == (
        flawed["id"], "hold", "rita")
    assert rita.post(f"/api/v1/invites/{ada_id}/decisions", json_body={
        "outcome": "maybe", "reason": "x"}).status_code == 422
    assert [d["id"] for d in rita.ok("GET", f"/api/v1/invites/{ada_id}/decisions")[
        "decisions"]] == [decided["id"]]
    detail = rita.ok("GET", f"/api/v1/invites/{ada_id}")
    assert detail["decision"] == decided and detail["submission"] == flawed["id"]
    assert [u["state"] for u in detail["uploads"]] == ["refused", "graded", "graded"]
    assert rita.ok("GET", f"/api/v1/openings/{words['id']}/decisions")["decisions"] == [
        decided]

    # the cohorts: the test challenge's (no profile) and the Backend one (the recommendation)
    words_cohort = rita.ok("GET", f"/api/v1/openings/{words['id']}/cohort")
    (row,) = words_cohort["rows"]
    assert (row["rank"], row["state"], row["submission"], row["uploads"],
            row["refused_uploads"]) == (1, "graded", flawed["id"], 2, 1)
    assert row["percent"] == flawed["percent"] and row["total"] == scored["total"]
    assert row["criteria"]["explain"] == 7 and row["decision"] == decided
    assert (row["recommendation"], row["profile_percent"]) == (None, None)
    assert words_cohort["graded"] == 1 and "meet at least 4" in words_cohort["warnings"][0]
    flask_cohort = rita.ok("GET", f"/api/v1/openings/{backend['id']}/cohort")
    (frow,) = flask_cohort["rows"]
    assert (frow["rank"], frow["state"], frow["recommendation"]) == (1, "graded", "advance")
    assert frow["profile_percent"] == flask["recommendation"]["percent"]
    assert frow["green_flags_target"] == flask["recommendation"]["green_flags_target"]
    assert frow["red_flags"] == [] and frow["decision"] is None
    assert "meet at least 4" in flask_cohort["warnings"][0]
    assert flask_cohort["opening"]["profile"] == "junior"

    # the candidate's view is the same after the grading: received, never graded or scored
    ada_after = ada.ok("GET", f"/api/v1/candidate/invites/{ada_id}/uploads")
    assert ada_after == ada_before
    for path in (f"/api/v1/submissions/{flawed['id']}",
                 f"/api/v1/uploads/{sent['reference']['id']}",
                 f"/api/v1/submissions/{flawed['id']}/report"):
        assert ada.get(path).status_code == 403, path
    _candidate_sees_no_grading(grace.ok("GET", f"/api/v1/candidate/invites/{grace_id}"))

    # a revoked invite's token opens nothing from then on; the reviewer's token was used
    assert rita.ok("POST", f"/api/v1/invites/{ada_id}/revoke")["revoked"] is True
    assert ada.get(f"/api/v1/candidate/invites/{ada_id}").status_code == 401
    (mine,) = rita.ok("GET", "/api/v1/tokens")["tokens"]
    assert mine["last_used_at"] and not mine["revoked"]

    # behind the TLS proxy (GRADER_TRUSTED_PROXY): the link handed out says https://, and
    # wrong tokens are counted per client (X-Forwarded-For), not for everyone behind it
    proxied = rita.ok("POST", f"/api/v1/openings/{words['id']}/invites", 201,
                      json_body={"name": "Linus T"}, headers={"X-Forwarded-Proto": "https"})
    assert proxied["link"] == f"https://{base.removeprefix('http://')}/invite/" \
        f"{proxied['token']}/"
    guesser = Client(base, "guessed-token")
    codes = []
    for _ in range(41):         # 20 per 5-minute window (a window may turn in between)
        limited = guesser.get("/api/v1/me", headers={"X-Forwarded-For": "203.0.113.9"})
        codes.append(limited.status_code)
        if limited.status_code != 401:
            break
    assert codes[:20] == [401] * 20 and codes[-1] == 429, codes
    assert limited.headers["Retry-After"]
    assert guesser.get("/api/v1/me", headers={"X-Forwarded-For": "203.0.113.10"}
                       ).status_code == 401
    assert rita.get("/api/v1/me").status_code == 200
    print(f"journey: done in {time.monotonic() - started:.1f} s")
