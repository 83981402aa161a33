"""Right answers written differently from the reference: method chains that write answers.json
once at the end, and a SQL-heavy notebook that cleans in SQLite. They hold the grader to
its promise of no false accusation: every rule must accept them (expected.yaml: >= 95 %, no
red flag). Their narratives quote the figures the candidate saw on the kit's data."""

from __future__ import annotations

from typing import Any

from ds_parts import code, md, notebook, public_key, question_cells


def _figures() -> dict[str, Any]:
    key = public_key()
    q3 = key["q3_ab_test"]["answer"]
    return {"q1": key["q1_march_revenue"]["answer"], "q2": key["q2_business_refund_rate"]["answer"],
            "a": q3["conversion_a"], "b": q3["conversion_b"], "d": q3["difference"],
            "p": q3["p_value"], "ship": q3["ship_b"],
            "cat": key["q4_top_category_q2_sql"]["answer"]["category"],
            "units": key["q4_top_category_q2_sql"]["answer"]["units"]}


CHAINS_SETUP = '''\
import json
import os
import sqlite3
from functools import reduce
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.stats import norm

DATA = Path(os.environ.get("DATA_DIR", "data"))
results: dict[str, object] = {}  # written to answers.json at the end'''

CHAINS_CLEAN = '''\
FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%b %d, %Y")  # ISO, day-first, "Mar 05, 2024"


def parse_dates(values: pd.Series) -> pd.Series:
    attempts = [pd.to_datetime(values, format=f, errors="coerce") for f in FORMATS]
    return reduce(lambda left, right: left.combine_first(right), attempts)


orders = (
    pd.read_csv(DATA / "orders.csv")
    .assign(order_date=lambda d: parse_dates(d["order_date"]),
            status=lambda d: d["status"].str.strip().str.lower())
    .drop_duplicates("order_id")
    .loc[lambda d: d["amount"].fillna(0).lt(99_999)]  # QA test orders
)
customers = pd.read_csv(DATA / "customers.csv").assign(
    segment=lambda d: d["segment"].str.strip().str.lower().replace({"busines": "business"}))
assert orders["order_date"].notna().all()
orders.shape'''

CHAINS_Q1 = '''\
monthly = (
    orders.query("status == 'completed'")
    .assign(month=lambda d: d["order_date"].dt.to_period("M"))
    .groupby("month")["amount"].sum()
)
march = round(float(monthly[pd.Period("2024-03", freq="M")]), 2)
fig, ax = plt.subplots(figsize=(7, 3))
monthly.plot(ax=ax, marker="o")
ax.set(title="Monthly revenue, completed orders", xlabel="Month", ylabel="EUR")
plt.show()
results["q1_march_revenue"] = march'''

CHAINS_Q2 = '''\
refund_rate = (
    orders.merge(customers[["customer_id", "segment"]], on="customer_id", validate="m:1")
    .assign(refunded=lambda d: d["status"].eq("refunded"))
    .groupby("segment")["refunded"].mean()
    .sort_values()
)
fig, ax = plt.subplots(figsize=(6, 3))
refund_rate.mul(100).plot.barh(ax=ax, color="indianred")
ax.set(title="Refund rate by segment", xlabel="Refunded orders (%)", ylabel="Segment")
plt.show()
results["q2_business_refund_rate"] = round(float(refund_rate["business"]), 4)'''

CHAINS_Q3 = '''\
VISITS = 3000
rates = orders["checkout_variant"].value_counts().sort_index() / VISITS
diff = rates["B"] - rates["A"]
pooled = rates.mean()
z = diff / np.sqrt(pooled * (1 - pooled) * 2 / VISITS)
p = float(2 * norm.sf(abs(z)))
fig, ax = plt.subplots(figsize=(4, 3))
rates.plot.bar(ax=ax, yerr=1.96 * np.sqrt(rates * (1 - rates) / VISITS), capsize=4)
ax.set(title="Conversion by variant", xlabel="Variant", ylabel="Conversion rate")
plt.show()
results["q3_ab_test"] = {"conversion_a": float(rates["A"]), "conversion_b": float(rates["B"]),
                         "difference": float(diff), "p_value": p,
                         "ship_b": bool(p < 0.05 and diff > 0)}'''

