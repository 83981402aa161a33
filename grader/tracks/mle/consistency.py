"""Whether a record's answer is the record's own, judged on the host from the prober's calls:

- `api.consistent`: the consistency records answered one at a time (the first single-record
  latency calls), then as one batch, the same batch again and shuffled must agree. Told
  apart: non-determinism (the same batch twice differs: api.deterministic's finding, those
  records left out here), order (a batch's answers are the right ones in another order:
  grouped or sorted instead of in request order) and skew (a record's answer depends on
  the other records of its call: category codes, scaling or imputation computed from the
  request's batch instead of from training).
- `api.concurrent`: batches sent one at a time, then again from parallel clients, must get
  the same answers; other requests' predictions, miscounted answers or 5xx under
  concurrency are state shared between requests. An answer that came too late is the
  server's capacity (latency), a call turned away (429, 503) its capacity too, and a call
  that got no answer at all a matter of its connections: noted, not judged here.

Probabilities closer than TOLERANCE are the same: float32 models (ONNX) computed row by row
or in a batch differ in the last digits, never by this much.
"""

from __future__ import annotations

from typing import Any

from grader.checks import CheckResult
from grader.tracks.mle.metrics import is_permutation, roc_auc
from grader.tracks.mle.model_checks import items, mapping, probs_of

TOLERANCE = 1e-4
THROTTLED = (429, 503)  # a server that turns calls away under load says so: capacity
CONSISTENT_TITLE = "A record gets the same answer alone, in a batch and in any order"
CONCURRENT_TITLE = "Concurrent clients get the same answers as sequential ones"


