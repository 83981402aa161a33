"""A right answer in another library: a polars notebook (lazy cleaning, expressions, the z-test
by hand with math.erfc, the SQL question through sqlite3 into a polars frame), polars declared
in requirements.txt. It holds the grader to its promise that the library is not what is graded:
expected.yaml asks >= 95 % and no red flag. Its narrative quotes the figures of the kit's data."""

from __future__ import annotations

from typing import Any

from ds_parts import code, md, notebook, public_key, question_cells

REQUIREMENTS = b"polars==2.1.0\n"

SETUP = '''\
import json
import math
import os
import sqlite3
from pathlib import Path

import matplotlib.pyplot as plt
import polars as pl

DATA = Path(os.environ.get("DATA_DIR", "data"))
OUT = Path("answers.json")
OUT.unlink(missing_ok=True)


def save(name: str, value: object) -> None:
    current = json.loads(OUT.read_text())["answers"] if OUT.exists() else {}
    current[name] = value
    OUT.write_text(json.dumps({"answers": current}, indent=1))'''

CLEAN = '''\
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%b %d, %Y"]  # ISO, day first, "Mar 05, 2024"

orders = (
    pl.scan_csv(DATA / "orders.csv", infer_schema=False)  # all text: nothing guessed
    .with_columns(
        pl.coalesce([pl.col("order_date").str.strptime(pl.Date, fmt, strict=False)
                     for fmt in DATE_FORMATS]),
        pl.col("order_id", "customer_id").cast(pl.Int64),
        pl.col("amount").cast(pl.Float64),
        pl.col("status").str.strip_chars().str.to_lowercase(),
    )
    .unique(subset="order_id", keep="first", maintain_order=True)
    .filter(pl.col("amount").fill_null(0.0) < 99_999)  # the QA orders
    .collect()
)
customers = pl.read_csv(DATA / "customers.csv").with_columns(
    pl.col("segment").str.strip_chars().str.to_lowercase().replace("busines", "business"))
assert orders["order_date"].null_count() == 0
orders.describe()'''

Q1 = '''\
monthly = (
    orders.filter(pl.col("status") == "completed")
    .group_by(month=pl.col("order_date").dt.truncate("1mo"))
    .agg(revenue=pl.col("amount").sum())
    .sort("month")
)
plt.figure(figsize=(7, 3))
plt.plot(monthly["month"].to_list(), monthly["revenue"].to_list(), marker="o")
plt.title("Revenue of completed orders per month")
plt.xlabel("Month")
plt.ylabel("Revenue (EUR)")
plt.show()
march = monthly.filter(pl.col("month") == pl.date(2024, 3, 1))["revenue"].item()
save("q1_march_revenue", round(march, 2))
monthly'''

Q2 = '''\
refunds = (
    orders.join(customers.select("customer_id", "segment"), on="customer_id", how="left",
                validate="m:1")
    .group_by("segment")
    .agg(rate=(pl.col("status") == "refunded").mean(), orders=pl.len())
    .sort("rate")
)
plt.figure(figsize=(6, 3))
plt.barh(refunds["segment"].to_list(), refunds["rate"].to_list())
plt.title("Share of orders refunded")
plt.xlabel("Refund rate")
plt.ylabel("Segment")
plt.show()
save("q2_business_refund_rate",
     round(refunds.filter(pl.col("segment") == "business")["rate"].item(), 4))
refunds'''

Q3 = '''\
VISITS = 3_000  # per variant, from the question
per_variant = dict(orders.group_by("checkout_variant").len().iter_rows())
rate_a, rate_b = per_variant["A"] / VISITS, per_variant["B"] / VISITS
pooled = (per_variant["A"] + per_variant["B"]) / (2 * VISITS)
z = (rate_b - rate_a) / math.sqrt(pooled * (1 - pooled) * (2 / VISITS))
p_value = math.erfc(abs(z) / math.sqrt(2))  # two-sided
plt.figure(figsize=(4, 3))
plt.bar(["A", "B"], [rate_a, rate_b])
plt.title("Checkout conversion")
plt.xlabel("Variant")
plt.ylabel("Conversion rate")
plt.show()
save("q3_ab_test", {"conversion_a": round(rate_a, 4), "conversion_b": round(rate_b, 4),
                    "difference": round(rate_b - rate_a, 4), "p_value": round(p_value, 5),
                    "ship_b": p_value < 0.05 and rate_b > rate_a})
z, p_value'''

Q4 = '''\
TOP_CATEGORIES = """
SELECT lines.category, SUM(lines.quantity) AS units
FROM order_lines AS lines
JOIN orders ON orders.order_id = lines.order_id
WHERE orders.status = 'completed'
  AND orders.order_date >= '2024-04-01' AND orders.order_date < '2024-07-01'
GROUP BY lines.category
ORDER BY units DESC, lines.category
"""
with sqlite3.connect(DATA / "shop.sqlite") as shop:
    cursor = shop.execute(TOP_CATEGORIES)
    top = pl.DataFrame(cursor.fetchall(), schema=[c[0] for c in cursor.description],
                       orient="row")
plt.figure(figsize=(6, 3))
plt.bar(top["category"].to_list(), top["units"].to_list())
plt.title("Units sold in Q2 2024, completed orders")
plt.xlabel("Category")
plt.ylabel("Units")
plt.show()
best = top.row(0, named=True)
save("q4_top_category_q2_sql", {"category": best["category"], "units": int(best["units"])})
top'''


def polars_notebook() -> tuple[Any, dict[str, bytes]]:
    key = public_key()
    q3 = key["q3_ab_test"]["answer"]
    q4 = key["q4_top_category_q2_sql"]["answer"]
    texts = {
        "q1": f"Completed orders in March 2024 bring {key['q1_march_revenue']['answer']:,.2f} "
              "EUR. Each order is counted once and the QA orders at 99,999 EUR are out; with "
              "them March would look like the best month by far.",
        "q2": f"{key['q2_business_refund_rate']['answer']:.1%} of business orders were "
              "refunded over the whole period. The segment column needed trimming, "
              "lower-casing and the 'Busines' typo merged before the join.",
        "q3": f"Conversion is {q3['conversion_a']:.2%} for A and {q3['conversion_b']:.2%} for "
              f"B ({q3['difference'] * 100:.2f} points). A two-sided pooled z-test over the "
              f"3,000 visits of each arm gives p = {q3['p_value']:.3f}, "
              + ("so I would ship B." if q3["ship_b"] else
                 "so the lift could be noise: I would not ship B on this evidence."),
        "q4": f"{q4['category'].title()} leads the second quarter with {q4['units']:,} units, "
              "from one query over the shop database joining order lines to completed orders "
              "between April and June."}
    cells = [md("# Shop analytics with polars"), code(SETUP), md("## Cleaning"), code(CLEAN),
             md("One row per `order_id` (the export repeats orders), dates parsed with an "
                "explicit format each (slash dates are day first), statuses normalised, the "
                "99,999 EUR QA orders dropped, and segment labels cleaned.")]
    cells += question_cells({"q1": Q1, "q2": Q2, "q3": Q3, "q4": Q4}, texts)
    return notebook(cells), {"requirements.txt": REQUIREMENTS}
