"""What the prober sends (built on the host; features only, never labels): the holdout in
batches, the determinism groups (plain records, records with missing values, records with a
category training never showed), the leak probe (the same records with only the leaky column
changed, and the first call repeated so noise is told apart from a leak), the feature-usage
probe (each input field rotated across a few records in turn), latency calls and the bad
requests. The probes that need a healthy server come before the bad requests.

Nothing a server could learn to recognise is fixed (`Draw`): from a secret drawn on the host
for each grading (never written anywhere, never handed to the candidate's container) come
the order the holdout is sent in (so which holdout records the usage and determinism probes
use), the identifier columns' digits, fresh records from the challenge's generator with a
seed of that grading (the leak probe, every latency call, the consistency and concurrency
records: records the server has not seen in this grading), the leaky column's values in the
leak probe (one per record from each of two ranges), the order of each leak call, of the
shuffled consistency call and of the probes themselves, and the sizes of the concurrency
batches. The host keeps the orders and puts the answers back in place (`Draw.realign`).

Consistency: the first CONSISTENCY_RECORDS single-record latency calls are complete fresh
records; after the latency step they are sent again as one batch, the same batch once more,
and shuffled. Concurrency: CONCURRENT_BATCHES batches of complete fresh records, each sent
once and then again from parallel clients (`consistency.py` judges both)."""

from __future__ import annotations

import csv
import io
import json
import random
import secrets
from dataclasses import dataclass
from typing import Any

from grader.sandbox.engine import RunSpec
from grader.sandbox.limits import Limits
from grader.tracks.mle.bad_requests import bad_request_probes
from grader.tracks.mle.config import MleConfig
from grader.tracks.mle.prober import PROBE, PROBE_HTTP
from grader.tracks.steps.seeded import load_generator

GROUP_SIZE = 20
RESULTS_CAP = 32 * 1024 * 1024
PROBER_MARGIN_SECONDS = 30  # the prober's own start and the last /health over its budget
LEAK_CALLS = ("leak-a", "leak-b", "leak-a-again")
CONSISTENCY_RECORDS = 30    # the prober always sends at least this many single-record calls
CONSISTENCY_CALLS = ("batch", "batch-again", "shuffled")
CONCURRENT_BATCHES = 8
CONCURRENT_SIZES = (5, 15)  # records per concurrency batch, drawn: a swapped answer miscounts
AFTER_MOVE_FRESH = 50       # fresh records sent once the artifact was moved (loads_once.py)


def _batch(name: str, records: list[dict[str, Any]], keep: bool = True) -> dict[str, Any]:
    return {"name": name, "keep_predictions": keep, "records": len(records),
            "body": json.dumps({"records": records})}


def redraw_ids(row: dict[str, Any], columns: list[str], rng: random.Random) -> dict[str, Any]:
    """`row` with the digits of its identifier columns drawn again (the shape kept)."""
    out = dict(row)
    for column in columns:
        value = out.get(column)
        if isinstance(value, str):
            out[column] = "".join(str(rng.randrange(10)) if c.isdigit() else c for c in value)
        elif isinstance(value, int) and not isinstance(value, bool):
            digits = len(str(abs(value)))
            out[column] = rng.randrange(10 ** (digits - 1) if digits > 1 else 0, 10 ** digits)
    return out


def _value_in(bounds: list[int | float], rng: random.Random) -> int | float:
    low, high = bounds
    if isinstance(low, int) and isinstance(high, int):
        return rng.randint(low, high)
    return round(rng.uniform(low, high), 6)


