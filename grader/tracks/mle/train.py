"""MLE training step: the submission's `train` command in the sandbox (no network, time and
memory capped) with grader's copy of the training data, and the artifact it names read back
as a tar, defensively, on the host.

Training runs twice, in parallel when the machine has the cores and memory for two runs at
the challenge's limits: the second artifact is served later beside the first to measure
reproducibility (`train.reproducible`, judged in `reproducibility.py`). When training wrote
no artifact (it failed, wrote nothing, or there is no train command) but the submission
carries one, the committed artifact is served so the rest can still be graded, labelled "not
produced by the submitted code" (`train.provenance` fails; the challenge's caps limit what
serving can earn)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from grader.checks import CheckResult
from grader.sandbox.archive import read_tar_files
from grader.sandbox.engine import RunResult, RunSpec
from grader.tracks.base import GradingContext
from grader.tracks.mle.config import MleConfig

ARTIFACT_TAR = ".grader/artifact.tar"
ARTIFACT_SIZE = ".grader/artifact.size"
WRITTEN = ".grader/written.txt"
# Train; then, if the artifact exists and is within the cap, tar it for grader to read back.
# Its size and the files the run wrote (newer than the start marker) are noted for the
# report's diagnosis: they come from the candidate's container, so they only explain, they
# never score.
TRAIN_SCRIPT = (
    'mkdir -p .grader; touch .grader/started; sh -c "$GRADER_TRAIN"; code=$?; '
    'find . -newer .grader/started -type f ! -path "./.grader/*" 2>/dev/null | head -n 30 '
    '> .grader/written.txt; '
    'if [ -e "$GRADER_ARTIFACT" ]; then '
    'size=$(du -sb -- "$GRADER_ARTIFACT" 2>/dev/null | cut -f1); echo "$size" > '
    '.grader/artifact.size; '
    'if [ "${size:-0}" -le "$GRADER_ARTIFACT_CAP" ]; then '
    'tar -cf .grader/artifact.tar -- "$GRADER_ARTIFACT" 2>/dev/null; fi; fi; exit $code')
TRAIN_CHECKS = ("train.runs", "train.artifact", "train.provenance", "train.reproducible")
TITLES = {"train.runs": "Training runs in the sandbox",
          "train.artifact": "Training writes the artifact",
          "train.provenance": "The served model was produced by the submitted code",
          "train.reproducible": "Retraining reproduces the model's predictions"}
NOT_PRODUCED = "not produced by the submitted code"


@dataclass
class Trained:
    """What training left for serving: the artifact to serve (None: nothing), why not, whether
    it is the committed one, and the second run's artifact (or why there is none)."""

    artifact: dict[str, bytes] | None
    why_not: str = ""
    committed: bool = False
    second: dict[str, bytes] | None = None
    second_note: str = ""
    second_failed: bool = False


def parallel_runs_fit(limits_cpus: float, memory_mb: int) -> bool:
    """Whether two training runs at these limits fit this machine side by side."""
    cores = os.cpu_count() or 1
    try:
        free_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES") / 2**20
    except (ValueError, OSError, AttributeError):
        free_mb = 0.0
    return cores >= 2 * limits_cpus and free_mb >= 2 * memory_mb


def _artifact_of(result: RunResult, artifact: str, cap: int) -> tuple[dict[str, bytes], str]:
    if ARTIFACT_TAR not in result.files:
        return {}, ""
    files, problem = read_tar_files(result.files[ARTIFACT_TAR], cap)
    return files, f"the artifact {artifact} was written, but {problem}" if problem else ""


def train(ctx: GradingContext[MleConfig], image: str, train_csv: bytes,
          checks: list[CheckResult]) -> Trained:
    """Append train.runs, train.artifact and train.provenance to `checks`; return what
    serving needs."""
    sub, cfg = ctx.submission, ctx.config
    train_cmd, artifact = sub.manifest.commands.get("train"), sub.manifest.artifact
    data_dir = cfg.data.dir.strip("/")
    if not artifact:
        why = "submission.yaml has no `artifact`: there is nothing to train into or serve"
        checks += [CheckResult.failed("train.runs", why, title=TITLES["train.runs"]),
                   CheckResult.failed("train.artifact", why, title=TITLES["train.artifact"],
                                      evidence={"committed_served": 0}),
                   _no_provenance(why)]
        return Trained(None, why)
    cap = int(cfg.artifact_cap_mb * 2**20)
    if not train_cmd:
        why = "submission.yaml has no commands.train (treated as a training that failed)"
        checks.append(CheckResult.failed("train.runs", why, title=TITLES["train.runs"]))
        return _committed_or_none(ctx, artifact, why, checks, ran=False)
    files: dict[str, bytes | Path] = {
        rel: sub.root / rel for rel in sub.files if not rel.startswith(f"{data_dir}/")
        and not (rel == artifact or rel.startswith(f"{artifact}/"))}
    files[f"{data_dir}/train.csv"] = train_csv
    spec = RunSpec(
        image=image, command=["/bin/sh", "-c", TRAIN_SCRIPT], name_hint="train",
        limits=ctx.challenge.limits.merged(timeout_seconds=cfg.train_timeout_seconds),
        files=files, env={"GRADER_TRAIN": train_cmd, "GRADER_ARTIFACT": artifact,
                          "GRADER_ARTIFACT_CAP": str(cap), "DATA_DIR": data_dir},
        collect={ARTIFACT_TAR: cap + 1024 * 1024, ARTIFACT_SIZE: 64, WRITTEN: 16 * 1024})
    twice = cfg.retrain_for_reproducibility
    parallel = twice and parallel_runs_fit(spec.limits.cpus, spec.limits.memory_mb)
    if parallel:
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="train") as pool:
            results = [f.result() for f in [pool.submit(ctx.sandbox.run, spec)
                                            for _ in range(2)]]
    else:  # one after the other: the second only when the first gave something to compare
        results = [ctx.sandbox.run(spec)]
        if twice and _artifact_of(results[0], artifact, cap)[0]:
            results.append(ctx.sandbox.run(spec))
    result = results[0]
    ctx.timings["train_seconds"] = round(result.seconds, 3)
    log = (result.stdout.text() + "\n--- stderr ---\n" + result.stderr.text())[-200_000:]
    ctx.add_artifact("train.log", log)
    evidence = {"run": result.to_evidence(), "command": train_cmd,
                "runs": len(results), "in_parallel": parallel}
    trained, problem = _artifact_of(result, artifact, cap)
    if result.ok:
        checks.append(CheckResult.passed(
            "train.runs", f"`{train_cmd}` finished in {result.seconds:.1f} s",
            title=TITLES["train.runs"], evidence=evidence,
            figures={"training time (s)": round(result.seconds, 1)}))
    else:
        checks.append(CheckResult.failed("train.runs", f"`{train_cmd}` {result.explain()}",
                                         title=TITLES["train.runs"], evidence=evidence))
    if not trained and not problem:
        problem = _why_no_artifact(result, artifact, cap)
    if trained:
        size = sum(len(v) for v in trained.values())
        checks.append(CheckResult.passed(
            "train.artifact", f"{artifact}: {len(trained)} file(s), {size / 1024:.0f} KiB, "
            "written by the training run", title=TITLES["train.artifact"],
            evidence={"files": sorted(trained)[:50]}))
        checks.append(CheckResult.passed("train.provenance", "the served model is the one "
                                         "the training run wrote",
                                         title=TITLES["train.provenance"]))
        return _second(trained, results[1:], artifact, cap)
    if not result.ok and not result.files.get(ARTIFACT_SIZE):
        problem = f"training did not finish ({result.explain()})"
    return _committed_or_none(ctx, artifact, problem, checks, ran=result.ok)


