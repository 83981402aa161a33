"""Flawed solutions whose headline number is wrong (issue 22): each a complete notebook in a
style the other solutions do not use, right everywhere but in its one flaw, with a narrative
that quotes the figures its author saw on the kit's data (its own, wrong ones):

- `join-inflated`: a join-heavy notebook that builds one enriched table of orders, their
  order lines and their customers, and sums revenue over it: each order counted once per line;
- `timezone-shift`: a time-zone-aware pipeline that localises the dates to Berlin and keeps
  everything in UTC: every date moves to the evening before, each month's first day into the
  previous month;
- `outliers-trimmed`: a data-quality step that drops amounts outside Tukey's fences (the test
  orders go, and with them many real enterprise orders) before every question.

solutions/expected.yaml holds each to its range, the check that names the cause and its red
flag."""

from __future__ import annotations

from typing import Any

from ds_parts import code, md, notebook, public_key, question_cells


def _key() -> dict[str, Any]:
    key = public_key()
    return {"q1": key["q1_march_revenue"], "q2": key["q2_business_refund_rate"],
            "q3": key["q3_ab_test"], "q4": key["q4_top_category_q2_sql"]["answer"]}


# -- join-inflated --------------------------------------------------------------------------------
JOIN_SETUP = '''\
import json
import os
import sqlite3
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

DATA = Path(os.environ.get("DATA_DIR", "data"))
ANSWERS: dict[str, object] = {}  # saved to answers.json in the last cell
pd.set_option("display.float_format", "{:,.2f}".format)'''

JOIN_MODEL = '''\
# One tidy model of the shop: orders (cleaned), their lines (from the database) and the
# customers, joined once so every question reads from the same place.
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%b %d, %Y"]

raw = pd.read_csv(DATA / "orders.csv")
dates = [pd.to_datetime(raw["order_date"], format=f, errors="coerce") for f in DATE_FORMATS]
orders = (raw.assign(order_date=dates[0].fillna(dates[1]).fillna(dates[2]),
                     status=raw["status"].str.lower())
             .drop_duplicates("order_id")
             .query("not (amount >= 99999)"))          # QA orders
assert orders["order_date"].notna().all()

customers = pd.read_csv(DATA / "customers.csv")
customers["segment"] = (customers["segment"].str.strip().str.lower()
                        .replace({"busines": "business"}))

with sqlite3.connect(DATA / "shop.sqlite") as con:
    lines = pd.read_sql("SELECT order_id, line_no, category, quantity FROM order_lines", con)

enriched = (orders.merge(lines, on="order_id")
                  .merge(customers[["customer_id", "segment"]], on="customer_id", how="left"))
print(f"{len(orders):,} orders, {len(lines):,} order lines, {len(enriched):,} enriched rows")
enriched.head()'''

JOIN_Q1 = '''\
completed = enriched[enriched["status"] == "completed"]
by_month = (completed.assign(month=completed["order_date"].dt.to_period("M"))
                     .pivot_table(index="month", columns="category", values="amount",
                                  aggfunc="sum", fill_value=0))
march = round(float(by_month.loc[pd.Period("2024-03", "M")].sum()), 2)

ax = by_month.plot(kind="bar", stacked=True, figsize=(8, 4),
                   title="Revenue per month and category (completed orders)")
ax.set_xlabel("Month")
ax.set_ylabel("Revenue (EUR)")
plt.show()
ANSWERS["q1_march_revenue"] = march
by_month.sum(axis=1)'''

JOIN_Q2 = '''\
per_order = orders.merge(customers[["customer_id", "segment"]], on="customer_id",
                         how="left", validate="many_to_one")
refund_rate = per_order["status"].eq("refunded").groupby(per_order["segment"]).mean()

ax = refund_rate.plot(kind="bar", color="indianred", title="Refund rate by segment")
ax.set_xlabel("Segment")
ax.set_ylabel("Share of orders refunded")
plt.show()
ANSWERS["q2_business_refund_rate"] = round(float(refund_rate["business"]), 4)
refund_rate'''

JOIN_Q3 = '''\
VISITS = 3000
converted = orders["checkout_variant"].value_counts()
table = np.array([[converted["A"], VISITS - converted["A"]],
                  [converted["B"], VISITS - converted["B"]]])
chi2, p_value, _, _ = stats.chi2_contingency(table, correction=False)
rate_a, rate_b = converted["A"] / VISITS, converted["B"] / VISITS

ax = pd.Series({"A": rate_a, "B": rate_b}).plot(kind="bar", color=["grey", "teal"],
                                                  title="Checkout conversion")
ax.set_xlabel("Variant")
ax.set_ylabel("Conversion rate")
plt.show()
ANSWERS["q3_ab_test"] = {"conversion_a": round(rate_a, 4), "conversion_b": round(rate_b, 4),
                         "difference": round(rate_b - rate_a, 4),
                         "p_value": round(float(p_value), 4),
                         "ship_b": bool(p_value < 0.05 and rate_b > rate_a)}'''

