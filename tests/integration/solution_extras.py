"""What some bundled solutions' reports must show beyond their expected.yaml entry.

test_solutions grades every solution once and, after the checks `grader validate` makes, runs
the extra assertions registered here for that solution on the same grading: the artifacts and
logs a report keeps, per-run times of a notebook that will not stop, a hostile server's
report staying small. (They were separate tests that graded the same solution a second time;
under pytest-xdist nothing sends two tests to one worker reliably: pytest-xdist 3.8's
`loadgroup` loses its groups under pytest 9, which keeps node ids in `Node._id`.)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader.tracks.notebook.execute import INTERRUPT_GRACE
from tests.challenge_overrides import fast_challenge
from tests.conftest import ROOT
from tests.integration.graded import Graded

Extra = Callable[[Graded], None]
EXTRAS: dict[tuple[str, str], Extra] = {}
REPORT_BYTES = 1024 * 1024
#: The MLE checks a served model gets (each must have run, whatever one answer did).
SERVED = ("api.predict-contract", "model.holdout-auc", "model.leak-free", "api.deterministic",
          "robust.missing-field", "robust.huge-batch", "robust.still-up", "latency.single",
          "latency.batch", "train.reproducible")


def extra(challenge: str, *names: str) -> Callable[[Extra], Extra]:
    """Register the decorated function for these solutions of `challenge`."""
    def register(check: Extra) -> Extra:
        for name in names:
            EXTRAS[(challenge, name)] = check
        return check
    return register


def _json(graded: Graded) -> tuple[dict[str, Any], Path]:
    return graded.json(), graded.report_dir


@extra("datascience", "raises-halfway")
def a_raising_cell_keeps_its_traceback_and_the_artifacts(graded: Graded) -> None:
    report, folder = _json(graded)
    runs = next(c for c in report["checks"] if c["id"] == "notebook.runs-clean")
    assert "KeyError" in runs["evidence"]["tracebacks"][0]["traceback"]
    assert set(report["artifacts"]) >= {"executed.ipynb", "executed.html",
                                        "executed-variant.ipynb"}
    html = (folder / report["artifacts"]["executed.html"]).read_text()
    assert "KeyError" in html and "<script>alert" not in html
    executed = json.loads((folder / report["artifacts"]["executed.ipynb"]).read_text())
    assert any(o.get("output_type") == "error" for c in executed["cells"]
               for o in c.get("outputs", []))


@extra("datascience", "ignores-interrupt", "fork-bomb-cell")
def a_notebook_that_will_not_stop_is_graded_within_its_budget(graded: Graded) -> None:
    """A cell that takes the interrupt over, or a fork bomb, costs each run the per-cell
    timeout and the interrupt's grace, not the wall clock."""
    challenge = fast_challenge(ROOT / "challenges" / "datascience")
    report = graded.report
    assert report.status == "graded"
    per_run = challenge.config.cell_timeout_seconds + INTERRUPT_GRACE + 30
    assert report.timings["public_run"] <= per_run, report.timings
    assert report.timings["variant_run"] <= per_run, report.timings
    checks = report.check_map
    assert checks["integrity.no-sabotage"].status == "failed"
    assert "killed with its kernel" in checks["notebook.runs-clean"].message
    assert report.total.percent <= 50 and report.total.capped_by


@extra("mle", "crash-on-missing-field")
def a_graded_solution_keeps_its_logs_and_probe_results(graded: Graded) -> None:
    report, folder = _json(graded)
    assert set(report["artifacts"]) >= {"train.log", "server.log", "probe-results.json"}
    probes = json.loads((folder / report["artifacts"]["probe-results.json"]).read_text())
    statuses = {p["name"]: p["status"] for p in probes["probes"]}
    assert statuses["missing-field"] == 500 and statuses["malformed-json"] == 422
    assert "holdout" not in probes  # predictions are not kept as an artifact
    server_log = (folder / report["artifacts"]["server.log"]).read_text()
    assert "KeyError" in server_log  # the 500's traceback, for the reviewer


@extra("mle", "reference")
def the_consistency_and_concurrency_calls_are_cheap_and_kept_out_of_the_artifact(
        graded: Graded) -> None:
    """The calls behind api.consistent and api.concurrent ran (each answer compared), took
    a few seconds on a clean server, and probe-results.json keeps none of their predictions
    (nor the kept single-record ones)."""
    report, folder = _json(graded)
    probes = json.loads((folder / report["artifacts"]["probe-results.json"]).read_text())
    steps = probes["step_seconds"]
    assert steps["consistency"] + steps["concurrency"] < 10, steps
    assert len(probes["consistency"]) == 3 and len(probes["concurrency"]["concurrent"]) == 16
    calls = [*probes["consistency"], *probes["concurrency"]["sequential"],
             *probes["concurrency"]["concurrent"]]
    assert all("predictions" not in c for c in calls)
    assert "single_predictions" not in probes["latency"]
    assert "loaded once" in graded.report.check_map["serve.loads-once"].message


