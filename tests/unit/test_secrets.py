"""GRADER_SECRETS: per-installation hidden material merged into challenges at load time."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.challenge import load_challenge
from grader.errors import ChallengeConfigError
from tests.conftest import TEST_CHALLENGE


def write_secrets(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "secrets.yaml").write_text(text)
    return folder


def test_without_the_setting_the_bundled_material_is_used(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRADER_SECRETS", raising=False)
    challenge = load_challenge(TEST_CHALLENGE)
    assert challenge.grading_seconds == 120
    assert challenge.config.cases[0].input.is_relative_to(TEST_CHALLENGE.resolve())


def test_an_entry_is_merged_and_its_paths_resolve_in_the_secrets_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_secrets(tmp_path / "private", """
wordfreq:
  grading_seconds: 33
  track_config:
    cases:
      - {id: secret, title: A case only this installation has, input: cases/secret.txt,
         expected: cases/secret.json}
other-challenge:
  grading_seconds: 1
""")
    (folder / "cases").mkdir()
    (folder / "cases" / "secret.txt").write_text("b a b")
    (folder / "cases" / "secret.json").write_text('{"total_words": 3, "top": []}')
    monkeypatch.setenv("GRADER_SECRETS", str(folder))

    challenge = load_challenge(TEST_CHALLENGE, {"rubric": [
        {"id": "correctness", "title": "Correct", "points": 10, "checks": ["case.secret"]}]})

    assert challenge.grading_seconds == 33
    [case] = challenge.config.cases
    assert case.id == "secret"
    assert case.input == (folder / "cases" / "secret.txt").resolve()
    assert challenge.limits.memory_mb == 128  # what the entry does not name is kept


def test_the_setting_may_name_the_file_itself(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_secrets(tmp_path / "s", "wordfreq: {grading_seconds: 44}\n")
    monkeypatch.setenv("GRADER_SECRETS", str(folder / "secrets.yaml"))
    assert load_challenge(TEST_CHALLENGE).grading_seconds == 44


@pytest.mark.parametrize(("text", "words"), [
    (None, "not found"),
    ("wordfreq: [1, 2]\n", "expected a mapping merged"),
    ("- a\n- b\n", "expected a mapping of challenge id"),
    ("wordfreq: {grading_seconds: -1}\n", "grading_seconds"),
    ("wordfreq: {track_config: {cases: [{id: x, input: ../../etc/passwd, "
     "expected: x.json}]}}\n", "input"),
])
def test_a_broken_secrets_file_is_a_clear_configuration_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str | None, words: str) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    if text is not None:
        (folder / "secrets.yaml").write_text(text)
    monkeypatch.setenv("GRADER_SECRETS", str(folder))
    with pytest.raises(ChallengeConfigError, match=words.replace("[", r"\[")):
        load_challenge(TEST_CHALLENGE)
