"""Run a notebook in the sandbox and read back what happened (for the data-science track).

The grader's runner (run_notebook.py, guard.py) executes the notebook in the container, as
the same uid as the kernel (the sandbox drops every capability, so no uid switch is possible
there). What the grader believes comes from the runner's record, written after every other
process in the container was killed and signed with a key made for this run (records.py):
it is believed only when the runner exited 0 and the signature holds. A runner the notebook
killed (exit 137), stopped or starved leaves no signed record: the run is not a clean one,
whatever files lie in the work folder. The answers file and the kernel's audit record are
candidate data: capped, parsed within a depth, validated.
"""

from __future__ import annotations

import signal
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from grader.analysis.notebook_facts import read_notebook
from grader.sandbox.engine import RunResult, RunSpec, Sandbox
from grader.sandbox.limits import Limits
from grader.tracks.notebook import records

EXECUTED_CAP = 16 * 1024 * 1024
RUNNER_DIR, OUT_DIR = ".grader/", ".grader-out/"
#: the runner and what it runs: copied into RUNNER_DIR, which it deletes before the kernel
HERE = Path(__file__).parent
RUNNER = HERE / "run_notebook.py"
RUNNER_CODE = {"run_notebook.py": RUNNER, "guard.py": HERE / "guard.py",
               "kernel_recorder.py": HERE / "kernel_recorder.py"}
#: names a submission's files may not take (the notebook names the runner once used, too)
RUNNER_FILES = {"notebook.ipynb", "executed.ipynb", "summary.json", "run_notebook.py",
                "kernel_recorder.py"}
#: seconds between the interrupt at a cell's timeout and killing the kernel
INTERRUPT_GRACE = 3.0


def runner_owned(rel: str) -> bool:
    """A path of the work folder the runner writes or reads (a submission's file there is
    not handed in)."""
    return rel.startswith((RUNNER_DIR, OUT_DIR)) or rel in RUNNER_FILES


@dataclass
class NotebookRun:
    run: RunResult
    cells: list[dict[str, Any]] = field(default_factory=list)
    completed: bool = False         # every cell was executed (errors allowed), record trusted
    error: str = ""                 # why execution stopped early, if it did
    executed: Any = None            # nbformat.NotebookNode of the executed notebook
    files: dict[str, bytes] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    #: One entry per figure a cell displayed whose axes the kernel recorded: {"suptitle",
    #: "axes": [{"xlabel", "ylabel", "title", "axis_on", "has_data", ...}], "cell"}.
    figures: list[dict[str, Any]] = field(default_factory=list)
    figures_ignored: int = 0        # figure records matching no displayed image
    seconds: float | None = None    # execution time as the runner measured it
    #: What the kernel recorder saw (kernel_recorder.py), validated: {"event": open | list |
    #: glob | command | env-scan | env-read | cell | answer, "seq": n-th cell run, ...}.
    audit: list[dict[str, Any]] = field(default_factory=list)
    audit_read: bool = False        # the record came back readable
    versions: dict[str, str] = field(default_factory=dict)  # library -> version
    trusted: bool = False           # the runner exited cleanly with its signed record
    runner_signal: int | None = None    # the signal that killed the runner, if one did
    leftover_processes: int = 0     # processes the notebook left when execution ended

    @property
    def failed_cells(self) -> list[dict[str, Any]]:
        return [c for c in self.cells if c["status"] in ("error", "timeout")]

    @property
    def stops(self) -> list[dict[str, Any]]:
        """Cells stopped at the timeout or deadline, with how (interrupted, killed)."""
        return [c for c in self.cells if "stop" in c]


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def untrusted_why(result: RunResult, problem: str) -> tuple[str, int | None]:
    """Why a run's record is not believed, and the signal that killed the runner."""
    if result.outcome not in ("exited", "oom"):
        return f"{result.describe()}, before the grader's runner wrote its record", None
    code = result.exit_code if result.exit_code is not None else -1
    if code > 128 and result.outcome == "exited":
        return (f"the grader's notebook runner was killed by {_signal_name(code - 128)} "
                f"(exit code {code}) while the notebook ran: it left no record, so nothing "
                "of this run counts as clean"), code - 128
    if code != 0:
        cause = result.cause()
        return (f"the grader's notebook runner failed (exit code {code})"
                + (f": {cause[:300]}" if cause else "")), None
    return problem, None


