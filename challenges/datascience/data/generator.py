"""Seeded generator of the data-science take-home's dataset, and its answer key.

An e-commerce shop: customers, orders (with a checkout A/B test) and, in SQLite, order lines
with product categories. The generator first makes *clean* records and decides how each row
of the export is written (duplicates, date format, missing amount, odd status case), then
computes every answer from them (answer_key.py: the key is computed, never typed in, with what
each known mistake gives), and writes the files with the messes real data has: duplicate rows,
missing amounts, inconsistent segment spellings, mixed date formats (ISO, day-first
`05/03/2024`, `Mar 05, 2024`), test orders with absurd amounts, stray whitespace. The internal
test orders fall on 13-30 March and are written in ISO format: no date mistake and no "in
March" boundary excludes them by accident.

Standard library only: grader runs it on the host, for the public data (seed in challenge.yaml)
and for a hidden variant with another seed.

    python generator.py --seed 7 --out DIR     # writes orders.csv, customers.csv, shop.sqlite,
                                               # and answer_key.json (keep that one hidden)
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import json
import math
import random
import sqlite3
import sys
import tempfile
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType
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
TEST_ORDER_AMOUNT = 99_999.0
VISITS = 6000


def _sibling(name: str) -> ModuleType:
    """A module of this folder, imported by its path (grader loads this file by path too)."""
    module_name = f"{__name__}_{name}"
    if module_name not in sys.modules:
        spec = importlib.util.spec_from_file_location(module_name,
                                                      Path(__file__).with_name(f"{name}.py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    return sys.modules[module_name]


answer_key = _sibling("answer_key")


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
    """One row of orders.csv as written: the order, the format of its date, whether its
    amount is left empty and its status written in capitals."""

    order: Order
    style: str           # iso | dmy | text
    blank: bool = False  # amount written empty (refunded orders only)
    upper: bool = False  # status written in capitals


@dataclass(frozen=True)
class Dataset:
    files: dict[str, bytes]
    key: dict[str, Any]


# -- how the dates are written ----------------------------------------------------------------
def _date_text(day: date, style: str) -> str:
    if style == "iso":
        return day.isoformat()
    if style == "dmy":
        return day.strftime("%d/%m/%Y")
    return day.strftime("%b %d, %Y")


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


def _written(rng: random.Random, rows: list[Row]) -> list[Row]:
    """Each row's empty amount (3% of the refunded orders' rows) and capitalised status (2%),
    drawn in the order the file is written."""
    out = []
    for row in rows:
        o = row.order
        blank = not o.is_test and rng.random() < 0.03 and o.status == "refunded"
        out.append(replace(row, blank=blank, upper=rng.random() <= 0.02))
    return out


def generate(seed: int) -> Dataset:
    rng = random.Random(seed)
    customers, orders, lines = _make_records(rng)
    rows = _written(rng, _rows(rng, orders))
    key = answer_key.answers({c["customer_id"]: c["segment"] for c in customers},
                             {c["customer_id"]: c["spelling"] for c in customers}, rows, lines,
                             VISITS // 2)
    key["seed"] = seed

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["order_id", "customer_id", "order_date", "amount", "status",
                     "checkout_variant"])
    for row in rows:
        o = row.order
        writer.writerow([o.order_id, o.customer_id, _date_text(o.day, row.style),
                         "" if row.blank else f"{o.amount:.2f}",
                         o.status.upper() if row.upper else o.status, o.variant])
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
