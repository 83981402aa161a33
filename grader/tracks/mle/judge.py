"""Judging a model server from the prober's results, on the host: the /predict contract, ROC
AUC on the hidden holdout (labels never left the host), the leak probe, /metadata,
determinism, the bad requests and latency."""

from __future__ import annotations

from typing import Any

from grader.checks import CheckResult
from grader.tracks.mle.bad_requests import robustness_checks
from grader.tracks.mle.config import LatencyScale, MleConfig
from grader.tracks.mle.metrics import label, probability, roc_auc


def judge(results: dict[str, Any], data: Any, cfg: MleConfig) -> list[CheckResult]:
    """Every check of a model that was served and probed."""
    checks: list[CheckResult] = []
    holdout = _mapping(results.get("holdout"))
    preds = _list(holdout.get("predictions"))
    labels: list[int] = data.holdout_labels
    probs = [probability(p) for p in preds[:len(labels)]]
    valid = [(y, p) for y, p, pred in zip(labels, probs, preds, strict=False)
             if p is not None and label(pred) is not None]
    share = len(valid) / len(labels)
    checks.append(_contract(holdout, len(valid), len(labels)))
    checks.append(_auc(data, cfg, labels, probs, preds, valid, share))
    checks.append(_leak_check(results, cfg))
    checks.append(_metadata_check(results, cfg))
    checks.append(_determinism(results))
    checks += robustness_checks(results)
    checks += latency_checks(results, cfg.latency_ms)
    return checks


def _mapping(value: Any) -> dict[str, Any]:
    """`value` when the prober recorded a mapping there, else {} (its output is untrusted)."""
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _contract(holdout: dict[str, Any], n_valid: int, n_rows: int) -> CheckResult:
    errors = _list(holdout.get("errors"))
    title = "/predict follows the contract"
    evidence = {"valid": n_valid, "rows": n_rows, "batch_errors": errors[:5]}
    if n_valid == n_rows:
        return CheckResult.passed(
            "api.predict-contract", f"a probability and a label for each of {n_rows} holdout "
            "records", title=title, evidence=evidence)
    first = errors[0] if errors else None
    detail = (f"; first failing batch: {first.get('status')} {first.get('body', '')}"[:400]
              if isinstance(first, dict) else "")
    return CheckResult.failed(
        "api.predict-contract", f"{n_valid} of {n_rows} holdout records got a valid "
        "prediction ({\"probability\": 0..1, \"label\": 0|1})" + detail,
        points=n_valid / n_rows, title=title, evidence=evidence)


def _auc(data: Any, cfg: MleConfig, labels: list[int], probs: list[float | None],
         preds: list[Any], valid: list[tuple[int, float]], share: float) -> CheckResult:
    key = data.key
    baseline = float(key["baseline_auc"])
    oracle = float(key["oracle_auc"])
    target = oracle - cfg.target_gap
    title = "ROC AUC on the hidden holdout"
    if share < 0.95:
        return CheckResult.not_run("model.holdout-auc", f"only {share:.0%} of the holdout got "
                                   "a valid prediction, too few to score",
                                   blocked_by="api.predict-contract", title=title)
    auc = roc_auc([y for y, _ in valid], [p for _, p in valid])
    points = max(0.0, min(1.0, (auc - baseline) / (target - baseline)))
    hits = sum(1 for y, p, pred in zip(labels, probs, preds, strict=False)
               if p is not None and label(pred) == y)
    note = key.get("baseline_note", "a simple baseline")
    message = (f"ROC AUC {auc:.3f} on {len(valid)} holdout rows (baseline {baseline:.3f} = "
               f"{note}; target {target:.3f} = best possible {oracle:.3f} minus "
               f"{cfg.target_gap:g}); accuracy of the labels {hits / len(valid):.3f}")
    return CheckResult(
        id="model.holdout-auc", status="passed" if points >= 0.75 else "failed",
        points=points, title=title, message=message,
        evidence={"auc": round(auc, 4), "baseline_auc": baseline,
                  "target_auc": round(target, 4), "oracle_auc": oracle,
                  "positives": key.get("positives"), "rows": key.get("rows")},
        figures={"ROC AUC (holdout)": round(auc, 4), "baseline AUC": baseline,
                 "target AUC": round(target, 4)})


