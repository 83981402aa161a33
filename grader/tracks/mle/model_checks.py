"""What the prober's answers say about the model itself, judged on the host: ROC AUC on the
hidden holdout (degenerate and inverted outputs named), the leak probe (told apart from noise
by a repeated call), determinism (plain records, records with nulls, unseen categories, and
any move in the leak probe of a model that does not read the column), and /metadata against
the features the model is seen to use (each input field rotated across records in turn)."""

from __future__ import annotations

from typing import Any

from grader.checks import CheckResult
from grader.tracks.mle.config import MleConfig
from grader.tracks.mle.metrics import is_permutation, label, probability, ranks, roc_auc

EPSILON = 1e-6          # a change in probability smaller than this is no change
PERMUTED = 1e-4         # answers this close are the same answer moved to another place
LEAK_THRESHOLD = 0.01   # mean change beyond the noise that says the model reads the column
INVERTED_BELOW = 0.4    # an AUC this far under 0.5 ranks the wrong class
ASSOCIATION = 0.1       # |rank correlation| of holdout predictions with the (random) leaky
                        # column that says the model reads it (at least 5 standard errors)


def mapping(value: Any) -> dict[str, Any]:
    """`value` when the prober recorded a mapping there, else {} (its output is untrusted)."""
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def probs_of(preds: Any, expected: int | None = None) -> list[float | None] | None:
    """The probabilities of a prediction list, or None when it is not one of `expected`."""
    if not isinstance(preds, list) or (expected is not None and len(preds) != expected):
        return None
    return [probability(p) for p in preds]


def mean_change(first: list[float | None], second: list[float | None]) -> float | None:
    pairs = [(a, b) for a, b in zip(first, second, strict=False) if a is not None
             and b is not None]
    return sum(abs(a - b) for a, b in pairs) / len(pairs) if pairs else None


def probes_by_name(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(p.get("name")): p for p in items(results.get("probes")) if isinstance(p, dict)}


# -- quality ----------------------------------------------------------------------------------
def auc_check(data: Any, cfg: MleConfig, labels: list[int], preds: list[Any],
              share: float) -> CheckResult:
    key = data.key
    baseline, oracle = float(key["baseline_auc"]), float(key["oracle_auc"])
    target = oracle - cfg.target_gap
    title = "ROC AUC on the hidden holdout"
    if share < 0.95:
        return CheckResult.not_run("model.holdout-auc", f"only {share:.0%} of the holdout got "
                                   "a valid prediction, too few to score",
                                   blocked_by="api.predict-contract", title=title)
    valid = [(y, p, label(pred)) for y, pred in zip(labels, preds, strict=False)
             if (p := probability(pred)) is not None and label(pred) is not None]
    ys, ps = [y for y, _, _ in valid], [p for _, p, _ in valid]
    auc = roc_auc(ys, ps)
    points = max(0.0, min(1.0, (auc - baseline) / (target - baseline)))
    accuracy = sum(1 for y, _, lab in valid if lab == y) / len(valid)
    note = key.get("baseline_note", "a simple baseline")
    message = (f"ROC AUC {auc:.3f} on {len(valid)} holdout rows (baseline {baseline:.3f} = "
               f"{note}; target {target:.3f} = best possible {oracle:.3f} minus "
               f"{cfg.target_gap:g}); accuracy of the labels {accuracy:.3f}")
    distinct = set(ps)
    flaw = ""
    if auc > oracle + cfg.oracle_margin:
        flaw = (f"AUC {auc:.3f} on the holdout is above the best possible {oracle:.3f} from "
                "the generator's own probabilities: the labels were likely reproduced (no "
                "model ranks these customers better than the probabilities their labels "
                f"were drawn from, beyond a margin of {cfg.oracle_margin:g} for chance); no "
                "quality credit")
    elif distinct <= {0.0, 1.0}:
        flaw = ("hard 0/1 outputs given as probabilities: every `probability` is 0 or 1, so "
                "the ranking the AUC measures (and any threshold the business picks) is lost")
    elif len(distinct) <= 2:
        flaw = (f"degenerate model: only {len(distinct)} distinct probabilities over "
                f"{len(valid)} customers")
    elif auc < INVERTED_BELOW:
        flaw = (f"probabilities of the wrong class: AUC {auc:.3f} is well below 0.5, and "
                f"1 - probability would reach {1 - auc:.3f}: `probability` must be that of "
                "the positive class" + (f" (the labels are right: accuracy {accuracy:.3f})"
                              if accuracy >= 0.6 else ""))
    if flaw:
        message = f"{flaw}. {message}"
    return CheckResult(
        id="model.holdout-auc", status="passed" if points >= 0.75 and not flaw else "failed",
        points=0.0 if flaw.startswith(("probabilities of the wrong", "AUC")) else points,
        title=title,
        message=message,
        evidence={"auc": round(auc, 4), "baseline_auc": baseline, "accuracy":
                  round(accuracy, 4), "distinct_probabilities": min(len(distinct), 1000),
                  "target_auc": round(target, 4), "oracle_auc": oracle,
                  "positives": key.get("positives"), "rows": key.get("rows")},
        figures={"ROC AUC (holdout)": round(auc, 4), "baseline AUC": baseline,
                 "target AUC": round(target, 4)})


