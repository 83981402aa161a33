"""What a wrong business answer costs and says, without Docker: the verdict of each question
(wrong beyond its tolerance, its likely cause named, headline or not, lenient sides, the
hidden variant's known mistakes), the answer checks' weights, the static evidence of several
tests, and the narrative that says the opposite of the recorded decision."""

from __future__ import annotations

from typing import Any

import pytest

from grader import typed
from grader.analysis import notebook_facts as nbf
from grader.challenge import load_challenge
from grader.checks import CheckResult
from grader.rubric import score
from grader.sandbox.capture import CapturedOutput
from grader.sandbox.engine import RunResult
from grader.sandbox.limits import Limits
from grader.tracks.notebook import answer_checks as ac
from grader.tracks.notebook.answers import Answers, judge
from grader.tracks.notebook.config import (
    Condition,
    Decision,
    DecisionWords,
    NotebookConfig,
    Question,
)
from grader.tracks.notebook.decision_text import claims, decision_check, sentences
from grader.tracks.notebook.execute import NotebookRun
from grader.tracks.notebook.verdicts import several_tests, verdict_checks
from grader.typed import ShapeError
from tests.conftest import ROOT

KEY: dict[str, Any] = {
    "total": {"type": "number", "answer": 100.0, "rel_tol": 0.005,
              "mistakes": {"joined": 190.0, "shifted": 97.0}},
    "rate": {"type": "number", "answer": 0.12, "abs_tol": 0.005, "mistakes": {}},
    "test": {"type": "record",
             "answer": {"conv": 0.30, "p": 0.1455, "ship": False},
             "abs_tol": {"conv": 0.002, "p": 0.0001}, "rel_tol": {"p": 0.02},
             "nearest": ["p"],
             "mistakes": {"completed": {"conv": 0.27, "p": 0.66},
                          "yates": {"p": 0.1535}, "one_sided": {"p": 0.07275}}},
}
VARIANT: dict[str, Any] = {
    "total": {"type": "number", "answer": 140.0, "rel_tol": 0.005,
              "mistakes": {"joined": 270.0}},
    "rate": {"type": "number", "answer": 0.144, "abs_tol": 0.005,
             "mistakes": {"mean_of_means": 0.159}},
    "test": {"type": "record",
             "answer": {"conv": 0.31, "p": 0.03, "ship": True},
             "abs_tol": {"conv": 0.002, "p": 0.0001}, "rel_tol": {"p": 0.02},
             "mistakes": {"completed": {"conv": 0.28, "p": 0.27}}},
}
MISTAKES = {"joined": "the orders are joined with their lines",
            "shifted": "the dates are moved by a time-zone conversion",
            "completed": "only completed orders are counted as conversions",
            "yates": "the continuity correction is applied", "one_sided": "one-sided",
            "mean_of_means": "the rate is the mean of per-customer rates"}
QUESTIONS = [Question(id="total", heading="^# T", weight=12, headline=True),
             Question(id="rate", heading="^# R", weight=8),
             Question(id="test", heading="^# A", headline=True, field_weights={"conv": 4},
                      lenient={"p": "above"})]
SHIP = Decision(answer="test.ship", true_when=[Condition("p", below=0.05),
                                               Condition("conv", above=0.0)], points=2.0)
RIGHT = {"total": 100.0, "rate": 0.12, "test": {"conv": 0.30, "p": 0.1455, "ship": False}}
RIGHT_V = {"total": 140.0, "rate": 0.144, "test": {"conv": 0.31, "p": 0.03, "ship": True}}


def answers(values: dict[str, Any]) -> Answers:
    return Answers(values=dict(values), present=True)


def _run() -> NotebookRun:
    empty = CapturedOutput(b"", b"", 0)
    return NotebookRun(run=RunResult(outcome="exited", exit_code=0, seconds=1.0, stdout=empty,
                                     stderr=empty, limits=Limits(), files={}),
                       cells=[], completed=True)