JOIN_Q4 = '''\
QUERY = """
WITH q2 AS (
    SELECT order_id FROM orders
    WHERE status = 'completed' AND order_date BETWEEN '2024-04-01' AND '2024-06-30'
)
SELECT l.category, SUM(l.quantity) AS units
FROM order_lines AS l
JOIN q2 USING (order_id)
GROUP BY l.category
ORDER BY units DESC
"""
with sqlite3.connect(DATA / "shop.sqlite") as con:
    units = pd.read_sql(QUERY, con)
ax = units.plot(kind="bar", x="category", y="units", legend=False, title="Units sold in Q2")
ax.set_xlabel("Category")
ax.set_ylabel("Units")
plt.show()
ANSWERS["q4_top_category_q2_sql"] = {"category": units.loc[0, "category"],
                                     "units": int(units.loc[0, "units"])}
units'''


JOIN_SAVE = '''\
Path("answers.json").write_text(json.dumps({"answers": ANSWERS}, indent=2, default=float))
ANSWERS'''


def join_inflated() -> Any:
    k = _key()
    wrong = k["q1"]["mistakes"]["join_per_line"]
    q3 = k["q3"]["answer"]
    texts = {
        "q1": f"March 2024 brought {wrong:,.2f} EUR of completed revenue, read from the "
              "enriched table so the split by category comes for free: kitchen and "
              "electronics carry most months. The QA orders are out, each order appears "
              "once in the export after de-duplication.",
        "q2": f"{k['q2']['answer']:.1%} of business orders were refunded, the highest of the "
              "three segments once the segment spellings are merged; the rate is computed per "
              "order, from the orders table joined to the customers.",
        "q3": f"A converts {q3['conversion_a']:.2%} of visits, B {q3['conversion_b']:.2%}; the "
              f"chi-square test on the 2x2 table gives p = {q3['p_value']:.3f}, above 5 %, so "
              "the lift is not significant and A stays for now.",
        "q4": f"{k['q4']['category'].title()} sold the most units in the second quarter "
              f"({k['q4']['units']:,}), by one query that filters the completed April-June "
              "orders first and then sums the quantity of their lines per category."}
    cells = [md("# Shop analytics: one enriched model"), code(JOIN_SETUP),
             md("## Data model\n\nI clean the orders, bring in the order lines from the shop "
                "database and the customer segments, and join everything into one enriched "
                "table."), code(JOIN_MODEL),
             md("Duplicated order rows are removed on `order_id`, the three date formats are "
                "parsed explicitly (slash dates are day first), status is lower-cased, the "
                "99,999 EUR QA orders are dropped and segment spellings merged.")]
    cells += question_cells({"q1": JOIN_Q1, "q2": JOIN_Q2, "q3": JOIN_Q3, "q4": JOIN_Q4},
                            texts)
    cells += [md("## Answers"), code(JOIN_SAVE)]
    return notebook(cells)


# -- timezone-shift -------------------------------------------------------------------------------
TZ_SETUP = '''\
from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from scipy.stats import norm

DATA = Path(os.environ.get("DATA_DIR", "data"))
SHOP_TZ = "Europe/Berlin"     # the shop's local time
STORE_TZ = "UTC"              # everything is stored and aggregated in UTC


@dataclass
class Report:
    path: Path = Path("answers.json")
    values: dict[str, object] = field(default_factory=dict)

    def add(self, question: str, value: object) -> None:
        self.values[question] = value
        self.path.write_text(json.dumps({"answers": self.values}, indent=2))


report = Report()'''

TZ_CLEAN = '''\
def to_utc(text: pd.Series) -> pd.Series:
    """Parse the export's three date formats as local shop time and convert to UTC."""
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%b %d, %Y"):
        parsed = parsed.fillna(pd.to_datetime(text, format=fmt, errors="coerce"))
    if parsed.isna().any():
        raise ValueError(f"{parsed.isna().sum()} unparsed dates")
    return parsed.dt.tz_localize(SHOP_TZ).dt.tz_convert(STORE_TZ)


orders = (pd.read_csv(DATA / "orders.csv")
            .pipe(lambda d: d.assign(ordered_at=to_utc(d["order_date"]),
                                     status=d["status"].str.strip().str.lower()))
            .drop(columns="order_date")
            .drop_duplicates("order_id", keep="first"))
orders = orders[orders["amount"].fillna(0) < 99_999]   # internal QA orders
customers = pd.read_csv(DATA / "customers.csv").assign(
    segment=lambda d: d["segment"].str.strip().str.lower().replace("busines", "business"))
orders[["order_id", "ordered_at", "amount", "status"]].head()'''

