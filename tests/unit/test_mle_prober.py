"""The MLE prober against hostile servers on this machine (real sockets, no Docker): JSON
parsed with bounded depth and size, a deadline per request that a one-byte-a-second server
cannot stretch, giving up after STALLS late answers, the budget, and each step of a probing
run isolated (a /metadata nested 100,000 deep fails that answer alone)."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from grader.tracks.mle.prober import PROBE, PROBE_HTTP
from grader.tracks.mle.prober.probe import consistency, latency, wait_ready
from grader.tracks.mle.prober.probe_http import (
    MAX_DEPTH,
    SMALL_CAP,
    STALLS,
    Answer,
    Server,
    parse,
    predictions_of,
    too_deep,
)

DEEP = b"[" * 30_000 + b"]" * 30_000  # 60 KB: within the size cap, far past json's recursion


def test_json_is_parsed_within_depth_and_size() -> None:
    assert parse(Answer(status=200, body=b'{"predictions": [{"probability": 0.2}]}')) == (
        {"predictions": [{"probability": 0.2}]}, "")
    very_deep = b"[" * 100_000 + b"]" * 100_000
    assert parse(Answer(status=200, body=very_deep), "the /metadata answer") == (
        None, f"the /metadata answer nests deeper than {MAX_DEPTH} levels")  # RecursionError
    shallow_but_deep = b"[" * 40 + b"]" * 40  # json reads it; the bound still refuses it
    assert parse(Answer(status=200, body=shallow_but_deep))[1].endswith(
        f"nests deeper than {MAX_DEPTH} levels")
    assert parse(Answer(status=200, body=b"{}", over=SMALL_CAP))[1] == \
        "the answer is larger than 64 KiB"
    assert parse(Answer(status=200, body=b"{nope"))[1] == "the answer is not JSON"
    assert not too_deep([[1, [2]], {"a": [3]}], 3) and too_deep([[[[]]]], 3)
    preds, problem = predictions_of(Answer(status=200, body=json.dumps({"predictions": [
        {"probability": 0.4, "label": 0, "why": "x" * 10_000}, 7]}).encode()))
    assert preds == [{"probability": 0.4, "label": 0}, "int"] and not problem  # slimmed


class Hostile(BaseHTTPRequestHandler):
    """/health fine; /drip one byte every 0.2 s; /huge 25 MB; /deep nested 30,000 levels;
    /metadata deep; /predict one prediction per record."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, body: bytes, length: int | None = None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        with contextlib.suppress(OSError):  # the prober may hang up first: expected
            self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/drip":
            self._send(b"", length=1000)
            try:
                for _ in range(100):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                return
        elif self.path == "/huge":
            self._send(b'"' + b"m" * 25_000_000 + b'"')
        elif self.path in ("/deep", "/metadata"):
            self._send(DEEP)
        else:
            self._send(b'{"status": "ok"}')

    def do_POST(self) -> None:
        data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        records = data.get("records") if isinstance(data, dict) else None
        if not isinstance(records, list):
            self.send_response(422)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._send(json.dumps({"predictions": [{"probability": 0.25, "label": 0}
                                               for _ in records]}).encode())


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the prober hanging up on a drip or a 25 MB answer is expected


class DripsHealth(Hostile):
    def do_GET(self) -> None:
        self.path = "/drip" if self.path == "/health" else self.path
        super().do_GET()


