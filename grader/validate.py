"""`grader validate`: a challenge's own solutions, graded for real, land where it says.

`solutions/expected.yaml` maps each solution folder to what its report must show:

    no-auth:
      percent: [55, 75]                 # the total must land in this range
      passes: [http.auth.token_issued]  # these checks must pass ...
      fails: [http.auth.requires_token] # ... fail ...
      skipped: []                       # ... or be skipped
      not_run: [http.contract.health]   # ... or not run (an earlier step did not happen)
      messages: {check.id: "words the message must hold"}   # or a list: any one of them
      same_http_as: no-ownership        # identical http.* statuses, and no more points
      red_flags: [auth-gap]             # these red flags are raised ...
      no_red_flags: true                # ... and no other
      recommend: {junior: borderline, mid: borderline, senior: do-not-advance}
                                        # what each of the challenge's role profiles
                                        # (profiles/<level>.yaml) recommends; a list where the
                                        # score's range straddles a band's edge

The test suite (tests/integration/test_solutions.py) uses the same `check_report`, so a
challenge that passes `grader validate` is the one the tests hold to.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from grader.challenge import Challenge
from grader.errors import ChallengeConfigError
from grader.profiles import challenge_profiles
from grader.recommend import recommend
from grader.report import Report
from grader.review.build import review_config

EXPECTED_FILE = "expected.yaml"
_KEYS = {"percent", "passes", "fails", "skipped", "not_run", "messages", "same_http_as",
         "red_flags", "no_red_flags", "recommend"}
VERDICTS = ("advance", "borderline", "do-not-advance")


@dataclass
class SolutionResult:
    name: str
    expected: tuple[float, float]
    percent: float | None = None
    problems: list[str] = field(default_factory=list)
    report_dir: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def load_expectations(challenge: Challenge) -> dict[str, dict[str, Any]]:
    path = challenge.root / "solutions" / EXPECTED_FILE
    if not path.is_file():
        raise ChallengeConfigError(f"{path}: missing (each solution's expected score range)")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not data:
        raise ChallengeConfigError(f"{path}: expected a mapping of solution -> expectations")
    for name, expect in data.items():
        where = f"{path}: {name}"
        if not (challenge.root / "solutions" / str(name)).is_dir():
            raise ChallengeConfigError(f"{where}: no folder solutions/{name}")
        if not isinstance(expect, dict) or set(expect) - _KEYS:
            raise ChallengeConfigError(f"{where}: expected keys among {sorted(_KEYS)}")
        for level, verdict in (expect.get("recommend") or {}).items():
            if not all(v in VERDICTS for v in (verdict if isinstance(verdict, list)
                                                else [verdict])):
                raise ChallengeConfigError(f"{where}: recommend.{level}: expected one of "
                                           f"{', '.join(VERDICTS)} (or a list of them)")
        low_high = expect.get("percent")
        if not (isinstance(low_high, list) and len(low_high) == 2 and all(
                isinstance(v, int | float) for v in low_high) and low_high[0] <= low_high[1]):
            raise ChallengeConfigError(f"{where}: 'percent' must be [low, high]")
    return data


def recommendation_problems(report: Report, expect: dict[str, Any],
                            challenge: Challenge) -> list[str]:
    """What the challenge's role profiles recommend for `report` against `recommend:`, and a
    solution of a challenge with profiles that declares none."""
    profiles = challenge_profiles(challenge)
    if not profiles:
        return []
    wanted = expect.get("recommend")
    if not isinstance(wanted, dict) or set(wanted) != set(profiles):
        return [f"declare `recommend:` for every profile ({', '.join(sorted(profiles))})"]
    flag_specs, _ = review_config(challenge.root)
    problems = []
    for name, profile in profiles.items():
        allowed = wanted[name] if isinstance(wanted[name], list) else [wanted[name]]
        got = recommend(report, profile, challenge.caps, flag_specs)
        if got.verdict not in allowed:
            why = "; ".join(r.text for r in got.reasons)[:300]
            problems.append(f"{name} profile recommends {got.verdict} ({got.percent:g} %), "
                            f"expected {' or '.join(allowed)}: {why}")
    return problems


def check_report(report: Report, expect: dict[str, Any],
                 other: Callable[[str], Report] | None = None,
                 challenge: Challenge | None = None) -> list[str]:
    """What in `report` contradicts `expect` (empty: all as expected); with `challenge`, its
    role profiles' recommendations too."""
    problems = []
    if report.status != "graded":
        problems.append(f"status {report.status}, expected graded")
    low, high = expect["percent"]
    percent = report.total.percent
    if not low <= percent <= high:
        problems.append(f"scored {percent}%, expected {low}-{high}%")
    checks = report.check_map
    for status, key in (("passed", "passes"), ("failed", "fails"), ("skipped", "skipped"),
                        ("not_run", "not_run")):
        for check_id in expect.get(key, []):
            if check_id not in checks:
                problems.append(f"{check_id} is missing from the report")
            elif checks[check_id].status != status:
                problems.append(f"{check_id} {checks[check_id].status}, expected {status}: "
                                f"{checks[check_id].message[:200]}")
    for check_id, words in (expect.get("messages") or {}).items():
        message = checks[check_id].message if check_id in checks else ""
        choices = [words] if isinstance(words, str) else list(words)
        if not any(choice in message for choice in choices):
            said = repr(choices[0]) if len(choices) == 1 else f"any of {choices!r}"
            problems.append(f"{check_id}: message lacks {said}: {message[:200]!r}")
    raised = {f.id for f in report.review.flags if f.kind == "red"} if report.review else set()
    for flag in expect.get("red_flags", []):
        if flag not in raised:
            problems.append(f"red flag {flag} was not raised (raised: {sorted(raised)})")
    allowed = set(expect.get("red_flags", []))
    if expect.get("no_red_flags") and raised - allowed:
        problems.append(f"red flags beyond the expected ones: {sorted(raised - allowed)}")
    if expect.get("same_http_as") and other is not None:
        theirs = other(expect["same_http_as"])
        mine_http = {c.id: c.status for c in report.checks if c.id.startswith("http.")}
        their_http = {c.id: c.status for c in theirs.checks if c.id.startswith("http.")}
        if mine_http != their_http:
            problems.append(f"HTTP results differ from {expect['same_http_as']}")
        if report.total.points > theirs.total.points:
            problems.append(f"scored more than {expect['same_http_as']}")
    if challenge is not None and report.status == "graded":
        problems += recommendation_problems(report, expect, challenge)
    return problems


