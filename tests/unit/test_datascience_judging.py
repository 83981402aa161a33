"""The data-science judging rules, without Docker: rounding and nearest mistakes, decisions
against the candidate's own figures, when a repeated value is hard-coding, cleaning checks
that fail only when their mistake shows, stale outputs, the graded narrative, SQL used as a
loader, labelled figures and the reviewer's details (cell names, tracebacks, data/ hints)."""

from __future__ import annotations

from typing import Any

import nbformat

from grader.analysis import notebook_facts as nbf
from grader.challenge import load_challenge
from grader.sandbox.capture import CapturedOutput
from grader.sandbox.engine import RunResult
from grader.sandbox.limits import Limits
from grader.tracks.notebook import answer_checks as ac
from grader.tracks.notebook.answers import Answers, judge, rounding
from grader.tracks.notebook.config import Cleaning, Condition, Decision
from grader.tracks.notebook.execute import NotebookRun
from grader.tracks.notebook.figures import _labelled
from grader.tracks.notebook.judging import DataFolder, cell_name, data_hint, trim_traceback
from grader.tracks.notebook.narrative import contradictions, figures, narrative_check
from grader.tracks.notebook.stale import fmt, stale_check
from tests.conftest import ROOT

KEY: dict[str, Any] = {
    "total": {"type": "number", "answer": 100.0, "rel_tol": 0.005,
              "mistakes": {"no_dedup": 110.0, "kept": 150.0}},
    "test": {"type": "record",
             "answer": {"rate": 0.30, "diff": 0.02, "p": 0.1455, "ship": False},
             "abs_tol": {"rate": 0.002, "diff": 0.002, "p": 0.0001}, "rel_tol": {"p": 0.02},
             "nearest": ["p"],
             "mistakes": {"no_dedup": {"rate": 0.32, "diff": 0.025, "p": 0.10},
                          "yates": {"p": 0.1535}, "one_sided": {"p": 0.07275}}},
    "units": {"type": "number", "answer": 1250, "abs_tol": 0},
    "best": {"type": "string", "answer": "kitchen"},
}
VARIANT: dict[str, Any] = {
    "total": {"type": "number", "answer": 140.0, "rel_tol": 0.005,
              "mistakes": {"no_dedup": 151.0}},
    "test": {"type": "record",
             "answer": {"rate": 0.31, "diff": 0.03, "p": 0.016, "ship": True},
             "abs_tol": {"rate": 0.002, "diff": 0.002, "p": 0.0001}, "rel_tol": {"p": 0.02}},
    "units": {"type": "number", "answer": 1331, "abs_tol": 0},
    "best": {"type": "string", "answer": "electronics"},
}
SHIP = Decision(answer="test.ship", true_when=[Condition("p", below=0.05),
                                               Condition("diff", above=0.0)], points=2.0)
MISTAKES = {"no_dedup": "the duplicates stay", "kept": "test orders stay",
            "yates": "the continuity correction is applied", "one_sided": "one-sided"}


def answers(**values: Any) -> Answers:
    return Answers(values=dict(values), present=True)


def run(cells: list[dict[str, Any]] | None = None, executed: Any = None) -> NotebookRun:
    empty = CapturedOutput(b"", b"", 0)
    result = RunResult(outcome="exited", exit_code=0, seconds=1.0, stdout=empty, stderr=empty,
                       limits=Limits(), files={})
    return NotebookRun(run=result, cells=cells or [], completed=True, executed=executed)


def judged(public: Answers, variant: Answers, no_credit: dict[str, str] | None = None
           ) -> ac.Judged:
    return ac.Judged(judge(KEY, public), {v.id: v for v in judge(VARIANT, variant)}, public,
                     variant, run(), run(), MISTAKES, {"test.ship": SHIP}, no_credit or {})


def checks(public: Answers, variant: Answers, **kw: Any) -> dict[str, Any]:
    j = judged(public, variant, **kw)
    out = {c.id: c for c in (ac.answer_check(v, j) for v in j.public)}
    out["hard"] = ac.hard_coded_check(j)
    return out


RIGHT = {"rate": 0.30, "diff": 0.02, "p": 0.1455, "ship": False}
RIGHT_V = {"rate": 0.31, "diff": 0.03, "p": 0.016, "ship": True}


def test_a_missing_answer_says_why_answers_json_gave_nothing() -> None:
    """A notebook that ran to the end but wrote an answers.json that cannot be read: every
    answer check names the reason, not only "no answer for total"."""
    from grader.tracks.notebook.answers import read_answers

    nested = read_answers(b'{"answers": ' + b"[" * 40 + b"]" * 40 + b"}")
    assert not nested.present and nested.problems
    out = checks(nested, answers(total=140.0, test=RIGHT_V, units=1331, best="electronics"))
    assert out["answer.total"].status == "failed"
    assert out["answer.total"].message == f"no answer for total ({nested.problems[0]})"
    assert out["answer.test.ship"].message.endswith(f"({nested.problems[0]})")
    written = checks(read_answers(None), answers(total=140.0))
    assert written["answer.total"].message == "no answer for total (answers.json was not written)"


