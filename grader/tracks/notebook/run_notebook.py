"""Execute a notebook top to bottom in a fresh kernel; keep going past failing cells.

    python run_notebook.py NOTEBOOK --executed executed.ipynb --summary summary.json
        --cell-timeout 60 [--figures F] [--audit F --answers answers.json]
        [--decoy-from F --decoy-to /tmp/answer_key.json]

The summary lists every code cell: ok | error | timeout | not-run, its execution count, the
error's name, value and traceback (trimmed, keeping the candidate's own frames, `Cell In[n],
line m`, as well as the tail), seconds, and how many figures it displayed; and the versions
of the usual libraries the notebook ran with.

With --figures or --audit, kernel_recorder.py (copied in beside this file, then removed) is
installed as an IPython startup file in a private IPYTHONDIR: it records figures' axes and what
the candidate's code did outside its work folder (see that file). With --decoy-from, that file
is moved to --decoy-to (a made-up answer key outside the work folder) before the kernel starts.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from datetime import datetime
from importlib import metadata
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

ANSI = re.compile(r"\x1b\[[0-9;]*m")
RECORDER = Path(__file__).with_name("kernel_recorder.py")
LIBRARIES = ("pandas", "numpy", "matplotlib", "scipy", "polars", "duckdb", "statsmodels",
             "seaborn", "scikit-learn")
TRACEBACK_CAP = 4000
OWN_FRAME = re.compile(r"^Cell In\[\d+\].*?(?=\n[ \t]*\n|\Z)", re.MULTILINE | re.DOTALL)


def install_recorder(config: dict) -> None:
    """The kernel recorder as a startup file, run in a namespace of its own."""
    source = RECORDER.read_text()
    ipython_dir = Path(tempfile.mkdtemp(prefix="ipython-"))
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-grader.py").write_text(
        f"exec(compile({source!r}, '<grader-recorder>', 'exec'), "
        f"{{'__name__': 'grader_recorder', 'CONFIG': {config!r}}})\n")
    os.environ["IPYTHONDIR"] = str(ipython_dir)


def place_decoy(source: str, target: str) -> None:
    try:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        shutil.move(source, target)
    except OSError:
        Path(source).unlink(missing_ok=True)


def versions() -> dict:
    found = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def trim_traceback(text: str, cap: int = TRACEBACK_CAP) -> str:
    """`text` within `cap` characters: the candidate's frames (blocks starting `Cell In[`)
    first, then as much of the tail as fits."""
    if len(text) <= cap:
        return text
    own = [b[:600] for b in OWN_FRAME.findall(text)][:3]
    head = "\n\n".join([text.split("\n", 2)[1][:300] if text.count("\n") > 1 else "", *own])
    room = max(cap - len(head) - 60, cap // 3)
    cut = len(text) - room
    return f"{head}\n\n[... {cut} characters cut ...]\n{text[-room:]}"


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
    if isinstance(cell.get("execution_count"), int):
        entry["count"] = cell["execution_count"]
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
        entry["traceback"] = trim_traceback(tb)
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
    parser.add_argument("--audit", default="")
    parser.add_argument("--answers", default="answers.json")
    parser.add_argument("--decoy-from", default="")
    parser.add_argument("--decoy-to", default="")
    args = parser.parse_args()
    if args.decoy_from and args.decoy_to:
        place_decoy(args.decoy_from, args.decoy_to)
    if args.figures or args.audit:
        install_recorder({"figures": os.path.abspath(args.figures) if args.figures else "",
                          "audit": os.path.abspath(args.audit) if args.audit else "",
                          "answers": args.answers})
    RECORDER.unlink(missing_ok=True)

    summary: dict = {"ok": False, "error": "", "cells": [], "versions": versions()}
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