CHAINS_Q4 = '''\
QUERY = """
WITH q2_orders AS (
    SELECT order_id FROM orders
    WHERE status = 'completed' AND order_date >= '2024-04-01' AND order_date < '2024-07-01'
)
SELECT category, SUM(quantity) AS units
FROM order_lines JOIN q2_orders USING (order_id)
GROUP BY category
ORDER BY units DESC, category
"""
with sqlite3.connect(DATA / "shop.sqlite") as con:
    units = pd.read_sql_query(QUERY, con).set_index("category")["units"]
fig, ax = plt.subplots(figsize=(6, 3))
units.plot.bar(ax=ax, color="darkorange")
ax.set(title="Units sold, April to June 2024", xlabel="Category", ylabel="Units")
plt.show()
results["q4_top_category_q2_sql"] = {"category": units.index[0], "units": int(units.iloc[0])}'''

CHAINS_SAVE = '''\
Path("answers.json").write_text(json.dumps({"answers": results}, indent=2))
results'''


def method_chains() -> Any:
    f = _figures()
    texts = {
        "q1": f"March revenue is {f['q1']:,.2f} EUR over completed orders, counted once per "
              "order and without the six QA orders of 99,999 EUR, which would have dwarfed "
              "every real month.",
        "q2": f"Business customers had {f['q2']:.1%} of their orders refunded. The segment "
              "labels needed trimming, lower-casing and one typo fixed before grouping, or the "
              "rate would cover only part of the segment.",
        "q3": f"A converted {f['a']:.1%} of visits and B {f['b']:.1%}, a difference of "
              f"{f['d'] * 100:.2f} percentage points with a two-sided p-value of {f['p']:.3f} "
              "from a pooled two-proportion z-test over 3,000 visits per arm, so "
              + ("B ships." if f["ship"] else "B does not ship yet: the lift is not "
                                               "significant at the 5% level."),
        "q4": f"{f['cat'].capitalize()} sold the most units between April and June: "
              f"{f['units']:,} units in completed orders, from one SQL query that filters the "
              "orders first and then sums the order lines per category."}
    cells = [md("# Shop analytics (method chains)"), code(CHAINS_SETUP),
             md("## Data cleaning"), code(CHAINS_CLEAN),
             md("Duplicated order rows are dropped by `order_id`, dates are parsed with one "
                "explicit format each (the slash dates are day first), statuses lower-cased, "
                "and the QA test orders of 99,999 EUR removed before anything is summed.")]
    bodies = {"q1": CHAINS_Q1, "q2": CHAINS_Q2, "q3": CHAINS_Q3, "q4": CHAINS_Q4}
    cells += question_cells(bodies, texts)
    cells += [md("## Answers"), code(CHAINS_SAVE)]
    return notebook(cells)


SQL_SETUP = '''\
import json
import os
import sqlite3
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from scipy import stats

DATA = Path(os.environ.get("DATA_DIR", "data"))
db = sqlite3.connect(":memory:")
pd.read_csv(DATA / "orders.csv", dtype=str).to_sql("raw_orders", db, index=False)
pd.read_csv(DATA / "customers.csv", dtype=str).to_sql("raw_customers", db, index=False)


def sql(query: str, con: sqlite3.Connection = db) -> pd.DataFrame:
    return pd.read_sql_query(query, con)


def save(question: str, value) -> None:
    path = Path("answers.json")
    saved = json.loads(path.read_text())["answers"] if path.exists() else {}
    path.write_text(json.dumps({"answers": {**saved, question: value}}, default=float))


Path("answers.json").unlink(missing_ok=True)'''

SQL_CLEAN = '''\
db.executescript("""
CREATE VIEW orders AS
WITH parsed AS (
    SELECT order_id, customer_id, CAST(amount AS REAL) AS amount,
           LOWER(TRIM(status)) AS status, checkout_variant,
           CASE
             WHEN order_date LIKE '____-__-__' THEN order_date
             WHEN order_date LIKE '__/__/____'   -- day first
               THEN substr(order_date, 7, 4) || '-' || substr(order_date, 4, 2) || '-'
                    || substr(order_date, 1, 2)
             ELSE substr(order_date, 9, 4) || '-' ||
                  CASE substr(order_date, 1, 3) WHEN 'Jan' THEN '01' WHEN 'Feb' THEN '02'
                       WHEN 'Mar' THEN '03' WHEN 'Apr' THEN '04' WHEN 'May' THEN '05'
                       WHEN 'Jun' THEN '06' WHEN 'Jul' THEN '07' WHEN 'Aug' THEN '08'
                       WHEN 'Sep' THEN '09' WHEN 'Oct' THEN '10' WHEN 'Nov' THEN '11'
                       ELSE '12' END || '-' || substr(order_date, 5, 2)
           END AS order_date,
           ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY rowid) AS copy
    FROM raw_orders
)
SELECT order_id, customer_id, amount, status, checkout_variant, order_date
FROM parsed WHERE copy = 1 AND COALESCE(amount, 0) < 99999;

CREATE VIEW customers AS
SELECT customer_id,
       CASE WHEN LOWER(TRIM(segment)) = 'busines' THEN 'business'
            ELSE LOWER(TRIM(segment)) END AS segment
FROM raw_customers;
""")
sql("SELECT COUNT(*) AS orders, SUM(status = 'refunded') AS refunded, "
    "MIN(order_date) AS first, MAX(order_date) AS last FROM orders")'''

