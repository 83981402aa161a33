"""The rubric is a pure function: exact numbers, no Docker."""

from __future__ import annotations

from grader.challenge import Criterion
from grader.checks import CheckResult
from grader.rubric import score, unmatched_checks


def crit(id: str, points: float, *checks: str, manual: bool = False,
         bonus: bool = False) -> Criterion:
    return Criterion(id=id, title=id.title(), points=points, checks=checks, manual=manual,
                     bonus=bonus)


CHECKS = [
    CheckResult.passed("case.a"),
    CheckResult.failed("case.b", "wrong"),
    CheckResult.passed("case.c", max_points=2),
    CheckResult(id="static.hints", status="failed", points=0.5, max_points=1.0),
    CheckResult.skipped("http.create", "server never started"),
    CheckResult.error("http.delete", "server crashed"),
    CheckResult.passed("extra.info"),
]


def test_partial_credit_in_proportion_to_check_points() -> None:
    criteria, total = score([crit("correct", 40, "case.*")], CHECKS)
    # 1 + 0 + 2 of 1 + 1 + 2 -> 3/4 of 40
    assert criteria[0].points == 30
    assert criteria[0].checks == ["case.a", "case.b", "case.c"]
    assert criteria[0].message == "2 of 3 check(s) passed"
    assert total.points == 30 and total.max_points == 40 and total.percent == 75


def test_partial_points_of_a_single_check() -> None:
    criteria, _ = score([crit("hints", 10, "static.hints")], CHECKS)
    assert criteria[0].points == 5


def test_skipped_and_errored_checks_score_zero_but_count_in_the_maximum() -> None:
    criteria, total = score([crit("api", 20, "http.*")], CHECKS)
    assert criteria[0].points == 0
    assert total.max_points == 20


def test_manual_criteria_are_pending_not_zero() -> None:
    criteria, total = score([crit("correct", 40, "case.*"),
                             crit("explain", 10, manual=True)], CHECKS)
    explain = criteria[1]
    assert explain.status == "pending" and explain.points == 0 and explain.max_points == 10
    assert total.max_points == 40
    assert total.pending_max_points == 10
    assert total.percent == 75


def test_bonus_is_reported_beside_the_total_never_added_to_it() -> None:
    criteria, total = score([crit("correct", 40, "case.*"), crit("async", 20, "case.a",
                                                                 bonus=True)], CHECKS)
    assert criteria[1].status == "bonus" and criteria[1].points == 20
    assert total.bonus_points == 20
    assert total.max_points == 40
    assert total.points == 30  # a bonus cannot hide the 10 points lost elsewhere
    assert total.percent == 75


def test_a_criterion_that_matched_nothing_scores_zero_and_says_so() -> None:
    criteria, total = score([crit("ghost", 10, "nothing.*"), crit("a", 10, "case.a")], CHECKS)
    assert criteria[0].points == 0
    assert "no check matched" in criteria[0].message
    assert total.points == 10 and total.max_points == 20


def test_one_check_may_count_in_two_criteria() -> None:
    criteria, _ = score([crit("x", 10, "case.a"), crit("y", 5, "case.a", "case.b")], CHECKS)
    assert [c.points for c in criteria] == [10, 2.5]


def test_unmatched_checks_are_listed() -> None:
    rubric = [crit("correct", 40, "case.*"), crit("api", 20, "http.*"),
              crit("explain", 10, manual=True)]
    assert unmatched_checks(rubric, CHECKS) == ["static.hints", "extra.info"]


def test_rounding_and_determinism() -> None:
    rubric = [crit("third", 10, "case.a", "case.b", "static.hints")]
    first = score(rubric, CHECKS)
    assert first[0][0].points == 5  # (1 + 0 + 0.5) / 3 of 10
    thirds = score([crit("t", 10, "case.a", "case.b", "http.create")], CHECKS)
    assert thirds[0][0].points == 3.33
    assert thirds[1].percent == 33.3
    assert score(rubric, CHECKS) == first


def test_empty_maximum_gives_zero_percent() -> None:
    _, total = score([crit("explain", 10, manual=True)], CHECKS)
    assert total.max_points == 0 and total.percent == 0


def test_totals_add_unrounded_points() -> None:
    thirds = [CheckResult.passed("a"), CheckResult.failed("b", "x"), CheckResult.failed("c", "x")]
    rubric = [crit("one", 10, "a", "b", "c"), crit("two", 10, "a", "b", "c"),
              crit("three", 10, "a", "b", "c")]
    criteria, total = score(rubric, thirds)
    assert [c.points for c in criteria] == [3.33, 3.33, 3.33]
    assert total.points == 10  # not 9.99


def test_bonus_cannot_lift_the_total_past_its_maximum() -> None:
    full = [CheckResult.passed("a"), CheckResult.passed("b")]
    rubric = [crit("core", 10, "a"), crit("extra", 5, "b", bonus=True)]
    criteria, total = score(rubric, full)
    assert [c.status for c in criteria] == ["scored", "bonus"]
    assert criteria[1].points == 5 and criteria[1].max_points == 5
    assert (total.points, total.max_points, total.percent, total.bonus_points) == (10, 10, 100, 5)