def grade(public: dict[str, Any], variant: dict[str, Any] | None = None,
          no_credit: dict[str, str] | None = None, notes: dict[str, str] | None = None
          ) -> dict[str, Any]:
    """Every answer check and verdict of a public and a variant answers.json."""
    weights = {"total": 12.0, "rate": 8.0, "test.conv": 4.0, "test.p": 1.0, "test.ship": 2.0}
    pub, var = answers(public), answers(RIGHT_V if variant is None else variant)
    public_verdicts = judge(KEY, pub)
    j = ac.Judged(public_verdicts, ac.carried_over(public_verdicts, judge(VARIANT, var)), pub,
                  var, _run(), _run(), MISTAKES, {"test.ship": SHIP}, no_credit or {},
                  weights=weights)
    out = {c.id: c for c in (ac.answer_check(v, j) for v in j.public)}
    out.update({c.id: c for c in verdict_checks(QUESTIONS, j, notes)})
    return out


def test_right_answers_pass_every_verdict_and_earn_their_weights() -> None:
    out = grade(RIGHT)
    assert {out[f"verdict.{q}"].status for q in ("total", "rate", "test")} == {"passed"}
    assert (out["answer.total"].points, out["answer.total"].max_points) == (12.0, 12.0)
    assert out["answer.test.conv"].max_points == 4.0 and out["answer.test.p"].max_points == 1.0
    assert out["answer.test.ship"].max_points == 2.0
    assert all(out[f"verdict.{q}"].max_points == 0 for q in ("total", "rate", "test"))


def test_a_wrong_headline_answer_fails_its_verdict_naming_the_cause() -> None:
    out = grade({**RIGHT, "total": 190.0})
    verdict = out["verdict.total"]
    assert verdict.status == "failed" and verdict.title.startswith("Headline")
    assert verdict.message == ("total = 190.0 where the answer is 100.0 (+90.0%): that is the "
                               "answer you get when the orders are joined with their lines")
    assert verdict.evidence["mistakes"] == ["joined"] and verdict.evidence["where"] == "public"
    assert out["answer.total"].points == 0 and out["answer.total"].max_points == 12.0
    unknown = grade({**RIGHT, "total": 123.0})
    assert unknown["verdict.total"].message.endswith(", which matches no known mistake")
    assert unknown["answer.total"].message.endswith(", which matches no known mistake")


def test_nothing_to_judge_leaves_the_verdict_unverified() -> None:
    missing = grade({"rate": 0.12, "test": RIGHT["test"]})["verdict.total"]
    assert (missing.status, missing.max_points) == ("skipped", 0.0)
    assert "no answer" in missing.message
    typed_wrong = grade({**RIGHT, "total": "100"})["verdict.total"]
    assert typed_wrong.status == "skipped" and "documented format" in typed_wrong.message
    hunted = grade(RIGHT, no_credit={"total": "recorded after the hunt"})["verdict.total"]
    assert hunted.status == "skipped" and "no credit" in hunted.message


def test_a_known_mistake_on_the_variant_fails_the_verdict_an_unknown_one_does_not() -> None:
    """Right within the tolerance on the public data, and what a known mistake gives on the
    variant: a real method that happens to land close on the kit's data."""
    out = grade(RIGHT, {**RIGHT_V, "rate": 0.159})
    verdict = out["verdict.rate"]
    assert verdict.status == "failed" and verdict.evidence["where"] == "variant"
    assert verdict.message.startswith("on the hidden variant rate = 0.159 where the answer is "
                                      "0.144 (+10.4%), though right on the public data (0.12)")
    assert "mean of per-customer rates" in verdict.message
    assert out["answer.rate"].points == 4.0  # half of its weight: a method that does not carry
    scaled = grade(RIGHT, {**RIGHT_V, "rate": 0.2})["verdict.rate"]
    assert scaled.status == "skipped" and "matches no known method" in scaled.message
    hard = grade(RIGHT, {**RIGHT_V, "total": 100.0})["verdict.total"]
    assert hard.status == "skipped"  # hard-coded: the answer checks name it
    assert "on the hidden variant total is the same (hard-coded)" in hard.message
    crashed = grade(RIGHT, {"test": RIGHT_V["test"]})["verdict.total"]
    assert crashed.status == "skipped" and "total is missing" in crashed.message


