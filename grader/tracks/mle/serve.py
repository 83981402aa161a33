"""MLE serving step: the artifact served from a fresh container that holds the submission minus
the training code and data (`serving_excludes`), probed by grader's prober on the same
internal network. The prober gets the holdout's *features* and a plan of probes (`plan.py`);
labels never leave the host. Once it is done, the artifact is moved away in the server's
container and a second, short prober run asks whether the server still answers
(`loads_once.py`). Then the second training run's model, when it differs in bytes,
is served the same way for `train.reproducible`."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from grader.candidate_json import json_or_none
from grader.checks import CheckResult
from grader.sandbox.engine import RunResult
from grader.text import last_exception_line
from grader.tracks.base import GradingContext
from grader.tracks.mle.config import MleConfig
from grader.tracks.mle.judge import judge
from grader.tracks.mle.loads_once import (
    after_move_plan,
    after_move_results,
    load_calls,
    loads_once_check,
    move_command,
)
from grader.tracks.mle.model_checks import items, mapping
from grader.tracks.mle.plan import Draw, plan, prober_run
from grader.tracks.mle.reproducibility import not_measured, reproducibility
from grader.tracks.mle.train import Trained
from grader.tracks.steps.service import Service

#: Every check the serving step produces when nothing could be served, with its title.
SERVED_CHECKS = {
    "serve.loads-without-training-code": "The model loads and serves without the training code",
    "model.holdout-auc": "ROC AUC on the hidden holdout",
    "model.leak-free": "The model does not use the leaky column",
    "api.predict-contract": "/predict follows the contract",
    "api.metadata": "/metadata describes the model",
    "api.deterministic": "Same input, same output",
    "api.consistent": "A record gets the same answer alone, in a batch and in any order",
    "api.concurrent": "Concurrent clients get the same answers as sequential ones",
    "robust.bad-requests": "Bad requests get 4xx",
    "robust.still-up": "The server survives bad requests",
    "latency.single": "Single-record latency",
    "latency.batch": "1,000-record batch latency",
    "serve.loads-once": "The model is loaded once, not per request",
}


def not_served(why: str, blocked_by: str, trained: Trained,
               first: CheckResult | None = None) -> list[CheckResult]:
    """The serving checks when nothing could be served or probed: each not run, naming the
    step that stopped it; `first` replaces serve.loads-without-training-code when that
    check itself ran (and failed)."""
    out = [CheckResult.not_run(cid, why, blocked_by=blocked_by, title=title)
           for cid, title in SERVED_CHECKS.items()]
    repro = not_measured(trained, why) if trained.artifact is None else \
        CheckResult.not_run("train.reproducible", why, blocked_by=blocked_by,
                            title=not_measured(trained).title)
    return [first, *out[1:], repro] if first is not None else [*out, repro]


def serve_and_probe(ctx: GradingContext[MleConfig], image: str, prober: str,
                    trained: Trained, data: Any) -> list[CheckResult]:
    sub, cfg = ctx.submission, ctx.config
    serve_cmd, artifact_path = sub.manifest.commands.get("serve"), sub.manifest.artifact
    title = SERVED_CHECKS["serve.loads-without-training-code"]
    artifact = trained.artifact
    if artifact is None:
        return not_served(f"no model to serve: {trained.why_not}", "train.artifact", trained)
    if not serve_cmd:
        failed = CheckResult.failed("serve.loads-without-training-code", "submission.yaml "
                                    "has no `serve` command", title=title)
        return not_served("the model was not served", "serve.loads-without-training-code",
                          trained, failed)
    excludes = cfg.serving_excludes
    files: dict[str, bytes | Path] = {
        rel: sub.root / rel for rel in sub.files
        if not any(fnmatchcase(rel, p) for p in excludes)
        and not (rel == artifact_path or rel.startswith(f"{artifact_path}/"))}
    base_files = dict(files)
    files.update(artifact)
    startup = cfg.startup_timeout_seconds
    excluded = sorted({p for p in excludes if any(fnmatchcase(r, p) for r in sub.files)})
    draw = Draw.new(cfg, data.holdout_rows)  # this grading's secret draw: host only
    with Service(ctx, image=image, command=serve_cmd, port=cfg.port, files=files,
                 env={"MODEL_PATH": str(artifact_path)}, name_hint="model-server",
                 network_hint="mle") as service:
        result = service.client(prober_run(
            cfg, prober, service.base_url, plan(cfg, draw, data.train_csv),
            ctx.challenge.limits.merged(memory_mb=1024), "prober"), what="the probes")
        results = _results(result)
        exited = (last_exception_line(service.log(16 * 1024)) or "no output") \
            if service.exited() else ""
        ready = (results or {}).get("ready") or {}
        if not isinstance(ready, dict) or not ready.get("ready"):
            why, evidence = service.not_ready(ready if isinstance(ready, dict) else {},
                                              result, startup)
            if isinstance(ready, dict) and ready.get("too_slow"):
                why = f"it answers GET /health too slowly: {str(ready['too_slow'])[:300]}"
            evidence.update({"excluded_from_serving": excluded,
                             "prober": result.to_evidence()})
            failed = service.note_crowded([CheckResult.failed(
                "serve.loads-without-training-code", why, title=title, evidence=evidence)])[0]
            return [*not_served(f"the model server never answered /health ({why})",
                                "serve.loads-without-training-code", trained, failed),
                    *service.process_limit_checks()]
        after, moved, why_not = None, None, ""
        if exited or results is None or results.get("alive_at_end") is not True:
            why_not = "the server was not answering /health at the end of the probes"
        else:  # loads_once.py: the artifact moved away, the same batch and new records again
            try:
                moved = service.exec(move_command(str(artifact_path)))
            except Exception as exc:  # the container went away meanwhile: not measured
                moved = (1, f"{type(exc).__name__}: {exc}".encode()[:300])
            if moved is not None and moved[0] == 0:
                after = after_move_results(service.client(prober_run(
                    cfg, prober, service.base_url, after_move_plan(
                        draw.sent[:cfg.batch_size], draw.after_move(), cfg.batch_size,
                        cfg.request_seconds), ctx.challenge.limits.merged(memory_mb=512),
                    "prober-after-move"), what="the probe after moving the model").files.get(
                        "results.json"))
    crowded = service.process_limit_checks()
    checks = [CheckResult.passed(
        "serve.loads-without-training-code", f"answered /health after {ready.get('seconds')}"
        f" s, from a container without {', '.join(excluded) or 'training files'}",
        title=title, evidence={"excluded_from_serving": excluded})]
    results = results or {}
    if exited:  # mid-probing: what was not sent is not run, and the server did not stay up
        results["server_exited"] = f"the model server exited while being probed ({exited:.200})"
        results["gave_up"] = results.get("gave_up") or results["server_exited"]
    elif result.outcome != "exited" and not results.get("gave_up"):  # cut: say why
        results["gave_up"] = f"the prober was stopped ({result.describe()})"
    sent_order = items(mapping(results.get("holdout")).get("predictions"))
    checks += service.note_crowded(judge(draw.realign(results, cfg), data, cfg))
    static = load_calls(sub.root, [rel for rel in base_files if rel.endswith(".py")])
    deterministic = all(c.status != "failed" for c in checks if c.id == "api.deterministic")
    checks.append(loads_once_check(sent_order[:cfg.batch_size], moved, after,
                                   min(cfg.batch_size, len(draw.sent)), str(artifact_path),
                                   static, why_not, deterministic))
    checks += crowded
    ctx.add_artifact("probe-results.json", json.dumps(_without_predictions(results),
                                                      indent=1)[:2_000_000])
    with ctx.stage("reproducibility"):
        checks.append(reproducibility(ctx, image, prober, trained, base_files, sent_order,
                                      draw.sent, deterministic))
    return checks


def _without_predictions(results: dict[str, Any]) -> dict[str, Any]:
    """The prober's results for the report's artifact: the predictions left out."""
    out = {k: v for k, v in results.items() if k != "holdout"}
    for key in ("probes", "determinism", "consistency"):
        if isinstance(results.get(key), list):
            out[key] = _calls(results[key])
    if isinstance(results.get("latency"), dict):
        out["latency"] = {k: v for k, v in results["latency"].items()
                          if k not in ("single_predictions", "single_scores")}
    concurrency = results.get("concurrency")
    if isinstance(concurrency, dict):
        out["concurrency"] = {k: _calls(v) if k in ("sequential", "concurrent") else v
                              for k, v in concurrency.items()}
    return out


def _calls(calls: Any) -> list[Any]:
    return [{k: v for k, v in c.items() if k != "predictions"} for c in calls
            if isinstance(c, dict)] if isinstance(calls, list) else []


def _results(result: RunResult) -> dict[str, Any] | None:
    data = json_or_none(result.files.get("results.json"))  # within RESULTS_CAP (sandbox)
    return data if isinstance(data, dict) else None
