"""The data-science track end to end, with real containers: the untouched kit grades low with
a readable report, a raising notebook keeps its traceback and artifacts, a submission whose
notebook is missing or broken gets a report rather than a crash, and a notebook that will not
stop (a cell that ignores the interrupt, a fork bomb) is graded within the challenge's
budget."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from grader.challenge import load_challenge
from grader.kit import build_kit
from grader.pipeline import Grader
from grader.tracks.notebook.execute import INTERRUPT_GRACE
from tests.challenge_overrides import fast_challenge
from tests.conftest import ROOT
from tests.integration.graded import graded_solution, shared

CHALLENGE = ROOT / "challenges" / "datascience"

pytestmark = pytest.mark.docker


def grade(path: Path, out: Path) -> tuple[dict, Path]:
    outcome = Grader(out_dir=out, challenge=fast_challenge(CHALLENGE)).grade(path)
    assert outcome.exit_code == 0, outcome.report.checks
    report = json.loads((outcome.report_dir / "report.json").read_text())
    return report, outcome.report_dir


def test_the_untouched_kit_grades_low_with_a_readable_report(tmp_path: Path,
                                                             docker_client: object) -> None:
    kit, _ = build_kit(load_challenge(CHALLENGE), None, tmp_path / "kit.zip")
    report, folder = grade(kit, tmp_path / "out")
    checks = {c["id"]: c for c in report["checks"]}
    assert report["total"]["percent"] < 25
    assert checks["notebook.runs-clean"]["status"] == "passed"  # empty cells run fine
    assert "no answer" in checks["answer.q1_march_revenue"]["message"]
    assert checks["narrative.per-question"]["points"] == 0  # the placeholders do not count
    assert "Traceback" not in (folder / "report.md").read_text()


@shared(CHALLENGE, "raises-halfway")
def test_a_raising_cell_keeps_its_traceback_and_the_artifacts(tmp_path: Path,
                                                              docker_client: object) -> None:
    graded = graded_solution(CHALLENGE, "raises-halfway", tmp_path)
    assert graded.exit_code == 0, graded.report.checks
    report, folder = graded.json(), graded.report_dir
    runs = next(c for c in report["checks"] if c["id"] == "notebook.runs-clean")
    assert "KeyError" in runs["evidence"]["tracebacks"][0]["traceback"]
    assert set(report["artifacts"]) >= {"executed.ipynb", "executed.html",
                                        "executed-variant.ipynb"}
    html = (folder / report["artifacts"]["executed.html"]).read_text()
    assert "KeyError" in html and "<script>alert" not in html
    executed = json.loads((folder / report["artifacts"]["executed.ipynb"]).read_text())
    assert any(o.get("output_type") == "error" for c in executed["cells"]
               for o in c.get("outputs", []))


@pytest.mark.parametrize("notebook", [None, b"{not a notebook"])
def test_a_missing_or_broken_notebook_is_reported(tmp_path: Path, notebook: bytes | None,
                                                  docker_client: object) -> None:
    path = tmp_path / "sub.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("submission.yaml", "challenge: datascience\ncandidate: T\n")
        zf.writestr("notes.md", "I ran out of time")
        if notebook is not None:
            zf.writestr("analysis.ipynb", notebook)
    report, _ = grade(path, tmp_path / "out")
    found = next(c for c in report["checks"] if c["id"] == "notebook.found")
    assert found["status"] == "failed"
    assert ("no notebook" in found["message"]) if notebook is None else (
        "not a notebook" in found["message"])
    assert report["total"]["percent"] == 0


def test_a_file_of_its_own_data_folder_is_explained(tmp_path: Path,
                                                    docker_client: object) -> None:
    """The grader replaces data/: a notebook reading a file the candidate put there is told
    why it is missing; the traceback keeps the candidate's frame; versions are listed."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import pandas as pd\n\n\ndef load(name):\n"
                                          "    return pd.read_csv(f'data/{name}')"),
                nbformat.v4.new_code_cell("x = 1\nclean = load('orders_clean.csv')")]
    path = tmp_path / "sub.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("submission.yaml", "challenge: datascience\ncandidate: T\n")
        zf.writestr("analysis.ipynb", nbformat.writes(nb))
        zf.writestr("data/orders_clean.csv", "order_id\n1\n")
    report, _ = grade(path, tmp_path / "out")
    runs = next(c for c in report["checks"] if c["id"] == "notebook.runs-clean")
    assert "cell 2 (In [2]) raised FileNotFoundError" in runs["message"]
    assert "data/orders_clean.csv is in the submission, but the grader replaces data/" in runs[
        "message"]
    assert "ran with pandas" in runs["message"] and "pandas" in runs["evidence"]["versions"]
    assert "Cell In[2], line 2" in runs["evidence"]["tracebacks"][0]["traceback"]


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=shared(CHALLENGE, name), id=name)
    for name in ("ignores-interrupt", "fork-bomb-cell")])
def test_a_notebook_that_will_not_stop_is_graded_within_its_budget(
        name: str, tmp_path: Path, docker_client: object) -> None:
    """A cell that takes the interrupt over, or a fork bomb, costs each run the per-cell
    timeout and the interrupt's grace, not the wall clock; the grading stays within the
    challenge's grading_seconds (plus the final clean-up's margin). The grading is the one
    test_solutions holds to its expected.yaml (tests/integration/graded.py)."""
    challenge = fast_challenge(CHALLENGE)
    graded = graded_solution(CHALLENGE, name, tmp_path)
    report = graded.report
    assert graded.exit_code == 0 and report.status == "graded"
    sandbox_seconds = report.timings["track"] - report.timings.get("challenge_images", 0.0)
    assert sandbox_seconds <= challenge.grading_seconds + 20, report.timings
    per_run = challenge.config.cell_timeout_seconds + INTERRUPT_GRACE + 30
    assert report.timings["public_run"] <= per_run, report.timings
    assert report.timings["variant_run"] <= per_run, report.timings
    checks = {c.id: c for c in report.checks}
    assert checks["integrity.no-sabotage"].status == "failed"
    assert "killed with its kernel" in checks["notebook.runs-clean"].message
    assert report.total.percent <= 50 and report.total.capped_by
