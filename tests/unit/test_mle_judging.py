"""Judging a model server's answers on the host (no Docker): degenerate and inverted models
named, one prediction per record in every call, serving credit scaled by the share of the
holdout served, determinism (nulls, unseen categories, the leak probe), /metadata against the
features the model uses, and retraining compared."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from grader.challenge import load_challenge
from grader.checks import CheckResult
from grader.tracks.mle.judge import judge
from grader.tracks.mle.plan import Draw, plan
from grader.tracks.mle.reproducibility import compare
from grader.tracks.mle.track import dataset
from tests.conftest import ROOT

CFG = load_challenge(ROOT / "challenges" / "mle").config
DATA = dataset(CFG)
N = len(DATA.holdout_rows)
PROBE, USAGE = min(CFG.probe_records, N), min(CFG.usage_records, N)


_NOISE = random.Random(5)
#: Probabilities of a good model: the label shifts them by 0.2 within noise of width 0.5, a
#: ranking about as good as the generator's own (AUC ~0.82 against its ~0.83).
GOOD = [0.2 + 0.2 * y + 0.5 * _NOISE.random() for y in DATA.holdout_labels]


def good(i: int) -> dict[str, Any]:
    """A prediction that ranks about as well as the truth allows (labels on the host only)."""
    return {"probability": round(GOOD[i], 6), "label": int(GOOD[i] > 0.5)}


K = 30
#: A well-behaved server's answers to the consistency records (distinct probabilities).
ALONE = [{"probability": round(0.05 + 0.03 * i, 6), "label": int(i > 15)} for i in range(K)]


def consistency_calls(batch: list[Any], again: list[Any] | None = None,
                      shuffled: list[Any] | None = None) -> list[dict[str, Any]]:
    """The three consistency calls (the shuffled one as Draw.realign leaves it)."""
    return [{"name": name, "records": K, "status": 200, "predictions": preds}
            for name, preds in (("batch", batch), ("batch-again", again or batch),
                                ("shuffled", shuffled or batch))]


def concurrency_step(answers: dict[int, list[Any]] | None = None,
                     **call: Any) -> dict[str, Any]:
    """Two batches answered alone, then each twice from four clients; `answers` replaces
    what a concurrent call of that batch got, `call` adds keys to those calls."""
    batches = {0: [{"probability": 0.1, "label": 0}, {"probability": 0.7, "label": 1}],
               1: [{"probability": 0.2, "label": 0}] * 3}
    got = {**batches, **(answers or {})}
    return {"clients": 4, "rounds": 1,
            "sequential": [{"batch": b, "records": len(p), "status": 200, "predictions": p}
                           for b, p in batches.items()],
            "concurrent": [{"batch": b, "client": c, "records": len(batches[b]),
                            "status": 200, "predictions": got[b], **call}
                           for c in range(4) for b in (c % 2,)]}


def results(**over: Any) -> dict[str, Any]:
    """Prober results of a well-behaved server; `over` replaces keys."""
    fine = [{"probability": 0.3, "label": 0}]
    probes = [{"name": n, "status": 200, "records": PROBE, "n_predictions": PROBE,
               "predictions": fine * PROBE, "alive_after": True}
              for n in ("leak-a", "leak-b", "leak-a-again")]
    probes.append({"name": "usage-base", "status": 200, "records": USAGE,
                   "n_predictions": USAGE, "alive_after": True,
                   "predictions": [{"probability": i / 1000, "label": 0} for i in range(USAGE)]})
    for field in ("tenure_months", "customer_id"):
        moved = field == "tenure_months"
        probes.append({"name": f"usage-{field}", "status": 200, "records": USAGE,
                       "n_predictions": USAGE, "alive_after": True, "predictions": [
                           {"probability": i / 1000 + (0.01 if moved else 0), "label": 0}
                           for i in range(USAGE)]})
    probes += [{"name": "missing-field", "status": 422, "alive_after": True},
               {"name": "huge-batch", "status": 413, "alive_after": True}]
    out = {"ready": {"ready": True}, "holdout": {"predictions": [good(i) for i in range(N)]},
           "metadata": {"status": 200, "json": {"model_version": "v1",
                                                "features": ["tenure_months"]}},
           "determinism": [{"name": "missing-values", "records": 2, "status": [200, 200],
                            "predictions": [fine * 2, fine * 2]}],
           "latency": {"p50_ms": 5, "p95_ms": 9, "singles": 300, "singles_attempted": 300,
                       "single_failures": 0, "batch_ms": 80, "batch_status": 200,
                       "batch_size": 1000, "batch_predictions": 1000,
                       "single_predictions": ALONE},
           "consistency": consistency_calls(ALONE), "concurrency": concurrency_step(),
           "probes": probes, "alive_at_end": True}
    out.update(over)
    return out


def checks_of(res: dict[str, Any]) -> dict[str, CheckResult]:
    return {c.id: c for c in judge(res, DATA, CFG)}


def with_probabilities(values: list[float], labels: list[int] | None = None) -> dict[str, Any]:
    preds = [{"probability": p, "label": (labels or [0] * N)[i]} for i, p in enumerate(values)]
    return results(holdout={"predictions": preds})


def test_a_well_behaved_server_passes() -> None:
    checks = checks_of(results())
    for cid in ("api.predict-contract", "model.holdout-auc", "model.leak-free",
                "api.metadata", "api.deterministic", "latency.single", "latency.batch"):
        assert checks[cid].status == "passed", (cid, checks[cid].message)


def test_hard_labels_and_inverted_probabilities_are_named() -> None:
    hard = [float(DATA.holdout_labels[i]) if i % 4 else 1.0 - DATA.holdout_labels[i]
            for i in range(N)]
    check = checks_of(with_probabilities(hard, [int(p) for p in hard]))["model.holdout-auc"]
    assert check.status == "failed" and "hard 0/1 outputs" in check.message
    inverted = [1 - good(i)["probability"] for i in range(N)]
    check = checks_of(with_probabilities(inverted, DATA.holdout_labels))["model.holdout-auc"]
    assert check.status == "failed" and check.points == 0
    assert "probabilities of the wrong class" in check.message
    assert "labels are right" in check.message
    constant = checks_of(with_probabilities([0.2] * N))["model.holdout-auc"]
    assert "degenerate model" in constant.message and constant.points == 0


def test_every_call_must_hold_one_prediction_per_record() -> None:
    res = results()
    res["latency"]["batch_predictions"] = 500
    res["probes"][-1] = {"name": "huge-batch", "status": 200, "records": 20000,
                         "n_predictions": 500, "alive_after": True}
    checks = checks_of(res)
    assert checks["latency.batch"].status == "failed"
    assert "500 prediction(s) for 1000 records" in checks["latency.batch"].message
    assert checks["robust.huge-batch"].points == 0
    contract = checks["api.predict-contract"]
    assert contract.status == "failed" and contract.points == 0.5
    assert "huge-batch: 500 prediction(s) for 20000 record(s)" in contract.message


def test_serving_credit_scales_with_the_share_of_the_holdout_served() -> None:
    preds = [good(i) if i < N * 0.6 else None for i in range(N)]
    checks = checks_of(results(holdout={"predictions": preds}))
    assert checks["model.holdout-auc"].status == "not_run"
    assert checks["api.predict-contract"].points == pytest.approx(0.6)
    for cid in ("robust.missing-field", "latency.batch", "api.metadata"):
        assert checks[cid].points == pytest.approx(0.6), cid
        assert "scaled" in checks[cid].message


def test_single_call_failures_count_against_latency() -> None:
    res = results()
    res["latency"].update(singles=200, single_failures=100, singles_attempted=300,
                          first_single_failure={"status": 500, "body": "boom"})
    check = checks_of(res)["latency.single"]
    assert check.points == pytest.approx(200 / 300) and "100 of 300" in check.message


def test_non_determinism_is_told_apart_from_a_leak() -> None:
    noisy = results()
    noisy["determinism"][0]["predictions"][1] = [{"probability": 0.31, "label": 0}] * 2
    checks = checks_of(noisy)
    assert checks["api.deterministic"].status == "failed"
    assert "missing-values" in checks["api.deterministic"].message
    assert checks["api.metadata"].status == "passed"  # usage not judged on noise
    # random noise in the leak probe: not a leak, but non-deterministic
    res = results()
    for probe in res["probes"][:3]:
        probe["predictions"] = [{"probability": 0.3 + 0.02 * ((i * 7 + len(probe["name"])) % 5),
                                 "label": 0} for i in range(PROBE)]
    checks = checks_of(res)
    assert checks["model.leak-free"].status == "passed"
    assert checks["api.deterministic"].status == "failed"
    # a small, repeatable move with the leaky column also counts as non-determinism
    res = results()
    res["probes"][1]["predictions"] = [{"probability": 0.305, "label": 0}] * PROBE
    checks = checks_of(res)
    assert checks["model.leak-free"].status == "passed"
    assert "a column the model does not read" in checks["api.deterministic"].message


def test_metadata_must_describe_the_model() -> None:
    leaky = results(metadata={"status": 200, "json": {"model_version": "v1", "features": [
        "tenure_months", "account_ref"]}})
    check = checks_of(leaky)["api.metadata"]
    assert check.status == "failed" and "leaky identifier `account_ref`" in check.message
    unused = results(metadata={"status": 200, "json": {"model_version": "v1", "features": [
        "tenure_months", "customer_id"]}})
    check = checks_of(unused)["api.metadata"]
    assert check.status == "failed" and "does not use: customer_id" in check.message
    hard = results(metadata=unused["metadata"])
    for probe in hard["probes"]:
        if probe["name"].startswith("usage-"):
            probe["predictions"] = [{"probability": float(i % 2), "label": i % 2}
                                    for i in range(USAGE)]
    assert checks_of(hard)["api.metadata"].status == "passed"  # 0/1 outputs hide small effects


def test_retraining_compared_on_predictions() -> None:
    first = [{"probability": 0.1 * (i % 10), "label": 0} for i in range(20)]
    assert compare(first, [dict(p) for p in first]).status == "passed"
    second = [{"probability": p["probability"] + 0.05, "label": 1} for p in first]
    check = compare(first, second)
    assert check.status == "failed" and "20 of 20" in check.message


def test_the_plan_probes_nulls_unseen_categories_and_the_leak_twice() -> None:
    the_plan = plan(CFG, Draw.new(CFG, DATA.holdout_rows, random.Random(1)), DATA.train_csv)
    groups = {g["name"]: g["records"] for g in the_plan["determinism"]}
    assert any(v is None for r in groups["missing-values"] for v in r.values())
    assert all(r["region"] not in ("north", "south", "east", "west")
               for r in groups["unseen-category"])
    names = [p["name"] for p in the_plan["probes"]]
    assert max(names.index(n) for n in ("leak-a", "leak-b", "leak-a-again")) < names.index(
        "missing-field")  # before the bad requests
    bodies = {p["name"]: json.loads(p["body"])["records"] for p in the_plan["probes"]
              if p["name"].startswith("leak")}
    key = CFG.leaky_column

    def by_record(records: list[dict[str, Any]]) -> dict[str, Any]:
        return {r["customer_id"]: r[key] for r in records}

    assert by_record(bodies["leak-a"]) == by_record(bodies["leak-a-again"]) != by_record(
        bodies["leak-b"])
    assert all(p["records"] == len(json.loads(p["body"])["records"])
               for p in the_plan["probes"] if p.get("records") is not None)


def test_nothing_a_server_could_recognise_is_fixed() -> None:
    """Two gradings draw different holdout orders, identifiers, leak values and records; the
    leak values come from their ranges, one per record; latency records are fresh."""
    one, two = (Draw.new(CFG, DATA.holdout_rows) for _ in range(2))
    assert one.order != two.order and sorted(one.order) == list(range(N))
    assert [r["customer_id"] for r in one.sent] != [r["customer_id"] for r in two.sent]
    assert one.leak_values != two.leak_values
    (low_a, high_a), (low_b, high_b) = CFG.leak_ranges
    assert all(low_a <= a <= high_a and low_b <= b <= high_b for a, b in one.leak_values)
    assert len({a for a, _ in one.leak_values}) > len(one.leak_values) // 2  # not a constant
    assert len(one.leak_orders) == 3 and one.leak_orders[0] != one.leak_orders[1]
    features = [f for f in CFG.required_fields]

    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(r.get(f) for f in features)

    holdout = {key(r) for r in DATA.holdout_rows}
    the_plan = plan(CFG, one, DATA.train_csv)
    latency = [*the_plan["latency"]["singles"], *the_plan["latency"]["batch"]]
    assert len(the_plan["latency"]["singles"]) == CFG.singles
    assert len(the_plan["latency"]["batch"]) == CFG.big_batch
    assert sum(key(r) in holdout for r in latency) <= 1  # fresh customers (ties by chance)
    leak = json.loads(next(p for p in the_plan["probes"] if p["name"] == "leak-a")["body"])
    assert not {key(r) for r in leak["records"]} & {key(r) for r in latency}
    # the ids keep their shape, and holdout and fresh records cannot be told apart by them
    ids = [r["customer_id"] for r in [*one.sent[:50], *latency[:50]]]
    assert {(len(i), i[0]) for i in ids} == {(10, "H")}
    assert len({i[1:4] for i in ids}) > 10


def test_answers_are_put_back_in_place() -> None:
    draw = Draw.new(CFG, DATA.holdout_rows, random.Random(3))
    sent_preds = [good(i) for i in draw.order]  # the server answers in the order sent
    leak = [{"probability": i / 1000, "label": 0} for i in range(len(draw.leak_values))]
    probes = [{"name": name, "predictions": [leak[i] for i in order]}
              for name, order in zip(("leak-a", "leak-b", "leak-a-again"), draw.leak_orders,
                                     strict=True)]
    back = draw.realign({"holdout": {"predictions": sent_preds}, "probes": probes})
    assert back["holdout"]["predictions"] == [good(i) for i in range(N)]
    assert all(p["predictions"] == leak for p in back["probes"])


def test_an_auc_above_the_oracle_is_flagged_and_earns_nothing() -> None:
    labels = DATA.holdout_labels
    replayed = [0.5 * y + 0.5 * GOOD[i] for i, y in enumerate(labels)]
    check = checks_of(with_probabilities(replayed, labels))["model.holdout-auc"]
    assert check.status == "failed" and check.points == 0
    assert "above the best possible 0.831 from the generator's own probabilities: the " \
           "labels were likely reproduced" in check.message
    # just under the oracle plus its margin: a very good model, not a suspicious one
    oracle = DATA.key["oracle_auc"]
    check = checks_of(results())["model.holdout-auc"]
    assert check.evidence["auc"] < oracle + CFG.oracle_margin and check.status == "passed"


def test_a_leak_hidden_from_the_probe_shows_on_the_holdout() -> None:
    """A server that answers the leak probe's repeats from a cache (no move) but reads the
    column on the holdout, where it is random: the predictions follow it there."""
    column = CFG.leaky_column
    refs = [r[column] for r in DATA.holdout_rows]
    leaky = [min(1.0, 0.6 * GOOD[i] + (0.5 if refs[i] >= 900_000 else 0.0)) for i in range(N)]
    check = checks_of(with_probabilities(leaky))["model.leak-free"]
    assert check.status == "failed" and "the predictions move with `account_ref`" in \
        check.message and "on the holdout" in check.message
    assert checks_of(results())["model.leak-free"].status == "passed"


def test_a_prober_step_that_broke_is_grader_s_error_and_skipped_calls_are_not_run() -> None:
    broken = results(latency={"prober_error": "KeyError: 'x'"})
    checks = checks_of(broken)
    assert checks["latency.single"].status == "error"
    assert "a bug in grader" in checks["latency.single"].message
    assert checks["api.metadata"].status == "passed"  # the other steps still count
    why = "the prober gave up on the server after 2 requests in a row got no complete answer"
    res = results(gave_up=why, alive_at_end=None)
    res["probes"][-1] = {"name": "huge-batch", "status": 0, "skipped": True,
                         "body": f"not sent: {why}"}
    checks = checks_of(res)
    assert checks["robust.huge-batch"].status == "not_run"
    assert checks["robust.still-up"].status == "not_run" and why in \
        checks["robust.still-up"].message
    assert checks["robust.missing-field"].status == "passed"


def test_a_metadata_answer_too_deep_or_too_big_fails_that_check_alone() -> None:
    for problem in ("the /metadata answer nests deeper than 32 levels",
                    "the /metadata answer is larger than 64 KiB"):
        checks = checks_of(results(metadata={"status": 200, "json": None,
                                             "problem": problem, "body": "[[[[" * 150}))
        assert checks["api.metadata"].status == "failed"
        assert problem in checks["api.metadata"].message
        assert all(c.status == "passed" for cid, c in checks.items()
                   if cid not in ("api.metadata", "robust.still-up")
                   and cid.startswith(("api.", "model.", "latency.")))


def test_a_bad_request_answered_unreadably_fails_its_own_check_alone() -> None:
    res = results()
    res["probes"].append({"name": "extra-field", "status": 200, "records": 1,
                          "n_predictions": None, "alive_after": True,
                          "problem": "the answer nests deeper than 32 levels"})
    checks = checks_of(res)
    assert checks["robust.extra-field"].status == "failed"
    assert checks["robust.extra-field"].points == 0
    assert checks["robust.extra-field"].message == (
        "POST /predict (extra-field) -> 200, but the answer nests deeper than 32 levels")
    assert checks["api.predict-contract"].status == "passed"


def test_a_server_that_exits_mid_probing_fails_still_up_and_the_rest_is_not_run() -> None:
    exited = "the model server exited while being probed (MemoryError)"
    res = results(gave_up=exited, server_exited=exited, alive_at_end=None)
    del res["probes"]  # it died during the first probe: the prober was stopped before saving
    checks = checks_of(res)
    assert checks["robust.still-up"].status == "failed"
    assert "exited while being probed (MemoryError)" in checks["robust.still-up"].message
    assert checks["robust.huge-batch"].status == "not_run"
    assert exited in checks["robust.huge-batch"].message
