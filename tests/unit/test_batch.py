"""Batch helpers: which paths a batch holds, and the cohort summary (CSV and HTML)."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

from grader.batch import expand_paths, write_summary
from tests.unit.test_report import sample


def test_a_folder_of_submissions_expands_and_a_submission_folder_does_not(
        tmp_path: Path) -> None:
    cohort = tmp_path / "cohort"
    (cohort / "alice").mkdir(parents=True)
    (cohort / "alice" / "submission.yaml").write_text("x")
    (cohort / "bob.zip").write_bytes(b"PK")
    (cohort / "notes.txt").write_text("not a submission")
    (cohort / ".hidden").mkdir()
    single = tmp_path / "carol"
    (single / "project").mkdir(parents=True)
    (single / "project" / "submission.yaml").write_text("x")
    assert expand_paths([cohort, single]) == [cohort / "alice", cohort / "bob.zip", single]
    assert expand_paths([cohort / "alice"]) == [cohort / "alice"]


def test_summary_ranks_by_score_and_links_reports(tmp_path: Path) -> None:
    low, high, rejected = sample(), sample(), sample()
    high.total = replace(high.total, percent=90, points=9)
    high.submission = replace(high.submission, id="bo-1", candidate="Bo <b>")
    rejected.status = "rejected"
    rejected.total = replace(rejected.total, percent=0, points=0)
    rejected.submission = replace(rejected.submission, id="cy-1", candidate="Cy")
    csv_path, index = write_summary(tmp_path, [(low, tmp_path / "ada-0123456789ab"),
                                               (rejected, tmp_path / "cy-1"),
                                               (high, tmp_path / "bo-1")])
    rows = list(csv.DictReader(csv_path.open()))
    assert [r["submission"] for r in rows] == ["bo-1", "ada-0123456789ab", "cy-1"]
    assert rows[0]["rank"] == "1" and rows[0]["Correct | results"] == "5"
    assert rows[2]["status"] == "rejected"
    page = index.read_text()
    assert '<a href="bo-1/report.html">Bo &lt;b&gt;</a>' in page and "Cohort: 3" in page