@dataclass(frozen=True)
class Draw:
    """One grading's draw (see the module's docstring). `sent` is the holdout in the order
    sent (sent[i] is holdout[order[i]]); `leak_orders[k][j]` is the leak sample's record at
    position j of leak call k."""

    order: list[int]
    sent: list[dict[str, Any]]
    fresh: list[dict[str, Any]]
    leak_values: list[tuple[int | float, int | float]]
    leak_orders: list[list[int]]
    rng: random.Random
    shuffled: list[int]           # the shuffled consistency call: position -> record
    concurrent_sizes: list[int]
    fresh_labels: list[int]       # host only: the fresh records' outcomes

    @classmethod
    def new(cls, cfg: MleConfig, holdout: list[dict[str, Any]],
            rng: random.Random | None = None) -> Draw:
        """The draw of one grading, from a fresh secret unless `rng` is given (tests)."""
        rng = rng or random.Random(secrets.token_bytes(32))
        order = list(range(len(holdout)))
        rng.shuffle(order)
        sent = [redraw_ids(holdout[i], cfg.id_columns, rng) for i in order]
        sizes = [rng.randint(*CONCURRENT_SIZES) for _ in range(CONCURRENT_BATCHES)]
        need = (cfg.probe_records + cfg.singles + cfg.big_batch + 2 * sum(sizes)
                + AFTER_MOVE_FRESH)
        rows, labels = fresh_records(cfg, need, rng)
        fresh = [redraw_ids(r, cfg.id_columns, rng) for r in rows]
        n_leak = min(cfg.probe_records, len(fresh))
        values: list[tuple[int | float, int | float]] = []
        if cfg.leaky_column and len(cfg.leak_ranges) == 2:
            values = [(_value_in(cfg.leak_ranges[0], rng), _value_in(cfg.leak_ranges[1], rng))
                      for _ in range(n_leak)]
        orders = [rng.sample(range(n_leak), n_leak) for _ in LEAK_CALLS]
        k = min(CONSISTENCY_RECORDS, cfg.singles)
        return cls(order, sent, fresh, values, orders, rng, rng.sample(range(k), k), sizes,
                   labels)

    def unshuffle(self, preds: list[Any]) -> list[Any]:
        """Predictions in the order sent -> in the holdout's order (None where missing)."""
        out: list[Any] = [None] * len(self.order)
        for position, index in enumerate(self.order[:len(preds)]):
            out[index] = preds[position]
        return out

    def realign(self, results: dict[str, Any], cfg: MleConfig | None = None
                ) -> dict[str, Any]:
        """The prober's results with the holdout's predictions in the holdout's order, each
        leak call's in the leak sample's order and the shuffled consistency call's in its
        records' order (a copy; lists of other lengths kept); with `cfg`, the single-record
        calls' outcomes beside their answers (host only)."""
        out = dict(results)
        holdout = results.get("holdout")
        if isinstance(holdout, dict) and isinstance(holdout.get("predictions"), list):
            out["holdout"] = {**holdout, "predictions": self.unshuffle(holdout["predictions"])}
        probes = results.get("probes")
        if isinstance(probes, list):
            orders = dict(zip(LEAK_CALLS, self.leak_orders, strict=True))
            out["probes"] = [_realigned(p, orders) for p in probes]
        calls = results.get("consistency")
        if isinstance(calls, list):
            out["consistency"] = [_realigned(c, {"shuffled": self.shuffled}) for c in calls]
        latency = results.get("latency")
        if isinstance(latency, dict) and cfg is not None:  # host only, never in an artifact
            out["latency"] = {**latency, "single_labels": [
                self.fresh_labels[i] for i in self._single_indices(cfg)]}
        return out

    def _single_indices(self, cfg: MleConfig) -> list[int]:
        n_leak = len(self.leak_values) if self.leak_values else min(cfg.probe_records,
                                                                    len(self.fresh))
        pool = range(n_leak, min(n_leak + cfg.singles, len(self.fresh)))
        complete = [i for i in pool if _complete(self.fresh[i], cfg)][:len(self.shuffled)]
        return complete + [i for i in pool if i not in set(complete)]

    def singles(self, cfg: MleConfig) -> list[dict[str, Any]]:
        """The single-record latency calls: complete records first, the first of them (as
        many as the shuffled call orders) being the consistency records."""
        return [self.fresh[i] for i in self._single_indices(cfg)]

    def concurrency_batches(self, cfg: MleConfig) -> list[list[dict[str, Any]]]:
        """The concurrency probe's batches: complete fresh records sent nowhere else."""
        n_leak = len(self.leak_values) if self.leak_values else min(cfg.probe_records,
                                                                    len(self.fresh))
        pool = [r for r in self.fresh[n_leak + cfg.singles + cfg.big_batch:
                                      len(self.fresh) - AFTER_MOVE_FRESH] if _complete(r, cfg)]
        out, start = [], 0
        for size in self.concurrent_sizes:
            if start + size > len(pool):
                break
            out.append(pool[start:start + size])
            start += size
        return out

    def after_move(self) -> list[dict[str, Any]]:
        """Fresh records for the call after the artifact was moved (sent nowhere else)."""
        return self.fresh[-AFTER_MOVE_FRESH:]


