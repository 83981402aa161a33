"""The MLE track without Docker: the artifact tar read defensively, AUC, the judging of probe
results (robustness, latency, leak, metadata), the kit, and the promise that holdout labels
never enter a container (a fake sandbox records every file it is handed)."""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from grader.challenge import load_challenge
from grader.intake import Manifest, Submission
from grader.kit import build_kit
from grader.registry import get_track
from grader.sandbox.archive import read_tar_files as read_artifact_tar
from grader.sandbox.capture import CapturedOutput
from grader.sandbox.engine import (
    Network,
    RunResult,
    RunSpec,
    Service,
)
from grader.sandbox.limits import Limits
from grader.tracks.base import GradingContext
from grader.tracks.mle import judge, model_checks
from grader.tracks.mle.bad_requests import robustness_checks
from grader.tracks.mle.metrics import roc_auc
from grader.tracks.mle.track import dataset
from grader.tracks.mle.train import ARTIFACT_TAR
from tests.conftest import ROOT
from tests.fakes import FakeService, OneShotSandbox, run_result

CHALLENGE = ROOT / "challenges" / "mle"
KIT = ROOT / "starter_kits" / "mle" / "common"


def tar_of(*members: tuple[str, bytes | None, bytes]) -> bytes:
    """(name, data or None, type) -> tar bytes; type b"0" file, b"2" symlink."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data, kind in members:
            info = tarfile.TarInfo(name)
            if kind == tarfile.SYMTYPE:
                info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
                tar.addfile(info)
            else:
                info.size = len(data or b"")
                tar.addfile(info, io.BytesIO(data or b""))
    return buf.getvalue()


def test_the_artifact_tar_is_read_defensively() -> None:
    files, problem = read_artifact_tar(tar_of(("model/a.skops", b"x" * 10, tarfile.REGTYPE)),
                                       1024)
    assert files == {"model/a.skops": b"x" * 10} and not problem
    assert "link" in read_artifact_tar(tar_of(("model/x", None, tarfile.SYMTYPE)), 1024)[1]
    assert "unsafe" in read_artifact_tar(tar_of(("../x", b"1", tarfile.REGTYPE)), 1024)[1]
    assert "larger" in read_artifact_tar(tar_of(("m", b"x" * 2048, tarfile.REGTYPE)), 1024)[1]
    assert "could not be read" in read_artifact_tar(b"not a tar" * 100, 1024)[1]


def test_auc_agrees_with_the_generator() -> None:
    data = dataset(load_challenge(CHALLENGE).config)
    scores = [float(r["tenure_months"] or 0) for r in data.holdout_rows]
    assert roc_auc(data.holdout_labels, scores) == pytest.approx(
        1 - roc_auc(data.holdout_labels, [-s for s in scores]))
    assert roc_auc([0, 1, 0, 1], [0.1, 0.3, 0.4, 0.7]) == 0.75


CFG = load_challenge(CHALLENGE).config


def test_robustness_scoring() -> None:
    results = {"alive_at_end": True, "probes": [
        {"name": "missing-field", "status": 422, "alive_after": True},
        {"name": "wrong-type", "status": 200, "alive_after": True},
        {"name": "unseen-category", "status": 422, "alive_after": True},
        {"name": "extra-field", "status": 500, "alive_after": True},
        {"name": "huge-batch", "status": 0, "alive_after": False},
        {"name": "leak-150000", "status": 200, "alive_after": True}]}
    checks = {c.id: c for c in robustness_checks(results)}
    assert checks["robust.missing-field"].points == 1
    assert checks["robust.wrong-type"].points == 0.5  # accepted silently
    assert checks["robust.unseen-category"].points == 0.5  # should have been served
    assert checks["robust.extra-field"].points == 0
    assert "stopped answering" in checks["robust.huge-batch"].message
    assert "robust.leak-150000" not in checks


def test_latency_and_leak_and_metadata() -> None:
    lat = {"latency": {"p50_ms": 5, "p95_ms": 200, "singles": 300, "batch_ms": 50,
                       "batch_status": 200, "batch_size": 1000}}
    single, batch = judge.latency_checks(lat, CFG.latency_ms)
    assert single.status == "failed" and single.points == pytest.approx(0.5)
    assert batch.status == "passed"

    def leak(a: float, b: float, again: float) -> dict[str, Any]:
        return {"probes": [{"name": name, "predictions": [{"probability": p}] * 3}
                           for name, p in (("leak-a", a), ("leak-b", b),
                                           ("leak-a-again", again))]}

    assert model_checks.leak_check(leak(0.1, 0.9, 0.1), CFG, 3).status == "failed"
    assert model_checks.leak_check(leak(0.3, 0.3, 0.3), CFG, 3).status == "passed"
    assert model_checks.leak_check({}, CFG, 3).status == "not_run"
    meta = model_checks.metadata_check({"metadata": {"status": 200, "json": {
        "model_version": "1", "features": ["a"]}}}, CFG, True, ["a"], 3)
    assert meta.status == "passed"
    assert model_checks.metadata_check({"metadata": {"status": 200, "json": {"v": 1}}},
                                       CFG, True, ["a"], 3).points == 0.5


def test_the_kit_holds_the_task_and_no_hidden_material(tmp_path: Path) -> None:
    path, files = build_kit(load_challenge(CHALLENGE), None, tmp_path / "kit.zip")
    assert set(files) >= {"README.md", "train.py", "serve/app.py", "requirements.txt",
                          "submission.yaml", "tests/test_public.py", "data/train.csv"}
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    assert not any("holdout" in n or "solution" in n or "generator" in n for n in names)
    assert (KIT / "data" / "train.csv").read_bytes() == dataset(
        load_challenge(CHALLENGE).config).train_csv, "run challenges/mle/tools/write_kit_data.py"


_result = run_result


@dataclass
class RecordingSandbox(OneShotSandbox):
    """Answers like a server that predicts the leaky column: records every file handed in."""

    handed: list[dict[str, Any]] = field(default_factory=list)

    def run(self, spec: RunSpec) -> RunResult:
        self.handed.append(dict(spec.files))
        if spec.name_hint == "train":
            return _result({ARTIFACT_TAR: tar_of(("model/model.skops", b"m" * 100,
                                                  tarfile.REGTYPE))})
        if spec.name_hint == "prober":
            plan = json.loads(spec.files["plan.json"])  # type: ignore[arg-type]
            preds = [{"probability": 0.5, "label": 0} for _ in plan["records"]]
            return _result({"results.json": json.dumps({
                "ready": {"ready": True, "seconds": 1}, "holdout": {"predictions": preds},
                "metadata": {"status": 200, "json": {"model_version": "1",
                                                     "features": ["x"]}},
                "determinism": {"same": True}, "alive_at_end": True,
                "latency": {"p50_ms": 1, "p95_ms": 2, "batch_ms": 3, "batch_status": 200},
                "probes": []}).encode()})
        return _result()

    def start(self, spec: RunSpec) -> Service:
        self.handed.append(dict(spec.files))
        return FakeService(log="started")

    def internal_network(self, name_hint: str = "net") -> Network:
        return Network(name="n", id="n")


def _reference_submission(tmp_path: Path) -> Submission:
    """The reference's training and serving code, as a submission in `tmp_path`."""
    for rel in ("train.py", "serve/app.py", "submission.yaml"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes((CHALLENGE / "solutions" / "reference" / rel).read_bytes())
    return Submission(
        id="t-1", source=tmp_path, root=tmp_path,
        manifest=Manifest(challenge="mle", candidate="T", artifact="model",
                          commands={"train": "python train.py", "serve": "uvicorn x:app"}),
        sha256="0" * 64, files=("serve/app.py", "submission.yaml", "train.py"),
        total_bytes=10, ignored=())


def test_holdout_labels_never_enter_a_container(tmp_path: Path) -> None:
    challenge = load_challenge(CHALLENGE)
    submission = _reference_submission(tmp_path)
    box = RecordingSandbox()
    ctx = GradingContext(submission=submission, challenge=challenge, sandbox=box,
                         artifacts_dir=tmp_path / "artifacts")
    checks = {c.id: c for c in get_track("mle").grade(ctx)}
    labels = json.dumps(dataset(challenge.config).holdout_labels).encode()
    served = next(files for files in box.handed if "model/model.skops" in files
                  and "plan.json" not in files)
    assert "train.py" not in served  # the server's container holds no training code
    # the plan (this grading's draw: holdout order, leak values, fresh records) goes to the
    # prober alone; the candidate's containers never see it
    planned = [f for f in box.handed if "plan.json" in f]
    assert planned and all(set(f) >= {"probe.py", "probe_http.py"} for f in planned)
    assert all("plan.json" not in f for f in box.handed if "probe.py" not in f)
    for files in box.handed:
        for name, content in files.items():
            assert "label" not in name and "holdout" not in name
            if isinstance(content, bytes):
                assert labels not in content
                assert b'"churned"' not in content or name.endswith("train.csv")
    assert checks["model.holdout-auc"].points == 0  # constant predictions: AUC 0.5


def _submission(tmp_path: Path, commands: dict[str, str], extra: dict[str, bytes]) -> Submission:
    for rel in ("train.py", "serve/app.py", "submission.yaml"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes((CHALLENGE / "solutions" / "reference" / rel).read_bytes())
    for rel, data in extra.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    files = tuple(sorted(["serve/app.py", "submission.yaml", "train.py", *extra]))
    return Submission(id="t-2", source=tmp_path, root=tmp_path,
                      manifest=Manifest(challenge="mle", candidate="T", artifact="model",
                                        commands=commands),
                      sha256="0" * 64, files=files, total_bytes=10, ignored=())


class NoArtifactSandbox(RecordingSandbox):
    """Training writes nothing; everything else as RecordingSandbox."""

    def run(self, spec: RunSpec) -> RunResult:
        if spec.name_hint == "train":
            self.handed.append(dict(spec.files))
            return _result()
        return super().run(spec)


@pytest.mark.parametrize("commands", [{"train": "python train.py", "serve": "uvicorn x:app"},
                                      {"serve": "uvicorn x:app"}])
def test_a_committed_model_is_served_but_labelled(tmp_path: Path,
                                                  commands: dict[str, str]) -> None:
    """Training that leaves no artifact, or no train command at all: the committed model is
    graded, and said not to be produced by the submitted code."""
    challenge = load_challenge(CHALLENGE)
    sub = _submission(tmp_path, commands, {"model/model.skops": b"PK\x03\x04committed"})
    ctx = GradingContext(submission=sub, challenge=challenge, sandbox=NoArtifactSandbox(),
                         artifacts_dir=tmp_path / "artifacts")
    checks = {c.id: c for c in get_track("mle").grade(ctx)}
    assert checks["train.artifact"].status == "failed"
    assert "not produced by the submitted code" in checks["train.artifact"].message
    assert checks["train.provenance"].status == "failed"
    assert checks["serve.loads-without-training-code"].status == "passed"
    assert checks["train.reproducible"].status == "not_run"
    if "train" not in commands:
        assert checks["train.runs"].status == "failed"
        assert "treated as a training that failed" in checks["train.runs"].message


def test_a_declared_package_missing_a_native_library_is_a_build_finding() -> None:
    from types import SimpleNamespace

    from grader.tracks.steps.dependencies import Dependencies, _import_check, import_failures

    class ImportingSandbox(RecordingSandbox):
        def run(self, spec: RunSpec) -> RunResult:
            rows = [{"package": "lightgbm", "module": "lightgbm", "ok": False, "error":
                     "OSError: libgomp.so.1: cannot open shared object file: No such file"},
                    {"package": "pandas", "module": "pandas", "ok": True}]
            out = ("importing lightgbm\nGRADER-IMPORTS " + json.dumps(rows) + "\n").encode()
            return RunResult(outcome="exited", exit_code=0, seconds=1.0,
                             stdout=CapturedOutput(out, b"", 0),
                             stderr=CapturedOutput(b"", b"", 0), limits=Limits(), files={})

    ctx = SimpleNamespace(sandbox=ImportingSandbox(), challenge=load_challenge(CHALLENGE))
    deps = Dependencies("requirements.txt", ("lightgbm>=4", "pandas"), ())
    failed, unsure = import_failures(ctx, "fake:native", deps)  # type: ignore[arg-type]
    assert not unsure and [f["native_library"] for f in failed] == ["libgomp.so.1"]
    check = _import_check(failed, "requirements.txt")
    assert check.status == "failed" and check.kind == "build"
    assert "the native library libgomp.so.1 is missing from the image" in check.message


def test_the_kit_readme_states_the_limits_the_challenge_sets() -> None:
    challenge = load_challenge(CHALLENGE)
    readme = (KIT / "README.md").read_text()
    cfg, limits = challenge.config, challenge.limits
    assert f"at most {cfg.artifact_cap_mb:g} MiB" in readme
    assert f"{limits.cpus:g} CPU and {limits.memory_mb} MiB of memory" in readme
    assert f"{cfg.train_timeout_seconds:g} seconds for the `train` command" in readme
    dockerfile = (CHALLENGE / "images" / "runtime" / "Dockerfile").read_text()
    for lib in ("libgomp1", "libstdc++6"):
        assert lib in dockerfile and f"`{lib}`" in readme


@dataclass
class CrowdedSandbox(RecordingSandbox):
    """The model server's container is at its process limit whenever it is looked at."""

    def start(self, spec: RunSpec) -> Service:
        self.handed.append(dict(spec.files))
        return FakeService(log="started", counts=[256], limit=256)


def test_a_model_server_at_its_process_limit_is_named(tmp_path: Path) -> None:
    """The shared serving step's check in the MLE track: failed, unscored, and the failed
    probe checks say when the container was at its limit."""
    challenge = load_challenge(CHALLENGE)
    submission = _reference_submission(tmp_path)
    ctx: GradingContext[Any] = GradingContext(
        submission=submission, challenge=challenge, sandbox=CrowdedSandbox(),
        artifacts_dir=tmp_path / "artifacts")
    checks = {c.id: c for c in get_track("mle").grade(ctx)}
    crowded = checks["runtime.process-limit"]
    assert crowded.status == "failed" and crowded.max_points == 0
    assert "(256 of 256 processes and threads) when the probes ended" in crowded.message
    auc = checks["model.holdout-auc"]
    assert auc.status == "failed"
    assert ("(the server's container was at its process limit when the server was stopped: "
            "runtime.process-limit)") in auc.message