# -- the leak probe -----------------------------------------------------------------------------
def leak_runs(results: dict[str, Any], n: int) -> list[list[float | None]] | None:
    """The probabilities of the leak probe's three calls (leak-a, leak-b, leak-a-again, each
    in the leak sample's order), or None when they were not all answered in full."""
    probes = probes_by_name(results)
    runs = [probs_of(mapping(probes.get(name)).get("predictions"), n)
            for name in ("leak-a", "leak-b", "leak-a-again")]
    out = [r for r in runs if r is not None and None not in r]
    return out if len(out) == 3 else None


def reordered(runs: list[list[float | None]]) -> bool:
    """Whether the leak probe's calls hold the same answers in other places: each a
    permutation of the first, whose answers are distinct enough (half of them at least)
    for a permutation to prove something."""
    if len(runs) != 3 or len({round(p, 4) for p in runs[0] if p is not None}) < \
            len(runs[0]) / 2:
        return False
    return all(is_permutation(runs[0], r, PERMUTED) for r in runs[1:])


def leak_probe(results: dict[str, Any], n: int) -> tuple[float, float] | None:
    """(mean change when only the leaky column changes, mean change between two identical
    calls), or None when the probe's three calls were not all answered in full."""
    runs = leak_runs(results, n)
    if runs is None:
        return None
    a, b, again = runs
    return mean_change(a, b) or 0.0, mean_change(a, again) or 0.0


def rank_correlation(xs: list[float], ys: list[float]) -> float | None:
    """Spearman's rank correlation, None when either side is constant."""
    rx, ry = ranks(xs), ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sxx, syy = sum((a - mx) ** 2 for a in rx), sum((b - my) ** 2 for b in ry)
    return sxy / (sxx * syy) ** 0.5 if sxx > 0 and syy > 0 else None


def holdout_association(rows: list[dict[str, Any]], preds: list[Any],
                        column: str) -> tuple[float, int] | None:
    """(rank correlation of the holdout's probabilities with `column`, how many records):
    on the holdout the leaky column is random, so a model that reads it shows here even
    when it answers the leak probe's repeated records from a cache."""
    pairs = [(float(value), p) for row, pred in zip(rows, preds, strict=False)
             if isinstance(value := row.get(column), int | float)
             and not isinstance(value, bool) and (p := probability(pred)) is not None]
    if len(pairs) < 50:
        return None
    rho = rank_correlation([x for x, _ in pairs], [y for _, y in pairs])
    return None if rho is None else (rho, len(pairs))


