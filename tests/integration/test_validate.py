"""`grader validate` for challenge authors: passes on a challenge whose solutions land in
their ranges, and fails, naming the solution, when a range is edited to be wrong. (Every
solution of every challenge goes through the same comparison in test_solutions.py.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from grader.cli import cli
from tests.conftest import TEST_CHALLENGE

pytestmark = pytest.mark.docker


def test_validate_passes_then_names_the_solution_whose_range_is_wrong(
        tmp_path: Path, docker_client: object) -> None:
    challenge = tmp_path / "wordfreq"
    shutil.copytree(TEST_CHALLENGE, challenge)
    result = CliRunner().invoke(cli, ["validate", str(challenge), "--solution", "reference",
                                      "--solution", "case-sensitive"])
    assert result.exit_code == 0, result.output
    assert "ok   reference" in result.output and "all 2 solution(s) as expected" in result.output

    expected_file = challenge / "solutions" / "expected.yaml"
    expected = yaml.safe_load(expected_file.read_text())
    expected["case-sensitive"]["percent"] = [90, 100]  # wrong on purpose
    expected_file.write_text(yaml.safe_dump(expected))
    result = CliRunner().invoke(cli, ["validate", str(challenge), "--solution", "reference",
                                      "--solution", "case-sensitive"])
    assert result.exit_code == 1
    assert "FAIL case-sensitive" in result.output and "expected 90-100%" in result.output
    assert "not as expected: case-sensitive" in result.output


def test_validate_refuses_an_unknown_solution(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(TEST_CHALLENGE), "--solution", "nope"])
    assert result.exit_code == 2 and "no solution nope" in result.output
