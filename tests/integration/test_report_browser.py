"""report.html in a real browser: headless Chromium (Debian's) loads a graded report from
disk with the network closed (the bundled raises-halfway notebook's report, graded once for
the whole run by tests/integration/graded.py), and the score, the criteria and the
questions for the call are on the page; a screenshot is kept in test-artifacts/ for a person
to look at."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.integration.graded import graded_solution

ARTIFACTS = ROOT / "test-artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("GRADER_REQUIRE_CHROMIUM") == "1":
            pytest.fail("chromium is not installed (scripts/ensure-chromium.sh installs it)")
        pytest.skip("chromium is not installed")
    return path


def browse(browser: str, page: Path, tmp: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([browser, *FLAGS, f"--user-data-dir={tmp / 'profile'}", *args,
                           page.as_uri()], capture_output=True, text=True, timeout=120,
                          check=False)


@pytest.mark.docker
def test_report_html_shows_score_criteria_and_questions(tmp_path: Path,
                                                        docker_client: object) -> None:
    browser = chromium()
    challenge = ROOT / "challenges" / "datascience"
    # the grading test_solutions holds to expected.yaml (graded once for the whole run)
    outcome = graded_solution(challenge, "raises-halfway", tmp_path / "out")
    page = outcome.report_dir / "report.html"
    percent = outcome.report.total.percent

    dom = browse(browser, page, tmp_path, "--dump-dom", "--virtual-time-budget=3000")
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dom.stdout))
    assert f"{percent}%" in text
    for criterion in outcome.report.criteria:
        assert criterion.title in text.replace("&amp;", "&")
    assert "Explain-your-code: questions for the call" in text
    first_question = outcome.report.review.questions[0].text[:40]
    assert re.sub(r"\s+", " ", first_question) in text.replace("&#39;", "'").replace(
        "&amp;", "&").replace("&quot;", '"')
    assert "Executed notebook" in text

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report-datascience.png"
    done = browse(browser, page, tmp_path, f"--screenshot={shot}", "--window-size=1280,1800")
    assert done.returncode == 0 and shot.is_file() and shot.stat().st_size > 10_000, (
        done.stderr[-2000:])