def leak_check(results: dict[str, Any], cfg: MleConfig, n: int,
               rows: list[dict[str, Any]] | None = None,
               preds: list[Any] | None = None) -> CheckResult:
    """model.leak-free over the `n` records of the leak probe, and the holdout's `rows`
    against their predictions `preds` (the holdout's order)."""
    title = "The model does not use the leaky column"
    leaky = str(cfg.leaky_column)
    measured = leak_probe(results, n)
    association = holdout_association(rows or [], preds or [], leaky)
    evidence: dict[str, Any] = {"column": leaky}
    follows = ""
    if association is not None:
        rho, count = association
        evidence["holdout_rank_correlation"] = round(rho, 4)
        if abs(rho) > max(ASSOCIATION, 5 / count ** 0.5):
            follows = (f"on the holdout, where `{leaky}` is random, the predictions follow it "
                       f"(rank correlation {rho:.2f} over {count} customers)")
    if measured is None:
        if follows:
            return CheckResult.failed(
                "model.leak-free", f"the predictions move with `{leaky}`: {follows}; the "
                "model learned the export artefact, which does not hold on new data",
                title=title, evidence=evidence)
        return CheckResult.not_run("model.leak-free", f"/predict did not answer the records "
                                   f"with {leaky} changed, one prediction each",
                                   blocked_by="api.predict-contract", title=title)
    shift, noise = measured
    evidence.update({"mean_abs_change": round(shift, 6), "repeat_change": round(noise, 6)})
    figures: dict[str, float | str] = {"leak probe change": round(shift, 4)}
    if shift > EPSILON and reordered(leak_runs(results, n) or []) and not follows:
        evidence["reordered"] = True  # the same answers in other places: an order flaw
        return CheckResult.passed(
            "model.leak-free", f"changing only `{leaky}` leaves the set of answers unchanged "
            "(they come back in other places each call: an order flaw, api.consistent)",
            title=title, evidence=evidence, figures=figures)
    if follows and shift - noise <= LEAK_THRESHOLD:
        return CheckResult.failed(
            "model.leak-free", f"the predictions move with `{leaky}`: {follows}, though "
            f"changing only `{leaky}` on records already sent moved them by {shift:.3f}: the "
            "model reads the column on records it has not seen before; it learned the export "
            "artefact, which does not hold on new data", title=title, evidence=evidence,
            figures=figures)
    if shift - noise > LEAK_THRESHOLD:
        return CheckResult.failed(
            "model.leak-free", f"the predictions move with `{leaky}` (mean change "
            f"{shift:.3f} in probability when only {leaky} changes"
            + (f", {noise:.3f} between two identical calls" if noise > EPSILON else "")
            + "): the model learned the export artefact, which does not hold on new data",
            title=title, evidence=evidence, figures=figures)
    return CheckResult.passed("model.leak-free", f"changing only `{leaky}` leaves the "
                              f"predictions unchanged (mean change {shift:.4f})", title=title,
                              evidence=evidence, figures=figures)


# -- determinism ------------------------------------------------------------------------------
def determinism_check(results: dict[str, Any], cfg: MleConfig,
                      leak: CheckResult | None) -> CheckResult:
    title = "Same input, same output"
    answered, moved = [], []
    for group in items(results.get("determinism")):
        if not isinstance(group, dict):
            continue
        n = group.get("records")
        pair = [probs_of(p, n if isinstance(n, int) else None)
                for p in items(group.get("predictions"))]
        if len(pair) != 2 or pair[0] is None or pair[1] is None:
            continue
        answered.append(str(group.get("name")))
        change = max((abs(a - b) for a, b in zip(pair[0], pair[1], strict=False)
                      if a is not None and b is not None), default=0.0)
        if change > EPSILON or [a is None for a in pair[0]] != [b is None for b in pair[1]]:
            moved.append(f"{n} {group.get('name')} records sent twice (largest change "
                         f"{change:.4f})")
    leaky = cfg.leaky_column
    order = ""  # the same answers in other places: an order flaw, api.consistent's finding
    if leak is not None and leak.status in ("passed", "failed") and \
            "mean_abs_change" in leak.evidence:
        shift = float(leak.evidence.get("mean_abs_change", 0))
        noise = float(leak.evidence.get("repeat_change", 0))
        answered.append("leak probe")
        runs = leak_runs(results, cfg.probe_records) or [[], [], []]
        if len({round(p, 4) for p in runs[0] if p is not None}) < len(runs[0]) / 2:
            runs = [[], [], []]  # few distinct answers: a permutation would prove nothing
        if leak.evidence.get("reordered") or (
                noise > EPSILON and is_permutation(runs[0], runs[2], PERMUTED)) or (
                leak.status == "passed" and noise <= EPSILON < shift
                and is_permutation(runs[0], runs[1], PERMUTED)):
            order = ("the leak probe's records, sent in orders of their own, came back with "
                     "the same probabilities in other places (an order flaw: api.consistent)")
        elif noise > EPSILON:
            moved.append(f"the leak probe's records sent twice unchanged (mean change "
                         f"{noise:.4f})")
        elif leak.status == "passed" and shift > EPSILON:
            moved.append(f"the leak probe, where only `{leaky}` changed, a column the model "
                         f"does not read (mean change {shift:.4f})")
    evidence = {"answered": answered, "moved": moved, "reordered": order}
    if not answered:
        return CheckResult.not_run("api.deterministic", "no repeated call was answered with "
                                   "one prediction per record",
                                   blocked_by="api.predict-contract", title=title)
    if moved:
        return CheckResult.failed("api.deterministic", "non-deterministic predictions: "
                                  + "; ".join(moved), title=title, evidence=evidence)
    return CheckResult.passed("api.deterministic", "the same records twice gave the same "
                              f"predictions ({', '.join(answered)})"
                              + (f"; {order}" if order else ""), title=title,
                              evidence=evidence)


