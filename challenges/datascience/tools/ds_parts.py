"""The data-science notebooks' building blocks: the kit's questions, the reference solution's
cells (each a string), and helpers to assemble notebooks. Used by build_notebooks.py and
ds_flaws.py."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import nbformat
import yaml

CHALLENGE = Path(__file__).resolve().parents[1]
PLACEHOLDER = "_Write what you found and how you got there._"

QUESTIONS = {
    "q1": ("## Q1 — Revenue in March 2024",
           "What was the shop's revenue in March 2024: the sum of `amount` over **completed** "
           "orders placed in March 2024, in EUR?\n\n"
           'Record it with `answers.record("q1_march_revenue", value)`.'),
    "q2": ("## Q2 — Refund rate of business customers",
           "What share of the orders of customers in the **business** segment were refunded "
           "(whole period)? A fraction between 0 and 1.\n\n"
           'Record it with `answers.record("q2_business_refund_rate", value)`.'),
    "q3": ("## Q3 — Checkout A/B test",
           "Every checkout visit from January to June was randomly assigned to variant A "
           "(current) or B (new): **3,000 visits each**. A visit converts when it ends in an "
           "order; each order carries its visit's `checkout_variant`. What are the conversion "
           "rates, the difference B − A, the two-sided p-value of a test of equal conversion "
           "rates, and should we ship B (only if it is better at the 5% level)?\n\n"
           'Record it with `answers.record("q3_ab_test", {"conversion_a": ..., '
           '"conversion_b": ..., "difference": ..., "p_value": ..., "ship_b": ...})`.'),
    "q4": ("## Q4 — Best-selling category in Q2 (SQL)",
           "Using **SQL** against `data/shop.sqlite`: which product category sold the most "
           "units (sum of `quantity`) in completed orders placed from 1 April to 30 June "
           "2024, and how many units?\n\n"
           'Record it with `answers.record("q4_top_category_q2_sql", {"category": ..., '
           '"units": ...})`.'),
}

KIT_SETUP = '''\
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import answers

# Read the data from here, with relative paths: the grader hands in its own copy.
DATA = Path(os.environ.get("DATA_DIR", "data"))
answers.reset()'''

SETUP = '''\
import json
import os
import sqlite3
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from scipy import stats

DATA = Path(os.environ.get("DATA_DIR", "data"))
ANSWERS = Path("answers.json")
recorded: dict = {}


def record(question: str, value) -> None:
    """Write answers.json in the kit's format after each answer."""
    recorded[question] = value
    ANSWERS.write_text(json.dumps({"answers": recorded}, indent=2))'''

LOAD = '''\
raw_orders = pd.read_csv(DATA / "orders.csv")
raw_customers = pd.read_csv(DATA / "customers.csv")
print(raw_orders.shape, raw_customers.shape)
print("duplicate order ids:", raw_orders["order_id"].duplicated().sum())
print("missing amounts:", raw_orders["amount"].isna().sum())
print(raw_orders["status"].value_counts())
print(raw_customers["segment"].value_counts())
raw_orders["amount"].describe()'''

CLEAN = '''\
def parse_dates(values: pd.Series) -> pd.Series:
    """The export mixes 2024-03-05, 05/03/2024 and Mar 05, 2024."""
    parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
    for fmt in ("%d/%m/%Y", "%b %d, %Y"):
        parsed = parsed.fillna(pd.to_datetime(values, format=fmt, errors="coerce"))
    return parsed


orders = raw_orders.assign(
    order_date=parse_dates(raw_orders["order_date"]),
    status=raw_orders["status"].str.strip().str.lower(),
)
assert orders["order_date"].notna().all(), "unparsed dates"
orders = orders.drop_duplicates(subset="order_id")
test_orders = orders["amount"] >= 99_999
print("test orders dropped:", int(test_orders.sum()))
orders = orders[~test_orders]

