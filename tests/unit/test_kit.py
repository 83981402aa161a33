"""Kit building refuses to leak hidden material; the backend framework check flags a
submission in a framework the hiring team did not allow."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.challenge import load_challenge
from grader.errors import ChallengeConfigError
from grader.kit import build_kit, starter_digests
from grader.tracks.backend.static import framework_check
from tests.conftest import ROOT


def _fake_repo(tmp_path: Path) -> Path:
    challenge = tmp_path / "challenges" / "backend"
    shutil.copytree(ROOT / "challenges" / "backend", challenge,
                    ignore=shutil.ignore_patterns("solutions"))
    shutil.copytree(ROOT / "starter_kits" / "backend", tmp_path / "starter_kits" / "backend")
    return challenge


def test_a_kit_file_equal_to_a_hidden_test_is_refused(tmp_path: Path) -> None:
    challenge_dir = _fake_repo(tmp_path)
    shutil.copy(challenge_dir / "hidden" / "test_auth.py",
                tmp_path / "starter_kits" / "backend" / "flask" / "tests" / "test_more.py")
    challenge = load_challenge(challenge_dir)
    with pytest.raises(ChallengeConfigError, match="leak hidden material"):
        build_kit(challenge, "flask", tmp_path / "kit.zip")
    build_kit(challenge, "fastapi", tmp_path / "ok.zip")  # the other kits are fine


def test_a_folder_named_hidden_is_refused(tmp_path: Path) -> None:
    challenge_dir = _fake_repo(tmp_path)
    leak = tmp_path / "starter_kits" / "backend" / "common" / "hidden"
    leak.mkdir()
    (leak / "notes.txt").write_text("anything")
    with pytest.raises(ChallengeConfigError, match="leak"):
        build_kit(load_challenge(challenge_dir), "fastapi", tmp_path / "kit.zip")


def test_kits_are_reproducible_and_choose_a_variant(tmp_path: Path) -> None:
    challenge = load_challenge(ROOT / "challenges" / "backend")
    with pytest.raises(ChallengeConfigError, match="choose one with --framework"):
        build_kit(challenge, None, tmp_path / "x.zip")
    with pytest.raises(ChallengeConfigError, match="no 'rails' kit"):
        build_kit(challenge, "rails", tmp_path / "x.zip")
    a, _ = build_kit(challenge, "flask", tmp_path / "a.zip")
    b, _ = build_kit(challenge, "flask", tmp_path / "b.zip")
    assert a.read_bytes() == b.read_bytes()
    assert starter_digests(challenge)


def test_a_pinned_framework_flags_other_frameworks() -> None:
    check = framework_check("flask", {"flask": 3}, "flask", ["django"])
    assert check.status == "failed"
    assert "does not accept" in check.message and "Django" in check.message
    ok = framework_check("django", {"django": 5}, None, ["django"])
    assert ok.status == "passed"
    undeclared = framework_check("fastapi", {"fastapi": 1}, "flask",
                                               ["fastapi", "flask"])
    assert undeclared.status == "passed" and "submission.yaml says flask" in undeclared.message
