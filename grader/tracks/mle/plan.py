"""What the prober sends (built on the host; features only, never labels): the holdout in
batches, the determinism groups (plain records, records with missing values, records with a
category training never showed), the leak probe (the same records with only the leaky column
changed, and the first call repeated so noise is told apart from a leak), the feature-usage
probe (each input field rotated across a few records in turn), latency calls and the bad
requests. The probes that need a healthy server come before the bad requests."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from grader.tracks.mle.bad_requests import bad_request_probes
from grader.tracks.mle.config import MleConfig

GROUP_SIZE = 20


def _batch(name: str, records: list[dict[str, Any]], keep: bool = True) -> dict[str, Any]:
    return {"name": name, "keep_predictions": keep, "records": len(records),
            "body": json.dumps({"records": records})}


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


def leak_probes(cfg: MleConfig, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not cfg.leaky_column:
        return []
    sample = records[:cfg.probe_records]
    first, second = cfg.leak_values
    return [_batch(name, [{**r, cfg.leaky_column: value} for r in sample])
            for name, value in (("leak-a", first), ("leak-b", second),
                                ("leak-a-again", first))]


def plan(cfg: MleConfig, records: list[dict[str, Any]], train_csv: bytes) -> dict[str, Any]:
    """The prober's plan for the main server."""
    probes = [*leak_probes(cfg, records), *usage_probes(cfg, records),
              *bad_request_probes(cfg, records)]
    return {"records": records, "batch_size": cfg.batch_size, "singles": cfg.singles,
            "singles_budget_seconds": cfg.singles_budget_seconds,
            "big_batch": cfg.big_batch, "probes": probes,
            "determinism": determinism_groups(cfg, records, train_csv)}


def predict_only_plan(cfg: MleConfig, records: list[dict[str, Any]]) -> dict[str, Any]:
    """The prober's plan for the retrained model's server: the probe records' predictions."""
    return {"records": records[:cfg.probe_records], "batch_size": cfg.batch_size,
            "predict_only": True}
