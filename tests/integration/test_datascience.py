"""The data-science track end to end, with real containers: the untouched kit grades low with
a readable report, and a submission whose notebook is missing or broken, or that ships its own
data folder, gets a report rather than a crash. (What the bundled solutions' reports must keep,
a raising notebook's traceback and artifacts, per-run times of a notebook that will not stop,
is asserted on their gradings by test_solutions: tests/integration/solution_extras.py.)"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from grader.challenge import load_challenge
from grader.kit import build_kit
from grader.pipeline import Grader
from tests.challenge_overrides import fast_challenge
from tests.conftest import ROOT

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