def test_a_rounded_answer_is_judged_at_its_own_precision() -> None:
    assert rounding(0.15) == 0.005 and rounding(0.1) == 0.005  # two significant digits
    assert rounding(0.1455) == 0.00005 and rounding(1250) == 0.0
    verdicts = {v.id: v for v in judge(KEY, answers(test={**RIGHT, "p": 0.15}))}
    assert verdicts["test.p"].correct
    assert not {v.id: v for v in judge(KEY, answers(test={**RIGHT, "p": 0.1}))}[
        "test.p"].correct


def test_a_p_value_nearer_a_known_mistake_names_it() -> None:
    def named(p: float) -> tuple[str, ...]:
        return {v.id: v for v in judge(KEY, answers(test={**RIGHT, "p": p}))}["test.p"].mistakes
    assert named(0.1535) == ("yates",)
    assert named(0.1518) == ("yates",)        # nearer Yates than the right value
    assert named(0.0728) == ("one_sided",)
    assert named(0.149) == ()                  # nearer the right value: wrong, not named
    assert named(0.5) == ()                    # far from everything
    assert named(0.1456) == ()                 # right: nothing to name


def test_a_right_answer_rules_out_the_mistakes_it_could_show() -> None:
    verdicts = {v.id: v for v in judge(KEY, answers(total=100.0, test=RIGHT))}
    assert set(verdicts["total"].possible) == {"no_dedup", "kept"}
    assert set(verdicts["test.rate"].possible) == {"no_dedup"}
    assert set(verdicts["test.p"].possible) == {"no_dedup", "yates", "one_sided"}


def test_the_decision_follows_the_candidates_own_figures() -> None:
    # consistent with their (wrong) p: the p check fails, the decision stands
    wrong_p = checks(answers(test={**RIGHT, "p": 0.01, "ship": True}),
                     answers(test=RIGHT_V))["answer.test.ship"]
    assert wrong_p.status == "passed" and wrong_p.max_points == 2.0
    assert "follows from your own figures" in wrong_p.message
    contradicts = checks(answers(test={**RIGHT, "ship": True}),
                         answers(test=RIGHT_V))["answer.test.ship"]
    assert contradicts.status == "failed" and contradicts.points == 0
    assert "contradicts your own figures (p 0.1455, diff 0.02)" in contradicts.message
    strict = checks(answers(test=RIGHT), answers(test={**RIGHT_V, "ship": False}))
    assert strict["answer.test.ship"].points == 1.0  # half of 2: wrong on the variant only
    assert "on the hidden variant" in strict["answer.test.ship"].message
    assert strict["hard"].status == "passed"          # a repeated yes/no is no evidence
    assert "not evidence" in strict["hard"].message


def test_hard_coding_needs_a_many_valued_number() -> None:
    same = answers(total=100.0, units=1250, best="kitchen", test=RIGHT)
    found = checks(same, same)
    assert found["answer.total"].message.startswith("hard-coded")
    assert found["answer.units"].message.startswith("hard-coded")   # 1250: many values
    # a repeated category is no evidence of hard-coding, nor of a method: no credit
    assert found["answer.best"].points == 0 and "not taken as hard-coding" in found[
        "answer.best"].message
    assert found["hard"].status == "failed"
    assert ac.distinctive(0.1455) and ac.distinctive(1250)
    assert not ac.distinctive(True) and not ac.distinctive(3) and not ac.distinctive("x")


def test_half_credit_needs_a_known_mistake_on_the_variant() -> None:
    """Right on the public data, wrong on the variant: half only when the variant's answer is
    what a real method gives there (a known mistake of the variant's key)."""
    public = answers(total=100.0, units=1250, test=RIGHT)
    mistaken = checks(public, answers(total=151.0, test=RIGHT_V))["answer.total"]
    assert (mistaken.points, mistaken.status) == (0.5, "failed")
    assert "the duplicates stay" in mistaken.message
    # a hard-coded 100.0 scaled by the data's size (x1.37) is no method at all
    scaled = checks(public, answers(total=137.0, units=1712, test=RIGHT_V))
    assert scaled["answer.total"].points == 0 and scaled["answer.units"].points == 0
    assert "which no known method gives" in scaled["answer.total"].message
    assert scaled["hard"].status == "passed"  # not the same value: not called hard-coded
    missing = checks(public, answers(test=RIGHT_V))["answer.total"]
    assert missing.points == 0 and "not answered on the hidden variant" in missing.message
    assert checks(public, answers(total=140.2, test=RIGHT_V))["answer.total"].points == 1.0


