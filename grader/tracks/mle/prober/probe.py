"""Probe a candidate's model server from a separate container (standard library only).

    python probe.py --base-url http://app:8000 --wait 60 --plan plan.json --out results.json

plan.json (written by grader on the host; it holds features, never labels):
    {"records": [...], "batch_size": 100, "singles": 300, "singles_budget_seconds": 20,
     "big_batch": 1000, "predict_only": false,
     "determinism": [{"name": "nulls", "records": [...]}, ...],
     "probes": [{"name": ..., "body": "<text>", "content_type": "application/json",
                 "records": <how many records the body holds, or null>,
                 "keep_predictions": bool}, ...]}

results.json: readiness, /metadata, the predictions for `records` in order (or the error of
each failed batch), each determinism group's two answers, latencies (single-record calls and
one big batch, with how many predictions each answer held) and, for each probe, the status, a
body excerpt, how many predictions came back and whether /health still answered afterwards.
With `predict_only` (a second server, for reproducibility) only readiness and the records'
predictions. The server's answers are untrusted: everything is size-capped and written as
received; grader judges it on the host.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import time
from typing import Any
from urllib.parse import urlsplit

BODY_CAP = 64 * 1024 * 1024   # the biggest answer read (a 1,000-record batch is ~100 KB)
EXCERPT = 600


class Server:
    def __init__(self, base_url: str, timeout: float) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "app", parts.port or 80
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None,
                content_type: str = "application/json") -> tuple[int, bytes, float]:
        """(status, body, seconds); status 0 when no HTTP answer came back."""
        for attempt in (1, 2):  # one retry on a dropped keep-alive connection
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port,
                                                       timeout=self.timeout)
            started = time.perf_counter()
            try:
                headers = {"Content-Type": content_type} if body is not None else {}
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read(BODY_CAP + 1)
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return response.status, data, time.perf_counter() - started
            except (OSError, http.client.HTTPException) as exc:
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if attempt == 2 or isinstance(exc, TimeoutError):
                    return 0, f"{type(exc).__name__}: {exc}".encode(), (
                        time.perf_counter() - started)
        raise AssertionError("unreachable")

    def post_json(self, path: str, payload: Any) -> tuple[int, bytes, float]:
        return self.request("POST", path, json.dumps(payload).encode())


def excerpt(data: bytes) -> str:
    return data[:EXCERPT].decode("utf-8", "replace")


def parse(data: bytes) -> Any:
    try:
        return json.loads(data) if len(data) <= BODY_CAP else None
    except ValueError:
        return None


def wait_ready(server: Server, seconds: float) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    last, last_status, last_body = "", 0, ""
    while time.monotonic() < deadline:
        status, body, _ = server.request("GET", "/health")
        if status == 200:
            return {"ready": True, "seconds": round(time.monotonic() - started, 2)}
        last = f"HTTP {status}" if status else excerpt(body)[:200]
        last_status, last_body = status, excerpt(body)[:300] if status else ""
        time.sleep(0.5)
    return {"ready": False, "last_error": last, "last_status": last_status,
            "last_body": last_body, "seconds": seconds}


def predictions_of(status: int, body: bytes) -> list[Any] | None:
    """The `predictions` list of a 200 answer, or None."""
    data = parse(body) if status == 200 else None
    preds = data.get("predictions") if isinstance(data, dict) else None
    return preds if isinstance(preds, list) else None


def predictions(server: Server, records: list[dict[str, Any]], size: int) -> dict[str, Any]:
    out: list[Any] = []
    errors = []
    for start in range(0, len(records), size):
        batch = records[start:start + size]
        status, body, _ = server.post_json("/predict", {"records": batch})
        preds = predictions_of(status, body)
        if preds is None or len(preds) != len(batch):
            errors.append({"first_record": start, "records": len(batch), "status": status,
                           "predictions": None if preds is None else len(preds),
                           "body": excerpt(body)})
            out.extend([None] * len(batch))
        else:
            out.extend(preds)
    return {"predictions": out, "errors": errors[:20], "failed_batches": len(errors)}


def determinism(server: Server, groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each group of records sent twice: both answers' statuses and predictions."""
    out = []
    for group in groups:
        answers = [server.post_json("/predict", {"records": group["records"]})
                   for _ in range(2)]
        out.append({"name": group["name"], "records": len(group["records"]),
                    "status": [a[0] for a in answers],
                    "predictions": [predictions_of(a[0], a[1]) for a in answers]})
    return out


