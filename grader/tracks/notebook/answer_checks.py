"""The answer checks: each answer judged on the public data and on the hidden variant.

- `answer.<q>[.<field>]`: right on both datasets earns the point; right on the public data
  only earns half when the variant's answer is what a known mistake gives there (a real method
  that does not carry over), nothing when it is missing or matches no known method (a
  hard-coded answer disguised by scaling it on unfamiliar data); a wrong value equal to (or,
  for `nearest` fields, nearest to) a known mistake's is named. An answer involved in an
  answer-key hunt earns nothing (integrity.py).
- Hard-coding: a value identical on both runs is called hard-coded only when the variant's
  right answer differs and the value is a number with many possible values; a boolean or a
  category that stayed the same is not evidence on its own.
- Decisions (track_config `decisions`): a yes/no field is judged against the candidate's own
  figures on each dataset (ship only when their p-value and difference say so), and weighs
  `points`.
- `cleaning.<id>`: failed only when an answer shows a mistake that skipping the step gives;
  passed when right answers rule out every such mistake; otherwise unverified (costs nothing:
  an unrelated error or a missing answer never debits a cleaning step).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from grader.checks import CheckResult
from grader.tracks.notebook.answers import Answers, Verdict, show
from grader.tracks.notebook.config import Cleaning, Decision
from grader.tracks.notebook.execute import NotebookRun
from grader.tracks.notebook.judging import why_missing

#: integers smaller than this have too few possible values to call a repeat hard-coding
MIN_DISTINCT_INTEGER = 20
UNCONFIRMED = ("the public answer is not confirmed by a method that works on other data, so it "
               "earns nothing")


@dataclass
class Judged:
    """Both runs' answers and verdicts, and the answers that get no credit (and why)."""

    public: list[Verdict]
    variant: dict[str, Verdict]
    public_answers: Answers
    variant_answers: Answers
    public_run: NotebookRun
    variant_run: NotebookRun
    mistakes: dict[str, str]
    decisions: dict[str, Decision] = field(default_factory=dict)
    no_credit: dict[str, str] = field(default_factory=dict)   # question -> why
    untrusted: set[str] = field(default_factory=set)          # verdict ids: hard-coded, void
    weights: dict[str, float] = field(default_factory=dict)   # verdict id -> points (else 1)

    def weight(self, verdict_id: str) -> float:
        return self.weights.get(verdict_id, 1.0)


def carried_over(public: list[Verdict], variant: list[Verdict]) -> dict[str, Verdict]:
    """The variant's verdicts by id, each naming only the known mistakes its public answer
    leaves possible: a public answer that is right rules out every mistake that would have
    moved it (`possible`), so a wrong variant answer that happens to equal one of those (a
    hard-coded number scaled onto the variant, landing near a date mistake) shows no method."""
    ruled_out = {v.id: set(v.possible) for v in public if v.correct}
    return {w.id: replace(w, mistakes=tuple(m for m in w.mistakes
                                            if m not in ruled_out.get(w.id, set())))
            for w in variant}


def why_no_answer(answers: Answers, run: NotebookRun) -> str:
    """Why an answer is missing, for its check's message: what stopped the run, else why
    answers.json gave nothing (not written, too large, nested too deep, not an object)."""
    cause = why_missing(run)
    if not cause and not answers.present and answers.problems:
        cause = f" ({'; '.join(answers.problems)[:200]})"
    return cause


def same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(
            a, bool) and not isinstance(b, bool):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    if isinstance(a, str) and isinstance(b, str):
        return a.strip().casefold() == b.strip().casefold()
    return bool(a == b)


def distinctive(value: Any) -> bool:
    """A number with enough possible values that repeating it on other data is telling."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
            value):
        return False
    return not (float(value).is_integer() and abs(value) < MIN_DISTINCT_INTEGER)


def _named(v: Verdict, mistakes: dict[str, str]) -> str:
    says = "; ".join(mistakes.get(m, m) for m in v.mistakes)
    return f": that is the answer you get when {says}" if says else ""


def answer_check(v: Verdict, j: Judged) -> CheckResult:
    cid, title = f"answer.{v.id}", f"Answer: {v.id}"
    w = j.variant.get(v.id)
    evidence: dict[str, Any] = {
        "public": {"given": v.given, "expected": v.expected},
        "variant": None if w is None else {"given": w.given, "expected": w.expected}}
    decision = j.decisions.get(v.id)
    points = decision.points if decision else j.weight(v.id)
    if v.question in j.no_credit:
        j.untrusted.add(v.id)
        evidence["no_credit"] = j.no_credit[v.question]
        return CheckResult.failed(cid, f"no credit: {v.id} = {show(v.given)}; "
                                  f"{j.no_credit[v.question]}", title=title, evidence=evidence,
                                  max_points=points)
    if decision is not None:
        return _decision_check(v, w, decision, j, evidence)
    return answer_check_plain(v, w, j, evidence)


def answer_check_plain(v: Verdict, w: Verdict | None, j: Judged,
                       evidence: dict[str, Any]) -> CheckResult:
    """Right on both datasets, half on the public one only, hard-coded, or named; worth the
    question's weight."""
    check = _plain(v, w, j, evidence)
    weight = j.weight(v.id)
    check.max_points, check.points = weight, check.points * weight
    return check


