"""Metrics computed on the host from what a model server answered: ranks, ROC AUC, whether
one list of answers is another in a different order, and the probability and label of one
prediction read defensively."""

from __future__ import annotations

import math
from typing import Any


def ranks(values: list[float]) -> list[float]:
    """Average ranks (ties share theirs), 1-based."""
    order = sorted(range(len(values)), key=values.__getitem__)
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def roc_auc(labels: list[int], scores: list[float]) -> float:
    """Mann-Whitney ROC AUC with average ranks for ties (NaN when one class is absent)."""
    pos = sum(labels)
    neg = len(labels) - pos
    if not pos or not neg:
        return float("nan")
    ranked = ranks(scores)
    return (sum(r for r, y in zip(ranked, labels, strict=True) if y) - pos * (pos + 1) / 2) / (
        pos * neg)


def probability(pred: Any) -> float | None:
    """`pred["probability"]` when it is a finite number in [0, 1]."""
    if not isinstance(pred, dict):
        return None
    p = pred.get("probability")
    if isinstance(p, bool) or not isinstance(p, int | float) or not math.isfinite(p):
        return None
    return float(p) if 0.0 <= p <= 1.0 else None


def label(pred: Any) -> int | None:
    """`pred["label"]` when it is 0 or 1 (booleans accepted)."""
    value = pred.get("label") if isinstance(pred, dict) else None
    if isinstance(value, bool):
        return int(value)
    return value if isinstance(value, int) and value in (0, 1) else None


def is_permutation(xs: list[float | None], ys: list[float | None], tolerance: float) -> bool:
    """Whether the answered values of `ys` are, as a multiset, among those of `xs` (all of
    them when both lists are complete and as long): the same answers in another order."""
    have = sorted(x for x in xs if x is not None)
    want = sorted(y for y in ys if y is not None)
    if not want or len(want) > len(have):
        return False
    i = 0
    for y in want:  # greedy match in sorted order, within the tolerance
        while i < len(have) and have[i] < y - tolerance:
            i += 1
        if i == len(have) or have[i] > y + tolerance:
            return False
        i += 1
    return True
