"""Probe a candidate's model server from a separate container (standard library only).

    python probe.py --base-url http://app:8000 --wait 60 --budget 180 --plan plan.json \
        --out results.json

plan.json (written by grader on the host; features only, never labels):
    {"records": [...], "batch_size": 100, "request_seconds": 10, "predict_only": false,
     "determinism": [{"name": "missing-values", "records": [...]}, ...],
     "latency": {"singles": [...], "batch": [...], "singles_budget_seconds": 20, "keep": 30},
     "consistency": [{"name": "batch", "records": [...]}, {"name": "batch-again", ...},
                     {"name": "shuffled", ...}],
     "concurrency": {"batches": [[...], ...], "clients": 8, "rounds": 2},
     "probes": [{"name": ..., "body": "<text>", "content_type": "application/json",
                 "records": <how many records the body holds, or null>,
                 "keep_predictions": bool}, ...]}

results.json: readiness, /metadata, the predictions for `records` in the order sent (or why
each failed batch failed), each determinism group's two answers, latencies (single-record
calls and one batch, on records sent nowhere else; the first `keep` single-record answers
kept), the consistency calls (those records again as one batch, twice, and shuffled), the
concurrency calls (each batch once, then all of them again from parallel clients) and, for
each probe, the status, a body excerpt, how many predictions came back and whether /health
still answered afterwards. With
`predict_only` (a second server, for reproducibility; the same server once its artifact was
moved away) only readiness and the predictions; with `skip_ready` /health is not asked.

The server's answers are hostile until judged on the host: every exchange goes through
probe_http.py (a deadline per request, a budget for all, a cap per body, bounded JSON), and
each step runs on its own, so one that breaks is recorded as broken and the next still runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import threading
import time
from typing import Any

if __package__:
    from grader.tracks.mle.prober.probe_http import (
        HEALTH_SECONDS,
        JSON,
        SMALL_CAP,
        STALLS,
        Server,
        parse,
        predict_cap,
        predict_seconds,
        predictions_of,
    )
else:  # run as a script in the prober's container, beside probe_http.py
    from probe_http import (  # type: ignore[import-not-found,no-redef]
        HEALTH_SECONDS,
        JSON,
        SMALL_CAP,
        STALLS,
        Server,
        parse,
        predict_cap,
        predict_seconds,
        predictions_of,
    )


def wait_ready(server: Server, seconds: float) -> dict[str, Any]:
    """Until /health answers 200, for at most `seconds`; a server that answers it too slowly
    (bytes trickling in past the deadline, STALLS times) is given up at once."""
    started = time.monotonic()
    deadline, drips = started + seconds, 0
    last, last_status, last_body = "", 0, ""
    while time.monotonic() < deadline:
        left = deadline - time.monotonic()
        answer = server.request("GET", "/health", seconds=min(HEALTH_SECONDS, left),
                                stall=False)
        if answer.status == 200:
            return {"ready": True, "seconds": round(time.monotonic() - started, 2)}
        last = f"HTTP {answer.status}" if answer.status else answer.error[:200]
        last_status, last_body = answer.status, answer.excerpt()[:300] if answer.status else ""
        if answer.late and answer.received:
            drips += 1
            if drips >= STALLS:
                return {"ready": False, "too_slow": answer.error, "last_error": last,
                        "last_status": 0, "last_body": "",
                        "seconds": round(time.monotonic() - started, 2)}
        time.sleep(0.5)
    return {"ready": False, "last_error": last, "last_status": last_status,
            "last_body": last_body, "seconds": seconds}


def metadata(server: Server) -> dict[str, Any]:
    answer = server.request("GET", "/metadata", cap=SMALL_CAP, seconds=10.0)
    out: dict[str, Any] = {"status": answer.status, "body": answer.excerpt(),
                           "skipped": answer.skipped}
    if answer.status == 200:
        out["json"], out["problem"] = parse(answer, "the /metadata answer")
    return out


def predictions(server: Server, records: list[Any], size: int, base: float) -> dict[str, Any]:
    out: list[Any] = []
    errors = []
    for start in range(0, len(records), size):
        batch = records[start:start + size]
        answer = server.predict({"records": batch}, len(batch), base)
        preds, problem = predictions_of(answer)
        if preds is None or len(preds) != len(batch):
            errors.append({"first_record": start, "records": len(batch),
                           "status": answer.status, "skipped": answer.skipped,
                           "predictions": None if preds is None else len(preds),
                           "problem": problem[:300], "body": answer.excerpt()})
            out.extend([None] * len(batch))
        else:
            out.extend(preds)
    return {"predictions": out, "errors": errors[:20], "failed_batches": len(errors),
            "skipped_batches": sum(1 for e in errors if e["skipped"])}


def determinism(server: Server, groups: list[dict[str, Any]], base: float) -> list[Any]:
    """Each group of records sent twice: both answers' statuses and predictions."""
    out = []
    for group in groups:
        records = group["records"]
        answers = [server.predict({"records": records}, len(records), base) for _ in range(2)]
        out.append({"name": group["name"], "records": len(records),
                    "status": [a.status for a in answers],
                    "skipped": any(a.skipped for a in answers),
                    "predictions": [predictions_of(a)[0] for a in answers]})
    return out


