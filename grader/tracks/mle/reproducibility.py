"""`train.reproducible`: the second training run's model against the first, measured on the
predictions for the probe records. Byte-identical artifacts pass as they are; otherwise the
second artifact is served the way the first was (a fresh container, no training code) and
asked for the same records, and the two models' probabilities are compared on the host."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any

from grader.candidate_json import json_or_none
from grader.checks import CheckResult
from grader.tracks.base import GradingContext
from grader.tracks.mle.config import MleConfig
from grader.tracks.mle.metrics import label, probability
from grader.tracks.mle.model_checks import items, mapping
from grader.tracks.mle.plan import predict_only_plan, prober_run
from grader.tracks.mle.train import TITLES, Trained
from grader.tracks.steps.service import LOG_ARTIFACT_BYTES, Service

TITLE = TITLES["train.reproducible"]
SAME = 1e-6         # probabilities closer than this are the same


class RetrainedServer(Service):
    """The retrained model's server: its log kept as server-retrained.log (server.log is the
    first one's)."""

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.server is None:
            return
        if exc_type is None or not issubclass(exc_type, KeyboardInterrupt):
            self.ctx.add_artifact("server-retrained.log", self.log(LOG_ARTIFACT_BYTES))
        self.server.stop()


def not_measured(trained: Trained, why: str = "") -> CheckResult:
    """When nothing can be compared: unverified if the second run's failure says nothing
    about the submission (it ran out of time on a busy machine, or was never asked for),
    failed if the same command failed the second time, not run when nothing was served."""
    if trained.artifact is None:
        return CheckResult.not_run("train.reproducible", why or f"no model to serve: "
                                   f"{trained.why_not}", blocked_by="train.artifact",
                                   title=TITLE)
    if trained.committed:
        return CheckResult.not_run("train.reproducible", "the served model was committed, "
                                   "not trained here", blocked_by="train.provenance",
                                   title=TITLE)
    if trained.second_failed:
        return CheckResult.failed("train.reproducible", trained.second_note, title=TITLE)
    return CheckResult.unverified("train.reproducible", why or trained.second_note,
                                  title=TITLE)


def compare(first: list[Any], second: list[Any]) -> CheckResult:
    """The two models' predictions for the same records."""
    pairs = [(probability(a), probability(b), label(a), label(b))
             for a, b in zip(first, second, strict=False)]
    usable = [(pa, pb, la, lb) for pa, pb, la, lb in pairs if pa is not None and pb is not None]
    if not usable:
        return CheckResult.unverified("train.reproducible", "neither model answered the probe "
                                      "records with valid predictions", title=TITLE)
    diffs = [abs(pa - pb) for pa, pb, _, _ in usable]
    changed = sum(1 for d in diffs if d > SAME)
    flipped = sum(1 for _, _, la, lb in usable if la != lb)
    evidence = {"records": len(usable), "changed": changed, "labels_flipped": flipped,
                "mean_abs_change": round(sum(diffs) / len(diffs), 6),
                "max_abs_change": round(max(diffs), 6)}
    figures: dict[str, float | str] = {"retrained: records whose prediction changed": changed}
    if not changed:
        return CheckResult.passed(
            "train.reproducible", f"trained twice: the two models give the same probabilities "
            f"for all {len(usable)} probe records (the artifacts differ in bytes only)",
            title=TITLE, evidence=evidence, figures=figures)
    return CheckResult.failed(
        "train.reproducible", f"trained twice with the same data and command, the two models "
        f"disagree on {changed} of {len(usable)} probe records (mean change "
        f"{evidence['mean_abs_change']:.4f}, largest {evidence['max_abs_change']:.4f}, "
        f"{flipped} label(s) flipped): training is not seeded or not deterministic",
        title=TITLE, evidence=evidence, figures=figures)


def reproducibility(ctx: GradingContext[MleConfig], image: str, prober: str,
                    trained: Trained, files: dict[str, bytes | Path], first: list[Any],
                    records: list[dict[str, Any]], server_deterministic: bool) -> CheckResult:
    """train.reproducible; `files` are the serving files without the artifact, `first` the
    first model's predictions for `records` (the probe records come first among them). A
    server whose answers vary between identical calls cannot tell two models apart."""
    if trained.artifact is None or trained.committed or trained.second is None:
        return not_measured(trained)
    if trained.second == trained.artifact:
        return CheckResult.passed("train.reproducible", "trained twice: byte-identical "
                                  "artifacts", title=TITLE, evidence={"identical_bytes": True})
    if not server_deterministic:
        return CheckResult.not_run(
            "train.reproducible", "trained twice, the artifacts differ in bytes, and the "
            "server's answers vary between identical calls, so the two models cannot be "
            "compared on them", blocked_by="api.deterministic", title=TITLE)
    cfg = ctx.config
    startup = cfg.startup_timeout_seconds
    probe_plan = predict_only_plan(cfg, records)
    if not any(probability(p) is not None for p in first[:len(probe_plan["records"])]):
        return CheckResult.unverified("train.reproducible", "the first model answered none "
                                      "of the probe records, so there is nothing to compare "
                                      "the second one with", title=TITLE)
    sub = ctx.submission
    with RetrainedServer(ctx, image=image, command=str(sub.manifest.commands.get("serve")),
                         port=cfg.port, files={**files, **trained.second},
                         env={"MODEL_PATH": str(sub.manifest.artifact)},
                         name_hint="model-server-2", network_hint="mle2") as service:
        result = service.client(prober_run(cfg, prober, service.base_url, probe_plan,
                                           ctx.challenge.limits.merged(memory_mb=512),
                                           "prober-2"))
        results = json_or_none(result.files.get("results.json"))
        results = results if isinstance(results, dict) else {}
        ready = results.get("ready") if isinstance(results.get("ready"), dict) else {}
        if not ready or not ready.get("ready"):
            why, _ = service.not_ready(ready or {}, result, startup)
            if ready and ready.get("too_slow"):
                why = f"it answers GET /health too slowly: {str(ready['too_slow'])[:300]}"
            return CheckResult.failed("train.reproducible", "the model of the second training "
                                      f"run did not serve: {why}", title=TITLE)
    holdout = mapping(results.get("holdout"))
    second = items(holdout.get("predictions"))
    return compare(first[:len(probe_plan["records"])], second)
