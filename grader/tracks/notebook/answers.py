"""Judge a notebook's `answers.json` against an answer key, on the host.

The key comes from the challenge's data generator and never enters a container. Its format
(one entry per question; other top-level keys, like `seed`, are ignored):

    {"q1": {"type": "number", "answer": 48794.07, "rel_tol": 0.005,
            "mistakes": {"no_dedup": 51199.74}},
     "q3": {"type": "record", "answer": {"p_value": 0.14, "ship_b": false},
            "abs_tol": {"p_value": 0.01},
            "mistakes": {"no_dedup": {"p_value": 0.15}}}}

Types: `number` (rel_tol and/or abs_tol; exact when neither), `string` (trimmed, case-folded),
`boolean`, `record` (a mapping of fields, each a number, string or boolean; tolerances per
field). A given number that was visibly rounded (0.15) is judged at its own precision, down to
two significant digits: rounding is not a mistake, and 0.1 for 0.1455 is still wrong.

A mistake is the answer a known wrong approach gives; for a record it names some fields, and a
given record shows the mistake when all of those fields match it. `nearest` (a list of fields,
or true for a plain question) also names a mistake when a wrong value is closer to it than to
the right value: within half the distance between the two (a p-value between the right one and
the continuity-corrected one, nearer the latter). A verdict also says which mistakes its
question could have shown (`possible`): a right answer rules those out.

`answers.json` is untrusted: written by candidate code. `read_answers` caps its size and its
nesting (ANSWERS_DEPTH), validates it and says what is wrong instead of raising.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from grader.candidate_json import load_json

ANSWERS_CAP = 256 * 1024
#: {"answers": {question: {field: value}}} is 3 levels; room for a candidate's metadata
ANSWERS_DEPTH = 16
QUESTION_TYPES = ("number", "string", "boolean", "record")


@dataclass(frozen=True)
class Verdict:
    """One answer (a question, or one field of a record question) judged against the key."""

    question: str
    field: str | None
    expected: Any
    given: Any
    missing: bool
    correct: bool
    mistakes: tuple[str, ...] = ()   # known mistakes the given answer matches
    note: str = ""                   # why it is wrong when that is not a value mismatch
    possible: tuple[str, ...] = ()   # mistakes this answer would show (a right one rules out)

    @property
    def id(self) -> str:
        return self.question if self.field is None else f"{self.question}.{self.field}"

    def describe(self) -> str:
        if self.missing:
            return f"no answer for {self.id}" + (f" ({self.note})" if self.note else "")
        if self.correct:
            return f"{self.id} = {show(self.given)} (expected {show(self.expected)})"
        text = f"{self.id} = {show(self.given)}, expected {show(self.expected)}"
        return text + (f" ({self.note})" if self.note else "")


@dataclass
class Answers:
    """What `read_answers` made of answers.json: the values by question, and the problems."""

    values: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    present: bool = False


def show(value: Any) -> str:
    text = json.dumps(value, sort_keys=True) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def questions(key: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The key's question entries, in key order."""
    return {q: spec for q, spec in key.items()
            if isinstance(spec, dict) and spec.get("type") in QUESTION_TYPES}


def read_answers(raw: bytes | None, error: str = "") -> Answers:
    """Parse answers.json: {"answers": {question: value}} (or the mapping itself)."""
    out = Answers()
    if raw is None:
        out.problems.append("answers.json was not written" + (f" ({error})" if error else ""))
        return out
    data, why = load_json(raw, ANSWERS_CAP, ANSWERS_DEPTH, "answers.json")
    if why:
        out.problems.append(why)
        return out
    if isinstance(data, dict) and isinstance(data.get("answers"), dict):
        data = data["answers"]
    if not isinstance(data, dict):
        out.problems.append("answers.json must hold a JSON object of answers")
        return out
    out.present = True
    out.values = {str(k)[:100]: v for k, v in list(data.items())[:200]}
    return out


def rounding(value: float) -> float:
    """Half a unit of the last decimal `value` shows (0.15 -> 0.005), at most that of two
    significant digits (0.1 -> 0.005, not 0.05); 0 for integers and long decimals."""
    if isinstance(value, bool) or not isinstance(value, float) or not math.isfinite(value) \
            or value == 0 or value.is_integer():
        return 0.0
    text = repr(value)
    if "e" in text or "." not in text:
        return 0.0
    decimals = len(text.split(".")[1])
    if decimals > 6:
        return 0.0
    two_digits = 0.5 * 10 ** (math.floor(math.log10(abs(value))) - 1)
    return min(0.5 * 10 ** -decimals, two_digits)


def _close(given: Any, expected: Any, rel_tol: float, abs_tol: float) -> bool:
    if isinstance(expected, bool) or isinstance(given, bool):
        return isinstance(given, bool) and isinstance(expected, bool) and given == expected
    if isinstance(expected, int | float):
        if not isinstance(given, int | float) or not math.isfinite(given):
            return False
        return math.isclose(given, expected, rel_tol=rel_tol,
                            abs_tol=abs_tol + rounding(given) * (1 + 1e-9))
    if isinstance(expected, str):
        return isinstance(given, str) and given.strip().casefold() == expected.strip().casefold()
    return bool(given == expected)


def tolerances(spec: dict[str, Any], name: str | None) -> tuple[float, float]:
    """(rel_tol, abs_tol) of a question, or of one field of a record question."""
    return _tolerances(spec, name)