customers = raw_customers.assign(
    segment=raw_customers["segment"].str.strip().str.lower().replace({"busines": "business"})
)
print(customers["segment"].value_counts())
len(orders)'''

CLEAN_NARRATIVE = (
    "Orders are written twice by the export (same `order_id`), so I keep one row per "
    "`order_id`. Dates come in three formats, parsed explicitly rather than guessed. Status has "
    "stray capitals. Six orders of exactly 99,999 EUR in March are QA test orders and are "
    "dropped. Segments have case, whitespace and one typo (`Busines`) to normalise. Missing "
    "amounts only occur on refunded orders, so they do not affect revenue.")

Q1_CODE = '''\
completed = orders[orders["status"] == "completed"]
monthly = completed.set_index("order_date")["amount"].resample("MS").sum()
monthly.index = monthly.index.strftime("%Y-%m")
march_revenue = round(float(monthly.loc["2024-03"]), 2)

ax = monthly.plot(kind="bar", color="steelblue", title="Revenue per month (completed orders)")
ax.set_xlabel("Month")
ax.set_ylabel("Revenue (EUR)")
plt.show()
record("q1_march_revenue", march_revenue)
march_revenue'''

Q1_TEXT = (
    "March 2024 revenue is the sum over completed, de-duplicated orders without the QA test "
    "orders. Keeping the test orders would have inflated March more than tenfold, and the "
    "duplicates by a few percent; the monthly chart shows March in line with the other months.")

Q2_CODE = '''\
with_segment = orders.merge(customers[["customer_id", "segment"]], on="customer_id",
                            how="left", validate="many_to_one")
refund_rate = (with_segment.assign(refunded=with_segment["status"].eq("refunded"))
               .groupby("segment")["refunded"].mean())
business_rate = round(float(refund_rate["business"]), 4)

ax = refund_rate.plot(kind="bar", color="indianred", title="Refund rate by segment")
ax.set_xlabel("Segment")
ax.set_ylabel("Share of orders refunded")
plt.show()
record("q2_business_refund_rate", business_rate)
refund_rate'''

Q2_TEXT = (
    "Business customers have the highest refund rate. Counting only the rows spelled exactly "
    "`business` understates it badly, because the customers imported from the legacy CRM, who "
    "carry the odd spellings, refund more often than the rest: worth raising with the team.")

Q3_CODE = '''\
VISITS = 3000  # per variant, from the experiment's design
conversions = orders.groupby("checkout_variant")["order_id"].count()
x_a, x_b = int(conversions["A"]), int(conversions["B"])
table = [[x_a, VISITS - x_a], [x_b, VISITS - x_b]]
_, p_value, _, _ = stats.chi2_contingency(table, correction=False)
conversion_a, conversion_b = x_a / VISITS, x_b / VISITS
difference = conversion_b - conversion_a
ship_b = bool(p_value < 0.05 and difference > 0)

rates = pd.Series({"A": conversion_a, "B": conversion_b})
errors = (rates * (1 - rates) / VISITS) ** 0.5 * 1.96
ax = rates.plot(kind="bar", yerr=errors, capsize=6, color=["grey", "seagreen"],
                title="Checkout conversion with 95% intervals")
ax.set_xlabel("Checkout variant")
ax.set_ylabel("Conversion rate")
plt.show()
record("q3_ab_test", {"conversion_a": round(conversion_a, 4),
                      "conversion_b": round(conversion_b, 4),
                      "difference": round(difference, 4), "p_value": round(float(p_value), 4),
                      "ship_b": ship_b})
conversion_a, conversion_b, p_value'''

Q3_TEXT = (
    "A chi-square test of the 2x2 table (equivalent to the pooled two-proportion z-test) "
    "compares conversion of the two variants over 3,000 visits each. We ship B only when the "
    "difference is positive and significant at 5%; the interval chart shows how much the two "
    "rates overlap. Duplicates would have inflated both rates.")

Q4_CODE = '''\
query = """
    SELECT l.category, SUM(l.quantity) AS units
    FROM order_lines AS l
    JOIN orders AS o ON o.order_id = l.order_id
    WHERE o.status = 'completed'
      AND o.order_date BETWEEN '2024-04-01' AND '2024-06-30'
    GROUP BY l.category
    ORDER BY units DESC, l.category
"""
with sqlite3.connect(DATA / "shop.sqlite") as conn:
    units = pd.read_sql_query(query, conn)
