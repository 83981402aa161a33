"""The reviewer's pages through Django's test client: every page behind a session, the
opening form (CSRF enforced; the challenge's kit and the role profile for the level), the
invite link shown once and revoked, the cohort table and its live status JSON through every
state, the call sheet (manual scores with history, the total with the call, decisions), the
report under its CSP, compare, similarity, regrade and the exports."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.unit.web_pages_support import (
    accepted_upload,
    client,
    csrf_token,
    grade_next,
    graded_candidate,
    invite,
    logged_in,
    opening,
    web,
)

__all__ = ["web"]

REVIEWER_PAGES = ["/", "/openings/new/", "/openings/{o}/", "/openings/{o}/status.json",
                  "/openings/{o}/compare/?c={i}&c={i}", "/openings/{o}/similarity/",
                  "/openings/{o}/summary.csv", "/openings/{o}/gradescope.json",
                  "/candidates/{i}/", "/submissions/{s}/report/",
                  "/submissions/{s}/report/artifacts/server.log",
                  "/submissions/{s}/report.json", "/submissions/{s}/gradescope.json"]
REVIEWER_POSTS = ["/openings/new/", "/openings/{o}/invites/", "/openings/{o}/regrade/",
                  "/candidates/{i}/score/", "/candidates/{i}/decision/",
                  "/candidates/{i}/regrade/", "/candidates/{i}/revoke/"]


def _text(response: Any) -> str:
    return str(response.content.decode())


def test_every_reviewer_page_needs_a_session(web: None, tmp_path: Path) -> None:
    o = opening()
    made, sub_id = graded_candidate(tmp_path, o, "Ada Lovelace")
    anonymous, rita = client(), logged_in()
    for template in REVIEWER_PAGES:
        url = template.format(o=o.pk, i=made.pk, s=sub_id)
        refused = anonymous.get(url)
        assert refused.status_code == 302 and refused["Location"].startswith("/login/?next="), url
        assert rita.get(url).status_code in (200, 302), url
    for template in REVIEWER_POSTS:
        url = template.format(o=o.pk, i=made.pk, s=sub_id)
        refused = anonymous.post(url, {})
        assert refused.status_code == 302 and refused["Location"].startswith("/login/"), url
    from grader.db.models import Decision, ManualScore

    assert not made.__class__.objects.get(pk=made.pk).revoked
    assert not Decision.objects.exists() and not ManualScore.objects.exists()


def _new_opening(rita: Any, **fields: str) -> Any:
    token = csrf_token(rita, "/openings/new/")
    data = {"title": "Backend (mid)", "challenge": "backend", "framework": "django",
            "level": "mid", "window_minutes": "120", "role_profile": "",
            "csrfmiddlewaretoken": token, **fields}
    return rita.post("/openings/new/", data)


def test_an_opening_is_created_with_the_profile_of_its_level_and_refused_in_plain_words(
        web: None) -> None:
    from grader.db.models import Opening

    rita = logged_in(csrf=True)
    page = _text(rita.get("/openings/new/"))
    assert 'id="opening-form"' in page and 'value="wordfreq"' in page
    assert 'id="challenge-catalog"' in page                    # the kits and profiles, for JS
    no_token = rita.post("/openings/new/", {"title": "x", "challenge": "backend"})
    assert no_token.status_code == 403 and "reload the page" in _text(no_token)
    made = _new_opening(rita)
    assert made.status_code == 302
    opening_row = Opening.objects.get(title="Backend (mid)")
    assert made["Location"] == f"/openings/{opening_row.pk}/"
    assert (opening_row.challenge, opening_row.framework, opening_row.level,
            opening_row.window_minutes, opening_row.profile) == ("backend", "django", "mid",
                                                                 120, "mid")
    assert opening_row.created_by is not None and opening_row.created_by.username == "rita"
    senior = _new_opening(rita, title="Backend (senior, no profile)", level="senior",
                          role_profile="none")
    assert senior.status_code == 302
    assert Opening.objects.get(title__startswith="Backend (senior").profile is None
    junior_pick = _new_opening(rita, title="Mid, read as junior", role_profile="junior")
    assert junior_pick.status_code == 302
    assert Opening.objects.get(title="Mid, read as junior").profile == "junior"
    words = _new_opening(rita, title="Words", challenge="wordfreq", framework="")
    assert words.status_code == 302
    assert Opening.objects.get(title="Words").profile is None   # it ships no profile
    # refused, each with what to fix
    several = _new_opening(rita, title="No framework", framework="")
    assert several.status_code == 200 and "several kits: pin one" in _text(several)
    wrong = _new_opening(rita, title="Wrong kit", framework="fastapi", challenge="wordfreq")
    assert "has no kit" in _text(wrong)
    unknown = _new_opening(rita, title="Unknown profile", challenge="wordfreq", framework="",
                           role_profile="mid")
    assert "ships no profile" in _text(unknown)
    short = _new_opening(rita, title="Too short", window_minutes="2")
    assert "greater than or equal to 10" in _text(short)
    assert "was not created" in _text(short)
    assert not Opening.objects.filter(title__in=["No framework", "Wrong kit",
                                                 "Unknown profile", "Too short"]).exists()
    home = _text(rita.get("/"))
    assert f'id="opening-link-{opening_row.pk}"' in home and "Words" in home


def test_an_invite_link_is_shown_once_kept_hashed_and_revoked(web: None) -> None:
    from grader.db.models import Invite

    o = opening()
    rita = logged_in(csrf=True)
    token = csrf_token(rita, f"/openings/{o.pk}/")
    refused = rita.post(f"/openings/{o.pk}/invites/", {"name": "", "email": "not an address",
                                                        "csrfmiddlewaretoken": token})
    assert refused.status_code == 400 and "was not created" in _text(refused)
    assert "Enter a valid email address" in _text(refused) and not Invite.objects.exists()
    made = rita.post(f"/openings/{o.pk}/invites/", {"name": "Grace Hopper",
                                                     "email": "grace@example.com",
                                                     "csrfmiddlewaretoken": token})
    assert made.status_code == 200 and made["Cache-Control"].startswith("max-age=0")
    link = re.search(r'id="invite-link" value="([^"]+)"', _text(made))
    assert link and "shown once" in _text(made)
    url = link.group(1)
    assert url.startswith("http://localhost/invite/")
    plain = url.rstrip("/").rsplit("/", 1)[1]
    row = Invite.objects.get()
    assert row.email == "grace@example.com" and row.token_hint == plain[:6]
    assert plain not in json.dumps(list(Invite.objects.values()), default=str)
    assert plain not in _text(rita.get(f"/openings/{o.pk}/"))     # never shown again
    candidate = client()
    assert candidate.get(f"/invite/{plain}/").status_code == 200
    revoked = rita.post(f"/candidates/{row.pk}/revoke/", {"csrfmiddlewaretoken": token})
    assert revoked.status_code == 302 and revoked["Location"] == f"/openings/{o.pk}/"
    assert "is revoked" in _text(rita.get(f"/openings/{o.pk}/"))
    assert candidate.get(f"/invite/{plain}/").status_code == 404
    again = rita.post(f"/candidates/{row.pk}/revoke/", {"csrfmiddlewaretoken": token},
                      follow=True)
    assert "already revoked" in _text(again)


def _row(status: dict[str, Any], invite_id: int) -> dict[str, Any]:
    row: dict[str, Any] = next(r for r in status["rows"] if r["invite"] == invite_id)
    return row


def test_the_cohort_table_and_its_status_json_follow_each_state(web: None,
                                                                 tmp_path: Path) -> None:
    from grader.jobs import queue
    from tests.unit.web_pages_support import WORKER, _unique_zip, wordfreq_report

    o = opening()
    rita = logged_in()
    waiting, _ = invite(o, "Wendy Waiting")
    working, _ = invite(o, "Walter Working")
    working.start_clock()
    working.save()
    ada, ada_sub = graded_candidate(tmp_path, o, "Ada Lovelace", late=7)
    bob, _bob_sub = graded_candidate(tmp_path, o, "Bob Builder", failed=("case.ties",))
    status = rita.get(f"/openings/{o.pk}/status.json").json()
    assert _row(status, waiting.pk)["state"] == "invited"
    assert _row(status, working.pk)["state"] == "kit downloaded"
    assert [r["invite"] for r in status["rows"][:2]] == [ada.pk, bob.pk]    # ranked by score
    ada_row = _row(status, ada.pk)
    assert (ada_row["state"], ada_row["submission"], ada_row["active"]) == ("graded", ada_sub,
                                                                            False)
    assert ada_row["cells"]["score"]["text"] == "100 %"
    assert ada_row["cells"]["late"]["text"] == "late by 7 min"
    assert ada_row["cells"]["crit:explain"]["text"] == "pending"
    assert ada_row["cells"]["green"]["text"] == "1 / 7"
    bob_row = _row(status, bob.pk)
    assert bob_row["cells"]["crit:correctness"]["text"] == "33.33 / 50"
    assert bob_row["cells"]["red"] == {"text": "1", "sort": 1,
                                       "title": "Wrong answers (case.ties)"}
    assert "only 2 candidate(s) graded" in status["warning"]
    # a new upload is queued, then grading with its stage, then failed: seen live
    cy, _ = invite(o, "Cy Queued")
    accepted_upload(cy, _unique_zip("Cy Queued"))
    status = rita.get(f"/openings/{o.pk}/status.json").json()
    assert (_row(status, cy.pk)["state"], status["active"]) == ("queued", True)
    job_id = grade_next(tmp_path, None, stage="hidden_tests")
    assert _row(rita.get(f"/openings/{o.pk}/status.json").json(),
                cy.pk)["state"] == "grading: hidden_tests"
    queue.fail(job_id, WORKER, "Traceback (most recent call last):\nRuntimeError: boom")
    failed = _row(rita.get(f"/openings/{o.pk}/status.json").json(), cy.pk)
    assert failed["state"] == "failed" and failed["cells"]["state"]["title"] == \
        "RuntimeError: boom"
    # the page shows the same cells, sortable, with the warning under 4 graded
    page = _text(rita.get(f"/openings/{o.pk}/"))
    assert 'id="cohort"' in page and f'id="cohort-row-{ada.pk}"' in page
    assert 'data-col="score" class="cell" data-sort="100.0"' in page
    assert 'id="cohort-warning"' in page and "meet at least 4" in page
    assert f'id="compare-{waiting.pk}" class="compare-choice" disabled' in page
    assert 'src="/static/grader/cohort.js"' in page
    for name in ("Dee", "Eve"):
        graded_candidate(tmp_path, o, f"{name} Graded")
    status = rita.get(f"/openings/{o.pk}/status.json").json()
    assert status["graded"] == 4 and status["warning"] == ""
    assert wordfreq_report("x-1", "X").total.percent == 100


def test_the_call_sheet_keeps_manual_scores_with_history_and_decisions(
        web: None, tmp_path: Path) -> None:
    from grader.db.models import Decision, ManualScore

    o = opening()
    ada, sub_id = graded_candidate(tmp_path, o, "Ada Lovelace", failed=("case.ties",))
    rita = logged_in("rita", csrf=True)
    page = _text(rita.get(f"/candidates/{ada.pk}/"))
    assert "How does Ada Lovelace&#x27;s code break ties?" in page and "counts.sort()" in page
    assert 'id="manual-form-explain"' in page and 'id="score-with-call">not scored yet' in page
    assert 'id="score-total">81.5 %' in page
    token = csrf_token(rita, f"/candidates/{ada.pk}/")
    url = f"/candidates/{ada.pk}/score/"
    assert rita.post(url, {"explain-criterion": "explain",
                           "explain-points": "8"}).status_code == 403      # no CSRF token
    over = rita.post(url, {"explain-criterion": "explain", "explain-points": "11",
                           "csrfmiddlewaretoken": token})
    assert over.status_code == 400 and "at most 10 points" in _text(over)
    other = rita.post(url, {"correctness-criterion": "correctness",
                            "correctness-points": "50", "csrfmiddlewaretoken": token},
                      follow=True)
    assert "is not a criterion scored after the call" in _text(other)
    assert not ManualScore.objects.exists()
    kept = rita.post(url, {"explain-criterion": "explain", "explain-points": "6",
                           "explain-notes": "vague on ties", "csrfmiddlewaretoken": token})
    assert kept.status_code == 302
    bob = logged_in("bob", csrf=True)
    bob.post(url, {"explain-criterion": "explain", "explain-points": "9",
                   "explain-notes": "second call: clear", "csrfmiddlewaretoken":
                       csrf_token(bob, f"/candidates/{ada.pk}/")})
    rows = list(ManualScore.objects.order_by("scored_at", "id"))
    assert [(r.points, r.scored_by.username if r.scored_by else "") for r in rows] == [
        (6, "rita"), (9, "bob")]
    page = _text(rita.get(f"/candidates/{ada.pk}/"))
    # 81.5 % of 90 points = 73.33, plus 9 of 10 for the call: 82.33 of 100
    assert 'id="score-with-call">82.3 %' in page and "1 of 1 call criteria scored" in page
    assert "vague on ties" in page and "second call: clear" in page      # the history
    assert "Now 9.0 points, by bob" in page
    status = rita.get(f"/openings/{o.pk}/status.json").json()
    assert _row(status, ada.pk)["cells"]["crit:explain"]["text"] == "9 / 10"
    assert _row(status, ada.pk)["cells"]["with_call"]["text"] == "82.3 %"
    # the decision, refused without a reason, then kept with its history
    decide = f"/candidates/{ada.pk}/decision/"
    empty = rita.post(decide, {"outcome": "advance", "reason": "", "csrfmiddlewaretoken": token})
    assert empty.status_code == 400 and "give a reason" in _text(empty)
    rita.post(decide, {"outcome": "hold", "reason": "waiting for the others",
                       "csrfmiddlewaretoken": token})
    rita.post(decide, {"outcome": "advance", "reason": "strong call",
                       "csrfmiddlewaretoken": token})
    assert list(Decision.objects.order_by("decided_at", "id").values_list(
        "outcome", "submission_id")) == [("hold", sub_id), ("advance", sub_id)]
    page = _text(rita.get(f"/candidates/{ada.pk}/"))
    assert page.index("strong call") < page.index("waiting for the others")  # newest first
    decision_cell = _row(rita.get(f"/openings/{o.pk}/status.json").json(),
                         ada.pk)["cells"]["decision"]
    assert decision_cell["text"] == "advance" and decision_cell["title"].startswith(
        "strong call (rita,")


def test_the_report_page_runs_no_script_and_serves_artifacts_by_exact_name(
        web: None, tmp_path: Path) -> None:
    from grader.db.models import ReportFile

    o = opening()
    payload = "<script>alert('pwned')</script><a href=\"javascript:alert(1)\">x</a>"
    _ada, sub_id = graded_candidate(tmp_path, o, "Ada Lovelace", failed=("case.ties",),
                                   message=payload)
    rita = logged_in()
    page = rita.get(f"/submissions/{sub_id}/report/")
    policy = page["Content-Security-Policy"]
    assert "script-src 'none'" in policy and "default-src 'none'" in policy
    assert "sandbox" in policy and "'unsafe-eval'" not in policy
    body = _text(page)
    assert "<h1" in body and payload not in body
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in body
    log = rita.get(f"/submissions/{sub_id}/report/artifacts/server.log")
    assert log["Content-Type"] == "text/plain; charset=utf-8"
    assert log["Content-Security-Policy"].endswith("sandbox")
    for name in ("../report.html", "..%2Freport.html", "artifacts/server.log",
                 "/etc/passwd", "server.log/", "%2e%2e/%2e%2e/grader.db"):
        assert rita.get(f"/submissions/{sub_id}/report/artifacts/{name}").status_code == 404
    assert rita.get("/submissions/nobody-000000000000/report/").status_code == 404
    # the bundle gone: rendered from the stored report JSON, under the same policy
    ReportFile.objects.filter(submission_id=sub_id).delete()
    again = rita.get(f"/submissions/{sub_id}/report/")
    assert again.status_code == 200 and again["Content-Security-Policy"] == policy
    assert payload not in _text(again) and "Ada Lovelace" in _text(again)
    assert rita.get(f"/submissions/{sub_id}/report.json").json()["submission"]["id"] == sub_id
    # every other page: scripts and styles from this service only
    assert rita.get("/")["Content-Security-Policy"].startswith("default-src 'self'; "
                                                               "script-src 'self';")


def test_compare_similarity_regrade_and_exports(web: None, tmp_path: Path) -> None:
    from grader.db.models import Submission

    o = opening(title="Words, 2026")
    ada, ada_sub = graded_candidate(tmp_path, o, "Ada Lovelace")
    bob, bob_sub = graded_candidate(tmp_path, o, "Bob Builder", failed=("case.ties",))
    cy, _ = invite(o, "Cy Waiting")
    rita = logged_in(csrf=True)
    side = rita.get(f"/openings/{o.pk}/compare/?c={ada.pk}&c={bob.pk}")
    page = _text(side)
    assert side.status_code == 200 and 'id="compare-table"' in page
    assert page.index("Ada Lovelace") < page.index("Bob Builder")
    assert "Wrong answers (case.ties)" in page and "How does Bob Builder" in page
    assert "33.33 / 50" in page and "50 / 50" in page
    for query, said in [(f"c={ada.pk}", "Choose 2 to 5"),
                        (f"c={ada.pk}&c={cy.pk}", "Not graded yet"),
                        (f"c={ada.pk}&c=999999", "not in this opening"),
                        ("c=" + "&c=".join(str(ada.pk + n) for n in range(6)), "Choose 2 to 5"),
                        (f"c={ada.pk}&c=x", "is not a candidate")]:
        refused = rita.get(f"/openings/{o.pk}/compare/?{query}", follow=True)
        assert said in _text(refused), query
    # similarity: the two share their code's fingerprints
    from grader import similarity

    prints = {str(n): ["wordfreq.py", n] for n in range(40)}
    Submission.objects.filter(pk__in=[ada_sub, bob_sub]).update(
        fingerprints=json.dumps(prints))
    pairs = _text(rita.get(f"/openings/{o.pk}/similarity/"))
    assert "Ada Lovelace and Bob Builder" in pairs and "unusually similar" in pairs
    assert similarity.THRESHOLD <= 1.0 and "100%" in pairs
    # exports
    exported = rita.get(f"/openings/{o.pk}/summary.csv")
    assert exported["Content-Disposition"] == 'attachment; filename="words-2026-summary.csv"'
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert [r["candidate"] for r in rows] == ["Ada Lovelace", "Bob Builder"]
    assert rows[1]["Correct results"] == "33.33" and rows[1]["red_flags"] == "1"
    results = json.loads(rita.get(f"/openings/{o.pk}/gradescope.json").content)
    assert [(r["candidate"], r["submission"]) for r in results] == [
        ("Ada Lovelace", ada_sub), ("Bob Builder", bob_sub)]
    assert results[1]["results"]["score"] == pytest.approx(73.33, abs=0.01)
    one = json.loads(rita.get(f"/submissions/{bob_sub}/gradescope.json").content)
    assert one == results[1]["results"]
    # regrade through the queue: the candidate's job is queued again, seen in the status
    token = csrf_token(rita, f"/candidates/{bob.pk}/")
    again = rita.post(f"/candidates/{bob.pk}/regrade/", {"csrfmiddlewaretoken": token},
                      follow=True)
    assert "queued to be graded again" in _text(again)
    assert _row(rita.get(f"/openings/{o.pk}/status.json").json(), bob.pk)["state"] == "queued"
    busy = rita.post(f"/candidates/{bob.pk}/regrade/", {"csrfmiddlewaretoken": token},
                     follow=True)
    assert "queued already" in _text(busy)
    nothing = rita.post(f"/candidates/{cy.pk}/regrade/", {"csrfmiddlewaretoken": token},
                        follow=True)
    assert "nothing to regrade" in _text(nothing)
    every = rita.post(f"/openings/{o.pk}/regrade/", {"csrfmiddlewaretoken": token},
                      follow=True)
    assert "1 upload(s) queued to be graded again; 1 already queued or grading" in _text(every)