def hostile_metadata_fails_its_own_check_alone(report: dict[str, Any], folder: Path,
                                               cause: str) -> None:
    """/metadata (and the answer to a request with an unknown field) nested past 32 levels
    or over 64 KiB: those two checks fail with the cause; every other check ran and judged
    the honest model behind them; report.json and the probe results stay small."""
    checks = {c["id"]: c for c in report["checks"]}
    assert checks["api.metadata"]["status"] == "failed"
    assert cause in checks["api.metadata"]["message"]
    answer = checks["robust.extra-field"]
    assert answer["status"] == "failed" and answer["message"].startswith(
        "POST /predict (extra-field) -> 200, but the answer ")
    for cid in SERVED:
        assert checks[cid]["status"] not in ("not_run", "error"), (cid, checks[cid])
    assert checks["api.predict-contract"]["status"] == "passed"  # not blamed on the rest
    assert checks["model.holdout-auc"]["status"] == "passed"
    assert (folder / "report.json").stat().st_size < REPORT_BYTES
    probe_results = folder / report["artifacts"]["probe-results.json"]
    assert probe_results.stat().st_size < 200_000
    assert report["status"] == "graded"


@extra("mle", "hostile-metadata")
def a_metadata_nested_30000_deep_fails_its_own_check_alone(graded: Graded) -> None:
    report, folder = _json(graded)
    hostile_metadata_fails_its_own_check_alone(
        report, folder, "the /metadata answer nests deeper than 32 levels")


@extra("mle", "slow-drip")
def a_server_answering_one_byte_a_second_is_given_up_quickly(graded: Graded) -> None:
    """/predict and /metadata drip their answers: each call is cut at its deadline, the
    prober stops after two and says why, and the grading stays within the budget."""
    challenge = fast_challenge(ROOT / "challenges" / "mle")
    report, folder = _json(graded)
    checks = {c["id"]: c for c in report["checks"]}
    contract = checks["api.predict-contract"]
    assert contract["status"] == "failed"
    assert "no complete answer to POST /predict within 11 s" in contract["message"]
    assert "the server answers too slowly" in contract["message"]
    assert "the prober gave up on the server after 2 requests in a row" in contract["message"]
    for cid in ("robust.missing-field", "robust.still-up", "latency.single", "latency.batch"):
        assert checks[cid]["status"] == "not_run", cid
        assert "the prober gave up on the server" in checks[cid]["message"], cid
    # given up quickly: two deadlines (/metadata 10 s, the first batch 11 s), not a wait of
    # minutes per call, as the prober itself recorded
    probed = json.loads((folder / report["artifacts"]["probe-results.json"]).read_text())
    assert probed["seconds"] <= 10 + 11 + 5
    assert report["timings"]["serve_and_probe"] <= challenge.config.startup_timeout_seconds + 60
    assert f"grading budget {challenge.grading_seconds:g} s" in report["messages"][0]["text"]
    assert any(m["rule"] == "kit-version" for m in report["messages"][1:])


@extra("backend", "flask-reference")
def a_role_pinned_to_another_framework_flags_and_asks_first(graded: Graded) -> None:
    """The Flask reference read for a Django role (issue 25): the red flag and its question
    come first, the recommendation holds it back and says why, the score is not lowered."""
    from dataclasses import replace

    from grader.profiles import find_profile
    from grader.recommend import MISMATCH_FLAG, apply_profile

    challenge = fast_challenge(ROOT / "challenges" / "backend")
    django_mid = replace(find_profile("mid", challenge), id="backend-mid-django",
                         frameworks=["django"])
    report = apply_profile(graded.report, django_mid, challenge)
    rec = report.recommendation
    assert rec is not None and rec.verdict == "borderline", rec
    assert rec.reasons[0].text.startswith("the role is django; the submission is written in "
                                          "flask") and rec.reasons[0].flags == [MISMATCH_FLAG]
    assert report.review is not None and report.review.flags[0].id == MISMATCH_FLAG
    assert report.review.questions[0].text.startswith("The role is django; you chose flask")
    assert rec.percent > 90 and report.total.percent == graded.report.total.percent
    assert graded.report.recommendation is None  # the shared grading is left as it was
