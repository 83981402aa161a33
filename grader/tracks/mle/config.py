"""The mle track's `track_config` (challenge.yaml), typed: every key, its one default and what
it must be."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.typed import ShapeError, non_empty, positive, spec


@dataclass(frozen=True)
class MleData:
    """The challenge's data generator: `generate(seed)` gives the training CSV, the holdout
    (features and labels) and a key of reference AUCs."""

    generator: Path = spec(path="file", expected="a Python file in the challenge")
    public_seed: int = spec(doc="the kit's train.csv; the holdout is drawn with the same seed")
    dir: str = spec("data", doc="where train.csv goes in the work dir")


@dataclass(frozen=True)
class LatencyScale:
    """Full credit at or under `*_good` milliseconds, none from `*_bad`, linear between."""

    p95_good: float = spec(100.0, check=positive, expected="a positive number (ms)")
    p95_bad: float = spec(1000.0, check=positive, expected="a positive number (ms)")
    batch_good: float = spec(2000.0, check=positive, expected="a positive number (ms)")
    batch_bad: float = spec(10000.0, check=positive, expected="a positive number (ms)")

    def __post_load__(self, context: Any) -> None:
        if self.p95_bad <= self.p95_good:
            raise ShapeError("p95_bad", "a number above p95_good", self.p95_bad)
        if self.batch_bad <= self.batch_good:
            raise ShapeError("batch_bad", "a number above batch_good", self.batch_bad)


@dataclass(frozen=True)
class UnseenCategory:
    """A categorical value the training data never shows, sent in one bad-request probe."""

    field: str
    value: str


_DEFAULT_EXCLUDES = ["train.py", "training/*", "data/*", "tests/*", "notebooks/*", "*.ipynb"]


@dataclass(frozen=True)
class MleConfig:
    """How an MLE challenge trains, serves and probes a submission."""

    data: MleData
    required_fields: list[str] = spec(check=non_empty, expected="a non-empty list of the "
                                      "feature names every record carries")
    artifact_cap_mb: float = spec(200.0, check=positive, expected="a positive number (MiB)")
    train_timeout_seconds: float | None = spec(
        None, check=positive, expected="a positive number of seconds",
        doc="the train command's wall clock (default: the challenge's timeout_seconds)")
    port: int = spec(8000, check=positive, expected="a positive integer (a TCP port)")
    startup_timeout_seconds: float = spec(60.0, check=positive,
                                          expected="a positive number of seconds")
    serving_excludes: list[str] = spec(default_factory=lambda: list(_DEFAULT_EXCLUDES),
                                       doc="fnmatch patterns left out of the serving container")
    batch_size: int = spec(100, check=positive, expected="a positive integer")
    singles: int = spec(300, check=positive, expected="a positive integer",
                        doc="single-record calls for the latency percentiles ...")
    singles_budget_seconds: float = spec(20.0, check=positive,
                                         expected="a positive number of seconds",
                                         doc="... or fewer (at least 30) once this is spent")
    big_batch: int = spec(1000, check=positive, expected="a positive integer")
    huge_batch: int = spec(20000, check=positive, expected="a positive integer")
    latency_ms: LatencyScale = field(default_factory=LatencyScale)
    target_gap: float = spec(0.02, check=lambda v: 0 <= v < 0.5,
                             expected="a number between 0 and 0.5",
                             doc="full AUC credit at the oracle's AUC minus this")
    oracle_margin: float = spec(0.02, check=lambda v: 0 <= v < 0.5,
                                expected="a number between 0 and 0.5",
                                doc="an AUC above the oracle's plus this is impossible "
                                    "without the labels: flagged, no quality credit")
    leaky_column: str | None = spec(None, doc="a column the model must not use")
    leak_ranges: list[list[int | float]] = spec(
        default_factory=list, check=lambda v: not v or (len(v) == 2 and all(
            len(r) == 2 and r[0] <= r[1] for r in v)),
        expected="two [low, high] ranges of the leaky column",
        doc="each leak-probe record gets a value drawn from the first range, then from the "
            "second, per grading (required with leaky_column)")
    id_columns: list[str] = spec(default_factory=list,
                                 doc="identifier columns (no signal): their digits are "
                                     "re-drawn per grading in every record sent")
    probe_budget_seconds: float = spec(180.0, check=positive,
                                       expected="a positive number of seconds",
                                       doc="the most the prober spends on one server once "
                                           "it answered /health")
    request_seconds: float = spec(10.0, check=positive,
                                  expected="a positive number of seconds",
                                  doc="a request's deadline (a /predict call gets 10 ms more "
                                      "per record, up to 60 s)")
    unseen_category: UnseenCategory | None = None
    retrain_for_reproducibility: bool = spec(
        True, doc="train twice (in parallel when the machine allows) and compare the two "
                  "models' predictions (train.reproducible)")
    probe_records: int = spec(200, check=positive, expected="a positive integer",
                              doc="records of the leak and reproducibility probes")
    usage_records: int = spec(200, check=positive, expected="a positive integer",
                              doc="records of the feature-usage probe behind api.metadata")
    concurrent_clients: int = spec(8, check=lambda v: 2 <= v <= 32,
                                   expected="an integer from 2 to 32",
                                   doc="parallel clients of the concurrency probe")
    concurrent_rounds: int = spec(2, check=lambda v: 1 <= v <= 10,
                                  expected="an integer from 1 to 10",
                                  doc="calls each concurrent client makes")

    def __post_load__(self, context: Any) -> None:
        if self.leaky_column and len(self.leak_ranges) != 2:
            raise ShapeError("leak_ranges", "two [low, high] ranges of the leaky column "
                             "(leaky_column is set)", self.leak_ranges)