def latency(server: Server, spec: dict[str, Any], base: float) -> dict[str, Any]:
    """One-record calls (stopping early, after at least 30, once the singles' budget is
    spent: a slow server is measured, not waited for) and one batch, each on records sent
    nowhere else in this grading (a server that remembers answers gains nothing)."""
    singles, big = spec.get("singles") or [], spec.get("batch") or []
    budget = float(spec.get("singles_budget_seconds", 20))
    keep = int(spec.get("keep", 0))
    times: list[float] = []
    kept: list[Any] = []
    scores: list[Any] = []
    failures = 0
    first_failure: dict[str, Any] | None = None
    started = time.monotonic()
    for i, record in enumerate(singles):
        if (i >= max(30, keep) and time.monotonic() - started > budget) or server.gave_up:
            break
        answer = server.predict({"records": [record]}, 1, base)
        preds, problem = predictions_of(answer)
        one = preds[0] if preds is not None and len(preds) == 1 else None
        if i < keep:
            kept.append(one)
        scores.append(one.get("probability") if isinstance(one, dict) else None)
        if preds is not None and len(preds) == 1:
            times.append(answer.seconds * 1000)
        else:
            failures += 1
            if first_failure is None:
                first_failure = {"status": answer.status, "body": answer.excerpt()[:300],
                                 "problem": problem[:300]}
    answer = server.predict({"records": big}, len(big), base)
    preds, problem = predictions_of(answer)
    result: dict[str, Any] = {"singles": len(times), "single_failures": failures,
                              "singles_attempted": len(times) + failures,
                              "first_single_failure": first_failure,
                              "batch_size": len(big), "batch_status": answer.status,
                              "batch_skipped": answer.skipped,
                              "batch_problem": problem[:300],
                              "batch_predictions": None if preds is None else len(preds),
                              "batch_ms": round(answer.seconds * 1000, 1),
                              "single_predictions": kept, "single_scores": scores}
    if times:
        ordered = sorted(times)
        result["p50_ms"] = round(statistics.median(ordered), 2)
        result["p95_ms"] = round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 2)
        result["max_ms"] = round(ordered[-1], 2)
    return result


def consistency(server: Server, calls: list[dict[str, Any]], base: float) -> list[Any]:
    """The consistency records (already answered one at a time in the latency step) as one
    batch, the same batch again, and shuffled: each call's status and predictions."""
    out = []
    for call in calls:
        records = call["records"]
        answer = server.predict({"records": records}, len(records), base)
        preds, problem = predictions_of(answer)
        out.append({"name": call["name"], "records": len(records), "status": answer.status,
                    "skipped": answer.skipped, "problem": problem[:300],
                    "predictions": preds})
    return out


def _call(server: Server, batch: int, records: list[Any], base: float,
          client: int = -1) -> dict[str, Any]:
    answer = server.predict({"records": records}, len(records), base)
    preds, problem = predictions_of(answer)
    return {"batch": batch, "client": client, "records": len(records),
            "status": answer.status, "skipped": answer.skipped, "late": answer.late,
            "problem": problem[:200], "body": "" if preds is not None else answer.excerpt()[:200],
            "ms": round(answer.seconds * 1000, 1), "predictions": preds}


