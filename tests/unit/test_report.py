"""Reports: JSON round trip, schema, loading refusals, Markdown rendering."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from grader.challenge import Criterion
from grader.checks import CheckResult
from grader.report import Report, load_report, rejected_report, render_markdown
from grader.report.model import (
    SCHEMA_VERSION,
    ChallengeInfo,
    Environment,
    Message,
    SubmissionInfo,
    report_schema,
)
from grader.rubric import score

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "grader" / "schemas" / "report.schema.json").read_text())
REQUIRED_KEYS = ("schema_version", "status", "submission", "challenge", "total", "criteria",
                 "checks", "messages", "timings", "environment", "artifacts", "generated_at")


def submission_info(candidate: str | None = "Ada") -> SubmissionInfo:
    return SubmissionInfo(id="ada-0123456789ab", sha256="0" * 64, candidate=candidate,
                          source="ada.zip", files=2, total_bytes=10, framework=None,
                          ignored=[])


def sample() -> Report:
    checks = [
        CheckResult.passed("case.a", "output matches", title="Case A"),
        CheckResult.failed("case.b", "output | differs", title="Case B",
                           evidence={"expected": "x\ny", "got": "z", "run": {"exit_code": 1}}),
    ]
    criteria, total = score([Criterion("correct", "Correct | results", 10, ("case.*",)),
                             Criterion("explain", "Explain", 5, manual=True)], checks)
    return Report(
        schema_version=SCHEMA_VERSION, status="graded", submission=submission_info(),
        challenge=ChallengeInfo(id="wordfreq", title="Word frequencies", track="io",
                                version="1"),
        total=total, criteria=criteria, checks=checks, messages=[],
        timings={"intake": 0.01, "total": 1.5},
        environment=Environment(grader_version="0.1.0", python="3.11",
                                docker_version="20.10", base_image="python:3.12-slim",
                                images={"base": "sha256:abc"}, images_built=[]),
        artifacts={}, generated_at="2026-11-22T00:00:00+00:00")


def test_round_trip_and_schema(tmp_path: Path) -> None:
    report = sample()
    jsonschema.validate(json.loads(report.to_json()), SCHEMA)
    path = tmp_path / "report.json"
    path.write_text(report.to_json())
    assert load_report(path) == report


def test_rejected_report_matches_the_schema_and_renders_the_refusal() -> None:
    report = rejected_report(SubmissionInfo(id="x-1", sha256="1" * 64, candidate=None,
                                            source="x.zip", files=0, total_bytes=0,
                                            framework=None, ignored=[]),
                             "x.zip is not a zip archive.", "not-a-zip")
    jsonschema.validate(json.loads(report.to_json()), SCHEMA)
    text = render_markdown(report)
    assert "Submission rejected:** x.zip is not a zip archive." in text
    assert "`not-a-zip`" in text


@pytest.mark.parametrize(("content", "words"), [
    ("not json", "not valid JSON"),
    ('{"hello": 1}', "missing key"),
    (json.dumps({**sample().to_dict(), "schema_version": "9.0"}), "not supported"),
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
    report.checks[1].evidence = {"stdout": "y" * 10000}
    text = render_markdown(report)
    assert "[truncated]" in text
    assert "y" * 10000 not in text


def test_markdown_names_every_criterion_and_every_failed_check_message() -> None:
    report = sample()
    text = render_markdown(report)
    for criterion in report.criteria:
        assert criterion.title.replace("|", "\\|") in text
    for check in report.checks:
        assert check.message in text
    assert "## Timings" in text and "| intake | 0.01 |" in text
    assert "- docker_version: 20.10" in text


def test_markdown_fences_outlast_backticks_in_evidence() -> None:
    report = sample()
    report.checks[1].evidence = {"stderr": "```\nline\n````"}
    text = render_markdown(report)
    assert "  `````" in text  # five backticks: longer than the four in the text


def test_error_report_says_grading_did_not_finish() -> None:
    report = sample()
    report.status = "error"
    report.checks.append(CheckResult.error("grading.internal-error", "grader failed",
                                           max_points=0))
    jsonschema.validate(json.loads(report.to_json()), SCHEMA)
    text = render_markdown(report)
    assert "Grading did not finish" in text
    assert text.index("ERROR `grading.internal-error`") < text.index("PASS `case.a`")


def test_rejected_report_lists_further_messages_and_scores_zero() -> None:
    report = rejected_report(SubmissionInfo(id="x-1", sha256="1" * 64, candidate="X",
                                            source="x.zip", files=0, total_bytes=0,
                                            framework=None, ignored=[]),
                             "too big", "max-total-mb",
                             challenge=ChallengeInfo(id="wordfreq", title="Word frequencies",
                                                     track="io", version="1"))
    report.messages.append(Message(level="info", text="see the intake limits"))
    assert report.total.points == 0 and report.criteria == [] and report.checks == []
    assert report.messages[0] == Message(level="error", text="too big", rule="max-total-mb")
    text = render_markdown(report)
    assert text.startswith("# X: Word frequencies\n")
    assert "**Submission rejected:** too big" in text
    assert "- info: see the intake limits" in text
    assert "Total:" not in text


def test_later_minor_versions_load_and_unknown_keys_are_ignored() -> None:
    data = {**sample().to_dict(), "schema_version": "1.7", "added_in_1_7": {"x": 1}}
    report = Report.from_dict(data)
    assert report.schema_version == "1.7"
    assert "added_in_1_7" not in report.to_dict()


@pytest.mark.parametrize(("change", "words"), [
    ({"criteria": {}}, "key 'criteria': expected a list"),
    ({"status": "done"}, "key 'status': expected one of graded, rejected, error"),
    ({"schema_version": 1}, "key 'schema_version': expected a string"),
    ({"total": {"points": "5", "max_points": 10, "percent": 50}},
     r"key 'total\.points': expected a number"),
    ({"checks": [{"id": "a", "passed": True}]}, r"missing key 'checks\[0\]\.status'"),
    ({"criteria": ["x"]}, r"key 'criteria\[0\]': expected a mapping"),
    ({"timings": {"total": "slow"}}, r"key 'timings\.total': expected a number"),
    ({"timings": {"total": -1}}, r"key 'timings'"),
])
def test_from_dict_names_the_first_problem(change: dict, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        Report.from_dict({**sample().to_dict(), **change})


def test_load_report_refuses_every_missing_key(tmp_path: Path) -> None:
    for key in REQUIRED_KEYS:
        data = sample().to_dict()
        del data[key]
        path = tmp_path / "r.json"
        path.write_text(json.dumps(data))
        with pytest.raises(ValueError, match=f"missing key.*{key}"):
            load_report(path)


def test_load_report_refuses_oversized_and_undecodable_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(b"\xff\xfe{}")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_report(path)
    path.write_text(sample().to_json())
    monkeypatch.setattr("grader.report.model.MAX_REPORT_BYTES", 100)
    with pytest.raises(ValueError, match="larger than any report"):
        load_report(path)


def test_schema_rejects_unknown_statuses() -> None:
    for mutate in (lambda d: d.update(status="done"),
                   lambda d: d["checks"][0].update(status="ok"),
                   lambda d: d["criteria"][0].update(status="maybe"),
                   lambda d: d["challenge"].pop("title")):
        data = json.loads(sample().to_json())
        mutate(data)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(data, SCHEMA)


def test_to_json_keeps_key_order_and_unicode() -> None:
    report = sample()
    report.submission.candidate = "Zoë"
    text = report.to_json()
    assert '"candidate": "Zoë"' in text
    assert list(json.loads(text)) == list(report.to_dict())
    assert text.startswith(f'{{\n  "schema_version": "{SCHEMA_VERSION}",\n  "status": '
                           '"graded",')


def test_the_committed_schema_is_the_one_the_model_generates() -> None:
    """grader/schemas/report.schema.json follows from grader/report/model.py; regenerate it
    with `python -m grader.report.schema` after changing the model."""
    assert report_schema() == SCHEMA


def test_docs_describe_every_key_of_the_report() -> None:
    docs = (ROOT / "docs" / "report.md").read_text()
    schema = report_schema()
    for key in schema["properties"]:
        assert f"`{key}`" in docs or f"`{key}[]`" in docs, key
    for key in schema["properties"]["checks"]["items"]["properties"]:
        assert f"`{key}`" in docs, f"checks[].{key}"


def test_reports_of_earlier_versions_still_load() -> None:
    """1.0 (no review) and 1.1 (review, challenge {} when rejected) documents."""
    data = sample().to_dict()
    data["schema_version"] = "1.0"
    del data["review"]
    for check in data["checks"]:
        del check["figures"]
    report = Report.from_dict(data)
    assert report.review is None and report.checks[0].figures == {}
    rejected = rejected_report(submission_info(), "no", "rule").to_dict()
    rejected["schema_version"] = "1.1"
    assert rejected["challenge"] == {} and rejected["review"] == {}
    assert Report.from_dict(rejected).challenge is None
