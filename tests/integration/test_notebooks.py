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
    assert run.figures == [{"suptitle": "", "cell": 3, "axes": [
        {"xlabel": "x", "ylabel": "", "title": "", "axis_on": True, "has_data": True,
         "x_ticks": True, "y_ticks": True, "colorbar": False}]}]
    assert run.trusted and run.figures_ignored == 0
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
    assert statuses == ["ok", "timeout", "ok"], run.cells
    assert run.cells[1]["stop"]["how"] == "interrupted"  # KeyboardInterrupt: the run goes on
    assert run.trusted and run.completed and run.run.outcome == "exited"


def test_a_notebook_past_its_total_time_is_stopped_before_the_wall_clock(
        sandbox: DockerSandbox, image: str) -> None:
    nb = notebook("import time", "time.sleep(1000)", "x = 1")
    run = execute_notebook(sandbox, image, nb, {}, Limits(memory_mb=1024, pids=256,
                                                          timeout_seconds=12),
                           cell_timeout=600)
    assert run.run.outcome == "exited" and run.trusted and not run.completed
    assert run.cells[1]["stop"]["why"] == "deadline"
    assert [c["status"] for c in run.cells] == ["ok", "timeout", "not-run"]
    assert "total time ran out" in run.error and run.run.seconds < 12


def test_a_runner_the_notebook_froze_is_cut_at_the_wall_clock(sandbox: DockerSandbox,
                                                              image: str) -> None:
    nb = notebook("import os, signal\nos.kill(os.getppid(), signal.SIGSTOP)",
                  "import time\ntime.sleep(1000)")
    run = execute_notebook(sandbox, image, nb, {}, Limits(memory_mb=1024, pids=256,
                                                          timeout_seconds=10),
                           cell_timeout=600)
    assert run.run.outcome == "timeout" and not run.trusted and run.cells == []
    assert "before the grader's runner wrote its record" in run.error


@pytest.mark.parametrize("cell", [
    "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
    "import signal\nsignal.signal(signal.SIGINT, lambda *args: None)\nwhile True:\n    pass",
    "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass",
], ids=["ignores-sigint", "swallows-sigint", "fork-bomb"])
def test_a_cell_that_will_not_stop_is_killed_at_its_timeout(sandbox: DockerSandbox, image: str,
                                                            cell: str) -> None:
    nb = notebook("x = 1", cell, "y = 2")
    run = execute_notebook(sandbox, image, nb, {}, Limits(memory_mb=1024, pids=256,
                                                          timeout_seconds=120),
                           cell_timeout=4)
    assert run.trusted, (run.error, run.run.stderr.text()[-2000:])
    assert [c["status"] for c in run.cells] == ["ok", "timeout", "not-run"], run.cells
    stop = run.cells[1]["stop"]
    assert stop["how"] == "killed" or stop["processes"] >= 64 or run.cells[1].get(
        "processes", 0) >= 64, stop
    if "fork" in cell:
        assert max(stop["processes"], run.cells[1].get("processes", 0)) >= 64, run.cells[1]
    else:  # a Python handler looks like the kernel's own: the code shows it (sabotage.py)
        assert stop["sigint"] == ("ignored" if "SIG_IGN" in cell else "handled")
    # the per-cell timeout, the interrupt's grace, the kernel's start and the record
    assert run.run.seconds < 4 + 3 + 20, run.run.seconds
    assert run.leftover_processes == 0


def test_a_killed_runner_leaves_no_record_to_believe(sandbox: DockerSandbox, image: str) -> None:
    clean = json.dumps({"ok": True, "final": True, "cells": [
        {"index": 1, "status": "ok", "figures": 3}]})
    nb = notebook(
        "import os, json, signal\nos.makedirs('.grader-out', exist_ok=True)\n"
        f"open('.grader-out/summary.signed', 'w').write('0' * 64 + '\\n' + {clean!r})\n"
        "os.kill(os.getppid(), signal.SIGKILL)")
    run = execute_notebook(sandbox, image, nb, {}, Limits(memory_mb=1024, timeout_seconds=60),
                           cell_timeout=10)
    assert run.run.exit_code == 137 and run.runner_signal == 9
    assert not run.trusted and run.cells == [] and run.figures == []
    assert "killed by SIGKILL" in run.error


def test_the_runner_is_out_of_the_notebooks_reach(sandbox: DockerSandbox, image: str) -> None:
    """Its folder (and key) are gone before the kernel starts, its memory cannot be read, the
    submission's modules do not shadow its imports, and forged figure lines earn nothing."""
    nb = notebook(
        "import os, json\nfrom pathlib import Path\nfound = {'folder': os.path.exists("
        "'.grader'), 'mem': None}\ntry:\n    open(f'/proc/{os.getppid()}/mem', 'rb')\n"
        "except OSError as exc:\n    found['mem'] = type(exc).__name__\n"
        "fake = json.dumps({'axes': [{'xlabel': 'a', 'ylabel': 'b'}], 'png': '0' * 16})\n"
        "for fd in os.listdir('/proc/self/fd'):\n    try:\n"
        "        target = os.readlink(f'/proc/self/fd/{fd}')\n    except OSError:\n"
        "        continue\n    if target.endswith('figures.jsonl'):\n"
        "        os.write(int(fd), (fake + '\\n').encode() * 3)\n"
        "Path('answers.json').write_text(json.dumps(found))")
    shadow = b"raise SystemExit('the runner imported the submission')\n"
    run = execute_notebook(sandbox, image, nb, {"nbclient.py": shadow, "nbformat.py": shadow,
                                                "guard.py": shadow},
                           Limits(memory_mb=1024, timeout_seconds=60), cell_timeout=20,
                           collect={"answers.json": 4096})
    assert run.trusted, (run.error, run.run.stderr.text()[-2000:])
    assert run.cells[0]["status"] == "ok", run.cells
    assert json.loads(run.files["answers.json"]) == {"folder": False, "mem": "PermissionError"}
    assert run.figures == [] and run.figures_ignored == 3


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


def test_figures_count_in_any_inline_format(sandbox: DockerSandbox, image: str) -> None:
    nb = notebook(
        "import matplotlib.pyplot as plt\n%config InlineBackend.figure_formats = ['svg']\n"
        "plt.plot([1, 2])\nplt.xlabel('month')\nplt.ylabel('EUR')\nplt.show()",
        "%config InlineBackend.figure_formats = ['retina']\nplt.bar(['a'], [1])\nplt.show()")
    run = execute_notebook(sandbox, image, nb, {}, Limits(memory_mb=1024, timeout_seconds=60),
                           cell_timeout=20)
    assert [c["figures"] for c in run.cells] == [1, 1], run.cells
    assert [(f["cell"], f["axes"][0]["ylabel"]) for f in run.figures] == [(1, "EUR"), (2, "")]
    assert run.figures_ignored == 0
