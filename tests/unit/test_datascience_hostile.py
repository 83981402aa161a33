"""Hostile notebooks, without Docker: every parse of what a run leaves behind is bounded in size
and depth and says why it refused (never a RecursionError), only the runner's signed record
is believed (a killed runner, a forged or tampered record count as an unclean run), figure
records need a displayed image, and the sabotage check tells a cell that took the interrupt
over, a fork bomb and a killed runner from a cell that was merely slow."""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pytest

from grader.analysis import notebook_facts as nbf
from grader.candidate_json import depth, load_json
from grader.sandbox.capture import CapturedOutput
from grader.sandbox.engine import RunResult, RunSpec
from grader.sandbox.limits import Limits
from grader.tracks.notebook import records
from grader.tracks.notebook.answers import read_answers
from grader.tracks.notebook.execute import NotebookRun, execute_notebook, runner_owned
from grader.tracks.notebook.figures import figure_checks
from grader.tracks.notebook.judging import runs_clean
from grader.tracks.notebook.sabotage import sabotage_check
from tests.fakes import OneShotSandbox

DEEP = b"[" * 100_000 + b"]" * 100_000


def nested(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = [value]
    return value


# -- parsing bounds -----------------------------------------------------------------------------
def test_json_is_read_within_a_size_and_a_depth() -> None:
    assert load_json(b'{"a": [1, 2]}', 100, 2) == ({"a": [1, 2]}, "")
    assert load_json(json.dumps(nested(2)), 100, 2)[1] == ""
    assert load_json(json.dumps(nested(3)), 100, 2) == (
        None, "the file is nested deeper than 2 levels")
    assert load_json(DEEP, len(DEEP), 16)[1] == "the file is nested deeper than 16 levels"
    assert "larger than" in load_json(b"[]" * 100, 100, 4)[1]
    assert "not valid JSON" in load_json(b"{nope", 100, 4)[1]
    assert load_json(b"\xff", 100, 4)[1] == "the file is not UTF-8 text"
    assert load_json(b"[NaN]", 100, 4)[0] == [None]
    assert depth({"a": {"b": [1]}}, 10) == 3 and depth(7, 10) == 0


def test_answers_nested_past_the_limit_are_refused_with_the_reason() -> None:
    deep = read_answers(b'{"answers": {"q1": 1}, "provenance": ' + DEEP + b"}")
    assert not deep.present and deep.problems == ["answers.json is nested deeper than 16 levels"]
    fine = read_answers(json.dumps({"answers": {"q1": nested(14)}}).encode())
    assert fine.present
    assert not read_answers(json.dumps({"answers": {"q1": nested(15)}}).encode()).present


def test_a_deeply_nested_notebook_is_not_a_notebook(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("1")]
    nb.metadata["widgets"] = nested(100)
    path = tmp_path / "analysis.ipynb"
    path.write_text(json.dumps(nb))
    assert nbf.load_notebook(path) == (None, "analysis.ipynb is nested deeper than 64 levels")
    path.write_bytes(DEEP)
    assert nbf.load_notebook(path)[1] == "analysis.ipynb is nested deeper than 64 levels"
    nb.metadata["widgets"] = nested(40)
    path.write_text(json.dumps(nb))
    assert nbf.load_notebook(path)[0] is not None


def test_deeply_nested_code_is_skipped_by_the_analyses_and_not_linted() -> None:
    deep_minus = "x = " + "-" * 100_000 + "1"
    deep_plus = "s = " + " + ".join(['"a"'] * 5_000)
    brackets = "y = " + "[" * 300 + "]" * 300
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in (
        "import pandas as pd\nfor _, row in df.iterrows():\n    pass", deep_minus, deep_plus,
        brackets, "this is not python")]
    cells = nbf.cells(nb)
    assert nbf.parse_code(deep_minus) is None and nbf.parse_code(deep_plus) is None
    assert [f["what"] for f in nbf.row_loops(cells, "a.ipynb")] == [".iterrows()"]
    assert nbf.string_names(cells) == {}
    assert nbf.too_deep_cells(cells) == [1, 2, 3]  # not the cell with a mere syntax error


def test_record_lines_nested_past_the_limit_are_dropped() -> None:
    good = {"event": "list", "seq": 2, "path": "/", "via": "code"}
    raw = b"\n".join([json.dumps(good).encode(), DEEP,
                      json.dumps({**good, "path": nested(10)}).encode(), b"{bad"])
    assert records.read_audit(raw) == [good]


def test_the_signed_record_is_bounded_too() -> None:
    key = records.new_key()

    def sign(payload: bytes) -> bytes:
        return hmac.new(key, payload, hashlib.sha256).hexdigest().encode() + b"\n" + payload

    ok = json.dumps({"final": True, "cells": []}).encode()
    assert records.signed_summary(sign(ok), key)[0] == {"final": True, "cells": []}
    assert records.signed_summary(sign(DEEP), key)[1] == (
        "the runner's record is nested deeper than 8 levels")
    assert records.signed_summary(sign(b'{"final": false}'), key)[1] == (
        "the runner's record is incomplete")
    assert "signature" in records.signed_summary(b"0" * 64 + b"\n" + ok, key)[1]
    assert "signature" in records.signed_summary(sign(ok), records.new_key())[1]
    assert records.signed_summary(None, key)[1] == "the runner wrote no record"