def _complete(record: dict[str, Any], cfg: MleConfig) -> bool:
    """No missing value (a server that draws values for missing ones is judged by
    api.deterministic, not by the consistency and concurrency probes)."""
    return all(record.get(f) is not None for f in cfg.required_fields)


def _realigned(probe: Any, orders: dict[str, list[int]]) -> Any:
    if not isinstance(probe, dict) or probe.get("name") not in orders:
        return probe
    preds, order = probe.get("predictions"), orders[str(probe["name"])]
    if not isinstance(preds, list) or len(preds) != len(order):
        return probe
    placed: list[Any] = [None] * len(order)
    for position, index in enumerate(order):
        placed[index] = preds[position]
    return {**probe, "predictions": placed}


def fresh_records(cfg: MleConfig, n: int, rng: random.Random
                  ) -> tuple[list[dict[str, Any]], list[int]]:
    """`n` records from the challenge's generator with seeds of this grading (never the
    public seed): holdout-like customers this grading sends nowhere else, and their labels
    (kept on the host)."""
    generator = load_generator(cfg.data.generator)
    out: list[dict[str, Any]] = []
    labels: list[int] = []
    while len(out) < n:
        seed = rng.randrange(1, 2 ** 31)
        if seed != cfg.data.public_seed:
            made = generator.generate(seed)
            out += made.holdout_rows
            labels += made.holdout_labels
    return out[:n], labels[:n]


def training_categories(train_csv: bytes, fields: list[str]) -> dict[str, set[str]]:
    """The values each field takes in the training file (for finding unseen categories)."""
    reader = csv.DictReader(io.StringIO(train_csv.decode("utf-8", "replace")))
    seen: dict[str, set[str]] = {f: set() for f in fields}
    for row in reader:
        for f in fields:
            if row.get(f):
                seen[f].add(str(row[f]))
    return seen


def determinism_groups(cfg: MleConfig, records: list[dict[str, Any]],
                       train_csv: bytes) -> list[dict[str, Any]]:
    """Three groups of holdout records, each sent twice: complete ones, ones with a missing
    value, ones with a category the training data never shows (the challenge's unseen value
    put in when the holdout has none)."""
    required = cfg.required_fields
    categorical = [f for f in required if any(isinstance(r.get(f), str) for r in records)]
    seen = training_categories(train_csv, categorical)

    def unseen(r: dict[str, Any]) -> bool:
        return any(isinstance(r.get(f), str) and r[f] not in seen[f] for f in categorical)

    complete = [r for r in records if all(r.get(f) is not None for f in required)
                and not unseen(r)]
    nulls = [r for r in records if any(r.get(f) is None for f in required)]
    novel = [r for r in records if unseen(r)]
    if not novel and cfg.unseen_category:
        field, value = cfg.unseen_category.field, cfg.unseen_category.value
        novel = [{**r, field: value} for r in complete[:GROUP_SIZE]]
    groups = [("complete", complete), ("missing-values", nulls), ("unseen-category", novel)]
    return [{"name": name, "records": rows[:GROUP_SIZE]} for name, rows in groups if rows]


