"""Starter kits of the backend challenge: built by `grader kit`, free of hidden material, and
graded low (with a readable report) when nothing is implemented."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

BACKEND = ROOT / "challenges" / "backend"


def grader(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True,
                          text=True, timeout=900, cwd=ROOT)


def secret_digests() -> set[str]:
    return {hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in ("hidden", "solutions") for p in (BACKEND / folder).rglob("*")
            if p.is_file() and p.stat().st_size >= 64}


@pytest.mark.parametrize("framework", ["fastapi", "flask", "django"])
def test_kits_hold_no_hidden_material(framework: str, tmp_path: Path) -> None:
    out = tmp_path / f"{framework}.zip"
    result = grader("kit", "backend", "--framework", framework, "-o", str(out))
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        contents = {n: zf.read(n) for n in names}
    top = f"backend-{framework}/"
    assert all(n.startswith(top) for n in names)
    for required in ("README.md", "openapi.yaml", "submission.yaml", "requirements.txt"):
        assert top + required in names
    assert not any("hidden" in n or "solutions" in n for n in names)
    secrets = secret_digests()
    for name, data in contents.items():
        assert hashlib.sha256(data).hexdigest() not in secrets, name
    assert b"results_plugin" not in b"".join(contents.values())


def test_an_unimplemented_kit_scores_low_with_a_readable_report(tmp_path: Path,
                                                                 docker_client: object) -> None:
    kit = tmp_path / "kit.zip"
    assert grader("kit", "backend", "--framework", "fastapi", "-o", str(kit)).returncode == 0
    run = grader("run", str(kit), "--challenge", "backend", "--out", str(tmp_path / "out"))
    assert run.returncode == 0, run.stderr
    [report_dir] = list((tmp_path / "out").iterdir())
    report = json.loads((report_dir / "report.json").read_text())
    assert report["total"]["percent"] < 20
    checks = {c["id"]: c for c in report["checks"]}
    assert checks["runtime.server-starts"]["status"] == "passed"  # the kit runs as shipped
    assert checks["http.contract.register"]["status"] == "failed"
    # Every test that needs a registered user could not run, and says so.
    create = checks["http.contract.create_note"]
    assert create["status"] == "not_run" and create["blocked_by"] == "http.contract.register"
    assert "registering a user failed" in create["message"]
    assert not any(f["id"] == "auth-gap" for f in report["review"]["flags"])
    assert "starter-kit" in checks["tests.own.pass"]["message"]
    markdown = (report_dir / "report.md").read_text()
    assert "API contract and correctness" in markdown
    assert "POST /auth/register -> 404" in markdown
