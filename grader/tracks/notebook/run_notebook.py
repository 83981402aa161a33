"""The grader's notebook runner (runs in the container): execute a notebook top to bottom in a
fresh kernel, keep going past failing cells, stop cells that do not stop, and write a record
the grader can trust.

    python -I .grader/run_notebook.py --cell-timeout 30 --grace 3 --deadline 165
        [--figures] [--audit --answers answers.json] [--decoy-to /tmp/answer_key.json]

The grader writes `.grader/` in the work folder: this file, guard.py, kernel_recorder.py, the
notebook, the decoy and a one-time HMAC key (`hmac`). The runner reads them and deletes the
folder before the kernel starts, and makes itself non-dumpable (guard.no_dump), so the kernel
(same uid) cannot read the key from its memory. `-I` keeps the work folder off its sys.path:
a `json.py` of the submission cannot shadow its imports.

The record: every code cell (ok | error | timeout | not-run, its execution count, the error's
name, value and traceback trimmed to the candidate's own frames and the tail, how many figures
it displayed, how it was stopped and what the kernel looked like then), the figures' axes (as
kernel_recorder.py saw them, each kept only when its image is one a cell displayed: a line
appended to the recorder's file by the notebook earns nothing), the library versions, the run's
seconds, and the SHA-256 of executed.ipynb and of the kernel's audit record. It is written to
`.grader-out/` after every other process of the container was killed (guard.kill_all), as
`summary.signed`: the HMAC-SHA256 of the JSON payload under the key, a newline, the payload.
The grader believes it only when the runner exited 0 and the signature holds.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat

HERE = Path(__file__).resolve().parent
if TYPE_CHECKING:
    from grader.tracks.notebook import guard
else:  # guard.py sits beside this file; the work folder itself is never on sys.path
    sys.path.insert(0, str(HERE))
    import guard

    sys.path.remove(str(HERE))

ANSI = re.compile(r"\x1b\[[0-9;]*m")
OUT_DIR = ".grader-out"
LIBRARIES = ("pandas", "numpy", "matplotlib", "scipy", "polars", "duckdb", "statsmodels",
             "seaborn", "scikit-learn")
TRACEBACK_CAP, LATER_TRACEBACK_CAP, FULL_TRACEBACKS = 4000, 300, 20
RECORD_CAP, MAX_FIGURES, MAX_AXES = 1024 * 1024, 100, 20
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml")
OWN_FRAME = re.compile(r"^Cell In\[\d+\].*?(?=\n[ \t]*\n|\Z)", re.MULTILINE | re.DOTALL)


def install_recorder(source: str, config: dict[str, Any]) -> None:
    """The kernel recorder as a startup file, run in a namespace of its own."""
    ipython_dir = Path(tempfile.mkdtemp(prefix="ipython-"))
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-grader.py").write_text(
        f"exec(compile({source!r}, '<grader-recorder>', 'exec'), "
        f"{{'__name__': 'grader_recorder', 'CONFIG': {config!r}}})\n")
    os.environ["IPYTHONDIR"] = str(ipython_dir)


def place_decoy(content: bytes, target: str) -> None:
    try:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        Path(target).write_bytes(content)
    except OSError:
        pass


def versions() -> dict[str, str]:
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
    own = [b[:600] for b in OWN_FRAME.findall(text)][:3] if cap >= 1000 else []
    head = "\n\n".join([text.split("\n", 2)[1][:300] if text.count("\n") > 1 else "", *own])
    room = max(cap - len(head) - 60, cap // 3)
    cut = len(text) - room
    return f"{head}\n\n[... {cut} characters cut ...]\n{text[-room:]}"


def image_digest(data: Any) -> str:
    """SHA-256 (16 hex digits) of the image an output displays (PNG or JPEG in base64, SVG as
    text: the bytes matplotlib wrote), "" when it shows none."""
    data = data if isinstance(data, dict) else {}
    mime = next((m for m in IMAGE_TYPES if m in data), None)
    if mime is None:
        return ""
    text = "".join(map(str, data[mime])) if isinstance(data[mime], list) else str(data[mime])
    try:
        raw = text.encode() if mime == "image/svg+xml" else base64.b64decode(text)
    except (binascii.Error, ValueError):
        return ""
    return hashlib.sha256(raw).hexdigest()[:16]


def cell_summary(index: int, cell: Any, client: guard.GuardedClient | None,
                 errors_before: int) -> dict[str, Any]:
    outputs = cell.get("outputs", []) if client and index in client.started else []
    error = next((o for o in outputs if o.get("output_type") == "error"), None)
    entry: dict[str, Any] = {"index": index, "status": "not-run", "figures": sum(
        1 for o in outputs if set(IMAGE_TYPES) & set(o.get("data") or {}))}
    if client is None or index not in client.started:
        return entry
    entry["status"] = "ok"
    if isinstance(cell.get("execution_count"), int):
        entry["count"] = cell["execution_count"]
    if error is not None:
        entry["status"] = "error"
        entry["ename"] = str(error.get("ename", ""))[:200]
        entry["evalue"] = str(error.get("evalue", ""))[:1000]
        tb = "\n".join(ANSI.sub("", str(line)) for line in error.get("traceback", []))
        entry["traceback"] = trim_traceback(tb, TRACEBACK_CAP if errors_before < FULL_TRACEBACKS
                                            else LATER_TRACEBACK_CAP)
    if index in client.stops:
        entry["status"] = "timeout"
        entry["stop"] = client.stops[index]
    if client.leftovers.get(index):
        entry["processes"] = client.leftovers[index]
    timing = cell.get("metadata", {}).get("execution", {})
    started, ended = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if isinstance(started, str) and isinstance(ended, str):
        entry["started"], entry["ended"] = started[:40], ended[:40]
    return entry


def _figure(entry: Any) -> dict[str, Any] | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("axes"), list) or not isinstance(
            entry.get("png"), str):
        return None
    axes = []
    for ax in entry["axes"][:MAX_AXES]:
        if not isinstance(ax, dict):
            return None
        axes.append({k: str(ax.get(k, ""))[:200] for k in ("xlabel", "ylabel", "title")}
                    | {k: ax.get(k) is not False for k in ("axis_on", "has_data", "x_ticks",
                                                             "y_ticks")}
                    | {"colorbar": ax.get("colorbar") is True})
    return {"suptitle": str(entry.get("suptitle", ""))[:200], "axes": axes,
            "png": entry["png"][:16]}


def verified_figures(nb: Any, client: guard.GuardedClient | None,
                     record: Path) -> tuple[list[dict[str, Any]], int]:
    """The recorder's figures whose image a cell displayed (each display backs one record),
    with that cell's index; and how many records matched no displayed image."""
    shown: dict[str, list[int]] = {}
    for index, cell in enumerate(nb.cells):
        if client is None or index not in client.started:
            continue
        for out in cell.get("outputs", []):
            digest = image_digest(out.get("data"))
            if digest:
                shown.setdefault(digest, []).append(index)
    try:
        with open(record, "rb") as f:
            lines = f.read(RECORD_CAP).decode("utf-8", "replace").splitlines()
    except OSError:
        lines = []
    kept: list[dict[str, Any]] = []
    ignored = 0
    for line in lines[:1000]:
        try:
            figure = _figure(json.loads(line))
        except (ValueError, RecursionError):
            figure = None
        if figure is None:
            continue
        if not shown.get(figure["png"]):
            ignored += 1
        elif len(kept) < MAX_FIGURES:
            kept.append({**figure, "cell": shown[figure["png"]].pop(0)})
    return kept, ignored


