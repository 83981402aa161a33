"""What a reviewer reads and records on the work received, through the API: an upload's
grading state as it moves (queued, grading with its stage, graded with its submission,
failed with its error's last line), the graded submission (total with the manual criteria,
criteria, flags, recommendation), its report.json exactly as stored (valid against grader's
report schema), manual scores (only a manual criterion, within its maximum; the latest
counts; the total updates), and the cohort ranked with its states, scores and decisions.
The worker is a stand-in here (tests/unit/test_web_api_support.py); the real grading is
tests/integration/test_web_api_journey.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.unit.test_web_api_support import (
    WORKER,
    Api,
    World,
    claim,
    finish,
    grade_next,
    solution_zip,
    upload,
    wordfreq_report,
)
from tests.unit.test_web_api_support import api as api  # a fixture
from tests.unit.test_web_api_support import web as web  # a fixture
from tests.unit.test_web_api_support import world as world  # a fixture

REPORT_SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "grader" / "schemas" /
                            "report.schema.json").read_text())
GRACE = "grace-hopper-aaaaaaaaaaaa"
LINUS = "linus-t-bbbbbbbbbbbb"


def _state(api: Api, world: World, upload_id: int) -> dict[str, Any]:
    answer = api.get(f"/api/v1/uploads/{upload_id}", world.bob_token)
    assert answer.status_code == 200
    found: dict[str, Any] = answer.json()
    return found


def test_an_uploads_state_moves_from_queued_through_its_stage_to_graded(
        api: Api, world: World, tmp_path: Path) -> None:
    from grader.jobs import queue

    sent = upload(api, world, solution_zip("reference")).json()
    queued = _state(api, world, sent["id"])
    assert (queued["state"], queued["state_text"], queued["submission"]) == ("queued",
                                                                            "queued", None)
    assert queued["job"] and queued["accepted"] and queued["verdict"] == "accepted"
    job = claim()
    assert queue.set_stage(job, WORKER, "hidden_tests")
    grading = _state(api, world, sent["id"])
    assert (grading["state"], grading["stage"], grading["state_text"]) == (
        "grading", "hidden_tests", "grading: hidden_tests")
    finish(tmp_path, job, wordfreq_report(GRACE, "Grace Hopper"))
    graded = _state(api, world, sent["id"])
    assert (graded["state"], graded["submission"], graded["error"]) == ("graded", GRACE,
                                                                        None)
    again = upload(api, world, solution_zip("reference")).json()    # the same bytes: one job
    assert _state(api, world, again["id"])["submission"] == GRACE
    detail = api.get(f"/api/v1/invites/{world.invite_a.pk}", world.ada_token).json()
    assert [u["state"] for u in detail["uploads"]] == ["graded", "graded"]
    assert detail["submission"] == GRACE


def test_a_failed_grading_says_its_last_error_line_and_a_refusal_its_rule(
        api: Api, world: World) -> None:
    from grader.jobs import queue

    sent = upload(api, world, solution_zip("reference")).json()
    job = claim()
    queue.fail(job, WORKER, "Traceback (most recent call last):\n  ...\n"
                            "RuntimeError: the engine went away\n")
    failed = _state(api, world, sent["id"])
    assert (failed["state"], failed["error"]) == ("failed", "RuntimeError: the engine went away")
    refused = upload(api, world, b"not a zip").json()["details"]["upload"]
    state = _state(api, world, refused["id"])
    assert (state["state"], state["accepted"], state["job"]) == ("refused", False, None)
    assert state["verdict"] != "accepted" and state["message"]


def test_a_graded_submission_shows_its_scores_and_its_report_as_stored(
        api: Api, world: World, tmp_path: Path) -> None:
    upload(api, world, solution_zip("case-sensitive"))
    grade_next(tmp_path, wordfreq_report(GRACE, "Grace Hopper", failed=("case.ties",),
                                         red_flag=True))
    found = api.get(f"/api/v1/submissions/{GRACE}", world.ada_token).json()
    assert (found["status"], found["challenge"], found["candidate"]) == (
        "graded", "wordfreq", "Grace Hopper")
    criteria = {c["id"]: c for c in found["criteria"]}
    assert criteria["explain"]["manual"] and criteria["explain"]["points"] is None
    assert criteria["correctness"]["points"] < criteria["correctness"]["max_points"]
    total = found["total"]
    assert total["pending"] == ["explain"] and total["percent"] == found["percent"]
    assert total["max_points"] == found["max_points"] and total["manual_points"] == 0
    assert found["flags"]["red"] == 1 and found["flags"]["items"][1] == {
        "id": "wrong-answers", "kind": "red", "label": "wrong answers",
        "where": "wordfreq.py:3"}
    assert found["recommendation"] is None and found["manual_scores"] == []
    assert len(found["uploads"]) == 1
    report = api.get(f"/api/v1/submissions/{GRACE}/report", world.ada_token)
    assert report["Content-Type"] == "application/json"
    from grader.store import Store

    assert report.content == Store(alias="default").report_file(GRACE, "report.json")
    jsonschema.validate(report.json(), REPORT_SCHEMA)
    assert report.json()["submission"]["id"] == GRACE


def test_manual_scores_count_their_latest_and_the_total_updates(
        api: Api, world: World, tmp_path: Path) -> None:
    upload(api, world, solution_zip("reference"))
    grade_next(tmp_path, wordfreq_report(GRACE, "Grace Hopper"))
    path = f"/api/v1/submissions/{GRACE}/manual-scores"
    first = api.post(path, world.ada_token, json_body={"criterion": "explain", "points": 8,
                                                       "notes": "clear on the tie-break"})
    assert first.status_code == 201 and first["Location"] == path
    made = first.json()
    assert (made["criterion"], made["points"], made["scored_by"]) == ("explain", 8, "ada")
    assert made["total"]["pending"] == [] and made["total"]["manual_points"] == 8
    auto = api.get(f"/api/v1/submissions/{GRACE}", world.ada_token).json()
    assert auto["total"]["points"] == auto["points"] + 8
    assert auto["total"]["max_points"] == auto["max_points"] + 10
    second = api.post(path, world.bob_token, json_body={"criterion": "explain", "points": 6})
    assert second.json()["total"]["manual_points"] == 6
    history = api.get(path, world.root_token).json()["manual_scores"]
    assert [(m["points"], m["scored_by"], m["notes"]) for m in history] == [
        (8, "ada", "clear on the tie-break"), (6, "bob", "")]
    now = api.get(f"/api/v1/submissions/{GRACE}", world.ada_token).json()
    assert [m["points"] for m in now["manual_scores"]] == [6]
    assert {c["id"]: c["points"] for c in now["criteria"]}["explain"] == 6


@pytest.mark.parametrize(("body", "field"), [
    ({"criterion": "correctness", "points": 5}, "criterion"),
    ({"criterion": "explain", "points": 11}, "points"),
    ({"criterion": "explain", "points": -1}, "points"),
    ({"criterion": "explain"}, "points"),
    ({"criterion": "explain", "points": 5, "by": "carol"}, "by"),
])
def test_a_manual_score_that_does_not_fit_the_rubric_is_refused(
        api: Api, world: World, tmp_path: Path, body: dict[str, Any], field: str) -> None:
    upload(api, world, solution_zip("reference"))
    grade_next(tmp_path, wordfreq_report(GRACE, "Grace Hopper"))
    answer = api.post(f"/api/v1/submissions/{GRACE}/manual-scores", world.ada_token,
                      json_body=body)
    assert answer.status_code == 422 and field in answer.json()["details"]["fields"], (
        answer.content)


def test_a_rejected_submission_has_nothing_to_score(api: Api, world: World,
                                                    tmp_path: Path) -> None:
    from grader.report.model import SubmissionInfo, rejected_report
    from grader.store import Store

    report = rejected_report(SubmissionInfo(id="x-cccccccccccc", sha256="c" * 64,
                                            candidate=None, source="x.zip", files=0,
                                            total_bytes=9, framework=None, ignored=[]),
                             "not a zip", "not-a-zip")
    Store(alias="default").record(report, tmp_path)
    answer = api.post(f"/api/v1/submissions/{report.submission.id}/manual-scores",
                      world.ada_token, json_body={"criterion": "explain", "points": 5})
    assert answer.status_code == 409 and "not graded" in answer.json()["message"]
    shown = api.get(f"/api/v1/submissions/{report.submission.id}", world.ada_token).json()
    assert shown["status"] == "rejected" and shown["total"] is None


def test_the_cohort_ranks_the_graded_and_says_where_everyone_else_is(
        api: Api, world: World, tmp_path: Path) -> None:
    from django.utils import timezone

    from grader.web.invites import create_invite

    upload(api, world, solution_zip("reference"))
    grade_next(tmp_path, wordfreq_report(GRACE, "Grace Hopper", failed=("case.ties",),
                                         red_flag=True))
    upload(api, world, solution_zip("case-sensitive"), world.token_b, world.invite_b)
    grade_next(tmp_path, wordfreq_report(LINUS, "Linus T"))
    working = create_invite(world.opening, "Working Now")
    working.invite.start_clock(timezone.now())
    working.invite.save()
    create_invite(world.opening, "Not Yet")
    refused = create_invite(world.opening, "Refused Once")
    upload(api, world, b"not a zip", refused.token, refused.invite)
    api.post(f"/api/v1/submissions/{GRACE}/manual-scores", world.ada_token,
             json_body={"criterion": "explain", "points": 9})
    api.post(f"/api/v1/invites/{world.invite_b.pk}/decisions", world.ada_token,
             json_body={"outcome": "advance", "reason": "all cases right"})
    cohort = api.get(f"/api/v1/openings/{world.opening.pk}/cohort", world.bob_token).json()
    rows = cohort["rows"]
    assert [(r["candidate"], r["rank"], r["state"]) for r in rows[:2]] == [
        ("Linus T", 1, "graded"), ("Grace Hopper", 2, "graded")]
    assert {r["candidate"]: r["state"] for r in rows[2:]} == {
        "Working Now": "working", "Not Yet": "invited", "Refused Once": "refused"}
    assert all(r["rank"] is None and r["percent"] is None for r in rows[2:])
    linus, grace = rows[0], rows[1]
    assert linus["percent"] > grace["percent"] and linus["red_flags"] == []
    assert grace["red_flags"] == ["wrong-answers"] and grace["green_flags"] == 1
    assert grace["criteria"]["explain"] == 9 and linus["criteria"]["explain"] is None
    assert grace["total"]["manual_points"] == 9 and linus["total"]["pending"] == ["explain"]
    assert linus["decision"]["outcome"] == "advance" and grace["decision"] is None
    assert cohort["graded"] == 2 and "only 2 candidate(s) graded" in cohort["warnings"][0]
    assert [r["refused_uploads"] for r in rows if r["candidate"] == "Refused Once"] == [1]
    assert cohort["opening"]["id"] == world.opening.pk
