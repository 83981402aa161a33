"""`verdict.<question>`: is the business answer right and, when it is not, what likely caused it.

The answer checks (`answer.*`) earn the question's weight; the verdict says what a reviewer
says first: this number is wrong, and why. It is unscored: the challenge's `caps` decide what a
wrong answer costs (a wrong headline answer caps the total lower than a wrong secondary one).

A verdict fails when the answer, as given, is wrong beyond its tolerance:

- on the public data (what the notebook shows its reader), any field of a record question,
  its decision (the yes/no) against the key's; a field declared `lenient` is not wrong on the
  side it names (a conservative p-value: the question's own weight charges it);
- or on the hidden variant, where the wrong value is what a known mistake gives there (a real
  method that happens to land within the tolerance on the public data).

The message names the cause: the known mistake the answer equals (or, for `nearest` fields, is
nearest), in the words of the challenge's `mistakes`; otherwise it says the answer matches no
known mistake. Nothing to judge leaves it unverified (no cap, no flag): no answer (the runs'
checks charge it), an answer of the wrong type (answers.format), no credit (answer-key hunt),
or a public answer whose variant answer no known method explains (hard-coding and
public-data-only checks already name that).
"""

from __future__ import annotations

import math
from typing import Any

from grader.analysis import notebook_facts as nbf
from grader.checks import CheckResult
from grader.tracks.notebook.answer_checks import Judged, why_no_answer
from grader.tracks.notebook.answers import Verdict
from grader.tracks.notebook.config import Question
from grader.tracks.notebook.stale import fmt

CHECK = "verdict"


def verdict_checks(questions: list[Question], j: Judged,
                   notes: dict[str, str] | None = None) -> list[CheckResult]:
    """One `verdict.<question>` per question; `notes`: static evidence to add to a failed
    verdict's message (question -> text, e.g. several tests run and the smallest p kept)."""
    return [_verdict(q, j, (notes or {}).get(q.id, "")) for q in questions]


def _verdict(q: Question, j: Judged, note: str) -> CheckResult:
    cid = f"{CHECK}.{q.id}"
    title = (f"Headline answer right: {q.id}" if q.headline else f"Answer right: {q.id}")
    mine = [v for v in j.public if v.question == q.id]
    if q.id in j.no_credit:
        return CheckResult.unverified(cid, f"no credit: {j.no_credit[q.id]}", title=title)
    given = [v for v in mine if not v.missing and not v.note]
    if not given:
        why = "no answer" if all(v.missing for v in mine) else "not in the documented format"
        return CheckResult.unverified(
            cid, f"nothing to judge: {q.id} has {why}" + (
                why_no_answer(j.public_answers, j.public_run) if why == "no answer" else ""),
            title=title)
    wrong = [v for v in given if not v.correct and not _lenient(q, v) and not _slip(v)]
    lenient = [v for v in given if not v.correct and (_lenient(q, v) or _slip(v))]
    variant = [w for v in given if v.correct and (w := j.variant.get(v.id)) is not None
               and not w.missing and not w.correct and w.mistakes and not _lenient(q, w)
               and not _slip(w)]
    evidence: dict[str, Any] = {"headline": q.headline}
    if wrong or variant:
        shown = wrong or variant
        causes = list(dict.fromkeys(m for v in shown for m in v.mistakes))
        evidence.update({"wrong": [v.id for v in shown], "mistakes": causes,
                         "where": "public" if wrong else "variant"})
        text = "; ".join(_wrong(v) for v in shown[:4])
        if not wrong:
            public = {v.id: v.given for v in given}
            text = (f"on the hidden variant {text}, though right on the public data ("
                    + ", ".join(fmt(public[w.id]) for w in shown[:4]) + ")")
        if causes:
            text += ": that is the answer you get when " + "; or when ".join(
                j.mistakes.get(m, m) for m in causes[:3])
        else:
            text += ", which matches no known mistake"
        text += "".join(f"; {v.field} is {_side(v)} the right value: only "
                        f"{q.lenient.get(v.field or '', '')} it would be a defensible method"
                        for v in shown if v.field in q.lenient)
        return CheckResult.failed(cid, text + (f"; {note}" if note else ""), title=title,
                                  evidence=evidence, max_points=0.0)
    unconfirmed = _unconfirmed(given, j)
    if unconfirmed:
        return CheckResult.unverified(
            cid, "right on the public data, but on the hidden variant " + "; ".join(
                f"{', '.join(ids)} {why}" for why, ids in unconfirmed.items())
            + " (see the answer checks)", title=title)
    text = f"{q.id} is right" + ("" if len(given) == len(mine) else
                                 f" in the {len(given)} field(s) given")
    if lenient:
        text += "; " + "; ".join(
            f"{v.id} = {fmt(v.given)} is " + (
                f"the right {fmt(v.expected)} {_slip(v)}" if _slip(v) else
                f"{_side(v)} the right {fmt(v.expected)}: a defensible method")
            + f", charged in answer.{v.id}" for v in lenient)
    return CheckResult.passed(cid, text, title=title, evidence=evidence, max_points=0.0)