def test_a_variant_mistake_the_public_answer_rules_out_explains_nothing() -> None:
    """A right public answer rules out the mistakes that would have moved it: a scaled
    hard-coded number that lands on such a mistake on the variant shows no method (no half
    credit, no cause named, no failed verdict)."""
    key = {**KEY, "rate": {**KEY["rate"], "mistakes": {"mean_of_means": 0.14}}}
    variant = {**VARIANT, "rate": {**VARIANT["rate"], "mistakes": {"mean_of_means": 0.159}}}
    public = judge(key, answers(RIGHT))
    carried = ac.carried_over(public, judge(variant, answers({**RIGHT_V, "rate": 0.159})))
    assert carried["rate"].mistakes == ()   # 0.12 on the public data rules it out there
    kept = ac.carried_over(judge(KEY, answers(RIGHT)),
                           judge(variant, answers({**RIGHT_V, "rate": 0.159})))
    assert kept["rate"].mistakes == ("mean_of_means",)
    wrong_public = ac.carried_over(judge(key, answers({**RIGHT, "rate": 0.14})),
                                   judge(variant, answers({**RIGHT_V, "rate": 0.159})))
    assert wrong_public["rate"].mistakes == ("mean_of_means",)  # wrong there too: consistent


def test_a_conservative_p_value_is_a_method_a_liberal_one_a_wrong_answer() -> None:
    yates = grade({**RIGHT, "test": {**RIGHT["test"], "p": 0.1535}})
    assert yates["verdict.test"].status == "passed"
    assert "a defensible method, charged in answer.test.p" in yates["verdict.test"].message
    assert yates["answer.test.p"].status == "failed"  # its own weight still pays
    one_sided = grade({**RIGHT, "test": {**RIGHT["test"], "p": 0.0728}})["verdict.test"]
    assert one_sided.status == "failed" and "one-sided" in one_sided.message
    assert "p is below the right value: only above it would be a defensible method" in (
        one_sided.message)


def test_a_rate_in_percent_or_a_flipped_sign_is_a_slip_not_a_wrong_answer() -> None:
    out = grade({**RIGHT, "rate": 12.0, "test": {**RIGHT["test"], "conv": 30.0}})
    assert out["verdict.rate"].status == "passed" and out["verdict.test"].status == "passed"
    assert "rate = 12.0 is the right 0.12 written in percent, charged in answer.rate" in out[
        "verdict.rate"].message
    assert out["answer.rate"].points == 0   # its weight still pays
    assert grade({**RIGHT, "total": 10_000.0})["verdict.total"].status == "failed"  # not a rate
    flipped = grade({**RIGHT, "test": {**RIGHT["test"], "conv": -0.30}})["verdict.test"]
    assert flipped.status == "passed" and "with the opposite sign" in flipped.message


def test_a_wrong_population_or_decision_fails_the_ab_verdict() -> None:
    population = grade({**RIGHT, "test": {"conv": 0.27, "p": 0.66, "ship": False}})
    verdict = population["verdict.test"]
    assert verdict.status == "failed" and "test.conv = 0.27" in verdict.message
    assert verdict.message.count("only completed orders") == 1  # one cause, named once
    shipped = grade({**RIGHT, "test": {**RIGHT["test"], "ship": True}})["verdict.test"]
    assert shipped.status == "failed" and "test.ship = true where the answer is false" in (
        shipped.message)
    # a stricter rule that says no on the variant only: the variant's decision has no known
    # mistake behind it, the decision check charges it, the verdict does not
    strict = grade(RIGHT, {**RIGHT_V, "test": {**RIGHT_V["test"], "ship": False}})
    assert strict["verdict.test"].status == "passed"
    assert strict["answer.test.ship"].points == 1.0


def test_several_tests_and_the_smallest_kept_are_named_on_a_failed_verdict() -> None:
    code = ("p = {'chi': stats.chi2_contingency(t).pvalue, 'f': stats.fisher_exact(t).pvalue,\n"
            "     'z': stats.norm.sf(z)}\nbest = min(p, key=p.get)\n")
    cells = [nbf.Cell(0, "markdown", "# A"), nbf.Cell(1, "code", code)]
    notes = several_tests({"test": cells})
    assert notes["test"] == ("the code under test runs 3 tests (chi2_contingency, fisher_exact, "
                             "norm.sf; cell 2) and keeps the smallest result (cell 2, line 3)")
    one_sided = grade({**RIGHT, "test": {**RIGHT["test"], "p": 0.0728}}, notes=notes)
    assert one_sided["verdict.test"].message.endswith(notes["test"])
    assert notes["test"] not in grade(RIGHT, notes=notes)["verdict.test"].message
    single = [nbf.Cell(1, "code", "p = stats.chi2_contingency(t, correction=False).pvalue")]
    assert several_tests({"test": single}) == {}


