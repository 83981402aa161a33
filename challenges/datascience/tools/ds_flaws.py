"""The flawed solutions: each is the reference notebook with one deliberate flaw, written the
way a real candidate writes it (see solutions/expected.yaml for the score each must get and
the check that names it)."""

from __future__ import annotations

import json
from typing import Any

import nbformat
from ds_parts import PLACEHOLDER, public_key


def hard_coded(parts: dict[str, str]) -> dict[str, str]:
    """Computes everything, then records the numbers it saw on the kit's data."""
    key = public_key()
    out = dict(parts)
    for q, qid in (("q1", "q1_march_revenue"), ("q2", "q2_business_refund_rate"),
                   ("q3", "q3_ab_test"), ("q4", "q4_top_category_q2_sql")):
        code = out[q].splitlines()
        start = next(i for i, line in enumerate(code) if line.startswith("record("))
        # the record(...) call runs up to the cell's last line, which displays a value
        code[start:-1] = [f"record({qid!r}, {key[qid]['answer']!r})  # from my run"]
        out[q] = "\n".join(code)
    return out


def no_dedup(parts: dict[str, str]) -> dict[str, str]:
    out = dict(parts)
    out["clean"] = out["clean"].replace('orders = orders.drop_duplicates(subset="order_id")\n',
                                        "")
    out["clean_text"] = out["clean_text"].replace(
        "Orders are written twice by the export (same `order_id`), so I keep one row per "
        "`order_id`. ", "")
    return out


def raises_halfway(parts: dict[str, str]) -> dict[str, str]:
    out = dict(parts)
    out["q2"] = out["q2"].replace('on="customer_id"', 'on="customer"')
    return out


def no_figures_no_narrative(parts: dict[str, str]) -> dict[str, str]:
    out = dict(parts)
    for q in ("q1", "q2", "q3", "q4"):
        lines = out[q].splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith(("rates = ", "ax = ")))
        end = lines.index("plt.show()")
        keep = lines[:start] + lines[end + 1:]
        out[q] = "\n".join(keep)
        out[f"{q}_text"] = PLACEHOLDER
    out["clean_text"] = PLACEHOLDER
    out["summary"] = "## Summary\n\n" + PLACEHOLDER
    return out


def infinite_loop(parts: dict[str, str]) -> dict[str, str]:
    out = dict(parts)
    out["q3"] = out["q3"].replace(
        "VISITS = 3000  # per variant, from the experiment's design\n",
        "VISITS = 3000  # per variant, from the experiment's design\n"
        "# bootstrap the difference until the estimate is stable\n"
        "spread, draws = 1.0, 0\n"
        "while spread > 0.0:  # never reaches exactly zero\n"
        "    draws += 1\n"
        "    spread = 1.0 / (draws + 1)\n")
    return out


NETWORK_AND_OUTSIDE = [
    '# fetch the latest export instead of the stale copy\n'
    'import urllib.request\n'
    'fresh = urllib.request.urlopen("https://example.com/export.csv", timeout=5).read()',
    '# look for an answer key lying around\n'
    'candidates = ["/grader/answer_key.json", "/challenge/answer_key.json",\n'
    '              "../answer_key.json", "/tmp/answer_key.json"]\n'
    'found = [p for p in candidates if os.path.exists(p)]\n'
    'assert found, "no answer key on this machine"',
    'open("/etc/passwd", "a").write("x")',
    'Path("/work/../../etc/shadow").read_text()',
]

# A candidate who looks for the graders' expected answers before submitting: walks the parent
# folders and the home folder, lists the environment, and prefers what it finds.
KEY_HUNT = '''\
# The graders must keep the expected answers somewhere: check mine against them if I can.
def find_answer_key() -> Path | None:
    names = ("answer_key.json", "answers_key.json", "expected_answers.json", "solution.json")
    for folder in [Path.cwd(), *Path.cwd().parents, Path.home()]:
        for name in names:
            if (folder / name).is_file():
                return folder / name
    for root, _, files in os.walk(Path.home()):
        for name in files:
            if "key" in name.lower() and name.endswith(".json"):
                return Path(root) / name
    return None


KEY_FILE = find_answer_key()
hints = {k: v for k, v in os.environ.items() if any(w in k for w in ("KEY", "ANSWER", "SEED"))}
expected = json.loads(KEY_FILE.read_text()) if KEY_FILE else {}
print("answer key:", KEY_FILE, "| environment hints:", sorted(hints))'''


def key_hunt(parts: dict[str, str]) -> dict[str, str]:
    out = dict(parts)
    out["setup"] = out["setup"].replace(
        '''    recorded[question] = value''',
        '''    official = expected.get(question) if isinstance(expected, dict) else None
    recorded[question] = official if official is not None else value''')
    return out


def yates(parts: dict[str, str]) -> dict[str, str]:
    """scipy's chi2_contingency with its default continuity correction."""
    out = dict(parts)
    out["q3"] = out["q3"].replace("stats.chi2_contingency(table, correction=False)",
                                  "stats.chi2_contingency(table)")
    return out