def test_no_credit_for_answers_involved_in_a_hunt() -> None:
    found = checks(answers(total=100.0, test=RIGHT), answers(total=140.0, test=RIGHT_V),
                   no_credit={"total": "recorded after the hunt"})
    assert found["answer.total"].status == "failed" and found["answer.total"].points == 0
    assert found["answer.total"].message.startswith("no credit")
    assert found["answer.test.p"].status == "passed"


def test_cleaning_fails_only_when_its_mistake_shows() -> None:
    dedup = [Cleaning(id="dedup", mistakes=["no_dedup"], questions=["total", "test"])]
    kept = [Cleaning(id="kept", mistakes=["kept"], questions=["total"])]

    def status(public: Answers, items: list[Cleaning],
               variant: Answers | None = None) -> tuple[str, float, str]:
        j = judged(public, variant or answers(total=140.0, test=RIGHT_V))
        for v in j.public:
            ac.answer_check(v, j)
        c = ac.cleaning_checks(items, j)[0]
        return c.status, c.max_points, c.message

    assert status(answers(total=110.0, test=RIGHT), dedup)[0] == "failed"
    assert status(answers(total=100.0, test=RIGHT), dedup)[0] == "passed"
    # wrong for another reason, or missing: unverified and worth nothing
    assert status(answers(total=123.0), kept)[:2] == ("skipped", 0.0)
    assert status(answers(), kept)[:2] == ("skipped", 0.0)
    # the right rate rules out no_dedup although the total is wrong for another reason
    assert status(answers(total=123.0, test=RIGHT), dedup)[0] == "passed"
    two = [Cleaning(id="both", mistakes=["no_dedup", "kept"], questions=["total", "test"])]
    partial = status(answers(total=123.0, test=RIGHT), two)
    assert partial[:2] == ("skipped", 0.0) and "test orders stay" in partial[2]
    # right on the public data only (missing, or wrong with no known method on the variant):
    # not confirmed, so it vouches for no cleaning step
    assert status(answers(total=100.0, test=RIGHT), dedup, answers())[0] == "skipped"
    scaled = answers(total=137.0, test={"rate": 0.41, "diff": 0.027, "p": 0.2, "ship": False})
    assert status(answers(total=100.0, test=RIGHT), dedup, scaled)[0] == "skipped"


def test_stale_outputs_and_answers_are_named() -> None:
    saved = nbformat.v4.new_notebook()
    saved.cells = [nbformat.v4.new_code_cell("revenue"), nbformat.v4.new_code_cell("plot()"),
                   nbformat.v4.new_code_cell("%time x"), nbformat.v4.new_code_cell("df")]
    fresh = nbformat.v4.new_notebook()
    fresh.cells = [nbformat.v4.new_code_cell(c.source) for c in saved.cells]

    def out(text: str, image: bool = False) -> Any:
        data = {"text/plain": text, **({"image/png": "x"} if image else {})}
        return nbformat.v4.new_output("execute_result", data=data, execution_count=1)

    saved.cells[0].outputs = [out("48794.07")]
    fresh.cells[0].outputs = [out("<Figure size 640x480 with 1 Axes>", True), out("52645.86")]
    saved.cells[2].outputs = [out("CPU times: 1 s")]
    fresh.cells[2].outputs = [out("CPU times: 2 s")]
    saved.cells[3].outputs = [out("np.float64(0.1)")]
    fresh.cells[3].outputs = [out("0.1000001")]                 # another shape: not compared
    fresh_run = run([{"index": i, "status": "ok", "figures": 0, "count": i + 1}
                     for i in range(4)], fresh)
    check = stale_check(saved, fresh_run, b'{"answers": {"q": 1.5, "r": {"s": 2}}}',
                        answers(q=1.5, r={"s": 3}), "answers.json")
    assert check.status == "failed"
    assert ("cell 1 (In [1]): the saved outputs say 48,794.07; the notebook computes "
            "52,645.86") in check.message
    assert "answers.json says r.s = 2; the notebook computes 3" in check.message
    assert check.evidence["cells_compared"] == 1
    nothing = stale_check(nbformat.v4.new_notebook(), fresh_run, None, answers(q=1.5),
                          "answers.json")
    assert nothing.status == "skipped" and nothing.max_points == 0
    assert fmt(48794.07) == "48,794.07" and fmt(0.1455) == "0.1455" and fmt(1250) == "1,250"