SQL_Q1 = '''\
monthly = sql("""
    SELECT substr(order_date, 1, 7) AS month, SUM(amount) AS revenue
    FROM orders WHERE status = 'completed'
    GROUP BY month ORDER BY month
""").set_index("month")["revenue"]
ax = monthly.plot(kind="bar", title="Revenue per month")
ax.set_xlabel("Month")
ax.set_ylabel("Revenue (EUR)")
plt.show()
save("q1_march_revenue", round(float(monthly["2024-03"]), 2))'''

SQL_Q2 = '''\
rates = sql("""
    SELECT c.segment, AVG(o.status = 'refunded') AS refund_rate
    FROM orders AS o JOIN customers AS c USING (customer_id)
    GROUP BY c.segment
""").set_index("segment")["refund_rate"]
ax = rates.plot(kind="bar", title="Refund rate by segment")
ax.set_xlabel("Segment")
ax.set_ylabel("Refund rate")
plt.show()
save("q2_business_refund_rate", round(float(rates["business"]), 4))'''

SQL_Q3 = '''\
VISITS = 3000
conv = sql("SELECT checkout_variant AS variant, COUNT(*) AS orders FROM orders "
           "GROUP BY checkout_variant").set_index("variant")["orders"]
chi2, p, _, _ = stats.chi2_contingency([[conv["A"], VISITS - conv["A"]],
                                        [conv["B"], VISITS - conv["B"]]], correction=False)
rate_a, rate_b = conv["A"] / VISITS, conv["B"] / VISITS
ax = (conv / VISITS).plot(kind="bar", title="Conversion by variant")
ax.set_xlabel("Variant")
ax.set_ylabel("Conversion rate")
plt.show()
save("q3_ab_test", {"conversion_a": round(rate_a, 4), "conversion_b": round(rate_b, 4),
                    "difference": round(rate_b - rate_a, 4), "p_value": round(p, 5),
                    "ship_b": bool(p < 0.05 and rate_b > rate_a)})'''

SQL_Q4 = '''\
with sqlite3.connect(DATA / "shop.sqlite") as shop:
    top = sql("""
        SELECT l.category, SUM(l.quantity) AS units
        FROM order_lines AS l JOIN orders AS o ON o.order_id = l.order_id
        WHERE o.status = 'completed' AND o.order_date BETWEEN '2024-04-01' AND '2024-06-30'
        GROUP BY l.category ORDER BY units DESC
    """, shop)
ax = top.plot(kind="barh", x="category", y="units", legend=False, title="Units in Q2")
ax.set_xlabel("Units")
ax.set_ylabel("Category")
plt.show()
save("q4_top_category_q2_sql", {"category": top.loc[0, "category"],
                                "units": int(top.loc[0, "units"])})'''


def sql_heavy() -> Any:
    f = _figures()
    texts = {
        "q1": "Revenue is summed in SQL over the cleaned view: one row per order, dates "
              "normalised to ISO from the three formats, QA test orders excluded, completed "
              f"orders only. March comes to about {f['q1'] / 1000:.1f}k EUR.",
        "q2": "The refund rate per segment is the average of a refunded flag over the cleaned "
              "orders joined to the normalised segments; business refunds "
              f"{f['q2'] * 100:.1f}% of its orders, the most of any segment.",
        "q3": "Conversions are counted per variant in SQL and compared with a chi-square "
              "test without continuity correction on the 2x2 table of 3,000 visits each. "
              f"The p-value is {f['p']:.2f}, "
              + ("so B ships." if f["ship"] else "so we keep A for now."),
        "q4": "The clean database answers this in one query joining the lines to their "
              "completed April to June orders, so refunded units stay out; "
              f"{f['cat']} leads with {f['units']} units."}
    cells = [md("# Shop analytics in SQL"), code(SQL_SETUP), md("## Data cleaning"),
             code(SQL_CLEAN),
             md("The cleaning lives in two SQL views: the first copy of each order, dates "
                "rebuilt as ISO strings (slash dates are day first), lower-cased statuses, no "
                "test orders; segments trimmed, lower-cased and the `Busines` typo fixed.")]
    cells += question_cells({"q1": SQL_Q1, "q2": SQL_Q2, "q3": SQL_Q3, "q4": SQL_Q4}, texts)
    return notebook(cells)
