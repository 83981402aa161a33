"""Flawed solutions about the A/B decision (issue 22), each a complete notebook in its own
style, right everywhere else:

- `cherry-picked-p`: a "try several tests" cell (chi-square with and without the correction,
  Fisher, Welch's t, Mann-Whitney, a one-sided z-test) that reports the smallest p-value: the
  one-sided one, half the two-sided p. The decision happens to be the same on both datasets;
  the p-value overstates the evidence;
- `narrative-contradicts`: a report-style notebook whose code records `ship_b: false` (its
  p-value is 0.15) while the narrative under Q3 calls the lift statistically significant and
  recommends rolling out B.

solutions/expected.yaml holds each to its range, the check that names the cause and its red
flag."""

from __future__ import annotations

from typing import Any

from ds_parts import code, md, notebook, public_key, question_cells

# -- cherry-picked-p ----------------------------------------------------------------------------
CHERRY_SETUP = '''\
import json
import os
import sqlite3
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

DATA = Path(os.environ.get("DATA_DIR", "data"))
answers: dict[str, object] = {}


def keep(question: str, value: object) -> None:
    answers[question] = value
    Path("answers.json").write_text(json.dumps({"answers": answers}, indent=2, default=float))'''

CHERRY_CLEAN = '''\
raw = pd.read_csv(DATA / "orders.csv", dtype={"order_date": str})
iso = pd.to_datetime(raw["order_date"], format="%Y-%m-%d", errors="coerce")
day_first = pd.to_datetime(raw["order_date"], format="%d/%m/%Y", errors="coerce")
text = pd.to_datetime(raw["order_date"], format="%b %d, %Y", errors="coerce")
orders = raw.assign(order_date=iso.combine_first(day_first).combine_first(text),
                    status=raw["status"].str.casefold())
orders = orders.drop_duplicates("order_id")
orders = orders[orders["amount"].ne(99999) | orders["amount"].isna()]
assert orders["order_date"].notna().all()

customers = pd.read_csv(DATA / "customers.csv")
customers["segment"] = customers["segment"].str.strip().str.casefold().replace(
    "busines", "business")
orders.shape, customers["segment"].value_counts().to_dict()'''

CHERRY_Q1 = '''\
completed = orders[orders["status"].eq("completed")]
per_month = completed.groupby(completed["order_date"].dt.month)["amount"].sum()
fig, ax = plt.subplots()
ax.bar(per_month.index, per_month.values, color="slateblue")
ax.set_title("Revenue by month, 2024")
ax.set_xlabel("Month number")
ax.set_ylabel("Revenue (EUR)")
plt.show()
keep("q1_march_revenue", round(float(per_month.loc[3]), 2))'''

CHERRY_Q2 = '''\
biz = orders.merge(customers, on="customer_id", how="inner").query("segment == 'business'")
share = biz["status"].eq("refunded").mean()
counts = biz["status"].value_counts()
fig, ax = plt.subplots()
ax.bar(counts.index, counts.values, color=["seagreen", "tomato"])
ax.set_title("Business orders by status")
ax.set_xlabel("Status")
ax.set_ylabel("Orders")
plt.show()
keep("q2_business_refund_rate", round(float(share), 4))'''

CHERRY_Q3 = '''\
VISITS = 3000
x = orders["checkout_variant"].value_counts()
# one outcome per visit: 1 = converted
a = np.r_[np.ones(x["A"]), np.zeros(VISITS - x["A"])]
b = np.r_[np.ones(x["B"]), np.zeros(VISITS - x["B"])]
table = [[x["A"], VISITS - x["A"]], [x["B"], VISITS - x["B"]]]
pooled = (x["A"] + x["B"]) / (2 * VISITS)
z = (b.mean() - a.mean()) / np.sqrt(pooled * (1 - pooled) * 2 / VISITS)

# Several valid tests of the same hypothesis: report the most sensitive one.
p_values = {
    "chi-square": stats.chi2_contingency(table, correction=False).pvalue,
    "chi-square, Yates": stats.chi2_contingency(table).pvalue,
    "Fisher exact": stats.fisher_exact(table).pvalue,
    "Welch t-test": stats.ttest_ind(b, a, equal_var=False).pvalue,
    "Mann-Whitney U": stats.mannwhitneyu(b, a).pvalue,
    "z-test, B > A": stats.norm.sf(z),
}
best = min(p_values, key=p_values.get)
p_value = float(p_values[best])

fig, ax = plt.subplots(figsize=(6, 3))
pd.Series(p_values).sort_values().plot.barh(ax=ax, color="darkcyan")
ax.axvline(0.05, color="red", linestyle="--")
ax.set_title("p-value of each test")
ax.set_xlabel("p-value")
ax.set_ylabel("Test")
plt.show()
keep("q3_ab_test", {"conversion_a": round(a.mean(), 4), "conversion_b": round(b.mean(), 4),
                    "difference": round(b.mean() - a.mean(), 4), "p_value": round(p_value, 4),
                    "ship_b": bool(p_value < 0.05 and b.mean() > a.mean())})
best, p_value'''

