"""The data-science dataset generator: seeded, messy in the documented ways, and with an
answer key computed from the clean records that the usual mistakes measurably miss."""

from __future__ import annotations

import csv
import importlib.util
import io
import math
import sqlite3
import sys
import tempfile
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import ROOT

GENERATOR = ROOT / "challenges" / "datascience" / "data" / "generator.py"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ds_generator", GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["ds_generator"] = module
    spec.loader.exec_module(module)
    return module


gen = load()
SEEDS = [1, 7, 42, 2024]


def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode())))


def test_same_seed_same_bytes_other_seed_other_data() -> None:
    a, b, c = gen.generate(7), gen.generate(7), gen.generate(8)
    assert a.files["orders.csv"] == b.files["orders.csv"]
    assert a.key == b.key
    assert a.files["orders.csv"] != c.files["orders.csv"]
    assert a.key["q1_march_revenue"]["answer"] != c.key["q1_march_revenue"]["answer"]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_data_has_the_promised_messes(seed: int) -> None:
    data = gen.generate(seed)
    orders = rows(data.files["orders.csv"])
    ids = [r["order_id"] for r in orders]
    assert len(ids) - len(set(ids)) >= len(set(ids)) // 25          # duplicates (~5%)
    assert any(r["amount"] == "" for r in orders)                    # missing values
    assert any(r["amount"] == "99999.00" for r in orders)            # test orders
    formats = {("-" if "-" in r["order_date"] else "/" if "/" in r["order_date"] else ",")
               for r in orders}
    assert formats == {"-", "/", ","}                                # mixed date formats
    assert any(r["status"].isupper() for r in orders)                # inconsistent casing
    spellings = {r["segment"] for r in rows(data.files["customers.csv"])}
    assert {"business", "Busines", "consumer"} <= spellings or len(spellings) > 6


@pytest.mark.parametrize("seed", SEEDS)
def test_common_mistakes_land_outside_the_tolerance(seed: int) -> None:
    key = gen.generate(seed).key
    q1 = key["q1_march_revenue"]
    for mistake, value in q1["mistakes"].items():
        assert abs(value - q1["answer"]) > q1["rel_tol"] * q1["answer"], mistake
    q2 = key["q2_business_refund_rate"]
    assert abs(q2["mistakes"]["spellings_not_merged"] - q2["answer"]) > q2["abs_tol"]


@pytest.mark.parametrize("seed", SEEDS)
def test_ab_answer_matches_a_textbook_two_proportion_test(seed: int) -> None:
    q3 = gen.generate(seed).key["q3_ab_test"]["answer"]
    n = gen.generate(seed).key["q3_ab_test"]["visits_per_variant"]
    p_a, p_b = q3["conversion_a"], q3["conversion_b"]
    pooled = (p_a + p_b) / 2
    z = (p_b - p_a) / math.sqrt(pooled * (1 - pooled) * 2 / n)
    assert q3["p_value"] == pytest.approx(math.erfc(abs(z) / math.sqrt(2)), abs=0.002)
    assert q3["ship_b"] == (q3["p_value"] < 0.05 and q3["difference"] > 0)


@pytest.mark.parametrize("seed", SEEDS)
def test_sql_answer_is_what_the_database_says(seed: int) -> None:
    data = gen.generate(seed)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "shop.sqlite"
        db.write_bytes(data.files["shop.sqlite"])
        conn = sqlite3.connect(db)
        top = conn.execute("""
            SELECT l.category, SUM(l.quantity) AS units
            FROM order_lines l JOIN orders o USING (order_id)
            WHERE o.status = 'completed' AND o.order_date BETWEEN '2024-04-01' AND '2024-06-30'
            GROUP BY l.category ORDER BY units DESC, l.category LIMIT 1""").fetchone()
        conn.close()
    q4 = data.key["q4_top_category_q2_sql"]
    assert tuple(top) == (q4["answer"]["category"], q4["answer"]["units"])
    assert q4["mistakes"]["refunds_counted"]["units"] != q4["answer"]["units"]


def test_the_top_category_depends_on_the_seed() -> None:
    tops = {gen.generate(seed).key["q4_top_category_q2_sql"]["answer"]["category"]
            for seed in (*SEEDS, 11, 1337, 90210)}
    assert len(tops) > 1


@pytest.mark.parametrize("seed", SEEDS)
def test_the_usual_date_mistakes_are_in_the_key_and_told_apart(seed: int) -> None:
    key = gen.generate(seed).key
    q1 = key["q1_march_revenue"]
    dates = {"dates_month_first", "dates_mixed", "dates_mixed_dayfirst",
             "dates_coerced_dropped"}
    assert dates <= set(q1["mistakes"]), "every date mistake moves March revenue"
    for mistake in dates:
        assert abs(q1["mistakes"][mistake] - q1["answer"]) > q1["rel_tol"] * q1["answer"]
    q3 = key["q3_ab_test"]["mistakes"]
    assert {"dates_month_first", "dates_coerced_dropped"} <= set(q3)  # rows lost: rates move


@pytest.mark.parametrize("seed", [*SEEDS, 36, 11, 1337])
def test_corrected_and_one_sided_p_values_fall_outside_the_tolerance(seed: int) -> None:
    q3 = gen.generate(seed).key["q3_ab_test"]
    right = q3["answer"]["p_value"]
    tol = max(q3["rel_tol"]["p_value"] * right, q3["abs_tol"]["p_value"])
    for mistake in ("yates", "fisher_exact", "one_sided"):
        assert abs(q3["mistakes"][mistake]["p_value"] - right) > tol, mistake
    assert q3["nearest"] == ["p_value"]


def test_p_values_match_scipy_where_it_is_available() -> None:
    stats = pytest.importorskip("scipy.stats")
    table = [[895, 3000 - 895], [947, 3000 - 947]]
    assert gen._yates(895, 3000, 947, 3000) == pytest.approx(
        stats.chi2_contingency(table)[1], rel=1e-9)
    assert gen._fisher(895, 3000, 947, 3000) == pytest.approx(
        stats.fisher_exact(table)[1], rel=1e-6)


@pytest.mark.parametrize("seed", SEEDS)
def test_test_orders_cannot_leave_march_by_accident(seed: int) -> None:
    data = gen.generate(seed)
    orders = rows(data.files["orders.csv"])
    tests = [r for r in orders if r["amount"] == "99999.00"]
    assert tests and all(r["order_date"].startswith("2024-03-") for r in tests)  # ISO only
    assert all(13 <= int(r["order_date"][-2:]) <= 30 for r in tests)  # no swap, no boundary
    assert "-" in orders[0]["order_date"]  # errors="coerce" infers ISO from the first row


@pytest.mark.parametrize("seed", SEEDS)
def test_the_answers_follow_from_the_written_rows(seed: int) -> None:
    """Q1 recomputed from orders.csv as written (first row per order, ISO/day-first/text
    dates, test orders out) is the key's answer."""
    from datetime import datetime

    data = gen.generate(seed)
    seen: set[str] = set()
    total = 0.0
    for r in rows(data.files["orders.csv"]):
        if r["order_id"] in seen:
            continue
        seen.add(r["order_id"])
        text = r["order_date"]
        fmt = "%Y-%m-%d" if "-" in text else "%d/%m/%Y" if "/" in text else "%b %d, %Y"
        day = datetime.strptime(text, fmt)
        if r["status"].lower() == "completed" and r["amount"] not in ("", "99999.00") and (
                day.year, day.month) == (2024, 3):
            total += float(r["amount"])
    assert round(total, 2) == pytest.approx(data.key["q1_march_revenue"]["answer"], abs=0.01)
