"""The `mle` track: retrain the candidate's model, serve the artifact without the training
code, score it on a hidden holdout, time it and throw bad requests at it.

1. Static facts on the host: lint, secrets, Python-2-isms, tests present; the dependency
   layer, each declared package imported (a missing native library is named).
2. Training (`train.py`): the `train` command of submission.yaml runs twice in the sandbox
   (no network, time and memory capped; in parallel when the machine allows) with the
   grader's copy of the training data; the `artifact` it names is copied out as a tar read
   defensively on the host, and its format judged from its bytes (`serialization_check`).
   If training wrote none but the submission carries that artifact, the committed one is
   served, labelled as not produced by the submitted code. Whether the model was trained
   on all the file's rows or a debug subsample of them (`training_rows.py`) is judged once
   it has been served.
3. Serving (`serve.py`): a fresh container holds the submission minus the training code and
   data (`serving_excludes`) plus the artifact and runs the `serve` command on an internal
   network; a separate prober container (grader's `prober/probe.py`, stdlib only) sends the
   holdout's *features*, latency calls, bad requests, the leak, determinism and feature-usage
   probes (`plan.py`). Labels never leave the host: ROC AUC and the rest are computed here
   (`judge.py`, `model_checks.py`). The second run's model is served too when its bytes
   differ, for `train.reproducible` (`reproducibility.py`).
4. The candidate's own tests run without network, with the artifact and training data.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from grader.analysis.serialization import serialization_check
from grader.checks import CheckResult
from grader.tracks.base import GradingContext, Track
from grader.tracks.mle.bad_requests import NAMES
from grader.tracks.mle.config import MleConfig
from grader.tracks.mle.serve import SERVED_CHECKS, serve_and_probe
from grader.tracks.mle.train import TRAIN_CHECKS, Trained, train
from grader.tracks.mle.training_rows import (
    TITLE as ROWS_TITLE,
)
from grader.tracks.mle.training_rows import (
    all_rows_check,
    artifact_documents,
    declared_rows,
    file_rows,
    subsample_statements,
    training_files,
)
from grader.tracks.steps.dependencies import submission_image
from grader.tracks.steps.own_tests import own_tests
from grader.tracks.steps.seeded import generated
from grader.tracks.steps.service import PROCESS_LIMIT_CHECK
from grader.tracks.steps.static import code_quality

STATIC_CHECKS = ("static.lint", "static.no-secrets", "static.modern-python",
                 "static.serialization", "build.dependencies")


def dataset(config: MleConfig) -> Any:
    """The generator's Dataset for the public seed (train csv, holdout rows/labels, key)."""
    return generated(config.data.generator, config.data.public_seed)


def all_rows(ctx: GradingContext[MleConfig], trained: Trained, train_csv: bytes,
             checks: list[CheckResult]) -> CheckResult:
    """train.all-rows for the model served (training_rows.py): the row counts it records
    (artifact, /metadata) and the subsampling statements of the training code."""
    if trained.artifact is None or trained.committed:
        return CheckResult.not_run(
            "train.all-rows", "no model trained here to judge" if trained.artifact is None
            else "the served model was committed, not trained here",
            blocked_by="train.artifact" if trained.artifact is None else "train.provenance",
            title=ROWS_TITLE)
    by_id = {c.id: c for c in checks}
    served = by_id.get("api.metadata")
    meta = served.evidence.get("metadata") if served is not None else None
    docs = {**artifact_documents(trained.artifact),
            **({"GET /metadata": meta} if isinstance(meta, dict) else {})}
    rows = file_rows(train_csv)
    sub = ctx.submission
    code = training_files(sub.root, list(sub.files), str(sub.manifest.commands.get("train")
                                                         or ""), ctx.config.serving_excludes)
    auc = by_id.get("model.holdout-auc")
    note = (f" (holdout AUC {auc.evidence['auc']:.3f}, target {auc.evidence['target_auc']:.3f})"
            if auc is not None and isinstance(auc.evidence.get("auc"), float) and
            isinstance(auc.evidence.get("target_auc"), float) else "")
    return all_rows_check(rows, declared_rows(docs), subsample_statements(sub.root, code, rows),
                          note)


class MleTrack(Track[MleConfig]):
    name = "mle"
    config_class = MleConfig

    def images(self, config: MleConfig) -> tuple[str, ...]:
        return ("runtime", "prober")

    def check_ids(self, config: MleConfig) -> Iterable[str]:
        return [*STATIC_CHECKS, *TRAIN_CHECKS, *SERVED_CHECKS, PROCESS_LIMIT_CHECK,
                "train.all-rows",
                "robust.still-up",
                *(f"robust.{name}" for name in NAMES), "static.no-test-tampering",
                "tests.own.pass"]

    def grade(self, ctx: GradingContext[MleConfig]) -> list[CheckResult]:
        cfg = ctx.config
        data = dataset(cfg)
        checks: list[CheckResult] = []
        with ctx.stage("static"):
            checks += code_quality(ctx)
        with ctx.stage("images"):
            runtime = ctx.image("runtime")
            prober = ctx.image("prober")
            image = submission_image(ctx, runtime, checks,
                                     failure_note=" (graded on the track image alone)")[0]
            image = image or runtime
        with ctx.stage("train"):
            trained = train(ctx, image, data.train_csv, checks)
        checks.append(serialization_check(ctx.submission.root, ctx.candidate_files,
                                          trained.artifact))
        with ctx.stage("serve_and_probe"):
            checks += serve_and_probe(ctx, image, prober, trained, data)
        checks.append(all_rows(ctx, trained, data.train_csv, checks))
        with ctx.stage("own_tests"):
            data_dir = cfg.data.dir.strip("/")
            checks += [c for c in own_tests(ctx, image, extra_files={
                **(trained.artifact or {}), f"{data_dir}/train.csv": data.train_csv})
                if c.id != "tests.own.coverage"]
        return checks