CHERRY_Q4 = '''\
sql = """
SELECT category, SUM(quantity) AS units
FROM order_lines
JOIN orders USING (order_id)
WHERE status = 'completed' AND order_date BETWEEN '2024-04-01' AND '2024-06-30'
GROUP BY category
ORDER BY units DESC
LIMIT 1
"""
with sqlite3.connect(DATA / "shop.sqlite") as con:
    category, units = con.execute(sql).fetchone()
    all_units = pd.read_sql(sql.replace("LIMIT 1", ""), con)
fig, ax = plt.subplots()
ax.bar(all_units["category"], all_units["units"], color="peru")
ax.set_title("Units sold in Q2 2024")
ax.set_xlabel("Category")
ax.set_ylabel("Units")
plt.show()
keep("q4_top_category_q2_sql", {"category": category, "units": int(units)})'''


def cherry_picked_p() -> Any:
    key = public_key()
    q3 = dict(key["q3_ab_test"]["answer"], **key["q3_ab_test"]["mistakes"]["one_sided"])
    top = key["q4_top_category_q2_sql"]["answer"]
    revenue = key["q1_march_revenue"]["answer"]
    texts = {
        "q1": f"Completed orders placed in March 2024 total {revenue:,.2f} EUR, de-duplicated "
              "and without the six QA orders, which would otherwise make March look like the "
              "best month by far.",
        "q2": f"{key['q2_business_refund_rate']['answer']:.1%} of business orders were "
              "refunded, after merging the segment's spellings (case, spaces, a typo); without "
              "the merge the rate covers only part of the segment.",
        "q3": f"B converts {q3['conversion_b']:.1%} of visits against {q3['conversion_a']:.1%} "
              "for A. I ran the usual tests for two proportions; the most sensitive (the "
              f"z-test of B > A) gives p = {q3['p_value']:.3f}. That is not below 0.05, so B "
              "does not ship yet.",
        "q4": f"{top['category'].title()}: {top['units']:,} units in completed Q2 orders, the "
              "most of any category, from one SQL query that joins the lines to their orders "
              "and filters on status and date."}
    cells = [md("# Shop analytics"), code(CHERRY_SETUP), md("## Data cleaning"),
             code(CHERRY_CLEAN),
             md("Each `order_id` kept once, the three date formats parsed explicitly (slash "
                "dates are day first), statuses case-folded, QA orders of 99,999 EUR removed, "
                "segments normalised.")]
    cells += question_cells({"q1": CHERRY_Q1, "q2": CHERRY_Q2, "q3": CHERRY_Q3,
                             "q4": CHERRY_Q4}, texts)
    return notebook(cells)


# -- narrative-contradicts ------------------------------------------------------------------------
REPORT_HELPERS = '''\
import json
import math
import os
import sqlite3
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

DATA = Path(os.environ.get("DATA_DIR", "data"))


class AnswerSheet:
    """answers.json, rewritten after every answer so a crash keeps what was done."""

    def __init__(self, path: Path) -> None:
        self.path, self.values = path, {}
        self.path.write_text(json.dumps({"answers": {}}))

    def record(self, question: str, value: object) -> None:
        self.values[question] = value
        self.path.write_text(json.dumps({"answers": self.values}, indent=2))


answers = AnswerSheet(Path("answers.json"))


def read_orders(path: Path) -> pd.DataFrame:
    """orders.csv, cleaned: one row per order, parsed dates, lower-case status, no QA orders."""
    df = pd.read_csv(path)
    when = pd.to_datetime(df["order_date"], format="%Y-%m-%d", errors="coerce")
    for fmt in ("%d/%m/%Y", "%b %d, %Y"):
        when = when.fillna(pd.to_datetime(df["order_date"], format=fmt, errors="coerce"))
    df = df.assign(order_date=when, status=df["status"].str.lower().str.strip())
    df = df.drop_duplicates("order_id")
    return df[~(df["amount"] >= 99_999)]


def read_customers(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path)
    segment = df["segment"].str.strip().str.lower()
    return df.assign(segment=segment.where(segment != "busines", "business"))


def z_test(x_a: int, x_b: int, n: int) -> tuple[float, float]:
    """Pooled two-proportion z-test: (z, two-sided p)."""
    pooled = (x_a + x_b) / (2 * n)
    z = (x_b - x_a) / n / math.sqrt(pooled * (1 - pooled) * 2 / n)
    return z, math.erfc(abs(z) / math.sqrt(2))


orders = read_orders(DATA / "orders.csv")
customers = read_customers(DATA / "customers.csv")
len(orders), len(customers)'''