def _leak_check(results: dict[str, Any], cfg: MleConfig) -> CheckResult:
    title = "The model does not use the leaky column"
    leaky = cfg.leaky_column
    probes = {p.get("name"): p for p in _list(results.get("probes")) if isinstance(p, dict)}
    runs = [probes.get(f"leak-{v}") for v in cfg.leak_values]
    outs = [[probability(x) for x in _list(_mapping(r).get("predictions"))] for r in runs]
    if len(outs) != 2 or not outs[0] or len(outs[0]) != len(outs[1]) or None in outs[0] \
            + outs[1]:
        return CheckResult.not_run("model.leak-free", f"/predict did not answer the records "
                                   f"with {leaky} changed", blocked_by="api.predict-contract",
                                   title=title)
    first = [p for p in outs[0] if p is not None]
    second = [p for p in outs[1] if p is not None]
    shift = sum(abs(a - b) for a, b in zip(first, second, strict=True)) / len(first)
    evidence = {"mean_abs_change": round(shift, 4), "column": leaky, "records": len(first)}
    figures: dict[str, float | str] = {"leak probe change": round(shift, 4)}
    if shift > 0.01:
        return CheckResult.failed(
            "model.leak-free", f"the predictions move with `{leaky}` (mean change "
            f"{shift:.3f} in probability when only {leaky} changes): the model learned the "
            "export artefact, which does not hold on new data", title=title, evidence=evidence,
            figures=figures)
    return CheckResult.passed("model.leak-free", f"changing only `{leaky}` leaves the "
                              f"predictions unchanged (mean change {shift:.4f})", title=title,
                              evidence=evidence, figures=figures)


def _metadata_check(results: dict[str, Any], cfg: MleConfig) -> CheckResult:
    title = "/metadata describes the model"
    meta = _mapping(results.get("metadata"))
    body = meta.get("json")
    if meta.get("status") != 200 or not isinstance(body, dict):
        return CheckResult.failed("api.metadata", f"GET /metadata -> {meta.get('status')}: "
                                  f"{str(meta.get('body', ''))[:200]}", title=title)
    version = body.get("model_version", body.get("version"))
    features = body.get("features")
    missing = [k for k, ok in (("model_version", isinstance(version, str | int) and
                                str(version).strip()),
                               ("features", isinstance(features, list) and features))
               if not ok]
    evidence = {"metadata": {k: body[k] for k in list(body)[:20]}}
    if missing or not isinstance(features, list):
        return CheckResult.failed("api.metadata", f"/metadata lacks {', '.join(missing)}",
                                  points=0.5, title=title, evidence=evidence)
    note = (f"; lists the leaky column {cfg.leaky_column}" if cfg.leaky_column in features
            else "")
    return CheckResult.passed("api.metadata", f"model_version {version!s:.40}, "
                              f"{len(features)} feature(s){note}", title=title,
                              evidence=evidence)


def _determinism(results: dict[str, Any]) -> CheckResult:
    title = "Same input, same output"
    det = _mapping(results.get("determinism"))
    if det.get("same") is True:
        return CheckResult.passed("api.deterministic", "the same 20 records twice gave the "
                                  "same predictions", title=title)
    statuses = det.get("status") if isinstance(det.get("status"), list) else []
    if statuses != [200, 200]:
        return CheckResult.not_run("api.deterministic", f"the two calls were not both "
                                   f"answered (status {statuses or 'none'})",
                                   blocked_by="api.predict-contract", title=title)
    return CheckResult.failed("api.deterministic", "the same 20 records twice gave different "
                              "predictions", title=title)


def latency_checks(results: dict[str, Any], scale: LatencyScale) -> list[CheckResult]:
    """latency.single (p95 of single-record calls) and latency.batch."""
    lat = _mapping(results.get("latency"))

    def credit(value: float, good: float, bad: float) -> float:
        return 1.0 if value <= good else max(0.0, (bad - value) / (bad - good))

    checks = []
    p95, p50 = lat.get("p95_ms"), lat.get("p50_ms")
    title = "Single-record latency"
    if not isinstance(p95, int | float):
        checks.append(CheckResult.not_run(
            "latency.single", f"no single-record call succeeded "
            f"({lat.get('single_failures', 0)} failed)", blocked_by="api.predict-contract",
            title=title, evidence=lat))
    else:
        points = credit(float(p95), scale.p95_good, scale.p95_bad)
        checks.append(CheckResult(
            id="latency.single", status="passed" if points == 1 else "failed",
            points=points, title=title, evidence=lat,
            figures={"p50 latency (ms)": p50, "p95 latency (ms)": p95}
            if isinstance(p50, int | float) else {"p95 latency (ms)": p95},
            message=f"p50 {p50} ms, p95 {p95} ms over {lat.get('singles')} calls "
                    f"(full credit at p95 <= {scale.p95_good:g} ms)"))
    title = f"{lat.get('batch_size', 1000)}-record batch latency"
    batch_ms, batch_status = lat.get("batch_ms"), lat.get("batch_status")
    if batch_status != 200 or not isinstance(batch_ms, int | float):
        checks.append(CheckResult.not_run("latency.batch", f"the batch was not answered "
                                          f"(status {batch_status or 'none'})",
                                          blocked_by="api.predict-contract", title=title,
                                          evidence=lat))
    else:
        points = credit(float(batch_ms), scale.batch_good, scale.batch_bad)
        checks.append(CheckResult(
            id="latency.batch", status="passed" if points == 1 else "failed",
            points=points, title=title, evidence=lat,
            figures={f"{lat.get('batch_size', 1000):,}-record batch (ms)": batch_ms},
            message=f"{batch_ms} ms (full credit at <= {scale.batch_good:g} ms)"))
    return checks