def latency(server: Server, records: list[dict[str, Any]], singles: int,
            big: int, budget: float) -> dict[str, Any]:
    """`singles` one-record calls (stopping early, after at least 30, once `budget` seconds
    are spent: a slow server is measured, not waited for) and one `big`-record batch."""
    times, failures = [], 0
    first_failure: dict[str, Any] | None = None
    started = time.monotonic()
    for i in range(singles):
        if i >= 30 and time.monotonic() - started > budget:
            break
        status, body, seconds = server.post_json("/predict", {"records": [records[i % len(
            records)]]})
        preds = predictions_of(status, body)
        if preds is not None and len(preds) == 1:
            times.append(seconds * 1000)
        else:
            failures += 1
            if first_failure is None:
                first_failure = {"status": status, "body": excerpt(body)[:300]}
    batch = (records * (big // max(1, len(records)) + 1))[:big]
    status, body, seconds = server.post_json("/predict", {"records": batch})
    preds = predictions_of(status, body)
    result: dict[str, Any] = {"singles": len(times), "single_failures": failures,
                              "singles_attempted": len(times) + failures,
                              "first_single_failure": first_failure,
                              "batch_size": big, "batch_status": status,
                              "batch_predictions": None if preds is None else len(preds),
                              "batch_ms": round(seconds * 1000, 1)}
    if times:
        ordered = sorted(times)
        result["p50_ms"] = round(statistics.median(ordered), 2)
        result["p95_ms"] = round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 2)
        result["max_ms"] = round(ordered[-1], 2)
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--wait", type=float, default=60)
    parser.add_argument("--plan", default="plan.json")
    parser.add_argument("--out", default="results.json")
    parser.add_argument("--timeout", type=float, default=30)
    args = parser.parse_args()
    with open(args.plan) as f:
        plan = json.load(f)
    server = Server(args.base_url, args.timeout)
    results: dict[str, Any] = {"ready": wait_ready(server, args.wait)}

    def save() -> None:
        with open(args.out, "w") as f:
            json.dump(results, f)

    save()
    if not results["ready"]["ready"]:
        return 0
    if plan.get("predict_only"):
        results["holdout"] = predictions(server, plan["records"],
                                         int(plan.get("batch_size", 100)))
        save()
        return 0
    status, body, _ = server.request("GET", "/metadata")
    results["metadata"] = {"status": status, "json": parse(body) if status == 200 else None,
                           "body": excerpt(body)}
    records = plan["records"]
    started = time.monotonic()
    results["holdout"] = predictions(server, records, int(plan.get("batch_size", 100)))
    results["holdout"]["seconds"] = round(time.monotonic() - started, 2)
    save()
    results["determinism"] = determinism(server, plan.get("determinism", []))
    results["latency"] = latency(server, records, int(plan.get("singles", 300)),
                                 int(plan.get("big_batch", 1000)),
                                 float(plan.get("singles_budget_seconds", 20)))
    save()
    probes = []
    for probe in plan.get("probes", []):
        status, body, seconds = server.request("POST", "/predict", probe["body"].encode(),
                                               probe.get("content_type", "application/json"))
        alive, _, _ = server.request("GET", "/health")
        preds = predictions_of(status, body)
        probes.append({"name": probe["name"], "status": status, "body": excerpt(body),
                       "ms": round(seconds * 1000, 1), "alive_after": alive == 200,
                       "records": probe.get("records"),
                       "n_predictions": None if preds is None else len(preds),
                       "predictions": preds if probe.get("keep_predictions") else None})
    results["probes"] = probes
    alive, _, _ = server.request("GET", "/health")
    results["alive_at_end"] = alive == 200
    save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
