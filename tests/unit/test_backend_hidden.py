"""How one hidden test's record becomes a check: the failed request in the message, and no
bare `assert False` from pytest's rewriting."""

from __future__ import annotations

from grader.tracks.backend import hidden


def _record(message: str) -> dict[str, object]:
    return {"nodeid": "test_security.py::test_tampered_token_is_401", "outcome": "failed",
            "message": message, "title": "A tampered token is refused",
            "exchanges": [{"request": {"method": "GET", "path": "/notes"},
                           "response": {"status": 200}}]}


def test_a_bare_assert_false_is_left_out_of_the_message() -> None:
    check = hidden._test_check(_record("AssertionError: the tampered token works\nassert False"),
                               [])
    assert check.status == "failed"
    assert check.message == "GET /notes -> 200: the tampered token works"  # no type name
    flat = hidden._test_check(_record("AssertionError: the tampered token works assert False"),
                              [])
    assert flat.message == check.message


def test_a_telling_expression_is_kept() -> None:
    check = hidden._test_check(_record("AssertionError: wrong status\nassert 200 == 401"), [])
    assert check.message.endswith("wrong status\nassert 200 == 401")


def test_an_assertion_without_words_of_its_own_says_what_was_expected() -> None:
    """`assert is_client_error(r.status_code)` leaves pytest's introspection only ("+ where
    False = is_client_error(500)"): the test's title says what was expected, so the flag and
    the question for the call say more than "POST /notes -> 500:"."""
    from grader.review.build import short

    check = hidden._test_check(_record(
        "assert False\n +  where False = is_client_error(200)\n"
        " +    where 200 = <Response [200]>.status_code"), [])
    assert check.message.startswith("GET /notes -> 200: expected: A tampered token is refused\n")
    assert "is_client_error(200)" in check.message  # kept for the check's details
    assert short(check.message) == "GET /notes -> 200: expected: A tampered token is refused"
    assert hidden._test_check(_record(""), []).message == (
        "GET /notes -> 200: expected: A tampered token is refused")


def test_an_answer_that_never_came_whole_raises_the_stall_flag_and_question() -> None:
    """The suite's words for a dripped or stalled answer (hidden/conftest.py) reach the
    reviewer as a red flag and the sheet's question, not as a contract question."""
    from pathlib import Path

    from grader.review import build_review
    from tests.conftest import ROOT

    check = hidden._test_check({
        "nodeid": "test_contract.py::test_health", "outcome": "failed", "title": "Health",
        "message": "AssertionError: GET /health: no complete answer within 5 s (ReadTimeout)"},
        [])
    assert check.id == "http.contract.health"
    assert check.message == "GET /health: no complete answer within 5 s (ReadTimeout)"
    review = build_review(ROOT / "challenges" / "backend", Path("/nonexistent"), [], [check])
    assert "stalls" in {f.id for f in review.flags if f.kind == "red"}
    assert review.questions[0].id == "stalls"
    assert review.questions[0].text.startswith("GET /health: no complete answer within 5 s")


def test_a_test_left_without_a_result_is_not_run_only_when_the_budget_cut_the_run() -> None:
    """The budget's end is grader's cut: what the tester never reached judged nothing (no
    'Data lost on restart' flag for a test that never ran). A tester that died otherwise
    leaves its missing tests failed: a server must not make failures vanish by killing it."""
    from grader.sandbox.capture import CapturedOutput
    from grader.sandbox.engine import RunResult
    from grader.sandbox.limits import Limits

    expected = [{"nodeid": "hidden/test_persistence.py::test_data_survives_restart",
                 "title": "Data survives a restart", "points": 4.0}]
    empty = CapturedOutput(b"", b"", 0)

    def run(outcome: str) -> RunResult:
        return RunResult(outcome=outcome, exit_code=None, seconds=8.0,  # type: ignore[arg-type]
                         stdout=empty, stderr=empty, limits=Limits())

    cut = hidden.hidden_checks(run("budget"), [], expected)
    assert [(c.id, c.status, c.max_points) for c in cut] == [
        ("http.persistence.data_survives_restart", "not_run", 4.0)]
    assert cut[0].message.startswith("not run: the challenge's grading budget ran out before "
                                     "this test could run (stopped after 8.0 s")
    died = {c.id: c for c in hidden.hidden_checks(run("timeout"), [], expected)}
    assert died["http.persistence.data_survives_restart"].status == "failed"
    assert died["runtime.hidden-suite"].status == "error"


def test_a_passed_test_says_what_it_saw_and_a_test_can_point_at_the_code() -> None:
    """`note()` reaches a passed check's message ("refused with 404, no token"), and a test
    that judged a place in the candidate's code (`point_at`: a signing key) has it as the
    check's finding, where the question for the call points, instead of a handler."""
    passed = hidden._test_check({
        "nodeid": "test_security.py::test_sql_injection_cannot_log_in[x]", "outcome": "passed",
        "note": "refused with 404, no token", "title": "SQL in the username gets no token"}, [])
    assert passed.status == "passed" and passed.message == "passed: refused with 404, no token"
    record = {**_record("AssertionError: a token signed with 'dev-...' was accepted"),
              "where": {"file": "app/config.py", "line": 12, "what": "assigned to SECRET_KEY"}}
    failed = hidden._test_check(record, [])
    assert failed.evidence["findings"] == [{"file": "app/config.py", "line": 12,
                                            "what": "assigned to SECRET_KEY"}]
    assert "handler" not in failed.evidence
    malformed = hidden._test_check({**record, "where": {"file": "x.py", "line": "12"}}, [])
    assert "findings" not in malformed.evidence
