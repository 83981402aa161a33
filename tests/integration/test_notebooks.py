"""Executing notebooks in the hardened sandbox: errors are recorded and execution goes on, a
cell that never ends is stopped at the per-cell timeout, files and figures come back, and the
kernel records what the candidate's code did outside its folder (and only that)."""

from __future__ import annotations

import json

import nbformat
import pytest

from grader.sandbox.docker_engine import DockerSandbox
from grader.sandbox.engine import BuildSpec
from grader.sandbox.limits import Limits
from grader.tracks.notebook.execute import execute_notebook
from grader.tracks.notebook.integrity import classify
from tests.conftest import ROOT

IMAGE_DIR = ROOT / "challenges" / "datascience" / "images" / "notebook"


def notebook(*cells: str) -> bytes:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Answers")] + [
        nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "some-kernel-we-do-not-have", "language": "python",
                                 "display_name": "x"}
    return nbformat.writes(nb).encode()


@pytest.fixture(scope="module")
def image(docker_client: object) -> str:
    with DockerSandbox(docker_client) as box:  # type: ignore[arg-type]
        return box.ensure_image(BuildSpec(name="datascience-notebook",
                                          dockerfile=IMAGE_DIR / "Dockerfile",
                                          context=IMAGE_DIR)).tag


def test_errors_are_recorded_and_execution_goes_on(sandbox: DockerSandbox, image: str) -> None:
    nb = notebook(
        "import pandas as pd\ndf = pd.read_csv('orders.csv')\nlen(df)",
        "raise ValueError('boom in cell 2')",
        "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.xlabel('x')\nplt.show()",
        "import json\njson.dump({'rows': len(df)}, open('answers.json', 'w'))",
        "open('/etc/evil', 'w')",
        "import urllib.request\nurllib.request.urlopen('http://example.com', timeout=3)",
    )
    run = execute_notebook(sandbox, image, nb, {"orders.csv": b"a,b\n1,2\n3,4\n"},
                           Limits(memory_mb=1024, pids=256, timeout_seconds=120),
                           cell_timeout=20, collect={"answers.json": 4096})
    assert run.completed, (run.error, run.run.stderr.text()[-2000:])
    statuses = [c["status"] for c in run.cells]
    assert statuses == ["ok", "error", "ok", "ok", "error", "error"], run.cells
    assert "boom in cell 2" in run.cells[1]["evalue"]
    assert "ValueError" in run.cells[1]["traceback"]
    assert run.cells[2]["figures"] == 1
    assert run.figures == [{"suptitle": "", "axes": [
        {"xlabel": "x", "ylabel": "", "title": "", "axis_on": True, "has_data": True,
         "x_ticks": True, "y_ticks": True, "colorbar": False}]}]
    assert [c.get("count") for c in run.cells] == [1, 2, 3, 4, 5, 6]
    assert set(run.versions) >= {"python", "pandas", "numpy", "matplotlib"}
    assert run.seconds is not None and run.seconds > 0
    assert run.cells[4]["ename"] in ("OSError", "PermissionError")
    assert json.loads(run.files["answers.json"]) == {"rows": 2}
    assert run.executed is not None and len(run.executed.cells) == 7


def test_a_cell_that_never_ends_is_stopped(sandbox: DockerSandbox, image: str) -> None:
    nb = notebook("x = 1", "while True:\n    pass", "y = 2")
    run = execute_notebook(sandbox, image, nb, {}, Limits(memory_mb=1024, pids=256,
                                                          timeout_seconds=120),
                           cell_timeout=3)
    statuses = [c["status"] for c in run.cells]
    assert statuses[0] == "ok"
    assert statuses[1] in ("timeout", "error"), run.cells
    assert run.run.outcome == "exited"  # the runner itself finished: the report can be written


def test_a_notebook_that_outlives_the_wall_clock_is_killed(sandbox: DockerSandbox,
                                                           image: str) -> None:
    nb = notebook("import time", "time.sleep(1000)")
    run = execute_notebook(sandbox, image, nb, {}, Limits(memory_mb=1024, pids=256,
                                                          timeout_seconds=8),
                           cell_timeout=600)
    assert run.run.outcome == "timeout"
    assert "timed out" in run.error
    assert run.cells == []  # nothing readable came back, and that is reported, not believed
    assert run.problems


def test_not_a_notebook_is_reported(sandbox: DockerSandbox, image: str) -> None:
    run = execute_notebook(sandbox, image, b"{not json", {}, Limits(memory_mb=512,
                                                                     timeout_seconds=60),
                           cell_timeout=10)
    assert not run.completed
    assert "could not be read" in run.error



def test_the_kernel_records_hunting_and_nothing_of_honest_work(sandbox: DockerSandbox,
                                                              image: str) -> None:
    nb = notebook(
        "import json, os, glob\nfrom pathlib import Path\nimport pandas as pd\n"
        "import matplotlib.pyplot as plt\ndf = pd.read_csv('data/orders.csv')\n"
        "seed = os.environ.get('RANDOM_SEED', 1)\nhome = os.getenv('HOME')",
        "import urllib.request\ntry:\n    urllib.request.urlopen('http://x', timeout=1)\n"
        "except Exception:\n    pass\nfig, ax = plt.subplots()\nax.plot([1, 2])\nplt.show()",
        "json.dump({'answers': {'q1': float(len(df))}}, open('answers.json', 'w'))",
        "listed = os.listdir('..')\nkey = os.environ.get('ANSWER_KEY')\n"
        "env = dict(os.environ)\nfound = [p for p in Path.home().iterdir()]",
        "decoy = json.loads(Path('/tmp/answer_key.json').read_text())\n"
        "json.dump({'answers': {'q1': decoy['q1']}}, open('answers.json', 'w'))",
    )
    run = execute_notebook(sandbox, image, nb, {"data/orders.csv": b"a,b\n1,2\n"},
                           Limits(memory_mb=1024, pids=256, timeout_seconds=120),
                           cell_timeout=30, collect={"answers.json": 4096},
                           decoy=("/tmp/answer_key.json", b'{"q1": 12.5}'))
    assert run.audit_read and [c["status"] for c in run.cells] == ["ok"] * 5, run.cells
    seen = {(e["event"], e["seq"]) for e in run.audit}
    # honest work (data/, matplotlib, urllib reading proxies, a random seed) shows no hunting
    assert not [e for e in run.audit if e["seq"] < 4 and classify(e)], run.audit
    assert not [e for e in run.audit if e["seq"] < 4 and e["event"] in ("list", "env-scan")]
    assert {("list", 4), ("env-read", 4), ("env-scan", 4), ("open", 5)} <= seen, run.audit
    assert next(e for e in run.audit if e["event"] == "open")["path"] == "/tmp/answer_key.json"
    assert [(e["seq"]) for e in run.audit if e["event"] == "answer"] == [3, 5]
    assert json.loads(run.files["answers.json"]) == {"answers": {"q1": 12.5}}
    assert "kernel_recorder.py" not in run.files
