"""The CLI's contract without a Docker engine: rejected input -> report + exit 2, no engine ->
exit 3 with the fix, bad usage -> exit 2, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import ROOT, TEST_CHALLENGE


def grader(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True,
                          text=True, timeout=120, cwd=ROOT, env={**os.environ, **(env or {})})


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize(("name", "make", "rule"), [
    ("not-a-zip.zip", lambda p: p.write_bytes(b"just text, not an archive"), "not-a-zip"),
    ("empty.zip", lambda p: _zip(p, {}), "empty"),
    ("traversal.zip", lambda p: _zip(p, {"../evil.py": b"x", "submission.yaml": b""}),
     "path-traversal"),
    ("no-manifest.zip", lambda p: _zip(p, {"main.py": b"print(1)"}), "manifest-missing"),
    ("bad-manifest.zip", lambda p: _zip(p, {"main.py": b"", "submission.yaml": b"a: [b"}),
     "manifest-invalid"),
    ("wrong-challenge.zip", lambda p: _zip(p, {"main.py": b"", "submission.yaml":
                                                b"challenge: other\ncandidate: X\n"}),
     "challenge-mismatch"),
])
def test_rejected_input_writes_a_report_and_exits_2(tmp_path: Path, name: str, make,  # type: ignore[no-untyped-def]
                                                   rule: str) -> None:
    path = tmp_path / name
    make(path)
    out = tmp_path / "out"
    result = grader("run", str(path), "--challenge", str(TEST_CHALLENGE), "--out", str(out),
                    env={"DOCKER_HOST": "unix:///nonexistent/docker.sock"})
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "REJECTED" in result.stdout
    [report_dir] = list(out.iterdir())
    report = json.loads((report_dir / "report.json").read_text())
    schema = json.loads((ROOT / "grader" / "schemas" / "report.schema.json").read_text())
    jsonschema.validate(report, schema)
    assert report["status"] == "rejected"
    assert report["total"]["points"] == 0
    assert report["messages"][0]["rule"] == rule
    assert "rejected" in (report_dir / "report.md").read_text().lower()


def test_no_engine_exits_3_and_says_how_to_start_one(tmp_path: Path) -> None:
    result = grader("run", str(TEST_CHALLENGE / "solutions" / "reference"), "--challenge",
                    str(TEST_CHALLENGE), "--out", str(tmp_path),
                    env={"DOCKER_HOST": "unix:///nonexistent/docker.sock"})
    assert result.returncode == 3, result.stdout + result.stderr
    assert "No Docker engine answers" in result.stderr
    assert "ensure-docker.sh" in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_challenge_exits_2_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "challenge.yaml").write_text("id: x\ntrack: io\n")
    result = grader("run", str(tmp_path), "--challenge", str(tmp_path))
    assert result.returncode == 2
    assert "key 'title' is missing" in result.stderr


def test_bad_usage_exits_2() -> None:
    assert grader("run").returncode == 2
    assert grader("frobnicate").returncode == 2


def test_report_refuses_a_file_that_is_not_a_report(tmp_path: Path) -> None:
    bogus = tmp_path / "report.json"
    bogus.write_text('{"hello": 1}')
    result = grader("report", str(bogus))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