# -- the narrative against the recorded decision -------------------------------------------------
CFG = load_challenge(ROOT / "challenges" / "datascience").config
DECISION = CFG.decisions[0]


@pytest.mark.parametrize(("text", "says"), [
    ("B is significantly better than A, so we ship B.", [True]),
    ("The difference is statistically significant at the 5% level.", [True]),
    ("We recommend rolling out B to all visitors.", [True]),
    ("The lift is not significant (p = 0.146), so we keep A.", [False]),
    ("We should not ship B yet.", [False]),
    ("There is no significant difference between the variants.", [False]),
    ("The test fails to reach significance.", [False]),
    ("A non-significant result: B does not ship.", [False]),
    ("We decide against shipping B.", [False]),
    ("Don't ship B; the data are inconclusive.", [False, False]),
    ("We ship B only when the difference is positive and significant at 5%.", []),
    ("If the test were significant we would ship B.", []),
    ("Should we ship B?", []),
    ("A chi-square test compares the two variants over 3,000 visits each.", []),
    ("B is significant, but we keep A.", []),   # says both: no claim
    ("`ship_b = p < 0.05` decides, *significant* or not.", []),
    ("The lift is significant in business terms, although not statistically.", []),
    ("A significant share of visits converted in both arms.", []),
    ("B performs significantly better, but we do not ship yet.", []),  # says both
    ("We should not ship.", [False]),
    ("B wins: ship it.", [True]),
])
def test_a_sentence_says_yes_no_or_nothing_about_the_decision(text: str,
                                                              says: list[bool]) -> None:
    assert [c.says for c in claims(text, DECISION)] == says


def test_sentences_keep_decimals_and_drop_code_tables_and_quotes() -> None:
    text = ("p = 0.146. B is better.\n\n| ship B | yes |\n> we ship B\n```\nship B\n```\n"
            "- first point\n- second point")
    assert sentences(text) == ["p = 0.146.", "B is better.", "first point", "second point"]


def _decision(narrative: str, recorded: Any) -> Any:
    cells = [nbf.Cell(0, "markdown", "## Q3 — should we ship B?"), nbf.Cell(1, "code", "x = 1"),
             nbf.Cell(2, "markdown", narrative)]
    values = {"q3_ab_test": {"ship_b": recorded}} if recorded is not None else {}
    return decision_check(CFG, {"q3_ab_test": cells}, answers(values))


def test_a_narrative_that_says_the_opposite_of_the_decision_is_caught_and_quoted() -> None:
    found = _decision("B lifts conversion by 1.7 points and the result is statistically "
                      "significant. We recommend rolling out B.", False)
    assert found is not None and found.status == "failed" and found.max_points == 0
    assert found.message.startswith("q3_ab_test.ship_b = false is recorded, but the narrative "
                                    "under q3_ab_test says the opposite: \"B lifts conversion")
    assert "(cell 3)" in found.message
    reverse = _decision("The lift is not significant, so we should not ship B.", True)
    assert reverse is not None and reverse.status == "failed"
    agrees = _decision("Not significant at 5 %: keep A.", False)
    assert agrees is not None and agrees.status == "passed" and "agrees" in agrees.message
    silent = _decision("B converts 31.6 % of visits and A 29.8 %.", False)
    assert silent is not None and silent.status == "passed" and "says nothing" in silent.message
    both = _decision("B is significantly better. We keep A anyway.", False)
    assert both is not None and both.status == "passed" and "says both" in both.message
    unrecorded = _decision("We ship B.", None)
    assert unrecorded is not None and unrecorded.status == "skipped"


