"""Issue 25's last web point: an opening with a role profile ranks its cohort by the
profile-weighted score, not the plain one, and shows the recommendation, on the cohort page
(its live status JSON and the table), in summary.csv and in the API's cohort; with fewer than
4 graded candidates each warns. The two candidates here are ordered one way by the plain
score and the other way by the profile's weights (robustness weighs triple, correctness
half), so a ranking by the wrong score fails."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from tests.conftest import TEST_CHALLENGE
from tests.unit.test_web_api_support import check_response
from tests.unit.web_pages_support import (
    _unique_zip,
    accepted_upload,
    grade_next,
    invite,
    logged_in,
    opening,
    web,
    wordfreq_report,
)

__all__ = ["web"]           # the fixture, used by name

PROFILE = """\
id: wordfreq-robust
challenge: wordfreq
level: mid
title: Text tools developer (robustness first)
band: {advance: 90, borderline: 75}
weights: {correctness: 0.5, robustness: 3}
green_flags_target: 1
"""


def _graded(tmp_path: Path, for_opening: Any, name: str, failed: tuple[str, ...]) -> Any:
    """An invite whose upload was graded with the opening's profile applied (as the worker
    applies it: grader.recommend.apply_profile); the report."""
    from grader.challenge import load_challenge
    from grader.profiles import load_profile
    from grader.recommend import apply_profile

    made, _ = invite(for_opening, name)
    upload = accepted_upload(made, _unique_zip(name))
    challenge = load_challenge(TEST_CHALLENGE)
    plain = wordfreq_report(f"{name.split()[0].lower()}-{upload.sha256[:12]}", name, failed,
                            sha=upload.sha256[0])
    report = apply_profile(plain, load_profile(Path(for_opening.profile), challenge),
                           challenge)
    grade_next(tmp_path, report)
    return made, report


def test_a_profiled_cohort_ranks_by_the_profile_score_and_shows_the_recommendation(
        web: None, tmp_path: Path) -> None:
    from grader.web.api.tokens import create_token

    profile = tmp_path / "robust.yaml"
    profile.write_text(PROFILE)
    o = opening("Text tools (mid, robust)", level="mid", profile=str(profile))
    # Ada misses a tie (correctness, weighed half); Bob fails the large input (robustness,
    # weighed triple): Bob's plain score is the higher, Ada's profile score the higher
    ada, ada_rep = _graded(tmp_path, o, "Ada Lovelace", ("case.ties",))
    bob, bob_rep = _graded(tmp_path, o, "Bob Builder", ("case.large",))
    assert bob_rep.total.percent > ada_rep.total.percent
    assert ada_rep.recommendation.percent > bob_rep.recommendation.percent
    assert (ada_rep.recommendation.verdict, bob_rep.recommendation.verdict) == (
        "advance", "do-not-advance")

    rita = logged_in()
    status = rita.get(f"/openings/{o.pk}/status.json").json()
    assert [r["invite"] for r in status["rows"]] == [ada.pk, bob.pk]
    cells = {r["invite"]: r["cells"] for r in status["rows"]}
    assert cells[ada.pk]["profile"]["sort"] == ada_rep.recommendation.percent
    assert cells[ada.pk]["recommendation"]["sort"] == "advance"
    assert cells[ada.pk]["recommendation"]["text"] == ada_rep.recommendation.verdict_text
    assert cells[bob.pk]["recommendation"]["sort"] == "do-not-advance"
    assert cells[ada.pk]["green"]["text"] == "1 / 1"          # the profile's target
    assert "only 2 candidate(s) graded" in status["warning"]
    page = rita.get(f"/openings/{o.pk}/").content.decode()
    assert "Profile score" in page and "Recommendation" in page
    assert page.index(f'id="cohort-row-{ada.pk}"') < page.index(f'id="cohort-row-{bob.pk}"')
    assert ada_rep.recommendation.verdict_text in page and "meet at least 4" in page

    rows = list(csv.reader(io.StringIO(rita.get(f"/openings/{o.pk}/summary.csv")
                                       .content.decode())))
    names = [row[rows[0].index("candidate")] for row in rows[1:]]
    assert names == ["Ada Lovelace", "Bob Builder"], rows

    token = create_token(rita.get("/").wsgi_request.user, "ats").plain
    from django.test import Client

    path = f"/api/v1/openings/{o.pk}/cohort"
    got = Client(HTTP_HOST="localhost").get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
    check_response("GET", path, got.status_code, got["Content-Type"], got.content)
    answer = got.json()
    assert [(r["candidate"], r["rank"], r["recommendation"]) for r in answer["rows"]] == [
        ("Ada Lovelace", 1, "advance"), ("Bob Builder", 2, "do-not-advance")]
    assert answer["rows"][0]["profile_percent"] == ada_rep.recommendation.percent
    assert answer["rows"][1]["percent"] == bob_rep.total.percent
    assert answer["graded"] == 2 and "meet at least 4" in answer["warnings"][0]