def _unconfirmed(given: list[Verdict], j: Judged) -> dict[str, list[str]]:
    """Why right public answers are not confirmed by the variant (no method shown there), by
    reason; a decision is judged on the variant against the candidate's own figures (its
    answer check), not here."""
    out: dict[str, list[str]] = {}
    for v in given:
        w = j.variant.get(v.id)
        if not v.correct or w is None or w.correct or v.id in j.decisions:
            continue
        why = ("is missing" if w.missing else "is the same (hard-coded)" if v.id in j.untrusted
               and w.given == v.given else "matches no known method" if not w.mistakes else "")
        if why:
            out.setdefault(why, []).append(v.id)
    return out


def _lenient(q: Question, v: Verdict) -> bool:
    side = q.lenient.get(v.field or "")
    return side is not None and _side(v) == side


def _slip(v: Verdict) -> str:
    """How a right number was written wrong, if it was: a fraction in percent (29.83 for
    0.2983) or a difference the other way round (-0.0173 for 0.0173). A slip of notation
    costs the answer check its weight, but is not a wrong business answer."""
    if not (_number(v.given) and _number(v.expected)) or not v.expected:
        return ""
    if 0 < abs(v.expected) < 1 and math.isclose(v.given / 100, v.expected, rel_tol=0.01,
                                                abs_tol=1e-6):
        return "written in percent"
    if math.isclose(-v.given, v.expected, rel_tol=0.01, abs_tol=1e-6):
        return "with the opposite sign"
    return ""


def _side(v: Verdict) -> str:
    if _number(v.given) and _number(v.expected):
        return "above" if v.given > v.expected else "below"
    return ""


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _wrong(v: Verdict) -> str:
    text = f"{v.id} = {fmt(v.given)} where the answer is {fmt(v.expected)}"
    if _number(v.given) and _number(v.expected) and v.expected:
        change = v.given / v.expected - 1
        if abs(change) >= 0.001:
            text += f" ({change:+.1%})"
    return text


def several_tests(sections: dict[str, list[nbf.Cell]]) -> dict[str, str]:
    """Static evidence for a failed verdict, per question: its code runs several hypothesis
    tests (three or more, or two and takes the smallest result): the pattern of trying tests
    until one says what was hoped."""
    out = {}
    for qid, section in sections.items():
        found = nbf.tests_run(section)
        tests, smallest = found["tests"], found["smallest"]
        if len(tests) >= 3 or (len(tests) >= 2 and smallest):
            where = ", ".join(f"cell {i + 1}" for i in found["cells"][:3])
            out[qid] = (f"the code under {qid} runs {len(tests)} tests ({', '.join(tests[:8])}"
                        f"; {where})" + (f" and keeps the smallest result ({smallest})"
                                          if smallest else ""))
    return out
