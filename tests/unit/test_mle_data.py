"""The MLE churn generator: seeded, with real signal, a leak that only holds in training, an
unseen category in the holdout, and reference AUCs computed from the true probabilities."""

from __future__ import annotations

import csv
import importlib.util
import io
import sys
from types import ModuleType

import pytest

from tests.conftest import ROOT

GENERATOR = ROOT / "challenges" / "mle" / "data" / "generator.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mle_generator_test", GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


gen = _load()
SEEDS = [1, 11, 2024]


def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode())))


def test_roc_auc_matches_definitions() -> None:
    assert gen.roc_auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert gen.roc_auc([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1]) == 0.0
    assert gen.roc_auc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == 0.5
    # pairs: (0.3>0.1 yes)(0.3>0.4 no)(0.7>0.1)(0.7>0.4) -> 3/4
    assert gen.roc_auc([0, 1, 0, 1], [0.1, 0.3, 0.4, 0.7]) == 0.75


def test_same_seed_same_data_other_seed_other_data() -> None:
    a, b = gen.generate(5), gen.generate(5)
    assert a.train_csv == b.train_csv and a.holdout_labels == b.holdout_labels
    assert gen.generate(6).train_csv != a.train_csv


@pytest.mark.parametrize("seed", SEEDS)
def test_the_data_has_signal_imbalance_and_missing_values(seed: int) -> None:
    data = gen.generate(seed)
    train = rows(data.train_csv)
    assert len(train) == 6000 and len(data.holdout_rows) == 2000
    assert 0.12 < data.key["train_positive_rate"] < 0.3
    assert any(r["total_charges"] == "" for r in train)
    assert any(r["region"] == "" for r in train)
    assert data.key["oracle_auc"] > data.key["baseline_auc"] + 0.05
    assert "churned" not in data.holdout_rows[0]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_leak_holds_in_training_only(seed: int) -> None:
    data = gen.generate(seed)
    train = rows(data.train_csv)
    labels = [int(r["churned"]) for r in train]
    train_leak_auc = gen.roc_auc(labels, [float(r["account_ref"]) for r in train])
    assert train_leak_auc > 0.85
    assert abs(data.key["leaky_auc"] - 0.5) < 0.06


def test_the_holdout_has_a_region_training_never_shows() -> None:
    data = gen.generate(11)
    train_regions = {r["region"] for r in rows(data.train_csv)}
    holdout_regions = {r["region"] for r in data.holdout_rows}
    assert gen.UNSEEN_REGION in holdout_regions - train_regions
