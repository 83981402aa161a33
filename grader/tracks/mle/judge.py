"""Judging a model server from the prober's results, on the host: the /predict contract in
every call, the model's checks (`model_checks.py`: AUC, leak, determinism, /metadata), the bad
requests and latency.

The contract is one prediction per record, in every call: the holdout batches, the leak and
usage probes, the determinism calls, the latency batch and any bad request that was served;
and each prediction is the record's own (`consistency.py`: alone, in a batch, shuffled and
under concurrent clients). The
checks that depend on serving (model quality, /metadata, determinism, robustness, latency) are
scaled by the share of holdout records that got a valid prediction: a server that answers a
third of the customers cannot earn full marks for how fast or how robustly it does so."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from grader.checks import CheckResult
from grader.tracks.mle.bad_requests import NAMES, robustness_checks
from grader.tracks.mle.config import LatencyScale, MleConfig
from grader.tracks.mle.consistency import concurrency_check, consistency_check
from grader.tracks.mle.metrics import label, probability
from grader.tracks.mle.model_checks import (
    auc_check,
    determinism_check,
    items,
    leak_check,
    mapping,
    metadata_check,
)

#: Checks scaled by the share of holdout records served.
SCALED = ("model.holdout-auc", "api.metadata", "api.deterministic", "api.consistent",
          "api.concurrent", "robust.*", "latency.*")


def judge(results: dict[str, Any], data: Any, cfg: MleConfig) -> list[CheckResult]:
    """Every check of a model that was served and probed."""
    holdout = mapping(results.get("holdout"))
    preds = items(holdout.get("predictions"))
    labels: list[int] = data.holdout_labels
    rows: list[dict[str, Any]] = data.holdout_rows
    n_valid = sum(1 for pred in preds[:len(labels)]
                  if probability(pred) is not None and label(pred) is not None)
    share = n_valid / len(labels)
    leak = (leak_check(results, cfg, cfg.probe_records, rows, preds[:len(labels)])
            if cfg.leaky_column else None)
    determinism = determinism_check(results, cfg, leak)
    fields = sorted({k for r in rows[:cfg.usage_records] for k in r})
    quality = auc_check(data, cfg, labels, preds[:len(labels)], share)
    checks = [contract_check(results, holdout, n_valid, len(labels)), quality]
    checks += [leak] if leak is not None else []
    checks.append(metadata_check(results, cfg, determinism.status == "passed", fields,
                                 min(cfg.usage_records, len(rows))))
    auc = quality.evidence.get("auc")
    checks += [determinism, consistency_check(results, auc if isinstance(auc, float) else None),
               concurrency_check(results, determinism)]
    checks += robustness_checks(results)
    checks += latency_checks(results, cfg.latency_ms)
    checks = [scale(c, share) if share < 1 and any(fnmatchcase(c.id, p) for p in SCALED)
              else c for c in checks]
    return [prober_broke(c, results) for c in checks]


#: The prober's step each check is judged from (a step that broke is grader's failure).
STEP_OF = {"api.predict-contract": ("holdout",), "model.holdout-auc": ("holdout",),
           "api.metadata": ("metadata",), "api.deterministic": ("determinism",),
           "api.consistent": ("latency", "consistency"), "api.concurrent": ("concurrency",),
           "latency.*": ("latency",), "robust.*": ("probes",), "model.leak-free": ("probes",)}


def prober_broke(check: CheckResult, results: dict[str, Any]) -> CheckResult:
    """`check` as an error when the prober's step it is judged from broke (or the holdout's,
    which every serving check is scaled by): nothing is blamed on the server."""
    steps = [step for pattern, names in STEP_OF.items() if fnmatchcase(check.id, pattern)
             for step in names]
    if any(fnmatchcase(check.id, p) for p in SCALED):
        steps.append("holdout")
    for step in steps:
        broke = mapping(results.get(step)).get("prober_error")
        if broke:
            return CheckResult.error(check.id, f"the prober broke in its {step} step "
                                     f"({str(broke)[:300]}): a bug in grader, not the "
                                     "candidate's doing", title=check.title)
    return check


def scale(check: CheckResult, share: float) -> CheckResult:
    """`check` earning `share` of its points, saying so (a not-run check earns nothing)."""
    if not check.observed or check.points == 0:
        return check
    check.points *= share
    check.message += (f" (credit scaled to the {share:.0%} of holdout records that got a "
                      "valid prediction)")
    return check


def miscounted_calls(results: dict[str, Any]) -> list[str]:
    """Calls answered 200 whose number of predictions differs from the records sent."""
    wrong = []
    for probe in items(results.get("probes")):
        if not isinstance(probe, dict):
            continue
        sent, got = probe.get("records"), probe.get("n_predictions")
        if probe.get("problem") and probe.get("name") in NAMES:
            continue  # a bad request answered unreadably (too deep, too big): its own check
        if probe.get("status") == 200 and isinstance(sent, int) and got != sent:
            wrong.append(f"{probe.get('name')}: {got} prediction(s) for {sent} record(s)")
    for group in items(results.get("determinism")):
        if not isinstance(group, dict):
            continue
        for status, got in zip(items(group.get("status")), items(group.get("predictions")),
                               strict=False):
            if status == 200 and (not isinstance(got, list) or len(got) != group.get(
                    "records")):
                wrong.append(f"determinism {group.get('name')}: "
                             f"{len(got) if isinstance(got, list) else 'no'} prediction(s) "
                             f"for {group.get('records')} record(s)")
                break
    calls = [*[("consistency", c) for c in items(results.get("consistency"))],
             *[("concurrency (one at a time)", c) for c in items(
                 mapping(results.get("concurrency")).get("sequential"))]]
    for where, call in calls:
        got = call.get("predictions") if isinstance(call, dict) else None
        if isinstance(call, dict) and call.get("status") == 200 and (
                not isinstance(got, list) or len(got) != call.get("records")):
            wrong.append(f"{where} {call.get('name', 'batch')}: "
                         f"{len(got) if isinstance(got, list) else 'no'} prediction(s) for "
                         f"{call.get('records')} record(s)")
            break
    lat = mapping(results.get("latency"))
    if lat.get("batch_status") == 200 and lat.get("batch_predictions") != lat.get("batch_size"):
        wrong.append(f"latency batch: {lat.get('batch_predictions')} prediction(s) for "
                     f"{lat.get('batch_size')} record(s)")
    return wrong


def contract_check(results: dict[str, Any], holdout: dict[str, Any], n_valid: int,
                   n_rows: int) -> CheckResult:
    errors = items(holdout.get("errors"))
    wrong = miscounted_calls(results)
    title = "/predict follows the contract"
    evidence = {"valid": n_valid, "rows": n_rows, "batch_errors": errors[:5],
                "miscounted_calls": wrong[:10]}
    if n_valid == n_rows and not wrong:
        return CheckResult.passed(
            "api.predict-contract", f"a probability and a label for each of {n_rows} holdout "
            "records, and one prediction per record in every call", title=title,
            evidence=evidence)
    parts = []
    if n_valid < n_rows:
        first = errors[0] if errors else None
        detail = ""
        if isinstance(first, dict):
            count = (f", {first.get('predictions')} prediction(s) for {first.get('records')} "
                     "records" if first.get("status") == 200 else "")
            problem, body = str(first.get("problem") or ""), str(first.get("body", ""))
            detail = (f"; first failing batch: {first.get('status')}{count}"
                      + (f" ({problem[:200]})" if problem else "") + f" {body[:200]}"
                      if first.get("status") else f"; first failing batch: {body[:300]}")
        gave_up = str(results.get("gave_up") or "")
        if gave_up and _count(holdout.get("skipped_batches")):
            detail += f"; {holdout['skipped_batches']} batch(es) not sent: {gave_up[:400]}"
        parts.append(f"{n_valid} of {n_rows} holdout records got a valid prediction "
                     "({\"probability\": 0..1, \"label\": 0|1})" + detail)
    if wrong:
        parts.append("the number of predictions differs from the number of records in "
                     + "; ".join(wrong[:4]))
    return CheckResult.failed("api.predict-contract", "; ".join(parts),
                              points=n_valid / n_rows * (0.5 if wrong else 1.0), title=title,
                              evidence=evidence)


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def latency_checks(results: dict[str, Any], scale_: LatencyScale) -> list[CheckResult]:
    """latency.single (p95 of single-record calls, times the share that succeeded) and
    latency.batch (one prediction per record, or no credit)."""
    lat = mapping(results.get("latency"))

    def credit(value: float, good: float, bad: float) -> float:
        return 1.0 if value <= good else max(0.0, (bad - value) / (bad - good))

    checks = []
    p95, p50 = lat.get("p95_ms"), lat.get("p50_ms")
    failures = _count(lat.get("single_failures"))
    attempted = _count(lat.get("singles_attempted")) or _count(lat.get("singles")) + failures
    title = "Single-record latency"
    first = mapping(lat.get("first_single_failure"))
    failed_note = (f"; {failures} of {attempted} single-record calls failed (first: "
                   f"{first.get('status') or 'no answer'} {str(first.get('body', ''))[:120]})"
                   if failures else "")
    gave_up = str(results.get("gave_up") or "")
    if not isinstance(p95, int | float):
        why = (f"no single-record call succeeded ({failures} failed"
               + (f"; first: {first.get('status') or 'no answer'} "
                  f"{str(first.get('problem') or first.get('body', ''))[:200]}" if first
                  else "") + ")")
        if not attempted and gave_up:
            why = gave_up[:400]
        checks.append(CheckResult.not_run("latency.single", why,
                                          blocked_by="api.predict-contract", title=title,
                                          evidence=lat))
    else:
        points = credit(float(p95), scale_.p95_good, scale_.p95_bad)
        points *= (attempted - failures) / attempted if attempted else 1.0
        checks.append(CheckResult(
            id="latency.single", status="passed" if points == 1 else "failed",
            points=points, title=title, evidence=lat,
            figures={"p50 latency (ms)": p50, "p95 latency (ms)": p95}
            if isinstance(p50, int | float) else {"p95 latency (ms)": p95},
            message=f"p50 {p50} ms, p95 {p95} ms over {lat.get('singles')} calls "
                    f"(full credit at p95 <= {scale_.p95_good:g} ms){failed_note}"))
    size = lat.get("batch_size", 1000)
    title = f"{size}-record batch latency"
    batch_ms, batch_status = lat.get("batch_ms"), lat.get("batch_status")
    got = lat.get("batch_predictions")
    problem = str(lat.get("batch_problem") or "")
    if lat.get("batch_skipped") or (batch_status is None and gave_up):
        checks.append(CheckResult.not_run("latency.batch", gave_up[:400],
                                          blocked_by="api.predict-contract", title=title,
                                          evidence=lat))
    elif batch_status != 200 or not isinstance(batch_ms, int | float):
        checks.append(CheckResult.not_run("latency.batch", f"the batch was not answered "
                                          f"(status {batch_status or 'none'}"
                                          + (f": {problem[:200]}" if problem else "") + ")",
                                          blocked_by="api.predict-contract", title=title,
                                          evidence=lat))
    elif "batch_predictions" in lat and got != size:
        held = (f"the answer held {got} prediction(s) for {size} records" if got is not None
                else f"{problem or 'the answer held no predictions'} ({size} records)")
        checks.append(CheckResult.failed("latency.batch", f"{batch_ms} ms, but {held}",
                                         title=title, evidence=lat))
    else:
        points = credit(float(batch_ms), scale_.batch_good, scale_.batch_bad)
        checks.append(CheckResult(
            id="latency.batch", status="passed" if points == 1 else "failed",
            points=points, title=title, evidence=lat,
            figures={f"{size:,}-record batch (ms)": batch_ms},
            message=f"{batch_ms} ms (full credit at <= {scale_.batch_good:g} ms)"))
    return checks
