"""Flags and the explain-your-code sheet: chosen from the checks and the code, with file:line
and an excerpt, drawn from the challenge's question bank when evidence runs out."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from grader.checks import CheckResult
from grader.review import build_review
from grader.review.build import DEFAULTS, most_complex_function, review_config
from tests.conftest import ROOT

CHALLENGES = sorted(p.parent for p in (ROOT / "challenges").glob("*/challenge.yaml"))

APP = '''\
from fastapi import FastAPI

app = FastAPI()


@app.get("/notes")
def list_notes(limit: int = 10):
    return []


@app.post("/notes")
def create_note(body: dict):
    if not body:
        return None
    for key in body:
        if key and key.startswith("x") or key.endswith("y"):
            try:
                pass
            except:  # noqa: E722
                pass
    return body
'''


@pytest.fixture
def submission(tmp_path: Path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.py").write_text(APP)
    return tmp_path


def exchange(method: str, path: str, status: int) -> dict[str, object]:
    return {"request": {"method": method, "path": path},
            "response": {"status": status, "body": ""}}


def checks() -> list[CheckResult]:
    return [
        CheckResult.failed("http.auth.other_user_cannot_read", "GET /notes/1 -> 200",
                           evidence={"handler": "app/main.py:12 (create_note)",
                                     "exchanges": [exchange("GET", "/notes/1", 200)]}),
        CheckResult.failed("http.robustness.bad_json", "POST /notes -> 500",
                           evidence={"exchanges": [exchange("POST", "/notes", 500)]}),
        CheckResult.passed("static.tests-present", "1 test file"),
        CheckResult.failed("static.no-secrets", "1 secret(s) committed: aws key at app/main.py:3",
                           evidence={"findings": [{"file": "app/main.py", "line": 3}]}),
        CheckResult.failed("static.lint", "2 findings", evidence={"by_rule": {"E722": 1},
                                                                 "first": []}),
    ]


def test_flags_come_from_the_checks(submission: Path) -> None:
    review = build_review(ROOT / "challenges" / "backend", submission, ["app/main.py"],
                          checks())
    flags = {f.id: f for f in review.flags}
    assert flags["tests-included"].kind == "green"
    assert flags["secrets"].kind == "red" and flags["secrets"].where == "app/main.py:3"
    assert "bare-except" in flags and "auth-gap" in flags and "5xx" in flags
    assert review.green_flags == 1 and review.red_flags == len(flags) - 1


def test_questions_point_at_the_code(submission: Path) -> None:
    review = build_review(ROOT / "challenges" / "backend", submission, ["app/main.py"],
                          checks())
    questions = review.questions
    assert 6 <= len(questions) <= 10
    auth = next(q for q in questions if q.id == "failed-auth")
    assert auth.where == "app/main.py:12"
    assert "GET /notes/1 -> 200" in auth.text
    assert "def create_note" in auth.excerpt and "  12  " in auth.excerpt
    complex_q = next(q for q in questions if q.id == "most-complex")
    assert complex_q.where.startswith("app/main.py:12 (create_note)")
    bank = next(q for q in questions if q.id == "orm-queries")
    assert bank.where.startswith("app/main.py:7")  # the GET /notes handler, found by route
    assert len({q.id for q in questions}) == len(questions)


def test_most_complex_function_skips_tests(tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text("def test_a():\n" + "    if 1:\n        pass\n" * 9)
    (tmp_path / "m.py").write_text("def f(x):\n    if x:\n        return 1\n    return 2\n")
    place, score = most_complex_function(tmp_path, ["m.py", "test_x.py"])  # type: ignore[misc]
    assert (place.file, place.name, score) == ("m.py", "f", 2)


def test_a_challenge_can_exclude_shared_flags(tmp_path: Path) -> None:
    no_tests = [CheckResult.failed("static.tests-present", "no test files")]
    backend = build_review(ROOT / "challenges" / "backend", tmp_path, [], no_tests)
    notebook = build_review(ROOT / "challenges" / "datascience", tmp_path, [], no_tests)
    assert "no-tests" in {f.id for f in backend.flags}
    assert "no-tests" not in {f.id for f in notebook.flags}
    assert "no-tests" not in {q.id for q in notebook.questions}


def test_a_broken_or_empty_submission_still_gets_a_sheet(tmp_path: Path) -> None:
    review = build_review(ROOT / "challenges" / "mle", tmp_path, [], [])
    assert len(review.questions) >= 6 and review.flags == []


@pytest.mark.parametrize("challenge", CHALLENGES, ids=[c.name for c in CHALLENGES])
def test_every_review_file_is_well_formed(challenge: Path) -> None:
    raw = yaml.safe_load((challenge / "review.yaml").read_text())
    flags, questions = review_config(challenge)
    shared = [f for f in yaml.safe_load(DEFAULTS.read_text())["flags"]
              if f["id"] not in raw.get("exclude", [])]
    assert len(flags) == len(raw["flags"]) + len(shared)
    for flag in raw["flags"]:
        assert flag["kind"] in ("green", "red") and isinstance(flag["when"], dict), flag
    assert len([q for q in raw["questions"] if "when" not in q]) >= 2
    for q in questions:
        assert isinstance(q["text"], str) and q["text"].strip()


def test_messages_lose_pytest_introspection_and_one_place_gets_one_question(
        submission: Path) -> None:
    noisy = "GET /notes -> 200: assert 200 == 401  +  where 200 = <Response [200]>.status_code"
    same_place = [CheckResult.failed(f"http.auth.case_{i}", noisy,
                                     evidence={"handler": "app/main.py:7 (list_notes)",
                                               "exchanges": [exchange("GET", "/notes", 200)]})
                  for i in range(3)]
    review = build_review(ROOT / "challenges" / "backend", submission, ["app/main.py"],
                          same_place)
    auth = [q for q in review.questions if q.id == "failed-auth"]
    assert len(auth) == 1 and "where 200" not in auth[0].text
    assert "GET /notes -> 200: assert 200 == 401" in auth[0].text


def test_flags_and_questions_follow_what_was_observed(submission: Path) -> None:
    """A 403 where 401 was due is a contract question, not an authorization gap; a check that
    could not run raises nothing; a green flag needs every one of its checks."""
    observed = [
        CheckResult.failed("http.auth.notes_require_a_token", "GET /notes -> 403: 403 != 401",
                           evidence={"exchanges": [exchange("GET", "/notes", 403)]}),
        CheckResult.passed("http.auth.other_users_note_cannot_be_read"),
        CheckResult.failed("http.auth.other_users_note_cannot_be_changed",
                           "PUT /notes/3 -> 200: 200 != 404",
                           evidence={"exchanges": [exchange("PUT", "/notes/3", 200)]}),
        CheckResult.not_run("http.persistence.data_survives_restart", "no note was stored",
                            blocked_by="http.persistence.restart_marker_is_stored"),
        CheckResult.not_run("http.robustness.malformed_json_is_4xx[/notes]", "server gone",
                            blocked_by="runtime.server-starts"),
        CheckResult.passed("static.lint", "2 findings", evidence={"findings": 2}),
    ]
    review = build_review(ROOT / "challenges" / "backend", submission, ["app/main.py"],
                          observed)
    flags = {f.id: f for f in review.flags}
    assert flags["auth-gap"].evidence.startswith("http.auth.other_users_note_cannot_be_changed")
    assert "auth-holds" not in flags          # one ownership test passed, the other did not
    assert "not-persistent" not in flags and "5xx" not in flags   # never observed
    assert "clean-lint" not in flags          # passed, with findings
    ids = [q.id for q in review.questions]
    assert "auth-status" in ids and "failed-restart" not in ids
    status_q = next(q for q in review.questions if q.id == "auth-status")
    assert "GET /notes -> 403" in status_q.text
    allowed = next(q for q in review.questions if q.id == "failed-auth")
    assert "PUT /notes/3 -> 200" in allowed.text


def test_conditions_on_responses_and_values() -> None:
    from grader.review.conditions import all_matching, matching

    served = CheckResult.failed("robust.missing-field", "-> 200", evidence={"status": 200})
    crashed = CheckResult.failed("robust.wrong-type", "-> 500", evidence={"status": 500})
    slow = CheckResult.failed("latency.single", "p95 400 ms", evidence={"p95_ms": 400.0})
    assert matching([served, crashed], {"check": "robust.*", "response": "5xx"}) == [crashed]
    assert matching([served, crashed], {"check": "robust.*", "response": [200]}) == [served]
    assert matching([slow], {"check": "latency.*", "value": {"key": "p95_ms",
                                                             "above": 300}}) == [slow]
    assert matching([slow], {"check": "latency.*", "value": {"key": "p50_ms"}}) == []
    ok = CheckResult.passed("robust.a")
    assert all_matching([ok, CheckResult.passed("robust.b")], {"check": "robust.*",
                                                              "status": "passed"})
    assert all_matching([ok, crashed], {"check": "robust.*", "status": "passed"}) == []
    assert all_matching([], {"check": "robust.*", "status": "passed"}) == []


def test_messages_read_as_sentences_in_questions() -> None:
    from grader.review.build import in_template, short

    long = ("the day-first dates are read month-first (05/03/2024 as 3 May) and those that "
            "cannot be (13/03/2024) dropped: q1_march_revenue = 37743.11 instead of 48794.07; "
            "q3_ab_test.conversion_a = 0.2547 instead of 0.2983; q3_ab_test.conversion_b = 0.27")
    cut = short(long, 200)
    assert len(cut) <= 200 and cut.endswith("48794.07 …")  # ends on a clause, not in a word
    text = in_template("{message}. How did you check the data?", cut)
    assert text.startswith("The day-first dates") and text.endswith("48794.07 … How did you "
                                                                     "check the data?")
    assert in_template("A bad request got a server error: {message}. Why?",
                       "POST /notes -> 500.") == "A bad request got a server error: " \
                                                 "POST /notes -> 500. Why?"
    assert short("assert x\n + where x = f()") == "assert x"
    assert short(long, 160).endswith("instead of …")  # no clause end in reach: a whole word