def _plain(v: Verdict, w: Verdict | None, j: Judged, evidence: dict[str, Any]) -> CheckResult:
    cid, title = f"answer.{v.id}", f"Answer: {v.id}"
    if not v.correct:
        text = v.describe() + _named(v, j.mistakes)
        if v.mistakes:
            evidence["mistakes"] = list(v.mistakes)
        elif not v.missing and not v.note:
            text += ", which matches no known mistake"
        if v.missing:
            text += why_no_answer(j.public_answers, j.public_run)
        return CheckResult.failed(cid, text, title=title, evidence=evidence)
    if w is None or w.correct:
        return CheckResult.passed(cid, v.describe() + "; right on the hidden variant too",
                                  title=title, evidence=evidence)
    if same(w.expected, v.expected):
        return CheckResult.passed(cid, v.describe() + " (the hidden variant has the same "
                                  "answer, so it cannot confirm it)", title=title,
                                  evidence=evidence)
    if w.missing:
        j.untrusted.add(v.id)  # unconfirmed: it vouches for no cleaning step, no decision
        why = ("; ".join(j.variant_answers.problems) if not j.variant_answers.present else
               "no answer") + why_missing(j.variant_run)
        return CheckResult.failed(
            cid, f"right on the public data ({show(v.given)}) but not answered on the hidden "
            f"variant: {why}; {UNCONFIRMED}", title=title, evidence=evidence)
    if same(w.given, v.given) and distinctive(v.given):
        j.untrusted.add(v.id)
        return CheckResult.failed(
            cid, f"hard-coded: {v.id} = {show(v.given)} on the public data and the same on "
            f"the hidden variant, whose answer is {show(w.expected)}", title=title,
            evidence=evidence)
    # Half credit needs a real method behind the wrong variant answer: one of the known
    # mistakes the key computes. Any other wrong value (a hard-coded answer scaled by the
    # data's size, a repeated category) says nothing about the method.
    half = 0.5 if w.mistakes else 0.0
    if not half:
        j.untrusted.add(v.id)
    if same(w.given, v.given):
        return CheckResult.failed(
            cid, f"right on the public data ({show(v.given)}) but the same on the hidden "
            f"variant, whose answer is {show(w.expected)} (a repeated yes/no, category or "
            "small number is not taken as hard-coding on its own" + (
                "" if half else f"; {UNCONFIRMED}") + ")", points=half, title=title,
            evidence=evidence)
    if not half:
        return CheckResult.failed(
            cid, f"right on the public data ({show(v.given)}) but wrong on the hidden variant "
            f"({w.describe()}), which no known method gives: {UNCONFIRMED}", title=title,
            evidence=evidence)
    return CheckResult.failed(
        cid, f"right on the public data ({show(v.given)}) but wrong on the hidden variant "
        f"({w.describe()}{_named(w, j.mistakes)}): the method does not carry over to new data",
        points=half, title=title, evidence=evidence)


def own_figures(answers: Answers, d: Decision) -> tuple[bool | None, str]:
    """(what the candidate's own figures imply for the decision, those figures as text)."""
    record = answers.values.get(d.question)
    if not isinstance(record, dict):
        return None, ""
    figures: dict[str, float] = {}
    for c in d.true_when:
        x = record.get(c.field)
        if not isinstance(x, int | float) or isinstance(x, bool) or not math.isfinite(x):
            return None, ""
        figures[c.field] = float(x)
    implied = all(c.holds(figures[c.field]) for c in d.true_when)
    return implied, ", ".join(f"{name} {show(value)}" for name, value in figures.items())


def _decision_check(v: Verdict, w: Verdict | None, d: Decision, j: Judged,
                    evidence: dict[str, Any]) -> CheckResult:
    cid, title = f"answer.{v.id}", f"Decision: {v.id}"
    rule = " and ".join(c.describe() for c in d.true_when)
    if {f"{d.question}.{c.field}" for c in d.true_when} & j.untrusted:
        # figures that are hard-coded cannot vouch for the decision: judged on the key
        evidence["figures_untrusted"] = True
        plain = _plain(v, w, j, evidence)
        plain.max_points, plain.points = d.points, plain.points * d.points
        return plain
    if v.missing or not isinstance(v.given, bool):
        return CheckResult.failed(cid, v.describe() + (
            why_no_answer(j.public_answers, j.public_run) if v.missing else ""),
                                  title=title, evidence=evidence, max_points=d.points)
    implied, figures = own_figures(j.public_answers, d)
    evidence["rule"] = rule
    if implied is not None and v.given != implied:
        return CheckResult.failed(
            cid, f"{v.id} = {show(v.given)} contradicts your own figures ({figures}): "
            f"{rule} says {show(implied)}", title=title, evidence=evidence,
            max_points=d.points)
    if implied is None and not v.correct:
        return CheckResult.failed(cid, v.describe(), title=title, evidence=evidence,
                                  max_points=d.points)
    text = f"{v.id} = {show(v.given)} follows from your own figures ({figures or 'right'})"
    if not v.correct:
        text += f" (the right figures give {show(v.expected)})"
    if w is None:
        return CheckResult.passed(cid, text, title=title, evidence=evidence,
                                  max_points=d.points)
    if w.missing or not isinstance(w.given, bool):
        return CheckResult.failed(cid, text + f"; not answered on the hidden variant"
                                  f"{why_no_answer(j.variant_answers, j.variant_run)}",
                                  points=0.5 * d.points,
                                  title=title, evidence=evidence, max_points=d.points)
    implied_v, figures_v = own_figures(j.variant_answers, d)
    if (implied_v is None and w.correct) or (implied_v is not None and w.given == implied_v):
        return CheckResult.passed(cid, text + "; and on the hidden variant too", title=title,
                                  evidence=evidence, max_points=d.points)
    why = (f"contradicts your own figures there ({figures_v}): {rule} says {show(implied_v)}"
           if implied_v is not None else f"expected {show(w.expected)}")
    return CheckResult.failed(
        cid, text + f"; but on the hidden variant {v.id} = {show(w.given)} {why}"
        + (" (the same as on the public data)" if w.given == v.given else ""),
        points=0.5 * d.points, title=title, evidence=evidence, max_points=d.points)


