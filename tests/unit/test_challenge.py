"""challenge.yaml validation: every error names the file, the key and what was expected."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from grader.challenge import find_challenge, load_challenge
from grader.errors import ChallengeConfigError
from tests.conftest import ROOT, TEST_CHALLENGE


def test_the_test_challenge_loads() -> None:
    challenge = load_challenge(TEST_CHALLENGE)
    assert challenge.id == "wordfreq"
    assert challenge.track == "io"
    assert challenge.limits.memory_mb == 128
    assert [c.id for c in challenge.rubric][-1] == "explain"
    assert challenge.rubric[-1].manual
    assert set(challenge.images) == {"runtime"}


def _copy_with(tmp_path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    folder = tmp_path / "challenge"
    shutil.copytree(TEST_CHALLENGE, folder, ignore=shutil.ignore_patterns("solutions"))
    data = yaml.safe_load((folder / "challenge.yaml").read_text())
    edit(data)
    (folder / "challenge.yaml").write_text(yaml.safe_dump(data))
    return folder


@pytest.mark.parametrize(("edit", "key", "expected"), [
    (lambda d: d["limits"].update(memory_mb="lots"), "limits.memory_mb", "positive integer"),
    (lambda d: d["limits"].update(memory_mb=-1), "limits.memory_mb", "positive integer"),
    (lambda d: d.pop("title"), "title", "short title"),
    (lambda d: d.update(track="cobol"), "track", "one of"),
    (lambda d: d.update(id="Bad Id"), "id", "an id matching"),
    (lambda d: d.update(colour="blue"), "colour", "expected one of"),
    (lambda d: d["rubric"][0].update(points="ten"), "rubric[0].points", "positive number"),
    (lambda d: d["rubric"][0].update(checks=[]), "rubric[0].checks", "at least one check"),
    (lambda d: d["rubric"][1].update(id="correctness"), "rubric[1].id", "not used by another"),
    (lambda d: d["images"]["runtime"].update(dockerfile="nope/Dockerfile"),
     "images.runtime.dockerfile", "an existing file"),
    (lambda d: d["images"]["runtime"].update(dockerfile="../../../etc/passwd"),
     "images.runtime.dockerfile", "inside the challenge folder"),
    (lambda d: d["rubric"][4].update(checks=["x"]), "rubric[4].checks", "no checks on a manual"),
])
def test_errors_name_file_key_and_expectation(tmp_path: Path, edit, key: str,  # type: ignore[no-untyped-def]
                                             expected: str) -> None:
    folder = _copy_with(tmp_path, edit)
    with pytest.raises(ChallengeConfigError) as info:
        load_challenge(folder)
    message = str(info.value)
    assert str(folder / "challenge.yaml") in message
    assert f"'{key}'" in message
    assert expected in message


def test_invalid_yaml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ChallengeConfigError, match="not found"):
        load_challenge(tmp_path)
    (tmp_path / "challenge.yaml").write_text("id: [unclosed")
    with pytest.raises(ChallengeConfigError, match="not valid YAML"):
        load_challenge(tmp_path)


def test_find_by_id_on_the_search_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADER_CHALLENGES_PATH", str(TEST_CHALLENGE.parent))
    assert find_challenge("wordfreq").root == TEST_CHALLENGE
    with pytest.raises(ChallengeConfigError, match="challenge 'nope' not found"):
        find_challenge("nope")
    with pytest.raises(ChallengeConfigError, match="not found"):
        find_challenge(str(TEST_CHALLENGE), allow_path=False)  # ids only, no paths


def test_a_challenge_named_in_submission_yaml_applies_its_intake_limits(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The manifest is read (capped) before the intake, so a challenge's own limits apply
    without --challenge."""
    from grader.pipeline import Grader

    def tight(d: dict) -> None:  # type: ignore[type-arg]
        d["id"] = "tight-limits"
        d["intake"] = {"max_files": 2}

    challenges = tmp_path / "challenges"
    challenges.mkdir()
    _copy_with(challenges, tight)
    monkeypatch.setenv("GRADER_CHALLENGES_PATH", str(challenges))
    submission = tmp_path / "sub"
    submission.mkdir()
    (submission / "submission.yaml").write_text("challenge: tight-limits\ncandidate: Ada\n")
    for name in ("a.py", "b.py", "c.py"):
        (submission / name).write_text("x = 1\n")

    def no_engine() -> None:
        raise AssertionError("a rejected submission never reaches the engine")

    outcome = Grader(tmp_path / "out", client_factory=no_engine,  # type: ignore[arg-type]
                     store=None).grade(submission)
    assert outcome.report.status == "rejected"
    assert outcome.report.messages[0].rule == "file-count"


@pytest.mark.parametrize(("edit", "key", "expected"), [
    (lambda d: d["track_config"].update(ouput_file="x.json"), "track_config.ouput_file",
     "one of"),
    (lambda d: d["track_config"]["cases"][0].update(limits={"timeout_seconds": "5"}),
     "track_config.cases[0].limits.timeout_seconds", "a positive number"),
    (lambda d: d["track_config"]["cases"][0].update(limits={"timeout": 5}),
     "track_config.cases[0].limits.timeout", "one of"),
    (lambda d: d["track_config"]["cases"][0].update(input="../../etc/passwd"),
     "track_config.cases[0].input", "inside the challenge folder"),
    (lambda d: d["track_config"].update(compare="xml"), "track_config.compare",
     "one of json, text"),
    (lambda d: d["track_config"].update(image="gpu"), "images.gpu", "the io track's 'gpu'"),
    (lambda d: d["rubric"][0].update(checks=["case.basic", "case.basik"]), "rubric[0].checks",
     "'case.basik' matches no check"),
])
def test_track_config_is_typed_and_checked_on_load(tmp_path: Path, edit, key: str,  # type: ignore[no-untyped-def]
                                                   expected: str) -> None:
    folder = _copy_with(tmp_path, edit)
    with pytest.raises(ChallengeConfigError) as info:
        load_challenge(folder)
    message = str(info.value)
    assert str(folder / "challenge.yaml") in message
    assert f"'{key}'" in message, message
    assert expected in message, message


def test_every_bundled_challenge_loads_with_typed_config() -> None:
    from grader.registry import get_track

    for file in sorted((ROOT / "challenges").glob("*/challenge.yaml")):
        challenge = load_challenge(file.parent)
        track = get_track(challenge.track)
        assert isinstance(challenge.config, track.config_class)
        assert set(track.images(challenge.config)) <= set(challenge.images)


def test_overrides_are_merged_and_validated_like_the_file() -> None:
    challenge = load_challenge(ROOT / "challenges" / "mle",
                               {"track_config": {"train_timeout_seconds": 5}})
    assert challenge.config.train_timeout_seconds == 5
    assert challenge.config.data.public_seed == 11  # the rest of the mapping is kept
    with pytest.raises(ChallengeConfigError, match=r"track_config\.train_timeout_seconds"):
        load_challenge(ROOT / "challenges" / "mle",
                       {"track_config": {"train_timeout_seconds": -1}})
