"""Reports: JSON round trip, schema, loading refusals, Markdown rendering."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from grader.challenge import Criterion
from grader.checks import CheckResult
from grader.report import Report, load_report, rejected_report, render_markdown
from grader.report.model import SCHEMA_VERSION
from grader.rubric import score

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "grader" / "schemas" /
                     "report.schema.json").read_text())


def sample() -> Report:
    checks = [
        CheckResult.passed("case.a", "output matches", title="Case A"),
        CheckResult.failed("case.b", "output | differs", title="Case B",
                           evidence={"expected": "x\ny", "got": "z", "run": {"exit_code": 1}}),
    ]
    criteria, total = score([Criterion("correct", "Correct | results", 10, ("case.*",)),
                             Criterion("explain", "Explain", 5, manual=True)], checks)
    return Report(
        schema_version=SCHEMA_VERSION, status="graded",
        submission={"id": "ada-0123456789ab", "sha256": "0" * 64, "candidate": "Ada",
                    "source": "ada.zip", "files": 2, "total_bytes": 10, "framework": None,
                    "ignored": []},
        challenge={"id": "wordfreq", "title": "Word frequencies", "track": "io",
                   "version": "1"},
        total=total.to_dict(), criteria=[c.to_dict() for c in criteria],
        checks=[c.to_dict() for c in checks], messages=[],
        timings={"intake": 0.01, "total": 1.5},
        environment={"grader_version": "0.1.0", "python": "3.11", "docker_version": "20.10",
                     "base_image": "python:3.12-slim", "images": {"base": "sha256:abc"},
                     "images_built": []},
        artifacts={}, generated_at="2026-11-22T00:00:00+00:00")


def test_round_trip_and_schema(tmp_path: Path) -> None:
    report = sample()
    jsonschema.validate(json.loads(report.to_json()), SCHEMA)
    path = tmp_path / "report.json"
    path.write_text(report.to_json())
    assert load_report(path) == report


def test_rejected_report_matches_the_schema_and_renders_the_refusal() -> None:
    report = rejected_report({"id": "x-1", "sha256": "1" * 64, "candidate": None,
                              "source": "x.zip", "files": 0, "total_bytes": 0,
                              "framework": None, "ignored": []},
                             "x.zip is not a zip archive.", "not-a-zip")
    jsonschema.validate(json.loads(report.to_json()), SCHEMA)
    text = render_markdown(report)
    assert "Submission rejected:** x.zip is not a zip archive." in text
    assert "`not-a-zip`" in text


@pytest.mark.parametrize(("content", "words"), [
    ("not json", "not valid JSON"),
    ('{"hello": 1}', "missing key"),
    (json.dumps({**sample().to_dict(), "schema_version": "2.0"}), "not supported"),
    ("[1, 2]", "JSON object"),
])
def test_load_report_refuses_what_is_not_a_report(tmp_path: Path, content: str,
                                                  words: str) -> None:
    path = tmp_path / "r.json"
    path.write_text(content)
    with pytest.raises(ValueError, match=words):
        load_report(path)


def test_markdown_shows_total_criteria_and_failures() -> None:
    text = render_markdown(sample())
    assert "**Total: 5 / 10 points (50%)**" in text
    assert "plus 5 points pending" in text
    assert "Correct \\| results" in text  # table cells escape pipes
    assert "| Explain | pending | 5 | pending |" in text
    assert "output | differs" in text
    assert text.index("FAIL `case.b`") < text.index("PASS `case.a`")
    assert "- expected:" in text and "x\n" in text


def test_markdown_is_deterministic() -> None:
    assert render_markdown(sample()) == render_markdown(sample())


def test_long_evidence_is_cut_with_a_marker() -> None:
    report = sample()
    report.checks[1]["evidence"] = {"stdout": "y" * 10000}
    text = render_markdown(report)
    assert "[truncated]" in text
    assert "y" * 10000 not in text
