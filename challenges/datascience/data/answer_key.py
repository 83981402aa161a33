"""The data-science take-home's answer key, computed from the rows of the export as written,
with what each known mistake gives (standard library only; used by generator.py).

Each known mistake is a way of reading the same rows that a real analysis takes: no
de-duplication, test orders kept, the usual date mistakes (month-first on day-first dates,
`format="mixed"` with or without `dayfirst=True`, `errors="coerce"` and dropping what failed),
dates moved by a time-zone conversion (midnight local time is the evening before in UTC, so
each month's first day falls into the previous month), orders joined with their order lines
(each order counted once per line), real orders trimmed as outliers (|z| > 3 once the test
orders are gone; the 1.5 IQR fences with them still in), the A/B test on the wrong population
(refunded orders not counted as conversions; customers counted instead of orders), a rate as
the mean of per-customer rates, and for the p-value the continuity correction (Yates),
Fisher's exact test and a one-sided test (also what picking the smallest of several tests
ends on). A mistake is kept in the key only for the answers (fields) it moves beyond their
tolerance, so "did not deduplicate" is a finding, not a guess.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any, Protocol

QUESTION_MONTH = (2024, 3)
Q4_PERIOD = (date(2024, 4, 1), date(2024, 6, 30))
ALPHA = 0.05
Z_LIMIT = 3.0      # |z| beyond which an outlier-trimming step drops an order
IQR_FENCE = 1.5    # Tukey's fences
# Tolerances of the answers (the grader judges with them; mistakes must land outside them).
Q1_REL_TOL = 0.005
Q2_ABS_TOL = 0.005
Q3_ABS_TOL = {"conversion_a": 0.002, "conversion_b": 0.002, "difference": 0.002,
              "p_value": 0.0001}
Q3_REL_TOL = {"p_value": 0.02}


class OrderLike(Protocol):
    order_id: int
    customer_id: int
    day: date
    amount: float
    status: str
    variant: str
    is_test: bool


class RowLike(Protocol):
    order: OrderLike
    style: str     # iso | dmy | text
    blank: bool    # the amount is written empty


Kept = list[tuple[OrderLike, date]]
Line = tuple[int, int, str, int]


# -- how the usual mistakes read the dates --------------------------------------------------------
def _swapped(day: date) -> date:
    return date(day.year, day.day, day.month)


def right(row: RowLike) -> date | None:
    return row.order.day


def month_first(row: RowLike) -> date | None:
    """Day-first dates read month-first (format="%m/%d/%Y", errors="coerce"), failures
    dropped: 05/03/2024 becomes 3 May, 13/03/2024 is lost."""
    if row.style != "dmy":
        return row.order.day
    return _swapped(row.order.day) if row.order.day.day <= 12 else None


def mixed(row: RowLike) -> date | None:
    """format="mixed" (dateutil, month first): 05/03/2024 becomes 3 May, 13/03/2024 stays."""
    if row.style == "dmy" and row.order.day.day <= 12:
        return _swapped(row.order.day)
    return row.order.day


def mixed_dayfirst(row: RowLike) -> date | None:
    """format="mixed", dayfirst=True: day-first dates right, but 2024-03-05 becomes 3 May."""
    if row.style == "iso" and row.order.day.day <= 12:
        return _swapped(row.order.day)
    return row.order.day


def coerced(row: RowLike) -> date | None:
    """errors="coerce" with the format of the first row (ISO), failures dropped."""
    return row.order.day if row.style == "iso" else None


def tz_shifted(row: RowLike) -> date | None:
    """Midnight local time converted to UTC (or to a zone west of it) is the previous evening:
    every date moves back a day, so each month's first day falls into the previous month."""
    return row.order.day - timedelta(days=1)


DATE_MISTAKES: dict[str, Callable[[RowLike], date | None]] = {
    "dates_month_first": month_first, "dates_mixed": mixed,
    "dates_mixed_dayfirst": mixed_dayfirst, "dates_coerced_dropped": coerced}