def _close(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(a - b) <= TOLERANCE


def _changes(first: list[float | None], second: list[float | None],
             where: list[int]) -> tuple[list[int], float, float]:
    """(positions of `where` whose two answers differ, mean and largest change there)."""
    moved = [i for i in where if first[i] is not None and second[i] is not None
             and not _close(first[i], second[i])]
    deltas = [abs(float(first[i]) - float(second[i])) for i in moved]  # type: ignore[arg-type]
    return moved, (sum(deltas) / len(deltas) if deltas else 0.0), max(deltas, default=0.0)


def single_call_auc(results: dict[str, Any]) -> tuple[float, int] | None:
    """(ROC AUC, customers) of the single-record latency calls against the fresh customers'
    outcomes (host only, put beside them by Draw.realign), when at least 50 were answered
    and both outcomes occur."""
    latency = mapping(results.get("latency"))
    pairs = [(int(y), float(p)) for p, y in zip(items(latency.get("single_scores")),
                                                items(latency.get("single_labels")),
                                                strict=False)
             if isinstance(p, int | float) and not isinstance(p, bool) and y in (0, 1)]
    if len(pairs) < 50 or len({y for y, _ in pairs}) < 2:
        return None
    return roc_auc([y for y, _ in pairs], [p for _, p in pairs]), len(pairs)


def consistency_check(results: dict[str, Any], holdout_auc: float | None = None
                      ) -> CheckResult:
    """api.consistent from the kept single-record answers and the three consistency calls
    (the shuffled one already put back in the records' order by Draw.realign); a skewed
    server's message adds what the single-record calls rank like (`single_call_auc`) beside
    the holdout's AUC in batches."""
    singles = items(mapping(results.get("latency")).get("single_predictions"))
    calls = {str(c.get("name")): c for c in items(results.get("consistency"))
             if isinstance(c, dict)}
    n = len(singles)
    batch = probs_of(mapping(calls.get("batch")).get("predictions"), n) if n else None
    if batch is None or None in batch:
        why = ("the consistency records were not sent" if not calls or not n else
               "the consistency batch was not answered with one prediction per record")
        return CheckResult.not_run("api.consistent", why, blocked_by="api.predict-contract",
                                   title=CONSISTENT_TITLE)
    alone = probs_of(singles) or []
    again = probs_of(mapping(calls.get("batch-again")).get("predictions"), n)
    shuffled = probs_of(mapping(calls.get("shuffled")).get("predictions"), n)
    stable = [i for i in range(n) if again is None or _close(batch[i], again[i])]
    evidence: dict[str, Any] = {"records": n, "stable": len(stable),
                                "answered_alone": sum(p is not None for p in alone)}
    if len(stable) < n / 2:
        return CheckResult.unverified(
            "api.consistent", f"the same batch of {n} records sent twice got other answers "
            f"for {n - len(stable)} of them (non-determinism, api.deterministic): order and "
            "batch effects cannot be told apart from it", title=CONSISTENT_TITLE,
            evidence=evidence)
    findings = []
    moved, mean, largest = _changes(alone, batch, stable)
    if moved:
        evidence.update({"alone_vs_batch": len(moved), "mean_change": round(mean, 4),
                         "largest_change": round(largest, 4)})
        if is_permutation(batch, alone, TOLERANCE):
            findings.append(
                ("order", f"the answers to a batch come back in another order than its "
                 f"records: {n} customers answered one at a time got the same probabilities "
                 f"as in one batch, but in other places ({len(moved)} of {n} got another "
                 "customer's answer); each prediction must stand where its record stood"))
        else:
            findings.append(
                ("skew", f"a record's answer depends on the other records of its call "
                 f"(training/serving skew): {n} customers answered one at a time got other "
                 f"probabilities than in one batch ({len(moved)} of {n} differ, mean change "
                 f"{mean:.3f}, largest {largest:.3f}) while the same batch sent twice agrees:"
                 " features computed from the request's records (category codes, scaling, "
                 "imputation fitted per call) instead of from training" + _ranking(
                     results, holdout_auc)))
    if shuffled is not None and not (findings and findings[0][0] == "order"):
        moved, mean, largest = _changes(batch, shuffled, stable)
        if moved:
            evidence.update({"batch_vs_shuffled": len(moved)})
            if is_permutation(batch, shuffled, TOLERANCE):
                findings.append(
                    ("order", f"the answers to a batch come back in another order than its "
                     f"records: the same {n} customers in a shuffled batch got the same "
                     f"probabilities, but {len(moved)} of them in another customer's place "
                     "(grouped or sorted instead of in request order)"))
            else:
                findings.append(
                    ("skew", f"a record's answer depends on where it stands in its call: the "
                     f"same {n} customers in a shuffled batch got other probabilities "
                     f"({len(moved)} of {n} differ, mean change {mean:.3f}, largest "
                     f"{largest:.3f}): an encoding that follows the order records arrive in "
                     "(codes by first appearance)"))
    noisy = n - len(stable)
    note = (f" ({noisy} record(s) whose answer varied between two identical calls left out: "
            "api.deterministic)" if noisy else "")
    if not findings:
        failed_alone = sum(p is None for p in alone)
        compared = (f"{n - failed_alone} of them answered alone" if failed_alone
                    else "answered alone")
        return CheckResult.passed(
            "api.consistent", f"{n} customers {compared}, in one batch and in a shuffled "
            f"batch got the same probabilities{note}", title=CONSISTENT_TITLE,
            evidence=evidence)
    kinds = list(dict.fromkeys(kind for kind, _ in findings))
    evidence["kinds"] = kinds
    return CheckResult.failed("api.consistent", "; ".join(text for _, text in findings) + note,
                              title=CONSISTENT_TITLE, evidence=evidence)


def _ranking(results: dict[str, Any], holdout_auc: float | None) -> str:
    single = single_call_auc(results)
    if single is None:
        return ""
    auc, n = single
    batch = f", against {holdout_auc:.3f} for the holdout in batches" if holdout_auc else ""
    return f"; one at a time, {n} fresh customers are ranked with an AUC of {auc:.3f}{batch}"


def concurrency_check(results: dict[str, Any], determinism: CheckResult) -> CheckResult:
    """api.concurrent: each concurrent call against the same batch's sequential answer."""
    step = mapping(results.get("concurrency"))
    clients = step.get("clients")
    reference: dict[int, list[float | None]] = {}
    for call in items(step.get("sequential")):
        if isinstance(call, dict) and isinstance(call.get("batch"), int):
            probs = probs_of(call.get("predictions"), call.get("records"))
            if probs is not None and None not in probs:
                reference[call["batch"]] = probs
    concurrent = [c for c in items(step.get("concurrent")) if isinstance(c, dict)
                  and c.get("batch") in reference and not c.get("skipped")]
    if not reference or not concurrent:
        why = ("no concurrency batch was answered one at a time with one prediction per "
               "record" if not reference else "no concurrent call was sent")
        return CheckResult.not_run("api.concurrent", why, blocked_by="api.predict-contract",
                                   title=CONCURRENT_TITLE)
    moved = [str(m) for m in items(determinism.evidence.get("moved"))]
    if determinism.status == "failed" and any(" complete records" in m for m in moved):
        return CheckResult.unverified(
            "api.concurrent", "the server's answers to complete records vary between "
            "identical calls (api.deterministic), so answers under concurrency cannot be "
            "compared with sequential ones", title=CONCURRENT_TITLE)
    swapped, miscounted, errors, late, refused, same = [], [], [], [], [], 0
    for call in concurrent:
        status = call.get("status")
        want = reference[call["batch"]]
        got = probs_of(call.get("predictions"))
        if call.get("late"):
            late.append(call)
        elif not status or status in THROTTLED:
            refused.append(call)
        elif status != 200:
            errors.append(call)
        elif got is None or len(got) != len(want):
            miscounted.append(call)
        elif all(_close(a, b) for a, b in zip(got, want, strict=True)):
            same += 1
        else:
            swapped.append(call)
    total = len(concurrent)
    evidence: dict[str, Any] = {
        "clients": clients, "calls": total, "same": same, "other_answers": len(swapped),
        "miscounted": len(miscounted), "errors": len(errors), "no_answer": len(refused),
        "late": len(late), "seconds": step.get("seconds")}
    late_note = (f"; {len(late)} call(s) got no answer within three times the usual deadline "
                 "(a queue, judged by latency)" if late else "")
    if refused:
        first = refused[0]
        seen = (f"{first.get('status')}, a refusal under load" if first.get("status") else
                f"{str(first.get('problem'))[:120]}: the connection")
        late_note += (f"; {len(refused)} call(s) got no answer or were turned away ({seen}, "
                      "not judged here)")
    parts = []
    if miscounted:
        first = miscounted[0]
        count = first.get("predictions")
        parts.append(f"{len(miscounted)} got a wrong number of predictions (first: "
                     f"{len(count) if isinstance(count, list) else 'no'} for "
                     f"{first.get('records')} records)")
    if swapped:
        parts.append(f"{len(swapped)} got other probabilities than the same call made alone")
    if errors:
        first = errors[0]
        body = " ".join(str(first.get("body") or "").split())[:120]
        parts.append(f"{len(errors)} answered {first.get('status')}"
                     + (f" ({body})" if body else ""))
    if not parts:
        return CheckResult.passed(
            "api.concurrent", f"{clients} clients at once: {same} of {total} calls got the "
            f"same answers as the same calls made one at a time{late_note}",
            title=CONCURRENT_TITLE, evidence=evidence)
    return CheckResult.failed(
        "api.concurrent", f"with {clients} clients at once, "
        f"{total - same - len(late) - len(refused)} of "
        f"{total} calls did not get the answers the same calls got one at a time: "
        + "; ".join(parts) + ": state shared between requests (a scorer object, a global "
        "frame or buffer) is overwritten by the next request" + late_note,
        title=CONCURRENT_TITLE, evidence=evidence)
