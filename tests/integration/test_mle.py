"""The MLE track end to end, with real containers: the untouched kit grades low with a readable
report, a graded solution keeps its training log, server log and probe results, a wheel
whose native library the image lacks is named by build.dependencies, and hostile servers (a
/metadata nested 30,000 deep or 25 MB long, answers dripping one byte a second) fail only
their own checks, with the cause, within the challenge's time, in a report of normal size."""

from __future__ import annotations

import json
import shutil
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
from tests.integration.graded import graded_solution, shared

CHALLENGE = ROOT / "challenges" / "mle"

pytestmark = pytest.mark.docker


REPORT_BYTES = 1024 * 1024
#: The checks a served model gets (each must have run, whatever one answer did).
SERVED = ("api.predict-contract", "model.holdout-auc", "model.leak-free", "api.deterministic",
          "robust.missing-field", "robust.huge-batch", "robust.still-up", "latency.single",
          "latency.batch", "train.reproducible")


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


def solution(name: str, out: Path) -> tuple[dict, Path]:
    """A bundled solution's report, from the grading test_solutions holds to expected.yaml."""
    graded = graded_solution(CHALLENGE, name, out)
    assert graded.exit_code == 0, graded.report.checks
    return graded.json(), graded.report_dir


@shared(CHALLENGE, "crash-on-missing-field")
def test_a_graded_solution_keeps_its_logs_and_probe_results(tmp_path: Path,
                                                            docker_client: object) -> None:
    report, folder = solution("crash-on-missing-field", tmp_path)
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


@pytest.mark.parametrize(("form", "cause"), [
    pytest.param("nested", "the /metadata answer nests deeper than 32 levels",
                 marks=shared(CHALLENGE, "hostile-metadata"), id="nested"),
    pytest.param("huge", "the /metadata answer is larger than 64 KiB", id="huge")])
def test_a_hostile_metadata_answer_fails_its_own_check_alone(
        form: str, cause: str, tmp_path: Path, docker_client: object) -> None:
    """/metadata nested 30,000 deep or a 25 MB string, and a request with an unknown field
    answered the same way: those two checks fail with the cause; every other check ran and
    judged the honest model behind them; report.json and the probe results stay small.
    (The bundled solution is the nested form; the huge one is that solution, one line
    changed.)"""
    if form == "nested":
        report, folder = solution("hostile-metadata", tmp_path)
    else:
        hostile = tmp_path / "hostile"
        shutil.copytree(CHALLENGE / "solutions" / "hostile-metadata", hostile)
        app = hostile / "serve" / "app.py"
        changed = app.read_text().replace('FORM = "nested"', f'FORM = "{form}"')
        assert f'FORM = "{form}"' in changed
        app.write_text(changed)
        report, folder = grade(hostile, tmp_path / "out")
    checks = {c["id"]: c for c in report["checks"]}
    assert checks["api.metadata"]["status"] == "failed"
    assert cause in checks["api.metadata"]["message"]
    extra = checks["robust.extra-field"]
    assert extra["status"] == "failed" and extra["message"].startswith(
        "POST /predict (extra-field) -> 200, but the answer ")
    for cid in SERVED:
        assert checks[cid]["status"] not in ("not_run", "error"), (cid, checks[cid])
    assert checks["api.predict-contract"]["status"] == "passed"  # not blamed on the rest
    assert checks["model.holdout-auc"]["status"] == "passed"
    assert (folder / "report.json").stat().st_size < REPORT_BYTES
    probe_results = folder / report["artifacts"]["probe-results.json"]
    assert probe_results.stat().st_size < 200_000
    assert report["status"] == "graded"


@shared(CHALLENGE, "slow-drip")
def test_a_server_answering_one_byte_a_second_is_given_up_quickly(
        tmp_path: Path, docker_client: object) -> None:
    """/predict and /metadata drip their answers: each call is cut at its deadline, the
    prober stops after two and says why, and the grading stays within the challenge's
    budget (from the report's own timings)."""
    challenge = fast_challenge(CHALLENGE)
    report, folder = solution("slow-drip", tmp_path)
    checks = {c["id"]: c for c in report["checks"]}
    contract = checks["api.predict-contract"]
    assert contract["status"] == "failed"
    assert "no complete answer to POST /predict within 11 s" in contract["message"]
    assert "the server answers too slowly" in contract["message"]
    assert "the prober gave up on the server after 2 requests in a row" in contract["message"]
    for cid in ("robust.missing-field", "robust.still-up", "latency.single", "latency.batch"):
        assert checks[cid]["status"] == "not_run", cid
        assert "the prober gave up on the server" in checks[cid]["message"], cid
    timings = report["timings"]
    margin = 30
    assert timings["track"] <= challenge.grading_seconds + margin
    # given up quickly: two deadlines (/metadata 10 s, the first batch 11 s), not a wait of
    # minutes per call, as the prober itself recorded
    probed = json.loads((folder / report["artifacts"]["probe-results.json"]).read_text())
    assert probed["seconds"] <= 10 + 11 + 5
    assert timings["serve_and_probe"] <= challenge.config.startup_timeout_seconds + 60
    assert f"grading budget {challenge.grading_seconds:g} s" in report["messages"][0]["text"]