def _second(trained: dict[str, bytes], rest: list[RunResult], artifact: str,
            cap: int) -> Trained:
    """The first run's artifact with the second's, or why there is none (and whether that is
    the submission's fault)."""
    if not rest:
        return Trained(trained, second_note="training ran once "
                       "(retrain_for_reproducibility is off)")
    run = rest[0]
    files, problem = _artifact_of(run, artifact, cap)
    if files:
        return Trained(trained, second=files)
    if run.outcome in ("timeout", "oom", "stopped", "cancelled"):
        return Trained(trained, second_note=f"the second training run did not finish "
                       f"({run.explain()})")
    return Trained(trained, second_failed=True, second_note=(
        "the second training run, identical to the first, "
        + (f"failed: {run.explain()}" if not run.ok else
           problem or _why_no_artifact(run, artifact, cap))))


def _committed_or_none(ctx: GradingContext[MleConfig], artifact: str, problem: str,
                       checks: list[CheckResult], ran: bool) -> Trained:
    """No trained artifact: serve the committed one, labelled, or nothing."""
    sub = ctx.submission
    committed = {rel: (sub.root / rel).read_bytes() for rel in sub.files
                 if rel == artifact or rel.startswith(f"{artifact}/")}
    title = TITLES["train.artifact"]
    if committed:
        checks.append(CheckResult.failed(
            "train.artifact", f"{problem}; serving the {artifact} committed with the "
            f"submission instead: a model {NOT_PRODUCED}", points=0.25, title=title,
            evidence={"committed_served": 1}))
        checks.append(CheckResult.failed(
            "train.provenance", f"the served {artifact} was committed with the submission, "
            f"{NOT_PRODUCED} (the training run left none: {problem[:200]}); it is graded, "
            "with serving credit capped", title=TITLES["train.provenance"],
            evidence={"committed_files": sorted(committed)[:50]}))
        return Trained(committed, committed=True,
                       second_note="the served model was not produced by training")
    if not ran and "did not finish" in problem:
        checks.append(CheckResult.not_run("train.artifact", problem, blocked_by="train.runs",
                                          title=title))
    else:
        checks.append(CheckResult.failed("train.artifact", problem, title=title,
                                         evidence={"committed_served": 0}))
    checks.append(_no_provenance(problem))
    return Trained(None, problem)


def _no_provenance(why: str) -> CheckResult:
    return CheckResult.not_run("train.provenance", f"no model to serve: {why}",
                               blocked_by="train.artifact", title=TITLES["train.provenance"])


def _why_no_artifact(result: RunResult, artifact: str, cap: int) -> str:
    """Why no artifact came back: over the cap (its size), or not written (what was)."""
    size_text = result.files.get(ARTIFACT_SIZE, b"").decode("ascii", "replace").strip()
    if size_text.isdigit():
        size = int(size_text)
        if size > cap:
            return (f"the artifact {artifact} was written, but it is {size / 2**20:.1f} MiB, "
                    f"over the {cap / 2**20:g} MiB cap (artifact_cap_mb)")
        why = result.file_errors.get(ARTIFACT_TAR, "it could not be read back")
        return f"the artifact {artifact} was written, but {why}"
    written = [line.removeprefix("./") for line in result.files.get(WRITTEN, b"").decode(
        "utf-8", "replace").splitlines() if line.strip()]
    if written:
        shown = ", ".join(written[:8]) + (" ..." if len(written) > 8 else "")
        return (f"the training run did not write {artifact} (submission.yaml's `artifact`); "
                f"it wrote {shown}")
    return f"the training run did not write {artifact}, nor any other file"
