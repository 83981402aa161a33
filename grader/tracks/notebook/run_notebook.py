"""Execute a notebook top to bottom in a fresh kernel; keep going past failing cells.

    python run_notebook.py NOTEBOOK --executed executed.ipynb --summary summary.json
        --cell-timeout 60

The summary lists every code cell: ok | error | timeout | not-run, the error's name, value and
traceback (trimmed), seconds, and how many figures it displayed.

With --figures FILE, an IPython startup file (in a private IPYTHONDIR) makes the kernel append
one JSON line per rendered matplotlib figure to FILE: its axes' labels and titles, so the
grader can say whether the axes are labelled. It wraps the canvas's print_figure and never
changes what the figure looks like or what the cell returns.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

ANSI = re.compile(r"\x1b\[[0-9;]*m")
FIGURE_RECORDER = """
def _grader_record_figures(path):
    import json
    try:
        from matplotlib.backend_bases import FigureCanvasBase
    except Exception:
        return
    original = FigureCanvasBase.print_figure

    def print_figure(self, *args, **kwargs):
        try:
            fig = self.figure
            axes = [{"xlabel": ax.get_xlabel()[:200], "ylabel": ax.get_ylabel()[:200],
                     "title": ax.get_title()[:200], "axis_on": bool(ax.axison),
                     "has_data": bool(ax.has_data())} for ax in fig.get_axes()[:20]]
            title = fig._suptitle.get_text()[:200] if fig._suptitle is not None else ""
            with open(path, "a") as f:
                f.write(json.dumps({"suptitle": title, "axes": axes}) + "\\n")
        except Exception:
            pass
        return original(self, *args, **kwargs)

    FigureCanvasBase.print_figure = print_figure


_grader_record_figures(%r)
del _grader_record_figures
"""


def install_figure_recorder(path: str) -> None:
    ipython_dir = Path(tempfile.mkdtemp(prefix="ipython-"))
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-grader-figures.py").write_text(FIGURE_RECORDER % os.path.abspath(path))
    os.environ["IPYTHONDIR"] = str(ipython_dir)


def _seconds(started: str, ended: str) -> float | None:
    try:
        return (datetime.fromisoformat(ended) - datetime.fromisoformat(started)).total_seconds()
    except (TypeError, ValueError):
        return None


def cell_summary(index: int, cell: dict, cell_timeout: float) -> dict:
    outputs = cell.get("outputs", [])
    error = next((o for o in outputs if o.get("output_type") == "error"), None)
    figures = sum(1 for o in outputs if "image/png" in o.get("data", {}))
    timing = cell.get("metadata", {}).get("execution", {})
    started, ended = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    status = "not-run" if cell.get("execution_count") is None and not outputs else "ok"
    entry = {"index": index, "status": status, "figures": figures}
    if error is not None:
        entry["status"] = "timeout" if error.get("ename") == "CellTimeoutError" else "error"
        # nbclient interrupts a cell at the timeout: the cell then shows a KeyboardInterrupt
        seconds = _seconds(started, ended) if started and ended else None
        if error.get("ename") == "KeyboardInterrupt" and (
                seconds is None or seconds >= 0.9 * cell_timeout):
            entry["status"] = "timeout"
        entry["ename"] = str(error.get("ename", ""))[:200]
        entry["evalue"] = str(error.get("evalue", ""))[:1000]
        tb = "\n".join(ANSI.sub("", line) for line in error.get("traceback", []))
        entry["traceback"] = tb[-4000:]
    if started and ended:
        entry["started"], entry["ended"] = started, ended
    return entry


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("notebook")
    parser.add_argument("--executed", default="executed.ipynb")
    parser.add_argument("--summary", default="summary.json")
    parser.add_argument("--cell-timeout", type=float, default=60)
    parser.add_argument("--figures", default="")
    args = parser.parse_args()
    if args.figures:
        install_figure_recorder(args.figures)

    summary: dict = {"ok": False, "error": "", "cells": []}
    started = time.monotonic()
    try:
        nb = nbformat.read(args.notebook, as_version=4)
    except Exception as exc:  # not a notebook at all
        summary["error"] = f"the notebook could not be read: {type(exc).__name__}: {exc}"[:2000]
        with open(args.summary, "w") as f:
            json.dump(summary, f)
        return 0
    client = NotebookClient(nb, timeout=args.cell_timeout, kernel_name="python3",
                            allow_errors=True, interrupt_on_timeout=True, record_timing=True,
                            resources={"metadata": {"path": "."}})
    try:
        client.execute()
        summary["ok"] = True
    except CellTimeoutError as exc:
        summary["error"] = f"a cell ran past {args.cell_timeout:g} s: {exc}"[:2000]
    except DeadKernelError as exc:
        summary["error"] = f"the kernel died (memory limit?): {exc}"[:2000]
    except Exception as exc:
        summary["error"] = f"{type(exc).__name__}: {exc}"[:2000]
    # Empty code cells have nothing to run (nbclient skips them): they are left out.
    code_cells = [(i, c) for i, c in enumerate(nb.cells) if c.get("cell_type") == "code"
                  and str(c.get("source", "")).strip()]
    summary["cells"] = [cell_summary(i, c, args.cell_timeout) for i, c in code_cells]
    summary["seconds"] = round(time.monotonic() - started, 2)
    nbformat.write(nb, args.executed)
    with open(args.summary, "w") as f:
        json.dump(summary, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
