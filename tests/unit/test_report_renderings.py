"""The HTML and Gradescope renderings of a report (the Markdown one: test_report.py)."""

from __future__ import annotations

import json
from pathlib import Path

from grader.checks import CheckResult
from grader.report import render_html, render_markdown, to_gradescope
from grader.report.model import Flag, Question, Review, SubmissionInfo
from tests.unit.test_report import sample


def reviewed():  # type: ignore[no-untyped-def]
    report = sample()
    report.checks[1].message = "<script>alert(1)</script> differs"
    report.checks[1].evidence["exchanges"] = [
        {"request": {"method": "POST", "path": "/notes", "body": {"title": 1}},
         "response": {"status": 500, "body": "Internal Server Error"}}]
    report.review = Review(
        flags=[Flag(id="tests", kind="green", label="Tests included", evidence="x"),
               Flag(id="5xx", kind="red", label="5xx on bad input", evidence="y",
                    where="app/main.py:12")],
        green_flags=1, red_flags=1,
        questions=[Question(id="q1", text="Walk me through app/main.py:12", why="failed",
                            where="app/main.py:12", excerpt="  12  def create():")])
    report.artifacts = {"server.log": "artifacts/server.log",
                        "executed.html": "artifacts/executed.html"}
    return report


def test_html_shows_total_criteria_flags_questions_and_evidence(tmp_path: Path) -> None:
    (tmp_path / "artifacts").mkdir()
    (tmp_path / "artifacts" / "server.log").write_text("Traceback: KeyError 'title'\n")
    (tmp_path / "artifacts" / "executed.html").write_text("<html><script>x()</script>nb</html>")
    html = render_html(reviewed(), tmp_path)
    assert "50%" in html and "5 / 10 points" in html
    assert "Correct | results" in html and "pending" in html
    assert "Flags: 1 green, 1 red" in html and "5xx on bad input" in html
    assert "Walk me through app/main.py:12" in html and "def create():" in html
    assert "POST /notes" in html and "-&gt; 500" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)" in html
    assert "KeyError" in html  # the server log is embedded
    assert 'sandbox="" srcdoc="&lt;html&gt;&lt;script&gt;' in html  # notebook: no scripts run
    assert "http://" not in html and "https://" not in html  # nothing to fetch to view it


def test_html_without_artifacts_or_review_still_renders() -> None:
    html = render_html(sample())
    assert html.startswith("<!doctype html>") and "Flags" not in html


def test_markdown_has_the_review_sections() -> None:
    text = render_markdown(reviewed())
    assert "## Flags: 1 green, 1 red" in text
    assert "## Explain-your-code: questions for the call" in text
    assert "1. Walk me through app/main.py:12" in text


def test_gradescope_scores_add_up_to_the_total() -> None:
    report = sample()
    results = to_gradescope(report)
    assert results["score"] == report.total.points
    assert sum(t["score"] for t in results["tests"]) == results["score"]
    assert sum(t["max_score"] for t in results["tests"]) == report.total.max_points
    failed = next(t for t in results["tests"] if t["number"] == "case.b")
    assert failed["status"] == "failed" and failed["name"] == "Case B"
    assert failed["visibility"] == "after_published"
    assert {"score", "execution_time", "tests", "output"} <= set(json.loads(
        json.dumps(results)))


def test_a_rejected_report_renders_everywhere() -> None:
    from grader.report import rejected_report

    report = rejected_report(SubmissionInfo(id="x-1", sha256="1" * 64, candidate=None,
                                            source="x.zip", files=0, total_bytes=0,
                                            framework=None, ignored=[]),
                             "x.zip is not a zip archive.", "not-a-zip")
    assert "x.zip is not a zip archive." in render_html(report)
    assert to_gradescope(report)["output"] == "rejected: x.zip is not a zip archive."


def test_key_figures_come_first_when_checks_carry_them() -> None:
    report = sample()
    report.checks[0].figures = {"ROC AUC (holdout)": 0.8312, "baseline AUC": 0.717}
    report.checks[1].figures = {"p95 latency (ms)": 12.5, "rows": 20000}
    html = render_html(report)
    assert "Key figures" in html and "0.831" in html and "12.50" in html
    assert "20,000" in html
    assert html.index("Key figures") < html.index("Criteria")
    text = render_markdown(report)
    assert "- ROC AUC (holdout): 0.831" in text
    assert text.index("## Key figures") < text.index("## Criteria")


def test_no_rendering_knows_a_track_s_evidence_keys() -> None:
    report = sample()
    report.checks.append(CheckResult.passed("model.auc", evidence={"auc": 0.9}))
    assert "Key figures" not in render_html(report)