top = units.iloc[0]

ax = units.set_index("category")["units"].plot(kind="barh", color="darkorange",
                                               title="Units sold in Q2 2024")
ax.set_xlabel("Units (completed orders)")
ax.set_ylabel("Category")
plt.show()
record("q4_top_category_q2_sql", {"category": str(top["category"]), "units": int(top["units"])})
units'''

Q4_TEXT = (
    "The database is clean, so one SQL query answers this: units per category over completed "
    "orders of April to June, joined on the order. The top category leads clearly; refunded "
    "orders are excluded because those units came back.")

SUMMARY = (
    "## Summary\n\nThe export needed de-duplication, date parsing, status and segment "
    "normalisation and the removal of QA test orders before any number was trustworthy. The "
    "checkout test decision follows from the p-value at the 5% level. Next steps: fix the "
    "export's double writes at the source and add a validation step before reporting.")


def md(text: str) -> Any:
    return nbformat.v4.new_markdown_cell(text)


def code(text: str) -> Any:
    return nbformat.v4.new_code_cell(text)


def question_cells(bodies: dict[str, str], texts: dict[str, str]) -> list[Any]:
    """Each question's heading and text, then its code (`bodies`) and narrative (`texts`)."""
    cells: list[Any] = []
    for q, (heading, text) in QUESTIONS.items():
        cells += [md(f"{heading}\n\n{text}"), code(bodies[q]), md(texts[q])]
    return cells


def notebook(cells: list[Any]) -> Any:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = cells
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    return nb


def kit_notebook() -> Any:
    cells = [md("# Shop analytics\n\nRead `README.md` first. Work top to bottom; before you "
                "submit, restart the kernel and run every cell."),
             code(KIT_SETUP),
             md("## Data cleaning\n\nLoad `orders.csv` and `customers.csv`, find the "
                "problems, fix them, and say what you did and why."),
             code(""), md(PLACEHOLDER)]
    for heading, text in QUESTIONS.values():
        cells += [md(f"{heading}\n\n{text}"), code(""), md(PLACEHOLDER)]
    cells.append(md("## Summary\n\n" + PLACEHOLDER))
    return notebook(cells)


def reference_cells() -> dict[str, str]:
    return {"setup": SETUP, "load": LOAD, "clean": CLEAN, "clean_text": CLEAN_NARRATIVE,
            "q1": Q1_CODE, "q1_text": Q1_TEXT, "q2": Q2_CODE, "q2_text": Q2_TEXT,
            "q3": Q3_CODE, "q3_text": Q3_TEXT, "q4": Q4_CODE, "q4_text": Q4_TEXT,
            "summary": SUMMARY}


def solution_notebook(parts: dict[str, str], extra: dict[str, list[str]] | None = None) -> Any:
    """The reference layout; `extra` adds code cells after a part (key: part name)."""
    extra = extra or {}
    cells = [md("# Shop analytics"), code(parts["setup"])]
    cells += [code(c) for c in extra.get("setup", [])]
    cells += [md("## Data cleaning"), code(parts["load"]), code(parts["clean"]),
              md(parts["clean_text"])]
    for q, (heading, text) in QUESTIONS.items():
        cells += [md(f"{heading}\n\n{text}"), code(parts[q])]
        cells += [code(c) for c in extra.get(q, [])]
        cells.append(md(parts[f"{q}_text"]))
    cells.append(md(parts["summary"]))
    return notebook(cells)


def generator() -> Any:
    spec = importlib.util.spec_from_file_location("ds_generator_tool",
                                                  CHALLENGE / "data" / "generator.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def challenge_config() -> dict[str, Any]:
    return dict(yaml.safe_load((CHALLENGE / "challenge.yaml").read_text()))


def key_of(seed: int) -> dict[str, Any]:
    return dict(generator().generate(seed).key)


def public_key() -> dict[str, Any]:
    return key_of(challenge_config()["track_config"]["data"]["public_seed"])