def validate_challenge(challenge: Challenge, grade: Callable[[Path], tuple[Report, Path]],
                       only: list[str] | None = None,
                       progress: Callable[[SolutionResult], None] | None = None,
                       jobs: int = 1) -> list[SolutionResult]:
    """Grade each solution (with `grade`, which returns its report and folder; `jobs` at a
    time) and compare."""
    expectations = load_expectations(challenge)
    unknown = sorted(set(only or []) - set(expectations))
    if unknown:
        raise ChallengeConfigError(f"no solution {', '.join(unknown)} in "
                                   f"{challenge.root / 'solutions' / EXPECTED_FILE}")
    cache: dict[str, tuple[Report, Path]] = {}

    def graded(name: str) -> tuple[Report, Path]:
        if name not in cache:
            cache[name] = grade(challenge.root / "solutions" / name)
        return cache[name]

    names = [n for n in expectations if not only or n in only]
    if jobs > 1:
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="validate") as pool:
            for name, done in zip(names, pool.map(
                    lambda n: grade(challenge.root / "solutions" / n), names), strict=True):
                cache[name] = done
    results = []
    for name, expect in expectations.items():
        if only and name not in only:
            continue
        report, folder = graded(name)
        low, high = expect["percent"]
        result = SolutionResult(name, (float(low), float(high)), report.total.percent,
                                report_dir=folder)
        result.problems = check_report(report, expect, lambda n: graded(n)[0], challenge)
        results.append(result)
        if progress:
            progress(result)
    return results
