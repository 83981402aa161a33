"""`integrity.no-sabotage`: the notebook lets the grader's run end and leaves its runner alone.

What counts, each seen by the grader's runner or in the code, never reported by the
candidate's own code:
- a cell that ran past its timeout and did not stop when interrupted *because it took the
  interrupt over*: SIGINT ignored or blocked in the kernel at the timeout (the runner reads
  /proc/<kernel>/status), or the code installs its own SIGINT/SIGTERM handler or mask in or
  before that cell. A cell that merely did not stop in time (a long call into a library) is
  killed the same way but is not counted here: `notebook.runs-clean` names it;
- a process flood: FLOOD processes or more alive at a cell's timeout or left behind by a cell
  (a fork bomb); the runner kills them;
- the grader's runner killed by a signal while the notebook ran (its record is then missing,
  and the run counts as not clean).
A failure raises the red flag `sabotage`; challenge.yaml caps the total.
"""

from __future__ import annotations

import signal
from typing import Any

from grader.analysis.notebook_facts import Cell, process_control
from grader.checks import CheckResult
from grader.tracks.notebook.execute import NotebookRun
from grader.tracks.notebook.judging import cell_name

CHECK, TITLE = "integrity.no-sabotage", "Lets the grading run end (no runaway cell, no fork bomb)"
FLOOD = 64


def _signal(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _findings(label: str, run: NotebookRun, code: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for c in run.cells:
        name, stop = cell_name(c["index"], run), c.get("stop") or {}
        took = [h for h in code if h["kind"] == "signal" and h["cell"] <= c["index"]]
        if stop.get("how") == "killed" and (stop.get("sigint") in ("ignored", "blocked")
                                             or took):
            how = (f"SIGINT {stop['sigint']} in its kernel" if stop.get("sigint") in (
                "ignored", "blocked") else f"{took[-1]['what']} in "
                f"{cell_name(took[-1]['cell'], run)}")
            found.append({"cell": took[-1]["cell"] if took else c["index"],
                          "line": took[-1]["line"] if took else 0,
                          "what": f"{name} takes the interrupt over ({how}) and ran past "
                                  "its timeout: it was killed with its kernel"})
        flood = max(stop.get("processes", 0), c.get("processes", 0))
        if flood >= FLOOD:
            forks = [h for h in code if h["kind"] == "fork" and h["cell"] == c["index"]]
            found.append({"cell": c["index"], "line": forks[0]["line"] if forks else 0,
                          "what": f"{name} flooded the sandbox with {flood} processes (a fork "
                                  "bomb); they were killed"})
    if run.runner_signal is not None:
        kills = [h for h in code if h["kind"] == "kill"]
        where = (f" ({kills[0]['what']} in {cell_name(kills[0]['cell'], run)})" if kills
                 else "")
        found.append({"cell": kills[0]["cell"] if kills else None,
                      "line": kills[0]["line"] if kills else 0,
                      "what": f"the grader's notebook runner was killed by "
                              f"{_signal(run.runner_signal)} while the notebook ran{where}"})
    for f in found:
        f["run"] = label
    return found


def sabotage_check(runs: list[tuple[str, NotebookRun]], cells: list[Cell],
                   notebook: str = "analysis.ipynb") -> CheckResult:
    """integrity.no-sabotage over both runs (`label`, run); each finding named once."""
    code = process_control(cells)
    findings: list[dict[str, Any]] = []
    seen: set[str] = set()
    for label, run in runs:
        for f in _findings(label, run, code):
            if f["what"] not in seen:
                seen.add(f["what"])
                findings.append(f)
    for f in findings:
        f["file"] = f"{notebook} cell {f['cell'] + 1}" if f["cell"] is not None else ""
    if findings:
        text = "; ".join(f"{f['what']} ({f['run']})" for f in findings[:4])
        return CheckResult.failed(CHECK, text + (f" (+{len(findings) - 4} more)"
                                                 if len(findings) > 4 else ""),
                                  title=TITLE, evidence={"findings": findings[:20]})
    killed = [cell_name(c["index"], run) for _, run in runs for c in run.stops
              if c["stop"].get("how") == "killed"]
    note = (f"; {killed[0]} did not stop within seconds of the interrupt and was killed, "
            "with no sign that it took the interrupt over (a long call into a library?)"
            if killed else "")
    return CheckResult.passed(CHECK, "every cell stopped when asked, no process flood, and "
                              "the grader's runner finished its record" + note, title=TITLE)