def test_no_decision_words_no_narrative_check() -> None:
    plain = NotebookConfig(**{**CFG.__dict__, "decisions": [Decision(
        answer="q3_ab_test.ship_b", true_when=[Condition("p_value", below=0.05)])]})
    assert decision_check(plain, {}, answers({})) is None


def test_the_config_refuses_a_bad_weight_or_pattern() -> None:
    with pytest.raises(ShapeError, match="weight"):
        typed.load(Question, {"id": "q", "heading": "^# Q", "weight": -1})
    with pytest.raises(ShapeError, match="lenient"):
        typed.load(Question, {"id": "q", "heading": "^# Q", "lenient": {"p": "sideways"}})
    with pytest.raises(ShapeError, match="says_yes"):
        typed.load(DecisionWords, {"says_yes": ["(unclosed"]})
    assert CFG.points("q1_march_revenue") == 12 and CFG.points("q3_ab_test.ship_b") == 2
    assert CFG.points("q3_ab_test.conversion_a") == 4
    assert CFG.points("q4_top_category_q2_sql.units") == 3


def test_the_caps_put_a_wrong_headline_below_a_wrong_secondary_answer() -> None:
    """The challenge's caps: a wrong headline answer caps the total at 70 %, another wrong
    answer at 80 %, whatever the rest earns."""
    challenge = load_challenge(ROOT / "challenges" / "datascience")
    caps = {c.id: c for c in challenge.caps}
    assert caps["wrong-headline"].total_percent == 70 and caps["wrong-answer"].total_percent == 80
    base = [CheckResult.passed(pattern.replace("*", "x")) for criterion in challenge.rubric
            for pattern in criterion.checks]
    assert score(challenge.rubric, base, challenge.caps)[1].percent == 100
    for failed, percent in (("verdict.q1_march_revenue", 70), ("narrative.decision", 70),
                            ("verdict.q3_ab_test", 70), ("verdict.q2_business_refund_rate", 80),
                            ("verdict.q4_top_category_q2_sql", 80)):
        checks = [*base, CheckResult.failed(failed, "wrong", max_points=0.0)]
        assert score(challenge.rubric, checks, challenge.caps)[1].percent == percent


def test_no_bundled_narrative_says_the_opposite_of_its_decision_but_the_one_written_to() -> None:
    """Every bundled notebook's narrative under Q3, read against the decision it records (the
    key's, but decision-contradicts-p, which ships B): only narrative-contradicts is caught."""
    solutions = ROOT / "challenges" / "datascience" / "solutions"
    right = CFG.data.public_seed
    from grader.tracks.notebook.track import generate
    ship = generate(CFG, right)[1]["q3_ab_test"]["answer"]["ship_b"]
    caught = set()
    for folder in sorted(p for p in solutions.iterdir() if (p / "analysis.ipynb").is_file()):
        nb, _ = nbf.load_notebook(folder / "analysis.ipynb")
        sections = nbf.sections(nbf.cells(nb), {q.id: q.heading for q in CFG.questions})
        recorded = True if folder.name == "decision-contradicts-p" else ship
        check = decision_check(CFG, sections, answers({"q3_ab_test": {"ship_b": recorded}}))
        assert check is not None
        if check.status == "failed":
            caught.add(folder.name)
    assert caught == {"narrative-contradicts"}


def test_the_wrong_answer_flags_state_the_cap_their_checks_trigger() -> None:
    """review.yaml's labels say what the cap costs; they must say what challenge.yaml caps."""
    import yaml
    challenge = load_challenge(ROOT / "challenges" / "datascience")
    review = yaml.safe_load((challenge.root / "review.yaml").read_text())
    flags = {f["id"]: f for f in review["flags"]}
    caps = {c.id: c for c in challenge.caps}
    from fnmatch import fnmatchcase
    for flag, cap in (("wrong-revenue", "wrong-headline"), ("wrong-ab-test", "wrong-headline"),
                      ("decision-narrative", "wrong-headline"), ("wrong-answer", "wrong-answer")):
        pattern = flags[flag]["when"]["check"]
        assert any(fnmatchcase(c, pattern) for c in caps[cap].checks), (flag, cap)
        assert f"capped at {caps[cap].total_percent:g} %" in flags[flag]["label"], flag