# -- what is believed of a run ------------------------------------------------------------------
def _result(files: dict[str, bytes], outcome: str = "exited", code: int | None = 0) -> RunResult:
    empty = CapturedOutput(b"", b"", 0)
    return RunResult(outcome=outcome, exit_code=code, seconds=1.0,  # type: ignore[arg-type]
                     stdout=empty, stderr=empty, limits=Limits(), files=files)


@dataclass
class RunnerBox(OneShotSandbox):
    """Plays the container: `play(spec)` returns what the run left."""

    play: Any
    runs: list[RunSpec] = field(default_factory=list)

    def run(self, spec: RunSpec) -> RunResult:
        self.runs.append(spec)
        return self.play(spec)  # type: ignore[no-any-return]


def signed(spec: RunSpec, summary: dict[str, Any], executed: bytes | None = None) -> dict[
        str, bytes]:
    key = spec.files[".grader/hmac"]
    assert isinstance(key, bytes)
    files = {}
    if executed is not None:
        summary = {**summary, "executed_sha256": hashlib.sha256(executed).hexdigest()}
        files[".grader-out/executed.ipynb"] = executed
    payload = json.dumps(summary).encode()
    files[".grader-out/summary.signed"] = hmac.new(
        key, payload, hashlib.sha256).hexdigest().encode() + b"\n" + payload
    return files


CLEAN = {"ok": True, "final": True, "cells": [{"index": 0, "status": "ok", "figures": 1}],
         "figures": [{"suptitle": "", "axes": [], "cell": 0}]}


def run_with(play: Any) -> tuple[NotebookRun, RunnerBox]:
    box = RunnerBox(play)
    run = execute_notebook(box, "img", b"{}", {"data/x.csv": b"1", ".grader/hmac": b"mine",
                                                ".grader-out/summary.signed": b"forged"},
                           Limits(timeout_seconds=60), cell_timeout=10)
    return run, box


def test_only_the_runners_signed_record_is_believed() -> None:
    executed = nbformat.writes(nbformat.v4.new_notebook()).encode()
    run, box = run_with(lambda spec: _result(signed(spec, CLEAN, executed)))
    assert run.trusted and run.completed and run.cells[0]["status"] == "ok"
    assert run.executed is not None and len(run.figures) == 1
    spec = box.runs[0]
    assert spec.command[:3] == ["python", "-I", ".grader/run_notebook.py"]
    assert spec.files[".grader/hmac"] != b"mine"  # a submission cannot bring its own key
    assert ".grader-out/summary.signed" not in spec.files
    assert runner_owned(".grader/x") and runner_owned(".grader-out/y")
    assert not runner_owned("analysis.ipynb")
    # the signature holds but executed.ipynb is not the one the runner wrote
    tampered, _ = run_with(lambda spec: _result({
        **signed(spec, CLEAN, executed), ".grader-out/executed.ipynb": executed + b" "}))
    assert tampered.trusted and tampered.executed is None
    assert "not the one the runner wrote" in tampered.problems[0]


@pytest.mark.parametrize(("outcome", "code", "forge", "why"), [
    ("exited", 137, True, "killed by SIGKILL (exit code 137)"),
    ("exited", 143, False, "killed by SIGTERM"),
    ("exited", 0, True, "does not carry the runner's signature"),
    ("exited", 0, False, "the runner wrote no record"),
    ("exited", 1, False, "the grader's notebook runner failed (exit code 1)"),
    ("timeout", None, True, "before the grader's runner wrote its record"),
])
def test_a_run_without_a_clean_runner_exit_is_not_clean(outcome: str, code: int | None,
                                                        forge: bool, why: str) -> None:
    forged = {".grader-out/summary.signed": b"0" * 64 + b"\n" + json.dumps(CLEAN).encode(),
              "summary.json": json.dumps(CLEAN).encode()} if forge else {}
    run, _ = run_with(lambda spec: _result(forged, outcome, code))
    assert not run.trusted and not run.completed and run.cells == [] and run.figures == []
    assert why in run.error
    assert run.runner_signal == (code - 128 if code and code > 128 else None)
    check = runs_clean("notebook.runs-clean", "t", run, 10, 3.0)
    assert check.points == 0 and why in check.message
    assert figure_checks(run, 2)[0].status == "not_run"


# -- figures and stops, as the runner records them ----------------------------------------------
def _runner() -> Any:
    folder = Path(__file__).parents[2] / "grader" / "tracks" / "notebook"
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module("run_notebook")
    finally:
        sys.path.remove(str(folder))


