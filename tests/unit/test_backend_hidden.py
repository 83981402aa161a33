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
    assert check.message == "GET /notes -> 200: AssertionError: the tampered token works"
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
