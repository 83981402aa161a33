"""The notebook track's `track_config` (challenge.yaml), typed: every key, its one default and
what it must be."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from grader.typed import ShapeError, is_regex, non_empty, positive, spec


@dataclass(frozen=True)
class NotebookData:
    """The challenge's data generator: `generate(seed)` gives the data files and the key."""

    generator: Path = spec(path="file", expected="a Python file in the challenge")
    public_seed: int = spec(doc="the kit's data")
    variant_seed: int = spec(doc="the hidden variant (same schema, other answers)")
    dir: str = spec("data", doc="where the data files go in the work dir")

    def __post_load__(self, context: Any) -> None:
        if self.variant_seed == self.public_seed:
            raise ShapeError("variant_seed", "a seed other than public_seed", self.variant_seed)


def _weights(value: dict[str, float]) -> bool:
    return all(w >= 0 for w in value.values())


@dataclass(frozen=True)
class Question:
    """A question of the notebook: its id in the answer key, how to find its heading, and
    what its answer weighs (each answer check's points, within its rubric criterion)."""

    id: str
    heading: str = spec(check=is_regex, expected="a regular expression matching the "
                        "question's markdown heading")
    sql: bool = spec(False, doc="the question asks for SQL")
    weight: float = spec(1.0, check=lambda v: v >= 0, expected="a number of points (0 or more)",
                         doc="the points of the answer check (a record: of each field's)")
    field_weights: dict[str, float] = spec(
        default_factory=dict, check=_weights, expected="a mapping of field -> points (0 or "
        "more)", doc="a record's fields that weigh other than `weight` (a decision field "
        "weighs its decision's points)")
    headline: bool = spec(False, doc="a headline answer (what the business acts on): wrong, "
                          "its verdict says so; the challenge's caps decide what that costs")
    lenient: dict[str, Literal["above", "below"]] = spec(
        default_factory=dict, doc="fields where a wrong value on this side of the right one is "
        "a defensible method (a conservative p-value: above), charged by the field's weight "
        "but not a wrong answer in the verdict")

    def points(self, field_name: str | None) -> float:
        """What the answer check of this question (field) weighs."""
        if field_name is not None and field_name in self.field_weights:
            return self.field_weights[field_name]
        return self.weight


@dataclass(frozen=True)
class Narrative:
    min_words: int = spec(25, check=positive, expected="a positive integer")
    placeholders: list[str] = spec(default_factory=list,
                                   doc="kit text that does not count as narrative")


@dataclass(frozen=True)
class Figures:
    min: int = spec(1, check=lambda v: v >= 0, expected="a number of figures (0 or more)")


@dataclass(frozen=True)
class Cleaning:
    """A cleaning step, judged from the answers that depend on it and the mistakes that
    skipping it gives."""

    id: str
    mistakes: list[str] = spec(check=non_empty, expected="a non-empty list of mistake names")
    questions: list[str] = spec(check=non_empty, expected="a non-empty list of question ids")
    title: str = ""


@dataclass(frozen=True)
class Condition:
    """A bound on one numeric field of the same answer: `below` or `above` a number."""

    field: str
    below: float | None = None
    above: float | None = None

    def __post_load__(self, context: Any) -> None:
        if (self.below is None) == (self.above is None):
            raise ShapeError("", "exactly one of below / above", {"field": self.field})

    def holds(self, value: float) -> bool:
        return value < self.below if self.below is not None else value > float(
            self.above if self.above is not None else 0.0)

    def describe(self) -> str:
        return (f"{self.field} < {self.below:g}" if self.below is not None
                else f"{self.field} > {float(self.above or 0.0):g}")


def _regexes(value: list[str]) -> bool:
    return all(is_regex(v) for v in value)