def test_a_figure_record_counts_only_with_the_image_it_describes(tmp_path: Path) -> None:
    runner = _runner()
    png = b"\x89PNG fake pixels"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("plot()"), nbformat.v4.new_code_cell("x")]
    nb.cells[0].outputs = [nbformat.v4.new_output(
        "display_data", data={"image/png": base64.b64encode(png).decode()})]
    client = type("C", (), {"started": {0, 1}})()
    axes = [{"xlabel": "Month", "ylabel": "EUR"}]
    lines = [{"axes": axes, "png": hashlib.sha256(png).hexdigest()[:16]},
             {"axes": axes, "png": "0" * 16},                      # forged: nothing shown
             {"axes": axes, "png": hashlib.sha256(png).hexdigest()[:16]}]  # shown once only
    record = tmp_path / "figures.jsonl"
    record.write_bytes(b"\n".join([*(json.dumps(x).encode() for x in lines), DEEP]))
    kept, ignored = runner.verified_figures(nb, client, record)
    assert [f["cell"] for f in kept] == [0] and ignored == 2  # the forged and the repeat
    assert kept[0]["axes"][0]["xlabel"] == "Month"
    run = NotebookRun(run=_result({}), cells=[{"index": 0, "status": "ok", "figures": 0}],
                      trusted=True, figures_ignored=4)
    count = figure_checks(run, 2)[0]
    assert count.points == 0 and "4 figure record(s) matching no displayed image" in (
        count.message)


def _stopped(how: str, sigint: str = "handled", processes: int = 0) -> NotebookRun:
    cells = [{"index": 1, "status": "ok", "figures": 0, "count": 1},
             {"index": 2, "status": "timeout", "figures": 0, "count": 2,
              "stop": {"why": "cell-timeout", "how": how, "sigint": sigint,
                       "processes": processes}},
             {"index": 3, "status": "not-run", "figures": 0},
             {"index": 4, "status": "not-run", "figures": 0}]
    return NotebookRun(run=_result({}), cells=cells, trusted=True)


def cells_of(*sources: str) -> list[nbf.Cell]:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A"), *map(nbformat.v4.new_code_cell, sources)]
    return nbf.cells(nb)


def test_a_killed_cell_is_named_and_the_cells_after_it_summed_up() -> None:
    check = runs_clean("notebook.runs-clean", "t", _stopped("killed", "ignored"), 30, 3.0)
    assert "cell 3 (In [2]) ran past the 30 s per-cell timeout and did not stop when " \
           "interrupted (SIGINT ignored in its kernel): it was killed" in check.message
    assert "the 2 code cell(s) after it did not run" in check.message
    assert check.points == pytest.approx(3.0 * 0.5 / 4)


def test_sabotage_is_what_takes_the_interrupt_over_floods_or_kills_the_runner() -> None:
    honest = cells_of("x = 1", "slow_library_call()", "y", "z")
    slow = sabotage_check([("on the public data", _stopped("killed"))], honest)
    assert slow.status == "passed" and "no sign that it took the interrupt over" in slow.message
    ignored = sabotage_check([("p", _stopped("killed", "ignored"))], honest)
    assert ignored.status == "failed" and "SIGINT ignored in its kernel" in ignored.message
    handler = cells_of("import signal\nsignal.signal(signal.SIGINT, lambda *a: None)",
                       "while True:\n    pass", "y", "z")
    coded = sabotage_check([("p", _stopped("killed"))], handler)
    assert coded.status == "failed" and "signal(SIGINT, ...) in cell 2" in coded.message
    assert coded.evidence["findings"][0]["file"] == "analysis.ipynb cell 2"
    # an interrupt that worked is no sabotage, whatever the code installed
    assert sabotage_check([("p", _stopped("interrupted"))], handler).status == "passed"
    restores = cells_of("import signal\nsignal.signal(signal.SIGINT, signal.SIG_DFL)", "a",
                        "b", "c")
    assert sabotage_check([("p", _stopped("killed"))], restores).status == "passed"
    bomb = sabotage_check([("p", _stopped("killed", processes=240))],
                          cells_of("x", "while True:\n    os.fork()", "y", "z"))
    assert bomb.status == "failed" and "flooded the sandbox with 240 processes" in bomb.message
    killer = NotebookRun(run=_result({}, code=137), runner_signal=9)
    killed = sabotage_check([("p", killer)], cells_of(
        "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"))
    assert killed.status == "failed" and "runner was killed by SIGKILL" in killed.message
    assert "os.kill(os.getppid(), signal.SIGKILL) in cell 2" in killed.message


def test_process_control_in_the_code() -> None:
    found = nbf.process_control(cells_of(
        "import os, signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)",
        "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})",
        "signal.signal(signal.SIGINT, signal.default_int_handler)",
        "signal.signal(signal.SIGALRM, handler)", "pid = os.fork()", "os.kill(pid, 9)"))
    assert [(f["cell"], f["kind"]) for f in found] == [
        (1, "signal"), (2, "signal"), (5, "fork"), (6, "kill")]