def usage_probes(cfg: MleConfig, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The usage records as they are, then once per field with that field's values rotated
    by one record: the fields whose rotation moves no prediction are not used by the model."""
    sample = records[:cfg.usage_records]
    fields = sorted({k for r in sample for k in r})
    probes = [_batch("usage-base", sample)]
    for field in fields:
        rotated = [{**r, field: sample[(i + 1) % len(sample)].get(field)}
                   for i, r in enumerate(sample)]
        probes.append(_batch(f"usage-{field}", rotated))
    return probes


def leak_probes(cfg: MleConfig, draw: Draw) -> list[dict[str, Any]]:
    """The leak sample (fresh records) with the leaky column from the first range, from the
    second, and from the first again, each call in its own order."""
    if not cfg.leaky_column or not draw.leak_values:
        return []
    column = cfg.leaky_column
    sample = draw.fresh[:len(draw.leak_values)]
    choice = {"leak-a": 0, "leak-b": 1, "leak-a-again": 0}
    return [_batch(name, [{**sample[i], column: draw.leak_values[i][choice[name]]}
                          for i in order])
            for name, order in zip(LEAK_CALLS, draw.leak_orders, strict=True)]


def plan(cfg: MleConfig, draw: Draw, train_csv: bytes) -> dict[str, Any]:
    """The prober's plan for the main server: the leak and usage probes in an order of this
    grading, then the bad requests."""
    records = draw.sent
    model_probes = [*leak_probes(cfg, draw), *usage_probes(cfg, records)]
    draw.rng.shuffle(model_probes)
    n_leak = len(draw.leak_values)
    singles = draw.singles(cfg)
    batch = draw.fresh[n_leak + cfg.singles:n_leak + cfg.singles + cfg.big_batch]
    kept = singles[:len(draw.shuffled)]
    consistency = [{"name": name, "records": rows} for name, rows in zip(
        CONSISTENCY_CALLS, (kept, kept, [kept[i] for i in draw.shuffled]), strict=True)
        ] if len(kept) == len(draw.shuffled) else []
    return {"records": records, "batch_size": cfg.batch_size,
            "request_seconds": cfg.request_seconds,
            "latency": {"singles": singles, "batch": batch, "keep": len(kept),
                        "singles_budget_seconds": cfg.singles_budget_seconds},
            "consistency": consistency,
            "concurrency": {"batches": draw.concurrency_batches(cfg),
                            "clients": cfg.concurrent_clients,
                            "rounds": cfg.concurrent_rounds},
            "probes": [*model_probes, *bad_request_probes(cfg, records)],
            "determinism": determinism_groups(cfg, records, train_csv)}


def predict_only_plan(cfg: MleConfig, records: list[dict[str, Any]]) -> dict[str, Any]:
    """The prober's plan for the retrained model's server: the probe records' predictions."""
    return {"records": records[:cfg.probe_records], "batch_size": cfg.batch_size,
            "request_seconds": cfg.request_seconds, "predict_only": True}


def prober_run(cfg: MleConfig, prober: str, base_url: str, the_plan: dict[str, Any],
               limits: Limits, name: str) -> RunSpec:
    """The prober's run: waits for /health up to the startup timeout, then probes within
    its budget (every request with its own deadline); the container's wall clock is both
    plus a margin."""
    startup, budget = cfg.startup_timeout_seconds, cfg.probe_budget_seconds
    return RunSpec(
        image=prober, name_hint=name,
        limits=limits.merged(timeout_seconds=startup + budget + PROBER_MARGIN_SECONDS),
        command=["python", "probe.py", "--base-url", base_url, "--wait", f"{startup:g}",
                 "--budget", f"{budget:g}", "--plan", "plan.json", "--out", "results.json"],
        files={"probe.py": PROBE, "probe_http.py": PROBE_HTTP,
               "plan.json": json.dumps(the_plan).encode()},
        collect={"results.json": RESULTS_CAP})