# -- the statistics of the A/B test -----------------------------------------------------------
def two_proportion_test(x_a: int, n_a: int, x_b: int, n_b: int) -> tuple[float, float]:
    """(difference B - A, two-sided p-value of the pooled z-test = chi-square without
    continuity correction)."""
    p_a, p_b = x_a / n_a, x_b / n_b
    pooled = (x_a + x_b) / (n_a + n_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    z = (p_b - p_a) / se
    return p_b - p_a, math.erfc(abs(z) / math.sqrt(2))


def yates(x_a: int, n_a: int, x_b: int, n_b: int) -> float:
    """p-value of the chi-square test with continuity correction (scipy's default)."""
    table = [[x_a, n_a - x_a], [x_b, n_b - x_b]]
    total, cols = n_a + n_b, [x_a + x_b, n_a + n_b - x_a - x_b]
    chi2 = 0.0
    for i, n in enumerate((n_a, n_b)):
        for j in range(2):
            expected = n * cols[j] / total
            chi2 += max(0.0, abs(table[i][j] - expected) - 0.5) ** 2 / expected
    return math.erfc(math.sqrt(chi2 / 2))


def fisher(x_a: int, n_a: int, x_b: int, n_b: int) -> float:
    """Two-sided p-value of Fisher's exact test (tables no more likely than the observed)."""
    def log_choose(n: int, k: int) -> float:
        return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)

    k = x_a + x_b
    norm = log_choose(n_a + n_b, k)

    def log_p(x: int) -> float:
        return log_choose(n_a, x) + log_choose(n_b, k - x) - norm

    observed = log_p(x_a)
    return min(1.0, sum(math.exp(log_p(x)) for x in range(max(0, k - n_b), min(k, n_a) + 1)
                        if log_p(x) <= observed + 1e-7))


def one_sided(x_a: int, n_a: int, x_b: int, n_b: int) -> float:
    """p-value of the one-sided z-test of B > A."""
    p_a, p_b = x_a / n_a, x_b / n_b
    pooled = (x_a + x_b) / (n_a + n_b)
    z = (p_b - p_a) / math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    return 0.5 * math.erfc(z / math.sqrt(2))


# -- which orders an analysis keeps ---------------------------------------------------------------
def kept(rows: Sequence[RowLike], parse: Callable[[RowLike], date | None], dedup: bool = True,
         drop_tests: bool = True) -> Kept:
    """The orders an analysis keeps, with the dates it read: rows whose date failed to parse
    are dropped first, then duplicates (the first row of an order_id is kept)."""
    seen: set[int] = set()
    out = []
    for row in rows:
        day = parse(row)
        if day is None or (dedup and row.order.order_id in seen):
            continue
        seen.add(row.order.order_id)
        if not (drop_tests and row.order.is_test):
            out.append((row.order, day))
    return out


def trimmed(rows: Sequence[RowLike], rule: str) -> Kept:
    """The de-duplicated orders after an outlier-trimming step on `amount` (pandas: a row whose
    amount is missing fails the comparison and goes too):

    - `zscore`: the test orders dropped first, then |z| > 3 (mean and sample standard
      deviation of the remaining amounts). With the test orders still in, their 99,999 EUR
      widens the deviation so much that only they go: no mistake;
    - `iqr`: Tukey's fences (1.5 IQR beyond the quartiles, pandas' linear quantiles) over every
      amount, the test orders included (the fences drop them, and many real orders)."""
    seen: set[int] = set()
    first = []
    for row in rows:
        if row.order.order_id not in seen:
            seen.add(row.order.order_id)
            first.append(row)
    if rule == "zscore":
        pool = [r for r in first if not r.order.is_test]
        amounts = [r.order.amount for r in pool if not r.blank]
        mean, sd = statistics.mean(amounts), statistics.stdev(amounts)
        return [(r.order, r.order.day) for r in pool
                if not r.blank and abs(r.order.amount - mean) / sd <= Z_LIMIT]
    amounts = [r.order.amount for r in first if not r.blank]
    q1, _, q3 = statistics.quantiles(amounts, n=4, method="inclusive")
    low, high = q1 - IQR_FENCE * (q3 - q1), q3 + IQR_FENCE * (q3 - q1)
    return [(r.order, r.order.day) for r in first
            if not r.blank and low <= r.order.amount <= high]