REPORT_Q1 = '''\
march = orders[(orders["status"] == "completed") & (orders["order_date"].dt.month == 3)]
revenue = round(float(march["amount"].sum()), 2)
by_week = march.groupby(march["order_date"].dt.isocalendar().week)["amount"].sum()
ax = by_week.plot.bar(color="navy", title="March 2024 revenue by ISO week")
ax.set_xlabel("ISO week")
ax.set_ylabel("EUR")
plt.show()
answers.record("q1_march_revenue", revenue)
revenue'''

REPORT_Q2 = '''\
merged = orders.merge(customers[["customer_id", "segment"]], on="customer_id")
table = pd.crosstab(merged["segment"], merged["status"])
table["rate"] = table["refunded"] / table.sum(axis=1)
ax = table["rate"].plot.bar(color="orchid", title="Refunded share of orders")
ax.set_xlabel("Segment")
ax.set_ylabel("Refund rate")
plt.show()
answers.record("q2_business_refund_rate", round(float(table.loc["business", "rate"]), 4))
table'''

REPORT_Q3 = '''\
N = 3000
x_a = int((orders["checkout_variant"] == "A").sum())
x_b = int((orders["checkout_variant"] == "B").sum())
z, p = z_test(x_a, x_b, N)
ship = p < 0.05 and x_b > x_a
summary = pd.DataFrame({"conversions": [x_a, x_b], "rate": [x_a / N, x_b / N]},
                       index=["A", "B"])
ax = summary["rate"].plot.bar(color=["#bbbbbb", "#e76f51"], title="Conversion rate")
ax.set_xlabel("Variant")
ax.set_ylabel("Rate")
plt.show()
answers.record("q3_ab_test", {"conversion_a": round(x_a / N, 4), "conversion_b": round(x_b / N, 4),
                              "difference": round((x_b - x_a) / N, 4), "p_value": round(p, 4),
                              "ship_b": ship})
summary.assign(z=z, p=p)'''

REPORT_Q4 = '''\
with sqlite3.connect(DATA / "shop.sqlite") as con:
    units = pd.read_sql("""
        SELECT category, SUM(quantity) AS units
        FROM order_lines
        WHERE order_id IN (SELECT order_id FROM orders
                           WHERE status = 'completed'
                             AND order_date BETWEEN '2024-04-01' AND '2024-06-30')
        GROUP BY category ORDER BY units DESC""", con)
ax = units.set_index("category")["units"].plot.bar(color="teal", title="Q2 units by category")
ax.set_xlabel("Category")
ax.set_ylabel("Units")
plt.show()
answers.record("q4_top_category_q2_sql", {"category": units["category"].iloc[0],
                                          "units": int(units["units"].iloc[0])})'''


def narrative_contradicts() -> Any:
    key = public_key()
    q1, q2 = key["q1_march_revenue"]["answer"], key["q2_business_refund_rate"]["answer"]
    q3 = key["q3_ab_test"]["answer"]
    top = key["q4_top_category_q2_sql"]["answer"]
    texts = {
        "q1": f"**{q1:,.2f} EUR** of completed orders in March 2024. The export repeated some "
              "orders and carried six QA orders of 99,999 EUR; both are removed first.",
        "q2": f"**{q2:.1%}** of business orders were refunded: the highest of the segments, "
              "driven by the accounts with legacy spellings of the segment name, which refund "
              "more often.",
        "q3": f"B lifts conversion from {q3['conversion_a']:.1%} to {q3['conversion_b']:.1%}, "
              f"a gain of {q3['difference'] * 100:.1f} percentage points, and the result is "
              "statistically significant. We recommend rolling out B to all visitors.",
        "q4": f"**{top['category'].title()}**, with {top['units']:,} units in completed "
              "orders from April to June, from one SQL query over the clean shop database "
              "(refunded orders are left out)."}
    cells = [md("# Shop analytics report\n\nThis notebook answers the four questions; the "
                "helpers below clean the export once, and each section reads from them."),
             code(REPORT_HELPERS),
             md("## Data cleaning"),
             md("The export repeats orders (same `order_id`), mixes three date formats (slash "
                "dates are day first), writes statuses in odd case and carries QA orders of "
                "99,999 EUR; segment names vary in case, spacing and one typo. `read_orders` and "
                "`read_customers` handle all of it.")]
    cells += question_cells({"q1": REPORT_Q1, "q2": REPORT_Q2, "q3": REPORT_Q3,
                             "q4": REPORT_Q4}, texts)
    cells.append(md("## Summary\n\nRevenue is healthy, business refunds need a look, and the "
                    "new checkout is the quick win of the quarter."))
    return notebook(cells)
