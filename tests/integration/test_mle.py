"""The MLE track end to end, with real containers: the untouched kit grades low with a readable
report, a wheel whose native library the image lacks is named by build.dependencies, and a
server whose /metadata is 25 MB long fails only its own checks, with the cause, in a report of
normal size. (A graded solution's logs and probe results, a /metadata nested 30,000 deep and
answers dripping one byte a second are asserted on the bundled solutions' gradings by
test_solutions: tests/integration/solution_extras.py.)"""

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
from tests.integration.solution_extras import hostile_metadata_fails_its_own_check_alone

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


def test_a_metadata_answer_of_25_mb_fails_its_own_check_alone(tmp_path: Path,
                                                             docker_client: object) -> None:
    """The hostile-metadata solution (graded as it is by test_solutions: nested 30,000 deep)
    with one line changed: /metadata, and the answer to a request with an unknown field, a
    25 MB string. Those two checks fail with the cause, every other check ran, and
    report.json and the probe results stay small."""
    hostile = tmp_path / "hostile"
    shutil.copytree(CHALLENGE / "solutions" / "hostile-metadata", hostile)
    app = hostile / "serve" / "app.py"
    changed = app.read_text().replace('FORM = "nested"', 'FORM = "huge"')
    assert 'FORM = "huge"' in changed
    app.write_text(changed)
    report, folder = grade(hostile, tmp_path / "out")
    hostile_metadata_fails_its_own_check_alone(report, folder,
                                               "the /metadata answer is larger than 64 KiB")
