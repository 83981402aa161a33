"""The HTML and Gradescope renderings of a report (the Markdown one: test_report.py)."""

from __future__ import annotations

import json
from pathlib import Path

from grader.challenge import Criterion
from grader.checks import CheckResult
from grader.report import Report, render_html, render_markdown, to_gradescope
from grader.report.model import Flag, Question, Review, SubmissionInfo
from grader.rubric import score
from grader.text import has_control, number
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
    assert "Key figures" in html and "0.8312" in html and "12.5" in html
    assert "20,000" in html
    assert html.index("Key figures") < html.index("Criteria")
    text = render_markdown(report)
    assert "- ROC AUC (holdout): 0.8312" in text
    assert text.index("## Key figures") < text.index("## Criteria")


def test_no_rendering_knows_a_track_s_evidence_keys() -> None:
    report = sample()
    report.checks.append(CheckResult.passed("model.auc", evidence={"auc": 0.9}))
    assert "Key figures" not in render_html(report)


def every_status() -> Report:
    report = sample()
    report.checks = [
        CheckResult.passed("case.a", "output matches", title="Case A"),
        CheckResult.failed("case.b", "output differs", title="Case B"),
        CheckResult.error("runtime.hidden-suite", "no results", title="Suite ran"),
        CheckResult.not_run("case.c", "the program never started",
                            blocked_by="runtime.server-starts", title="Case C"),
        CheckResult.skipped("static.lint", "ruff is not installed", title="Lint"),
    ]
    criteria, total = score([Criterion("correct", "Correct", 10, ("case.*",))], report.checks)
    report.criteria, report.total = criteria, total
    return report


def test_every_status_renders_apart_and_not_run_names_its_cause() -> None:
    report = every_status()
    text = render_markdown(report)
    for mark in ("PASS `case.a`", "FAIL `case.b`", "ERROR `runtime.hidden-suite`",
                 "NOT RUN `case.c`", "SKIP `static.lint`"):
        assert mark in text, mark
    assert "not run: the program never started" in text
    assert "Blocked by `runtime.server-starts`." in text
    assert text.index("FAIL `case.b`") < text.index("NOT RUN `case.c`") < text.index(
        "PASS `case.a`")
    assert "1 of 3 check(s) passed; 1 not run (blocked by runtime.server-starts)" in text
    html = render_html(report)
    assert "2 failed, 1 not run of 5" in html
    assert '<span class="status not_run">not run</span>' in html
    assert "blocked by <code>runtime.server-starts</code>" in html
    results = to_gradescope(report)
    case_c = next(t for t in results["tests"] if t["number"] == "case.c")
    assert case_c["output"].startswith("[not run] not run: the program never started")
    assert Report.from_dict(json.loads(report.to_json())) == report


def test_control_characters_never_reach_a_rendering() -> None:
    report = every_status()
    report.checks[1].message = "\x1b[31mred\x1b[0m and a NUL\x00 and \u202eevil"
    report.checks[1].evidence = {"stderr": "line\r\nnext\x07bell"}
    report.submission.candidate = "Ada\x1b]0;title\x07"
    cleaned = report.cleaned()
    for text in (cleaned.to_json(), render_markdown(cleaned), render_html(cleaned)):
        assert not has_control(text.replace("\\u001b", "")), text[:200]
        assert "\x1b" not in text and "\x00" not in text and "\u202e" not in text
    assert cleaned.checks[1].message == "red and a NUL\\x00 and \\u202eevil"
    assert cleaned.checks[1].evidence["stderr"] == "line\nnext\\x07bell"
    assert cleaned.submission.candidate == "Ada"


def test_numbers_keep_the_digits_that_tell_them_apart() -> None:
    assert [number(x) for x in (0.1535, 0.1455, 20240611.0, 97.43, 3, 2 / 3, 1e-7)] == [
        "0.1535", "0.1455", "20240611", "97.43", "3", "0.666667", "1e-07"]


def test_a_cap_is_shown_where_the_total_is() -> None:
    """A capped total is lower than its criteria add up to: both renderings say why."""
    report = sample()
    report.total.capped_by = ["debugger: an interactive debugger answers any client (remote "
                              "code execution) (http.disclosure.no_interactive_debugger)"]
    for text in (render_markdown(report), render_html(report)):
        assert "Capped" in text and "an interactive debugger answers any client" in text
        assert "http.disclosure.no_interactive_debugger" in text
    assert "Capped" not in render_markdown(sample())
