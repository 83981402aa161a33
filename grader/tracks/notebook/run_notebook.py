"""Execute a notebook top to bottom in a fresh kernel; keep going past failing cells.

    python run_notebook.py NOTEBOOK --executed executed.ipynb --summary summary.json
        --cell-timeout 60

The summary lists every code cell: ok | error | timeout | not-run, the error's name, value and
traceback (trimmed), seconds, and how many figures it displayed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def cell_summary(index: int, cell: dict) -> dict:
    outputs = cell.get("outputs", [])
    error = next((o for o in outputs if o.get("output_type") == "error"), None)
    figures = sum(1 for o in outputs if "image/png" in o.get("data", {}))
    timing = cell.get("metadata", {}).get("execution", {})
    started, ended = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    status = "not-run" if cell.get("execution_count") is None and not outputs else "ok"
    entry = {"index": index, "status": status, "figures": figures}
    if error is not None:
        entry["status"] = "timeout" if error.get("ename") == "CellTimeoutError" else "error"
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
    args = parser.parse_args()

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
    code_cells = [(i, c) for i, c in enumerate(nb.cells) if c.get("cell_type") == "code"]
    summary["cells"] = [cell_summary(i, c) for i, c in code_cells]
    summary["seconds"] = round(time.monotonic() - started, 2)
    nbformat.write(nb, args.executed)
    with open(args.summary, "w") as f:
        json.dump(summary, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
