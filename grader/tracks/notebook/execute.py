"""Run a notebook in the sandbox and read back what happened (for the data-science track).

The kernel runs candidate code in the same container as grader's runner, so everything read
back is untrusted: capped in size, parsed as JSON or nbformat, checked against the shape we
expect, and anything odd is reported as a problem instead of believed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from grader.sandbox.engine import RunResult, RunSpec, Sandbox
from grader.sandbox.limits import Limits

NOTEBOOK_NAME = "notebook.ipynb"
FIGURES_NAME = ".grader-figures.jsonl"
AUDIT_NAME = ".grader-audit.jsonl"
DECOY_NAME = ".grader-decoy.json"
EXECUTED_CAP = 16 * 1024 * 1024
SUMMARY_CAP = 2 * 1024 * 1024
FIGURES_CAP = 1024 * 1024
AUDIT_CAP = 1024 * 1024
CELL_STATUSES = {"ok", "error", "timeout", "not-run"}
#: grader's runner and the kernel's recorder, copied into the container beside the notebook.
RUNNER = Path(__file__).with_name("run_notebook.py")
RECORDER = Path(__file__).with_name("kernel_recorder.py")
#: every file name the runner uses in the work folder
RUNNER_FILES = {NOTEBOOK_NAME, "executed.ipynb", "summary.json", "run_notebook.py",
                "kernel_recorder.py", FIGURES_NAME, AUDIT_NAME, DECOY_NAME}
_AUDIT_TEXT = {"path": 400, "via": 60, "name": 100, "command": 300, "sha": 12, "question": 100}
AUDIT_EVENTS = {"open", "list", "glob", "command", "env-scan", "env-read", "cell", "answer"}


@dataclass
class NotebookRun:
    run: RunResult
    cells: list[dict[str, Any]] = field(default_factory=list)
    completed: bool = False         # every cell was executed (errors allowed)
    error: str = ""                 # why execution stopped early, if it did
    executed: Any = None            # nbformat.NotebookNode of the executed notebook
    files: dict[str, bytes] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    #: One entry per figure rendered: {"suptitle": str, "axes": [{"xlabel", "ylabel",
    #: "title", "axis_on", "has_data"}]}, as recorded inside the kernel (untrusted, validated).
    figures: list[dict[str, Any]] = field(default_factory=list)
    seconds: float | None = None    # execution time as the runner measured it
    #: What the kernel recorder saw (kernel_recorder.py), validated: {"event": open | list |
    #: glob | command | env-scan | env-read | cell | answer, "seq": n-th cell run, ...}.
    audit: list[dict[str, Any]] = field(default_factory=list)
    audit_read: bool = False        # the record came back readable
    versions: dict[str, str] = field(default_factory=dict)  # library -> version

    @property
    def failed_cells(self) -> list[dict[str, Any]]:
        return [c for c in self.cells if c["status"] in ("error", "timeout")]


def _valid_cell(entry: Any) -> dict[str, Any] | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("index"), int):
        return None
    if entry.get("status") not in CELL_STATUSES:
        return None
    keep = {k: entry[k] for k in ("index", "status", "figures", "ename", "evalue",
                                  "traceback", "started", "ended", "count") if k in entry}
    if not isinstance(keep.get("count"), int) or isinstance(keep.get("count"), bool):
        keep.pop("count", None)
    for text in ("ename", "evalue", "traceback", "started", "ended"):
        if text in keep and not isinstance(keep[text], str):
            del keep[text]
    if not isinstance(keep.get("figures"), int) or keep["figures"] < 0:
        keep["figures"] = 0
    return keep


def _valid_figure(entry: Any) -> dict[str, Any] | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("axes"), list):
        return None
    axes = []
    for ax in entry["axes"][:20]:
        if not isinstance(ax, dict):
            return None
        axes.append({"xlabel": str(ax.get("xlabel", ""))[:200],
                     "ylabel": str(ax.get("ylabel", ""))[:200],
                     "title": str(ax.get("title", ""))[:200],
                     "axis_on": ax.get("axis_on") is not False,
                     "has_data": ax.get("has_data") is not False,
                     "x_ticks": ax.get("x_ticks") is not False,
                     "y_ticks": ax.get("y_ticks") is not False,
                     "colorbar": ax.get("colorbar") is True})
    return {"suptitle": str(entry.get("suptitle", ""))[:200], "axes": axes}


def _read_figures(raw: bytes | None) -> list[dict[str, Any]]:
    figures = []
    for line in (raw or b"").decode("utf-8", "replace").splitlines()[:500]:
        try:
            entry = _valid_figure(json.loads(line))
        except ValueError:
            entry = None
        if entry is not None:
            figures.append(entry)
    return figures


def _valid_event(entry: Any) -> dict[str, Any] | None:
    if not isinstance(entry, dict) or entry.get("event") not in AUDIT_EVENTS:
        return None
    seq = entry.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        return None
    out: dict[str, Any] = {"event": entry["event"], "seq": seq}
    for key, cap in _AUDIT_TEXT.items():
        if isinstance(entry.get(key), str):
            out[key] = entry[key][:cap]
    for key in ("write", "recursive"):
        if isinstance(entry.get(key), bool):
            out[key] = entry[key]
    line = entry.get("line")
    if isinstance(line, int) and not isinstance(line, bool) and line >= 0:
        out["line"] = line
    return out


def read_audit(raw: bytes | None) -> list[dict[str, Any]]:
    """The kernel recorder's lines, each validated (odd ones dropped), at most 4,000."""
    events = []
    for line in (raw or b"")[:AUDIT_CAP].decode("utf-8", "replace").splitlines()[:4000]:
        try:
            entry = _valid_event(json.loads(line))
        except ValueError:
            entry = None
        if entry is not None:
            events.append(entry)
    return events


