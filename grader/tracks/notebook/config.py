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

    def __post_load__(self, context: Any) -> None:
        ids = [q.id for q in self.questions]
        for i, item in enumerate(self.cleaning):
            unknown = [m for m in item.mistakes if m not in self.mistakes]
            if unknown:
                raise ShapeError(f"cleaning[{i}].mistakes", "names listed under mistakes",
                                 unknown[0])
            stray = [q for q in item.questions if q not in ids]
            if stray:
                raise ShapeError(f"cleaning[{i}].questions", "ids listed under questions",
                                 stray[0])
