"""The notebook track's `track_config` (challenge.yaml), typed: every key, its one default and
what it must be."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


@dataclass(frozen=True)
class Question:
    """A question of the notebook: its id in the answer key and how to find its heading."""

    id: str
    heading: str = spec(check=is_regex, expected="a regular expression matching the "
                        "question's markdown heading")
    sql: bool = spec(False, doc="the question asks for SQL")


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


@dataclass(frozen=True)
class Decision:
    """A yes/no field that must follow from the candidate's *own* figures in the same answer
    (true exactly when every condition holds): judged for consistency on each dataset, and
    worth `points`."""

    answer: str = spec(check=lambda v: v.count(".") == 1, expected="'<question>.<field>'")
    true_when: list[Condition] = spec(check=non_empty, expected="a non-empty list of "
                                      "{field, below|above}")
    points: float = spec(2.0, check=positive, expected="a positive number")

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

    def __post_load__(self, context: Any) -> None:
        ids = [q.id for q in self.questions]
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
