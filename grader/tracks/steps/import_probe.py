"""Imports the declared packages inside the built image (standard library only: it runs with
the image's Python, as `python -c SOURCE NAMES [OPTIONS]`).

NAMES is a JSON list of distribution names: each one's top-level modules are imported
(top_level.txt, else the package folders of its RECORD; only the one named like the
distribution when there is one), with a line printed before each import (a crash still names
the module) and one line of JSON results at the end, `GRADER-IMPORTS [...]`.

OPTIONS (JSON, optional) runs the imports the way the submission's own program would
(grader/tracks/steps/entry_point.py): `cwd` and `path` (absolute folders), `env`, and
`django` (call django.setup() first, as manage.py and wsgi.py do). A failure whose innermost
frame in the work folder is the submission's own code says where (`own_code`).
"""

from __future__ import annotations

import importlib
import importlib.metadata as md
import json
import os
import sys
import traceback
from typing import Any

SKIP = {"tests", "test", "testing", "docs", "doc", "examples", "benchmarks", "scripts"}
WORKDIR = "/work"


def modules_of(name: str) -> list[str] | None:
    """The modules users of distribution `name` import; None when it is not installed."""
    try:
        dist = md.distribution(name)
    except md.PackageNotFoundError:
        return None
    tops = (dist.read_text("top_level.txt") or "").split()
    if not tops:
        for f in dist.files or []:
            parts = f.parts
            if len(parts) == 1 and parts[0].endswith(".py"):
                tops.append(parts[0][:-3])
            elif len(parts) == 2 and parts[1] == "__init__.py":
                tops.append(parts[0])
    mods = sorted({t for t in tops if t.isidentifier() and not t.startswith("_")
                   and t not in SKIP})[:5]
    # The module named like the distribution is the one its users import; the others are
    # often extras with optional dependencies (duckdb ships adbc_driver_duckdb).
    own = name.lower().replace("-", "_").replace(".", "_")
    return [m for m in mods if m.lower() == own] or mods


def own_frame(exc: BaseException) -> str | None:
    """'file:line' of the innermost frame of the traceback in the work folder (the
    submission's code), outside installed packages."""
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        path = os.path.abspath(frame.filename)
        if path.startswith(WORKDIR + "/") and "site-packages" not in path:
            found = f"{os.path.relpath(path, WORKDIR)}:{frame.lineno}"
    return found


def describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    cause = exc.__cause__ or exc.__context__
    if cause is not None and type(cause).__name__ not in text:
        text += f" (from {type(cause).__name__}: {cause})"
    return text[:700]


def configure(options: dict[str, Any]) -> dict[str, Any] | None:
    """Set up the process as the submission's entry point would; a row saying what failed
    in django.setup(), if it did."""
    os.environ.update({str(k): str(v) for k, v in options.get("env", {}).items()})
    cwd = options.get("cwd") or WORKDIR
    if os.path.isdir(cwd):
        os.chdir(cwd)
    sys.path[:0] = [p for p in options.get("path", []) if isinstance(p, str)]
    if not options.get("django"):
        return None
    try:
        importlib.import_module("django").setup()
    except BaseException as exc:
        return {"setup": "django.setup()", "error": describe(exc), "own_code": own_frame(exc)}
    return None


def main() -> None:
    names = json.loads(sys.argv[1])
    options = json.loads(sys.argv[2]) if len(sys.argv) > 2 else None
    out: list[dict[str, Any]] = []
    if options:
        setup = configure(options)
        if setup:
            out.append(setup)
    for name in names:
        mods = modules_of(name)
        if mods is None:
            out.append({"package": name, "skipped": "not installed here (environment marker)"})
            continue
        for mod in mods:
            print("importing", mod, flush=True)
            try:
                importlib.import_module(mod)
                out.append({"package": name, "module": mod, "ok": True})
            except BaseException as exc:
                out.append({"package": name, "module": mod, "ok": False,
                            "error": describe(exc), "own_code": own_frame(exc)})
    print("GRADER-IMPORTS " + json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
