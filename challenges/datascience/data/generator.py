"""Seeded generator of the data-science take-home's dataset, and its answer key.

An e-commerce shop: customers, orders (with a checkout A/B test) and, in SQLite, order lines
with product categories. The generator first makes *clean* records and decides how each row
of the export is written (duplicates, date format, missing amount, odd status case), then
computes every answer from them (the answer key is computed, never typed in), and writes the
files with the messes real data has: duplicate rows, missing amounts, inconsistent segment
spellings, mixed date formats (ISO, day-first `05/03/2024`, `Mar 05, 2024`), test orders with
absurd amounts, stray whitespace.

For each answer the key also holds what the usual mistakes give, computed from the rows as
written: no de-duplication, test orders kept, spellings not merged, the usual date mistakes
(month-first on day-first dates, `format="mixed"` with or without `dayfirst=True`, parsing
with `errors="coerce"` and dropping what failed), and for the A/B test the continuity-corrected
(Yates) chi-square, Fisher's exact test and a one-sided test. A mistake is kept in the key only
for the answers (fields) it moves beyond the tolerance, so "did not deduplicate" is a finding,
not a guess. The internal test orders fall on 13-30 March and are written in ISO format: no
date mistake and no "in March" boundary excludes them by accident.

Standard library only: grader runs it on the host, for the public data (seed in challenge.yaml)
and for a hidden variant with another seed.

    python generator.py --seed 7 --out DIR     # writes orders.csv, customers.csv, shop.sqlite,
                                               # and answer_key.json (keep that one hidden)
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import random
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

SEGMENTS = ("consumer", "business", "enterprise")
SPELLINGS = {
    "consumer": ["consumer", "Consumer", "CONSUMER", " consumer", "Consumer "],
    "business": ["business", "Business", "BUSINESS", "Busines", "business "],
    "enterprise": ["enterprise", "Enterprise", "ENTERPRISE", "Enterprise "],
}
CATEGORIES = ("books", "electronics", "garden", "kitchen", "toys")
COUNTRIES = ("DE", "FR", "NL", "ES", "IT", "PL")
START = date(2024, 1, 1)
DAYS = 182  # January to June 2024
QUESTION_MONTH = (2024, 3)
TEST_ORDER_AMOUNT = 99_999.0
VISITS = 6000
ALPHA = 0.05
# Tolerances of the answers (the grader judges with them; mistakes must land outside them).
Q1_REL_TOL = 0.005
Q2_ABS_TOL = 0.005
Q3_ABS_TOL = {"conversion_a": 0.002, "conversion_b": 0.002, "difference": 0.002,
              "p_value": 0.0001}
Q3_REL_TOL = {"p_value": 0.02}


@dataclass(frozen=True)
class Order:
    order_id: int
    customer_id: int
    day: date
    amount: float
    status: str          # completed | refunded
    variant: str         # A | B (checkout experiment)
    converted: bool      # the visit ended in an order (A/B metric)
    is_test: bool        # internal test order: must be excluded


@dataclass(frozen=True)
class Row:
    """One row of orders.csv as written: the order and the format of its date."""

    order: Order
    style: str           # iso | dmy | text


@dataclass(frozen=True)
class Dataset:
    files: dict[str, bytes]
    key: dict[str, Any]


# -- how the dates are written, and how the usual mistakes read them ----------------------------
def _date_text(day: date, style: str) -> str:
    if style == "iso":
        return day.isoformat()
    if style == "dmy":
        return day.strftime("%d/%m/%Y")
    return day.strftime("%b %d, %Y")


def _swapped(day: date) -> date:
    return date(day.year, day.day, day.month)


def _right(row: Row) -> date | None:
    return row.order.day


def _month_first(row: Row) -> date | None:
    """Day-first dates read month-first (format="%m/%d/%Y", errors="coerce"), failures
    dropped: 05/03/2024 becomes 3 May, 13/03/2024 is lost."""
    if row.style != "dmy":
        return row.order.day
    return _swapped(row.order.day) if row.order.day.day <= 12 else None


def _mixed(row: Row) -> date | None:
    """format="mixed" (dateutil, month first): 05/03/2024 becomes 3 May, 13/03/2024 stays."""
    if row.style == "dmy" and row.order.day.day <= 12:
        return _swapped(row.order.day)
    return row.order.day


def _mixed_dayfirst(row: Row) -> date | None:
    """format="mixed", dayfirst=True: day-first dates right, but 2024-03-05 becomes 3 May."""
    if row.style == "iso" and row.order.day.day <= 12:
        return _swapped(row.order.day)
    return row.order.day


def _coerced(row: Row) -> date | None:
    """errors="coerce" with the format of the first row (ISO), failures dropped."""
    return row.order.day if row.style == "iso" else None


# -- the statistics of the A/B test -----------------------------------------------------------
def _two_proportion_test(x_a: int, n_a: int, x_b: int, n_b: int) -> tuple[float, float]:
    """(difference B - A, two-sided p-value of the pooled z-test = chi-square without
    continuity correction)."""
    p_a, p_b = x_a / n_a, x_b / n_b
    pooled = (x_a + x_b) / (n_a + n_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    z = (p_b - p_a) / se
    return p_b - p_a, math.erfc(abs(z) / math.sqrt(2))


def _yates(x_a: int, n_a: int, x_b: int, n_b: int) -> float:
    """p-value of the chi-square test with continuity correction (scipy's default)."""
    table = [[x_a, n_a - x_a], [x_b, n_b - x_b]]
    total, cols = n_a + n_b, [x_a + x_b, n_a + n_b - x_a - x_b]
    chi2 = 0.0
    for i, n in enumerate((n_a, n_b)):
        for j in range(2):
            expected = n * cols[j] / total
            chi2 += max(0.0, abs(table[i][j] - expected) - 0.5) ** 2 / expected
    return math.erfc(math.sqrt(chi2 / 2))


def _fisher(x_a: int, n_a: int, x_b: int, n_b: int) -> float:
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


def _one_sided(x_a: int, n_a: int, x_b: int, n_b: int) -> float:
    """p-value of the one-sided z-test of B > A."""
    p_a, p_b = x_a / n_a, x_b / n_b
    pooled = (x_a + x_b) / (n_a + n_b)
    z = (p_b - p_a) / math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    return 0.5 * math.erfc(z / math.sqrt(2))


# -- records --------------------------------------------------------------------------------------
def _make_records(rng: random.Random) -> tuple[list[dict[str, Any]], list[Order],
                                               list[tuple[int, int, str, int]]]:
    customers = []
    for cid in range(1, 401):
        seg = rng.choices(SEGMENTS, (6, 3, 1))[0]
        # 62% of customers carry the canonical spelling of their segment; the rest another one.
        spelling = seg if rng.random() < 0.62 else rng.choice(SPELLINGS[seg][1:])
        customers.append({"customer_id": cid, "segment": seg, "spelling": spelling,
                          "country": rng.choice(COUNTRIES),
                          "signup": START - timedelta(days=rng.randint(0, 700))})
    # Customers imported from the legacy CRM carry non-canonical segment spellings and are
    # refunded more often: a refund rate computed on the canonical spelling alone is off.
    refund_rate = {"consumer": 0.06, "business": 0.08, "enterprise": 0.03}
    legacy_extra = 0.10
    lift = rng.choice((0.0, 0.035))  # some seeds have a real effect, some do not
    # Which category sells best depends on the seed, so a hard-coded Q4 answer is caught.
    weights = [3, 2, 1, 2, 2]
    rng.shuffle(weights)
    orders: list[Order] = []
    lines: list[tuple[int, int, str, int]] = []
    oid = 1000
    for visit in range(VISITS):
        customer = customers[rng.randrange(len(customers))]
        variant = "A" if visit % 2 == 0 else "B"
        converted = rng.random() < 0.30 + (lift if variant == "B" else 0.0)
        if not converted:
            continue
        oid += 1
        day = START + timedelta(days=rng.randrange(DAYS))
        base = {"consumer": 45.0, "business": 180.0, "enterprise": 900.0}[customer["segment"]]
        amount = round(rng.lognormvariate(math.log(base), 0.5), 2)
        rate = refund_rate[customer["segment"]] + (
            legacy_extra if customer["spelling"] != customer["segment"] else 0.0)
        status = "refunded" if rng.random() < rate else "completed"
        orders.append(Order(oid, customer["customer_id"], day, amount, status, variant,
                            True, False))
        for line_no in range(rng.randint(1, 3)):
            lines.append((oid, line_no + 1, rng.choices(CATEGORIES, weights)[0],
                          rng.randint(1, 4)))
    # Internal test orders (absurd amounts, segment of a real customer), to be excluded: on
    # 13-30 March, so that neither a day/month swap nor a month boundary moves them out.
    for _ in range(6):
        oid += 1
        day = date(2024, 3, rng.randint(13, 30))
        orders.append(Order(oid, rng.randint(1, 400), day, TEST_ORDER_AMOUNT, "completed", "A",
                            True, True))
    return customers, orders, lines


def _kept(rows: list[Row], parse: Callable[[Row], date | None], dedup: bool = True,
          drop_tests: bool = True) -> list[tuple[Order, date]]:
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


def _close(a: float, b: float, rel: float, abs_: float) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def _distinct_number(answer: float, mistakes: dict[str, float], rel: float,
                     abs_: float) -> dict[str, float]:
    """The mistakes whose answer lands outside the tolerance (the others cannot be told)."""
    return {m: v for m, v in mistakes.items() if not _close(v, answer, rel, abs_)}


def _distinct_record(answer: dict[str, Any], mistakes: dict[str, dict[str, Any]],
                     rel: dict[str, float], abs_: dict[str, float]) -> dict[str, dict[str, Any]]:
    out = {}
    for name, fields in mistakes.items():
        kept = {f: v for f, v in fields.items() if isinstance(v, bool) or not _close(
            v, answer[f], rel.get(f, 0.0), abs_.get(f, 0.0))}
        if kept:
            out[name] = kept
    return out


def _answers(customers: list[dict[str, Any]], rows: list[Row],
             lines: list[tuple[int, int, str, int]]) -> dict[str, Any]:
    segment = {c["customer_id"]: c["segment"] for c in customers}
    spelling = {c["customer_id"]: c["spelling"] for c in customers}
    date_mistakes = {"dates_month_first": _month_first, "dates_mixed": _mixed,
                     "dates_mixed_dayfirst": _mixed_dayfirst, "dates_coerced_dropped": _coerced}
    right = _kept(rows, _right)

    def march_revenue(kept: list[tuple[Order, date]]) -> float:
        return round(sum(o.amount for o, day in kept if o.status == "completed"
                         and (day.year, day.month) == QUESTION_MONTH), 2)

    def refund_rate(kept: list[tuple[Order, date]], merged: bool = True) -> float:
        names = segment if merged else spelling  # unmerged: only the exact spelling counts
        mine = [o for o, _ in kept if not o.is_test and names[o.customer_id] == "business"]
        return round(sum(1 for o in mine if o.status == "refunded") / len(mine), 4)

    n = VISITS // 2

    def ab(kept: list[tuple[Order, date]]) -> dict[str, Any]:
        x_a = sum(1 for o, _ in kept if o.variant == "A")
        x_b = sum(1 for o, _ in kept if o.variant == "B")
        diff, p_value = _two_proportion_test(x_a, n, x_b, n)
        return {"conversion_a": round(x_a / n, 4), "conversion_b": round(x_b / n, 4),
                "difference": round(diff, 4), "p_value": round(p_value, 6),
                "ship_b": bool(p_value < ALPHA and diff > 0), "x": (x_a, x_b)}

    q1 = march_revenue(right)
    q1_mistakes = {"no_dedup": march_revenue(_kept(rows, _right, dedup=False)),
                   "test_orders_kept": march_revenue(_kept(rows, _right, drop_tests=False)),
                   "raw": march_revenue(_kept(rows, _right, False, False))}
    q1_mistakes.update({m: march_revenue(_kept(rows, f)) for m, f in date_mistakes.items()})

    q2 = refund_rate(right)
    q2_mistakes = {"spellings_not_merged": refund_rate(right, merged=False),
                   "no_dedup": refund_rate(_kept(rows, _right, dedup=False))}
    q2_mistakes.update({m: refund_rate(_kept(rows, date_mistakes[m]))
                        for m in ("dates_month_first", "dates_coerced_dropped")})

    q3 = ab(right)
    x_a, x_b = q3.pop("x")
    q3_mistakes: dict[str, dict[str, Any]] = {}
    for name, kept in (("no_dedup", _kept(rows, _right, dedup=False)),
                       ("raw", _kept(rows, _right, False, False)),
                       ("dates_month_first", _kept(rows, _month_first)),
                       ("dates_coerced_dropped", _kept(rows, _coerced))):
        wrong = ab(kept)
        wrong.pop("x")
        wrong.pop("ship_b")
        q3_mistakes[name] = wrong
    q3_mistakes["yates"] = {"p_value": round(_yates(x_a, n, x_b, n), 6)}
    q3_mistakes["fisher_exact"] = {"p_value": round(_fisher(x_a, n, x_b, n), 6)}
    q3_mistakes["one_sided"] = {"p_value": round(_one_sided(x_a, n, x_b, n), 6)}

    def category_units(completed_only: bool) -> dict[str, int]:
        wanted = {o.order_id for o, _ in right
                  if date(2024, 4, 1) <= o.day <= date(2024, 6, 30)
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
            "mistakes": _distinct_number(q1, q1_mistakes, Q1_REL_TOL, 0.0)},
        "q2_business_refund_rate": {
            "type": "number", "answer": q2, "abs_tol": Q2_ABS_TOL,
            "mistakes": _distinct_number(q2, q2_mistakes, 0.0, Q2_ABS_TOL)},
        "q3_ab_test": {
            "type": "record", "answer": q3, "abs_tol": Q3_ABS_TOL, "rel_tol": Q3_REL_TOL,
            "nearest": ["p_value"], "visits_per_variant": n,
            "mistakes": _distinct_record(q3, q3_mistakes, Q3_REL_TOL, Q3_ABS_TOL)},
        "q4_top_category_q2_sql": {
            "type": "record", "answer": {"category": top_category, "units": units[top_category]},
            "abs_tol": {"units": 0},
            "units_by_category": dict(sorted(units.items())),
            "mistakes": {"refunds_counted": {"units": max(units_all.values())}}},
    }


