"""Role profiles (grader/profiles.py) and what they recommend (grader/recommend.py): loading
refusals, the profile-weighted score, the verdict and its reasons, the framework pin, the
report's recommendation section in every rendering, the cohort ranked by it, and
`grader validate`'s expected recommendations. No Docker: reports are built from checks."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from grader.batch import cohort_warnings, write_summary
from grader.challenge import Challenge, load_challenge
from grader.checks import CheckResult
from grader.errors import ChallengeConfigError
from grader.profiles import LEVELS, Profile, challenge_profiles, find_profile, load_profile
from grader.recommend import MISMATCH_FLAG, apply_profile, recommend, weighted_percent
from grader.report import Report, render_html, render_markdown
from grader.report.model import Flag, Question, Review
from grader.rubric import score
from grader.validate import recommendation_problems
from tests.conftest import ROOT
from tests.unit.test_report import sample

BACKEND = ROOT / "challenges" / "backend"
SCHEMA = json.loads((ROOT / "grader" / "schemas" / "report.schema.json").read_text())
GREENS = ["idiomatic", "auth-holds", "tests-included", "own-tests-pass", "type-hints",
          "modern-python", "clean-lint"]


def backend() -> Challenge:
    return load_challenge(BACKEND)


def graded(*, async_handlers: bool = True, debugger: bool = False,
           framework: str = "fastapi", greens: list[str] | None = None) -> Report:
    """A backend report whose checks all pass but for what the arguments say."""
    challenge = backend()
    checks = [
        CheckResult.passed("runtime.server-starts", "answered /health"),
        CheckResult.passed("http.auth.other_users_note_cannot_be_read", "403"),
        CheckResult.passed("http.security.tampered_token_is_401", "401"),
        CheckResult.passed("runtime.server-restarts", "answered again"),
        CheckResult.passed("http.robustness.malformed_json_is_4xx", "422"),
        CheckResult.passed("static.framework", framework, evidence={"detected": framework}),
        CheckResult.passed("tests.own.pass", "8 of 8"),
        (CheckResult.passed if async_handlers else CheckResult.failed)(
            "static.async-endpoints", "8 of 8 async" if async_handlers else "0 of 8 async"),
        (CheckResult.failed if debugger else CheckResult.passed)(
            "http.disclosure.no_interactive_debugger",
            "Werkzeug's console answers" if debugger else "no debugger"),
    ]
    criteria, total = score(challenge.rubric, checks, challenge.caps)
    report = sample()
    report.checks, report.criteria, report.total = checks, criteria, total
    flags = [Flag(id=g, kind="green", label=g) for g in (GREENS if greens is None else greens)]
    if async_handlers:
        flags.append(Flag(id="async", kind="green", label="Async handlers"))
    if debugger:
        flags.append(Flag(id="debugger", kind="red", label="Interactive debugger reachable"))
    report.review = Review(flags=flags, green_flags=sum(f.kind == "green" for f in flags),
                           red_flags=sum(f.kind == "red" for f in flags),
                           questions=[Question(id="trade-off", text="What did you leave out?"),
                                      Question(id="async", text="Why async?")])
    return report


def profile(level: str) -> Profile:
    return challenge_profiles(backend())[level]


# -- loading -----------------------------------------------------------------------------------
def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profile.yaml"
    path.write_text(text)
    return path


GOOD = ("id: p\nchallenge: backend\nlevel: mid\nband: {advance: 80, borderline: 65}\n")


@pytest.mark.parametrize(("extra", "words"), [
    ("colour: blue\n", "key 'colour'"),
    ("weights: {speed: 2}\n", "key 'weights.speed': expected a rubric criterion"),
    ("weights: {async: -1}\n", "weights of 0 or more"),
    ("questions_first: [why-not]\n", "'why-not' is not a review question"),
    ("max_red_flags: -2\n", "a number of red flags"),
])
def test_a_profile_with_a_wrong_key_is_refused_naming_file_and_key(
        tmp_path: Path, extra: str, words: str) -> None:
    path = write(tmp_path, GOOD + extra)
    with pytest.raises(ChallengeConfigError, match=words) as caught:
        load_profile(path, backend())
    assert str(path) in str(caught.value)


def test_other_refusals(tmp_path: Path) -> None:
    with pytest.raises(ChallengeConfigError, match="key 'level'"):
        load_profile(write(tmp_path, GOOD.replace("mid", "principal")), backend())
    with pytest.raises(ChallengeConfigError, match="borderline at most advance"):
        load_profile(write(tmp_path, GOOD.replace("borderline: 65", "borderline: 90")))
    with pytest.raises(ChallengeConfigError, match="expected 'backend'"):
        load_profile(write(tmp_path, GOOD.replace("challenge: backend", "challenge: mle")),
                     backend())
    with pytest.raises(ChallengeConfigError, match="junior, mid, senior"):
        find_profile("principal", backend())


@pytest.mark.parametrize("name", ["backend", "datascience", "mle"])
def test_every_challenge_ships_a_profile_per_level(name: str) -> None:
    challenge = load_challenge(ROOT / "challenges" / name)
    shipped = challenge_profiles(challenge)
    assert sorted(shipped) == sorted(LEVELS)
    for level, prof in shipped.items():
        assert prof.level == level and prof.challenge == name
        assert prof.band.borderline < prof.band.advance
        assert find_profile(prof.id, challenge) == prof == find_profile(level, challenge)
    advance = [shipped[level].band.advance for level in LEVELS]
    assert advance == sorted(advance)  # the bar rises with the level


# -- the recommendation ------------------------------------------------------------------------
def test_clean_work_advances_at_every_level() -> None:
    report = graded()
    for level in LEVELS:
        got = recommend(report, profile(level), backend().caps)
        assert got.verdict == "advance" and got.percent == 100, (level, got)


def test_async_weighs_by_level_without_lowering_the_total() -> None:
    report = graded(async_handlers=False)
    assert report.total.percent == 100  # async is a bonus in the total
    junior, mid, senior = (recommend(report, profile(lv), backend().caps) for lv in LEVELS)
    assert junior.percent == 100 and junior.verdict == "advance"
    assert mid.percent < 100 and mid.verdict == "advance"
    assert senior.percent < senior.advance_at and senior.verdict == "borderline"
    assert "Async endpoints (bonus)" in senior.reasons[-2].text
    assert "static.async-endpoints" in senior.reasons[-2].checks


def test_a_cap_never_advances_and_caps_the_weighted_score_too() -> None:
    report = graded(debugger=True)
    caps = backend().caps
    flag_specs = [{"id": "debugger", "kind": "red",
                   "when": {"check": "http.disclosure.no_interactive_debugger"}}]
    got = recommend(report, profile("junior"), caps, flag_specs)
    assert got.percent == weighted_percent(report, profile("junior"), caps) == 40
    assert got.verdict == "do-not-advance"
    cap_reason = got.reasons[0]
    assert "interactive debugger" in cap_reason.text and "never advanced" in cap_reason.text
    assert cap_reason.checks == ["http.disclosure.no_interactive_debugger"]
    assert cap_reason.flags == ["debugger"]


def test_a_capped_submission_above_the_band_is_borderline() -> None:
    report = graded()
    report.total.capped_by = ["account-enumeration: the login answers differently for an "
                              "unknown user and a wrong password (http.disclosure.x)"]
    got = recommend(report, profile("junior"), backend().caps)
    assert got.percent == 90 and got.verdict == "borderline"


def test_green_flags_and_red_flags_against_the_level() -> None:
    short = recommend(graded(greens=GREENS[:5]), profile("junior"), backend().caps)
    assert short.verdict == "borderline" and "not enough to advance" in short.reasons[-1].text
    report = graded()
    assert report.review is not None
    report.review.flags.append(Flag(id="bare-except", kind="red", label="Bare except"))
    assert recommend(report, profile("junior"), backend().caps).verdict == "advance"
    senior = recommend(report, profile("senior"), backend().caps)
    assert senior.verdict == "borderline" and "too many" in senior.reasons[-1].text
    assert senior.reasons[-1].flags == ["bare-except"]


def test_a_pinned_framework_flags_asks_first_and_holds_back_without_lowering() -> None:
    pinned = Profile(id="backend-mid-django", challenge="backend", level="mid",
                     band=profile("mid").band, frameworks=["django"],
                     questions_first=["async"])
    report = apply_profile(graded(framework="flask"), pinned, backend())
    rec = report.recommendation
    assert rec is not None and rec.verdict == "borderline" and rec.percent == 100
    assert "the role is django; the submission is written in flask" in rec.reasons[0].text
    assert rec.reasons[0].flags == [MISMATCH_FLAG] and rec.reasons[0].checks == [
        "static.framework"]
    assert report.review is not None
    assert report.review.flags[0].id == MISMATCH_FLAG and report.review.red_flags == 1
    assert report.review.questions[0].text.startswith("The role is django; you chose flask")
    assert [q.id for q in report.review.questions[1:]] == ["async", "trade-off"]
    same = apply_profile(graded(framework="django"), pinned, backend())
    assert same.recommendation is not None and same.recommendation.verdict == "advance"


# -- the report --------------------------------------------------------------------------------
def test_the_recommendation_is_rendered_and_round_trips(tmp_path: Path) -> None:
    report = apply_profile(graded(async_handlers=False), profile("senior"), backend())
    data = json.loads(report.to_json())
    jsonschema.validate(data, SCHEMA)
    assert data["schema_version"] == "2.2" and data["recommendation"]["verdict"] == "borderline"
    assert Report.from_dict(data) == report
    text = render_markdown(report)
    assert "## Recommendation: borderline" in text
    assert "Senior Python backend developer (senior; profile `backend-senior`)" in text
    assert "`static.async-endpoints`" in text and "flag `idiomatic`" in text
    page = render_html(report)
    assert "Recommendation: <span class=\"verdict borderline\">borderline" in page
    old = sample().to_dict()  # a 2.1 report, from before profiles: read, rendered without one
    old["schema_version"] = "2.1"
    old.pop("recommendation", None)
    assert Report.from_dict(old).recommendation is None
    assert "Recommendation" not in render_markdown(Report.from_dict(old))


def test_the_cohort_is_ranked_by_the_profile_weighted_score(tmp_path: Path) -> None:
    sync = apply_profile(graded(async_handlers=False), profile("senior"), backend())
    sync.submission.id, sync.submission.candidate = "bo-1", "Bo"
    asyn = apply_profile(graded(), profile("senior"), backend())
    asyn.submission.id, asyn.submission.candidate = "al-2", "Al"
    sync.total.percent = 100.0  # the same total: only the profile tells them apart
    reports = [(sync, tmp_path / "bo-1"), (asyn, tmp_path / "al-2")]
    csv_path, index = write_summary(tmp_path, reports)
    rows = csv_path.read_text().splitlines()
    header = rows[0].split(",")
    assert {"profile", "profile_percent", "recommendation"} <= set(header)
    first = rows[1].split(",")
    assert first[header.index("candidate")] == "Al"
    assert first[header.index("recommendation")] == "advance"
    assert "meet at least 4 before deciding" in index.read_text()
    assert cohort_warnings(reports * 2) == []


def test_validate_holds_the_declared_recommendations() -> None:
    report = graded(async_handlers=False)
    expect = {"recommend": {"junior": "advance", "mid": ["advance", "borderline"],
                            "senior": "borderline"}}
    assert recommendation_problems(report, expect, backend()) == []
    wrong = {"recommend": {"junior": "advance", "mid": "advance", "senior": "advance"}}
    problems = recommendation_problems(report, wrong, backend())
    assert len(problems) == 1 and problems[0].startswith("senior profile recommends borderline")
    assert "declare `recommend:`" in recommendation_problems(report, {}, backend())[0]
