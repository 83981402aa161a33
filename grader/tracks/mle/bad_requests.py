"""The bad requests sent to a model server's /predict, and how each answer is judged: a 4xx is
right, a 5xx or no answer is wrong, and the server must still answer /health afterwards. A
request that is served must get one prediction per record (an empty batch: none).

Some requests may also be served (200): an extra field ignored, an empty batch, a huge batch;
an unseen category *should* get a prediction (a 4xx earns half), and a missing field or a
wrong type served with a guess earns half."""

from __future__ import annotations

import json
from typing import Any

from grader.checks import CheckResult
from grader.tracks.mle.config import MleConfig

ACCEPT_200 = {"extra-field": 1.0, "empty-batch": 1.0, "huge-batch": 1.0,
              "unseen-category": 1.0, "missing-field": 0.5, "wrong-type": 0.5}
FOUR_XX = {"unseen-category": 0.5}
NAMES = ("missing-field", "wrong-type", "extra-field", "unseen-category", "empty-batch",
         "null-record", "not-an-object", "huge-batch", "malformed-json", "wrong-content-type")


def bad_request_probes(cfg: MleConfig, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The prober's plan entries: {name, body (text), content_type?, keep_predictions?}."""
    required = cfg.required_fields
    good = next(r for r in records if all(r.get(f) is not None for f in required))
    first_field = required[0]
    missing = {k: v for k, v in good.items() if k != first_field}
    unseen = cfg.unseen_category
    categorical = unseen.field if unseen else next(
        (k for k, v in good.items() if isinstance(v, str) and k in required), None)
    unseen_value = unseen.value if unseen else "never-seen-category"
    huge = (records * (cfg.huge_batch // len(records) + 1))[:cfg.huge_batch]
    bodies: list[tuple[str, Any]] = [
        ("missing-field", {"records": [missing]}),
        ("wrong-type", {"records": [{**good, first_field: "a lot"}]}),
        ("extra-field", {"records": [{**good, "favourite_colour": "green"}]}),
        ("unseen-category", {"records": [{**good, categorical: unseen_value}]
                             if categorical else [good]}),
        ("empty-batch", {"records": []}),
        ("null-record", {"records": [None]}),
        ("not-an-object", [1, 2, 3]),
        ("huge-batch", {"records": huge}),
    ]
    probes: list[dict[str, Any]] = [
        {"name": n, "body": json.dumps(body), "keep_predictions": n == "unseen-category",
         "records": len(body["records"]) if isinstance(body, dict) else None}
        for n, body in bodies]
    probes.append({"name": "malformed-json", "body": '{"records": [{"' + first_field})
    probes.append({"name": "wrong-content-type", "body": f"{first_field}=3",
                   "content_type": "application/x-www-form-urlencoded"})
    return probes


def robustness_checks(results: dict[str, Any]) -> list[CheckResult]:
    """robust.<name> per bad request, and robust.still-up. A request the prober never sent
    (it had given up on a server too slow to answer, or spent its budget) is not run."""
    checks = []
    listed = results.get("probes")
    if not isinstance(listed, list):  # the step broke (judge names it) or never ran
        why = results.get("gave_up") or "the prober recorded no bad requests"
        listed = [{"name": n, "skipped": True, "body": f"not sent: {why}"} for n in NAMES]
    probes = [p for p in listed if isinstance(p, dict) and str(p.get("name", "")) in NAMES]
    for p in probes:
        name, status = str(p.get("name")), p.get("status")
        sent, got = p.get("records"), p.get("n_predictions")
        title = f"Bad request: {name}"
        if p.get("prober_error"):
            checks.append(CheckResult.error(f"robust.{name}", f"the prober broke on this "
                                            f"request ({str(p['prober_error'])[:300]}): a bug "
                                            "in grader, not the candidate's doing",
                                            title=title))
            continue
        if p.get("skipped"):
            why = str(p.get("body", "")).removeprefix("not sent: ")
            checks.append(CheckResult.not_run(f"robust.{name}", why[:400],
                                              blocked_by="api.predict-contract", title=title))
            continue
        problem = str(p.get("problem") or "")
        shown = f"POST /predict ({name}) -> {status or 'no answer'}"
        if not status and p.get("body"):
            shown += f" ({str(p['body'])[:200]})"
        elif status == 200 and problem:
            shown += f", but {problem[:200]}"
        evidence = {"status": status, "body": str(p.get("body", ""))[:600],
                    "ms": p.get("ms"), "alive_after": p.get("alive_after"),
                    "records": p.get("records"), "predictions": p.get("n_predictions")}
        if isinstance(status, int) and 400 <= status < 500:
            points = FOUR_XX.get(name, 1.0)
        elif status == 200 and problem:
            points = 0.0  # served, but with nothing readable as predictions
        elif status == 200 and isinstance(sent, int) and "n_predictions" in p and got != sent:
            points = 0.0
            shown += f" with {got} prediction(s) for {sent} record(s)"
        elif status == 200:
            points = ACCEPT_200.get(name, 0.0)
        else:
            points = 0.0
        if p.get("alive_after") is False:
            points = 0.0
            shown += "; the server stopped answering /health afterwards"
        checks.append(CheckResult(id=f"robust.{name}", status="passed" if points == 1
                                  else "failed", points=points, title=title,
                                  message=shown, evidence=evidence))
    alive = results.get("alive_at_end")
    title = "The server survives bad requests"
    if alive is True:
        checks.append(CheckResult.passed("robust.still-up", "the server still answers "
                                         "/health after every bad request", title=title))
    elif alive is False:
        checks.append(CheckResult.failed("robust.still-up", "the server stopped answering "
                                         "/health", title=title))
    elif results.get("server_exited"):
        checks.append(CheckResult.failed("robust.still-up", str(results["server_exited"])[:400],
                                         title=title))
    else:
        why = str(results.get("gave_up") or "the prober did not ask")
        checks.append(CheckResult.not_run("robust.still-up", why[:400],
                                          blocked_by="api.predict-contract", title=title))
    return checks
