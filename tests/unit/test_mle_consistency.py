"""Whether a record's answer is its own (no Docker): skew, order and non-determinism told apart
by the consistency calls, shared state seen under concurrent clients (and a queue not taken
for it), the order flaw no longer called non-determinism, the plan drawing the records per
grading, and the prober's concurrent clients against a real threaded server."""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from grader.checks import CheckResult
from grader.tracks.mle.consistency import concurrency_check, consistency_check
from grader.tracks.mle.metrics import is_permutation
from grader.tracks.mle.plan import CONCURRENT_BATCHES, CONSISTENCY_RECORDS, Draw, plan
from grader.tracks.mle.prober.probe import concurrency
from grader.tracks.mle.prober.probe_http import Server
from tests.unit.test_mle_judging import (
    ALONE,
    CFG,
    DATA,
    K,
    checks_of,
    concurrency_step,
    consistency_calls,
    results,
)

PASSED = CheckResult.passed("api.deterministic", "same")


def probs(values: list[float]) -> list[dict[str, Any]]:
    return [{"probability": v, "label": int(v > 0.5)} for v in values]


def alone_values() -> list[float]:
    return [float(p["probability"]) for p in ALONE]


def judged(batch: list[float], again: list[float] | None = None,
           shuffled: list[float] | None = None) -> CheckResult:
    calls = consistency_calls(probs(batch), probs(again) if again else None,
                              probs(shuffled) if shuffled else None)
    return consistency_check(results(consistency=calls))


def test_the_same_answers_alone_in_a_batch_and_shuffled_pass() -> None:
    check = judged(alone_values())
    assert check.status == "passed" and check.message.startswith("30 customers answered")


def test_skew_is_named_with_numbers() -> None:
    """Batch-computed codes: the batch's answers are not the single-record ones, and not
    a reordering of them either."""
    skewed = [min(v + 0.05 * (i % 3), 0.999) for i, v in enumerate(alone_values())]
    check = judged(skewed)
    assert check.status == "failed" and check.evidence["kinds"] == ["skew"]
    assert "a record's answer depends on the other records of its call" in check.message
    assert "20 of 30 differ" in check.message and "largest 0.100" in check.message
    ranked = results(consistency=consistency_calls(probs(skewed)))
    ranked["latency"] = {**ranked["latency"], "single_scores": [0.1, 0.9, None] * 40,
                         "single_labels": [0, 1, 1] * 40}
    check = consistency_check(ranked, 0.8)
    assert check.message.endswith("; one at a time, 80 fresh customers are ranked with an "
                                  "AUC of 1.000, against 0.800 for the holdout in batches")


def test_order_is_told_apart_from_skew() -> None:
    """Answers grouped by a column: the right values, in other places."""
    values = alone_values()
    grouped = [values[i] for i in sorted(range(K), key=lambda i: (i % 3, i))]
    check = judged(grouped, shuffled=grouped)
    assert check.status == "failed" and check.evidence["kinds"] == ["order"]
    assert "come back in another order than its records" in check.message
    assert "another customer's answer" in check.message


def test_an_encoding_that_follows_arrival_order_is_skew() -> None:
    values = alone_values()
    moved = [v + 0.03 if i % 2 else v for i, v in enumerate(values)]
    check = judged(values, shuffled=moved)
    assert check.status == "failed" and check.evidence["kinds"] == ["skew"]
    assert "depends on where it stands in its call" in check.message


def test_non_determinism_is_left_out_not_called_skew() -> None:
    values = alone_values()
    noisy = [v + (0.01 if i < 3 else 0.0) for i, v in enumerate(values)]
    batch = [v + (0.02 if i < 3 else 0.0) for i, v in enumerate(values)]
    check = judged(batch, again=noisy)
    assert check.status == "passed" and "3 record(s) whose answer varied" in check.message
    every = judged([v + 0.02 for v in values], again=[v + 0.04 for v in values])
    assert every.status == "skipped" and "non-determinism" in every.message


def test_nothing_sent_or_answered_is_not_run() -> None:
    res = results(consistency=[])
    assert consistency_check(res).status == "not_run"
    short = consistency_calls(probs(alone_values()[:10]))
    assert consistency_check(results(consistency=short)).status == "not_run"


def test_shared_state_under_concurrency_is_named() -> None:
    """Other requests' answers, short answers and 500s under parallel clients."""
    other = {0: probs([0.2, 0.2, 0.2]), 1: probs([0.1, 0.7])}
    check = concurrency_check(results(concurrency=concurrency_step(other)), PASSED)
    assert check.status == "failed" and "state shared between requests" in check.message
    assert "4 got a wrong number of predictions" in check.message
    errors = concurrency_step(status=500, body="Internal Server Error")
    check = concurrency_check(results(concurrency=errors), PASSED)
    assert "4 answered 500 (Internal Server Error)" in check.message
    swapped = concurrency_step({0: probs([0.1, 0.71])})
    check = concurrency_check(results(concurrency=swapped), PASSED)
    assert "2 got other probabilities than the same call made alone" in check.message