def test_narrative_figures_are_read_at_their_precision() -> None:
    found = {raw: (value, res) for value, res, raw in figures(
        "Revenue reached 48.8k EUR in March 2024, B converts at 31.6% (p = 0.15, 5% level), "
        "a lift of 1.7 percentage points over 3,000 visits.")}
    assert found["48.8k"] == (48800.0, 50.0)
    assert round(found["31.6%"][0], 6) == 0.316
    assert round(found["1.7 percentage points"][0], 6) == 0.017
    assert "2024" not in found and "5%" not in found   # years and significance levels
    assert contradictions("March revenue was 51,090.36 EUR.", 48794.07, "q1") == [
        "the narrative under q1 says 51,090.36 where the recorded q1 is 48,794.07"]
    assert contradictions("About 48.8k EUR, far above 9,000.", 48794.07, "q1") == []
    assert contradictions("A 30% rate and B 31.6%.", {"a": 0.2983, "b": 0.3157}, "q3") == []
    assert contradictions("No figures at all.", 0.5, "q") == []


def test_narrative_credit_is_graded() -> None:
    cfg = load_challenge(ROOT / "challenges" / "datascience").config
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("## Q1 revenue"),
                nbformat.v4.new_markdown_cell(" ".join(["word"] * 20)),
                nbformat.v4.new_markdown_cell("## Q2 refunds"),
                nbformat.v4.new_markdown_cell("The rate is 12.9% " + "word " * 30)]
    cells = nbf.cells(nb)
    sections = nbf.sections(cells, {q.id: q.heading for q in cfg.questions})
    check = narrative_check(cfg, sections, answers(q2_business_refund_rate=0.1218))
    # q1: 20 of 25 words; q2: enough words but a contradicting figure; q3, q4: no heading
    assert abs(check.points - (0.8 + 0.5) / 4) < 1e-9
    assert "says 12.9% where the recorded q2_business_refund_rate is 0.1218" in check.message
    assert check.status == "failed"


def test_sql_that_only_loads_tables_is_a_loader() -> None:
    assert nbf.sql_is_loader("SELECT * FROM orders")
    assert nbf.sql_is_loader("select order_id, status from orders order by 1 limit 5")
    assert not nbf.sql_is_loader("SELECT * FROM orders WHERE status = 'completed'")
    assert not nbf.sql_is_loader("SELECT category, SUM(quantity) FROM order_lines GROUP BY 1")
    assert not nbf.sql_is_loader("WITH q AS (SELECT * FROM o) SELECT * FROM q")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('Q = f"""SELECT * FROM {t} JOIN x USING (id)"""'),
                nbformat.v4.new_code_cell('pd.read_sql("SELECT * FROM orders", c)\n'
                                          'duckdb.sql(Q)\npl.read_database_uri(Q, uri)')]
    cells = nbf.cells(nb)
    found = nbf.uses_sql(cells[1:], nbf.string_names(cells))
    assert [f["loader"] for f in found] == [True, False, False]


def test_axis_labels_are_required_only_where_ticks_show() -> None:
    def axes(**kw: Any) -> dict[str, Any]:
        base = {"xlabel": "", "ylabel": "", "title": "", "axis_on": True, "has_data": True,
                "x_ticks": True, "y_ticks": True, "colorbar": False}
        return {**base, **kw}
    assert not _labelled({"suptitle": "", "axes": [axes(xlabel="Month")]})
    assert _labelled({"suptitle": "", "axes": [axes(xlabel="Month", y_ticks=False)]})
    shared = [axes(ylabel="A", x_ticks=False), axes(ylabel="B", xlabel="Day")]
    assert _labelled({"suptitle": "", "axes": shared})
    with_bar = [axes(xlabel="x", ylabel="y"), axes(colorbar=True)]
    assert _labelled({"suptitle": "", "axes": with_bar})
    assert _labelled({"suptitle": "", "axes": [axes(axis_on=False, title="Share")]})


def test_reviewer_details() -> None:
    r = run([{"index": 10, "status": "error", "figures": 0, "count": 6}])
    assert cell_name(10, r) == "cell 11 (In [6])" and cell_name(3, r) == "cell 4"
    tb = ("KeyError  Traceback\n\nCell In[6], line 2\n----> 2 orders.merge(...)\n\n"
          + "File pandas/x.py:1\n" * 400 + "\nKeyError: 'customer'")
    trimmed = trim_traceback(tb, 1000)
    assert "Cell In[6], line 2" in trimmed and trimmed.endswith("KeyError: 'customer'")
    assert len(trimmed) <= 1100
    data = DataFolder("data", ("orders.csv", "customers.csv"),
                      frozenset({"data/orders_clean.csv", "analysis.ipynb"}))
    cell = {"ename": "FileNotFoundError",
            "evalue": "[Errno 2] No such file or directory: 'data/orders_clean.csv'"}
    assert "grader replaces data/ with its own copy" in data_hint(cell, data)
    assert data_hint({**cell, "evalue": "No such file: 'data/other.csv'"}, data) == ""