# -- /metadata and the features used ----------------------------------------------------------
def used_fields(results: dict[str, Any], n: int) -> dict[str, bool] | None:
    """field -> whether rotating it across the usage records moved any prediction; None when
    the base call failed or the outputs are not graded probabilities."""
    probes = probes_by_name(results)
    base = probs_of(mapping(probes.get("usage-base")).get("predictions"), n)
    if base is None or None in base or len(set(base)) <= 2:
        return None  # no answer, or hard/constant outputs: a small effect would not show
    used: dict[str, bool] = {}
    for name, probe in probes.items():
        if not name.startswith("usage-") or name == "usage-base":
            continue
        other = probs_of(probe.get("predictions"), n)
        if other is not None:
            used[name.removeprefix("usage-")] = any(
                a is not None and b is not None and abs(a - b) > EPSILON
                for a, b in zip(base, other, strict=True))
    return used


def metadata_check(results: dict[str, Any], cfg: MleConfig, deterministic: bool,
                   input_fields: list[str], n: int) -> CheckResult:
    """api.metadata: present, and true to the model (`n` records in the usage probe)."""
    title = "/metadata describes the model"
    meta = mapping(results.get("metadata"))
    body = meta.get("json")
    if meta.get("skipped"):
        return CheckResult.not_run("api.metadata", str(meta.get("body", ""))[:300],
                                   blocked_by="serve.loads-without-training-code",
                                   title=title)
    if meta.get("status") == 200 and meta.get("problem"):
        return CheckResult.failed("api.metadata", f"GET /metadata -> 200, but "
                                  f"{str(meta['problem'])[:200]}", title=title,
                                  evidence={"body": str(meta.get("body", ""))[:300]})
    if meta.get("status") != 200 or not isinstance(body, dict):
        return CheckResult.failed("api.metadata", f"GET /metadata -> "
                                  f"{meta.get('status') or 'no answer'}: "
                                  f"{str(meta.get('body', ''))[:200]}", title=title)
    version = body.get("model_version", body.get("version"))
    features = body.get("features")
    missing = [k for k, ok in (("model_version", isinstance(version, str | int) and
                                str(version).strip()),
                               ("features", isinstance(features, list) and features))
               if not ok]
    evidence: dict[str, Any] = {"metadata": {k: body[k] for k in list(body)[:20]}}
    if missing or not isinstance(features, list):
        return CheckResult.failed("api.metadata", f"/metadata lacks {', '.join(missing)}",
                                  points=0.5, title=title, evidence=evidence)
    declared = [str(f) for f in features]
    used = used_fields(results, n) if deterministic else None
    evidence["used_fields"] = used
    wrong = []
    if cfg.leaky_column and cfg.leaky_column in declared:
        wrong.append(f"declares the leaky identifier `{cfg.leaky_column}` as a feature")
    if used is not None:
        unused = [f for f in declared if f in used and not used[f]
                  and f != cfg.leaky_column]
        if unused:
            wrong.append(f"declares feature(s) the model does not use: {', '.join(unused)} "
                         "(changing them moves no prediction)")
    notes = []
    if used is not None:
        undeclared = [f for f, on in used.items() if on and f not in declared]
        if undeclared:
            notes.append(f"the model also reads {', '.join(undeclared)}, not declared")
    other = [f for f in declared if f not in input_fields]
    if other:
        notes.append(f"{len(other)} declared name(s) are not input fields "
                     f"({', '.join(other[:3])})")
    note = f" ({'; '.join(notes)})" if notes else ""
    if wrong:
        return CheckResult.failed("api.metadata", "/metadata " + "; ".join(wrong) + note,
                                  points=0.5, title=title, evidence=evidence)
    checked = ", each input field among them used by the model" if used is not None else ""
    return CheckResult.passed("api.metadata", f"model_version {version!s:.40}, "
                              f"{len(declared)} feature(s){checked}{note}", title=title,
                              evidence=evidence)