def test_a_queue_is_not_shared_state_and_noise_is_not_judged() -> None:
    late = concurrency_step(late=True, status=0, predictions=None)
    check = concurrency_check(results(concurrency=late), PASSED)
    assert check.status == "passed" and "(a queue, judged by latency)" in check.message
    turned_away = concurrency_step(status=503, predictions=None)
    check = concurrency_check(results(concurrency=turned_away), PASSED)
    assert check.status == "passed" and "503, a refusal under load" in check.message
    noisy = CheckResult.failed("api.deterministic", "x", evidence={
        "moved": ["20 complete records sent twice (largest change 0.1)"]})
    other = concurrency_step({0: probs([0.3, 0.3])})
    assert concurrency_check(results(concurrency=other), noisy).status == "skipped"
    assert concurrency_check(results(concurrency={}), PASSED).status == "not_run"


def test_the_order_flaw_is_not_called_non_deterministic() -> None:
    """The leak calls go out in their own orders: a server answering grouped by a column
    returns them in other places, which is order, not non-determinism."""
    res = results()
    rng = random.Random(3)
    base = [round(rng.random(), 6) for _ in range(len(res["probes"][0]["predictions"]))]
    for probe, key in zip(res["probes"][:3], (1, 2, 3), strict=True):
        probe["predictions"] = probs(sorted(base, key=lambda v, k=key: (v * 1000 * k) % 1))
    checks = checks_of(res)
    assert checks["api.deterministic"].status == "passed"
    assert "an order flaw: api.consistent" in checks["api.deterministic"].message
    # nor a leak: changing account_ref moved no answer, it only put them in other places
    assert checks["model.leak-free"].status == "passed"
    assert "an order flaw" in checks["model.leak-free"].message


def test_permutations_within_a_tolerance() -> None:
    assert is_permutation([0.1, 0.2, 0.3], [0.3, 0.1, 0.2], 1e-4)
    assert is_permutation([0.1, 0.2, 0.3], [0.30005, 0.1, None], 1e-4)
    assert not is_permutation([0.1, 0.2, 0.3], [0.3, 0.3, 0.1], 1e-4)
    assert not is_permutation([0.1], [0.1, 0.1], 1e-4) and not is_permutation([], [], 1e-4)


def test_the_plan_draws_consistency_and_concurrency_records_per_grading() -> None:
    draws = [Draw.new(CFG, DATA.holdout_rows, random.Random(seed)) for seed in (1, 2)]
    plans = [plan(CFG, d, DATA.train_csv) for d in draws]
    first, second = plans
    kept = first["latency"]["singles"][:CONSISTENCY_RECORDS]
    assert first["latency"]["keep"] == CONSISTENCY_RECORDS
    calls = {c["name"]: c["records"] for c in first["consistency"]}
    assert calls["batch"] == kept == calls["batch-again"]
    assert calls["shuffled"] == [kept[i] for i in draws[0].shuffled] != kept
    assert all(all(r.get(f) is not None for f in CFG.required_fields) for r in kept)
    batches = first["concurrency"]["batches"]
    assert len(batches) == CONCURRENT_BATCHES and first["concurrency"]["clients"] == 8
    assert all(5 <= len(b) <= 15 for b in batches)  # sizes drawn: a swap miscounts
    sent = json.dumps([first["records"], first["latency"]])
    assert all(json.dumps(r) not in sent for b in batches for r in b[:2])  # sent nowhere else
    assert batches != second["concurrency"]["batches"]
    assert calls["batch"] != {c["name"]: c["records"] for c in second["consistency"]}["batch"]
    assert draws[0].after_move() and all(r not in kept for r in draws[0].after_move())
    labels = draws[0].realign({"latency": {}}, CFG)["latency"]["single_labels"]
    singles = first["latency"]["singles"]
    assert len(labels) == len(singles) and set(labels) == {0, 1}
    assert "single_labels" not in json.dumps(first)  # outcomes stay on the host


class SharedState(BaseHTTPRequestHandler):
    """A threaded server that keeps each request's records in one shared place and waits a
    little before answering from it: concurrent requests get each other's answers."""

    protocol_version = "HTTP/1.1"
    shared: ClassVar[list[Any]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).shared = body["records"]
        threading.Event().wait(0.05)
        answer = json.dumps({"predictions": [{"probability": r["x"], "label": 0}
                                             for r in type(self).shared]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


@pytest.fixture
def shared_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SharedState)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_prober_s_clients_run_at_once_and_find_shared_state(shared_server: str) -> None:
    server = Server(shared_server)
    server.start_budget(60)
    batches = [[{"x": round(0.01 * (b * 20 + i), 4)} for i in range(3 + b)] for b in range(6)]
    step = concurrency(server, {"batches": batches, "clients": 6, "rounds": 2}, 5.0)
    assert len(step["sequential"]) == 6 and len(step["concurrent"]) == 12
    assert all(c["status"] == 200 for c in step["sequential"])
    assert step["seconds"] < 5  # in parallel: twelve 50 ms calls, not one after the other
    check = concurrency_check(results(concurrency=step), PASSED)
    assert check.status == "failed" and "got a wrong number of predictions" in check.message
    assert K == CONSISTENCY_RECORDS