@dataclass(frozen=True)
class DecisionWords:
    """How a narrative says the decision: phrases (regular expressions, case-insensitive)
    that, stated plainly, mean yes (`says_yes`: "ship B", "significant") or no (`says_no`:
    "keep A"; YAML reads a bare `yes:`/`no:` key as a boolean).
    A phrase negated in its clause ("not significant", "we should not ship B") means the
    opposite; one in a condition or a question ("only if ...", "should we ship B?") says
    nothing."""

    says_yes: list[str] = spec(default_factory=list, check=_regexes,
                               expected="a list of regular expressions")
    says_no: list[str] = spec(default_factory=list, check=_regexes,
                              expected="a list of regular expressions")


@dataclass(frozen=True)
class Decision:
    """A yes/no field that must follow from the candidate's *own* figures in the same answer
    (true exactly when every condition holds): judged for consistency on each dataset, and
    worth `points`; with `narrative`, the question's narrative must not say the opposite."""

    answer: str = spec(check=lambda v: v.count(".") == 1, expected="'<question>.<field>'")
    true_when: list[Condition] = spec(check=non_empty, expected="a non-empty list of "
                                      "{field, below|above}")
    points: float = spec(2.0, check=positive, expected="a positive number")
    narrative: DecisionWords | None = spec(None, doc="how the narrative says yes or no "
                                           "(narrative.decision); none: not read")

    @property
    def question(self) -> str:
        return self.answer.split(".")[0]

    @property
    def field(self) -> str:
        return self.answer.split(".")[1]


@dataclass(frozen=True)
class NotebookConfig:
    """How a notebook challenge is executed and judged."""

    data: NotebookData
    questions: list[Question] = spec(check=non_empty, expected="a non-empty list of "
                                     "{id, heading, sql}")
    image: str = spec("notebook", doc="the challenge image the notebook runs in")
    notebook: str = spec("analysis.ipynb", doc="the notebook to grade (else the only one)")
    answers_file: str = "answers.json"
    cell_timeout_seconds: float = spec(60.0, check=positive,
                                       expected="a positive number of seconds")
    runtime_budget_seconds: float = spec(120.0, check=positive,
                                         expected="a positive number of seconds")
    narrative: Narrative = field(default_factory=Narrative)
    figures: Figures = field(default_factory=Figures)
    mistakes: dict[str, str] = spec(default_factory=dict,
                                    doc="mistake name -> what the candidate did")
    cleaning: list[Cleaning] = spec(default_factory=list)
    decisions: list[Decision] = spec(default_factory=list)
    decoy_key: str = spec("", check=lambda v: v == "" or (v.startswith("/") and ".." not in v),
                          expected="an absolute path in the sandbox, or empty",
                          doc="a decoy answer key written there (outside the work folder) "
                              "before the kernel starts: made-up values, flagged when they "
                              "appear in answers; empty: no decoy")

    def question(self, qid: str) -> Question | None:
        return next((q for q in self.questions if q.id == qid), None)

    def points(self, verdict_id: str) -> float:
        """What the answer check `<question>` or `<question>.<field>` weighs: a decision's
        points, else the question's weight."""
        decision = next((d for d in self.decisions if d.answer == verdict_id), None)
        if decision is not None:
            return decision.points
        qid, _, name = verdict_id.partition(".")
        question = self.question(qid)
        return question.points(name or None) if question else 1.0

    def __post_load__(self, context: Any) -> None:
        ids = [q.id for q in self.questions]
        if len(set(ids)) != len(ids):
            raise ShapeError("questions", "distinct question ids", ids)
        for i, decision in enumerate(self.decisions):
            if decision.question not in ids:
                raise ShapeError(f"decisions[{i}].answer", "<question>.<field> with a question "
                                 "listed under questions", decision.answer)
        for i, item in enumerate(self.cleaning):
            unknown = [m for m in item.mistakes if m not in self.mistakes]
            if unknown:
                raise ShapeError(f"cleaning[{i}].mistakes", "names listed under mistakes",
                                 unknown[0])
            stray = [q for q in item.questions if q not in ids]
            if stray:
                raise ShapeError(f"cleaning[{i}].questions", "ids listed under questions",
                                 stray[0])
