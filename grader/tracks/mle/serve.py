"""MLE serving step: the artifact served from a fresh container that holds the submission minus
the training code and data (`serving_excludes`), probed by grader's prober on the same
internal network. The prober gets the holdout's *features* and a plan of probes; labels never
leave the host."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from grader.checks import CheckResult
from grader.sandbox.engine import RunResult, RunSpec
from grader.tracks.base import GradingContext
from grader.tracks.mle.bad_requests import bad_request_probes
from grader.tracks.mle.config import MleConfig
from grader.tracks.mle.judge import judge
from grader.tracks.mle.prober import PROBE
from grader.tracks.steps.service import Service

RESULTS_CAP = 32 * 1024 * 1024
#: Every check the serving step produces when nothing could be served, with its title.
SERVED_CHECKS = {
    "serve.loads-without-training-code": "The model loads and serves without the training code",
    "model.holdout-auc": "ROC AUC on the hidden holdout",
    "model.leak-free": "The model does not use the leaky column",
    "api.predict-contract": "/predict follows the contract",
    "api.metadata": "/metadata describes the model",
    "api.deterministic": "Same input, same output",
    "robust.bad-requests": "Bad requests get 4xx",
    "robust.still-up": "The server survives bad requests",
    "latency.single": "Single-record latency",
    "latency.batch": "1,000-record batch latency",
}


def plan(cfg: MleConfig, records: list[dict[str, Any]]) -> dict[str, Any]:
    """What the prober sends: the holdout's features in batches, latency calls, the bad
    requests and the leak probe (the same records with only the leaky column changed)."""
    probes = bad_request_probes(cfg, records)
    if cfg.leaky_column:
        sample = records[:200]
        for value in cfg.leak_values:
            probes.append({"name": f"leak-{value}", "keep_predictions": True,
                           "body": json.dumps({"records": [{**r, cfg.leaky_column: value}
                                                           for r in sample]})})
    return {"records": records, "batch_size": cfg.batch_size, "singles": cfg.singles,
            "singles_budget_seconds": cfg.singles_budget_seconds,
            "big_batch": cfg.big_batch, "probes": probes}


def not_served(why: str, blocked_by: str,
               first: CheckResult | None = None) -> list[CheckResult]:
    """The serving checks when nothing could be served or probed: each not run, naming the
    step that stopped it; `first` replaces serve.loads-without-training-code when that
    check itself ran (and failed)."""
    out = [CheckResult.not_run(cid, why, blocked_by=blocked_by, title=title)
           for cid, title in SERVED_CHECKS.items()]
    return [first, *out[1:]] if first is not None else out


def serve_and_probe(ctx: GradingContext[MleConfig], image: str, prober: str,
                    artifact: dict[str, bytes] | None, why_not: str,
                    data: Any) -> list[CheckResult]:
    sub, cfg = ctx.submission, ctx.config
    serve_cmd, artifact_path = sub.manifest.commands.get("serve"), sub.manifest.artifact
    title = SERVED_CHECKS["serve.loads-without-training-code"]
    if artifact is None:
        return not_served(f"no model to serve: {why_not}", "train.artifact")
    if not serve_cmd:
        failed = CheckResult.failed("serve.loads-without-training-code", "submission.yaml "
                                    "has no `serve` command", title=title)
        return not_served("the model was not served", "serve.loads-without-training-code",
                          failed)
    excludes = cfg.serving_excludes
    files: dict[str, bytes | Path] = {
        rel: sub.root / rel for rel in sub.files
        if not any(fnmatchcase(rel, p) for p in excludes)
        and not (rel == artifact_path or rel.startswith(f"{artifact_path}/"))}
    files.update(artifact)
    startup = cfg.startup_timeout_seconds
    excluded = sorted({p for p in excludes if any(fnmatchcase(r, p) for r in sub.files)})
    with Service(ctx, image=image, command=serve_cmd, port=cfg.port, files=files,
                 env={"MODEL_PATH": str(artifact_path)}, name_hint="model-server",
                 network_hint="mle") as service:
        result = service.client(RunSpec(
            image=prober, name_hint="prober",
            limits=ctx.challenge.limits.merged(memory_mb=1024,
                                               timeout_seconds=startup + 600),
            command=["python", "probe.py", "--base-url", service.base_url, "--wait",
                     str(startup), "--plan", "plan.json", "--out", "results.json"],
            files={"probe.py": PROBE,
                   "plan.json": json.dumps(plan(cfg, data.holdout_rows)).encode()},
            collect={"results.json": RESULTS_CAP}))
        results = _results(result)
        ready = (results or {}).get("ready") or {}
        if not isinstance(ready, dict) or not ready.get("ready"):
            why, evidence = service.not_ready(ready if isinstance(ready, dict) else {},
                                              result, startup)
            evidence.update({"excluded_from_serving": excluded,
                             "prober": result.to_evidence()})
            failed = CheckResult.failed("serve.loads-without-training-code", why,
                                        title=title, evidence=evidence)
            return not_served(f"the model server never answered /health ({why})",
                              "serve.loads-without-training-code", failed)
    checks = [CheckResult.passed(
        "serve.loads-without-training-code", f"answered /health after {ready.get('seconds')}"
        f" s, from a container without {', '.join(excluded) or 'training files'}",
        title=title, evidence={"excluded_from_serving": excluded})]
    checks += judge(results or {}, data, cfg)
    ctx.add_artifact("probe-results.json", json.dumps(
        {k: v for k, v in (results or {}).items() if k != "holdout"}, indent=1)[:2_000_000])
    return checks


def _results(result: RunResult) -> dict[str, Any] | None:
    raw = result.files.get("results.json")
    try:
        data = json.loads(raw) if raw is not None else None
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return data if isinstance(data, dict) else None
