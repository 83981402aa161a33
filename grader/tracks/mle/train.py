"""MLE training step: the submission's `train` command in the sandbox (no network, time and
memory capped) with grader's copy of the training data, and the artifact it names read back
as a tar, defensively, on the host. A committed artifact is served when training produced
none, with reduced credit and the report saying so."""

from __future__ import annotations

from pathlib import Path

from grader.checks import CheckResult
from grader.sandbox.archive import read_tar_files
from grader.sandbox.engine import RunSpec
from grader.tracks.base import GradingContext
from grader.tracks.mle.config import MleConfig

ARTIFACT_TAR = ".grader/artifact.tar"
TRAIN_SCRIPT = (
    'mkdir -p .grader; sh -c "$GRADER_TRAIN"; code=$?; '
    'if [ -e "$GRADER_ARTIFACT" ]; then tar -cf .grader/artifact.tar -- "$GRADER_ARTIFACT" '
    "2>/dev/null; fi; exit $code")
TRAIN_CHECKS = ("train.runs", "train.artifact")


def train(ctx: GradingContext[MleConfig], image: str, train_csv: bytes,
          checks: list[CheckResult]) -> tuple[dict[str, bytes] | None, str]:
    """Append train.runs and train.artifact to `checks`; return (artifact files, "") or
    (None, why nothing can be served)."""
    sub, cfg = ctx.submission, ctx.config
    train_cmd, artifact = sub.manifest.commands.get("train"), sub.manifest.artifact
    data_dir = cfg.data.dir.strip("/")
    title_runs, title_artifact = "Training runs in the sandbox", "Training writes the artifact"
    if not train_cmd or not artifact:
        missing = " and ".join(x for x, v in (("commands.train", train_cmd),
                                               ("artifact", artifact)) if not v)
        why = f"submission.yaml has no {missing}"
        checks += [CheckResult.failed("train.runs", why, title=title_runs),
                   CheckResult.failed("train.artifact", why, title=title_artifact)]
        return None, why
    cap = int(cfg.artifact_cap_mb * 2**20)
    files: dict[str, bytes | Path] = {
        rel: sub.root / rel for rel in sub.files if not rel.startswith(f"{data_dir}/")
        and not (rel == artifact or rel.startswith(f"{artifact}/"))}
    files[f"{data_dir}/train.csv"] = train_csv
    result = ctx.sandbox.run(RunSpec(
        image=image, command=["/bin/sh", "-c", TRAIN_SCRIPT], name_hint="train",
        limits=ctx.challenge.limits.merged(timeout_seconds=cfg.train_timeout_seconds),
        files=files, env={"GRADER_TRAIN": train_cmd, "GRADER_ARTIFACT": artifact,
                          "DATA_DIR": data_dir},
        collect={ARTIFACT_TAR: cap + 1024 * 1024}))
    ctx.timings["train_seconds"] = round(result.seconds, 3)
    log = (result.stdout.text() + "\n--- stderr ---\n" + result.stderr.text())[-200_000:]
    ctx.add_artifact("train.log", log)
    evidence = {"run": result.to_evidence(), "command": train_cmd}
    trained: dict[str, bytes] = {}
    problem = ""
    if ARTIFACT_TAR in result.files:
        trained, problem = read_tar_files(result.files[ARTIFACT_TAR], cap)
        problem = f"the artifact {artifact} was written, but {problem}" if problem else ""
    if result.ok:
        checks.append(CheckResult.passed("train.runs", f"`{train_cmd}` finished in "
                                         f"{result.seconds:.1f} s", title=title_runs,
                                         evidence=evidence,
                                         figures={"training time (s)": round(result.seconds,
                                                                             1)}))
    else:
        checks.append(CheckResult.failed("train.runs", f"`{train_cmd}` {result.describe()}",
                                         title=title_runs, evidence=evidence))
    if trained:
        size = sum(len(v) for v in trained.values())
        checks.append(CheckResult.passed(
            "train.artifact", f"{artifact}: {len(trained)} file(s), {size / 1024:.0f} KiB, "
            "written by the training run", title=title_artifact,
            evidence={"files": sorted(trained)[:50]}))
        return trained, ""
    committed = {rel: (sub.root / rel).read_bytes() for rel in sub.files
                 if rel == artifact or rel.startswith(f"{artifact}/")}
    why = problem or f"the training run did not write {artifact}"
    if committed:
        checks.append(CheckResult.failed(
            "train.artifact", f"{why}; serving the {artifact} committed with the "
            "submission instead", points=0.25, title=title_artifact))
        return committed, ""
    checks.append(CheckResult.failed("train.artifact", why, title=title_artifact))
    return None, why