def test_a_bonus_that_matched_nothing_earns_nothing() -> None:
    criteria, total = score([crit("a", 10, "case.a"), crit("extra", 5, "nope", bonus=True)],
                            CHECKS)
    assert criteria[1].status == "bonus" and criteria[1].points == 0
    assert "no check matched" in criteria[1].message
    assert total.bonus_points == 0 and total.max_points == 10


def test_checks_worth_nothing_are_reported_as_no_match() -> None:
    zero = [CheckResult.passed("info.only", max_points=0)]
    criteria, total = score([crit("info", 10, "info.*")], zero)
    assert criteria[0].points == 0 and criteria[0].checks == ["info.only"]
    assert criteria[0].message.startswith("no check matched")
    assert total.max_points == 10 and total.percent == 0


def test_patterns_are_exact_ids_or_case_sensitive_globs() -> None:
    checks = [CheckResult.passed("http.x[/notes]"), CheckResult.passed("case.1"),
              CheckResult.passed("case.2"), CheckResult.passed("Case.3"),
              CheckResult.failed("case.10", "no")]
    # "[/notes]" would be a character class as a glob: the exact id still matches.
    exact, _ = score([crit("exact", 1, "http.x[/notes]")], checks)
    assert exact[0].checks == ["http.x[/notes]"]
    one_char, _ = score([crit("one", 1, "case.?")], checks)
    assert one_char[0].checks == ["case.1", "case.2"]  # not Case.3, not case.10
    klass, _ = score([crit("cls", 1, "case.[2-9]")], checks)
    assert klass[0].checks == ["case.2"]


def test_matched_checks_keep_check_order_not_pattern_order() -> None:
    criteria, _ = score([crit("mixed", 10, "static.*", "case.a")], CHECKS)
    assert criteria[0].checks == ["case.a", "static.hints"]


def test_criteria_come_out_in_rubric_order_with_their_fields() -> None:
    rubric = [crit("zeta", 1, "case.a"), crit("alpha", 2, manual=True),
              crit("mid", 3, "case.b", bonus=True)]
    criteria, total = score(rubric, CHECKS)
    assert [c.id for c in criteria] == ["zeta", "alpha", "mid"]
    assert [c.status for c in criteria] == ["scored", "pending", "bonus"]
    assert criteria[1].message == "scored by the reviewer after the explain-your-code call"
    assert criteria[1].to_dict() == {
        "id": "alpha", "title": "Alpha", "points": 0, "max_points": 2, "status": "pending",
        "checks": [], "message": "scored by the reviewer after the explain-your-code call",
        "description": "", "manual": True, "bonus": False}
    assert total.to_dict() == {"points": 1, "max_points": 1, "percent": 100,
                               "pending_max_points": 2, "bonus_points": 0,
                               "unverified_max_points": 0, "capped_by": []}


def test_unmatched_checks_keep_order_and_count_bonus_patterns() -> None:
    rubric = [crit("extra", 1, "extra.*", bonus=True), crit("a", 1, "case.a")]
    assert unmatched_checks(rubric, CHECKS) == [
        "case.b", "case.c", "static.hints", "http.create", "http.delete"]
    assert unmatched_checks([], CHECKS) == [c.id for c in CHECKS]


def test_a_criterion_nothing_could_verify_costs_nothing() -> None:
    rubric = [Criterion("answers", "Answers", 30, ("answer.*",)),
              Criterion("cleaning", "Cleaning", 10, ("cleaning.*",))]
    checks = [CheckResult.passed("answer.q1"), CheckResult.failed("answer.q2", "wrong"),
              CheckResult.unverified("cleaning.dedup", "q2 is wrong for another reason")]
    criteria, total = score(rubric, checks)
    assert criteria[1].status == "unverified" and criteria[1].points == 0
    assert "another reason" in criteria[1].message
    assert total.max_points == 30 and total.unverified_max_points == 10
    assert total.percent == 50


def test_severity_caps_apply_only_to_observed_failures() -> None:
    from grader.challenge import Cap

    rubric = [Criterion("auth", "Auth", 25, ("http.auth.*",)),
              Criterion("contract", "Contract", 75, ("http.contract.*",))]
    idor = Cap(id="idor", checks=("http.auth.other_*",), reason="another user's notes",
               total_percent=70, criteria=(("auth", 0.4),))
    checks = [CheckResult.passed("http.auth.token", max_points=3),
              CheckResult.failed("http.auth.other_changed", "200", max_points=1),
              *[CheckResult.passed(f"http.contract.c{i}") for i in range(10)]]
    criteria, total = score(rubric, checks, [idor])
    assert criteria[0].points == 10 and "capped at 10: another user's notes" in \
        criteria[0].message
    assert total.percent == 70 and total.capped_by == [
        "idor: another user's notes (http.auth.other_changed)"]
    not_run = [CheckResult.not_run("http.auth.other_changed", "server gone"), *checks[2:]]
    _, total = score(rubric, not_run, [idor])
    assert total.capped_by == [] and total.percent == 75
