"""`grader` as a reviewer runs it: a subprocess, real Docker, reports on disk, exit codes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.sandbox.lifecycle import LABEL_OWNER, leftovers
from tests.conftest import OWNER, ROOT, TEST_CHALLENGE

MINE = f"{LABEL_OWNER}={OWNER}"

SOLUTIONS = TEST_CHALLENGE / "solutions"


def grader(*args: str, env: dict[str, str] | None = None,
           timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT, env={**os.environ, **(env or {})})


def test_run_twice_gives_identical_scores_and_builds_nothing_the_second_time(
        tmp_path: Path, docker_client: object) -> None:
    args = ["run", str(SOLUTIONS / "reference"), "--challenge", str(TEST_CHALLENGE),
            "--out", str(tmp_path)]
    first = grader(*args)
    assert first.returncode == 0, first.stderr
    [report_dir] = list(tmp_path.iterdir())
    first_report = json.loads((report_dir / "report.json").read_text())

    second = grader(*args)
    assert second.returncode == 0, second.stderr
    second_report = json.loads((report_dir / "report.json").read_text())

    def scores(r: dict) -> object:
        return (r["total"], [(c["id"], c["points"], c["status"]) for c in r["criteria"]],
                [(c["id"], c["status"], c["points"]) for c in r["checks"]])

    assert scores(first_report) == scores(second_report)
    assert second_report["environment"]["images_built"] == []
    assert first_report["environment"]["images"] == second_report["environment"]["images"]

    # The numbers match the rubric: 50 + 20 + 10 + 10 automatic points, 10 manual pending.
    criteria = {c["id"]: c for c in second_report["criteria"]}
    assert {k: criteria[k]["points"] for k in criteria} == {
        "correctness": 50, "robustness": 20, "code-quality": 10, "own-tests": 10, "explain": 0}
    assert criteria["explain"]["status"] == "pending"
    assert second_report["total"]["points"] == 90
    assert second_report["total"]["max_points"] == 90
    assert second_report["total"]["percent"] == 100
    assert second_report["total"]["pending_max_points"] == 10
    assert "graded" in second.stdout and "90 / 90" in second.stdout


def test_report_rerenders_the_saved_markdown(tmp_path: Path, docker_client: object) -> None:
    run = grader("run", str(SOLUTIONS / "case-sensitive"), "--challenge", str(TEST_CHALLENGE),
                 "--out", str(tmp_path))
    assert run.returncode == 0, run.stderr
    [report_dir] = list(tmp_path.iterdir())
    rendered = grader("report", str(report_dir / "report.json"), "--format", "md")
    assert rendered.returncode == 0, rendered.stderr
    assert rendered.stdout == (report_dir / "report.md").read_text()
    as_json = grader("report", str(report_dir / "report.json"), "--format", "json")
    assert json.loads(as_json.stdout) == json.loads((report_dir / "report.json").read_text())


def test_ctrl_c_removes_containers_and_temp_dirs(tmp_path: Path, docker_client: object) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "grader", "run", str(SOLUTIONS / "infinite-loop"),
         "--challenge", str(TEST_CHALLENGE), "--out", str(tmp_path / "out")],
        cwd=ROOT, env={**os.environ, "TMPDIR": str(tmp), "PYTHONFAULTHANDLER": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
        # A shell's background job starts with SIGINT ignored, and the child would inherit
        # that: give it the default disposition, as a terminal would.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        # Wait until the submission's never-ending case is running in its sandbox.
        deadline = time.monotonic() + 300
        while not any("case-large" in name for name in leftovers(docker_client, MINE)) \
                and time.monotonic() < deadline:  # type: ignore[arg-type]
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.1)
        assert leftovers(docker_client, MINE), "no sandbox container appeared"  # type: ignore[arg-type]
        assert any(tmp.iterdir()), "the submission's temp dir should exist mid-run"
        proc.send_signal(signal.SIGINT)
        try:
            _, stderr = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)  # PYTHONFAULTHANDLER=1: dumps every thread
            _, stderr = proc.communicate(timeout=30)
            pytest.fail(f"grader did not stop within 120 s of SIGINT:\n{stderr[-6000:]}")
    finally:
        if proc.poll() is None:  # the test failed before the signal: clean up for the next
            proc.kill()
            proc.wait()
            from grader.sandbox.lifecycle import gc

            gc(docker_client, images=False)  # type: ignore[arg-type]
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr
    assert "Traceback" not in stderr
    assert leftovers(docker_client, MINE) == []  # type: ignore[arg-type]
    assert list(tmp.iterdir()) == []


def test_doctor_reports_a_usable_machine(docker_client: object) -> None:
    result = grader("doctor", env={"GRADER_CHALLENGES_PATH": str(TEST_CHALLENGE.parent)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok   docker engine" in result.stdout
    assert "challenge wordfreq" in result.stdout


def test_gc_removes_what_carries_the_label(docker_client: object) -> None:
    from grader.sandbox.docker_engine import DockerSandbox

    box = DockerSandbox(docker_client)  # type: ignore[arg-type]
    box.internal_network()  # left behind on purpose: no close()
    assert leftovers(docker_client, MINE)  # type: ignore[arg-type]
    result = grader("gc", "--keep-images")
    assert result.returncode == 0, result.stderr
    assert "1 network(s)" in result.stdout
    assert leftovers(docker_client, MINE) == []  # type: ignore[arg-type]


@pytest.mark.parametrize("verb", ["run", "report", "doctor", "gc", "images", "validate", "kit",
                                  "check", "list", "show", "regrade", "shell"])
def test_every_verb_has_help_with_an_example(verb: str) -> None:
    result = grader(verb, "--help")
    assert result.returncode == 0
    assert "Example" in result.stdout


def test_jobs_grade_in_parallel_and_a_broken_zip_does_not_stop_the_batch(
        tmp_path: Path, docker_client: object) -> None:
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"not a zip")
    result = grader("run", str(SOLUTIONS / "reference"), str(broken),
                    str(SOLUTIONS / "case-sensitive"), "--challenge", str(TEST_CHALLENGE),
                    "--out", str(tmp_path / "out"), "--jobs", "2")
    assert result.returncode == 2, result.stdout + result.stderr  # one input was rejected
    assert result.stdout.count("graded ") == 2
    assert result.stdout.count("REJECTED ") == 1
    reports = [json.loads(p.read_text()) for p in (tmp_path / "out").glob("*/report.json")]
    assert sorted(r["status"] for r in reports) == ["graded", "graded", "rejected"]
    summary = (tmp_path / "out" / "summary.csv").read_text().splitlines()
    assert len(summary) == 4 and summary[0].startswith("rank,candidate,submission")
    header = summary[0].split(",")
    assert summary[-1].split(",")[header.index("status")] == "rejected"  # last, never dropped
    assert "report.html" in (tmp_path / "out" / "index.html").read_text()


def test_a_folder_of_submissions_is_a_batch(tmp_path: Path, docker_client: object) -> None:
    cohort = tmp_path / "cohort"
    cohort.mkdir()
    for name in ("reference", "case-sensitive"):
        shutil.copytree(SOLUTIONS / name, cohort / name)
    result = grader("run", str(cohort), "--challenge", str(TEST_CHALLENGE), "--out",
                    str(tmp_path / "out"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("graded ") == 2 and "cohort summary" in result.stdout
    assert len(list((tmp_path / "out").glob("*/report.html"))) == 2


def test_shell_runs_in_the_grading_sandbox_and_leaves_nothing(tmp_path: Path,
                                                             docker_client: object) -> None:
    probe = ("ls /work; id -u; python -c \"import urllib.request as u; "
             "u.urlopen('http://example.com', timeout=3)\" 2>/dev/null || echo no-network; "
             "touch /etc/x 2>/dev/null || echo read-only")
    result = grader("shell", str(SOLUTIONS / "reference"), "--challenge", str(TEST_CHALLENGE),
                    "-c", probe)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout.split()
    assert {"wordfreq.py", "submission.yaml", "1000", "no-network", "read-only"} <= set(out)
    assert leftovers(docker_client, MINE) == []  # type: ignore[arg-type]
    failing = grader("shell", str(SOLUTIONS / "reference"), "--challenge", str(TEST_CHALLENGE),
                     "-c", "exit 3")
    assert failing.returncode == 3


def test_a_profile_adds_a_recommendation_and_ranks_the_cohort_by_it(
        tmp_path: Path, docker_client: object) -> None:
    """`grader run --profile FILE`: each report carries the recommendation with its reasons
    (report.json, report.md), the cohort is ranked by the profile-weighted score, and a cohort
    under 4 candidates is warned about."""
    profile = tmp_path / "role.yaml"
    profile.write_text(
        "id: wordfreq-mid\nchallenge: wordfreq\nlevel: mid\ntitle: Text tools developer\n"
        "band: {advance: 80, borderline: 75}\nweights: {correctness: 2, own-tests: 0}\n"
        "green_flags_target: 2\nmax_red_flags: 1\n")
    out = tmp_path / "out"
    result = grader("run", str(SOLUTIONS / "case-sensitive"), str(SOLUTIONS / "reference"),
                    "--challenge", str(TEST_CHALLENGE), "--out", str(out), "--profile",
                    str(profile))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning: only 2 candidate(s) graded for wordfreq: meet at least 4" in result.stdout
    reports = {p.parent.name: json.loads(p.read_text()) for p in out.glob("*/report.json")}
    verdicts = {r["submission"]["candidate"]: r["recommendation"]["verdict"]
                for r in reports.values()}
    assert verdicts == {"Ada Reference": "advance",
                        "Carl Casesensitive": "do-not-advance"}, verdicts
    for r in reports.values():
        rec = r["recommendation"]
        assert rec["profile"] == "wordfreq-mid" and rec["level"] == "mid"
        assert any("profile-weighted score" in reason["text"] for reason in rec["reasons"])
    weak = next(r for r in reports.values() if r["recommendation"]["verdict"] != "advance")
    score_reason = next(x for x in weak["recommendation"]["reasons"]
                        if "profile-weighted" in x["text"])
    assert "case.case-and-punctuation" in score_reason["checks"]
    md = (out / weak["submission"]["id"] / "report.md").read_text()
    assert "## Recommendation: do not advance" in md
    rows = (out / "summary.csv").read_text().splitlines()
    header = rows[0].split(",")
    assert rows[1].split(",")[header.index("recommendation")] == "advance"