def close(given: Any, expected: Any, spec: dict[str, Any], name: str | None) -> bool:
    """Whether `given` is `expected` within the question's (field's) tolerance."""
    return _close(given, expected, *_tolerances(spec, name))


def _tolerances(spec: dict[str, Any], name: str | None) -> tuple[float, float]:
    def pick(key: str) -> float:
        value = spec.get(key, 0.0)
        if isinstance(value, dict):
            value = value.get(name, 0.0) if name is not None else 0.0
        return float(value) if isinstance(value, int | float) else 0.0
    return pick("rel_tol"), pick("abs_tol")


def _type_problem(given: Any, expected: Any) -> str:
    if isinstance(expected, bool):
        return "" if isinstance(given, bool) else "expected true or false"
    if isinstance(expected, int | float):
        ok = isinstance(given, int | float) and not isinstance(given, bool)
        if ok and not math.isfinite(given):
            return "not a finite number"
        return "" if ok else "expected a number"
    if isinstance(expected, str):
        return "" if isinstance(given, str) else "expected a string"
    return ""


def judge(key: dict[str, Any], answers: Answers) -> list[Verdict]:
    """One verdict per plain question and per field of a record question, in key order."""
    verdicts: list[Verdict] = []
    for qid, spec in questions(key).items():
        expected = spec.get("answer")
        raw_mistakes = spec.get("mistakes")
        mistakes: dict[str, Any] = raw_mistakes if isinstance(raw_mistakes, dict) else {}
        given = answers.values.get(qid)
        if spec["type"] == "record" and isinstance(expected, dict):
            given_map = given if isinstance(given, dict) else {}
            note = "" if given is None or isinstance(given, dict) else "expected an object"
            wrongs = {m: w for m, w in mistakes.items() if isinstance(w, dict) and w}
            shown = {m for m, wrong in wrongs.items()
                     if all(name in given_map and _matches(given_map[name], value, name, spec,
                                                           expected.get(name), wrongs)
                            for name, value in wrong.items())}
            for name, want in expected.items():
                v = _verdict(qid, name, want, given_map.get(name), name not in given_map, spec,
                             note)
                possible = tuple(sorted(m for m, w in wrongs.items() if name in w
                                        and not _close(w[name], want, *_tolerances(spec, name))))
                verdicts.append(_with_mistakes(v, _nearest_first(
                    [m for m in shown if name in wrongs[m]], given_map.get(name),
                    {m: wrongs[m][name] for m in wrongs if name in wrongs[m]}), possible))
        else:
            v = _verdict(qid, None, expected, given, qid not in answers.values, spec, "")
            plain = {m: {None: w} for m, w in mistakes.items()}
            shown_plain = _nearest_first(
                [m for m, wrong in mistakes.items()
                 if not v.missing and not v.correct and _matches(given, wrong, None, spec,
                                                                 expected, plain)],
                given, mistakes)
            possible = tuple(sorted(m for m, w in mistakes.items()
                                    if not _close(w, expected, *_tolerances(spec, None))))
            verdicts.append(_with_mistakes(v, shown_plain, possible))
    return verdicts


def _nearest_first(names: list[str], given: Any, values: dict[str, Any]) -> tuple[str, ...]:
    """Mistake names, the one whose value is nearest the given answer first."""
    def distance(name: str) -> float:
        value = values.get(name)
        if isinstance(given, bool) or isinstance(value, bool) or not isinstance(
                given, int | float) or not isinstance(value, int | float):
            return 0.0
        return abs(given - value)
    return tuple(sorted(sorted(names), key=distance))


def _matches(given: Any, wrong: Any, name: str | None, spec: dict[str, Any], right: Any,
             mistakes: dict[str, dict[Any, Any]]) -> bool:
    """Whether `given` shows the mistake whose value (for field `name`) is `wrong`: within the
    tolerance of it or, for a `nearest` field, nearer to it than to the right value and to any
    other mistake, within half the distance between it and the right value."""
    tolerances = _tolerances(spec, name)
    if _close(given, wrong, *tolerances):
        return True
    nearest = spec.get("nearest")
    if not (nearest is True if name is None else isinstance(nearest, list) and name in nearest):
        return False
    numbers = [given, wrong, right]
    if not all(isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)
               for x in numbers):
        return False
    distance = abs(given - wrong)
    if _close(given, right, *tolerances) or distance > 0.5 * abs(wrong - right):
        return False
    others = [m[name] for m in mistakes.values() if name in m and isinstance(
        m[name], int | float) and not _close(m[name], wrong, *tolerances)]
    return all(distance <= abs(given - other) for other in [right, *others])


def _verdict(qid: str, name: str | None, expected: Any, given: Any, missing: bool,
             spec: dict[str, Any], note: str) -> Verdict:
    if missing:
        return Verdict(qid, name, expected, None, True, False, note=note)
    problem = _type_problem(given, expected)
    if problem:
        return Verdict(qid, name, expected, given, False, False, note=problem)
    return Verdict(qid, name, expected, given, False,
                   _close(given, expected, *_tolerances(spec, name)))


def _with_mistakes(v: Verdict, mistakes: tuple[str, ...],
                   possible: tuple[str, ...] = ()) -> Verdict:
    return Verdict(v.question, v.field, v.expected, v.given, v.missing, v.correct,
                   () if v.correct else mistakes, v.note, possible)