def _versions(summary: dict[str, Any]) -> dict[str, str]:
    found = summary.get("versions")
    if not isinstance(found, dict):
        return {}
    return {str(k)[:40]: str(v)[:40] for k, v in list(found.items())[:20]
            if isinstance(v, str)}


def execute_notebook(sandbox: Sandbox, image: str, notebook: bytes,
                     files: Mapping[str, bytes | Path], limits: Limits,
                     cell_timeout: float, collect: Mapping[str, int] | None = None,
                     name_hint: str = "notebook", env: Mapping[str, str] | None = None,
                     record_figures: bool = True, audit: bool = True,
                     answers_file: str = "answers.json",
                     decoy: tuple[str, bytes] | None = None) -> NotebookRun:
    """Execute `notebook` with `files` beside it (data), no network; collect `collect` too.
    `audit`: record what the candidate's code did outside its work folder (and which cell
    wrote each answer of `answers_file`); `decoy`: (absolute path, content) of a made-up
    answer key placed outside the work folder before the kernel starts."""
    wanted = {"executed.ipynb": EXECUTED_CAP, "summary.json": SUMMARY_CAP,
              **({FIGURES_NAME: FIGURES_CAP} if record_figures else {}),
              **({AUDIT_NAME: AUDIT_CAP} if audit else {}), **(collect or {})}
    extra: dict[str, bytes | Path] = {NOTEBOOK_NAME: notebook, "run_notebook.py": RUNNER,
                                      "kernel_recorder.py": RECORDER}
    if decoy is not None:
        extra[DECOY_NAME] = decoy[1]
    result = sandbox.run(RunSpec(
        image=image, limits=limits, name_hint=name_hint,
        command=["python", "run_notebook.py", NOTEBOOK_NAME, "--executed", "executed.ipynb",
                 "--summary", "summary.json", "--cell-timeout", str(cell_timeout),
                 *(["--figures", FIGURES_NAME] if record_figures else []),
                 *(["--audit", AUDIT_NAME, "--answers", answers_file] if audit else []),
                 *(["--decoy-from", DECOY_NAME, "--decoy-to", decoy[0]] if decoy else [])],
        files={**files, **extra},
        env={"MPLCONFIGDIR": "/tmp/matplotlib", **(env or {})},
        collect=wanted))
    out = NotebookRun(run=result, files={k: v for k, v in result.files.items()
                                         if k not in RUNNER_FILES})
    out.figures = _read_figures(result.files.get(FIGURES_NAME))
    out.audit_read = AUDIT_NAME in result.files
    out.audit = read_audit(result.files.get(AUDIT_NAME))
    if result.outcome != "exited":
        out.error = result.describe()
    raw = result.files.get("summary.json")
    try:
        summary = json.loads(raw) if raw is not None else None
    except (ValueError, UnicodeDecodeError):
        summary = None
    if not isinstance(summary, dict):
        out.problems.append("no readable execution summary"
                            + (f" ({result.file_errors['summary.json']})"
                               if "summary.json" in result.file_errors else ""))
    else:
        cells = [_valid_cell(c) for c in summary.get("cells", [])
                 if isinstance(summary.get("cells"), list)]
        out.cells = [c for c in cells if c is not None]
        out.completed = summary.get("ok") is True and result.outcome == "exited"
        out.versions = _versions(summary)
        seconds = summary.get("seconds")
        if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds >= 0:
            out.seconds = float(seconds)
        if not out.error and isinstance(summary.get("error"), str):
            out.error = summary["error"][:2000]
    raw_nb = result.files.get("executed.ipynb")
    if raw_nb is not None:
        try:
            out.executed = nbformat.reads(raw_nb.decode("utf-8"), as_version=4)
            nbformat.validate(out.executed)
        except Exception as exc:  # nbformat raises several types on bad input
            out.executed = None
            out.problems.append(f"the executed notebook is not valid: {type(exc).__name__}")
    return out