def _rows(rng: random.Random, orders: list[Order]) -> list[Row]:
    """The export's rows: every order, ~5% of them twice, shuffled, each with its date format
    (the first row and the test orders in ISO format)."""
    duplicated = rng.sample(orders, k=len(orders) // 20)
    written = orders + duplicated
    rng.shuffle(written)
    rows = []
    for i, order in enumerate(written):
        style = rng.random()
        text = "iso" if style < 0.6 else "dmy" if style < 0.85 else "text"
        rows.append(Row(order, "iso" if i == 0 or order.is_test else text))
    return rows


def generate(seed: int) -> Dataset:
    rng = random.Random(seed)
    customers, orders, lines = _make_records(rng)
    rows = _rows(rng, orders)
    key = _answers(customers, rows, lines)
    key["seed"] = seed

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["order_id", "customer_id", "order_date", "amount", "status",
                     "checkout_variant"])
    for row in rows:
        o = row.order
        amount = "" if (not o.is_test and rng.random() < 0.03 and o.status == "refunded") \
            else f"{o.amount:.2f}"
        writer.writerow([o.order_id, o.customer_id, _date_text(o.day, row.style), amount,
                         o.status if rng.random() > 0.02 else o.status.upper(), o.variant])
    orders_csv = out.getvalue().encode()

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["customer_id", "segment", "country", "signup_date"])
    for c in customers:
        style = rng.random()
        writer.writerow([c["customer_id"], c["spelling"], c["country"], _date_text(
            c["signup"], "iso" if style < 0.6 else "dmy" if style < 0.85 else "text")])
    customers_csv = out.getvalue().encode()

    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "shop.sqlite"
        conn = sqlite3.connect(db_path)
        conn.executescript("""
            CREATE TABLE order_lines (order_id INTEGER, line_no INTEGER, category TEXT,
                                      quantity INTEGER, PRIMARY KEY (order_id, line_no));
            CREATE TABLE orders (order_id INTEGER PRIMARY KEY, order_date TEXT, status TEXT);
        """)
        conn.executemany("INSERT INTO order_lines VALUES (?, ?, ?, ?)", lines)
        conn.executemany("INSERT INTO orders VALUES (?, ?, ?)",
                         [(o.order_id, o.day.isoformat(), o.status) for o in orders
                          if not o.is_test])
        conn.commit()
        conn.close()
        db = db_path.read_bytes()
    return Dataset(files={"orders.csv": orders_csv, "customers.csv": customers_csv,
                          "shop.sqlite": db}, key=key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    data = generate(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, content in data.files.items():
        (args.out / name).write_bytes(content)
    (args.out / "answer_key.json").write_text(json.dumps(data.key, indent=2) + "\n")


if __name__ == "__main__":
    main()
