"""The MLE track end to end, with real containers: the untouched kit grades low with a readable
report, and a graded solution keeps its training log, server log and probe results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.challenge import load_challenge
from grader.kit import build_kit
from grader.pipeline import Grader
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