def run_command(cell_timeout: float, deadline: float, record_figures: bool, audit: bool,
                answers_file: str, decoy_to: str) -> list[str]:
    return ["python", "-I", f"{RUNNER_DIR}run_notebook.py", "--cell-timeout",
            f"{cell_timeout:g}", "--grace", f"{INTERRUPT_GRACE:g}", "--deadline",
            f"{deadline:.1f}", *(["--figures"] if record_figures else []),
            *(["--audit", "--answers", answers_file] if audit else []),
            *(["--decoy-to", decoy_to] if decoy_to else [])]


def run_deadline(sandbox: Sandbox, limits: Limits) -> float:
    """Seconds the runner may spend before it must stop the kernel and write its record: the
    run's wall clock (or what is left of the grading budget), less the time to write."""
    wall = float(limits.timeout_seconds)
    left = getattr(sandbox, "seconds_left", lambda: None)()
    if isinstance(left, int | float) and 0 < left < wall:
        wall = float(left)
    return max(wall - min(15.0, wall / 4), 1.0)


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
    key = records.new_key()
    extra: dict[str, bytes | Path] = {f"{RUNNER_DIR}{name}": path
                                      for name, path in RUNNER_CODE.items()}
    extra.update({f"{RUNNER_DIR}notebook.ipynb": notebook, f"{RUNNER_DIR}hmac": key})
    if decoy is not None:
        extra[f"{RUNNER_DIR}decoy.json"] = decoy[1]
    wanted = {f"{OUT_DIR}summary.signed": records.SUMMARY_CAP + 200,
              f"{OUT_DIR}executed.ipynb": EXECUTED_CAP, f"{OUT_DIR}audit.jsonl":
              records.AUDIT_CAP, **(collect or {})}
    result = sandbox.run(RunSpec(
        image=image, limits=limits, name_hint=name_hint,
        command=run_command(cell_timeout, run_deadline(sandbox, limits), record_figures,
                            audit, answers_file, decoy[0] if decoy else ""),
        files={**{k: v for k, v in files.items() if not runner_owned(k)}, **extra},
        env={"MPLCONFIGDIR": "/tmp/matplotlib", **(env or {})}, collect=wanted))
    out = NotebookRun(run=result, files={k: v for k, v in result.files.items()
                                         if not runner_owned(k)})
    summary, problem = records.signed_summary(result.files.get(f"{OUT_DIR}summary.signed"),
                                              key)
    if summary is None or result.outcome not in ("exited", "oom") or result.exit_code != 0:
        out.error, out.runner_signal = untrusted_why(result, problem)
        out.problems.append(out.error)
        return out
    _read_trusted(out, summary, result)
    return out


def _read_trusted(out: NotebookRun, summary: dict[str, Any], result: RunResult) -> None:
    out.trusted = True
    cells = summary.get("cells")
    out.cells = [c for c in map(records.valid_cell, cells if isinstance(cells, list) else [])
                 if c is not None]
    out.completed = summary.get("ok") is True
    out.versions = records.versions(summary)
    figures = summary.get("figures")
    out.figures = [f for f in map(records.valid_figure, figures[:200] if isinstance(
        figures, list) else []) if f is not None]
    out.figures_ignored = records.natural(summary.get("figures_ignored")) or 0
    out.leftover_processes = records.natural(summary.get("leftover_processes")) or 0
    seconds = summary.get("seconds")
    if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds >= 0:
        out.seconds = float(seconds)
    if result.outcome != "exited":
        out.error = result.describe()
    elif isinstance(summary.get("error"), str):
        out.error = summary["error"][:2000]
    raw_audit = result.files.get(f"{OUT_DIR}audit.jsonl")
    if records.digest_matches(summary, "audit", raw_audit):
        out.audit_read = True
        out.audit = records.read_audit(raw_audit)
    raw_nb = result.files.get(f"{OUT_DIR}executed.ipynb")
    if raw_nb is None:
        why = result.file_errors.get(f"{OUT_DIR}executed.ipynb", "not written")
        out.problems.append(f"the executed notebook did not come back ({why})")
    elif not records.digest_matches(summary, "executed", raw_nb):
        out.problems.append("the executed notebook is not the one the runner wrote")
    else:
        out.executed, why = read_notebook(raw_nb, "the executed notebook")
        try:
            if out.executed is not None:
                nbformat.validate(out.executed)
        except Exception as exc:  # nbformat raises several types on bad input
            out.executed, why = None, f"the executed notebook is not valid: {type(exc).__name__}"
        if out.executed is None:
            out.problems.append(why)