def fresh(nb: Any) -> None:
    """Clear saved outputs and counts: a cell the run never reached shows nothing."""
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
            cell.get("metadata", {}).pop("execution", None)


def clear_out_dir() -> Path:
    """A fresh .grader-out/ (whatever the notebook left under that name, and whatever it did
    to the permissions of the work folder, is moved aside: the runner owns both)."""
    out = Path(OUT_DIR)
    with contextlib.suppress(OSError):
        os.chmod(".", 0o755)
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        out.unlink()
    elif out.exists():
        with contextlib.suppress(OSError):
            os.chmod(out, 0o700)
        out.rename(f"{OUT_DIR}-stale-{os.urandom(4).hex()}")
    out.mkdir(mode=0o700)
    return out


def write_record(summary: dict[str, Any], nb: Any, audit: Path, key: bytes) -> None:
    """executed.ipynb, the kernel's audit record and the signed summary in .grader-out/."""
    out = clear_out_dir()
    if nb is not None:
        executed = nbformat.writes(nb).encode()
        (out / "executed.ipynb").write_bytes(executed)
        summary["executed_sha256"] = hashlib.sha256(executed).hexdigest()
    try:
        with open(audit, "rb") as f:
            lines = f.read(RECORD_CAP)
    except OSError:
        lines = None
    if lines is not None:
        (out / "audit.jsonl").write_bytes(lines)
        summary["audit_sha256"] = hashlib.sha256(lines).hexdigest()
    payload = json.dumps(summary).encode()
    mac = hmac.new(key, payload, hashlib.sha256).hexdigest().encode()
    (out / "summary.signed").write_bytes(mac + b"\n" + payload)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cell-timeout", type=float, default=60)
    parser.add_argument("--grace", type=float, default=3)
    parser.add_argument("--deadline", type=float, default=240)
    parser.add_argument("--figures", action="store_true")
    parser.add_argument("--audit", action="store_true")
    parser.add_argument("--answers", default="answers.json")
    parser.add_argument("--decoy-to", default="")
    args = parser.parse_args()
    started = time.monotonic()
    key = (HERE / "hmac").read_bytes()
    raw = (HERE / "notebook.ipynb").read_bytes()
    recorder = (HERE / "kernel_recorder.py").read_text()
    decoy = (HERE / "decoy.json").read_bytes() if (HERE / "decoy.json").is_file() else None
    shutil.rmtree(HERE)
    protected = guard.no_dump()
    private = Path(tempfile.mkdtemp(prefix=".grader-records-"))
    figures, audit = private / "figures.jsonl", private / "audit.jsonl"
    if decoy is not None and args.decoy_to:
        place_decoy(decoy, args.decoy_to)
    if args.figures or args.audit:
        install_recorder(recorder, {"figures": str(figures) if args.figures else "",
                                    "audit": str(audit) if args.audit else "",
                                    "answers": args.answers})
    summary: dict[str, Any] = {"ok": False, "error": "", "cells": [], "versions": versions(),
                               "protected": protected, "final": True}
    nb, client = None, None
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
    except Exception as exc:  # not a notebook at all (the grader checked it before)
        summary["error"] = f"the notebook could not be read: {type(exc).__name__}: {exc}"[:2000]
    if nb is not None:
        fresh(nb)
        client = guard.GuardedClient(nb, args.cell_timeout, args.grace,
                                     started + args.deadline,
                                     resources={"metadata": {"path": "."}})
        summary["ok"], summary["error"] = client.run()
    summary["leftover_processes"] = guard.kill_all()
    if nb is not None:
        errors = 0
        for i, cell in enumerate(nb.cells):
            if cell.get("cell_type") == "code" and str(cell.get("source", "")).strip():
                summary["cells"].append(cell_summary(i, cell, client, errors))
                errors += summary["cells"][-1]["status"] == "error"
        summary["figures"], summary["figures_ignored"] = verified_figures(nb, client, figures)
    summary["seconds"] = round(time.monotonic() - started, 2)
    summary["error"] = str(summary["error"])[:2000]
    write_record(summary, nb, audit, key)
    return 0


if __name__ == "__main__":
    sys.exit(main())