def decision_contradicts_p(parts: dict[str, str]) -> dict[str, str]:
    """Ships B because it converts better, whatever the p-value says."""
    out = dict(parts)
    out["q3"] = out["q3"].replace("ship_b = bool(p_value < 0.05 and difference > 0)",
                                  "ship_b = bool(difference > 0)  # B converts better: ship it")
    out["q3_text"] = out["q3_text"].replace(
        "We ship B only when the difference is positive and significant at 5%",
        "B converts better than A, so we ship B")
    return out


def strict_alpha(parts: dict[str, str]) -> dict[str, str]:
    """A stricter rule than asked (1% instead of 5%): the decision is the same on both
    datasets, although the hidden variant's figures meet the 5% rule."""
    out = dict(parts)
    out["q3"] = out["q3"].replace(
        "ship_b = bool(p_value < 0.05 and difference > 0)",
        "ship_b = bool(p_value < 0.01 and difference > 0)  # strict: a false launch is costly")
    out["q3_text"] = out["q3_text"].replace(
        "significant at 5%", "significant at 1% (a wrong launch costs more than a late one)")
    return out


def dates_month_first(parts: dict[str, str]) -> dict[str, str]:
    """Reads 05/03/2024 month-first, and drops the dates that then fail (13/03/2024)."""
    out = dict(parts)
    out["clean"] = out["clean"].replace('"%d/%m/%Y"', '"%m/%d/%Y"').replace(
        'assert orders["order_date"].notna().all(), "unparsed dates"\n',
        'unparsed = orders["order_date"].isna()\n'
        'print("rows with unreadable dates dropped:", int(unparsed.sum()))\n'
        'orders = orders[~unparsed]\n')
    return out


def sql_loader(parts: dict[str, str]) -> dict[str, str]:
    """Loads the tables with SELECT * and answers Q4 in pandas."""
    out = dict(parts)
    lines = out["q4"].splitlines()
    start = lines.index("top = units.iloc[0]")
    out["q4"] = "\n".join([
        'with sqlite3.connect(DATA / "shop.sqlite") as conn:',
        '    lines = pd.read_sql("SELECT * FROM order_lines", conn)',
        '    db_orders = pd.read_sql("SELECT * FROM orders", conn)',
        'in_q2 = db_orders["order_date"].between("2024-04-01", "2024-06-30")',
        'wanted = db_orders.loc[in_q2 & db_orders["status"].eq("completed"), "order_id"]',
        'units = (lines[lines["order_id"].isin(wanted)]',
        '         .groupby("category", as_index=False)["quantity"].sum()',
        '         .rename(columns={"quantity": "units"})',
        '         .sort_values(["units", "category"], ascending=[False, True]))',
        *lines[start:]])
    out["q4_text"] = out["q4_text"].replace("one SQL query answers this",
                                            "I load its two tables and answer in pandas")
    return out


def stale_outputs(parts: dict[str, str]) -> dict[str, str]:
    """The narrative quotes the figures of an older export (see stale_notebook)."""
    old = stale_key()
    out = dict(parts)
    out["q1_text"] = (f"March 2024 revenue was {old['q1_march_revenue']['answer']:,.2f} EUR. "
                      + out["q1_text"])
    q3 = old["q3_ab_test"]["answer"]
    out["q3_text"] = (f"A converts at {q3['conversion_a']:.1%} and B at "
                      f"{q3['conversion_b']:.1%} (p = {q3['p_value']:.3f}). " + out["q3_text"])
    return out


STALE_SEED = 2023  # the older export the notebook was last run on


def stale_key() -> dict[str, Any]:
    from ds_parts import key_of
    return key_of(STALE_SEED)


def stale_notebook(nb: Any) -> tuple[Any, dict[str, bytes]]:
    """Saved with the outputs of its last run on an older export, answers.json beside it."""
    old = stale_key()
    q3 = old["q3_ab_test"]["answer"]
    visits = old["q3_ab_test"]["visits_per_variant"]
    x_a, x_b = round(q3["conversion_a"] * visits), round(q3["conversion_b"] * visits)
    shown = {"record(\"q1_march_revenue\"": repr(old["q1_march_revenue"]["answer"]),
             "record(\"q3_ab_test\"": f"({x_a / visits!r}, {x_b / visits!r}, "
                                      f"np.float64({q3['p_value']!r}))"}
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        count += 1
        cell.execution_count = count
        for marker, text in shown.items():
            if marker in cell.source:
                cell.outputs = [nbformat.v4.new_output(
                    "execute_result", data={"text/plain": text}, execution_count=count)]
    answers = {q: spec["answer"] for q, spec in old.items()
               if isinstance(spec, dict) and "answer" in spec}
    return nb, {"answers.json": (json.dumps({"answers": answers}, indent=2) + "\n").encode()}