def concurrency(server: Server, spec: dict[str, Any], base: float) -> dict[str, Any]:
    """Each batch once, one call at a time; then `rounds` calls per client from `clients`
    threads started together (each with its own connection, the same budget), batches
    rotated so that different requests overlap. A concurrent call gets three times the
    usual deadline: a server that queues the calls is slow, not wrong."""
    batches = spec.get("batches") or []
    clients, rounds = int(spec.get("clients", 8)), int(spec.get("rounds", 2))
    sequential = [_call(server, i, batch, base) for i, batch in enumerate(batches)]
    if not batches or server.gave_up:
        return {"sequential": sequential, "concurrent": [], "clients": clients}
    calls: list[list[dict[str, Any]]] = [[] for _ in range(clients)]
    start = threading.Barrier(clients)

    def client(index: int) -> None:
        own = Server(f"http://{server.host}:{server.port}")
        own.budget, own.budget_end = server.budget, server.budget_end
        with contextlib.suppress(threading.BrokenBarrierError):
            start.wait(timeout=30)
        for r in range(rounds):
            b = (index * rounds + r) % len(batches)
            calls[index].append(_call(own, b, batches[b], base * 3, index))
        own.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"sequential": sequential, "concurrent": [c for per in calls for c in per],
            "clients": clients, "rounds": rounds,
            "seconds": round(time.monotonic() - started, 2)}


def alive(server: Server) -> bool | None:
    """Whether /health answers 200; None when it was not asked (the server was given up)."""
    answer = server.request("GET", "/health", seconds=HEALTH_SECONDS)
    return None if answer.skipped else answer.status == 200


def probe(server: Server, spec: dict[str, Any], base: float) -> dict[str, Any]:
    records = spec.get("records")
    count = records if isinstance(records, int) else 1
    answer = server.request("POST", "/predict", spec["body"].encode(),
                            spec.get("content_type", JSON), cap=predict_cap(count),
                            seconds=predict_seconds(count, base))
    preds, problem = predictions_of(answer)
    return {"name": spec["name"], "status": answer.status, "body": answer.excerpt(),
            "skipped": answer.skipped, "problem": problem[:300],
            "ms": round(answer.seconds * 1000, 1), "alive_after": alive(server),
            "records": records, "n_predictions": None if preds is None else len(preds),
            "predictions": preds if spec.get("keep_predictions") else None}


def probes(server: Server, specs: list[dict[str, Any]], base: float, out: list[Any],
           save: Any) -> list[Any]:
    """Each probe in turn into `out`, saved after each (a server that dies on one leaves the
    ones before it recorded)."""
    for spec in specs:  # one probe that breaks the prober is that probe's finding only
        try:
            out.append(probe(server, spec, base))
        except Exception as exc:
            out.append({"name": spec.get("name"), "status": 0, "records": spec.get("records"),
                        "prober_error": f"{type(exc).__name__}: {exc}"[:300]})
        save()
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--wait", type=float, default=60)
    parser.add_argument("--budget", type=float, default=180)
    parser.add_argument("--plan", default="plan.json")
    parser.add_argument("--out", default="results.json")
    args = parser.parse_args()
    with open(args.plan) as f:
        plan = json.load(f)
    server = Server(args.base_url)
    results: dict[str, Any] = {"ready": {"ready": True, "seconds": 0.0, "not_asked": True}
                               if plan.get("skip_ready") else wait_ready(server, args.wait)}

    def save() -> None:
        with open(args.out, "w") as f:
            json.dump(results, f)

    save()
    if not results["ready"]["ready"]:
        return 0
    server.start_budget(args.budget)
    base, size = float(plan.get("request_seconds", 10)), int(plan.get("batch_size", 100))
    records = plan["records"]
    steps: list[tuple[str, Any]] = [
        ("metadata", lambda: metadata(server)),
        ("holdout", lambda: predictions(server, records, size, base)),
        ("determinism", lambda: determinism(server, plan.get("determinism", []), base)),
        ("latency", lambda: latency(server, plan.get("latency") or {}, base)),
        ("consistency", lambda: consistency(server, plan.get("consistency") or [], base)),
        ("concurrency", lambda: concurrency(server, plan.get("concurrency") or {}, base)),
        ("probes", lambda: probes(server, plan.get("probes", []), base,
                                  results.setdefault("probes", []), save)),
        ("alive_at_end", lambda: alive(server))]
    if plan.get("predict_only"):
        steps = [step for step in steps if step[0] == "holdout"]
    started = time.monotonic()
    timings: dict[str, float] = results.setdefault("step_seconds", {})
    for name, step in steps:  # each on its own: a step that breaks is that step's finding
        began = time.monotonic()
        try:
            results[name] = step()
        except Exception as exc:
            results[name] = {"prober_error": f"{type(exc).__name__}: {exc}"[:500]}
        timings[name] = round(time.monotonic() - began, 2)
        results["gave_up"] = server.gave_up
        results["seconds"] = round(time.monotonic() - started, 2)
        save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