# -- comparing with the tolerance -----------------------------------------------------------------
def close(a: float, b: float, rel: float, abs_: float) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def distinct_number(answer: float, mistakes: dict[str, float], rel: float,
                    abs_: float) -> dict[str, float]:
    """The mistakes whose answer lands outside the tolerance (the others cannot be told)."""
    return {m: v for m, v in mistakes.items() if not close(v, answer, rel, abs_)}


def distinct_record(answer: dict[str, Any], mistakes: dict[str, dict[str, Any]],
                    rel: dict[str, float], abs_: dict[str, float]) -> dict[str, dict[str, Any]]:
    out = {}
    for name, fields in mistakes.items():
        moved = {f: v for f, v in fields.items() if isinstance(v, bool) or not close(
            v, answer[f], rel.get(f, 0.0), abs_.get(f, 0.0))}
        if moved:
            out[name] = moved
    return out


# -- the key ------------------------------------------------------------------------------------
def answers(segment: dict[int, str], spelling: dict[int, str], rows: Sequence[RowLike],
            lines: Sequence[Line], visits_per_variant: int) -> dict[str, Any]:
    """Every question's entry of the key: type, answer, tolerances and known mistakes.
    `segment`/`spelling`: each customer's true segment and the spelling the export gives."""
    good = kept(rows, right)
    per_line: dict[int, int] = {}
    for order_id, *_ in lines:
        per_line[order_id] = per_line.get(order_id, 0) + 1
    trims = {f"outliers_{rule}": trimmed(rows, rule) for rule in ("zscore", "iqr")}
    no_dedup, raw = kept(rows, right, dedup=False), kept(rows, right, False, False)

    def march_revenue(orders: Kept, times: Callable[[OrderLike], int] = lambda o: 1) -> float:
        return round(sum(o.amount * times(o) for o, day in orders if o.status == "completed"
                         and (day.year, day.month) == QUESTION_MONTH), 2)

    def refund_rate(orders: Kept, merged: bool = True) -> float:
        names = segment if merged else spelling  # unmerged: only the exact spelling counts
        mine = [o for o, _ in orders if not o.is_test and names[o.customer_id] == "business"]
        return round(sum(1 for o in mine if o.status == "refunded") / len(mine), 4)

    def mean_of_customer_rates(orders: Kept) -> float:
        per: dict[int, list[bool]] = {}
        for o, _ in orders:
            if not o.is_test and segment[o.customer_id] == "business":
                per.setdefault(o.customer_id, []).append(o.status == "refunded")
        return round(statistics.mean(sum(v) / len(v) for v in per.values()), 4)

    n = visits_per_variant

    def ab(conversions: Callable[[str], int]) -> dict[str, Any]:
        x_a, x_b = conversions("A"), conversions("B")
        diff, p_value = two_proportion_test(x_a, n, x_b, n)
        return {"conversion_a": round(x_a / n, 4), "conversion_b": round(x_b / n, 4),
                "difference": round(diff, 4), "p_value": round(p_value, 6),
                "ship_b": bool(p_value < ALPHA and diff > 0), "x": (x_a, x_b)}

    def orders_of(orders: Kept, keep: Callable[[OrderLike], bool] = lambda o: True,
                  times: Callable[[OrderLike], int] = lambda o: 1) -> Callable[[str], int]:
        return lambda variant: sum(times(o) for o, _ in orders if o.variant == variant
                                   and keep(o))

    q1 = march_revenue(good)
    q1_mistakes = {"no_dedup": march_revenue(no_dedup),
                   "test_orders_kept": march_revenue(kept(rows, right, drop_tests=False)),
                   "raw": march_revenue(raw),
                   **{m: march_revenue(kept(rows, f)) for m, f in DATE_MISTAKES.items()},
                   "tz_shift": march_revenue(kept(rows, tz_shifted)),
                   "join_per_line": march_revenue(good, lambda o: per_line.get(o.order_id, 0)),
                   **{m: march_revenue(orders) for m, orders in trims.items()}}

    q2 = refund_rate(good)
    q2_mistakes = {"spellings_not_merged": refund_rate(good, merged=False),
                   "no_dedup": refund_rate(no_dedup),
                   **{m: refund_rate(kept(rows, DATE_MISTAKES[m]))
                      for m in ("dates_month_first", "dates_coerced_dropped")},
                   "mean_of_customer_rates": mean_of_customer_rates(good),
                   **{m: refund_rate(orders) for m, orders in trims.items()}}

    q3 = ab(orders_of(good))
    x_a, x_b = q3.pop("x")
    wrong_ab = {
        "no_dedup": ab(orders_of(no_dedup)), "raw": ab(orders_of(raw)),
        **{m: ab(orders_of(kept(rows, DATE_MISTAKES[m])))
           for m in ("dates_month_first", "dates_coerced_dropped")},
        "completed_only": ab(orders_of(good, lambda o: o.status == "completed")),
        "distinct_customers": ab(lambda v: len({o.customer_id for o, _ in good
                                                if o.variant == v})),
        "join_per_line": ab(orders_of(good, times=lambda o: per_line.get(o.order_id, 0))),
        **{m: ab(orders_of(orders)) for m, orders in trims.items()}}
    q3_mistakes: dict[str, dict[str, Any]] = {}
    for name, wrong in wrong_ab.items():
        wrong.pop("x")
        wrong.pop("ship_b")
        q3_mistakes[name] = wrong
    q3_mistakes["yates"] = {"p_value": round(yates(x_a, n, x_b, n), 6)}
    q3_mistakes["fisher_exact"] = {"p_value": round(fisher(x_a, n, x_b, n), 6)}
    q3_mistakes["one_sided"] = {"p_value": round(one_sided(x_a, n, x_b, n), 6)}

    def category_units(completed_only: bool) -> dict[str, int]:
        wanted = {o.order_id for o, _ in good if Q4_PERIOD[0] <= o.day <= Q4_PERIOD[1]
                  and (o.status == "completed" or not completed_only)}
        units: dict[str, int] = {}
        for order_id, _, category, quantity in lines:
            if order_id in wanted:
                units[category] = units.get(category, 0) + quantity
        return units

    units = category_units(True)
    top_category = max(sorted(units), key=lambda c: units[c])
    units_all = category_units(False)

    return {
        "q1_march_revenue": {
            "type": "number", "answer": q1, "rel_tol": Q1_REL_TOL,
            "mistakes": distinct_number(q1, q1_mistakes, Q1_REL_TOL, 0.0)},
        "q2_business_refund_rate": {
            "type": "number", "answer": q2, "abs_tol": Q2_ABS_TOL,
            "mistakes": distinct_number(q2, q2_mistakes, 0.0, Q2_ABS_TOL)},
        "q3_ab_test": {
            "type": "record", "answer": q3, "abs_tol": Q3_ABS_TOL, "rel_tol": Q3_REL_TOL,
            "nearest": ["p_value"], "visits_per_variant": n,
            "mistakes": distinct_record(q3, q3_mistakes, Q3_REL_TOL, Q3_ABS_TOL)},
        "q4_top_category_q2_sql": {
            "type": "record", "answer": {"category": top_category, "units": units[top_category]},
            "abs_tol": {"units": 0},
            "units_by_category": dict(sorted(units.items())),
            "mistakes": {"refunds_counted": {"units": max(units_all.values())}}},
    }
