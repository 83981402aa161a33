"""The MLE track end to end, with real containers: the untouched kit grades low with a readable
report, a graded solution keeps its training log, server log and probe results, and a wheel
whose native library the image lacks is named by build.dependencies."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from grader.challenge import load_challenge
from grader.kit import build_kit
from grader.pipeline import Grader
from grader.sandbox.docker_engine import DockerSandbox
from grader.sandbox.engine import RunSpec
from grader.sandbox.limits import Limits
from grader.tracks.steps.dependencies import (
    Dependencies,
    build_dependency_layer,
    import_failures,
)
from tests.challenge_overrides import fast_challenge
from tests.conftest import ROOT

CHALLENGE = ROOT / "challenges" / "mle"

pytestmark = pytest.mark.docker


def grade(path: Path, out: Path) -> tuple[dict, Path]:
    outcome = Grader(out_dir=out, challenge=fast_challenge(CHALLENGE)).grade(path)
    assert outcome.exit_code == 0, outcome.report.checks
    return json.loads((outcome.report_dir / "report.json").read_text()), outcome.report_dir


def test_the_untouched_kit_grades_low_with_a_readable_report(tmp_path: Path,
                                                             docker_client: object) -> None:
    kit, _ = build_kit(load_challenge(CHALLENGE), None, tmp_path / "kit.zip")
    report, folder = grade(kit, tmp_path / "out")
    checks = {c["id"]: c for c in report["checks"]}
    assert report["total"]["percent"] < 20
    assert checks["train.runs"]["status"] == "failed"
    assert "not implemented yet" in checks["train.runs"]["evidence"]["run"]["stderr"]
    assert checks["serve.loads-without-training-code"]["message"].startswith("not run")
    assert (folder / report["artifacts"]["train.log"]).is_file()
    assert "Traceback" not in (folder / "report.md").read_text().split("## Checks")[0]


def test_a_graded_solution_keeps_its_logs_and_probe_results(tmp_path: Path,
                                                            docker_client: object) -> None:
    report, folder = grade(CHALLENGE / "solutions" / "crash-on-missing-field", tmp_path)
    assert set(report["artifacts"]) >= {"train.log", "server.log", "probe-results.json"}
    probes = json.loads((folder / report["artifacts"]["probe-results.json"]).read_text())
    statuses = {p["name"]: p["status"] for p in probes["probes"]}
    assert statuses["missing-field"] == 500 and statuses["malformed-json"] == 422
    assert "holdout" not in probes  # predictions are not kept as an artifact
    server_log = (folder / report["artifacts"]["server.log"]).read_text()
    assert "KeyError" in server_log  # the 500's traceback, for the reviewer


def test_a_missing_native_library_is_a_build_finding(sandbox: DockerSandbox,
                                                     base_tag: str) -> None:
    """LightGBM installed on grader's bare base layer (no libgomp1): build.dependencies names
    the library instead of leaving it to a training failure. The MLE runtime image has it."""
    probe = sandbox.run(RunSpec(image=base_tag, command=["sh", "-c",
                                                         "ls /usr/lib/*/libgomp.so.1"],
                                limits=Limits(timeout_seconds=30)))
    if probe.ok:
        pytest.skip("this base image already carries libgomp1")
    ctx = SimpleNamespace(sandbox=sandbox, challenge=load_challenge(CHALLENGE))
    deps = Dependencies("requirements.txt", ("lightgbm>=4.3",), ())
    bare = build_dependency_layer(sandbox, base_tag, "mle-test-deps", deps)
    failed, _ = import_failures(ctx, bare.tag, deps)  # type: ignore[arg-type]
    assert [f.get("native_library") for f in failed] == ["libgomp.so.1"]
    runtime = sandbox.ensure_image(load_challenge(CHALLENGE).image_spec("runtime")).tag
    layered = build_dependency_layer(sandbox, runtime, "mle-deps", deps)
    assert import_failures(ctx, layered.tag, deps) == ([], "")  # type: ignore[arg-type]