TZ_Q1 = '''\
revenue = (orders.loc[orders["status"] == "completed"]
                 .set_index("ordered_at")["amount"]
                 .resample("MS").sum())
march = round(float(revenue.loc["2024-03"].iloc[0]), 2)

fig, ax = plt.subplots(figsize=(7, 3))
ax.plot(revenue.index.strftime("%b"), revenue.to_numpy(), marker="o")
ax.set_title("Monthly revenue (UTC months)")
ax.set_xlabel("Month")
ax.set_ylabel("Revenue, EUR")
plt.show()
report.add("q1_march_revenue", march)
revenue'''

TZ_Q2 = '''\
seg = orders.merge(customers[["customer_id", "segment"]], on="customer_id", how="left")
refunds = pd.crosstab(seg["segment"], seg["status"], normalize="index")["refunded"]
fig, ax = plt.subplots(figsize=(5, 3))
refunds.plot.barh(ax=ax, color="salmon")
ax.set_title("Refund rate by segment")
ax.set_xlabel("Share refunded")
ax.set_ylabel("Segment")
plt.show()
report.add("q2_business_refund_rate", round(float(refunds["business"]), 4))'''

TZ_Q3 = '''\
N = 3000
x = orders.groupby("checkout_variant").size()
p_a, p_b = x["A"] / N, x["B"] / N
pooled = (x["A"] + x["B"]) / (2 * N)
z = (p_b - p_a) / (pooled * (1 - pooled) * 2 / N) ** 0.5
p_value = 2 * norm.sf(abs(z))
fig, ax = plt.subplots(figsize=(4, 3))
ax.bar(["A", "B"], [p_a, p_b], color=["lightgrey", "tab:green"])
ax.set_title("Conversion rate")
ax.set_xlabel("Variant")
ax.set_ylabel("Converted visits")
plt.show()
report.add("q3_ab_test", {"conversion_a": round(p_a, 4), "conversion_b": round(p_b, 4),
                          "difference": round(p_b - p_a, 4), "p_value": round(p_value, 5),
                          "ship_b": bool(p_value < 0.05 and p_b > p_a)})'''

TZ_Q4 = '''\
with sqlite3.connect(DATA / "shop.sqlite") as con:
    q2_units = pd.read_sql("""
        SELECT ol.category, SUM(ol.quantity) AS units
        FROM order_lines ol
        INNER JOIN orders o ON o.order_id = ol.order_id
        WHERE o.status = 'completed'
          AND date(o.order_date) BETWEEN date('2024-04-01') AND date('2024-06-30')
        GROUP BY ol.category ORDER BY units DESC""", con)
fig, ax = plt.subplots(figsize=(5, 3))
ax.bar(q2_units["category"], q2_units["units"], color="tab:orange")
ax.set_title("Units sold, Q2 2024")
ax.set_xlabel("Category")
ax.set_ylabel("Units")
plt.show()
best = q2_units.iloc[0]
report.add("q4_top_category_q2_sql", {"category": best["category"], "units": int(best["units"])})'''


def timezone_shift() -> Any:
    k = _key()
    wrong = k["q1"]["mistakes"]["tz_shift"]
    q3 = k["q3"]["answer"]
    texts = {
        "q1": f"Revenue in March 2024 was {wrong:,.2f} EUR (completed orders, months in UTC "
              "as the warehouse stores them). Timestamps are localised to the shop's time "
              "zone and converted to UTC once, so every figure uses the same clock.",
        "q2": f"Business customers refunded {k['q2']['answer']:.1%} of their orders, more than "
              "the other segments; the segment labels had to be trimmed, lower-cased and the "
              "typo merged first.",
        "q3": f"B converts {q3['conversion_b']:.1%} against {q3['conversion_a']:.1%} for A. "
              f"The two-sided z-test gives p = {q3['p_value']:.2f}: not significant at the 5 % "
              "level, so I would keep A and let the test run longer.",
        "q4": f"In Q2 the top category is {k['q4']['category']} with {k['q4']['units']:,} "
              "units sold in completed orders, straight from the database with one query "
              "joining the order lines to their orders."}
    cells = [md("# Shop analytics (timezone-aware)"), code(TZ_SETUP), md("## Cleaning"),
             code(TZ_CLEAN),
             md("Dates are parsed per format and made timezone-aware: local shop time "
                "(Berlin), stored in UTC. Duplicate order rows are dropped, statuses "
                "normalised and the QA orders of 99,999 EUR removed; segments are trimmed, "
                "lower-cased and the typo merged.")]
    cells += question_cells({"q1": TZ_Q1, "q2": TZ_Q2, "q3": TZ_Q3, "q4": TZ_Q4}, texts)
    return notebook(cells)