@contextlib.contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = QuietServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class OneAnswerPerConnection(BaseHTTPRequestHandler):
    """The standard library's server as it comes (HTTP/1.0: the connection closes after
    each answer), its body written after the headers and a pause."""

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        records = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["records"]
        body = json.dumps({"predictions": [{"probability": 0.5, "label": 1}
                                           for _ in records]}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.flush()
        time.sleep(0.05)
        self.wfile.write(body)


def test_an_http_1_0_server_s_body_is_read_after_the_connection_closes() -> None:
    """http.client closes a connection that will close as soon as the headers are in; the
    body is still read from the socket (it had been read from a closed descriptor)."""
    with serving(OneAnswerPerConnection) as url:
        server = Server(url)
        for size in (1, 1000):
            answer = server.predict({"records": [{}] * size}, size, 5.0)
            preds, problem = predictions_of(answer)
            assert answer.status == 200 and not problem, answer.error
            assert preds is not None and len(preds) == size


def test_single_calls_are_kept_for_consistency_and_the_batches_follow(hostile: str) -> None:
    """The first `keep` single-record answers are kept whole (api.consistent compares them
    with the batches), every single call's probability is kept (its AUC, on the host), and
    the consistency calls are sent as given."""
    server = Server(hostile)
    server.start_budget(30)
    records = [{"i": i} for i in range(40)]
    lat = latency(server, {"singles": records, "batch": records[:5], "keep": 35,
                           "singles_budget_seconds": 0}, 5.0)
    assert len(lat["single_predictions"]) == 35  # past its budget, still the kept ones
    assert lat["single_scores"] == [0.25] * 35 and lat["singles"] == 35
    calls = consistency(server, [{"name": "batch", "records": records[:3]},
                                 {"name": "shuffled", "records": records[:3][::-1]}], 5.0)
    assert [(c["name"], c["status"], len(c["predictions"])) for c in calls] == [
        ("batch", 200, 3), ("shuffled", 200, 3)]


@pytest.fixture
def hostile() -> Iterator[str]:
    with serving(Hostile) as url:
        yield url


def test_a_server_dripping_bytes_is_cut_at_the_deadline_then_given_up(hostile: str) -> None:
    server = Server(hostile)
    started = time.monotonic()
    answer = server.request("GET", "/drip", seconds=1.0)
    assert time.monotonic() - started < 2.0  # the socket timeout alone would wait 20 s
    assert answer.late and answer.status == 0 and answer.received > 0
    assert "no complete answer to GET /drip within 1 s" in answer.error
    assert "the server answers too slowly" in answer.error
    assert server.request("GET", "/health").status == 200  # one late answer is forgiven
    for _ in range(STALLS):
        server.request("GET", "/drip", seconds=0.5)
    assert "gave up on the server" in server.gave_up
    skipped = server.request("GET", "/health")
    assert skipped.skipped and skipped.error.startswith("not sent: the prober gave up")


def test_a_server_dripping_its_health_answer_is_not_waited_for() -> None:
    with serving(DripsHealth) as url:
        started = time.monotonic()
        ready = wait_ready(Server(url), 60)
        assert time.monotonic() - started < 15  # two health deadlines, not the 60 s wait
    assert ready["ready"] is False
    assert "no complete answer to GET /health within 5 s" in ready["too_slow"]
    assert "the server answers too slowly" in ready["too_slow"]


def test_bodies_are_read_up_to_their_cap_and_the_connection_recovers(hostile: str) -> None:
    server = Server(hostile)
    huge = server.request("GET", "/huge", cap=SMALL_CAP)
    assert huge.status == 200 and huge.over == SMALL_CAP and len(huge.body) == SMALL_CAP
    assert parse(huge, "the /metadata answer")[1] == \
        "the /metadata answer is larger than 64 KiB"
    assert "over 64 KiB" in huge.excerpt() and len(huge.excerpt()) < 700
    deep = server.request("GET", "/deep")
    assert parse(deep)[1] == f"the answer nests deeper than {MAX_DEPTH} levels"
    assert server.request("GET", "/health").status == 200


def test_nothing_is_sent_once_the_budget_is_spent(hostile: str) -> None:
    server = Server(hostile)
    server.start_budget(0.2)
    assert server.request("GET", "/health").status == 200
    time.sleep(0.3)
    answer = server.request("GET", "/health")
    assert answer.skipped and "budget of 0.2 s was spent" in answer.error


def test_each_step_of_a_probing_run_is_isolated(hostile: str, tmp_path: Path) -> None:
    """probe.py run as in its container against a server whose /metadata nests 30,000
    deep: that answer's problem is recorded, the holdout, latency and probes still run."""
    for source in (PROBE, PROBE_HTTP):
        (tmp_path / source.name).write_bytes(source.read_bytes())
    record = {"x": 1}
    plan = {"records": [record] * 5, "batch_size": 2, "request_seconds": 2,
            "determinism": [{"name": "complete", "records": [record] * 2}],
            "latency": {"singles": [record] * 3, "batch": [record] * 4,
                        "singles_budget_seconds": 5},
            "probes": [{"name": "not-an-object", "body": "[1, 2]", "records": None},
                       {"name": "usage-base", "body": json.dumps({"records": [record]}),
                        "records": 1, "keep_predictions": True}]}
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    subprocess.run([sys.executable, "probe.py", "--base-url", hostile, "--wait", "5",
                    "--budget", "30", "--plan", "plan.json", "--out", "results.json"],
                   cwd=tmp_path, check=True, timeout=60)
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["metadata"]["problem"] == \
        f"the /metadata answer nests deeper than {MAX_DEPTH} levels"
    assert results["metadata"]["json"] is None and len(results["metadata"]["body"]) <= 600
    assert results["holdout"]["predictions"] == [{"probability": 0.25, "label": 0}] * 5
    assert results["latency"]["singles"] == 3 and results["latency"]["batch_predictions"] == 4
    assert [p["status"] for p in results["probes"]] == [422, 200]
    assert results["probes"][1]["predictions"] == [{"probability": 0.25, "label": 0}]
    assert results["alive_at_end"] is True and results["gave_up"] == ""
    assert (tmp_path / "results.json").stat().st_size < 20_000
