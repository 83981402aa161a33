"""MLE training step: the submission's `train` command in the sandbox (no network, time and
memory capped) with grader's copy of the training data, and the artifact it names read back
as a tar, defensively, on the host. A committed artifact is served when training produced
none, with reduced credit and the report saying so."""

from __future__ import annotations

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
                          "GRADER_ARTIFACT_CAP": str(cap), "DATA_DIR": data_dir},
        collect={ARTIFACT_TAR: cap + 1024 * 1024, ARTIFACT_SIZE: 64, WRITTEN: 16 * 1024}))
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
        checks.append(CheckResult.failed("train.runs", f"`{train_cmd}` {result.explain()}",
                                         title=title_runs, evidence=evidence))
    if not trained and not problem:
        problem = _why_no_artifact(result, artifact, cap)
    if trained:
        size = sum(len(v) for v in trained.values())
        checks.append(CheckResult.passed(
            "train.artifact", f"{artifact}: {len(trained)} file(s), {size / 1024:.0f} KiB, "
            "written by the training run", title=title_artifact,
            evidence={"files": sorted(trained)[:50]}))
        return trained, ""
    committed = {rel: (sub.root / rel).read_bytes() for rel in sub.files
                 if rel == artifact or rel.startswith(f"{artifact}/")}
    if committed:
        checks.append(CheckResult.failed(
            "train.artifact", f"{problem}; serving the {artifact} committed with the "
            "submission instead", points=0.25, title=title_artifact))
        return committed, ""
    if not result.ok and not result.files.get(ARTIFACT_SIZE):
        problem = f"training did not finish ({result.explain()})"
        checks.append(CheckResult.not_run("train.artifact", problem, blocked_by="train.runs",
                                          title=title_artifact))
    else:
        checks.append(CheckResult.failed("train.artifact", problem, title=title_artifact))
    return None, problem


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
