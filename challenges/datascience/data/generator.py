"""Seeded generator of the data-science take-home's dataset, and its answer key.

An e-commerce shop: customers, orders (with a checkout A/B test) and, in SQLite, order lines
with product categories. The generator first makes *clean* records, computes every answer from
them (the answer key is computed, never typed in), then writes them out with the messes real
data has: exact duplicate rows, missing amounts, inconsistent segment spellings, mixed date
formats, test orders with absurd amounts, stray whitespace. For each answer the key also holds
what the usual mistakes give (no de-duplication, test orders kept, spellings not merged), so
the grader can say "did not deduplicate" rather than only "wrong".

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
QUESTION_MONTH = "2024-03"
TEST_ORDER_AMOUNT = 99_999.0


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
class Dataset:
    files: dict[str, bytes]
    key: dict[str, Any]


def _format_date(day: date, rng: random.Random) -> str:
    style = rng.random()
    if style < 0.6:
        return day.isoformat()
    if style < 0.85:
        return day.strftime("%d/%m/%Y")
    return day.strftime("%b %d, %Y")


def _two_proportion_test(x_a: int, n_a: int, x_b: int, n_b: int) -> tuple[float, float]:
    """(difference B - A, two-sided p-value of the pooled z-test)."""
    p_a, p_b = x_a / n_a, x_b / n_b
    pooled = (x_a + x_b) / (n_a + n_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    z = (p_b - p_a) / se
    return p_b - p_a, math.erfc(abs(z) / math.sqrt(2))


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
    for visit in range(6000):
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
    # Internal test orders (absurd amounts, segment of a real customer), to be excluded.
    for _ in range(6):
        oid += 1
        day = START + timedelta(days=59 + rng.randint(0, 30))  # in March
        orders.append(Order(oid, rng.randint(1, 400), day, TEST_ORDER_AMOUNT, "completed", "A",
                            True, True))
    return customers, orders, lines


def _answers(customers: list[dict[str, Any]], orders: list[Order],
             lines: list[tuple[int, int, str, int]], duplicated: list[Order]) -> dict[str, Any]:
    segment = {c["customer_id"]: c["segment"] for c in customers}
    spelling = {c["customer_id"]: c["spelling"] for c in customers}

    def march_revenue(rows: list[Order], drop_tests: bool) -> float:
        return round(sum(o.amount for o in rows if o.status == "completed"
                         and o.day.strftime("%Y-%m") == QUESTION_MONTH
                         and not (drop_tests and o.is_test)), 2)

    real = [o for o in orders if not o.is_test]
    with_dups = orders + duplicated

    def refund_rate(rows: list[Order], seg: str, merged: bool) -> float:
        if merged:
            mine = [o for o in rows if not o.is_test and segment[o.customer_id] == seg]
        else:  # only rows spelled exactly like the canonical segment name are counted
            mine = [o for o in rows if not o.is_test and spelling[o.customer_id] == seg]
        refunded = sum(1 for o in mine if o.status == "refunded")
        return round(refunded / len(mine), 4)

    visits = 6000
    n_a = n_b = visits // 2
    x_a = sum(1 for o in real if o.variant == "A")
    x_b = sum(1 for o in real if o.variant == "B")
    diff, p_value = _two_proportion_test(x_a, n_a, x_b, n_b)
    # Duplicates kept, test orders dropped: the mistake on its own.
    x_a_dirty = sum(1 for o in with_dups if o.variant == "A" and not o.is_test)
    x_b_dirty = sum(1 for o in with_dups if o.variant == "B" and not o.is_test)
    diff_dirty, p_dirty = _two_proportion_test(x_a_dirty, n_a, x_b_dirty, n_b)

    def category_units(completed_only: bool) -> dict[str, int]:
        wanted = {o.order_id for o in real if date(2024, 4, 1) <= o.day <= date(2024, 6, 30)
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
            "type": "number", "answer": march_revenue(real, True), "rel_tol": 0.005,
            "mistakes": {"no_dedup": march_revenue(real + [d for d in duplicated if not
                                                             d.is_test], True),
                         "test_orders_kept": march_revenue(orders, False),
                         "raw": march_revenue(with_dups, False)}},
        "q2_business_refund_rate": {
            "type": "number", "answer": refund_rate(real, "business", True), "abs_tol": 0.005,
            "mistakes": {"spellings_not_merged": refund_rate(real, "business", False)}},
        "q3_ab_test": {
            "type": "record",
            "answer": {"conversion_a": round(x_a / n_a, 4), "conversion_b": round(x_b / n_b, 4),
                       "difference": round(diff, 4), "p_value": round(p_value, 4),
                       "ship_b": bool(p_value < 0.05 and diff > 0)},
            "abs_tol": {"conversion_a": 0.002, "conversion_b": 0.002, "difference": 0.002,
                        "p_value": 0.01},
            "visits_per_variant": n_a,
            "mistakes": {"no_dedup": {"conversion_a": round(x_a_dirty / n_a, 4),
                                      "conversion_b": round(x_b_dirty / n_b, 4),
                                      "difference": round(diff_dirty, 4),
                                      "p_value": round(p_dirty, 4)}}},
        "q4_top_category_q2_sql": {
            "type": "record", "answer": {"category": top_category, "units": units[top_category]},
            "abs_tol": {"units": 0},
            "units_by_category": dict(sorted(units.items())),
            "mistakes": {"refunds_counted": {"units": max(units_all.values())}}},
    }


def generate(seed: int) -> Dataset:
    rng = random.Random(seed)
    customers, orders, lines = _make_records(rng)
    duplicated = rng.sample(orders, k=len(orders) // 20)  # ~5% exact duplicate rows
    key = _answers(customers, orders, lines, duplicated)
    key["seed"] = seed

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["order_id", "customer_id", "order_date", "amount", "status",
                     "checkout_variant"])
    rows = orders + duplicated
    rng.shuffle(rows)
    for o in rows:
        amount = "" if (not o.is_test and rng.random() < 0.03 and o.status == "refunded") \
            else f"{o.amount:.2f}"
        writer.writerow([o.order_id, o.customer_id, _format_date(o.day, rng), amount,
                         o.status if rng.random() > 0.02 else o.status.upper(), o.variant])
    orders_csv = out.getvalue().encode()

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["customer_id", "segment", "country", "signup_date"])
    for c in customers:
        writer.writerow([c["customer_id"], c["spelling"], c["country"],
                         _format_date(c["signup"], rng)])
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