def hard_coded_check(j: Judged) -> CheckResult:
    title = "Answers are computed, not hard-coded"
    compared = [(v, j.variant[v.id]) for v in j.public if v.correct and v.id in j.variant
                and v.question not in j.no_credit
                and not same(j.variant[v.id].expected, v.expected)]
    repeated = [(v, w) for v, w in compared if not w.correct and not w.missing
                and same(w.given, v.given)]
    hard = [v.id for v, _ in repeated if distinctive(v.given) and v.id not in j.decisions]
    if hard:
        return CheckResult.failed(
            "answers.not-hard-coded", f"{len(hard)} answer(s) stayed the same on a hidden "
            f"variant of the dataset whose answers differ: {', '.join(hard)}", title=title,
            evidence={"same": hard})
    if not compared:
        return CheckResult.skipped("answers.not-hard-coded", "no right answer on the "
                                   "public data to test on the variant", title=title)
    others = [v.id for v, _ in repeated]
    note = (f"; {', '.join(others)} stayed the same, but a repeated yes/no, category or small "
            "number is not evidence of hard-coding on its own" if others else "")
    followed = sum(1 for v, w in compared if w.correct)
    moved = [v.id for v, w in compared if not w.correct and not w.missing
             and not same(w.given, v.given)]
    note += (f"; {len(moved)} changed on the variant, but not to its right answer"
             if moved else "")
    return CheckResult.passed(
        "answers.not-hard-coded", f"no many-valued right answer stayed the same on the hidden "
        f"variant: {followed} followed the data to its right answer{note}", title=title)


def cleaning_checks(cleaning: list[Cleaning], j: Judged) -> list[CheckResult]:
    """cleaning.<id>: failed when an answer (on either dataset) shows a mistake that skipping
    the step gives; passed when right answers rule out every such mistake; else unverified."""
    out = []
    for item in cleaning:
        cid, title = f"cleaning.{item.id}", item.title or item.id
        names, qs = set(item.mistakes), set(item.questions)
        mine = [v for v in j.public if v.question in qs and v.question not in j.no_credit]
        shown = [(v, "") for v in mine if set(v.mistakes) & names] + [
            (w, " on the hidden variant") for w in j.variant.values()
            if w.question in qs and w.question not in j.no_credit and set(w.mistakes) & names]
        if shown:
            says = "; ".join(sorted({j.mistakes.get(m, m) for v, _ in shown
                                     for m in set(v.mistakes) & names}))
            given = "; ".join(f"{v.id} = {show(v.given)} instead of {show(v.expected)}{where}"
                              for v, where in shown[:3])
            out.append(CheckResult.failed(
                cid, f"{says}: {given}, exactly what that gives", title=title,
                evidence={"answers": [v.id for v, _ in shown]}))
            continue
        confirming = [v for v in mine if v.correct and v.id not in j.untrusted]
        ruled_out = {m for v in confirming for m in v.possible} & names
        if confirming and ruled_out >= names:
            out.append(CheckResult.passed(
                cid, "shown by the right answers to " + ", ".join(sorted(
                    {v.id for v in confirming if set(v.possible) & names})), title=title))
        elif ruled_out:
            open_ = "; or ".join(j.mistakes.get(m, m) for m in sorted(names - ruled_out))
            out.append(CheckResult.unverified(
                cid, f"the right answers rule out {len(ruled_out)} of the {len(names)} known "
                f"mistakes, but none shows whether {open_}", title=title))
        elif mine and all(v.missing for v in mine):
            out.append(CheckResult.unverified(
                cid, f"none of the answers that show it was given ({', '.join(sorted(qs))})",
                title=title))
        else:
            out.append(CheckResult.unverified(
                cid, f"the answers that show it ({', '.join(sorted(qs))}) are missing, "
                "wrong for another reason or get no credit", title=title))
    return out
